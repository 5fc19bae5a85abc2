"""`sam validate --lint` and `sam build` (no container), then the built layer and handlers imported by
the Lambda runtime's own Python, as Lambda lays them out (/opt/python + the function's directory)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from local.template import ROOT, Stack

SAM = shutil.which("sam") or str(Path(sys.executable).parent / "sam")


def _runtime_python() -> str | None:
    candidate = os.environ.get("RUNTIME_PYTHON") or shutil.which("python3.13")
    return candidate if candidate and os.access(candidate, os.X_OK) else None


def _env(runtime: str | None = None) -> dict[str, str]:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
    if runtime:
        env["PATH"] = f"{Path(runtime).parent}{os.pathsep}{env['PATH']}"
    return env


def test_sam_validate_lint_is_clean():
    result = subprocess.run([SAM, "validate", "--lint"], cwd=ROOT, env=_env(), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    runtime = _runtime_python()
    if runtime is None:
        if os.environ.get("CI"):
            pytest.fail("python3.13 (the Lambda runtime) is needed for sam build; the Makefile looks in pyenv")
        pytest.skip("python3.13 not found: sam build needs the Lambda runtime's Python")
    out = tmp_path_factory.mktemp("sam") / "build"
    result = subprocess.run([SAM, "build", "--build-dir", str(out), "--no-cached"], cwd=ROOT, env=_env(runtime),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, runtime


def test_sam_build_lays_out_the_layer_and_functions(build_dir):
    out, _ = build_dir
    assert (out / "OAuthCoreLayer" / "python" / "oauth_core" / "__init__.py").exists()
    assert (out / "OAuthCoreLayer" / "python" / "aws_lambda_powertools").is_dir()
    for function in Stack().functions():
        assert (out / function.logical_id / "app.py").exists()
    assert not (out / "OAuthCoreLayer" / "python" / "python").exists()


def test_built_handlers_import_under_the_runtime_python(build_dir):
    out, runtime = build_dir
    for function in Stack().functions():
        env = {"PATH": os.environ["PATH"], "PYTHONPATH": f"{out / function.logical_id}{os.pathsep}"
               f"{out / 'OAuthCoreLayer' / 'python'}", **function.environment}
        code = "import app; assert callable(app.lambda_handler)"
        result = subprocess.run([runtime, "-c", code], env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{function.logical_id}: {result.stderr}"


def test_layer_binaries_are_built_for_arm64(build_dir):
    out, _ = build_dir
    binaries = list((out / "OAuthCoreLayer" / "python").rglob("*.so"))
    assert binaries, "cryptography's compiled module should be in the layer"
    for binary in binaries:
        header = binary.read_bytes()[:20]
        assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == 183, binary  # EM_AARCH64
