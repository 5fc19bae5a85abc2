"""``python -m local`` (``make run``): moto's DynamoDB server, the template's tables and functions
behind an HTTP gateway on loopback, the demo client and user, and the lines to reach them."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from local.gateway import Gateway
    from local.seed import Seeded
    from local.template import Stack

HOST = "127.0.0.1"


def main() -> int:
    started = time.monotonic()
    port = int(os.environ.get("PORT", "3000"))
    dynamodb_port = int(os.environ.get("DYNAMODB_PORT", "8000"))
    stack_name = os.environ.get("STACK_NAME", "local")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    external = os.environ.get("DYNAMODB_URL")  # a DynamoDB already running (DynamoDB Local, a moto server)
    dynamodb_url = external or f"http://{HOST}:{dynamodb_port}"
    api_url = f"http://{HOST}:{port}"
    aws_env = {"AWS_ENDPOINT_URL_DYNAMODB": dynamodb_url, "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": region, "AWS_DEFAULT_REGION": region}
    os.environ.update(aws_env)
    for what, number in (("PORT", port), *(() if external else (("DYNAMODB_PORT", dynamodb_port),))):
        if not _free(number):
            print(f"port {number} on {HOST} is in use: stop what uses it or set {what}=...", file=sys.stderr)
            return 1
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from local import tables
    from local.dynamodb import SerializedMotoServer
    from local.gateway import Gateway, server
    from local.seed import seed_if_empty
    from local.template import Stack
    from oauth_core.storage import dynamo

    moto = None if external else SerializedMotoServer(ip_address=HOST, port=dynamodb_port, verbose=False)
    if moto:
        moto.start()
    # moto loads its DynamoDB backend on the first request: seconds on a busy machine, more than the
    # 2 s a Lambda's attempt waits. The functions get 8 s below; table creation gets them too.
    os.environ.setdefault("DYNAMODB_READ_TIMEOUT", "8")
    # JWT bearer assertions name the token endpoint as their audience: locally, this stack's own URL.
    overrides = dict(pair.split("=", 1) for pair in os.environ.get("PARAMETER_OVERRIDES", "").split() if "=" in pair)
    stack = Stack(stack_name=stack_name, region=region, api_url=api_url,
                  parameters={"TokenAudiences": f"{api_url}/oauth/token", "Issuer": api_url, **overrides})
    tables.create(stack, dynamo.client())
    if moto is not None:  # an external DynamoDB enforces its own limits
        moto.schemas.update(tables.schemas(stack))
    os.environ.update(tables.environment(stack))
    from oauth_core.config import settings

    settings.cache_clear()  # read before the tables were named (the client's timeouts): read them again
    seeded = seed_if_empty(os.environ["CLIENTS_TABLE"])

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_PROFILE", "AWS_SESSION"))}
    env["SECURE_COOKIES"] = "false"  # plain http on loopback: a Secure cookie would never come back
    # moto serves one request at a time: twenty racing requests can queue for seconds, which DynamoDB never does.
    env["DYNAMODB_READ_TIMEOUT"] = "8"
    gateway = Gateway(stack, {**env, **aws_env})
    gateway.warm()
    httpd = server(gateway, HOST, port)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    _banner(stack, api_url, dynamodb_url, region, seeded, gateway, time.monotonic() - started)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    httpd.shutdown()
    gateway.close()
    if moto:
        moto.stop()
    return 0


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _authorize_url(api_url: str, seeded: Seeded) -> str:
    from urllib.parse import urlencode

    from local.seed import DEMO_REDIRECT_URIS, DEMO_SCOPES

    query = urlencode({"client_id": seeded.client_id, "response_type": "code", "scope": DEMO_SCOPES[0],
                       "redirect_uri": DEMO_REDIRECT_URIS[1], "state": "1956901292"})
    return f"{api_url}/oauth/authorize?{query}"


def _banner(stack: Stack, api_url: str, dynamodb_url: str, region: str, seeded: Seeded, gateway: Gateway,
            elapsed: float) -> None:
    where = "at" if os.environ.get("DYNAMODB_URL") else "on moto at"
    lines = [f"Local OAuth server (stack {stack.stack_name!r}, from template.yaml), DynamoDB {where} {dynamodb_url}",
             ""]
    for method, _, resource, _, authorizer in gateway.routes:
        guard = f"   (Lambda authorizer {authorizer})" if authorizer else ""
        lines.append(f"  {method:<5} {api_url}{resource}{guard}")
    lines += ["", f"Demo client: {seeded.client_id}"]
    if seeded.client_secret:
        lines.append(f"  secret:    {seeded.client_secret}   (shown once; new on every start)")
    else:
        lines.append("  (the store already had clients: secret unchanged)")
    lines += [f"Demo user:   {seeded.username} / {seeded.password}", "",
              "Authorization code flow: open this in a browser, sign in as the demo user and approve:",
              f"  {_authorize_url(api_url, seeded)}", "",
              "In another shell, for curl, oauthctl and the AWS CLI:",
              f"export OAUTH_URL={api_url}",
              f"export AWS_ENDPOINT_URL_DYNAMODB={dynamodb_url} AWS_REGION={region} AWS_DEFAULT_REGION={region}",
              "export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing",
              f"export OAUTHCTL_STACK={stack.stack_name}"]
    if seeded.client_secret:
        lines.append(f"export CLIENT_ID={seeded.client_id} CLIENT_SECRET={seeded.client_secret}")
    lines += ["", f"Ready in {elapsed:.1f}s. Ctrl-C to stop."]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
