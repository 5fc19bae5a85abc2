"""The Lambda authorizer's answer: an unambiguous principal and context (issue 13)."""

import json

from local.template import ROOT


def authorizer_event(token: str) -> dict:
    event = json.loads((ROOT / "events" / "authorizer-request.json").read_text())
    event["headers"] = {**event.get("headers", {}), "Authorization": f"Bearer {token}"}
    return event


def test_principal_and_context_say_whose_token_it_is(api, client, user_tokens):
    own = api.call("/oauth/token", data={"grant_type": "client_credentials"}, auth=client).json()["access_token"]
    as_client = api.invoke("authorizer", authorizer_event(own))
    assert as_client["principalId"] == f"client:{client[0]}"
    assert as_client["context"]["sub"] == client[0] and as_client["context"]["token_kind"] == "client"
    as_user = api.invoke("authorizer", authorizer_event(user_tokens["access_token"]))
    assert as_user["principalId"].startswith("user:") and as_user["context"]["token_kind"] == "user"
    assert as_user["context"]["sub"] == as_user["context"]["username"] == as_user["principalId"][5:]
    assert as_user["context"]["client_id"] == client[0]
