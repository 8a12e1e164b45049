"""Flet's flet.security encrypt/decrypt, for the interop tests of FletSecret.Cipher.

encrypt/decrypt below follow flet.security as the Flet README describes it:
PBKDF2HMAC(SHA256, length 32, 16-byte random salt) over the UTF-8 secret, then
Fernet, and base64.urlsafe_b64encode(salt + fernet_token).

Protocol: one JSON object on stdin, one JSON object on stdout (ASCII only).
  {"op": "probe"}
      -> {"ok": true, "cryptography": "<version>"}
  {"op": "batch", "items": [{"op": "encrypt", "plaintext": ..., "secret": ..., "iterations": n},
                            {"op": "decrypt", "token": ..., "secret": ..., "iterations": n}, ...]}
      -> {"ok": true, "results": [{"ok": true, "value": ...} | {"ok": false, "error": "<type>"}, ...]}
Secrets and plaintexts travel only through stdin, never on the command line.
If cryptography cannot be imported, the script exits with status 3 and says why on stderr.
"""

import base64
import json
import os
import sys

try:
    import cryptography
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
except Exception as e:  # ImportError, or a broken installation
    sys.stderr.write("cannot import cryptography: %s: %s\n" % (type(e).__name__, e))
    sys.exit(3)


def _derive_key(secret_key: str, salt: bytes, iterations: int) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return base64.urlsafe_b64encode(kdf.derive(secret_key.encode()))


def encrypt(plain_text: str, secret_key: str, iterations: int) -> str:
    salt = os.urandom(16)
    key = _derive_key(secret_key, salt, iterations)
    f = Fernet(key)
    encrypted_data = f.encrypt(plain_text.encode("utf-8"))
    return base64.urlsafe_b64encode(salt + encrypted_data).decode("utf-8")


def decrypt(encrypted_data: str, secret_key: str, iterations: int) -> str:
    decoded_data = base64.urlsafe_b64decode(encrypted_data.encode())
    salt = decoded_data[:16]
    encrypted_data = decoded_data[16:]
    key = _derive_key(secret_key, salt, iterations)
    f = Fernet(key)
    return f.decrypt(encrypted_data).decode("utf-8")


def _run(item):
    try:
        if item["op"] == "encrypt":
            value = encrypt(item["plaintext"], item["secret"], item["iterations"])
        elif item["op"] == "decrypt":
            value = decrypt(item["token"], item["secret"], item["iterations"])
        else:
            return {"ok": False, "error": "unknown op"}
        return {"ok": True, "value": value}
    except Exception as e:  # report the kind of failure only, never the inputs
        return {"ok": False, "error": type(e).__name__}


def main():
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    if request.get("op") == "probe":
        response = {"ok": True, "cryptography": cryptography.__version__}
    elif request.get("op") == "batch":
        response = {"ok": True, "results": [_run(item) for item in request["items"]]}
    else:
        response = {"ok": False, "error": "unknown op"}
    sys.stdout.write(json.dumps(response, ensure_ascii=True))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
