"""The product's sample protected resource, ``GET /oauth/protected``: 200 for a valid bearer token,
otherwise the RFC 6750 §3 challenge. Behind the Lambda authorizer (``/oauth/protected/gateway``) it
trusts the principal API Gateway passes in the request context instead of checking the token again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oauth_core import bearer, observability, responses
from oauth_core.config import settings
from oauth_core.http import Response

if TYPE_CHECKING:
    from oauth_core.errors import OAuthError
    from oauth_core.http import Request

PAGE = "<html>Congrats! You've hit an OAuth protected resource</html>"


def protected(request: Request) -> Response:
    if request.authorizer.get("client_id"):
        client_id = request.authorizer["client_id"]
    else:
        client_id = bearer.authenticate(request, settings().protected_scope).client_id
    observability.count("ProtectedHits", "via", "authorizer" if request.authorizer else "token")
    observability.logger.info("protected resource served", extra={"client_id": client_id})
    return Response(200, PAGE, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"})


def error(exc: OAuthError, _request: Request | None) -> Response:
    """A resource's refusals are JSON whatever ``format`` the query names (that parameter is the token
    endpoint's); the RFC 6750 challenge travels in the exception's headers."""
    return responses.render(exc.body(), "json", exc.status, exc.headers)
