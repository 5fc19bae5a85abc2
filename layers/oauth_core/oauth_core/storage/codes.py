"""The codes table: single-use values (authorization codes and JWT ``jti``), keyed by the SHA-256 of
what they protect and kept until they expire (``expires_at``, the TTL attribute, epoch seconds)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_core.config import settings
from oauth_core.hashing import digest
from oauth_core.storage import actions, model

JTI = "jti"
CODE = "code"


def _hash(kind: str, value: str) -> str:
    return digest(f"{kind}\x1f{value}")


def consume_action(kind: str, value: str, expires_at: int, request_id: str, now: int) -> dict[str, Any]:
    """A conditional put that succeeds once per value. It admits our own request id (our retry of
    a lost success) and an item past its expiry that TTL has not deleted yet."""
    return actions.put(settings().codes_table, {"code_hash": _hash(kind, value), "kind": kind, "expires_at": expires_at,
                                                "consumed_by": request_id},
                       condition="attribute_not_exists(code_hash) OR consumed_by = :rid OR expires_at < :now",
                       values={":rid": request_id, ":now": now})


@dataclass(frozen=True)
class AuthorizationCode(model.Record):
    """What the user approved, waiting for the client to redeem it (RFC 6749 §4.1.2)."""

    code_hash: str = model.key()
    kind: str = model.constant(CODE)
    client_id: str = model.text()
    username: str = model.text()
    scope: str = model.text()
    redirect_uri: str = model.text()  # "" when the authorization request had none (RFC 6749 §4.1.3)
    code_challenge: str = model.text()
    code_challenge_method: str = model.text()
    issued_at_ms: int = model.number(stored="issued_at")
    expires_at: int = model.number()
    consumed_by: str = model.text("", written=False)  # request id of the redemption
    grant_id: str = model.text("", written=False)  # the grant that redemption created


def code_hash(code: str) -> str:
    return _hash(CODE, code)


def key(code: str) -> tuple[str, dict[str, str]]:
    return settings().codes_table, {"code_hash": code_hash(code)}


def from_item(item: dict[str, Any] | None) -> AuthorizationCode | None:
    if item is None or item.get("kind") != CODE:
        return None
    return model.from_item(AuthorizationCode, item)


def put_action(code: AuthorizationCode) -> dict[str, Any]:
    return actions.put(settings().codes_table, code.to_item(), condition="attribute_not_exists(code_hash)")


def redeem_action(hash_: str, request_id: str, grant_id: str) -> dict[str, Any]:
    """Mark the code used by this request and name the grant it produced, once. Our own request id
    passes again, so our retry of a lost success is not taken for a replay."""
    return actions.update(settings().codes_table, {"code_hash": hash_}, "SET consumed_by = :rid, grant_id = :gid",
                          {":rid": request_id, ":gid": grant_id},
                          condition="attribute_exists(code_hash) AND "
                                    "(attribute_not_exists(consumed_by) OR consumed_by = :rid)")
