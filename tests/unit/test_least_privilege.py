"""IAM in template.yaml: the functions that only check tokens may read no password hash or client secret
hash, and the attributes their policies allow are exactly those the token check projects."""

import pytest

from local.template import Stack, load
from oauth_core.storage import clients, users

STACK = Stack(stack_name="oauth-server")  # Existing*Table parameters empty: the stack's own tables

READ_ONLY = ("TokenInfoFunction", "ProtectedFunction", "AuthorizerFunction")


def statements(function: str) -> list[dict]:
    policies = load()["Resources"][function]["Properties"]["Policies"]
    return [s for p in policies for s in p["Statement"]]


def on(statement: dict, table: str) -> bool:
    resources = STACK.resolve(statement["Resource"])
    resources = resources if isinstance(resources, list) else [resources]
    return STACK.resolve({"Fn::GetAtt": [table, "Arn"]}) in resources


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
    everything = {a for f in ("TokenFunction", "RevokeFunction", "AuthorizeFunction", "LogoutFunction")
                  for s in statements(f) for a in s["Action"]}
    # BatchWriteItem: only on the tokens table, to delete a revoked grant's tokens 25 at a time.
    assert not everything & {"dynamodb:Scan", "dynamodb:ConditionCheckItem", "dynamodb:*"}
    batch_writes = {r for f in ("TokenFunction", "RevokeFunction", "AuthorizeFunction") for s in statements(f)
                    if "dynamodb:BatchWriteItem" in s["Action"] for r in [STACK.resolve(s["Resource"])]}
    assert batch_writes == {STACK.resolve({"Fn::GetAtt": ["TokensTable", "Arn"]})}
    revoke = {a for s in statements("RevokeFunction") if on(s, "GrantsTable") for a in s["Action"]}
    assert revoke == {"dynamodb:UpdateItem"}
