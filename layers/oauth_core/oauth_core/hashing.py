"""Hashes for what we store instead of secrets.

Tokens and client secrets are 256-bit random values, so a single SHA-256 is enough (no slow hash on
the token path). Passwords are chosen by people, so they get scrypt, a memory-hard KDF.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024


def random_secret(nbytes: int = 32) -> str:
    """A URL-safe random string of ``nbytes`` bytes of entropy (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def digest(value: str) -> str:
    """SHA-256 hex digest: the storage key of a token or code, the stored form of a client secret."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def matches_digest(value: str, stored_digest: str) -> bool:
    """Constant-time comparison of ``value``'s digest with a stored one."""
    return hmac.compare_digest(digest(value), stored_digest)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """Encode as ``scrypt$N$r$p$salt$hash`` so parameters can be raised later without a migration."""
    salt = secrets.token_bytes(16)
    derived = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, maxmem=_SCRYPT_MAXMEM, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(derived)}"


def verify_password(password: str, encoded: str | None) -> bool:
    """Check a password; with ``encoded=None`` (unknown user) spend the same time and answer False."""
    target = encoded or _dummy_hash()
    try:
        scheme, n, r, p, salt, expected = target.split("$")
        if scheme != "scrypt":
            return False
        derived = hashlib.scrypt(
            password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), maxmem=_SCRYPT_MAXMEM, dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(derived, _unb64(expected)) and encoded is not None


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))
