"""Hashes for what we store instead of secrets.

Tokens and client secrets are 256-bit random values, so a single SHA-256 is enough (no slow hash on
the token path). Passwords are chosen by people, so they get Argon2id (RFC 9106) with the parameters
of OWASP's Password Storage Cheat Sheet (19 MiB, 2 passes, 1 lane). Hashes of older releases (scrypt,
``scrypt$N$r$p$salt$hash``) and hashes imported from other systems (``oauthctl import``: bcrypt
``$2b$...``, PBKDF2 ``pbkdf2-sha256$iterations$salt$hash`` as Keycloak stores it or Django's
``pbkdf2_sha256$...``, any Argon2 PHC string) still verify, and ``needs_rehash`` says when to store a
new one (at the next sign-in, ``passwords.sign_in``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

# OWASP: "Argon2id with a minimum configuration of 19 MiB of memory, an iteration count of 2, and 1 degree
# of parallelism". Raising any of these makes every older hash due for a rehash at its next sign-in.
ARGON2_MEMORY_KIB, ARGON2_TIME_COST, ARGON2_PARALLELISM = 19 * 1024, 2, 1
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


@functools.cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher, Type

    return PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM,
                          hash_len=32, salt_len=16, type=Type.ID)


def hash_password(password: str) -> str:
    """The PHC string ``$argon2id$v=19$m=...,t=...,p=...$salt$hash``: it carries its own parameters."""
    return _hasher().hash(password)


def scheme(encoded: str) -> str | None:
    """The scheme of a stored hash this module verifies: argon2, scrypt, bcrypt, pbkdf2 or None."""
    if encoded.startswith(("$argon2id$", "$argon2i$", "$argon2d$")):
        return "argon2"
    if encoded.startswith("scrypt$"):
        return "scrypt"
    if encoded.startswith(("$2a$", "$2b$", "$2y$")):
        return "bcrypt"
    if encoded.startswith(tuple(f"{p}{a}$" for p in ("pbkdf2-", "pbkdf2_") for a in _PBKDF2)):
        return "pbkdf2"
    return None


def verify_password(password: str, encoded: str | None) -> bool:
    """Check a password; with ``encoded=None`` (unknown user) or ``""`` (imported without a password)
    spend the same time and answer False."""
    stored = encoded or ""
    kind = scheme(stored)
    if kind == "scrypt":
        return _verify_scrypt(password, stored)
    if kind == "bcrypt":
        return _verify_bcrypt(password, stored)
    if kind == "pbkdf2":
        return _verify_pbkdf2(password, stored)
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored if kind else _dummy_hash(), password) and kind is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    """True for a hash of an older scheme or weaker parameters than today's: store a new one at sign-in."""
    from argon2.exceptions import InvalidHashError

    if not encoded.startswith("$argon2id$"):
        return True
    try:
        return _hasher().check_needs_rehash(encoded)
    except InvalidHashError:
        return True


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verify_scrypt(password: str, encoded: str) -> bool:
    """Hashes of releases before Argon2id: ``scrypt$N$r$p$salt$hash`` (N=2^14, r=8, p=1)."""
    try:
        _, n, r, p, salt, expected = encoded.split("$")
        derived = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                                 maxmem=_SCRYPT_MAXMEM, dklen=32)
        return hmac.compare_digest(derived, _unb64(expected))
    except (ValueError, TypeError):
        return False


def _verify_bcrypt(password: str, encoded: str) -> bool:
    """bcrypt (``$2b$cost$...``) only ever read 72 bytes of a password: the system that made the hash
    truncated longer ones, so we do too."""
    import bcrypt

    try:
        return bcrypt.checkpw(password.encode("utf-8")[:72], encoded.encode("ascii"))
    except ValueError:
        return False


# PBKDF2 digests as Keycloak (pbkdf2, pbkdf2-sha256, pbkdf2-sha512) and Django (pbkdf2_sha256) name them.
_PBKDF2 = {"sha256": "sha256", "sha512": "sha512", "sha1": "sha1"}


def _verify_pbkdf2(password: str, encoded: str) -> bool:
    """``pbkdf2-<digest>$iterations$salt$hash`` with base64 salt and hash (Keycloak's secretData, see
    ``oauthctl import``), or Django's ``pbkdf2_<digest>$iterations$salt$hash`` whose salt is plain text."""
    try:
        name, iterations, salt, expected = encoded.split("$")
        django = name.startswith("pbkdf2_")
        raw_salt = salt.encode("utf-8") if django else base64.b64decode(salt)
        want = base64.b64decode(expected)
        derived = hashlib.pbkdf2_hmac(_PBKDF2[name[7:]], password.encode("utf-8"), raw_salt, int(iterations),
                                      dklen=len(want))
        return hmac.compare_digest(derived, want)
    except (ValueError, KeyError, TypeError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))
