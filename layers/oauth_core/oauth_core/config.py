"""Settings read once from environment variables.

The variable names below are the only place the code names them; their values are set in
template.yaml (and the local stack reads them from there). oauthctl installs the settings of the stack
it manages instead (``for_stack``, ``installed``).
"""

from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@dataclass(frozen=True)
class Settings:
    clients_table: str
    users_table: str
    tokens_table: str
    grants_table: str
    codes_table: str
    sessions_table: str
    attempts_table: str
    consents_table: str
    scopes_table: str
    access_token_ttl: int
    refresh_token_ttl: int
    grant_max_lifetime: int
    refresh_reuse_window: int
    dynamodb_read_timeout: float
    client_cache_seconds: int
    max_body_bytes: int
    token_audiences: tuple[str, ...]
    assertion_max_lifetime: int
    clock_skew: int
    authorization_code_ttl: int
    login_timeout: int
    session_idle_timeout: int
    session_max_lifetime: int
    service_name: str
    logo_url: str
    accent_color: str
    failed_login_limit: int
    failed_login_window: int
    failed_login_address_limit: int
    failed_login_user_limit: int
    secure_cookies: bool
    realm: str
    protected_scope: str
    bearer_in_form: bool
    bearer_in_query: bool
    resource_allowed_clients: frozenset[str]
    resource_user_tokens_only: bool
    token_ref_key: str = field(repr=False)  # a secret: never in a log line
    issuer: str = ""  # RFC 8414 issuer URL; empty: the API's own URL as API Gateway saw it (issuer.py)
    region: str = ""  # the DynamoDB client's region; empty: boto3's own lookup (only oauthctl's --region sets it)


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    return default if not raw else raw in ("1", "true", "yes", "on")


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return value


_installed: Callable[[], Settings] | None = None


@functools.cache
def settings() -> Settings:
    """Build the settings on first use: the installed ones (``installed``), else the environment's; tests call
    ``settings.cache_clear()`` after changing the env."""
    return _installed() if _installed is not None else from_environment()


@contextlib.contextmanager
def installed(build: Callable[[], Settings]) -> Iterator[None]:
    """Within the block, ``settings()`` returns what ``build`` makes (on first use): explicit settings for the
    process, never written to ``os.environ``."""
    global _installed
    previous, _installed = _installed, build
    settings.cache_clear()
    try:
        yield
    finally:
        _installed = previous
        settings.cache_clear()


def for_stack(stack: str, region: str = "") -> Settings:
    """The environment's settings with every table named as the template names them, ``{stack}-{name}``; the
    tables are found from the fields, so a table added to Settings cannot be missed."""
    tables: dict[str, Any] = {f.name: f"{stack}-{f.name.removesuffix('_table')}" for f in fields(Settings)
                              if f.name.endswith("_table")}
    return replace(from_environment(), region=region, **tables)


def from_environment() -> Settings:
    """The settings as the template's environment variables set them."""
    return Settings(
        clients_table=os.environ.get("CLIENTS_TABLE", "oauth-server-clients"),
        users_table=os.environ.get("USERS_TABLE", "oauth-server-users"),
        tokens_table=os.environ.get("TOKENS_TABLE", "oauth-server-tokens"),
        grants_table=os.environ.get("GRANTS_TABLE", "oauth-server-grants"),
        codes_table=os.environ.get("CODES_TABLE", "oauth-server-codes"),
        sessions_table=os.environ.get("SESSIONS_TABLE", "oauth-server-sessions"),
        attempts_table=os.environ.get("ATTEMPTS_TABLE", "oauth-server-attempts"),
        consents_table=os.environ.get("CONSENTS_TABLE", "oauth-server-consents"),
        scopes_table=os.environ.get("SCOPES_TABLE", "oauth-server-scopes"),
        access_token_ttl=_int("ACCESS_TOKEN_TTL", 3600),
        refresh_token_ttl=_int("REFRESH_TOKEN_TTL", 14 * 24 * 3600),
        # A grant's absolute lifetime: refreshing keeps a chain alive only this long (RFC 9700 §4.14.2).
        grant_max_lifetime=_int("GRANT_MAX_LIFETIME", 30 * 24 * 3600),
        # Seconds a rotated refresh token may be presented again by its client (a lost answer); 0: never.
        refresh_reuse_window=min(_int("REFRESH_REUSE_WINDOW", 0, minimum=0), 300),
        # DynamoDB answers in milliseconds; only the local stack (moto behind one lock) needs longer.
        dynamodb_read_timeout=max(0.1, float(os.environ.get("DYNAMODB_READ_TIMEOUT", "").strip() or 2.0)),
        # How stale a container's copy of a client may be (storage/client_cache.py); 0: never kept.
        client_cache_seconds=min(_int("CLIENT_CACHE_SECONDS", 5, minimum=0), 60),
        max_body_bytes=_int("MAX_BODY_BYTES", 16 * 1024),
        token_audiences=tuple(a.strip() for a in os.environ.get("TOKEN_AUDIENCES", "").split(",") if a.strip()),
        assertion_max_lifetime=_int("ASSERTION_MAX_LIFETIME", 300),
        clock_skew=_int("CLOCK_SKEW", 60, minimum=0),
        # RFC 6749 §4.1.2: codes live at most 10 minutes; an operator may only shorten that.
        authorization_code_ttl=min(_int("AUTHORIZATION_CODE_TTL", 600), 600),
        login_timeout=_int("LOGIN_TIMEOUT", 600),
        # The browser's sign-in session: ends after this long unused, and this long after the sign-in in any case.
        session_idle_timeout=_int("SESSION_IDLE_TIMEOUT", 3600),
        session_max_lifetime=_int("SESSION_MAX_LIFETIME", 7 * 24 * 3600),
        # Branding of the pages; the logo is an https URL or a data:image URI (allowed by the pages' CSP).
        service_name=os.environ.get("SERVICE_NAME", "").strip(),
        logo_url=os.environ.get("LOGO_URL", "").strip(),
        accent_color=os.environ.get("ACCENT_COLOR", "").strip(),
        failed_login_limit=_int("FAILED_LOGIN_LIMIT", 5),
        failed_login_window=_int("FAILED_LOGIN_WINDOW", 300),
        failed_login_address_limit=_int("FAILED_LOGIN_ADDRESS_LIMIT", 30),
        failed_login_user_limit=_int("FAILED_LOGIN_USER_LIMIT", 20),
        # Only the local stack, served over plain http on loopback, turns this off.
        secure_cookies=_flag("SECURE_COOKIES", True),
        realm=os.environ.get("BEARER_REALM", "oauth").strip() or "oauth",
        protected_scope=" ".join(os.environ.get("PROTECTED_SCOPE", "").split()),
        # RFC 6750 §2.2-2.3 allow the token in a form body or the query; both leak more easily than a header.
        bearer_in_form=_flag("BEARER_IN_FORM", False),
        bearer_in_query=_flag("BEARER_IN_QUERY", False),
        # Audience of the resources (RFC 9700 §2.3): whose tokens they take; empty: every client's.
        resource_allowed_clients=frozenset(c.strip() for c in os.environ.get("RESOURCE_ALLOWED_CLIENTS", "").split(",")
                                           if c.strip()),
        resource_user_tokens_only=_flag("RESOURCE_USER_TOKENS_ONLY", False),
        # Encrypts the ref of tokens and codes (token_format); generated at deploy time, never logged.
        token_ref_key=os.environ.get("TOKEN_REF_KEY", ""),
        issuer=os.environ.get("ISSUER", "").strip().rstrip("/"),
    )
