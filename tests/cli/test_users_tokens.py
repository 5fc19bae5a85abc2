"""oauthctl users ... and tokens revoke."""

import pytest


@pytest.fixture
def client(cli):
    secret = cli("clients", "create", "--client-id", "app", "--grant-type", "password", "--grant-type",
                 "refresh_token", "--grant-type", "client_credentials").json()["client_secret"]
    return "app", secret


def login(handlers, client, username="alice", password="correct horse"):
    return handlers.call("/oauth/token", data={"grant_type": "password", "username": username,
                                               "password": password}, auth=client)


def active(handlers, access):
    return handlers.call("/oauth/tokeninfo", query=f"access_token={access}").status == 200


def test_create_user_with_password_from_stdin(cli, handlers, client):
    r = cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse\n")
    assert r.code == 0 and r.json()["username"] == "alice"
    assert "correct horse" not in r.out and "scrypt" not in cli("users", "show", "alice").out
    assert login(handlers, client).status == 200


def test_user_validation_and_duplicates(cli):
    assert cli("users", "create", "--username", "alice").code == 1
    short = cli("users", "create", "--username", "alice", "--password-stdin", stdin="short\n")
    assert short.code == 1 and "at least 8" in short.err
    bad = cli("users", "create", "--username", "a b", "--password-stdin", stdin="long enough\n")
    assert bad.code == 1 and "username" in bad.err
    assert cli("users", "create", "--username", "alice", "--password-stdin", stdin="long enough\n").code == 0
    dup = cli("users", "create", "--username", "alice", "--password-stdin", stdin="other password\n")
    assert dup.code == 1 and "already exists" in dup.err


def test_list_show_and_set_password(cli, handlers, client):
    cli("users", "create", "--username", "bob", "--password-stdin", stdin="first password\n")
    cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse\n")
    assert [u["username"] for u in cli("users", "list").json()] == ["alice", "bob"]
    assert "USERNAME" in cli("--output", "table", "users", "list").out
    before = login(handlers, client).json()
    assert cli("users", "set-password", "alice", "--password-stdin", stdin="new password!\n").code == 0
    assert login(handlers, client).status == 400
    assert login(handlers, client, password="new password!").status == 200
    assert not active(handlers, before["access_token"]), "a new password revokes the user's tokens"
    assert cli("users", "show", "ghost").code == 1
    assert cli("users", "set-password", "ghost", "--password-stdin", stdin="whatever123\n").code == 1


def test_disable_user_stops_tokens_and_logins(cli, handlers, client):
    cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse\n")
    tokens = login(handlers, client).json()
    assert cli("users", "disable", "alice").json()["disabled"] is True
    assert not active(handlers, tokens["access_token"])
    assert login(handlers, client).json()["error"] == "invalid_grant"
    cli("users", "enable", "alice")
    assert login(handlers, client).status == 200
    assert not active(handlers, tokens["access_token"]), "enable never brings earlier tokens back"


def test_delete_user_needs_yes_and_revokes_tokens(cli, handlers, client):
    cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse\n")
    tokens = login(handlers, client).json()
    assert cli("users", "delete", "alice").code == 1
    assert cli("users", "delete", "alice", "--yes").code == 0
    assert not active(handlers, tokens["access_token"])
    cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse\n")
    assert not active(handlers, tokens["access_token"])
    assert cli("users", "delete", "ghost", "--yes").code == 1


def test_tokens_revoke_by_user_kills_access_and_refresh_tokens_but_not_new_ones(cli, handlers, client):
    cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse\n")
    old = login(handlers, client).json()
    r = cli("tokens", "revoke", "--username", "alice")
    assert r.code == 0 and r.json()["username"] == "alice"
    assert not active(handlers, old["access_token"])
    refresh = handlers.call("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": old["refresh_token"]},
                            auth=client)
    assert refresh.json()["error"] == "invalid_grant"
    assert active(handlers, login(handlers, client).json()["access_token"])


def test_tokens_revoke_by_client(cli, handlers, client):
    access = handlers.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=client).json()
    assert cli("tokens", "revoke", "--client-id", "app").code == 0
    assert not active(handlers, access["access_token"])
    assert cli("tokens", "revoke", "--client-id", "ghost").code == 1
    assert cli("tokens", "revoke").code == 2
    assert cli("tokens", "revoke", "--client-id", "app", "--username", "alice").code == 2


def test_missing_tables_are_reported_not_a_traceback(cli):
    r = cli("clients", "list", stack_name="no-such-stack")
    assert r.code == 1 and "AWS refused" in r.err and "Traceback" not in r.err
