"""Powertools Logger and Metrics shared by every handler.

Logs never carry tokens, codes, secrets or passwords: only ids, grant types and error codes.
Metrics go out as CloudWatch embedded metric format on stdout when the handler returns (no API
calls on the request path); every invocation records exactly one data point.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
metrics = Metrics()


def count(name: str, dimension: str, value: str) -> None:
    """One data point of ``name`` for this invocation, dimensioned by ``dimension=value``.

    Used as TokensIssued{grant_type}, TokensRevoked{kind}, TokenInfo{result}, OAuthErrors{error}.
    """
    metrics.add_dimension(name=dimension, value=value)
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
