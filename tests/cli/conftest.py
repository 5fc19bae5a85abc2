"""moto's DynamoDB server (the CLI runs as a subprocess, so it cannot share an in-process mock)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest

from local import tables
from local.template import ROOT, Stack

OAUTHCTL = ROOT / "scripts" / "oauthctl"


@pytest.fixture(scope="session")
def moto_server():
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(moto_server, stack: Stack, monkeypatch):
    """Run ``scripts/oauthctl --stack <fresh stack>`` against moto's server; the test process's own
    oauth_core (handlers, storage) points at the same tables."""
    from oauth_core.config import settings
    from oauth_core.storage import client_cache, dynamo

    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_server)
    # moto loads its DynamoDB backend on the first request (seconds on a busy machine): wait as the local stack does.
    monkeypatch.setenv("DYNAMODB_READ_TIMEOUT", "8")
    for name, value in tables.environment(stack).items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    dynamo.forget_clients()
    tables.create(stack, dynamo.client())
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TABLE")}

    def run(*args: str, stdin: str | None = None, stack_name: str | None = None) -> Result:
        done = subprocess.run([str(OAUTHCTL), "--stack", stack_name or stack.stack_name, *args], input=stdin,
                              capture_output=True, text=True, env=env, timeout=60)
        # The handlers in this process stand for containers that see an operator's change within
        # CLIENT_CACHE_SECONDS (tests/integration/test_client_cache.py proves that bound): skip the wait.
        client_cache.clear()
        return Result(done.returncode, done.stdout, done.stderr)

    yield run
    settings.cache_clear()
    dynamo.forget_clients()
