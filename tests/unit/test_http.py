import base64
import json

import pytest

from local import events
from oauth_core import apigateway, responses
from oauth_core.errors import InvalidRequest, OAuthError


def event(body: bytes = b"", headers=None, query: str = "", method: str = "POST"):
    hdrs = headers if headers is not None else [("Content-Type", "application/x-www-form-urlencoded")]
    return events.build(method, "/oauth/token", query, hdrs, body, "/oauth/token")


def test_form_body_is_parsed():
    req = apigateway.parse_event(event(b"grant_type=password&username=a%2Bb&scope=a+b"))
    assert req.param("username") == "a+b"
    assert req.param("scope") == "a b"


def test_base64_body_as_api_gateway_sends_it_is_decoded():
    e = event(b"grant_type=client_credentials")
    e["body"], e["isBase64Encoded"] = base64.b64encode(b"grant_type=client_credentials").decode(), True
    assert apigateway.parse_event(e).param("grant_type") == "client_credentials"


@pytest.mark.parametrize("mutate", [
    lambda e: e.update(body="%%%not-base64", isBase64Encoded=True),
    lambda e: e.update(body="grant_type=x", headers={"Content-Type": "application/json"}),
    lambda e: e.update(body="grant_type=x", headers={}),
    lambda e: e.update(body="a=%ff%fe"),
    lambda e: e.update(body="a=b%00c"),
    lambda e: e.update(body="a=" + "x" * 20000),
])
def test_malformed_bodies_are_invalid_request(mutate):
    e = event(b"x=y")
    mutate(e)
    with pytest.raises(InvalidRequest):
        apigateway.parse_event(e)


def test_repeated_parameter_is_invalid_request_when_read():
    req = apigateway.parse_event(event(b"grant_type=password&grant_type=client_credentials"))
    with pytest.raises(InvalidRequest, match="repeated"):
        req.param("grant_type")


def test_repeated_authorization_header_is_invalid_request():
    e = event(b"", headers=[("Authorization", "Basic a"), ("Authorization", "Basic b")])
    with pytest.raises(InvalidRequest):
        apigateway.parse_event(e)


def test_serve_turns_unexpected_exceptions_into_generic_500():
    def boom(request):
        raise RuntimeError("secret detail")

    answer = apigateway.serve(event(b"a=b"), boom)
    assert answer["statusCode"] == 500
    assert json.loads(answer["body"]) == {"error": "server_error", "error_description": "internal error"}
    assert "secret detail" not in answer["body"]


def test_serve_renders_oauth_errors_in_the_requested_format():
    def refuse(request):
        raise OAuthError("nope")

    answer = apigateway.serve(event(b"format=urlencoded"), refuse)
    assert answer["statusCode"] == 400
    assert answer["body"] == "error=invalid_request&error_description=nope"
    assert answer["headers"]["Cache-Control"] == "no-store"


def test_formats_render_json_urlencoded_and_xml():
    body = {"access_token": "a<b", "expires_in": 5, "scope": None}
    assert json.loads(responses.render(body).body) == {"access_token": "a<b", "expires_in": 5, "scope": None}
    assert responses.render(body, "urlencoded").body == "access_token=a%3Cb&expires_in=5"
    xml = responses.render(body, "xml")
    assert xml.headers["Content-Type"].startswith("application/xml")
    assert "<access_token>a&lt;b</access_token><expires_in>5</expires_in>" in xml.body


def test_missing_request_id_is_replaced_by_a_unique_one():
    e = event(b"a=b")
    del e["requestContext"]["requestId"]
    first, second = apigateway.parse_event(e), apigateway.parse_event(e)
    assert first.request_id and first.request_id != second.request_id
