"""Each DynamoDB error and cancellation reason, in DynamoDB's wire format through botocore's parser, is
classified by name: retried within the time budget, then 503; a failed condition is reported for the
action it names, wherever that action sits in the transaction; an invalid request is a bug (500)."""

from __future__ import annotations

import pytest

from oauth_core.errors import TemporarilyUnavailable
from oauth_core.storage import budget, dynamo, failures
from tests.dynamodb_faults import ERRORS, REASONS, Faults, cancelled


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(budget, "_BACKOFF_BASE", 0.001)


@pytest.fixture
def moto(dynamodb):
    return dynamodb


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_each_transient_error_is_retried_then_temporarily_unavailable(moto, code):
    faults = Faults(code=code).install(moto)
    with pytest.raises(TemporarilyUnavailable):
        dynamo.get("any-table", {"client_id": "x"})
    assert faults.calls == ["GetItem"] * budget.MAX_ATTEMPTS


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_a_transient_error_that_clears_is_retried_to_success(moto, stack, code):
    faults = Faults(code=code, limit=2).install(moto)
    assert dynamo.get(f"{stack.stack_name}-clients", {"client_id": "x"}) is None
    assert faults.calls == ["GetItem"] * 3


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_each_transient_cancellation_reason_is_temporarily_unavailable(moto, stack, reason):
    Faults(reason=reason, position=1).install(moto)
    with pytest.raises(TemporarilyUnavailable):
        dynamo.transact_write(_two_puts(stack))


def _two_puts(stack):
    table = f"{stack.stack_name}-codes"
    return {name: {"Put": {"TableName": table, "Item": dynamo.marshal({"code_hash": name}),
                           "ConditionExpression": "attribute_not_exists(code_hash)"}} for name in ("first", "second")}


@pytest.mark.parametrize(("codes", "failed"), [
    (["ConditionalCheckFailed", "None"], {"first"}),
    (["None", "ConditionalCheckFailed"], {"second"}),
    (["ThrottlingError", "ConditionalCheckFailed"], {"second"}),  # a failed condition is a fact: it wins
])
def test_failed_conditions_are_reported_by_action_name_not_position(codes, failed):
    refused = failures.cancellation([{"Code": c} for c in codes], ("first", "second"))
    assert isinstance(refused, failures.TransactionRefused) and refused.failed == failed


def test_a_real_condition_failure_names_its_action(moto, stack):
    dynamo.transact_write(_two_puts(stack))
    actions = _two_puts(stack)
    actions = {"second": actions["second"], "first": actions["first"]}  # another order, same names
    with pytest.raises(failures.TransactionRefused) as caught:
        dynamo.transact_write(actions)
    assert caught.value.failed == {"first", "second"}


def test_cancellation_reasons_arrive_through_botocores_parser(moto):
    model = moto.meta.service_model.operation_model("TransactWriteItems")
    _, parsed = cancelled(model, [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "ongoing"}])
    assert parsed["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in parsed["CancellationReasons"]] == ["None", "TransactionConflict"]


@pytest.mark.dynamodb_refuses
def test_a_request_dynamodb_refuses_as_invalid_is_a_bug_not_unavailability(moto, stack):
    with pytest.raises(failures.StorageRejected, match="hashkey"):
        dynamo.get(f"{stack.stack_name}-clients", {"client_id": "x" * 2049})


def test_no_attempt_starts_that_could_outlast_the_deadline(moto, stack):
    class Context:
        def get_remaining_time_in_millis(self):
            return int((budget.shortest_attempt() + budget.ANSWER_MARGIN) * 1000) - 100

    faults = Faults(code="ThrottlingException").install(moto)
    with budget.within(Context()), pytest.raises(TemporarilyUnavailable):
        dynamo.get(f"{stack.stack_name}-clients", {"client_id": "x"})
    assert faults.calls == [], "not even one attempt: it could not finish in time"


def _unprocessed_first(moto, times: int) -> list[int]:
    """BatchGetItem answers "nothing processed, ask again" ``times`` times, as DynamoDB may under load."""
    import json

    from tests.dynamodb_faults import answer

    seen: list[int] = []

    def defer(model, params, **_):
        seen.append(1)
        if len(seen) > times:
            return None
        wanted = json.loads(params["body"])["RequestItems"]
        return answer(model, 200, json.dumps({"Responses": {}, "UnprocessedKeys": wanted}).encode())

    moto.meta.events.register_first("before-call.dynamodb.BatchGetItem", defer)
    return seen


def test_unprocessed_keys_are_asked_for_again(moto, stack):
    clients_table = f"{stack.stack_name}-clients"
    dynamo.call("put_item", TableName=clients_table, Item=dynamo.marshal({"client_id": "a", "name": "A"}))
    seen = _unprocessed_first(moto, 2)
    found = dynamo.batch_get({"a": (clients_table, {"client_id": "a"}), "b": (clients_table, {"client_id": "b"})})
    assert found["a"]["name"] == "A" and found["b"] is None and len(seen) == 3


def test_keys_never_processed_are_temporarily_unavailable(moto, stack):
    clients_table = f"{stack.stack_name}-clients"
    seen = _unprocessed_first(moto, 100)
    with pytest.raises(TemporarilyUnavailable):
        dynamo.batch_get({"a": (clients_table, {"client_id": "a"}), "b": (clients_table, {"client_id": "b"})})
    assert len(seen) == budget.MAX_ATTEMPTS


@pytest.mark.parametrize(("status", "body"), [(503, b""), (502, b"<html>Bad Gateway</html>"),
                                              (500, b'{"__type":"com.amazonaws.dynamodb.v20120810#InternalFailure"}')])
def test_a_5xx_without_dynamodbs_json_is_transient(moto, status, body):
    from tests.dynamodb_faults import answer

    moto.meta.events.register_first("before-call.dynamodb.GetItem",
                                    lambda model, **_: answer(model, status, body))
    with pytest.raises(TemporarilyUnavailable):
        dynamo.get("any-table", {"client_id": "x"})


def test_cancellation_reasons_missing_from_the_answer_are_read_from_its_message():
    message = ("Transaction cancelled, please refer cancellation reasons for specific reasons "
               "[None, ConditionalCheckFailed]")
    refused = failures.cancellation([], ("first", "second"), message)
    assert isinstance(refused, failures.TransactionRefused) and refused.failed == {"second"}
    assert isinstance(failures.cancellation([{"Code": "SomethingNew"}], ("first",)), failures.Transient)
    assert isinstance(failures.cancellation([{"Code": "ValidationError"}], ("first",)), failures.StorageRejected)


def test_a_transaction_still_in_progress_is_retried_once_it_can_settle(monkeypatch):
    """TransactionInProgressException: a retry completes our transaction only 5 s after the first attempt."""
    answers = iter([failures.Transient(failures.IN_PROGRESS), {"ok": True}])
    pauses: list[float] = []

    def once(dynamodb, operation, labels, kwargs):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(dynamo, "_call_once", once)
    monkeypatch.setattr(dynamo.time, "sleep", pauses.append)
    assert dynamo.call("transact_write_items") == {"ok": True}
    assert len(pauses) == 1 and 4 < pauses[0] <= failures.IN_PROGRESS_SETTLES


def test_an_attempt_late_in_the_budget_waits_less_so_it_still_ends_in_time():
    class Context:
        def __init__(self, seconds):
            self.seconds = seconds

        def get_remaining_time_in_millis(self):
            return int(self.seconds * 1000)

    with budget.within(Context(10)):
        assert budget.attempt_timeout() == budget.read_timeout()
    with budget.within(Context(budget.ANSWER_MARGIN + budget.CONNECT_TIMEOUT + 1.2)):
        assert budget.attempt_timeout() == 1.0  # half seconds, rounded down
    with budget.within(Context(budget.ANSWER_MARGIN + budget.shortest_attempt() - 0.01)):
        assert budget.attempt_timeout() is None
