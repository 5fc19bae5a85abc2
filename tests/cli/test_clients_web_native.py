"""oauthctl clients: browser apps (--web-origin), native apps (RFC 8252 redirects), resource servers
(--introspect) and the client-id characters every client library gets right."""

import pytest


def spa(cli, *extra):
    return cli("clients", "create", "--client-id", "spa", "--public", "--grant-type", "authorization_code",
               "--redirect-uri", "https://spa.example/cb", *extra)


def test_web_origins_are_registered_repeatably_and_cleared(cli):
    r = spa(cli, "--web-origin", "https://spa.example", "--web-origin", "http://localhost:5173")
    assert r.code == 0, r.err
    assert r.json()["web_origins"] == ["https://spa.example", "http://localhost:5173"]
    assert cli("clients", "update", "spa", "--no-web-origins").json()["web_origins"] == []


@pytest.mark.parametrize(("origin", "message"), [
    ("https://spa.example/", "no path or trailing slash"),
    ("https://spa.example/app", "no path"),
    ("http://spa.example", "must use https"),
    ("*", "scheme://host"),
    ("null", "scheme://host"),
])
def test_a_web_origin_that_is_not_an_origin_is_refused(cli, origin, message):
    r = spa(cli, "--web-origin", origin)
    assert r.code == 1 and message in r.err, r.err


@pytest.mark.parametrize("uri", ["com.example.app:/oauth2redirect", "com.example.app:/cb?x=1",
                                 "https://app.example.com/.well-known/claimed/cb"])
def test_native_app_redirects_private_use_scheme_and_claimed_https_are_accepted(cli, uri):
    r = cli("clients", "create", "--client-id", "native", "--public", "--grant-type", "authorization_code",
            "--redirect-uri", uri)
    assert r.code == 0, r.err
    assert r.json()["redirect_uris"] == [uri]


@pytest.mark.parametrize(("uri", "message"), [
    ("com.example.app://", "empty authority"),
    ("com.example.app:", "needs a path"),
    ("myapp:/cb", "absolute https"),  # not a reverse domain name (RFC 8252 §7.1)
    ("com.example.app:/cb#frag", "fragment"),
    ("com.evil.app://x;img-src *;form-action */cb", "must not contain"),  # would rewrite the pages' CSP
    ("com.example.app:/'a b'", "must not contain"),
])
def test_native_app_redirects_that_break_the_rules_are_refused(cli, uri, message):
    r = cli("clients", "create", "--client-id", "native", "--public", "--grant-type", "authorization_code",
            "--redirect-uri", uri)
    assert r.code == 1 and message in r.err, r.err


@pytest.mark.parametrize("client_id", ["a+b", "a:b", "a%20b", "a b", "é", "x" * 129])
def test_client_ids_that_clients_would_send_differently_are_refused(cli, client_id):
    r = cli("clients", "create", "--client-id", client_id, "--grant-type", "client_credentials")
    assert r.code == 1 and "A-Z a-z 0-9 - . _ ~" in r.err, r.err


def test_a_resource_server_is_allowed_to_introspect_named_clients_or_every_client(cli):
    r = cli("clients", "create", "--client-id", "rs", "--grant-type", "client_credentials",
            "--introspect", "web", "--introspect", "spa")
    assert r.code == 0 and r.json()["introspect_clients"] == ["spa", "web"] and r.json()["introspect_any"] is False
    assert cli("clients", "update", "rs", "--introspect-any").json()["introspect_any"] is True


def test_the_implicit_grant_cannot_answer_to_a_private_use_scheme(cli):
    """RFC 8252 §8.2: another app may claim the scheme, and a token in the redirect would be its."""
    r = cli("clients", "create", "--client-id", "native", "--public", "--grant-type", "implicit",
            "--redirect-uri", "com.example.app:/cb")
    assert r.code == 1 and "private-use scheme" in r.err, r.err


def test_imported_web_origins_are_stored_as_browsers_send_them(cli, tmp_path):
    import json

    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"type": "client", "client_id": "spa", "grant_types": ["authorization_code"],
                                "redirect_uris": ["https://App.example.com/cb"],
                                "web_origins": ["https://App.example.com"]}) + "\n")
    assert cli("import", str(path)).code == 0
    assert cli("clients", "show", "spa").json()["web_origins"] == ["https://app.example.com"]
