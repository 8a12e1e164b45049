"""Flet's flet.security encrypt/decrypt, written out with the cryptography package (as Flet 0.27.5+ has it,
with the iteration count a parameter). Reads one JSON request on stdin, writes one JSON answer on stdout:
{"op": "encrypt", "secret": ..., "plaintexts": [...], "iterations": N} -> {"tokens": [...]}
{"op": "decrypt", "secret": ..., "tokens": [...], "iterations": N}     -> {"plaintexts": [...]} (null where it fails)
"""
import base64
import json
import os
import sys

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC


def _key(secret, salt, iterations):
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return base64.urlsafe_b64encode(kdf.derive(secret.encode()))


def encrypt(plain_text, secret_key, iterations):
    salt = os.urandom(16)
    token = Fernet(_key(secret_key, salt, iterations)).encrypt(plain_text.encode("utf-8"))
    return base64.urlsafe_b64encode(salt + token).decode()


def decrypt(encrypted_data, secret_key, iterations):
    data = base64.urlsafe_b64decode(encrypted_data)
    salt, token = data[:16], data[16:]
    return Fernet(_key(secret_key, salt, iterations)).decrypt(token).decode("utf-8")


def main():
    request = json.load(sys.stdin)
    iterations = int(request.get("iterations", 600000))
    if request["op"] == "encrypt":
        answer = {"tokens": [encrypt(p, request["secret"], iterations) for p in request["plaintexts"]]}
    else:
        plaintexts = []
        for token in request["tokens"]:
            try:
                plaintexts.append(decrypt(token, request["secret"], iterations))
            except (InvalidToken, ValueError):
                plaintexts.append(None)
        answer = {"plaintexts": plaintexts}
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
