"""Every log line of a full run of the flows (a stack of its own, at DEBUG level) is captured; no token,
code, secret, password, assertion, PKCE verifier, sign-in flow value or browser cookie appears in it,
the ``access_token`` query parameter of tokeninfo included. Error answers do not echo them either."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from local import launcher
from local.template import ROOT
from tests.conftest import make_certificate
from tests.e2e.helpers import sign_in_and_approve, use_stack_storage

REDIRECT = "https://localhost/oauth_callback"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@pytest.fixture(scope="module")
def logged_stack():
    log_dir = ROOT / ".pytest_cache"
    log_dir.mkdir(exist_ok=True)
    path = log_dir / "debug-stack.log"
    with open(path, "w") as log:
        running = launcher.start(stderr=log, parameters={"LogLevel": "DEBUG"})
        yield running, path
        running.stop()


def sign_in(stack, query: dict[str, str], seen: list[str]) -> str:
    approval = sign_in_and_approve(f"{stack.url}/oauth/authorize?{urlencode(query)}",
                                   wrong_password_first="wrong password!")
    seen += [approval.flow, *approval.cookies]
    return approval.location


def test_a_full_run_logs_no_secret(logged_stack, monkeypatch):
    stack, log_path = logged_stack
    url, auth = stack.url, (stack.client_id, stack.client_secret)
    seen = [stack.client_secret, "changeme", "wrong password!"]

    def token(**data):
        body = requests.post(f"{url}/oauth/token", data=data, auth=auth, timeout=10).json()
        seen.extend(v for k, v in body.items() if k in ("access_token", "refresh_token"))
        return body

    cc = token(grant_type="client_credentials")
    pw = token(grant_type="password", username="admin", password="changeme")
    refreshed = token(grant_type="refresh_token", refresh_token=pw["refresh_token"])
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    seen.append(verifier)
    location = sign_in(stack, {"client_id": stack.client_id, "response_type": "code", "redirect_uri": REDIRECT,
                               "code_challenge": challenge, "code_challenge_method": "S256", "state": "s"}, seen)
    code = parse_qs(urlsplit(location).query)["code"][0]
    seen.append(code)
    token(grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=verifier)
    replay = requests.post(f"{url}/oauth/token", auth=auth, timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier})
    assert replay.status_code == 400
    implicit = sign_in(stack, {"client_id": stack.client_id, "response_type": "token", "redirect_uri": REDIRECT},
                       seen)
    seen.append(parse_qs(urlsplit(implicit).fragment)["access_token"][0])

    import jwt

    key, pem = make_certificate()
    use_stack_storage(stack, monkeypatch)
    from oauth_core.hashing import digest
    from oauth_core.storage import clients

    jwt_client = f"jwt-{uuid.uuid4().hex[:6]}"
    clients.create(clients.Client(jwt_client, digest("x"), grant_types=frozenset({JWT_BEARER}), certificates=(pem,),
                                  jwt_subjects=frozenset({"admin"})))
    assertion = jwt.encode({"iss": jwt_client, "aud": f"{url}/oauth/token", "exp": int(time.time()) + 60,
                            "jti": uuid.uuid4().hex, "sub": "admin"}, key, algorithm="RS256")
    seen.append(assertion)
    jwt_token = requests.post(f"{url}/oauth/token", data={"grant_type": JWT_BEARER, "assertion": assertion},
                              timeout=10).json()
    seen.extend([jwt_token["access_token"], jwt_token.get("refresh_token") or jwt_token["access_token"]])
    requests.post(f"{url}/oauth/token", data={"grant_type": JWT_BEARER, "assertion": assertion}, timeout=10)

    for access in (cc["access_token"], refreshed["access_token"]):
        assert requests.get(f"{url}/oauth/tokeninfo", params={"access_token": access}, timeout=10).status_code == 200
        for path in ("/oauth/protected", "/oauth/protected/gateway"):
            assert requests.get(f"{url}{path}", headers={"Authorization": f"Bearer {access}"},
                                timeout=10).status_code == 200
    wrong_secret = requests.post(f"{url}/oauth/token", data={"grant_type": "client_credentials"},
                                 auth=(stack.client_id, "not-the-secret-" + stack.client_secret[:8]), timeout=10)
    assert stack.client_secret[:8] not in wrong_secret.text
    requests.post(f"{url}/oauth/revoke", data={"token": refreshed["refresh_token"]}, auth=auth, timeout=10)
    revoked = requests.get(f"{url}/oauth/tokeninfo", params={"access_token": refreshed["access_token"]}, timeout=10)
    assert revoked.status_code == 400 and refreshed["access_token"] not in revoked.text
    assert requests.get(f"{url}/oauth/protected", headers={"Authorization": f"Bearer {refreshed['access_token']}"},
                        timeout=10).status_code == 401

    # A lockout and a spray-free throttle: six wrong passwords for one name from this address.
    for _ in range(6):
        requests.post(f"{url}/oauth/token", auth=auth, timeout=10,
                      data={"grant_type": "password", "username": "mallory", "password": "wrong password!"})

    logs = wait_for_log(log_path, '"event_type":"throttled"')
    events = audit_events(logs)
    kinds = {(e["event_type"], e["outcome"]) for e in events}
    assert {("sign_in", "success"), ("sign_in", "failure"), ("consent", "granted"), ("token_issued", "success"),
            ("replay_detected", "refused"), ("token_revoked", "success"), ("client_auth", "failure"),
            ("throttled", "refused")} <= kinds, kinds
    for event in events:
        assert event["source_ip"] == "127.0.0.1" and event["request_id"] and event["outcome"]
        assert event["user_agent"].startswith("python-requests/")
    check_documented_queries_find(events, {"alice": "admin", "203.0.113.7": "127.0.0.1", "my-client": stack.client_id})
    for value in seen:
        assert value and len(value) >= 8
        secret_part = value.split(".")[0] if value.count(".") == 1 else value
        assert value not in logs and secret_part not in logs, f"a secret reached the logs: {value[:12]}..."


def wait_for_log(path, text: str, timeout: float = 10) -> str:
    """The log once ``text`` has reached it (the workers write asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        logs = path.read_text()
        if text in logs or time.monotonic() > deadline:
            return logs
        time.sleep(0.05)


def audit_events(logs: str) -> list[dict]:
    events = []
    for line in logs.splitlines():
        if '"audit":true' in line:
            events.append(json.loads(line[line.index("{"):]))
    return events


_CONDITION = re.compile(r'(\w+) = "([^"]*)"|ispresent\((\w+)\)')


def check_documented_queries_find(events: list[dict], examples: dict[str, str]) -> None:
    """Each Logs Insights query of template.yaml, its ``filter`` line applied as Logs Insights would (a
    conjunction of ``field = "value"`` and ``ispresent(field)``), with its example values replaced by
    this run's, finds at least one event."""
    from local.template import load

    resources = load()["Resources"]
    queries = {k: r["Properties"]["QueryString"] for k, r in resources.items()
               if r["Type"] == "AWS::Logs::QueryDefinition"}
    assert len(queries) >= 5
    for name, query in queries.items():
        (line,) = [x for x in query.splitlines() if x.lstrip("| ").startswith("filter ")]
        clauses = line.lstrip("| ")[len("filter "):].split(" and ")
        conditions = []
        for clause in clauses:
            match = _CONDITION.fullmatch(clause.strip())
            assert match, f"{name}: the test cannot read {clause!r}"
            field, value, present = match.groups()
            conditions.append((present, None) if present else (field, examples.get(value, value)))
        found = [e for e in events if all(f in e if v is None else str(e.get(f)) == v for f, v in conditions)]
        assert found, f"{name} finds nothing: {line}"
