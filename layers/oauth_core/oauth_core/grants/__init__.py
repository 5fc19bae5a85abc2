"""Grant types by ``grant_type`` (RFC 6749 §4). Each module has ``reads(request)``, the extra items
to fetch in the same batched read as the client, and ``issue(request, client, items)``. A grant whose
request identifies the client by itself (an assertion) also has ``client_id_from(request)`` and
``client_from(item)``, used when the request carries no client credentials, and
``signed_by_client(request, client)``, which tells the client cache whether its copy signed the
request. ``UNREGISTERED_ERROR``, if set, replaces ``unauthorized_client`` for a client not registered
for the grant."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from oauth_core.errors import UnsupportedGrantType

if TYPE_CHECKING:
    from types import ModuleType

_REGISTRY = {
    "authorization_code": "oauth_core.grants.authorization_code",
    "client_credentials": "oauth_core.grants.client_credentials",
    "password": "oauth_core.grants.password",
    "refresh_token": "oauth_core.grants.refresh_token",
    "urn:ietf:params:oauth:grant-type:jwt-bearer": "oauth_core.grants.jwt_bearer",
}
GRANT_TYPES = tuple(_REGISTRY)  # the token endpoint's grant types, as the metadata lists them


def lookup(grant_type: str) -> ModuleType:
    """The module of a supported grant type, imported on first use."""
    name = _REGISTRY.get(grant_type)
    if name is None:
        raise UnsupportedGrantType(f"grant_type {grant_type[:80]!r} is not supported")
    return importlib.import_module(name)
