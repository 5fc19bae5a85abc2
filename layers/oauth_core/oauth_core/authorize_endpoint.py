"""The authorization endpoint (RFC 6749 §3.1): login page, consent page, then the redirect back to the
client with a code (§4.1.2) or, for the implicit grant, an access token in the fragment (§4.2.2).

Each sign-in is a server-side session (``storage.sessions``) named by a ``flow`` value carried in the
pages' forms and bound to the browser by a cookie, so a form posted from another site, or a flow value
stolen from one browser and replayed in another, gets nowhere (login CSRF, RFC 6749 §10.12). A flow
that is unknown, expired, bound to another browser or already answered restarts from the original
request, which the forms keep in their URL's query string.
"""

from __future__ import annotations

import hmac
import time
from typing import TYPE_CHECKING

from oauth_core import audit, bounds, brute_force, issuance, observability, pages, passwords, redirects, token_format
from oauth_core import authorization_request as authz
from oauth_core.config import settings
from oauth_core.errors import AccessDenied, InvalidRequest, OAuthError, TooManyAttempts
from oauth_core.hashing import digest, random_secret
from oauth_core.storage import clients, codes, dynamo, sessions, users

if TYPE_CHECKING:
    from collections.abc import Callable

    from oauth_core.http import Request, Response
    from oauth_core.storage.clients import Client

_RESTARTED = "Your sign-in expired or was interrupted. Please sign in again."
_BAD_LOGIN = "Invalid username or password."
_TOO_LONG = (f"Usernames have at most {bounds.USERNAME_MAX_CHARS} characters and passwords at most "
             f"{bounds.SECRET_MAX_BYTES}.")
SESSION = "session"  # the action ending the sign-in, in the decision's transaction


def authorize(request: Request) -> Response:
    try:
        if request.method == "POST" and request.param("flow") is not None:
            return _continue(request)
        return _start(request)
    except authz.Unredirectable as exc:
        observability.count("AuthorizeRefused", "error", "unredirectable")
        observability.logger.info("authorization request refused", extra={"reason": exc.detail})
        return pages.error("This request cannot be completed", exc.detail)
    except authz.Redirected as exc:
        observability.count("AuthorizeRefused", "error", exc.error.error)
        observability.logger.info("authorization request refused",
                                  extra={"error": exc.error.error, "description": exc.error.description})
        return pages.redirect(exc.location(), 303 if request.method == "POST" else 302)


def error_page(exc: OAuthError, request: Request | None) -> Response:
    """Errors raised before the endpoint runs (a malformed event) as a page, not JSON."""
    if isinstance(exc, InvalidRequest):
        return pages.error("This request cannot be completed", exc.description or "The request is malformed.")
    response = pages.error("Sign-in is unavailable", "Please try again in a moment.", exc.status)
    response.headers.update(exc.headers)
    return response


def _request_params(request: Request) -> Callable[[str], str | None]:
    """The authorization request: the query string, or a form post of it (RFC 6749 §3.1 allows POST)."""
    if request.method == "POST" and not request.query and request.form:
        return request.param
    return request.query_param


def _browser(request: Request) -> tuple[str, str | None]:
    """The browser's binding secret, and a Set-Cookie value when it needs a new one."""
    secure = settings().secure_cookies
    name = "__Host-oauth_browser" if secure else "oauth_browser"
    for part in (request.header("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and len(value) == 43 and value.replace("-", "").replace("_", "").isalnum():
            return value, None
    value = random_secret(32)
    return value, f"{name}={value}; Path=/; HttpOnly; SameSite=Lax{'; Secure' if secure else ''}"


def _start(request: Request, notice: str | None = None, fetched: Client | None = None) -> Response:
    """Validate the authorization request and show the login page for a new session. ``fetched`` is the
    client a restarted step already read, reused when it is the one the request names."""
    params = _request_params(request)
    client_id = authz.client_id_of(params)
    client = fetched if fetched is not None and fetched.client_id == client_id else clients.get(client_id)
    areq = authz.validate(params, client)
    browser, cookie = _browser(request)
    flow = random_secret(32)
    sessions.put(sessions.Session(session_hash=sessions.session_hash(flow), browser_hash=digest(browser),
                                  request=areq.to_item(),
                                  expires_at=int(time.time()) + settings().login_timeout))
    observability.count("SignInsStarted", "response_type", areq.response_type)
    response = pages.login(_name(client), flow, message=notice)
    if cookie:
        response.headers["Set-Cookie"] = cookie
    return response


def _name(client: Client | None) -> str:
    return (client.name or client.client_id) if client else ""


def _continue(request: Request) -> Response:
    """A post of the login or consent form."""
    flow = request.required("flow")
    action = request.param("action") or "login"
    username = (request.param("username") or "").strip()
    wanted = {"session": sessions.key(flow)}
    try:
        client_id = _request_params(request)("client_id")
    except InvalidRequest:
        client_id = None
    if client_id and bounds.client_id_fits(client_id):
        wanted["client"] = clients.key(client_id)
    if action == "login" and username and bounds.username_fits(username):
        wanted.update({"user": users.key(username), **brute_force.reads(username, request.source_ip)})
    items = dynamo.batch_get(wanted)
    session = sessions.from_item(items["session"])
    client = clients.from_item(items.get("client"))
    browser, _ = _browser(request)
    if (session is None or session.expires_at <= time.time() or client is None or client.disabled
            or not hmac.compare_digest(session.browser_hash, digest(browser))
            or session.request.get("client_id") != client.client_id
            or session.stage != (sessions.LOGIN if action == "login" else sessions.CONSENT)):
        observability.logger.info("sign-in restarted", extra={"known_session": session is not None})
        return _start(request, _RESTARTED, client)
    areq = authz.AuthorizationRequest.from_item(session.request)
    if action == "login":
        return _login(request, session, client, areq, flow, username, items)
    if action == "approve":
        return _approve(request, session, client, areq)
    if action == "deny":
        return _deny(request, session, areq)
    raise areq.error(InvalidRequest("action must be login, approve or deny"))


def _login(request: Request, session: sessions.Session, client: Client, areq: authz.AuthorizationRequest,
           flow: str, username: str, items: dict) -> Response:
    password = request.param("password") or ""
    if not username or not password:
        return pages.login(_name(client), flow, message="Enter your username and password.", username=username)
    if not bounds.username_fits(username) or len(password) > bounds.SECRET_MAX_BYTES:
        return pages.login(_name(client), flow, message=_TOO_LONG, username="")
    try:
        brute_force.check(items, username, request.source_ip, AccessDenied.error, client.client_id)
    except TooManyAttempts as exc:
        where = "from your network" if exc.budget == "address" else "for this account from your network"
        response = pages.login(_name(client), flow, username=username, status=429,
                               message=f"Too many failed sign-ins {where}. Try again in "
                                       f"{max(1, round(exc.retry_after / 60))} minute(s).")
        response.headers.update(exc.headers)
        return response
    user = passwords.sign_in(username, password, items, request.source_ip, client.client_id, "login_form")
    if user is None:
        return pages.login(_name(client), flow, message=_BAD_LOGIN, username=username)
    try:
        sessions.advance(session, user.username, request.request_id)
    except dynamo.ConditionFailed:
        return _start(request, _RESTARTED, client)
    return pages.consent(_name(client), user.username, areq.scope.split(), flow,
                         redirects.origin(areq.redirect_uri))


def _deny(request: Request, session: sessions.Session, areq: authz.AuthorizationRequest) -> Response:
    try:
        dynamo.transact_write({SESSION: sessions.finish_action(session)}, request.request_id)
    except dynamo.TransactionRefused:
        return _start(request, _RESTARTED)
    observability.count("ConsentDenied", "response_type", areq.response_type)
    audit.event("consent", "denied", user=session.username, client_id=areq.client_id)
    raise areq.error(AccessDenied("the user denied the request"))


def _approve(request: Request, session: sessions.Session, client: Client,
             areq: authz.AuthorizationRequest) -> Response:
    finish = sessions.finish_action(session)
    try:
        if areq.implicit:
            # RFC 6749 §4.2.2: the token itself, in the fragment, never a refresh token.
            issued = issuance.grant_tokens(client, session.username, areq.scope, "implicit", with_refresh=False,
                                           request_token=request.request_id, extra={SESSION: finish})
            params = {"access_token": issued.access_token, "token_type": "Bearer",
                      "expires_in": str(issued.expires_in), "scope": issued.scope or None}
        else:
            code = token_format.mint(token_format.TokenRef(client.client_id, session.username))
            now = issuance.now_ms()
            dynamo.transact_write({SESSION: finish, "code": codes.put_action(codes.AuthorizationCode(
                code_hash=codes.code_hash(code), client_id=client.client_id, username=session.username,
                scope=areq.scope, redirect_uri=areq.redirect_uri_sent, code_challenge=areq.code_challenge,
                code_challenge_method=areq.code_challenge_method, issued_at=now,
                expires_at=now // 1000 + settings().authorization_code_ttl))}, request.request_id)
            params = {"code": code}
    except dynamo.TransactionRefused as refused:
        if SESSION not in refused.failed:
            raise
        return _start(request, _RESTARTED, client)  # this sign-in was already answered
    observability.count("ConsentGiven", "response_type", areq.response_type)
    audit.event("consent", "granted", user=session.username, client_id=client.client_id,
                response_type=areq.response_type, scope=areq.scope)
    if areq.implicit:
        audit.event("token_issued", "success", user=session.username, client_id=client.client_id,
                    grant_type="implicit")
    location = redirects.attach(areq.redirect_uri, {**params, "state": areq.state or None}, fragment=areq.implicit)
    return pages.redirect(location, 303)
