"""Powertools Logger and Metrics shared by every handler.

Logs never carry tokens, codes, secrets or passwords: only ids, grant types and error codes.
Metrics go out as CloudWatch embedded metric format (EMF) on stdout, no API calls on the request path.
Each data point is its own EMF document carrying exactly its documented dimension (README, "Metrics"),
so ``CodeReplays{grant_type}`` and ``OAuthErrors{error}`` of one request stay two metrics that alarms
find, never one metric under the union of both requests' dimensions.
"""

from __future__ import annotations

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.base import SingleMetric

logger = Logger()


def count(name: str, dimension: str, value: str) -> None:
    """One data point of ``name`` with the single dimension ``dimension=value``, written at once.

    Powertools' ``single_metric`` with one change: no ``service`` dimension (the stack has one service,
    and the documented names, which the template's alarms and dashboard use, have none).
    """
    metric = SingleMetric(service="")
    metric.add_metric(name=name, unit=MetricUnit.Count, value=1)
    metric.add_dimension(name=dimension, value=value)
    print(json.dumps(metric.serialize_metric_set(), separators=(",", ":")))
