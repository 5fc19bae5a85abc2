"""Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3): a secret
(Basic or form), none for a public client, or ``private_key_jwt`` (RFC 7523 §2.2, §3): a JWT signed with
the client's key and checked against its registered certificates by the rules of the JWT bearer grant.

Credentials are read first without I/O, so the client's record can be fetched in the same batched
read as whatever the grant needs; then they are verified against it in constant time.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, overload
from urllib.parse import unquote_plus

from oauth_core import audit, bounds, issuer, observability
from oauth_core.errors import InvalidClient, InvalidGrant, InvalidRequest
from oauth_core.hashing import digest, matches_digest

if TYPE_CHECKING:
    from oauth_core.http import Request
    from oauth_core.storage.clients import Client

BASIC = "client_secret_basic"
POST = "client_secret_post"
NONE = "none"
PRIVATE_KEY_JWT = "private_key_jwt"
METHODS = (BASIC, POST, PRIVATE_KEY_JWT, NONE)  # what the metadata lists (RFC 8414 §2)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SINGLE_USE_MAX_LIFETIME = 3600  # seconds a client assertion with a jti may live (the jti is kept that long)
_FAILED = "client authentication failed"
_DUMMY_DIGEST = digest("")


@dataclass(frozen=True)
class Credentials:
    client_id: str
    secret: str | None
    method: str
    assertion: str | None = None  # private_key_jwt


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


@overload
def credentials(request: Request, required: Literal[True] = ...) -> Credentials: ...
@overload
def credentials(request: Request, required: bool) -> Credentials | None: ...
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
    if request.param("client_assertion_type") is not None or request.param("client_assertion") is not None:
        return _asserted(request, header, body_id, body_secret)
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


def _asserted(request: Request, header: str | None, body_id: str | None, body_secret: str | None) -> Credentials:
    """RFC 7523 §2.2: ``client_assertion_type`` and ``client_assertion``; the assertion's ``iss`` names the client."""
    from oauth_core import assertions

    if request.param("client_assertion_type") != ASSERTION_TYPE:
        raise InvalidRequest(f"client_assertion_type must be {ASSERTION_TYPE}")
    assertion = request.param("client_assertion")
    if not assertion:
        raise InvalidRequest("parameter client_assertion is required with client_assertion_type")
    if header or body_secret is not None:
        raise InvalidRequest("use only one client authentication method")
    try:
        client_id = assertions.peek(assertion)["iss"]
    except InvalidGrant as exc:
        raise InvalidClient(f"{_FAILED}: {exc.description}") from None
    if body_id is not None and body_id != client_id:
        raise InvalidClient(f"{_FAILED}: client_id does not match the client assertion's iss")
    return Credentials(client_id, None, PRIVATE_KEY_JWT, assertion)


def refusal(creds: Credentials, client: Client | None) -> str:
    """Why ``creds`` do not authenticate as ``client`` ("" when they do); no side effect, constant time.
    Of a client assertion only the signature is checked here (nothing spent): ``verify`` checks the rest."""
    if creds.method == PRIVATE_KEY_JWT:
        from oauth_core import assertions

        if client is None or client.disabled or not client.certificates:
            return "unknown client, client disabled or no certificate registered"
        if not assertions.signed_by(creds.assertion or "", client, time.time()):
            return "the signature matches no certificate registered for this client"
        return ""
    stored = client.secret_hash if client is not None else None
    secret_ok = matches_digest(creds.secret or "", stored or _DUMMY_DIGEST)
    # A rotation with overlap keeps the previous secret valid until its end (oauthctl rotate-secret).
    old = client.old_secret_hash if client is not None and client.old_secret_expires_at > time.time() else None
    old_ok = matches_digest(creds.secret or "", old or _DUMMY_DIGEST) and old is not None
    secret_ok = secret_ok or old_ok
    if client is None:
        return "unknown client"
    if client.disabled:
        return "client disabled"
    if client.public:
        return "public client presented a secret" if creds.secret else ""
    return "" if creds.secret and secret_ok else "wrong or missing client secret"


def authenticate(request: Request, creds: Credentials, item: dict[str, Any] | None) -> Client:
    """The client ``creds`` authenticate as, from its ``item`` of the request's batched read (read again when
    a kept copy refuses them). Its Origin is checked once they pass, before ``verify`` spends a jti."""
    from oauth_core import cors
    from oauth_core.storage import client_cache, clients

    item = client_cache.authenticated(item, creds.client_id, lambda i: not refusal(creds, clients.from_item(i)))
    client = clients.from_item(item)
    if client is not None and not refusal(creds, client):  # (failures all answer the same 401 first)
        cors.check(request, client)
    return verify(creds, client, request)


def verify(creds: Credentials, client: Client | None, request: Request | None = None) -> Client:
    """The authenticated client, or ``invalid_client`` with one message whatever the reason.

    Failures are not budgeted (a generated secret has 256 bits: it cannot be guessed online, and a
    lockout per client id would let anyone who knows the id take the client offline): each one is
    401, counted as ``ClientAuthFailures`` for an alarm, and an audit event; the right secret always works."""
    if creds.method == PRIVATE_KEY_JWT:
        return _verify_assertion(creds, client, request)
    challenge = _challenge() if creds.method == BASIC else None
    reason = refusal(creds, client)
    if reason or client is None:
        observability.count("ClientAuthFailures", "method", creds.method)
        audit.event("client_auth", "failure", client_id=creds.client_id, reason=reason, method=creds.method)
        raise InvalidClient(_FAILED, headers=challenge)
    return client


def _verify_assertion(creds: Credentials, client: Client | None, request: Request | None) -> Client:
    """The JWT bearer grant's rules (assertions.verify: a current registered certificate, RSA, aud, exp
    not too far ahead; ``jti`` required if the client says so) plus RFC 7523 §3 B: ``sub`` is the client.
    A ``jti`` is spent here, so an assertion authenticates once."""
    import time

    from oauth_core import assertions
    from oauth_core.config import settings

    reason, detail = "", ""
    if client is None or client.disabled or not client.certificates:
        reason = "unknown client, client disabled or no certificate registered"
    else:
        config, now = settings(), time.time()
        # A jti is spent below, so the assertion cannot be replayed however long it lives: clients' defaults
        # (Authlib: one hour) are then accepted; without one, AssertionMaxLifetime bounds the replay window.
        single_use = bool(assertions.peek(creds.assertion or "").get("jti"))
        max_lifetime = max(config.assertion_max_lifetime, SINGLE_USE_MAX_LIFETIME) if single_use \
            else config.assertion_max_lifetime
        try:
            claims = assertions.verify(creds.assertion or "", client, audiences(request), now, max_lifetime,
                                       config.clock_skew)
            if claims.subject != client.client_id:
                raise InvalidGrant("sub must be the client_id, as iss is")
            if client.require_jti and not claims.jti:
                raise InvalidGrant("jti is required: this client's assertions must be single use")
            if claims.jti:
                _spend(client.client_id, claims.jti, claims.expires_at + config.clock_skew, request, int(now))
        except InvalidGrant as exc:
            reason = detail = exc.description
    if reason or client is None:
        observability.count("ClientAuthFailures", "method", creds.method)
        audit.event("client_auth", "failure", client_id=creds.client_id, reason=reason, method=creds.method)
        raise InvalidClient(f"{_FAILED}: {detail}" if detail else _FAILED)
    return client


def audiences(request: Request | None) -> list[str]:
    """What a client assertion's ``aud`` may be: the token endpoint (RFC 7523 §3 item 3), the issuer, or the
    URL of the endpoint it is sent to."""
    from oauth_core.config import settings

    found = [*settings().token_audiences]
    if issuer.current():
        found += [issuer.endpoint("/oauth/token"), issuer.current()]
    if request is not None and request.endpoint_url:
        found.append(request.endpoint_url)
    return list(dict.fromkeys(found))


def _spend(client_id: str, jti: str, expires_at: int, request: Request | None, now: int) -> None:
    from oauth_core.storage import codes, dynamo

    if bounds.utf8_size(jti) > bounds.SECRET_MAX_BYTES:
        raise InvalidGrant(f"jti must be at most {bounds.SECRET_MAX_BYTES} bytes")
    request_id = request.request_id if request is not None else ""
    try:  # no ClientRequestToken: the request's later transaction uses the request id as its own
        dynamo.transact_write({"jti": codes.consume_action(codes.JTI, f"client\x1f{client_id}\x1f{jti}", expires_at,
                                                          request_id, now)})
    except dynamo.TransactionRefused:
        raise InvalidGrant("this client assertion was already used: jti must be unique until exp") from None
