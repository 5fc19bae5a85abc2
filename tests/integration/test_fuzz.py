"""Hostile input, fuzzed with Hypothesis through every handler as API Gateway would deliver it (form
bodies, query strings, headers, Basic credentials, JWTs, base64-encoded bodies): never a 5xx, never a
stack trace, always an RFC error (or a browser endpoint's page or redirect)."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local import events
from oauth_core import grants
from tests.derived import direct_routes

ROUTES = direct_routes()  # every route of template.yaml; the one behind the authorizer is fuzzed below
PAGES = ("authorize", "logout")  # the browser endpoints: an HTML page, or a redirect
NAMES = st.sampled_from(["grant_type", "client_id", "client_secret", "code", "redirect_uri", "code_verifier",
                         "refresh_token", "username", "password", "scope", "assertion", "token", "token_type_hint",
                         "format", "access_token", "response_type", "state", "flow", "action", "code_challenge",
                         "code_challenge_method", "client_assertion_type", "client_assertion"])
VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["client_credentials", "password", "refresh_token", "authorization_code", "code", "token",
                     "urn:ietf:params:oauth:grant-type:jwt-bearer", "xml", "json", "S256", "plain", "approve",
                     "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "query",
                     "login", "https://app.example/cb", "javascript:alert(1)", "%zz", "%ff%fe", "\x00", "A" * 20000]),
    st.builds(lambda a, b, c: f"{a}.{b}.{c}", st.text("ABCxyz_-=.", max_size=40), st.text("ABCxyz_-", max_size=40),
              st.text("ABCxyz_-", max_size=40)),  # JWT-shaped
    st.builds(lambda raw: base64.urlsafe_b64encode(raw).decode() + "." + base64.urlsafe_b64encode(raw).decode(),
              st.binary(max_size=60)),  # token-shaped
)
PAIRS = st.lists(st.tuples(NAMES | st.text(max_size=10), VALUES), max_size=8)


def _basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


AUTHORIZATION = st.one_of(
    st.builds(_basic, st.binary(max_size=60)),
    st.builds(lambda a, b: _basic(f"{a}:{b}".encode()), st.text(max_size=20), st.text(max_size=20)),
    st.builds(lambda a, b: _basic(f"{a}:{b}".encode()), st.sampled_from(["web", "web%3A", "w%65b"]),
              st.text(max_size=20)),
    st.text(max_size=60).map(lambda t: "Basic " + t),
    st.text(max_size=60).map(lambda t: "Bearer " + t),
    st.text(max_size=60))
CONTENT_TYPE = st.sampled_from(["application/x-www-form-urlencoded"] * 4 + [
    "application/json", "text/plain", "multipart/form-data; boundary=x", "",
    "application/x-www-form-urlencoded; charset=latin-1"])
OTHER_HEADERS = st.lists(st.one_of(st.tuples(st.just("Cookie"), st.text(max_size=80)),
                                   st.tuples(st.text("abcXYZ-", min_size=1, max_size=12), st.text(max_size=40)),
                                   st.tuples(st.just("X-Padding"), st.just("a" * 12000))),
                         max_size=3)
HEADERS = st.builds(
    lambda auth, content_type, others: [*([("Authorization", auth)] if auth is not None else []),
                                        *([("Content-Type", content_type)] if content_type is not None else []),
                                        *others],
    st.none() | AUTHORIZATION | AUTHORIZATION, st.none() | CONTENT_TYPE | CONTENT_TYPE, OTHER_HEADERS)


def _encode(pairs) -> bytes:
    from urllib.parse import quote

    return "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode("utf-8", "surrogatepass")


GRANT_TYPES = st.sampled_from(grants.GRANT_TYPES)
WITH_GRANT = st.builds(lambda g, rest: _encode([("grant_type", g), *rest]), GRANT_TYPES, PAIRS)
BODIES = st.one_of(WITH_GRANT, WITH_GRANT, PAIRS.map(_encode), st.binary(max_size=300),
                   st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=4).map(
                       lambda d: json.dumps(d).encode()),
                   st.just(b"a=" + b"x" * 20000))


def _check(name: str, answer: dict) -> None:
    status, body = answer["statusCode"], answer.get("body") or ""
    assert status < 500 or status == 503, (name, status, body[:300])
    assert "Traceback" not in body and "File \"" not in body, body[:300]
    headers = {k.lower(): v for k, v in (answer.get("headers") or {}).items()}
    if status in (302, 303):
        assert headers.get("location")
    elif name in PAGES:
        assert headers["content-type"].startswith("text/html")
    elif status >= 400:
        payload = json.loads(body)
        assert payload.get("error") or (status == 401 and name == "protected"), payload


@pytest.fixture
def seeded(api, make_client, make_user):
    make_client("web", grant_types=("authorization_code", "implicit", "client_credentials", "password",
                                    "refresh_token"), redirect_uris=("https://app.example/cb",))
    make_user()
    return api


@pytest.mark.parametrize(("name", "method", "path"), ROUTES, ids=[f"{m} {p}" for _, m, p in ROUTES])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(query=PAIRS, headers=HEADERS, body=BODIES, as_base64=st.booleans(), duplicate_header=st.booleans())
def test_fuzzed_requests_get_rfc_errors(seeded, name, method, path, query, headers, body, as_base64,
                                        duplicate_header):
    from urllib.parse import quote

    query_string = "&".join(f"{quote(k)}={quote(v)}" for k, v in query)
    headers = list(headers)
    if duplicate_header and headers:
        headers.append(headers[0])
    event = events.build(method, path, query_string, headers, body if method == "POST" else b"", path)
    if as_base64 and event["body"] is not None:
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    _check(name, seeded.invoke(name, event))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headers=HEADERS, query=PAIRS)
def test_fuzzed_authorizer_events_allow_or_refuse(seeded, headers, query):
    from urllib.parse import quote

    event = events.build("GET", "/oauth/protected/gateway", "&".join(f"{quote(k)}={quote(v)}" for k, v in query),
                         list(headers), b"", "/oauth/protected/gateway")
    try:
        answer = seeded.invoke("authorizer", events.authorizer_event(event, "arn:aws:execute-api:r:1:a/api/GET/x"))
    except Exception as exc:  # the one way an authorizer says 401
        assert str(exc) == "Unauthorized"
    else:
        assert answer["policyDocument"]["Statement"][0]["Effect"] in ("Allow", "Deny")
