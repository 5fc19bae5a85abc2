"""oauthctl users authorizations / revoke-authorization, scopes create|list|update|delete, and
clients --post-logout-redirect-uri, against the handlers a browser uses."""

import pytest

from tests.integration.authorize_browser import CHALLENGE, REDIRECT, VERIFIER, Browser, redirect_of

PASSWORD = "correct horse battery staple"


@pytest.fixture
def web_app(cli):
    made = cli("clients", "create", "--client-id", "web-app", "--grant-type", "authorization_code",
               "--grant-type", "refresh_token", "--redirect-uri", REDIRECT, "--scope", "read", "--scope", "write",
               "--post-logout-redirect-uri", "https://app.example/bye")
    assert made.code == 0, made.err
    assert made.json()["post_logout_redirect_uris"] == ["https://app.example/bye"]
    assert cli("users", "create", "--username", "alice", "--password-stdin", stdin=PASSWORD + "\n").code == 0
    return "web-app", made.json()["client_secret"]


def request(**extra):
    return {"client_id": "web-app", "response_type": "code", "redirect_uri": REDIRECT, "scope": "read",
            "state": "s", "code_challenge": CHALLENGE, "code_challenge_method": "S256", **extra}


def tokens(handlers, web_app, code):
    return handlers.call("/oauth/token", data={"grant_type": "authorization_code", "code": code,
                                               "redirect_uri": REDIRECT, "code_verifier": VERIFIER},
                         auth=web_app).json()


def test_a_withdrawn_authorization_asks_again_and_its_tokens_stop_working(cli, handlers, web_app):
    browser = Browser(handlers)
    issued = tokens(handlers, web_app, browser.authorize("alice", PASSWORD, **request()).params["code"])
    listed = cli("users", "authorizations", "alice")
    assert listed.code == 0 and [(a["client_id"], a["scopes"]) for a in listed.json()] == [("web-app", ["read"])]
    remembered = redirect_of(browser.open(**request()))
    assert remembered.status == 302
    second = tokens(handlers, web_app, remembered.params["code"])
    withdrawn = cli("users", "revoke-authorization", "alice", "web-app")
    assert withdrawn.code == 0 and withdrawn.json()["consent_withdrawn"] is True
    assert withdrawn.json()["grants_revoked"] == 2  # the first authorization and the remembered one
    assert "Allow access?" in browser.open(**request()).text
    for access in (issued["access_token"], second["access_token"]):
        assert handlers.call("/oauth/tokeninfo", query=f"access_token={access}").status == 400
    refreshed = handlers.call("/oauth/token", data={"grant_type": "refresh_token",
                                                    "refresh_token": issued["refresh_token"]}, auth=web_app)
    assert refreshed.status == 400 and refreshed.json()["error"] == "invalid_grant"
    assert cli("users", "authorizations", "alice").json() == []
    again = cli("users", "revoke-authorization", "alice", "web-app")
    assert again.code == 1 and "no authorization" in again.err
    assert cli("users", "revoke-authorization", "nobody", "web-app").code == 1


def test_scope_descriptions_are_managed_and_shown_on_the_consent_page(cli, handlers, web_app):
    made = cli("scopes", "create", "--scope", "read", "--description", "Read your orders")
    assert made.code == 0 and made.json() == {"scope": "read", "description": "Read your orders"}
    assert cli("scopes", "create", "--scope", "read", "--description", "again").code == 1
    assert cli("scopes", "create", "--scope", "bad scope", "--description", "x").code == 1
    assert cli("scopes", "create", "--scope", "write", "--description", " ").code == 1
    assert cli("scopes", "update", "--scope", "read", "--description", "See your orders").code == 0
    assert cli("scopes", "update", "--scope", "write", "--description", "Change your orders").code == 1
    assert cli("scopes", "list").json() == [{"scope": "read", "description": "See your orders"}]
    browser = Browser(handlers)
    browser.open(**request(scope="read write"))
    page = browser.login("alice", PASSWORD)
    assert "See your orders" in page.text and "<code>write</code>" in page.text
    assert cli("scopes", "delete", "--scope", "read").code == 0
    assert cli("scopes", "delete", "--scope", "read").code == 1
    assert cli("scopes", "list").json() == []


def test_post_logout_redirect_uris_follow_the_redirect_uri_rules(cli, web_app):
    bad = cli("clients", "update", "web-app", "--post-logout-redirect-uri", "http://app.example/bye")
    assert bad.code == 1 and "https" in bad.err


def test_a_user_created_again_under_a_deleted_name_approved_nothing(cli, handlers, web_app):
    browser = Browser(handlers)
    browser.authorize("alice", PASSWORD, **request())
    assert cli("users", "delete", "alice", "--yes").code == 0
    assert cli("users", "create", "--username", "alice", "--password-stdin", stdin=PASSWORD + "\n").code == 0
    assert 'name="password"' in browser.open(**request()).text  # the old session died with the old user
    assert "Allow access?" in browser.login("alice", PASSWORD).text


def active(handlers, access):
    return handlers.call("/oauth/tokeninfo", query=f"access_token={access}").status == 200


def test_importing_a_namesake_of_a_deleted_user_brings_back_none_of_their_tokens_or_sessions(cli, handlers, web_app):
    import json

    browser = Browser(handlers)
    issued = tokens(handlers, web_app, browser.authorize("alice", PASSWORD, **request()).params["code"])
    assert cli("users", "delete", "alice", "--yes").code == 0
    imported = cli("import", "-", stdin=json.dumps({"type": "user", "username": "alice"}) + "\n")
    assert imported.code == 0, imported.err
    assert not active(handlers, issued["access_token"])
    refreshed = handlers.call("/oauth/token", data={"grant_type": "refresh_token",
                                                    "refresh_token": issued["refresh_token"]}, auth=web_app)
    assert refreshed.status == 400
    assert 'name="password"' in browser.open(**request()).text, "the old browser session must be over"


def test_importing_an_older_export_never_undoes_a_revocation(cli, handlers, web_app, tmp_path):
    browser = Browser(handlers)
    issued = tokens(handlers, web_app, browser.authorize("alice", PASSWORD, **request()).params["code"])
    backup = tmp_path / "backup.jsonl"
    assert cli("export", "--file", str(backup)).code == 0
    assert cli("tokens", "revoke", "--username", "alice").code == 0
    assert cli("tokens", "revoke", "--client-id", "web-app").code == 0
    assert cli("import", str(backup)).code == 0
    assert not active(handlers, issued["access_token"])


def test_an_approval_given_to_a_deleted_client_does_not_carry_over_to_a_new_one_with_its_id(cli, handlers,
                                                                                            web_app):
    import time

    browser = Browser(handlers)
    browser.authorize("alice", PASSWORD, **request())
    assert cli("clients", "delete", "web-app", "--yes").code == 0
    approved_in = int(time.time())
    while int(time.time()) == approved_in:  # times are whole seconds: register the new app in a later one
        time.sleep(0.05)
    other = "https://other.example/cb"
    assert cli("clients", "create", "--client-id", "web-app", "--grant-type", "authorization_code",
               "--redirect-uri", other, "--scope", "read").code == 0
    page = browser.open(**request(redirect_uri=other))
    assert page.status == 200 and "Approve" in page.text


def test_a_public_client_on_a_loopback_redirect_never_gets_a_code_without_a_page(cli, handlers):
    """RFC 8252 §8.6: another app on the device can listen on another loopback port (or claim a
    private-use scheme); a remembered approval must not hand it a code silently."""
    assert cli("clients", "create", "--client-id", "native", "--public", "--grant-type", "authorization_code",
               "--redirect-uri", "http://127.0.0.1/cb", "--scope", "read").code == 0
    assert cli("users", "create", "--username", "alice", "--password-stdin", stdin=PASSWORD + "\n").code == 0
    req = {"client_id": "native", "response_type": "code", "scope": "read", "state": "s",
           "code_challenge": CHALLENGE, "code_challenge_method": "S256"}
    browser = Browser(handlers)
    browser.authorize("alice", PASSWORD, redirect_uri="http://127.0.0.1:5000/cb", **req)
    page = browser.open(redirect_uri="http://127.0.0.1:6666/cb", **req)
    assert page.status == 200 and "Approve" in page.text and 'name="password"' not in page.text
    silent = redirect_of(browser.open(redirect_uri="http://127.0.0.1:6666/cb", prompt="none", **req))
    assert silent.params["error"] == "consent_required"
