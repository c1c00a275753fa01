"""The facts the serverless CRUD API exists for (FACTS.md section 3), asserted on the templates."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk import App, CfnParameter, Stack

from constructs_lib.serverless_api import RUNTIME_DIR, ServerlessApi
from stacks.catalog import add_nag
from stacks.profiles import profile_named
from stacks.serverless_api_stack import ServerlessApiStack
from tests.conftest import PINNED_ENV, cdk_context
from tests.template_queries import api_methods, nag_failures, one, props, ref, resources, under

STACK = "ServerlessApi"
WEB_ACL = (
    "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/example/"
    "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
)
ROUTES = {("/items", "GET"), ("/items", "POST"), ("/items/{id}", "GET"), ("/items/{id}", "PUT")}
ROUTES |= {("/items/{id}", "DELETE")}


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict:
    """One extra synthesis (with cdk-nag) of the options the catalog's stack doesn't use."""
    outdir = tmp_path_factory.mktemp("serverless-api-variants")
    app = App(context=cdk_context("sandbox"), outdir=str(outdir))
    add_nag(app)
    ServerlessApiStack(
        app,
        "CognitoStack",
        profile=profile_named("production"),
        auth_mode="cognito",
        env=PINNED_ENV,
    )
    stack = Stack(app, "Variants", env=PINNED_ENV)
    ServerlessApi(
        stack, "Public", auth_mode="none", allow_unauthenticated=True, stage_name="v1_beta-2"
    )
    ServerlessApi(stack, "Edge", endpoint_type="edge", auth_mode="cognito", mfa="optional")
    ServerlessApi(
        stack,
        "Provisioned",
        billing_mode="provisioned",
        min_capacity=2,
        max_capacity=20,
        partition_key="pk",
        partition_key_type="number",
        sort_key="sk",
        ttl_attribute="expires_at",
        stream_view="new_and_old_images",
        reserved_concurrency=5,
        memory_size=1024,
        timeout_seconds=20,
        web_acl_arn=WEB_ACL,
    )
    tokens = Stack(app, "Tokens", env=PINNED_ENV)
    ServerlessApi(
        tokens,
        "Api",
        billing_mode="provisioned",
        min_capacity=CfnParameter(tokens, "MinCapacity", type="Number").value_as_number,
        max_capacity=CfnParameter(tokens, "MaxCapacity", type="Number").value_as_number,
        web_acl_arn=CfnParameter(tokens, "WebAclArn").value_as_string,
    )
    assembly = app.synth()
    report_path = outdir / "validation-report.json"
    return {
        "templates": {s.stack_name: s.template for s in assembly.stacks},
        "report": json.loads(report_path.read_text()) if report_path.exists() else {},
    }


def _role_statements(template: dict) -> list[dict]:
    function_id, function = one(template, "AWS::Lambda::Function")
    role_id = ref(props(function)["Role"])
    return [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if role_id in [ref(r) for r in props(policy)["Roles"]]
        for statement in props(policy)["PolicyDocument"]["Statement"]
    ]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# -- DynamoDB -------------------------------------------------------------------------------------


@pytest.mark.fact("API-26", "API-28", "API-30", "API-31")
@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_table_is_on_demand_with_point_in_time_recovery_and_encryption_at_rest(
    synthesized, profile
):
    _, table = one(synthesized(profile).template(STACK), "AWS::DynamoDB::Table")
    assert props(table)["BillingMode"] == "PAY_PER_REQUEST"
    assert props(table)["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props(table)["SSESpecification"]["SSEEnabled"] is True
    assert props(table)["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


def test_table_and_logs_are_destroyed_in_sandbox_and_retained_in_production(synthesized):
    def policies(profile: str) -> tuple:
        template = synthesized(profile).template(STACK)
        _, table = one(template, "AWS::DynamoDB::Table")
        groups = resources(template, "AWS::Logs::LogGroup").values()
        return (
            table["DeletionPolicy"],
            props(table)["DeletionProtectionEnabled"],
            {(g["DeletionPolicy"], props(g)["RetentionInDays"]) for g in groups},
        )

    assert policies("sandbox") == ("Delete", False, {("Delete", 7)})
    assert policies("production") == ("Retain", True, {("Retain", 365)})


@pytest.mark.fact("API-28", "API-29")
def test_provisioned_option_auto_scales_reads_and_writes_to_80_percent(variants):
    template = under(variants["templates"]["Variants"], "Variants/Provisioned/")
    table_id, table = one(template, "AWS::DynamoDB::Table")
    assert props(table).get("BillingMode", "PROVISIONED") == "PROVISIONED"
    assert props(table)["ProvisionedThroughput"] == {
        "ReadCapacityUnits": 2,
        "WriteCapacityUnits": 2,
    }
    targets = resources(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    dimensions = {
        props(t)["ScalableDimension"]: (props(t)["MinCapacity"], props(t)["MaxCapacity"])
        for t in targets.values()
    }
    assert dimensions == {
        "dynamodb:table:ReadCapacityUnits": (2, 20),
        "dynamodb:table:WriteCapacityUnits": (2, 20),
    }
    # Each target scales this table, and each policy tracks 80 % on one of them.
    for target in targets.values():
        assert props(target)["ResourceId"] == {"Fn::Join": ["", ["table/", {"Ref": table_id}]]}
    policies = resources(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    tracked = {
        ref(props(p)["ScalingTargetId"]): props(p)["TargetTrackingScalingPolicyConfiguration"]
        for p in policies
    }
    assert set(tracked) == set(targets)
    assert {c["TargetValue"] for c in tracked.values()} == {80}
    assert {
        c["PredefinedMetricSpecification"]["PredefinedMetricType"] for c in tracked.values()
    } == {
        "DynamoDBReadCapacityUtilization",
        "DynamoDBWriteCapacityUtilization",
    }


@pytest.mark.fact("API-26", "API-32", "API-33")
def test_key_ttl_and_stream_options_shape_the_table(variants):
    template = under(variants["templates"]["Variants"], "Variants/Provisioned/")
    _, table = one(template, "AWS::DynamoDB::Table")
    assert props(table)["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert {"AttributeName": "pk", "AttributeType": "N"} in props(table)["AttributeDefinitions"]
    assert props(table)["TimeToLiveSpecification"] == {
        "AttributeName": "expires_at",
        "Enabled": True,
    }
    assert props(table)["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    # The sort key is addressed as a required query string parameter.
    for (path, _), method in api_methods(template).items():
        if path == "/items/{id}":
            assert method["RequestParameters"]["method.request.querystring.sk"] is True


# -- Lambda ---------------------------------------------------------------------------------------


@pytest.mark.fact("API-25")
@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_lambda_policy_grants_only_dynamodb_item_actions_on_the_table_arn(synthesized, profile):
    template = synthesized(profile).template(STACK)
    table_id, _ = one(template, "AWS::DynamoDB::Table")
    statements = _role_statements(template)
    dynamodb = [s for s in statements if any(a.startswith("dynamodb:") for a in s["Action"])]
    (statement,) = dynamodb
    assert statement["Resource"] == {"Fn::GetAtt": [table_id, "Arn"]}
    assert "dynamodb:*" not in statement["Action"]
    assert all(
        not a.startswith(("dynamodb:Batch", "dynamodb:Describe")) for a in statement["Action"]
    )
    for other in statements:
        if "*" in _as_list(other["Resource"]):  # only X-Ray, which has no resource-level ARNs
            assert sorted(other["Action"]) == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    (role_id,) = resources(template, "AWS::IAM::Role")
    assert "ManagedPolicyArns" not in props(template["Resources"][role_id])


@pytest.mark.fact("API-25")
def test_lambda_gets_exactly_the_dynamodb_actions_its_handler_calls(sandbox):
    source = (RUNTIME_DIR / "handler.py").read_text()
    calls = set(re.findall(r"_table\(\)\.(\w+)", source))
    expected = {"dynamodb:" + "".join(p.title() for p in call.split("_")) for call in calls}
    (statement,) = [
        s
        for s in _role_statements(sandbox.template(STACK))
        if any(a.startswith("dynamodb:") for a in s["Action"])
    ]
    assert expected == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:Scan",
    }
    assert set(statement["Action"]) == expected


@pytest.mark.fact("API-25")
def test_lambda_logs_only_to_its_own_log_group(sandbox):
    template = sandbox.template(STACK)
    _, function = one(template, "AWS::Lambda::Function")
    group_id = ref(props(function)["LoggingConfig"]["LogGroup"])
    (logs,) = [s for s in _role_statements(template) if s["Action"][0].startswith("logs:")]
    assert logs["Resource"] == {"Fn::GetAtt": [group_id, "Arn"]}
    assert sorted(logs["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]


def test_lambda_runs_the_newest_python_with_xray_and_the_table_from_the_environment(sandbox):
    template = sandbox.template(STACK)
    table_id, _ = one(template, "AWS::DynamoDB::Table")
    _, function = one(template, "AWS::Lambda::Function")
    assert props(function)["Runtime"] == "python3.14"
    assert props(function)["TracingConfig"] == {"Mode": "Active"}
    assert props(function)["Environment"]["Variables"]["TABLE_NAME"] == {"Ref": table_id}
    assert (props(function)["MemorySize"], props(function)["Timeout"]) == (256, 10)
    assert "ReservedConcurrentExecutions" not in props(function)
    group_id = ref(props(function)["LoggingConfig"]["LogGroup"])
    assert props(template["Resources"][group_id])["RetentionInDays"] == 7


@pytest.mark.fact("API-23")
def test_lambda_asset_ships_the_handler_without_its_tests(sandbox):
    template = sandbox.template(STACK)
    _, function = one(template, "AWS::Lambda::Function")
    asset_hash = props(function)["Code"]["S3Key"].removesuffix(".zip")
    shipped = {
        p.name
        for p in (sandbox.architecture("serverless-api").outdir / f"asset.{asset_hash}").iterdir()
    }
    assert shipped == {"handler.py"}


@pytest.mark.fact("API-20", "API-21", "API-22")
def test_memory_timeout_and_reserved_concurrency_come_from_props(variants):
    template = under(variants["templates"]["Variants"], "Variants/Provisioned/")
    _, function = one(template, "AWS::Lambda::Function")
    assert props(function)["MemorySize"] == 1024
    assert props(function)["Timeout"] == 20
    assert props(function)["ReservedConcurrentExecutions"] == 5


# -- API Gateway ----------------------------------------------------------------------------------


@pytest.mark.fact("API-01", "API-02", "API-06")
@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_every_method_requires_iam_authorization_and_proxies_to_the_lambda(synthesized, profile):
    template = synthesized(profile).template(STACK)
    function_id, _ = one(template, "AWS::Lambda::Function")
    methods = api_methods(template)
    assert set(methods) == ROUTES
    for method in methods.values():
        assert method["AuthorizationType"] == "AWS_IAM"
        assert method["Integration"]["Type"] == "AWS_PROXY"
        assert function_id in json.dumps(method["Integration"]["Uri"])


@pytest.mark.fact("API-17")
def test_request_bodies_are_validated_against_the_item_model(sandbox):
    template = sandbox.template(STACK)
    validator_id, validator = one(template, "AWS::ApiGateway::RequestValidator")
    assert props(validator)["ValidateRequestBody"] is True
    model_id, model = one(template, "AWS::ApiGateway::Model")
    assert props(model)["Schema"]["type"] == "object"
    for route, method in api_methods(template).items():
        assert ref(method["RequestValidatorId"]) == validator_id
        if route[1] in ("POST", "PUT"):
            assert ref(method["RequestModels"]["application/json"]) == model_id
        else:
            assert "RequestModels" not in method


@pytest.mark.fact("API-15")
@pytest.mark.parametrize(
    ("profile", "rate", "burst", "level"),
    [("sandbox", 10, 20, "INFO"), ("production", 100, 200, "ERROR")],
)
def test_stage_throttles_logs_and_traces_every_method(synthesized, profile, rate, burst, level):
    _, stage = one(synthesized(profile).template(STACK), "AWS::ApiGateway::Stage")
    (settings,) = props(stage)["MethodSettings"]
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (rate, burst)
    assert settings["LoggingLevel"] == level
    assert settings["DataTraceEnabled"] is False
    assert props(stage)["TracingEnabled"] is True


def test_access_logs_go_to_a_log_group_in_json(sandbox):
    template = sandbox.template(STACK)
    _, stage = one(template, "AWS::ApiGateway::Stage")
    access = props(stage)["AccessLogSetting"]
    (group_id,) = [p["Ref"] for p in access["DestinationArn"]["Fn::Join"][1] if "Ref" in p]
    assert template["Resources"][group_id]["Type"] == "AWS::Logs::LogGroup"
    fields = json.loads(access["Format"])
    assert fields["requestId"] == "$context.requestId" and fields["status"] == "$context.status"


def test_execution_logs_go_to_a_pre_created_group_with_retention(sandbox):
    template = sandbox.template(STACK)
    stage_id, stage = one(template, "AWS::ApiGateway::Stage")
    api_id, _ = one(template, "AWS::ApiGateway::RestApi")
    (group_id,) = [
        logical_id
        for logical_id, group in resources(template, "AWS::Logs::LogGroup").items()
        if "LogGroupName" in props(group)
    ]
    name = props(template["Resources"][group_id])["LogGroupName"]["Fn::Join"][1]
    assert name == ["API-Gateway-Execution-Logs_", {"Ref": api_id}, "/api"]
    assert group_id in stage["DependsOn"]


@pytest.mark.fact("API-04")
@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_api_is_regional_and_leaves_no_account_wide_cloudwatch_role(synthesized, profile):
    template = synthesized(profile).template(STACK)
    _, api = one(template, "AWS::ApiGateway::RestApi")
    assert props(api)["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert resources(template, "AWS::ApiGateway::Account") == {}
    roles = resources(template, "AWS::IAM::Role").values()
    assert all("apigateway" not in json.dumps(props(r)["AssumeRolePolicyDocument"]) for r in roles)


@pytest.mark.fact("API-03")
def test_edge_option_uses_an_edge_optimized_endpoint(variants):
    template = under(variants["templates"]["Variants"], "Variants/Edge/")
    _, api = one(template, "AWS::ApiGateway::RestApi")
    assert props(api)["EndpointConfiguration"] == {"Types": ["EDGE"]}


@pytest.mark.fact("API-07")
def test_cognito_option_authorizes_every_method_with_the_user_pool(variants):
    template = variants["templates"]["CognitoStack"]
    pool_id, pool = one(template, "AWS::Cognito::UserPool")
    authorizer_id, authorizer = one(template, "AWS::ApiGateway::Authorizer")
    assert props(authorizer)["Type"] == "COGNITO_USER_POOLS"
    assert props(authorizer)["ProviderARNs"] == [{"Fn::GetAtt": [pool_id, "Arn"]}]
    methods = api_methods(template)
    assert set(methods) == ROUTES
    for method in methods.values():
        assert method["AuthorizationType"] == "COGNITO_USER_POOLS"
        assert ref(method["AuthorizerId"]) == authorizer_id
    policy = props(pool)["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12 and policy["RequireSymbols"] is True
    assert props(pool)["MfaConfiguration"] == "ON"
    assert props(pool)["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert {"UserPoolId", "UserPoolClientId", "ApiUrl", "TableName"} <= set(template["Outputs"])


def test_cognito_mfa_can_be_made_optional(variants):
    template = under(variants["templates"]["Variants"], "Variants/Edge/")
    _, pool = one(template, "AWS::Cognito::UserPool")
    assert props(pool)["MfaConfiguration"] == "OPTIONAL"


def test_no_auth_mode_leaves_methods_open_only_when_asked(variants):
    template = under(variants["templates"]["Variants"], "Variants/Public/")
    methods = api_methods(template)
    assert {m["AuthorizationType"] for m in methods.values()} == {"NONE"}


def test_web_acl_option_associates_the_stage(variants):
    template = under(variants["templates"]["Variants"], "Variants/Provisioned/")
    stage_id, _ = one(template, "AWS::ApiGateway::Stage")
    _, association = one(template, "AWS::WAFv2::WebACLAssociation")
    assert props(association)["WebACLArn"] == WEB_ACL
    assert stage_id in json.dumps(props(association)["ResourceArn"])


@pytest.mark.fact("API-18")
def test_stage_name_names_the_stage_its_url_and_its_execution_log_group(variants):
    template = under(variants["templates"]["Variants"], "Variants/Public/")
    stage_id, stage = one(template, "AWS::ApiGateway::Stage")
    api_id, _ = one(template, "AWS::ApiGateway::RestApi")
    assert props(stage)["StageName"] == "v1_beta-2"
    (group,) = [
        g for g in resources(template, "AWS::Logs::LogGroup").values() if "LogGroupName" in props(g)
    ]
    name = props(group)["LogGroupName"]["Fn::Join"][1]
    assert name == ["API-Gateway-Execution-Logs_", {"Ref": api_id}, "/v1_beta-2"]


def test_capacity_from_number_parameters_reaches_the_table_and_both_scalable_targets(variants):
    template = variants["templates"]["Tokens"]
    assert {template["Parameters"][p]["Type"] for p in ("MinCapacity", "MaxCapacity")} == {"Number"}
    table_id, table = one(template, "AWS::DynamoDB::Table")
    assert props(table)["ProvisionedThroughput"] == {
        "ReadCapacityUnits": {"Ref": "MinCapacity"},
        "WriteCapacityUnits": {"Ref": "MinCapacity"},
    }
    targets = resources(template, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert sorted(props(t)["ScalableDimension"] for t in targets) == [
        "dynamodb:table:ReadCapacityUnits",
        "dynamodb:table:WriteCapacityUnits",
    ]
    for target in targets:
        assert props(target)["MinCapacity"] == {"Ref": "MinCapacity"}
        assert props(target)["MaxCapacity"] == {"Ref": "MaxCapacity"}
        assert table_id in json.dumps(props(target)["ResourceId"])


def test_a_web_acl_from_a_parameter_passes_through_unchecked(variants):
    template = variants["templates"]["Tokens"]
    stage_id, _ = one(template, "AWS::ApiGateway::Stage")
    _, association = one(template, "AWS::WAFv2::WebACLAssociation")
    assert props(association)["WebACLArn"] == {"Ref": "WebAclArn"}
    assert stage_id in json.dumps(props(association)["ResourceArn"])


def test_every_variant_passes_cdk_nag(variants):
    report = variants["report"]
    assert report and nag_failures(report) == []


@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_outputs_give_the_api_url_and_the_table_name(synthesized, profile):
    template = synthesized(profile).template(STACK)
    outputs = template["Outputs"]
    assert set(outputs) == {"ApiUrl", "ItemsUrl", "TableName"}
    table_id, _ = one(template, "AWS::DynamoDB::Table")
    assert outputs["TableName"]["Value"] == {"Ref": table_id}
    assert outputs["ApiUrl"]["Value"]["Fn::Join"][1][0] == "https://"
