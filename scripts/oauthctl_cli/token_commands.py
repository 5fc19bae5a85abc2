"""``oauthctl tokens``: list the active grants and tokens of a client or a user, or revoke them all."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

from oauth_core.storage import clients, dynamo, users

from .client_commands import change_client, get_client, revoked_now_ms
from .user_commands import change_user, get_user

if TYPE_CHECKING:
    import argparse


def tokens_revoke(args: argparse.Namespace) -> Any:
    """Every token issued so far stops working: the checks compare its issue time with this mark."""
    if args.client_id is not None:
        client = change_client(args.client_id, lambda c: dataclasses.replace(
            c, tokens_valid_after_ms=revoked_now_ms(c.tokens_valid_after_ms)))
        return {"client_id": args.client_id, "tokens_revoked_before": client.tokens_valid_after_ms}
    user = change_user(args.username, lambda u: dataclasses.replace(
        u, tokens_valid_after_ms=revoked_now_ms(u.tokens_valid_after_ms)))
    return {"username": args.username, "tokens_revoked_before": user.tokens_valid_after_ms}


def tokens_list(args: argparse.Namespace) -> Any:
    """The active grants and tokens of a client or a user: what they are, never a token or its hash
    (``id`` is a grant id, or 12 hex digits of a token's storage key to tell tokens apart). Operators'
    scans of the grants and tokens tables (read capacity in proportion to the tables' size)."""
    from oauth_core.config import settings
    from oauth_core.storage import grants, tokens

    field, value = ("client_id", args.client_id) if args.client_id is not None else ("username", args.username)
    (get_client if field == "client_id" else get_user)(value)
    now = time.time()
    owners: dict[tuple[str, str], Any] = {}

    def revoked(kind: str, name: str, issued_ms: int | None = None) -> bool:
        """The client or user is gone, disabled, or revoked everything issued before ``issued_ms``."""
        if not name:
            return False
        if (kind, name) not in owners:
            owners[kind, name] = (clients.get if kind == "client" else users.get)(name)
        owner = owners[kind, name]
        return owner is None or owner.disabled or issued_ms is not None and issued_ms < owner.tokens_valid_after_ms

    match = {"FilterExpression": "#f = :v", "ExpressionAttributeNames": {"#f": field},
             "ExpressionAttributeValues": dynamo.marshal({":v": value})}
    live = {g.grant_id: g for g in map(grants.from_item, dynamo.scan(settings().grants_table, **match))
            if g is not None and g.active and g.expires_at > now and not revoked("client", g.client_id)
            and not revoked("user", g.username)}
    rows = []
    for t in sorted(filter(None, map(tokens.from_item, dynamo.scan(settings().tokens_table, **match))),
                    key=lambda t: t.issued_at_ms):
        if t.expires_at <= now or t.rotated_by or (t.grant_id and t.grant_id not in live) \
                or revoked("client", t.client_id, t.issued_at_ms) or revoked("user", t.username, t.issued_at_ms):
            continue
        rows.append({"type": f"{t.kind}_token", "id": t.token_hash[:12], "client_id": t.client_id,
                     "username": t.username or None, "scope": t.scope, "grant_id": t.grant_id or None,
                     "issued_at": t.issued_at_ms, "expires_at": t.expires_at})
    # A grant is active while one of its tokens is (a revocation mark ends the tokens, not the grant item).
    used = {row["grant_id"] for row in rows}
    return [{"type": "grant", "id": g.grant_id, "client_id": g.client_id, "username": g.username or None,
             "scope": g.scope, "grant_type": g.grant_type, "issued_at": g.created_at, "expires_at": g.expires_at}
            for g in sorted(live.values(), key=lambda g: g.created_at) if g.grant_id in used] + rows


def add_commands(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``oauthctl tokens ...`` commands."""
    t = groups.add_parser("tokens", help="issued tokens").add_subparsers(dest="cmd", required=True)
    p = t.add_parser("revoke", help="revoke every live token of a client or of a user")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--client-id")
    who.add_argument("--username")
    p.set_defaults(run=tokens_revoke)
    p = t.add_parser("list", help="the active grants and tokens of a client or of a user (never a token)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--client-id")
    who.add_argument("--username")
    p.set_defaults(run=tokens_list)
