"""Client authentication at the token and revocation endpoints (RFC 6749 §2.3).

Credentials are read first without I/O, so the client's record can be fetched in the same batched
read as whatever the grant needs; then they are verified against it in constant time.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from oauth_core import audit, bounds, observability
from oauth_core.errors import InvalidClient, InvalidRequest
from oauth_core.hashing import digest, matches_digest

if TYPE_CHECKING:
    from oauth_core.http import Request
    from oauth_core.storage.clients import Client

BASIC = "client_secret_basic"
POST = "client_secret_post"
NONE = "none"
_FAILED = "client authentication failed"
_DUMMY_DIGEST = digest("")


@dataclass(frozen=True)
class Credentials:
    client_id: str
    secret: str | None
    method: str


def _basic(header: str) -> Credentials:
    """RFC 6749 §2.3.1: id and secret are form-encoded before base64 (Appendix B)."""
    scheme, _, encoded = header.strip().partition(" ")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise InvalidClient("malformed Basic credentials", headers=_challenge()) from None
    raw_id, colon, raw_secret = decoded.partition(":")
    if not colon or not raw_id:
        raise InvalidClient("malformed Basic credentials", headers=_challenge())
    return Credentials(unquote_plus(raw_id), unquote_plus(raw_secret), BASIC)


def _challenge() -> dict[str, str]:
    return {"WWW-Authenticate": 'Basic realm="oauth"'}


def credentials(request: Request, required: bool = True) -> Credentials | None:
    """The credentials the client presented: Basic, or form fields, never both. None when there are
    none and the grant may do without (RFC 7523 §3.1). A client id longer than any registered one is
    refused here, before it becomes a DynamoDB key."""
    creds = _presented(request, required)
    if creds is not None and not bounds.client_id_fits(creds.client_id):
        observability.logger.info("client authentication failed", extra={"reason": "client_id too long"})
        raise InvalidClient(f"{_FAILED}: client_id is longer than {bounds.CLIENT_ID_MAX_BYTES} bytes",
                            headers=_challenge() if creds.method == BASIC else None)
    return creds


def _presented(request: Request, required: bool) -> Credentials | None:
    header = request.header("authorization")
    body_id = request.param("client_id")
    body_secret = request.param("client_secret")
    if header and header.strip().lower().startswith("basic "):
        if body_secret is not None:
            raise InvalidRequest("use only one client authentication method")
        creds = _basic(header)
        if body_id is not None and body_id != creds.client_id:
            raise InvalidRequest("client_id does not match the authenticated client")
        return creds
    if header:
        raise InvalidClient("unsupported client authentication scheme")
    if not body_id:
        if not required:
            return None
        raise InvalidClient("client authentication required")
    return Credentials(body_id, body_secret, POST if body_secret is not None else NONE)


def verify(creds: Credentials, client: Client | None) -> Client:
    """The authenticated client, or ``invalid_client`` with one message whatever the reason.

    Failures are not budgeted (a generated secret has 256 bits: it cannot be guessed online, and a
    lockout per client id would let anyone who knows the id take the client offline): each one is
    401, counted as ``ClientAuthFailures`` for an alarm, and an audit event; the right secret always works."""
    challenge = _challenge() if creds.method == BASIC else None
    stored = client.secret_hash if client is not None else None
    secret_ok = matches_digest(creds.secret or "", stored or _DUMMY_DIGEST)
    # A rotation with overlap keeps the previous secret valid until its end (oauthctl rotate-secret).
    old = client.old_secret_hash if client is not None and client.old_secret_expires_at > time.time() else None
    old_ok = matches_digest(creds.secret or "", old or _DUMMY_DIGEST) and old is not None
    secret_ok = secret_ok or old_ok
    reason = ""
    if client is None:
        reason = "unknown client"
    elif client.disabled:
        reason = "client disabled"
    elif client.public:
        if creds.secret:
            reason = "public client presented a secret"
    elif not creds.secret or not secret_ok:
        reason = "wrong or missing client secret"
    if reason or client is None:
        observability.count("ClientAuthFailures", "method", creds.method)
        audit.event("client_auth", "failure", client_id=creds.client_id, reason=reason, method=creds.method)
        raise InvalidClient(_FAILED, headers=challenge)
    return client
