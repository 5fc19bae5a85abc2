"""The product doc's sample clients in examples/ run against the local stack as a user runs them, after
pasting `make run`'s exports; the two browser flows get their code or token the way a user would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from local.template import ROOT
from oauth_core.protected_resource import PAGE
from tests.e2e.helpers import sign_in_and_approve

PROTECTED_OK = f"Response from protected resource request is: 200\n{PAGE}"


def example_env(local_stack) -> dict[str, str]:
    env = {**os.environ, **local_stack.exports}
    for name in list(env):
        if name.endswith("_TABLE"):
            env.pop(name)
    return env


def run_example(local_stack, name, *args):
    return subprocess.run([sys.executable, str(ROOT / "examples" / name), *args], env=example_env(local_stack),
                          capture_output=True, text=True, timeout=120)


def run_interactive(local_stack, name, answer_from_location):
    """Start the example, open the URL it prints, and type what the browser was sent back with."""
    process = subprocess.Popen([sys.executable, str(ROOT / "examples" / name)], env=example_env(local_stack),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "Go to the URL here:"
    url = process.stdout.readline().strip()
    assert url.startswith(f"{local_stack.url}/oauth/authorize?")
    answer = answer_from_location(sign_in_and_approve(url).location)
    out, err = process.communicate(answer + "\n", timeout=60)
    return process.returncode, out, err


def test_client_credentials_example(local_stack):
    done = run_example(local_stack, "client_credentials.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Sending up access token request using grant_type set to client_credentials" in done.stdout
    assert "Access token type received from authorization server Bearer" in done.stdout
    assert PROTECTED_OK in done.stdout
    assert "3 calls answered [200, 200, 200] with 1 token request(s)" in done.stdout


def test_resource_owner_password_example(local_stack):
    done = run_example(local_stack, "resource_owner_password.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Refresh token:" in done.stdout and PROTECTED_OK in done.stdout


def test_authorization_code_example(local_stack):
    code, out, err = run_interactive(local_stack, "authorization_code.py",
                                     lambda location: parse_qs(urlsplit(location).query)["code"][0])
    assert code == 0, out + err
    assert "Response from access token request: 200" in out and PROTECTED_OK in out


def test_implicit_grant_example(local_stack):
    code, out, err = run_interactive(local_stack, "implicit_grant.py",
                                     lambda location: parse_qs(urlsplit(location).fragment)["access_token"][0])
    assert code == 0, out + err
    assert "Access token received from authorization server" in out and PROTECTED_OK in out


def test_revoke_token_example(local_stack):
    done = run_example(local_stack, "revoke_token.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Response from revoke token request is: 200\nSuccessfully revoked token" in done.stdout
    revoked = re.search(r"Token to be revoked: (\S+)", done.stdout).group(1)
    assert requests.get(f"{local_stack.url}/oauth/tokeninfo", params={"access_token": revoked},
                        timeout=10).status_code == 400


def test_token_info_example(local_stack):
    done = run_example(local_stack, "token_info.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Token audience received from authorization server: SampleConfidentialApp" in done.stdout
    assert "User id : admin" in done.stdout
    assert "Scopes user consented to: https://localhost:8090/auth/userinfo.email" in done.stdout


@pytest.mark.parametrize("run", [1, 2], ids=["first", "again"])  # a second run re-registers a new key
def test_jwt_bearer_example(local_stack, run):
    done = run_example(local_stack, "jwt_bearer.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Response from access token request: 200" in done.stdout
    assert '"audience": "JwtExampleApp"' in done.stdout and PROTECTED_OK in done.stdout
