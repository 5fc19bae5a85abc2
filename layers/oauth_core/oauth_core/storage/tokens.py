"""The tokens table: access and refresh tokens keyed by the SHA-256 of the token, never the token.

``expires_at`` (epoch seconds) is the TTL attribute; TTL deletes lazily, so every read checks it.
The sparse ``by-grant`` index finds all tokens of a grant for cascade deletion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_core.config import settings
from oauth_core.errors import TemporarilyUnavailable
from oauth_core.hashing import digest
from oauth_core.storage import dynamo

ACCESS = "access"
REFRESH = "refresh"
GRANT_INDEX = "by-grant"


@dataclass(frozen=True)
class Token:
    token_hash: str
    kind: str
    client_id: str
    scope: str
    issued_at: int  # epoch milliseconds
    expires_at: int  # epoch seconds, the TTL attribute
    username: str = ""
    grant_id: str = ""
    rotated_by: str | None = None
    rotated_at: int = 0  # epoch ms of the rotation that spent this refresh token
    successor: str = ""  # hash of the refresh token that rotation (or its latest retry) issued
    successor_access: str = ""  # hash of the access token issued with it

    def expires_in(self, now: float) -> int:
        return max(0, int(self.expires_at - now))

    def to_item(self) -> dict[str, Any]:
        return {
            "token_hash": self.token_hash,
            "kind": self.kind,
            "client_id": self.client_id,
            "scope": self.scope,
            "issued_at": self.issued_at,
            "expires_at": self.expires_at,
            "username": self.username or None,
            "grant_id": self.grant_id or None,
            "rotated_by": self.rotated_by,
        }


def key(token: str) -> tuple[str, dict[str, str]]:
    return settings().tokens_table, {"token_hash": digest(token)}


def from_item(item: dict[str, Any] | None) -> Token | None:
    if item is None:
        return None
    return Token(
        token_hash=item["token_hash"],
        kind=item.get("kind", ""),
        client_id=item.get("client_id", ""),
        scope=item.get("scope", ""),
        issued_at=int(item.get("issued_at", 0)),
        expires_at=int(item.get("expires_at", 0)),
        username=item.get("username", ""),
        grant_id=item.get("grant_id", ""),
        rotated_by=item.get("rotated_by"),
        rotated_at=int(item.get("rotated_at", 0)),
        successor=item.get("successor", ""),
        successor_access=item.get("successor_access", ""),
    )


def get_by_hash(token_hash: str) -> Token | None:
    """Strongly consistent read of a token by its stored key."""
    return from_item(dynamo.get(settings().tokens_table, {"token_hash": token_hash}))


def put(token: Token) -> None:
    dynamo.call("put_item", **put_action(token)["Put"])


def put_action(token: Token) -> dict[str, Any]:
    return {"Put": {"TableName": settings().tokens_table, "Item": dynamo.marshal(token.to_item())}}


def rotate_action(token_hash: str, request_id: str, now_ms: int, successor: str, successor_access: str
                  ) -> dict[str, Any]:
    """Mark a refresh token used and name what replaced it. The condition admits our own request id so
    that our retry of a write whose answer was lost does not look like a replay (RFC 9700 §4.14.2)."""
    return {
        "Update": {
            "TableName": settings().tokens_table,
            "Key": dynamo.marshal({"token_hash": token_hash}),
            "UpdateExpression": "SET rotated_by = :rid, rotated_at = :now, successor = :next, successor_access = :acc",
            "ConditionExpression": "attribute_exists(token_hash) AND "
            "(attribute_not_exists(rotated_by) OR rotated_by = :rid)",
            "ExpressionAttributeValues": dynamo.marshal({":rid": request_id, ":now": now_ms, ":next": successor,
                                                         ":acc": successor_access}),
        }
    }


def resupersede_action(token_hash: str, previous: str, since_ms: int, successor: str,
                       successor_access: str) -> dict[str, Any]:
    """A retry of a rotated refresh token within the reuse window: name the new successor, only if the
    one we read is still the latest and the rotation is recent enough (two retries cannot both win)."""
    return {
        "Update": {
            "TableName": settings().tokens_table,
            "Key": dynamo.marshal({"token_hash": token_hash}),
            "UpdateExpression": "SET successor = :next, successor_access = :acc",
            "ConditionExpression": "successor = :prev AND rotated_at >= :since",
            "ExpressionAttributeValues": dynamo.marshal({":prev": previous, ":since": since_ms, ":next": successor,
                                                         ":acc": successor_access}),
        }
    }


def delete_unused_action(token_hash: str) -> dict[str, Any]:
    """Delete a refresh token that was never used (a successor nobody received); fails if it was."""
    return {"Delete": {"TableName": settings().tokens_table, "Key": dynamo.marshal({"token_hash": token_hash}),
                       "ConditionExpression": "attribute_not_exists(rotated_by)"}}


def delete_action(token_hash: str) -> dict[str, Any]:
    return {"Delete": {"TableName": settings().tokens_table, "Key": dynamo.marshal({"token_hash": token_hash})}}


def delete(token_hash: str) -> None:
    dynamo.call("delete_item", **delete_action(token_hash)["Delete"])


def delete_for_grant(grant_id: str) -> tuple[int, int]:
    """Delete the tokens of a grant, 25 per BatchWriteItem, while the request's time budget allows.
    Found through the eventually consistent index; the grant's own status is what makes them invalid
    at once, so whatever is left is only clean-up that TTL finishes. Returns ``(deleted, found)``."""
    try:
        keys = dynamo.query_keys(settings().tokens_table, GRANT_INDEX, "grant_id", grant_id)
    except TemporarilyUnavailable:
        return 0, 0
    deleted = dynamo.delete_within_budget(settings().tokens_table, [{"token_hash": k["token_hash"]} for k in keys])
    return deleted, len(keys)
