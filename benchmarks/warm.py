"""Warm requests: CPU per request measured directly (benchmarks/cpu.py replays moto's answers without
moto), the round trips and read/write units of each operation, and, as a secondary figure, handler time
on moto vs the same DynamoDB calls issued bare through boto3."""

from __future__ import annotations

import copy
import statistics
import time
from typing import Any

from benchmarks import cpu
from benchmarks.capacity import Recorder
from benchmarks.quiet import stdout_to_devnull
from benchmarks.scenarios import Bench, configure_env
from local.template import Stack


def _timed(fn: Any, arg: Any) -> float:
    wall = time.perf_counter()
    fn(arg)
    return (time.perf_counter() - wall) * 1000


def run(requests: int = 200) -> dict[str, Any]:
    from botocore import xform_name
    from botocore.exceptions import ClientError
    from moto import mock_aws

    stack = Stack(stack_name="bench")
    configure_env(stack)
    results: dict[str, Any] = {}
    with mock_aws(), stdout_to_devnull():
        bench = Bench(stack)
        client = bench.client
        for name, (prepare, operation) in bench.operations().items():
            count = max(10, requests // 10) if name in ("password", "login") else requests  # Argon2id: 40 ms each
            for _ in range(10):
                operation(prepare())
            inputs = prepare()
            recorder = Recorder().attach(client)
            captured: list[tuple[str, dict[str, Any]]] = []

            def capture(params: dict[str, Any], model: Any, _captured: list = captured, **_: Any) -> None:
                _captured.append((model.name, copy.deepcopy(params)))

            client.meta.events.register("provide-client-params.dynamodb.*", capture)
            recording = cpu.record(client, lambda _op=operation, _in=inputs: _op(_in))
            client.meta.events.unregister("provide-client-params.dynamodb.*", capture)
            recorder.detach(client)
            handler = [_timed(operation, prepare()) for _ in range(count)]
            calls = [(getattr(client, xform_name(op)), params) for op, params in captured]

            def bare(_: Any, _calls: list = calls) -> None:
                for method, params in _calls:
                    try:
                        method(**params)
                    except ClientError:  # a repeated condition (the session already moved on) costs the same
                        pass

            floor = [_timed(bare, None) for _ in range(count)]
            h_wall, f_wall = statistics.median(handler), statistics.median(floor)
            # moto paused: the recorded request answered from its recording, many times, for its CPU alone
            # (last: replayed answers never reach the tables, so state the operation keeps goes stale).
            cpu_figures = cpu.measure(client, operation, inputs, recording, count)
            results[name] = {
                "requests": count,
                "round_trips": len(recorder.calls),
                "calls": recorder.calls,
                "read_units": recorder.read_units,
                "write_units": recorder.write_units,
                "units_by_table": recorder.by_table,
                "largest_item_bytes": recorder.largest_item,
                "handler_ms_median": round(h_wall, 3),
                "bare_dynamodb_ms_median": round(f_wall, 3),
                "warm_ratio": round(h_wall / f_wall, 3),
                **cpu_figures,
            }
    return results
