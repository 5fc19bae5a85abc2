"""The browser session (``storage.sessions.BrowserSession``, named by the ``__Host-oauth_session`` cookie,
a new value at each sign-in): a signed-in browser skips the login page, and the consent page too when its
user already approved these scopes for this client (``storage.consents``). ``prompt`` and ``max_age``
(OpenID Connect Core §3.1.2.1, applied to OAuth) force or forbid the pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oauth_core.config import settings
from oauth_core.errors import ConsentRequired, InteractionRequired, LoginRequired
from oauth_core.storage import consents, dynamo, sessions, users

if TYPE_CHECKING:
    from oauth_core import authorization_request as authz
    from oauth_core.storage.clients import Client


def read(browser_item: dict[str, Any] | None, areq: authz.AuthorizationRequest,
         now: int) -> tuple[sessions.BrowserSession | None, consents.Consent | None]:
    """The browser's live session and its user's approval of this client (one batched read, only for a
    session); a session its user has outlived counts as none."""
    signed_in = sessions.browser_from_item(browser_item, now)
    consent = None
    if signed_in is not None:
        found = dynamo.batch_get({"user": users.key(signed_in.username),
                                  "consent": consents.key(signed_in.username, areq.client_id)},
                                 {settings().users_table: users.CHECKED_ATTRIBUTES})
        if not still_valid(signed_in, users.from_item(found["user"])):
            signed_in = None
        consent = consents.from_item(found["consent"])
    return signed_in, consent


def still_valid(session: sessions.BrowserSession, user: users.User | None) -> bool:
    """A session ends with its user: deleted, disabled, or a password change or revocation since the
    sign-in (``tokens_valid_after``, which ``oauthctl`` moves on for each of these)."""
    return user is not None and not user.disabled and user.tokens_valid_after_ms <= session.signed_in_ms


def usable(signed_in: sessions.BrowserSession | None, areq: authz.AuthorizationRequest,
           now: int) -> sessions.BrowserSession | None:
    """The session when it spares the password; None (the login page) when there is none, with
    ``prompt=login``, or past ``max_age``. ``prompt=none`` cannot show that page: ``login_required``
    or ``interaction_required`` instead (OpenID Connect Core §3.1.2.6)."""
    if (signed_in is None or "login" in areq.prompts
            or (areq.max_age and now - signed_in.auth_time >= int(areq.max_age))):
        if "none" in areq.prompts:
            raise areq.error(LoginRequired("the user is not signed in") if signed_in is None
                             else InteractionRequired("the sign-in is older than max_age"))
        return None
    return signed_in


def remembered(consent: consents.Consent | None, client: Client, areq: authz.AuthorizationRequest) -> bool:
    """May an earlier approval answer this request without a page? Not with ``prompt=consent`` or for a
    scope not approved; not when the approval predates the client (an id deleted and registered again
    names another app); and not for a public client whose redirect another app on the device could
    claim, a loopback port or a private-use scheme (RFC 8252 §8.6: its identity cannot be assured)."""
    return (consent is not None and "consent" not in areq.prompts and consent.covers(areq.scope)
            and consent.granted_at >= client.created_at
            and not (client.public and not areq.redirect_uri.startswith("https://")))


def check_consent_prompt(areq: authz.AuthorizationRequest) -> None:
    """``prompt=none`` cannot show the consent page: ``consent_required`` (OpenID Connect Core §3.1.2.6)."""
    if "none" in areq.prompts:
        raise areq.error(ConsentRequired("the user has not approved this request"))
