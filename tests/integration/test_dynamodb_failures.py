"""DynamoDB failing the way production DynamoDB fails, on every endpoint and page: each top-level error
and each transaction cancellation reason that means "try again" answers 503 + Retry-After (a 503 page
at /oauth/authorize, AUTHORIZER_FAILURE at the authorizer), and spends nothing: the same request
succeeds once DynamoDB is back. The errors are DynamoDB's own wire format, parsed by botocore.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from local import events
from oauth_core.storage import budget
from tests.dynamodb_faults import ERRORS, REASONS, Faults
from tests.integration.authorize_browser import CHALLENGE, REDIRECT, VERIFIER, Browser

if TYPE_CHECKING:
    from collections.abc import Callable

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
AUD = "https://127.0.0.1/api/oauth/token"
ARN = "arn:aws:execute-api:us-east-1:123456789012:api-id/api/GET/orders"


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    """Shorter pauses between retries: the number of attempts and the budget stay as in production."""
    monkeypatch.setattr(budget, "_BACKOFF_BASE", 0.001)


@dataclass
class Scenario:
    do: Callable[[], Any]  # one request; returns a Response (or the authorizer's policy)
    ok: Callable[[Any], bool]  # what success looks like
    page: bool = False  # answered with HTML pages


class World:
    """Fresh state for each attempt of a scenario (a retry that succeeds spends what it used)."""

    def __init__(self, api, make_client, make_user, keys) -> None:
        self.api, self.make_client, self.make_user, (self.key, self.pem) = api, make_client, make_user, keys
        self.client = make_client(grant_types=("client_credentials", "password", "refresh_token", "authorization_code",
                                               "implicit", JWT_BEARER),
                                  redirect_uris=(REDIRECT,), certificates=(self.pem,), jwt_any_subject=True)

    def user(self) -> str:
        return self.make_user(f"u{uuid.uuid4().hex[:10]}")[0]

    def tokens(self) -> dict[str, str]:
        r = self.token({"grant_type": "password", "username": self.user(), "password": "correct horse"})
        assert r.status == 200, r.text
        return r.json()

    def token(self, data):
        return self.api.call("/oauth/token", auth=self.client, data=data)

    def browser_at(self, stage: str, response_type: str = "code") -> Browser:
        browser = Browser(self.api)
        username = self.user()
        assert browser.open(client_id=self.client[0], response_type=response_type, redirect_uri=REDIRECT,
                            code_challenge=CHALLENGE, code_challenge_method="S256", state="s").status == 200
        if stage == "consent":
            assert "Approve" in browser.login(username).text
        browser.username = username
        return browser


def protected_event(access: str) -> dict:
    return events.build("GET", "/oauth/protected", "", [("Authorization", f"Bearer {access}")], b"",
                        "/oauth/protected")


def _scenarios() -> dict[str, Callable[[World], Scenario]]:
    def client_credentials(w):
        return Scenario(lambda: w.token({"grant_type": "client_credentials"}), lambda r: r.status == 200)

    def password(w):
        username = w.user()
        return Scenario(lambda: w.token({"grant_type": "password", "username": username, "password": "correct horse"}),
                        lambda r: r.status == 200)

    def refresh(w):
        refresh_token = w.tokens()["refresh_token"]
        return Scenario(lambda: w.token({"grant_type": "refresh_token", "refresh_token": refresh_token}),
                        lambda r: r.status == 200)

    def code_exchange(w):
        code = w.browser_at("consent").decide("approve").params["code"]
        return Scenario(lambda: w.token({"grant_type": "authorization_code", "code": code, "code_verifier": VERIFIER,
                                          "redirect_uri": REDIRECT}), lambda r: r.status == 200)

    def jwt_bearer(w):
        import jwt

        username = w.user()
        claims = {"iss": w.client[0], "aud": AUD, "exp": int(time.time()) + 120, "jti": uuid.uuid4().hex,
                  "sub": username}
        assertion = jwt.encode(claims, w.key, algorithm="RS256")
        return Scenario(lambda: w.api.call("/oauth/token", data={"grant_type": JWT_BEARER, "assertion": assertion}),
                        lambda r: r.status == 200)

    def revoke(w):
        issued = w.tokens()

        def ok(r):
            gone = w.api.call("/oauth/tokeninfo", query=f"access_token={issued['access_token']}").status == 400
            return r.status == 200 and gone
        return Scenario(lambda: w.api.call("/oauth/revoke", auth=w.client, data={"token": issued["refresh_token"]}),
                        ok)

    def tokeninfo(w):
        access = w.tokens()["access_token"]
        return Scenario(lambda: w.api.call("/oauth/tokeninfo", query=f"access_token={access}"),
                        lambda r: r.status == 200)

    def protected(w):
        access = w.tokens()["access_token"]
        return Scenario(lambda: w.api.invoke("protected", protected_event(access)),
                        lambda r: r["statusCode"] == 200)

    def authorizer(w):
        event = events.authorizer_event(protected_event(w.tokens()["access_token"]), ARN)
        return Scenario(lambda: w.api.invoke("authorizer", event),
                        lambda r: r["policyDocument"]["Statement"][0]["Effect"] == "Allow")

    def authorize_page(w):
        return Scenario(lambda: Browser(w.api).open(client_id=w.client[0], response_type="code", redirect_uri=REDIRECT),
                        lambda r: r.status == 200 and 'name="password"' in r.text, page=True)

    def login(w):
        browser = w.browser_at("login")
        flow = browser.flow
        return Scenario(lambda: browser.post({"username": browser.username, "password": "correct horse",
                                              "action": "login"}, flow=flow),
                        lambda r: r.status == 200 and "Approve" in r.text, page=True)

    def approve(w):
        browser = w.browser_at("consent")
        flow = browser.flow
        return Scenario(lambda: browser.post({"action": "approve"}, flow=flow),
                        lambda r: r.status == 303 and "code=" in r.headers["location"], page=True)

    def approve_implicit(w):
        browser = w.browser_at("consent", response_type="token")
        flow = browser.flow
        return Scenario(lambda: browser.post({"action": "approve"}, flow=flow),
                        lambda r: r.status == 303 and "access_token=" in r.headers["location"], page=True)

    def deny(w):
        browser = w.browser_at("consent")
        flow = browser.flow
        return Scenario(lambda: browser.post({"action": "deny"}, flow=flow),
                        lambda r: r.status == 303 and "error=access_denied" in r.headers["location"], page=True)

    def signed_in(w):
        """The browser signed in and approved before: the code without a page (session and consent read)."""
        browser = w.browser_at("consent")
        browser.decide("approve")
        return Scenario(lambda: browser.open(client_id=w.client[0], response_type="code", redirect_uri=REDIRECT,
                                             code_challenge=CHALLENGE, code_challenge_method="S256"),
                        lambda r: r.status == 302 and "code=" in r.headers["location"], page=True)

    def logout(w):
        from oauth_core.logout_endpoint import csrf_value

        browser = w.browser_at("consent")
        browser.decide("approve")
        secret = browser.cookies["__Host-oauth_session"]
        return Scenario(lambda: w.api.call("/oauth/logout", method="POST", headers={"Cookie": browser.cookie},
                                           data={"action": "logout", "csrf": csrf_value(secret)}),
                        lambda r: r.status == 200 and "You are signed out." in r.text, page=True)

    return {f.__name__: f for f in (client_credentials, password, refresh, code_exchange, jwt_bearer, revoke,
                                    tokeninfo, protected, authorizer, authorize_page, login, approve,
                                    approve_implicit, deny, signed_in, logout)}


SCENARIOS = _scenarios()
CLEAN_UP = {"Query", "BatchWriteItem"}  # finding and deleting a revoked grant's tokens
TRANSACTIONAL = ("password", "refresh", "code_exchange", "jwt_bearer", "login", "approve", "approve_implicit", "deny",
                 "signed_in")


@pytest.fixture(scope="module")
def keys():
    from tests.conftest import make_certificate

    return make_certificate()


@pytest.fixture
def world(api, make_client, make_user, keys) -> World:
    return World(api, make_client, make_user, keys)


def unavailable(scenario: Scenario, r: Any) -> None:
    """The request under faults is a 503 with Retry-After (a page at /authorize; AUTHORIZER_FAILURE)."""
    from oauth_core.authorizer import UNAUTHORIZED

    if isinstance(r, Exception):  # the authorizer: anything but "Unauthorized" is API Gateway's AUTHORIZER_FAILURE
        assert str(r) != UNAUTHORIZED and "unavailable" in str(r), r
        return
    status = r["statusCode"] if isinstance(r, dict) and "statusCode" in r else r.status
    headers = {k.lower(): v for k, v in r.get("headers", {}).items()} if isinstance(r, dict) else r.headers
    assert status == 503, getattr(r, "text", r)
    assert int(headers["retry-after"]) >= 1 and headers["cache-control"] == "no-store"
    if scenario.page:
        assert headers["content-type"].startswith("text/html") and "Traceback" not in r.text
    else:
        body = r.json() if not isinstance(r, dict) else __import__("json").loads(r["body"])
        assert body["error"] == "temporarily_unavailable"


# Every scenario meets one of the errors (each error several scenarios): they all take the same path,
# which tests/unit/test_dynamodb_classification.py checks error by error.
CASES = [(name, sorted(ERRORS)[i % len(ERRORS)]) for i, name in enumerate(sorted(SCENARIOS))]


@pytest.mark.parametrize(("name", "code"), CASES)
def test_dynamodb_unavailable_at_any_call_is_a_503_that_spends_nothing(world, dynamodb, name, code):
    """From the first, the second, ... DynamoDB call of the request on, every attempt fails with ``code``."""
    after = 0
    while True:
        scenario = SCENARIOS[name](world)
        faults = Faults(code=code, after=after).install(dynamodb)
        answer = _run(scenario.do)
        faults.active = False
        if not faults.faulted:  # the request makes fewer calls than that: it simply worked
            assert after > 0 and scenario.ok(answer), answer
            break
        if set(faults.faulted) <= CLEAN_UP:  # the revocation took effect; deleting its tokens is left to TTL
            assert scenario.ok(answer), answer
            after += 1
            continue
        unavailable(scenario, answer)
        assert scenario.ok(scenario.do()), f"after a 503 at call {after + 1} ({faults.faulted[0]}) the same request " \
                                           "must succeed: nothing may have been spent"
        after += 1


# Every reason on the refresh (first and last action), every transactional request with two reasons.
REASON_CASES = sorted({*(("refresh", r, p) for r in REASONS for p in (0, -1)),
                       *((n, sorted(REASONS)[i % len(REASONS)], 0) for i, n in enumerate(TRANSACTIONAL)),
                       *((n, sorted(REASONS)[(i + 2) % len(REASONS)], -1) for i, n in enumerate(TRANSACTIONAL))})


@pytest.mark.parametrize(("name", "reason", "position"), REASON_CASES)
def test_transaction_cancelled_for_capacity_or_conflict_is_a_503_that_spends_nothing(world, dynamodb, name, reason,
                                                                                    position):
    scenario = SCENARIOS[name](world)
    faults = Faults(reason=reason, position=position).install(dynamodb)
    answer = _run(scenario.do)
    faults.active = False
    assert faults.faulted == ["TransactWriteItems"] * len(faults.faulted) and faults.faulted
    unavailable(scenario, answer)
    assert scenario.ok(scenario.do()), "nothing was written, so the same request must succeed now"


def _run(do):
    try:
        return do()
    except Exception as exc:  # noqa: BLE001 - the authorizer raises to answer; unavailable() checks which
        return exc

