"""Failed-credential budgets (RFC 9700 §4.16 asks that passwords cannot be guessed online).

Each subject has a budget of failures per fixed window of ``FAILED_LOGIN_WINDOW`` seconds: a user
(passwords at the login form and the password grant) ``FAILED_LOGIN_LIMIT``, a client id (secrets at
the token and revocation endpoints) ``FAILED_CLIENT_AUTH_LIMIT``. The counter is read in the same
batched read as the user or client, so a success costs no extra round trip; a failure costs one atomic
ADD. Over budget, the credential is not even checked: right and wrong answers look the same, and unknown
subjects are counted like known ones.
"""

from __future__ import annotations

import time
from typing import Any

from oauth_core import observability
from oauth_core.config import settings
from oauth_core.errors import TooManyAttempts
from oauth_core.storage import attempts

USER, CLIENT = "user", "client"


def user(username: str) -> str:
    return f"{USER}\x1f{username}"


def client(client_id: str) -> str:
    return f"{CLIENT}\x1f{client_id}"


def _read_name(subject: str) -> str:
    return "attempts_" + subject.split("\x1f", 1)[0]


def _limit(subject: str) -> int:
    return settings().failed_client_auth_limit if subject.startswith(CLIENT) else settings().failed_login_limit


def _window(now: float) -> int:
    return int(now) // settings().failed_login_window


def reads(subject: str, now: float | None = None) -> dict[str, Any]:
    """The counter to fetch with the rest of the request's reads."""
    return {_read_name(subject): attempts.key(subject, _window(time.time() if now is None else now))}


def _retry_after(now: float) -> int:
    window = settings().failed_login_window
    return window - int(now) % window


def check(items: dict[str, Any], subject: str, error: str, now: float | None = None) -> None:
    """``TooManyAttempts`` when ``subject`` has spent its budget in this window."""
    now = time.time() if now is None else now
    if attempts.failures(items.get(_read_name(subject))) >= _limit(subject):
        observability.count("CredentialsThrottled", "error", error)
        raise TooManyAttempts(error, _retry_after(now))


def failed(subject: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    window = _window(now)
    count = attempts.record_failure(subject, window, (window + 1) * settings().failed_login_window + 60)
    if count == _limit(subject):
        observability.logger.warning("failed-credential budget spent", extra={"retry_after": _retry_after(now)})
