"""A minimal browser for the authorize handler: keeps the cookie, reads the forms' hidden flow value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from oauth_core.pkce import s256

VERIFIER = "v" * 20 + "-._~" + "0123456789abcdefghijklmnopqrstuvwxyz"
CHALLENGE = s256(VERIFIER)
REDIRECT = "https://app.example/cb"


@dataclass
class Redirect:
    status: int
    location: str

    @property
    def params(self) -> dict[str, str]:
        parts = urlsplit(self.location)
        return {k: v[0] for k, v in parse_qs(parts.fragment or parts.query).items()}


class Browser:
    def __init__(self, api, source_ip: str = "127.0.0.1") -> None:
        self.api = api
        self.source_ip = source_ip  # the address API Gateway reports (requestContext.identity.sourceIp)
        self.cookies: dict[str, str] = {}  # name -> value, as a browser keeps them
        self.query = ""
        self.page = None

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    @cookie.setter
    def cookie(self, header: str) -> None:
        self.cookies = dict(part.strip().split("=", 1) for part in header.split(";") if "=" in part)

    def _remember(self, response):
        cookie = response.headers.get("set-cookie")
        if cookie:
            name, _, value = cookie.split(";")[0].partition("=")
            if "max-age=0" in cookie.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        self.page = response
        return response

    def open(self, **params):
        self.query = urlencode({k: v for k, v in params.items() if v is not None})
        headers = {"Cookie": self.cookie} if self.cookie else {}
        return self._remember(self.api.call("/oauth/authorize", query=self.query, headers=headers,
                                            source_ip=self.source_ip))

    @property
    def flow(self) -> str:
        match = re.search(r'name="flow" value="([^"]+)"', self.page.text)
        assert match, self.page.text
        return match.group(1)

    def post(self, data, flow=None):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        fields = {"flow": flow or self.flow, **data}
        return self._remember(self.api.call("/oauth/authorize", method="POST", query=self.query,
                                            data=fields, headers=headers, source_ip=self.source_ip))

    def login(self, username="alice", password="correct horse"):
        return self.post({"username": username, "password": password, "action": "login"})

    def decide(self, action="approve"):
        response = self.post({"action": action})
        return Redirect(response.status, response.headers.get("location", "")) if response.status in (302, 303) \
            else response

    def authorize(self, username="alice", password="correct horse", **params) -> Redirect:
        page = self.open(**params)
        assert page.status == 200, page.text
        consent = self.login(username, password)
        assert "Approve" in consent.text, consent.text
        return self.decide("approve")


def redirect_of(response) -> Redirect:
    return Redirect(response.status, response.headers.get("location", ""))
