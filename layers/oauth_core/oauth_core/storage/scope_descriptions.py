"""The scopes table: what a scope means to a user, keyed by ``scope``. Operators register descriptions
(``oauthctl scopes``); the consent page shows them and falls back to the raw scope name.

A table of its own rather than items in the clients table: that table may be the operator's own
(ExistingClientsTable) and its listing would have to skip them. The consent page reads the
descriptions it needs in one batched read (per hundred scopes)."""

from __future__ import annotations

from dataclasses import dataclass

from oauth_core.config import settings
from oauth_core.storage import dynamo, limits, model, operated

_KEY_MAX_BYTES = 2048  # DynamoDB's partition key limit


@dataclass(frozen=True)
class ScopeDescription(model.Record):
    scope: str = model.key()
    description: str = model.text()


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


_TABLE = operated.Table(__name__, "scope description", ScopeDescription, lambda: settings().scopes_table, "scope")
AlreadyExists, NotFound = _TABLE.AlreadyExists, _TABLE.NotFound
create, save, delete, list_all = _TABLE.create, _TABLE.replace, _TABLE.delete, _TABLE.list_all
