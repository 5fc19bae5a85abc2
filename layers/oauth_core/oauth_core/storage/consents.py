"""The consents table: what a user approved for a client (remembered consent), keyed by ``username``
and ``client_id``. The consent page is shown again only for scopes outside ``scope``, for
``prompt=consent``, or once the approval is withdrawn (``oauthctl users revoke-authorization``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_core.config import settings
from oauth_core.storage import actions, dynamo, model


def _scope(stored: set[str] | None) -> str:
    return " ".join(sorted(stored or ()))


@dataclass(frozen=True)
class Consent:
    username: str = model.key()
    client_id: str = model.key()
    # Space-separated: every scope the user approved for this client (a string set when stored).
    scope: str = model.custom(_scope, stored="scopes", written=False)
    granted_at: int = model.number(0)  # the latest approval

    def covers(self, scope: str) -> bool:
        return set(scope.split()) <= set(self.scope.split())


def key(username: str, client_id: str) -> tuple[str, dict[str, str]]:
    return settings().consents_table, {"username": username, "client_id": client_id}


def from_item(item: dict[str, Any] | None) -> Consent | None:
    return None if item is None else model.from_item(Consent, item)


def record_action(username: str, client_id: str, scope: str, now: int) -> dict[str, Any]:
    """Add ``scope`` to what the user approved for the client (a string set: earlier approvals stay)."""
    values: dict[str, Any] = {":now": now}
    update = "SET granted_at = :now"
    if scope.split():
        values[":s"] = set(scope.split())
        update += " ADD scopes :s"
    return actions.update(settings().consents_table, {"username": username, "client_id": client_id}, update, values)


def list_for(username: str) -> list[Consent]:
    items = dynamo.query(settings().consents_table, KeyConditionExpression="username = :u",
                         ExpressionAttributeValues=dynamo.marshal({":u": username}))
    return [model.from_item(Consent, item) for item in items]


def delete(username: str, client_id: str) -> bool:
    """Withdraw an approval; False when there was none."""
    response = dynamo.call("delete_item", TableName=settings().consents_table,
                           Key=dynamo.marshal({"username": username, "client_id": client_id}), ReturnValues="ALL_OLD")
    return bool(response.get("Attributes"))


def given_to(client_id: str) -> list[Consent]:
    """Every approval given to a client (a scan: operators only, when the client is deleted)."""
    items = dynamo.scan(settings().consents_table, FilterExpression="client_id = :c",
                        ExpressionAttributeValues=dynamo.marshal({":c": client_id}))
    return [model.from_item(Consent, item) for item in items]
