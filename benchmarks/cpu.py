"""CPU per request, measured directly: each operation runs in a tight loop against the DynamoDB answers it
got from moto, replayed byte for byte by botocore's ``before-send`` hook. No network, no moto: the figure
is our code plus botocore's request signing, serialization and parsing, which Lambda bills as well.

The same loop counts the bytes the handler writes to stdout and stderr (log lines and EMF metrics), which
CloudWatch Logs bills by the GB ingested.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# Lambda writes START, END and REPORT lines for every invocation (about this many bytes together).
PLATFORM_LOG_BYTES = 420


@dataclass(frozen=True)
class Answer:
    operation: str
    status: int
    headers: dict[str, str]
    body: bytes


class _Raw:
    """What botocore reads an HTTP body from (``AWSResponse.raw``)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


@dataclass(frozen=True)
class Recording:
    answers: list[Answer]
    at: float  # the client cache's clock: replays run at this instant, so they find what it held


def record(client: Any, operation: Callable[[], Any]) -> Recording:
    """Run ``operation`` once on moto and keep DynamoDB's answers in order."""
    from oauth_core.storage import client_cache

    answers: list[Answer] = []
    at = client_cache._clock()

    def keep(http_response: Any, model: Any, **_: Any) -> None:
        answers.append(Answer(model.name, http_response.status_code, dict(http_response.headers),
                              http_response.content))

    client.meta.events.register("after-call.dynamodb.*", keep)
    try:
        operation()
    finally:
        client.meta.events.unregister("after-call.dynamodb.*", keep)
    return Recording(answers, at)


@contextlib.contextmanager
def replaying(client: Any, answers: list[Answer]) -> Iterator[Callable[[], None]]:
    """Answer the client's calls from ``answers``, moto paused; yields ``rewind()``, called before each
    request. A call that differs from the recording fails the benchmark."""
    from botocore.awsrequest import AWSResponse
    from moto.core.models import botocore_stubber

    position = [0]

    def answer(request: Any, event_name: str, **_: Any) -> Any:
        name = event_name.rsplit(".", 1)[-1]
        if position[0] >= len(answers):
            raise RuntimeError(f"unrecorded DynamoDB call {name}")
        recorded = answers[position[0]]
        if name != recorded.operation:
            raise RuntimeError(f"DynamoDB call {name} where {recorded.operation} was recorded")
        position[0] += 1
        return AWSResponse(request.url, recorded.status, recorded.headers, _Raw(recorded.body))

    def rewind() -> None:
        if position[0] not in (0, len(answers)):
            raise RuntimeError(f"{position[0]} of {len(answers)} recorded calls made")
        position[0] = 0

    moto_was_answering = botocore_stubber.enabled
    botocore_stubber.enabled = False  # moto's own before-send hook would otherwise run the request too
    client.meta.events.register_first("before-send.dynamodb", answer)
    try:
        yield rewind
    finally:
        client.meta.events.unregister("before-send.dynamodb", answer)
        botocore_stubber.enabled = moto_was_answering


@contextlib.contextmanager
def counting_output() -> Iterator[Callable[[], int]]:
    """Send fds 1 and 2 to a file; yields a function answering how many bytes were written so far."""
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield lambda: os.fstat(sink.fileno()).st_size
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def measure(client: Any, operation: Callable[[Any], Any], inputs: Any, recording: Recording,
            requests: int) -> dict[str, float]:
    """CPU ms and log bytes per request of ``operation(inputs)`` answered ``requests`` times from
    ``recording`` (made just before, on moto; replayed with moto paused, so inputs such as a JWT
    assertion are still current)."""
    from oauth_core.storage import client_cache

    real_clock = client_cache._clock
    client_cache._clock = lambda: recording.at  # the loop outlives the cache bound; it was recorded warm
    try:
        with replaying(client, recording.answers) as rewind, counting_output() as written:
            for _ in range(min(10, requests)):  # warm-up: first-use imports and caches
                rewind()
                operation(inputs)
            before_bytes = written()
            cpu = time.process_time()
            for _ in range(requests):
                rewind()
                operation(inputs)
            cpu_ms = (time.process_time() - cpu) * 1000 / requests
            log_bytes = (written() - before_bytes) / requests
            rewind()
    finally:
        client_cache._clock = real_clock
    return {"requests": requests, "cpu_ms_per_request": round(cpu_ms, 3),
            "log_bytes_per_request": round(log_bytes + PLATFORM_LOG_BYTES)}
