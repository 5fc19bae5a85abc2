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
