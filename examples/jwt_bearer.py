"""The product doc's JWT bearer flow against the local stack (run `make run`, paste its exports, then
`.venv/bin/python examples/jwt_bearer.py`): make a key and certificate, register them with oauthctl,
build the assertion step by step, exchange it for an access token, look the token up and call the
protected resource with it."""

from __future__ import annotations

import base64
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import sample
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

CLIENT_ID = os.environ.get("JWT_CLIENT_ID", "JwtExampleApp")
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def key_and_certificate() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CLIENT_ID)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=365)).sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def register(pem: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "client.pem"
        path.write_text(pem)
        oauthctl = [str(sample.ROOT / "scripts" / "oauthctl")]
        create = subprocess.run([*oauthctl, "clients", "create", "--client-id", CLIENT_ID, "--grant-type", GRANT,
                                 "--certificate", str(path)], capture_output=True, text=True)
        if create.returncode != 0:  # registered by an earlier run: replace its certificate
            subprocess.run([*oauthctl, "clients", "update", CLIENT_ID, "--certificate", str(path)], check=True,
                           capture_output=True, text=True)
    print(f"Registered the certificate for {CLIENT_ID}")


def call(request: urllib.request.Request) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def main() -> int:
    token_url = sample.TOKEN_URL
    key, pem = key_and_certificate()
    register(pem)

    header = b64url(json.dumps({"alg": "RS256"}).encode())
    print(f"1-2. JWT header {{\"alg\":\"RS256\"}}, base64url: {header}")
    now = int(time.time())
    claims = {"iss": CLIENT_ID, "aud": token_url, "exp": now + 300, "iat": now}
    encoded_claims = b64url(json.dumps(claims).encode())
    print(f"3-4. Claims {json.dumps(claims)}, base64url: {encoded_claims}")
    signing_input = f"{header}.{encoded_claims}"
    print("5.   Signing input: base64url(header) + '.' + base64url(claims)")
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    assertion = f"{signing_input}.{b64url(signature)}"
    print(f"6.   Signed with SHA256withRSA: {assertion[:60]}...")

    print("Sending up access token request using grant_type set to jwt-bearer")
    body = urllib.parse.urlencode({"grant_type": GRANT, "assertion": assertion}).encode()
    status, text = call(urllib.request.Request(token_url, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded"}))
    print(f"Response from access token request: {status}")
    if status != 200:
        print(text)
        return 1
    token = json.loads(text)
    sample.print_token_response(token)
    query = urllib.parse.urlencode({"access_token": token["access_token"]})
    status, text = call(urllib.request.Request(f"{sample.TOKENINFO_URL}?{query}"))
    print(f"Response from token info request is: {status}")
    print(text)
    return 0 if sample.call_protected(token["access_token"]) else 1


if __name__ == "__main__":
    sys.exit(main())
