"""One warm "Lambda instance": imports a handler, then answers events one at a time.

Run as ``python -m local.worker CODE_DIR MODULE.FUNCTION`` with the function's environment. Events
arrive as JSON lines on stdin; answers leave as JSON lines on the original stdout, while the
handler's own prints and logs go to stderr, as they would go to CloudWatch.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    deadline: float
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.time()) * 1000))


def main() -> None:
    code_dir, handler = sys.argv[1], sys.argv[2]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the stack stops us
    replies = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sys.path.insert(0, code_dir)
    module_name, function_name = handler.rsplit(".", 1)
    function = getattr(importlib.import_module(module_name), function_name)
    replies.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        message = json.loads(line)
        context = LambdaContext(deadline=time.time() + message["timeout"], **message["context"])
        try:
            reply = {"result": function(message["event"], context)}
        except Exception as exc:
            traceback.print_exc()
            reply = {"error": type(exc).__name__, "message": str(exc)}
        replies.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
