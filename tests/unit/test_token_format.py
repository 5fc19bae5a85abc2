import base64

from oauth_core import token_format
from oauth_core.token_format import TokenRef


def test_minted_token_round_trips_its_ref():
    ref = TokenRef(client_id="client:id", username="alice", grant_id="g1")
    assert token_format.parse(token_format.mint(ref)) == ref


def test_token_carries_at_least_256_random_bits():
    secret = token_format.mint(TokenRef("c")).split(".")[0]
    assert len(base64.urlsafe_b64decode(secret + "=")) * 8 >= 256


def test_two_tokens_for_the_same_ref_differ():
    ref = TokenRef("c", "u", "g")
    assert token_format.mint(ref) != token_format.mint(ref)


def test_malformed_tokens_parse_to_none():
    good = token_format.mint(TokenRef("c"))
    secret, ref = good.split(".")
    for bad in ["", "abc", secret, f"{secret}.", f".{ref}", f"{secret}.{ref}!", f"{secret[:-1]}.{ref}",
                f"{secret}.{base64.urlsafe_b64encode(b'only-one-field').decode().rstrip('=')}",
                f"{secret}.{ref}" + "A" * 2000, "eyJhbGciOiJub25lIn0.e30."]:
        assert token_format.parse(bad) is None, bad


def test_nothing_a_holder_can_decode_names_the_user_or_the_client():
    token = token_format.mint(TokenRef("orders-service", "alice@example.com", "grant-1"))
    secret, ref = token.split(".")
    decoded = base64.urlsafe_b64decode(ref + "=" * (-len(ref) % 4))
    for name in (b"orders", b"alice", b"grant-1", b"orders-service"):
        assert name not in decoded and name.decode() not in token
    # Padded: the length does not tell a short name from a longer one.
    assert len(token_format.mint(TokenRef("a", "b", "g"))) == len(token_format.mint(TokenRef("abcdef", "bcdefg", "g")))


def test_another_key_reads_nothing(monkeypatch):
    from oauth_core.config import settings

    token = token_format.mint(TokenRef("c", "u", "g"))
    monkeypatch.setenv("TOKEN_REF_KEY", "another deployment's key")
    settings.cache_clear()
    assert token_format.parse(token) != TokenRef("c", "u", "g")


def test_without_a_key_nothing_is_minted(monkeypatch):
    import pytest

    from oauth_core.config import settings

    monkeypatch.setenv("TOKEN_REF_KEY", "")
    settings.cache_clear()
    with pytest.raises(token_format.MissingKey):
        token_format.mint(TokenRef("c"))
