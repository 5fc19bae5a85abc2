"""OAuth 2.0 errors as a small hierarchy: the RFC code and HTTP status are class attributes.

``description`` is short, ASCII and safe to show to the client; detail for operators goes to the log.
"""

from __future__ import annotations


class OAuthError(Exception):
    """RFC 6749 §5.2 error response; subclasses fix ``error`` and ``status``."""

    error = "invalid_request"
    status = 400

    def __init__(self, description: str = "", *, headers: dict[str, str] | None = None) -> None:
        super().__init__(description or self.error)
        self.description = description
        self.headers = dict(headers or {})

    def body(self) -> dict[str, str]:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body


class InvalidRequest(OAuthError):
    error = "invalid_request"


class InvalidClient(OAuthError):
    """RFC 6749 §5.2: 401, with a Basic challenge when the client tried Basic."""

    error = "invalid_client"
    status = 401


class InvalidGrant(OAuthError):
    error = "invalid_grant"


class Replayed(InvalidGrant):
    """A one-time credential used again: an authorization code (RFC 6749 §4.1.2), a rotated refresh
    token (RFC 9700 §4.14.2) or a JWT assertion's jti (RFC 7523 §3). Audited as ``replay_detected``."""


class UnauthorizedClient(OAuthError):
    error = "unauthorized_client"


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"


class InvalidScope(OAuthError):
    error = "invalid_scope"


class UnsupportedResponseType(OAuthError):
    error = "unsupported_response_type"


class AccessDenied(OAuthError):
    """RFC 6749 §4.1.2.1: the resource owner said no."""

    error = "access_denied"


class LoginRequired(OAuthError):
    """``prompt=none`` (OpenID Connect Core §3.1.2.6, as this server applies it to OAuth): nobody is signed in."""

    error = "login_required"


class ConsentRequired(OAuthError):
    """``prompt=none``: the user is signed in but has not approved these scopes for this client."""

    error = "consent_required"


class InteractionRequired(OAuthError):
    """``prompt=none``: a page would be needed for another reason (``max_age`` passed, a re-login asked for)."""

    error = "interaction_required"


class TooManyAttempts(OAuthError):
    """Too many failed passwords from this address (``budget="address"``) or for this user from this
    address (``"user_address"``): 429 with Retry-After, carrying the error code the endpoint would give
    for a wrong password."""

    status = 429

    def __init__(self, error: str, retry_after: int, budget: str = "user_address") -> None:
        super().__init__(f"too many failed attempts; retry after {retry_after} seconds",
                         headers={"Retry-After": str(retry_after)})
        self.error = error
        self.retry_after = retry_after
        self.budget = budget


class UnsupportedTokenType(OAuthError):
    """RFC 7009 §2.2.1."""

    error = "unsupported_token_type"


class NotTokenOwner(OAuthError):
    """Revocation of a token issued to another client: 403, as the product's revoke service answers."""

    error = "unauthorized_client"
    status = 403


class InvalidToken(OAuthError):
    """Tokeninfo answers 400 for a token that is unknown, expired or revoked."""

    error = "invalid_token"


class BearerError(OAuthError):
    """RFC 6750 §3: a resource refusing a request; ``bearer.challenge`` sets the WWW-Authenticate header."""


class BearerTokenRequired(BearerError):
    """RFC 6750 §3.1: no token at all: 401 with a challenge that carries no error code."""

    error = ""
    status = 401

    def body(self) -> dict[str, str]:
        return {"message": self.description or "an access token is required"}


class InvalidBearerToken(BearerError):
    """Expired, revoked, unknown or malformed: the client should get a new token and retry once."""

    error = "invalid_token"
    status = 401


class InsufficientScope(BearerError):
    """The token is valid but lacks ``scope`` (the whole scope the resource requires, RFC 6750 §3)."""

    error = "insufficient_scope"
    status = 403

    def __init__(self, description: str, *, scope: str) -> None:
        super().__init__(description)
        self.scope = scope


class InvalidBearerRequest(BearerError):
    error = "invalid_request"
    status = 400


class ServerError(OAuthError):
    error = "server_error"
    status = 500


class TemporarilyUnavailable(OAuthError):
    """The store is throttling or unreachable after bounded retries; clients may retry later."""

    error = "temporarily_unavailable"
    status = 503

    def __init__(self, description: str = "The service is busy, retry later", retry_after: int = 1) -> None:
        super().__init__(description, headers={"Retry-After": str(retry_after)})
