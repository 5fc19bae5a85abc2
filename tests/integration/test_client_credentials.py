"""POST /oauth/token with grant_type=client_credentials (RFC 6749 §4.4)."""

import pytest


def test_token_issued_with_basic_auth(api, make_client):
    client_id, secret = make_client()
    r = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert r.status == 200
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600 and isinstance(body["expires_in"], int)
    assert body["scope"] == "read write"
    assert "refresh_token" not in body
    assert r.headers["cache-control"] == "no-store" and r.headers["pragma"] == "no-cache"


def test_token_issued_with_credentials_in_the_body(api, make_client):
    client_id, secret = make_client()
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                       "client_secret": secret, "scope": "read"})
    assert r.status == 200 and r.json()["scope"] == "read"


def test_client_specific_lifetime_is_used(api, make_client):
    client_id, secret = make_client(access_token_ttl=120)
    r = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert r.json()["expires_in"] == 120


def test_only_the_hash_of_the_token_is_stored(api, make_client, dynamodb, stack):
    client_id, secret = make_client()
    token = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)).json()
    items = dynamodb.scan(TableName=f"{stack.stack_name}-tokens")["Items"]
    assert len(items) == 1
    assert token["access_token"] not in str(items)
    assert secret not in str(dynamodb.scan(TableName=f"{stack.stack_name}-clients")["Items"])


@pytest.mark.parametrize("fmt,content_type,marker", [
    ("urlencoded", "application/x-www-form-urlencoded", "access_token="),
    ("xml", "application/xml; charset=utf-8", "<access_token>"),
    ("json", "application/json", '"access_token"'),
])
def test_format_parameter_picks_the_response_shape(api, make_client, fmt, content_type, marker):
    client_id, secret = make_client()
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", "format": fmt}, auth=(client_id, secret))
    assert r.status == 200
    assert r.headers["content-type"] == content_type
    assert marker in r.text


def test_wrong_secret_is_401_invalid_client_with_basic_challenge(api, make_client):
    client_id, _ = make_client()
    r = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, "wrong"))
    assert r.status == 401
    assert r.json()["error"] == "invalid_client"
    assert r.headers["www-authenticate"] == 'Basic realm="oauth"'


def test_wrong_secret_in_body_is_401_without_basic_challenge(api, make_client):
    client_id, _ = make_client()
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                       "client_secret": "wrong"})
    assert r.status == 401 and r.json()["error"] == "invalid_client"
    assert "www-authenticate" not in r.headers


def test_unknown_client_is_invalid_client(api, dynamodb):
    r = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=("ghost", "x"))
    assert r.status == 401 and r.json()["error"] == "invalid_client"


def test_disabled_client_is_invalid_client(api, make_client):
    client_id, secret = make_client(disabled=True)
    r = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert r.status == 401 and r.json()["error"] == "invalid_client"


def test_public_client_cannot_use_client_credentials(api, make_client):
    client_id, _ = make_client(public=True)
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id})
    assert r.status == 400 and r.json()["error"] == "unauthorized_client"


def test_client_not_registered_for_the_grant_is_unauthorized_client(api, make_client):
    client_id, secret = make_client(grant_types=("password",))
    r = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert r.status == 400 and r.json()["error"] == "unauthorized_client"


def test_scope_beyond_the_client_allowance_is_invalid_scope(api, make_client):
    client_id, secret = make_client()
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", "scope": "read admin"},
                 auth=(client_id, secret))
    assert r.status == 400 and r.json()["error"] == "invalid_scope"


@pytest.mark.parametrize("data,error", [
    ({}, "invalid_request"),
    ({"grant_type": "urn:example:unknown"}, "unsupported_grant_type"),
    ({"grant_type": "client_credentials", "format": "yaml"}, "invalid_request"),
    ([("grant_type", "client_credentials"), ("grant_type", "client_credentials")], "invalid_request"),
])
def test_malformed_token_requests_get_400_with_rfc_code(api, make_client, data, error):
    client_id, secret = make_client()
    r = api.call("/oauth/token", data=data, auth=(client_id, secret))
    assert r.status == 400 and r.json()["error"] == error


def test_errors_honour_the_format_parameter(api, make_client):
    client_id, _ = make_client()
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", "format": "xml"}, auth=(client_id, "x"))
    assert r.status == 401
    assert "<error>invalid_client</error>" in r.text


def test_json_body_is_invalid_request_not_a_crash(api, make_client):
    client_id, secret = make_client()
    r = api.call("/oauth/token", data='{"grant_type": "client_credentials"}',
                 headers={"Content-Type": "application/json"}, auth=(client_id, secret))
    assert r.status == 400 and r.json()["error"] == "invalid_request"
