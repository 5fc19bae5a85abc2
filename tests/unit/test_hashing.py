from oauth_core import hashing


def test_password_hash_verifies_only_the_right_password():
    encoded = hashing.hash_password("s3cret")
    assert encoded.startswith("scrypt$16384$8$1$")
    assert hashing.verify_password("s3cret", encoded)
    assert not hashing.verify_password("s3cret!", encoded)


def test_same_password_hashes_differently_each_time():
    assert hashing.hash_password("pw") != hashing.hash_password("pw")


def test_unknown_user_never_verifies():
    assert not hashing.verify_password("anything", None)


def test_corrupt_or_foreign_hashes_do_not_verify():
    for encoded in ["", "plain", "bcrypt$2b$12$abc", "scrypt$x$8$1$aa$bb"]:
        assert not hashing.verify_password("pw", encoded)


def test_digest_compares_in_constant_time_helper():
    stored = hashing.digest("token")
    assert len(stored) == 64
    assert hashing.matches_digest("token", stored)
    assert not hashing.matches_digest("token2", stored)
