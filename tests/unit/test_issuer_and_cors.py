"""The issuer as API Gateway's request names it (RFC 8414 §2), and the CORS answers of ``apigateway.serve``."""

import pytest

from local import events
from oauth_core import apigateway, issuer
from oauth_core.http import Response


def request(path="/oauth/token", host="abc.execute-api.eu-west-1.amazonaws.com", method="POST", headers=()):
    event = events.build(method, path, "", list(headers), b"", path, host=host)
    return apigateway.parse_event(event)


def test_the_issuer_is_the_url_before_the_resource_path():
    assert issuer.of(request()) == "https://abc.execute-api.eu-west-1.amazonaws.com/api"
    assert issuer.of(request("/.well-known/oauth-authorization-server")) == \
        "https://abc.execute-api.eu-west-1.amazonaws.com/api"


def test_a_configured_issuer_wins(monkeypatch):
    from oauth_core.config import settings

    monkeypatch.setenv("ISSUER", "https://auth.example.com/")
    settings.cache_clear()
    assert issuer.of(request()) == "https://auth.example.com"


def ok(_request):
    return Response(200, "{}", {"Content-Type": "application/json"})


def serve(method, headers):
    event = events.build(method, "/oauth/token", "", list(headers), b"", "/oauth/token")
    return apigateway.serve(event, ok)


def test_a_preflight_from_an_origin_is_allowed_without_credentials():
    answer = serve("OPTIONS", [("Origin", "http://localhost:5173"), ("Access-Control-Request-Method", "POST")])
    assert answer["statusCode"] == 204
    assert answer["headers"]["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "Access-Control-Allow-Credentials" not in answer["headers"]


@pytest.mark.parametrize("headers", [
    [("Origin", "null"), ("Access-Control-Request-Method", "POST")],
    [("Origin", "https://a.example/path"), ("Access-Control-Request-Method", "POST")],
    [("Origin", "https://a.example"), ("Access-Control-Request-Method", "DELETE")],
    [("Access-Control-Request-Method", "POST")],
])
def test_a_malformed_preflight_gets_no_cors_headers(headers):
    answer = serve("OPTIONS", headers)
    assert answer["statusCode"] == 204 and "Access-Control-Allow-Origin" not in answer["headers"]


def test_an_answer_carries_no_allow_origin_unless_an_endpoint_allowed_it():
    answer = serve("POST", [("Origin", "https://a.example")])
    assert answer["statusCode"] == 200 and "Access-Control-Allow-Origin" not in answer["headers"]
