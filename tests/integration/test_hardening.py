"""Hardening, on the handlers with moto in-process: failed client authentications, lost DynamoDB
responses retried by botocore, throttling faults, expiry that TTL has not applied yet, redirect URI
attacks and hostile client authentication. Races over HTTP are in tests/e2e/test_races.py; fuzzing in
test_fuzz.py."""

from __future__ import annotations

import base64
import time
from urllib.parse import quote_plus

import pytest

from local import events
from oauth_core.storage import budget
from tests.integration.authorize_browser import CHALLENGE, REDIRECT, VERIFIER, Browser, redirect_of

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def cc(api, client_id, secret, **headers):
    return api.call("/oauth/token", data={"grant_type": "client_credentials"}, headers={**basic(client_id, secret),
                                                                                         **headers})


# -- 7. failed client authentications: counted for an alarm, never a lockout ---------------------------
def test_failed_client_authentications_never_lock_out_the_right_secret(api, client):
    client_id, secret = client
    assert {cc(api, client_id, "guess").status for _ in range(30)} == {401}
    assert cc(api, client_id, secret).status == 200, "a generated secret cannot be guessed: nothing to lock"
    assert api.call("/oauth/revoke", data={"token": "x"}, headers=basic(client_id, secret)).status == 200


def test_unknown_client_ids_get_the_same_answer_as_known_ones(api, client):
    assert cc(api, "no-such-client", "guess").json() == cc(api, client[0], "guess").json()


def test_failed_client_authentications_store_nothing(api, client, dynamodb, stack):
    for _ in range(3):
        assert cc(api, client[0], "guess").status == 401
    assert dynamodb.scan(TableName=f"{stack.stack_name}-attempts")["Items"] == []


# -- 2. lost responses retried by botocore -----------------------------------------------------------
def lose_first_answer(dynamodb, operation: str) -> dict[str, int]:
    """The first successful ``operation`` is retried by botocore as if its answer had been lost."""
    state = {"lost": 0}

    def retry_after_success(response, caught_exception, **_):
        if not state["lost"] and caught_exception is None and response and response[0].status_code == 200:
            state["lost"] += 1
            return 0  # retry at once
        return None

    dynamodb.meta.events.register_first(f"needs-retry.dynamodb.{operation}", retry_after_success)
    return state


def test_lost_answer_of_a_code_redemption_is_not_a_replay(api, make_client, make_user, dynamodb):
    client = make_client("web", grant_types=("authorization_code", "refresh_token"), redirect_uris=(REDIRECT,))
    make_user()
    code = Browser(api).authorize(client_id="web", response_type="code", code_challenge=CHALLENGE,
                                  code_challenge_method="S256").params["code"]
    state = lose_first_answer(dynamodb, "TransactWriteItems")
    r = api.call("/oauth/token", auth=client, data={"grant_type": "authorization_code", "code": code,
                                                    "code_verifier": VERIFIER})
    assert state["lost"] == 1
    assert r.status == 200, r.text
    assert api.call("/oauth/tokeninfo", query=f"access_token={r.json()['access_token']}").status == 200


def test_lost_answer_of_a_refresh_is_not_a_reuse(api, user_tokens, client, dynamodb):
    state = lose_first_answer(dynamodb, "TransactWriteItems")
    r = api.call("/oauth/token", auth=client, data={"grant_type": "refresh_token",
                                                    "refresh_token": user_tokens["refresh_token"]})
    assert state["lost"] == 1 and r.status == 200, r.text
    assert api.call("/oauth/tokeninfo", query=f"access_token={r.json()['access_token']}").status == 200


def test_lost_answer_of_a_jwt_assertion_is_not_a_replay(api, make_client, dynamodb):
    import uuid

    import jwt

    from tests.conftest import make_certificate

    key, pem = make_certificate()
    make_client("jwt-app", grant_types=(JWT_BEARER,), certificates=(pem,))
    assertion = jwt.encode({"iss": "jwt-app", "aud": "https://127.0.0.1/api/oauth/token", "jti": uuid.uuid4().hex,
                            "exp": int(time.time()) + 60}, key, algorithm="RS256")
    state = lose_first_answer(dynamodb, "TransactWriteItems")
    r = api.call("/oauth/token", data={"grant_type": JWT_BEARER, "assertion": assertion})
    assert state["lost"] == 1 and r.status == 200, r.text


# -- 4. AWS faults -----------------------------------------------------------------------------------
def throttle(dynamodb, operation: str = "*") -> list[str]:
    """Every ``operation`` call answers ThrottlingException, on every attempt botocore makes."""
    from botocore.awsrequest import AWSResponse

    attempts: list[str] = []

    def refuse(request, **_):
        attempts.append(request.url)
        body = b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}'
        raw = type("Raw", (), {"stream": lambda self, **kw: iter([body])})()
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0"}, raw)

    dynamodb.meta.events.register_first(f"before-send.dynamodb.{operation}", refuse)
    return attempts


@pytest.mark.parametrize(("path", "data", "query"), [
    ("/oauth/token", {"grant_type": "client_credentials"}, ""),
    ("/oauth/revoke", {"token": "x"}, ""),
    ("/oauth/tokeninfo", None, "access_token={well_formed}"),
])
def test_throttling_on_every_attempt_is_a_bounded_503(api, client, dynamodb, path, data, query):
    from oauth_core import token_format

    query = query.format(well_formed=token_format.mint(token_format.TokenRef("some-client")))
    attempts = throttle(dynamodb)
    r = api.call(path, data=data, query=query, auth=client if data else None)
    assert r.status == 503 and r.json()["error"] == "temporarily_unavailable"
    assert int(r.headers["retry-after"]) >= 1 and "Traceback" not in r.text
    assert len(attempts) == budget.MAX_ATTEMPTS, "the call and 3 retries, then give up (test_time_budget.py: in time)"


def test_throttled_authorize_page_is_a_503_page(api, make_client, dynamodb):
    make_client("web", grant_types=("authorization_code",), redirect_uris=(REDIRECT,))
    throttle(dynamodb)
    r = api.call("/oauth/authorize", query="client_id=web&response_type=code")
    assert r.status == 503 and r.headers["content-type"].startswith("text/html") and "retry-after" in r.headers


def refuse_writes_to(dynamodb, table: str) -> list[str]:
    """Any write that touches ``table`` fails (ThrottlingException) before it reaches DynamoDB."""
    from botocore.awsrequest import AWSResponse

    refused: list[str] = []

    def refuse(model, params, **_):
        body = params.get("body") or b""
        body = body.decode() if isinstance(body, bytes) else str(body)
        if model.name in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems") and f'"{table}"' in body:
            refused.append(model.name)
            return (AWSResponse("https://dynamodb", 400, {}, None),
                    {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}, "ResponseMetadata": {}})
        return None

    dynamodb.meta.events.register_first("before-call.dynamodb.*", refuse)
    return refused


def test_a_failed_write_leaves_nothing_half_written(api, client, make_user, dynamodb, stack):
    make_user()
    assert refuse_writes_to(dynamodb, f"{stack.stack_name}-tokens") is not None
    r = api.call("/oauth/token", auth=client, data={"grant_type": "password", "username": "alice",
                                                    "password": "correct horse"})
    assert r.status == 503, r.text
    for table in ("grants", "tokens"):
        assert dynamodb.scan(TableName=f"{stack.stack_name}-{table}")["Items"] == []


# -- 3. consistency and expiry -----------------------------------------------------------------------
def test_revoke_then_use_at_once_is_refused_everywhere(api, client, user_tokens):
    assert api.call("/oauth/revoke", auth=client, data={"token": user_tokens["refresh_token"]}).status == 200
    access = user_tokens["access_token"]
    assert api.call("/oauth/tokeninfo", query=f"access_token={access}").status == 400
    assert protected(api, access)["statusCode"] == 401
    refresh = api.call("/oauth/token", auth=client, data={"grant_type": "refresh_token",
                                                          "refresh_token": user_tokens["refresh_token"]})
    assert refresh.status == 400 and refresh.json()["error"] == "invalid_grant"


def bearer_event(access: str) -> dict:
    return events.build("GET", "/oauth/protected", "", [("Authorization", f"Bearer {access}")], b"",
                        "/oauth/protected")


def protected(api, access: str) -> dict:
    return api.invoke("protected", bearer_event(access))


def expire_everything(dynamodb, stack) -> None:
    """Set every item's expires_at one second in the past, as if TTL had not come round yet."""
    past = {":past": {"N": str(int(time.time()) - 1)}}
    for table in ("tokens", "grants", "codes", "sessions"):
        name = f"{stack.stack_name}-{table}"
        key = dynamodb.describe_table(TableName=name)["Table"]["KeySchema"][0]["AttributeName"]
        for item in dynamodb.scan(TableName=name)["Items"]:
            dynamodb.update_item(TableName=name, Key={key: item[key]}, UpdateExpression="SET expires_at = :past",
                                 ExpressionAttributeValues=past)


def test_items_past_expiry_are_expired_at_every_endpoint(api, client, user_tokens, dynamodb, stack):
    expire_everything(dynamodb, stack)
    access, refresh = user_tokens["access_token"], user_tokens["refresh_token"]
    assert api.call("/oauth/tokeninfo", query=f"access_token={access}").status == 400
    r = api.call("/oauth/token", auth=client, data={"grant_type": "refresh_token", "refresh_token": refresh})
    assert r.status == 400 and r.json()["error"] == "invalid_grant"
    assert protected(api, access)["statusCode"] == 401
    with pytest.raises(Exception, match="^Unauthorized$"):
        api.invoke("authorizer", events.authorizer_event(bearer_event(access), "arn:aws:execute-api:r:1:a/api/GET/x"))


def test_ttl_attributes_are_epoch_seconds(api, client, user_tokens, make_client, dynamodb, stack):
    Browser(api).open(client_id=make_client("web", grant_types=("authorization_code",),
                                            redirect_uris=(REDIRECT,))[0], response_type="code")
    now = time.time()
    for table in ("tokens", "grants", "sessions"):
        items = dynamodb.scan(TableName=f"{stack.stack_name}-{table}")["Items"]
        assert items, table
        for item in items:
            assert now < int(item["expires_at"]["N"]) < now + 400 * 24 * 3600, (table, item["expires_at"])


# -- 6. redirect URI attacks -------------------------------------------------------------------------
REGISTERED = "https://app.example.com/cb"
LOOPBACK = "http://127.0.0.1:8400/callback"


@pytest.mark.parametrize("uri", [
    REGISTERED + "/", "https://APP.example.com/cb", "https://app.example.com/CB", "HTTPS://app.example.com/cb",
    REGISTERED + "?x=1", REGISTERED + "?", REGISTERED + "#", REGISTERED + "#frag",
    "https://app.example.com/cb/../cb", "https://app.example.com/x/../cb", "https://app.example.com/cb/%2e%2e/cb",
    "https://app.example.com/%63b", "https://app.example.com/./cb", "https://app.example.com//cb",
    "https://app.example.com.evil.example/cb", "https://evil.example/cb", "https://app.example.com@evil.example/cb",
    "https://user@app.example.com/cb", "https://app.example.com:443/cb", "https://app.example.com:8443/cb",
    "http://app.example.com/cb", "javascript:alert(1)", "data:text/html,hi", "//app.example.com/cb",
    "https://app.example.com/cb%00", " https://app.example.com/cb", "https://app.example.com\\@evil.example/cb",
    "http://127.0.0.1:8400/callback/", "http://127.0.0.1:8400/Callback", "http://localhost:8400/callback",
    "http://127.0.0.2:8400/callback", "https://127.0.0.1:8400/callback", "http://127.0.0.1:8400/callback?x",
    "http://user@127.0.0.1:9/callback", "http://127.0.0.1:abc/callback",
])
def test_redirect_uri_attacks_get_an_error_page_never_a_redirect(api, make_client, uri):
    make_client("web", grant_types=("authorization_code",), redirect_uris=(REGISTERED, LOOPBACK))
    page = Browser(api).open(client_id="web", response_type="code", redirect_uri=uri, state="s")
    assert page.status == 400 and "location" not in page.headers, uri


@pytest.mark.parametrize("uri", [LOOPBACK, "http://127.0.0.1:51234/callback", "http://127.0.0.1/callback"])
def test_loopback_redirect_uris_may_vary_the_port_only(api, make_client, uri):
    make_client("native", public=True, grant_types=("authorization_code",), redirect_uris=(LOOPBACK,))
    r = redirect_of(Browser(api).open(client_id="native", response_type="code", redirect_uri=uri, state="s"))
    # The request is valid up to PKCE: the error comes back to the (port-varied) URI, not to a page.
    assert r.status == 302 and r.location.startswith(uri + "?error=invalid_request")


# -- 5. hostile client authentication (fuzzed in test_fuzz.py) ----------------------------------------
def test_appendix_b_form_encoded_basic_credentials_authenticate(api, make_client):
    client_id, secret = make_client("client:id")
    encoded = {"Authorization": "Basic " + base64.b64encode(
        f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()).decode()}
    assert base64.b64decode(encoded["Authorization"][6:]).startswith(b"client%3Aid:")
    r = api.call("/oauth/token", data={"grant_type": "client_credentials"}, headers=encoded)
    assert r.status == 200 and api.call("/oauth/tokeninfo", query=f"access_token={r.json()['access_token']}"
                                        ).json()["audience"] == "client:id"
    unencoded = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert unencoded.status == 401, "without Appendix B encoding the first colon splits the id"


@pytest.mark.parametrize(("headers", "data", "status", "error"), [
    ({"Authorization": "Basic !!!notbase64"}, {}, 401, "invalid_client"),
    ({"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}, {}, 401, "invalid_client"),
    ({"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:x").decode()}, {}, 401, "invalid_client"),
    ("basic", {"client_secret": "also-in-body"}, 400, "invalid_request"),
    ("basic", {"client_id": "someone-else"}, 400, "invalid_request"),
    ({"Authorization": "Bearer abc"}, {}, 401, "invalid_client"),
    ({"Content-Type": "application/json"}, {}, 400, "invalid_request"),
    ({"X-Padding": "a" * 11000}, {}, 400, "invalid_request"),
    ({"X-Nul": "a\x00b"}, {}, 400, "invalid_request"),
])
def test_hostile_client_authentication_gets_an_rfc_error(api, client, headers, data, status, error):
    headers = basic(*client) if headers == "basic" else headers
    body = {"grant_type": "client_credentials", **data}
    r = api.call("/oauth/token", data=body, headers=headers)
    assert r.status == status and r.json()["error"] == error, r.text


def lose_answer_after_write(dynamodb, operation: str, table_suffix: str) -> dict[str, int]:
    """The first ``operation`` on a table named ``*table_suffix`` is applied by DynamoDB, then its answer is
    lost on the way back (a read timeout): the caller cannot know it succeeded and retries."""
    import json

    from botocore.exceptions import ReadTimeoutError

    state = {"lost": 0}

    def remember(params, context, **_):
        context["table"] = json.loads(params["body"]).get("TableName", "")

    def lose(context, **_):
        if not state["lost"] and context.get("table", "").endswith(table_suffix):
            state["lost"] += 1
            raise ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com/")

    dynamodb.meta.events.register(f"before-call.dynamodb.{operation}", remember)
    dynamodb.meta.events.register(f"after-call.dynamodb.{operation}", lose)
    return state


def test_lost_answer_of_the_login_step_does_not_restart_the_sign_in(api, make_client, make_user, dynamodb):
    make_client("web", grant_types=("authorization_code",), redirect_uris=(REDIRECT,))
    make_user()
    browser = Browser(api)
    assert browser.open(client_id="web", response_type="code").status == 200
    state = lose_answer_after_write(dynamodb, "TransactWriteItems", "")  # moves the flow on, starts the session
    page = browser.login()
    assert state["lost"] == 1
    assert page.status == 200 and "Approve" in page.text, "our own retry is not a second login"


@pytest.mark.parametrize(("window", "retry_status"), [("30", 200), ("0", 400)])
def test_refresh_whose_answer_was_lost_until_the_budget_ran_out(api, client, user_tokens, dynamodb, monkeypatch,
                                                                window, retry_status):
    """The rotation was written but every answer was lost (503 to the client, which keeps its refresh
    token): within RefreshTokenReuseWindow the client's retry works; with the window off it is a reuse."""
    from oauth_core.config import settings
    from tests.dynamodb_faults import Faults

    monkeypatch.setenv("REFRESH_REUSE_WINDOW", window)
    settings.cache_clear()
    monkeypatch.setattr(budget, "_BACKOFF_BASE", 0.001)
    state = lose_answer_after_write(dynamodb, "TransactWriteItems", "")
    faults = Faults(code="InternalServerError", after=2).install(dynamodb)  # batch read, the lost write: then none
    data = {"grant_type": "refresh_token", "refresh_token": user_tokens["refresh_token"]}
    first = api.call("/oauth/token", auth=client, data=data)
    faults.active = False
    assert state["lost"] == 1 and first.status == 503
    retry = api.call("/oauth/token", auth=client, data=data)
    assert retry.status == retry_status, retry.text
