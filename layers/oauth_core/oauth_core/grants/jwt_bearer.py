"""RFC 7523 §2.1: a JWT signed with the client's private key, checked against its registered
certificates. Client authentication is optional (§3.1): without it the assertion's ``iss`` names the
client. With ``sub`` the token is on that user's behalf (a grant, and a refresh token if the client may
refresh); without it the token is the client's own.

Trust (RFC 7521 §6.3, RFC 7523 §3): a self-issued assertion proves who the client is, not that the user
consented, so ``sub`` may only name a user the operator registered for this client (``jwt_subjects``),
or any user for a client registered as a trusted backend (``jwt_any_subject``)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from oauth_core import assertions, audit, bounds, issuance, scopes
from oauth_core.config import settings
from oauth_core.errors import InvalidGrant, Replayed
from oauth_core.grants import JWT_BEARER, ClientAssertion, GrantType
from oauth_core.storage import clients, codes, dynamo, users

if TYPE_CHECKING:
    from oauth_core.http import Request
    from oauth_core.storage.clients import Client
    from oauth_core.storage.dynamo import Items, Reads


JTI = "jti"  # the action spending the assertion's jti, in the token's transaction


def client_id_from(request: Request) -> str:
    """The client named by the assertion, when the request carries no client credentials."""
    issuer: str = assertions.peek(request.required("assertion"))["iss"]  # peek checked it is a string
    if not bounds.client_id_fits(issuer):
        raise InvalidGrant(f"iss is not a registered client: client ids have at most "
                           f"{bounds.CLIENT_ID_MAX_BYTES} bytes")
    return issuer


def client_from(item: dict[str, Any] | None) -> Client:
    client = clients.from_item(item)
    if client is None or client.disabled:
        raise InvalidGrant("iss is not a registered, enabled client")
    return client


def signed_by_client(request: Request, client: Client | None) -> bool:
    """Whether ``client`` (the cached copy or a fresh read) is the one whose key signed the assertion."""
    return client is not None and not client.disabled and assertions.signed_by(
        request.required("assertion"), client, time.time())


def reads(request: Request) -> Reads:
    raw = request.param("assertion")
    try:
        subject = assertions.peek(raw).get("sub") if raw else None
    except InvalidGrant:
        return {}
    return {"user": users.key(subject)} if subject and bounds.username_fits(subject) else {}


def issue(request: Request, client: Client, items: Items) -> issuance.Issued:
    config, now = settings(), time.time()
    audiences = [*config.token_audiences, *([request.endpoint_url] if request.endpoint_url else [])]
    claims = assertions.verify(request.required("assertion"), client, audiences, now,
                               config.assertion_max_lifetime, config.clock_skew)
    _check_jti_required(client, claims.jti)
    _check_subject_allowed(client, claims.subject)
    scope = scopes.resolve(request.param("scope"), client.scopes)
    # The jti is spent in the same transaction that stores the token: one round trip, never one without the other.
    extra = {JTI: codes.consume_action(codes.JTI, f"{client.client_id}\x1f{claims.jti}",
                                       claims.expires_at + config.clock_skew, request.request_id, int(now))
             } if claims.jti else {}
    try:
        if claims.subject is None:
            return issuance.client_token(client, scope, extra=extra, request_token=request.request_id)
        user = users.from_item(items.get("user"))
        if user is None or user.disabled or user.username != claims.subject:
            raise InvalidGrant("sub must name an active user")
        return issuance.grant_tokens(client, user.username, scope, JWT_BEARER, request_token=request.request_id,
                                     with_refresh="refresh_token" in client.grant_types, extra=extra)
    except dynamo.TransactionRefused as refused:
        if JTI not in refused.failed:
            raise
        raise Replayed("this assertion was already used: jti must be unique until exp") from None


def _check_jti_required(client: Client, jti: str | None) -> None:
    """RFC 9700 §2.1 / RFC 7523 §3: a client may be required to make every assertion single use."""
    if client.require_jti and not jti:
        raise InvalidGrant("jti is required: this client's assertions must be single use")
    if jti is not None and bounds.utf8_size(jti) > bounds.SECRET_MAX_BYTES:
        raise InvalidGrant(f"jti must be valid UTF-8 of at most {bounds.SECRET_MAX_BYTES} bytes")


def _check_subject_allowed(client: Client, subject: str | None) -> None:
    """RFC 7521 §6.3: the server must trust the client to assert this subject; the operator says so."""
    if subject is None or client.jwt_any_subject or subject in client.jwt_subjects:
        return
    audit.event("token_refused", "refused", user=subject, client_id=client.client_id, grant_type=JWT_BEARER,
                reason="sub names a user this client is not registered to act for")
    raise InvalidGrant("sub names a user this client may not act for: an operator must register it with "
                       "'oauthctl clients update CLIENT_ID --jwt-subject USERNAME' (or --jwt-any-subject "
                       "for a trusted backend)")


# Issue 5: every refusal of this grant is invalid_grant, a client not registered for it included.
GRANT = GrantType(JWT_BEARER, reads, issue, unregistered_error=InvalidGrant,
                  client_assertion=ClientAssertion(client_id_from, client_from, signed_by_client))
