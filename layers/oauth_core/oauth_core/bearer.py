"""Bearer token checks for resource servers (RFC 6750): find the token in the request, check it with
one strongly consistent batched read, and answer the RFC 6750 §3 challenge when it does not pass.

A client that only retries on ``error="invalid_token"`` (IBM z/OS Connect's ``tokenRetryCheckLevel``
3, and many others) sees exactly that for an expired, revoked, unknown or malformed token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from oauth_core import lookup
from oauth_core.config import settings
from oauth_core.errors import (
    BearerError,
    BearerTokenRequired,
    InsufficientScope,
    InvalidBearerRequest,
    InvalidBearerToken,
)
from oauth_core.storage import tokens

if TYPE_CHECKING:
    from oauth_core.http import Request

_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\]')  # RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E


@dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for."""

    client_id: str
    username: str | None
    scopes: tuple[str, ...]
    expires_at: int

    @property
    def kind(self) -> str:
        """``user`` for a token on a user's behalf, ``client`` for a client's own token."""
        return "user" if self.username else "client"

    @property
    def principal_id(self) -> str:
        """Unambiguous even when a username equals a client id: ``user:alice``, ``client:orders``."""
        return f"{self.kind}:{self.username or self.client_id}"

    def context(self) -> dict[str, str | int]:
        """As an API Gateway authorizer context (strings and numbers only)."""
        return {"sub": self.username or self.client_id, "token_kind": self.kind, "client_id": self.client_id,
                "username": self.username or "", "scope": " ".join(self.scopes), "expires_at": self.expires_at}


def challenge(error: BearerError) -> str:
    """The WWW-Authenticate value for ``error``; no error code when no token was sent (§3.1)."""
    parts = [f'realm="{_UNSAFE.sub("", settings().realm)}"']
    if error.error:
        parts.append(f'error="{error.error}"')
        if error.description:
            parts.append(f'error_description="{_UNSAFE.sub("", error.description)}"')
    if isinstance(error, InsufficientScope) and error.scope:
        parts.append(f'scope="{_UNSAFE.sub("", error.scope)}"')
    return "Bearer " + ", ".join(parts)


def _with_challenge(error: BearerError) -> BearerError:
    error.headers["WWW-Authenticate"] = challenge(error)
    return error


def header_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header (RFC 6750 §2.1): None when the request has no
    Bearer header, "" when the header has nothing after the scheme."""
    header = (request.header("authorization") or "").strip()
    if header[:7].lower() != "bearer ":
        return None
    return header[7:].strip()


def token_from(request: Request) -> str:
    """The one access token of the request (§2.1 header; §2.2 form body and §2.3 query when enabled)."""
    found: list[str] = []
    value = header_token(request)
    if value is not None:
        if not value:
            raise InvalidBearerRequest("the Authorization header has no token after Bearer")
        found.append(value)
    for where, allowed, value in (("query string", settings().bearer_in_query, request.query_param("access_token")),
                                  ("request body", settings().bearer_in_form, request.param("access_token"))):
        if value is None:
            continue
        if not allowed:
            raise InvalidBearerRequest(f"access_token in the {where} is not accepted: send it in the "
                                       "Authorization header (Bearer)")
        found.append(value)
    if request.method == "GET" and request.param("access_token") is not None:
        raise InvalidBearerRequest("access_token in a request body needs a method with a body, not GET")
    if len(found) > 1:
        raise InvalidBearerRequest("the access token was sent in more than one way")
    if not found:
        raise BearerTokenRequired("an access token is required (Authorization: Bearer ...)")
    return found[0]


def authenticate(request: Request, required_scope: str = "") -> Principal:
    """The principal of the request's access token, or a ``BearerError`` carrying its challenge."""
    try:
        raw = token_from(request)
        try:
            ref, wanted = lookup.reads(raw)
            active = lookup.check(ref, lookup.fetch(wanted), tokens.ACCESS)
        except lookup.Inactive as exc:
            raise InvalidBearerToken(f"the access token is {_plain(exc.reason)}") from None
        _check_audience(active.token)
        scopes = tuple(active.token.scope.split())
        missing = [s for s in required_scope.split() if s not in scopes]
        if missing:
            raise InsufficientScope(f"the access token lacks scope {' '.join(missing)}", scope=required_scope)
    except BearerError as exc:
        raise _with_challenge(exc) from None
    return Principal(active.token.client_id, active.token.username or None, scopes, active.token.expires_at)


def _check_audience(token: tokens.Token) -> None:
    """Only tokens meant for this resource (RFC 9700 §2.3): of the allowed clients, on a user's behalf if
    so configured. Another client's token is as good as no token here, so the answer is invalid_token."""
    config = settings()
    if config.resource_allowed_clients and token.client_id not in config.resource_allowed_clients:
        raise InvalidBearerToken("the access token was issued to a client this resource does not accept")
    if config.resource_user_tokens_only and not token.username:
        raise InvalidBearerToken("the access token is a client's own token; this resource needs a user's")


def _plain(reason: str) -> str:
    """Inactive reasons read as "unknown, revoked or expired token"; make them fit "the access token is ..."."""
    return {"malformed token": "malformed", "token expired": "expired",
            "unknown, revoked or expired token": "unknown, revoked or expired"}.get(reason, f"invalid: {reason}")
