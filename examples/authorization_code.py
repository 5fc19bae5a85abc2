"""Authorization code (the doc's authorization_code.py): prints the URL to open in a browser; after you
sign in (admin / changeme) and approve, the browser goes to https://localhost/oauth_callback?code=...
(nothing listens there: copy the code from the address bar) and you paste the code here. The script
exchanges it for tokens and calls the protected resource. Run `make run`, paste its exports, then
`.venv/bin/python examples/authorization_code.py`."""

import sys
from urllib.parse import urlencode

import sample


def main() -> int:
    sample.require_secret()
    query = urlencode({"client_id": sample.CLIENT_ID, "response_type": "code", "scope": sample.SCOPE,
                       "redirect_uri": sample.REDIRECT_URI})
    print("Go to the URL here:")
    print(f"{sample.AUTHORIZE_URL}?{query}", flush=True)
    print("Enter Authorization code in dialog", flush=True)
    code = input("AuthZ code: ").strip()
    print("Exchange authZ code for access token")
    token = sample.request_token({"grant_type": "authorization_code", "code": code,
                                  "redirect_uri": sample.REDIRECT_URI})
    return 0 if token is not None and sample.call_protected(token["access_token"]) else 1


if __name__ == "__main__":
    sys.exit(main())
