"""The sessions table, two kinds of item, both gone after ``expires_at`` (TTL, and checked on read):

- a sign-in in progress at the authorization endpoint, between the login page, the consent page and the
  redirect back to the client. Keyed by the SHA-256 of the ``flow`` value the pages carry; bound to the
  browser by the SHA-256 of a cookie;
- a browser's sign-in session (``BrowserSession``): created at each successful password sign-in, keyed by
  the SHA-256 of the session cookie's value, bound to one user; it ends when unused for the idle timeout,
  at its absolute lifetime, at logout, or when the user is disabled or changes password (their
  ``tokens_valid_after`` moves past ``signed_in_ms``).
"""

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


def advance_action(session: Session, username: str, request_id: str) -> dict[str, Any]:
    """Login done: move to consent for ``username``, only from the login stage (a replayed or
    concurrent login post finds the stage moved on and the transaction fails). Our own request id
    passes again, so a retry of an update whose answer was lost is not taken for a second login."""
    return {
        "Update": {
            "TableName": settings().sessions_table,
            "Key": dynamo.marshal({"session_hash": session.session_hash}),
            "UpdateExpression": "SET #st = :consent, username = :u, advanced_by = :rid",
            "ConditionExpression": "#st = :login OR (#st = :consent AND advanced_by = :rid AND username = :u)",
            "ExpressionAttributeNames": {"#st": "stage"},
            "ExpressionAttributeValues": dynamo.marshal({":consent": CONSENT, ":login": LOGIN, ":u": username,
                                                         ":rid": request_id}),
        }
    }


def finish_action(session: Session) -> dict[str, Any]:
    """Delete the flow if it is still at the stage it was read at: one decision per sign-in (approve or
    deny at consent, cancel at login)."""
    return {
        "Delete": {
            "TableName": settings().sessions_table,
            "Key": dynamo.marshal({"session_hash": session.session_hash}),
            "ConditionExpression": "#st = :stage",
            "ExpressionAttributeNames": {"#st": "stage"},
            "ExpressionAttributeValues": dynamo.marshal({":stage": session.stage}),
        }
    }


BROWSER = "browser"


@dataclass(frozen=True)
class BrowserSession:
    session_hash: str
    username: str
    auth_time: int  # epoch s of the password sign-in (max_age is measured from it)
    signed_in_ms: int  # epoch ms of the same, compared with the user's tokens_valid_after
    expires_at: int  # epoch s: the idle limit, never past ``absolute_expiry``
    absolute_expiry: int

    def to_item(self) -> dict[str, Any]:
        return {"session_hash": self.session_hash, "kind": BROWSER, "username": self.username,
                "auth_time": self.auth_time, "signed_in_ms": self.signed_in_ms, "expires_at": self.expires_at,
                "absolute_expiry": self.absolute_expiry}


def browser_session_hash(secret: str) -> str:
    return digest(f"browser\x1f{secret}")


def browser_key(secret: str) -> tuple[str, dict[str, str]]:
    return settings().sessions_table, {"session_hash": browser_session_hash(secret)}


def browser_from_item(item: dict[str, Any] | None, now: float) -> BrowserSession | None:
    """The browser session of an item, None when there is none or it has ended."""
    if item is None or item.get("kind") != BROWSER or int(item.get("expires_at", 0)) <= now:
        return None
    return BrowserSession(session_hash=item["session_hash"], username=item.get("username", ""),
                          auth_time=int(item.get("auth_time", 0)), signed_in_ms=int(item.get("signed_in_ms", 0)),
                          expires_at=int(item["expires_at"]), absolute_expiry=int(item.get("absolute_expiry", 0)))


def new_browser_session(secret: str, username: str, now_ms: int) -> BrowserSession:
    now = now_ms // 1000
    absolute = now + settings().session_max_lifetime
    return BrowserSession(session_hash=browser_session_hash(secret), username=username, auth_time=now,
                          signed_in_ms=now_ms, expires_at=min(now + settings().session_idle_timeout, absolute),
                          absolute_expiry=absolute)


def put_browser_action(session: BrowserSession) -> dict[str, Any]:
    return {"Put": {"TableName": settings().sessions_table, "Item": dynamo.marshal(session.to_item())}}


def touch_action(session: BrowserSession, now: int) -> dict[str, Any]:
    """Extend the idle limit (never past the absolute one), only while the session still exists: a
    logout meanwhile makes the transaction fail instead of resurrecting it."""
    return {
        "Update": {
            "TableName": settings().sessions_table,
            "Key": dynamo.marshal({"session_hash": session.session_hash}),
            "UpdateExpression": "SET expires_at = :exp",
            "ConditionExpression": "kind = :browser AND username = :u AND expires_at > :now",
            "ExpressionAttributeValues": dynamo.marshal({
                ":exp": min(now + settings().session_idle_timeout, session.absolute_expiry),
                ":browser": BROWSER, ":u": session.username, ":now": now}),
        }
    }


def delete_browser_action(secret: str) -> dict[str, Any]:
    """End a browser session; nothing to do when it is already gone. Only a browser session: a flow's
    key is hashed differently, so no cookie value can name one."""
    return {"Delete": {"TableName": settings().sessions_table,
                       "Key": dynamo.marshal({"session_hash": browser_session_hash(secret)})}}


def delete_browser(secret: str) -> None:
    dynamo.call("delete_item", **delete_browser_action(secret)["Delete"])
