"""Rules for what operators register: client ids, grant types, redirect URIs, scopes, certificates,
usernames and passwords. Each check raises ``Invalid`` with a message fit for the operator."""

from __future__ import annotations

import datetime
import functools
import gzip
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from oauth_core import grants
from oauth_core import scopes as scope_rules
from oauth_core.errors import InvalidScope
from oauth_core.grants import JWT_BEARER as JWT_BEARER  # oauthctl's name for it

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
# Letters, digits and "-._~" (RFC 3986 unreserved): the same whether or not a client form-encodes its Basic
# credentials (RFC 6749 §2.3.1), in a URL, a JWT's iss and a log line; "+ : %" and spaces are not.
_CLIENT_ID = re.compile(r"[A-Za-z0-9\-._~]{1,128}")
_USERNAME = re.compile(r"[^\x00-\x20\x7f]{1,128}")
# NIST SP 800-63B-4 §3.1.1.2: at least 15 characters for a password that is the only factor (it is here),
# up to at least 64 accepted (1024: the login form's limit), any characters, no composition rules.
MIN_PASSWORD, MAX_PASSWORD = 15, 1024
_BLOCKLIST = Path(__file__).parent / "data" / "common-passwords.txt.gz"
_CONTEXT_WORDS = ("oauth", "password", "passwd")
MIN_RSA_BITS = 2048


class Invalid(ValueError):
    """A registration the server would not be able to use safely."""


def client_id(value: str) -> str:
    if not _CLIENT_ID.fullmatch(value):
        raise Invalid("client id must be 1-128 characters of A-Z a-z 0-9 - . _ ~ (no spaces, '+', ':' or '%': "
                      "clients that do not form-encode Basic credentials would send a different id)")
    return value


def grant_types(values: list[str]) -> frozenset[str]:
    unknown = [g for g in values if g not in grants.REGISTRABLE]
    if unknown:
        raise Invalid(f"unknown grant type {unknown[0]!r}; known: {', '.join(grants.REGISTRABLE)}")
    if not values:
        raise Invalid("at least one --grant-type is required")
    return frozenset(values)


# RFC 8252 §7.1: a private-use scheme is a reverse domain name the app controls (com.example.app).
_PRIVATE_SCHEME = re.compile(r"[a-z][a-z0-9\-]*(\.[a-z0-9][a-z0-9\-]*)+")


def private_use(uri: str) -> bool:
    """Is this a native app's private-use scheme redirect (RFC 8252 §7.1)? Any app on the device may claim
    the same scheme (§8.1), so its answers need PKCE and never carry a token (§8.2)."""
    scheme, colon, _ = uri.partition(":")
    return bool(colon) and _PRIVATE_SCHEME.fullmatch(scheme) is not None


def web_origin(value: str) -> str:
    """A browser origin (RFC 6454): scheme, host, optional port; https, or http on a loopback host."""
    from oauth_core import cors

    if not cors.valid_origin(value):
        raise Invalid(f"web origin {value!r} must be scheme://host[:port] with no path or trailing slash, "
                      f"e.g. https://app.example.com")
    parts = urlsplit(value)
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise Invalid(f"web origin {value!r} must use https (http is allowed for localhost and 127.0.0.1 only)")
    return value.lower()


_UNSAFE_IN_URI = frozenset(" ;,\"'\\<>`")


def redirect_uri(value: str) -> str:
    """RFC 6749 §3.1.2: absolute, no fragment; https, or http only on a loopback host (RFC 8252 §7.3); for
    native apps also a private-use scheme ``com.example.app:/cb`` (RFC 8252 §7.1; claimed https URLs,
    §7.2, are ordinary https URIs). Never a character that could end a URI in a header or a page: the
    pages' CSP names the redirect's origin (``form-action``)."""
    if any(c in _UNSAFE_IN_URI or not c.isprintable() for c in value):
        raise Invalid(f"redirect URI {value[:200]!r} must not contain spaces, quotes, ';', ',', '<', '>' or '\\'")
    scheme = value.partition(":")[0]
    if _PRIVATE_SCHEME.fullmatch(scheme) and "#" not in value:
        if value.startswith(f"{scheme}://") and not value[len(scheme) + 3:].split("/")[0]:
            raise Invalid(f"redirect URI {value!r} has an empty authority: use {scheme}:/path (one slash)")
        if len(value) <= len(scheme) + 1:
            raise Invalid(f"redirect URI {value!r} needs a path after the scheme, e.g. {scheme}:/callback")
        return value
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise Invalid(f"redirect URI {value!r} is not a valid URL") from None
    if parts.fragment or "#" in value:
        raise Invalid(f"redirect URI {value!r} must not contain a fragment")
    if parts.scheme not in ("https", "http") or not parts.netloc or not host:
        raise Invalid(f"redirect URI {value!r} must be an absolute https URL")
    if parts.username is not None or parts.password is not None:
        raise Invalid(f"redirect URI {value!r} must not contain user information")
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        raise Invalid(f"redirect URI {value!r} must use https (http is allowed for localhost and 127.0.0.1 only)")
    return value


def scope_list(values: list[str]) -> frozenset[str]:
    try:
        return frozenset(scope_rules.parse(" ".join(values)) or ())
    except InvalidScope:
        raise Invalid("scopes may only hold printable ASCII without spaces, quotes or backslashes") from None


def lifetime(value: int | None, name: str) -> int | None:
    if value is not None and not 60 <= value <= 366 * 24 * 3600:
        raise Invalid(f"{name} must be between 60 seconds and one year")
    return value


MAX_REUSE_WINDOW = 300


def reuse_window(value: int) -> int:
    """Seconds a rotated refresh token may be presented again; short, since it lets a copy work too."""
    if not 0 <= value <= MAX_REUSE_WINDOW:
        raise Invalid(f"--refresh-reuse-window must be between 0 (off) and {MAX_REUSE_WINDOW} seconds")
    return value


def username(value: str) -> str:
    if not _USERNAME.fullmatch(value):
        raise Invalid("username must be 1-128 characters without spaces or control characters")
    return value


def password(value: str, username: str | None = None) -> str:
    """NIST SP 800-63B-4 §3.1.1.2: a length floor and a blocklist (common passwords, repetitions, sequences,
    the username, the service's words), never rules about character classes."""
    if len(value) < MIN_PASSWORD:
        raise Invalid(f"password must be at least {MIN_PASSWORD} characters (a few words make a good one)")
    if len(value) > MAX_PASSWORD:
        raise Invalid(f"password must be at most {MAX_PASSWORD} characters")
    if "\x00" in value:
        raise Invalid("password must not contain a NUL character")
    lowered = value.lower()
    core = lowered.strip("0123456789!@#$%^&*()_+-=.,;:?~ ") or lowered
    if lowered in common_passwords() or core in common_passwords():
        raise Invalid("this password is one of the most common passwords; choose another")
    if _repetitive(lowered) or _repetitive(core):
        raise Invalid("this password repeats a character or a pattern; choose another")
    if _sequential(lowered):
        raise Invalid("this password is a sequence of characters; choose another")
    if username and len(username) >= 3 and username.lower() in lowered:
        raise Invalid("the password must not contain the username")
    if any(word in core and len(core) - len(word) < 8 for word in _CONTEXT_WORDS):
        raise Invalid("this password is mostly a word everyone guesses first (password, oauth); choose another")
    return value


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped blocklist (see data/README.md): 30,000 common passwords, lower-cased."""
    with gzip.open(_BLOCKLIST, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def _repetitive(value: str) -> bool:
    """One short unit repeated: "aaaaaaaa...", "abcabcabc...", "passwordpassword"."""
    return len(value) > 1 and re.fullmatch(r"(.+?)\1+", value, re.DOTALL) is not None


def _sequential(value: str) -> bool:
    """Every character one step up (or down) from the last: "abcdefghijklmno", "123456789012345"."""
    def step(a: str, b: str) -> int:
        if a.isdigit() and b.isdigit():
            return (int(b) - int(a)) % 10
        return ord(b) - ord(a)

    steps = {step(a, b) for a, b in zip(value, value[1:], strict=False)}
    return steps in ({1}, {-1}, {9})


@dataclass(frozen=True)
class CertificateInfo:
    thumbprint_sha256: str
    subject: str
    not_after: str


def certificate(pem: str, now: datetime.datetime | None = None) -> CertificateInfo:
    """An X.509 certificate we can verify RS256 assertions with: RSA >= 2048 bits, valid now."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise Invalid("the certificate is not a PEM-encoded X.509 certificate") from None
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise Invalid("the certificate's key is not RSA (RS256 assertions need an RSA key)")
    if key.key_size < MIN_RSA_BITS:
        raise Invalid(f"the certificate's RSA key has {key.key_size} bits; at least {MIN_RSA_BITS} are required")
    now = now or datetime.datetime.now(datetime.UTC)
    if cert.not_valid_after_utc <= now:
        raise Invalid(f"the certificate expired on {cert.not_valid_after_utc.isoformat()}")
    if cert.not_valid_before_utc > now:
        raise Invalid(f"the certificate is not valid before {cert.not_valid_before_utc.isoformat()}")
    der = cert.public_bytes(serialization.Encoding.DER)
    return CertificateInfo(hashlib.sha256(der).hexdigest(), cert.subject.rfc4514_string(),
                           cert.not_valid_after_utc.isoformat())
