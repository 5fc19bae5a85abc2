"""Start the local stack (``python -m local``, what ``make run`` runs) once per session on free ports."""

from __future__ import annotations

import pytest

from local import launcher
from local.template import ROOT


@pytest.fixture(scope="session")
def local_stack():
    log_dir = ROOT / ".pytest_cache"
    log_dir.mkdir(exist_ok=True)
    with open(log_dir / "local-stack.log", "w") as log:
        running = launcher.start(stderr=log)
        yield running
        running.stop()


@pytest.fixture
def store(local_stack, monkeypatch):
    """Point oauth_core's storage at the stack's moto server, to register extra clients and users."""
    from local import tables
    from local.template import Stack
    from oauth_core.config import settings
    from oauth_core.storage import dynamo

    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", local_stack.dynamodb_url)
    for name, value in tables.environment(Stack(stack_name="local")).items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    dynamo.client.cache_clear()
    yield dynamo.client()
    settings.cache_clear()
    dynamo.client.cache_clear()
