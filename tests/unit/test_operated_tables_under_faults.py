"""The storage paths issue 18 rewrote (``operated.Table``, ``dynamo.query`` / ``scan`` page loops) under
DynamoDB's real error shapes, parsed by botocore: a throttle is retried, then ``TemporarilyUnavailable``
(oauthctl: exit 1, "stayed unavailable"), and never half-applies an operator's change."""

from __future__ import annotations

import pytest

from oauth_core.errors import TemporarilyUnavailable
from oauth_core.storage import budget, consents, dynamo, users
from tests.dynamodb_faults import Faults


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(budget, "_BACKOFF_BASE", 0.001)


def _user_with_approval(dynamodb) -> users.User:
    users.create(users.User("alice", "hash"))
    dynamo.transact_write({"consent": consents.record_action("alice", "app", "read", 1_700_000_000)})
    user = users.get("alice")
    assert user is not None and user.revision == 0
    return user


def test_a_throttled_save_changes_nothing_and_the_same_save_then_succeeds(dynamodb):
    user = _user_with_approval(dynamodb)
    faults = Faults(code="ProvisionedThroughputExceededException").install(dynamodb)
    with pytest.raises(TemporarilyUnavailable):
        users.save(user.__class__(user.username, "new-hash"))
    assert faults.calls == ["PutItem"] * budget.MAX_ATTEMPTS
    faults.active = False
    assert users.get("alice") == user  # nothing written, the revision unchanged
    saved = users.save(user.__class__(user.username, "new-hash"))  # the read revision still holds: no Conflict
    assert saved.revision == 1 and users.get("alice") == saved


def test_a_throttle_that_clears_is_retried_within_the_save(dynamodb):
    user = _user_with_approval(dynamodb)
    faults = Faults(code="ThrottlingException", limit=2).install(dynamodb)
    assert users.save(user).revision == 1
    assert faults.calls == ["PutItem"] * 3


@pytest.mark.parametrize(("listing", "operation"), [(lambda: consents.list_for("alice"), "Query"),
                                                    (lambda: consents.given_to("app"), "Scan")])
def test_a_throttled_listing_is_unavailable_never_a_partial_answer(dynamodb, listing, operation):
    _user_with_approval(dynamodb)
    assert [c.client_id for c in listing()] == ["app"]
    faults = Faults(code="ThrottlingException").install(dynamodb)
    with pytest.raises(TemporarilyUnavailable):
        listing()
    assert faults.calls == [operation] * budget.MAX_ATTEMPTS


def test_a_throttled_delete_keeps_the_user(dynamodb):
    _user_with_approval(dynamodb)
    faults = Faults(code="RequestLimitExceeded").install(dynamodb)
    with pytest.raises(TemporarilyUnavailable):
        users.delete("alice")
    faults.active = False
    assert users.get("alice") is not None
