"""Sizes of what a client sends, checked before any DynamoDB key is built from it: DynamoDB refuses a
partition key over 2,048 bytes with a ValidationException, which must never be a client's doing.
Anything longer than registration allows cannot name a registered client or user, so it is refused at
once with the error a wrong id gets."""

from __future__ import annotations

CLIENT_ID_MAX_BYTES = 128  # registration: 1-128 printable ASCII characters
USERNAME_MAX_CHARS = 128  # registration: 1-128 characters without spaces or controls...
USERNAME_MAX_BYTES = 4 * USERNAME_MAX_CHARS  # ...of up to 4 bytes each in UTF-8
SCOPE_MAX_BYTES = 4096  # a scope parameter; granted scopes are bounded by the registration anyway
SECRET_MAX_BYTES = 1024  # client secrets (ours are 43 characters), passwords


def utf8_size(value: str) -> int:
    """Bytes in UTF-8; a lone surrogate (not encodable, so never a stored key) counts as too long."""
    try:
        return len(value.encode("utf-8"))
    except UnicodeEncodeError:
        return 1 << 30


def client_id_fits(value: str) -> bool:
    return 0 < utf8_size(value) <= CLIENT_ID_MAX_BYTES


def username_fits(value: str) -> bool:
    return 0 < len(value) <= USERNAME_MAX_CHARS and utf8_size(value) <= USERNAME_MAX_BYTES
