"""Abuse resistance over HTTP on the local stack, from several loopback source addresses (every
127.0.0.0/8 address is local on Linux; the gateway reports the TCP peer as
``requestContext.identity.sourceIp``, as API Gateway does). Loops are bounded; loopback only."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlencode

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.e2e.helpers import flow_of

REDIRECT = "https://localhost/oauth_callback"


class _From(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address: str) -> requests.Session:
    """A requests session whose connections leave from ``address`` (a loopback address)."""
    assert address.startswith("127."), "loopback only"
    session = requests.Session()
    session.mount("http://", _From(address))
    return session


@pytest.fixture
def person(store):
    """A fresh user (name, password) in the stack's users table."""
    from oauth_core.hashing import hash_password
    from oauth_core.storage import users

    name = f"user-{uuid.uuid4().hex[:8]}"
    users.create(users.User(name, hash_password("a long and private passphrase")))
    return name, "a long and private passphrase"


def password_grant(session, stack, username, password):
    return session.post(f"{stack.url}/oauth/token", auth=(stack.client_id, stack.client_secret), timeout=10,
                        data={"grant_type": "password", "username": username, "password": password})


def test_100_failed_client_authentications_with_only_a_client_id_then_the_right_secret_is_200(local_stack):
    attacker = session_from("127.0.0.2")
    url = f"{local_stack.url}/oauth/token"
    answers = {attacker.post(url, data={"grant_type": "client_credentials", "client_id": local_stack.client_id},
                             timeout=10).status_code for _ in range(100)}
    assert answers == {401}
    ok = attacker.post(url, data={"grant_type": "client_credentials"}, timeout=10,
                       auth=(local_stack.client_id, local_stack.client_secret))
    assert ok.status_code == 200, ok.text


def test_a_locked_out_attacker_address_does_not_block_the_user_from_another_address(local_stack, person):
    username, password = person
    attacker = session_from("127.0.0.3")
    answers = [password_grant(attacker, local_stack, username, f"guess number {n}").status_code for n in range(8)]
    assert answers[:5] == [400] * 5 and set(answers[5:]) == {429}
    assert password_grant(attacker, local_stack, username, password).status_code == 429, "not even checked"
    # The real user, from their own address, at the login form and at the token endpoint.
    user = session_from("127.0.0.4")
    query = urlencode({"client_id": local_stack.client_id, "response_type": "code", "redirect_uri": REDIRECT})
    login_url = f"{local_stack.url}/oauth/authorize?{query}"
    flow = flow_of(user.get(login_url, timeout=10).text)
    consent = user.post(login_url, data={"flow": flow, "username": username, "password": password,
                                         "action": "login"}, timeout=10)
    assert consent.status_code == 200 and ">Approve<" in consent.text
    assert password_grant(user, local_stack, username, password).status_code == 200


def test_a_spray_of_one_password_over_50_users_from_one_address_is_throttled(local_stack, store):
    from oauth_core.hashing import hash_password
    from oauth_core.storage import users

    prefix = f"spray-{uuid.uuid4().hex[:6]}"
    stored = hash_password("a long and private passphrase")
    for n in range(50):
        users.create(users.User(f"{prefix}-{n}", stored))
    sprayer = session_from("127.0.0.5")
    window = 300  # FailedLoginWindow's default
    started = time.time() // window
    answers = [password_grant(sprayer, local_stack, f"{prefix}-{n}", "Winter2026!").status_code for n in range(50)]
    assert answers[:30] == [400] * 30, "FailedLoginAddressLimit (30) failures per window"
    assert set(answers[30:]) <= {400, 429} and answers.count(429) >= 10
    if time.time() // window == started:  # no window boundary crossed: the budget is exact
        assert set(answers[30:]) == {429}
        refused = password_grant(sprayer, local_stack, f"{prefix}-49", "a long and private passphrase")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    other = session_from("127.0.0.6")
    assert password_grant(other, local_stack, f"{prefix}-49", "a long and private passphrase").status_code == 200
