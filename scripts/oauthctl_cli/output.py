"""What oauthctl prints: views of clients and users (never a secret), JSON for scripts or a table for
people, and ``Refused``, a command's refusal (exit 1 with its message)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from oauth_core import registration
from oauth_core.grants import SHORT_NAMES as SHORT_GRANTS

if TYPE_CHECKING:
    from oauth_core.storage import clients, users


class Refused(Exception):
    """Exit 1 with this message."""


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
