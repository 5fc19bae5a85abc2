"""moto's DynamoDB server for the local stack, one request at a time.

moto checks a condition and then writes without a lock, so two concurrent conditional writes (two
redemptions of one code, two posts of one ``jti``) could both pass, which DynamoDB never allows.
Serializing the requests gives the isolation DynamoDB gives per item; moto is GIL-bound anyway.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer


class _OneAtATime:
    def __init__(self, app: Any) -> None:
        self.app, self.lock = app, threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self.lock:
            return list(self.app(environ, start_response))


class SerializedMotoServer(ThreadedMotoServer):
    def _server_entry(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        self._server = make_server(self._ip_address, self._port,
                                   _OneAtATime(DomainDispatcherApplication(create_backend_app)), True,
                                   request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()
