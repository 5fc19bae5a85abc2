"""Revoke a token (the doc's revoke_token.py): only the client the token was issued to may revoke it.
Revokes the token given as argument, or a fresh one it asks for first. Run `make run`, paste its
exports, then `.venv/bin/python examples/revoke_token.py [TOKEN]`."""

import sys

import requests
import sample


def main(argv: list[str]) -> int:
    sample.require_secret()
    if argv:
        token = argv[0]
    else:
        issued = sample.request_token({"grant_type": "client_credentials"})
        if issued is None:
            return 1
        token = issued["access_token"]
    print(f"Token to be revoked: {token}")
    print("Revoking token...............")
    response = requests.post(sample.REVOKE_URL, data={"token": token}, auth=(sample.CLIENT_ID, sample.CLIENT_SECRET),
                             timeout=10)
    print(f"Response from revoke token request is: {response.status_code}")
    if response.status_code != 200:
        print(response.text)
        return 1
    print("Successfully revoked token")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
