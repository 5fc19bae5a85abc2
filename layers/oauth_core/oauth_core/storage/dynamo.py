"""The one place that talks to DynamoDB: a lazily created client, marshalling, retries within the
request's time budget (``budget``) and error translation (``failures``).

Capacity and network failures are retried while the budget allows, then become
``TemporarilyUnavailable`` (503 + Retry-After); failed conditions become ``ConditionFailed`` /
``TransactionRefused`` so the table modules can map them to OAuth errors.
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING, Any

from oauth_core.errors import TemporarilyUnavailable
from oauth_core.storage import budget, failures
from oauth_core.storage.failures import ConditionFailed, StorageRejected, TransactionRefused
from oauth_core.storage.limits import (
    BATCH_GET_MAX_KEYS,
    BATCH_WRITE_MAX_ITEMS,
    ITEM_MAX,
    TRANSACTION_MAX_ITEMS,
    item_size,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = ["ConditionFailed", "StorageRejected", "TransactionRefused"]

# A batched read names each item it wants: {"client": (table, key), ...}; the answer has the same names
# and None for an item that is not there.
Reads = dict[str, tuple[str, dict[str, str]]]
Items = dict[str, dict[str, Any] | None]


def client(read_timeout: float | None = None) -> Any:
    """The DynamoDB client, made on first use (never at import: that escapes moto and costs cold start),
    with ``budget.read_timeout()``; a shorter ``read_timeout`` gets a client of its own (only when a
    request's time is nearly spent). botocore does not retry: ``call`` does, within the time budget."""
    from oauth_core.config import settings

    return _client(read_timeout, settings().region)


@functools.cache
def _client(read_timeout: float | None, region: str) -> Any:
    """One client per timeout and region: settings installed for a while (``config.installed``, oauthctl's
    ``--region``) never leave a client of their region behind."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "total_max_attempts": 1},  # "adaptive" would sleep outside the budget
        connect_timeout=budget.CONNECT_TIMEOUT,
        read_timeout=read_timeout or budget.read_timeout(),
        tcp_keepalive=True,
    )
    return boto3.client("dynamodb", config=config, region_name=region or None)


def forget_clients() -> None:
    """Drop the clients made so far: the next call makes one for the environment as it is now (tests point
    the storage at another endpoint)."""
    _client.cache_clear()


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


def call(operation: str, *, labels: tuple[str, ...] = (), **kwargs: Any) -> dict[str, Any]:
    """Invoke a DynamoDB operation, retrying transient failures while the time budget allows.
    ``labels`` name a transaction's actions, in order, for ``TransactionRefused.failed``."""
    attempt, first = 0, time.monotonic()
    while True:
        attempt += 1
        timeout = budget.attempt_timeout()
        if timeout is None:
            raise TemporarilyUnavailable()
        try:
            return _call_once(client() if timeout == budget.read_timeout() else client(timeout),
                              operation, labels, kwargs)
        except failures.Transient as exc:
            pause = budget.next_attempt(attempt)
            if pause is not None and exc.code == failures.IN_PROGRESS:
                # Our own transaction is still being applied: only a retry after it settles can finish it.
                pause = max(pause, first + failures.IN_PROGRESS_SETTLES - time.monotonic())
                pause = pause if budget.allows(pause + budget.shortest_attempt()) else None
            if pause is None:
                from oauth_core import observability

                observability.logger.warning("DynamoDB unavailable", extra={"operation": operation,
                                                                            "attempts": attempt, "cause": str(exc)})
                raise TemporarilyUnavailable() from exc  # the cause tells oauthctl what to say
            time.sleep(pause)


def _call_once(dynamodb: Any, operation: str, labels: tuple[str, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    from botocore.exceptions import ChecksumError, ClientError, ConnectionError, HTTPClientError
    from botocore.parsers import ResponseParserError

    try:
        answer: dict[str, Any] = getattr(dynamodb, operation)(**kwargs)
        return answer
    except ClientError as exc:
        response: dict[str, Any] = dict(exc.response)
        error = response.get("Error", {})
        code, message = error.get("Code", ""), error.get("Message", "")
        if code == "ConditionalCheckFailedException":
            raise ConditionFailed(unmarshal(response.get("Item"))) from None
        if code == "TransactionCanceledException":
            raise failures.cancellation(response.get("CancellationReasons") or [], labels, message) from None
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in failures.TRANSIENT_ERRORS or status >= 500:  # a 5xx is the service's, whatever its body
            raise failures.Transient(code) from None
        raise StorageRejected(f"{operation}: {code}: {message}") from None
    except (ConnectionError, HTTPClientError, ChecksumError, ResponseParserError) as exc:
        # Timeouts, refused or dropped connections, answers damaged on the way.
        raise failures.Transient(type(exc).__name__) from None


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
    marshalled = marshal(item)
    if item_size(marshalled) > ITEM_MAX:
        raise StorageRejected(f"the item would be {item_size(marshalled)} bytes: DynamoDB stores at most {ITEM_MAX}")
    call("put_item", TableName=table, Item=marshalled, ConditionExpression=f"{check}(#k)",
         ExpressionAttributeNames={"#k": key})  # a key may be a reserved word (scope)


def save_revision(table: str, item: Mapping[str, Any], key: str, read: int) -> None:
    """PutItem of an operator's change to an item read at revision ``read`` (``item`` has the next one):
    ``ConditionFailed`` with the stored item if someone saved it meanwhile, with None if it is gone."""
    marshalled = marshal(item)
    if item_size(marshalled) > ITEM_MAX:
        raise StorageRejected(f"the item would be {item_size(marshalled)} bytes: DynamoDB stores at most {ITEM_MAX}")
    # Items written before revisions existed have none: revision 0.
    same = "revision = :read" if read else "(attribute_not_exists(revision) OR revision = :read)"
    call("put_item", TableName=table, Item=marshalled, ConditionExpression=f"attribute_exists({key}) AND {same}",
         ExpressionAttributeValues=marshal({":read": read}), ReturnValuesOnConditionCheckFailure="ALL_OLD")


def delete_existing(table: str, key: Mapping[str, Any]) -> None:
    """DeleteItem that raises ``ConditionFailed`` when there was nothing to delete."""
    (name,) = key
    call("delete_item", TableName=table, Key=marshal(key), ConditionExpression="attribute_exists(#k)",
         ExpressionAttributeNames={"#k": name})


def batch_get(requests: Mapping[str, tuple[str, Mapping[str, Any]]],
              projections: Mapping[str, Sequence[str]] | None = None) -> dict[str, dict[str, Any] | None]:
    """Read several items of several tables in one round trip (strongly consistent).

    ``requests`` maps a name of the caller's choosing to ``(table, key)``; the answer maps each name to
    its item or None. ``projections`` maps a table to the only attributes to read of it. Keys asked for
    twice are sent once (DynamoDB refuses duplicates). Unprocessed keys are asked for again while the time
    budget allows.
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
    if sum(len(e["Keys"]) for e in wanted.values()) > BATCH_GET_MAX_KEYS:
        raise ValueError(f"a batched read takes at most {BATCH_GET_MAX_KEYS} keys")
    found: dict[str, list[dict[str, Any]]] = {}
    attempt = 0
    while wanted:
        attempt += 1
        response = call("batch_get_item", RequestItems=wanted)
        for table, items in response.get("Responses", {}).items():
            found.setdefault(table, []).extend(item for item in map(unmarshal, items) if item is not None)
        wanted = response.get("UnprocessedKeys") or {}
        if wanted:
            pause = budget.next_attempt(attempt)
            if pause is None:
                raise TemporarilyUnavailable()
            time.sleep(pause)
    return {name: _find(found.get(table, []), key) for name, (table, key) in requests.items()}


def _find(items: Iterable[dict[str, Any]], key: Mapping[str, Any]) -> dict[str, Any] | None:
    for item in items:
        if all(item.get(k) == v for k, v in key.items()):
            return item
    return None


def transact_write(actions: Mapping[str, dict[str, Any]], request_token: str | None = None) -> None:
    """All-or-nothing writes, each action named by what it writes (``"code"``, ``"grant"``...):
    ``TransactionRefused.failed`` names the actions whose condition failed, whatever their order.
    ``request_token`` makes a retry of a transaction whose success was lost idempotent."""
    if len(actions) > TRANSACTION_MAX_ITEMS:
        raise ValueError(f"a transaction takes at most {TRANSACTION_MAX_ITEMS} actions")
    kwargs: dict[str, Any] = {"TransactItems": list(actions.values())}
    if request_token:
        kwargs["ClientRequestToken"] = request_token[:36]
    call("transact_write_items", labels=tuple(actions), **kwargs)


def delete_within_budget(table: str, keys: list[dict[str, Any]]) -> int:
    """Delete ``keys`` with BatchWriteItem, 25 at a time, while the time budget allows; returns how
    many deletions DynamoDB accepted. Callers use it for clean-up that TTL would finish anyway."""
    done = 0
    pending = [{"DeleteRequest": {"Key": marshal(k)}} for k in keys]
    attempt = 0
    while pending:
        batch, pending = pending[:BATCH_WRITE_MAX_ITEMS], pending[BATCH_WRITE_MAX_ITEMS:]
        if budget.attempt_timeout() is None:
            break
        try:
            response = call("batch_write_item", RequestItems={table: batch})
        except TemporarilyUnavailable:
            break
        unprocessed = (response.get("UnprocessedItems") or {}).get(table, [])
        done += len(batch) - len(unprocessed)
        if unprocessed:
            attempt += 1
            pause = budget.next_attempt(attempt)
            if pause is None:
                break
            time.sleep(pause)
            pending = unprocessed + pending
    return done


def query_keys(table: str, index: str, attribute: str, value: str) -> list[dict[str, Any]]:
    """Every item key of ``index`` where ``attribute = value`` (paginated)."""
    return _every("query", TableName=table, IndexName=index, KeyConditionExpression="#a = :v",
                  ExpressionAttributeNames={"#a": attribute}, ExpressionAttributeValues=marshal({":v": value}))


def query(table: str, **conditions: Any) -> list[dict[str, Any]]:
    """Every item of one partition (strongly consistent); ``conditions``: ``KeyConditionExpression`` and its
    attribute names and values."""
    return _every("query", TableName=table, ConsistentRead=True, **conditions)


def scan(table: str, **filters: Any) -> list[dict[str, Any]]:
    """Every item of a small table (operators' listings only, never on a request path); ``filters``:
    ``FilterExpression`` and its attribute names and values."""
    return _every("scan", TableName=table, ConsistentRead=True, **filters)


def _every(operation: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item a query or scan finds, page after page."""
    items: list[dict[str, Any]] = []
    while True:
        response = call(operation, **kwargs)
        items.extend(item for item in map(unmarshal, response.get("Items", [])) if item is not None)
        if "LastEvaluatedKey" not in response:
            return items
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
