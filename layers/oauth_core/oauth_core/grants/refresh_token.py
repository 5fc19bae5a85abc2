"""RFC 6749 §6 with rotation: each refresh token works once; a reused one revokes its whole grant
(RFC 9700 §4.14.2), since either the client or an attacker holds a copy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oauth_core import issuance, lookup, revocation, scopes, token_format
from oauth_core.errors import InvalidGrant, InvalidScope, Replayed
from oauth_core.storage import dynamo, tokens

if TYPE_CHECKING:
    from oauth_core.http import Request
    from oauth_core.storage.clients import Client

_REUSED = "refresh token was already used; the grant has been revoked"


def reads(request: Request) -> dict[str, Any]:
    raw = request.param("refresh_token")
    try:
        return lookup.reads(raw)[1] if raw else {}
    except lookup.Inactive:
        return {}


def issue(request: Request, client: Client, items: dict[str, Any]) -> issuance.Issued:
    raw = request.required("refresh_token")
    ref = token_format.parse(raw)
    if ref is None:
        raise InvalidGrant("malformed refresh token")
    if ref.client_id != client.client_id:
        raise InvalidGrant("refresh token was issued to another client")
    try:
        old = lookup.check(ref, items, tokens.REFRESH).token
    except lookup.Inactive as exc:
        raise InvalidGrant(exc.reason) from None
    if old.rotated_by and old.rotated_by != request.request_id:
        _reuse(old)
    scope = _narrowed(request.param("scope"), old.scope, client)
    try:
        return issuance.rotated_tokens(client, old, old.scope, scope, request.request_id)
    except dynamo.TransactionRefused as refused:
        if issuance.ROTATED in refused.failed:
            _reuse(old)  # spent meanwhile by another request: a concurrent reuse
        if issuance.GRANT_ACTIVE in refused.failed:
            raise InvalidGrant("the grant of this refresh token was revoked") from None
        raise


def _narrowed(raw: str | None, granted: str, client: Client) -> str:
    """RFC 6749 §6: a refresh may narrow the scope, never widen it."""
    requested = scopes.parse(raw)
    if requested is None:
        return granted
    allowed = set(granted.split()) & set(client.scopes)
    refused = [s for s in requested if s not in allowed]
    if refused:
        raise InvalidScope(f"scope exceeds the original grant: {' '.join(refused)[:200]}")
    return " ".join(requested)


def _reuse(old: tokens.Token) -> None:
    revocation.revoke_grant(old.grant_id, "refresh token reuse")
    raise Replayed(_REUSED)
