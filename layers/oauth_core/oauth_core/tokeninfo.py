"""The product's tokeninfo service: ``GET ?access_token=`` answers who and what a token is for.

A token in a URL ends up in logs and browser history (RFC 6750 §2.3, RFC 9700 §4.3), so the token may
come in an ``Authorization: Bearer`` header instead, and a client registered with
``--no-tokeninfo-query`` has its tokens refused in the query."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from oauth_core import bearer, cors, lookup, observability, responses
from oauth_core.errors import InvalidRequest, InvalidToken
from oauth_core.storage import tokens

if TYPE_CHECKING:
    from oauth_core.http import Request, Response


def token_info(request: Request) -> Response:
    fmt = responses.requested_format(request)
    raw = request.query_param("access_token")
    from_header = bearer.header_token(request)
    in_header = from_header is not None
    if raw and in_header:
        raise InvalidRequest("send the access token in the query or the Authorization header, not both")
    if in_header:
        raw = from_header
    if not raw:
        raise InvalidRequest("parameter access_token is required")
    now = time.time()
    try:
        ref, wanted = lookup.reads(raw)
        active = lookup.check(ref, lookup.fetch(wanted), tokens.ACCESS, now)
    except lookup.Inactive as exc:
        raise InvalidToken(exc.reason) from None
    if not in_header and not active.client.tokeninfo_query:
        raise InvalidRequest("this client's tokens are accepted in the Authorization header only (Bearer)")
    token = active.token
    cors.allow_if_registered(request, active.client)
    observability.count("TokenInfo", "result", "active")
    return responses.render({
        "audience": token.client_id,
        "user_id": token.username or None,
        "scope": token.scope,
        "expires_in": token.expires_in(now),
    }, fmt)
