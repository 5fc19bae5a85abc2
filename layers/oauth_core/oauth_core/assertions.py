"""JWT bearer assertions (RFC 7523 §3) verified against a client's registered X.509 certificates.

Only RSA signatures (the certificates are RSA, checked at registration): never ``none``, never an
HMAC keyed with the certificate, because the key handed to PyJWT is a public-key object and the
algorithm list holds RSA algorithms only. Every refusal is ``invalid_grant`` with a description that
tells an honest client what to fix. PyJWT and cryptography load only on this path.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oauth_core.errors import InvalidGrant

if TYPE_CHECKING:
    from collections.abc import Sequence

    from oauth_core.storage.clients import Client

RSA_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")


@dataclass(frozen=True)
class Claims:
    issuer: str
    subject: str | None
    jti: str | None
    expires_at: int


def peek(assertion: str) -> dict[str, Any]:
    """The claims before any check, only to know which client and user to fetch."""
    import jwt

    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise InvalidGrant("the assertion is not a well-formed JWT (header.claims.signature, base64url)") from None
    if not isinstance(claims.get("iss"), str) or not claims["iss"]:
        raise InvalidGrant("the assertion needs an iss claim: your client_id")
    if "sub" in claims and (not isinstance(claims["sub"], str) or not claims["sub"]):
        raise InvalidGrant("sub must be a username (a non-empty string)")
    return claims


@functools.lru_cache(maxsize=256)
def _certificate(pem: str) -> Any:
    from cryptography import x509

    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def verify(assertion: str, client: Client, audiences: Sequence[str], now: float, max_lifetime: int,
           skew: int) -> Claims:
    import jwt

    try:
        algorithm = jwt.get_unverified_header(assertion).get("alg")
    except jwt.PyJWTError:
        raise InvalidGrant("the assertion is not a well-formed JWT") from None
    if algorithm not in RSA_ALGORITHMS:
        raise InvalidGrant(f"alg {str(algorithm)[:20]!r} is not accepted: sign with RS256")
    moment = datetime.datetime.fromtimestamp(now, datetime.UTC)
    keys = [c.public_key() for c in map(_certificate, client.certificates)
            if c.not_valid_before_utc <= moment <= c.not_valid_after_utc]
    if not keys:
        raise InvalidGrant("the client has no certificate valid now: register a current one")
    claims = None
    for key in keys:
        try:
            claims = jwt.decode(assertion, key=key, algorithms=[algorithm], audience=list(audiences),
                                issuer=client.client_id, leeway=skew,
                                options={"require": ["exp", "iss", "aud"], "verify_sub": False,
                                         "verify_jti": False})
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise InvalidGrant(_explain(exc, audiences)) from None
    if claims is None:
        raise InvalidGrant("the signature does not match any certificate registered for this client")
    expires_at = int(claims["exp"])
    if expires_at > now + max_lifetime + skew:
        raise InvalidGrant(f"exp is too far ahead: at most {max_lifetime} seconds after now")
    jti = claims.get("jti")
    if jti is not None and (not isinstance(jti, str) or not jti or not jti.isprintable()):
        # printable only: a control character could make one client's spent-jti key another's
        raise InvalidGrant("jti must be a non-empty string of printable characters")
    return Claims(issuer=claims["iss"], subject=claims.get("sub"), jti=jti, expires_at=expires_at)


def signed_by(assertion: str, client: Client, now: float) -> bool:
    """Does a certificate of ``client`` valid at ``now`` verify the assertion's signature? Nothing else is
    checked and nothing spent: the client cache asks it to know whether its copy of the client is current
    (a key rolled a moment ago); ``verify`` does the real check."""
    import jwt

    try:
        algorithm = jwt.get_unverified_header(assertion).get("alg")
    except jwt.PyJWTError:
        return False
    if algorithm not in RSA_ALGORITHMS:
        return False
    moment = datetime.datetime.fromtimestamp(now, datetime.UTC)
    for certificate in map(_certificate, client.certificates):
        if certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc:
            try:
                jwt.decode(assertion, key=certificate.public_key(), algorithms=[algorithm],
                           options={"verify_exp": False, "verify_aud": False, "verify_iss": False,
                                    "verify_nbf": False, "verify_iat": False})
                return True
            except jwt.PyJWTError:
                continue
    return False


def _explain(exc: Exception, audiences: Sequence[str]) -> str:
    import jwt

    if isinstance(exc, jwt.ExpiredSignatureError):
        return "the assertion has expired (exp is in the past)"
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"the assertion needs the {exc.claim} claim"
    if isinstance(exc, jwt.InvalidAudienceError):
        return f"aud must be the token endpoint URL: {audiences[0] if audiences else 'none configured'}"
    if isinstance(exc, jwt.InvalidIssuerError):
        return "iss must be the client_id of the client whose certificate signs the assertion"
    if isinstance(exc, jwt.ImmatureSignatureError):
        return "the assertion is not valid yet (iat or nbf is in the future)"
    if isinstance(exc, jwt.InvalidIssuedAtError):
        return "iat must be a NumericDate"
    if isinstance(exc, jwt.DecodeError):
        return "the assertion is not a well-formed JWT, or exp/iat/nbf are not NumericDates"
    return "the assertion is not valid"
