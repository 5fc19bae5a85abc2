"""The attempts table: failed-password counters per subject (an address, a user, a user at an address)
and time window, kept until the window ends (``expires_at``, the TTL attribute)."""

from __future__ import annotations

from typing import Any

from oauth_core.config import settings
from oauth_core.hashing import digest
from oauth_core.storage import actions


def counter_id(subject: str, window: int) -> str:
    # Hashed: subjects are whatever an attacker typed, and the key size must stay bounded.
    return f"{digest(subject)}#{window}"


def key(subject: str, window: int) -> tuple[str, dict[str, str]]:
    return settings().attempts_table, {"counter_id": counter_id(subject, window)}


def failures(item: dict[str, Any] | None) -> int:
    return int(item.get("failures", 0)) if item else 0


def last_failure(item: dict[str, Any] | None) -> int:
    """Epoch seconds of the counter's latest failure (0 when none)."""
    return int(item.get("last_failure", 0)) if item else 0


def record_failure(subject: str, window: int, expires_at: int, now: int) -> None:
    """Count one more failure (an atomic ADD, safe under concurrency) and when it happened."""
    actions.run(actions.update(settings().attempts_table, {"counter_id": counter_id(subject, window)},
                               "ADD failures :one SET expires_at = :exp, last_failure = :now",
                               {":one": 1, ":exp": expires_at, ":now": now}))


def clear(subject: str, window: int) -> None:
    """Forget a subject's failures (a success from the same place)."""
    actions.run(actions.delete(settings().attempts_table, {"counter_id": counter_id(subject, window)}))
