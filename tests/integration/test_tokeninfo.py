"""GET /oauth/tokeninfo?access_token=: audience, user_id, scope, expires_in; 400 invalid_token otherwise."""

import time

import pytest

from oauth_core.hashing import digest


def client_token(api, client):
    return api.call("/oauth/token", data={"grant_type": "client_credentials", "scope": "read"},
                    auth=client).json()["access_token"]


def info(api, token):
    return api.call("/oauth/tokeninfo", query=f"access_token={token}")


def test_tokeninfo_describes_a_client_token(api, client):
    r = info(api, client_token(api, client))
    assert r.status == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["audience"] == client[0] and body["user_id"] is None and body["scope"] == "read"
    assert 3590 <= body["expires_in"] <= 3600


def test_missing_access_token_parameter_is_invalid_request(api, client):
    r = api.call("/oauth/tokeninfo")
    assert r.status == 400 and r.json()["error"] == "invalid_request"


@pytest.mark.parametrize("token", ["garbage", "A" * 43 + ".Q2xpZW50", "x" * 5000])
def test_unknown_or_malformed_tokens_are_invalid_token(api, client, token):
    r = info(api, token)
    assert r.status == 400 and r.json()["error"] == "invalid_token"


def test_expired_token_still_in_the_table_is_invalid_token(api, client, dynamodb, stack):
    token = client_token(api, client)
    dynamodb.update_item(TableName=f"{stack.stack_name}-tokens", Key={"token_hash": {"S": digest(token)}},
                         UpdateExpression="SET expires_at = :past",
                         ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 5)}})
    r = info(api, token)
    assert r.status == 400 and r.json()["error_description"] == "token expired"


def test_refresh_token_is_not_accepted(api, client, make_user):
    username, password = make_user()
    body = api.call("/oauth/token", data={"grant_type": "password", "username": username, "password": password},
                    auth=client).json()
    assert info(api, body["refresh_token"]).json()["error"] == "invalid_token"


def test_disabling_the_client_stops_its_tokens_at_once(api, client, dynamodb, stack):
    token = client_token(api, client)
    dynamodb.update_item(TableName=f"{stack.stack_name}-clients", Key={"client_id": {"S": client[0]}},
                         UpdateExpression="SET disabled = :t", ExpressionAttributeValues={":t": {"BOOL": True}})
    assert info(api, token).json()["error"] == "invalid_token"


def test_deleting_the_user_stops_their_tokens_at_once(api, client, make_user, dynamodb, stack):
    username, password = make_user()
    body = api.call("/oauth/token", data={"grant_type": "password", "username": username, "password": password},
                    auth=client).json()
    assert info(api, body["access_token"]).json()["user_id"] == username
    dynamodb.delete_item(TableName=f"{stack.stack_name}-users", Key={"username": {"S": username}})
    assert info(api, body["access_token"]).json()["error"] == "invalid_token"


def test_tampered_ref_finds_no_token(api, client):
    from oauth_core import token_format

    token = client_token(api, client)
    secret = token.split(".")[0]
    forged = token_format.seal(secret, token_format.TokenRef("other-client"))  # well formed, names another client
    assert info(api, forged).json()["error"] == "invalid_token"


def test_tokeninfo_is_one_dynamodb_round_trip(api, client, dynamodb):
    from oauth_core.storage import dynamo

    token = client_token(api, client)
    calls = []
    dynamo.client().meta.events.register("before-call.dynamodb.*", lambda model, **kw: calls.append(model.name))
    assert info(api, token).status == 200
    assert calls == ["GetItem"] or calls == ["BatchGetItem"]


def test_a_token_check_reads_no_password_or_secret_hash(api, client, user_tokens, monkeypatch):
    """IAM lets tokeninfo, the resource and the authorizer read only the projected attributes."""
    from oauth_core.storage import dynamo

    seen = []
    real_call = dynamo.call

    def spy(operation, **kwargs):
        answer = real_call(operation, **kwargs)
        if operation == "batch_get_item":
            seen.append((kwargs, answer))
        return answer

    monkeypatch.setattr(dynamo, "call", spy)
    assert api.call("/oauth/tokeninfo", query=f"access_token={user_tokens['access_token']}").status == 200
    (request, answer), = seen
    for table, spec in request["RequestItems"].items():
        if table.endswith(("-users", "-clients")):
            assert "ProjectionExpression" in spec
    returned = str(answer["Responses"])
    assert "password_hash" not in returned and "secret_hash" not in returned and "scrypt" not in returned
