"""Count DynamoDB round trips with botocore event hooks, and size read/write units by DynamoDB's rules
(moto's ConsumedCapacity is a placeholder): reads 1 unit per 4 KB strongly consistent, writes 1 unit per
1 KB, transactions twice that, plus one write per GSI an item lands in."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

GSI_KEYS = {"-tokens": ("grant_id",)}  # table name suffix -> key attributes of its GSIs (template.yaml)


def item_size(item: dict[str, Any]) -> int:
    """Approximate DynamoDB item size: attribute names plus values."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    (kind, raw), = value.items()
    if kind in ("S", "B"):
        return len(raw.encode() if isinstance(raw, str) else raw)
    if kind == "N":
        return len(raw.lstrip("-").replace(".", "")) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in raw)
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in raw.items())
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v)) for v in raw)
    return 0


def _write_units(table: str, item: dict[str, Any] | None) -> float:
    """One unit per KB, plus one per index the item lands in (sparse indexes skip items without the key)."""
    units = max(1, math.ceil(item_size(item) / 1024)) if item else 1
    keys = next((k for suffix, k in GSI_KEYS.items() if table.endswith(suffix)), ())
    return units + sum(1 for key in keys if item and key in item)


def _read_units(items: list[dict[str, Any]]) -> float:
    return sum(max(1, math.ceil(item_size(i) / 4096)) for i in items) if items else 1


@dataclass
class Recorder:
    """Attach to a boto3 DynamoDB client; every call made through it is counted and sized."""

    calls: list[str] = field(default_factory=list)
    read_units: float = 0.0
    write_units: float = 0.0
    largest_item: int = 0
    by_table: dict[str, dict[str, float]] = field(default_factory=dict)  # table (less the stack name) -> units
    _pending: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def attach(self, client: Any) -> Recorder:
        client.meta.events.register("provide-client-params.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)
        return self

    def detach(self, client: Any) -> None:
        client.meta.events.unregister("provide-client-params.dynamodb.*", self._before)
        client.meta.events.unregister("after-call.dynamodb.*", self._after)

    def reset(self) -> None:
        self.calls.clear()
        self.by_table.clear()
        self.read_units = self.write_units = 0.0

    def _add(self, table: str, kind: str, units: float) -> None:
        setattr(self, f"{kind}_units", getattr(self, f"{kind}_units") + units)
        counts = self.by_table.setdefault(table.split("-", 1)[-1], {"read": 0.0, "write": 0.0})
        counts[kind] += units

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self._pending.append((model.name, params))

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name, params = self._pending.pop()
        self.calls.append(name)
        if name == "GetItem":
            self._add(params["TableName"], "read", _read_units([parsed["Item"]] if "Item" in parsed else []))
        elif name == "BatchGetItem":
            for table, asked in params["RequestItems"].items():
                found = parsed.get("Responses", {}).get(table, [])
                units = sum(max(1, math.ceil(item_size(i) / 4096)) for i in found)
                self._add(table, "read", units + max(0, len(asked["Keys"]) - len(found)))  # a miss costs 1
        elif name == "Query":
            size = sum(item_size(i) for i in parsed.get("Items", []))
            self._add(params["TableName"], "read", max(1, math.ceil(size / 4096)))
        elif name in ("PutItem", "UpdateItem", "DeleteItem"):
            item = params.get("Item")
            self.largest_item = max(self.largest_item, item_size(item) if item else 0)
            self._add(params["TableName"], "write", _write_units(params["TableName"], item))
        elif name == "TransactWriteItems":
            for action in params["TransactItems"]:
                (kind, body), = action.items()
                item = body.get("Item")
                if item:
                    self.largest_item = max(self.largest_item, item_size(item))
                self._add(body["TableName"], "write", 2 * _write_units(body["TableName"], item))
