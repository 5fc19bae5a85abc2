"""oauth_client's pure parts: reading challenges and deciding what may be sent twice."""

import io

import pytest

from oauth_client import OAuthClient, parse_bearer_challenge
from oauth_client.client import _replayable


@pytest.mark.parametrize(("header", "expected"), [
    ('Bearer realm="oauth", error="invalid_token", error_description="the token expired"',
     {"realm": "oauth", "error": "invalid_token", "error_description": "the token expired"}),
    ('Bearer realm="oauth"', {"realm": "oauth"}),
    ("Bearer", {}),
    ('Basic realm="x", Bearer error=invalid_token', {"error": "invalid_token"}),
    ('Bearer error="invalid_token", error_description="a \\"quoted\\" word, and a comma"',
     {"error": "invalid_token", "error_description": 'a "quoted" word, and a comma'}),
    ('Basic realm="oauth"', None),
    ("", None),
    (None, None),
])
def test_parse_bearer_challenge(header, expected):
    assert parse_bearer_challenge(header) == expected


@pytest.mark.parametrize(("kwargs", "replayable"), [
    ({}, True),
    ({"data": b"x"}, True),
    ({"data": {"a": "b"}}, True),
    ({"json": {"a": [1]}}, True),
    ({"data": io.BytesIO(b"x")}, False),
    ({"data": (chunk for chunk in [b"x"])}, False),
    ({"files": {"f": ("name", b"bytes")}}, True),
    ({"files": {"f": ("name", io.BytesIO(b"x"))}}, False),
])
def test_only_bodies_held_in_memory_are_replayable(kwargs, replayable):
    assert _replayable(kwargs) is replayable


def test_retry_level_2_is_not_implemented():
    with pytest.raises(ValueError, match="1 .* or 3"):
        OAuthClient("http://127.0.0.1:9/oauth/token", "c", "s", token_retry_check_level=2)
