"""The scopes table: what a scope means to a user, keyed by ``scope``. Operators register descriptions
(``oauthctl scopes``); the consent page shows them and falls back to the raw scope name.

A table of its own rather than items in the clients table: that table may be the operator's own
(ExistingClientsTable) and its listing would have to skip them. The consent page reads the
descriptions it needs in one batched read (per hundred scopes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_core.config import settings
from oauth_core.storage import dynamo, limits, model

_KEY_MAX_BYTES = 2048  # DynamoDB's partition key limit


class AlreadyExists(Exception):
    """A description for this scope exists; nothing was overwritten."""


class NotFound(Exception):
    """No description for this scope."""


@dataclass(frozen=True)
class ScopeDescription:
    scope: str = model.key()
    description: str = model.text()

    def to_item(self) -> dict[str, Any]:
        return model.to_item(self)


def key(scope: str) -> tuple[str, dict[str, str]]:
    return settings().scopes_table, {"scope": scope}


def describe(scopes: list[str]) -> dict[str, str]:
    """The descriptions of the scopes that have one, in one round trip (none for no scope)."""
    scopes = [s for s in scopes if len(s) <= _KEY_MAX_BYTES]  # scope tokens are ASCII; longer ones have none
    found: dict[str, str] = {}
    for start in range(0, len(scopes), limits.BATCH_GET_MAX_KEYS):
        items = dynamo.batch_get({s: key(s) for s in scopes[start:start + limits.BATCH_GET_MAX_KEYS]})
        found.update({s: item["description"] for s, item in items.items() if item and item.get("description")})
    return found


def create(entry: ScopeDescription) -> None:
    try:
        dynamo.put_if(settings().scopes_table, entry.to_item(), "scope", exists=False)
    except dynamo.ConditionFailed:
        raise AlreadyExists(entry.scope) from None


def save(entry: ScopeDescription) -> None:
    try:
        dynamo.put_if(settings().scopes_table, entry.to_item(), "scope", exists=True)
    except dynamo.ConditionFailed:
        raise NotFound(entry.scope) from None


def delete(scope: str) -> None:
    try:
        dynamo.delete_existing(settings().scopes_table, {"scope": scope})
    except dynamo.ConditionFailed:
        raise NotFound(scope) from None


def list_all() -> list[ScopeDescription]:
    entries = [model.from_item(ScopeDescription, item) for item in dynamo.scan(settings().scopes_table)]
    return sorted(entries, key=lambda e: e.scope)
