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
from oauth_core.storage import actions, dynamo, model

ACCESS = "access"
REFRESH = "refresh"
GRANT_INDEX = "by-grant"


@dataclass(frozen=True)
class Token(model.Record):
    """An access or refresh token as stored: its hash, never the token (RFC 6749 §10.3, §10.4); the
    rotation's fields are written by ``rotate_action`` / ``resupersede_action`` only."""

    token_hash: str = model.key()
    kind: str = model.text()
    client_id: str = model.text()
    scope: str = model.text()
    issued_at_ms: int = model.number(stored="issued_at")
    expires_at: int = model.number()  # the TTL attribute
    username: str = model.text("", omit_empty=True)
    grant_id: str = model.text("", omit_empty=True)  # the sparse by-grant index's key
    rotated_by: str | None = model.optional_text()
    # Set by the rotation that spent this refresh token: when, the hash of the refresh token it (or its
    # latest retry) issued, and the hash of the access token issued with it.
    rotated_at_ms: int = model.number(0, stored="rotated_at", written=False)
    successor: str = model.text("", written=False)
    successor_access: str = model.text("", written=False)

    def expires_in(self, now: float) -> int:
        return max(0, int(self.expires_at - now))


def key(token: str) -> tuple[str, dict[str, str]]:
    return settings().tokens_table, {"token_hash": digest(token)}


def from_item(item: dict[str, Any] | None) -> Token | None:
    return None if item is None else model.from_item(Token, item)


def get_by_hash(token_hash: str) -> Token | None:
    """Strongly consistent read of a token by its stored key."""
    return from_item(dynamo.get(settings().tokens_table, {"token_hash": token_hash}))


def put(token: Token) -> None:
    actions.run(put_action(token))


def put_action(token: Token) -> dict[str, Any]:
    return actions.put(settings().tokens_table, token.to_item())


def rotate_action(token_hash: str, request_id: str, now_ms: int, successor: str, successor_access: str
                  ) -> dict[str, Any]:
    """Mark a refresh token used and name what replaced it. The condition admits our own request id so
    that our retry of a write whose answer was lost does not look like a replay (RFC 9700 §4.14.2)."""
    return actions.update(
        settings().tokens_table, {"token_hash": token_hash},
        "SET rotated_by = :rid, rotated_at = :now, successor = :next, successor_access = :acc",
        {":rid": request_id, ":now": now_ms, ":next": successor, ":acc": successor_access},
        condition="attribute_exists(token_hash) AND (attribute_not_exists(rotated_by) OR rotated_by = :rid)")


def resupersede_action(token_hash: str, previous: str, since_ms: int, successor: str,
                       successor_access: str) -> dict[str, Any]:
    """A retry of a rotated refresh token within the reuse window: name the new successor, only if the
    one we read is still the latest and the rotation is recent enough (two retries cannot both win)."""
    return actions.update(settings().tokens_table, {"token_hash": token_hash},
                          "SET successor = :next, successor_access = :acc",
                          {":prev": previous, ":since": since_ms, ":next": successor, ":acc": successor_access},
                          condition="successor = :prev AND rotated_at >= :since")


def delete_unused_action(token_hash: str) -> dict[str, Any]:
    """Delete a refresh token that was never used (a successor nobody received); fails if it was."""
    return actions.delete(settings().tokens_table, {"token_hash": token_hash},
                          condition="attribute_not_exists(rotated_by)")


def delete_action(token_hash: str) -> dict[str, Any]:
    return actions.delete(settings().tokens_table, {"token_hash": token_hash})


def delete(token_hash: str) -> None:
    actions.run(delete_action(token_hash))


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
