"""The cost arithmetic behind benchmarks/README.md (not timings: those are never asserted in tests)."""

from benchmarks import capacity, prices


def test_item_size_counts_names_and_values():
    assert capacity.item_size({"token_hash": {"S": "a" * 64}}) == len("token_hash") + 64
    assert capacity.item_size({"n": {"N": "1234"}, "b": {"BOOL": True}}) == 1 + 3 + 1 + 1


def test_writes_cost_one_unit_per_kb_plus_the_index_entry_on_the_tokens_table_only():
    small = {"token_hash": {"S": "h"}, "grant_id": {"S": "g"}}
    assert capacity._write_units("oauth-server-tokens", small) == 2
    assert capacity._write_units("oauth-server-grants", small) == 1
    assert capacity._write_units("oauth-server-tokens", {"token_hash": {"S": "x" * 3000}}) == 3


def test_recorder_counts_transactions_twice():
    class Model:
        def __init__(self, name):
            self.name = name

    recorder = capacity.Recorder()
    params = {"TransactItems": [{"Put": {"TableName": "s-tokens", "Item": {"token_hash": {"S": "h"}}}},
                                {"Update": {"TableName": "s-grants", "Key": {"grant_id": {"S": "g"}}}}]}
    recorder._before(params=params, model=Model("TransactWriteItems"))
    recorder._after(parsed={}, model=Model("TransactWriteItems"))
    assert recorder.calls == ["TransactWriteItems"] and recorder.write_units == 4


def test_price_per_million_adds_up():
    cost = prices.per_million(read_units=1, write_units=1, duration_ms=12)
    assert cost["api_gateway"] == 3.5 and cost["lambda_requests"] == 0.2
    assert cost["dynamodb_reads"] == 0.125 and cost["dynamodb_writes"] == 0.625
    assert abs(cost["lambda_duration"] - 0.0000133334 * 0.5 * 0.012 * 1e6) < 1e-3
    assert abs(cost["total"] - sum(v for k, v in cost.items() if k != "total")) < 1e-3
    assert prices.floor_per_million() == 3.7


def test_billed_duration_rounds_up_to_whole_milliseconds():
    assert prices.billed_ms(0.3, 2) == 11
    assert prices.billed_ms(0.0, 0) == 1
