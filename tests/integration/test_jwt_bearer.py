"""POST /oauth/token with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer (RFC 7523)."""

import time
import uuid

import jwt
import pytest

from oauth_core.storage import clients
from tests.conftest import make_certificate

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
AUD = "https://127.0.0.1/api/oauth/token"  # what API Gateway reports for the test events (domainName + path)


@pytest.fixture(scope="module")
def keys():
    return make_certificate(), make_certificate()


@pytest.fixture
def signer(make_client, keys):
    (key, pem), _ = keys
    client_id, secret = make_client("signer", grant_types=(GRANT, "refresh_token"), scopes=("read", "write"),
                                    certificates=(pem,), jwt_any_subject=True)
    return client_id, secret, key


def assertion(key, algorithm="RS256", **overrides):
    now = int(time.time())
    claims = {"iss": "signer", "aud": AUD, "exp": now + 120, "iat": now, "jti": uuid.uuid4().hex, **overrides}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=algorithm)


def post(api, token, auth=None, **extra):
    return api.call("/oauth/token", data={"grant_type": GRANT, "assertion": token, **extra}, auth=auth)


def refused(r, fragment):
    assert r.status == 400, r.text
    body = r.json()
    assert body["error"] == "invalid_grant" and fragment in body["error_description"], body
    return body


def test_signed_assertion_gets_the_clients_own_token(api, signer):
    r = post(api, assertion(signer[2]))
    assert r.status == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert "refresh_token" not in body and body["scope"] == "read write"
    info = api.call("/oauth/tokeninfo", query=f"access_token={body['access_token']}").json()
    assert info["audience"] == "signer" and info["user_id"] is None


def test_client_may_also_authenticate_with_its_secret(api, signer):
    assert post(api, assertion(signer[2]), auth=(signer[0], signer[1])).status == 200


def test_sub_gets_a_token_on_the_users_behalf_with_a_refresh_token(api, signer, make_user):
    username, _ = make_user()
    body = post(api, assertion(signer[2], sub=username), scope="read").json()
    assert body["refresh_token"] and body["scope"] == "read"
    info = api.call("/oauth/tokeninfo", query=f"access_token={body['access_token']}").json()
    assert info["user_id"] == username
    again = api.call("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"],
                                           "client_id": "signer", "client_secret": signer[1]})
    assert again.status == 200


def test_format_applies_as_for_other_grants(api, signer):
    r = post(api, assertion(signer[2]), format="urlencoded")
    assert r.status == 200 and r.text.startswith("access_token=")


def test_second_certificate_lets_keys_roll_without_downtime(api, make_client, keys):
    (_, old_pem), (new_key, new_pem) = keys
    make_client("signer", grant_types=(GRANT,), certificates=(old_pem, new_pem))
    assert post(api, assertion(new_key)).status == 200


def test_product_doc_style_string_dates_and_configured_audience(api, signer, monkeypatch):
    from oauth_core.config import settings

    monkeypatch.setenv("TOKEN_AUDIENCES", "http://apigateway/api/oauth/token")
    settings.cache_clear()
    now = int(time.time())
    token = assertion(signer[2], aud="http://apigateway/api/oauth/token", exp=str(now + 300), iat=str(now),
                      jti=None)
    assert post(api, token).status == 200


def test_one_round_trip_to_read_and_one_to_write(api, signer, dynamodb):
    from oauth_core.storage import dynamo

    calls = []
    dynamo.client().meta.events.register("before-call.dynamodb.*", lambda model, **kw: calls.append(model.name))
    assert post(api, assertion(signer[2])).status == 200
    assert calls == ["GetItem", "TransactWriteItems"]


def test_expired_assertion(api, signer):
    refused(post(api, assertion(signer[2], exp=int(time.time()) - 120)), "expired")


def test_exp_more_than_five_minutes_ahead(api, signer):
    refused(post(api, assertion(signer[2], exp=int(time.time()) + 3600)), "at most 300 seconds")


def test_missing_exp(api, signer):
    refused(post(api, assertion(signer[2], exp=None)), "exp claim")


def test_wrong_audience(api, signer):
    body = refused(post(api, assertion(signer[2], aud="https://elsewhere.example/token")), "aud must be")
    assert AUD in body["error_description"]


def test_iss_other_than_the_authenticated_client(api, signer, make_client):
    make_client("other", grant_types=(GRANT,))
    refused(post(api, assertion(signer[2], iss="other"), auth=(signer[0], signer[1])), "iss must be")


def test_unknown_client(api, signer):
    refused(post(api, assertion(signer[2], iss="nobody")), "not a registered")


def test_disabled_client(api, make_client, keys):
    make_client("signer", grant_types=(GRANT,), certificates=(keys[0][1],), disabled=True)
    refused(post(api, assertion(keys[0][0])), "not a registered, enabled client")


def test_client_without_the_grant(api, make_client, keys):
    make_client("signer", grant_types=("client_credentials",), certificates=(keys[0][1],))
    refused(post(api, assertion(keys[0][0])), "not registered for grant_type")


def test_signature_by_another_key(api, signer, keys):
    refused(post(api, assertion(keys[1][0])), "signature does not match")


def test_alg_none(api, signer):
    refused(post(api, assertion(None, algorithm="none")), "alg 'none' is not accepted")


def test_hs256_keyed_with_the_certificate_pem(api, signer, keys):
    import base64
    import hashlib
    import hmac
    import json

    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    now = int(time.time())
    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(
        {"iss": "signer", "aud": AUD, "exp": now + 60, "iat": now}).encode())
    mac = hmac.new(keys[0][1].encode(), signing_input.encode(), hashlib.sha256).digest()
    refused(post(api, f"{signing_input}.{b64(mac)}"), "alg 'HS256' is not accepted")


def test_replayed_jti(api, signer):
    token = assertion(signer[2])
    assert post(api, token).status == 200
    refused(post(api, token), "already used")


def test_replayed_jti_with_sub_writes_no_second_grant(api, signer, make_user, dynamodb, stack):
    username, _ = make_user()
    token = assertion(signer[2], sub=username)
    assert post(api, token).status == 200
    refused(post(api, token), "already used")
    assert len(dynamodb.scan(TableName=f"{stack.stack_name}-grants")["Items"]) == 1


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"])
def test_malformed_assertion(api, signer, token):
    r = post(api, token)
    assert r.status == 400 and r.json()["error"] in ("invalid_grant", "invalid_request")


def test_expired_certificate(api, make_client):
    key, pem = make_certificate(days=-1)
    make_client("signer", grant_types=(GRANT,), certificates=(pem,))
    refused(post(api, assertion(key)), "no certificate valid now")


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_iat_or_nbf_in_the_future_beyond_the_clock_skew(api, signer, claim):
    refused(post(api, assertion(signer[2], **{claim: int(time.time()) + 120})), "not valid yet")


def test_small_clock_skew_is_tolerated(api, signer):
    assert post(api, assertion(signer[2], iat=int(time.time()) + 30)).status == 200


def test_sub_that_is_not_an_active_user(api, signer, make_user):
    make_user("sleeper", disabled=True)
    refused(post(api, assertion(signer[2], sub="sleeper")), "sub must name an active user")
    refused(post(api, assertion(signer[2], sub="ghost")), "sub must name an active user")


def test_certificates_are_stored_with_the_client(dynamodb, signer):
    assert clients.get("signer").certificates


# -- who a client may assert (RFC 7521 §6.3) -------------------------------------------------------------
def test_sub_is_refused_unless_registered_for_the_client(api, make_client, make_user, keys):
    (key, pem), _ = keys
    make_client("signer", grant_types=(GRANT, "refresh_token"), certificates=(pem,))
    make_user("admin")
    body = refused(post(api, assertion(key, sub="admin")), "--jwt-subject USERNAME")
    assert "register" in body["error_description"]
    assert post(api, assertion(key)).status == 200, "the client's own token needs no subject"


def test_only_the_listed_subjects(api, make_client, make_user, keys):
    (key, pem), _ = keys
    make_client("signer", grant_types=(GRANT,), certificates=(pem,), jwt_subjects=frozenset({"batch-user"}))
    make_user("batch-user")
    make_user("admin")
    assert post(api, assertion(key, sub="batch-user")).status == 200
    refused(post(api, assertion(key, sub="admin")), "may not act for")


def test_required_jti(api, make_client, keys):
    (key, pem), _ = keys
    make_client("signer", grant_types=(GRANT,), certificates=(pem,), require_jti=True)
    refused(post(api, assertion(key, jti=None)), "jti is required")
    assert post(api, assertion(key)).status == 200
