"""The one place that talks to DynamoDB: a lazily created client, marshalling, and error translation.

Throttling and AWS-side faults become ``TemporarilyUnavailable`` (503) after botocore's bounded
``standard`` retries; failed conditions become ``ConditionFailed`` / ``TransactionConflict`` so the
table modules can map them to OAuth errors.
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING, Any

from oauth_core.errors import TemporarilyUnavailable

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

_UNAVAILABLE = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "LimitExceededException",
}
_BATCH_ATTEMPTS = 4


class ConditionFailed(Exception):
    """A conditional write found the item in another state; ``item`` is the stored one, if any."""

    def __init__(self, item: dict[str, Any] | None) -> None:
        super().__init__("condition failed")
        self.item = item


class TransactionConflict(Exception):
    """A transaction was cancelled; ``reasons`` holds one code (or None) per action, in order."""

    def __init__(self, reasons: list[str | None]) -> None:
        super().__init__(f"transaction cancelled: {reasons}")
        self.reasons = reasons


@functools.cache
def client() -> Any:
    """The DynamoDB client, made on first use (never at import: that escapes moto and costs cold start)."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=2,
        read_timeout=5,
        tcp_keepalive=True,
    )
    return boto3.client("dynamodb", config=config)


@functools.cache
def _serializer() -> Any:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


@functools.cache
def _deserializer() -> Any:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


def marshal(item: Mapping[str, Any]) -> dict[str, Any]:
    """Python values to DynamoDB attribute values; None values are left out."""
    ser = _serializer()
    return {k: ser.serialize(v) for k, v in item.items() if v is not None}


def unmarshal(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    de = _deserializer()
    return {k: de.deserialize(v) for k, v in item.items()}


def call(operation: str, **kwargs: Any) -> dict[str, Any]:
    """Invoke a DynamoDB operation, translating its errors into the domain's."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return getattr(client(), operation)(**kwargs)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code", "")
        if code == "ConditionalCheckFailedException":
            raise ConditionFailed(unmarshal(exc.response.get("Item"))) from None
        if code == "TransactionCanceledException":
            reasons = [r.get("Code") if r.get("Code") != "None" else None
                       for r in exc.response.get("CancellationReasons", [])]
            raise TransactionConflict(reasons) from None
        if code in _UNAVAILABLE:
            raise TemporarilyUnavailable() from None
        raise
    except BotoCoreError:
        raise TemporarilyUnavailable() from None


def get(table: str, key: Mapping[str, Any], attributes: Sequence[str] = ()) -> dict[str, Any] | None:
    """Strongly consistent read: a revoke followed by a read must see the revoke. ``attributes``, if
    given, are the only ones read (IAM may allow a function no others: ``dynamodb:Attributes``)."""
    response = call("get_item", TableName=table, Key=marshal(key), ConsistentRead=True, **_projection(attributes))
    return unmarshal(response.get("Item"))


def _projection(attributes: Sequence[str]) -> dict[str, Any]:
    if not attributes:
        return {}
    names = {f"#p{i}": name for i, name in enumerate(attributes)}
    return {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}


def put_if(table: str, item: Mapping[str, Any], key: str, *, exists: bool) -> None:
    """PutItem that must replace (``exists=True``) or must create (``exists=False``) the item: operators
    never overwrite a registration by accident nor resurrect a deleted one. ``ConditionFailed`` otherwise."""
    check = "attribute_exists" if exists else "attribute_not_exists"
    call("put_item", TableName=table, Item=marshal(item), ConditionExpression=f"{check}({key})")


def delete_existing(table: str, key: Mapping[str, Any]) -> None:
    """DeleteItem that raises ``ConditionFailed`` when there was nothing to delete."""
    (name,) = key
    call("delete_item", TableName=table, Key=marshal(key), ConditionExpression=f"attribute_exists({name})")


def batch_get(requests: Mapping[str, tuple[str, Mapping[str, Any]]],
              projections: Mapping[str, Sequence[str]] | None = None) -> dict[str, dict[str, Any] | None]:
    """Read several items of several tables in one round trip (strongly consistent).

    ``requests`` maps a name of the caller's choosing to ``(table, key)``; the answer maps each name to
    its item or None. ``projections`` maps a table to the only attributes to read of it. Unprocessed
    keys are retried a bounded number of times.
    """
    projections = projections or {}
    if len(requests) == 1:
        ((name, (table, key)),) = requests.items()
        return {name: get(table, key, projections.get(table, ()))}
    wanted: dict[str, dict[str, Any]] = {}
    for table, key in requests.values():
        entry = wanted.setdefault(table, {"Keys": [], "ConsistentRead": True,
                                          **_projection(projections.get(table, ()))})
        marshalled = marshal(key)
        if marshalled not in entry["Keys"]:
            entry["Keys"].append(marshalled)
    found: dict[str, list[dict[str, Any]]] = {}
    for attempt in range(_BATCH_ATTEMPTS):
        response = call("batch_get_item", RequestItems=wanted)
        for table, items in response.get("Responses", {}).items():
            found.setdefault(table, []).extend(unmarshal(i) for i in items)
        wanted = response.get("UnprocessedKeys") or {}
        if not wanted:
            break
        time.sleep(0.02 * 2**attempt)
    else:
        raise TemporarilyUnavailable()
    return {name: _find(found.get(table, []), key) for name, (table, key) in requests.items()}


def _find(items: Iterable[dict[str, Any]], key: Mapping[str, Any]) -> dict[str, Any] | None:
    for item in items:
        if all(item.get(k) == v for k, v in key.items()):
            return item
    return None


def transact_write(actions: list[dict[str, Any]], request_token: str | None = None) -> None:
    """All-or-nothing writes. ``request_token`` makes a botocore retry of a lost success idempotent."""
    kwargs: dict[str, Any] = {"TransactItems": actions}
    if request_token:
        kwargs["ClientRequestToken"] = request_token[:36]
    call("transact_write_items", **kwargs)


def query_keys(table: str, index: str, attribute: str, value: str) -> list[dict[str, Any]]:
    """Every item key of ``index`` where ``attribute = value`` (paginated)."""
    keys: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": "#a = :v",
        "ExpressionAttributeNames": {"#a": attribute},
        "ExpressionAttributeValues": marshal({":v": value}),
    }
    while True:
        response = call("query", **kwargs)
        keys.extend(unmarshal(i) for i in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return keys
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def scan(table: str) -> list[dict[str, Any]]:
    """Every item of a small table (operators' listings only, never on a request path)."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        response = call("scan", **kwargs)
        items.extend(unmarshal(i) for i in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return items
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
