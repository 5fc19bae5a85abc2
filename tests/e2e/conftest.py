"""Start the local stack (``python -m local``, what ``make run`` runs) once per session on free ports."""

from __future__ import annotations

import pytest

from local import launcher
from local.template import ROOT
from tests.e2e.helpers import CHROMIUM_ARGS, CLIENT_CACHE_SECONDS, chromium_path, use_stack_storage


@pytest.fixture(scope="session")
def local_stack():
    log_dir = ROOT / ".pytest_cache"
    log_dir.mkdir(exist_ok=True)
    with open(log_dir / "local-stack.log", "w") as log:
        running = launcher.start(stderr=log, parameters={"ClientCacheSeconds": str(CLIENT_CACHE_SECONDS)})
        yield running
        running.stop()


@pytest.fixture
def store(local_stack, monkeypatch):
    """Point oauth_core's storage at the stack's moto server, to register extra clients and users."""
    from oauth_core.config import settings
    from oauth_core.storage import dynamo

    yield use_stack_storage(local_stack, monkeypatch)
    settings.cache_clear()
    dynamo.forget_clients()


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium driven by Playwright (never `playwright install`: no download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
