"""RFC 6749 §4.1.3: redeem an authorization code, once, for the client it was issued to, with the same
redirect URI and, when the request had a challenge, the PKCE verifier (RFC 7636 §4.6).

The code is marked used in the same transaction that stores the grant and its tokens, so there is
never a code redeemed without tokens or the reverse. A second redemption that passes every binding
(client, redirect URI, PKCE verifier) fails and revokes the grant the first one created (RFC 6749
§4.1.2): whoever replays a code with its verifier may have stolen both. One that fails a binding proves
nothing and revokes nothing.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, NoReturn

from oauth_core import audit, issuance, observability, pkce, redirects, revocation, token_format
from oauth_core.errors import InvalidGrant, Replayed
from oauth_core.grants import GrantType
from oauth_core.storage import codes, dynamo, users

if TYPE_CHECKING:
    from oauth_core.http import Request
    from oauth_core.storage.clients import Client
    from oauth_core.storage.dynamo import Items, Reads

CODE = "code"  # the redemption's action in the transaction
_INVALID = "authorization code is invalid, expired or already used"
_REPLAYED = "authorization code was already used; the tokens issued for it have been revoked"


def reads(request: Request) -> Reads:
    code = request.param("code")
    if not code:
        return {}
    ref = token_format.parse(code)
    if ref is None or not ref.username:
        return {}
    return {"code": codes.key(code), "user": users.key(ref.username)}


def issue(request: Request, client: Client, items: Items) -> issuance.Issued:
    raw = request.required("code")
    code = codes.from_item(items.get("code"))
    now = time.time()
    if code is None or code.expires_at <= now:
        raise InvalidGrant(_INVALID)
    _check_bindings(request, code, client)
    # Only now, with every binding proven, is a second redemption a replay worth revoking the grant for:
    # otherwise anyone who saw a used code in a log could sign the user out (RFC 9700 §4.5.3).
    if code.consumed_by and code.consumed_by != request.request_id:
        _replayed(code, client)
    user = users.from_item(items.get("user"))
    if user is None or user.disabled or user.username != code.username:
        raise InvalidGrant("the user who approved this code is disabled or deleted")
    if code.issued_at_ms < max(user.tokens_valid_after_ms, client.tokens_valid_after_ms):
        raise InvalidGrant(_INVALID)
    grant_id = issuance.new_grant_id()
    try:
        return issuance.grant_tokens(client, code.username, code.scope, "authorization_code",
                                     with_refresh="refresh_token" in client.grant_types,
                                     request_token=request.request_id, grant_id=grant_id,
                                     extra={CODE: codes.redeem_action(code.code_hash, request.request_id, grant_id)})
    except dynamo.TransactionRefused as refused:
        if CODE not in refused.failed:
            raise
        # Another redemption won the race (or is committing now): look at what it stored.
        latest = codes.from_item(dynamo.get(*codes.key(raw)))
        if latest is not None and latest.consumed_by and latest.consumed_by != request.request_id:
            _replayed(latest, client)
        raise InvalidGrant(_INVALID) from None


def _check_bindings(request: Request, code: codes.AuthorizationCode, client: Client) -> None:
    """RFC 6749 §4.1.3, RFC 7636 §4.6: the client, the redirect URI and the PKCE verifier of the request."""
    if code.client_id != client.client_id:
        raise InvalidGrant("authorization code was issued to another client")
    sent = request.param("redirect_uri")
    if code.redirect_uri and sent != code.redirect_uri:
        raise InvalidGrant("redirect_uri does not match the authorization request")
    if not code.redirect_uri and sent is not None and not redirects.matches(sent, client.redirect_uris):
        raise InvalidGrant("redirect_uri is not registered for the client")
    if client.require_pkce and not code.code_challenge:
        raise InvalidGrant("this client must use PKCE: the authorization request had no code_challenge")
    pkce.verify(request.param("code_verifier"), code.code_challenge, code.code_challenge_method)


def _replayed(code: codes.AuthorizationCode, client: Client) -> NoReturn:
    observability.logger.warning("authorization code replayed", extra={"client_id": client.client_id})
    observability.count("CodeReplays", "grant_type", "authorization_code")
    if code.grant_id:
        revocation.revoke_grant(code.grant_id, "authorization code replayed")
    audit.event("replay_detected", "refused", user=code.username, client_id=client.client_id,
                reason="authorization code replayed; its grant was revoked", grant_type="authorization_code")
    raise Replayed(_REPLAYED)


GRANT = GrantType("authorization_code", reads, issue)
