"""Proof Key for Code Exchange (RFC 7636): checked when the code is asked for and when it is redeemed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from oauth_core.errors import InvalidGrant, InvalidRequest

S256 = "S256"
PLAIN = "plain"
METHODS = (S256, PLAIN)  # plain only for a client registered --allow-pkce-plain
# RFC 7636 §4.1/4.2: 43-128 characters of ALPHA / DIGIT / "-" / "." / "_" / "~".
_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def challenge(code_challenge: str | None, method: str | None, *, required: bool,
              plain_allowed: bool) -> tuple[str, str]:
    """The ``(challenge, method)`` to store with the code, or ``("", "")`` when the client sent none."""
    if not code_challenge:
        if method:
            raise InvalidRequest("code_challenge_method without code_challenge")
        if required:
            raise InvalidRequest("code_challenge is required for this client (RFC 7636, method S256)")
        return "", ""
    method = method or PLAIN  # RFC 7636 §4.3: the default is plain
    if method not in (S256, PLAIN):
        raise InvalidRequest("code_challenge_method must be S256")
    if method == PLAIN and not plain_allowed:
        raise InvalidRequest("code_challenge_method plain is not allowed for this client; use S256")
    if not _VALUE.fullmatch(code_challenge):
        raise InvalidRequest("code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]")
    return code_challenge, method


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode("ascii").rstrip("=")


def verify(verifier: str | None, code_challenge: str, method: str) -> None:
    """RFC 7636 §4.6; a verifier sent for a code issued without a challenge is refused too (RFC 9700 §2.1.1)."""
    if not code_challenge:
        if verifier is not None:
            raise InvalidGrant("code_verifier sent but the authorization request had no code_challenge")
        return
    if not verifier:
        raise InvalidGrant("code_verifier is required: the authorization request had a code_challenge")
    if not _VALUE.fullmatch(verifier):
        raise InvalidGrant("code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]")
    expected = s256(verifier) if method == S256 else verifier
    if not hmac.compare_digest(expected.encode("ascii"), code_challenge.encode("ascii")):
        raise InvalidGrant("code_verifier does not match the code_challenge")
