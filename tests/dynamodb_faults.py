"""DynamoDB as production sees it, for tests on moto: the exact error responses DynamoDB sends, parsed
by botocore's own parser, answered instead of moto at ``before-call`` (so nothing reaches moto and
nothing is written), and the request limits moto does not enforce (``local.dynamodb_rules``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from local import dynamodb_rules

# (HTTP status, message) of each top-level error, as DynamoDB words them.
ERRORS = {
    "ThrottlingException": (400, "Rate of requests exceeds the allowed throughput."),
    "ProvisionedThroughputExceededException": (400, "The level of configured provisioned throughput for the table "
                                                    "was exceeded. Consider increasing your provisioning level "
                                                    "with the UpdateTable API."),
    "RequestLimitExceeded": (400, "Throughput exceeds the current throughput limit for your account. Please contact "
                                  "AWS Support at https://aws.amazon.com/support request a limit increase"),
    "InternalServerError": (500, "Internal server error"),
    "TransactionConflictException": (400, "Transaction is ongoing for the item"),
}
# Cancellation reasons of TransactWriteItems that mean "try again", with DynamoDB's messages.
REASONS = {
    "ThrottlingError": "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
                       "scaling your table or index so please try again shortly.",
    "ProvisionedThroughputExceeded": "The level of configured provisioned throughput for the table was exceeded.",
    "RequestLimitExceeded": "Throughput exceeds the current throughput limit for your account.",
    "InternalServerError": "Internal server error",
    "TransactionConflict": "Transaction is ongoing for the item",
}


def answer(model: Any, status: int, body: bytes) -> tuple[Any, dict[str, Any]]:
    """What botocore makes of DynamoDB's HTTP answer: its JSON parser, plus the modeled error fields
    (``CancellationReasons``, ``Item``) as botocore's endpoint adds them."""
    from botocore.awsrequest import AWSResponse
    from botocore.parsers import create_parser

    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault-injected"}
    raw = {"status_code": status, "headers": headers, "body": body}
    parser = create_parser(model.metadata["protocol"])
    parsed = parser.parse(raw, model.output_shape)
    code = parsed.get("Error", {}).get("Code")
    error_shape = model.service_model.shape_for_error_code(code) if code else None
    if error_shape is not None:
        modeled = parser.parse(raw, error_shape)
        parsed.update({k: v for k, v in modeled.items() if k not in ("Error", "ResponseMetadata")})
    stream = type("Raw", (), {"stream": lambda self, **_: iter([body])})()
    return AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", status, headers, stream), parsed


def error(model: Any, code: str) -> tuple[Any, dict[str, Any]]:
    status, message = ERRORS[code]
    return answer(model, status, dynamodb_rules.error_body(code, message))


def cancelled(model: Any, reasons: list[dict[str, str]]) -> tuple[Any, dict[str, Any]]:
    """``TransactionCanceledException`` with one reason per action, as DynamoDB sends it."""
    names = ", ".join(r["Code"] for r in reasons)
    body = dynamodb_rules.error_body(
        "TransactionCanceledException",
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{names}]",
        CancellationReasons=reasons)
    return answer(model, 400, body)


def _body(params: dict[str, Any]) -> dict[str, Any]:
    raw = params.get("body") or b"{}"
    return json.loads(raw.decode() if isinstance(raw, bytes) else raw)


def strict(dynamodb: Any, schemas: dict[str, dynamodb_rules.Schema]) -> list[str]:
    """Refuse, like DynamoDB, the requests moto would let through; returns the refusals seen."""
    refused: list[str] = []

    def check(model: Any, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        problem = dynamodb_rules.violation(model.name, _body(params), schemas)
        if problem is None:
            return None
        refused.append(f"{model.name}: {problem}")
        return answer(model, 400, dynamodb_rules.error_body("ValidationException", problem))

    dynamodb.meta.events.register_first("before-call.dynamodb.*", check)
    return refused


@dataclass
class Faults:
    """DynamoDB unavailable from the ``after``-th call on (every attempt of every later call), with
    ``code`` (a top-level error) or, for transactions only, a cancellation ``reason`` on the action at
    ``position`` (others "None"), for ``limit`` calls if set. ``calls`` records what the request asked
    for, faulted or not."""

    code: str | None = None
    reason: str | None = None
    position: int = -1
    after: int = 0
    limit: int | None = None  # fault this many calls at most, then let DynamoDB recover
    calls: list[str] = field(default_factory=list)
    faulted: list[str] = field(default_factory=list)
    active: bool = True

    def install(self, dynamodb: Any) -> Faults:
        dynamodb.meta.events.register_first("before-call.dynamodb.*", self._fault)
        return self

    def _fault(self, model: Any, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        if not self.active:
            return None
        self.calls.append(model.name)
        if len(self.calls) <= self.after or (self.limit is not None and len(self.faulted) >= self.limit):
            return None
        if self.reason is not None:
            if model.name != "TransactWriteItems":
                return None
            actions = _body(params)["TransactItems"]
            reasons = [{"Code": "None"} for _ in actions]
            reasons[self.position] = {"Code": self.reason, "Message": REASONS[self.reason]}
            self.faulted.append(model.name)
            return cancelled(model, reasons)
        self.faulted.append(model.name)
        return error(model, self.code or "ThrottlingException")
