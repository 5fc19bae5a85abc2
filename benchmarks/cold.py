"""Cold init of each handler: a fresh process imports it and serves one request that reaches DynamoDB
(a real client, a valid token; DynamoDB on moto's server over loopback), against a floor process that
only imports boto3, makes a DynamoDB client and a Powertools Logger. Runs alternate and the figure is
the ratio of medians."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from typing import Any
from urllib.parse import urlencode

from benchmarks.quiet import stdout_to_devnull
from benchmarks.scenarios import RESOURCE_SERVER_ID, Bench, configure_env
from local.launcher import free_port
from local.template import ROOT, Stack


def _child(job: dict[str, Any], env: dict[str, str]) -> float:
    done = subprocess.run([sys.executable, "-m", "benchmarks.cold_child"], input=json.dumps(job), env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    result = json.loads(done.stderr.strip().splitlines()[-1])
    if job["mode"] != "floor" and result["status"] not in (200, "Allow"):
        raise RuntimeError(f"cold {job['handler_file']} answered {result['status']}")
    return result["ms"]


def run(rounds: int = 7) -> dict[str, Any]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{port}"
        stack = Stack(stack_name="cold")
        configure_env(stack)
        with stdout_to_devnull():
            bench = Bench(stack)
            access = bench.token(grant_type="client_credentials")["access_token"]
            revocable = [bench.token(grant_type="client_credentials")["access_token"] for _ in range(rounds)]
        functions = {f.name: f for f in stack.functions()}
        # Lambda's file system is read-only, so the layer ships its bytecode (make build compiles it);
        # let the children write and reuse __pycache__ as boto3's own site-packages already have.
        env = {**os.environ, "PYTHONPATH": str(functions["token"].layer_dirs[0])}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        jobs = {
            "token": lambda i: bench.event("POST", "/oauth/token", {"grant_type": "client_credentials"}),
            "revoke": lambda i: bench.event("POST", "/oauth/revoke", {"token": revocable[i]}),
            "tokeninfo": lambda i: bench.event("GET", "/oauth/tokeninfo", query=urlencode({"access_token": access})),
            "authorize": lambda i: bench.authorize_event(),
            "protected": lambda i: bench.bearer_event(access),
            "authorizer": lambda i: bench.bearer_event(access, authorizer=True),
            "introspect": lambda i: bench.event("POST", "/oauth/introspect", {"token": access}, authenticate=False,
                                                basic=(RESOURCE_SERVER_ID, bench.rs_secret)),
            "metadata": lambda i: bench.event("GET", "/.well-known/oauth-authorization-server"),
        }
        samples: dict[str, list[float]] = {name: [] for name in [*jobs, "floor"]}
        for i in range(rounds):
            samples["floor"].append(_child({"mode": "floor"}, env))
            for name, event in jobs.items():
                function = functions[name]
                job = {"mode": "handler", "handler_file": str(function.code_dir / "app.py"), "event": event(i)}
                samples[name].append(_child(job, {**env, **function.environment}))
    finally:
        os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
        server.stop()
    floor = statistics.median(samples["floor"])
    return {"floor_ms_median": round(floor, 1), "rounds": rounds, **{
        name: {"init_and_first_request_ms_median": round(statistics.median(values), 1),
               "ratio_to_floor": round(statistics.median(values) / floor, 3)}
        for name, values in samples.items() if name != "floor"}}
