"""One cold start, measured from inside a fresh process: ``python -m benchmarks.cold_child`` with a JSON
job on stdin. ``floor`` only imports boto3, makes a DynamoDB client and a Powertools Logger."""

import time

STARTED = time.perf_counter()

import json  # noqa: E402 - after the clock starts, on purpose
import sys  # noqa: E402


def main() -> None:
    job = json.loads(sys.stdin.read())
    if job["mode"] == "floor":
        import boto3
        from aws_lambda_powertools import Logger

        boto3.client("dynamodb")
        Logger()
        answer = None
    else:
        import importlib.util

        spec = importlib.util.spec_from_file_location("app", job["handler_file"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)

        class Context:
            function_name, memory_limit_in_mb, aws_request_id = "bench", 512, "cold-start"
            invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"

            def get_remaining_time_in_millis(self) -> int:
                return 10_000

        answered = module.lambda_handler(job["event"], Context())
        # a proxy answer's status, or an authorizer's policy effect
        answer = answered.get("statusCode") or answered["policyDocument"]["Statement"][0]["Effect"]
    elapsed = (time.perf_counter() - STARTED) * 1000
    sys.stderr.write(json.dumps({"ms": elapsed, "status": answer}) + "\n")


if __name__ == "__main__":
    main()
