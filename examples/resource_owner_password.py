"""Resource owner password credentials (the doc's resourceowner_password_credentials.py): the demo user's
name and password for a token on their behalf. Run `make run`, paste its exports, then
`.venv/bin/python examples/resource_owner_password.py [USERNAME PASSWORD]`."""

import sys

import sample


def main(argv: list[str]) -> int:
    sample.require_secret()
    username, password = argv[:2] if len(argv) >= 2 else ("admin", "changeme")
    token = sample.request_token({"grant_type": "password", "username": username, "password": password})
    return 0 if token is not None and sample.call_protected(token["access_token"]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
