"""How long DynamoDB may keep a request waiting: every function answers, with a 503 if need be, before
its own timeout, instead of being killed and leaving API Gateway to answer 502 "Internal server error".

Each attempt is bounded by botocore's connect and read timeouts, the read timeout shortened when less
time is left, so that every attempt ends before the deadline less ``ANSWER_MARGIN`` (time to shape and
return the 503); retries are ours, not botocore's (its ``standard`` mode knows nothing of the
deadline). Without a deadline
(``oauthctl``, benchmarks) the attempts alone bound a call.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import random
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

CONNECT_TIMEOUT = 1.0  # s: same-region connects take milliseconds
ANSWER_MARGIN = 1.0  # s kept to answer after the last attempt (and for what the timeouts do not cover: a cold
# client's creation, DNS, a read timeout that applies per socket read)
MAX_ATTEMPTS = 4  # a call and three retries, as botocore's standard mode
_BACKOFF_BASE, _BACKOFF_CAP = 0.025, 1.0

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("dynamodb_deadline", default=None)


@contextlib.contextmanager
def within(context: Any) -> Iterator[None]:
    """The deadline of one invocation, from its Lambda context (``get_remaining_time_in_millis``);
    none without one. Restored on exit, so nothing outlives the invocation."""
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    token = _deadline.set(time.monotonic() + remaining_ms() / 1000 if callable(remaining_ms) else None)
    try:
        yield
    finally:
        _deadline.reset(token)


def read_timeout() -> float:
    """botocore's read timeout (``DYNAMODB_READ_TIMEOUT``, 2 s): DynamoDB answers in milliseconds,
    transactions included, when healthy."""
    from oauth_core.config import settings

    return settings().dynamodb_read_timeout


MIN_READ = 0.5  # s: an attempt given less time to answer than this is not worth starting


def shortest_attempt() -> float:
    """The least time an attempt is given: connecting, then ``MIN_READ`` to answer."""
    return CONNECT_TIMEOUT + MIN_READ


def attempt_timeout() -> float | None:
    """The read timeout of the next attempt: ``read_timeout()``, or less (in half seconds, so that few
    clients are ever made) so that the attempt ends before the deadline; None when not even
    ``MIN_READ`` fits."""
    left = remaining()
    if left is None:
        return read_timeout()
    fits = math.floor((left - CONNECT_TIMEOUT) * 2) / 2
    return None if fits < MIN_READ else min(read_timeout(), fits)


def remaining() -> float | None:
    """Seconds left before the answer must be on its way, or None without a deadline."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - ANSWER_MARGIN - time.monotonic()


def allows(seconds: float) -> bool:
    """Whether ``seconds`` more of waiting still leave time to answer."""
    left = remaining()
    return left is None or seconds <= left


def backoff(retry: int) -> float:
    """Full-jitter exponential backoff before retry number ``retry`` (1, 2, ...)."""
    return random.uniform(0, min(_BACKOFF_CAP, _BACKOFF_BASE * 2**retry))  # noqa: S311 - jitter, not a secret


def next_attempt(attempt: int) -> float | None:
    """The pause before attempt ``attempt + 1``, or None when retrying would not leave time to answer."""
    if attempt >= MAX_ATTEMPTS:
        return None
    pause = backoff(attempt)
    return pause if allows(pause + shortest_attempt()) else None
