"""The authorization endpoint (RFC 6749 §3.1): login page, consent page, then the redirect back to the
client with a code (§4.1.2) or, for the implicit grant, an access token in the fragment (§4.2.2).

It reads as the list of its steps (``authorize_steps``, like node-oidc-provider's ``check_*`` chain):
a request validates (``authorization_request``), then the signed-in browser and its user's approval
answer at once or the login or consent page starts a sign-in flow; a form post checks its flow, then
signs in, or records the decision and answers the client. A step that refuses raises: ``Unredirectable``
(an error page), ``Redirected`` (an OAuth error at the client), or ``flows.Restart`` (the request again).
Round trips per request are listed in README's "How it works".
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from oauth_core import authorization_request as authz
from oauth_core import bounds, brute_force, cookies, observability, pages
from oauth_core.authorize_steps import browser_session, decision, flows, login
from oauth_core.errors import InvalidRequest
from oauth_core.storage import clients, consents, dynamo, sessions, users

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from oauth_core.errors import OAuthError
    from oauth_core.http import Request, Response
    from oauth_core.storage.clients import Client


def authorize(request: Request) -> Response:
    try:
        return _steps(request)
    except authz.Unredirectable as exc:
        observability.count("AuthorizeRefused", "error", "unredirectable")
        observability.logger.info("authorization request refused", extra={"reason": exc.detail})
        return pages.error("This request cannot be completed", exc.detail)
    except authz.Redirected as exc:
        observability.count("AuthorizeRefused", "error", exc.error.error)
        observability.logger.info("authorization request refused",
                                  extra={"error": exc.error.error, "description": exc.error.description})
        return pages.redirect(exc.location(), 303 if request.method == "POST" else 302)


def _steps(request: Request) -> Response:
    """A form post continues its flow; anything else is a new request. A flow that must restart
    (``flows.Restart``) starts again from the request its form's URL kept."""
    try:
        if request.method == "POST" and request.param("flow") is not None:
            return _continue(request)
        return _start(request)
    except flows.Restart as restart:
        return _start(request, flows.RESTARTED, restart.client)


def error_page(exc: OAuthError, request: Request | None) -> Response:
    """Errors raised before the endpoint runs (a malformed event) as a page, not JSON."""
    return pages.failure(exc, "This request cannot be completed", "Sign-in is unavailable",
                         "The request is malformed.")


def _request_params(request: Request) -> Callable[[str], str | None]:
    """The authorization request: the query string, or a form post of it (RFC 6749 §3.1 allows POST)."""
    if request.method == "POST" and not request.query and request.form:
        return request.param
    return request.query_param


def _start(request: Request, notice: str | None = None, fetched: Client | None = None) -> Response:
    """Validate the authorization request, then answer at once for a signed-in browser whose user
    already approved these scopes, or show the consent page (signed in) or the login page.

    ``fetched`` is the client a restarted step already read, reused when it is the one the request
    names. A restart (``notice``) never answers silently: the user may have just pressed Deny on an
    expired page. Round trips: one batched read (client, browser session), and for a session one more
    (user, consent); then one write."""
    params = _request_params(request)
    read, items = _request_reads(request, params, fetched)
    client = authz.check_client(params, read)
    areq = authz.validate(params, client)
    now = int(time.time())
    signed_in, consent = browser_session.read(items.get("browser"), areq, now)
    signed_in = browser_session.usable(signed_in, areq, now)
    if signed_in is None:
        return flows.new_flow(request, client, areq, notice)
    if notice is None and browser_session.remembered(consent, client, areq):
        return decision.answer_silently(request, client, areq, signed_in, now)
    browser_session.check_consent_prompt(areq)
    return flows.new_flow(request, client, areq, notice and flows.DECIDE_AGAIN, signed_in.username)


def _request_reads(request: Request, params: Callable[[str], str | None],
                   fetched: Client | None) -> tuple[Client | None, Mapping[str, dict[str, Any] | None]]:
    """The request's one batched read: the client it names (``fetched`` when a restart already read it)
    and the browser session its cookie names."""
    client_id = authz.client_id_of(params)
    secret = cookies.read(request, cookies.SESSION)
    reuse = fetched is not None and fetched.client_id == client_id
    wanted = {} if reuse else {"client": clients.key(client_id)}
    if secret:
        wanted["browser"] = sessions.browser_key(secret)
    items = dynamo.batch_get(wanted) if wanted else {}
    return (fetched if reuse else clients.from_item(items["client"])), items


def _continue(request: Request) -> Response:
    """A post of the login or consent form: its flow checked, then the step its button names."""
    flow = request.required("flow")
    action = request.param("action") or "login"
    username = (request.param("username") or "").strip()
    items = dynamo.batch_get(_posted_reads(request, flow, action, username))
    session, client = flows.check_posted(request, items, action)
    areq = authz.AuthorizationRequest.from_item(session.request)
    if action == "login":
        return login.login(request, session, client, areq, flow, username, items)
    if action == "approve":
        return decision.approve(request, session, client, areq, items.get("browser_session"))
    if action in ("deny", "cancel"):
        return decision.deny(request, session, areq, action)
    raise areq.error(InvalidRequest("action must be login, cancel, approve or deny"))


def _posted_reads(request: Request, flow: str, action: str,
                  username: str) -> Mapping[str, tuple[str, Mapping[str, Any]]]:
    """The form post's one batched read: the flow and its client, the browser session Approve needs, and
    for a login the user, their approval of this client and the failed-password counters."""
    wanted: dict[str, tuple[str, Mapping[str, Any]]] = {"session": sessions.key(flow)}
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
        if client_id and "client" in wanted:
            wanted["consent"] = consents.key(username, client_id)
    return wanted
