"""The clients table: one item per registered client, keyed by ``client_id``; secrets only as digests."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from oauth_core.config import settings
from oauth_core.storage import client_cache, dynamo


class AlreadyExists(Exception):
    """A client with this id is already registered; nothing was overwritten."""


class NotFound(Exception):
    """No client with this id."""


class Conflict(Exception):
    """The client was changed by someone else since it was read; nothing was written."""


# What a token check reads of a client: never the secret hash or certificates (template.yaml grants the
# read-only functions these attributes only).
CHECKED_ATTRIBUTES = ("client_id", "disabled", "tokens_valid_after", "grant_max_lifetime", "tokeninfo_query",
                      "web_origins")


@dataclass(frozen=True)
class Client:
    client_id: str
    secret_hash: str | None = None
    name: str = ""
    grant_types: frozenset[str] = field(default_factory=frozenset)
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()  # where /oauth/logout may send the browser back to
    scopes: frozenset[str] = field(default_factory=frozenset)
    access_token_ttl: int | None = None
    refresh_token_ttl: int | None = None
    certificates: tuple[str, ...] = ()  # PEM, for the JWT bearer grant
    pkce_plain: bool = False  # RFC 7636 plain challenges accepted (S256 always is)
    tokeninfo_query: bool = True  # tokeninfo accepts this client's tokens in the query (the product's way)
    jwt_subjects: frozenset[str] = field(default_factory=frozenset)  # users a JWT assertion's sub may name
    jwt_any_subject: bool = False  # a trusted backend whose assertions may name any user (RFC 7521 §6.3)
    require_pkce: bool = False  # the code flow needs an S256 challenge even for a confidential client
    require_jti: bool = False  # JWT assertions without jti are refused (no replay until exp)
    grant_max_lifetime: int | None = None  # seconds a grant may live in all, refreshes included
    refresh_reuse_window: int | None = None  # seconds a rotated refresh token may be retried (0: never)
    web_origins: tuple[str, ...] = ()  # browser origins whose pages may call the endpoints for it (CORS)
    introspect_clients: frozenset[str] = field(default_factory=frozenset)  # whose tokens it may introspect
    introspect_any: bool = False  # a resource server that may introspect every client's tokens
    disabled: bool = False
    created_at: int = 0
    tokens_valid_after: int = 0  # epoch ms: tokens issued earlier are revoked (oauthctl tokens revoke)
    old_secret_hash: str | None = None  # the secret before a rotation with overlap, valid until...
    old_secret_expires_at: int = 0  # ...this epoch second (oauthctl clients rotate-secret --keep-old-for)
    revision: int = 0  # bumped by every save: an operator's write is refused if someone wrote meanwhile

    @property
    def public(self) -> bool:
        """RFC 6749 §2.1: a client without a secret cannot keep one, so it is public."""
        return self.secret_hash is None

    def to_item(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "secret_hash": self.secret_hash,
            "name": self.name,
            "grant_types": sorted(self.grant_types),
            "redirect_uris": list(self.redirect_uris),
            "post_logout_redirect_uris": list(self.post_logout_redirect_uris),
            "scopes": sorted(self.scopes),
            "access_token_ttl": self.access_token_ttl,
            "refresh_token_ttl": self.refresh_token_ttl,
            "certificates": list(self.certificates),
            "pkce_plain": self.pkce_plain,
            "tokeninfo_query": self.tokeninfo_query,
            "jwt_subjects": sorted(self.jwt_subjects),
            "jwt_any_subject": self.jwt_any_subject,
            "require_pkce": self.require_pkce,
            "require_jti": self.require_jti,
            "grant_max_lifetime": self.grant_max_lifetime,
            "refresh_reuse_window": self.refresh_reuse_window,
            "web_origins": list(self.web_origins),
            "introspect_clients": sorted(self.introspect_clients),
            "introspect_any": self.introspect_any,
            "disabled": self.disabled,
            "created_at": self.created_at,
            "tokens_valid_after": self.tokens_valid_after,
            "old_secret_hash": self.old_secret_hash,
            "old_secret_expires_at": self.old_secret_expires_at or None,
            "revision": self.revision,
        }


def key(client_id: str) -> tuple[str, dict[str, str]]:
    """``(table, key)`` for a batched read."""
    return settings().clients_table, {"client_id": client_id}


def from_item(item: dict[str, Any] | None) -> Client | None:
    if item is None:
        return None
    ttl = item.get("access_token_ttl")
    refresh_ttl = item.get("refresh_token_ttl")
    max_lifetime = item.get("grant_max_lifetime")
    reuse_window = item.get("refresh_reuse_window")
    return Client(
        client_id=item["client_id"],
        secret_hash=item.get("secret_hash"),
        name=item.get("name", ""),
        grant_types=frozenset(item.get("grant_types", ())),
        redirect_uris=tuple(item.get("redirect_uris", ())),
        post_logout_redirect_uris=tuple(item.get("post_logout_redirect_uris", ())),
        scopes=frozenset(item.get("scopes", ())),
        access_token_ttl=int(ttl) if ttl is not None else None,
        refresh_token_ttl=int(refresh_ttl) if refresh_ttl is not None else None,
        certificates=tuple(item.get("certificates", ())),
        pkce_plain=bool(item.get("pkce_plain", False)),
        tokeninfo_query=bool(item.get("tokeninfo_query", True)),
        jwt_subjects=frozenset(item.get("jwt_subjects", ())),
        jwt_any_subject=bool(item.get("jwt_any_subject", False)),
        require_pkce=bool(item.get("require_pkce", False)),
        require_jti=bool(item.get("require_jti", False)),
        grant_max_lifetime=int(max_lifetime) if max_lifetime is not None else None,
        refresh_reuse_window=int(reuse_window) if reuse_window is not None else None,
        web_origins=tuple(item.get("web_origins", ())),
        introspect_clients=frozenset(item.get("introspect_clients", ())),
        introspect_any=bool(item.get("introspect_any", False)),
        disabled=bool(item.get("disabled", False)),
        created_at=int(item.get("created_at", 0)),
        tokens_valid_after=int(item.get("tokens_valid_after", 0)),
        old_secret_hash=item.get("old_secret_hash"),
        old_secret_expires_at=int(item.get("old_secret_expires_at", 0)),
        revision=int(item.get("revision", 0)),
    )


def get(client_id: str) -> Client | None:
    return from_item(dynamo.get(*key(client_id)))


def create(client: Client) -> None:
    """Register a new client; refuses (``AlreadyExists``) to overwrite one with the same id."""
    try:
        dynamo.put_if(settings().clients_table, client.to_item(), "client_id", exists=False)
    except dynamo.ConditionFailed:
        raise AlreadyExists(client.client_id) from None
    finally:
        client_cache.forget(client.client_id)


def save(client: Client) -> Client:
    """Replace the client's item as read (``client.revision``), with the next revision, which it returns.
    ``NotFound`` if it was deleted meanwhile, ``Conflict`` if someone else saved it meanwhile."""
    saved = replace(client, revision=client.revision + 1)
    try:
        dynamo.save_revision(settings().clients_table, saved.to_item(), "client_id", client.revision)
    except dynamo.ConditionFailed as exc:
        raise (NotFound if exc.item is None else Conflict)(client.client_id) from None
    finally:
        client_cache.forget(client.client_id)
    return saved


def delete(client_id: str) -> None:
    try:
        dynamo.delete_existing(settings().clients_table, {"client_id": client_id})
    except dynamo.ConditionFailed:
        raise NotFound(client_id) from None
    finally:
        client_cache.forget(client_id)


def list_all() -> list[Client]:
    clients = [from_item(item) for item in dynamo.scan(settings().clients_table)]
    return sorted((c for c in clients if c is not None), key=lambda c: c.client_id)
