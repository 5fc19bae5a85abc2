"""oauthctl export / import (issue 17): JSON lines of clients and users, dry run, idempotent, progress on
stderr; users brought with the hashes other systems keep, verified as they are and upgraded to Argon2id at
their next sign-in."""

import base64
import hashlib
import json
import os

import pytest

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app(cli):
    secret = cli("clients", "create", "--client-id", "app", "--grant-type", "password", "--grant-type",
                 "client_credentials", "--scope", "read").json()["client_secret"]
    return "app", secret


def sign_in(handlers, app, username, password=PASSWORD):
    return handlers.call("/oauth/token", data={"grant_type": "password", "username": username,
                                               "password": password}, auth=app).status == 200


def stored_hash(username):
    from oauth_core.storage import users

    return users.get(username).password_hash


def write(tmp_path, records):
    path = tmp_path / "in.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return str(path)


def test_export_and_import_restore_clients_and_users_and_a_second_import_changes_nothing(cli, app, handlers,
                                                                                        tmp_path):
    cli("users", "create", "--username", "alice", "--password-stdin", stdin=PASSWORD + "\n")
    dump = tmp_path / "backup.jsonl"
    exported = cli("export", "--file", str(dump))
    assert exported.code == 0 and "exported 1 clients, 1 users" in exported.err
    lines = [json.loads(line) for line in dump.read_text().splitlines()]
    assert [r["type"] for r in lines] == ["client", "user"] and app[1] not in dump.read_text()
    assert lines[1]["password_hash"].startswith("$argon2id$")  # hashes travel, never a secret
    assert cli("export").out == dump.read_text()  # standard output by default
    cli("clients", "delete", "app", "--yes")
    cli("users", "delete", "alice", "--yes")

    dry = cli("import", str(dump), "--dry-run")
    assert dry.code == 0 and "dry run: nothing written" in dry.err and "2 would be created" in dry.err
    assert cli("clients", "list").json() == []
    done = cli("import", str(dump))
    assert done.code == 0 and done.json() == {"dry_run": False, "created": 2}
    assert sign_in(handlers, app, "alice")  # the same secret and password work again
    again = cli("import", "--stack", os.environ["CLIENTS_TABLE"].removesuffix("-clients"), str(dump))
    assert again.json() == {"dry_run": False, "unchanged": 2}
    lines[0]["name"] = "Renamed"
    updated = cli("import", "-", stdin="".join(json.dumps(r) + "\n" for r in lines))
    assert updated.json() == {"dry_run": False, "unchanged": 1, "updated": 1}
    assert cli("clients", "show", "app").json()["name"] == "Renamed"


def _keycloak(algorithm, iterations, salt, value, **extra):
    return {"type": "password", "secretData": json.dumps({"value": base64.b64encode(value).decode(),
                                                          "salt": base64.b64encode(salt).decode()}),
            "credentialData": json.dumps({"hashIterations": iterations, "algorithm": algorithm,
                                          "additionalParameters": extra})}


def foreign_users():
    import bcrypt
    from argon2 import PasswordHasher, Type
    from argon2.low_level import hash_secret_raw

    secret, salt = PASSWORD.encode(), b"0123456789abcdef"
    kc_pbkdf2 = _keycloak("pbkdf2-sha256", 27500, salt, hashlib.pbkdf2_hmac("sha256", secret, salt, 27500))
    kc_sha512 = _keycloak("pbkdf2-sha512", 1000, salt, hashlib.pbkdf2_hmac("sha512", secret, salt, 1000, 64))
    kc_argon2 = _keycloak("argon2", 3, salt, hash_secret_raw(secret, salt, 3, 7168, 1, 32, Type.ID),
                          hashLength=["32"], memory=["7168"], type=["id"], version=["1.3"], parallelism=["1"])
    scrypt = hashlib.scrypt(secret, salt=salt, n=2**14, r=8, p=1, dklen=32)
    b64 = base64.urlsafe_b64encode
    return {
        "bcrypt-user": {"password_hash": bcrypt.hashpw(secret, bcrypt.gensalt(4)).decode()},
        "kc-pbkdf2": {"credentials": [kc_pbkdf2], "enabled": True, "createdTimestamp": 1700000000000},
        "kc-sha512": {"credentials": [kc_sha512]},
        "kc-argon2": {"credentials": [kc_argon2]},
        "django-user": {"password_hash": "pbkdf2_sha256$1000$pepper$" + base64.b64encode(
            hashlib.pbkdf2_hmac("sha256", secret, b"pepper", 1000)).decode()},
        "scrypt-user": {"password_hash": f"scrypt$16384$8$1${b64(salt).decode()}${b64(scrypt).decode()}"},
        "argon2i-user": {"password_hash": PasswordHasher(type=Type.I, time_cost=1, memory_cost=1024).hash(PASSWORD)},
    }


def test_users_with_other_systems_hashes_sign_in_and_are_upgraded_to_argon2id(cli, app, handlers, tmp_path):
    users = foreign_users()
    path = write(tmp_path, [{"type": "user", "username": name, **fields} for name, fields in users.items()]
                 + [{"type": "user", "username": "from-cognito", "enabled": True}])
    done = cli("import", path)
    assert done.code == 0, done.err
    assert done.json()["created"] == len(users) + 1
    for name in users:
        assert not stored_hash(name).startswith("$argon2id$") or name == "kc-argon2"
        assert not sign_in(handlers, app, name, "wrong horse battery staple"), name
        assert sign_in(handlers, app, name), name
        assert stored_hash(name).startswith("$argon2id$v=19$m=19456,t=2,p=1$"), name  # upgraded at sign-in
        assert sign_in(handlers, app, name), name
    # Cognito exports no hashes: such a user has no password until an operator (or a reset) sets one.
    assert not sign_in(handlers, app, "from-cognito", "")
    cli("users", "set-password", "from-cognito", "--password-stdin", stdin=PASSWORD + "\n")
    assert sign_in(handlers, app, "from-cognito")


def test_bad_records_are_refused_by_line_and_the_others_imported(cli, tmp_path):
    path = write(tmp_path, [
        "{not json",
        {"type": "user", "username": "ok-user", "password_hash": ""},
        {"type": "group", "name": "admins"},
        {"type": "user", "username": "md5-user", "password_hash": "5f4dcc3b5aa765d61d8327deb882cf99"},
        {"type": "client", "client_id": "bad", "grant_types": ["authorization_code"],
         "redirect_uris": ["http://evil.example/cb"]},
        {"type": "user"},
    ])
    dry = cli("import", path, "--dry-run")
    assert dry.code == 1 and "5 record(s) would be refused" in dry.err
    assert cli("users", "list").json() == []
    done = cli("import", path)
    assert done.code == 1 and "5 record(s) refused, the others imported" in done.err
    for line in ("line 1 refused: not JSON", "line 3 refused: type must be one of",
                 "line 4 refused: password_hash is in no format", "line 5 refused", "line 6 refused: missing"):
        assert line in done.err, line
    assert [u["username"] for u in cli("users", "list").json()] == ["ok-user"]
    assert "Traceback" not in done.err


def test_scope_descriptions_travel_with_export_and_import(cli, tmp_path):
    assert cli("scopes", "create", "--scope", "orders:read", "--description", "Read your orders").code == 0
    dump = tmp_path / "scopes.jsonl"
    assert cli("export", "--file", str(dump)).code == 0
    assert [json.loads(line) for line in dump.read_text().splitlines()] == [
        {"type": "scope", "scope": "orders:read", "description": "Read your orders"}]
    cli("scopes", "delete", "--scope", "orders:read")
    assert cli("import", str(dump)).json() == {"dry_run": False, "created": 1}
    assert cli("scopes", "list").json() == [{"scope": "orders:read", "description": "Read your orders"}]
    assert cli("import", str(dump)).json() == {"dry_run": False, "unchanged": 1}
    changed = write(tmp_path, [{"type": "scope", "scope": "orders:read", "description": "See your orders"}])
    assert cli("import", changed).json() == {"dry_run": False, "updated": 1}
    refused = cli("import", write(tmp_path, [{"type": "scope", "scope": "bad scope", "description": "x"}]))
    assert refused.code == 1 and "line 1" in refused.err
