"""Scope parsing and checks (RFC 6749 §3.3)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from oauth_core import bounds
from oauth_core.errors import InvalidScope

if TYPE_CHECKING:
    from collections.abc import Collection

_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def parse(raw: str | None) -> tuple[str, ...] | None:
    """Space-delimited scope tokens, deduplicated in order; None when the parameter was absent."""
    if raw is None:
        return None
    if len(raw) > bounds.SCOPE_MAX_BYTES:  # scope tokens are ASCII: characters are bytes
        raise InvalidScope(f"scope is longer than {bounds.SCOPE_MAX_BYTES} characters")
    parts: list[str] = []
    for part in raw.split(" "):
        if not part:
            continue
        if not _SCOPE_TOKEN.fullmatch(part):
            raise InvalidScope("scope contains characters RFC 6749 section 3.3 does not allow")
        if part not in parts:
            parts.append(part)
    return tuple(parts)


def resolve(raw: str | None, allowed: Collection[str]) -> str:
    """The granted scope: the requested one if every token is allowed, all allowed ones when omitted."""
    requested = parse(raw)
    if requested is None:
        return " ".join(sorted(allowed))
    refused = [s for s in requested if s not in allowed]
    if refused:
        raise InvalidScope(f"scope not allowed for this client: {' '.join(refused)[:200]}")
    return " ".join(requested)
