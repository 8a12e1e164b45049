"""Flet's flet.security encrypt/decrypt, for the interop tests of FletSecret.Cipher.

encrypt/decrypt and encrypt_aes_gcm_256/decrypt_aes_gcm_256 come from flet_reference.py (tests/data, copied beside this script): Flet's algorithm,
PBKDF2HMAC(SHA256, length 32, 16-byte random salt) over the UTF-8 secret, then Fernet, and
base64.urlsafe_b64encode(salt + fernet_token); the Pester tests and the benchmark run the same code.

Protocol: one JSON object on stdin, one JSON object on stdout (ASCII only).
  {"op": "probe"}
      -> {"ok": true, "cryptography": "<version>"}
  {"op": "batch", "items": [{"op": "encrypt", "plaintext": ..., "secret": ..., "iterations": n},
                            {"op": "decrypt", "token": ..., "secret": ..., "iterations": n}, ...]}
                            {"op": "b64decode", "text": ...} (base64.urlsafe_b64decode, as Flet reads a token; value in hex), ...]}
      each item may say "algorithm": "AesGcm" for Flet's AES-GCM pair (Fernet by default)
      -> {"ok": true, "results": [{"ok": true, "value": ...} | {"ok": false, "error": "<type>"}, ...]}
Secrets and plaintexts travel only through stdin, never on the command line.
If cryptography cannot be imported, the script exits with status 3 and says why on stderr.
"""

import base64
import json
import sys

try:
    import cryptography
    from flet_reference import PAIRS
except Exception as e:  # ImportError, or a broken installation
    sys.stderr.write("cannot import cryptography: %s: %s\n" % (type(e).__name__, e))
    sys.exit(3)


def _run(item):
    try:
        encrypt, decrypt = PAIRS[item.get("algorithm", "Fernet")]
        if item["op"] == "encrypt":
            value = encrypt(item["plaintext"], item["secret"], item["iterations"])
        elif item["op"] == "b64decode":
            value = base64.urlsafe_b64decode(item["text"]).hex()
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
