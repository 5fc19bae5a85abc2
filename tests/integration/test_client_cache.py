"""A container keeps client items for CLIENT_CACHE_SECONDS (storage/client_cache.py): a busy client stops
being a DynamoDB hot key, and an operator's change still reaches every container within that bound."""

from __future__ import annotations

import pytest

from oauth_core.config import settings
from oauth_core.storage import client_cache


@pytest.fixture
def clock(monkeypatch):
    """The cache's clock, moved by the test: no sleeping on a busy machine."""
    now = [1000.0]
    monkeypatch.setattr(client_cache, "_clock", lambda: now[0])
    return now


@pytest.fixture
def reads(dynamodb):
    """The DynamoDB calls that read the clients table, as DynamoDB would bill them."""
    from oauth_core.storage import dynamo

    seen: list[str] = []

    def record(params, model, **_):
        if model.name == "GetItem" and params["TableName"] == settings().clients_table:
            seen.append("GetItem")
        if model.name == "BatchGetItem" and settings().clients_table in params["RequestItems"]:
            seen.append("BatchGetItem")

    client = dynamo.client()
    client.meta.events.register("provide-client-params.dynamodb.*", record)
    yield seen
    client.meta.events.unregister("provide-client-params.dynamodb.*", record)


def written_elsewhere(dynamodb, stack, client_id, **attributes):
    """An operator's change made by another process (oauthctl): this process's cache is not told."""
    names = ", ".join(f"#{k} = :{k}" for k in attributes)
    dynamodb.update_item(TableName=f"{stack.stack_name}-clients", Key={"client_id": {"S": client_id}},
                         UpdateExpression=f"SET {names}", ExpressionAttributeNames={f"#{k}": k for k in attributes},
                         ExpressionAttributeValues={f":{k}": v for k, v in attributes.items()})


def token(api, client_id, secret):
    return api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))


def test_a_busy_client_is_read_once_per_bound(api, make_client, clock, reads):
    client_id, secret = make_client()
    for _ in range(20):
        assert token(api, client_id, secret).status == 200
    assert reads == ["GetItem"]
    clock[0] += settings().client_cache_seconds
    assert token(api, client_id, secret).status == 200
    assert reads == ["GetItem", "GetItem"]


def test_token_checks_of_a_busy_client_read_only_the_token(api, make_client, clock, reads):
    client_id, secret = make_client()
    access = token(api, client_id, secret).json()["access_token"]
    for _ in range(5):
        assert api.call("/oauth/tokeninfo", query=f"access_token={access}").status == 200
    # the token endpoint's full item and tokeninfo's projection are kept apart: one read of each
    assert reads == ["GetItem", "BatchGetItem"]


def test_a_disable_by_another_process_takes_effect_within_the_bound(api, make_client, clock, dynamodb, stack):
    client_id, secret = make_client()
    access = token(api, client_id, secret).json()["access_token"]
    assert api.call("/oauth/tokeninfo", query=f"access_token={access}").status == 200
    written_elsewhere(dynamodb, stack, client_id, disabled={"BOOL": True})
    clock[0] += settings().client_cache_seconds - 0.001  # within the bound the copy may still be used ...
    assert token(api, client_id, secret).status == 200
    clock[0] += 0.001  # ... and at the bound it is not
    assert token(api, client_id, secret).status == 401
    assert api.call("/oauth/tokeninfo", query=f"access_token={access}").status == 400


def test_revoking_a_clients_tokens_elsewhere_takes_effect_within_the_bound(api, make_client, clock, dynamodb, stack):
    import time

    client_id, secret = make_client()
    access = token(api, client_id, secret).json()["access_token"]
    assert api.call("/oauth/tokeninfo", query=f"access_token={access}").status == 200
    written_elsewhere(dynamodb, stack, client_id, tokens_valid_after={"N": str(int(time.time() * 1000) + 1)})
    clock[0] += settings().client_cache_seconds
    assert api.call("/oauth/tokeninfo", query=f"access_token={access}").status == 400


def test_the_bound_counts_from_before_the_read(api, make_client, clock, dynamodb, stack, monkeypatch):
    """A read that raced the operator's write (slow answer) must not stretch the bound past the write."""
    from oauth_core.storage import dynamo

    client_id, secret = make_client()
    real = dynamo.batch_get

    def slow_read(requests, **kwargs):
        answer = real(requests, **kwargs)
        clock[0] += 3  # the answer arrives 3 s after the read started
        return answer

    monkeypatch.setattr(dynamo, "batch_get", slow_read)
    assert token(api, client_id, secret).status == 200
    monkeypatch.setattr(dynamo, "batch_get", real)
    written_elsewhere(dynamodb, stack, client_id, disabled={"BOOL": True})
    clock[0] += settings().client_cache_seconds - 3
    assert token(api, client_id, secret).status == 401


def test_this_process_reads_its_own_writes(api, make_client, clock):
    from oauth_core.storage import clients

    client_id, secret = make_client()
    assert token(api, client_id, secret).status == 200
    clients.save(clients.Client(**{**clients.get(client_id).__dict__, "disabled": True}))
    assert token(api, client_id, secret).status == 401


def test_zero_turns_the_cache_off(api, make_client, clock, reads, monkeypatch):
    monkeypatch.setenv("CLIENT_CACHE_SECONDS", "0")
    settings.cache_clear()
    client_id, secret = make_client()
    for _ in range(3):
        assert token(api, client_id, secret).status == 200
    assert reads == ["GetItem"] * 3


def test_a_client_probed_before_it_was_registered_is_accepted_at_the_bound(api, clock, dynamodb, stack):
    """Absent clients are kept too (a flood for one unknown id is a hot key as well): the price is that
    a client probed before it was registered elsewhere is refused for at most the bound."""
    from oauth_core.hashing import digest, random_secret
    from oauth_core.storage import clients, dynamo

    secret = random_secret()
    assert token(api, "late-client", secret).status == 401
    registered = clients.Client("late-client", digest(secret), grant_types=frozenset({"client_credentials"}))
    dynamodb.put_item(TableName=f"{stack.stack_name}-clients", Item=dynamo.marshal(registered.to_item()))
    assert token(api, "late-client", secret).status == 401
    clock[0] += settings().client_cache_seconds
    assert token(api, "late-client", secret).status == 200


def test_a_flood_of_unknown_client_ids_keeps_memory_bounded_and_the_busy_client_working(
        api, make_client, clock, reads):
    client_id, secret = make_client()
    assert token(api, client_id, secret).status == 200
    for i in range(client_cache.MAX_ENTRIES + 50):
        client_cache.batch_get({"client": (settings().clients_table, {"client_id": f"unknown-{i}"})})
    assert len(client_cache._entries) <= client_cache.MAX_ENTRIES
    assert token(api, client_id, secret).status == 200


def test_a_secret_rotated_elsewhere_works_at_once(api, make_client, clock, dynamodb, stack):
    from oauth_core.hashing import digest, random_secret

    client_id, old = make_client()
    assert token(api, client_id, old).status == 200
    new = random_secret()
    written_elsewhere(dynamodb, stack, client_id, secret_hash={"S": digest(new)})
    clock[0] += client_cache.REREAD_AFTER
    assert token(api, client_id, new).status == 200  # the kept copy refused it: read again
    assert token(api, client_id, old).status == 401  # and the copy kept now is the new one


def test_an_attacker_with_wrong_secrets_cannot_make_the_client_a_hot_key(api, make_client, clock, reads):
    client_id, secret = make_client()
    assert token(api, client_id, secret).status == 200
    clock[0] += client_cache.REREAD_AFTER
    for _ in range(30):
        assert token(api, client_id, "wrong secret").status == 401
    assert reads == ["GetItem", "GetItem"]  # one read again per REREAD_AFTER, whatever the rate
    assert token(api, client_id, secret).status == 200


def test_a_certificate_rolled_elsewhere_works_within_a_second_and_the_removed_one_stops(api, make_client, clock,
                                                                                       dynamodb, stack):
    from tests.conftest import make_certificate
    from tests.integration.test_standard_clients import pkjwt

    key, pem = make_certificate()
    client_id, _ = make_client("keyed", grant_types=("client_credentials",), certificates=(pem,))
    assert api.call("/oauth/token", data={"grant_type": "client_credentials", **pkjwt(key, client_id)}).status == 200
    new_key, new_pem = make_certificate()
    written_elsewhere(dynamodb, stack, client_id, certificates={"L": [{"S": new_pem}]})
    clock[0] += client_cache.REREAD_AFTER
    assert api.call("/oauth/token", data={"grant_type": "client_credentials",
                                          **pkjwt(new_key, client_id)}).status == 200
    assert api.call("/oauth/token", data={"grant_type": "client_credentials",
                                          **pkjwt(key, client_id)}).status == 401


def test_a_throttled_read_again_answers_503_and_the_kept_copy_still_serves_the_right_secret(api, make_client, clock):
    """DynamoDB throttles the read a refused credential triggers: an honest 503 for that request, never a
    500 and never a lockout: the right secret, checked against the kept copy, still works."""
    from oauth_core.storage import dynamo
    from tests.integration.test_hardening import throttle

    client_id, secret = make_client()
    assert token(api, client_id, secret).status == 200
    clock[0] += client_cache.REREAD_AFTER
    throttle(dynamo.client(), "GetItem")
    refused = token(api, client_id, "wrong secret")
    assert refused.status == 503 and refused.json()["error"] == "temporarily_unavailable"
    assert token(api, client_id, secret).status == 200
