"""moto's DynamoDB server for the local stack, one request at a time, refusing what DynamoDB refuses.

moto checks a condition and then writes without a lock, so two concurrent conditional writes (two
redemptions of one code, two posts of one ``jti``) could both pass, which DynamoDB never allows.
Serializing the requests gives the isolation DynamoDB gives per item; moto is GIL-bound anyway.
moto also lets through keys, items, batches and transactions that DynamoDB refuses
(``local.dynamodb_rules``): those get DynamoDB's ``ValidationException`` here too.
"""

from __future__ import annotations

import io
import json
import threading
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from local import dynamodb_rules


class _OneAtATime:
    def __init__(self, app: Any, schemas: dict[str, dynamodb_rules.Schema]) -> None:
        self.app, self.lock, self.schemas = app, threading.Lock(), schemas

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("DynamoDB_"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(raw)
            problem = dynamodb_rules.violation(target.split(".", 1)[1], json.loads(raw or b"{}"), self.schemas)
            if problem:
                body = dynamodb_rules.error_body("ValidationException", problem)
                start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"),
                                                   ("Content-Length", str(len(body)))])
                return [body]
        with self.lock:
            return list(self.app(environ, start_response))


class SerializedMotoServer(ThreadedMotoServer):
    """``schemas`` (filled in once the tables are known) names each table's keys for the checks."""

    def __init__(self, *args: Any, schemas: dict[str, dynamodb_rules.Schema] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schemas = schemas if schemas is not None else {}

    def _server_entry(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        self._server = make_server(self._ip_address, self._port,
                                   _OneAtATime(DomainDispatcherApplication(create_backend_app), self.schemas), True,
                                   request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()
