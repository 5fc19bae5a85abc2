"""Redirect URIs at the authorization endpoint: which one a request may use (RFC 6749 §3.1.2.3,
RFC 9700 §4.1.3: exact string match) and how the answer is attached to it (§4.1.2, §4.2.2)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from oauth_core import issuer

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

# RFC 8252 §7.3: a native app listens on an ephemeral port of a loopback IP literal.
_LOOPBACK_IPS = ("127.0.0.1", "::1")


def _loopback_key(uri: str) -> tuple[str, str, str, str] | None:
    """An http URI on a loopback IP literal, without its port; None for any other URI."""
    if not uri.startswith("http://"):  # urlsplit lowercases the scheme: compare it as sent
        return None
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    if parts.hostname not in _LOOPBACK_IPS:
        return None
    netloc = parts.netloc.rsplit(":", 1)[0] if port is not None or parts.netloc.endswith(":") else parts.netloc
    return netloc, parts.path, parts.query, parts.fragment


def matches(requested: str, registered: Iterable[str]) -> bool:
    """Exact string match with a registered URI; for loopback IP literals over http, the port may vary."""
    registered = tuple(registered)
    if requested in registered:
        return True
    loose = _loopback_key(requested)
    return loose is not None and any(_loopback_key(r) == loose for r in registered)


def attach(redirect_uri: str, params: Mapping[str, str | None], *, fragment: bool = False,
           authorization_response: bool = True) -> str:
    """The redirect URI with ``params`` added to its query (code flow) or as its fragment (implicit), and
    ``iss`` on every authorization response, success or error (RFC 9207 §2: the client checks who
    answered, RFC 9700 §4.4); not on other redirects (after logout), which RFC 9207 does not cover."""
    iss = issuer.current() or None if authorization_response else None
    present = {k: v for k, v in {**params, "iss": iss}.items() if v is not None}
    parts = urlsplit(redirect_uri)
    if fragment:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, urlencode(present)))
    query = f"{parts.query}&{urlencode(present)}" if parts.query else urlencode(present)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"
