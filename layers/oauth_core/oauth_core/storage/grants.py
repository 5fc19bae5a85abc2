"""The grants table: one item per authorization a user or client gave, keyed by ``grant_id``.

Every token issued under a grant names it, and every use of such a token checks the grant's status
with a strongly consistent read, so revoking a grant takes effect at once even though the index
that finds its tokens is eventually consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_core.config import settings
from oauth_core.storage import dynamo

ACTIVE = "active"
REVOKED = "revoked"


@dataclass(frozen=True)
class Grant:
    grant_id: str
    client_id: str
    scope: str
    expires_at: int  # epoch seconds: the latest expiry of any token of the grant (TTL attribute)
    username: str = ""
    status: str = ACTIVE
    grant_type: str = ""
    created_at: int = 0

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    def to_item(self) -> dict[str, Any]:
        return {
            "grant_id": self.grant_id,
            "client_id": self.client_id,
            "scope": self.scope,
            "expires_at": self.expires_at,
            "username": self.username or None,
            "status": self.status,
            "grant_type": self.grant_type,
            "created_at": self.created_at,
        }


def key(grant_id: str) -> tuple[str, dict[str, str]]:
    return settings().grants_table, {"grant_id": grant_id}


def from_item(item: dict[str, Any] | None) -> Grant | None:
    if item is None:
        return None
    return Grant(
        grant_id=item["grant_id"],
        client_id=item.get("client_id", ""),
        scope=item.get("scope", ""),
        expires_at=int(item.get("expires_at", 0)),
        username=item.get("username", ""),
        status=item.get("status", REVOKED),
        grant_type=item.get("grant_type", ""),
        created_at=int(item.get("created_at", 0)),
    )


def put_action(grant: Grant) -> dict[str, Any]:
    return {"Put": {"TableName": settings().grants_table, "Item": dynamo.marshal(grant.to_item())}}


def extend_action(grant_id: str, expires_at: int) -> dict[str, Any]:
    """Keep the grant alive as long as its newest token, only while it is still active."""
    return {
        "Update": {
            "TableName": settings().grants_table,
            "Key": dynamo.marshal({"grant_id": grant_id}),
            "UpdateExpression": "SET expires_at = :exp",
            "ConditionExpression": "#s = :active",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": dynamo.marshal({":exp": expires_at, ":active": ACTIVE}),
        }
    }


def revoke_action(grant_id: str, reason: str, now: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": settings().grants_table,
            "Key": dynamo.marshal({"grant_id": grant_id}),
            "UpdateExpression": "SET #s = :revoked, revoked_at = :now, revoked_reason = :reason",
            "ConditionExpression": "attribute_exists(grant_id)",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": dynamo.marshal({":revoked": REVOKED, ":now": now, ":reason": reason}),
        }
    }


def revoke(grant_id: str, reason: str, now: int) -> None:
    """Mark the grant revoked (idempotent; a grant that TTL already removed needs nothing)."""
    try:
        dynamo.call("update_item", **revoke_action(grant_id, reason, now)["Update"])
    except dynamo.ConditionFailed:
        return


def active_for(username: str, client_id: str) -> list[Grant]:
    """The active grants a user gave a client (a scan: operators' commands only, never a request path)."""
    found: list[Grant] = []
    kwargs: dict[str, Any] = {
        "TableName": settings().grants_table, "ConsistentRead": True,
        "FilterExpression": "username = :u AND client_id = :c AND #s = :active",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": dynamo.marshal({":u": username, ":c": client_id, ":active": ACTIVE}),
    }
    while True:
        response = dynamo.call("scan", **kwargs)
        found.extend(g for g in (from_item(dynamo.unmarshal(i)) for i in response.get("Items", [])) if g)
        if "LastEvaluatedKey" not in response:
            return found
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
