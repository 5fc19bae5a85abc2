"""README.md and benchmarks/README.md against the code, where a statement can be checked mechanically: the
configuration table is template.yaml's Parameters, the routes, functions, queries, make targets and files named
exist, and the Layout block names every module of the layer (the oauthctl examples: test_docs_match_oauthctl.py)."""

from __future__ import annotations

import json
import re

import pytest

from local.template import ROOT, Stack, load
from tests.readme import README, fenced, section, table, ticked

TEMPLATE = load()
LAYER = ROOT / "layers" / "oauth_core" / "oauth_core"


# -- configuration, routes, make targets ----------------------------------------------------------------
def _configuration() -> list[tuple[list[str], list[str], str]]:
    """``(parameters, variables, default)`` of each row of the configuration table."""
    rows = []
    for parameters, variables, default, _ in table("| parameter | variable | default | meaning |"):
        names = [n for cell in ticked(parameters) for n in re.split(r",\s*", cell)]
        rows.append((names, ticked(variables), default))
    return rows


def test_the_configuration_table_lists_exactly_the_templates_parameters():
    named = [name for names, _, _ in _configuration() for name in names]
    assert len(named) == len(set(named)), "each parameter once"
    assert set(named) == set(TEMPLATE["Parameters"])


def test_the_configuration_table_states_the_templates_defaults():
    """``1 / 3000`` gives the defaults of two parameters in order; ``(empty)`` is an empty default."""
    parameters = TEMPLATE["Parameters"]
    for names, _, default in _configuration():
        if not names:
            continue
        defaults = [d.strip().strip("`") for d in default.split(" / ")]
        defaults = defaults if len(defaults) == len(names) else defaults * len(names)
        for name, stated in zip(names, defaults, strict=True):
            actual = str(parameters[name].get("Default", "")).lower()
            assert (stated.lower() if stated != "(empty)" else "") == actual, name


def test_the_configuration_table_names_every_variable_and_what_sets_it():
    """A parameter's variable is set from that parameter; a fixed one to the stated value (in the template, or
    by config.py's default when the template does not set it); every variable read or set is in the table."""
    from tests.derived import settings_variables

    environment = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    per_function = {n: v for f in TEMPLATE["Resources"].values() if f["Type"] == "AWS::Serverless::Function"
                    for n, v in ((f["Properties"].get("Environment") or {}).get("Variables") or {}).items()}
    environment = {**per_function, **environment}
    documented = set()
    for names, variables, default in _configuration():
        documented.update(variables)
        for variable in variables:
            value = json.dumps(environment.get(variable))
            if names:
                assert any(f'"{name}"' in value for name in names), (variable, names, value)
            elif variable in environment and isinstance(environment[variable], str):
                stated = dict(zip(variables, default.split(" / "), strict=True))[variable]
                assert environment[variable] == stated, variable
    assert documented >= settings_variables() | set(environment)


def _routes() -> set[tuple[str, str]]:
    return {(r.method, r.path) for f in Stack().functions() for r in f.routes}


def test_the_endpoint_table_lists_exactly_the_templates_routes():
    """CORS preflights (OPTIONS) are described in prose, not in the table."""
    listed = set()
    for endpoint, _ in table("| endpoint | what it does |"):
        methods, path = endpoint.strip("`").rsplit(" ", 1)
        listed.update((m.strip(), path) for m in methods.split(","))
    assert listed == {(m, p) for m, p in _routes() if m != "OPTIONS"}


def test_the_least_privilege_table_names_every_function_once():
    listed = [name for function, _ in table("| function | may |") for name in ticked(function)]
    assert sorted(listed) == sorted(f.logical_id for f in Stack().functions())


def test_the_saved_queries_table_lists_exactly_the_templates_queries():
    queries = [r["Properties"]["Name"]["Fn::Sub"].split("/", 1)[1] for r in TEMPLATE["Resources"].values()
               if r["Type"] == "AWS::Logs::QueryDefinition"]
    listed = [name for query, _ in table("| saved query | filter |") for name in ticked(query)]
    assert sorted(listed) == sorted(queries)


def test_routes_named_in_the_text_exist():
    paths = {p for _, p in _routes()}
    named = re.findall(r"\b((?:GET|POST)(?:[,|] ?(?:GET|POST))*) (/[\w./-]*\w)", README)
    assert len(named) >= 10
    for methods, path in named:
        for method in re.split(r"[,|] ?", methods):
            assert (method, path) in _routes(), f"README names {method} {path}"
    for path in re.findall(r"`(/(?:oauth|\.well-known)/[\w./-]*\w)[`?]", README):
        assert path in paths, f"README names {path}"


def test_make_targets_named_exist():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    named = set(re.findall(r"`make ([a-z][a-z-]*)", README))
    for body in fenced(README):
        named.update(re.findall(r"^(?:\$ )?make ([a-z][a-z-]*)", body, re.M))
    assert {"run", "test", "bench"} <= named
    assert named <= targets, named - targets


# -- files, layout --------------------------------------------------------------------------------------
def _tracked_files() -> list[str]:
    return [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*") if p.is_file()
            and not {".git", ".venv", ".aws-sam", "__pycache__"} & set(p.relative_to(ROOT).parts)]


@pytest.mark.parametrize("readme", ["README.md", "benchmarks/README.md"])
def test_files_named_exist(readme):
    """A file in backticks exists somewhere in the tree (`storage/client_cache.py` under the layer); a linked
    one at its path; a ``file.py::test`` names a test of that file."""
    text = (ROOT / readme).read_text()
    files = _tracked_files()
    for name in re.findall(r"`([\w./-]+\.(?:py|md|json|yaml|toml|txt|png))(?:::\w+)?`", text):
        assert any(f == name or f.endswith(f"/{name}") for f in files), f"{readme} names {name}"
    for link in re.findall(r"\]\(([\w./-]+)\)", text):
        assert (ROOT / link).exists(), f"{readme} links {link}"
    for name, test in re.findall(r"`([\w./-]+\.py)::(\w+)`", text):
        (path,) = [f for f in files if f.endswith(f"/{name}")]
        assert f"def {test}(" in (ROOT / path).read_text(), f"{readme} names {name}::{test}"


def _layout() -> str:
    (block,) = [b for b in fenced(section("## Layout")) if b.startswith("SECURITY.md")]
    return block


def test_files_and_directories_in_the_layout_exist():
    for line in _layout().splitlines():
        if line.startswith(" "):  # the description goes on
            continue
        entry = re.split(r"\s{2,}", line)[0]
        if entry.startswith("tests/"):  # "tests/unit, integration, cli, e2e, deploy"
            names = [f"tests/{n.strip()}" for n in entry.removeprefix("tests/").split(",")]
        else:
            names = [n.strip() for n in entry.split(",")]
        for name in names:
            assert (ROOT / name.replace("<endpoint>", "token")).exists(), f"Layout names {name}"


def _words(layout: str, package: str) -> set[str]:
    """The words of the Layout block, or of a package's part of it: ``storage/ (clients, users, ...)``."""
    if package != ".":
        start = layout.index(f"{package}/ (")
        layout = layout[start:layout.index(")", start)]
    return set(re.findall(r"\w+", layout))


def test_the_layout_names_every_module_of_the_layer():
    """Every module of layers/oauth_core/oauth_core/ (and its packages) by name, without ``.py``: the list a
    maintainer reads first must match the tree. Grant modules are listed by the grant registry instead (a new
    grant is one module and one registry line: test_grant_registry.py checks each module has its line)."""
    text = _layout()
    assert "grants/ (one module per grant type, each on a line of grants/__init__.py's REGISTRY)" in " ".join(
        text.split())
    missing = []
    for path in sorted(LAYER.rglob("*.py")):
        relative = path.relative_to(LAYER)
        if relative.name == "__init__.py" or relative.parent.as_posix() == "grants":
            continue
        name = relative.with_suffix("").as_posix()
        if relative.stem not in _words(text, relative.parent.as_posix()) and name not in text:
            missing.append(name)
    assert not missing, f"the Layout block of README.md does not name {missing}"


# -- benchmarks/README.md ---------------------------------------------------------------------------------
def test_the_benchmarks_readme_is_what_the_committed_results_give():
    """benchmarks/README.md is written by `make bench` from results.json: edited by hand, or left behind by
    a run whose results were not committed, it no longer matches."""
    from benchmarks.__main__ import report

    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    assert report(results) == (ROOT / "benchmarks" / "README.md").read_text()


def _number(pattern: str) -> str:
    (found,) = re.findall(pattern, README)
    return found


def _rounded(value: float) -> str:
    return str(int(value + 0.5))  # "about 21 ms" for 20.5, as people round


def test_the_readmes_cost_and_speed_figures_are_the_committed_benchmark_results():
    """README quotes `make bench`'s latest run; after a new run its figures are updated with results.json."""
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    token = results["warm"]["client_credentials"]["dollars_per_million"]
    assert _number(r"costs \*\*about \$([\d.]+) per million\*\*") == f"{token['total']:.2f}"
    assert _number(r"\(\$([\d.]+) of the figure; \$[\d.]+ without\)") == f"{token['cloudwatch_logs']:.2f}"
    assert _number(r"of the figure; \$([\d.]+) without\)") == f"{token['total'] - token['cloudwatch_logs']:.2f}"
    assert _number(r"charge for any request is \$([\d.]+)\.") == f"{results['floor_dollars_per_million']:.2f}"
    (busiest,) = [s for s in results["scale"] if s["rate"] == 10_000]
    assert _number(r"about (\d+) reads/s at\s+10,000 requests/s") == _rounded(busiest["load"]["client_key_reads"])
    ratios = [c["ratio_to_floor"] for name, c in results["cold"].items()
              if isinstance(c, dict) and name != "metadata"]
    assert _number(r"within about ([\d.]+-[\d.]+)x of a bare") == f"{min(ratios):.2f}-{max(ratios):.2f}"
    hashing = results["password_hash"]
    assert _number(r"1 lane; about (\d+) ms\s+of CPU") == _rounded(hashing["argon2id_cpu_ms_median"])
    assert _number(r"~(\d+) ms at 512 MB arm64: \$") == _rounded(hashing["lambda_512mb_ms_estimate"])
    assert _number(r"arm64: \$([\d.]+) per million sign-ins") == f"{hashing['dollars_per_million_sign_ins']:.2f}"
