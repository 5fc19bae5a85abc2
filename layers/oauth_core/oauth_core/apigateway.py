"""The only module that knows the API Gateway REST (v1 proxy) event shape.

``serve`` parses an event into a ``Request``, calls an endpoint, and turns its ``Response`` or any
error into the proxy answer: OAuth errors become RFC 6749 §5.2 bodies, anything unexpected a
generic 500 with the detail in the log only.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from oauth_core import audit, cors, issuer, observability, responses
from oauth_core.config import settings
from oauth_core.errors import InvalidRequest, OAuthError, ServerError
from oauth_core.http import FORM, Request, Response
from oauth_core.storage import budget

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

MAX_HEADER_BYTES = 10 * 1024  # API Gateway's limit for all headers together


def _check_text(value: str, what: str) -> str:
    if "\x00" in value:
        raise InvalidRequest(f"{what} contains a NUL character")
    return value


def _headers(event: Mapping[str, Any]) -> dict[str, str]:
    multi = event.get("multiValueHeaders") or {}
    headers: dict[str, str] = {}
    for name, values in multi.items():
        if values and name.lower() == "authorization" and len(values) > 1:
            raise InvalidRequest("the Authorization header is repeated")
    for name, value in (event.get("headers") or {}).items():
        if isinstance(name, str) and isinstance(value, str):
            headers[name.lower()] = _check_text(value, f"header {name[:40]}")
    if sum(len(k) + len(v) for k, v in headers.items()) > MAX_HEADER_BYTES:
        raise InvalidRequest("the request headers are too large")
    return headers


def _query(event: Mapping[str, Any]) -> dict[str, list[str]]:
    multi = event.get("multiValueQueryStringParameters")
    if multi is None:
        multi = {k: [v] for k, v in (event.get("queryStringParameters") or {}).items()}
    return {
        _check_text(str(k), "a query parameter"): [_check_text(str(v), f"parameter {k}") for v in vs]
        for k, vs in multi.items()
    }


def _body(event: Mapping[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequest("the request body is not valid base64") from None
    else:
        raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else b""
    if len(raw) > settings().max_body_bytes:
        raise InvalidRequest("the request body is too large")
    return raw


def _form(headers: Mapping[str, str], raw: bytes) -> dict[str, list[str]]:
    if not raw:
        return {}
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM:
        raise InvalidRequest(f"the request body must be {FORM}")
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequest("the request body is not valid UTF-8 form data") from None
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        form.setdefault(_check_text(name, "a parameter name"), []).append(_check_text(value, f"parameter {name}"))
    return form


def parse_event(event: Mapping[str, Any]) -> Request:
    """Build a ``Request``; malformed input raises ``InvalidRequest``, never anything else."""
    context = event.get("requestContext") or {}
    headers = _headers(event)
    return Request(
        method=str(event.get("httpMethod") or "GET").upper(),
        path=str(event.get("path") or "/"),
        headers=headers,
        query=_query(event),
        form=_form(headers, _body(event)),
        # The request id makes conditional writes retry-safe, so it must never be empty or shared.
        request_id=str(context.get("requestId") or uuid.uuid4()),
        endpoint_url=f"https://{context['domainName']}{context.get('path', '')}" if context.get("domainName") else "",
        authorizer={str(k): str(v) for k, v in (context.get("authorizer") or {}).items()
                    if k != "principalId" and isinstance(v, (str, int, float, bool))},
        source_ip=_source_ip(context),
    )


def _source_ip(context: Mapping[str, Any]) -> str:
    """The caller's address as API Gateway saw it; headers such as X-Forwarded-For are the caller's to forge."""
    identity = context.get("identity") or {}
    value = identity.get("sourceIp") if isinstance(identity, dict) else None
    return value[:64] if isinstance(value, str) else ""


def to_proxy(response: Response) -> dict[str, Any]:
    return {"statusCode": response.status, "headers": response.headers, "body": response.body,
            "isBase64Encoded": False}


def serve(event: Mapping[str, Any], endpoint: Callable[[Request], Response],
          on_error: Callable[[OAuthError, Request | None], Response] | None = None,
          context: Any = None) -> dict[str, Any]:
    """Parse, call, shape; all errors become responses here and nowhere else. ``on_error`` renders
    them (default: RFC 6749 §5.2 bodies; the authorization endpoint shows pages). The Lambda
    ``context`` sets the time budget of the request's DynamoDB calls."""
    render_error = on_error or responses.error
    request: Request | None = None
    audit.bind(None)
    issuer.bind(None)
    cors.reset()
    try:
        request = parse_event(event)
        audit.bind(request)
        issuer.bind(request)
        if request.method == "OPTIONS":
            return to_proxy(cors.preflight(request))
        with budget.within(context):
            return to_proxy(cors.decorate(endpoint(request)))
    except OAuthError as exc:
        observability.count("OAuthErrors", "error", exc.error)
        observability.logger.info("request refused", extra={"error": exc.error, "description": exc.description})
        return to_proxy(cors.decorate(render_error(exc, request)))
    except Exception:
        observability.logger.exception("unhandled error")
        observability.count("OAuthErrors", "error", ServerError.error)
        return to_proxy(cors.decorate(render_error(ServerError("internal error"), request)))
