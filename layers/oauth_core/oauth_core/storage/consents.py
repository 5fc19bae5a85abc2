"""The consents table: what a user approved for a client (remembered consent), keyed by ``username``
and ``client_id``. The consent page is shown again only for scopes outside ``scope``, for
``prompt=consent``, or once the approval is withdrawn (``oauthctl users revoke-authorization``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_core.config import settings
from oauth_core.storage import dynamo


@dataclass(frozen=True)
class Consent:
    username: str
    client_id: str
    scope: str  # space-separated: every scope the user approved for this client (a string set when stored)
    granted_at: int = 0  # epoch s of the latest approval

    def covers(self, scope: str) -> bool:
        return set(scope.split()) <= set(self.scope.split())


def key(username: str, client_id: str) -> tuple[str, dict[str, str]]:
    return settings().consents_table, {"username": username, "client_id": client_id}


def from_item(item: dict[str, Any] | None) -> Consent | None:
    if item is None:
        return None
    return Consent(username=item["username"], client_id=item["client_id"],
                   scope=" ".join(sorted(item.get("scopes") or ())), granted_at=int(item.get("granted_at", 0)))


def record_action(username: str, client_id: str, scope: str, now: int) -> dict[str, Any]:
    """Add ``scope`` to what the user approved for the client (a string set: earlier approvals stay)."""
    values: dict[str, Any] = {":now": now}
    update = "SET granted_at = :now"
    if scope.split():
        values[":s"] = set(scope.split())
        update += " ADD scopes :s"
    return {"Update": {"TableName": settings().consents_table,
                       "Key": dynamo.marshal({"username": username, "client_id": client_id}),
                       "UpdateExpression": update, "ExpressionAttributeValues": dynamo.marshal(values)}}


def list_for(username: str) -> list[Consent]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": settings().consents_table, "KeyConditionExpression": "username = :u",
                              "ExpressionAttributeValues": dynamo.marshal({":u": username}), "ConsistentRead": True}
    while True:
        response = dynamo.call("query", **kwargs)
        items.extend(dynamo.unmarshal(i) for i in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            break
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return [c for c in (from_item(i) for i in items) if c is not None]


def delete(username: str, client_id: str) -> bool:
    """Withdraw an approval; False when there was none."""
    response = dynamo.call("delete_item", TableName=settings().consents_table,
                           Key=dynamo.marshal({"username": username, "client_id": client_id}), ReturnValues="ALL_OLD")
    return bool(response.get("Attributes"))


def given_to(client_id: str) -> list[Consent]:
    """Every approval given to a client (a scan: operators only, when the client is deleted)."""
    items = dynamo.scan(settings().consents_table, FilterExpression="client_id = :c",
                        ExpressionAttributeValues=dynamo.marshal({":c": client_id}))
    return [c for c in (from_item(i) for i in items) if c is not None]
