"""Response bodies in the formats the product offers: ``format=json`` (default), ``urlencoded``, ``xml``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from oauth_core.errors import InvalidRequest, OAuthError
from oauth_core.http import NO_STORE, Request, Response

if TYPE_CHECKING:
    from collections.abc import Mapping

FORMATS = ("json", "urlencoded", "xml")
ALIASES = {"query": "urlencoded"}  # the product doc's own example sends format=query


def requested_format(request: Request) -> str:
    """The ``format`` parameter of a token request; an unknown one is an ``invalid_request``."""
    fmt = request.param("format") or request.query_param("format") or "json"
    fmt = ALIASES.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InvalidRequest("format must be one of json, urlencoded (or query), xml")
    return fmt


def render(body: Mapping[str, Any], fmt: str = "json", status: int = 200,
           headers: Mapping[str, str] | None = None) -> Response:
    """JSON keeps a None as null; the other formats have no null and leave the field out."""
    present = {k: v for k, v in body.items() if v is not None}
    if fmt == "urlencoded":
        content_type, text = "application/x-www-form-urlencoded", urlencode(present)
    elif fmt == "xml":
        content_type, text = "application/xml; charset=utf-8", _xml(present)
    else:
        content_type, text = "application/json", json.dumps(dict(body))
    return Response(status, text, {"Content-Type": content_type, **NO_STORE, **(headers or {})})


def _xml(values: Mapping[str, Any]) -> str:
    from xml.sax.saxutils import escape

    fields = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in values.items())
    return f'<?xml version="1.0" encoding="UTF-8"?><response>{fields}</response>'


def error(exc: OAuthError, request: Request | None) -> Response:
    """RFC 6749 §5.2 error body, in the requested format when that format itself is valid."""
    fmt = "json"
    if request is not None:
        try:
            fmt = requested_format(request)
        except InvalidRequest:
            fmt = "json"
    return render(exc.body(), fmt, exc.status, exc.headers)
