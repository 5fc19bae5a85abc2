"""Start the local stack (``python -m local``, what ``make run`` runs) as a child process on free
ports and read its banner: used by the end-to-end tests and the load benchmark."""

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
from typing import IO

from local.template import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Running:
    url: str
    dynamodb_url: str
    banner: str
    exports: dict[str, str]
    startup_seconds: float
    process: subprocess.Popen[str]

    @property
    def client_id(self) -> str:
        return self.exports["CLIENT_ID"]

    @property
    def client_secret(self) -> str:
        return self.exports["CLIENT_SECRET"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(stderr: IO[str] | None = None, timeout: float = 60, parameters: dict[str, str] | None = None,
          dynamodb_url: str | None = None, stack_name: str | None = None) -> Running:
    """Start ``python -m local`` on free ports; ``parameters`` override the template's (as
    ``PARAMETER_OVERRIDES="Name=value ..."`` does for ``make run``); ``dynamodb_url``: use that DynamoDB
    instead of starting moto (``DYNAMODB_URL``); ``stack_name`` names the tables (``STACK_NAME``)."""
    port, dynamodb_port = free_port(), free_port()
    env = {**os.environ, "PORT": str(port), "DYNAMODB_PORT": str(dynamodb_port),
           "PARAMETER_OVERRIDES": " ".join(f"{k}={v}" for k, v in (parameters or {}).items()),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "oauth_core"), str(ROOT)])}
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "DYNAMODB_URL"):
        env.pop(name, None)
    if dynamodb_url:
        env["DYNAMODB_URL"] = dynamodb_url
    if stack_name:
        env["STACK_NAME"] = stack_name
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=stderr or subprocess.DEVNULL, text=True)
    banner = _read_banner(process, timeout)
    exports = dict(re.findall(r"(\w+)=(\S+)", "\n".join(x for x in banner.splitlines() if x.startswith("export "))))
    return Running(url=f"http://127.0.0.1:{port}", dynamodb_url=dynamodb_url or f"http://127.0.0.1:{dynamodb_port}",
                   banner=banner, exports=exports, startup_seconds=time.monotonic() - started, process=process)


def _read_banner(process: subprocess.Popen[str], timeout: float) -> str:
    """Lines up to "Ready in ...", read by a thread (select() cannot see lines already buffered)."""
    lines: queue.Queue[str | None] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None, "start() opens the child's stdout as a pipe"

    def pump() -> None:
        for line in stdout:
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
