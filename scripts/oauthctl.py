"""oauthctl: manage the server's clients, users, tokens and scope descriptions in its DynamoDB tables.

Run through ``scripts/oauthctl``. Exit codes: 0 done, 1 not found / refused / invalid, 2 usage.
Secrets are printed once (create, rotate-secret) and stored only as hashes. Every change is a conditional
write of the record as read: a change someone else made meanwhile is never overwritten (re-read, re-applied).
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import getpass
import json
import os
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from oauth_core import audit, hashing, registration
from oauth_core.hashing import digest, hash_password, random_secret
from oauth_core.issuance import now_ms
from oauth_core.storage import clients, consents, dynamo, scope_descriptions, users

if TYPE_CHECKING:
    from collections.abc import Callable

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
        "web_origins": list(client.web_origins),
        "introspect_clients": sorted(client.introspect_clients),
        "introspect_any": client.introspect_any,
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


TABLE_WIDTH = 100
# The columns a listing shows as a table, in this order (JSON shows everything).
TABLE_COLUMNS = ("client_id", "username", "type", "id", "name", "public", "grant_types", "scopes", "scope",
                 "disabled", "created_at", "issued_at", "expires_at", "tokens_revoked_before", "deleted")
SHRINK_ORDER = ("scopes", "scope", "name", "grant_types", "id", "username", "client_id")
# Epoch values shown as ISO 8601 UTC in tables (seconds, or milliseconds for the *_after/_before marks).
TIME_FIELDS = ("created_at", "issued_at", "expires_at", "tokens_valid_after", "tokens_revoked_before",
               "old_secret_expires_at")
SHORT_GRANTS = {"authorization_code": "code", "client_credentials": "client", "refresh_token": "refresh",
                registration.JWT_BEARER: "jwt-bearer"}


def emit(data: Any, output: str) -> None:
    if output == "json":
        print(json.dumps(data, indent=2))
        return
    if isinstance(data, dict):  # one record: a field per line
        width = max(map(len, data), default=0)
        for key, value in data.items():
            print(_fit(f"{key.upper().ljust(width)}  {_cell(key, value)}", TABLE_WIDTH))
        return
    if not data:
        return
    columns = [c for c in TABLE_COLUMNS if any(c in row for row in data)] or list(data[0])
    cells = [[_cell(c, row.get(c)) for c in columns] for row in data]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    # Too wide: shorten the text columns, least telling first, to 10 characters at most (`show` has it all).
    for column in SHRINK_ORDER:
        excess = sum(widths) + 2 * (len(widths) - 1) - TABLE_WIDTH
        if excess > 0 and column in columns:
            i = columns.index(column)
            widths[i] = max(min(10, widths[i]), widths[i] - excess)
    print("  ".join(_fit(c.upper(), w).ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(_fit(v, w).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _cell(key: str, value: Any) -> str:
    if key in TIME_FIELDS and isinstance(value, int) and value > 0:
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, list):
        if key == "grant_types":
            value = [SHORT_GRANTS.get(v, v) for v in value]
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
    if args.no_post_logout_redirect_uris:
        fields["post_logout_redirect_uris"] = ()
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
    if args.no_web_origins:
        fields["web_origins"] = ()
    if args.web_origin:
        fields["web_origins"] = tuple(dict.fromkeys(registration.web_origin(o) for o in args.web_origin))
    if args.no_introspect:
        fields["introspect_clients"] = frozenset()
    if args.introspect:
        fields["introspect_clients"] = frozenset(registration.client_id(c) for c in args.introspect)
    if args.introspect_any is not None:
        fields["introspect_any"] = args.introspect_any
    return fields


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


def _check_consistent(client: clients.Client, before: clients.Client | None = None) -> None:
    """Refuse a registration that cannot work. An update is refused only for what it makes wrong: a client
    registered earlier with a gap (the local demo client: jwt-bearer, no certificate) can still be changed."""
    known = _inconsistencies(before) if before is not None else []
    new = [problem for problem in _inconsistencies(client) if problem not in known]
    if new:
        raise Refused(new[0])


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
                            tokens_valid_after_ms=now, **_client_fields(args))
    _check_consistent(client)
    try:
        clients.create(client)
    except clients.AlreadyExists:
        raise Refused(f"client {client.client_id!r} already exists (nothing was changed)") from None
    return {**client_view(client), "client_secret": secret}


def _change_client(client_id: str, change: Callable[[clients.Client], clients.Client]) -> clients.Client:
    """Apply ``change`` to the client as stored and save it only if nobody saved it meanwhile; when someone
    did, read it again and apply the change to their version (never lose either operator's update)."""
    for _ in range(5):
        try:
            return clients.save(change(_get_client(client_id)))
        except clients.Conflict:
            continue
    raise Refused(f"client {client_id!r} kept changing while this command ran; nothing was changed: run it again")


def _change_user(username: str, change: Callable[[users.User], users.User]) -> users.User:
    for _ in range(5):
        try:
            return users.save(change(_get_user(username)))
        except users.Conflict:
            continue
    raise Refused(f"user {username!r} kept changing while this command ran; nothing was changed: run it again")


def clients_update(args: argparse.Namespace) -> Any:
    fields = _client_fields(args)

    def change(client: clients.Client) -> clients.Client:
        updated = dataclasses.replace(client, **fields)
        _check_consistent(updated, before=client)
        return updated

    return client_view(_change_client(args.id, change))


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

    client = _change_client(args.id, change)
    return {"client_id": client.client_id, "client_secret": secret, "old_secret_expires_at": until or None}


def _revoked_now(mark: int) -> int:
    """The ``tokens_valid_after`` mark that revokes everything issued so far (it never moves back, so
    ``enable`` cannot bring earlier tokens back)."""
    return max(mark, now_ms())


def clients_set_disabled(args: argparse.Namespace, disabled: bool) -> Any:
    return client_view(_change_client(args.id, lambda client: dataclasses.replace(
        client, disabled=disabled,
        tokens_valid_after_ms=_revoked_now(client.tokens_valid_after_ms) if disabled
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


# -- users -------------------------------------------------------------------------------------------
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


def _get_user(username: str) -> users.User:
    user = users.get(username)
    if user is None:
        raise Refused(f"no user {username!r}")
    return user


def users_create(args: argparse.Namespace) -> Any:
    now = now_ms()
    username = registration.username(args.username)
    user = users.User(username, hash_password(_read_password(args, username)),
                      created_at=now // 1000, tokens_valid_after_ms=now)
    try:
        users.create(user)
    except users.AlreadyExists:
        raise Refused(f"user {user.username!r} already exists (nothing was changed)") from None
    return user_view(user)


def users_set_password(args: argparse.Namespace) -> Any:
    new_hash = hash_password(_read_password(args, _get_user(args.username).username))
    # A new password ends every session the old one opened: each token and grant of the user, at once.
    return user_view(_change_user(args.username, lambda user: dataclasses.replace(
        user, password_hash=new_hash, tokens_valid_after_ms=_revoked_now(user.tokens_valid_after_ms))))


def users_set_disabled(args: argparse.Namespace, disabled: bool) -> Any:
    return user_view(_change_user(args.username, lambda user: dataclasses.replace(
        user, disabled=disabled,
        tokens_valid_after_ms=_revoked_now(user.tokens_valid_after_ms) if disabled else user.tokens_valid_after_ms)))


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
def _scope_description(scope: str, description: str) -> scope_descriptions.ScopeDescription:
    (scope,) = registration.scope_list([scope])
    description = " ".join(description.split())
    if not description or len(description) > 200:
        raise Refused("the description must be 1 to 200 characters")
    return scope_descriptions.ScopeDescription(scope, description)


def scopes_create(args: argparse.Namespace) -> Any:
    entry = _scope_description(args.scope, args.description)
    try:
        scope_descriptions.create(entry)
    except scope_descriptions.AlreadyExists:
        raise Refused(f"scope {entry.scope!r} already has a description (use update)") from None
    return dataclasses.asdict(entry)


def scopes_update(args: argparse.Namespace) -> Any:
    entry = _scope_description(args.scope, args.description)
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
        client = _change_client(args.client_id, lambda c: dataclasses.replace(
            c, tokens_valid_after_ms=_revoked_now(c.tokens_valid_after_ms)))
        return {"client_id": args.client_id, "tokens_revoked_before": client.tokens_valid_after_ms}
    user = _change_user(args.username, lambda u: dataclasses.replace(
        u, tokens_valid_after_ms=_revoked_now(u.tokens_valid_after_ms)))
    return {"username": args.username, "tokens_revoked_before": user.tokens_valid_after_ms}


def tokens_list(args: argparse.Namespace) -> Any:
    """The active grants and tokens of a client or a user: what they are, never a token or its hash
    (``id`` is a grant id, or 12 hex digits of a token's storage key to tell tokens apart). Operators'
    scans of the grants and tokens tables (read capacity in proportion to the tables' size)."""
    from oauth_core.config import settings
    from oauth_core.storage import grants, tokens

    field, value = ("client_id", args.client_id) if args.client_id is not None else ("username", args.username)
    (_get_client if field == "client_id" else _get_user)(value)
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


# -- export / import ---------------------------------------------------------------------------------
# JSON lines, one record each: {"type": "client", ...the clients table's item} or {"type": "user", ...}.
# Hashes travel, secrets never exist in clear: an export is as sensitive as a backup of the tables.
# Scope descriptions (issue 16's `oauthctl scopes`) plug in here: an exporter and an importer for "scope".
NOT_EXPORTED = ("revision",)  # each store counts its own


def _exported() -> Any:
    for kind, records in (("client", clients.list_all), ("user", users.list_all),
                          ("scope", scope_descriptions.list_all)):
        for record in records():
            item = {k: v for k, v in record.to_item().items() if k not in NOT_EXPORTED and v is not None}
            yield {"type": kind, **item}


def export(args: argparse.Namespace) -> Any:
    out = open(args.file, "w", encoding="utf-8") if args.file != "-" else sys.stdout  # noqa: SIM115
    counts: dict[str, int] = {}
    try:
        for record in _exported():
            out.write(json.dumps(record, sort_keys=True) + "\n")
            counts[record["type"]] = counts.get(record["type"], 0) + 1
            if sum(counts.values()) % 100 == 0:
                _progress(f"exported {_counted(counts)}")
    finally:
        if out is not sys.stdout:
            out.close()
    _progress(f"exported {_counted(counts) or 'nothing'}")
    return None


def _progress(message: str) -> None:
    print(f"oauthctl: {message}", file=sys.stderr, flush=True)


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}s" for kind, n in sorted(counts.items()))


def _keycloak_hash(credential: dict[str, Any]) -> str:
    """A Keycloak password credential (realm export: secretData and credentialData, JSON in strings) as a
    hash string ``hashing`` verifies: PBKDF2 (pbkdf2, pbkdf2-sha256, pbkdf2-sha512) or Argon2."""
    secret = credential["secretData"]
    data = credential["credentialData"]
    secret = json.loads(secret) if isinstance(secret, str) else secret
    data = json.loads(data) if isinstance(data, str) else data
    algorithm, iterations = data["algorithm"], int(data["hashIterations"])
    if algorithm in ("pbkdf2", "pbkdf2-sha256", "pbkdf2-sha512"):
        digest_name = {"pbkdf2": "sha1"}.get(algorithm, algorithm[7:])
        return f"pbkdf2-{digest_name}${iterations}${secret['salt']}${secret['value']}"
    if algorithm == "argon2":
        extra = {k: v[0] if isinstance(v, list) else v for k, v in data.get("additionalParameters", {}).items()}
        nopad = [base64.b64encode(base64.b64decode(secret[k])).decode().rstrip("=") for k in ("salt", "value")]
        version = {"1.3": 19, "1.0": 16}[str(extra.get("version", "1.3"))]
        return (f"$argon2{extra.get('type', 'id')}$v={version}$m={int(extra.get('memory', 7168))},t={iterations},"
                f"p={int(extra.get('parallelism', 1))}${nopad[0]}${nopad[1]}")
    raise registration.Invalid(f"Keycloak hash algorithm {algorithm!r} is not supported")


def _imported_user(record: dict[str, Any]) -> users.User:
    """Our own export, or a Keycloak user (``enabled``, ``createdTimestamp``, ``credentials``), or any
    system's user with ``password_hash`` in a format ``hashing`` verifies; none: no password yet."""
    password_hash = record.get("password_hash") or ""
    for credential in record.get("credentials", ()):
        if credential.get("type") == "password":
            password_hash = _keycloak_hash(credential)
    if password_hash and hashing.scheme(password_hash) is None:
        raise registration.Invalid("password_hash is in no format this server verifies (bcrypt, PBKDF2, scrypt, "
                                   "Argon2)")
    created = record.get("created_at") or int(record.get("createdTimestamp", 0)) // 1000 or int(time.time())
    return users.User(registration.username(record["username"]), password_hash,
                      disabled=bool(record.get("disabled", not record.get("enabled", True))), created_at=int(created),
                      tokens_valid_after_ms=int(record.get("tokens_valid_after", 0)))


def _imported_client(record: dict[str, Any]) -> clients.Client:
    """Our own export, or another server's client: ``client_secret`` in clear (as Keycloak keeps them)
    is stored as its digest, like every secret here."""
    secret = record.get("client_secret")
    client = clients.from_item({**record, "client_id": registration.client_id(record["client_id"]),
                                "created_at": record.get("created_at") or int(time.time()),
                                **({"secret_hash": digest(secret)} if secret else {})})
    registration.grant_types(sorted(client.grant_types))
    for uri in (*client.redirect_uris, *client.post_logout_redirect_uris):
        registration.redirect_uri(uri)
    client = dataclasses.replace(client, web_origins=tuple(registration.web_origin(o) for o in client.web_origins))
    for other in client.introspect_clients:
        registration.client_id(other)
    if client.scopes:
        registration.scope_list(sorted(client.scopes))
    for pem in client.certificates:
        registration.certificate(pem)
    _check_consistent(client)
    return dataclasses.replace(client, old_secret_hash=None, old_secret_expires_at=0, revision=0)


def _import_scope(record: dict[str, Any], dry_run: bool) -> str:
    entry = _scope_description(str(record["scope"]), str(record["description"]))
    current = scope_descriptions.describe([entry.scope]).get(entry.scope)
    if current == entry.description:
        return "unchanged"
    if not dry_run:
        try:
            scope_descriptions.create(entry) if current is None else scope_descriptions.save(entry)
        except (scope_descriptions.AlreadyExists, scope_descriptions.NotFound):
            raise Refused(f"scope {entry.scope!r} changed while it was imported") from None
    return "created" if current is None else "updated"


def _import_one(kind: str, record: dict[str, Any], dry_run: bool) -> str:
    """``created``, ``updated`` or ``unchanged``: importing the same file twice changes nothing."""
    if kind == "scope":
        return _import_scope(record, dry_run)
    store, new = (clients, _imported_client(record)) if kind == "client" else (users, _imported_user(record))
    key = new.client_id if kind == "client" else new.username
    for _ in range(5):
        current = store.get(key)
        if current is None:
            if not dry_run:
                try:
                    # Tokens issued before under this name (a deleted namesake's, or revoked ones in a
                    # backup) never work again: the revocation mark never moves back.
                    store.create(dataclasses.replace(new, tokens_valid_after_ms=max(new.tokens_valid_after_ms,
                                                                                    now_ms())))
                except store.AlreadyExists:
                    continue
            return "created"
        kept = {"created_at": current.created_at, "revision": current.revision,
                "tokens_valid_after_ms": max(current.tokens_valid_after_ms, new.tokens_valid_after_ms)}
        if kind == "client":  # a rotation's overlap in progress keeps its old secret until its end
            kept.update(old_secret_hash=current.old_secret_hash, old_secret_expires_at=current.old_secret_expires_at)
        wanted = dataclasses.replace(new, **kept)
        if wanted == current:
            return "unchanged"
        if not dry_run:
            try:
                store.save(wanted)
            except (store.Conflict, store.NotFound):
                continue
        return "updated"
    raise Refused(f"{kind} {key!r} kept changing while it was imported")


IMPORTERS = {"client": "client", "user": "user", "scope": "scope"}


def import_(args: argparse.Namespace) -> Any:
    source = open(args.file, encoding="utf-8") if args.file != "-" else sys.stdin  # noqa: SIM115
    if args.file == "-" and sys.stdin.isatty():
        raise Refused("give a file of JSON lines, or pipe them in")
    counts: dict[str, int] = {}
    refused = []
    verb = "would be " if args.dry_run else ""
    with source:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                kind = record.get("type") if isinstance(record, dict) else None
                if kind not in IMPORTERS:
                    raise registration.Invalid(f"type must be one of {sorted(IMPORTERS)}")
                outcome = _import_one(kind, record, args.dry_run)
            except (ValueError, KeyError, TypeError, Refused, registration.Invalid) as exc:
                detail = f"missing {exc}" if isinstance(exc, KeyError) else f"not JSON ({exc.msg})" \
                    if isinstance(exc, json.JSONDecodeError) else str(exc)
                refused.append(f"line {number}: {detail}")
                _progress(f"line {number} refused: {detail}")
                outcome = "refused"
            counts[outcome] = counts.get(outcome, 0) + 1
            if number % 100 == 0:
                _progress(f"{number} lines read")
    summary = {outcome: n for outcome, n in sorted(counts.items())}
    _progress(f"import{' (dry run: nothing written)' if args.dry_run else ''}: "
              + (", ".join(f"{n} {verb if o != 'refused' else ''}{o}" for o, n in summary.items()) or "nothing"))
    if refused:
        raise Refused(f"{len(refused)} record(s) refused, the others imported: {refused[0]}"
                      if not args.dry_run else f"{len(refused)} record(s) would be refused: {refused[0]}")
    return {"dry_run": args.dry_run, **summary}


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
                reason=f"oauthctl {args.group} {args.cmd}".rstrip(), actor=actor, stack=args.stack)


# -- command line ------------------------------------------------------------------------------------
def global_options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Options every command takes, before or after the command's own words (``main`` reads them first)."""
    p.add_argument("--stack", default=os.environ.get("OAUTHCTL_STACK", "oauth-server"),
                   help="stack name: tables are {stack}-clients, ... (default $OAUTHCTL_STACK or oauth-server)")
    p.add_argument("--region", help="AWS region (default: the usual AWS environment)")
    p.add_argument("--output", choices=("json", "table"), default="json",
                   help="json (default, for scripts) or table (for people: 100 columns, ISO times)")
    return p


# One example per command, shown by its --help (tests/cli checks that every command has one).
EXAMPLES = {
    "clients create": "oauthctl clients create --client-id web --grant-type authorization_code \\\n"
                      "      --redirect-uri https://app.example/cb --scope read",
    "clients list": "oauthctl clients list --output table",
    "clients show": "oauthctl clients show web",
    "clients update": "oauthctl clients update web --no-tokeninfo-query --access-token-ttl 900",
    "clients rotate-secret": "oauthctl clients rotate-secret web --keep-old-for 86400   # both valid for a day",
    "clients disable": "oauthctl clients disable web   # its tokens stop working within ClientCacheSeconds",
    "clients enable": "oauthctl clients enable web",
    "clients delete": "oauthctl clients delete web --yes",
    "users create": "oauthctl users create --username alice   # asks for the password (no echo)\n"
                    "  printf '%s\\n' \"$PW\" | oauthctl users create --username alice --password-stdin",
    "users list": "oauthctl users list --output table",
    "users show": "oauthctl users show alice",
    "users set-password": "oauthctl users set-password alice   # signs alice out everywhere",
    "users disable": "oauthctl users disable alice",
    "users enable": "oauthctl users enable alice",
    "users delete": "oauthctl users delete alice --yes",
    "users authorizations": "oauthctl users authorizations alice --output table",
    "users revoke-authorization": "oauthctl users revoke-authorization alice web   # asks for consent again",
    "scopes create": "oauthctl scopes create --scope orders:read --description \"Read your orders\"",
    "scopes list": "oauthctl scopes list --output table",
    "scopes update": "oauthctl scopes update --scope orders:read --description \"See your orders\"",
    "scopes delete": "oauthctl scopes delete --scope orders:read   # the consent page shows the raw name",
    "tokens list": "oauthctl tokens list --username alice --output table",
    "tokens revoke": "oauthctl tokens revoke --client-id web",
    "export": "oauthctl export --stack old-stack > backup.jsonl",
    "import": "oauthctl import backup.jsonl --stack new-stack --dry-run",
}


def _with_examples(p: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> None:
    """Each command's --help ends with its example and the global options (taken anywhere)."""
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                _with_examples(sub, (*words, name))
            return
    if words:
        p.formatter_class = argparse.RawDescriptionHelpFormatter
        p.epilog = (f"example:\n  {EXAMPLES.get(' '.join(words), '(none yet)')}\n\n"
                    "global options, anywhere on the line: --stack NAME, --region REGION, --output json|table")


def parser() -> argparse.ArgumentParser:
    root = global_options(argparse.ArgumentParser(prog="oauthctl", description=__doc__.split("\n\n")[0]))
    groups = root.add_subparsers(dest="group", required=True)

    c = groups.add_parser("clients", help="registered client applications").add_subparsers(dest="cmd", required=True)

    def client_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--name")
        p.add_argument("--grant-type", action="append", default=[], metavar="G")
        p.add_argument("--redirect-uri", action="append", default=[], metavar="URI")
        p.add_argument("--post-logout-redirect-uri", action="append", default=[], metavar="URI",
                       help="where /oauth/logout may send the browser back to (repeatable; replaces the list)")
        p.add_argument("--no-post-logout-redirect-uris", action="store_true",
                       help="clear the list: logout ends on its own page")
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
        p.add_argument("--web-origin", action="append", default=[], metavar="ORIGIN",
                       help="a browser origin (https://app.example.com) whose pages may call the token, revoke, "
                            "introspect and tokeninfo endpoints for this client (CORS; repeatable; replaces the list)")
        p.add_argument("--no-web-origins", action="store_true", help="clear the list: no browser origin")
        p.add_argument("--introspect", action="append", default=[], metavar="CLIENT_ID",
                       help="a client whose tokens this client may introspect, besides its own (repeatable; "
                            "replaces the list)")
        p.add_argument("--no-introspect", action="store_true",
                       help="clear the list: the client may introspect only its own tokens")
        p.add_argument("--introspect-any", action=argparse.BooleanOptionalAction, default=None,
                       help="a resource server that may introspect every client's tokens (default: no)")

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
        if name == "rotate-secret":
            p.add_argument("--keep-old-for", type=int, metavar="SECONDS",
                           help="the current secret stays valid this long too (default 0: it stops at once)")
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
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input "
                   "(default: ask at the terminal, without echo)")
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
    p = t.add_parser("list", help="the active grants and tokens of a client or of a user (never a token)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--client-id")
    who.add_argument("--username")
    p.set_defaults(run=tokens_list)

    p = groups.add_parser("export", help="clients and users (with their hashes) as JSON lines")
    p.add_argument("--file", default="-", help="where to write (default: standard output)")
    p.set_defaults(run=export, cmd="")
    p = groups.add_parser("import", help="clients and users from JSON lines (ours, Keycloak's users, or any "
                                         "system's with bcrypt, PBKDF2, scrypt or Argon2 hashes)")
    p.add_argument("file", nargs="?", default="-", help="JSON lines (default: standard input)")
    p.add_argument("--dry-run", action="store_true", help="check every record and say what would change")
    p.set_defaults(run=import_, cmd="")
    _with_examples(root)
    return root


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Global options anywhere: taken out first (exact names only), the rest parsed as the command.
    options, rest = global_options(argparse.ArgumentParser(add_help=False, allow_abbrev=False)).parse_known_args(argv)
    args = parser().parse_args(rest)
    args.stack, args.region, args.output = options.stack, options.region, options.output
    for table in TABLES:
        os.environ[f"{table.upper()}_TABLE"] = f"{args.stack}-{table}"
    if args.region:
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = args.region
    elif os.environ.get("AWS_REGION") and not os.environ.get("AWS_DEFAULT_REGION"):
        os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"]  # botocore reads only the latter
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

    from oauth_core import observability
    from oauth_core.errors import TemporarilyUnavailable
    from oauth_core.storage.failures import StorageRejected

    observability.logger.setLevel("ERROR")  # the storage layer's warnings: this command says what went wrong
    try:
        result = args.run(args)
        _audit(args, result)
        if result is not None:
            emit(result, args.output)
    except (Refused, registration.Invalid, clients.NotFound, users.NotFound) as exc:
        message = str(exc) if not isinstance(exc, (clients.NotFound, users.NotFound)) else f"no such item: {exc}"
        print(f"oauthctl: {message}", file=sys.stderr)
        return 1
    except (NoCredentialsError, PartialCredentialsError):
        print("oauthctl: no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
              "(for the local stack: the exports `make run` prints)", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError, TemporarilyUnavailable, StorageRejected) as exc:
        print(f"oauthctl: {_aws_problem(exc, args.stack)}", file=sys.stderr)
        return 1
    return 0


def _aws_problem(exc: Exception, stack: str) -> str:
    """What went wrong talking to DynamoDB, in words that say what to check."""
    from botocore.exceptions import ClientError

    region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "(none set)"
    endpoint = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL") \
        or f"DynamoDB in region {region}"
    cause = getattr(exc.__cause__, "code", "") or ""
    if cause.endswith(("ConnectionError", "ConnectTimeoutError", "ReadTimeoutError")):
        return (f"cannot reach {endpoint} ({cause}): is the local stack (make run) or the network up, "
                "and AWS_ENDPOINT_URL_DYNAMODB / --region right?")
    if cause:
        return f"DynamoDB stayed unavailable ({cause}) after retries: try again in a minute"
    detail = exc.response["Error"].get("Message", "") if isinstance(exc, ClientError) else str(exc)
    if "ResourceNotFoundException" in detail or "resource not found" in detail.lower():
        return (f"the tables of stack {stack!r} ({stack}-clients, ...) do not exist at {endpoint}: check --stack "
                "(or $OAUTHCTL_STACK) and --region")
    if "UnrecognizedClient" in detail or "security token" in detail.lower() or "AccessDenied" in detail:
        return f"AWS refused these credentials: {detail}"
    return f"AWS refused the request: {detail or type(exc).__name__} (stack {stack!r})"


if __name__ == "__main__":
    sys.exit(main())
