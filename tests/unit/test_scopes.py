import pytest

from oauth_core import scopes
from oauth_core.errors import InvalidScope


def test_omitted_scope_grants_every_allowed_scope():
    assert scopes.resolve(None, {"b", "a"}) == "a b"


def test_requested_subset_is_granted_in_request_order_without_duplicates():
    assert scopes.resolve("write read write", {"read", "write", "admin"}) == "write read"


def test_scope_outside_the_client_allowance_is_invalid_scope():
    with pytest.raises(InvalidScope) as info:
        scopes.resolve("read admin", {"read"})
    assert info.value.error == "invalid_scope"
    assert "admin" in info.value.description


@pytest.mark.parametrize("raw", ['a"b', "a\\b", "caf\u00e9", "a\tb"])
def test_characters_outside_rfc_6749_scope_token_are_refused(raw):
    with pytest.raises(InvalidScope):
        scopes.parse(raw)
