import base64
import hashlib

from oauth_core import hashing


def scrypt_hash(password: str, salt: bytes = b"0123456789abcdef") -> str:
    """A hash as releases before Argon2id stored it."""
    derived = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")  # noqa: E731
    return f"scrypt$16384$8$1${b64(salt)}${b64(derived)}"


def test_password_hash_is_argon2id_with_owasp_parameters_and_verifies_only_the_right_password():
    encoded = hashing.hash_password("s3cret")
    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert hashing.verify_password("s3cret", encoded)
    assert not hashing.verify_password("s3cret!", encoded)
    assert not hashing.needs_rehash(encoded)


def test_older_scrypt_hashes_still_verify_and_are_due_for_a_rehash():
    legacy = scrypt_hash("s3cret")
    assert hashing.verify_password("s3cret", legacy)
    assert not hashing.verify_password("s3cret!", legacy)
    assert hashing.needs_rehash(legacy)


def test_weaker_argon2_parameters_are_due_for_a_rehash():
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("pw")
    assert hashing.verify_password("pw", weak) and hashing.needs_rehash(weak)


def test_same_password_hashes_differently_each_time():
    assert hashing.hash_password("pw") != hashing.hash_password("pw")


def test_unknown_user_never_verifies():
    assert not hashing.verify_password("anything", None)


def test_corrupt_or_foreign_hashes_do_not_verify():
    for encoded in ["", "plain", "bcrypt$2b$12$abc", "scrypt$x$8$1$aa$bb", "$argon2id$v=19$m=1,t=1,p=1$x$y"]:
        assert not hashing.verify_password("pw", encoded)


def test_digest_compares_in_constant_time_helper():
    stored = hashing.digest("token")
    assert len(stored) == 64
    assert hashing.matches_digest("token", stored)
    assert not hashing.matches_digest("token2", stored)


def test_imported_hashes_of_other_systems_verify_and_are_due_for_a_rehash():
    """bcrypt, PBKDF2 (Keycloak's base64 salt, Django's plain salt), Argon2i: verified as they are."""
    import bcrypt
    from argon2 import PasswordHasher, Type

    pw, salt = "correct horse battery staple", b"0123456789abcdef"
    keycloak = "pbkdf2-sha512$1000${}${}".format(base64.b64encode(salt).decode(), base64.b64encode(
        hashlib.pbkdf2_hmac("sha512", pw.encode(), salt, 1000)).decode())
    django = "pbkdf2_sha256$1000$pepper$" + base64.b64encode(
        hashlib.pbkdf2_hmac("sha256", pw.encode(), b"pepper", 1000)).decode()
    for encoded in (bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4)).decode(), keycloak, django,
                    PasswordHasher(type=Type.I, time_cost=1, memory_cost=1024).hash(pw)):
        assert hashing.scheme(encoded) is not None
        assert hashing.verify_password(pw, encoded) and not hashing.verify_password(pw + "!", encoded)
        assert hashing.needs_rehash(encoded)


def test_bcrypt_reads_72_bytes_as_the_system_that_made_the_hash_did():
    import bcrypt

    long = "x" * 72
    encoded = bcrypt.hashpw(long.encode(), bcrypt.gensalt(4)).decode()
    assert hashing.verify_password(long + "ignored by bcrypt", encoded)


def test_a_user_imported_without_a_password_never_signs_in():
    assert hashing.scheme("") is None and not hashing.verify_password("", "")
