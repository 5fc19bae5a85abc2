"""What a DynamoDB failure means, decided by the error's and each cancellation reason's *name*.

Only a failed condition is an answer about the data ("this code was already used"); capacity, conflict
and internal errors say nothing about it and nothing was written, so they are worth a retry and, once
the time budget is spent, a 503. A request DynamoDB refuses as invalid is our bug (inputs are bounded
before any key is built): a 500 with the detail in the log.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

# Top-level error codes after which the same request may succeed.
TRANSIENT_ERRORS = frozenset({
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalFailure",
    "LimitExceededException",
    "TransactionConflictException",  # a single-item write racing a transaction on that item
    "TransactionInProgressException",  # our own ClientRequestToken, still being applied
})
CONDITION_FAILED = "ConditionalCheckFailed"


class ConditionFailed(Exception):
    """A conditional single-item write found the item in another state; ``item`` is the stored one, if
    DynamoDB returned it."""

    def __init__(self, item: dict[str, Any] | None) -> None:
        super().__init__("condition failed")
        self.item = item


class TransactionRefused(Exception):
    """A transaction was cancelled because the conditions of the actions named in ``failed`` did not
    hold. Nothing was written."""

    def __init__(self, failed: frozenset[str]) -> None:
        super().__init__(f"transaction refused: condition failed on {', '.join(sorted(failed))}")
        self.failed = failed


IN_PROGRESS = "TransactionInProgressException"
# A retry with the same ClientRequestToken completes an in-progress transaction only this long after the
# first attempt (TransactWriteItems API reference).
IN_PROGRESS_SETTLES = 5.0
# Refusals that are ours, not DynamoDB's momentary state: any other cancellation reason is retried.
_INVALID_REASONS = frozenset({"ValidationError", "ItemCollectionSizeLimitExceeded"})


class Transient(Exception):
    """DynamoDB could not serve the request now (capacity, conflict, internal error, network); ``code``
    names what it said."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class StorageRejected(Exception):
    """DynamoDB refused the request itself (``ValidationException`` and the like): a bug, never input."""


def cancellation(reasons: Sequence[dict[str, Any]], labels: Sequence[str], message: str = "") -> Exception:
    """The meaning of a ``TransactionCanceledException`` whose reasons are in the order of ``labels``
    (read from its message, "... specific reasons [None, ThrottlingError]", if they came without them).

    A failed condition is a fact about the data and wins: retrying would fail the same way. A request
    DynamoDB found invalid is our bug; any other reason (capacity, conflict, internal, new) is worth
    retrying the whole transaction.
    """
    codes = [str(r.get("Code") or "None") for r in reasons]
    if not codes:
        listed = re.search(r"\[([^\]]*)\]\s*$", message)
        codes = [c.strip() for c in listed.group(1).split(",")] if listed else []
    failed = frozenset(label for label, code in zip(labels, codes, strict=False) if code == CONDITION_FAILED)
    if failed:
        return TransactionRefused(failed)
    if any(code in _INVALID_REASONS for code in codes):
        return StorageRejected(f"transaction cancelled: {codes}")
    return Transient(f"TransactionCanceled{codes}")
