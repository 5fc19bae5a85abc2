"""Client-supplied strings that become DynamoDB keys are bounded first. DynamoDB refuses a partition key
over 2,048 bytes (moto does not; the strict check of tests/conftest.py does, and fails the test), so
each of these once answered 500: now each gets the error a wrong value gets."""

from __future__ import annotations

import base64
import time

import jwt
import pytest

from oauth_core import token_format
from tests.integration.authorize_browser import REDIRECT, Browser

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
AUD = "https://127.0.0.1/api/oauth/token"
LONG_ID = "c" * 2049  # over DynamoDB's key limit
WIDE_NAME = "€" * 1024  # 1,024 characters (the login form's old cap), 3 KB of UTF-8


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


@pytest.mark.parametrize("client_id", [LONG_ID, "é" * 65, "x" * 129])
def test_over_long_client_id_in_basic_is_invalid_client(api, client_id):
    r = api.call("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, "s"))
    assert r.status == 401 and r.json()["error"] == "invalid_client", r.text
    assert r.headers["www-authenticate"].startswith("Basic") and "128 bytes" in r.json()["error_description"]


def test_over_long_client_id_in_the_body_is_invalid_client(api):
    for path in ("/oauth/token", "/oauth/revoke"):
        r = api.call(path, data={"grant_type": "client_credentials", "client_id": LONG_ID, "client_secret": "s",
                                 "token": "t"})
        assert r.status == 401 and r.json()["error"] == "invalid_client", (path, r.text)


def test_longest_registrable_client_id_still_works(api, make_client):
    client = make_client("c" * 128)
    assert api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=client).status == 200


@pytest.fixture
def signer(make_client):
    from tests.conftest import make_certificate

    key, pem = make_certificate()
    make_client("signer", grant_types=(JWT_BEARER,), certificates=(pem,))
    return key


def assert_with(key, **claims):
    return jwt.encode({"iss": "signer", "aud": AUD, "exp": int(time.time()) + 60, **claims}, key, algorithm="RS256")


@pytest.mark.parametrize("claims", [{"iss": LONG_ID}, {"sub": WIDE_NAME}, {"sub": "u" * 3000}])
def test_over_long_jwt_iss_or_sub_is_invalid_grant(api, signer, claims):
    r = api.call("/oauth/token", data={"grant_type": JWT_BEARER, "assertion": assert_with(signer, **claims)})
    assert r.status == 400 and r.json()["error"] == "invalid_grant", r.text


def test_over_long_username_at_the_password_grant_is_a_wrong_password(api, make_client):
    client = make_client()
    r = api.call("/oauth/token", auth=client, data={"grant_type": "password", "username": WIDE_NAME,
                                                    "password": "whatever-it-is"})
    assert r.status == 400
    assert r.json() == {"error": "invalid_grant", "error_description": "invalid username or password"}


def test_over_long_client_id_at_the_authorization_endpoint_is_an_error_page(api):
    page = Browser(api).open(client_id=LONG_ID, response_type="code")
    assert page.status == 400 and "not registered" in page.text and "location" not in page.headers


def test_over_long_username_at_the_login_form_is_a_clear_message(api, make_client, make_user):
    make_client("web", grant_types=("authorization_code",), redirect_uris=(REDIRECT,))
    browser = Browser(api)
    assert browser.open(client_id="web", response_type="code").status == 200
    page = browser.login(WIDE_NAME, "whatever-it-is")
    assert page.status == 200 and "at most 128 characters" in page.text
    assert "Approve" in browser.login(*make_user()).text, "the same sign-in goes on"


def test_token_whose_reference_names_an_over_long_client_is_just_invalid(api):
    forged = token_format.mint(token_format.TokenRef("c" * 600, "u" * 40, "g"))
    assert len(forged) <= 1024
    r = api.call("/oauth/tokeninfo", query=f"access_token={forged}")
    assert r.status == 400 and r.json()["error"] == "invalid_token"


def test_over_long_scope_is_invalid_scope(api, make_client):
    r = api.call("/oauth/token", auth=make_client(), data={"grant_type": "client_credentials", "scope": "s " * 2100})
    assert r.status == 400 and r.json()["error"] == "invalid_scope"


def test_registration_limits_fit_the_bounds():
    from oauth_core import bounds, registration

    assert registration.client_id("~" * 128) and bounds.client_id_fits("~" * 128)
    with pytest.raises(registration.Invalid):
        registration.client_id("~" * 129)
    widest = "\U0001f600" * 128  # 4 bytes each
    assert registration.username(widest) and bounds.username_fits(widest)
    with pytest.raises(registration.Invalid):
        registration.username("u" * 129)
