"""Metrics as CloudWatch reads them: each data point's EMF document names the documented metric with
exactly its documented dimension (README "Metrics"), whatever else the same request recorded (issue 17)."""

import ast
import json
import re

import pytest

from local.template import ROOT
from tests.integration.authorize_browser import CHALLENGE, REDIRECT, VERIFIER, Browser
from tests.integration.test_authorizer import authorizer_event

DOCUMENTED = re.compile(r"`([A-Z][A-Za-z]+)\{([a-z_]+)\}`")


def documented() -> dict[str, str]:
    """metric -> dimension, from README's metrics paragraph."""
    text = (ROOT / "README.md").read_text()
    start = text.index("metrics are CloudWatch")
    return dict(DOCUMENTED.findall(text[start:text.index("\n\n", start)]))


def recorded_in_code() -> set[tuple[str, str]]:
    """Every ``observability.count("Name", "dimension", ...)`` of the layer, read from the source."""
    found = set()
    for path in (ROOT / "layers" / "oauth_core" / "oauth_core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "count" \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "observability":
                found.add((node.args[0].value, node.args[1].value))
    return found


@pytest.fixture
def emf(capsys):
    """The EMF documents written so far, as ``(metric, dimension sets, values)``; ``read()`` drains them."""
    def read() -> list[tuple[str, list[list[str]], dict[str, str]]]:
        points = []
        for line in capsys.readouterr().out.splitlines():
            if not line.startswith('{"_aws"'):
                continue
            doc = json.loads(line)
            for directive in doc["_aws"]["CloudWatchMetrics"]:
                assert directive["Namespace"] == "OAuthServer"
                for metric in directive["Metrics"]:
                    dims = directive["Dimensions"]
                    points.append((metric["Name"], dims, {d: doc[d] for dset in dims for d in dset}))
        return points
    return read


def test_every_metric_the_code_records_is_documented_with_its_dimension():
    assert recorded_in_code() == set(documented().items())


def test_a_replayed_code_is_a_code_replay_and_an_oauth_error_each_under_its_own_dimension(
        api, make_client, make_user, emf):
    client = make_client("web-app", grant_types=("authorization_code",), redirect_uris=(REDIRECT,))
    make_user()
    code = Browser(api).authorize(client_id="web-app", response_type="code", redirect_uri=REDIRECT, scope="read",
                                  code_challenge=CHALLENGE, code_challenge_method="S256").params["code"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": VERIFIER}
    assert api.call("/oauth/token", data=data, auth=client).status == 200
    emf()
    assert api.call("/oauth/token", data=data, auth=client).status == 400
    assert sorted(emf()) == [("CodeReplays", [["grant_type"]], {"grant_type": "authorization_code"}),
                             ("OAuthErrors", [["error"]], {"error": "invalid_grant"})]


def test_a_session_records_each_metric_under_its_documented_dimension_only(api, make_client, make_user, emf):
    """Sign-in, consent, tokens, tokeninfo, the authorizer, revocation and the usual refusals: every data
    point parses into a documented metric and its one documented dimension."""
    docs = documented()
    client = make_client("web-app", grant_types=("authorization_code", "password"), redirect_uris=(REDIRECT,))
    make_user()
    browser = Browser(api)
    request = {"client_id": "web-app", "response_type": "code", "redirect_uri": REDIRECT, "scope": "read",
               "code_challenge": CHALLENGE, "code_challenge_method": "S256"}
    browser.open(**request)
    browser.login(password="wrong horse")
    browser.open(**request)
    browser.login()
    browser.decide("deny")
    browser.authorize(**request)
    api.call("/oauth/authorize", query="client_id=nobody&response_type=code")
    token = api.call("/oauth/token", data={"grant_type": "password", "username": "alice",
                                           "password": "correct horse"}, auth=client).json()["access_token"]
    api.call("/oauth/token", data={"grant_type": "password"}, auth=(client[0], "wrong"))
    api.call("/oauth/tokeninfo", query=f"access_token={token}")
    api.invoke("authorizer", authorizer_event(token))
    api.call("/oauth/revoke", data={"token": token}, auth=client)
    points = emf()
    seen = {name for name, _, _ in points}
    assert {"SignInsStarted", "LoginsFailed", "ConsentDenied", "ConsentGiven", "AuthorizeRefused", "TokensIssued",
            "ClientAuthFailures", "OAuthErrors", "TokenInfo", "AuthorizerDecisions", "TokensRevoked"} <= seen
    for name, dims, values in points:
        assert dims == [[docs[name]]], (name, dims)
        assert set(values) == {docs[name]}


def test_every_documented_metric_parses_from_its_emf_with_only_its_dimension(emf, monkeypatch):
    from oauth_core import observability

    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "OAuthServer")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "oauth-server")
    emf()
    for name, dimension in documented().items():
        observability.count(name, dimension, "some-value")
        assert emf() == [(name, [[dimension]], {dimension: "some-value"})], name
