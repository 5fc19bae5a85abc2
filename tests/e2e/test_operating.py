"""The README's "Operating" session, against the local stack: create a client with oauthctl, get a token,
rotate the secret, and see the old one refused."""

import json
import os
import subprocess
import time

import requests

from local.template import ROOT
from tests.e2e.helpers import client_change_seen


def oauthctl(local_stack, *args):
    env = {**os.environ, **local_stack.exports}
    for name in ("CLIENTS_TABLE", "USERS_TABLE", "GRANTS_TABLE", "CODES_TABLE", "TOKENS_TABLE"):
        env.pop(name, None)
    done = subprocess.run([str(ROOT / "scripts" / "oauthctl"), *args], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_readme_operating_session(local_stack):
    created = oauthctl(local_stack, "clients", "create", "--client-id", "orders-service", "--name", "Orders service",
                       "--grant-type", "client_credentials", "--scope", "orders:read", "--scope", "orders:write")
    secret = created["client_secret"]
    r = requests.post(f"{local_stack.url}/oauth/token", auth=("orders-service", secret), timeout=10,
                      data={"grant_type": "client_credentials", "scope": "orders:read"})
    assert r.status_code == 200 and r.json()["scope"] == "orders:read"
    rotated = oauthctl(local_stack, "clients", "rotate-secret", "orders-service")
    client_change_seen(time.time())  # until then a container may still take the old secret
    old = requests.post(f"{local_stack.url}/oauth/token", auth=("orders-service", secret), timeout=10,
                        data={"grant_type": "client_credentials"})
    assert old.status_code == 401 and old.json()["error"] == "invalid_client"
    new = requests.post(f"{local_stack.url}/oauth/token", auth=("orders-service", rotated["client_secret"]),
                        timeout=10, data={"grant_type": "client_credentials"})
    assert new.status_code == 200
    listed = oauthctl(local_stack, "clients", "list")
    assert {c["client_id"] for c in listed} >= {"SampleConfidentialApp", "orders-service"}
