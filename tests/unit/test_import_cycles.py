"""The layer has no import cycle: no module imports, directly or through others, a module that imports it.

Imports inside functions count (they run on some request's path, and a cycle there fails on that path
only); imports under ``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from local.template import ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

LAYER = ROOT / "layers" / "oauth_core"


def _module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
    return name == "TYPE_CHECKING"


def _imports(statements: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, at any depth (functions, classes, try, with, if)."""
    for statement in statements:
        if isinstance(statement, ast.If) and _is_type_checking(statement.test):
            yield from _imports(statement.orelse)
            continue
        if isinstance(statement, ast.Import | ast.ImportFrom):
            yield statement
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(statement, field, []):
                yield from _imports(child.body if isinstance(child, ast.excepthandler | ast.match_case) else [child])


def _targets(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """The layer's modules an import statement runs: ``from pkg import name`` runs ``pkg.name`` when that
    is a module, ``pkg`` otherwise."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = importer if is_package else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    base = ".".join(p for p in (base if node.level else "", node.module or "") if p)
    for alias in node.names:
        yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base


def _with_packages(module: str) -> Iterator[str]:
    """Importing ``a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``."""
    parts = module.split(".")
    yield from (".".join(parts[:i]) for i in range(1, len(parts) + 1))


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Each module of ``package`` (under ``root``) and the modules of the package it imports. A module's
    own enclosing packages are left out: they are already being imported when it runs."""
    files = {_module_name(root, path): path for path in sorted((root / package).rglob("*.py"))}
    known = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        own = set(_with_packages(name))
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = {
            module
            for node in _imports(tree.body)
            for target in _targets(node, name, is_package, known)
            for module in _with_packages(target)
            if module in known and module not in own
        }
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle as ``[a, b, ..., a]``, or ``[]`` when there is none (depth-first search)."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str]:
        if module in path:
            return [*path[path.index(module):], module]
        if module in done:
            return []
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            if cycle := visit(imported):
                return cycle
        path.pop()
        done.add(module)
        return []

    for module in sorted(graph):
        if cycle := visit(module):
            return cycle
    return []


def test_the_layer_has_no_import_cycle() -> None:
    from oauth_core import grants

    graph = import_graph(LAYER, "oauth_core")
    # grants.lookup imports each registered grant module by name (importlib): edges no import statement shows.
    graph["oauth_core.grants"] |= {f"oauth_core.grants.{r.module}" for r in grants.REGISTRY.values() if r.module}
    assert {"oauth_core.http", "oauth_core.responses", "oauth_core.storage.dynamo"} <= set(graph)
    cycle = find_cycle(graph)
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("def f():\n    from .. import c\n")
    (package / "c.py").write_text("import pkg.a\n")
    assert find_cycle(import_graph(tmp_path, "pkg")) == ["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]


def test_imports_under_type_checking_are_not_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n")
    assert find_cycle(import_graph(tmp_path, "pkg")) == []
