"""Start the local stack (``python -m local``, what ``make run`` runs) once per session on free ports."""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import pytest

from local.template import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class LocalStack:
    url: str
    dynamodb_url: str
    client_id: str
    client_secret: str
    banner: str
    startup_seconds: float
    exports: dict[str, str]


@pytest.fixture(scope="session")
def local_stack():
    port, dynamodb_port = _free_port(), _free_port()
    env = {**os.environ, "PORT": str(port), "DYNAMODB_PORT": str(dynamodb_port),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "oauth_core"), str(ROOT)])}
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        env.pop(name, None)
    started = time.monotonic()
    log = open(ROOT / ".pytest_cache" / "local-stack.log", "w") if (ROOT / ".pytest_cache").is_dir() else None
    process = subprocess.Popen([sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=log or subprocess.DEVNULL, text=True)
    banner = _read_banner(process, timeout=60)
    exports = dict(re.findall(r"(\w+)=(\S+)", "\n".join(x for x in banner.splitlines() if x.startswith("export "))))
    yield LocalStack(url=f"http://127.0.0.1:{port}", dynamodb_url=f"http://127.0.0.1:{dynamodb_port}",
                     client_id=exports["CLIENT_ID"], client_secret=exports["CLIENT_SECRET"], banner=banner,
                     startup_seconds=time.monotonic() - started, exports=exports)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    if log:
        log.close()


def _read_banner(process: subprocess.Popen, timeout: float) -> str:
    """Lines up to "Ready in ...", read by a thread (select() cannot see lines already buffered)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if line.startswith("Ready in"):
            return "\n".join(seen)
    process.kill()
    raise RuntimeError("the local stack did not start:\n" + "\n".join(seen))


@pytest.fixture
def store(local_stack, monkeypatch):
    """Point oauth_core's storage at the stack's moto server, to register extra clients and users."""
    from oauth_core.config import settings
    from oauth_core.storage import dynamo

    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", local_stack.dynamodb_url)
    for table in ("clients", "users", "grants", "codes", "tokens"):
        monkeypatch.setenv(f"{table.upper()}_TABLE", f"local-{table}")
    settings.cache_clear()
    dynamo.client.cache_clear()
    yield dynamo.client()
    settings.cache_clear()
    dynamo.client.cache_clear()
