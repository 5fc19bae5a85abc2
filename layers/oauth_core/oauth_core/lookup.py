"""Is this token active? One strongly consistent batched read of token, grant, client and user.

The token's ref names the keys, so a resource check costs one DynamoDB round trip. Expiry is checked
here because DynamoDB TTL deletes items lazily, days late at worst.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from oauth_core import token_format
from oauth_core.config import settings
from oauth_core.storage import client_cache, clients, grants, tokens, users

if TYPE_CHECKING:
    from oauth_core.storage.clients import Client
    from oauth_core.storage.dynamo import Items, Reads
    from oauth_core.storage.grants import Grant
    from oauth_core.storage.tokens import Token
    from oauth_core.storage.users import User
    from oauth_core.token_format import TokenRef


class Inactive(Exception):
    """The token cannot be used; ``reason`` is for the log and for an honest error_description."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ActiveToken:
    token: Token
    client: Client
    grant: Grant | None
    user: User | None


def grant_max_lifetime(client: Client) -> int:
    return client.grant_max_lifetime or settings().grant_max_lifetime


def grant_ends_at(grant: Grant, client: Client) -> int:
    """Epoch seconds after which no token of the grant works, however often it was refreshed. Taken
    from the settings now, so shortening the lifetime also ends older grants sooner."""
    return grant.created_at + grant_max_lifetime(client)


def fetch(wanted: Reads) -> Items:
    """The one strongly consistent read of a token check, reading of the client and the user only what
    the check needs: the read-only functions may read no password hash or client secret hash."""
    config = settings()
    return client_cache.batch_get(wanted, projections={config.users_table: users.CHECKED_ATTRIBUTES,
                                                 config.clients_table: clients.CHECKED_ATTRIBUTES})


def reads(raw: str) -> tuple[TokenRef, dict[str, tuple[str, dict[str, str]]]]:
    """The ref of ``raw`` and the keys to fetch for it; ``Inactive`` for a malformed token."""
    ref = token_format.parse(raw)
    if ref is None:
        raise Inactive("malformed token")
    wanted = {"token": tokens.key(raw), "token_client": clients.key(ref.client_id)}
    if ref.grant_id:
        wanted["grant"] = grants.key(ref.grant_id)
    if ref.username:
        wanted["user"] = users.key(ref.username)
    return ref, wanted


def check(ref: TokenRef, items: Items, kind: str, now: float | None = None) -> ActiveToken:
    """Validate the fetched items; raise ``Inactive`` with the first reason the token fails."""
    now = time.time() if now is None else now
    token = tokens.from_item(items.get("token"))
    if token is None:
        raise Inactive("unknown, revoked or expired token")
    if token.kind != kind:
        raise Inactive(f"not an {kind} token" if kind == tokens.ACCESS else f"not a {kind} token")
    if (token.client_id, token.username, token.grant_id) != (ref.client_id, ref.username, ref.grant_id):
        raise Inactive("unknown, revoked or expired token")
    if token.expires_at <= now:
        raise Inactive("token expired")
    client = clients.from_item(items.get("token_client"))
    if client is None or client.disabled:
        raise Inactive("the client of this token is disabled or deleted")
    if token.issued_at_ms < client.tokens_valid_after_ms:
        raise Inactive("the tokens of this client were revoked")
    user = users.from_item(items.get("user")) if ref.username else None
    if ref.username and (user is None or user.disabled):
        raise Inactive("the user of this token is disabled or deleted")
    if user is not None and token.issued_at_ms < user.tokens_valid_after_ms:
        raise Inactive("the tokens of this user were revoked")
    grant = grants.from_item(items.get("grant")) if ref.grant_id else None
    if ref.grant_id and (grant is None or not grant.active or grant.expires_at <= now):
        raise Inactive("the grant of this token was revoked")
    if grant is not None and grant_ends_at(grant, client) <= now:
        raise Inactive("the grant of this token reached its maximum lifetime")
    return ActiveToken(token=token, client=client, grant=grant, user=user)
