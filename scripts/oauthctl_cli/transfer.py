"""``oauthctl export`` and ``oauthctl import``: clients, users and scope descriptions as JSON lines, to
move them between stacks or in from another server (Keycloak's users, or hashes in formats we verify)."""

from __future__ import annotations

import base64
import dataclasses
import json
import sys
import time
from typing import TYPE_CHECKING, Any

from oauth_core import hashing, registration
from oauth_core.hashing import digest
from oauth_core.issuance import now_ms
from oauth_core.storage import clients, model, scope_descriptions, users

from .client_commands import check_consistent
from .output import Refused
from .scope_commands import scope_description

if TYPE_CHECKING:
    import argparse


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
    client = model.from_item(clients.Client, {
        **record, "client_id": registration.client_id(record["client_id"]),
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
    check_consistent(client)
    return dataclasses.replace(client, old_secret_hash=None, old_secret_expires_at=0, revision=0)


def _import_scope(record: dict[str, Any], dry_run: bool) -> str:
    entry = scope_description(str(record["scope"]), str(record["description"]))
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
    key = new.client_id if isinstance(new, clients.Client) else new.username
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


def add_commands(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``oauthctl export`` and ``oauthctl import`` commands."""
    p = groups.add_parser("export", help="clients and users (with their hashes) as JSON lines")
    p.add_argument("--file", default="-", help="where to write (default: standard output)")
    p.set_defaults(run=export, cmd="")
    p = groups.add_parser("import", help="clients and users from JSON lines (ours, Keycloak's users, or any "
                                         "system's with bcrypt, PBKDF2, scrypt or Argon2 hashes)")
    p.add_argument("file", nargs="?", default="-", help="JSON lines (default: standard input)")
    p.add_argument("--dry-run", action="store_true", help="check every record and say what would change")
    p.set_defaults(run=import_, cmd="")
