"""template.yaml's cross-references and the promises the README makes about it (sam validate does not
check a !Ref inside a function's Environment, nor the Runtime)."""

import pytest

from local.template import ROOT, Stack, load

TEMPLATE = load()
RESOURCES = TEMPLATE["Resources"]


def _refs(value):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Ref":
                yield v
            elif k == "Fn::GetAtt":
                yield v[0]
            elif k == "Fn::Sub":
                import re

                text = v if isinstance(v, str) else v[0]
                yield from (m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text))
            else:
                yield from _refs(v)
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v)


def test_every_reference_names_a_resource_parameter_or_pseudo_parameter():
    known = set(RESOURCES) | set(TEMPLATE.get("Parameters", {}))
    missing = {r for r in _refs(TEMPLATE) if r not in known and not r.startswith("AWS::")}
    assert not missing


def test_functions_run_a_supported_python_on_arm64_with_the_layer():
    function_globals = TEMPLATE["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.13"
    assert function_globals["Architectures"] == ["arm64"]
    layer = RESOURCES[function_globals["Layers"][0]["Ref"]]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Metadata"]["BuildMethod"] == "python3.13"
    assert (ROOT / layer["Properties"]["ContentUri"] / "oauth_core" / "__init__.py").exists()


def test_every_function_has_its_handler_file_and_one_route_of_the_api():
    """Every function but a Lambda authorizer answers at least one route, and no route is claimed twice
    (README's endpoint table is checked against these routes in test_docs_match_code.py)."""
    stack = Stack()
    authorizers = {a.function_id for a in stack.authorizers().values()}
    routes: list[tuple[str, str]] = []
    for function in stack.functions():
        module, name = function.handler.split(".")
        source = (function.code_dir / f"{module}.py").read_text()
        assert f"def {name}(" in source
        assert function.routes or function.logical_id in authorizers, function.logical_id
        routes.extend((r.method, r.path) for r in function.routes)
    assert routes and len(routes) == len(set(routes))


def test_api_stage_is_api():
    api = [r for r in RESOURCES.values() if r["Type"] == "AWS::Serverless::Api"]
    assert len(api) == 1 and api[0]["Properties"]["StageName"] == "api"


def test_tables_are_on_demand_with_ttl_where_items_expire_and_pitr_on_clients_and_users():
    tables = {t.logical_id: t for t in Stack(stack_name="oauth-server").tables()}
    assert {t.name for t in tables.values()} >= {"oauth-server-clients", "oauth-server-users",
                                                 "oauth-server-codes", "oauth-server-tokens"}
    for table in tables.values():
        assert table.properties["BillingMode"] == "PAY_PER_REQUEST"
    for name in ("TokensTable", "CodesTable", "GrantsTable", "SessionsTable", "AttemptsTable"):
        assert tables[name].ttl_attribute == "expires_at"
    for name in ("ClientsTable", "UsersTable"):
        assert tables[name].properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
        assert RESOURCES[name]["DeletionPolicy"] == "Retain"


def test_retained_tables_are_protected_from_deletion_and_created_unless_existing_ones_are_named():
    for name in ("ClientsTable", "UsersTable"):
        assert RESOURCES[name]["Properties"]["DeletionProtectionEnabled"] is True
    own = Stack(stack_name="oauth-server")
    assert {t.name for t in own.tables(existing=True)} == {t.name for t in own.tables()} >= {
        "oauth-server-clients", "oauth-server-users"}
    assert {f.environment["CLIENTS_TABLE"] for f in own.functions()} == {"oauth-server-clients"}


def test_a_redeployed_stack_uses_the_retained_clients_and_users_tables():
    """After `sam delete`, the retained tables are named as parameters: the new stack creates neither."""
    stack = Stack(stack_name="oauth-server", parameters={"ExistingClientsTable": "oauth-server-clients",
                                                         "ExistingUsersTable": "kept-users"})
    assert not {"ClientsTable", "UsersTable"} & {t.logical_id for t in stack.tables()}
    existing = {t.logical_id: t for t in stack.tables(existing=True) if not t.created}
    assert {k: t.name for k, t in existing.items()} == {"ClientsTable": "oauth-server-clients",
                                                        "UsersTable": "kept-users"}
    assert existing["UsersTable"].create_kwargs()["KeySchema"] == [{"AttributeName": "username", "KeyType": "HASH"}]
    for function in stack.functions():
        assert (function.environment["CLIENTS_TABLE"], function.environment["USERS_TABLE"]) == (
            "oauth-server-clients", "kept-users")
    outputs = stack.resolve(TEMPLATE["Outputs"])
    assert (outputs["ClientsTableName"]["Value"], outputs["UsersTableName"]["Value"]) == (
        "oauth-server-clients", "kept-users")


@pytest.mark.parametrize(("reads", "writes", "warm"), [
    ("0", "0", None), ("0", "10000", {"WriteUnitsPerSecond": "10000"}), ("15000", "0", {"ReadUnitsPerSecond": "15000"}),
    ("15000", "10000", {"ReadUnitsPerSecond": "15000", "WriteUnitsPerSecond": "10000"})])
def test_warm_throughput_only_where_asked(reads, writes, warm):
    tables = {t.logical_id: t for t in Stack(parameters={"WarmReadUnitsPerSecond": reads,
                                                         "WarmWriteUnitsPerSecond": writes}).tables()}
    for name in ("TokensTable", "GrantsTable"):
        assert tables[name].properties.get("WarmThroughput") == warm
    assert "WarmThroughput" not in tables["ClientsTable"].properties


def test_tokens_table_has_the_grant_index_used_for_cascade_revocation():
    from oauth_core.storage.tokens import GRANT_INDEX

    indexes = RESOURCES["TokensTable"]["Properties"]["GlobalSecondaryIndexes"]
    assert [(i["IndexName"], i["KeySchema"][0]["AttributeName"]) for i in indexes] == [(GRANT_INDEX, "grant_id")]


@pytest.mark.parametrize("function", ["TokenInfoFunction", "ProtectedFunction", "AuthorizerFunction"])
def test_token_checking_functions_may_only_read(function):
    statements = RESOURCES[function]["Properties"]["Policies"][0]["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert actions == {"dynamodb:GetItem", "dynamodb:BatchGetItem"}


def _method_settings(**parameters):
    settings = Stack(parameters=parameters).resolve(RESOURCES["OAuthApi"]["Properties"]["MethodSettings"])
    return {(m["ResourcePath"], m["HttpMethod"]): (int(m["ThrottlingRateLimit"]), int(m["ThrottlingBurstLimit"]))
            for m in settings}


def test_every_method_is_throttled_and_sign_in_and_revocation_tighter_than_the_default():
    """Limits apply per method: "/*" "*" is each method's default, the others their own limits."""
    settings = _method_settings()
    rate, burst = settings.pop(("/*", "*"))
    assert 0 < rate <= burst
    for key, (own_rate, own_burst) in settings.items():
        assert 0 < own_rate <= own_burst, key
    for path, method in (("/~1oauth~1authorize", "GET"), ("/~1oauth~1authorize", "POST"), ("/~1oauth~1revoke", "POST")):
        assert settings[(path, method)][0] < rate
    assert ("/~1oauth~1token", "POST") in settings
    routes = {(r.method, r.path) for f in Stack().functions() for r in f.routes}
    for path, method in settings:
        assert (method, path[1:].replace("~1", "/")) in routes, "a setting for a route that exists"


def test_throttles_are_stack_parameters():
    settings = _method_settings(TokenThrottleRate="300", TokenThrottleBurst="600", ThrottleRate="70",
                                ThrottleBurst="80")
    assert settings[("/~1oauth~1token", "POST")] == (300, 600) and settings[("/*", "*")] == (70, 80)


def test_every_default_burst_holds_at_least_its_rate():
    """CloudFormation cannot compare two parameters: the defaults must be right, the README says so for the rest."""
    parameters = TEMPLATE["Parameters"]
    for name in parameters:
        if name.endswith("ThrottleRate"):
            burst = name.removesuffix("Rate") + "Burst"
            assert parameters[burst]["Default"] >= parameters[name]["Default"] > 0, name


def test_authorizer_refusals_carry_rfc_6750_challenges():
    api = RESOURCES["OAuthApi"]["Properties"]
    authorizer = api["Auth"]["Authorizers"]["OAuthAuthorizer"]
    assert authorizer["FunctionPayloadType"] == "REQUEST" and authorizer["Identity"]["ReauthorizeEvery"] == 0
    responses = Stack().gateway_responses()
    assert responses["UNAUTHORIZED"].status == 401
    assert 'error="invalid_token"' in responses["UNAUTHORIZED"].headers["WWW-Authenticate"]
    assert responses["ACCESS_DENIED"].status == 403
    assert 'error="insufficient_scope"' in responses["ACCESS_DENIED"].headers["WWW-Authenticate"]


def test_every_variable_the_settings_read_is_set_by_the_template_or_the_local_stack():
    """config.py reads a variable only the template sets (for every function, in Globals, or for the functions
    that use it), or one only the local stack sets (plain http, moto's slower answers): none is read unset."""
    from tests.derived import settings_variables

    read = settings_variables()
    set_by_template = {name for function in Stack().functions() for name in function.environment}
    local_stack = (ROOT / "local" / "__main__.py").read_text()
    for name in read - set_by_template:
        assert f'"{name}"' in local_stack, f"{name} is read by config.py and set nowhere"
    assert set(TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]) & read


def test_every_variable_the_template_sets_is_read_by_the_settings():
    """A variable the template sets and config.py no longer reads is dead configuration; Powertools reads its
    own (POWERTOOLS_*)."""
    from tests.derived import settings_variables

    read = settings_variables()
    for function in Stack().functions():
        unread = {name for name in function.environment if not name.startswith("POWERTOOLS_")} - read
        assert not unread, (function.logical_id, unread)


# -- abuse resistance: WAF, reserved concurrency, alarm, Logs Insights queries ---------------------------
def test_waf_is_optional_and_guards_the_stage_with_per_address_rate_limits_and_managed_rules():
    assert TEMPLATE["Parameters"]["EnableWaf"]["Default"] == "false"
    assert TEMPLATE["Conditions"]["WafEnabled"] == {"Fn::Equals": [{"Ref": "EnableWaf"}, "true"]}
    acl, association = RESOURCES["WebAcl"], RESOURCES["WebAclAssociation"]
    assert acl["Type"] == "AWS::WAFv2::WebACL" and acl["Condition"] == "WafEnabled"
    assert acl["Properties"]["Scope"] == "REGIONAL" and "Allow" in acl["Properties"]["DefaultAction"]
    assert association["Condition"] == "WafEnabled" and association["DependsOn"] == "OAuthApiapiStage"
    assert association["Properties"]["ResourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${OAuthApi}/stages/api"}
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["WebAcl", "Arn"]}
    rules = {r["Name"]: r for r in acl["Properties"]["Rules"]}
    assert len({r["Priority"] for r in rules.values()}) == len(rules), "priorities are unique"
    limits = {}
    for rule in rules.values():
        rate = rule["Statement"].get("RateBasedStatement")
        if rate:
            assert rate["AggregateKeyType"] == "IP" and rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
            match = rate["ScopeDownStatement"]["ByteMatchStatement"]
            assert "UriPath" in match["FieldToMatch"]
            limits[match["SearchString"]] = rate["Limit"]["Ref"]
    assert limits == {"/oauth/token": "WafTokenRateLimit", "/oauth/authorize": "WafSignInRateLimit"}
    managed = {r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in rules.values()
               if "ManagedRuleGroupStatement" in r["Statement"]}
    assert managed == {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                       "AWSManagedRulesAmazonIpReputationList"}


def test_every_function_may_have_reserved_concurrency_and_has_none_by_default():
    functions = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}
    for logical_id, function in functions.items():
        reserved = function["Properties"]["ReservedConcurrentExecutions"]["Fn::If"]
        condition, (value, otherwise) = reserved[0], reserved[1:]
        param = value["Ref"]
        assert otherwise == {"Ref": "AWS::NoValue"}, logical_id
        assert TEMPLATE["Parameters"][param]["Default"] == 0
        assert TEMPLATE["Conditions"][condition] == {"Fn::Not": [{"Fn::Equals": [{"Ref": param}, 0]}]}


def test_failed_client_authentications_raise_an_alarm_not_a_lockout():
    assert "FailedClientAuthLimit" not in TEMPLATE["Parameters"]
    alarm = RESOURCES["ClientAuthFailuresAlarm"]["Properties"]
    assert "ClientAuthFailures" in alarm["Metrics"][0]["Expression"]
    assert alarm["Threshold"] == {"Ref": "ClientAuthFailureAlarmThreshold"}


def test_logs_insights_queries_cover_the_investigations_over_the_functions_log_groups():
    queries = {k: v["Properties"] for k, v in RESOURCES.items() if v["Type"] == "AWS::Logs::QueryDefinition"}
    texts = " ".join(q["QueryString"] for q in queries.values())
    for event_type in ("sign_in", "token_issued", "throttled", "replay_detected", "client_auth"):
        assert f'event_type = "{event_type}"' in texts
    assert "source_ip =" in texts
    for query in queries.values():
        for group in query["LogGroupNames"]:
            assert RESOURCES[group["Ref"]]["Type"] == "AWS::Logs::LogGroup"


def test_functions_that_check_passwords_may_upgrade_their_hashes_and_clear_counters():
    for logical_id in ("AuthorizeFunction", "TokenFunction"):
        statements = RESOURCES[logical_id]["Properties"]["Policies"][0]["Statement"]
        sids = {s["Sid"]: s for s in statements}
        assert sids["UpgradePasswordHashes"]["Action"] == ["dynamodb:UpdateItem"]
        resource = Stack(stack_name="oauth-server").resolve(sids["UpgradePasswordHashes"]["Resource"])
        assert resource == Stack(stack_name="oauth-server").resolve({"Fn::GetAtt": ["UsersTable", "Arn"]})
        assert "dynamodb:DeleteItem" in sids["CountFailedPasswords"]["Action"]


# -- operations: alarms, dashboard, access logs (issue 17) --------------------------------------------------
OPERATIONS_ALARMS = ("Api5xxRateAlarm", "ApiLatencyP99Alarm", "DynamoDBThrottlesAlarm", "CredentialsThrottledAlarm",
                     "CodeReplaysAlarm", "AuthorizerFailuresAlarm")


def _documented_metrics() -> dict[str, str]:
    import re

    text = (ROOT / "README.md").read_text()
    start = text.index("metrics are CloudWatch")
    return dict(re.findall(r"`([A-Z][A-Za-z]+)\{([a-z_]+)\}`", text[start:text.index("\n\n", start)]))


def _own_metrics(alarm: dict) -> list[tuple[str, list[str]]]:
    """(metric, dimension names) of every OAuthServer metric an alarm reads, plain or in metric math."""
    stats = [alarm] if "MetricName" in alarm else [m["MetricStat"]["Metric"] for m in alarm.get("Metrics", [])
                                                   if "MetricStat" in m]
    found = [(s["MetricName"], [d["Name"] for d in s.get("Dimensions", [])]) for s in stats
             if s["Namespace"] == "OAuthServer"]
    for query in alarm.get("Metrics", []):
        text = query.get("Expression", "")
        if text.startswith("SELECT"):
            import re

            name, schema = re.match(r"SELECT SUM\((\w+)\) FROM (?:SCHEMA\(OAuthServer, (\w+)\)|OAuthServer)",
                                    text).groups()
            found.append((name, [schema] if schema else []))
    return found


@pytest.mark.parametrize("parameters", [{}, {"AlarmEmail": "ops@example.com"},
                                        {"SecurityAlarmTopicArn": "arn:aws:sns:us-east-1:123456789012:ops"}])
def test_operations_alarms_notify_the_topic_or_the_email_given(parameters):
    stack = Stack(stack_name="oauth-server", parameters=parameters)
    expected = ["AlarmEmailTopic"] if "AlarmEmail" in parameters else list(parameters.values())
    assert stack.exists("AlarmEmailTopic") == ("AlarmEmail" in parameters)
    for name in (*OPERATIONS_ALARMS, "ClientAuthFailuresAlarm"):
        alarm = stack.resolve(RESOURCES[name]["Properties"])
        assert alarm["AlarmActions"] == alarm["OKActions"] == expected, name
        assert alarm["TreatMissingData"] == "notBreaching"


def test_operations_alarms_are_on_by_default_and_behind_a_parameter():
    for name in OPERATIONS_ALARMS:
        assert RESOURCES[name]["Condition"] == "AlarmsEnabled"
    assert Stack(stack_name="s").exists("Api5xxRateAlarm")
    assert not Stack(stack_name="s", parameters={"EnableAlarms": "false"}).exists("CodeReplaysAlarm")


def test_alarms_read_the_documented_metrics_under_their_documented_dimensions():
    """An alarm on a metric the functions never write under that dimension set would never fire."""
    documented = _documented_metrics()
    read = [m for name in (*OPERATIONS_ALARMS, "ClientAuthFailuresAlarm")
            for m in _own_metrics(RESOURCES[name]["Properties"])]
    assert {name for name, _ in read} == {"CredentialsThrottled", "CodeReplays", "AuthorizerDecisions",
                                          "ClientAuthFailures"}
    for name, dimensions in read:
        assert dimensions in ([], [documented[name]]), name


def test_api_alarms_watch_this_stacks_api_stage():
    stack = Stack(stack_name="oauth-server")
    latency = stack.resolve(RESOURCES["ApiLatencyP99Alarm"]["Properties"])
    five_xx = stack.resolve(RESOURCES["Api5xxRateAlarm"]["Properties"])["Metrics"][1]["MetricStat"]["Metric"]
    for dims in (latency["Dimensions"], five_xx["Dimensions"]):
        assert dims == [{"Name": "ApiName", "Value": "oauth-server-api"}, {"Name": "Stage", "Value": "api"}]
    assert stack.resolve(RESOURCES["OAuthApi"]["Properties"]["Name"]) == "oauth-server-api"
    assert latency["ExtendedStatistic"] == "p99"


def test_dashboard_is_json_of_the_stacks_metrics_and_documented_names():
    import json
    import re

    body = json.loads(Stack(stack_name="oauth-server").resolve(RESOURCES["Dashboard"]["Properties"]["DashboardBody"]))
    text = json.dumps(body)
    assert "oauth-server-api" in text and "oauth-server-tokens" in text
    documented = _documented_metrics()
    for name, dimension in re.findall(r"SELECT SUM\((\w+)\) FROM SCHEMA\(OAuthServer, (\w+)\)", text):
        assert documented[name] == dimension, name
    assert {"TokensIssued", "OAuthErrors", "SignInsStarted", "CodeReplays"} <= set(re.findall(r"SUM\((\w+)\)", text))


def test_access_logs_are_json_lines_without_query_strings_kept_as_long_as_the_functions_logs():
    import json

    stack = Stack(stack_name="oauth-server")
    setting = stack.resolve(RESOURCES["OAuthApi"]["Properties"]["AccessLogSetting"])
    line = json.loads(setting["Format"])
    assert {"requestId", "ip", "status", "path", "latencyMs", "authorizerError"} <= set(line)
    assert not any(v in setting["Format"] for v in ("$context.requestOverride", "querystring", "header"))
    assert setting["DestinationArn"] == "ApiAccessLogs.Arn"
    logs = RESOURCES["ApiAccessLogs"]["Properties"]
    assert logs["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert stack.exists("ApiGatewayAccount")
    without = Stack(stack_name="s", parameters={"EnableAccessLogs": "false"})
    assert "AccessLogSetting" not in without.resolve({"x": RESOURCES["OAuthApi"]["Properties"]["AccessLogSetting"]})
    assert not without.exists("ApiGatewayAccount") and not without.exists("ApiAccessLogs")
    assert not Stack(stack_name="s", parameters={"SetApiGatewayLogsRole": "false"}).exists("ApiGatewayLogsRole")
