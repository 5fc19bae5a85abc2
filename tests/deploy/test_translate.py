"""template.yaml as CloudFormation sees it: translated by aws-sam-translator (what `sam deploy` runs, no AWS
call), then checked for what the template promises on AWS: one stage, throttles on real routes, gateway
responses in OAuth's shape, and IAM policies that name exactly the DynamoDB actions each function needs."""

from __future__ import annotations

import copy
import json

import pytest

from local.template import Stack, load

STACK = "oauth-server"
ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/"


class _NoManagedPolicies:
    """The translator asks IAM for the managed policy list only to expand names: the template uses none."""

    def load(self) -> dict[str, str]:
        return {}


def translate(parameters: dict[str, str] | None = None) -> dict:
    from samtranslator.translator.transform import transform

    template = copy.deepcopy(load())
    for resource in template["Resources"].values():  # what `sam package` does with local code paths
        for key in ("CodeUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = f"s3://bucket/{resource['Properties'][key]}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        return transform(template, dict(parameters or {}), _NoManagedPolicies())


@pytest.fixture(scope="module")
def translated() -> dict:
    return translate()


def of_type(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def rest_api_body(template: dict) -> dict:
    (api,) = of_type(template, "AWS::ApiGateway::RestApi").values()
    return api["Properties"]["Body"]


def test_the_api_is_deployed_to_one_stage_named_api(translated):
    """A Deployment with a StageName creates a stage too: SAM's "Stage", unthrottled, without OpenApiVersion."""
    stages = of_type(translated, "AWS::ApiGateway::Stage")
    deployments = of_type(translated, "AWS::ApiGateway::Deployment")
    names = [s["Properties"]["StageName"] for s in stages.values()]
    names += [d["Properties"]["StageName"] for d in deployments.values() if "StageName" in d["Properties"]]
    assert names == ["api"]


def test_every_throttle_names_a_real_route_and_every_burst_holds_its_rate(translated):
    (stage,) = of_type(translated, "AWS::ApiGateway::Stage").values()
    settings = Stack(stack_name=STACK, template=translated).resolve(stage["Properties"]["MethodSettings"])
    routes = {(path, method.upper()) for path, methods in rest_api_body(translated)["paths"].items()
              for method in methods}
    named = set()
    for setting in settings:
        path = setting["ResourcePath"]  # "/" then the path with "/" encoded as "~1"; "/*" is every path
        key = (path if path == "/*" else path[1:].replace("~1", "/"), setting["HttpMethod"])
        assert key == ("/*", "*") or key in routes, f"throttle for a route the API does not have: {key}"
        assert int(setting["ThrottlingBurstLimit"]) >= int(setting["ThrottlingRateLimit"]) > 0, key
        named.add(key)
    assert ("/*", "*") in named
    declared = load()["Resources"]["OAuthApi"]["Properties"]["MethodSettings"]  # every one survives translation
    assert named == {(s["ResourcePath"] if s["ResourcePath"] == "/*" else s["ResourcePath"][1:].replace("~1", "/"),
                      s["HttpMethod"]) for s in declared}


NO_STORE = {"Cache-Control": "'no-store'", "Pragma": "'no-cache'"}
RETRY = {**NO_STORE, "Retry-After": "'1'"}


@pytest.mark.parametrize(("kind", "status", "headers", "error"), [
    ("THROTTLED", "429", RETRY, "temporarily_unavailable"),
    ("AUTHORIZER_FAILURE", "503", RETRY, "temporarily_unavailable"),
    ("AUTHORIZER_CONFIGURATION_ERROR", "503", RETRY, "temporarily_unavailable"),
    ("INTEGRATION_FAILURE", "503", RETRY, "temporarily_unavailable"),
    ("INTEGRATION_TIMEOUT", "504", RETRY, "temporarily_unavailable"),
    ("DEFAULT_5XX", None, NO_STORE, "server_error"),
    ("DEFAULT_4XX", None, NO_STORE, "invalid_request"),
    ("MISSING_AUTHENTICATION_TOKEN", "404", {"Cache-Control": "'no-store'"}, "not_found"),
    ("UNAUTHORIZED", "401", {"Cache-Control": "'no-store'"}, "invalid_token"),
    ("ACCESS_DENIED", "403", {"Cache-Control": "'no-store'"}, "insufficient_scope"),
])
def test_gateway_responses_are_oauth_shaped_and_never_cached(translated, kind, status, headers, error):
    response = rest_api_body(translated)["x-amazon-apigateway-gateway-responses"][kind]
    assert response.get("statusCode") == status
    sent = {k.removeprefix("gatewayresponse.header."): v for k, v in response["responseParameters"].items()}
    assert headers.items() <= sent.items()
    body = response["responseTemplates"]["application/json"]
    assert json.loads(body.replace("$context.authorizer.error_description", ""))["error"] == error


READ = {"GetItem", "BatchGetItem"}
# What each function may do to each table; a broader policy fails here (and needs a reason).
ACTIONS = {
    "AuthorizeFunction": {"clients": READ, "users": READ | {"UpdateItem"},  # upgrading an old password hash
                          "sessions": READ | {"PutItem", "UpdateItem", "DeleteItem"},
                          "attempts": READ | {"UpdateItem", "DeleteItem"},
                          "codes": {"PutItem"}, "grants": {"PutItem"}, "tokens": {"PutItem"},
                          "consents": READ | {"UpdateItem"}, "scopes": READ},
    "LogoutFunction": {"clients": READ, "sessions": READ | {"DeleteItem"}},
    "TokenFunction": {"clients": READ, "users": READ | {"UpdateItem"},
                      "grants": READ | {"PutItem", "UpdateItem"},
                      "tokens": READ | {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"},
                      "tokens/index/by-grant": {"Query"},
                      "codes": READ | {"PutItem", "UpdateItem"},
                      "attempts": READ | {"UpdateItem", "DeleteItem"}},
    "RevokeFunction": {"clients": READ,
                       "grants": {"UpdateItem"},
                       "tokens": READ | {"DeleteItem", "BatchWriteItem"},
                       "tokens/index/by-grant": {"Query"},
                       "codes": {"PutItem"}},  # private_key_jwt: a client assertion's jti spent
    "IntrospectFunction": {"clients": READ, "users": READ, "grants": READ, "tokens": READ, "codes": {"PutItem"}},
    "MetadataFunction": {},
    "TokenInfoFunction": {"clients": READ, "users": READ, "grants": READ, "tokens": READ},
    "ProtectedFunction": {"clients": READ, "users": READ, "grants": READ, "tokens": READ},
    "AuthorizerFunction": {"clients": READ, "users": READ, "grants": READ, "tokens": READ},
}


def granted(template: dict, function: str, parameters: dict[str, str]) -> dict[str, set[str]]:
    """{table ARN: DynamoDB actions} of the function's role, every intrinsic resolved for these parameters."""
    role = template["Resources"][f"{function}Role"]["Properties"]
    assert role["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    statements = Stack(stack_name=STACK, template=template, parameters=parameters).resolve(
        [s for p in role.get("Policies", []) for s in p["PolicyDocument"]["Statement"]])  # none: no table
    found: dict[str, set[str]] = {}
    for statement in statements:
        # A Condition only narrows (test_least_privilege.py checks the attribute conditions).
        assert statement["Effect"] == "Allow" and set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in resources:
            for action in statement["Action"]:
                assert action.startswith("dynamodb:") and "*" not in action and "*" not in resource
                found.setdefault(resource, set()).add(action.removeprefix("dynamodb:"))
    return found


def test_every_function_of_the_template_has_its_table_actions_listed():
    assert set(ACTIONS) == {f.logical_id for f in Stack().functions()}


@pytest.mark.parametrize("function", sorted(ACTIONS))
def test_each_function_may_do_only_what_it_needs_to_the_tables_it_uses(translated, function):
    expected = {f"{ARN}{STACK}-{table}": actions for table, actions in ACTIONS[function].items()}
    assert granted(translated, function, {}) == expected


EXISTING = {"ExistingClientsTable": "old-clients", "ExistingUsersTable": "old-users"}


def test_existing_clients_and_users_tables_replace_the_stacks_own(translated):
    """Redeploying onto the tables a deleted stack retained: the stack creates neither, and every function's
    environment and policy name the existing ones."""
    again = translate(EXISTING)
    for logical_id in ("ClientsTable", "UsersTable"):
        assert again["Resources"][logical_id]["Condition"] == f"Create{logical_id}"
    stack = Stack(stack_name=STACK, template=again, parameters=EXISTING)
    own = {t.logical_id for t in Stack().tables()}
    replaced = {name.removeprefix("Existing") for name in EXISTING}  # ExistingClientsTable: ClientsTable's place
    assert replaced < own and {t.logical_id for t in stack.tables()} == own - replaced
    rename = {"clients": "old-clients", "users": "old-users"}
    for function in ACTIONS:
        expected = {ARN + (rename.get(table) or f"{STACK}-{table}"): actions
                    for table, actions in ACTIONS[function].items()}
        assert granted(again, function, EXISTING) == expected
        variables = stack.resolve(again["Resources"][function]["Properties"]["Environment"]["Variables"])
        assert (variables["CLIENTS_TABLE"], variables["USERS_TABLE"]) == ("old-clients", "old-users")


def test_retained_tables_are_protected_from_deletion(translated):
    for logical_id in ("ClientsTable", "UsersTable"):
        table = translated["Resources"][logical_id]
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
        assert table["Properties"]["DeletionProtectionEnabled"] is True


@pytest.mark.parametrize(("parameters", "warm"), [
    ({}, None),
    ({"WarmWriteUnitsPerSecond": "10000"}, {"WriteUnitsPerSecond": "10000"}),
    ({"WarmReadUnitsPerSecond": "20000", "WarmWriteUnitsPerSecond": "10000"},
     {"ReadUnitsPerSecond": "20000", "WriteUnitsPerSecond": "10000"}),
])
def test_warm_throughput_of_the_tokens_and_grants_tables_is_set_only_when_asked(translated, parameters, warm):
    stack = Stack(stack_name=STACK, template=translated, parameters=parameters)
    for logical_id in ("TokensTable", "GrantsTable"):
        assert stack.resolve(translated["Resources"][logical_id]["Properties"]).get("WarmThroughput") == warm
