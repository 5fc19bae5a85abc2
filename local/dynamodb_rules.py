"""DynamoDB's request limits that moto does not enforce, and the errors DynamoDB answers with.

Used by the local stack (its moto server refuses what DynamoDB refuses) and by the tests (the same
check on every call of the in-process moto, plus real error shapes fed to botocore). Limits are from
the DynamoDB developer guide, "Service, account, and table quotas": partition key values 2,048 bytes,
items 400 KB, 100 actions and 4 MB per transaction with one action per item, 100 keys per
BatchGetItem and 25 requests per BatchWriteItem, no duplicate keys in a batch, no empty key strings
(the numbers live in ``oauth_core.storage.limits``, which the layer obeys).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from oauth_core.storage.limits import (
    BATCH_GET_MAX_KEYS,
    BATCH_WRITE_MAX_ITEMS,
    ITEM_MAX,
    PARTITION_KEY_MAX,
    TRANSACTION_MAX_BYTES,
    TRANSACTION_MAX_ITEMS,
    item_size,
)
from oauth_core.storage.limits import value_size as _value_size

PREFIX = "com.amazonaws.dynamodb.v20120810#"


@dataclass(frozen=True)
class Schema:
    """Key attributes of one table, and of its indexes (whose keys DynamoDB checks on every write)."""

    keys: tuple[str, ...]
    index_keys: dict[str, str]  # attribute -> index name


def error_body(code: str, message: str, **extra: Any) -> bytes:
    """The JSON body DynamoDB sends with an error (HTTP 400, or 500 for InternalServerError)."""
    prefix = "com.amazon.coral.validate#" if code == "ValidationException" else PREFIX
    return json.dumps({"__type": prefix + code, "message": message, **extra}).encode()


def _check_key_values(values: dict[str, Any], names: dict[str, str | None]) -> str | None:
    """``names`` maps key attributes to check to None (table key) or the index they key."""
    for name, index in names.items():
        value = values.get(name)
        if value is None:
            continue
        ((kind, inner),) = value.items()
        if kind == "S" and inner == "":
            if index:
                return ("One or more parameter values are not valid. A value specified for a secondary index key "
                        "is not supported. The AttributeValue for a key attribute cannot contain an empty string "
                        f"value. IndexName: {index}, IndexKey: {name}")
            return ("One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                    f"contain an empty string value. Key: {name}")
        if _value_size(value) > PARTITION_KEY_MAX:
            return ("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit "
                    f"of {PARTITION_KEY_MAX} bytes")
    return None


def _key(schema: Schema | None, key: dict[str, Any]) -> str | None:
    return _check_key_values(key, {name: None for name in (schema.keys if schema else key)})


def _item(schema: Schema | None, item: dict[str, Any]) -> str | None:
    if schema is not None:
        problem = _check_key_values(item, {**{k: None for k in schema.keys}, **schema.index_keys})
        if problem:
            return problem
    if item_size(item) > ITEM_MAX:
        return "Item size has exceeded the maximum allowed size"
    return None


def _identity(table: str, schema: Schema | None, values: dict[str, Any]) -> str:
    names = schema.keys if schema else sorted(values)
    return json.dumps([table, [values.get(n) for n in names]], sort_keys=True)


def violation(operation: str, body: dict[str, Any], schemas: dict[str, Schema]) -> str | None:
    """Why DynamoDB would answer this request with ``ValidationException``, or None."""
    if operation in ("GetItem", "DeleteItem", "UpdateItem"):
        return _key(schemas.get(body.get("TableName", "")), body.get("Key") or {})
    if operation == "PutItem":
        return _item(schemas.get(body.get("TableName", "")), body.get("Item") or {})
    if operation == "BatchGetItem":
        return _batch_get(body, schemas)
    if operation == "BatchWriteItem":
        return _batch_write(body, schemas)
    if operation == "TransactWriteItems":
        return _transaction(body, schemas)
    return None


def _batch_get(body: dict[str, Any], schemas: dict[str, Schema]) -> str | None:
    seen: set[str] = set()
    count = 0
    for table, request in (body.get("RequestItems") or {}).items():
        for key in request.get("Keys") or []:
            count += 1
            problem = _key(schemas.get(table), key)
            if problem:
                return problem
            identity = _identity(table, schemas.get(table), key)
            if identity in seen:
                return "Provided list of item keys contains duplicates"
            seen.add(identity)
    if count > BATCH_GET_MAX_KEYS:
        return "Too many items requested for the BatchGetItem call"
    return None


def _batch_write(body: dict[str, Any], schemas: dict[str, Schema]) -> str | None:
    seen: set[str] = set()
    count = 0
    for table, requests in (body.get("RequestItems") or {}).items():
        schema = schemas.get(table)
        for request in requests:
            count += 1
            values = (request.get("PutRequest") or {}).get("Item") or (request.get("DeleteRequest") or {}).get("Key")
            # A PutRequest without an Item reaches _item as None and fails there, as it always has.
            problem = (_item(schema, values) if "PutRequest" in request  # type: ignore[arg-type]
                       else _key(schema, values or {}))
            if problem:
                return problem
            identity = _identity(table, schema, values or {})
            if identity in seen:
                return "Provided list of item keys contains duplicates"
            seen.add(identity)
    if count > BATCH_WRITE_MAX_ITEMS:
        return (f"1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must "
                f"have length less than or equal to {BATCH_WRITE_MAX_ITEMS}")
    return None


def _transaction(body: dict[str, Any], schemas: dict[str, Schema]) -> str | None:
    actions = body.get("TransactItems") or []
    if len(actions) > TRANSACTION_MAX_ITEMS:
        return (f"1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must "
                f"have length less than or equal to {TRANSACTION_MAX_ITEMS}")
    seen: set[str] = set()
    total = 0
    for action in actions:
        ((kind, spec),) = action.items()
        table = spec.get("TableName", "")
        schema = schemas.get(table)
        if kind == "Put":
            values = spec.get("Item") or {}
            problem = _item(schema, values)
            total += item_size(values)
        else:
            values = spec.get("Key") or {}
            problem = _key(schema, values)
        if problem:
            return problem
        identity = _identity(table, schema, {k: values.get(k) for k in (schema.keys if schema else values)})
        if identity in seen:
            return "Transaction request cannot include multiple operations on one item"
        seen.add(identity)
    if total > TRANSACTION_MAX_BYTES:
        return "Transaction request size exceeds the maximum allowed size of 4 MB"
    return None
