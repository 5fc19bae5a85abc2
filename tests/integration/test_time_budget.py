"""A DynamoDB that does not answer: every function still answers 503 itself, before its own timeout, so
API Gateway never has to answer 502 "Internal server error" for a function Lambda killed. The store here
is a loopback socket that accepts connections and never replies."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import uuid

import pytest

from local import events
from local.template import Stack
from local.worker import LambdaContext

SHORT = 5.0  # s: room for a few shortened attempts only
FUNCTION_TIMEOUT = max(f.timeout for f in Stack().functions())  # template.yaml: what Lambda allows each function


@pytest.fixture
def silent_dynamodb(monkeypatch):
    """DynamoDB's endpoint on a socket that accepts and reads, and never answers."""
    from oauth_core.config import settings
    from oauth_core.storage import dynamo

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{server.getsockname()[1]}")
    settings.cache_clear()
    dynamo.forget_clients()
    yield accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()
    dynamo.forget_clients()


def context(seconds: float) -> LambdaContext:
    return LambdaContext(function_name="f", memory_limit_in_mb=512, aws_request_id=str(uuid.uuid4()),
                         invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:f",
                         deadline=time.time() + seconds)


def token_event() -> dict:
    auth = base64.b64encode(b"some-client:some-secret").decode()
    return events.build("POST", "/oauth/token", "", [("Authorization", f"Basic {auth}"),
                                                      ("Content-Type", "application/x-www-form-urlencoded")],
                        b"grant_type=client_credentials", "/oauth/token")


@pytest.mark.parametrize("seconds", [FUNCTION_TIMEOUT, SHORT])
def test_silent_store_gets_a_503_before_the_function_times_out(handlers, silent_dynamodb, seconds):
    ctx = context(seconds)
    answer = handlers.handler("token")(token_event(), ctx)
    assert answer["statusCode"] == 503 and json.loads(answer["body"])["error"] == "temporarily_unavailable"
    assert answer["headers"]["Retry-After"] and ctx.get_remaining_time_in_millis() > 0, "answered in time"
    assert silent_dynamodb, "the store was really asked"


def test_silent_store_at_the_authorizer_is_an_authorizer_failure_in_time(handlers, silent_dynamodb):
    ctx = context(SHORT)
    from oauth_core import token_format

    token = token_format.mint(token_format.TokenRef("some-client"))  # well formed: only the store can say more
    request = events.build("GET", "/orders", "", [("Authorization", f"Bearer {token}")], b"", "/orders")
    with pytest.raises(Exception, match="unavailable") as caught:
        handlers.handler("authorizer")(events.authorizer_event(request, "arn:aws:execute-api:r:1:a/api/GET/x"), ctx)
    assert str(caught.value) != "Unauthorized" and ctx.get_remaining_time_in_millis() > 0
