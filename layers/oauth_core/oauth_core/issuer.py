"""The issuer identifier (RFC 8414 §2): the URL the metadata, ``iss`` (RFC 9207) and endpoint URLs start with.

An operator sets it (``Issuer`` stack parameter, for a custom domain); otherwise it is the API's own URL as
API Gateway saw the request: ``https://{domainName}`` plus the stage (or base path) that precedes the
resource path. API Gateway sets ``domainName`` from the host it answered on, not from a header the caller
chose freely, so the derived issuer names this deployment.
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING

from oauth_core.config import settings

if TYPE_CHECKING:
    from oauth_core.http import Request

_current: contextvars.ContextVar[str] = contextvars.ContextVar("issuer", default="")


def of(request: Request) -> str:
    configured = settings().issuer
    if configured:
        return configured
    url = request.endpoint_url
    if url and request.path != "/" and url.endswith(request.path):
        return url[: -len(request.path)]
    return url.rstrip("/")


def bind(request: Request | None) -> None:
    """Remember the issuer of the request being served (``apigateway.serve``), for ``current``."""
    _current.set(of(request) if request is not None else "")


def current() -> str:
    return _current.get()


def endpoint(path: str) -> str:
    """The absolute URL of one of this server's endpoints, e.g. ``endpoint("/oauth/token")``."""
    return f"{current()}{path}"
