"""Flet's flet.security, written out with the cryptography package (as Flet 0.27.5+ has it, with the iteration
count a parameter): both pairs, encrypt/decrypt (Fernet) and encrypt_aes_gcm_256/decrypt_aes_gcm_256.
Reads one JSON request on stdin, writes one JSON answer on stdout:
{"op": "encrypt", "secret": ..., "plaintexts": [...], "iterations": N, "algorithm": "Fernet"|"AesGcm"} -> {"tokens": [...]}
{"op": "decrypt", "secret": ..., "tokens": [...], "iterations": N, "algorithm": ...} -> {"plaintexts": [...]} (null where it fails)
"algorithm" is optional; Fernet by default.
"""
import base64
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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


def _aes_gcm_key(secret, salt, iterations):
    # Flet hashes the base64 Fernet key and keeps the first 32 hex digits: 32 ASCII bytes, 128 bits of key.
    return hashlib.sha256(_key(secret, salt, iterations)).hexdigest()[:32].encode()


def encrypt_aes_gcm_256(plain_text, secret_key, iterations):
    salt = os.urandom(16)
    nonce = os.urandom(32)
    body = AESGCM(_aes_gcm_key(secret_key, salt, iterations)).encrypt(nonce, plain_text.encode("utf-8"), None)
    return base64.urlsafe_b64encode(salt + nonce + body).decode()


def decrypt_aes_gcm_256(encrypted_data, secret_key, iterations):
    data = base64.urlsafe_b64decode(encrypted_data)
    salt, nonce, body = data[:16], data[16:48], data[48:]
    return AESGCM(_aes_gcm_key(secret_key, salt, iterations)).decrypt(nonce, body, None).decode("utf-8")


PAIRS = {"Fernet": (encrypt, decrypt), "AesGcm": (encrypt_aes_gcm_256, decrypt_aes_gcm_256)}


def main():
    request = json.load(sys.stdin)
    iterations = int(request.get("iterations", 600000))
    encrypt_one, decrypt_one = PAIRS[request.get("algorithm", "Fernet")]
    if request["op"] == "encrypt":
        answer = {"tokens": [encrypt_one(p, request["secret"], iterations) for p in request["plaintexts"]]}
    else:
        plaintexts = []
        for token in request["tokens"]:
            try:
                plaintexts.append(decrypt_one(token, request["secret"], iterations))
            except (InvalidToken, InvalidTag, ValueError):
                plaintexts.append(None)
        answer = {"plaintexts": plaintexts}
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
