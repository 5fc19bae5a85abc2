"""POST /oauth/token with grant_type=refresh_token: rotation, reuse detection, scope narrowing."""

import time

import pytest


def refresh(api, client, refresh_token, **extra):
    return api.call("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token, **extra},
                    auth=client)


def active(api, access_token):
    return api.call("/oauth/tokeninfo", query=f"access_token={access_token}").status == 200


def test_refresh_rotates_the_refresh_token(api, client, user_tokens):
    r = refresh(api, client, user_tokens["refresh_token"])
    assert r.status == 200
    new = r.json()
    assert new["refresh_token"] != user_tokens["refresh_token"]
    assert active(api, new["access_token"]) and active(api, user_tokens["access_token"])
    assert refresh(api, client, new["refresh_token"]).status == 200


def test_reusing_a_rotated_refresh_token_revokes_the_whole_grant(api, client, user_tokens):
    new = refresh(api, client, user_tokens["refresh_token"]).json()
    replay = refresh(api, client, user_tokens["refresh_token"])
    assert replay.status == 400 and replay.json()["error"] == "invalid_grant"
    assert not active(api, new["access_token"])
    assert not active(api, user_tokens["access_token"])
    assert refresh(api, client, new["refresh_token"]).json()["error"] == "invalid_grant"


def test_refresh_may_narrow_but_not_widen_the_scope(api, client, user_tokens):
    narrowed = refresh(api, client, user_tokens["refresh_token"], scope="read")
    assert narrowed.status == 200 and narrowed.json()["scope"] == "read"
    # the new refresh token still carries the original grant's scope
    again = refresh(api, client, narrowed.json()["refresh_token"], scope="read write")
    assert again.status == 200
    widened = refresh(api, client, again.json()["refresh_token"], scope="read admin")
    assert widened.status == 400 and widened.json()["error"] == "invalid_scope"


def test_another_clients_refresh_token_is_invalid_grant(api, make_client, user_tokens):
    other = make_client()
    r = refresh(api, other, user_tokens["refresh_token"])
    assert r.status == 400 and r.json()["error"] == "invalid_grant"


def test_access_token_is_not_a_refresh_token(api, client, user_tokens):
    r = refresh(api, client, user_tokens["access_token"])
    assert r.status == 400 and r.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("value", ["garbage", "a" * 43 + ".Zm9v", ""])
def test_malformed_refresh_token(api, client, user_tokens, value):
    r = refresh(api, client, value)
    assert r.status == 400 and r.json()["error"] in ("invalid_grant", "invalid_request")


def test_expired_refresh_token_that_ttl_has_not_deleted_is_refused(api, client, user_tokens, dynamodb, stack):
    from oauth_core.hashing import digest

    dynamodb.update_item(TableName=f"{stack.stack_name}-tokens",
                         Key={"token_hash": {"S": digest(user_tokens["refresh_token"])}},
                         UpdateExpression="SET expires_at = :past",
                         ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}})
    r = refresh(api, client, user_tokens["refresh_token"])
    assert r.status == 400 and r.json() == {"error": "invalid_grant", "error_description": "token expired"}


def test_disabled_user_cannot_refresh(api, client, user_tokens, dynamodb, stack):
    dynamodb.update_item(TableName=f"{stack.stack_name}-users", Key={"username": {"S": "alice"}},
                         UpdateExpression="SET disabled = :t", ExpressionAttributeValues={":t": {"BOOL": True}})
    r = refresh(api, client, user_tokens["refresh_token"])
    assert r.status == 400 and r.json()["error"] == "invalid_grant"
    assert not active(api, user_tokens["access_token"])


def test_client_without_refresh_grant_cannot_refresh(api, make_client, make_user, dynamodb, stack):
    from oauth_core.storage import client_cache

    client = make_client()
    username, password = make_user()
    body = api.call("/oauth/token", data={"grant_type": "password", "username": username, "password": password},
                    auth=client).json()
    dynamodb.update_item(TableName=f"{stack.stack_name}-clients", Key={"client_id": {"S": client[0]}},
                         UpdateExpression="SET grant_types = :g", ExpressionAttributeValues={":g": {"L": [
                             {"S": "password"}]}})
    client_cache.clear()  # an operator's change, seen once the client cache's bound has passed
    r = refresh(api, client, body["refresh_token"])
    assert r.status == 400 and r.json()["error"] == "unauthorized_client"


def test_refresh_issues_only_the_scopes_the_client_is_registered_for_now(api, client, user_tokens):
    import dataclasses

    from oauth_core.storage import clients

    clients.save(dataclasses.replace(clients.get(client[0]), scopes=frozenset({"write"})))
    r = refresh(api, client, user_tokens["refresh_token"])
    assert r.status == 200 and r.json()["scope"] == "write"
    clients.save(dataclasses.replace(clients.get(client[0]), scopes=frozenset({"other"})))
    gone = refresh(api, client, r.json()["refresh_token"])
    assert gone.status == 400 and gone.json()["error"] == "invalid_scope"


def _backdate_grant(dynamodb, stack, seconds):
    grant = dynamodb.scan(TableName=f"{stack.stack_name}-grants")["Items"][0]
    created = int(grant["created_at"]["N"]) - seconds
    dynamodb.update_item(TableName=f"{stack.stack_name}-grants", Key={"grant_id": grant["grant_id"]},
                         UpdateExpression="SET created_at = :c", ExpressionAttributeValues={":c": {"N": str(created)}})


def test_refresh_never_extends_a_grant_past_its_maximum_lifetime(api, make_client, make_user, dynamodb, stack):
    client = make_client(grant_max_lifetime=3600)
    username, password = make_user()
    first = api.call("/oauth/token", data={"grant_type": "password", "username": username, "password": password},
                     auth=client).json()
    _backdate_grant(dynamodb, stack, 3600 - 100)
    near_the_end = refresh(api, client, first["refresh_token"]).json()
    assert 0 < near_the_end["expires_in"] <= 100
    _backdate_grant(dynamodb, stack, 100)
    ended = refresh(api, client, near_the_end["refresh_token"])
    assert ended.status == 400 and "maximum lifetime" in ended.json()["error_description"]
    assert not active(api, near_the_end["access_token"])


# -- the reuse window (RefreshTokenReuseWindow, --refresh-reuse-window) -------------------------------------------
@pytest.fixture
def retrying(api, make_client, make_user):
    client = make_client(refresh_reuse_window=30)
    username, password = make_user()
    first = api.call("/oauth/token", data={"grant_type": "password", "username": username, "password": password},
                     auth=client).json()
    return client, first


def test_retry_within_the_window_gets_a_new_pair_and_the_lost_one_stops_working(api, retrying):
    client, first = retrying
    lost = refresh(api, client, first["refresh_token"]).json()
    retried = refresh(api, client, first["refresh_token"])
    assert retried.status == 200, retried.text
    retried = retried.json()
    assert active(api, retried["access_token"]) and not active(api, lost["access_token"])
    assert refresh(api, client, lost["refresh_token"]).status == 400
    assert refresh(api, client, retried["refresh_token"]).status == 200, "the grant was not revoked"


def test_retry_after_the_successor_was_used_revokes(api, retrying):
    client, first = retrying
    second = refresh(api, client, first["refresh_token"]).json()
    third = refresh(api, client, second["refresh_token"]).json()
    replay = refresh(api, client, first["refresh_token"])
    assert replay.status == 400 and "revoked" in replay.json()["error_description"]
    assert not active(api, third["access_token"])


def test_retry_after_the_window_revokes(api, retrying, dynamodb, stack):
    from oauth_core.storage import tokens

    client, first = retrying
    second = refresh(api, client, first["refresh_token"]).json()
    dynamodb.update_item(TableName=f"{stack.stack_name}-tokens", Key={"token_hash": {"S": tokens.key(
        first["refresh_token"])[1]["token_hash"]}}, UpdateExpression="SET rotated_at = rotated_at - :w",
        ExpressionAttributeValues={":w": {"N": "31000"}})
    replay = refresh(api, client, first["refresh_token"])
    assert replay.status == 400 and "revoked" in replay.json()["error_description"]
    assert not active(api, second["access_token"])


def test_racing_refreshes_within_the_window_both_succeed(api, retrying, monkeypatch):
    """Two refreshes that both read the token before either wrote: the loser retries within the window."""
    from oauth_core.storage import dynamo, tokens

    client, first = retrying
    real_batch_get = dynamo.batch_get
    stale = real_batch_get({"token": tokens.key(first["refresh_token"])})
    winner = refresh(api, client, first["refresh_token"]).json()

    def as_if_read_before_the_first(requests, **kwargs):
        items = real_batch_get(requests, **kwargs)
        return {**items, "token": stale["token"]} if "token" in items else items

    monkeypatch.setattr(dynamo, "batch_get", as_if_read_before_the_first)
    loser = refresh(api, client, first["refresh_token"])
    monkeypatch.undo()
    assert loser.status == 200, loser.text
    assert active(api, loser.json()["access_token"]) and not active(api, winner["access_token"])
