"""``oauthctl clients``: register, change, rotate the secret of, disable and delete clients. Every change
is a conditional write of the client as read (``change_client``)."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any, TypeVar

from oauth_core import registration
from oauth_core.hashing import digest, random_secret
from oauth_core.issuance import now_ms
from oauth_core.storage import clients, consents

from .client_options import add_client_options, client_fields
from .output import Refused, client_view

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

R = TypeVar("R")


def _inconsistencies(client: clients.Client) -> list[str]:
    found = []
    redirecting = {"authorization_code", "implicit"} & client.grant_types
    if redirecting and not client.redirect_uris:
        found.append(f"grant type {sorted(redirecting)[0]} needs at least one --redirect-uri")
    if registration.JWT_BEARER in client.grant_types and not client.certificates:
        found.append("the jwt-bearer grant type needs at least one --certificate")
    if "implicit" in client.grant_types and any(registration.private_use(u) for u in client.redirect_uris):
        found.append("the implicit grant cannot answer to a private-use scheme another app may claim "
                     "(RFC 8252 §8.2): use authorization_code with PKCE")
    if client.public and "client_credentials" in client.grant_types:
        found.append("a public client cannot use client_credentials")
    if client.jwt_any_subject and client.jwt_subjects:
        found.append("--jwt-any-subject and --jwt-subject exclude each other (any user, or only those listed)")
    return found


def check_consistent(client: clients.Client, before: clients.Client | None = None) -> None:
    """Refuse a registration that cannot work. An update is refused only for what it makes wrong: a client
    registered earlier with a gap (the local demo client: jwt-bearer, no certificate) can still be changed."""
    known = _inconsistencies(before) if before is not None else []
    new = [problem for problem in _inconsistencies(client) if problem not in known]
    if new:
        raise Refused(new[0])


def existing(what: str, key: str, record: R | None) -> R:
    """The record read, or ``Refused`` naming what is missing."""
    if record is None:
        raise Refused(f"no {what} {key!r}")
    return record


def get_client(client_id: str) -> clients.Client:
    return existing("client", client_id, clients.get(client_id))


def clients_create(args: argparse.Namespace) -> Any:
    if not args.grant_type:
        raise Refused("at least one --grant-type is required")
    secret = None if args.public else random_secret()
    created_ms = now_ms()
    client = clients.Client(client_id=registration.client_id(args.client_id),
                            secret_hash=digest(secret) if secret else None, created_at=created_ms // 1000,
                            tokens_valid_after_ms=created_ms, **client_fields(args))
    check_consistent(client)
    try:
        clients.create(client)
    except clients.AlreadyExists:
        raise Refused(f"client {client.client_id!r} already exists (nothing was changed)") from None
    return {**client_view(client), "client_secret": secret}


def changed(what: str, key: str, get: Callable[[str], R], save: Callable[[R], R], conflict: type[Exception],
            change: Callable[[R], R]) -> R:
    """Apply ``change`` to the record as stored and save it only if nobody saved it meanwhile; when someone
    did, read it again and apply the change to their version (never lose either operator's update)."""
    for _ in range(5):
        try:
            return save(change(get(key)))
        except conflict:
            continue
    raise Refused(f"{what} {key!r} kept changing while this command ran; nothing was changed: run it again")


def change_client(client_id: str, change: Callable[[clients.Client], clients.Client]) -> clients.Client:
    return changed("client", client_id, get_client, clients.save, clients.Conflict, change)


def clients_update(args: argparse.Namespace) -> Any:
    fields = client_fields(args)

    def change(client: clients.Client) -> clients.Client:
        updated = dataclasses.replace(client, **fields)
        check_consistent(updated, before=client)
        return updated

    return client_view(change_client(args.id, change))


MAX_OVERLAP = 30 * 24 * 3600


def clients_rotate_secret(args: argparse.Namespace) -> Any:
    """A new secret; with ``--keep-old-for`` the current one stays valid that long too, so the client's
    deployments can switch over without an outage (a rotation during an overlap ends the older one)."""
    keep = args.keep_old_for or 0
    if not 0 <= keep <= MAX_OVERLAP:
        raise Refused(f"--keep-old-for must be between 0 and {MAX_OVERLAP} seconds (30 days)")
    secret = random_secret()
    until = int(time.time()) + keep if keep else 0

    def change(client: clients.Client) -> clients.Client:
        if client.public:
            raise Refused(f"client {args.id!r} is public and has no secret")
        return dataclasses.replace(client, secret_hash=digest(secret), old_secret_hash=client.secret_hash if keep
                                   else None, old_secret_expires_at=until)

    client = change_client(args.id, change)
    return {"client_id": client.client_id, "client_secret": secret, "old_secret_expires_at": until or None}


def revoked_now_ms(mark_ms: int) -> int:
    """The ``tokens_valid_after_ms`` mark that revokes everything issued so far (it never moves back, so
    ``enable`` cannot bring earlier tokens back)."""
    return max(mark_ms, now_ms())


def clients_set_disabled(args: argparse.Namespace, disabled: bool) -> Any:
    return client_view(change_client(args.id, lambda client: dataclasses.replace(
        client, disabled=disabled,
        tokens_valid_after_ms=revoked_now_ms(client.tokens_valid_after_ms) if disabled
        else client.tokens_valid_after_ms)))


def clients_delete(args: argparse.Namespace) -> Any:
    if not args.yes:
        raise Refused(f"deleting client {args.id!r} revokes all its tokens; repeat with --yes")
    try:
        clients.delete(args.id)
    except clients.NotFound:
        raise Refused(f"no client {args.id!r}") from None
    for consent in consents.given_to(args.id):  # a client registered later under this id was approved by nobody
        consents.delete(consent.username, args.id)
    return {"client_id": args.id, "deleted": True}


def add_commands(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``oauthctl clients ...`` commands."""
    c = groups.add_parser("clients", help="registered client applications").add_subparsers(dest="cmd", required=True)
    create = c.add_parser("create")
    create.add_argument("--client-id", required=True)
    create.add_argument("--public", action="store_true", help="no secret (native and browser apps)")
    add_client_options(create)
    create.set_defaults(run=clients_create)
    c.add_parser("list").set_defaults(run=lambda a: [client_view(x) for x in clients.list_all()])
    for name, run in (("show", lambda a: client_view(get_client(a.id))), ("rotate-secret", clients_rotate_secret),
                      ("disable", lambda a: clients_set_disabled(a, True)),
                      ("enable", lambda a: clients_set_disabled(a, False))):
        p = c.add_parser(name)
        p.add_argument("id")
        p.set_defaults(run=run)
        if name == "rotate-secret":
            p.add_argument("--keep-old-for", type=int, metavar="SECONDS",
                           help="the current secret stays valid this long too (default 0: it stops at once)")
    update = c.add_parser("update")
    update.add_argument("id")
    add_client_options(update)
    update.set_defaults(run=clients_update)
    delete = c.add_parser("delete")
    delete.add_argument("id")
    delete.add_argument("--yes", action="store_true")
    delete.set_defaults(run=clients_delete)
