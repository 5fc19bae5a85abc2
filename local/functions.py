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


# API Gateway's own answers when a Lambda proxy integration fails (what the client gets when the template
# has no gateway response for it). AWS documents them (Lambda developer guide, "Handling Lambda errors with
# an API Gateway API"): an invocation Lambda rejects (throttled, concurrency exhausted) is a 500, a function
# that runs but fails (raises, crashes, times out, answers something that is not a proxy response) a 502,
# both {"message": "Internal server error"}. A function error has no gateway response type of its own: it
# takes DEFAULT_5XX's. A rejected invocation is INTEGRATION_FAILURE (504 once that type is customized).
# A function that has not answered when the integration timeout (29 s) passes is INTEGRATION_TIMEOUT, 504
# {"message": "Endpoint request timed out"}; a function whose own Timeout is shorter is stopped by Lambda
# first ("Task timed out"), which is a function error: 502, never 504.
INTEGRATION_TIMEOUT = 29
_INTERNAL = '{"message": "Internal server error"}'


class InvocationError(Exception):
    """The function could not answer; ``kind`` is the gateway response type API Gateway answers with
    (None: a function error, answered by DEFAULT_5XX), ``status`` and ``body`` its answer when the API
    does not customize it."""

    def __init__(self, kind: str | None, status: int, body: str, raised: str | None = None) -> None:
        super().__init__(body)
        self.kind, self.status, self.body = kind, status, body
        self.raised = raised  # the handler's exception message, when it raised one

    @classmethod
    def function_error(cls, raised: str | None = None) -> InvocationError:
        return cls(None, 502, _INTERNAL, raised)

    @classmethod
    def rejected(cls) -> InvocationError:
        return cls("INTEGRATION_FAILURE", 500, _INTERNAL)

    @classmethod
    def timed_out(cls) -> InvocationError:
        return cls("INTEGRATION_TIMEOUT", 504, '{"message": "Endpoint request timed out"}')


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
        self._read(60, InvocationError.function_error())  # the "ready" line: import (cold start) finished

    def _read(self, timeout: float, timed_out: InvocationError) -> dict[str, Any]:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self.kill()
            raise timed_out
        line = self.process.stdout.readline()
        if not line:  # the process died: Lambda's "Runtime exited", a function error
            self.kill()
            raise InvocationError.function_error()
        answer: dict[str, Any] = json.loads(line)
        return answer

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
            raise InvocationError.function_error() from None
        # Whichever ends first: Lambda stops the function at its Timeout, API Gateway stops waiting at 29 s.
        if f.timeout < INTEGRATION_TIMEOUT:
            reply = self._read(f.timeout, InvocationError.function_error("Task timed out"))
        else:
            reply = self._read(INTEGRATION_TIMEOUT, InvocationError.timed_out())
        if "error" in reply:
            raise InvocationError.function_error(reply.get("message"))
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
        if can_start:
            return self._start()
        try:
            return self._idle.get(timeout=30)
        except queue.Empty:  # every worker busy for 30 s: as Lambda refusing the invocation (throttled)
            raise InvocationError.rejected() from None

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
