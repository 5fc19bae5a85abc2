"""Grant types (RFC 6749 §4): the one registry, and the contract each grant module declares.

A grant module ends with ``GRANT = GrantType(...)``: every part is a field, so ``mypy --strict`` checks
each function against it and the token endpoint never asks a module what it happens to have. Modules are
imported on first use: a client_credentials request never loads ``jwt`` or ``cryptography``."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from oauth_core.errors import UnauthorizedClient, UnsupportedGrantType

if TYPE_CHECKING:
    from collections.abc import Callable

    from oauth_core.errors import OAuthError
    from oauth_core.http import Request
    from oauth_core.issuance import Issued
    from oauth_core.storage.clients import Client
    from oauth_core.storage.dynamo import Items, Reads

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class Registered(NamedTuple):
    module: str | None  # under oauth_core.grants; None: the grant has no token request
    short: str | None = None  # oauthctl's table column


# One line per grant type a client may be registered for (RFC 7591 §2 grant_types).
REGISTRY = {
    "authorization_code": Registered("authorization_code", short="code"),
    "implicit": Registered(None),  # RFC 6749 §4.2: response_type=token at the authorization endpoint
    "client_credentials": Registered("client_credentials", short="client"),
    "password": Registered("password"),
    "refresh_token": Registered("refresh_token", short="refresh"),
    JWT_BEARER: Registered("jwt_bearer", short="jwt-bearer"),
}
REGISTRABLE = tuple(REGISTRY)  # what a client may be registered for, as the metadata lists them
GRANT_TYPES = tuple(g for g, r in REGISTRY.items() if r.module)  # the token endpoint's
SHORT_NAMES = {g: r.short for g, r in REGISTRY.items() if r.short}


@dataclass(frozen=True)
class ClientAssertion:
    """RFC 7523 §3.1: the grant's assertion names and authenticates the client, so a request may carry no
    client credentials. ``signed_by_client`` tells the client cache whether its copy signed the request."""

    client_id_from: Callable[[Request], str]
    client_from: Callable[[dict[str, Any] | None], Client]
    signed_by_client: Callable[[Request, Client | None], bool]


@dataclass(frozen=True)
class GrantType:
    """``reads``: the items to fetch in the same batched read as the client; ``issue``: the tokens.
    ``unregistered_error`` answers a client not registered for the grant (RFC 6749 §5.2)."""

    grant_type: str
    reads: Callable[[Request], Reads]
    issue: Callable[[Request, Client, Items], Issued]
    unregistered_error: type[OAuthError] = UnauthorizedClient
    client_assertion: ClientAssertion | None = None


def lookup(grant_type: str) -> GrantType:
    """The grant of a grant type the token endpoint serves, its module imported on first use."""
    registered = REGISTRY.get(grant_type)
    if registered is None or registered.module is None:
        raise UnsupportedGrantType(f"grant_type {grant_type[:80]!r} is not supported")
    grant: GrantType = importlib.import_module(f"{__name__}.{registered.module}").GRANT
    return grant
