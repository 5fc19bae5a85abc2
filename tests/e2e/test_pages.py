"""Every page of the sign-in journey in Chromium at desktop (1280 px) and phone (390 px) widths, on a local
stack with the branding parameters set: axe-core (the axe.min.js the axe-playwright-python wheel bundles)
reports no violations, buttons and fields are at least 44 px tall, focus is visible, and the screenshots
land in docs/screenshots/ (shown in the README) for a reviewer to look at. The journey also proves, in a
real browser, the session (no password the second time), Cancel, logout, and prompt=none after it."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from local import launcher
from local.template import ROOT
from tests.e2e.helpers import use_stack_storage
from tests.e2e.test_browser import ClientApp, params_of, pkce_pair

SHOTS = ROOT / "docs" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LOGO = "data:image/svg+xml;base64," + base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" rx="9" '
    b'fill="#1a56db"/><path d="M11 29 20 11l9 18z" fill="#fff"/></svg>').decode()
PASSWORD = "browser password"


@pytest.fixture(scope="module")
def branded_stack():
    log_dir = ROOT / ".pytest_cache"
    log_dir.mkdir(exist_ok=True)
    with open(log_dir / "local-stack-pages.log", "w") as log:
        running = launcher.start(stderr=log, parameters={"ServiceName": "Acme", "LogoUrl": LOGO,
                                                         "AccentColor": "#1a56db"})
        yield running
        running.stop()


@pytest.fixture(scope="module")
def app():
    server = ClientApp()
    yield server
    server.httpd.shutdown()


@pytest.fixture
def registered(branded_stack, app, monkeypatch, viewport):
    """A client with a logout URI, a user, and descriptions of the client's scopes; named after the
    viewport (one stack per module), so the screenshots are the same from run to run."""
    from oauth_core.hashing import digest, hash_password, random_secret
    from oauth_core.storage import clients, scope_descriptions, users

    use_stack_storage(branded_stack, monkeypatch)
    client_id, username = f"shop-{viewport}", f"jane.doe.{viewport}"
    clients.create(clients.Client(client_id=client_id, secret_hash=digest(random_secret()), name="Acme Shop",
                                  grant_types=frozenset({"authorization_code"}), redirect_uris=(app.redirect_uri,),
                                  post_logout_redirect_uris=(f"http://127.0.0.1:{app.port}/signed-out",),
                                  scopes=frozenset({"orders:read", "profile"}), created_at=int(time.time())))
    users.create(users.User(username, hash_password(PASSWORD), created_at=int(time.time())))
    for scope, text in (("orders:read", "See your orders and their delivery status"),):
        try:
            scope_descriptions.create(scope_descriptions.ScopeDescription(scope, text))
        except scope_descriptions.AlreadyExists:
            pass
    return client_id, username


def axe_violations(page) -> list[dict]:
    import axe_playwright_python

    page.evaluate((Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text())
    found = page.evaluate("axe.run(document).then(r => r.violations.map(v => ({id: v.id, help: v.help, "
                          "nodes: v.nodes.map(n => n.target.join(' '))})))")
    return found


def check(page, name: str, viewport: str) -> None:
    """No axe violations, 44 px targets; then the screenshot."""
    assert axe_violations(page) == [], json.dumps(axe_violations(page), indent=1)
    for box in (e.bounding_box() for e in page.query_selector_all("button, input:not([type=hidden])")):
        assert box["height"] >= 44 and box["width"] >= 44, (name, box)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{viewport}.png"), full_page=True)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_is_accessible_and_photographed(chromium, branded_stack, registered, app, viewport):
    client_id, username = registered
    _, challenge = pkce_pair()

    def authorize_url(**extra):
        query = {"client_id": client_id, "redirect_uri": app.redirect_uri, "response_type": "code",
                 "scope": "orders:read profile", "state": "st-7", "code_challenge": challenge,
                 "code_challenge_method": "S256", **extra}
        return f"{branded_stack.url}/oauth/authorize?{urlencode(query)}"

    context = chromium.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()

    # Cancel on the sign-in page: back to the client with access_denied, even with the fields empty.
    page.goto(authorize_url())
    page.click("button:has-text('Cancel')")
    page.wait_for_url(f"{app.redirect_uri}*")
    assert params_of(page.url)["error"] == "access_denied" and params_of(page.url)["state"] == "st-7"

    page.goto(authorize_url())
    assert page.title() == "Sign in - Acme" and page.is_visible("header.brand img")
    focused = page.evaluate("[document.activeElement.id, getComputedStyle(document.activeElement).outlineStyle,"
                            " getComputedStyle(document.activeElement).outlineWidth]")
    assert focused == ["username", "solid", "3px"], "the autofocused field shows its focus ring"
    check(page, "sign-in", viewport)
    page.fill("#username", username)
    page.fill("#password", "not the password")
    page.click("button:has-text('Sign in')")
    assert page.is_visible("[role=alert]")
    check(page, "sign-in-error", viewport)

    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    assert page.title() == "Allow access? - Acme"
    assert "See your orders and their delivery status" in page.inner_text("main")
    check(page, "consent", viewport)
    page.click("button:has-text('Approve')")
    page.wait_for_url(f"{app.redirect_uri}*")
    assert "code" in params_of(page.url)

    # The same browser again: neither the password nor the consent page.
    page.goto(authorize_url(state="st-8"))
    page.wait_for_url(f"{app.redirect_uri}*")
    assert params_of(page.url)["state"] == "st-8" and "code" in params_of(page.url)

    back = f"http://127.0.0.1:{app.port}/signed-out"
    page.goto(f"{branded_stack.url}/oauth/logout?" + urlencode(
        {"client_id": client_id, "post_logout_redirect_uri": back, "state": "bye"}))
    assert page.title() == "Sign out? - Acme"
    check(page, "sign-out", viewport)
    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"{back}*")
    assert params_of(page.url) == {"state": "bye"}

    page.goto(f"{branded_stack.url}/oauth/logout")
    assert page.title() == "Signed out - Acme"
    check(page, "signed-out", viewport)

    # Signed out: a silent check now answers login_required.
    page.goto(authorize_url(prompt="none"))
    page.wait_for_url(f"{app.redirect_uri}*")
    assert params_of(page.url)["error"] == "login_required"

    response = page.goto(authorize_url(redirect_uri=f"http://localhost:{app.port}/callback"))
    assert response.status == 400
    check(page, "error", viewport)
    context.close()
