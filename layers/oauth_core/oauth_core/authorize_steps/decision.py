"""The user's decision and the answer to the client: Approve or Deny at the consent page, Cancel at the
login page, or an earlier approval answering at once; then the redirect with a code (RFC 6749 §4.1.2)
or, for the implicit grant, an access token in the fragment (§4.2.2). Each answer's writes are one
transaction whose conditions refuse a flow answered twice or a browser signed out meanwhile.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from oauth_core import audit, issuance, observability, pages, redirects, token_format
from oauth_core.authorize_steps import flows
from oauth_core.authorize_steps.browser_session import still_valid
from oauth_core.config import settings
from oauth_core.errors import AccessDenied
from oauth_core.storage import codes, consents, dynamo, sessions, users

if TYPE_CHECKING:
    from oauth_core import authorization_request as authz
    from oauth_core.http import Request, Response
    from oauth_core.storage.clients import Client


def answer_silently(request: Request, client: Client, areq: authz.AuthorizationRequest,
                    signed_in: sessions.BrowserSession, now: int) -> Response:
    """Signed in and approved before: the answer without a page; the session's idle limit moves on."""
    try:
        response = issue(request, client, signed_in.username, areq,
                         {flows.BROWSER_SESSION: sessions.touch_action(signed_in, now)}, remembered=True)
    except dynamo.TransactionRefused as refused:
        if flows.BROWSER_SESSION not in refused.failed:
            raise
        return flows.new_flow(request, client, areq, None)  # signed out meanwhile
    observability.count("ConsentRemembered", "response_type", areq.response_type)
    return response


def approve(request: Request, session: sessions.Session, client: Client, areq: authz.AuthorizationRequest,
            browser_item: dict[str, Any] | None) -> Response:
    """Approve, only while the browser is still signed in as the user the consent page named: a page left
    open across a logout, another user's sign-in, a new password or a disable answers nothing."""
    now = int(time.time())
    signed_in = sessions.browser_from_item(browser_item, now)
    user = users.from_item(dynamo.get(*users.key(session.username), users.CHECKED_ATTRIBUTES)) \
        if signed_in is not None and signed_in.username == session.username else None
    if signed_in is None or not still_valid(signed_in, user):
        observability.logger.info("sign-in restarted", extra={"reason": "signed out since the consent page"})
        raise flows.Restart(client)
    actions = {flows.SESSION: sessions.finish_action(session),
               flows.BROWSER_SESSION: sessions.touch_action(signed_in, now),
               "consent": consents.record_action(session.username, client.client_id, areq.scope, now)}
    try:
        response = issue(request, client, session.username, areq, actions)
    except dynamo.TransactionRefused as refused:
        if flows.SESSION not in refused.failed and flows.BROWSER_SESSION not in refused.failed:
            raise
        raise flows.Restart(client) from None  # answered already, or signed out meanwhile
    audit.event("consent", "granted", user=session.username, client_id=client.client_id,
                response_type=areq.response_type, scope=areq.scope)
    return response


def deny(request: Request, session: sessions.Session, areq: authz.AuthorizationRequest, action: str) -> Response:
    """Deny at the consent page, or Cancel at the login page: ``access_denied`` (RFC 6749 §4.1.2.1)."""
    try:
        dynamo.transact_write({flows.SESSION: sessions.finish_action(session)}, request.request_id)
    except dynamo.TransactionRefused:
        raise flows.Restart() from None
    observability.count("ConsentDenied", "response_type", areq.response_type)
    audit.event("consent", "denied" if action == "deny" else "cancelled", user=session.username or None,
                client_id=areq.client_id)
    raise areq.error(AccessDenied("the user denied the request" if action == "deny"
                                  else "the user cancelled the sign-in"))


def issue(request: Request, client: Client, username: str, areq: authz.AuthorizationRequest,
          actions: dict[str, dict[str, Any]], remembered: bool = False) -> Response:
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
        issued_ms = issuance.now_ms()
        dynamo.transact_write({**actions, "code": codes.put_action(codes.AuthorizationCode(
            code_hash=codes.code_hash(code), client_id=client.client_id, username=username,
            scope=areq.scope, redirect_uri=areq.redirect_uri_sent, code_challenge=areq.code_challenge,
            code_challenge_method=areq.code_challenge_method, issued_at_ms=issued_ms,
            expires_at=issued_ms // 1000 + settings().authorization_code_ttl))}, request.request_id)
        params = {"code": code}
    if not remembered:
        observability.count("ConsentGiven", "response_type", areq.response_type)
    if areq.implicit:
        audit.event("token_issued", "success", user=username, client_id=client.client_id, grant_type="implicit")
    location = redirects.attach(areq.redirect_uri, {**params, "state": areq.state or None}, fragment=areq.implicit)
    return pages.redirect(location, 303 if request.method == "POST" else 302)
