"""Minting and storing token sets.

A client-credentials token is one ``PutItem`` with no grant (the cheapest path we sell). Tokens on a
user's behalf belong to a grant and are written with it in one transaction, so there is never a
grant without its tokens or the reverse.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oauth_core import lookup, token_format
from oauth_core.config import settings
from oauth_core.errors import InvalidGrant
from oauth_core.hashing import digest, random_secret
from oauth_core.storage import dynamo, grants, tokens

if TYPE_CHECKING:
    from collections.abc import Mapping

    from oauth_core.storage.clients import Client


# Names of the conditional actions of a rotation, as ``TransactionRefused.failed`` reports them.
ROTATED = "rotated_refresh_token"
GRANT_ACTIVE = "grant"
UNUSED_SUCCESSOR = "unused_successor"  # a retry within the reuse window replaces a pair nobody used


@dataclass(frozen=True)
class Issued:
    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None = None
    username: str = ""  # on whose behalf (for the audit trail; never in the response)

    def body(self) -> dict[str, Any]:
        """RFC 6749 §5.1; ``expires_in`` is an integer, ``scope`` present because it may differ."""
        body: dict[str, Any] = {"access_token": self.access_token, "token_type": "Bearer",
                                "expires_in": self.expires_in}
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        if self.scope:
            body["scope"] = self.scope
        return body


def now_ms() -> int:
    """Epoch milliseconds: when tokens and codes are issued (``tokens_valid_after_ms`` is compared with it)."""
    return int(time.time() * 1000)


def new_grant_id() -> str:
    return random_secret(16)


def access_ttl(client: Client) -> int:
    return client.access_token_ttl or settings().access_token_ttl


def refresh_ttl(client: Client) -> int:
    return client.refresh_token_ttl or settings().refresh_token_ttl


def _token(raw: str, kind: str, client: Client, scope: str, now_ms: int, ttl: int,
           username: str = "", grant_id: str = "") -> tokens.Token:
    return tokens.Token(token_hash=digest(raw), kind=kind, client_id=client.client_id, scope=scope,
                        issued_at_ms=now_ms, expires_at=now_ms // 1000 + ttl, username=username, grant_id=grant_id)


def client_token(client: Client, scope: str, *, extra: Mapping[str, dict[str, Any]] | None = None,
                 request_token: str | None = None) -> Issued:
    """A token the client holds on its own behalf: no grant, no refresh token. One PutItem, or one
    transaction when ``extra`` actions (a single-use ``jti``), named by what they write, must succeed with it."""
    issued_ms, ttl = now_ms(), access_ttl(client)
    raw = token_format.mint(token_format.TokenRef(client.client_id))
    token = _token(raw, tokens.ACCESS, client, scope, issued_ms, ttl)
    if extra:
        dynamo.transact_write({**extra, "access_token": tokens.put_action(token)}, request_token)
    else:
        tokens.put(token)
    return Issued(raw, ttl, scope)


def grant_tokens(client: Client, username: str, scope: str, grant_type: str, *, with_refresh: bool,
                 request_token: str, extra: Mapping[str, dict[str, Any]] | None = None,
                 grant_id: str = "") -> Issued:
    """A new grant and its first access (and refresh) token, with ``extra`` actions (named by what they
    write), all or nothing. ``grant_id`` is chosen by the caller when an ``extra`` action must name it."""
    issued_ms, max_lifetime = now_ms(), lookup.grant_max_lifetime(client)
    ttl, rttl = min(access_ttl(client), max_lifetime), min(refresh_ttl(client), max_lifetime)
    grant_id = grant_id or new_grant_id()
    ref = token_format.TokenRef(client.client_id, username, grant_id)
    access = token_format.mint(ref)
    refresh = token_format.mint(ref) if with_refresh else None
    lifetime = max(ttl, rttl) if refresh else ttl
    actions = {
        **(extra or {}),
        "grant": grants.put_action(grants.Grant(grant_id=grant_id, client_id=client.client_id, scope=scope,
                                                expires_at=issued_ms // 1000 + lifetime, username=username,
                                                grant_type=grant_type, created_at=issued_ms // 1000)),
        "access_token": tokens.put_action(_token(access, tokens.ACCESS, client, scope, issued_ms, ttl, username,
                                                 grant_id)),
    }
    if refresh:
        actions["refresh_token"] = tokens.put_action(
            _token(refresh, tokens.REFRESH, client, scope, issued_ms, rttl, username, grant_id))
    dynamo.transact_write(actions, request_token)
    return Issued(access, ttl, scope, refresh, username)


def rotated_tokens(client: Client, old: tokens.Token, grant: grants.Grant, grant_scope: str, scope: str,
                   request_id: str, retry_since_ms: int | None = None) -> Issued:
    """RFC 6749 §6 with rotation: mark the old refresh token used and store its successor atomically.
    Neither token outlives the grant's absolute lifetime (``GrantMaxLifetime``). With ``retry_since_ms``,
    ``old`` was rotated already and is retried within the reuse window: its latest successor
    pair, if never used, is replaced by the new one."""
    issued_ms = now_ms()
    remaining = lookup.grant_ends_at(grant, client) - issued_ms // 1000
    if remaining <= 0:
        raise InvalidGrant("the grant reached its maximum lifetime: the user must sign in again")
    ttl, rttl = min(access_ttl(client), remaining), min(refresh_ttl(client), remaining)
    ref = token_format.TokenRef(client.client_id, old.username, old.grant_id)
    access, refresh = token_format.mint(ref), token_format.mint(ref)
    access_item = _token(access, tokens.ACCESS, client, scope, issued_ms, ttl, old.username, old.grant_id)
    refresh_item = _token(refresh, tokens.REFRESH, client, grant_scope, issued_ms, rttl, old.username, old.grant_id)
    if retry_since_ms is None:
        spend = {ROTATED: tokens.rotate_action(old.token_hash, request_id, issued_ms, refresh_item.token_hash,
                                               access_item.token_hash)}
    else:  # a retry within the reuse window: the answer it replaces stops working, nothing else changes
        spend = {ROTATED: tokens.resupersede_action(old.token_hash, old.successor, retry_since_ms,
                                                    refresh_item.token_hash, access_item.token_hash),
                 UNUSED_SUCCESSOR: tokens.delete_unused_action(old.successor),
                 "replaced_access_token": tokens.delete_action(old.successor_access)}
    dynamo.transact_write({
        **spend,
        "access_token": tokens.put_action(access_item),
        "refresh_token": tokens.put_action(refresh_item),
        GRANT_ACTIVE: grants.extend_action(old.grant_id, issued_ms // 1000 + max(ttl, rttl)),
    }, request_id if retry_since_ms is None else digest(f"{request_id}\x1f{old.successor}")[:36])
    return Issued(access, ttl, scope, refresh, old.username)
