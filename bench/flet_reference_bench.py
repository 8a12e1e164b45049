"""The Python reference for build.ps1 -Task Bench: Flet's encrypt/decrypt (PBKDF2HMAC + Fernet from the
cryptography package, as flet.security has them), timed per call. Request on stdin (JSON):
{"secret": ..., "runs": N, "iterations": N, "tokens": K}
-> {"first_ms": the first encrypt after import, "encrypt_ms": [...], "decrypt_ms": [...], "tokens": [K tokens]}
"""
import json
import os
import sys
import time

import cryptography
from cryptography.hazmat.backends.openssl import backend

# Flet's algorithm, the same code the live interop tests run.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data"))
from flet_reference import decrypt, encrypt  # noqa: E402


def main():
    request = json.load(sys.stdin)
    secret, runs, iterations = request["secret"], int(request["runs"]), int(request["iterations"])
    started = time.perf_counter()
    encrypt("warm up", secret, iterations)
    first_ms = (time.perf_counter() - started) * 1000
    encrypt_ms, decrypt_ms = [], []
    for _ in range(runs):
        started = time.perf_counter()
        token = encrypt("a secret of a Flet app", secret, iterations)
        encrypt_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        decrypt(token, secret, iterations)
        decrypt_ms.append((time.perf_counter() - started) * 1000)
    tokens = [encrypt(f"python token {i}", secret, iterations) for i in range(int(request["tokens"]))]
    json.dump({"first_ms": first_ms, "encrypt_ms": encrypt_ms, "decrypt_ms": decrypt_ms, "tokens": tokens,
               "version": f"cryptography {cryptography.__version__}, {backend.openssl_version_text()}"}, sys.stdout)


if __name__ == "__main__":
    main()
