"""Issue 15: what a standard client or a browser app needs: RFC 8414 metadata, RFC 9207 ``iss``, CORS,
RFC 7662 introspection, private_key_jwt (RFC 7523 §2.2), and the smaller breaks (JWT bearer with
client_id, format=query, empty = omitted, native-app redirects, revoke's Content-Type)."""

import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest

from oauth_core import authorization_request, client_auth, grants, pkce
from tests.conftest import make_certificate
from tests.derived import direct_routes
from tests.integration.authorize_browser import CHALLENGE, REDIRECT, VERIFIER, Browser

ISSUER = "https://127.0.0.1/api"  # what API Gateway reports for the test events: domainName + stage
TOKEN_URL = f"{ISSUER}/oauth/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SPA = "https://spa.example"
WELL_KNOWN = "/.well-known/oauth-authorization-server"
# RFC 8414 §2, plus the registered fields of RFC 9207 §3 (iss) and RFC 8414 §7.1.2's registry entries.
RFC8414_FIELDS = {
    "issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint", "scopes_supported",
    "response_types_supported", "response_modes_supported", "grant_types_supported",
    "token_endpoint_auth_methods_supported", "token_endpoint_auth_signing_alg_values_supported",
    "service_documentation", "ui_locales_supported", "op_policy_uri", "op_tos_uri", "revocation_endpoint",
    "revocation_endpoint_auth_methods_supported", "revocation_endpoint_auth_signing_alg_values_supported",
    "introspection_endpoint", "introspection_endpoint_auth_methods_supported",
    "introspection_endpoint_auth_signing_alg_values_supported", "code_challenge_methods_supported",
    "authorization_response_iss_parameter_supported",
}


@pytest.fixture(scope="module")
def key_and_cert():
    return make_certificate()


def client_assertion(key, client_id, aud=TOKEN_URL, **overrides):
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "exp": now + 120, "iat": now,
              "jti": uuid.uuid4().hex, **overrides}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256")


def pkjwt(key, client_id, **overrides):
    return {"client_assertion_type": ASSERTION_TYPE, "client_assertion": client_assertion(key, client_id, **overrides)}


# -- metadata ----------------------------------------------------------------------------------------
def test_metadata_lists_exactly_what_the_code_dispatches_on(api):
    r = api.call(WELL_KNOWN)
    assert r.status == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert set(doc) <= RFC8414_FIELDS, set(doc) - RFC8414_FIELDS
    # RFC 8414 §2 REQUIRED / §3.2: the issuer, https, no query or fragment, and the endpoints under it.
    assert doc["issuer"] == ISSUER
    for name in ("authorization_endpoint", "token_endpoint", "revocation_endpoint", "introspection_endpoint"):
        assert doc[name].startswith(ISSUER + "/oauth/"), name
    assert doc["response_types_supported"] == list(authorization_request.RESPONSE_TYPES)
    assert set(doc["grant_types_supported"]) == {*grants.GRANT_TYPES, "implicit"}
    assert doc["token_endpoint_auth_methods_supported"] == list(client_auth.METHODS)
    assert "private_key_jwt" in doc["introspection_endpoint_auth_methods_supported"]
    assert "none" not in doc["introspection_endpoint_auth_methods_supported"]
    assert doc["token_endpoint_auth_signing_alg_values_supported"][0] == "RS256"
    assert doc["code_challenge_methods_supported"] == list(pkce.METHODS)
    assert doc["authorization_response_iss_parameter_supported"] is True
    assert r.headers["access-control-allow-origin"] == "*"


def test_every_grant_type_in_the_metadata_is_one_the_token_endpoint_knows(api, make_client):
    client = make_client()
    for grant_type in api.call(WELL_KNOWN).json()["grant_types_supported"]:
        if grant_type == "implicit":  # an authorization endpoint flow, response_type=token
            continue
        r = api.call("/oauth/token", data={"grant_type": grant_type}, auth=client)
        assert r.json().get("error") != "unsupported_grant_type", grant_type


def test_an_issuer_set_by_the_operator_names_every_endpoint(api, monkeypatch):
    from oauth_core.config import settings

    monkeypatch.setenv("ISSUER", "https://auth.example.com")
    settings.cache_clear()
    doc = api.call(WELL_KNOWN).json()
    assert doc["issuer"] == "https://auth.example.com"
    assert doc["token_endpoint"] == "https://auth.example.com/oauth/token"


# -- iss (RFC 9207) ------------------------------------------------------------------------------------
@pytest.fixture
def spa(make_client, make_user):
    make_user()
    return make_client("spa", public=True, grant_types=("authorization_code", "implicit", "refresh_token"),
                       redirect_uris=(REDIRECT,), web_origins=(SPA,))[0]


def test_iss_is_on_the_code_response_and_on_an_error_response(api, spa):
    done = Browser(api).authorize(response_type="code", client_id=spa, redirect_uri=REDIRECT, state="s",
                                  code_challenge=CHALLENGE, code_challenge_method="S256")
    assert done.params["iss"] == ISSUER and done.params["state"] == "s" and "code" in done.params
    error = Browser(api).open(response_type="code", client_id=spa, redirect_uri=REDIRECT, state="s")  # no PKCE
    params = parse_qs(error.headers["location"].split("?", 1)[1])
    assert params["error"] == ["invalid_request"] and params["iss"] == [ISSUER]


def test_iss_is_in_the_fragment_of_an_implicit_response(api, spa):
    done = Browser(api).authorize(response_type="token", client_id=spa, redirect_uri=REDIRECT)
    assert "#" in done.location and done.params["iss"] == ISSUER and "access_token" in done.params


# -- CORS ------------------------------------------------------------------------------------------------
def code_for(api, client_id):
    done = Browser(api).authorize(response_type="code", client_id=client_id, redirect_uri=REDIRECT,
                                  code_challenge=CHALLENGE, code_challenge_method="S256")
    return done.params["code"]


def redeem(api, client_id, code, origin=None):
    return api.call("/oauth/token", headers={"Origin": origin} if origin else None,
                    data={"grant_type": "authorization_code", "code": code, "client_id": client_id,
                          "redirect_uri": REDIRECT, "code_verifier": VERIFIER})


PREFLIGHTS = sorted({path for _, method, path in direct_routes() if method == "OPTIONS"})  # from template.yaml


def test_the_endpoints_browsers_call_have_preflight_routes():
    assert {"/oauth/token", "/oauth/revoke", "/oauth/introspect", "/oauth/tokeninfo"} <= set(PREFLIGHTS)


@pytest.mark.parametrize("path", PREFLIGHTS)
def test_a_preflight_is_answered_for_the_endpoints_browsers_call(api, path):
    r = api.call(path, method="OPTIONS", headers={"Origin": SPA, "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type"})
    assert r.status == 204
    assert r.headers["access-control-allow-origin"] == SPA
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in r.headers


def test_a_registered_origin_reads_its_token_and_refresh_works_from_it(api, spa):
    r = redeem(api, spa, code_for(api, spa), origin=SPA)
    assert r.status == 200, r.text
    assert r.headers["access-control-allow-origin"] == SPA and r.headers["vary"] == "Origin"
    refreshed = api.call("/oauth/token", headers={"Origin": SPA}, data={
        "grant_type": "refresh_token", "refresh_token": r.json()["refresh_token"], "client_id": spa})
    assert refreshed.status == 200 and refreshed.headers["access-control-allow-origin"] == SPA
    info = api.call("/oauth/tokeninfo", headers={"Origin": SPA,
                                                 "Authorization": f"Bearer {refreshed.json()['access_token']}"})
    assert info.status == 200 and info.headers["access-control-allow-origin"] == SPA


def test_an_unregistered_origin_is_refused_before_the_code_is_spent(api, spa):
    code = code_for(api, spa)
    r = redeem(api, spa, code, origin="https://evil.example")
    assert r.status == 400 and r.json()["error"] == "invalid_request" and "origin" in r.json()["error_description"]
    assert "access-control-allow-origin" not in r.headers
    assert redeem(api, spa, code).status == 200  # the code was not spent by the refused request


def test_a_token_is_not_readable_by_another_clients_origin(api, spa, make_client):
    other = make_client("other", public=True, grant_types=("authorization_code",), redirect_uris=(REDIRECT,))[0]
    r = redeem(api, other, code_for(api, other), origin=SPA)
    assert r.status == 400 and "access-control-allow-origin" not in r.headers


# -- introspection ------------------------------------------------------------------------------------
@pytest.fixture
def resource_server(make_client):
    return make_client("rs", grant_types=("client_credentials",))


def test_a_client_introspects_its_own_access_and_refresh_tokens(api, client, user_tokens):
    r = api.call("/oauth/introspect", data={"token": user_tokens["access_token"]}, auth=client)
    assert r.status == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["active"] is True and body["client_id"] == client[0] and body["username"] == "alice"
    assert body["sub"] == "alice" and body["token_type"] == "Bearer" and body["iss"] == ISSUER
    assert body["exp"] > time.time() and body["scope"] == "read write"
    refresh = api.call("/oauth/introspect", data={"token": user_tokens["refresh_token"],
                                                  "token_type_hint": "refresh_token"}, auth=client).json()
    assert refresh["active"] is True and refresh["token_type"] == "refresh_token"


def test_another_clients_token_is_inactive_unless_the_operator_allowed_it(api, client, user_tokens, make_client):
    token = {"token": user_tokens["access_token"]}
    stranger = make_client("stranger", grant_types=("client_credentials",))
    assert api.call("/oauth/introspect", data=token, auth=stranger).json() == {"active": False}
    listed = make_client("listed", grant_types=("client_credentials",), introspect_clients=frozenset({client[0]}))
    assert api.call("/oauth/introspect", data=token, auth=listed).json()["active"] is True
    trusted = make_client("trusted", grant_types=("client_credentials",), introspect_any=True)
    assert api.call("/oauth/introspect", data=token, auth=trusted).json()["active"] is True


def test_revoked_unknown_and_malformed_tokens_are_inactive(api, client, user_tokens):
    api.call("/oauth/revoke", data={"token": user_tokens["refresh_token"]}, auth=client)
    for token in (user_tokens["access_token"], user_tokens["refresh_token"], "not-a-token", "x" * 300):
        assert api.call("/oauth/introspect", data={"token": token}, auth=client).json() == {"active": False}


def test_introspection_needs_an_authenticated_confidential_client(api, client, user_tokens, make_client):
    token = {"token": user_tokens["access_token"]}
    assert api.call("/oauth/introspect", data=token, auth=(client[0], "wrong")).status == 401
    assert api.call("/oauth/introspect", data=token).status == 401
    public = make_client("pub", public=True)[0]
    assert api.call("/oauth/introspect", data={**token, "client_id": public}).status == 401
    assert api.call("/oauth/introspect", data={}, auth=client).json()["error"] == "invalid_request"


# -- private_key_jwt ----------------------------------------------------------------------------------
@pytest.fixture
def keyed(make_client, key_and_cert):
    key, pem = key_and_cert
    client_id, _ = make_client("keyed", grant_types=("client_credentials", "password", "refresh_token"),
                               certificates=(pem,))
    return client_id, key


def test_private_key_jwt_authenticates_at_token_introspect_and_revoke(api, keyed):
    client_id, key = keyed
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", **pkjwt(key, client_id)})
    assert r.status == 200, r.text
    token = r.json()["access_token"]
    introspected = api.call("/oauth/introspect", data={"token": token, **pkjwt(
        key, client_id, aud=f"{ISSUER}/oauth/introspect")})
    assert introspected.json()["active"] is True
    revoked = api.call("/oauth/revoke", data={"token": token, **pkjwt(key, client_id, aud=ISSUER)})
    assert revoked.status == 200
    assert api.call("/oauth/introspect", data={"token": token, **pkjwt(key, client_id)}).json() == {"active": False}


def test_a_client_assertion_works_once(api, keyed):
    client_id, key = keyed
    data = {"grant_type": "client_credentials", **pkjwt(key, client_id)}
    assert api.call("/oauth/token", data=data).status == 200
    again = api.call("/oauth/token", data=data)
    assert again.status == 401 and "already used" in again.json()["error_description"]


@pytest.mark.parametrize(("overrides", "fragment"), [
    ({"aud": "https://elsewhere.example/token"}, "aud"),
    ({"sub": "someone-else"}, "sub must be the client_id"),
    ({"exp": int(time.time()) - 600}, "expired"),
])
def test_a_bad_client_assertion_is_invalid_client_with_the_reason(api, keyed, overrides, fragment):
    client_id, key = keyed
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", **pkjwt(key, client_id, **overrides)})
    assert r.status == 401 and r.json()["error"] == "invalid_client", r.text
    assert fragment in r.json()["error_description"]


def test_a_client_assertion_signed_by_another_key_or_for_a_client_without_certificates_fails(api, keyed,
                                                                                               make_client):
    client_id, _ = keyed
    stranger_key, _ = make_certificate()
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", **pkjwt(stranger_key, client_id)})
    assert r.status == 401
    plain = make_client("plain")[0]
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", **pkjwt(stranger_key, plain)})
    assert r.status == 401 and r.json()["error"] == "invalid_client"


def test_a_client_assertion_with_a_secret_or_a_wrong_type_is_refused(api, keyed):
    client_id, key = keyed
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", "client_secret": "x",
                                       **pkjwt(key, client_id)})
    assert r.status == 400 and "only one" in r.json()["error_description"]
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", **pkjwt(key, client_id),
                                       "client_assertion_type": "urn:other"})
    assert r.status == 400 and r.json()["error"] == "invalid_request"


# -- JWT bearer with client_id, format=query, empty = omitted, revoke Content-Type ----------------------
def test_jwt_bearer_with_client_id_equal_to_iss_is_accepted(api, make_client, key_and_cert):
    key, pem = key_and_cert
    make_client("asserter", grant_types=(JWT_BEARER,), certificates=(pem,))
    grant = {"grant_type": JWT_BEARER, "assertion": client_assertion(key, "asserter", sub=None)}
    r = api.call("/oauth/token", data={**grant, "client_id": "asserter"})
    assert r.status == 200, r.text
    grant["assertion"] = client_assertion(key, "asserter", sub=None)
    r = api.call("/oauth/token", data={**grant, "client_id": "someone-else"})
    assert r.status == 400 and r.json()["error"] == "invalid_grant" and "iss" in r.json()["error_description"]


def test_format_query_is_urlencoded(api, client):
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", "format": "query"}, auth=client)
    assert r.status == 200 and r.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "access_token" in parse_qs(r.text)


def test_an_empty_parameter_is_treated_as_omitted(api, client):
    r = api.call("/oauth/token", data={"grant_type": "client_credentials", "scope": "", "format": ""}, auth=client)
    assert r.status == 200, r.text
    assert r.json()["scope"] == "read write"  # as if scope had been omitted: all the client's scopes


def test_revoke_answers_200_with_a_content_type(api, client, user_tokens):
    r = api.call("/oauth/revoke", data={"token": user_tokens["access_token"]}, auth=client)
    assert r.status == 200 and r.headers["content-type"] == "application/json" and r.json() == {}


# -- native apps (RFC 8252) -------------------------------------------------------------------------------
def test_a_private_use_scheme_redirect_gets_the_code_and_iss(api, make_client, make_user):
    make_user()
    native = make_client("native-app", public=True, grant_types=("authorization_code",),
                         redirect_uris=("com.example.app:/oauth2redirect",))[0]
    done = Browser(api).authorize(response_type="code", client_id=native,
                                  redirect_uri="com.example.app:/oauth2redirect",
                                  code_challenge=CHALLENGE, code_challenge_method="S256")
    assert done.location.startswith("com.example.app:/oauth2redirect?") and done.params["iss"] == ISSUER
    r = api.call("/oauth/token", data={"grant_type": "authorization_code", "code": done.params["code"],
                                       "client_id": native, "redirect_uri": "com.example.app:/oauth2redirect",
                                       "code_verifier": VERIFIER})
    assert r.status == 200, r.text


def test_a_confidential_client_needs_pkce_for_a_private_use_scheme_redirect(api, make_client, make_user):
    """RFC 8252 §8.1: another app may claim the scheme and receive the code; the verifier stays with the app."""
    make_user()
    native = make_client("native-conf", grant_types=("authorization_code",),
                         redirect_uris=("com.example.app:/oauth2redirect",))[0]
    r = api.call("/oauth/authorize", query=urlencode({"response_type": "code", "client_id": native,
                                                      "redirect_uri": "com.example.app:/oauth2redirect"}))
    assert r.status in (302, 303) and "code_challenge" in parse_qs(urlsplit(r.headers["location"]).query)[
        "error_description"][0]


def test_a_jti_with_control_characters_is_refused(api, keyed):
    client_id, key = keyed
    r = api.call("/oauth/token", data={"grant_type": "client_credentials",
                                       **pkjwt(key, client_id, jti="victim\x1fJ1")})
    assert r.status == 401 and "printable" in r.json()["error_description"]


def test_an_origin_header_tells_nothing_about_a_client_the_caller_cannot_authenticate_as(api, make_client):
    """Unknown id, known id with a wrong secret, registered origin or not: the same 401."""
    known, _ = make_client("known-spa", grant_types=("client_credentials",))
    answers = {api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, "wrong"),
                        headers={"Origin": "https://evil.example"}).status for client_id in (known, "nobody")}
    assert answers == {401}
