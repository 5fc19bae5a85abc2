"""The local stack's functions keep client items for ClientCacheSeconds (README, "Scale"): an operator's
`clients disable` reaches every function within that bound, with the cache on."""

from __future__ import annotations

import time

import requests

from tests.e2e.helpers import client_change_seen
from tests.e2e.test_lifecycle import new_client, oauthctl


def test_disable_takes_effect_within_the_documented_bound(local_stack):
    client_id, secret = new_client(local_stack, grant_types=("client_credentials",))

    def token() -> requests.Response:
        return requests.post(f"{local_stack.url}/oauth/token", auth=(client_id, secret), timeout=30,
                             data={"grant_type": "client_credentials"})

    def check(access: str) -> int:
        return requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": access},
                            timeout=30).status_code

    access = token().json()["access_token"]
    assert check(access) == 200  # both functions now hold the client
    for _ in range(3):
        assert token().status_code == 200
    oauthctl(local_stack, "clients", "disable", client_id)
    client_change_seen(time.time())
    refused = token()
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert check(access) == 400
