"""DynamoDB's request limits that the code can reach ("Service, account, and table quotas" in the
DynamoDB developer guide), and its way of sizing an item. moto enforces almost none of them:
``local.dynamodb_rules`` checks them in the tests and the local stack."""

from __future__ import annotations

from typing import Any

PARTITION_KEY_MAX = 2048  # bytes of a partition key value (UTF-8 for strings)
ITEM_MAX = 400 * 1024  # bytes of an item: attribute names plus values
TRANSACTION_MAX_ITEMS = 100
TRANSACTION_MAX_BYTES = 4 * 1024 * 1024
BATCH_GET_MAX_KEYS = 100
BATCH_WRITE_MAX_ITEMS = 25


def _value_size(value: dict[str, Any]) -> int:
    import base64

    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return (len(inner.strip("-").replace(".", "").lstrip("0")) + 1) // 2 + 1
    if kind == "B":
        return len(base64.b64decode(inner)) if isinstance(inner, str) else len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + _value_size(v) + 1 for k, v in inner.items())
    return 0


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's size of a marshalled item: UTF-8 attribute names plus values."""
    return sum(len(name.encode("utf-8")) + _value_size(value) for name, value in item.items())


def value_size(value: dict[str, Any]) -> int:
    return _value_size(value)
