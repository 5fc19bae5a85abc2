"""GET/POST /oauth/authorize: validation order, pages, sessions bound to the browser, codes and implicit
tokens, brute-force limits. The browser-level journeys are in tests/e2e/test_browser.py."""

import dataclasses
import re
import time

import pytest

from tests.integration.authorize_browser import CHALLENGE, REDIRECT, VERIFIER, Browser, redirect_of


@pytest.fixture
def web_client(make_client):
    return make_client("web-app", grant_types=("authorization_code", "refresh_token", "implicit"),
                       redirect_uris=(REDIRECT, "https://app.example/other"), name="Example Web App")


@pytest.fixture
def alice(make_user):
    return make_user()


@pytest.fixture
def browser(api):
    return Browser(api)


def code_request(**extra):
    return {"client_id": "web-app", "response_type": "code", "redirect_uri": REDIRECT, "scope": "read",
            "state": "xyz 1/2", "code_challenge": CHALLENGE, "code_challenge_method": "S256", **extra}


def exchange(api, code, client, **extra):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": VERIFIER,
            **extra}
    return api.call("/oauth/token", data={k: v for k, v in data.items() if v is not None}, auth=client)


# -- the login page ----------------------------------------------------------------------------------
def test_login_page_is_a_safe_form(browser, web_client):
    page = browser.open(**code_request())
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert 'name="username"' in page.text and 'name="password"' in page.text and "Example Web App" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert cookie.startswith("__Host-oauth_browser=")
    assert not re.search(r"<(script|img|link)\b", page.text), "no scripts or external assets"


def test_the_style_sheet_is_allowed_by_its_hash(browser, web_client):
    import base64
    import hashlib

    page = browser.open(**code_request())
    style = re.search(r"<style>(.*?)</style>", page.text).group(1)
    expected = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{expected}'" in page.headers["content-security-policy"]


# -- requests that must never redirect --------------------------------------------------------------
@pytest.mark.parametrize("change", [
    {"client_id": "nobody"},
    {"client_id": None},
    {"redirect_uri": "https://evil.example/cb"},
    {"redirect_uri": REDIRECT + "/"},
    {"redirect_uri": REDIRECT.upper()},
    {"redirect_uri": None},  # two are registered: the request must say which
])
def test_bad_client_or_redirect_uri_gives_an_error_page(browser, web_client, change):
    page = browser.open(**{**code_request(), **change})
    assert page.status == 400 and "location" not in page.headers
    assert page.headers["content-type"].startswith("text/html") and page.headers["x-frame-options"] == "DENY"


def test_disabled_client_gets_an_error_page(browser, make_client):
    make_client("off", grant_types=("authorization_code",), redirect_uris=(REDIRECT,), disabled=True)
    page = browser.open(**code_request(client_id="off"))
    assert page.status == 400 and "location" not in page.headers


def test_redirect_uri_may_be_omitted_when_only_one_is_registered(browser, make_client, alice):
    client = make_client("one", grant_types=("authorization_code",), redirect_uris=(REDIRECT,))
    r = browser.authorize(**code_request(client_id="one", redirect_uri=None))
    assert r.location.startswith(REDIRECT + "?code=")
    # The authorization request had no redirect_uri, so the token request needs none either.
    token = exchange(browser.api, r.params["code"], client, redirect_uri=None)
    assert token.status == 200, token.text


def test_repeated_parameter_is_invalid_request_at_the_redirect_uri(browser, web_client):
    browser.query = ("client_id=web-app&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
                     "&scope=read&scope=write&state=s")
    r = redirect_of(browser.api.call("/oauth/authorize", query=browser.query))
    assert r.status == 302 and r.params["error"] == "invalid_request" and r.params["state"] == "s"


# -- errors sent back to the client ------------------------------------------------------------------
@pytest.mark.parametrize(("change", "error"), [
    ({"response_type": "id_token"}, "unsupported_response_type"),
    ({"response_type": None}, "invalid_request"),
    ({"scope": "admin"}, "invalid_scope"),
    ({"code_challenge_method": "plain", "code_challenge": VERIFIER}, "invalid_request"),
    ({"code_challenge_method": None, "code_challenge": VERIFIER}, "invalid_request"),  # defaults to plain
    ({"code_challenge": "short"}, "invalid_request"),
    ({"code_challenge_method": "S512"}, "invalid_request"),
])
def test_other_errors_redirect_with_error_and_state(browser, web_client, change, error):
    r = redirect_of(browser.open(**{**code_request(), **change}))
    assert r.status == 302 and r.location.startswith(REDIRECT + "?")
    assert r.params["error"] == error and r.params["state"] == "xyz 1/2" and r.params["error_description"]


def test_client_not_registered_for_the_response_type_is_unauthorized_client(browser, make_client):
    make_client("codes-only", grant_types=("authorization_code",), redirect_uris=(REDIRECT,))
    r = redirect_of(browser.open(client_id="codes-only", response_type="token", state="s"))
    assert r.status == 302 and "#" in r.location, "implicit errors go in the fragment"
    assert r.params == {"error": "unauthorized_client", "error_description": r.params["error_description"],
                        "state": "s", "iss": "https://127.0.0.1/api"}


def test_public_client_must_send_a_code_challenge(browser, make_client):
    make_client("spa", public=True, grant_types=("authorization_code",), redirect_uris=(REDIRECT,))
    r = redirect_of(browser.open(**code_request(client_id="spa", code_challenge=None, code_challenge_method=None)))
    assert r.params["error"] == "invalid_request" and "code_challenge" in r.params["error_description"]


def test_plain_pkce_works_for_a_client_configured_for_it(browser, make_client, alice):
    client = make_client("legacy", grant_types=("authorization_code",), redirect_uris=(REDIRECT,), pkce_plain=True)
    r = browser.authorize(**code_request(client_id="legacy", code_challenge=VERIFIER, code_challenge_method="plain"))
    assert exchange(browser.api, r.params["code"], client).status == 200


# -- the code flow -----------------------------------------------------------------------------------
def test_consent_page_names_the_client_the_user_and_the_scopes(browser, web_client, alice):
    browser.open(**code_request(scope="read write"))
    consent = browser.login()
    assert consent.status == 200
    for text in ("Example Web App", "alice", "read", "write", ">Approve<", ">Deny<"):
        assert text in consent.text
    assert "form-action 'self' https://app.example" in consent.headers["content-security-policy"]
    assert consent.headers["x-frame-options"] == "DENY"


def test_code_flow_with_pkce_gives_tokens_for_the_user(browser, web_client, alice):
    r = browser.authorize(**code_request())
    assert r.status == 303 and r.location.startswith(REDIRECT + "?")
    assert set(r.params) == {"code", "state", "iss"} and r.params["state"] == "xyz 1/2"
    assert len(r.params["code"].split(".")[0]) == 43  # 256 random bits
    token = exchange(browser.api, r.params["code"], web_client)
    assert token.status == 200, token.text
    body = token.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "read" and body["refresh_token"]
    info = browser.api.call("/oauth/tokeninfo", query=f"access_token={body['access_token']}").json()
    assert info["user_id"] == "alice" and info["audience"] == "web-app"


def test_codes_are_stored_only_as_hashes(browser, web_client, alice, dynamodb, stack):
    code = browser.authorize(**code_request()).params["code"]
    items = dynamodb.scan(TableName=f"{stack.stack_name}-codes")["Items"]
    assert items and code not in str(items) and code.split(".")[0] not in str(items)


def test_replayed_code_fails_and_revokes_the_first_tokens(browser, web_client, alice):
    code = browser.authorize(**code_request()).params["code"]
    first = exchange(browser.api, code, web_client).json()
    second = exchange(browser.api, code, web_client)
    assert second.status == 400 and second.json()["error"] == "invalid_grant"
    assert "revoked" in second.json()["error_description"]
    for token in (first["access_token"],):
        assert browser.api.call("/oauth/tokeninfo", query=f"access_token={token}").status == 400
    refresh = browser.api.call("/oauth/token", data={"grant_type": "refresh_token",
                                                     "refresh_token": first["refresh_token"]}, auth=web_client)
    assert refresh.status == 400 and refresh.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("change", [{"code_verifier": "w" * 43}, {"code_verifier": None},
                                    {"redirect_uri": "https://app.example/other"}])
def test_replay_that_fails_a_binding_revokes_nothing(browser, web_client, alice, change):
    """RFC 9700 §4.5.3: someone who only saw the used code cannot sign the user out by replaying it."""
    code = browser.authorize(**code_request()).params["code"]
    first = exchange(browser.api, code, web_client).json()
    hostile = exchange(browser.api, code, web_client, **change)
    assert hostile.status == 400 and "revoked" not in hostile.json()["error_description"]
    assert browser.api.call("/oauth/tokeninfo", query=f"access_token={first['access_token']}").status == 200
    assert exchange(browser.api, code, web_client).json()["error_description"].endswith("have been revoked")


def test_required_pkce_for_a_confidential_client(browser, make_client, alice):
    client = make_client("web-app", grant_types=("authorization_code",), redirect_uris=(REDIRECT,),
                         require_pkce=True)
    r = redirect_of(browser.open(**code_request(code_challenge=None, code_challenge_method=None)))
    assert r.params["error"] == "invalid_request" and "code_challenge" in r.params["error_description"]
    assert exchange(browser.api, browser.authorize(**code_request()).params["code"], client).status == 200


def test_code_without_challenge_is_refused_once_pkce_is_required(browser, make_client, alice):
    """A code issued before the operator turned --require-pkce on cannot be redeemed without a verifier."""
    from oauth_core.storage import clients

    client = make_client("web-app", grant_types=("authorization_code",), redirect_uris=(REDIRECT,))
    code = browser.authorize(**code_request(code_challenge=None, code_challenge_method=None)).params["code"]
    clients.save(dataclasses.replace(clients.get("web-app"), require_pkce=True))
    r = exchange(browser.api, code, client, code_verifier=None)
    assert r.status == 400 and "must use PKCE" in r.json()["error_description"]


@pytest.mark.parametrize(("change", "fragment"), [
    ({"code_verifier": "w" * 43}, "does not match"),
    ({"code_verifier": None}, "code_verifier is required"),
    ({"code_verifier": "bad"}, "43 to 128"),
    ({"redirect_uri": "https://app.example/other"}, "redirect_uri"),
    ({"redirect_uri": None}, "redirect_uri"),
])
def test_redemption_checks_pkce_and_redirect_uri(browser, web_client, alice, change, fragment):
    code = browser.authorize(**code_request()).params["code"]
    r = exchange(browser.api, code, web_client, **change)
    assert r.status == 400 and r.json()["error"] == "invalid_grant" and fragment in r.json()["error_description"]


def test_verifier_for_a_code_without_challenge_is_refused(browser, web_client, alice):
    code = browser.authorize(**code_request(code_challenge=None, code_challenge_method=None)).params["code"]
    r = exchange(browser.api, code, web_client)
    assert r.status == 400 and "no code_challenge" in r.json()["error_description"]
    assert exchange(browser.api, code, web_client, code_verifier=None).status == 200


def test_code_of_another_client_is_refused(browser, web_client, alice, make_client):
    other = make_client("other", grant_types=("authorization_code",), redirect_uris=(REDIRECT,))
    code = browser.authorize(**code_request()).params["code"]
    r = exchange(browser.api, code, other)
    assert r.status == 400 and r.json()["error"] == "invalid_grant"
    assert exchange(browser.api, code, web_client).status == 200, "the rightful client can still redeem it"


def test_expired_code_still_in_the_table_is_refused(browser, web_client, alice, dynamodb, stack):
    code = browser.authorize(**code_request()).params["code"]
    table = f"{stack.stack_name}-codes"
    (item,) = dynamodb.scan(TableName=table)["Items"]
    dynamodb.update_item(TableName=table, Key={"code_hash": item["code_hash"]},
                         UpdateExpression="SET expires_at = :past",
                         ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}})
    r = exchange(browser.api, code, web_client)
    assert r.status == 400 and r.json()["error"] == "invalid_grant"


def test_code_lifetime_is_ten_minutes_at_most(browser, web_client, alice, dynamodb, stack, monkeypatch):
    from oauth_core.config import settings

    monkeypatch.setenv("AUTHORIZATION_CODE_TTL", "3600")
    settings.cache_clear()
    browser.authorize(**code_request())
    (item,) = dynamodb.scan(TableName=f"{stack.stack_name}-codes")["Items"]
    assert int(item["expires_at"]["N"]) <= time.time() + 600


def test_code_of_a_user_disabled_since_is_refused(browser, web_client, alice):
    import dataclasses

    from oauth_core.storage import users

    code = browser.authorize(**code_request()).params["code"]
    users.save(dataclasses.replace(users.get("alice"), disabled=True))
    r = exchange(browser.api, code, web_client)
    assert r.status == 400 and r.json()["error"] == "invalid_grant"


def test_deny_sends_access_denied_with_state(browser, web_client, alice):
    browser.open(**code_request())
    browser.login()
    r = browser.decide("deny")
    assert r.status == 303 and r.params["error"] == "access_denied" and r.params["state"] == "xyz 1/2"
    assert "code" not in r.params


# -- implicit ----------------------------------------------------------------------------------------
def test_implicit_grant_puts_the_token_in_the_fragment(browser, web_client, alice):
    r = browser.authorize(client_id="web-app", response_type="token", redirect_uri=REDIRECT, scope="read",
                          state="st")
    assert r.status == 303 and r.location.startswith(REDIRECT + "#") and "?" not in r.location
    params = r.params
    assert set(params) == {"access_token", "token_type", "expires_in", "scope", "state", "iss"}
    assert params["token_type"] == "Bearer" and params["state"] == "st" and int(params["expires_in"]) > 0
    info = browser.api.call("/oauth/tokeninfo", query=f"access_token={params['access_token']}").json()
    assert info["user_id"] == "alice" and info["scope"] == "read"


# -- sessions: CSRF, tampering, expiry, double submission ---------------------------------------------
def test_login_post_from_another_browser_restarts(browser, web_client, alice, api):
    browser.open(**code_request())
    attacker = Browser(api)
    attacker.query = browser.query
    attacker.open(**code_request())  # its own cookie
    page = attacker.post({"username": "alice", "password": "correct horse", "action": "login"}, flow=browser.flow)
    assert page.status == 200 and "expired or was interrupted" in page.text and "Approve" not in page.text


def test_login_post_without_the_cookie_restarts(browser, web_client, alice):
    browser.open(**code_request())
    browser.cookie = ""
    page = browser.login()
    assert "expired or was interrupted" in page.text and "Approve" not in page.text


def test_tampered_flow_restarts(browser, web_client, alice):
    browser.open(**code_request())
    page = browser.post({"username": "alice", "password": "correct horse", "action": "login"}, flow="x" * 43)
    assert "expired or was interrupted" in page.text and "Approve" not in page.text
    assert browser.flow != "x" * 43


def test_expired_session_restarts(browser, web_client, alice, dynamodb, stack):
    browser.open(**code_request())
    table = f"{stack.stack_name}-sessions"
    (item,) = dynamodb.scan(TableName=table)["Items"]
    dynamodb.update_item(TableName=table, Key={"session_hash": item["session_hash"]},
                         UpdateExpression="SET expires_at = :past",
                         ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}})
    assert "expired or was interrupted" in browser.login().text


def test_approve_without_login_restarts(browser, web_client, alice):
    browser.open(**code_request())
    page = browser.post({"action": "approve"})
    assert page.status == 200 and "expired or was interrupted" in page.text


def test_a_second_approve_of_the_same_sign_in_gives_no_second_code(browser, web_client, alice, dynamodb, stack):
    browser.open(**code_request())
    browser.login()
    flow = browser.flow
    assert browser.decide("approve").status == 303
    again = browser.post({"action": "approve"}, flow=flow)
    assert again.status == 200 and "already answered. Please decide again" in again.text
    assert len(dynamodb.scan(TableName=f"{stack.stack_name}-codes")["Items"]) == 1


def test_stored_request_wins_over_an_edited_query(browser, web_client, alice):
    browser.open(**code_request())
    browser.login()
    browser.query = browser.query.replace("scope=read", "scope=read+write")
    r = browser.decide("approve")
    token = exchange(browser.api, r.params["code"], web_client).json()
    assert token["scope"] == "read"


# -- passwords ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("username", "password"), [("alice", "wrong password"), ("mallory", "correct horse"),
                                                    ("alice", "")])
def test_wrong_credentials_show_the_login_page_again(browser, web_client, alice, username, password):
    browser.open(**code_request())
    page = browser.login(username, password)
    assert page.status == 200 and "Approve" not in page.text
    assert ("Invalid username or password" in page.text) or ("Enter your username" in page.text)


def test_disabled_user_cannot_sign_in(browser, web_client, make_user):
    make_user("bob", "bob's password", disabled=True)
    browser.open(**code_request())
    assert "Invalid username or password" in browser.login("bob", "bob's password").text


def test_failed_logins_are_limited_per_user(browser, web_client, alice, make_user, monkeypatch):
    from oauth_core.config import settings

    monkeypatch.setenv("FAILED_LOGIN_LIMIT", "3")
    settings.cache_clear()
    browser.open(**code_request())
    for _ in range(3):
        assert browser.login("alice", "guess").status == 200
    locked = browser.login("alice", "correct horse")
    assert locked.status == 429 and "Too many failed sign-ins" in locked.text and "Approve" not in locked.text
    assert int(locked.headers["retry-after"]) > 0
    make_user("carol", "carol's password")
    assert browser.login("carol", "carol's password").status == 200, "other users are not affected"


def test_unknown_users_are_limited_like_known_ones(browser, web_client, monkeypatch):
    from oauth_core.config import settings

    monkeypatch.setenv("FAILED_LOGIN_LIMIT", "2")
    settings.cache_clear()
    browser.open(**code_request())
    answers = [browser.login("nobody", "guess").status for _ in range(3)]
    assert answers == [200, 200, 429]


def test_password_grant_shares_the_failed_password_budget(api, make_client, alice, monkeypatch):
    from oauth_core.config import settings

    monkeypatch.setenv("FAILED_LOGIN_LIMIT", "2")
    settings.cache_clear()
    client = make_client()
    data = {"grant_type": "password", "username": "alice", "password": "guess"}
    assert [api.call("/oauth/token", data=data, auth=client).status for _ in range(2)] == [400, 400]
    locked = api.call("/oauth/token", data={**data, "password": "correct horse"}, auth=client)
    assert locked.status == 429 and locked.json()["error"] == "invalid_grant"
    assert int(locked.headers["retry-after"]) > 0


# -- cost -------------------------------------------------------------------------------------------
def test_round_trips_of_each_step(browser, web_client, alice, dynamodb):
    calls = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **kw: calls.append(model.name))
    browser.open(**code_request())
    assert calls == ["GetItem", "PutItem"]
    calls.clear()
    browser.login()  # the scope's description; the flow moves on and the browser session starts in one transaction
    assert calls == ["BatchGetItem", "GetItem", "TransactWriteItems"]
    calls.clear()
    code = browser.decide("approve").params["code"]  # the user read again: still signed in, same password
    assert calls == ["BatchGetItem", "GetItem", "TransactWriteItems"]
    calls.clear()
    assert exchange(browser.api, code, web_client).status == 200
    assert calls == ["BatchGetItem", "TransactWriteItems"]


def test_racing_redemption_loses_on_the_condition_and_revokes_the_winner(browser, web_client, alice, monkeypatch):
    """Two redemptions that both read the code before either wrote: the transaction's condition decides."""
    from oauth_core.storage import codes, dynamo

    code = browser.authorize(**code_request()).params["code"]
    real_batch_get = dynamo.batch_get
    stale = real_batch_get({"code": codes.key(code)})
    first = exchange(browser.api, code, web_client).json()

    def as_if_read_before_the_first(requests, **kwargs):
        items = real_batch_get(requests, **kwargs)
        return {**items, "code": stale["code"]} if "code" in items else items

    monkeypatch.setattr(dynamo, "batch_get", as_if_read_before_the_first)
    second = exchange(browser.api, code, web_client)
    assert second.status == 400 and second.json()["error"] == "invalid_grant"
    assert browser.api.call("/oauth/tokeninfo", query=f"access_token={first['access_token']}").status == 400
