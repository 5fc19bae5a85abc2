"""Races over HTTP against the local stack (workers in parallel processes, moto's server as DynamoDB):
N clients present the same single-use value at once. Exactly one wins, every other gets invalid_grant,
nothing answers 5xx, and exactly one token set was written."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from tests.conftest import make_certificate
from tests.e2e.helpers import sign_in_and_approve

REDIRECT = "https://localhost/oauth_callback"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def race(n: int, send) -> list[requests.Response]:
    """``n`` threads, released together, each sending once; bounded in time."""
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: send(), range(n), timeout=60))


def warm(local_stack, n: int) -> None:
    """Start ``n`` token function workers first. On Lambda each instance has CPU of its own; here twenty
    cold starts share two cores with moto and would starve the race itself into 503s (the store's honest
    answer when it cannot keep up), which is not what these tests are about."""
    answers = race(n, lambda: requests.post(f"{local_stack.url}/oauth/token", data={"format": "json"}, timeout=60))
    assert {r.status_code for r in answers} == {400}


def outcome(responses) -> tuple[int, int, int]:
    """(wins, losses, server errors). A 503 ``temporarily_unavailable`` is the store's honest answer when it
    cannot keep up (moto serves one request at a time on two shared cores) and counts as a loss: the race's
    property is that never two win, and never a 500/502/504."""
    wins = sum(r.status_code == 200 for r in responses)
    losses = sum((r.status_code == 400 and r.json().get("error") == "invalid_grant")
                 or (r.status_code == 503 and r.json().get("error") == "temporarily_unavailable") for r in responses)
    server_errors = sum(r.status_code >= 500 and r.status_code != 503 for r in responses)
    return wins, losses, server_errors


def approve_code(local_stack) -> str:
    url = f"{local_stack.url}/oauth/authorize?" + urlencode(
        {"client_id": local_stack.client_id, "response_type": "code", "redirect_uri": REDIRECT})
    location = sign_in_and_approve(url).location
    return parse_qs(urlsplit(location).query)["code"][0]


def grants_of(store, client_id: str) -> list[dict]:
    from oauth_core.config import settings
    from oauth_core.storage import dynamo

    return [g for g in dynamo.scan(settings().grants_table) if g["client_id"] == client_id]


def test_twenty_redemptions_of_one_code(local_stack, store):
    code = approve_code(local_stack)
    before = {g["grant_id"] for g in grants_of(store, local_stack.client_id)}
    warm(local_stack, 20)
    responses = race(20, lambda: requests.post(
        f"{local_stack.url}/oauth/token", auth=(local_stack.client_id, local_stack.client_secret), timeout=30,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}))
    assert outcome(responses) == (1, 19, 0), [(r.status_code, r.text[:120]) for r in responses]
    created = [g for g in grants_of(store, local_stack.client_id) if g["grant_id"] not in before]
    assert len(created) == 1, "exactly one token set was written"
    # The losers were replays of a used code: RFC 6749 §4.1.2 revokes what the winner got.
    assert created[0]["status"] == "revoked"


def test_ten_refreshes_of_one_refresh_token(local_stack, store):
    first = requests.post(f"{local_stack.url}/oauth/token", auth=(local_stack.client_id, local_stack.client_secret),
                          data={"grant_type": "password", "username": "admin", "password": "changeme"},
                          timeout=10).json()
    from oauth_core.storage import dynamo, grants, tokens

    grant_id = tokens.from_item(dynamo.get(*tokens.key(first["refresh_token"]))).grant_id
    warm(local_stack, 10)
    responses = race(10, lambda: requests.post(
        f"{local_stack.url}/oauth/token", auth=(local_stack.client_id, local_stack.client_secret), timeout=30,
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}))
    assert outcome(responses) == (1, 9, 0), [(r.status_code, r.text[:120]) for r in responses]
    # Reuse of a rotated refresh token revokes the grant (RFC 9700 §4.14.2): no token of it works.
    assert grants.from_item(dynamo.get(*grants.key(grant_id))).status == "revoked"
    winner = next(r for r in responses if r.status_code == 200).json()
    info = requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": winner["access_token"]},
                        timeout=10)
    assert info.status_code == 400


def test_ten_posts_of_one_assertion(local_stack, store):
    import jwt

    from oauth_core.config import settings
    from oauth_core.hashing import digest
    from oauth_core.storage import clients, dynamo

    key, pem = make_certificate()
    client_id = f"jwt-race-{uuid.uuid4().hex[:6]}"
    clients.create(clients.Client(client_id, digest("unused secret"), grant_types=frozenset({JWT_BEARER}),
                                  certificates=(pem,), created_at=int(time.time())))
    now = int(time.time())
    assertion = jwt.encode({"iss": client_id, "aud": f"{local_stack.url}/oauth/token", "exp": now + 120,
                            "iat": now, "jti": uuid.uuid4().hex}, key, algorithm="RS256")
    warm(local_stack, 10)
    responses = race(10, lambda: requests.post(f"{local_stack.url}/oauth/token", timeout=30,
                                               data={"grant_type": JWT_BEARER, "assertion": assertion}))
    assert outcome(responses) == (1, 9, 0), [(r.status_code, r.text[:120]) for r in responses]
    stored = [t for t in dynamo.scan(settings().tokens_table) if t["client_id"] == client_id]
    assert len(stored) == 1, "exactly one token was written"


def test_rotation_is_atomic_old_spent_only_with_its_successor(local_stack, store):
    """After a race of refreshes, the old token is spent if and only if a successor was stored."""
    data = {"grant_type": "password", "username": "admin", "password": "changeme"}
    auth = (local_stack.client_id, local_stack.client_secret)
    first = requests.post(f"{local_stack.url}/oauth/token", auth=auth, data=data, timeout=10).json()
    ok = requests.post(f"{local_stack.url}/oauth/token", auth=auth, timeout=10,
                       data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert ok.status_code == 200
    from oauth_core.hashing import digest
    from oauth_core.storage import dynamo, tokens

    old = dynamo.get(*tokens.key(first["refresh_token"]))
    new = dynamo.get(*tokens.key(ok.json()["refresh_token"]))
    assert old["rotated_by"] and new is not None and new["token_hash"] == digest(ok.json()["refresh_token"])

