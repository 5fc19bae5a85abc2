"""A Lambda REQUEST authorizer for other APIs: a valid token meant for them (``ResourceAllowedClients``,
``ResourceUserTokensOnly``) is allowed, ``principalId`` ``user:<username>`` or ``client:<client id>``, with
``sub``, ``token_kind``, client, user and scopes in the authorizer context; anything else is refused in
the two ways API Gateway understands.

- No token, or an invalid, expired or revoked one: ``Unauthorized`` (the exact message API Gateway
  turns into a 401, answered by the API's ``UNAUTHORIZED`` gateway response, which carries
  ``WWW-Authenticate: Bearer ... error="invalid_token"``).
- A valid token without ``PROTECTED_SCOPE``: a Deny policy (the ``ACCESS_DENIED`` gateway response,
  403 with ``error="insufficient_scope"``).
- The store unavailable: ``StoreUnavailable``, any other message, which API Gateway answers with the
  ``AUTHORIZER_FAILURE`` gateway response (503 + Retry-After): the token may be fine, so the client must
  not be told to throw it away, and a retrying client must not hammer the token endpoint.
"""

from __future__ import annotations

from typing import Any

from oauth_core import bearer, observability
from oauth_core.apigateway import parse_event
from oauth_core.config import settings
from oauth_core.errors import InsufficientScope, OAuthError, TemporarilyUnavailable
from oauth_core.storage import budget

UNAUTHORIZED = "Unauthorized"


class Unauthorized(Exception):
    """Raised out of the handler: API Gateway answers 401 when the message is exactly "Unauthorized"."""

    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED)


class StoreUnavailable(Exception):
    """Raised out of the handler when the token could not be checked: API Gateway's AUTHORIZER_FAILURE."""

    def __init__(self) -> None:
        super().__init__("token store temporarily unavailable")


def _api_arn(method_arn: str) -> str:
    """``arn:...:api-id/stage/*``: every route of the API, so the answer holds whatever route comes next."""
    parts = method_arn.split("/")
    return "/".join(parts[:2]) + "/*" if len(parts) >= 2 else method_arn


def _policy(effect: str, principal_id: str, method_arn: str, context: dict[str, Any]) -> dict[str, Any]:
    return {
        "principalId": principal_id,
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": _api_arn(method_arn)}]},
        "context": context,
    }


def decide(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The authorizer's answer for a REQUEST authorizer event; ``context`` sets the time budget."""
    method_arn = str(event.get("methodArn", ""))
    try:
        request = parse_event({**event, "body": None, "isBase64Encoded": False})
        with budget.within(context):
            principal = bearer.authenticate(request, settings().protected_scope)
    except InsufficientScope as exc:
        observability.count("AuthorizerDecisions", "result", "insufficient_scope")
        observability.logger.info("authorizer denied", extra={"reason": exc.description})
        return _policy("Deny", "anonymous", method_arn, {"error": exc.error, "error_description": exc.description})
    except TemporarilyUnavailable:
        observability.count("AuthorizerDecisions", "result", "unavailable")
        observability.logger.warning("authorizer could not check the token: store unavailable")
        raise StoreUnavailable() from None
    except OAuthError as exc:
        observability.count("AuthorizerDecisions", "result", exc.error or "no_token")
        observability.logger.info("authorizer refused", extra={"error": exc.error, "reason": exc.description})
        raise Unauthorized() from None
    observability.count("AuthorizerDecisions", "result", "allowed")
    return _policy("Allow", principal.principal_id, method_arn, principal.context())
