"""The login form's post (RFC 6749 §3.1 leaves user authentication to the server): the fields, the
password with its attempt budget, then a new browser session and either the consent page or, for a
client the user approved before, the answer at once. Every page it shows again is a ``LoginRefused``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oauth_core import audit, bounds, cookies, issuance, observability, pages, passwords, redirects
from oauth_core.authorize_steps import flows
from oauth_core.authorize_steps.browser_session import remembered
from oauth_core.authorize_steps.decision import issue
from oauth_core.config import settings
from oauth_core.errors import AccessDenied, TooManyAttempts
from oauth_core.hashing import random_secret
from oauth_core.storage import consents, dynamo, scope_descriptions, sessions

if TYPE_CHECKING:
    from oauth_core import authorization_request as authz
    from oauth_core.http import Request, Response
    from oauth_core.storage.clients import Client
    from oauth_core.storage.users import User

_BAD_LOGIN = "Invalid username or password."
_TOO_LONG = (f"Usernames have at most {bounds.USERNAME_MAX_CHARS} characters and passwords at most "
             f"{bounds.SECRET_MAX_BYTES}.")


class LoginRefused(Exception):
    """The login page again, with ``message``, the username kept, and for a spent budget 429 + Retry-After."""

    def __init__(self, message: str, username: str, status: int = 200,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message, self.username, self.status, self.headers = message, username, status, headers or {}


def login(request: Request, session: sessions.Session, client: Client, areq: authz.AuthorizationRequest,
          flow: str, username: str, items: dict[str, dict[str, Any] | None]) -> Response:
    password = request.param("password") or ""
    try:
        check_fields(username, password)
        user = check_password(request, items, client, username, password)
    except LoginRefused as refused:
        response = pages.login(flows.name(client), flow, redirect_origin=redirects.origin(areq.redirect_uri),
                               message=refused.message, username=refused.username, status=refused.status)
        response.headers.update(refused.headers)
        return response
    return _signed_in(request, session, client, areq, flow, user, items)


def check_fields(username: str, password: str) -> None:
    """Both fields, within the bounds that keep the KDF's input and the stored keys small."""
    if not username or not password:
        raise LoginRefused("Enter your username and password.", username)
    if not bounds.username_fits(username) or len(password) > bounds.SECRET_MAX_BYTES:
        raise LoginRefused(_TOO_LONG, "")


def check_password(request: Request, items: dict[str, dict[str, Any] | None], client: Client, username: str,
                   password: str) -> User:
    """The attempt budget, then the timing-safe password check (both read in the form post's batched read);
    the one place the login form checks a password."""
    try:
        user = passwords.sign_in(username, password, items, request.source_ip, client.client_id, "login_form",
                                 AccessDenied.error)
    except TooManyAttempts as exc:
        where = "from your network" if exc.budget == "address" else "for this account from your network"
        raise LoginRefused(f"Too many failed sign-ins {where}. Try again in "
                           f"{max(1, round(exc.retry_after / 60))} minute(s).", username, 429, exc.headers) from None
    if user is None:
        raise LoginRefused(_BAD_LOGIN, username)
    return user


def _signed_in(request: Request, session: sessions.Session, client: Client, areq: authz.AuthorizationRequest,
               flow: str, user: User, items: dict[str, dict[str, Any] | None]) -> Response:
    """A new session value at every sign-in, never one the browser brought (session fixation); a session
    the browser had (another user's, or one prompt=login asked to replace) ends with it. Every write of
    this step is in one transaction after the last read, so a 503 anywhere spends nothing."""
    secret, previous = random_secret(32), cookies.read(request, cookies.SESSION)
    started = {flows.BROWSER_SESSION: sessions.put_browser_action(
        sessions.new_browser_session(secret, user.username, issuance.now_ms()))}
    if previous:
        started["previous_session"] = sessions.delete_browser_action(previous)
    silent = remembered(consents.from_item(items.get("consent")), client, areq)
    try:
        if silent:  # approved before: the code (or token) at once, in the same transaction
            response = issue(request, client, user.username, areq, {flows.SESSION: sessions.finish_action(session),
                                                                    **started}, remembered=True)
            observability.count("ConsentRemembered", "response_type", areq.response_type)
        else:
            descriptions = scope_descriptions.describe(areq.scope.split())
            # No idempotency token: a retry after a lost answer passes the condition again (advanced_by).
            dynamo.transact_write({flows.SESSION: sessions.advance_action(session, user.username, request.request_id),
                                   **started})
            response = flows.consent_page(client, areq, user.username, flow, descriptions=descriptions)
    except dynamo.TransactionRefused as refused:
        if flows.SESSION not in refused.failed:
            raise
        raise flows.Restart(client) from None
    audit.event("session", "success", user=user.username, client_id=client.client_id)
    response.headers["Set-Cookie"] = cookies.set_cookie(cookies.SESSION, secret, settings().session_max_lifetime)
    return response
