"""The sign-in flow (``storage.sessions.Session``): a server-side record of a validated authorization
request, named by a ``flow`` value carried in the pages' forms and bound to the browser by a cookie, so a
form posted from another site, or a flow value replayed from another browser, gets nowhere (login CSRF,
RFC 6749 §10.12). A flow that fails a check raises ``Restart``: the endpoint starts again from the
original request, which the forms keep in their URL's query string.
"""

from __future__ import annotations

import hmac
import time
from typing import TYPE_CHECKING, Any

from oauth_core import cookies, observability, pages, redirects
from oauth_core.config import settings
from oauth_core.hashing import digest, random_secret
from oauth_core.storage import clients, scope_descriptions, sessions

if TYPE_CHECKING:
    from oauth_core import authorization_request as authz
    from oauth_core.http import Request, Response
    from oauth_core.storage.clients import Client

RESTARTED = "Your sign-in expired or was interrupted. Please sign in again."
DECIDE_AGAIN = "This page expired or was already answered. Please decide again."
SESSION = "session"  # the action ending the sign-in flow, in the decision's transaction
BROWSER_SESSION = "browser_session"  # the action extending the browser session when it answers silently


class Restart(Exception):
    """The flow is unknown, expired, bound to another browser or already answered: start the request
    again with the ``RESTARTED`` notice, reusing ``client`` when it was already read."""

    def __init__(self, client: Client | None = None) -> None:
        super().__init__("sign-in restarted")
        self.client = client


def name(client: Client | None) -> str:
    return (client.name or client.client_id) if client else ""


def browser(request: Request) -> tuple[str, str | None]:
    """The browser's binding secret, and a Set-Cookie value when it needs a new one."""
    value = cookies.read(request, cookies.BROWSER)
    if value:
        return value, None
    value = random_secret(32)
    return value, cookies.set_cookie(cookies.BROWSER, value)


def new_flow(request: Request, client: Client, areq: authz.AuthorizationRequest, notice: str | None,
             username: str = "") -> Response:
    """A sign-in flow bound to this browser: at the login page, or at the consent page when signed in."""
    binding, set_browser = browser(request)
    flow = random_secret(32)
    sessions.put(sessions.Session(session_hash=sessions.session_hash(flow), browser_hash=digest(binding),
                                  request=areq.to_item(), stage=sessions.CONSENT if username else sessions.LOGIN,
                                  username=username, expires_at=int(time.time()) + settings().login_timeout))
    observability.count("SignInsStarted", "response_type", areq.response_type)
    origin = redirects.origin(areq.redirect_uri)
    response = (consent_page(client, areq, username, flow, notice) if username
                else pages.login(name(client), flow, message=notice, redirect_origin=origin))
    if set_browser:
        response.headers["Set-Cookie"] = set_browser
    return response


def consent_page(client: Client, areq: authz.AuthorizationRequest, username: str, flow: str,
                 notice: str | None = None, descriptions: dict[str, str] | None = None) -> Response:
    """The consent page; ``descriptions`` when the caller already read them."""
    requested = areq.scope.split()
    if descriptions is None:
        descriptions = scope_descriptions.describe(requested)
    return pages.consent(name(client), username, requested, flow, redirects.origin(areq.redirect_uri),
                         descriptions, message=notice)


def check_posted(request: Request, items: dict[str, dict[str, Any] | None],
                 action: str) -> tuple[sessions.Session, Client]:
    """The posted flow and its client, read in the form post's batched read: ``Restart`` unless the flow
    is live, bound to this browser, for this client, and at the stage the action answers."""
    session = sessions.from_item(items["session"])
    client = clients.from_item(items.get("client"))
    binding, _ = browser(request)
    if (session is None or session.expires_at <= time.time() or client is None or client.disabled
            or not hmac.compare_digest(session.browser_hash, digest(binding))
            or session.request.get("client_id") != client.client_id
            or session.stage != (sessions.LOGIN if action in ("login", "cancel") else sessions.CONSENT)):
        observability.logger.info("sign-in restarted", extra={"known_session": session is not None})
        raise Restart(client)
    return session, client
