"""Local stacks on a DynamoDB of the test's own (a moto server the stack is pointed at with DYNAMODB_URL,
as it would be at DynamoDB Local), so that the store can outlive a stack or go away under it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import boto3
import pytest
import requests

from local import launcher
from local.template import ROOT


def _wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the moto server exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)  # polling for a condition, not waiting for time to pass
    raise TimeoutError(f"nothing listens on port {port}")


@contextmanager
def moto_server():
    """A moto server in a process of its own: killing it closes its port, as an unreachable DynamoDB."""
    port = launcher.free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.kill()
        process.wait()


@contextmanager
def stack_on(dynamodb_url: str, log_name: str, **kwargs):
    log_dir = ROOT / ".pytest_cache"
    log_dir.mkdir(exist_ok=True)
    with open(log_dir / log_name, "w") as log:
        running = launcher.start(stderr=log, dynamodb_url=dynamodb_url, **kwargs)
        try:
            yield running
        finally:
            running.stop()


def client_credentials(stack, client_id: str, secret: str) -> requests.Response:
    return requests.post(f"{stack.url}/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(client_id, secret), timeout=30)


def test_a_redeployed_stack_serves_the_clients_of_the_retained_tables():
    """What README's "Redeploying after sam delete" does: the old stack's clients and users tables survive
    it, the new stack is told their names and creates neither; the old client's credentials still work."""
    with moto_server() as (url, _):
        with stack_on(url, "old-stack.log", stack_name="old") as old:
            client_id, secret = old.client_id, old.client_secret
            assert client_credentials(old, client_id, secret).status_code == 200
        dynamodb = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1",
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        for name in dynamodb.list_tables()["TableNames"]:  # sam delete keeps only the retained tables
            if name not in ("old-clients", "old-users"):
                dynamodb.delete_table(TableName=name)

        with stack_on(url, "new-stack.log", stack_name="new",
                      parameters={"ExistingClientsTable": "old-clients", "ExistingUsersTable": "old-users"}) as new:
            assert "CLIENT_SECRET" not in new.exports  # the demo client was there already: not seeded again
            r = client_credentials(new, client_id, secret)
            assert r.status_code == 200, r.text
            tables = set(dynamodb.list_tables()["TableNames"])
            assert {"old-clients", "old-users", "new-tokens", "new-grants"} <= tables
            assert not {"new-clients", "new-users"} & tables


@pytest.fixture(scope="module")
def stack_and_dynamodb():
    with moto_server() as (url, process), stack_on(url, "storage-down-stack.log") as running:
        yield running, process


def test_when_dynamodb_is_unreachable_token_checks_answer_503_not_401(stack_and_dynamodb):
    """Nothing that checks a token may answer 401 (which tells a client to throw its token away) when the
    token could not be checked at all. Through the Lambda authorizer that is API Gateway's
    AUTHORIZER_FAILURE, answered by template.yaml's gateway response (503, Retry-After)."""
    stack, moto = stack_and_dynamodb
    token = client_credentials(stack, stack.client_id, stack.client_secret).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{stack.url}/oauth/protected/gateway", headers=headers, timeout=30).status_code == 200

    moto.kill()
    moto.wait()

    through_authorizer = requests.get(f"{stack.url}/oauth/protected/gateway", headers=headers, timeout=60)
    assert through_authorizer.status_code == 503, through_authorizer.text
    assert through_authorizer.json()["error"] == "temporarily_unavailable"
    assert through_authorizer.headers["Retry-After"] and through_authorizer.headers["Cache-Control"] == "no-store"
    assert "WWW-Authenticate" not in through_authorizer.headers

    by_the_function = requests.get(f"{stack.url}/oauth/protected", headers=headers, timeout=60)
    assert by_the_function.status_code == 503, by_the_function.text
    assert by_the_function.json()["error"] == "temporarily_unavailable"
