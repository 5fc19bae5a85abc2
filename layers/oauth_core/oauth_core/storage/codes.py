"""The codes table: single-use values (JWT ``jti`` now; authorization codes later), keyed by the SHA-256
of what they protect and kept until they expire (``expires_at``, the TTL attribute)."""

from __future__ import annotations

from typing import Any

from oauth_core.config import settings
from oauth_core.hashing import digest
from oauth_core.storage import dynamo

JTI = "jti"


def consume_action(kind: str, value: str, expires_at: int, request_id: str, now: int) -> dict[str, Any]:
    """A conditional put that succeeds once per value. It admits our own request id (a botocore retry of
    a lost success) and an item past its expiry that TTL has not deleted yet."""
    return {
        "Put": {
            "TableName": settings().codes_table,
            "Item": dynamo.marshal({"code_hash": digest(f"{kind}\x1f{value}"), "kind": kind,
                                    "expires_at": expires_at, "consumed_by": request_id}),
            "ConditionExpression": "attribute_not_exists(code_hash) OR consumed_by = :rid OR expires_at < :now",
            "ExpressionAttributeValues": dynamo.marshal({":rid": request_id, ":now": now}),
        }
    }
