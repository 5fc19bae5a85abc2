"""The request and response every endpoint works with, free of any web framework or event shape.

``apigateway`` builds a ``Request`` from an API Gateway event and turns a ``Response`` into its answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from oauth_core.errors import InvalidRequest

if TYPE_CHECKING:
    from collections.abc import Mapping

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str]  # lower-cased names
    query: Mapping[str, list[str]]
    form: Mapping[str, list[str]]
    request_id: str
    endpoint_url: str = ""  # https://{domainName}{path} as API Gateway saw it (not the Host header)
    authorizer: Mapping[str, str] = field(default_factory=dict)  # context a Lambda authorizer passed on
    source_ip: str = ""  # requestContext.identity.sourceIp: the TCP peer API Gateway saw (not X-Forwarded-For)

    def param(self, name: str) -> str | None:
        """A form parameter; RFC 6749 §3.1: parameters must not be repeated."""
        return _single(self.form, name)

    def required(self, name: str) -> str:
        """A form parameter that must be present and non-empty."""
        value = self.param(name)
        if not value:
            raise InvalidRequest(f"parameter {name} is required")
        return value

    def query_param(self, name: str) -> str | None:
        return _single(self.query, name)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    """RFC 6749 §3.1: a parameter sent without a value is treated as omitted."""
    values = [v for v in params.get(name) or () if v]
    if not values:
        return None
    if len(values) > 1:
        raise InvalidRequest(f"parameter {name} is repeated")
    return values[0]
