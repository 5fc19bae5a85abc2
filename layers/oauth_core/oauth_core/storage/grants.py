"""The grants table: one item per authorization a user or client gave, keyed by ``grant_id``.

Every token issued under a grant names it, and every use of such a token checks the grant's status
with a strongly consistent read, so revoking a grant takes effect at once even though the index
that finds its tokens is eventually consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_core.config import settings
from oauth_core.storage import actions, dynamo, model

ACTIVE = "active"
REVOKED = "revoked"


@dataclass(frozen=True)
class Grant(model.Record):
    """An authorization (RFC 6749 §1.3) and its status; ``expires_at`` follows its newest token."""

    grant_id: str = model.key()
    client_id: str = model.text()
    scope: str = model.text()
    expires_at: int = model.number()  # the latest expiry of any token of the grant (TTL attribute)
    username: str = model.text("", omit_empty=True)
    status: str = model.text(ACTIVE, absent=REVOKED)
    grant_type: str = model.text("")
    created_at: int = model.number(0)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


def key(grant_id: str) -> tuple[str, dict[str, str]]:
    return settings().grants_table, {"grant_id": grant_id}


def from_item(item: dict[str, Any] | None) -> Grant | None:
    return None if item is None else model.from_item(Grant, item)


def put_action(grant: Grant) -> dict[str, Any]:
    return actions.put(settings().grants_table, grant.to_item())


_STATUS = {"#s": "status"}  # a reserved word


def extend_action(grant_id: str, expires_at: int) -> dict[str, Any]:
    """Keep the grant alive as long as its newest token, only while it is still active."""
    return actions.update(settings().grants_table, {"grant_id": grant_id}, "SET expires_at = :exp",
                          {":exp": expires_at, ":active": ACTIVE}, condition="#s = :active", names=_STATUS)


def revoke_action(grant_id: str, reason: str, now: int) -> dict[str, Any]:
    return actions.update(settings().grants_table, {"grant_id": grant_id},
                          "SET #s = :revoked, revoked_at = :now, revoked_reason = :reason",
                          {":revoked": REVOKED, ":now": now, ":reason": reason},
                          condition="attribute_exists(grant_id)", names=_STATUS)


def revoke(grant_id: str, reason: str, now: int) -> None:
    """Mark the grant revoked (idempotent; a grant that TTL already removed needs nothing)."""
    try:
        actions.run(revoke_action(grant_id, reason, now))
    except dynamo.ConditionFailed:
        return


def active_for(username: str, client_id: str) -> list[Grant]:
    """The active grants a user gave a client (a scan: operators' commands only, never a request path)."""
    items = dynamo.scan(settings().grants_table, FilterExpression="username = :u AND client_id = :c AND #s = :active",
                        ExpressionAttributeNames=_STATUS,
                        ExpressionAttributeValues=dynamo.marshal({":u": username, ":c": client_id, ":active": ACTIVE}))
    return [model.from_item(Grant, item) for item in items]
