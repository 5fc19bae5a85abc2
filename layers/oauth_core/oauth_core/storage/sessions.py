"""The sessions table: a sign-in in progress at the authorization endpoint, between the login page,
the consent page and the redirect back to the client. Keyed by the SHA-256 of the ``flow`` value the
pages carry; bound to the browser by the SHA-256 of a cookie; gone after ``expires_at``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oauth_core.config import settings
from oauth_core.hashing import digest
from oauth_core.storage import dynamo

LOGIN = "login"
CONSENT = "consent"


@dataclass(frozen=True)
class Session:
    session_hash: str
    browser_hash: str
    request: dict[str, str] = field(default_factory=dict)  # the validated authorization request
    stage: str = LOGIN
    username: str = ""
    expires_at: int = 0  # epoch s

    def to_item(self) -> dict[str, Any]:
        return {"session_hash": self.session_hash, "browser_hash": self.browser_hash, "request": self.request,
                "stage": self.stage, "username": self.username or None, "expires_at": self.expires_at}


def session_hash(flow: str) -> str:
    return digest(f"flow\x1f{flow}")


def key(flow: str) -> tuple[str, dict[str, str]]:
    return settings().sessions_table, {"session_hash": session_hash(flow)}


def from_item(item: dict[str, Any] | None) -> Session | None:
    if item is None:
        return None
    return Session(
        session_hash=item["session_hash"],
        browser_hash=item.get("browser_hash", ""),
        request={str(k): str(v) for k, v in (item.get("request") or {}).items()},
        stage=item.get("stage", ""),
        username=item.get("username", ""),
        expires_at=int(item.get("expires_at", 0)),
    )


def put(session: Session) -> None:
    dynamo.call("put_item", TableName=settings().sessions_table, Item=dynamo.marshal(session.to_item()))


def advance(session: Session, username: str, request_id: str) -> None:
    """Login done: move to consent for ``username``, only from the login stage (a replayed or
    concurrent login post finds the stage moved on and raises ``ConditionFailed``). Our own request id
    passes again, so a retry of an update whose answer was lost is not taken for a second login."""
    dynamo.call(
        "update_item",
        TableName=settings().sessions_table,
        Key=dynamo.marshal({"session_hash": session.session_hash}),
        UpdateExpression="SET #st = :consent, username = :u, advanced_by = :rid",
        ConditionExpression="#st = :login OR (#st = :consent AND advanced_by = :rid AND username = :u)",
        ExpressionAttributeNames={"#st": "stage"},
        ExpressionAttributeValues=dynamo.marshal({":consent": CONSENT, ":login": LOGIN, ":u": username,
                                                  ":rid": request_id}),
    )


def finish_action(session: Session) -> dict[str, Any]:
    """Delete the session if it is still at consent: one decision per sign-in."""
    return {
        "Delete": {
            "TableName": settings().sessions_table,
            "Key": dynamo.marshal({"session_hash": session.session_hash}),
            "ConditionExpression": "#st = :consent",
            "ExpressionAttributeNames": {"#st": "stage"},
            "ExpressionAttributeValues": dynamo.marshal({":consent": CONSENT}),
        }
    }
