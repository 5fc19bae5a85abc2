"""The sessions table, two kinds of item, both gone after ``expires_at`` (TTL, and checked on read):

- a sign-in in progress at the authorization endpoint, between the login page, the consent page and the
  redirect back to the client. Keyed by the SHA-256 of the ``flow`` value the pages carry; bound to the
  browser by the SHA-256 of a cookie;
- a browser's sign-in session (``BrowserSession``): created at each successful password sign-in, keyed by
  the SHA-256 of the session cookie's value, bound to one user; it ends when unused for the idle timeout,
  at its absolute lifetime, at logout, or when the user is disabled or changes password (their
  ``tokens_valid_after_ms`` moves past ``signed_in_ms``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_core.config import settings
from oauth_core.hashing import digest
from oauth_core.storage import actions, model

LOGIN = "login"
CONSENT = "consent"


def _request(stored: dict[str, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (stored or {}).items()}


@dataclass(frozen=True)
class Session(model.Record):
    session_hash: str = model.key()
    browser_hash: str = model.text()
    request: dict[str, str] = model.custom(_request, factory=dict)  # the validated authorization request
    stage: str = model.text(LOGIN, absent="")
    username: str = model.text("", omit_empty=True)
    expires_at: int = model.number(0)


def session_hash(flow: str) -> str:
    return digest(f"flow\x1f{flow}")


def key(flow: str) -> tuple[str, dict[str, str]]:
    return settings().sessions_table, {"session_hash": session_hash(flow)}


def from_item(item: dict[str, Any] | None) -> Session | None:
    return None if item is None else model.from_item(Session, item)


def put(session: Session) -> None:
    actions.run(actions.put(settings().sessions_table, session.to_item()))


_STAGE = {"#st": "stage"}


def advance_action(session: Session, username: str, request_id: str) -> dict[str, Any]:
    """Login done: move to consent for ``username``, only from the login stage (a replayed or
    concurrent login post finds the stage moved on and the transaction fails). Our own request id
    passes again, so a retry of an update whose answer was lost is not taken for a second login."""
    return actions.update(
        settings().sessions_table, {"session_hash": session.session_hash},
        "SET #st = :consent, username = :u, advanced_by = :rid",
        {":consent": CONSENT, ":login": LOGIN, ":u": username, ":rid": request_id},
        condition="#st = :login OR (#st = :consent AND advanced_by = :rid AND username = :u)", names=_STAGE)


def finish_action(session: Session) -> dict[str, Any]:
    """Delete the flow if it is still at the stage it was read at: one decision per sign-in (approve or
    deny at consent, cancel at login)."""
    return actions.delete(settings().sessions_table, {"session_hash": session.session_hash},
                          condition="#st = :stage", names=_STAGE, values={":stage": session.stage})


BROWSER = "browser"


@dataclass(frozen=True)
class BrowserSession(model.Record):
    session_hash: str = model.key()
    kind: str = model.constant(BROWSER)
    username: str = model.text()
    auth_time: int = model.number()  # the password sign-in (max_age is measured from it)
    signed_in_ms: int = model.number()  # the same, compared with the user's tokens_valid_after_ms
    expires_at: int = model.number()  # the idle limit, never past ``absolute_expiry``
    absolute_expiry: int = model.number()


def browser_session_hash(secret: str) -> str:
    return digest(f"browser\x1f{secret}")


def browser_key(secret: str) -> tuple[str, dict[str, str]]:
    return settings().sessions_table, {"session_hash": browser_session_hash(secret)}


def browser_from_item(item: dict[str, Any] | None, now: float) -> BrowserSession | None:
    """The browser session of an item, None when there is none or it has ended."""
    if item is None or item.get("kind") != BROWSER or int(item.get("expires_at", 0)) <= now:
        return None
    return model.from_item(BrowserSession, item)


def new_browser_session(secret: str, username: str, now_ms: int) -> BrowserSession:
    now = now_ms // 1000
    absolute = now + settings().session_max_lifetime
    return BrowserSession(session_hash=browser_session_hash(secret), username=username, auth_time=now,
                          signed_in_ms=now_ms, expires_at=min(now + settings().session_idle_timeout, absolute),
                          absolute_expiry=absolute)


def put_browser_action(session: BrowserSession) -> dict[str, Any]:
    return actions.put(settings().sessions_table, session.to_item())


def touch_action(session: BrowserSession, now: int) -> dict[str, Any]:
    """Extend the idle limit (never past the absolute one), only while the session still exists: a
    logout meanwhile makes the transaction fail instead of resurrecting it."""
    return actions.update(settings().sessions_table, {"session_hash": session.session_hash}, "SET expires_at = :exp",
                          {":exp": min(now + settings().session_idle_timeout, session.absolute_expiry),
                           ":browser": BROWSER, ":u": session.username, ":now": now},
                          condition="kind = :browser AND username = :u AND expires_at > :now")


def delete_browser_action(secret: str) -> dict[str, Any]:
    """End a browser session; nothing to do when it is already gone. Only a browser session: a flow's
    key is hashed differently, so no cookie value can name one."""
    return actions.delete(settings().sessions_table, {"session_hash": browser_session_hash(secret)})


def delete_browser(secret: str) -> None:
    actions.run(delete_browser_action(secret))
