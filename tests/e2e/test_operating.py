"""The README's "Operating" session, against the local stack: create a client with oauthctl, get a token,
rotate the secret with an overlap (both work), end the overlap (the old one is refused), update the demo
client."""

import json
import os
import subprocess
import time

import requests

from local.template import ROOT
from tests.derived import table_variables
from tests.e2e.helpers import client_change_seen


def oauthctl(local_stack, *args):
    env = {**os.environ, **local_stack.exports}
    for name in table_variables():
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
    def status(secret):
        return requests.post(f"{local_stack.url}/oauth/token", auth=("orders-service", secret), timeout=10,
                             data={"grant_type": "client_credentials"}).status_code

    rotated = oauthctl(local_stack, "clients", "rotate-secret", "orders-service", "--keep-old-for", "86400")
    client_change_seen(time.time())  # what every function sees of the client once the cache's bound has passed
    assert status(secret) == 200 and status(rotated["client_secret"]) == 200
    again = oauthctl(local_stack, "clients", "rotate-secret", "orders-service")  # no overlap: within the bound
    client_change_seen(time.time())
    assert status(secret) == 401 and status(rotated["client_secret"]) == 401
    assert status(again["client_secret"]) == 200
    # The demo client (jwt-bearer, no certificate) can be updated; other modules share it, so its name is
    # set to what it is (tests/cli covers --no-tokeninfo-query on it).
    demo = oauthctl(local_stack, "clients", "update", "SampleConfidentialApp", "--name", "Sample Confidential App")
    assert demo["name"] == "Sample Confidential App"
    listed = oauthctl(local_stack, "clients", "list")
    assert {c["client_id"] for c in listed} >= {"SampleConfidentialApp", "orders-service"}
