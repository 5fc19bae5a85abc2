"""Issue 13 over HTTP on the local stack: who may get a token for whom, and when it stops working.
Each test registers what it needs with ``oauthctl``, as an operator would."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

from local import launcher
from local.template import ROOT
from tests.conftest import make_certificate
from tests.e2e.helpers import client_change_seen, sign_in_and_approve

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
REDIRECT = "https://localhost/oauth_callback"
PASSWORD = "violet kettle hums at dawn"  # passes the password policy


def token(stack, auth=None, **data) -> requests.Response:
    return requests.post(f"{stack.url}/oauth/token", data=data, auth=auth, timeout=30)


def info(stack, access_token: str) -> requests.Response:
    return requests.get(f"{stack.url}/oauth/tokeninfo", params={"access_token": access_token}, timeout=10)


def oauthctl(stack, *args: str, stdin: str | None = None):
    """``scripts/oauthctl`` against the stack's tables, with the exports ``make run`` prints."""
    env = {**{k: v for k, v in os.environ.items() if not k.endswith("_TABLE")}, **stack.exports}
    done = subprocess.run([str(ROOT / "scripts" / "oauthctl"), *args], input=stdin, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    if args[:1] == ("clients",) and args[1] not in ("create", "list", "show"):
        client_change_seen(time.time())  # what every function sees of the client after this command
    return json.loads(done.stdout)


def new_user(stack, password: str = PASSWORD) -> str:
    username = f"user-{uuid.uuid4().hex[:8]}"
    oauthctl(stack, "users", "create", "--username", username, "--password-stdin", stdin=password + "\n")
    return username


def new_client(stack, *options: str, grant_types=("password", "refresh_token")) -> tuple[str, str]:
    client_id = f"app-{uuid.uuid4().hex[:8]}"
    created = oauthctl(stack, "clients", "create", "--client-id", client_id, "--scope", "read", "--scope", "write",
                       *[x for g in grant_types for x in ("--grant-type", g)], *options)
    return client_id, created["client_secret"]


# -- 1. JWT bearer impersonation (RFC 7521 §6.3) ------------------------------------------------------------
def test_jwt_assertion_cannot_impersonate_an_unregistered_user(local_stack, tmp_path):
    key, pem = make_certificate()
    (tmp_path / "client.pem").write_text(pem)
    victim = new_user(local_stack)
    client_id, _ = new_client(local_stack, "--certificate", str(tmp_path / "client.pem"),
                              grant_types=(JWT_BEARER, "refresh_token"))

    def assertion(sub: str) -> str:
        return jwt.encode({"iss": client_id, "aud": f"{local_stack.url}/oauth/token", "sub": sub,
                           "exp": int(time.time()) + 60, "jti": uuid.uuid4().hex}, key, algorithm="RS256")

    refused = token(local_stack, grant_type=JWT_BEARER, assertion=assertion(victim))
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert "--jwt-subject" in refused.json()["error_description"]
    oauthctl(local_stack, "clients", "update", client_id, "--jwt-subject", victim)
    allowed = token(local_stack, grant_type=JWT_BEARER, assertion=assertion(victim))
    assert allowed.status_code == 200 and info(local_stack, allowed.json()["access_token"]).json()["user_id"] == victim
    admin = token(local_stack, grant_type=JWT_BEARER, assertion=assertion("admin"))
    assert admin.status_code == 400 and admin.json()["error"] == "invalid_grant"


# -- 2. a hostile replay of a used code (RFC 9700 §4.5.3) ---------------------------------------------------
def test_replayed_code_with_a_wrong_verifier_revokes_nothing(local_stack):
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    url = f"{local_stack.url}/oauth/authorize?" + urlencode({
        "client_id": local_stack.client_id, "response_type": "code", "redirect_uri": REDIRECT,
        "code_challenge": challenge, "code_challenge_method": "S256"})
    code = parse_qs(urlsplit(sign_in_and_approve(url).location).query)["code"][0]
    auth = (local_stack.client_id, local_stack.client_secret)
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    first = token(local_stack, auth, **exchange, code_verifier=verifier).json()
    hostile = token(local_stack, auth, **exchange, code_verifier="w" * 64)
    assert hostile.status_code == 400 and hostile.json()["error"] == "invalid_grant"
    assert info(local_stack, first["access_token"]).status_code == 200, "the user was not signed out"
    proven = token(local_stack, auth, **exchange, code_verifier=verifier)
    assert proven.status_code == 400 and "revoked" in proven.json()["error_description"]
    assert info(local_stack, first["access_token"]).status_code == 400


# -- 3. account recovery: a new password, disable then enable --------------------------------------------------
def test_new_password_or_disable_then_enable_never_resurrects_tokens(local_stack):
    client = new_client(local_stack)
    user = new_user(local_stack)

    def sign_in(password: str = PASSWORD) -> dict:
        r = token(local_stack, client, grant_type="password", username=user, password=password)
        assert r.status_code == 200, r.text
        return r.json()

    def works(tokens: dict) -> bool:
        return info(local_stack, tokens["access_token"]).status_code == 200

    before = sign_in()
    oauthctl(local_stack, "users", "set-password", user, "--password-stdin", stdin="copper lanterns drift north\n")
    assert not works(before)
    refresh = token(local_stack, client, grant_type="refresh_token", refresh_token=before["refresh_token"])
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"

    stolen = sign_in("copper lanterns drift north")
    oauthctl(local_stack, "users", "disable", user)
    oauthctl(local_stack, "users", "enable", user)
    assert not works(stolen), "enable brought an earlier token back"
    assert works(sign_in("copper lanterns drift north"))

    earlier = sign_in("copper lanterns drift north")
    oauthctl(local_stack, "clients", "disable", client[0])
    oauthctl(local_stack, "clients", "enable", client[0])
    assert not works(earlier)
    assert token(local_stack, client, grant_type="refresh_token",
                 refresh_token=earlier["refresh_token"]).status_code == 400
    assert works(sign_in("copper lanterns drift north"))


# -- 4. a scope taken off the client's registration -------------------------------------------------------------
def test_refresh_never_brings_back_a_removed_scope(local_stack):
    client = new_client(local_stack)
    user = new_user(local_stack)
    first = token(local_stack, client, grant_type="password", username=user, password=PASSWORD).json()
    assert first["scope"] == "read write"
    oauthctl(local_stack, "clients", "update", client[0], "--scope", "read")
    refreshed = token(local_stack, client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert refreshed.status_code == 200 and refreshed.json()["scope"] == "read"
    assert info(local_stack, refreshed.json()["access_token"]).json()["scope"] == "read"
    asked = token(local_stack, client, grant_type="refresh_token", scope="write",
                  refresh_token=refreshed.json()["refresh_token"])
    assert asked.status_code == 400 and asked.json()["error"] == "invalid_scope"
    oauthctl(local_stack, "clients", "update", client[0], "--scope", "write", "--scope", "read")
    again = token(local_stack, client, grant_type="refresh_token", refresh_token=refreshed.json()["refresh_token"])
    assert again.json()["scope"] == "read", "a scope dropped from the grant stays dropped"


# -- 5. a refresh-token chain kept alive by using it ------------------------------------------------------------
def backdate_grants_of(username: str, seconds: int) -> None:
    """As if the user had signed in ``seconds`` earlier (the store is the stack's, through ``store``)."""
    from oauth_core.config import settings
    from oauth_core.storage import dynamo

    for grant in dynamo.scan(settings().grants_table):
        if grant.get("username") == username:
            dynamo.call("update_item", TableName=settings().grants_table, Key=dynamo.marshal(
                {"grant_id": grant["grant_id"]}), UpdateExpression="SET created_at = :c",
                ExpressionAttributeValues=dynamo.marshal({":c": int(grant["created_at"]) - seconds}))


def test_refresh_chain_ends_at_the_grants_maximum_lifetime(local_stack, store):
    client = new_client(local_stack, "--grant-max-lifetime", "86400")
    user = new_user(local_stack)
    tokens = token(local_stack, client, grant_type="password", username=user, password=PASSWORD).json()
    backdate_grants_of(user, 86400 - 30)  # refreshed every day for a day
    tokens = token(local_stack, client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json()
    assert 0 < tokens["expires_in"] <= 30, "the new access token ends with the grant"
    backdate_grants_of(user, 30)
    kept_alive = token(local_stack, client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert kept_alive.status_code == 400 and kept_alive.json()["error"] == "invalid_grant"
    assert info(local_stack, tokens["access_token"]).status_code == 400


# -- 6. a retry within the refresh-token reuse window ---------------------------------------------------------------
def test_two_concurrent_refreshes_within_the_window_both_succeed(local_stack, store):
    from concurrent.futures import ThreadPoolExecutor

    from oauth_core.storage import dynamo, tokens

    client = new_client(local_stack, "--refresh-reuse-window", "60")
    user = new_user(local_stack)
    first = token(local_stack, client, grant_type="password", username=user, password=PASSWORD).json()
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: token(local_stack, client, grant_type="refresh_token",
                                                refresh_token=first["refresh_token"]), range(2), timeout=60))
    assert [r.status_code for r in answers] == [200, 200], [r.text for r in answers]
    # The chain does not fork: exactly one of the two answers (the later) still works.
    working = [r.json() for r in answers if info(local_stack, r.json()["access_token"]).status_code == 200]
    assert len(working) == 1
    latest = token(local_stack, client, grant_type="refresh_token", refresh_token=working[0]["refresh_token"])
    assert latest.status_code == 200, "the grant was not revoked"

    # Reuse after the window revokes as before: the first token's rotation, moved 61 s into the past.
    dynamo.call("update_item", TableName=tokens.key(first["refresh_token"])[0],
                Key=dynamo.marshal(tokens.key(first["refresh_token"])[1]),
                UpdateExpression="SET rotated_at = rotated_at - :w", ExpressionAttributeValues=dynamo.marshal(
                    {":w": 61_000}))
    late = token(local_stack, client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert late.status_code == 400 and "revoked" in late.json()["error_description"]
    assert info(local_stack, latest.json()["access_token"]).status_code == 400


# -- 8. the foreign token at the authorizer and the protected resource ----------------------------------------
@pytest.fixture(scope="module")
def audience_stack():
    """Resources that accept only user tokens of the demo client (ResourceAllowedClients, ResourceUserTokensOnly)."""
    with open(ROOT / ".pytest_cache" / "audience-stack.log", "w") as log:
        running = launcher.start(stderr=log, parameters={"ResourceAllowedClients": "SampleConfidentialApp",
                                                         "ResourceUserTokensOnly": "true"})
        yield running
        running.stop()


@pytest.mark.parametrize("path", ["/oauth/protected", "/oauth/protected/gateway"])
def test_resources_refuse_tokens_not_meant_for_them(audience_stack, path):
    demo = (audience_stack.client_id, audience_stack.client_secret)
    other = new_client(audience_stack, grant_types=("password", "client_credentials"))

    def status(access_token: str) -> int:
        return requests.get(f"{audience_stack.url}{path}", headers={"Authorization": f"Bearer {access_token}"},
                            timeout=10).status_code

    users_token = token(audience_stack, demo, grant_type="password", username="admin", password="changeme")
    assert status(users_token.json()["access_token"]) == 200
    foreign = token(audience_stack, other, grant_type="password", username="admin", password="changeme")
    assert status(foreign.json()["access_token"]) == 401, "another client's token"
    own = token(audience_stack, demo, grant_type="client_credentials")
    assert status(own.json()["access_token"]) == 401, "a client's own token where user tokens are required"


# -- 9. opaque tokens and codes ------------------------------------------------------------------------------------
def decodable(value: str) -> bytes:
    """Everything a holder can decode from a token or code: base64url of each dot-separated part."""
    return b"".join(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in value.split("."))


def test_nothing_in_a_code_or_token_names_the_user_or_the_client(local_stack):
    url = f"{local_stack.url}/oauth/authorize?" + urlencode({
        "client_id": local_stack.client_id, "response_type": "code", "redirect_uri": REDIRECT})
    code = parse_qs(urlsplit(sign_in_and_approve(url).location).query)["code"][0]
    tokens = token(local_stack, (local_stack.client_id, local_stack.client_secret), grant_type="authorization_code",
                   code=code, redirect_uri=REDIRECT).json()
    for value in (code, tokens["access_token"], tokens["refresh_token"]):
        for name in (b"admin", local_stack.client_id.encode(), b"Sample"):
            assert name not in decodable(value) and name.decode() not in value
    assert info(local_stack, tokens["access_token"]).json()["user_id"] == "admin", "the server still reads it"
