"""Create the template's tables (keys, indexes, TTL) on whatever DynamoDB the client points at."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from local.dynamodb_rules import Schema

if TYPE_CHECKING:
    from local.template import Stack


def create(stack: Stack, dynamodb: Any) -> list[str]:
    """Create every table of the template that does not exist yet; returns the names created. The tables a
    deployment is told to use instead of its own (``ExistingClientsTable``, ...) are created too when
    missing, with the template's keys: a fresh local store has no retained tables."""
    existing = set(dynamodb.list_tables().get("TableNames", []))
    created = []
    for table in stack.tables(existing=True):
        if table.name in existing:
            continue
        dynamodb.create_table(**table.create_kwargs())
        if table.ttl_attribute:
            dynamodb.update_time_to_live(
                TableName=table.name,
                TimeToLiveSpecification={"AttributeName": table.ttl_attribute, "Enabled": True},
            )
        created.append(table.name)
    for name in created:  # a DynamoDB (or moto server) may answer before the table takes writes
        dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return created


def environment(stack: Stack) -> dict[str, str]:
    """The table-name variables the functions get (the same for every function of the template)."""
    return {k: v for f in stack.functions() for k, v in f.environment.items() if k.endswith("_TABLE")}


def schemas(stack: Stack) -> dict[str, Schema]:
    """Each table's key attributes and index keys, for ``dynamodb_rules``."""
    found = {}
    for table in stack.tables():
        kwargs = table.create_kwargs()
        index_keys = {k["AttributeName"]: index["IndexName"] for index in kwargs.get("GlobalSecondaryIndexes", [])
                      for k in index["KeySchema"]}
        found[table.name] = Schema(tuple(k["AttributeName"] for k in kwargs["KeySchema"]), index_keys)
    return found
