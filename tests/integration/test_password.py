"""POST /oauth/token with grant_type=password (RFC 6749 §4.3)."""

import pytest


@pytest.fixture
def client(make_client):
    return make_client(refresh_token_ttl=600)


def test_password_grant_issues_access_and_refresh_tokens(api, client, make_user):
    username, password = make_user()
    r = api.call("/oauth/token", data={"grant_type": "password", "username": username, "password": password,
                                       "scope": "read"}, auth=client)
    assert r.status == 200
    body = r.json()
    assert body["refresh_token"] and body["access_token"] != body["refresh_token"]
    info = api.call("/oauth/tokeninfo", query=f"access_token={body['access_token']}").json()
    assert info["user_id"] == username and info["audience"] == client[0] and info["scope"] == "read"


def test_no_refresh_token_for_a_client_without_the_refresh_grant(api, make_client, make_user):
    client = make_client(grant_types=("password",))
    username, password = make_user()
    r = api.call("/oauth/token", data={"grant_type": "password", "username": username, "password": password},
                 auth=client)
    assert r.status == 200 and "refresh_token" not in r.json()


@pytest.mark.parametrize("username,password", [("alice", "wrong"), ("nobody", "correct horse")])
def test_wrong_password_and_unknown_user_answer_the_same(api, client, make_user, username, password):
    make_user()
    r = api.call("/oauth/token", data={"grant_type": "password", "username": username, "password": password},
                 auth=client)
    assert r.status == 400
    assert r.json() == {"error": "invalid_grant", "error_description": "invalid username or password"}


def test_disabled_user_gets_no_token(api, client, make_user):
    username, password = make_user(disabled=True)
    r = api.call("/oauth/token", data={"grant_type": "password", "username": username, "password": password},
                 auth=client)
    assert r.status == 400 and r.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("missing", ["username", "password"])
def test_missing_credentials_are_invalid_request(api, client, make_user, missing):
    data = {"grant_type": "password", "username": "alice", "password": "correct horse"}
    del data[missing]
    r = api.call("/oauth/token", data=data, auth=client)
    assert r.status == 400 and r.json()["error"] == "invalid_request"


def test_public_client_may_use_the_password_grant_with_its_id(api, make_client, make_user):
    client_id, _ = make_client(public=True)
    username, password = make_user()
    r = api.call("/oauth/token", data={"grant_type": "password", "client_id": client_id, "username": username,
                                       "password": password})
    assert r.status == 200
