"""Implicit grant (the doc's implicit_grant.py): prints the URL to open in a browser; after you sign in
and approve, the browser goes to https://localhost/oauth_callback#access_token=...: paste the token
here and the script calls the protected resource with it. Run `make run`, paste its exports, then
`.venv/bin/python examples/implicit_grant.py`."""

import secrets
import sys
from urllib.parse import urlencode

import sample


def main() -> int:
    state = str(secrets.randbelow(10**10))
    query = urlencode({"client_id": sample.CLIENT_ID, "response_type": "token", "scope": sample.SCOPE,
                       "redirect_uri": sample.REDIRECT_URI, "state": state})
    print("Go to the URL here:")
    print(f"{sample.AUTHORIZE_URL}?{query}", flush=True)
    print("Enter Access Token code in dialog", flush=True)
    access_token = input("Access token from the fragment: ").strip()
    print("*" * 22 + "ACCESS TOKEN RESPONSE" + "*" * 35)
    print(f"Access token received from authorization server {access_token}")
    print(sample.STARS)
    return 0 if sample.call_protected(access_token) else 1


if __name__ == "__main__":
    sys.exit(main())
