"""Token revocation (RFC 7009) with the product's answers: 401 bad client, 403 someone else's token.

Revoking a refresh token revokes its grant, which invalidates at once every access token issued
from it (their checks read the grant's status); the tokens are then deleted through the index.
"""

from __future__ import annotations

import time

from oauth_core import audit, client_auth, cors, observability, token_format
from oauth_core.errors import InvalidRequest, NotTokenOwner, UnsupportedTokenType
from oauth_core.http import NO_STORE, Request, Response
from oauth_core.storage import client_cache, clients, grants, tokens

HINTS = ("access_token", "refresh_token")


def revoke_grant(grant_id: str, reason: str) -> None:
    """Revoke a grant and delete its tokens; idempotent."""
    grants.revoke(grant_id, reason, int(time.time()))
    deleted, found = tokens.delete_for_grant(grant_id)
    # The grant's status already refuses every token; what could not be deleted in time expires by TTL.
    observability.logger.info("grant revoked", extra={"grant_id": grant_id, "reason": reason, "tokens": deleted,
                                                      "left_to_ttl": found - deleted})


def revoke_token(request: Request) -> Response:
    creds = client_auth.credentials(request)
    raw = request.param("token")
    hint = request.param("token_type_hint")
    wanted = {"client": clients.key(creds.client_id)}
    if raw and token_format.parse(raw) is not None:
        wanted["token"] = tokens.key(raw)
    items = client_cache.batch_get(wanted)
    client = client_auth.authenticate(request, creds, items["client"])
    cors.check(request, client)
    if not raw:
        raise InvalidRequest("parameter token is required")
    if hint is not None and hint not in HINTS:
        raise UnsupportedTokenType("token_type_hint must be access_token or refresh_token")
    token = tokens.from_item(items.get("token"))
    # RFC 7009 §2.2: an unknown, expired or already revoked token is answered 200 as well.
    if token is not None:
        if token.client_id != client.client_id:
            audit.event("token_revoked", "refused", client_id=client.client_id, reason="token of another client")
            raise NotTokenOwner("the token was issued to another client")
        if token.kind == tokens.REFRESH:
            revoke_grant(token.grant_id, "refresh token revoked")
        else:
            tokens.delete(token.token_hash)
        audit.event("token_revoked", "success", user=token.username or None, client_id=client.client_id,
                    kind=token.kind)
    observability.count("TokensRevoked", "kind", token.kind if token else "unknown")
    # RFC 7009 §2.2: the body is ignored; an empty JSON object with its type for clients that parse it.
    return Response(200, "{}", {"Content-Type": "application/json", **NO_STORE})
