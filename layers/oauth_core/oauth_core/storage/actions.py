"""The write actions the table modules build, in TransactWriteItems' shape (``{"Put": {...}}``...): the
same dict, unwrapped, is a single PutItem / UpdateItem / DeleteItem's arguments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oauth_core.storage import dynamo

if TYPE_CHECKING:
    from collections.abc import Mapping


_OPERATIONS = {"Put": "put_item", "Update": "update_item", "Delete": "delete_item"}


def update(table: str, key: Mapping[str, Any], expression: str, values: Mapping[str, Any] | None = None, *,
           condition: str | None = None, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {"Update": _expressed({"TableName": table, "Key": dynamo.marshal(key), "UpdateExpression": expression},
                                 condition, names, values)}


def put(table: str, item: Mapping[str, Any], *, condition: str | None = None,
        values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"Put": _expressed({"TableName": table, "Item": dynamo.marshal(item)}, condition, None, values)}


def delete(table: str, key: Mapping[str, Any], *, condition: str | None = None,
           names: Mapping[str, str] | None = None, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"Delete": _expressed({"TableName": table, "Key": dynamo.marshal(key)}, condition, names, values)}


def _expressed(action: dict[str, Any], condition: str | None, names: Mapping[str, str] | None,
               values: Mapping[str, Any] | None) -> dict[str, Any]:
    if condition:
        action["ConditionExpression"] = condition
    if names:
        action["ExpressionAttributeNames"] = dict(names)
    if values:
        action["ExpressionAttributeValues"] = dynamo.marshal(values)
    return action


def run(action: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """One action on its own, outside a transaction."""
    ((kind, arguments),) = action.items()
    return dynamo.call(_OPERATIONS[kind], **arguments)
