"""OAuth 2.0 errors as a small hierarchy: the RFC code and HTTP status are class attributes, declared on
the class line (``class InvalidClient(OAuthError, error="invalid_client", status=401)``).

``description`` is short, ASCII and safe to show to the client; detail for operators goes to the log.
"""

from __future__ import annotations


class OAuthError(Exception):
    """RFC 6749 §5.2 error response; subclasses fix ``error`` and ``status``."""

    error = "invalid_request"
    status = 400

    def __init_subclass__(cls, *, error: str | None = None, status: int | None = None) -> None:
        super().__init_subclass__()
        if error is not None:
            cls.error = error
        if status is not None:
            cls.status = status

    def __init__(self, description: str = "", *, headers: dict[str, str] | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(description or self.error)
        self.description = description
        self.headers = dict(headers or {})
        if retry_after is not None:  # RFC 9110 §10.2.3: seconds until the client may try again (429, 503)
            self.headers["Retry-After"] = str(retry_after)

    def body(self) -> dict[str, str]:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body


class InvalidRequest(OAuthError, error="invalid_request"):
    """RFC 6749 §5.2, §4.1.2.1: a parameter missing, repeated, malformed or not allowed here."""


class InvalidClient(OAuthError, error="invalid_client", status=401):
    """RFC 6749 §5.2: 401, with a Basic challenge when the client tried Basic."""


class InvalidGrant(OAuthError, error="invalid_grant"):
    """RFC 6749 §5.2: a code, refresh token, password or assertion that is wrong, expired, revoked or
    issued to another client."""


class Replayed(InvalidGrant):
    """A one-time credential used again: an authorization code (RFC 6749 §4.1.2), a rotated refresh
    token (RFC 9700 §4.14.2) or a JWT assertion's jti (RFC 7523 §3). Audited as ``replay_detected``."""


class UnauthorizedClient(OAuthError, error="unauthorized_client"):
    """RFC 6749 §5.2, §4.1.2.1: the client may not use this grant or response type."""


class UnsupportedGrantType(OAuthError, error="unsupported_grant_type"):
    """RFC 6749 §5.2: a ``grant_type`` this server does not implement."""


class InvalidScope(OAuthError, error="invalid_scope"):
    """RFC 6749 §3.3, §5.2: a scope malformed, unknown or beyond what the client or grant allows."""


class UnsupportedResponseType(OAuthError, error="unsupported_response_type"):
    """RFC 6749 §4.1.2.1: a ``response_type`` other than ``code`` or ``token``."""


class AccessDenied(OAuthError, error="access_denied"):
    """RFC 6749 §4.1.2.1: the resource owner said no."""


class LoginRequired(OAuthError, error="login_required"):
    """``prompt=none`` (OpenID Connect Core §3.1.2.6, as this server applies it to OAuth): nobody is signed in."""


class ConsentRequired(OAuthError, error="consent_required"):
    """``prompt=none``: the user is signed in but has not approved these scopes for this client."""


class InteractionRequired(OAuthError, error="interaction_required"):
    """``prompt=none``: a page would be needed for another reason (``max_age`` passed, a re-login asked for)."""


class TooManyAttempts(OAuthError, status=429):
    """Too many failed passwords from this address (``budget="address"``) or for this user from this
    address (``"user_address"``): 429 with Retry-After, carrying the error code the endpoint would give
    for a wrong password."""

    def __init__(self, error: str, retry_after: int, budget: str = "user_address") -> None:
        super().__init__(f"too many failed attempts; retry after {retry_after} seconds", retry_after=retry_after)
        self.error = error
        self.retry_after = retry_after
        self.budget = budget


class UnsupportedTokenType(OAuthError, error="unsupported_token_type"):
    """RFC 7009 §2.2.1."""


class NotTokenOwner(OAuthError, error="unauthorized_client", status=403):
    """Revocation of a token issued to another client: 403, as the product's revoke service answers."""


class InvalidToken(OAuthError, error="invalid_token"):
    """Tokeninfo answers 400 for a token that is unknown, expired or revoked."""


class BearerError(OAuthError):
    """RFC 6750 §3: a resource refusing a request; ``bearer.challenge`` sets the WWW-Authenticate header."""


class BearerTokenRequired(BearerError, error="", status=401):
    """RFC 6750 §3.1: no token at all: 401 with a challenge that carries no error code."""

    def body(self) -> dict[str, str]:
        return {"message": self.description or "an access token is required"}


class InvalidBearerToken(BearerError, error="invalid_token", status=401):
    """Expired, revoked, unknown or malformed: the client should get a new token and retry once."""


class InsufficientScope(BearerError, error="insufficient_scope", status=403):
    """The token is valid but lacks ``scope`` (the whole scope the resource requires, RFC 6750 §3)."""

    def __init__(self, description: str, *, scope: str) -> None:
        super().__init__(description)
        self.scope = scope


class InvalidBearerRequest(BearerError, error="invalid_request", status=400):
    """RFC 6750 §3.1: the token sent in a way the resource does not accept, or in more than one way."""


class ServerError(OAuthError, error="server_error", status=500):
    """RFC 6749 §4.1.2.1: an unexpected failure; the detail goes to the log, never to the client."""


class TemporarilyUnavailable(OAuthError, error="temporarily_unavailable", status=503):
    """The store is throttling or unreachable after bounded retries; clients may retry later."""

    def __init__(self, description: str = "The service is busy, retry later", retry_after: int = 1) -> None:
        super().__init__(description, retry_after=retry_after)
