"""Seed the demo client and user into an empty local store (never done by a deployment)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from oauth_core import grants
from oauth_core.hashing import digest, hash_password, random_secret
from oauth_core.storage import clients, dynamo, users

DEMO_CLIENT_ID = "SampleConfidentialApp"
# The product doc's demo credentials. They would fail oauthctl's password policy (15 characters, blocklist):
# seeded straight into the local stack's in-memory store, never deployed (a deployment seeds nothing).
DEMO_USER, DEMO_PASSWORD = "admin", "changeme"
DEMO_REDIRECT_URIS = ("http://localhost:8090/auth/redirect.html", "https://localhost/oauth_callback")
DEMO_SCOPES = ("https://localhost:8090/auth/userinfo.email",)
ALL_GRANTS = grants.REGISTRABLE


@dataclass(frozen=True)
class Seeded:
    client_id: str
    client_secret: str | None  # None when the store already had clients
    username: str = DEMO_USER
    password: str = DEMO_PASSWORD


def seed_if_empty(clients_table: str) -> Seeded:
    """Register the demo client (with a fresh secret, shown once) and user when no client exists."""
    if dynamo.call("scan", TableName=clients_table, Limit=1).get("Items"):
        return Seeded(DEMO_CLIENT_ID, None)
    secret = random_secret()
    now = int(time.time())
    clients.create(clients.Client(
        client_id=DEMO_CLIENT_ID, secret_hash=digest(secret), name="Sample Confidential App",
        grant_types=frozenset(ALL_GRANTS), redirect_uris=DEMO_REDIRECT_URIS, scopes=frozenset(DEMO_SCOPES),
        created_at=now,
    ))
    try:
        users.create(users.User(DEMO_USER, hash_password(DEMO_PASSWORD), created_at=now))
    except users.AlreadyExists:
        pass
    return Seeded(DEMO_CLIENT_ID, secret)
