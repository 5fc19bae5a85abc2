"""oauthctl: manage the server's clients, users, tokens and scope descriptions in its DynamoDB tables.

Run through ``scripts/oauthctl``. Exit codes: 0 done, 1 not found / refused / invalid, 2 usage.
Secrets are printed once (create, rotate-secret) and stored only as hashes.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
import sys
from typing import Any

from oauth_core import audit, registration
from oauth_core.hashing import digest, hash_password, random_secret
from oauth_core.issuance import now_ms
from oauth_core.storage import clients, consents, scope_descriptions, users

TABLES = ("clients", "users", "grants", "codes", "tokens", "consents", "scopes")


class Refused(Exception):
    """Exit 1 with this message."""


# -- output ------------------------------------------------------------------------------------------
def client_view(client: clients.Client) -> dict[str, Any]:
    """What operators may see of a client: never its secret or the secret's hash."""
    return {
        "client_id": client.client_id,
        "name": client.name,
        "public": client.public,
        "grant_types": sorted(client.grant_types),
        "redirect_uris": list(client.redirect_uris),
        "post_logout_redirect_uris": list(client.post_logout_redirect_uris),
        "scopes": sorted(client.scopes),
        "access_token_ttl": client.access_token_ttl,
        "refresh_token_ttl": client.refresh_token_ttl,
        "certificates": [_certificate_view(pem) for pem in client.certificates],
        "pkce_plain": client.pkce_plain,
        "tokeninfo_query": client.tokeninfo_query,
        "jwt_subjects": sorted(client.jwt_subjects),
        "jwt_any_subject": client.jwt_any_subject,
        "require_pkce": client.require_pkce,
        "require_jti": client.require_jti,
        "grant_max_lifetime": client.grant_max_lifetime,
        "refresh_reuse_window": client.refresh_reuse_window,
        "disabled": client.disabled,
        "created_at": client.created_at,
    }


def _certificate_view(pem: str) -> dict[str, Any]:
    """Thumbprint, subject and expiry; a certificate that has since expired says so instead."""
    try:
        return dataclasses.asdict(registration.certificate(pem))
    except registration.Invalid as exc:
        return {"invalid": str(exc)}


def user_view(user: users.User) -> dict[str, Any]:
    return {"username": user.username, "disabled": user.disabled, "created_at": user.created_at}


def emit(data: Any, output: str) -> None:
    if output == "json":
        print(json.dumps(data, indent=2))
        return
    rows = data if isinstance(data, list) else [data]
    if not rows:
        return
    columns = list(rows[0])
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(v["thumbprint_sha256"][:16] if isinstance(v, dict) and "thumbprint_sha256" in v else str(v)
                        for v in value) or "-"
    if isinstance(value, bool):
        return str(value).lower()
    return "-" if value is None or value == "" else str(value)


# -- clients -----------------------------------------------------------------------------------------
def _read_certificates(paths: list[str]) -> tuple[str, ...]:
    pems = []
    for path in paths:
        try:
            with open(path, encoding="ascii") as fh:
                pem = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise Refused(f"cannot read certificate {path}: {getattr(exc, 'strerror', None) or exc}") from None
        try:
            registration.certificate(pem)
        except registration.Invalid as exc:
            raise Refused(f"{path}: {exc}") from None
        pems.append(pem)
    return tuple(pems)


def _client_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The options given on the command line, validated, as Client fields."""
    fields: dict[str, Any] = {}
    if args.name is not None:
        fields["name"] = args.name
    if args.grant_type:
        fields["grant_types"] = registration.grant_types(args.grant_type)
    if args.redirect_uri:
        fields["redirect_uris"] = tuple(registration.redirect_uri(u) for u in args.redirect_uri)
    if args.post_logout_redirect_uri:
        fields["post_logout_redirect_uris"] = tuple(registration.redirect_uri(u)
                                                    for u in args.post_logout_redirect_uri)
    if args.scope:
        fields["scopes"] = registration.scope_list(args.scope)
    if args.access_token_ttl is not None:
        fields["access_token_ttl"] = registration.lifetime(args.access_token_ttl, "--access-token-ttl")
    if args.refresh_token_ttl is not None:
        fields["refresh_token_ttl"] = registration.lifetime(args.refresh_token_ttl, "--refresh-token-ttl")
    if args.certificate:
        fields["certificates"] = _read_certificates(args.certificate)
    if args.allow_pkce_plain is not None:
        fields["pkce_plain"] = args.allow_pkce_plain
    if args.tokeninfo_query is not None:
        fields["tokeninfo_query"] = args.tokeninfo_query
    if args.no_jwt_subjects:
        fields["jwt_subjects"] = frozenset()
    if args.jwt_subject:
        fields["jwt_subjects"] = frozenset(registration.username(u) for u in args.jwt_subject)
    for name in ("jwt_any_subject", "require_pkce", "require_jti"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    if args.grant_max_lifetime is not None:
        fields["grant_max_lifetime"] = registration.lifetime(args.grant_max_lifetime, "--grant-max-lifetime")
    if args.refresh_reuse_window is not None:
        fields["refresh_reuse_window"] = registration.reuse_window(args.refresh_reuse_window)
    return fields


def _check_consistent(client: clients.Client) -> None:
    redirecting = {"authorization_code", "implicit"} & client.grant_types
    if redirecting and not client.redirect_uris:
        raise Refused(f"grant type {sorted(redirecting)[0]} needs at least one --redirect-uri")
    if registration.JWT_BEARER in client.grant_types and not client.certificates:
        raise Refused("the jwt-bearer grant type needs at least one --certificate")
    if client.public and "client_credentials" in client.grant_types:
        raise Refused("a public client cannot use client_credentials")
    if client.jwt_any_subject and client.jwt_subjects:
        raise Refused("--jwt-any-subject and --jwt-subject exclude each other (any user, or only those listed)")


def _get_client(client_id: str) -> clients.Client:
    client = clients.get(client_id)
    if client is None:
        raise Refused(f"no client {client_id!r}")
    return client


def clients_create(args: argparse.Namespace) -> Any:
    if not args.grant_type:
        raise Refused("at least one --grant-type is required")
    secret = None if args.public else random_secret()
    now = now_ms()
    client = clients.Client(client_id=registration.client_id(args.client_id),
                            secret_hash=digest(secret) if secret else None, created_at=now // 1000,
                            tokens_valid_after=now, **_client_fields(args))
    _check_consistent(client)
    try:
        clients.create(client)
    except clients.AlreadyExists:
        raise Refused(f"client {client.client_id!r} already exists (nothing was changed)") from None
    return {**client_view(client), "client_secret": secret}


def clients_update(args: argparse.Namespace) -> Any:
    client = dataclasses.replace(_get_client(args.id), **_client_fields(args))
    _check_consistent(client)
    clients.save(client)
    return client_view(client)


def clients_rotate_secret(args: argparse.Namespace) -> Any:
    client = _get_client(args.id)
    if client.public:
        raise Refused(f"client {args.id!r} is public and has no secret")
    secret = random_secret()
    clients.save(dataclasses.replace(client, secret_hash=digest(secret)))
    return {"client_id": client.client_id, "client_secret": secret}


def _revoked_now(mark: int) -> int:
    """The ``tokens_valid_after`` mark that revokes everything issued so far (it never moves back, so
    ``enable`` cannot bring earlier tokens back)."""
    return max(mark, now_ms())


def clients_set_disabled(args: argparse.Namespace, disabled: bool) -> Any:
    client = _get_client(args.id)
    client = dataclasses.replace(client, disabled=disabled, tokens_valid_after=_revoked_now(
        client.tokens_valid_after) if disabled else client.tokens_valid_after)
    clients.save(client)
    return client_view(client)


def clients_delete(args: argparse.Namespace) -> Any:
    if not args.yes:
        raise Refused(f"deleting client {args.id!r} revokes all its tokens; repeat with --yes")
    try:
        clients.delete(args.id)
    except clients.NotFound:
        raise Refused(f"no client {args.id!r}") from None
    return {"client_id": args.id, "deleted": True}


# -- users -------------------------------------------------------------------------------------------
def _password_from_stdin(username: str) -> str:
    """The password policy (registration.password): length, blocklist, no composition rules."""
    value = sys.stdin.readline().rstrip("\r\n")
    return registration.password(value, username)


def _get_user(username: str) -> users.User:
    user = users.get(username)
    if user is None:
        raise Refused(f"no user {username!r}")
    return user


def users_create(args: argparse.Namespace) -> Any:
    if not args.password_stdin:
        raise Refused("give the password on standard input with --password-stdin")
    now = now_ms()
    username = registration.username(args.username)
    user = users.User(username, hash_password(_password_from_stdin(username)),
                      created_at=now // 1000, tokens_valid_after=now)
    try:
        users.create(user)
    except users.AlreadyExists:
        raise Refused(f"user {user.username!r} already exists (nothing was changed)") from None
    return user_view(user)


def users_set_password(args: argparse.Namespace) -> Any:
    if not args.password_stdin:
        raise Refused("give the new password on standard input with --password-stdin")
    user = _get_user(args.username)
    # A new password ends every session the old one opened: each token and grant of the user, at once.
    user = dataclasses.replace(user, password_hash=hash_password(_password_from_stdin(user.username)),
                               tokens_valid_after=_revoked_now(user.tokens_valid_after))
    users.save(user)
    return user_view(user)


def users_set_disabled(args: argparse.Namespace, disabled: bool) -> Any:
    user = _get_user(args.username)
    user = dataclasses.replace(user, disabled=disabled, tokens_valid_after=_revoked_now(
        user.tokens_valid_after) if disabled else user.tokens_valid_after)
    users.save(user)
    return user_view(user)


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
    user = _get_user(args.username)
    return [{"username": c.username, "client_id": c.client_id, "scopes": c.scope.split(),
             "granted_at": c.granted_at} for c in consents.list_for(user.username)]


def users_revoke_authorization(args: argparse.Namespace) -> Any:
    """Withdraw an approval: the consent page shows again, and the tokens it led to stop working (their
    grants are revoked, which every token check reads)."""
    from oauth_core.storage import grants, tokens

    user = _get_user(args.username)
    withdrawn = consents.delete(user.username, args.client_id)
    revoked = grants.active_for(user.username, args.client_id)
    if not withdrawn and not revoked:
        raise Refused(f"user {user.username!r} has no authorization for client {args.client_id!r}")
    for grant in revoked:  # every token check reads its grant's status: they stop working at once
        grants.revoke(grant.grant_id, "authorization withdrawn", now_ms() // 1000)
        tokens.delete_for_grant(grant.grant_id)
    return {"username": user.username, "client_id": args.client_id, "consent_withdrawn": withdrawn,
            "grants_revoked": len(revoked)}


# -- scopes ------------------------------------------------------------------------------------------
def _scope_description(args: argparse.Namespace) -> scope_descriptions.ScopeDescription:
    (scope,) = registration.scope_list([args.scope])
    description = " ".join(args.description.split())
    if not description or len(description) > 200:
        raise Refused("--description must be 1 to 200 characters")
    return scope_descriptions.ScopeDescription(scope, description)


def scopes_create(args: argparse.Namespace) -> Any:
    entry = _scope_description(args)
    try:
        scope_descriptions.create(entry)
    except scope_descriptions.AlreadyExists:
        raise Refused(f"scope {entry.scope!r} already has a description (use update)") from None
    return dataclasses.asdict(entry)


def scopes_update(args: argparse.Namespace) -> Any:
    entry = _scope_description(args)
    try:
        scope_descriptions.save(entry)
    except scope_descriptions.NotFound:
        raise Refused(f"scope {entry.scope!r} has no description (use create)") from None
    return dataclasses.asdict(entry)


def scopes_delete(args: argparse.Namespace) -> Any:
    try:
        scope_descriptions.delete(args.scope)
    except scope_descriptions.NotFound:
        raise Refused(f"scope {args.scope!r} has no description") from None
    return {"scope": args.scope, "deleted": True}


# -- tokens ------------------------------------------------------------------------------------------
def tokens_revoke(args: argparse.Namespace) -> Any:
    """Every token issued so far stops working: the checks compare its issue time with this mark."""
    if args.client_id is not None:
        client = _get_client(args.client_id)
        mark = _revoked_now(client.tokens_valid_after)
        clients.save(dataclasses.replace(client, tokens_valid_after=mark))
        return {"client_id": args.client_id, "tokens_revoked_before": mark}
    user = _get_user(args.username)
    mark = _revoked_now(user.tokens_valid_after)
    users.save(dataclasses.replace(user, tokens_valid_after=mark))
    return {"username": args.username, "tokens_revoked_before": mark}


def _audit(args: argparse.Namespace, result: Any) -> None:
    """An ``admin`` security event (on stderr) for each change: who ran what on which client or user."""
    if args.cmd in ("list", "show", "authorizations"):
        return
    target = result if isinstance(result, dict) else {}
    try:
        actor = getpass.getuser()
    except (OSError, KeyError):
        actor = "unknown"
    audit.event("admin", "success", user=target.get("username"), client_id=target.get("client_id"),
                reason=f"oauthctl {args.group} {args.cmd}", actor=actor, stack=args.stack)


# -- command line ------------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="oauthctl", description=__doc__.split("\n\n")[0])
    root.add_argument("--stack", default=os.environ.get("OAUTHCTL_STACK", "oauth-server"),
                      help="stack name: tables are {stack}-clients, ... (default $OAUTHCTL_STACK or oauth-server)")
    root.add_argument("--region", help="AWS region (default: the usual AWS environment)")
    root.add_argument("--output", choices=("json", "table"), default="json")
    groups = root.add_subparsers(dest="group", required=True)

    c = groups.add_parser("clients", help="registered client applications").add_subparsers(dest="cmd", required=True)

    def client_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--name")
        p.add_argument("--grant-type", action="append", default=[], metavar="G")
        p.add_argument("--redirect-uri", action="append", default=[], metavar="URI")
        p.add_argument("--post-logout-redirect-uri", action="append", default=[], metavar="URI",
                       help="where /oauth/logout may send the browser back to (repeatable; replaces the list)")
        p.add_argument("--scope", action="append", default=[], metavar="S")
        p.add_argument("--access-token-ttl", type=int, metavar="SECONDS")
        p.add_argument("--refresh-token-ttl", type=int, metavar="SECONDS")
        p.add_argument("--certificate", action="append", default=[], metavar="PEM_FILE",
                       help="X.509 certificate for the JWT bearer grant (repeatable, to roll keys)")
        p.add_argument("--allow-pkce-plain", action=argparse.BooleanOptionalAction, default=None,
                       help="accept PKCE code_challenge_method=plain (S256 is always accepted; default: no)")
        p.add_argument("--tokeninfo-query", action=argparse.BooleanOptionalAction, default=None,
                       help="tokeninfo accepts this client's tokens in the query string (default: yes; "
                            "--no-tokeninfo-query allows the Authorization header only)")
        p.add_argument("--jwt-subject", action="append", default=[], metavar="USERNAME",
                       help="a user this client's JWT assertions may name in sub (repeatable; replaces the list)")
        p.add_argument("--no-jwt-subjects", action="store_true",
                       help="clear the list: the client's assertions may name no user")
        p.add_argument("--jwt-any-subject", action=argparse.BooleanOptionalAction, default=None,
                       help="a trusted backend: its assertions may name any user in sub (default: no)")
        p.add_argument("--require-pkce", action=argparse.BooleanOptionalAction, default=None,
                       help="the code flow needs a PKCE S256 challenge, also for a confidential client")
        p.add_argument("--require-jti", action=argparse.BooleanOptionalAction, default=None,
                       help="JWT assertions without jti are refused (each assertion usable once)")
        p.add_argument("--grant-max-lifetime", type=int, metavar="SECONDS",
                       help="how long a grant may live in all, refreshes included (default: GrantMaxLifetime)")
        p.add_argument("--refresh-reuse-window", type=int, metavar="SECONDS",
                       help="retry window of a rotated refresh token, 0 off (default: RefreshTokenReuseWindow)")

    create = c.add_parser("create")
    create.add_argument("--client-id", required=True)
    create.add_argument("--public", action="store_true", help="no secret (native and browser apps)")
    client_options(create)
    create.set_defaults(run=clients_create)
    c.add_parser("list").set_defaults(run=lambda a: [client_view(x) for x in clients.list_all()])
    for name, run in (("show", lambda a: client_view(_get_client(a.id))), ("rotate-secret", clients_rotate_secret),
                      ("disable", lambda a: clients_set_disabled(a, True)),
                      ("enable", lambda a: clients_set_disabled(a, False))):
        p = c.add_parser(name)
        p.add_argument("id")
        p.set_defaults(run=run)
    update = c.add_parser("update")
    update.add_argument("id")
    client_options(update)
    update.set_defaults(run=clients_update)
    delete = c.add_parser("delete")
    delete.add_argument("id")
    delete.add_argument("--yes", action="store_true")
    delete.set_defaults(run=clients_delete)

    u = groups.add_parser("users", help="resource owners").add_subparsers(dest="cmd", required=True)
    p = u.add_parser("create")
    p.add_argument("--username", required=True)
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(run=users_create)
    u.add_parser("list").set_defaults(run=lambda a: [user_view(x) for x in users.list_all()])
    for name, run in (("show", lambda a: user_view(_get_user(a.username))),
                      ("disable", lambda a: users_set_disabled(a, True)),
                      ("enable", lambda a: users_set_disabled(a, False))):
        p = u.add_parser(name)
        p.add_argument("username")
        p.set_defaults(run=run)
    p = u.add_parser("set-password")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true")
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

    sc = groups.add_parser("scopes", help="what scopes mean to users (shown on the consent page)").add_subparsers(
        dest="cmd", required=True)
    for name, run in (("create", scopes_create), ("update", scopes_update)):
        p = sc.add_parser(name)
        p.add_argument("--scope", required=True)
        p.add_argument("--description", required=True)
        p.set_defaults(run=run)
    sc.add_parser("list").set_defaults(run=lambda a: [dataclasses.asdict(e) for e in scope_descriptions.list_all()])
    p = sc.add_parser("delete")
    p.add_argument("--scope", required=True)
    p.set_defaults(run=scopes_delete)

    t = groups.add_parser("tokens", help="issued tokens").add_subparsers(dest="cmd", required=True)
    p = t.add_parser("revoke", help="revoke every live token of a client or of a user")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--client-id")
    who.add_argument("--username")
    p.set_defaults(run=tokens_revoke)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    for table in TABLES:
        os.environ[f"{table.upper()}_TABLE"] = f"{args.stack}-{table}"
    if args.region:
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = args.region
    elif os.environ.get("AWS_REGION") and not os.environ.get("AWS_DEFAULT_REGION"):
        os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"]  # botocore reads only the latter
    from botocore.exceptions import BotoCoreError, ClientError

    from oauth_core.errors import TemporarilyUnavailable
    from oauth_core.storage.failures import StorageRejected

    try:
        result = args.run(args)
        _audit(args, result)
        emit(result, args.output)
    except (Refused, registration.Invalid, clients.NotFound, users.NotFound) as exc:
        message = str(exc) if not isinstance(exc, (clients.NotFound, users.NotFound)) else f"no such item: {exc}"
        print(f"oauthctl: {message}", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError, TemporarilyUnavailable, StorageRejected) as exc:
        detail = exc.response["Error"].get("Message", "") if isinstance(exc, ClientError) else str(exc)
        print(f"oauthctl: AWS refused the request: {detail or type(exc).__name__} (stack {args.stack!r})",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
