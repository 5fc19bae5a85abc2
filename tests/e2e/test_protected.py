"""RFC 6750 §3 challenges over HTTP on the local stack: the sample protected resource, the Lambda
authorizer route (API Gateway's gateway responses), and the configurable token locations and scope."""

from __future__ import annotations

import json
import subprocess
import time

import pytest
import requests

from local import launcher
from local.template import ROOT
from oauth_core.protected_resource import PAGE
from tests.e2e.helpers import client_change_seen


def client_token(stack, client_id=None, secret=None, **data) -> str:
    r = requests.post(f"{stack.url}/oauth/token", data={"grant_type": "client_credentials", **data},
                      auth=(client_id or stack.client_id, secret or stack.client_secret), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def get(stack, path="/oauth/protected", token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{stack.url}{path}", headers=headers, timeout=10, **kwargs)


def challenge(response) -> str:
    return response.headers.get("WWW-Authenticate", "")


# -- the sample resource ------------------------------------------------------------------------------
def test_valid_token_gets_the_page(local_stack):
    r = get(local_stack, token=client_token(local_stack))
    assert r.status_code == 200 and r.text == PAGE


def test_no_token_is_401_with_a_challenge_without_error_code(local_stack):
    r = get(local_stack)
    assert r.status_code == 401 and challenge(r) == 'Bearer realm="oauth"'


def test_basic_credentials_are_not_a_bearer_token(local_stack):
    r = requests.get(f"{local_stack.url}/oauth/protected", auth=("a", "b"), timeout=10)
    assert r.status_code == 401 and challenge(r) == 'Bearer realm="oauth"'


@pytest.mark.parametrize("token", ["not-a-token", "A" * 43 + ".Q2xpZW50", "x" * 5000])
def test_malformed_or_unknown_token_is_invalid_token(local_stack, token):
    r = get(local_stack, token=token)
    assert r.status_code == 401 and 'error="invalid_token"' in challenge(r)
    assert challenge(r).startswith('Bearer realm="oauth", error="invalid_token", error_description="')
    assert r.json()["error"] == "invalid_token"


def test_revoked_token_is_invalid_token(local_stack):
    token = client_token(local_stack)
    requests.post(f"{local_stack.url}/oauth/revoke", data={"token": token},
                  auth=(local_stack.client_id, local_stack.client_secret), timeout=10)
    r = get(local_stack, token=token)
    assert r.status_code == 401 and 'error="invalid_token"' in challenge(r)


def test_expired_token_is_invalid_token(local_stack, store):
    """A client with a 2-second token lifetime: after 3 seconds its token answers invalid_token."""
    from oauth_core.hashing import digest
    from oauth_core.storage import clients

    clients.create(clients.Client("short-lived", digest("short-lived secret"), grant_types=frozenset({
        "client_credentials"}), access_token_ttl=2, created_at=int(time.time())))
    token = client_token(local_stack, "short-lived", "short-lived secret")
    assert get(local_stack, token=token).status_code == 200
    time.sleep(3)
    r = get(local_stack, token=token)
    assert r.status_code == 401 and 'error="invalid_token"' in challenge(r) and "expired" in challenge(r)


def test_token_of_a_disabled_client_is_invalid_token(local_stack, store):
    import dataclasses

    from oauth_core.hashing import digest
    from oauth_core.storage import clients

    clients.create(clients.Client("to-disable", digest("to-disable secret"),
                                  grant_types=frozenset({"client_credentials"}), created_at=int(time.time())))
    token = client_token(local_stack, "to-disable", "to-disable secret")
    clients.save(dataclasses.replace(clients.get("to-disable"), disabled=True))
    client_change_seen(time.time())
    r = get(local_stack, token=token)
    assert r.status_code == 401 and 'error="invalid_token"' in challenge(r)


def test_token_sent_two_ways_is_invalid_request(local_stack):
    token = client_token(local_stack)
    r = get(local_stack, token=token, params={"access_token": token})
    assert r.status_code == 400 and 'error="invalid_request"' in challenge(r)


def test_query_token_is_refused_unless_enabled(local_stack):
    r = get(local_stack, params={"access_token": client_token(local_stack)})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    assert "Authorization header" in r.json()["error_description"]


# -- the Lambda authorizer route (API Gateway's own answers) -----------------------------------------
def test_authorizer_allows_a_valid_token(local_stack):
    r = get(local_stack, "/oauth/protected/gateway", token=client_token(local_stack))
    assert r.status_code == 200 and r.text == PAGE


@pytest.mark.parametrize("token", [None, "garbage"])
def test_authorizer_refusal_is_401_invalid_token_from_the_gateway_response(local_stack, token):
    r = get(local_stack, "/oauth/protected/gateway", token=token)
    assert r.status_code == 401 and 'error="invalid_token"' in challenge(r)
    assert r.json()["error"] == "invalid_token"


def test_authorizer_refuses_a_revoked_token_at_once(local_stack):
    token = client_token(local_stack)
    assert get(local_stack, "/oauth/protected/gateway", token=token).status_code == 200
    requests.post(f"{local_stack.url}/oauth/revoke", data={"token": token},
                  auth=(local_stack.client_id, local_stack.client_secret), timeout=10)
    assert get(local_stack, "/oauth/protected/gateway", token=token).status_code == 401


# -- a stack that requires a scope and accepts the token in the query and the body --------------------
@pytest.fixture(scope="module")
def strict_stack():
    log_dir = ROOT / ".pytest_cache"
    log_dir.mkdir(exist_ok=True)
    with open(log_dir / "strict-stack.log", "w") as log:
        running = launcher.start(stderr=log, parameters={"ProtectedResourceScope": "orders:read",
                                                         "BearerInQuery": "true", "BearerInForm": "true"})
        yield running
        running.stop()


@pytest.fixture(scope="module")
def orders_client(strict_stack):
    """Registered with oauthctl, as an operator would, for the scope the stack requires."""
    env = {**strict_stack.exports, "PATH": __import__("os").environ["PATH"]}
    created = subprocess.run([str(ROOT / "scripts" / "oauthctl"), "clients", "create", "--client-id", "orders",
                              "--grant-type", "client_credentials", "--scope", "orders:read"],
                             capture_output=True, text=True, env=env)
    assert created.returncode == 0, created.stderr
    return "orders", json.loads(created.stdout)["client_secret"]


@pytest.mark.parametrize("path", ["/oauth/protected", "/oauth/protected/gateway"])
def test_missing_scope_is_403_insufficient_scope(strict_stack, path):
    r = get(strict_stack, path, token=client_token(strict_stack))
    assert r.status_code == 403 and 'error="insufficient_scope"' in challenge(r)
    assert r.json()["error"] == "insufficient_scope" and "orders:read" in r.json()["error_description"]


def test_the_function_names_the_scope_it_needs(strict_stack):
    r = get(strict_stack, token=client_token(strict_stack))
    assert 'scope="orders:read"' in challenge(r)


@pytest.mark.parametrize("path", ["/oauth/protected", "/oauth/protected/gateway"])
def test_token_with_the_scope_passes(strict_stack, orders_client, path):
    r = get(strict_stack, path, token=client_token(strict_stack, *orders_client))
    assert r.status_code == 200 and r.text == PAGE


def test_token_in_the_query_or_a_form_body_when_enabled(strict_stack, orders_client):
    token = client_token(strict_stack, *orders_client)
    assert get(strict_stack, params={"access_token": token}).status_code == 200
    posted = requests.post(f"{strict_stack.url}/oauth/protected", data={"access_token": token}, timeout=10)
    assert posted.status_code == 200 and posted.text == PAGE
    both = requests.post(f"{strict_stack.url}/oauth/protected", params={"access_token": token},
                         data={"access_token": token}, timeout=10)
    assert both.status_code == 400 and 'error="invalid_request"' in challenge(both)
