"""Opaque bearer strings (tokens, codes): 256 random bits plus an encrypted reference to their grant.

A token reads ``<secret>.<ref>``: the secret is 32 random bytes, base64url; the ref is the grant id,
client id and username, padded to a multiple of 32 bytes and encrypted, base64url. The ref lets a
resource check fetch the token, its grant, its client and its user in one batched read instead of two
round trips; encrypted, it tells a holder (a log, a resource server, a redirect URL) nothing about who
signed in or which client holds it.

Encryption is a stream cipher with HMAC-SHA256 as the PRF in counter mode (NIST SP 800-108 style),
keyed by ``TOKEN_REF_KEY`` (generated at deploy time) and using the token's own random secret as the
nonce, so no two refs share a keystream. Only confidentiality is needed: the ref is not trusted on its
own, since the storage key is the SHA-256 of the whole string (an altered ref finds no token) and the
stored item's fields must agree with it. Standard library only: no ``cryptography`` import (~45 ms)
on the cold start of every token check.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re
from dataclasses import dataclass

from oauth_core import bounds
from oauth_core.config import settings
from oauth_core.hashing import random_secret

_SEP = "\x1f"  # unit separator: cannot appear in a client id or username (both printable ASCII/Unicode)
_PAD = b"\x00"  # nor can NUL, so trailing NULs are padding
_BLOCK = 32  # refs are padded to a multiple of this, so their length says little about the names in them
_SECRET = re.compile(r"[A-Za-z0-9_-]{43}")
_REF = re.compile(r"[A-Za-z0-9_-]+")
_MAX_LENGTH = 1024


@dataclass(frozen=True)
class TokenRef:
    client_id: str
    username: str = ""
    grant_id: str = ""


class MissingKey(RuntimeError):
    """TOKEN_REF_KEY is not set: the functions cannot mint or read tokens (a deployment error)."""


@functools.cache
def _key(secret: str) -> bytes:
    if not secret:
        raise MissingKey("TOKEN_REF_KEY is not set")
    return hashlib.sha256(b"oauth-token-ref\x00" + secret.encode("utf-8")).digest()


def _keystream(nonce: str, length: int) -> bytes:
    key = _key(settings().token_ref_key)
    blocks = (hmac.new(key, nonce.encode("ascii") + i.to_bytes(4, "big"), hashlib.sha256).digest()
              for i in range(-(-length // 32)))
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def seal(secret: str, ref: TokenRef) -> str:
    """``<secret>.<encrypted ref>``; ``mint`` with a secret of the caller's (sample events, tests)."""
    packed = _SEP.join((ref.grant_id, ref.client_id, ref.username)).encode("utf-8")
    packed += _PAD * (-len(packed) % _BLOCK)
    encoded = base64.urlsafe_b64encode(_xor(packed, _keystream(secret, len(packed)))).decode("ascii").rstrip("=")
    return f"{secret}.{encoded}"


def mint(ref: TokenRef) -> str:
    return seal(random_secret(32), ref)


def parse(token: str) -> TokenRef | None:
    """The ref of a well-formed token, or None for anything we could not have issued."""
    if not token or len(token) > _MAX_LENGTH:
        return None
    secret, dot, encoded = token.partition(".")
    if not dot or not _SECRET.fullmatch(secret) or not _REF.fullmatch(encoded):
        return None
    try:
        sealed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        if not sealed or len(sealed) % _BLOCK:
            return None
        packed = _xor(sealed, _keystream(secret, len(sealed))).rstrip(_PAD).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    parts = packed.split(_SEP)
    if len(parts) != 3 or not parts[1]:
        return None
    grant_id, client_id, username = parts
    if not bounds.client_id_fits(client_id) or (username and not bounds.username_fits(username)):
        return None
    return TokenRef(client_id=client_id, username=username, grant_id=grant_id)
