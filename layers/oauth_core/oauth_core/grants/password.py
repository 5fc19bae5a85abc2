"""RFC 6749 §4.3: resource owner password credentials, checked against the users table, within the
user's failed-password budget (shared with the login form)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oauth_core import bounds, brute_force, issuance, observability, scopes
from oauth_core.errors import InvalidGrant
from oauth_core.hashing import verify_password
from oauth_core.storage import users

if TYPE_CHECKING:
    from oauth_core.http import Request
    from oauth_core.storage.clients import Client


def reads(request: Request) -> dict[str, Any]:
    username = request.param("username")
    if not username:
        return {}
    # A name longer than registration allows is nobody (and no valid DynamoDB key): counted, never read.
    user = {"user": users.key(username)} if bounds.username_fits(username) else {}
    return {**user, **brute_force.reads(brute_force.user(username))}


def issue(request: Request, client: Client, items: dict[str, Any]) -> issuance.Issued:
    username = request.required("username")
    password = request.required("password")
    brute_force.check(items, brute_force.user(username), InvalidGrant.error)
    user = users.from_item(items.get("user"))
    # Always run the KDF, so unknown and known users answer in the same time.
    if not verify_password(password, user.password_hash if user else None) or user is None or user.disabled:
        observability.logger.info("password grant refused", extra={"client_id": client.client_id,
                                                                  "known_user": user is not None})
        brute_force.failed(brute_force.user(username))
        raise InvalidGrant("invalid username or password")
    scope = scopes.resolve(request.param("scope"), client.scopes)
    return issuance.grant_tokens(client, user.username, scope, "password",
                                 with_refresh="refresh_token" in client.grant_types,
                                 request_token=request.request_id)
