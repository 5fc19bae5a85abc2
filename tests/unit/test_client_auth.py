import base64

import pytest

from local import events
from oauth_core import apigateway, client_auth
from oauth_core.errors import InvalidClient, InvalidRequest
from oauth_core.hashing import digest
from oauth_core.http import Request
from oauth_core.storage.clients import Client


def request(form: str = "", authorization: str | None = None) -> Request:
    headers = [("Content-Type", "application/x-www-form-urlencoded")]
    if authorization:
        headers.append(("Authorization", authorization))
    return apigateway.parse_event(events.build("POST", "/oauth/token", "", headers, form.encode(), "/oauth/token"))


def basic(raw: str) -> str:
    return "Basic " + base64.b64encode(raw.encode()).decode()


def test_basic_credentials_are_form_decoded_per_rfc_6749_appendix_b():
    creds = client_auth.credentials(request(authorization=basic("client%3Aid:p%40ss+word")))
    assert (creds.client_id, creds.secret, creds.method) == ("client:id", "p@ss word", "client_secret_basic")


def test_body_credentials_are_accepted():
    creds = client_auth.credentials(request("client_id=app&client_secret=s"))
    assert (creds.client_id, creds.secret, creds.method) == ("app", "s", "client_secret_post")


def test_public_client_sends_only_its_id():
    assert client_auth.credentials(request("client_id=app")).method == "none"


@pytest.mark.parametrize("header", ["Basic !!!notbase64", basic("no-colon"), basic(":secret-without-id"),
                                    "Basic " + base64.b64encode(b"\xff\xfe:x").decode()])
def test_malformed_basic_header_is_invalid_client_with_challenge(header):
    with pytest.raises(InvalidClient) as info:
        client_auth.credentials(request(authorization=header))
    assert info.value.status == 401
    assert info.value.headers["WWW-Authenticate"] == 'Basic realm="oauth"'


def test_two_authentication_methods_at_once_are_refused():
    with pytest.raises(InvalidRequest):
        client_auth.credentials(request("client_secret=s", authorization=basic("app:s")))


def test_body_client_id_must_match_basic_client_id():
    with pytest.raises(InvalidRequest):
        client_auth.credentials(request("client_id=other", authorization=basic("app:s")))


def test_no_credentials_at_all_is_invalid_client():
    with pytest.raises(InvalidClient):
        client_auth.credentials(request("grant_type=client_credentials"))


def test_unknown_authorization_scheme_is_invalid_client():
    with pytest.raises(InvalidClient):
        client_auth.credentials(request(authorization="Bearer abc"))


CONFIDENTIAL = Client("app", secret_hash=digest("right"))


def test_verify_accepts_the_right_secret():
    assert client_auth.verify(client_auth.Credentials("app", "right", "client_secret_post"), CONFIDENTIAL)


@pytest.mark.parametrize("creds,client", [
    (client_auth.Credentials("app", "wrong", "client_secret_post"), CONFIDENTIAL),
    (client_auth.Credentials("app", None, "none"), CONFIDENTIAL),
    (client_auth.Credentials("ghost", "right", "client_secret_post"), None),
    (client_auth.Credentials("app", "right", "client_secret_post"), Client("app", digest("right"), disabled=True)),
    (client_auth.Credentials("pub", "anything", "client_secret_post"), Client("pub")),
])
def test_verify_refuses_with_one_message_whatever_the_reason(creds, client):
    with pytest.raises(InvalidClient) as info:
        client_auth.verify(creds, client)
    assert info.value.description == "client authentication failed"
    assert "WWW-Authenticate" not in info.value.headers


def test_verify_challenges_basic_clients():
    with pytest.raises(InvalidClient) as info:
        client_auth.verify(client_auth.Credentials("app", "wrong", "client_secret_basic"), CONFIDENTIAL)
    assert info.value.headers["WWW-Authenticate"] == 'Basic realm="oauth"'


def test_during_a_rotation_overlap_the_previous_secret_works_until_its_end_and_never_after():
    import dataclasses
    import time

    rotated = dataclasses.replace(CONFIDENTIAL, secret_hash=digest("new"), old_secret_hash=digest("right"),
                                  old_secret_expires_at=int(time.time()) + 60)
    for secret in ("new", "right"):
        assert client_auth.verify(client_auth.Credentials("app", secret, "client_secret_post"), rotated)
    for ended in (dataclasses.replace(rotated, old_secret_expires_at=int(time.time()) - 1),
                  dataclasses.replace(rotated, old_secret_expires_at=0)):
        with pytest.raises(InvalidClient):
            client_auth.verify(client_auth.Credentials("app", "right", "client_secret_post"), ended)
    with pytest.raises(InvalidClient):
        client_auth.verify(client_auth.Credentials("app", "", "client_secret_post"),
                           dataclasses.replace(rotated, old_secret_hash=None))
