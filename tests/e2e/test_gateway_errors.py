"""The local gateway answers failed integrations the way API Gateway does, with template.yaml's gateway
responses: functions that raise, crash, time out or answer garbage, a Lambda authorizer that fails, and
routes the API does not have (see local/functions.py for the AWS behaviour this follows)."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from local import functions
from local.gateway import Gateway
from local.template import Stack, load

HANDLERS = {
    "Raises": "def handler(event, context):\n    raise RuntimeError('boom')\n",
    "Garbage": "def handler(event, context):\n    return {'body': 'no status code'}\n",
    "Dies": "import os\n\ndef handler(event, context):\n    os._exit(3)\n",
    "Slow": "import time\n\ndef handler(event, context):\n    time.sleep(600)\n",
    "Hangs": "import time\n\ndef handler(event, context):\n    time.sleep(600)\n",
    "Fine": "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n",
    "Authorizer": textwrap.dedent("""\
        def handler(event, context):
            token = event['headers'].get('Authorization')
            if token == 'Bearer storage-down':
                raise RuntimeError('storage unavailable')
            if token != 'Bearer good':
                raise Exception('Unauthorized')
            return {'principalId': 'p', 'context': {}, 'policyDocument': {'Version': '2012-10-17', 'Statement': [
                {'Action': 'execute-api:Invoke', 'Effect': 'Allow', 'Resource': event['methodArn']}]}}
        """),
}


def _template(tmp_path, gateway_responses: dict | None) -> dict:
    resources: dict = {"Api": {"Type": "AWS::Serverless::Api", "Properties": {"Auth": {"Authorizers": {"Tokens": {
        "FunctionArn": {"Fn::GetAtt": ["Authorizer", "Arn"]}, "FunctionPayloadType": "REQUEST",
        "Identity": {"Headers": ["Authorization"]}}}}}}}
    if gateway_responses is not None:
        resources["Api"]["Properties"]["GatewayResponses"] = gateway_responses
    for name, source in HANDLERS.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "app.py").write_text(source)
        events = {} if name == "Authorizer" else {"Get": {"Type": "Api", "Properties": {
            "RestApiId": {"Ref": "Api"}, "Path": f"/{name.lower()}", "Method": "get"}}}
        if name == "Fine":
            events["Guarded"] = {"Type": "Api", "Properties": {"RestApiId": {"Ref": "Api"}, "Path": "/guarded",
                                                               "Method": "get", "Auth": {"Authorizer": "Tokens"}}}
        resources[name] = {"Type": "AWS::Serverless::Function", "Properties": {
            "CodeUri": str(tmp_path / name), "Handler": "app.handler", "Timeout": 1 if name == "Slow" else 30,
            "Events": events}}
    return {"Resources": resources}


TEMPLATE_RESPONSES = load()["Resources"]["OAuthApi"]["Properties"]["GatewayResponses"]


@pytest.fixture(scope="module", params=["template.yaml's responses", "none (API Gateway's own)"])
def gateway(request, tmp_path_factory):
    responses = TEMPLATE_RESPONSES if request.param.startswith("template") else None
    stack = Stack(template=_template(tmp_path_factory.mktemp("functions"), responses))
    gateway = Gateway(stack, {"PATH": os.environ["PATH"]})
    gateway.customized = responses is not None
    yield gateway
    gateway.close()


def call(gateway, path, method="GET", token=None):
    headers = [("Authorization", f"Bearer {token}")] if token else []
    status, headers, body = gateway.handle(method, path, headers, b"", "127.0.0.1", "localhost")
    return status, dict(headers), json.loads(body)


@pytest.mark.parametrize("path", ["/raises", "/garbage", "/dies", "/slow"])
def test_a_function_that_fails_is_a_502_answered_by_default_5xx(gateway, path):
    """Raised, answered no proxy response, died, or ran past its own Timeout (1 s, under the 29 s of the
    integration): a function error, 502, whatever the function did."""
    status, headers, body = call(gateway, path)
    assert status == 502
    if gateway.customized:
        assert body["error"] == "server_error" and headers["Cache-Control"] == "no-store"
    else:
        assert body == {"message": "Internal server error"}


def test_a_function_still_running_when_the_integration_times_out_is_integration_timeout(gateway, monkeypatch):
    """Hangs has a Timeout of 30 s, over the integration's (29 s, here 1 s so as not to wait)."""
    monkeypatch.setattr(functions, "INTEGRATION_TIMEOUT", 1)
    status, headers, body = call(gateway, "/hangs")
    assert status == 504
    if gateway.customized:
        assert body["error"] == "temporarily_unavailable" and headers["Retry-After"] == "1"
    else:
        assert body == {"message": "Endpoint request timed out"}


@pytest.mark.parametrize(("method", "path"), [("GET", "/nowhere"), ("POST", "/fine"), ("DELETE", "/guarded")])
def test_a_route_the_api_does_not_have_is_missing_authentication_token(gateway, method, path):
    status, _, body = call(gateway, path, method)
    if gateway.customized:
        assert status == 404 and body["error"] == "not_found"
    else:
        assert status == 403 and body == {"message": "Missing Authentication Token"}


def test_an_authorizer_that_cannot_check_the_token_is_authorizer_failure(gateway):
    status, headers, body = call(gateway, "/guarded", token="storage-down")
    if gateway.customized:
        assert status == 503 and body["error"] == "temporarily_unavailable" and headers["Retry-After"] == "1"
        assert "WWW-Authenticate" not in headers
    else:
        assert status == 500 and body == {"message": None}


def test_an_authorizer_that_says_unauthorized_is_401_and_one_that_allows_reaches_the_function(gateway):
    status, headers, _ = call(gateway, "/guarded", token="forged")
    assert status == 401
    assert ('error="invalid_token"' in headers.get("WWW-Authenticate", "")) is gateway.customized
    assert gateway.handle("GET", "/guarded", [("Authorization", "Bearer good")], b"", "127.0.0.1", "h")[0] == 200


def test_other_refusals_of_the_gateway_keep_their_status(gateway):
    """A body over API Gateway's 10 MB: REQUEST_TOO_LARGE, 413, answered by DEFAULT_4XX when customized."""
    status, _, body = gateway.gateway_response("REQUEST_TOO_LARGE")
    assert status == 413
    assert json.loads(body) == ({"error": "invalid_request", "error_description": "the request was refused by the "
                                 "API gateway"} if gateway.customized else {"message": "Request Too Long"})
