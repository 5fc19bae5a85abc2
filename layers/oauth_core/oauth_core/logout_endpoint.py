"""``GET|POST /oauth/logout``: end the browser's sign-in session (RP-initiated logout as OpenID Connect
defines it, without ID tokens).

A GET never signs anyone out: it shows a confirmation page whose form carries a value derived from the
session cookie, which another site can neither read nor send (logout CSRF: an image or link elsewhere
cannot sign the user out). Only that form's POST ends the session. ``post_logout_redirect_uri`` must be
registered for the ``client_id`` sent with it, exactly (no open redirect); the browser goes back there
with ``state``. Without one, a "signed out" page.
"""

from __future__ import annotations

import hmac
import time
from typing import TYPE_CHECKING

from oauth_core import audit, bounds, cookies, observability, pages, redirects
from oauth_core.errors import InvalidRequest, OAuthError
from oauth_core.hashing import digest
from oauth_core.storage import clients, dynamo, sessions

if TYPE_CHECKING:
    from oauth_core.http import Request, Response

_MAX_STATE = 2048


class _Refused(Exception):
    """A logout request that names a place we may not send the browser to."""


def logout(request: Request) -> Response:
    try:
        return _logout(request)
    except _Refused as exc:
        observability.count("LogoutRefused", "error", "redirect_uri")
        return pages.error("This sign-out request cannot be completed", str(exc))
    except InvalidRequest as exc:
        return pages.error("This sign-out request cannot be completed", exc.description or "malformed request")


def error_page(exc: OAuthError, request: Request | None) -> Response:
    """Errors raised before the endpoint runs (a malformed event, a store that did not answer) as a page."""
    return pages.failure(exc, "This sign-out request cannot be completed", "Sign-out is unavailable",
                         "malformed request")


def csrf_value(secret: str) -> str:
    """What the confirmation form carries: derived from the session cookie, unknowable without it."""
    return digest(f"logout\x1f{secret}")


def _logout(request: Request) -> Response:
    param = request.param if request.method == "POST" else request.query_param
    client_id, target, state = param("client_id"), param("post_logout_redirect_uri"), param("state")
    if state is not None and len(state) > _MAX_STATE:
        raise InvalidRequest(f"state is longer than {_MAX_STATE} characters")
    secret = cookies.read(request, cookies.SESSION)
    wanted = {}
    if target is not None:
        if not client_id:
            raise _Refused("post_logout_redirect_uri needs the client_id it is registered for.")
        if not bounds.client_id_fits(client_id):
            raise _Refused("The application that sent you here is not registered with this server.")
        wanted["client"] = clients.key(client_id)
    if secret:
        wanted["session"] = sessions.browser_key(secret)
    items = dynamo.batch_get(wanted) if wanted else {}
    if target is not None:
        client = clients.from_item(items.get("client"))
        if client is None or client.disabled or target not in client.post_logout_redirect_uris:
            raise _Refused("The post_logout_redirect_uri of this request is not registered for the application.")
    session = sessions.browser_from_item(items.get("session"), time.time())
    back = redirects.attach(target, {"state": state}, authorization_response=False) if target is not None else None
    if session is None:  # nothing to end (and no cookie touched: a cross-site post cannot clear it)
        return pages.redirect(back, 303 if request.method == "POST" else 302) if back else pages.notice(
            "Signed out", "You are signed out.")
    if request.method == "POST" and param("action") == "logout":
        if hmac.compare_digest(param("csrf") or "", csrf_value(secret or "")):
            sessions.delete_browser(secret or "")
            audit.event("session", "ended", user=session.username, client_id=client_id)
            observability.count("LoggedOut", "redirect", "yes" if back else "no")
            response = pages.redirect(back, 303) if back else pages.notice("Signed out", "You are signed out.")
            response.headers["Set-Cookie"] = cookies.set_cookie(cookies.SESSION, "", 0)
            return response
        observability.count("LogoutRefused", "error", "csrf")
    elif request.method == "POST" and param("action") == "stay":
        return pages.redirect(back, 303) if back else pages.notice(
            "Still signed in", f"You are still signed in as {session.username}.")
    return pages.logout_confirm(session.username, {
        "csrf": csrf_value(secret or ""), "client_id": client_id or "", "post_logout_redirect_uri": target or "",
        "state": state or ""}, redirects.origin(back) if back else None)
