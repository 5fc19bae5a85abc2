"""Published us-east-1 prices (the one table the cost figures use) and the cost model."""

from __future__ import annotations

import math

PRICES = {
    "api_gateway_rest_per_million": 3.50,
    "lambda_requests_per_million": 0.20,
    "lambda_arm64_per_gb_second": 0.0000133334,
    "dynamodb_write_units_per_million": 0.625,
    "dynamodb_read_units_per_million": 0.125,
    "cloudwatch_logs_ingestion_per_gb": 0.50,
    "cognito_client_credentials_per_million": 2250.00,
}
LAMBDA_MEMORY_GB = 0.5  # MemorySize 512 in template.yaml
DYNAMODB_ROUND_TRIP_MS = 5.0  # assumed in-region latency of one DynamoDB call from Lambda


def floor_per_million() -> float:
    """API Gateway + Lambda request price: what any Lambda-behind-REST-API request costs."""
    return PRICES["api_gateway_rest_per_million"] + PRICES["lambda_requests_per_million"]


def billed_ms(cpu_ms: float, round_trips: int) -> int:
    """Lambda bills whole milliseconds: our CPU time plus waiting on DynamoDB."""
    return max(1, math.ceil(cpu_ms + round_trips * DYNAMODB_ROUND_TRIP_MS))


def per_million(read_units: float, write_units: float, duration_ms: int, log_bytes: float) -> dict[str, float]:
    duration = PRICES["lambda_arm64_per_gb_second"] * LAMBDA_MEMORY_GB * duration_ms / 1000 * 1_000_000
    parts = {
        "api_gateway": PRICES["api_gateway_rest_per_million"],
        "lambda_requests": PRICES["lambda_requests_per_million"],
        "lambda_duration": duration,
        "dynamodb_reads": PRICES["dynamodb_read_units_per_million"] * read_units,
        "dynamodb_writes": PRICES["dynamodb_write_units_per_million"] * write_units,
        "cloudwatch_logs": PRICES["cloudwatch_logs_ingestion_per_gb"] * log_bytes * 1_000_000 / 1e9,
    }
    parts["total"] = sum(parts.values())
    return {k: round(v, 4) for k, v in parts.items()}
