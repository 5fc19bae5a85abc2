"""Pools of worker processes per function, started on demand like Lambda's execution environments."""

from __future__ import annotations

import json
import os
import queue
import select
import subprocess
import sys
import threading
import uuid
from typing import TYPE_CHECKING, Any

from local.template import ROOT

if TYPE_CHECKING:
    from local.template import Function


class InvocationError(Exception):
    """The function crashed or timed out; the gateway answers 502 or 504 as API Gateway does."""

    def __init__(self, status: int, message: str, raised: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.raised = raised  # the handler's exception message, when it raised one


class Worker:
    def __init__(self, function: Function, env: dict[str, str]) -> None:
        self.function = function
        path = os.pathsep.join([*(str(d) for d in function.layer_dirs), str(ROOT)])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.worker", str(function.code_dir), function.handler],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, cwd=ROOT,
            env={**env, **function.environment, "PYTHONPATH": path, "AWS_LAMBDA_FUNCTION_NAME": function.logical_id},
            text=True, bufsize=1,
        )
        self._read(60)  # the "ready" line: import (cold start) finished

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self.kill()
            raise InvocationError(504, "Endpoint request timed out")
        line = self.process.stdout.readline()
        if not line:
            self.kill()
            raise InvocationError(502, "Internal server error")
        return json.loads(line)

    def invoke(self, event: dict[str, Any]) -> Any:
        f = self.function
        context = {"function_name": f.logical_id, "memory_limit_in_mb": f.memory, "aws_request_id": str(uuid.uuid4()),
                   "invoked_function_arn": f"arn:aws:lambda:us-east-1:123456789012:function:{f.logical_id}"}
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps({"event": event, "context": context, "timeout": f.timeout}) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            self.kill()
            raise InvocationError(502, "Internal server error") from None
        reply = self._read(f.timeout)
        if "error" in reply:
            raise InvocationError(502, "Internal server error", reply.get("message"))
        return reply["result"]

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class Pool:
    """Idle workers of one function; a new one starts when all are busy, up to ``limit``."""

    def __init__(self, function: Function, env: dict[str, str], limit: int = 8) -> None:
        self.function, self.env, self.limit = function, env, limit
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()

    def warm(self) -> None:
        self._release(self._start())

    def _start(self) -> Worker:
        worker = Worker(self.function, self.env)
        with self._lock:
            self._all.append(worker)
        return worker

    def _acquire(self) -> Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            can_start = sum(w.alive for w in self._all) < self.limit
        return self._start() if can_start else self._idle.get(timeout=30)

    def _release(self, worker: Worker) -> None:
        if worker.alive:
            self._idle.put(worker)

    def invoke(self, event: dict[str, Any]) -> Any:
        worker = self._acquire()
        try:
            return worker.invoke(event)
        finally:
            self._release(worker)

    def close(self) -> None:
        with self._lock:
            for worker in self._all:
                worker.kill()
