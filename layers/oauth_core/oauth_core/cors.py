"""CORS for browser clients (Fetch standard §3.2) at the token, revocation, introspection, tokeninfo and
metadata endpoints; the authorization endpoint is navigation and needs none.

A preflight (``OPTIONS``) names no client, so it is answered for any well-formed origin: it only lets the
browser send the request. What protects the client is the answer to the request itself: it carries
``Access-Control-Allow-Origin`` only for an origin registered for the client concerned
(``oauthctl clients create|update --web-origin``), and a client-authenticated request from any other
origin is refused *before* it has an effect (a code spent, a token revoked). Never ``*`` except on the
public metadata document, and never ``Access-Control-Allow-Credentials``: no endpoint reads cookies.
"""

from __future__ import annotations

import contextvars
import re
from typing import TYPE_CHECKING

from oauth_core.errors import InvalidRequest
from oauth_core.http import Response

if TYPE_CHECKING:
    from oauth_core.http import Request
    from oauth_core.storage.clients import Client

ANY = "*"
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")
_METHODS = ("GET", "POST")
_ALLOWED_HEADERS = "Authorization, Content-Type"
_EXPOSED_HEADERS = "WWW-Authenticate, Retry-After"
MAX_AGE = 7200  # seconds a browser may cache a preflight (Chromium's cap)
_allowed: contextvars.ContextVar[str | None] = contextvars.ContextVar("cors_allowed", default=None)


def valid_origin(value: str) -> bool:
    """An ASCII serialized origin (RFC 6454 §6.2): scheme, host and optional port, nothing else."""
    return _ORIGIN.fullmatch(value) is not None


def reset() -> None:
    _allowed.set(None)


def allow_any() -> None:
    """A public document any page may read (the metadata)."""
    _allowed.set(ANY)


def check(request: Request, client: Client) -> None:
    """Allow the request's ``Origin`` if the client registered it; refuse a request from any other origin."""
    origin = request.header("origin")
    if origin is None:
        return
    if origin in client.web_origins:
        _allowed.set(origin)
        return
    raise InvalidRequest(f"origin {origin[:100]!r} is not registered for this client (an operator registers "
                         f"it with 'oauthctl clients update CLIENT_ID --web-origin ORIGIN')")


def allow_if_registered(request: Request, client: Client | None) -> None:
    """For a read without effect (tokeninfo): answer readable by the client's own origins only."""
    origin = request.header("origin")
    if origin is not None and client is not None and origin in client.web_origins:
        _allowed.set(origin)


def decorate(response: Response) -> Response:
    """Add ``Access-Control-Allow-Origin`` to the answer when ``check`` allowed the request's origin."""
    origin = _allowed.get()
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = _EXPOSED_HEADERS
        if origin != ANY:
            response.headers["Vary"] = "Origin"
    return response


def preflight(request: Request) -> Response:
    """The answer to ``OPTIONS``: 204, permitting GET/POST with Authorization and Content-Type."""
    origin = request.header("origin") or ""
    method = request.header("access-control-request-method") or ""
    headers = {"Cache-Control": "no-store", "Vary": "Origin"}
    if valid_origin(origin) and method in _METHODS:
        headers.update({"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": ", ".join(_METHODS),
                        "Access-Control-Allow-Headers": _ALLOWED_HEADERS, "Access-Control-Max-Age": str(MAX_AGE)})
        headers.pop("Cache-Control")
    return Response(204, "", headers)
