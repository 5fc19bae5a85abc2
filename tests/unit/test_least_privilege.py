"""IAM in template.yaml: the functions that only check tokens may read no password hash or client secret
hash, and the attributes their policies allow are exactly those the token check projects."""

import pytest

from local.template import load
from oauth_core.storage import clients, users

READ_ONLY = ("TokenInfoFunction", "ProtectedFunction", "AuthorizerFunction")


def statements(function: str) -> list[dict]:
    policies = load()["Resources"][function]["Properties"]["Policies"]
    return [s for p in policies for s in p["Statement"]]


def on(statement: dict, table: str) -> bool:
    resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    return {"Fn::GetAtt": [table, "Arn"]} in resources or {"Fn::GetAtt": f"{table}.Arn"} in resources


@pytest.mark.parametrize("function", READ_ONLY)
@pytest.mark.parametrize(("table", "allowed"), [("UsersTable", users.CHECKED_ATTRIBUTES),
                                                ("ClientsTable", clients.CHECKED_ATTRIBUTES)])
def test_token_checkers_read_only_the_checked_attributes(function, table, allowed):
    found = [s for s in statements(function) if on(s, table)]
    assert found, f"{function} cannot read {table}"
    for statement in found:
        condition = statement.get("Condition", {})
        assert condition["ForAllValues:StringEquals"]["dynamodb:Attributes"] == list(allowed)
        assert condition["StringEqualsIfExists"]["dynamodb:Select"] == "SPECIFIC_ATTRIBUTES"
    assert "password_hash" not in allowed and "secret_hash" not in allowed


@pytest.mark.parametrize("function", READ_ONLY)
def test_token_checkers_only_read(function):
    actions = {a for s in statements(function) for a in s["Action"]}
    assert actions == {"dynamodb:GetItem", "dynamodb:BatchGetItem"}


def test_no_function_may_do_what_it_never_does():
    everything = {a for f in ("TokenFunction", "RevokeFunction", "AuthorizeFunction") for s in statements(f)
                  for a in s["Action"]}
    assert not everything & {"dynamodb:Scan", "dynamodb:ConditionCheckItem", "dynamodb:BatchWriteItem", "dynamodb:*"}
    revoke = {a for s in statements("RevokeFunction") if on(s, "GrantsTable") for a in s["Action"]}
    assert revoke == {"dynamodb:UpdateItem"}
