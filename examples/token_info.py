"""Token info (the doc's token_info.py): what a token is for. Looks up the token given as argument, or
one it gets for the demo user first. Run `make run`, paste its exports, then
`.venv/bin/python examples/token_info.py [TOKEN]`."""

import sys

import requests
import sample


def main(argv: list[str]) -> int:
    if argv:
        token = argv[0]
    else:
        sample.require_secret()
        issued = sample.request_token({"grant_type": "password", "username": "admin", "password": "changeme"})
        if issued is None:
            return 1
        token = issued["access_token"]
    print(f"Get token info for this token: {token}")
    response = requests.get(sample.TOKENINFO_URL, params={"access_token": token}, timeout=10)
    print(f"Response from token info request is: {response.status_code}")
    if response.status_code != 200:
        print(response.text)
        return 1
    info = response.json()
    print("*" * 22 + "TOKEN INFO RESPONSE" + "*" * 37)
    print(f"Token audience received from authorization server: {info['audience']}")
    print(f"Scopes user consented to: {info['scope']}")
    print(f"Token expiry time: {info['expires_in']}")
    print(f"User id : {info['user_id']}")
    print(sample.STARS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
