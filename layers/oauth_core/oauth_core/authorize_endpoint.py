"""The authorization endpoint (RFC 6749 §3.1): login page, consent page, then the redirect back to the
client with a code (§4.1.2) or, for the implicit grant, an access token in the fragment (§4.2.2).

Each sign-in is a server-side flow (``storage.sessions``) named by a ``flow`` value carried in the
pages' forms and bound to the browser by a cookie, so a form posted from another site, or a flow value
stolen from one browser and replayed in another, gets nowhere (login CSRF, RFC 6749 §10.12). A flow
that is unknown, expired, bound to another browser or already answered restarts from the original
request, which the forms keep in their URL's query string.

A successful password sign-in also starts a browser session (``storage.sessions.BrowserSession``, named
by the ``__Host-oauth_session`` cookie, a new value at each sign-in): later requests from that browser
skip the login page, and the consent page too when the user already approved these scopes for this
client (``storage.consents``). ``prompt`` and ``max_age`` (OpenID Connect Core §3.1.2.1, applied to
OAuth) force or forbid the pages.
"""

from __future__ import annotations

import hmac
import time
from typing import TYPE_CHECKING

from oauth_core import (
    audit,
    bounds,
    brute_force,
    cookies,
    issuance,
    observability,
    pages,
    passwords,
    redirects,
    token_format,
)
from oauth_core import authorization_request as authz
from oauth_core.config import settings
from oauth_core.errors import (
    AccessDenied,
    ConsentRequired,
    InteractionRequired,
    InvalidRequest,
    LoginRequired,
    OAuthError,
    TooManyAttempts,
)
from oauth_core.hashing import digest, random_secret
from oauth_core.storage import clients, codes, consents, dynamo, scope_descriptions, sessions, users

if TYPE_CHECKING:
    from collections.abc import Callable

    from oauth_core.http import Request, Response
    from oauth_core.storage.clients import Client

_RESTARTED = "Your sign-in expired or was interrupted. Please sign in again."
_DECIDE_AGAIN = "This page expired or was already answered. Please decide again."
_BAD_LOGIN = "Invalid username or password."
_TOO_LONG = (f"Usernames have at most {bounds.USERNAME_MAX_CHARS} characters and passwords at most "
             f"{bounds.SECRET_MAX_BYTES}.")
SESSION = "session"  # the action ending the sign-in flow, in the decision's transaction
BROWSER_SESSION = "browser_session"  # the action extending the browser session when it answers silently


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
    return pages.failure(exc, "This request cannot be completed", "Sign-in is unavailable",
                         "The request is malformed.")


def _request_params(request: Request) -> Callable[[str], str | None]:
    """The authorization request: the query string, or a form post of it (RFC 6749 §3.1 allows POST)."""
    if request.method == "POST" and not request.query and request.form:
        return request.param
    return request.query_param


def _browser(request: Request) -> tuple[str, str | None]:
    """The browser's binding secret, and a Set-Cookie value when it needs a new one."""
    value = cookies.read(request, cookies.BROWSER)
    if value:
        return value, None
    value = random_secret(32)
    return value, cookies.set_cookie(cookies.BROWSER, value)


def _start(request: Request, notice: str | None = None, fetched: Client | None = None) -> Response:
    """Validate the authorization request, then answer at once for a signed-in browser whose user
    already approved these scopes, or show the consent page (signed in) or the login page.

    ``fetched`` is the client a restarted step already read, reused when it is the one the request
    names. A restart (``notice``) never answers silently: the user may have just pressed Deny on an
    expired page. Round trips: one batched read (client, browser session), and for a session one more
    (user, consent); then one write."""
    params = _request_params(request)
    client_id = authz.client_id_of(params)
    secret = cookies.read(request, cookies.SESSION)
    reuse = fetched is not None and fetched.client_id == client_id
    wanted = {} if reuse else {"client": clients.key(client_id)}
    if secret:
        wanted["browser"] = sessions.browser_key(secret)
    items = dynamo.batch_get(wanted) if wanted else {}
    client = fetched if reuse else clients.from_item(items["client"])
    areq = authz.validate(params, client)  # refuses a missing client
    now = int(time.time())
    signed_in = sessions.browser_from_item(items.get("browser"), now)
    consent = None
    if signed_in is not None:
        found = dynamo.batch_get({"user": users.key(signed_in.username),
                                  "consent": consents.key(signed_in.username, areq.client_id)},
                                 {settings().users_table: users.CHECKED_ATTRIBUTES})
        if not _still_valid(signed_in, users.from_item(found["user"])):
            signed_in = None
        consent = consents.from_item(found["consent"])
    if (signed_in is None or "login" in areq.prompts
            or (areq.max_age and now - signed_in.auth_time >= int(areq.max_age))):
        if "none" in areq.prompts:
            raise areq.error(LoginRequired("the user is not signed in") if signed_in is None
                             else InteractionRequired("the sign-in is older than max_age"))
        return _new_flow(request, client, areq, notice)
    if notice is None and _remembered(consent, client, areq):
        return _answer_silently(request, client, areq, signed_in, now)
    if "none" in areq.prompts:
        raise areq.error(ConsentRequired("the user has not approved this request"))
    return _new_flow(request, client, areq, notice and _DECIDE_AGAIN, signed_in.username)


def _remembered(consent: consents.Consent | None, client: Client, areq: authz.AuthorizationRequest) -> bool:
    """May an earlier approval answer this request without a page? Not with ``prompt=consent`` or for a
    scope not approved; not when the approval predates the client (an id deleted and registered again
    names another app); and not for a public client whose redirect another app on the device could
    claim, a loopback port or a private-use scheme (RFC 8252 §8.6: its identity cannot be assured)."""
    return (consent is not None and "consent" not in areq.prompts and consent.covers(areq.scope)
            and consent.granted_at >= client.created_at
            and not (client.public and not areq.redirect_uri.startswith("https://")))


def _still_valid(session: sessions.BrowserSession, user: users.User | None) -> bool:
    """A session ends with its user: deleted, disabled, or a password change or revocation since the
    sign-in (``tokens_valid_after``, which ``oauthctl`` moves on for each of these)."""
    return user is not None and not user.disabled and user.tokens_valid_after_ms <= session.signed_in_ms


def _new_flow(request: Request, client: Client, areq: authz.AuthorizationRequest, notice: str | None,
              username: str = "") -> Response:
    """A sign-in flow bound to this browser: at the login page, or at the consent page when signed in."""
    browser, set_browser = _browser(request)
    flow = random_secret(32)
    sessions.put(sessions.Session(session_hash=sessions.session_hash(flow), browser_hash=digest(browser),
                                  request=areq.to_item(), stage=sessions.CONSENT if username else sessions.LOGIN,
                                  username=username, expires_at=int(time.time()) + settings().login_timeout))
    observability.count("SignInsStarted", "response_type", areq.response_type)
    origin = redirects.origin(areq.redirect_uri)
    response = (_consent_page(client, areq, username, flow, notice) if username
                else pages.login(_name(client), flow, message=notice, redirect_origin=origin))
    if set_browser:
        response.headers["Set-Cookie"] = set_browser
    return response


def _consent_page(client: Client, areq: authz.AuthorizationRequest, username: str, flow: str,
                  notice: str | None = None, descriptions: dict[str, str] | None = None) -> Response:
    """The consent page; ``descriptions`` when the caller already read them."""
    requested = areq.scope.split()
    if descriptions is None:
        descriptions = scope_descriptions.describe(requested)
    return pages.consent(_name(client), username, requested, flow, redirects.origin(areq.redirect_uri),
                         descriptions, message=notice)


def _answer_silently(request: Request, client: Client, areq: authz.AuthorizationRequest,
                     signed_in: sessions.BrowserSession, now: int) -> Response:
    """Signed in and approved before: the answer without a page; the session's idle limit moves on."""
    try:
        response = _issue(request, client, signed_in.username, areq,
                          {BROWSER_SESSION: sessions.touch_action(signed_in, now)}, remembered=True)
    except dynamo.TransactionRefused as refused:
        if BROWSER_SESSION not in refused.failed:
            raise
        return _new_flow(request, client, areq, None)  # signed out meanwhile
    observability.count("ConsentRemembered", "response_type", areq.response_type)
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
    signed_in_secret = cookies.read(request, cookies.SESSION)
    if action == "approve" and signed_in_secret:
        wanted["browser_session"] = sessions.browser_key(signed_in_secret)
    if action == "login" and username and bounds.username_fits(username):
        wanted.update({"user": users.key(username), **brute_force.reads(username, request.source_ip)})
        if "client" in wanted:
            wanted["consent"] = consents.key(username, client_id)
    items = dynamo.batch_get(wanted)
    session = sessions.from_item(items["session"])
    client = clients.from_item(items.get("client"))
    browser, _ = _browser(request)
    if (session is None or session.expires_at <= time.time() or client is None or client.disabled
            or not hmac.compare_digest(session.browser_hash, digest(browser))
            or session.request.get("client_id") != client.client_id
            or session.stage != (sessions.LOGIN if action in ("login", "cancel") else sessions.CONSENT)):
        observability.logger.info("sign-in restarted", extra={"known_session": session is not None})
        return _start(request, _RESTARTED, client)
    areq = authz.AuthorizationRequest.from_item(session.request)
    if action == "login":
        return _login(request, session, client, areq, flow, username, items)
    if action == "approve":
        return _approve(request, session, client, areq, items.get("browser_session"))
    if action in ("deny", "cancel"):
        return _deny(request, session, areq, action)
    raise areq.error(InvalidRequest("action must be login, cancel, approve or deny"))


def _login(request: Request, session: sessions.Session, client: Client, areq: authz.AuthorizationRequest,
           flow: str, username: str, items: dict) -> Response:
    password = request.param("password") or ""
    origin = redirects.origin(areq.redirect_uri)
    if not username or not password:
        return pages.login(_name(client), flow, redirect_origin=origin, message="Enter your username and password.",
                           username=username)
    if not bounds.username_fits(username) or len(password) > bounds.SECRET_MAX_BYTES:
        return pages.login(_name(client), flow, redirect_origin=origin, message=_TOO_LONG, username="")
    try:
        brute_force.check(items, username, request.source_ip, AccessDenied.error, client.client_id)
    except TooManyAttempts as exc:
        where = "from your network" if exc.budget == "address" else "for this account from your network"
        response = pages.login(_name(client), flow, redirect_origin=origin, username=username, status=429,
                               message=f"Too many failed sign-ins {where}. Try again in "
                                       f"{max(1, round(exc.retry_after / 60))} minute(s).")
        response.headers.update(exc.headers)
        return response
    user = passwords.sign_in(username, password, items, request.source_ip, client.client_id, "login_form")
    if user is None:
        return pages.login(_name(client), flow, redirect_origin=origin, message=_BAD_LOGIN, username=username)
    # A new session value at every sign-in, never one the browser brought (session fixation); a session
    # the browser had (another user's, or one prompt=login asked to replace) ends with it. Every write of
    # this step is in one transaction after the last read, so a 503 anywhere spends nothing.
    secret, previous = random_secret(32), cookies.read(request, cookies.SESSION)
    started = {BROWSER_SESSION: sessions.put_browser_action(
        sessions.new_browser_session(secret, user.username, issuance.now_ms()))}
    if previous:
        started["previous_session"] = sessions.delete_browser_action(previous)
    consent = consents.from_item(items.get("consent"))
    silent = _remembered(consent, client, areq)
    try:
        if silent:  # approved before: the code (or token) at once, in the same transaction
            response = _issue(request, client, user.username, areq, {SESSION: sessions.finish_action(session),
                                                                     **started}, remembered=True)
            observability.count("ConsentRemembered", "response_type", areq.response_type)
        else:
            descriptions = scope_descriptions.describe(areq.scope.split())
            # No idempotency token: a retry after a lost answer passes the condition again (advanced_by).
            dynamo.transact_write({SESSION: sessions.advance_action(session, user.username, request.request_id),
                                   **started})
            response = _consent_page(client, areq, user.username, flow, descriptions=descriptions)
    except dynamo.TransactionRefused as refused:
        if SESSION not in refused.failed:
            raise
        return _start(request, _RESTARTED, client)
    audit.event("session", "success", user=user.username, client_id=client.client_id)
    response.headers["Set-Cookie"] = cookies.set_cookie(cookies.SESSION, secret, settings().session_max_lifetime)
    return response


def _deny(request: Request, session: sessions.Session, areq: authz.AuthorizationRequest, action: str) -> Response:
    """Deny at the consent page, or Cancel at the login page: ``access_denied`` (RFC 6749 §4.1.2.1)."""
    try:
        dynamo.transact_write({SESSION: sessions.finish_action(session)}, request.request_id)
    except dynamo.TransactionRefused:
        return _start(request, _RESTARTED)
    observability.count("ConsentDenied", "response_type", areq.response_type)
    audit.event("consent", "denied" if action == "deny" else "cancelled", user=session.username or None,
                client_id=areq.client_id)
    raise areq.error(AccessDenied("the user denied the request" if action == "deny"
                                  else "the user cancelled the sign-in"))


def _approve(request: Request, session: sessions.Session, client: Client, areq: authz.AuthorizationRequest,
             browser_item: dict | None) -> Response:
    """Approve, only while the browser is still signed in as the user the consent page named: a page left
    open across a logout, another user's sign-in, a new password or a disable answers nothing."""
    now = int(time.time())
    signed_in = sessions.browser_from_item(browser_item, now)
    user = users.from_item(dynamo.get(*users.key(session.username), users.CHECKED_ATTRIBUTES)) \
        if signed_in is not None and signed_in.username == session.username else None
    if signed_in is None or not _still_valid(signed_in, user):
        observability.logger.info("sign-in restarted", extra={"reason": "signed out since the consent page"})
        return _start(request, _RESTARTED, client)
    actions = {SESSION: sessions.finish_action(session), BROWSER_SESSION: sessions.touch_action(signed_in, now),
               "consent": consents.record_action(session.username, client.client_id, areq.scope, now)}
    try:
        response = _issue(request, client, session.username, areq, actions)
    except dynamo.TransactionRefused as refused:
        if SESSION not in refused.failed and BROWSER_SESSION not in refused.failed:
            raise
        return _start(request, _RESTARTED, client)  # answered already, or signed out meanwhile
    audit.event("consent", "granted", user=session.username, client_id=client.client_id,
                response_type=areq.response_type, scope=areq.scope)
    return response


def _issue(request: Request, client: Client, username: str, areq: authz.AuthorizationRequest,
           actions: dict, remembered: bool = False) -> Response:
    """The code or (implicit) token, written in one transaction with ``actions``; the redirect to the
    client. ``remembered``: answered from an earlier approval (counted as ConsentRemembered, not Given)."""
    if areq.implicit:
        # RFC 6749 §4.2.2: the token itself, in the fragment, never a refresh token.
        issued = issuance.grant_tokens(client, username, areq.scope, "implicit", with_refresh=False,
                                       request_token=request.request_id, extra=actions)
        params = {"access_token": issued.access_token, "token_type": "Bearer",
                  "expires_in": str(issued.expires_in), "scope": issued.scope or None}
    else:
        code = token_format.mint(token_format.TokenRef(client.client_id, username))
        now_ms = issuance.now_ms()
        dynamo.transact_write({**actions, "code": codes.put_action(codes.AuthorizationCode(
            code_hash=codes.code_hash(code), client_id=client.client_id, username=username,
            scope=areq.scope, redirect_uri=areq.redirect_uri_sent, code_challenge=areq.code_challenge,
            code_challenge_method=areq.code_challenge_method, issued_at_ms=now_ms,
            expires_at=now_ms // 1000 + settings().authorization_code_ttl))}, request.request_id)
        params = {"code": code}
    if not remembered:
        observability.count("ConsentGiven", "response_type", areq.response_type)
    if areq.implicit:
        audit.event("token_issued", "success", user=username, client_id=client.client_id, grant_type="implicit")
    location = redirects.attach(areq.redirect_uri, {**params, "state": areq.state or None}, fragment=areq.implicit)
    return pages.redirect(location, 303 if request.method == "POST" else 302)
