"""Load on the local stack (`make run`'s process): N concurrent clients for a fixed time per scenario,
bounded in count and time; then every token a 200 answered must be in DynamoDB exactly once."""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import requests

from local import launcher


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def _scenario(name: str, step: Any, clients: int, seconds: float, max_requests: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    issued: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        session = requests.Session()
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            with lock:
                if len(latencies) >= max_requests:
                    return
            started = time.perf_counter()
            status, token = step(session, state, index)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                if token:
                    issued.append(token)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    elapsed = time.monotonic() - started
    errors = sum(n for status, n in statuses.items() if status != 200)
    return {"scenario": name, "clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies),
            "requests_per_second": round(len(latencies) / elapsed, 1), "errors": errors, "statuses": statuses,
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p99_ms": round(_percentile(latencies, 99), 1), "issued": issued}


def run(clients: int = 8, seconds: float = 10.0, max_requests: int = 5000) -> dict[str, Any]:
    stack = launcher.start()
    try:
        url, auth = stack.url, (stack.client_id, stack.client_secret)

        def client_credentials(session: requests.Session, state: dict, index: int) -> tuple[int, str | None]:
            r = session.post(f"{url}/oauth/token", data={"grant_type": "client_credentials"}, auth=auth, timeout=30)
            return r.status_code, r.json().get("access_token") if r.status_code == 200 else None

        probe = requests.post(f"{url}/oauth/token", data={"grant_type": "client_credentials"}, auth=auth, timeout=30)
        access = probe.json()["access_token"]

        def tokeninfo(session: requests.Session, state: dict, index: int) -> tuple[int, str | None]:
            r = session.get(f"{url}/oauth/tokeninfo", params={"access_token": access}, timeout=30)
            return r.status_code, None

        def refresh(session: requests.Session, state: dict, index: int) -> tuple[int, str | None]:
            if "refresh" not in state:
                r = session.post(f"{url}/oauth/token", auth=auth, timeout=30,
                                 data={"grant_type": "password", "username": "admin", "password": "changeme"})
                state["refresh"] = r.json()["refresh_token"]
            r = session.post(f"{url}/oauth/token", auth=auth, timeout=30,
                             data={"grant_type": "refresh_token", "refresh_token": state["refresh"]})
            if r.status_code == 200:
                state["refresh"] = r.json()["refresh_token"]
                return 200, r.json()["access_token"]
            return r.status_code, None

        results = [_scenario(name, step, clients, seconds, max_requests)
                   for name, step in (("client_credentials", client_credentials), ("tokeninfo", tokeninfo),
                                      ("refresh_token", refresh))]
        stored = _stored_access_tokens(stack.dynamodb_url)
        from oauth_core.hashing import digest

        for result in results:
            issued = result.pop("issued")
            hashes = [digest(t) for t in issued]
            result["duplicated_tokens"] = len(hashes) - len(set(hashes))
            result["lost_tokens"] = sum(1 for h in hashes if h not in stored)
        return {"startup_seconds": round(stack.startup_seconds, 2), "scenarios": results}
    finally:
        stack.stop()


def _stored_access_tokens(endpoint: str) -> set[str]:
    import boto3

    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    hashes: set[str] = set()
    for page in client.get_paginator("scan").paginate(TableName="local-tokens", ConsistentRead=True):
        hashes.update(item["token_hash"]["S"] for item in page["Items"] if item["kind"]["S"] == "access")
    return hashes
