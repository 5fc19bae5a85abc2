"""The token endpoint (RFC 6749 §3.2): authenticate the client, run the grant, answer in ``format``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oauth_core import client_auth, grants, observability, responses
from oauth_core.errors import InvalidRequest, UnauthorizedClient
from oauth_core.storage import clients, dynamo

if TYPE_CHECKING:
    from oauth_core.http import Request, Response


def issue_token(request: Request) -> Response:
    fmt = responses.requested_format(request)
    grant_type = request.param("grant_type")
    if not grant_type:
        raise InvalidRequest("parameter grant_type is required")
    grant = grants.lookup(grant_type)
    asserts_client = hasattr(grant, "client_id_from")
    creds = client_auth.credentials(request, required=not asserts_client)
    client_id = creds.client_id if creds else grant.client_id_from(request)
    # One round trip for the client and whatever the grant needs (user, refresh token, grant...).
    items = dynamo.batch_get({"client": clients.key(client_id), **grant.reads(request),
                              **(client_auth.reads(creds) if creds else {})})
    if creds:
        client = client_auth.authenticate(creds, clients.from_item(items["client"]), items)
    else:
        client = grant.client_from(items["client"])
    if grant_type not in client.grant_types:
        refusal = getattr(grant, "UNREGISTERED_ERROR", UnauthorizedClient)
        raise refusal(f"the client is not registered for grant_type {grant_type}")
    issued = grant.issue(request, client, items)
    observability.count("TokensIssued", "grant_type", grant_type)
    observability.logger.info("token issued", extra={"client_id": client.client_id, "grant_type": grant_type})
    return responses.render(issued.body(), fmt)
