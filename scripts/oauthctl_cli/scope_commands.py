"""``oauthctl scopes``: what each scope means to users, shown on the consent page."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from oauth_core import registration
from oauth_core.storage import scope_descriptions

from .output import Refused

if TYPE_CHECKING:
    import argparse


def scope_description(scope: str, description: str) -> scope_descriptions.ScopeDescription:
    (scope,) = registration.scope_list([scope])
    description = " ".join(description.split())
    if not description or len(description) > 200:
        raise Refused("the description must be 1 to 200 characters")
    return scope_descriptions.ScopeDescription(scope, description)


def scopes_create(args: argparse.Namespace) -> Any:
    entry = scope_description(args.scope, args.description)
    try:
        scope_descriptions.create(entry)
    except scope_descriptions.AlreadyExists:
        raise Refused(f"scope {entry.scope!r} already has a description (use update)") from None
    return dataclasses.asdict(entry)


def scopes_update(args: argparse.Namespace) -> Any:
    entry = scope_description(args.scope, args.description)
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


def add_commands(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``oauthctl scopes ...`` commands."""
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
