"""The options that describe a client (``clients create`` and ``clients update``): declared for argparse
and read back, validated, as Client fields."""

from __future__ import annotations

import argparse
from typing import Any

from oauth_core import registration

from .output import Refused


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


def client_fields(args: argparse.Namespace) -> dict[str, Any]:
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


def add_client_options(p: argparse.ArgumentParser) -> None:
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
