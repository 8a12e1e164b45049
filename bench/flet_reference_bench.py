"""The Python reference for build.ps1 -Task Bench: Flet's encrypt/decrypt (PBKDF2HMAC + Fernet from the
cryptography package, as flet.security has them), timed per call. Request on stdin (JSON):
{"secret": ..., "runs": N, "iterations": N, "tokens": K} -> {"encrypt_ms": [...], "decrypt_ms": [...], "tokens": [K tokens]}
"""
import base64
import json
import os
import sys
import time

import cryptography
from cryptography.fernet import Fernet
from cryptography.hazmat.backends.openssl import backend
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
    return Fernet(_key(secret_key, data[:16], iterations)).decrypt(data[16:]).decode("utf-8")


def main():
    request = json.load(sys.stdin)
    secret, runs, iterations = request["secret"], int(request["runs"]), int(request["iterations"])
    encrypt("warm up", secret, iterations)
    encrypt_ms, decrypt_ms = [], []
    for _ in range(runs):
        started = time.perf_counter()
        token = encrypt("a secret of a Flet app", secret, iterations)
        encrypt_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        decrypt(token, secret, iterations)
        decrypt_ms.append((time.perf_counter() - started) * 1000)
    tokens = [encrypt(f"python token {i}", secret, iterations) for i in range(int(request["tokens"]))]
    json.dump({"encrypt_ms": encrypt_ms, "decrypt_ms": decrypt_ms, "tokens": tokens,
               "version": f"cryptography {cryptography.__version__}, {backend.openssl_version_text()}"}, sys.stdout)


if __name__ == "__main__":
    main()
