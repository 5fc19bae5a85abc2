"""The HTTP side of the local stack: routes from template.yaml, each request as a proxy event."""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from local import events
from local.functions import InvocationError, Pool

if TYPE_CHECKING:
    from local.template import Stack

MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit


class Gateway:
    def __init__(self, stack: Stack, env: dict[str, str]) -> None:
        self.pools: dict[str, Pool] = {}
        self.routes: list[tuple[str, re.Pattern[str], str, Pool]] = []
        for function in stack.functions():
            pool = self.pools[function.logical_id] = Pool(function, env)
            for route in function.routes:
                pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(route.path)) + "$")
                self.routes.append((route.method, pattern, route.path, pool))

    def route(self, method: str, path: str) -> tuple[str, Pool] | None:
        for route_method, pattern, resource, pool in self.routes:
            if route_method in (method, "ANY") and pattern.match(path):
                return resource, pool
        return None

    def handle(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
               client_ip: str, host: str) -> tuple[int, list[tuple[str, str]], bytes]:
        url = urlsplit(target)
        path = unquote(url.path)
        found = self.route(method, path)
        if found is None:
            # What API Gateway answers for a method or path it has no route for.
            return 403, [("Content-Type", "application/json")], b'{"message":"Missing Authentication Token"}'
        resource, pool = found
        event = events.build(method, path, url.query, headers, body, resource, client_ip, host)
        try:
            return events.answer(pool.invoke(event))
        except InvocationError as exc:
            return exc.status, [("Content-Type", "application/json")], json.dumps({"message": str(exc)}).encode()

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
                self._send(413, [("Content-Type", "application/json")], b'{"message":"Request Too Long"}')
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
