"""RFC 6749 §4.3: resource owner password credentials, checked against the users table, within the
failed-password budgets of the source address (shared with the login form, see ``brute_force``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oauth_core import bounds, brute_force, issuance, passwords, scopes
from oauth_core.errors import InvalidGrant
from oauth_core.grants import GrantType
from oauth_core.storage import users

if TYPE_CHECKING:
    from oauth_core.http import Request
    from oauth_core.storage.clients import Client
    from oauth_core.storage.dynamo import Items, Reads


def reads(request: Request) -> Reads:
    username = request.param("username")
    if not username:
        return {}
    # A name longer than registration allows is nobody (and no valid DynamoDB key): counted, never read.
    user = {"user": users.key(username)} if bounds.username_fits(username) else {}
    return {**user, **brute_force.reads(username, request.source_ip)}


def issue(request: Request, client: Client, items: Items) -> issuance.Issued:
    username = request.required("username")
    password = request.required("password")
    user = passwords.sign_in(username, password, items, request.source_ip, client.client_id, "password_grant",
                             InvalidGrant.error)
    if user is None:
        raise InvalidGrant("invalid username or password")
    scope = scopes.resolve(request.param("scope"), client.scopes)
    return issuance.grant_tokens(client, user.username, scope, "password",
                                 with_refresh="refresh_token" in client.grant_types,
                                 request_token=request.request_id)


GRANT = GrantType("password", reads, issue)
