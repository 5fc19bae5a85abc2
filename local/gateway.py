"""The HTTP side of the local stack: routes from template.yaml, each request as a proxy event."""

from __future__ import annotations

import fnmatch
import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from local import events
from local.functions import InvocationError, Pool
from local.template import ACCOUNT_ID

if TYPE_CHECKING:
    from local.template import Stack

MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
# API Gateway's own answers, by gateway response type: (status, body) when the API does not customize the
# type, and the status a customized type without a StatusCode gets (the documented default status code).
ERRORS = {
    "UNAUTHORIZED": (401, '{"message":"Unauthorized"}'),
    "ACCESS_DENIED": (403, '{"Message":"User is not authorized to access this resource"}'),
    "AUTHORIZER_FAILURE": (500, '{"message":null}'),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, '{"message":null}'),
    "MISSING_AUTHENTICATION_TOKEN": (403, '{"message":"Missing Authentication Token"}'),
    "REQUEST_TOO_LARGE": (413, '{"message":"Request Too Long"}'),
}
DOCUMENTED_STATUS = {**{kind: status for kind, (status, _) in ERRORS.items()},
                     "INTEGRATION_FAILURE": 504, "INTEGRATION_TIMEOUT": 504}
Answer = tuple[int, list[tuple[str, str]], bytes]


class Gateway:
    def __init__(self, stack: Stack, env: dict[str, str]) -> None:
        self.region = stack.region
        self.pools: dict[str, Pool] = {}
        self.routes: list[tuple[str, re.Pattern[str], str, Pool, str | None]] = []
        self.authorizers = stack.authorizers()
        self.responses = stack.gateway_responses()
        for function in stack.functions():
            pool = self.pools[function.logical_id] = Pool(function, env)
            for route in function.routes:
                pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(route.path)) + "$")
                self.routes.append((route.method, pattern, route.path, pool, route.authorizer))

    def route(self, method: str, path: str) -> tuple[str, Pool, str | None] | None:
        for route_method, pattern, resource, pool, authorizer in self.routes:
            if route_method in (method, "ANY") and pattern.match(path):
                return resource, pool, authorizer
        return None

    def gateway_response(self, kind: str | None, context: dict[str, object] | None = None,
                         error: tuple[int, str] | None = None) -> Answer:
        """What API Gateway answers for an error of type ``kind`` (None: a function error; ``error`` is then
        its own status and body): the template's response for that type, else its DEFAULT_4XX/DEFAULT_5XX,
        else API Gateway's built-in answer; ``$context.authorizer.*`` filled in as API Gateway does."""
        status, default_body = error or ERRORS[kind]  # type: ignore[index]
        response = self.responses.get(kind) if kind else None
        if response is not None:
            status = response.status or DOCUMENTED_STATUS[kind]  # type: ignore[index]
        else:
            response = self.responses.get("DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX")
            if response is None:
                return status, [("Content-Type", "application/json")], default_body.encode()
            status = response.status or status

        def fill(match: re.Match[str]) -> str:
            value = (context or {}).get(match.group(1), "")
            return json.dumps(str(value))[1:-1]

        body = re.sub(r"\$context\.authorizer\.(\w+)", fill, response.body)
        headers = [("Content-Type", "application/json"), *response.headers.items()]
        return status, headers, body.encode()

    def failed(self, exc: InvocationError) -> Answer:
        """The answer to an integration that failed: its gateway response type, or DEFAULT_5XX's."""
        return self.gateway_response(exc.kind, error=(exc.status, exc.body))

    def authorize(self, name: str, event: dict[str, Any], method: str, path: str) -> Answer | None:
        """Run the route's Lambda REQUEST authorizer; None when allowed (its context is then in the event)."""
        authorizer = self.authorizers[name]
        sent = {k.lower() for k, v in (event.get("headers") or {}).items() if v}
        if any(h.lower() not in sent for h in authorizer.identity_headers):
            return self.gateway_response("UNAUTHORIZED")  # API Gateway does not even call the authorizer
        method_arn = f"arn:aws:execute-api:{self.region}:{ACCOUNT_ID}:local/{events.STAGE}/{method}{path}"
        try:
            answer = self.pools[authorizer.function_id].invoke(events.authorizer_event(event, method_arn))
        except InvocationError as exc:
            # Only the exact message "Unauthorized" is a refusal; any other failure (an exception, a crash, a
            # timeout) means the token could not be checked. API Gateway answers an authorizer that raises
            # with 500 AuthorizerConfigurationException (AUTHORIZER_CONFIGURATION_ERROR), as reported by
            # users of custom authorizers; Lambda refusing to run it likewise.
            if exc.raised == "Unauthorized":
                return self.gateway_response("UNAUTHORIZED")
            return self.gateway_response("AUTHORIZER_CONFIGURATION_ERROR")
        try:
            statements = answer["policyDocument"]["Statement"]
            context = dict(answer.get("context") or {})
            principal = answer["principalId"]
        except (KeyError, TypeError):
            return self.gateway_response("AUTHORIZER_FAILURE")
        def says(effect: str) -> bool:
            return any(s.get("Effect") == effect and fnmatch.fnmatchcase(method_arn, str(s.get("Resource")))
                       for s in statements)

        if says("Deny") or not says("Allow"):
            return self.gateway_response("ACCESS_DENIED", context)
        event["requestContext"]["authorizer"] = {"principalId": principal, **context}
        return None

    def handle(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
               client_ip: str, host: str) -> tuple[int, list[tuple[str, str]], bytes]:
        url = urlsplit(target)
        path = unquote(url.path)
        found = self.route(method, path)
        if found is None:  # what API Gateway answers for a method or path it has no route for
            return self.gateway_response("MISSING_AUTHENTICATION_TOKEN")
        resource, pool, authorizer = found
        event = events.build(method, path, url.query, headers, body, resource, client_ip, host)
        if authorizer:
            refused = self.authorize(authorizer, event, method, path)
            if refused:
                return refused
        try:
            return events.answer(pool.invoke(event))
        except InvocationError as exc:
            return self.failed(exc)
        except events.NotAProxyAnswer:
            return self.failed(InvocationError.function_error())

    def warm(self) -> None:
        for pool in self.pools.values():
            pool.warm()

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()


def server(gateway: Gateway, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(*gateway.gateway_response("REQUEST_TOO_LARGE"))
                return
            body = self.rfile.read(length) if length else b""
            status, headers, payload = gateway.handle(
                self.command, self.path, list(self.headers.items()), body, self.client_address[0],
                self.headers.get("Host", host))
            self._send(status, headers, payload)

        def _send(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _serve

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            # Request lines carry query strings (tokeninfo's access_token): log method and path only.
            self.server_log(f"{self.command} {urlsplit(self.path).path} -> {args[1] if len(args) > 1 else ''}")

        def server_log(self, line: str) -> None:
            import sys

            print(f"[gateway] {line}", file=sys.stderr)

    httpd = ThreadingHTTPServer((host, port), Handler)
    httpd.daemon_threads = True
    return httpd
