"""The authorization endpoint in a real headless Chromium (Debian's ``chromium`` driven by Playwright)
against the local stack: the pages must work as a user's browser sees them (cookies, forms, CSP,
redirects), with JavaScript off as well as on."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from local.launcher import free_port


class ClientApp:
    """The client's web server: its redirect URI answers a page and records what it received."""

    def __init__(self) -> None:
        self.port = free_port()
        self.redirect_uri = f"http://127.0.0.1:{self.port}/callback"
        self.hits: list[str] = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                if self.path.startswith("/callback"):  # not the browser's /favicon.ico
                    app.hits.append(self.path)
                body = b"<html><body><h1>Back at the client</h1></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def app():
    server = ClientApp()
    yield server
    server.httpd.shutdown()


@pytest.fixture
def web_client(store, app):
    """A confidential client registered for the code and implicit flows, and a user of its own."""
    import time

    from oauth_core.hashing import digest, hash_password, random_secret
    from oauth_core.storage import clients, users

    client_id, secret, username = f"web-{secrets.token_hex(4)}", random_secret(), f"user-{secrets.token_hex(4)}"
    clients.create(clients.Client(client_id=client_id, secret_hash=digest(secret), name="Browser Test App",
                                  grant_types=frozenset({"authorization_code", "implicit", "refresh_token"}),
                                  redirect_uris=(app.redirect_uri,), scopes=frozenset({"profile", "email"}),
                                  created_at=int(time.time())))
    users.create(users.User(username, hash_password("browser password"), created_at=int(time.time())))
    return client_id, secret, username


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def authorize_url(local_stack, client_id, redirect_uri, **params) -> str:
    query = {"client_id": client_id, "redirect_uri": redirect_uri, "scope": "profile", "state": "st-42", **params}
    return f"{local_stack.url}/oauth/authorize?{urlencode(query)}"


def sign_in(page, username, password="browser password") -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Sign in')")


def params_of(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    return {k: v[0] for k, v in parse_qs(parts.fragment or parts.query).items()}


def redeem(local_stack, web_client, app, code, verifier):
    return requests.post(f"{local_stack.url}/oauth/token", auth=(web_client[0], web_client[1]), timeout=10,
                         data={"grant_type": "authorization_code", "code": code, "redirect_uri": app.redirect_uri,
                               "code_verifier": verifier})


def decide(chromium, local_stack, web_client, app, button="Approve", javascript=True, **params) -> str:
    """Open the authorization URL in a fresh browser context, sign in, click ``button``; the URL we land on."""
    context = chromium.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(authorize_url(local_stack, web_client[0], app.redirect_uri, **params))
    assert page.title() == "Sign in" and "Browser Test App" in page.content()
    sign_in(page, web_client[2])
    assert page.title() == "Allow access?"
    assert "profile" in page.inner_text("main") and web_client[2] in page.inner_text("main")
    page.click(f"button:has-text('{button}')")
    page.wait_for_url(f"{app.redirect_uri}*")
    landed = page.url
    context.close()
    return landed


def code_from_browser(chromium, local_stack, web_client, app, challenge, javascript=True):
    landed = decide(chromium, local_stack, web_client, app, javascript=javascript, response_type="code",
                    code_challenge=challenge, code_challenge_method="S256")
    assert params_of(landed)["state"] == "st-42" and app.hits[-1].startswith("/callback?code=")
    return params_of(landed)["code"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_code_flow_with_pkce(chromium, local_stack, web_client, app, javascript):
    verifier, challenge = pkce_pair()
    code = code_from_browser(chromium, local_stack, web_client, app, challenge, javascript)
    token = redeem(local_stack, web_client, app, code, verifier)
    assert token.status_code == 200, token.text
    body = token.json()
    assert body["refresh_token"] and body["scope"] == "profile"
    info = requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": body["access_token"]},
                        timeout=10).json()
    assert info["user_id"] == web_client[2] and info["audience"] == web_client[0]


def test_implicit_flow_puts_the_token_in_the_fragment(chromium, local_stack, web_client, app):
    landed = decide(chromium, local_stack, web_client, app, response_type="token")
    got = params_of(landed)
    assert landed.startswith(f"{app.redirect_uri}#")
    assert set(got) == {"access_token", "token_type", "expires_in", "scope", "state", "iss"}
    assert app.hits[-1] == "/callback", "the token never reaches the client's server"
    info = requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": got["access_token"]},
                        timeout=10)
    assert info.status_code == 200 and info.json()["user_id"] == web_client[2]


def test_deny_returns_access_denied(chromium, local_stack, web_client, app):
    landed = decide(chromium, local_stack, web_client, app, button="Deny", response_type="code")
    assert params_of(landed)["error"] == "access_denied" and params_of(landed)["state"] == "st-42"


def test_replayed_code_is_refused_and_revokes_the_first_tokens(chromium, local_stack, web_client, app):
    verifier, challenge = pkce_pair()
    code = code_from_browser(chromium, local_stack, web_client, app, challenge)
    first = redeem(local_stack, web_client, app, code, verifier).json()
    second = redeem(local_stack, web_client, app, code, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    info = requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": first["access_token"]},
                        timeout=10)
    assert info.status_code == 400


def test_wrong_verifier_is_refused(chromium, local_stack, web_client, app):
    verifier, challenge = pkce_pair()
    code = code_from_browser(chromium, local_stack, web_client, app, challenge)
    wrong = redeem(local_stack, web_client, app, code, pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"


def test_unregistered_redirect_uri_shows_an_error_page_and_never_redirects(chromium, local_stack, web_client, app):
    context = chromium.new_context()
    page = context.new_page()
    evil = f"http://localhost:{app.port}/callback"
    response = page.goto(authorize_url(local_stack, web_client[0], evil, response_type="code"))
    assert response.status == 400 and page.url.startswith(local_stack.url)
    assert "not registered" in page.inner_text("main")
    context.close()


def test_wrong_password_stays_on_the_login_page(chromium, local_stack, web_client, app):
    context = chromium.new_context()
    page = context.new_page()
    page.goto(authorize_url(local_stack, web_client[0], app.redirect_uri, response_type="code"))
    sign_in(page, web_client[2], "not the password")
    assert page.title() == "Sign in" and "Invalid username or password" in page.inner_text("main")
    sign_in(page, web_client[2])
    assert page.title() == "Allow access?"
    context.close()


def test_pages_cannot_be_framed(chromium, local_stack, web_client, app):
    context = chromium.new_context()
    page = context.new_page()
    target = authorize_url(local_stack, web_client[0], app.redirect_uri, response_type="code")
    page.set_content(f'<iframe src="{target}" width="600" height="400"></iframe>')
    page.wait_for_timeout(500)
    frame = page.frames[1] if len(page.frames) > 1 else None
    assert frame is None or "Sign in" not in (frame.content() if frame else "")
    context.close()
