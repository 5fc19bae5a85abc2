"""Abuse resistance of passwords, on the handlers with moto in-process: failures counted per source
address, never a lockout of the user from an address that did not fail; spraying limited per address;
older password hashes upgraded at sign-in; one audit event per decision. Over HTTP from several loopback
addresses: tests/e2e/test_abuse_http.py."""

from __future__ import annotations

import json
import time

import pytest

from tests.integration.authorize_browser import Browser
from tests.unit.test_hashing import scrypt_hash

ATTACKER, USER_ADDRESS = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def web_client(make_client):
    return make_client("web", grant_types=("authorization_code", "password", "refresh_token"),
                       redirect_uris=("https://app.example/cb",))


@pytest.fixture
def alice(make_user):
    return make_user()


@pytest.fixture
def budgets(monkeypatch):
    from oauth_core.config import settings

    def set_(**values: int) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name.upper(), str(value))
        settings.cache_clear()

    return set_


def sign_in_page(api, address: str):
    browser = Browser(api, source_ip=address)
    assert browser.open(client_id="web", response_type="code", redirect_uri="https://app.example/cb").status == 200
    return browser


def password_grant(api, client, username, password, address):
    return api.call("/oauth/token", data={"grant_type": "password", "username": username, "password": password},
                    auth=client, source_ip=address)


def test_a_third_party_cannot_lock_out_a_user_signing_in_from_another_address(api, web_client, alice, budgets):
    budgets(failed_login_limit=3)
    attacker = sign_in_page(api, ATTACKER)
    for _ in range(10):
        attacker.login("alice", "guess")
    locked = attacker.login("alice", "correct horse")
    assert locked.status == 429 and "Too many failed sign-ins" in locked.text and "Approve" not in locked.text
    assert int(locked.headers["retry-after"]) > 0
    assert "Approve" in sign_in_page(api, USER_ADDRESS).login("alice", "correct horse").text
    assert password_grant(api, web_client, "alice", "correct horse", USER_ADDRESS).status == 200


def test_a_distributed_attack_slows_failing_addresses_but_never_refuses_a_clean_one(api, web_client, alice,
                                                                                      budgets):
    budgets(failed_login_limit=5, failed_login_user_limit=3)
    bots = [f"198.51.100.{n}" for n in range(10, 14)]
    for bot in bots:
        assert password_grant(api, web_client, "alice", "guess", bot).status == 400
    # The user is under attack: an address that failed has no free failures left, even with the right password...
    assert password_grant(api, web_client, "alice", "correct horse", bots[0]).status == 429
    # ... while an address with no failure for alice is never refused because of the others.
    assert password_grant(api, web_client, "alice", "correct horse", USER_ADDRESS).status == 200
    assert "Approve" in sign_in_page(api, "192.0.2.1").login("alice", "correct horse").text


def test_spraying_one_password_over_many_users_from_one_address_is_refused(api, web_client, make_user, budgets):
    budgets(failed_login_address_limit=5)
    for n in range(8):
        make_user(f"user{n}", f"a long secret of user {n}")
    answers = [password_grant(api, web_client, f"user{n}", "Summer2026!", ATTACKER).status for n in range(8)]
    assert answers == [400] * 5 + [429] * 3
    refused = password_grant(api, web_client, "user7", "a long secret of user 7", ATTACKER)
    assert refused.status == 429 and refused.json()["error"] == "invalid_grant", "over budget nothing is checked"
    assert password_grant(api, web_client, "user7", "a long secret of user 7", USER_ADDRESS).status == 200
    page = sign_in_page(api, ATTACKER).login("user0", "a long secret of user 0")
    assert page.status == 429 and "from your network" in page.text


def test_unknown_users_are_counted_like_known_ones(api, web_client, budgets):
    budgets(failed_login_limit=2)
    assert [password_grant(api, web_client, "nobody", "guess", ATTACKER).status for _ in range(3)] == [400, 400, 429]


def test_a_success_forgets_the_failures_of_that_address(api, web_client, alice, budgets):
    budgets(failed_login_limit=3)
    for _ in range(2):
        assert password_grant(api, web_client, "alice", "typo", USER_ADDRESS).status == 400
    assert password_grant(api, web_client, "alice", "correct horse", USER_ADDRESS).status == 200
    for _ in range(2):
        assert password_grant(api, web_client, "alice", "typo", USER_ADDRESS).status == 400
    assert password_grant(api, web_client, "alice", "correct horse", USER_ADDRESS).status == 200


def test_counters_are_stored_hashed_and_expire(api, web_client, alice, dynamodb, stack):
    password_grant(api, web_client, "alice", "guess", ATTACKER)
    items = dynamodb.scan(TableName=f"{stack.stack_name}-attempts")["Items"]
    assert len(items) == 3, "user at address, address, user"
    for item in items:
        assert time.time() < int(item["expires_at"]["N"]) <= time.time() + 86400 + 60 + 1
        assert "alice" not in str(item) and ATTACKER not in str(item)


def test_a_clean_success_costs_no_extra_call(api, web_client, alice, dynamodb):
    calls = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **kw: calls.append(model.name))
    assert password_grant(api, web_client, "alice", "correct horse", USER_ADDRESS).status == 200
    assert calls.count("BatchGetItem") == 1 and "UpdateItem" not in calls and "DeleteItem" not in calls


# -- password hashes of older releases are upgraded at the next sign-in ----------------------------------
@pytest.fixture
def legacy_alice(dynamodb):
    from oauth_core.storage import users

    users.create(users.User("alice", scrypt_hash("correct horse"), created_at=int(time.time())))
    return users


@pytest.mark.parametrize("channel", ["password_grant", "login_form"])
def test_an_scrypt_hash_is_replaced_by_argon2id_at_the_next_sign_in(api, web_client, legacy_alice, dynamodb,
                                                                     channel):
    calls = []
    dynamodb.meta.events.register("provide-client-params.dynamodb.UpdateItem",
                                  lambda params, **kw: calls.append(params["TableName"]))

    def sign_in(password):
        if channel == "password_grant":
            return password_grant(api, web_client, "alice", password, USER_ADDRESS).status == 200
        return "Approve" in sign_in_page(api, USER_ADDRESS).login("alice", password).text

    assert not sign_in("wrong password")
    assert legacy_alice.get("alice").password_hash.startswith("scrypt$"), "a failure changes nothing"
    calls.clear()
    assert sign_in("correct horse")
    assert legacy_alice.get("alice").password_hash.startswith("$argon2id$")
    users_table = [t for t in calls if t.endswith("-users")]
    assert len(users_table) == 1, "one conditional UpdateItem of the user"
    calls.clear()
    assert sign_in("correct horse"), "the new hash verifies the same password"
    assert not [t for t in calls if t.endswith("-users")], "no rehash once current"


def test_a_rehash_never_overwrites_a_password_changed_meanwhile(legacy_alice):
    from oauth_core.hashing import hash_password
    from oauth_core.storage import dynamo

    old = legacy_alice.get("alice").password_hash
    legacy_alice.save(legacy_alice.User("alice", hash_password("a brand new passphrase")))
    with pytest.raises(dynamo.ConditionFailed):
        legacy_alice.replace_password_hash("alice", old, hash_password("correct horse"))


# -- audit events ------------------------------------------------------------------------------------
@pytest.fixture
def audit_lines(caplog):
    """The audit lines of this test, as the audit logger's formatter writes them."""
    from oauth_core import audit

    formatter = audit._logger().registered_formatter
    return lambda: [json.loads(formatter.format(r)) for r in caplog.records if r.name.endswith("-audit")]


def test_each_decision_is_one_audit_event_with_who_and_where(api, web_client, alice, budgets, audit_lines):
    budgets(failed_login_limit=1)
    headers = {"User-Agent": "curl/8.0"}

    def call(data, auth=web_client):
        return api.call("/oauth/token", data=data, auth=auth, headers=headers, source_ip=ATTACKER)

    call({"grant_type": "password", "username": "alice", "password": "guess"})
    call({"grant_type": "password", "username": "alice", "password": "correct horse"})
    call({"grant_type": "client_credentials"}, auth=(web_client[0], "wrong secret"))
    call({"grant_type": "refresh_token", "refresh_token": "nope"})
    events = audit_lines()
    assert [(e["event_type"], e["outcome"]) for e in events] == [
        ("sign_in", "failure"), ("throttled", "refused"), ("client_auth", "failure"), ("token_refused", "refused")]
    for event in events:
        assert event["source_ip"] == ATTACKER and event["user_agent"] == "curl/8.0" and event["request_id"]
        assert event["client_id"] == "web" and event["reason"]
    assert events[0]["user"] == "alice" and events[0]["reason"] == "wrong password"
    assert events[1]["reason"] == "user_address budget"
    assert "guess" not in json.dumps(events) and web_client[1] not in json.dumps(events)
