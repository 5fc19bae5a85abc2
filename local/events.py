"""Turn an HTTP request into the API Gateway REST (v1 proxy) event AWS would send, and a proxy
answer back into status, headers and body."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from local.template import ACCOUNT_ID

STAGE = "api"


def build(method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes, resource: str,
          source_ip: str = "127.0.0.1", host: str = "127.0.0.1") -> dict[str, Any]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    q_single: dict[str, str] = {}
    q_multi: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        q_single[name] = value
        q_multi.setdefault(name, []).append(value)
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode("ascii"), True
    now = time.time()
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": single or None,
        "multiValueHeaders": multi or None,
        "queryStringParameters": q_single or None,
        "multiValueQueryStringParameters": q_multi or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": uuid.uuid4().hex,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": f"/{STAGE}{path}",
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainPrefix": host.split(".")[0],
            "requestTimeEpoch": int(now * 1000),
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": source_ip, "userAgent": single.get("User-Agent", "")},
            "domainName": host,
            "apiId": "local",
        },
        "body": text if body else None,
        "isBase64Encoded": encoded,
    }


class NotAProxyAnswer(ValueError):
    """The function answered something that is not a proxy response (API Gateway: 502, a function error)."""


def answer(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of a proxy integration answer."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        raise NotAProxyAnswer(repr(result)[:200])
    headers = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, str(v)) for v in values)
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    return result["statusCode"], headers, raw


def authorizer_event(event: dict[str, Any], method_arn: str) -> dict[str, Any]:
    """The REQUEST authorizer event API Gateway sends for a proxy event (no body)."""
    keys = ("resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
            "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext")
    return {"type": "REQUEST", "methodArn": method_arn, **{k: event.get(k) for k in keys}}
