"""What the product doc's sample clients share: the local stack's URL and demo client (from `make run`'s
exports), the token request printed as the doc prints it, and the call to the protected resource."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # oauth_client, when run as `python examples/<name>.py`

BASE = os.environ.get("OAUTH_URL", "http://127.0.0.1:3000")
TOKEN_URL, AUTHORIZE_URL = f"{BASE}/oauth/token", f"{BASE}/oauth/authorize"
PROTECTED_URL, TOKENINFO_URL, REVOKE_URL = f"{BASE}/oauth/protected", f"{BASE}/oauth/tokeninfo", f"{BASE}/oauth/revoke"
CLIENT_ID = os.environ.get("CLIENT_ID", "SampleConfidentialApp")
CLIENT_SECRET = os.environ.get("CLIENT_SECRET", "")
SCOPE = "https://localhost:8090/auth/userinfo.email"
REDIRECT_URI = "https://localhost/oauth_callback"
STARS = "*" * 78


def require_secret() -> None:
    if not CLIENT_SECRET:
        sys.exit("set CLIENT_ID and CLIENT_SECRET: paste the export lines `make run` printed")


def request_token(data: dict[str, str]) -> dict[str, Any] | None:
    """POST to the token endpoint with the client's credentials (Basic), printing what the doc prints."""
    print(f"Sending up access token request using grant_type set to {data['grant_type']}")
    response = requests.post(TOKEN_URL, data=data, auth=(CLIENT_ID, CLIENT_SECRET), timeout=10)
    print(f"Response from access token request: {response.status_code}")
    if response.status_code != 200:
        print(response.text)
        return None
    print("Parsing the json response")
    token = response.json()
    print_token_response(token)
    return token


def print_token_response(token: dict[str, Any]) -> None:
    print("*" * 22 + "ACCESS TOKEN RESPONSE" + "*" * 35)
    print(f"Access token received from authorization server {token['access_token']}")
    print(f"Access token type received from authorization server {token['token_type']}")
    print(f"Access token expiry time: {token['expires_in']}")
    if token.get("refresh_token"):
        print(f"Refresh token:  {token['refresh_token']}")
    print(STARS)


def call_protected(access_token: str) -> bool:
    print("Now we can try access the protected resource using the access token")
    print("Executing get request on the protected url")
    response = requests.get(PROTECTED_URL, headers={"Authorization": f"Bearer {access_token}"}, timeout=10)
    print(f"Response from protected resource request is: {response.status_code}")
    print(response.text)
    return response.status_code == 200
