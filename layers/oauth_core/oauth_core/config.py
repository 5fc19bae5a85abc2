"""Settings read once from environment variables.

The variable names below are the only place the code names them; their values are set in
template.yaml (and the local stack reads them from there).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    clients_table: str
    users_table: str
    tokens_table: str
    grants_table: str
    codes_table: str
    access_token_ttl: int
    refresh_token_ttl: int
    max_body_bytes: int
    token_audiences: tuple[str, ...]
    assertion_max_lifetime: int
    clock_skew: int


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return value


@functools.cache
def settings() -> Settings:
    """Build the settings on first use; tests call ``settings.cache_clear()`` after changing the env."""
    return Settings(
        clients_table=os.environ.get("CLIENTS_TABLE", "oauth-server-clients"),
        users_table=os.environ.get("USERS_TABLE", "oauth-server-users"),
        tokens_table=os.environ.get("TOKENS_TABLE", "oauth-server-tokens"),
        grants_table=os.environ.get("GRANTS_TABLE", "oauth-server-grants"),
        codes_table=os.environ.get("CODES_TABLE", "oauth-server-codes"),
        access_token_ttl=_int("ACCESS_TOKEN_TTL", 3600),
        refresh_token_ttl=_int("REFRESH_TOKEN_TTL", 14 * 24 * 3600),
        max_body_bytes=_int("MAX_BODY_BYTES", 16 * 1024),
        token_audiences=tuple(a.strip() for a in os.environ.get("TOKEN_AUDIENCES", "").split(",") if a.strip()),
        assertion_max_lifetime=_int("ASSERTION_MAX_LIFETIME", 300),
        clock_skew=_int("CLOCK_SKEW", 60, minimum=0),
    )
