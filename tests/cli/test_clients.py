"""oauthctl clients ...: every subcommand, its validation errors and exit codes."""

import base64

import pytest

from tests.conftest import make_certificate


def create(cli, client_id="app", *extra):
    return cli("clients", "create", "--client-id", client_id, "--grant-type", "client_credentials",
               "--scope", "read", *extra)


def token(handlers, client_id, secret):
    return handlers.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))


def test_create_shows_the_secret_once_and_the_client_can_get_tokens(cli, handlers):
    r = create(cli, "app", "--name", "Orders", "--access-token-ttl", "600")
    assert r.code == 0, r.err
    created = r.json()
    assert created["client_id"] == "app" and created["name"] == "Orders" and not created["public"]
    assert len(base64.urlsafe_b64decode(created["client_secret"] + "=")) * 8 >= 256
    assert token(handlers, "app", created["client_secret"]).json()["expires_in"] == 600
    shown = cli("clients", "show", "app")
    assert shown.code == 0 and "client_secret" not in shown.out and created["client_secret"] not in shown.out
    assert "secret_hash" not in shown.out


def test_list_never_prints_secrets_or_hashes(cli):
    secret = create(cli, "a").json()["client_secret"]
    create(cli, "b")
    r = cli("clients", "list")
    assert [c["client_id"] for c in r.json()] == ["a", "b"]
    assert secret not in r.out and "hash" not in r.out


def test_table_output_has_aligned_columns(cli):
    import re

    create(cli, "a-long-client-id", "--name", "Long")
    create(cli, "b")
    header, *rows = cli("--output", "table", "clients", "list").out.splitlines()
    starts = [m.start() for m in re.finditer(r"[A-Z_]+", header)]
    assert header.startswith("CLIENT_ID") and len(starts) >= 7 and len(rows) == 2
    for row in rows:
        for start in starts[1:]:
            assert row[start - 1] == " " and row[start] != " ", (row, start)


def test_duplicate_client_id_is_refused_and_nothing_is_overwritten(cli, handlers):
    secret = create(cli, "app").json()["client_secret"]
    again = create(cli, "app")
    assert again.code == 1 and "already exists" in again.err
    assert token(handlers, "app", secret).status == 200


def test_public_client_has_no_secret(cli):
    r = cli("clients", "create", "--client-id", "spa", "--public", "--grant-type", "authorization_code",
            "--redirect-uri", "https://app.example/cb")
    assert r.code == 0 and r.json()["public"] and r.json()["client_secret"] is None
    assert cli("clients", "rotate-secret", "spa").code == 1


@pytest.mark.parametrize("args,message", [
    (["--grant-type", "magic"], "unknown grant type"),
    (["--grant-type", "authorization_code", "--redirect-uri", "http://example.com/cb"], "must use https"),
    (["--grant-type", "authorization_code", "--redirect-uri", "/relative"], "absolute https"),
    (["--grant-type", "authorization_code", "--redirect-uri", "https://a.example/cb#frag"], "fragment"),
    (["--grant-type", "authorization_code", "--redirect-uri", "javascript:alert(1)"], "absolute https"),
    (["--grant-type", "authorization_code", "--redirect-uri", "https://user@a.example/cb"], "user information"),
    (["--grant-type", "authorization_code"], "needs at least one --redirect-uri"),
    (["--grant-type", "client_credentials", "--public"], "public client"),
    (["--grant-type", "client_credentials", "--access-token-ttl", "5"], "between 60 seconds"),
    (["--grant-type", "client_credentials", "--scope", 'bad"scope'], "scopes may only"),
    (["--grant-type", "urn:ietf:params:oauth:grant-type:jwt-bearer"], "needs at least one --certificate"),
    ([], "--grant-type is required"),
])
def test_invalid_registrations_exit_1_with_a_clear_message(cli, args, message):
    r = cli("clients", "create", "--client-id", "app", *args)
    assert r.code == 1 and message in r.err, r.err
    assert cli("clients", "show", "app").code == 1


@pytest.mark.parametrize("uri", ["http://localhost:8090/auth/redirect.html", "http://127.0.0.1/cb",
                                 "http://[::1]:9000/cb", "https://app.example/cb?x=1"])
def test_http_redirect_uris_are_allowed_on_loopback_only(cli, uri):
    r = cli("clients", "create", "--client-id", "native", "--grant-type", "authorization_code", "--redirect-uri", uri)
    assert r.code == 0, r.err
    assert r.json()["redirect_uris"] == [uri]


def test_update_changes_only_the_given_options(cli):
    create(cli, "app", "--name", "Before")
    r = cli("clients", "update", "app", "--scope", "read", "--scope", "write", "--refresh-token-ttl", "3600")
    assert r.code == 0
    client = cli("clients", "show", "app").json()
    assert client["name"] == "Before" and client["scopes"] == ["read", "write"]
    assert client["refresh_token_ttl"] == 3600 and client["grant_types"] == ["client_credentials"]
    assert cli("clients", "update", "ghost", "--name", "x").code == 1
    assert cli("clients", "update", "app", "--grant-type", "nope").code == 1


def test_rotate_secret_without_overlap_refuses_the_old_one_at_once(cli, handlers):
    old = create(cli, "app").json()["client_secret"]
    r = cli("clients", "rotate-secret", "app")
    new = r.json()["client_secret"]
    assert r.code == 0 and new != old
    assert token(handlers, "app", old).status == 401
    assert token(handlers, "app", new).status == 200


def test_disable_stops_existing_tokens_and_new_grants_enable_restores_new_ones(cli, handlers):
    secret = create(cli, "app").json()["client_secret"]
    access = token(handlers, "app", secret).json()["access_token"]
    assert cli("clients", "disable", "app").json()["disabled"] is True
    assert handlers.call("/oauth/tokeninfo", query=f"access_token={access}").status == 400
    assert token(handlers, "app", secret).status == 401
    assert cli("clients", "enable", "app").code == 0
    assert token(handlers, "app", secret).status == 200
    assert handlers.call("/oauth/tokeninfo", query=f"access_token={access}").status == 400


def test_delete_needs_yes_and_revokes_tokens_even_if_the_id_is_reused(cli, handlers):
    secret = create(cli, "app").json()["client_secret"]
    access = token(handlers, "app", secret).json()["access_token"]
    refused = cli("clients", "delete", "app")
    assert refused.code == 1 and "--yes" in refused.err
    assert handlers.call("/oauth/tokeninfo", query=f"access_token={access}").status == 200
    assert cli("clients", "delete", "app", "--yes").code == 0
    assert handlers.call("/oauth/tokeninfo", query=f"access_token={access}").status == 400
    create(cli, "app")
    assert handlers.call("/oauth/tokeninfo", query=f"access_token={access}").status == 400
    assert cli("clients", "delete", "ghost", "--yes").code == 1


@pytest.mark.parametrize("command", [["show", "ghost"], ["disable", "ghost"], ["enable", "ghost"],
                                     ["rotate-secret", "ghost"]])
def test_unknown_client_exits_1(cli, command):
    r = cli("clients", *command)
    assert r.code == 1 and "ghost" in r.err


def test_usage_errors_exit_2(cli):
    assert cli("clients").code == 2
    assert cli("clients", "create").code == 2
    assert cli("clients", "frobnicate").code == 2


def _certificate(tmp_path, key_type="rsa", bits=2048, days=30):
    path = tmp_path / f"{key_type}-{bits}-{days}.pem"
    path.write_text(make_certificate(key_type, bits, days)[1])
    return path


def test_certificates_are_checked_and_their_thumbprints_shown(cli, tmp_path):
    good = _certificate(tmp_path)
    r = cli("clients", "create", "--client-id", "signer", "--grant-type", "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "--certificate", str(good), "--certificate", str(_certificate(tmp_path, bits=3072)))
    assert r.code == 0, r.err
    certificates = r.json()["certificates"]
    assert len(certificates) == 2 and len(certificates[0]["thumbprint_sha256"]) == 64


@pytest.mark.parametrize("kind", ["missing", "garbage", "ec", "small", "expired"])
def test_bad_certificates_are_refused(cli, tmp_path, kind):
    path = {"missing": lambda: tmp_path / "nope.pem",
            "garbage": lambda: (tmp_path / "g.pem").write_text("not a cert") and tmp_path / "g.pem",
            "ec": lambda: _certificate(tmp_path, key_type="ec"),
            "small": lambda: _certificate(tmp_path, bits=1024),
            "expired": lambda: _certificate(tmp_path, days=-1)}[kind]()
    r = cli("clients", "create", "--client-id", "signer", "--grant-type", "client_credentials",
            "--certificate", str(path))
    assert r.code == 1, r.out
    assert {"missing": "cannot read", "garbage": "not a PEM", "ec": "not RSA", "small": "2048",
            "expired": "expired"}[kind] in r.err


def test_plain_pkce_is_off_until_an_operator_allows_it(cli, handlers):
    from urllib.parse import parse_qs, urlsplit

    r = cli("clients", "create", "--client-id", "legacy", "--grant-type", "authorization_code",
            "--redirect-uri", "https://app.example/cb")
    assert r.code == 0 and r.json()["pkce_plain"] is False
    query = ("client_id=legacy&response_type=code&state=s&code_challenge_method=plain"
             "&code_challenge=" + "p" * 43)

    def answer():
        return handlers.call("/oauth/authorize", query=query)

    refused = answer()
    assert refused.status == 302
    assert parse_qs(urlsplit(refused.headers["location"]).query)["error"] == ["invalid_request"]
    assert cli("clients", "update", "legacy", "--allow-pkce-plain").json()["pkce_plain"] is True
    assert answer().status == 200, "the login page: plain is now accepted"
    assert cli("clients", "update", "legacy", "--no-allow-pkce-plain").json()["pkce_plain"] is False
    assert answer().status == 302


def test_tokeninfo_in_the_query_can_be_turned_off_per_client(cli, handlers):
    secret = create(cli, "app", "--no-tokeninfo-query").json()["client_secret"]
    token = handlers.call("/oauth/token", data={"grant_type": "client_credentials"},
                          auth=("app", secret)).json()["access_token"]
    refused = handlers.call("/oauth/tokeninfo", query=f"access_token={token}")
    assert refused.status == 400 and refused.json()["error"] == "invalid_request"
    assert token not in refused.text
    header = handlers.call("/oauth/tokeninfo", headers={"Authorization": f"Bearer {token}"})
    assert header.status == 200 and header.json()["audience"] == "app"
    assert cli("clients", "update", "app", "--tokeninfo-query").json()["tokeninfo_query"] is True
    assert handlers.call("/oauth/tokeninfo", query=f"access_token={token}").status == 200


def test_jwt_subjects_and_policy_switches(cli, tmp_path):
    _, pem = make_certificate()
    (tmp_path / "c.pem").write_text(pem)
    jwt = ("--grant-type", "urn:ietf:params:oauth:grant-type:jwt-bearer", "--certificate", str(tmp_path / "c.pem"))
    r = cli("clients", "create", "--client-id", "b", *jwt, "--jwt-subject", "alice", "--jwt-subject", "bob",
            "--require-jti", "--require-pkce", "--grant-max-lifetime", "86400", "--refresh-reuse-window", "10")
    assert r.code == 0, r.err
    shown = cli("clients", "show", "b").json()
    assert shown["jwt_subjects"] == ["alice", "bob"] and not shown["jwt_any_subject"]
    assert shown["require_jti"] and shown["require_pkce"]
    assert (shown["grant_max_lifetime"], shown["refresh_reuse_window"]) == (86400, 10)
    both = cli("clients", "update", "b", "--jwt-any-subject")
    assert both.code == 1 and "exclude each other" in both.err
    assert cli("clients", "update", "b", "--no-jwt-subjects", "--jwt-any-subject").json()["jwt_any_subject"]
    assert cli("clients", "update", "b", "--refresh-reuse-window", "301").code == 1
    assert cli("clients", "update", "b", "--no-require-jti").json()["require_jti"] is False
