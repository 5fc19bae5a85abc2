"""oauth_client against the local stack's token endpoint: token caching, and the one retry on a 401
that ``token_retry_check_level`` allows (z/OS Connect's tokenRetryCheckLevel 1 and 3).

The resources are the local stack's protected resource, and a loopback server standing in for a
third-party resource that answers whatever 401 the test asks for, and counts what it received."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from local.launcher import free_port
from oauth_client import OAuthClient
from oauth_core.protected_resource import PAGE

INVALID_TOKEN = 'Bearer realm="api", error="invalid_token", error_description="expired"'
BARE = 'Bearer realm="api"'


class Resource:
    """Answers 401 with ``challenge`` to the first ``failures`` requests, then 200; records the tokens."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/data"
        self.tokens: list[str] = []
        self.bodies: list[bytes] = []
        self.failures, self.challenge = 0, INVALID_TOKEN
        resource = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                chunked = self.headers.get("Transfer-Encoding") == "chunked"
                body = self.rfile.read(length) if length else (self._chunks() if chunked else b"")
                resource.tokens.append(self.headers.get("Authorization", ""))
                resource.bodies.append(body)
                failing = len(resource.tokens) <= resource.failures
                self.send_response(401 if failing else 200)
                if failing and resource.challenge:
                    self.send_header("WWW-Authenticate", resource.challenge)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"no" if failing else b"ok")

            def _chunks(self) -> bytes:
                data = b""
                while True:
                    size = int(self.rfile.readline().strip(), 16)
                    data += self.rfile.read(size)
                    self.rfile.readline()
                    if size == 0:
                        return data

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def reset(self, failures: int, challenge: str) -> None:
        self.tokens.clear()
        self.bodies.clear()
        self.failures, self.challenge = failures, challenge


@pytest.fixture(scope="module")
def resource():
    server = Resource()
    yield server
    server.httpd.shutdown()


def client(local_stack, level=3, **kwargs) -> OAuthClient:
    return OAuthClient(f"{local_stack.url}/oauth/token", local_stack.client_id, local_stack.client_secret,
                       token_retry_check_level=level, **kwargs)


def test_tokens_are_cached_until_shortly_before_expiry(local_stack, resource):
    resource.reset(0, "")
    c = client(local_stack)
    for _ in range(3):
        assert c.get(resource.url).status_code == 200
    assert c.tokens_fetched == 1 and len(set(resource.tokens)) == 1
    short = client(local_stack, expiry_margin=3600)  # a 3600 s token is "about to expire" at once
    short.get(resource.url)
    short.get(resource.url)
    assert short.tokens_fetched == 2


@pytest.mark.parametrize(("level", "challenge", "retried"), [
    (3, INVALID_TOKEN, True),
    (3, BARE, False),
    (3, "", False),
    (1, INVALID_TOKEN, True),
    (1, BARE, True),
    (1, "", True),
])
def test_retry_once_according_to_the_check_level(local_stack, resource, level, challenge, retried):
    resource.reset(1, challenge)
    c = client(local_stack, level)
    r = c.get(resource.url)
    if retried:
        assert r.status_code == 200 and len(resource.tokens) == 2 and c.tokens_fetched == 2
        assert resource.tokens[0] != resource.tokens[1], "the retry carries a new token"
    else:
        assert r.status_code == 401 and len(resource.tokens) == 1 and c.tokens_fetched == 1


def test_retries_only_once(local_stack, resource):
    resource.reset(5, INVALID_TOKEN)
    r = client(local_stack, 1).get(resource.url)
    assert r.status_code == 401 and len(resource.tokens) == 2


def test_replayable_body_is_sent_again(local_stack, resource):
    resource.reset(1, INVALID_TOKEN)
    r = client(local_stack).post(resource.url, data=b"order #1")
    assert r.status_code == 200 and resource.bodies == [b"order #1", b"order #1"]


def test_a_streamed_body_is_never_retried(local_stack, resource):
    resource.reset(1, INVALID_TOKEN)
    r = client(local_stack).post(resource.url, data=(chunk for chunk in [b"order ", b"#2"]))
    assert r.status_code == 401 and resource.bodies == [b"order #2"]


def test_against_the_protected_resource_a_revoked_token_is_replaced(local_stack):
    c = client(local_stack)
    url = f"{local_stack.url}/oauth/protected"
    assert c.get(url).text == PAGE
    revoked = c.token()
    requests.post(f"{local_stack.url}/oauth/revoke", data={"token": revoked},
                  auth=(local_stack.client_id, local_stack.client_secret), timeout=10)
    r = c.get(url)
    assert r.status_code == 200 and r.text == PAGE and c.tokens_fetched == 2 and c.token() != revoked


def test_password_grant_client_uses_its_refresh_token(local_stack):
    c = client(local_stack, grant_type="password", username="admin", password="changeme")
    url = f"{local_stack.url}/oauth/protected/gateway"
    assert c.get(url).status_code == 200
    first = c.token()
    c.invalidate()
    assert c.get(url).status_code == 200 and c.token() != first and c.tokens_fetched == 2
