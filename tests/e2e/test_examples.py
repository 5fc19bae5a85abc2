"""The examples run against the local stack as a user runs them, after pasting `make run`'s exports."""

import os
import subprocess
import sys

from local.template import ROOT


def run_example(local_stack, name):
    env = {**os.environ, **local_stack.exports}
    for table in ("CLIENTS", "USERS", "GRANTS", "CODES", "TOKENS"):
        env.pop(f"{table}_TABLE", None)
    return subprocess.run([sys.executable, str(ROOT / "examples" / name)], env=env, capture_output=True, text=True,
                          timeout=120)


def test_jwt_bearer_example(local_stack):
    done = run_example(local_stack, "jwt_bearer.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Response from access token request: 200" in done.stdout
    assert '"audience": "JwtExampleApp"' in done.stdout
    again = run_example(local_stack, "jwt_bearer.py")  # a second run re-registers a new key
    assert again.returncode == 0, again.stdout + again.stderr
