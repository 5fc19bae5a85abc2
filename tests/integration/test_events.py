"""Every sample event in events/ goes through its handler, so the files stay valid for
``sam local invoke -e``. The store is seeded with what the events name (client, user, tokens)."""

import json
import time

import pytest

from local.template import ROOT
from oauth_core.hashing import digest, hash_password
from oauth_core.storage import clients, grants, tokens, users
from tests.derived import handler_by_path

EVENT_FILES = sorted(p.name for p in (ROOT / "events").glob("*.json"))
EXPECTED = {
    "token-client-credentials.json": 200,
    "token-client-credentials-form-auth-xml.json": 200,
    "token-password.json": 200,
    "token-refresh.json": 200,
    "token-invalid-client.json": 401,
    "token-unsupported-grant.json": 400,
    "revoke-access-token.json": 200,
    "revoke-refresh-token.json": 200,
    "revoke-other-client.json": 403,
    "introspect.json": 200,
    "metadata.json": 200,
    "tokeninfo.json": 200,
    "tokeninfo-invalid-token.json": 400,
    "authorize-login-page.json": 200,
    "authorize-unregistered-redirect-uri.json": 400,
    "authorize-unsupported-response-type.json": 302,
    "logout-page.json": 200,
    "protected.json": 200,
    "protected-no-token.json": 401,
    "authorizer-request.json": "Allow",
}
HANDLERS = {path: name for path, (name, _) in handler_by_path().items()}  # from template.yaml
SAMPLE_ACCESS = "SampleAccessTokenForEventsOnly0123456789abc.c2FtcGxlLWdyYW50H1NhbXBsZUNvbmZpZGVudGlhbEFwcB9hZG1pbg"
SAMPLE_REFRESH = "SampleRefreshTokenForEventsOnly0123456789ab.c2FtcGxlLWdyYW50H1NhbXBsZUNvbmZpZGVudGlhbEFwcB9hZG1pbg"
SCOPE = "https://localhost:8090/auth/userinfo.email"


def with_sample_tokens(text: str) -> str:
    """The events' sample tokens sealed under this process's TOKEN_REF_KEY (their refs are encrypted with
    a key generated per deployment, so a file cannot hold one that decrypts everywhere)."""
    from oauth_core.token_format import TokenRef, seal

    ref = TokenRef("SampleConfidentialApp", "admin", "sample-grant")
    for sample in (SAMPLE_ACCESS, SAMPLE_REFRESH):
        text = text.replace(sample, seal(sample.split(".")[0], ref))
    return text


@pytest.fixture
def sample_store(dynamodb):
    now = int(time.time())
    every_grant = frozenset({"client_credentials", "password", "refresh_token", "authorization_code"})
    clients.create(clients.Client("SampleConfidentialApp", digest("sample-secret-for-events-only"),
                                  grant_types=every_grant, scopes=frozenset({SCOPE}),
                                  redirect_uris=("http://localhost:8090/auth/redirect.html",
                                                 "https://localhost/oauth_callback")))
    clients.create(clients.Client("OtherApp", digest("other-secret-for-events-only"), grant_types=every_grant))
    users.create(users.User("admin", hash_password("changeme")))
    common = {"client_id": "SampleConfidentialApp", "scope": SCOPE, "username": "admin", "grant_id": "sample-grant",
              "issued_at_ms": now * 1000}
    from oauth_core.storage import dynamo

    dynamo.transact_write({
        "grant": grants.put_action(grants.Grant("sample-grant", "SampleConfidentialApp", SCOPE, now + 3600, "admin",
                                                created_at=now)),
        "access": tokens.put_action(tokens.Token(digest(with_sample_tokens(SAMPLE_ACCESS)), tokens.ACCESS,
                                                 expires_at=now + 3600, **common)),
        "refresh": tokens.put_action(tokens.Token(digest(with_sample_tokens(SAMPLE_REFRESH)), tokens.REFRESH,
                                                  expires_at=now + 3600, **common)),
    })


def test_every_event_file_has_an_expected_answer():
    assert set(EVENT_FILES) == set(EXPECTED)


@pytest.mark.parametrize("name", EVENT_FILES)
def test_event_runs_through_its_handler(api, sample_store, name):
    event = json.loads(with_sample_tokens((ROOT / "events" / name).read_text()))
    if event.get("type") == "REQUEST":  # a Lambda authorizer's event: its answer is a policy
        policy = api.invoke("authorizer", event)
        assert policy["policyDocument"]["Statement"][0]["Effect"] == EXPECTED[name]
        assert policy["context"]["username"] == "admin"
        return
    answer = api.invoke(HANDLERS[event["resource"]], event)
    assert answer["statusCode"] == EXPECTED[name], answer["body"]
    if event["resource"] in ("/oauth/authorize", "/oauth/logout"):
        # Pages, or a redirect to the registered URI: the browser endpoints never answer JSON.
        if answer["statusCode"] == 302:
            assert answer["headers"]["Location"].startswith("https://localhost/oauth_callback?error=")
        else:
            assert answer["headers"]["Content-Type"].startswith("text/html")
    elif answer["statusCode"] == 401 and event["resource"] == "/oauth/protected":
        assert answer["headers"]["WWW-Authenticate"] == 'Bearer realm="oauth"'  # no token: no error code
    elif answer["statusCode"] >= 400:
        assert "error" in json.loads(answer["body"])
