"""The codes table: single-use values (authorization codes and JWT ``jti``), keyed by the SHA-256 of
what they protect and kept until they expire (``expires_at``, the TTL attribute, epoch seconds)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_core.config import settings
from oauth_core.hashing import digest
from oauth_core.storage import dynamo

JTI = "jti"
CODE = "code"


def _hash(kind: str, value: str) -> str:
    return digest(f"{kind}\x1f{value}")


def consume_action(kind: str, value: str, expires_at: int, request_id: str, now: int) -> dict[str, Any]:
    """A conditional put that succeeds once per value. It admits our own request id (our retry of
    a lost success) and an item past its expiry that TTL has not deleted yet."""
    return {
        "Put": {
            "TableName": settings().codes_table,
            "Item": dynamo.marshal({"code_hash": _hash(kind, value), "kind": kind,
                                    "expires_at": expires_at, "consumed_by": request_id}),
            "ConditionExpression": "attribute_not_exists(code_hash) OR consumed_by = :rid OR expires_at < :now",
            "ExpressionAttributeValues": dynamo.marshal({":rid": request_id, ":now": now}),
        }
    }


@dataclass(frozen=True)
class AuthorizationCode:
    """What the user approved, waiting for the client to redeem it (RFC 6749 §4.1.2)."""

    code_hash: str
    client_id: str
    username: str
    scope: str
    redirect_uri: str  # "" when the authorization request had none (RFC 6749 §4.1.3)
    code_challenge: str
    code_challenge_method: str
    issued_at: int  # epoch ms
    expires_at: int  # epoch s
    consumed_by: str = ""  # request id of the redemption
    grant_id: str = ""  # the grant that redemption created

    def to_item(self) -> dict[str, Any]:
        return {
            "code_hash": self.code_hash,
            "kind": CODE,
            "client_id": self.client_id,
            "username": self.username,
            "scope": self.scope,
            "redirect_uri": self.redirect_uri,
            "code_challenge": self.code_challenge,
            "code_challenge_method": self.code_challenge_method,
            "issued_at": self.issued_at,
            "expires_at": self.expires_at,
        }


def code_hash(code: str) -> str:
    return _hash(CODE, code)


def key(code: str) -> tuple[str, dict[str, str]]:
    return settings().codes_table, {"code_hash": code_hash(code)}


def from_item(item: dict[str, Any] | None) -> AuthorizationCode | None:
    if item is None or item.get("kind") != CODE:
        return None
    return AuthorizationCode(
        code_hash=item["code_hash"],
        client_id=item.get("client_id", ""),
        username=item.get("username", ""),
        scope=item.get("scope", ""),
        redirect_uri=item.get("redirect_uri", ""),
        code_challenge=item.get("code_challenge", ""),
        code_challenge_method=item.get("code_challenge_method", ""),
        issued_at=int(item.get("issued_at", 0)),
        expires_at=int(item.get("expires_at", 0)),
        consumed_by=item.get("consumed_by", ""),
        grant_id=item.get("grant_id", ""),
    )


def put_action(code: AuthorizationCode) -> dict[str, Any]:
    return {"Put": {"TableName": settings().codes_table, "Item": dynamo.marshal(code.to_item()),
                    "ConditionExpression": "attribute_not_exists(code_hash)"}}


def redeem_action(hash_: str, request_id: str, grant_id: str) -> dict[str, Any]:
    """Mark the code used by this request and name the grant it produced, once. Our own request id
    passes again, so our retry of a lost success is not taken for a replay."""
    return {
        "Update": {
            "TableName": settings().codes_table,
            "Key": dynamo.marshal({"code_hash": hash_}),
            "UpdateExpression": "SET consumed_by = :rid, grant_id = :gid",
            "ConditionExpression": "attribute_exists(code_hash) AND "
                                   "(attribute_not_exists(consumed_by) OR consumed_by = :rid)",
            "ExpressionAttributeValues": dynamo.marshal({":rid": request_id, ":gid": grant_id}),
        }
    }
