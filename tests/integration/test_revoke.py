"""POST /oauth/revoke: 200 done (also for unknown tokens), 401 bad client, 403 another client's token."""

import pytest


def active(api, access_token):
    return api.call("/oauth/tokeninfo", query=f"access_token={access_token}").status == 200


def test_revoking_an_access_token_makes_tokeninfo_answer_400(api, client):
    token = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=client).json()["access_token"]
    r = api.call("/oauth/revoke", data={"token": token}, auth=client)
    assert r.status == 200 and r.headers["cache-control"] == "no-store"
    info = api.call("/oauth/tokeninfo", query=f"access_token={token}")
    assert info.status == 400 and info.json()["error"] == "invalid_token"


def test_revoking_an_access_token_leaves_its_refresh_token_usable(api, client, user_tokens):
    assert api.call("/oauth/revoke", data={"token": user_tokens["access_token"]}, auth=client).status == 200
    r = api.call("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": user_tokens["refresh_token"]},
                 auth=client)
    assert r.status == 200


def test_revoking_a_refresh_token_invalidates_every_access_token_issued_from_it(api, client, user_tokens):
    rotated = api.call("/oauth/token", data={"grant_type": "refresh_token",
                                             "refresh_token": user_tokens["refresh_token"]}, auth=client).json()
    r = api.call("/oauth/revoke", data={"token": rotated["refresh_token"], "token_type_hint": "refresh_token"},
                 auth=client)
    assert r.status == 200
    assert not active(api, rotated["access_token"])
    assert not active(api, user_tokens["access_token"])
    again = api.call("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": rotated["refresh_token"]},
                     auth=client)
    assert again.status == 400 and again.json()["error"] == "invalid_grant"


def test_cascade_deletes_the_grants_tokens_from_the_table(api, client, user_tokens, dynamodb, stack):
    api.call("/oauth/revoke", data={"token": user_tokens["refresh_token"]}, auth=client)
    assert dynamodb.scan(TableName=f"{stack.stack_name}-tokens")["Items"] == []
    grant = dynamodb.scan(TableName=f"{stack.stack_name}-grants")["Items"][0]
    assert grant["status"]["S"] == "revoked"


def test_a_wrong_hint_does_not_stop_the_revocation(api, client, user_tokens):
    r = api.call("/oauth/revoke", data={"token": user_tokens["refresh_token"], "token_type_hint": "access_token"},
                 auth=client)
    assert r.status == 200
    assert not active(api, user_tokens["access_token"])


def test_another_clients_token_is_403_and_stays_valid(api, client, make_client):
    token = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=client).json()["access_token"]
    r = api.call("/oauth/revoke", data={"token": token}, auth=make_client())
    assert r.status == 403 and r.json()["error"] == "unauthorized_client"
    assert active(api, token)


@pytest.mark.parametrize("auth", [("nobody", "x"), None])
def test_bad_client_authentication_is_401(api, client, auth):
    token = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=client).json()["access_token"]
    if auth == ("nobody", "x"):
        r = api.call("/oauth/revoke", data={"token": token}, auth=auth)
        assert r.headers["www-authenticate"] == 'Basic realm="oauth"'
    else:
        r = api.call("/oauth/revoke", data={"token": token})
    assert r.status == 401 and r.json()["error"] == "invalid_client"
    assert active(api, token)


@pytest.mark.parametrize("token", ["never-issued", "A" * 43 + ".Q2xpZW50"])
def test_unknown_tokens_are_answered_200(api, client, token):
    assert api.call("/oauth/revoke", data={"token": token}, auth=client).status == 200


def test_missing_token_is_invalid_request(api, client):
    r = api.call("/oauth/revoke", data={}, auth=client)
    assert r.status == 400 and r.json()["error"] == "invalid_request"


def test_unknown_hint_is_unsupported_token_type(api, client):
    r = api.call("/oauth/revoke", data={"token": "x", "token_type_hint": "id_token"}, auth=client)
    assert r.status == 400 and r.json()["error"] == "unsupported_token_type"


def _grow(dynamodb, stack, user_tokens, extra: int) -> None:
    """Give the grant ``extra`` more access tokens, as months of refreshes would (written directly)."""
    from oauth_core.hashing import digest
    from oauth_core.storage import dynamo, tokens

    table = f"{stack.stack_name}-tokens"
    first = tokens.from_item(dynamo.unmarshal(dynamodb.get_item(
        TableName=table, Key={"token_hash": {"S": digest(user_tokens["access_token"])}})["Item"]))
    for i in range(extra):
        item = tokens.Token(digest(f"old-{i}"), tokens.ACCESS, first.client_id, first.scope, first.issued_at_ms,
                            first.expires_at, first.username, first.grant_id)
        dynamodb.put_item(TableName=table, Item=dynamo.marshal(item.to_item()))


def test_a_grant_with_hundreds_of_tokens_is_revoked_and_cleaned_in_batches(api, client, user_tokens, dynamodb, stack):
    _grow(dynamodb, stack, user_tokens, 260)
    calls: list[str] = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    assert api.call("/oauth/revoke", data={"token": user_tokens["refresh_token"]}, auth=client).status == 200
    assert dynamodb.scan(TableName=f"{stack.stack_name}-tokens", Select="COUNT")["Count"] == 0
    assert calls.count("BatchWriteItem") == 11 and "DeleteItem" not in calls, "25 deletions per call, 262 tokens"


def test_clean_up_cut_short_leaves_the_rest_to_ttl_and_they_stay_refused(api, client, user_tokens, dynamodb, stack):
    from tests.dynamodb_faults import Faults

    _grow(dynamodb, stack, user_tokens, 100)
    faults = Faults(code="ThrottlingException", after=3).install(dynamodb)  # batch read, grant, query: then none
    assert api.call("/oauth/revoke", data={"token": user_tokens["refresh_token"]}, auth=client).status == 200
    faults.active = False
    assert set(faults.faulted) == {"BatchWriteItem"}
    left = dynamodb.scan(TableName=f"{stack.stack_name}-tokens", Select="COUNT")["Count"]
    assert left == 102, "nothing deleted: TTL removes them when they expire"
    assert not active(api, user_tokens["access_token"]), "the grant's status refuses them meanwhile"
