"""RFC 6749 §4.4: a confidential client's own token; no refresh token, no grant record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oauth_core import issuance, scopes
from oauth_core.errors import UnauthorizedClient
from oauth_core.grants import GrantType

if TYPE_CHECKING:
    from oauth_core.http import Request
    from oauth_core.storage.clients import Client
    from oauth_core.storage.dynamo import Items, Reads


def reads(request: Request) -> Reads:
    return {}


def issue(request: Request, client: Client, items: Items) -> issuance.Issued:
    if client.public:
        raise UnauthorizedClient("client_credentials requires a confidential client")
    return issuance.client_token(client, scopes.resolve(request.param("scope"), client.scopes))


GRANT = GrantType("client_credentials", reads, issue)
