"""``oauthctl users``: create users, set their passwords, disable and delete them, and see or withdraw what
they approved (``authorizations``). Passwords are never echoed and stored only as hashes."""

from __future__ import annotations

import dataclasses
import getpass
import sys
from typing import TYPE_CHECKING, Any

from oauth_core import registration
from oauth_core.hashing import hash_password
from oauth_core.issuance import now_ms
from oauth_core.storage import consents, users

from .client_commands import changed, existing, revoked_now_ms
from .output import Refused, user_view

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable


def change_user(username: str, change: Callable[[users.User], users.User]) -> users.User:
    return changed("user", username, get_user, users.save, users.Conflict, change)


def _read_password(args: argparse.Namespace, username: str) -> str:
    """From standard input with ``--password-stdin``; else, at a terminal, typed twice without echo.
    Then the password policy (registration.password): length, blocklist, no composition rules."""
    if args.password_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        value = getpass.getpass(f"Password for {username}: ")
        if getpass.getpass("Again: ") != value:
            raise Refused("the passwords differ (nothing was changed)")
    else:
        raise Refused("give the password on standard input with --password-stdin (or run at a terminal)")
    return registration.password(value, username)


def get_user(username: str) -> users.User:
    return existing("user", username, users.get(username))


def users_create(args: argparse.Namespace) -> Any:
    created_ms = now_ms()
    username = registration.username(args.username)
    user = users.User(username, hash_password(_read_password(args, username)),
                      created_at=created_ms // 1000, tokens_valid_after_ms=created_ms)
    try:
        users.create(user)
    except users.AlreadyExists:
        raise Refused(f"user {user.username!r} already exists (nothing was changed)") from None
    return user_view(user)


def users_set_password(args: argparse.Namespace) -> Any:
    new_hash = hash_password(_read_password(args, get_user(args.username).username))
    # A new password ends every session the old one opened: each token and grant of the user, at once.
    return user_view(change_user(args.username, lambda user: dataclasses.replace(
        user, password_hash=new_hash, tokens_valid_after_ms=revoked_now_ms(user.tokens_valid_after_ms))))


def users_set_disabled(args: argparse.Namespace, disabled: bool) -> Any:
    return user_view(change_user(args.username, lambda user: dataclasses.replace(
        user, disabled=disabled,
        tokens_valid_after_ms=revoked_now_ms(user.tokens_valid_after_ms) if disabled else user.tokens_valid_after_ms)))


def users_delete(args: argparse.Namespace) -> Any:
    if not args.yes:
        raise Refused(f"deleting user {args.username!r} revokes all their tokens; repeat with --yes")
    try:
        users.delete(args.username)
    except users.NotFound:
        raise Refused(f"no user {args.username!r}") from None
    for consent in consents.list_for(args.username):  # a user created later under this name approved nothing
        consents.delete(args.username, consent.client_id)
    return {"username": args.username, "deleted": True}


def users_authorizations(args: argparse.Namespace) -> Any:
    """What the user approved, per client (remembered consent)."""
    user = get_user(args.username)
    return [{"username": c.username, "client_id": c.client_id, "scopes": c.scope.split(),
             "granted_at": c.granted_at} for c in consents.list_for(user.username)]


def users_revoke_authorization(args: argparse.Namespace) -> Any:
    """Withdraw an approval: the consent page shows again, and the tokens it led to stop working (their
    grants are revoked, which every token check reads)."""
    from oauth_core.storage import grants, tokens

    user = get_user(args.username)
    withdrawn = consents.delete(user.username, args.client_id)
    revoked = grants.active_for(user.username, args.client_id)
    if not withdrawn and not revoked:
        raise Refused(f"user {user.username!r} has no authorization for client {args.client_id!r}")
    for grant in revoked:  # every token check reads its grant's status: they stop working at once
        grants.revoke(grant.grant_id, "authorization withdrawn", now_ms() // 1000)
        tokens.delete_for_grant(grant.grant_id)
    return {"username": user.username, "client_id": args.client_id, "consent_withdrawn": withdrawn,
            "grants_revoked": len(revoked)}


def add_commands(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``oauthctl users ...`` commands."""
    u = groups.add_parser("users", help="resource owners").add_subparsers(dest="cmd", required=True)
    p = u.add_parser("create")
    p.add_argument("--username", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input "
                   "(default: ask at the terminal, without echo)")
    p.set_defaults(run=users_create)
    u.add_parser("list").set_defaults(run=lambda a: [user_view(x) for x in users.list_all()])
    for name, run in (("show", lambda a: user_view(get_user(a.username))),
                      ("disable", lambda a: users_set_disabled(a, True)),
                      ("enable", lambda a: users_set_disabled(a, False))):
        p = u.add_parser(name)
        p.add_argument("username")
        p.set_defaults(run=run)
    p = u.add_parser("set-password")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input "
                   "(default: ask at the terminal, without echo)")
    p.set_defaults(run=users_set_password)
    p = u.add_parser("delete")
    p.add_argument("username")
    p.add_argument("--yes", action="store_true")
    p.set_defaults(run=users_delete)
    p = u.add_parser("authorizations", help="the clients the user approved, with their scopes")
    p.add_argument("username")
    p.set_defaults(run=users_authorizations)
    p = u.add_parser("revoke-authorization", help="withdraw an approval and revoke the tokens it led to")
    p.add_argument("username")
    p.add_argument("client_id", metavar="CLIENT")
    p.set_defaults(run=users_revoke_authorization)
