"""oauthctl users ... and tokens revoke."""

import pytest


@pytest.fixture
def client(cli):
    secret = cli("clients", "create", "--client-id", "app", "--grant-type", "password", "--grant-type",
                 "refresh_token", "--grant-type", "client_credentials").json()["client_secret"]
    return "app", secret


def login(handlers, client, username="alice", password="correct horse battery staple"):
    return handlers.call("/oauth/token", data={"grant_type": "password", "username": username,
                                               "password": password}, auth=client)


def active(handlers, access):
    return handlers.call("/oauth/tokeninfo", query=f"access_token={access}").status == 200


def test_create_user_with_password_from_stdin(cli, handlers, client):
    r = cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse battery staple\n")
    assert r.code == 0 and r.json()["username"] == "alice"
    assert "correct horse battery staple" not in r.out and "scrypt" not in cli("users", "show", "alice").out
    assert login(handlers, client).status == 200


def test_user_validation_and_duplicates(cli):
    assert cli("users", "create", "--username", "alice").code == 1
    short = cli("users", "create", "--username", "alice", "--password-stdin", stdin="short\n")
    assert short.code == 1 and "at least 15" in short.err
    bad = cli("users", "create", "--username", "a b", "--password-stdin", stdin="long enough passphrase\n")
    assert bad.code == 1 and "username" in bad.err
    assert cli("users", "create", "--username", "alice", "--password-stdin", stdin="long enough passphrase\n").code == 0
    dup = cli("users", "create", "--username", "alice", "--password-stdin", stdin="another long passphrase\n")
    assert dup.code == 1 and "already exists" in dup.err


def test_list_show_and_set_password(cli, handlers, client):
    cli("users", "create", "--username", "bob", "--password-stdin", stdin="first long passphrase\n")
    cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse battery staple\n")
    assert [u["username"] for u in cli("users", "list").json()] == ["alice", "bob"]
    assert "USERNAME" in cli("--output", "table", "users", "list").out
    before = login(handlers, client).json()
    assert cli("users", "set-password", "alice", "--password-stdin", stdin="a new long passphrase!\n").code == 0
    assert login(handlers, client).status == 400
    assert login(handlers, client, password="a new long passphrase!").status == 200
    assert not active(handlers, before["access_token"]), "a new password revokes the user's tokens"
    assert cli("users", "show", "ghost").code == 1
    assert cli("users", "set-password", "ghost", "--password-stdin", stdin="whatever123\n").code == 1


def test_disable_user_stops_tokens_and_logins(cli, handlers, client):
    cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse battery staple\n")
    tokens = login(handlers, client).json()
    assert cli("users", "disable", "alice").json()["disabled"] is True
    assert not active(handlers, tokens["access_token"])
    assert login(handlers, client).json()["error"] == "invalid_grant"
    cli("users", "enable", "alice")
    assert login(handlers, client).status == 200
    assert not active(handlers, tokens["access_token"]), "enable never brings earlier tokens back"


def test_delete_user_needs_yes_and_revokes_tokens(cli, handlers, client):
    cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse battery staple\n")
    tokens = login(handlers, client).json()
    assert cli("users", "delete", "alice").code == 1
    assert cli("users", "delete", "alice", "--yes").code == 0
    assert not active(handlers, tokens["access_token"])
    cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse battery staple\n")
    assert not active(handlers, tokens["access_token"])
    assert cli("users", "delete", "ghost", "--yes").code == 1


def test_tokens_revoke_by_user_kills_access_and_refresh_tokens_but_not_new_ones(cli, handlers, client):
    cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse battery staple\n")
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
    assert r.code == 1 and "the tables of stack 'no-such-stack'" in r.err and "do not exist" in r.err
    assert "Traceback" not in r.err


@pytest.mark.parametrize(("password", "message"), [
    ("fourteen chars", "at least 15 characters"),
    ("1qaz2wsx3edc4rfv", "most common passwords"),
    ("Password12345678!", "most common passwords"),
    ("passwordpassword", "repeats"),
    ("abcdefghijklmnopq", "sequence"),
    ("alice in wonderland", "must not contain the username"),
])
def test_password_policy_refuses_short_common_and_predictable_passwords(cli, password, message):
    r = cli("users", "create", "--username", "alice", "--password-stdin", stdin=password + "\n")
    assert r.code == 1 and message in r.err, r.err
    assert cli("users", "show", "alice").code == 1, "nothing was created"
    assert cli("users", "create", "--username", "alice", "--password-stdin",
               stdin="Tr0ub4dor&3 is not it\n").code == 0, "no composition rules: any long uncommon phrase"


def test_every_change_is_an_audit_event_on_stderr_and_stdout_stays_json(cli):
    import json

    r = cli("users", "create", "--username", "alice", "--password-stdin", stdin="correct horse battery staple\n")
    assert r.json()["username"] == "alice"
    (event,) = [json.loads(line) for line in r.err.splitlines() if line.startswith("{")]
    assert event["audit"] is True and event["event_type"] == "admin" and event["outcome"] == "success"
    assert event["user"] == "alice" and event["reason"] == "oauthctl users create" and event["actor"]
    assert "correct horse" not in r.err
    assert not [line for line in cli("users", "list").err.splitlines() if line.startswith("{")], "reads are not"
