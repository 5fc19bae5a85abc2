"""The product's tokeninfo service: ``GET ?access_token=`` answers who and what a token is for."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from oauth_core import lookup, observability, responses
from oauth_core.errors import InvalidRequest, InvalidToken
from oauth_core.storage import dynamo, tokens

if TYPE_CHECKING:
    from oauth_core.http import Request, Response


def token_info(request: Request) -> Response:
    fmt = responses.requested_format(request)
    raw = request.query_param("access_token")
    if not raw:
        raise InvalidRequest("parameter access_token is required")
    now = time.time()
    try:
        ref, wanted = lookup.reads(raw)
        active = lookup.check(ref, dynamo.batch_get(wanted), tokens.ACCESS, now)
    except lookup.Inactive as exc:
        raise InvalidToken(exc.reason) from None
    token = active.token
    observability.count("TokenInfo", "result", "active")
    return responses.render({
        "audience": token.client_id,
        "user_id": token.username or None,
        "scope": token.scope,
        "expires_in": token.expires_in(now),
    }, fmt)
