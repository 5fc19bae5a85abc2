"""The HTML the authorization endpoint shows: login, consent and error pages.

Plain forms that work without JavaScript, no external assets, and headers that keep the pages out of
frames, caches and Referer headers. The one stylesheet is allowed by its hash in the CSP.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import TYPE_CHECKING

from oauth_core.http import NO_STORE, Response

if TYPE_CHECKING:
    from collections.abc import Iterable

_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}"
    "main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.15)}"
    "h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem}"
    "input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}"
    "button{margin-top:1.2rem;margin-right:.5rem;padding:.5rem 1.2rem;font-size:1rem;cursor:pointer}"
    ".error{color:#a4001f;background:#fde8ec;padding:.6rem;border-radius:4px}"
    ".note{color:#4a5262;font-size:.9rem}ul{padding-left:1.2rem}code{word-break:break-all}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()


def _csp(form_targets: Iterable[str] = ()) -> str:
    # form-action also governs where a form submission may redirect (Chromium), so the consent page
    # lists the client's origin next to 'self'.
    targets = " ".join(["'self'", *form_targets])
    return (f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action {targets}; "
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


def _page(title: str, body: str, status: int = 200, form_targets: Iterable[str] = ()) -> Response:
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>")
    return Response(status, html, security_headers(form_targets))


def _message(text: str | None) -> str:
    return f'<p class="error" role="alert">{escape(text)}</p>' if text else ""


def login(client_name: str, flow: str, *, message: str | None = None, username: str = "",
          status: int = 200) -> Response:
    body = (
        f"<h1>Sign in</h1><p><strong>{escape(client_name)}</strong> wants to access your account.</p>"
        f"{_message(message)}"
        '<form method="post" autocomplete="off">'
        f'<input type="hidden" name="flow" value="{escape(flow)}">'
        '<label for="username">Username</label>'
        f'<input type="text" id="username" name="username" value="{escape(username)}" required autofocus>'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" required>'
        '<button type="submit" name="action" value="login">Sign in</button></form>'
    )
    return _page("Sign in", body, status)


def consent(client_name: str, username: str, scopes: list[str], flow: str, redirect_origin: str) -> Response:
    items = "".join(f"<li><code>{escape(s)}</code></li>" for s in scopes) or "<li>basic access (no scope)</li>"
    body = (
        f"<h1>Allow access?</h1><p>Signed in as <strong>{escape(username)}</strong>.</p>"
        f"<p><strong>{escape(client_name)}</strong> asks for:</p><ul>{items}</ul>"
        '<form method="post">'
        f'<input type="hidden" name="flow" value="{escape(flow)}">'
        '<button type="submit" name="action" value="approve">Approve</button>'
        '<button type="submit" name="action" value="deny">Deny</button></form>'
        f'<p class="note">You will be sent back to {escape(redirect_origin)}.</p>'
    )
    return _page("Allow access?", body, form_targets=[redirect_origin])


def error(title: str, detail: str, status: int = 400) -> Response:
    body = (f"<h1>{escape(title)}</h1>{_message(detail)}"
            '<p class="note">Go back to the application and start again. '
            "If this keeps happening, tell the application's developers.</p>")
    return _page(title, body, status)


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, "", {"Location": location, **NO_STORE, "Referrer-Policy": "no-referrer"})
