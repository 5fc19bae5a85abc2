"""Browser sign-in sessions, remembered consent, prompt / max_age, logout, scope descriptions and branding
at the handlers (the Chromium journeys and screenshots are in tests/e2e/test_pages.py). Each attack a third
party could try with these (session fixation, forced logout, silent consent to a new scope, open redirect
after logout) has a test here."""

import re
import time
from urllib.parse import urlencode

import pytest

from tests.integration.authorize_browser import CHALLENGE, REDIRECT, VERIFIER, Browser, redirect_of

LOGOUT_BACK = "https://app.example/signed-out"


@pytest.fixture
def web_client(make_client):
    return make_client("web-app", grant_types=("authorization_code", "refresh_token", "implicit"),
                       redirect_uris=(REDIRECT,), post_logout_redirect_uris=(LOGOUT_BACK,), name="Example Web App")


@pytest.fixture
def alice(make_user):
    return make_user()


@pytest.fixture
def browser(api):
    return Browser(api)


def code_request(**extra):
    params = {"client_id": "web-app", "response_type": "code", "redirect_uri": REDIRECT, "scope": "read",
              "state": "s-1", "code_challenge": CHALLENGE, "code_challenge_method": "S256", **extra}
    return {k: v for k, v in params.items() if v is not None}


def exchange(api, code, client):
    return api.call("/oauth/token", data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                                          "code_verifier": VERIFIER}, auth=client)


def signed_in(browser, **extra):
    """Sign in and approve once: the browser now has a session and the user an approval."""
    answer = browser.authorize(**code_request(**extra))
    assert answer.status == 303 and "code" in answer.params
    return answer


def session_item(dynamodb, stack, **changes):
    """The browser session's item; ``changes`` are written to it first (as time passing would)."""
    table = f"{stack.stack_name}-sessions"
    (item,) = [i for i in dynamodb.scan(TableName=table)["Items"] if i.get("kind", {}).get("S") == "browser"]
    if changes:
        sets = ", ".join(f"{k} = :{k}" for k in changes)
        dynamodb.update_item(TableName=table, Key={"session_hash": item["session_hash"]},
                             UpdateExpression=f"SET {sets}",
                             ExpressionAttributeValues={f":{k}": {"N": str(v)} for k, v in changes.items()})
    return item


# -- the session ---------------------------------------------------------------------------------------
def test_a_second_authorization_in_the_same_browser_skips_password_and_consent(browser, web_client, alice):
    signed_in(browser)
    again = redirect_of(browser.open(**code_request(state="s-2")))
    assert again.status == 302 and again.location.startswith(REDIRECT)
    assert again.params["state"] == "s-2"
    assert exchange(browser.api, again.params["code"], web_client).json()["scope"] == "read"


def test_the_session_cookie_is_host_only_http_only_secure_and_lax(browser, web_client, alice):
    browser.open(**code_request())
    response = browser.login()
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-oauth_session=") and "Path=/;" in cookie and "Domain" not in cookie
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_single_sign_on_across_the_clients_of_the_deployment(browser, web_client, alice, make_client):
    make_client("other-app", grant_types=("authorization_code",), redirect_uris=(REDIRECT,), name="Other App")
    signed_in(browser)
    page = browser.open(**code_request(client_id="other-app"))
    assert page.status == 200 and "Allow access?" in page.text and 'name="password"' not in page.text
    assert "Signed in as <strong>alice</strong>" in page.text
    assert browser.decide("approve").params["code"]


def test_a_planted_session_cookie_is_never_adopted(browser, web_client, alice):
    """Session fixation: a value the attacker chose before the victim signs in names nothing afterwards."""
    planted = "A" * 43
    browser.cookies["__Host-oauth_session"] = planted
    signed_in(browser)
    assert browser.cookies["__Host-oauth_session"] != planted
    attacker = Browser(browser.api)
    attacker.cookies["__Host-oauth_session"] = planted
    assert 'name="password"' in attacker.open(**code_request()).text


def test_a_stolen_flow_does_not_carry_the_session(browser, web_client, alice, api):
    """Another browser without the session cookie gets the login page, whatever it copied from the URL."""
    signed_in(browser)
    other = Browser(api)
    assert 'name="password"' in other.open(**code_request()).text


@pytest.mark.parametrize("change", ["disable", "password", "delete"])
def test_disabling_the_user_or_a_new_password_ends_their_sessions(browser, web_client, alice, change):
    import dataclasses

    from oauth_core.storage import users

    signed_in(browser)
    user = users.get("alice")
    if change == "delete":
        users.delete("alice")
    else:
        users.save(dataclasses.replace(user, disabled=change == "disable",
                                       tokens_valid_after_ms=int(time.time() * 1000) + 1))
    page = browser.open(**code_request())
    assert page.status == 200 and 'name="password"' in page.text


def test_an_idle_session_ends(browser, web_client, alice, dynamodb, stack):
    signed_in(browser)
    session_item(dynamodb, stack, expires_at=int(time.time()) - 1)
    assert 'name="password"' in browser.open(**code_request()).text


def test_use_extends_the_idle_limit_but_never_past_the_absolute_one(browser, web_client, alice, dynamodb, stack):
    from oauth_core.config import settings

    signed_in(browser)
    absolute = int(time.time()) + 5
    session_item(dynamodb, stack, expires_at=int(time.time()) + 2, absolute_expiry=absolute)
    assert browser.open(**code_request()).status == 302
    assert int(session_item(dynamodb, stack)["expires_at"]["N"]) == absolute
    session_item(dynamodb, stack, absolute_expiry=int(time.time()) + 10 * settings().session_idle_timeout)
    assert browser.open(**code_request()).status == 302
    expires = int(session_item(dynamodb, stack)["expires_at"]["N"])
    assert expires >= int(time.time()) + settings().session_idle_timeout - 60


# -- remembered consent --------------------------------------------------------------------------------
def test_consent_is_asked_again_for_a_new_scope_only(browser, web_client, alice):
    signed_in(browser)
    page = browser.open(**code_request(scope="read write"))
    assert "Allow access?" in page.text and "<code>write</code>" in page.text
    assert browser.decide("approve").status == 303
    for scope in ("read write", "write", "read"):
        assert browser.open(**code_request(scope=scope)).status == 302


def test_a_denied_request_is_not_remembered(browser, web_client, alice):
    browser.open(**code_request())
    browser.login()
    assert browser.decide("deny").params["error"] == "access_denied"
    assert "Allow access?" in browser.open(**code_request()).text


def test_silent_consent_to_a_new_scope_is_impossible(browser, web_client, alice):
    """A page that sends the signed-in user to an approved client with more scopes, prompt=none: no code."""
    signed_in(browser)
    answer = redirect_of(browser.open(**code_request(scope="read write", prompt="none")))
    assert answer.params == {"error": "consent_required", "error_description": answer.params["error_description"],
                             "state": "s-1", "iss": answer.params["iss"]}


def test_approval_is_per_client(browser, web_client, alice, make_client):
    make_client("other-app", grant_types=("authorization_code",), redirect_uris=(REDIRECT,))
    signed_in(browser)
    answer = redirect_of(browser.open(**code_request(client_id="other-app", prompt="none")))
    assert answer.params["error"] == "consent_required"


# -- prompt and max_age --------------------------------------------------------------------------------
def test_prompt_none_without_a_session_redirects_login_required(browser, web_client, alice):
    answer = redirect_of(browser.open(**code_request(prompt="none")))
    assert answer.status == 302 and answer.location.startswith(REDIRECT + "?")
    assert answer.params["error"] == "login_required" and answer.params["state"] == "s-1"


def test_prompt_none_in_the_implicit_flow_answers_in_the_fragment(browser, web_client, alice):
    answer = redirect_of(browser.open(**code_request(response_type="token", prompt="none", code_challenge=None,
                                                     code_challenge_method=None)))
    assert "#" in answer.location and answer.params["error"] == "login_required"


def test_prompt_none_signed_in_and_approved_answers_without_a_page(browser, web_client, alice):
    signed_in(browser)
    answer = redirect_of(browser.open(**code_request(prompt="none")))
    assert answer.status == 302 and answer.params["code"]


def test_prompt_login_asks_for_the_password_again(browser, web_client, alice, dynamodb, stack):
    signed_in(browser)
    first = browser.cookies["__Host-oauth_session"]
    page = browser.open(**code_request(prompt="login"))
    assert 'name="password"' in page.text
    answer = browser.login()
    assert answer.status == 303 and "code=" in answer.headers["location"]  # approved before: no consent page
    assert browser.cookies["__Host-oauth_session"] != first
    stolen = Browser(browser.api)  # a copy of the replaced cookie is dead
    stolen.cookies["__Host-oauth_session"] = first
    assert 'name="password"' in stolen.open(**code_request()).text


def test_prompt_consent_shows_the_consent_page_even_when_approved(browser, web_client, alice):
    signed_in(browser)
    assert "Allow access?" in browser.open(**code_request(prompt="consent")).text


def test_max_age_asks_for_the_password_when_the_sign_in_is_older(browser, web_client, alice, dynamodb, stack):
    signed_in(browser)
    session_item(dynamodb, stack, auth_time=int(time.time()) - 120)
    assert browser.open(**code_request(max_age="600")).status == 302
    assert 'name="password"' in browser.open(**code_request(max_age="0")).text
    assert 'name="password"' in browser.open(**code_request(max_age="60")).text
    answer = redirect_of(browser.open(**code_request(max_age="60", prompt="none")))
    assert answer.params["error"] == "interaction_required"


@pytest.mark.parametrize("change", [{"prompt": "none login"}, {"prompt": "sometimes"}, {"max_age": "-1"},
                                    {"max_age": "ten"}])
def test_bad_prompt_or_max_age_is_invalid_request(browser, web_client, alice, change):
    answer = redirect_of(browser.open(**code_request(**change)))
    assert answer.params["error"] == "invalid_request" and answer.params["state"] == "s-1"


# -- cancel --------------------------------------------------------------------------------------------
def test_cancel_on_the_sign_in_page_returns_access_denied(browser, web_client, alice):
    page = browser.open(**code_request())
    assert 'value="cancel" formnovalidate' in page.text
    flow = browser.flow
    answer = browser.decide("cancel")
    assert answer.status == 303 and answer.params["error"] == "access_denied" and answer.params["state"] == "s-1"
    assert "expired or was interrupted" in browser.post({"action": "cancel"}, flow=flow).text  # one answer per flow


# -- logout ----------------------------------------------------------------------------------------------
def logout(browser, method="GET", **params):
    headers = {"Cookie": browser.cookie} if browser.cookie else {}
    if method == "GET":
        return browser._remember(browser.api.call("/oauth/logout", query=urlencode(params), headers=headers))
    return browser._remember(browser.api.call("/oauth/logout", method="POST", data=params, headers=headers))


def confirm_fields(page):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))


def test_logout_asks_first_then_ends_the_session(browser, web_client, alice):
    signed_in(browser)
    page = logout(browser)
    assert page.status == 200 and "Sign out?" in page.text and "set-cookie" not in page.headers
    assert browser.open(**code_request()).status == 302, "a GET alone signs nobody out"
    done = logout(browser, "POST", action="logout", **confirm_fields(page))
    assert done.status == 200 and "You are signed out." in done.text
    assert "Max-Age=0" in done.headers["set-cookie"] and "__Host-oauth_session" not in browser.cookies
    assert 'name="password"' in browser.open(**code_request()).text


def test_the_session_is_ended_on_the_server_not_only_in_the_browser(browser, web_client, alice):
    signed_in(browser)
    kept = browser.cookies["__Host-oauth_session"]
    logout(browser, "POST", action="logout", **confirm_fields(logout(browser)))
    browser.cookies["__Host-oauth_session"] = kept  # a copy of the cookie taken before logout
    assert 'name="password"' in browser.open(**code_request()).text


def test_forced_logout_from_another_site_fails(browser, web_client, alice):
    """Logout CSRF: a post without the confirmation's value (another site cannot read it) ends nothing,
    and a post without the cookie (SameSite=Lax keeps it off cross-site posts) does not clear it."""
    signed_in(browser)
    page = logout(browser, "POST", action="logout")
    assert "Sign out?" in page.text and "set-cookie" not in page.headers
    forged = logout(browser, "POST", action="logout", csrf="x" * 64)
    assert "Sign out?" in forged.text
    cookieless = browser.api.call("/oauth/logout", method="POST", data={"action": "logout"})
    assert "set-cookie" not in cookieless.headers
    assert browser.open(**code_request()).status == 302


def test_logout_returns_to_a_registered_uri_with_state(browser, web_client, alice):
    signed_in(browser)
    page = logout(browser, client_id="web-app", post_logout_redirect_uri=LOGOUT_BACK, state="bye 1")
    assert "Sign out?" in page.text and "form-action 'self' https://app.example;" in page.headers[
        "content-security-policy"]
    done = logout(browser, "POST", action="logout", **confirm_fields(page))
    assert done.status == 303 and done.headers["location"] == LOGOUT_BACK + "?state=bye+1"  # no iss: not RFC 9207's
    again = logout(browser, client_id="web-app", post_logout_redirect_uri=LOGOUT_BACK)
    assert again.status == 302 and again.headers["location"] == LOGOUT_BACK


@pytest.mark.parametrize("params", [
    {"client_id": "web-app", "post_logout_redirect_uri": "https://evil.example/"},
    {"client_id": "web-app", "post_logout_redirect_uri": REDIRECT},  # a redirect URI is not a logout URI
    {"post_logout_redirect_uri": LOGOUT_BACK},
    {"client_id": "nobody", "post_logout_redirect_uri": LOGOUT_BACK},
    {"client_id": "x" * 3000, "post_logout_redirect_uri": LOGOUT_BACK},  # longer than a DynamoDB key may be
])
def test_logout_never_redirects_to_an_unregistered_uri(browser, web_client, alice, params):
    signed_in(browser)
    page = logout(browser, **params)
    assert page.status == 400 and "location" not in page.headers
    assert browser.open(**code_request()).status == 302


def test_logout_without_a_session_says_so(browser, web_client):
    page = logout(browser)
    assert page.status == 200 and "You are signed out." in page.text


# -- scope descriptions and branding ------------------------------------------------------------------------
def test_consent_page_shows_descriptions_and_falls_back_to_the_name(browser, web_client, alice):
    from oauth_core.storage import scope_descriptions

    scope_descriptions.create(scope_descriptions.ScopeDescription("read", "Read your <orders>"))
    browser.open(**code_request(scope="read write"))
    page = browser.login()
    assert "Read your &lt;orders&gt;" in page.text and "<code>write</code>" in page.text
    assert page.text.index('value="approve"') < page.text.index('value="deny"')
    assert 'class="primary" name="action" value="approve"' in page.text


def test_branding_comes_from_the_stack_parameters(browser, web_client, monkeypatch):
    from oauth_core.config import settings

    monkeypatch.setenv("SERVICE_NAME", "Acme <ID>")
    monkeypatch.setenv("LOGO_URL", "https://cdn.acme.example/logo.svg")
    monkeypatch.setenv("ACCENT_COLOR", "#7a1fa2")
    settings.cache_clear()
    page = browser.open(**code_request())
    assert "Acme &lt;ID&gt;" in page.text and '<img src="https://cdn.acme.example/logo.svg"' in page.text
    assert "img-src https://cdn.acme.example/logo.svg;" in page.headers["content-security-policy"]
    assert "#7a1fa2" in page.text
    assert 'autocomplete="username"' in page.text and 'autocomplete="current-password"' in page.text


def test_a_logo_the_csp_could_not_name_is_left_out(browser, web_client, monkeypatch):
    from oauth_core.config import settings

    monkeypatch.setenv("LOGO_URL", "http://cdn.acme.example/logo.svg; script-src *")
    monkeypatch.setenv("ACCENT_COLOR", "red;}body{display:none")
    settings.cache_clear()
    page = browser.open(**code_request())
    assert "<img" not in page.text and "img-src" not in page.headers["content-security-policy"]
    assert "display:none" not in page.text


# -- round trips -----------------------------------------------------------------------------------------
def test_round_trips_of_a_silent_authorization(browser, web_client, alice, dynamodb):
    signed_in(browser)
    calls = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **kw: calls.append(model.name))
    assert browser.open(**code_request()).status == 302
    assert calls == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"]


def test_a_consent_page_left_open_answers_nothing_after_logout(browser, web_client, alice):
    """A shared browser: alice leaves a consent page open and signs out; the next person clicks Approve."""
    signed_in(browser)
    page = browser.open(**code_request(scope="read write", state="s-2"))  # a new scope: the consent page
    assert "Approve" in page.text and 'name="password"' not in page.text
    flow, query = browser.flow, browser.query
    logout(browser, "POST", action="logout", **confirm_fields(logout(browser)))
    browser.query = query
    answer = browser.post({"action": "approve"}, flow=flow)
    assert answer.status == 200 and 'name="password"' in answer.text and "code=" not in answer.headers.get(
        "location", "")


def test_a_consent_page_left_open_answers_nothing_after_a_new_password(browser, web_client, alice):
    import dataclasses
    import time

    from oauth_core.storage import users

    signed_in(browser)
    browser.open(**code_request(scope="read write", state="s-2"))
    flow = browser.flow
    users.save(dataclasses.replace(users.get("alice"), tokens_valid_after_ms=int(time.time() * 1000) + 1))
    answer = browser.post({"action": "approve"}, flow=flow)
    assert answer.status == 200 and 'name="password"' in answer.text
