"""oauthctl as an operator lives with it (issue 17): updates of the demo client, rotation with overlap,
active grants and tokens, errors that say what to check, tables that fit, options anywhere, examples,
passwords typed without echo, and concurrent commands that never lose an update."""

import os
import re
import subprocess
import time

import pytest

from oauth_core import grants
from tests.cli.conftest import OAUTHCTL

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app(cli):
    secret = cli("clients", "create", "--client-id", "app", "--grant-type", "password", "--grant-type",
                 "refresh_token", "--grant-type", "client_credentials").json()["client_secret"]
    return "app", secret


@pytest.fixture
def alice(cli):
    assert cli("users", "create", "--username", "alice", "--password-stdin", stdin=PASSWORD + "\n").code == 0
    return "alice"


@pytest.fixture
def demo(cli):
    """The local stack's demo client: every grant type, jwt-bearer included, and no certificate."""
    from local.seed import seed_if_empty

    return seed_if_empty(os.environ["CLIENTS_TABLE"])


@pytest.fixture(scope="module")
def oauthctl():
    from scripts.oauthctl_cli import main

    return main


def stack_name() -> str:
    return os.environ["CLIENTS_TABLE"].removesuffix("-clients")  # set by the cli fixture


def secret_works(handlers, client_id, secret):
    return handlers.call("/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(client_id, secret)).status == 200


def test_update_of_the_demo_client_works_and_a_new_gap_is_still_refused(cli, demo, handlers):
    r = cli("clients", "update", demo.client_id, "--no-tokeninfo-query", "--name", "Demo")
    assert r.code == 0, r.err
    assert r.json()["tokeninfo_query"] is False and r.json()["name"] == "Demo"
    assert secret_works(handlers, demo.client_id, demo.client_secret)
    cli("clients", "create", "--client-id", "plain", "--grant-type", "client_credentials")
    refused = cli("clients", "update", "plain", "--grant-type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
    assert refused.code == 1 and "needs at least one --certificate" in refused.err


def test_rotation_with_overlap_keeps_both_secrets_valid_until_the_end(cli, app, handlers):
    old = app[1]
    r = cli("clients", "rotate-secret", "app", "--keep-old-for", "3600")
    assert r.code == 0, r.err
    new = r.json()["client_secret"]
    assert r.json()["old_secret_expires_at"] > time.time() + 3500
    assert secret_works(handlers, "app", old) and secret_works(handlers, "app", new)
    assert "hash" not in cli("clients", "show", "app").out
    short = cli("clients", "rotate-secret", "app", "--keep-old-for", "1").json()["client_secret"]
    assert not secret_works(handlers, "app", old)  # a rotation during an overlap ends the older secret
    assert secret_works(handlers, "app", short)
    deadline = time.monotonic() + 30
    while secret_works(handlers, "app", new):  # the overlap's end, waited for
        assert time.monotonic() < deadline, "the previous secret outlived its overlap"
    assert secret_works(handlers, "app", short)
    assert cli("clients", "rotate-secret", "app", "--keep-old-for", "99999999").code == 1


def test_tokens_list_shows_active_grants_and_tokens_never_the_tokens(cli, app, alice, handlers):
    issued = handlers.call("/oauth/token", data={"grant_type": "password", "username": "alice",
                                                 "password": PASSWORD}, auth=app).json()
    handlers.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=app)
    mine = cli("tokens", "list", "--username", "alice")
    assert mine.code == 0, mine.err
    assert sorted(row["type"] for row in mine.json()) == ["access_token", "grant", "refresh_token"]
    assert {row["username"] for row in mine.json()} == {"alice"}
    for secret in (issued["access_token"], issued["refresh_token"], *issued["access_token"].split(".")):
        assert secret not in mine.out
    theirs = cli("tokens", "list", "--client-id", "app").json()
    assert sorted(row["type"] for row in theirs) == ["access_token", "access_token", "grant", "refresh_token"]
    table = cli("tokens", "list", "--client-id", "app", "--output", "table").out.splitlines()
    assert table[0].split()[:2] == ["CLIENT_ID", "USERNAME"] and len(table) == 5
    cli("tokens", "revoke", "--username", "alice")
    assert [row["type"] for row in cli("tokens", "list", "--client-id", "app").json()] == ["access_token"]
    assert cli("tokens", "list", "--username", "alice").json() == []
    assert cli("tokens", "list", "--username", "nobody").code == 1


def test_tables_fit_100_columns_with_iso_times(cli, demo, alice):
    for args in (("clients", "list"), ("clients", "show", demo.client_id), ("users", "list")):
        out = cli(*args, "--output", "table").out
        assert out and max(len(line) for line in out.splitlines()) <= 100, out
        assert re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", out) and not re.search(r"\b1\d{9}\b", out), out
    shown = cli("clients", "show", demo.client_id, "--output", "table").out
    abbreviated = ",".join(grants.SHORT_NAMES.get(g, g) for g in sorted(grants.REGISTRABLE))
    assert abbreviated in shown and "authorization_code" not in shown and "TOKENINFO_QUERY" in shown


def test_global_options_are_accepted_anywhere(cli, app):
    before = cli("--output", "table", "clients", "list").out
    assert cli("clients", "list", "--output", "table").out == before
    assert cli("clients", "--output", "table", "list").out == before
    other = cli("clients", "list", "--stack", "elsewhere")  # the later --stack wins
    assert other.code == 1 and "'elsewhere'" in other.err


def test_every_command_has_an_example_in_its_help(oauthctl):
    root = oauthctl.parser()

    def leaves(p, words=()):
        subs = [a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"]
        if not subs:
            yield words, p
        for action in subs:
            for name, sub in action.choices.items():
                yield from leaves(sub, (*words, name))

    found = list(leaves(root))
    assert len(found) >= 19
    for words, p in found:
        text = p.format_help()
        example = text.split("example:\n", 1)[1].split("\n\n")[0]
        assert example.strip().startswith(f"oauthctl {' '.join(words)}") or \
            f"oauthctl {' '.join(words)}" in example, (words, text)
        assert "anywhere" in text


def test_clear_messages_for_missing_credentials_and_an_unreachable_endpoint():
    base = {"PATH": os.environ["PATH"], "HOME": "/nonexistent", "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true"}
    done = subprocess.run([str(OAUTHCTL), "clients", "list"], env=base, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "no AWS credentials found" in done.stderr and "busy" not in done.stderr
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens there once closed
    done = subprocess.run([str(OAUTHCTL), "users", "list"], capture_output=True, text=True, timeout=120, env={
        **base, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL_DYNAMODB": closed})
    assert done.returncode == 1 and f"cannot reach {closed}" in done.stderr and "make run" in done.stderr
    assert "busy" not in done.stderr and '"level"' not in done.stderr


def test_password_typed_at_a_terminal_is_not_echoed(cli, app):
    import pty

    env = {k: v for k, v in os.environ.items() if not k.endswith("_TABLE")}
    pid, fd = pty.fork()
    if pid == 0:  # the child: oauthctl on a terminal
        os.execve(str(OAUTHCTL), [str(OAUTHCTL), "--stack", stack_name(),
                                  "users", "create", "--username", "bob"], env)
    seen = b""

    def read_until(text: bytes) -> None:
        nonlocal seen
        while text not in seen:
            chunk = os.read(fd, 1024)
            assert chunk, seen
            seen += chunk

    read_until(b"Password for bob: ")
    os.write(fd, PASSWORD.encode() + b"\n")
    read_until(b"Again: ")
    os.write(fd, PASSWORD.encode() + b"\n")
    try:
        while chunk := os.read(fd, 1024):
            seen += chunk
    except OSError:  # the terminal closes with the child
        pass
    assert os.waitpid(pid, 0)[1] == 0, seen
    assert PASSWORD.encode() not in seen and b'"username": "bob"' in seen
    assert cli("users", "show", "bob").code == 0


def test_concurrent_commands_never_lose_an_update(cli, app, oauthctl, monkeypatch):
    """Another operator disables the client between this command's read and its write: the write is
    refused, the command reads again and applies its change on top, and both changes stay."""
    from scripts.oauthctl_cli import client_commands

    read = client_commands.get_client
    raced = []

    def read_then_someone_else_writes(client_id):
        client = read(client_id)
        if not raced:
            raced.append(cli("clients", "disable", client_id))
        return client

    monkeypatch.setattr(client_commands, "get_client", read_then_someone_else_writes)
    assert oauthctl.main(["--stack", stack_name(), "clients", "update", "app",
                          "--name", "Renamed"]) == 0
    assert raced[0].code == 0
    shown = cli("clients", "show", "app").json()
    assert shown["disabled"] is True and shown["name"] == "Renamed"
