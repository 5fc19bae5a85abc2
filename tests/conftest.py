"""Shared fixtures: fake AWS credentials, tables built from template.yaml on moto, handlers and events."""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from local import events, tables
from local.template import Stack
from local.worker import LambdaContext
from tests.derived import handler_by_path

if TYPE_CHECKING:
    from collections.abc import Callable

FUNCTION_ENV = Stack().functions()[0].environment


def pytest_configure(config: pytest.Config) -> None:
    """The functions' environment from the template before test modules import the layer (Powertools
    reads its namespace and service name when ``oauth_core.observability`` is imported)."""
    for name, value in FUNCTION_ENV.items():
        os.environ.setdefault(name, value)


def _reset_caches() -> None:
    from oauth_core.config import settings
    from oauth_core.storage import client_cache, dynamo

    settings.cache_clear()
    dynamo.forget_clients()
    client_cache.clear()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and the functions' environment from the template, before any client exists."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    for name, value in FUNCTION_ENV.items():
        monkeypatch.setenv(name, value)
    _reset_caches()
    yield
    _reset_caches()


@pytest.fixture
def stack() -> Stack:
    """The template resolved under a stack name of its own: uniquely named tables per test."""
    return Stack(stack_name=f"t{uuid.uuid4().hex[:10]}")


@pytest.fixture
def dynamodb(stack: Stack, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Any:
    """moto in-process, started before any boto3 client, with every table of template.yaml, refusing
    like DynamoDB what moto would let through (key, item, batch and transaction limits): a test whose
    code path hits such a limit fails here even if its own assertions would pass."""
    from moto import mock_aws

    from tests.dynamodb_faults import strict

    with mock_aws():
        for name, value in tables.environment(stack).items():
            monkeypatch.setenv(name, value)
        _reset_caches()
        from oauth_core.storage import dynamo

        tables.create(stack, dynamo.client())
        refused = strict(dynamo.client(), tables.schemas(stack))
        yield dynamo.client()
        if not request.node.get_closest_marker("dynamodb_refuses"):
            assert not refused, f"real DynamoDB would have refused: {refused}"


@pytest.fixture
def make_client(dynamodb: Any):
    """Register a client through oauth_core's storage; returns ``(client_id, secret)``."""
    from oauth_core.hashing import digest, random_secret
    from oauth_core.storage import clients

    def make(client_id: str | None = None, *, public: bool = False,
             grant_types: tuple[str, ...] = ("client_credentials", "password", "refresh_token"),
             scopes: tuple[str, ...] = ("read", "write"), **fields: Any) -> tuple[str, str | None]:
        client_id = client_id or f"client-{uuid.uuid4().hex[:8]}"
        secret = None if public else random_secret()
        clients.create(clients.Client(client_id=client_id, secret_hash=digest(secret) if secret else None,
                                      grant_types=frozenset(grant_types), scopes=frozenset(scopes),
                                      created_at=int(time.time()), **fields))
        return client_id, secret

    return make


@pytest.fixture
def make_user(dynamodb: Any):
    from oauth_core.hashing import hash_password
    from oauth_core.storage import users

    def make(username: str = "alice", password: str = "correct horse", **fields: Any) -> tuple[str, str]:
        users.create(users.User(username, hash_password(password), created_at=int(time.time()), **fields))
        return username, password

    return make


class Api:
    """Invoke handlers with the same proxy events the local stack and API Gateway build."""

    ROUTES = handler_by_path()  # {path: (function, default method)}, from template.yaml

    def __init__(self) -> None:
        self._handlers: dict[str, Callable[..., Any]] = {}

    def handler(self, name: str) -> Callable[..., Any]:
        if name not in self._handlers:
            self._handlers[name] = next(f for f in Stack().functions() if f.name == name).load()
        return self._handlers[name]

    def invoke(self, name: str, event: dict[str, Any]) -> dict[str, Any]:
        context = LambdaContext(function_name=name, memory_limit_in_mb=512, aws_request_id=str(uuid.uuid4()),
                                invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
                                deadline=time.time() + 10)
        return self.handler(name)(event, context)

    def call(self, path: str, *, data: dict[str, str] | list[tuple[str, str]] | str | bytes | None = None,
             query: str = "", headers: dict[str, str] | None = None, auth: tuple[str, str] | None = None,
             method: str | None = None, source_ip: str = "127.0.0.1") -> Response:
        from urllib.parse import urlencode

        name, default_method = self.ROUTES[path]
        hdrs = dict(headers or {})
        if auth is not None:
            import base64

            hdrs["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        if isinstance(data, (dict, list)):
            body = urlencode(data).encode()
        elif isinstance(data, str):
            body = data.encode()
        else:
            body = data or b""
        if body and not any(k.lower() == "content-type" for k in hdrs):
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        event = events.build(method or default_method, path, query, list(hdrs.items()), body, path, source_ip)
        return Response(self.invoke(name, event))


class Response:
    def __init__(self, proxy: dict[str, Any]) -> None:
        self.proxy = proxy
        self.status: int = proxy["statusCode"]
        self.headers: dict[str, str] = {k.lower(): v for k, v in (proxy.get("headers") or {}).items()}
        self.text: str = proxy.get("body") or ""

    def json(self) -> Any:
        return json.loads(self.text)


@pytest.fixture
def api(dynamodb: Any) -> Api:
    return Api()


@pytest.fixture
def handlers() -> Api:
    """Handlers on whatever DynamoDB the environment points at (the ``api`` fixture adds moto in-process)."""
    return Api()


def make_certificate(key_type: str = "rsa", bits: int = 2048, days: int = 30) -> tuple[Any, str]:
    """A private key and a self-signed PEM certificate for it; ``days < 0`` makes an expired one."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(65537, bits) if key_type == "rsa" else ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "client")])
    now = datetime.datetime.now(datetime.UTC)
    not_before = now + datetime.timedelta(days=min(days, 0) - 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(not_before)
            .not_valid_after(now + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
