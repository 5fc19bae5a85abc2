"""The token endpoint (RFC 6749 §3.2): authenticate the client, run the grant, answer in ``format``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oauth_core import audit, client_auth, cors, grants, observability, responses
from oauth_core.errors import InvalidGrant, InvalidRequest, OAuthError, Replayed
from oauth_core.storage import client_cache, clients

if TYPE_CHECKING:
    from oauth_core.http import Request, Response
    from oauth_core.storage.clients import Client


def issue_token(request: Request) -> Response:
    """RFC 6749 §3.2, with one audit event for the decision (issued, refused, replay detected)."""
    try:
        return _issue_token(request)
    except OAuthError as exc:
        if not audit.logged():  # a failed client authentication, a wrong password, a throttle: audited already
            grant_type = _param(request, "grant_type")
            audit.event("replay_detected" if isinstance(exc, Replayed) else "token_refused", "refused",
                        user=_param(request, "username") if grant_type == "password" else None,
                        client_id=_client_id(request), reason=exc.description or exc.error, error=exc.error,
                        grant_type=grant_type)
        raise


def _param(request: Request, name: str) -> str | None:
    try:
        return request.param(name)
    except OAuthError:
        return None


def _client_id(request: Request) -> str | None:
    try:
        creds = client_auth.credentials(request, required=False)
    except OAuthError:
        return None
    return creds.client_id if creds else _param(request, "client_id")


def _issue_token(request: Request) -> Response:
    fmt = responses.requested_format(request)
    grant_type = request.param("grant_type")
    if not grant_type:
        raise InvalidRequest("parameter grant_type is required")
    grant = grants.lookup(grant_type)
    client, items = _client(request, grant)
    cors.check(request, client)  # before the grant spends anything (a code, a refresh token, a jti)
    if grant_type not in client.grant_types:
        raise grant.unregistered_error(f"the client is not registered for grant_type {grant_type}")
    issued = grant.issue(request, client, items)
    observability.count("TokensIssued", "grant_type", grant_type)
    audit.event("token_issued", "success", user=issued.username or None, client_id=client.client_id,
                grant_type=grant_type, scope=issued.scope or None)
    return responses.render(issued.body(), fmt)


def _client(request: Request, grant: grants.GrantType) -> tuple[Client, dict[str, Any]]:
    """The authenticated client, and the items the grant reads, fetched with it in one round trip."""
    assertion = grant.client_assertion
    if assertion is None:
        return _by_credentials(request, grant, client_auth.credentials(request))
    creds = client_auth.credentials(request, required=False)
    if creds is not None and creds.method == client_auth.NONE:
        # RFC 7523 §3.1: a client may name itself with client_id alone; the assertion authenticates it.
        if creds.client_id != assertion.client_id_from(request):
            raise InvalidGrant("client_id must be the assertion's iss")
        creds = None
    if creds is None:
        return _by_assertion(request, grant, assertion)
    return _by_credentials(request, grant, creds)


def _by_credentials(request: Request, grant: grants.GrantType, creds: client_auth.Credentials
                    ) -> tuple[Client, dict[str, Any]]:
    items = _fetch(request, grant, creds.client_id)
    return client_auth.authenticate(request, creds, items["client"]), items


def _by_assertion(request: Request, grant: grants.GrantType, assertion: grants.ClientAssertion
                  ) -> tuple[Client, dict[str, Any]]:
    """The grant's assertion names and authenticates the client (RFC 7523 §3.1): a key rolled works at once."""
    client_id = assertion.client_id_from(request)
    items = _fetch(request, grant, client_id)
    item = client_cache.authenticated(items["client"], client_id,
                                      lambda i: assertion.signed_by_client(request, clients.from_item(i)))
    return assertion.client_from(item), items


def _fetch(request: Request, grant: grants.GrantType, client_id: str) -> dict[str, Any]:
    """One round trip for the client and whatever the grant needs (user, refresh token, grant...)."""
    return client_cache.batch_get({"client": clients.key(client_id), **grant.reads(request)})
