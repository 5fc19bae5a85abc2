"""The strict check refuses exactly what DynamoDB refuses (so a test on moto fails where production
would): key sizes and empty keys, item size, batch and transaction limits, duplicates."""

from __future__ import annotations

import pytest

from local.dynamodb_rules import Schema, item_size, violation

SCHEMAS = {"tokens": Schema(("token_hash",), {"grant_id": "by-grant"}), "clients": Schema(("client_id",), {})}


def key(value: str, name: str = "client_id") -> dict:
    return {name: {"S": value}}


def put(table: str, item: dict) -> dict:
    return {"Put": {"TableName": table, "Item": item}}


@pytest.mark.parametrize(("operation", "body", "refused"), [
    ("GetItem", {"TableName": "clients", "Key": key("x" * 2048)}, None),
    ("GetItem", {"TableName": "clients", "Key": key("x" * 2049)}, "hashkey"),
    ("GetItem", {"TableName": "clients", "Key": key("é" * 1025)}, "hashkey"),  # bytes, not characters
    ("GetItem", {"TableName": "clients", "Key": key("")}, "empty string"),
    ("PutItem", {"TableName": "tokens", "Item": {**key("h", "token_hash"), "grant_id": {"S": ""}}}, "secondary index"),
    ("PutItem", {"TableName": "tokens", "Item": {**key("h", "token_hash"), "big": {"S": "x" * 409_600}}}, "Item size"),
    ("PutItem", {"TableName": "tokens", "Item": {**key("h", "token_hash"), "ok": {"S": "x" * 400_000}}}, None),
    ("BatchGetItem", {"RequestItems": {"clients": {"Keys": [key("a"), key("a")]}}}, "duplicates"),
    ("BatchGetItem", {"RequestItems": {"clients": {"Keys": [key(str(i)) for i in range(101)]}}}, "Too many"),
    ("BatchGetItem", {"RequestItems": {"clients": {"Keys": [key(str(i)) for i in range(100)]}}}, None),
    ("BatchWriteItem", {"RequestItems": {"clients": [{"DeleteRequest": {"Key": key(str(i))}} for i in range(26)]}},
     "less than or equal to 25"),
    ("TransactWriteItems", {"TransactItems": [put("clients", key("a")), put("clients", key("a"))]}, "one item"),
    ("TransactWriteItems", {"TransactItems": [put("clients", key(str(i))) for i in range(101)]}, "100"),
    ("TransactWriteItems", {"TransactItems": [put("clients", key("a")), put("tokens", key("a", "token_hash"))]},
     None),
])
def test_violations(operation, body, refused):
    found = violation(operation, body, SCHEMAS)
    assert (found is None) if refused is None else (refused in found), found


def test_item_size_counts_names_and_utf8_bytes():
    assert item_size({"ab": {"S": "é"}}) == 4
    assert item_size({"n": {"N": "12345"}}) == 1 + 4
    assert item_size({"m": {"M": {"k": {"BOOL": True}}}}) == 1 + 3 + 1 + 1 + 1
