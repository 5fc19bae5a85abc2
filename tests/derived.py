"""Lists the tests would otherwise write by hand, derived from template.yaml and config.py: a route, table or
environment variable added there reaches every test that walks such a list (STYLE.md habit 9)."""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

from local.template import Stack


def direct_routes() -> list[tuple[str, str, str]]:
    """``(function, method, path)`` of every route API Gateway hands straight to a function; a route behind a
    Lambda authorizer is left out (the authorizer answers first, and the tests invoke it on its own)."""
    return [(f.name, r.method, r.path) for f in Stack().functions() for r in f.routes if r.authorizer is None]


def handler_by_path() -> dict[str, tuple[str, str]]:
    """``{path: (function, default method)}``: GET where the path has one (a page, a document), else its one
    method besides the CORS preflight."""
    methods: dict[str, dict[str, str]] = {}
    for name, method, path in direct_routes():
        methods.setdefault(path, {})[method] = name
    found = {}
    for path, named in methods.items():
        (method,) = ["GET"] if "GET" in named else [m for m in named if m != "OPTIONS"]
        found[path] = (named[method], method)
    return found


def table_variables() -> set[str]:
    """The environment variables that name a DynamoDB table (a ``!Ref`` to a table, or an ``!If`` between one and
    an existing table's name)."""
    resources = Stack().resources
    variables = Stack().template["Globals"]["Function"]["Environment"]["Variables"]

    def names_table(value: Any) -> bool:
        if isinstance(value, dict) and "Ref" in value:
            return (resources.get(value["Ref"]) or {}).get("Type") == "AWS::DynamoDB::Table"
        if isinstance(value, dict) and "Fn::If" in value:
            return any(names_table(v) for v in value["Fn::If"][1:])
        return False

    return {name for name, value in variables.items() if names_table(value)}


class _Recording(dict[str, str]):
    """``os.environ`` that remembers every name looked up, set or not."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


def settings_variables() -> set[str]:
    """The environment variables ``oauth_core.config.settings()`` reads, recorded while it builds the settings
    from the functions' environment (so a renamed or added variable is seen without reading the source)."""
    from oauth_core import config

    recording = _Recording(dict(os.environ))
    with mock.patch.object(os, "environ", recording):
        config.settings.cache_clear()
        config.settings()
    config.settings.cache_clear()
    return recording.read
