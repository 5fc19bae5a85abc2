"""``OAuthClient``: tokens from a token endpoint, cached, and one retry on a 401 that asks for it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oauth_client.challenge import parse_bearer_challenge

if TYPE_CHECKING:
    import requests

RETRY_ON_ANY_401 = 1
RETRY_ON_INVALID_TOKEN = 3


class TokenError(Exception):
    """The token endpoint refused: ``error`` is the RFC 6749 §5.2 code (or ``http_<status>``)."""

    def __init__(self, status: int, error: str, description: str = "") -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.status, self.error, self.description = status, error, description


@dataclass
class _Cached:
    access_token: str
    expires_at: float  # time.monotonic() seconds
    refresh_token: str | None
    scope: str | None


class OAuthClient:
    """Calls resources with a bearer token from ``token_url``.

    ``grant_type`` is ``client_credentials`` (default) or ``password`` (give ``username`` and
    ``password``). The client authenticates with HTTP Basic, or with form fields when
    ``auth_method="client_secret_post"``. A refresh token, when the server gives one, is used before
    falling back to the original grant.
    """

    def __init__(self, token_url: str, client_id: str, client_secret: str | None = None, *,
                 grant_type: str = "client_credentials", username: str | None = None, password: str | None = None,
                 scope: str | None = None, token_retry_check_level: int = RETRY_ON_INVALID_TOKEN,
                 expiry_margin: float = 30.0, auth_method: str = "client_secret_basic",
                 session: requests.Session | None = None, timeout: float = 10.0) -> None:
        if token_retry_check_level not in (RETRY_ON_ANY_401, RETRY_ON_INVALID_TOKEN):
            raise ValueError("token_retry_check_level must be 1 (any 401) or 3 (401 with invalid_token)")
        if grant_type == "password" and (username is None or password is None):
            raise ValueError("the password grant needs username and password")
        if grant_type not in ("client_credentials", "password"):
            raise ValueError("grant_type must be client_credentials or password")
        import requests

        self.token_url, self.client_id, self.client_secret = token_url, client_id, client_secret
        self.grant_type, self.username, self.password, self.scope = grant_type, username, password, scope
        self.token_retry_check_level, self.expiry_margin = token_retry_check_level, expiry_margin
        self.auth_method, self.timeout = auth_method, timeout
        self.session = session or requests.Session()
        self.tokens_fetched = 0
        self._cached: _Cached | None = None
        self._lock = threading.Lock()

    # -- tokens ------------------------------------------------------------------------------------
    def token(self) -> str:
        """A cached access token, or a new one when there is none or it expires within the margin."""
        with self._lock:
            cached = self._cached
            if cached is None or cached.expires_at - self.expiry_margin <= time.monotonic():
                cached = self._cached = self._fetch(cached.refresh_token if cached else None)
            return cached.access_token

    def invalidate(self, access_token: str | None = None) -> None:
        """Forget the cached access token (only if it is still ``access_token``, when given); the refresh
        token, if any, is kept for the next fetch."""
        with self._lock:
            if self._cached and (access_token is None or self._cached.access_token == access_token):
                self._cached.expires_at = 0.0

    def _fetch(self, refresh_token: str | None) -> _Cached:
        if refresh_token:
            try:
                return self._post({"grant_type": "refresh_token", "refresh_token": refresh_token})
            except TokenError as exc:
                if exc.error != "invalid_grant":
                    raise
        data = {"grant_type": self.grant_type}
        if self.grant_type == "password":
            data.update(username=self.username or "", password=self.password or "")
        if self.scope:
            data["scope"] = self.scope
        return self._post(data)

    def _post(self, data: dict[str, str]) -> _Cached:
        auth = None
        if self.auth_method == "client_secret_post":
            data = {**data, "client_id": self.client_id, **({"client_secret": self.client_secret}
                                                             if self.client_secret is not None else {})}
        elif self.client_secret is not None:
            from urllib.parse import quote_plus

            # RFC 6749 §2.3.1: form-encode id and secret before Basic encoding.
            auth = (quote_plus(self.client_id), quote_plus(self.client_secret))
        else:
            data = {**data, "client_id": self.client_id}
        started = time.monotonic()
        response = self.session.post(self.token_url, data=data, auth=auth, timeout=self.timeout,
                                     headers={"Accept": "application/json"})
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or "access_token" not in body:
            raise TokenError(response.status_code, str(body.get("error") or f"http_{response.status_code}"),
                             str(body.get("error_description", "")))
        self.tokens_fetched += 1
        lifetime = float(body.get("expires_in") or 3600)
        return _Cached(body["access_token"], started + lifetime, body.get("refresh_token"), body.get("scope"))

    # -- resources ---------------------------------------------------------------------------------
    def should_retry(self, response: requests.Response) -> bool:
        """Does this answer ask for a new token, under ``token_retry_check_level``?"""
        if response.status_code != 401:
            return False
        if self.token_retry_check_level == RETRY_ON_ANY_401:
            return True
        challenge = parse_bearer_challenge(response.headers.get("WWW-Authenticate"))
        return challenge is not None and challenge.get("error") == "invalid_token"

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """``requests.Session.request`` with ``Authorization: Bearer``; one retry with a new token when
        the answer asks for it and the body can be sent again."""
        headers = dict(kwargs.pop("headers", None) or {})
        kwargs.setdefault("timeout", self.timeout)
        token = self.token()
        response = self.session.request(method, url, headers={**headers, "Authorization": f"Bearer {token}"},
                                        **kwargs)
        if not self.should_retry(response) or not _replayable(kwargs):
            return response
        self.invalidate(token)
        token = self.token()
        return self.session.request(method, url, headers={**headers, "Authorization": f"Bearer {token}"}, **kwargs)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)


def _replayable(kwargs: dict[str, Any]) -> bool:
    """Bodies held in memory can be sent again; streams (files, generators, iterators) cannot."""
    for key in ("data", "json"):
        body = kwargs.get(key)
        if body is None or isinstance(body, (bytes, str, dict, list, tuple)):
            continue
        return False
    files = kwargs.get("files")
    if files:
        values = files.values() if isinstance(files, dict) else [v for _, v in files]
        for value in values:
            content = value[1] if isinstance(value, tuple) else value
            if not isinstance(content, (bytes, str)):
                return False
    return True
