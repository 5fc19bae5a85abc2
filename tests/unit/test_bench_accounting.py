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
    cost = prices.per_million(read_units=1, write_units=1, duration_ms=12, log_bytes=1000)
    assert cost["api_gateway"] == 3.5 and cost["lambda_requests"] == 0.2
    assert cost["cloudwatch_logs"] == 0.5  # 1 GB per million requests at $0.50 per GB
    assert cost["dynamodb_reads"] == 0.125 and cost["dynamodb_writes"] == 0.625
    assert abs(cost["lambda_duration"] - 0.0000133334 * 0.5 * 0.012 * 1e6) < 1e-3
    assert abs(cost["total"] - sum(v for k, v in cost.items() if k != "total")) < 1e-3
    assert prices.floor_per_million() == 3.7


def test_billed_duration_rounds_up_to_whole_milliseconds():
    assert prices.billed_ms(0.3, 2) == 11
    assert prices.billed_ms(0.0, 0) == 1


def test_cpu_replay_answers_what_moto_answered_and_refuses_a_different_call():
    """The CPU figure is only honest if the replayed request takes the path it took on moto."""
    import boto3
    import pytest
    from moto import mock_aws

    from benchmarks import cpu

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST")
        client.put_item(TableName="t", Item={"k": {"S": "a"}, "v": {"S": "recorded"}})
        recording = cpu.record(client, lambda: client.get_item(TableName="t", Key={"k": {"S": "a"}}))
    assert [a.operation for a in recording.answers] == ["GetItem"]
    with cpu.replaying(client, recording.answers) as rewind:
        rewind()
        assert client.get_item(TableName="t", Key={"k": {"S": "a"}})["Item"]["v"] == {"S": "recorded"}
        rewind()
        with pytest.raises(RuntimeError, match="PutItem where GetItem was recorded"):
            client.put_item(TableName="t", Item={"k": {"S": "b"}})
