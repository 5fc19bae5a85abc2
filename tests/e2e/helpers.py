"""What several end-to-end tests do alike: point oauth_core's storage at a running local stack, and the
user's part of a browser flow (sign in, approve) scripted with requests."""

from __future__ import annotations

import os
import re
import shutil
import time
from typing import TYPE_CHECKING, NamedTuple

import requests

if TYPE_CHECKING:
    import pytest

    from local.launcher import Running


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "the browser tests need Chromium: `make test` installs Debian's chromium package"
    return path


# The session stack's ClientCacheSeconds (conftest.py): a container may use its copy of a client this long.
CLIENT_CACHE_SECONDS = 1


def client_change_seen(changed_at: float) -> None:
    """Wait out the client cache's bound: once it has passed since a change to a client was written (an
    operator command returned at ``changed_at``), every container sees it. This waits on the bound the
    server documents, not on how fast this machine is."""
    while time.time() < changed_at + CLIENT_CACHE_SECONDS:
        time.sleep(0.05)


def use_stack_storage(running: Running, monkeypatch: pytest.MonkeyPatch):
    """oauth_core's storage on ``running``'s moto server (the local stack's tables); returns the client."""
    from local import tables
    from local.template import Stack
    from oauth_core.config import settings
    from oauth_core.storage import dynamo

    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", running.dynamodb_url)
    for name, value in tables.environment(Stack(stack_name="local")).items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    dynamo.forget_clients()
    return dynamo.client()


def flow_of(page: str) -> str:
    """The sign-in's ``flow`` value, from the hidden field of the login or consent form."""
    return re.search(r'name="flow" value="([^"]+)"', page).group(1)


class Approval(NamedTuple):
    location: str  # where the browser was sent back to
    flow: str
    cookies: list[str]


def sign_in_and_approve(url: str, username: str = "admin", password: str = "changeme",
                        wrong_password_first: str | None = None) -> Approval:
    """Open the authorization URL, sign in (after one wrong password, if given) and click Approve (unless
    the user approved before: remembered consent answers at the sign-in)."""
    browser = requests.Session()
    flow = flow_of(browser.get(url, timeout=10).text)
    if wrong_password_first is not None:
        browser.post(url, data={"flow": flow, "username": username, "password": wrong_password_first,
                                "action": "login"}, timeout=10)
    consent = browser.post(url, data={"flow": flow, "username": username, "password": password, "action": "login"},
                           allow_redirects=False, timeout=10)
    if consent.status_code == 303:  # the user approved this client and scope before: no consent page
        return Approval(consent.headers["Location"], flow, list(browser.cookies.values()))
    assert ">Approve<" in consent.text
    approved = browser.post(url, data={"flow": flow, "action": "approve"}, allow_redirects=False, timeout=10)
    assert approved.status_code == 303
    return Approval(approved.headers["Location"], flow, list(browser.cookies.values()))
