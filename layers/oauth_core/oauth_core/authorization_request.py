"""What a client asks for at the authorization endpoint (RFC 6749 §4.1.1, §4.2.1, RFC 7636 §4.3),
validated in the order the errors must be reported:

1. the client and the redirect URI: if either is wrong nobody can be told, so ``Unredirectable``
   (an error page, never a redirect, RFC 6749 §4.1.2.1);
2. everything else: ``Redirected``, an OAuth error sent back to the validated redirect URI with the
   request's ``state``, in the query (code) or the fragment (implicit).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from oauth_core import bounds, pkce, redirects, registration, scopes
from oauth_core.errors import InvalidRequest, OAuthError, UnauthorizedClient, UnsupportedResponseType

if TYPE_CHECKING:
    from collections.abc import Callable

    from oauth_core.storage.clients import Client

CODE = "code"
TOKEN = "token"
RESPONSE_TYPES = {CODE: "authorization_code", TOKEN: "implicit"}  # response_type: the grant it needs
_MAX_STATE = 2048


class Unredirectable(Exception):
    """The client or redirect URI cannot be trusted: show ``detail`` on an error page."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Redirected(Exception):
    """An OAuth error to send back to a redirect URI we validated."""

    def __init__(self, error: OAuthError, redirect_uri: str, state: str | None, fragment: bool) -> None:
        super().__init__(error.description)
        self.error, self.redirect_uri, self.state, self.fragment = error, redirect_uri, state, fragment

    def location(self) -> str:
        return redirects.attach(self.redirect_uri, {**self.error.body(), "state": self.state},
                                fragment=self.fragment)


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str  # the one to send the answer to
    redirect_uri_sent: str  # as sent, "" when omitted: the token request must repeat it (RFC 6749 §4.1.3)
    response_type: str
    scope: str  # what the client will get if the user approves
    state: str = ""
    code_challenge: str = ""
    code_challenge_method: str = ""
    prompt: str = ""  # "", none, login or consent (login and consent may come together)
    max_age: str = ""  # seconds since the password sign-in beyond which it must be asked again; "" for none

    @property
    def implicit(self) -> bool:
        return self.response_type == TOKEN

    @property
    def prompts(self) -> frozenset[str]:
        return frozenset(self.prompt.split())

    def to_item(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_item(cls, item: dict[str, str]) -> AuthorizationRequest:
        return cls(**{k: item.get(k, "") for k in cls.__dataclass_fields__})

    def error(self, error: OAuthError) -> Redirected:
        return Redirected(error, self.redirect_uri, self.state or None, self.implicit)


def client_id_of(param: Callable[[str], str | None]) -> str:
    try:
        client_id = param("client_id")
    except InvalidRequest:
        raise Unredirectable("The request names more than one client_id.") from None
    if not client_id:
        raise Unredirectable("The request does not say which application is asking (client_id is missing).")
    if not bounds.client_id_fits(client_id):
        raise Unredirectable("The application that sent you here is not registered with this server.")
    return client_id


def check_client(param: Callable[[str], str | None], client: Client | None) -> Client:
    """The client the request names, as read: unknown, disabled or another one is ``Unredirectable``."""
    client_id = client_id_of(param)
    if client is None or client.disabled or client.client_id != client_id:
        raise Unredirectable("The application that sent you here is not registered with this server.")
    return client


def validate(param: Callable[[str], str | None], client: Client) -> AuthorizationRequest:
    """The rest of the request, for a client ``check_client`` passed. ``param(name)`` reads one request
    parameter (``InvalidRequest`` when it is repeated)."""
    redirect_uri = _redirect_uri(param, client)
    try:
        state = param("state")
    except InvalidRequest as exc:
        raise Redirected(exc, redirect_uri, None, False) from None
    try:
        response_type = param("response_type")
    except InvalidRequest as exc:
        raise Redirected(exc, redirect_uri, state, False) from None
    fragment = response_type == TOKEN
    try:
        if state is not None and len(state) > _MAX_STATE:
            raise InvalidRequest(f"state is longer than {_MAX_STATE} characters")
        return _checked(param, client, redirect_uri, state or "", response_type)
    except OAuthError as exc:
        raise Redirected(exc, redirect_uri, state, fragment) from None


def _redirect_uri(param: Callable[[str], str | None], client: Client) -> str:
    try:
        sent = param("redirect_uri")
    except InvalidRequest:
        raise Unredirectable("The request names more than one redirect_uri.") from None
    if sent is None:
        if len(client.redirect_uris) != 1:
            raise Unredirectable("The request has no redirect_uri, and the application has several "
                                 "(or none) registered: it must say which one to use.")
        return client.redirect_uris[0]
    if not redirects.matches(sent, client.redirect_uris):
        raise Unredirectable("The redirect_uri of this request is not registered for the application.")
    return sent


def _checked(param: Callable[[str], str | None], client: Client, redirect_uri: str, state: str,
             response_type: str | None) -> AuthorizationRequest:
    """The checks after the redirect URI, each raising its own error, in the order they are reported."""
    response_type = _check_response_type(response_type)
    _check_grant(client, response_type, redirect_uri)
    scope = scopes.resolve(param("scope"), client.scopes)
    challenge, method = _check_pkce(param, client, redirect_uri, response_type)
    prompt, max_age = _prompt(param("prompt")), _check_max_age(param("max_age"))
    return AuthorizationRequest(
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        redirect_uri_sent=param("redirect_uri") or "",
        response_type=response_type,
        scope=scope,
        state=state,
        code_challenge=challenge,
        code_challenge_method=method,
        prompt=prompt,
        max_age=max_age,
    )


def _check_response_type(response_type: str | None) -> str:
    """RFC 6749 §3.1.1: required, and one this server answers (§4.1.2.1: ``unsupported_response_type``)."""
    if not response_type:
        raise InvalidRequest("parameter response_type is required")
    if response_type not in RESPONSE_TYPES:
        raise UnsupportedResponseType("response_type must be code or token")
    return response_type


def _check_grant(client: Client, response_type: str, redirect_uri: str) -> None:
    """The client is registered for the grant the response type starts; a token is never sent to a
    private-use scheme (RFC 8252 §8.2). Both are ``unauthorized_client``."""
    grant = RESPONSE_TYPES[response_type]
    if grant not in client.grant_types:
        raise UnauthorizedClient(f"the client is not registered for the {grant} grant")
    if response_type != CODE and registration.private_use(redirect_uri):
        raise UnauthorizedClient("a token cannot be sent to a private-use scheme another app may claim "
                                 "(RFC 8252 §8.2): use response_type=code with PKCE")


def _check_pkce(param: Callable[[str], str | None], client: Client, redirect_uri: str,
                response_type: str) -> tuple[str, str]:
    """The code's challenge (RFC 7636 §4.3), required of public clients, clients registered for it and
    private-use redirects (RFC 8252 §8.1); none for the implicit grant."""
    if response_type != CODE:
        return "", ""
    return pkce.challenge(param("code_challenge"), param("code_challenge_method"),
                          required=client.public or client.require_pkce or registration.private_use(redirect_uri),
                          plain_allowed=client.pkce_plain)


def _check_max_age(raw: str | None) -> str:
    """``max_age`` (OpenID Connect Core §3.1.2.1): a number of seconds, "" when absent."""
    max_age = raw or ""
    if max_age and not (max_age.isascii() and max_age.isdigit() and len(max_age) <= 10):
        raise InvalidRequest("max_age must be a number of seconds")
    return max_age


_PROMPTS = ("none", "login", "consent", "select_account")


def _prompt(raw: str | None) -> str:
    """The ``prompt`` values (OpenID Connect Core §3.1.2.1): ``none`` alone, or any of ``login``,
    ``consent`` and ``select_account`` (which asks for the password again: one account per session)."""
    values = set((raw or "").split())
    unknown = sorted(v for v in values if v not in _PROMPTS)
    if unknown:
        raise InvalidRequest(f"prompt must be none, login, consent or select_account, not {unknown[0][:40]}")
    if "none" in values and len(values) > 1:
        raise InvalidRequest("prompt=none cannot be combined with other values")
    return " ".join(sorted({"login" if v == "select_account" else v for v in values}))
