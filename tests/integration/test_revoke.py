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
