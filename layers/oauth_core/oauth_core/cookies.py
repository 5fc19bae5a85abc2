"""The cookies of the sign-in pages: ``__Host-`` names (Secure, Path=/, no Domain: no subdomain can set or
read them), HttpOnly, SameSite=Lax, each holding a 256-bit random value of ours. The local stack, served
over plain http, drops the prefix and Secure (``SECURE_COOKIES``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oauth_core.config import settings

if TYPE_CHECKING:
    from oauth_core.http import Request

BROWSER = "oauth_browser"  # binds sign-in flows to the browser (login CSRF)
SESSION = "oauth_session"  # names the browser's sign-in session


def _name(base: str) -> str:
    return f"__Host-{base}" if settings().secure_cookies else base


def read(request: Request, base: str) -> str | None:
    """The value of one of our cookies, when it has the shape of our random values."""
    name = _name(base)
    for part in (request.header("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and len(value) == 43 and value.replace("-", "").replace("_", "").isalnum():
            return value
    return None


def set_cookie(base: str, value: str, max_age: int | None = None) -> str:
    """A Set-Cookie value; ``max_age=0`` with an empty value removes the cookie."""
    age = f"; Max-Age={max_age}" if max_age is not None else ""
    secure = "; Secure" if settings().secure_cookies else ""
    return f"{_name(base)}={value}; Path=/{age}; HttpOnly; SameSite=Lax{secure}"
