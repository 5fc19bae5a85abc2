"""RFC 6749 §6 with rotation: each refresh token works once; a reused one revokes its whole grant
(RFC 9700 §4.14.2), since either the client or an attacker holds a copy, unless it is a retry within the
client's reuse window (``RefreshTokenReuseWindow``, off by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from oauth_core import audit, issuance, lookup, observability, revocation, scopes, token_format
from oauth_core.config import settings
from oauth_core.errors import InvalidGrant, InvalidScope, Replayed, TemporarilyUnavailable
from oauth_core.grants import GrantType
from oauth_core.storage import dynamo, tokens

if TYPE_CHECKING:
    from oauth_core.http import Request
    from oauth_core.storage.clients import Client
    from oauth_core.storage.dynamo import Items, Reads
    from oauth_core.storage.grants import Grant

_REUSED = "refresh token was already used; the grant has been revoked"
_RETRY_ATTEMPTS = 4


def reads(request: Request) -> Reads:
    raw = request.param("refresh_token")
    try:
        return lookup.reads(raw)[1] if raw else {}
    except lookup.Inactive:
        return {}


def issue(request: Request, client: Client, items: Items) -> issuance.Issued:
    raw = request.required("refresh_token")
    ref = token_format.parse(raw)
    if ref is None:
        raise InvalidGrant("malformed refresh token")
    if ref.client_id != client.client_id:
        raise InvalidGrant("refresh token was issued to another client")
    try:
        active = lookup.check(ref, items, tokens.REFRESH)
    except lookup.Inactive as exc:
        raise InvalidGrant(exc.reason) from None
    old, grant = active.token, active.grant
    if grant is None:  # never: a refresh token is always issued with its grant (issuance.grant_tokens)
        raise InvalidGrant("the grant of this token was revoked")
    if old.rotated_by and old.rotated_by != request.request_id:
        return _retried(request, client, grant, old, old)
    grant_scope = _still_registered(old.scope, client)
    scope = _narrowed(request.param("scope"), grant_scope)
    try:
        return issuance.rotated_tokens(client, old, grant, grant_scope, scope, request.request_id)
    except dynamo.TransactionRefused as refused:
        if issuance.GRANT_ACTIVE in refused.failed:
            raise InvalidGrant("the grant of this refresh token was revoked") from None
        # Rotated meanwhile by another request: a concurrent use, a retry or a copy.
        return _retried(request, client, grant, old, tokens.get_by_hash(old.token_hash))


def _retried(request: Request, client: Client, grant: Grant, presented: tokens.Token, old: tokens.Token | None
             ) -> issuance.Issued:
    """A refresh token presented again after its rotation. Within the client's reuse window, and only
    while the pair that rotation issued was never used, it is a retry (a lost answer, two threads of one
    app): it gets a new pair and the earlier pair stops working, so the chain never forks. Otherwise
    either the client or a thief holds a copy, and the grant is revoked (RFC 9700 §4.14.2)."""
    window = client.refresh_reuse_window if client.refresh_reuse_window is not None else \
        settings().refresh_reuse_window
    for _ in range(_RETRY_ATTEMPTS):
        since_ms = issuance.now_ms() - window * 1000
        if old is None or not window or not (old.successor and old.successor_access) or old.rotated_at_ms < since_ms:
            _reuse(presented)
        grant_scope = _still_registered(old.scope, client)
        scope = _narrowed(request.param("scope"), grant_scope)
        try:
            issued = issuance.rotated_tokens(client, old, grant, grant_scope, scope, request.request_id,
                                             retry_since_ms=since_ms)
        except dynamo.TransactionRefused as refused:
            if issuance.UNUSED_SUCCESSOR in refused.failed:
                _reuse(old)  # the pair it would replace was used: the client has moved on, this is a copy
            if issuance.GRANT_ACTIVE in refused.failed:
                raise InvalidGrant("the grant of this refresh token was revoked") from None
            old = tokens.get_by_hash(old.token_hash)  # another retry got there first: look again
            continue
        observability.count("RefreshRetries", "result", "within_window")
        return issued
    # Contention, not a verdict on the grant: the client keeps its refresh token and tries again.
    raise TemporarilyUnavailable("this refresh token is being retried concurrently; retry in a moment")


def _still_registered(granted: str, client: Client) -> str:
    """The grant's scopes the client is registered for now: one an operator took off the client's
    registration is not issued again (RFC 6749 §6: never more than the client may have)."""
    kept = [s for s in granted.split() if s in client.scopes]
    if granted and not kept:
        raise InvalidScope("none of this grant's scopes is registered for the client any more")
    return " ".join(kept)


def _narrowed(raw: str | None, granted: str) -> str:
    """RFC 6749 §6: a refresh may narrow the scope, never widen it."""
    requested = scopes.parse(raw)
    if requested is None:
        return granted
    allowed = set(granted.split())
    refused = [s for s in requested if s not in allowed]
    if refused:
        raise InvalidScope(f"scope exceeds the original grant: {' '.join(refused)[:200]}")
    return " ".join(requested)


def _reuse(old: tokens.Token) -> NoReturn:
    revocation.revoke_grant(old.grant_id, "refresh token reuse")
    audit.event("replay_detected", "refused", user=old.username or None, client_id=old.client_id,
                reason="refresh token reused; its grant was revoked", grant_type="refresh_token")
    raise Replayed(_REUSED)


GRANT = GrantType("refresh_token", reads, issue)
