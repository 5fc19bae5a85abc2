"""The clients table: one item per registered client, keyed by ``client_id``; secrets only as digests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_core.config import settings
from oauth_core.storage import client_cache, model, operated


@dataclass(frozen=True)
class Client(model.Record):
    client_id: str = model.key()
    secret_hash: str | None = model.optional_text()
    name: str = model.text("")
    grant_types: frozenset[str] = model.string_set()
    redirect_uris: tuple[str, ...] = model.string_list()
    post_logout_redirect_uris: tuple[str, ...] = model.string_list()  # where /oauth/logout may send the browser
    scopes: frozenset[str] = model.string_set()
    access_token_ttl: int | None = model.optional_number()
    refresh_token_ttl: int | None = model.optional_number()
    certificates: tuple[str, ...] = model.string_list()  # PEM, for the JWT bearer grant
    pkce_plain: bool = model.flag()  # RFC 7636 plain challenges accepted (S256 always is)
    tokeninfo_query: bool = model.flag(True)  # tokeninfo accepts this client's tokens in the query (the product's way)
    jwt_subjects: frozenset[str] = model.string_set()  # users a JWT assertion's sub may name
    jwt_any_subject: bool = model.flag()  # a trusted backend whose assertions may name any user (RFC 7521 §6.3)
    require_pkce: bool = model.flag()  # the code flow needs an S256 challenge even for a confidential client
    require_jti: bool = model.flag()  # JWT assertions without jti are refused (no replay until exp)
    grant_max_lifetime: int | None = model.optional_number()  # seconds a grant may live in all, refreshes included
    refresh_reuse_window: int | None = model.optional_number()  # seconds a rotated refresh token may be retried
    web_origins: tuple[str, ...] = model.string_list()  # browser origins whose pages may call the endpoints (CORS)
    introspect_clients: frozenset[str] = model.string_set()  # whose tokens it may introspect
    introspect_any: bool = model.flag()  # a resource server that may introspect every client's tokens
    disabled: bool = model.flag()
    created_at: int = model.number(0)
    # Tokens issued earlier are revoked (oauthctl tokens revoke).
    tokens_valid_after_ms: int = model.number(0, stored="tokens_valid_after")
    old_secret_hash: str | None = model.optional_text()  # the secret before a rotation with overlap, valid until...
    old_secret_expires_at: int = model.number(0, omit_zero=True)  # ...then (clients rotate-secret --keep-old-for)
    revision: int = model.number(0)  # bumped by every save: an operator's write is refused if someone wrote meanwhile

    @property
    def public(self) -> bool:
        """RFC 6749 §2.1: a client without a secret cannot keep one, so it is public."""
        return self.secret_hash is None


# What a token check reads of a client: never the secret hash or certificates (template.yaml grants the
# read-only functions these attributes only).
CHECKED_ATTRIBUTES = model.attributes(Client, "client_id", "disabled", "tokens_valid_after_ms", "grant_max_lifetime",
                                      "tokeninfo_query", "web_origins")


def key(client_id: str) -> tuple[str, dict[str, str]]:
    """``(table, key)`` for a batched read."""
    return settings().clients_table, {"client_id": client_id}


def from_item(item: dict[str, Any] | None) -> Client | None:
    return None if item is None else model.from_item(Client, item)


_TABLE = operated.Table(__name__, "client", Client, lambda: settings().clients_table, "client_id",
                        written=client_cache.forget)
AlreadyExists, NotFound, Conflict = _TABLE.AlreadyExists, _TABLE.NotFound, _TABLE.Conflict
get, create, save, delete, list_all = _TABLE.get, _TABLE.create, _TABLE.save, _TABLE.delete, _TABLE.list_all
