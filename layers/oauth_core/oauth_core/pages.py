"""The HTML the authorization and logout endpoints show: login, consent, logout and error pages.

Plain forms that work without JavaScript, no external assets but the operator's logo, and headers that
keep the pages out of frames, caches and Referer headers. The one stylesheet (in the deployment's accent
colour) is allowed by its hash in the CSP, the logo by its URL (or ``data:``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from typing import TYPE_CHECKING

from oauth_core.config import settings
from oauth_core.http import NO_STORE, Response

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from oauth_core.errors import OAuthError

_DEFAULT_ACCENT = "#1a56db"
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_DATA_IMAGE = re.compile(r"data:image/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]+")
_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0;line-height:1.45}"
    "main{max-width:26rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.15)}"
    "@media (max-width:30rem){body{background:#fff}main{margin:0;border-radius:0;box-shadow:none;"
    "padding:1.5rem 1.2rem}}"
    ".brand{display:flex;align-items:center;gap:.6rem;margin:0 0 1.2rem;font-weight:600;color:#4a5262}"
    ".brand img{max-height:40px;max-width:10rem}"
    "h1{font-size:1.35rem;margin-top:0}label{display:block;margin:.9rem 0 .3rem;font-weight:600}"
    "input[type=text],input[type=password]{width:100%;box-sizing:border-box;min-height:44px;padding:.5rem .6rem;"
    "font-size:1rem;border:1px solid #767d8c;border-radius:4px}"
    ".actions{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:1.4rem}"
    "button{min-height:44px;min-width:44px;padding:.55rem 1.3rem;font-size:1rem;border-radius:4px;cursor:pointer;"
    "border:1px solid ACCENT}"
    ".primary{background:ACCENT;color:#fff}.secondary{background:#fff;color:ACCENT}"
    ":focus-visible{outline:3px solid ACCENT;outline-offset:2px}"
    "input:focus-visible{outline:3px solid ACCENT;outline-offset:1px}"
    ".error{color:#a4001f;background:#fde8ec;padding:.6rem;border-radius:4px}"
    ".note{color:#4a5262;font-size:.9rem}ul{padding-left:1.2rem}li{margin:.3rem 0}"
    "code{word-break:break-all}.scope{display:block;color:#4a5262;font-size:.85rem}"
)


def _style() -> tuple[str, str]:
    """The stylesheet in the deployment's accent colour, and its CSP hash."""
    accent = settings().accent_color
    style = _STYLE.replace("ACCENT", accent if _COLOUR.fullmatch(accent) else _DEFAULT_ACCENT)
    return style, base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()


def _logo() -> str:
    """The logo's URL when the CSP can allow it: a base64 data:image URI (``img-src data:``) or an https
    URL without the characters that would end a CSP source (``img-src <url>``)."""
    url = settings().logo_url
    if _DATA_IMAGE.fullmatch(url) or (url.startswith("https://") and url.isascii()
                                      and not any(c in url for c in " ;,'\"\\<>")):
        return url
    return ""


def _csp(form_targets: Iterable[str] = ()) -> str:
    # form-action also governs where a form submission may redirect (Chromium), so the consent page
    # lists the client's origin next to 'self'.
    targets = " ".join(["'self'", *form_targets])
    logo = _logo()
    images = f"img-src {'data:' if logo.startswith('data:') else logo}; " if logo else ""
    return (f"default-src 'none'; style-src 'sha256-{_style()[1]}'; {images}form-action {targets}; "
            "frame-ancestors 'none'; base-uri 'none'")


def security_headers(form_targets: Iterable[str] = ()) -> dict[str, str]:
    return {
        "Content-Type": "text/html; charset=utf-8",
        **NO_STORE,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": _csp(form_targets),
    }


def _brand() -> str:
    name, logo = settings().service_name, _logo()
    if not name and not logo:
        return ""
    image = f'<img src="{escape(logo)}" alt="">' if logo else ""  # decorative: the name is the text
    return f'<header class="brand">{image}<span>{escape(name)}</span></header>'


def _page(title: str, body: str, status: int = 200, form_targets: Iterable[str] = ()) -> Response:
    name = settings().service_name
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title + (' - ' + name if name else ''))}</title><style>{_style()[0]}</style></head>"
            f"<body><main>{_brand()}{body}</main></body></html>")
    return Response(status, html, security_headers(form_targets))


def _message(text: str | None) -> str:
    return f'<p class="error" role="alert">{escape(text)}</p>' if text else ""


def login(client_name: str, flow: str, *, message: str | None = None, username: str = "",
          status: int = 200, redirect_origin: str | None = None) -> Response:
    """The sign-in form; its CSP names the client's origin too: Cancel, or a sign-in for an approved
    client, redirects there (see ``_csp``)."""
    body = (
        f"<h1>Sign in</h1><p><strong>{escape(client_name)}</strong> wants to access your account.</p>"
        f"{_message(message)}"
        '<form method="post">'
        f'<input type="hidden" name="flow" value="{escape(flow)}">'
        '<label for="username">Username</label>'
        f'<input type="text" id="username" name="username" value="{escape(username)}" autocomplete="username" '
        'autocapitalize="none" spellcheck="false" required autofocus>'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password" required>'
        '<div class="actions"><button type="submit" class="primary" name="action" value="login">Sign in</button>'
        '<button type="submit" class="secondary" name="action" value="cancel" formnovalidate>Cancel</button>'
        "</div></form>"
    )
    return _page("Sign in", body, status, form_targets=[redirect_origin] if redirect_origin else ())


def consent(client_name: str, username: str, scopes: list[str], flow: str, redirect_origin: str,
            descriptions: Mapping[str, str] | None = None, message: str | None = None) -> Response:
    """The scopes with their registered descriptions (the raw name under each, for the curious)."""
    descriptions = descriptions or {}
    items = "".join(
        f"<li>{escape(descriptions[s])}<code class=\"scope\">{escape(s)}</code></li>" if s in descriptions
        else f"<li><code>{escape(s)}</code></li>" for s in scopes) or "<li>basic access (no scope)</li>"
    body = (
        f"<h1>Allow access?</h1>{_message(message)}<p>Signed in as <strong>{escape(username)}</strong>.</p>"
        f"<p><strong>{escape(client_name)}</strong> asks to:</p><ul>{items}</ul>"
        '<form method="post">'
        f'<input type="hidden" name="flow" value="{escape(flow)}">'
        '<div class="actions"><button type="submit" class="primary" name="action" value="approve">Approve</button>'
        '<button type="submit" class="secondary" name="action" value="deny">Deny</button></div></form>'
        f'<p class="note">You will be sent back to {escape(redirect_origin)}.</p>'
    )
    return _page("Allow access?", body, form_targets=[redirect_origin])


def logout_confirm(username: str, fields: Mapping[str, str], redirect_origin: str | None) -> Response:
    """Logout asks first: a link or image on another site cannot sign the user out (logout CSRF)."""
    hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items() if v)
    body = (
        f"<h1>Sign out?</h1><p>You are signed in as <strong>{escape(username)}</strong>.</p>"
        f'<form method="post">{hidden}'
        '<div class="actions"><button type="submit" class="primary" name="action" value="logout">Sign out</button>'
        '<button type="submit" class="secondary" name="action" value="stay">Stay signed in</button></div></form>'
    )
    return _page("Sign out?", body, form_targets=[redirect_origin] if redirect_origin else ())


def notice(title: str, message: str) -> Response:
    body = f'<h1>{escape(title)}</h1><p role="status">{escape(message)}</p><p class="note">You can close this page.</p>'
    return _page(title, body)


def error(title: str, detail: str, status: int = 400) -> Response:
    body = (f"<h1>{escape(title)}</h1>{_message(detail)}"
            '<p class="note">Go back to the application and start again. '
            "If this keeps happening, tell the application's developers.</p>")
    return _page(title, body, status)


def failure(exc: OAuthError, refused: str, unavailable: str, fallback: str) -> Response:
    """An error raised before a page endpoint runs (a malformed event, a store that did not answer) as a
    page, not JSON: ``refused`` titles a bad request, ``unavailable`` anything else (with its headers)."""
    from oauth_core.errors import InvalidRequest

    if isinstance(exc, InvalidRequest):
        return error(refused, exc.description or fallback)
    response = error(unavailable, "Please try again in a moment.", exc.status)
    response.headers.update(exc.headers)
    return response


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, "", {"Location": location, **NO_STORE, "Referrer-Policy": "no-referrer"})
