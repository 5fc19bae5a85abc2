"""Opaque bearer strings (tokens, codes): 256 random bits plus a reference to their grant.

A token reads ``<secret>.<ref>``: the secret is 32 random bytes, base64url; the ref is base64url of
the grant id, client id and username. The ref lets a resource check fetch the token, its grant, its
client and its user in one batched read instead of two round trips. The ref is not trusted on its
own: the storage key is the SHA-256 of the whole string, so an altered ref finds no token, and the
stored item's fields must agree with it.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from oauth_core import bounds
from oauth_core.hashing import random_secret

_SEP = "\x1f"  # unit separator: cannot appear in a client id or username (both printable ASCII/Unicode)
_SECRET = re.compile(r"[A-Za-z0-9_-]{43}")
_REF = re.compile(r"[A-Za-z0-9_-]+")
_MAX_LENGTH = 1024


@dataclass(frozen=True)
class TokenRef:
    client_id: str
    username: str = ""
    grant_id: str = ""


def mint(ref: TokenRef) -> str:
    packed = _SEP.join((ref.grant_id, ref.client_id, ref.username)).encode("utf-8")
    encoded = base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")
    return f"{random_secret(32)}.{encoded}"


def parse(token: str) -> TokenRef | None:
    """The ref of a well-formed token, or None for anything we could not have issued."""
    if not token or len(token) > _MAX_LENGTH:
        return None
    secret, dot, encoded = token.partition(".")
    if not dot or not _SECRET.fullmatch(secret) or not _REF.fullmatch(encoded):
        return None
    try:
        packed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    parts = packed.split(_SEP)
    if len(parts) != 3 or not parts[1]:
        return None
    grant_id, client_id, username = parts
    if not bounds.client_id_fits(client_id) or (username and not bounds.username_fits(username)):
        return None
    return TokenRef(client_id=client_id, username=username, grant_id=grant_id)
