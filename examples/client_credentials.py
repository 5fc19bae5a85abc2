"""Client credentials (the doc's client_credentials.py): the client gets a token of its own and calls the
protected resource; then the same with oauth_client, which caches the token and retries once on
`invalid_token`. Run `make run`, paste its exports, then `.venv/bin/python examples/client_credentials.py`."""

import sys

import sample


def main() -> int:
    sample.require_secret()
    token = sample.request_token({"grant_type": "client_credentials"})
    if token is None or not sample.call_protected(token["access_token"]):
        return 1
    from oauth_client import OAuthClient

    client = OAuthClient(sample.TOKEN_URL, sample.CLIENT_ID, sample.CLIENT_SECRET)
    answers = [client.get(sample.PROTECTED_URL).status_code for _ in range(3)]
    print(f"oauth_client: 3 calls answered {answers} with {client.tokens_fetched} token request(s)")
    return 0 if answers == [200, 200, 200] else 1


if __name__ == "__main__":
    sys.exit(main())
