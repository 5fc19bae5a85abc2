"""Token introspection (RFC 7662): a resource server, authenticated as a client, asks whether a token is
active and what it is for.

Who may introspect what is explicit: a client may introspect the tokens issued to itself, to the clients
listed in its ``introspect_clients`` (``oauthctl clients update RS --introspect CLIENT_ID``), or every
client's if it is registered ``--introspect-any``. Anything else, like any token that is not active
(unknown, expired, revoked, of a disabled user or client), is ``{"active": false}`` (§2.2), so the answer
tells a caller nothing about tokens it may not see. One batched read: the caller, the token, its grant,
its client and its user.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from oauth_core import client_auth, cors, issuer, lookup, observability, responses
from oauth_core.config import settings
from oauth_core.errors import InvalidClient, InvalidRequest, UnsupportedTokenType
from oauth_core.storage import client_cache, clients, tokens, users

if TYPE_CHECKING:
    from oauth_core.http import Request, Response
    from oauth_core.storage.clients import Client
    from oauth_core.token_format import TokenRef

HINTS = ("access_token", "refresh_token")
_INACTIVE = {"active": False}


def may_introspect(caller: Client, token_client_id: str) -> bool:
    return caller.introspect_any or token_client_id == caller.client_id or token_client_id in caller.introspect_clients


def introspect(request: Request) -> Response:
    creds = client_auth.credentials(request)
    raw = request.param("token")
    hint = request.param("token_type_hint")
    wanted = {"client": clients.key(creds.client_id)}
    ref: TokenRef | None = None
    if raw:
        try:
            ref, token_keys = lookup.reads(raw)
            wanted.update(token_keys)
        except lookup.Inactive:
            ref = None
    # The caller's whole record (to authenticate it); of the user only what a token check needs.
    items = client_cache.batch_get(wanted, projections={settings().users_table: users.CHECKED_ATTRIBUTES})
    caller = client_auth.authenticate(request, creds, items["client"])
    if caller.public:
        raise InvalidClient("introspection needs client authentication: a public client cannot introspect")
    cors.check(request, caller)
    if not raw:
        raise InvalidRequest("parameter token is required")
    if hint is not None and hint not in HINTS:
        raise UnsupportedTokenType("token_type_hint must be access_token or refresh_token")
    body = _answer(caller, ref, items, time.time())
    observability.count("Introspections", "result", "active" if body["active"] else "inactive")
    return responses.render(body)


def _answer(caller: Client, ref: TokenRef | None, items: dict[str, Any], now: float) -> dict[str, Any]:
    if ref is None or not may_introspect(caller, ref.client_id):
        return dict(_INACTIVE)
    token = tokens.from_item(items.get("token"))
    kind = token.kind if token is not None else tokens.ACCESS
    try:
        active = lookup.check(ref, items, kind, now)
    except lookup.Inactive:
        return dict(_INACTIVE)
    token = active.token
    body = {
        "active": True,
        "scope": token.scope or None,
        "client_id": token.client_id,
        "username": token.username or None,
        "token_type": "Bearer" if token.kind == tokens.ACCESS else "refresh_token",
        "exp": token.expires_at,
        "iat": token.issued_at_ms // 1000,
        "sub": token.username or token.client_id,
        "iss": issuer.current() or None,
    }
    return {k: v for k, v in body.items() if v is not None}
