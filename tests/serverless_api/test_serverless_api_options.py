"""The facts the ServerlessApi options show (FACTS.md section 3), on templates no profile builds:
tests/serverless_api/options.py synthesizes each once. References are ``[file:line]`` in the
study notes (../shared/notes/)."""

from __future__ import annotations

import pytest
from aws_cdk import App, Duration, Stack
from aws_cdk.assertions import Template

from constructs_lib.serverless_api import ServerlessApi
from tests.conftest import PINNED_ENV, cdk_context
from tests.serverless_api.options import (
    AUTHORIZER_ARN,
    CERTIFICATE_ARN,
    EDGE_DOMAIN,
    EDGE_ENV,
    REGIONAL_DOMAIN,
    REPLICA_REGIONS,
    TEMPLATES,
    VPC_ENDPOINT_IDS,
)
from tests.template_queries import api_methods, one, props, ref, resources

ROUTES = {("/items", "GET"), ("/items", "POST"), ("/items/{id}", "GET"), ("/items/{id}", "PUT")}
ROUTES |= {("/items/{id}", "DELETE")}
INVOKE = "execute-api:Invoke"


@pytest.fixture(scope="module")
def option():
    """``option("api_private")``: the option template, synthesized once (options.TEMPLATES)."""
    return lambda name: TEMPLATES[name]()


def _statements(api: dict) -> dict[str, dict]:
    """The API's resource policy: effect -> its one statement."""
    statements = props(api)["Policy"]["Statement"]
    by_effect = {statement["Effect"]: statement for statement in statements}
    assert len(by_effect) == len(statements) == 2
    return by_effect


# -- API Gateway: private endpoint ---------------------------------------------------------------


@pytest.mark.fact("API-05")
def test_private_api_is_invoked_only_through_its_vpc_endpoints(option):
    """A private endpoint is reachable only from VPC interface endpoints; a resource policy
    defines the access [001:1228-1230, 004:4883-4885]."""
    template = option("api_private")
    _, api = one(template, "AWS::ApiGateway::RestApi")
    configuration = props(api)["EndpointConfiguration"]
    assert configuration["Types"] == ["PRIVATE"]
    endpoint_ids = configuration["VpcEndpointIds"]
    assert sorted(endpoint_ids) == sorted(VPC_ENDPOINT_IDS)
    statements = _statements(api)
    allow, deny = statements["Allow"], statements["Deny"]
    for statement in (allow, deny):
        assert (statement["Action"], statement["Resource"]) == (INVOKE, "execute-api:/*")
    # The Allow holds only for requests from exactly these endpoints, the Deny for all others.
    assert allow["Condition"] == {"StringEquals": {"aws:SourceVpce": endpoint_ids}}
    assert deny["Condition"] == {"StringNotEquals": {"aws:SourceVpce": endpoint_ids}}
    assert deny["Principal"] == {"AWS": "*"}
    # IAM mode: the Allow names this account only; callers still need execute-api:Invoke.
    assert allow["Principal"] == {"AWS": f"arn:aws:iam::{PINNED_ENV.account}:root"}
    assert {m["AuthorizationType"] for m in api_methods(template).values()} == {"AWS_IAM"}


@pytest.mark.fact("API-05", "API-08")
def test_private_api_with_an_authorizer_leaves_the_caller_to_it_but_keeps_the_endpoint_deny(
    option,
):
    template = option("api_lambda_authorizer")
    _, api = one(template, "AWS::ApiGateway::RestApi")
    endpoint_ids = props(api)["EndpointConfiguration"]["VpcEndpointIds"]
    assert endpoint_ids == list(VPC_ENDPOINT_IDS[:1])
    statements = _statements(api)
    assert statements["Allow"]["Principal"] == {"AWS": "*"}
    assert statements["Allow"]["Condition"] == {"StringEquals": {"aws:SourceVpce": endpoint_ids}}
    assert statements["Deny"]["Condition"] == {"StringNotEquals": {"aws:SourceVpce": endpoint_ids}}


# -- API Gateway: Lambda authorizer --------------------------------------------------------------


@pytest.mark.fact("API-08")
def test_lambda_authorizer_checks_the_authorization_token_of_every_method(option):
    """A Lambda authorizer validates the token in a header and may cache its answer
    [004:4912-4917, 001:1236]."""
    template = option("api_lambda_authorizer")
    api_id, _ = one(template, "AWS::ApiGateway::RestApi")
    authorizer_id, authorizer = one(template, "AWS::ApiGateway::Authorizer")
    assert props(authorizer)["Type"] == "TOKEN"
    assert props(authorizer)["IdentitySource"] == "method.request.header.Authorization"
    assert props(authorizer)["AuthorizerResultTtlInSeconds"] == 60
    assert ref(props(authorizer)["RestApiId"]) == api_id
    assert props(authorizer)["AuthorizerUri"].endswith(f"/functions/{AUTHORIZER_ARN}/invocations")
    methods = api_methods(template)
    assert set(methods) == ROUTES
    for method in methods.values():
        assert method["AuthorizationType"] == "CUSTOM"
        assert ref(method["AuthorizerId"]) == authorizer_id


@pytest.mark.fact("API-08")
def test_only_api_gateway_may_invoke_the_authorizer_and_only_as_this_authorizer(option):
    template = option("api_lambda_authorizer")
    api_id, _ = one(template, "AWS::ApiGateway::RestApi")
    authorizer_id, _ = one(template, "AWS::ApiGateway::Authorizer")
    (permission,) = [
        props(p)
        for p in resources(template, "AWS::Lambda::Permission").values()
        if props(p)["FunctionName"] == AUTHORIZER_ARN
    ]
    assert permission["Action"] == "lambda:InvokeFunction"
    assert permission["Principal"] == "apigateway.amazonaws.com"
    prefix = f"arn:aws:execute-api:{PINNED_ENV.region}:{PINNED_ENV.account}:"
    assert permission["SourceArn"] == {
        "Fn::Join": ["", [prefix, {"Ref": api_id}, "/authorizers/", {"Ref": authorizer_id}]]
    }


# -- API Gateway: API keys and usage plans -------------------------------------------------------


@pytest.mark.fact("API-09")
def test_every_method_requires_an_api_key_besides_its_authorization(option):
    """API keys identify and meter clients [004:4847, 001:1202]; IAM still authorizes."""
    methods = api_methods(option("api_usage_plan"))
    assert set(methods) == ROUTES
    for method in methods.values():
        assert method["ApiKeyRequired"] is True
        assert method["AuthorizationType"] == "AWS_IAM"


@pytest.mark.fact("API-09")
def test_usage_plan_meters_its_key_on_this_api_stage_with_a_throttle_and_a_quota(option):
    template = option("api_usage_plan")
    api_id, _ = one(template, "AWS::ApiGateway::RestApi")
    stage_id, _ = one(template, "AWS::ApiGateway::Stage")
    plan_id, plan = one(template, "AWS::ApiGateway::UsagePlan")
    key_id, key = one(template, "AWS::ApiGateway::ApiKey")
    _, link = one(template, "AWS::ApiGateway::UsagePlanKey")
    ((api_stage),) = props(plan)["ApiStages"]
    assert (ref(api_stage["ApiId"]), ref(api_stage["Stage"])) == (api_id, stage_id)
    assert props(plan)["Throttle"] == {"RateLimit": 5, "BurstLimit": 10}
    assert props(plan)["Quota"] == {"Limit": 1000, "Period": "DAY"}
    assert props(key)["Enabled"] is True
    assert (ref(props(link)["KeyId"]), ref(props(link)["UsagePlanId"])) == (key_id, plan_id)
    assert props(link)["KeyType"] == "API_KEY"


# -- API Gateway: caching ------------------------------------------------------------------------


@pytest.mark.fact("API-10")
def test_stage_cache_is_encrypted_and_keeps_responses_for_its_ttl(option):
    """API Gateway caches API responses [004:4851, 001:1206]; cdk-nag's
    APIGWCacheEnabledAndEncrypted wants caching and encryption on "/*" "*"."""
    _, stage = one(option("api_cache"), "AWS::ApiGateway::Stage")
    assert (props(stage)["CacheClusterEnabled"], props(stage)["CacheClusterSize"]) == (True, "0.5")
    (settings,) = props(stage)["MethodSettings"]
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    assert settings["CachingEnabled"] is True
    assert settings["CacheDataEncrypted"] is True


@pytest.mark.fact("API-10")
def test_every_cached_get_keys_its_cache_on_all_its_request_parameters(option):
    """One item's (or page's) cached answer never answers for another: each GET's cache key
    holds its path and query parameters; writes (never cached by API Gateway) have no key."""
    methods = api_methods(option("api_cache"))
    assert set(methods) == ROUTES
    for (path, http_method), method in methods.items():
        keys = method["Integration"].get("CacheKeyParameters")
        if http_method == "GET":
            assert keys and set(keys) == set(method["RequestParameters"]), path
        else:
            assert keys is None, (path, http_method)
    assert set(methods["/items/{id}", "GET"]["Integration"]["CacheKeyParameters"]) == {
        "method.request.path.id",
        "method.request.querystring.sk",
    }


@pytest.mark.fact("API-11")
def test_cache_ttl_defaults_to_300_seconds(option):
    _, stage = one(option("api_cache"), "AWS::ApiGateway::Stage")
    (settings,) = props(stage)["MethodSettings"]
    assert (settings["CachingEnabled"], settings["CacheTtlInSeconds"]) == (True, 300)


@pytest.mark.fact("API-11")
def test_cache_ttl_and_size_come_from_their_props():
    app = App(context=cdk_context("sandbox"))
    stack = Stack(app, "CacheTtl", env=PINNED_ENV)
    ServerlessApi(stack, "Api", cache_size_gb="1.6", cache_ttl=Duration.minutes(10))
    _, stage = one(Template.from_stack(stack).to_json(), "AWS::ApiGateway::Stage")
    (settings,) = props(stage)["MethodSettings"]
    assert props(stage)["CacheClusterSize"] == "1.6"
    assert (settings["CachingEnabled"], settings["CacheTtlInSeconds"]) == (True, 600)


# -- API Gateway: custom domain names ------------------------------------------------------------


def _domain(template: dict) -> tuple[str, dict]:
    domain_id, domain = one(template, "AWS::ApiGateway::DomainName")
    api_id, _ = one(template, "AWS::ApiGateway::RestApi")
    stage_id, _ = one(template, "AWS::ApiGateway::Stage")
    _, mapping = one(template, "AWS::ApiGateway::BasePathMapping")
    assert ref(props(mapping)["DomainName"]) == domain_id
    assert ref(props(mapping)["RestApiId"]) == api_id
    assert ref(props(mapping)["Stage"]) == stage_id
    assert "BasePath" not in props(mapping)  # the whole domain is this stage
    assert props(domain)["SecurityPolicy"] == "TLS_1_2"
    return domain_id, props(domain)


def _certificate_region(arn: str) -> str:
    return arn.split(":")[3]


@pytest.mark.fact("API-12", "API-14")
def test_regional_domain_uses_a_certificate_of_the_api_region(option):
    """A regional endpoint's certificate is in the API's region [004:4943, 001:1239]."""
    template = option("api_regional_domain")
    domain_id, domain = _domain(template)
    assert domain["DomainName"] == REGIONAL_DOMAIN
    assert domain["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert domain["RegionalCertificateArn"] == CERTIFICATE_ARN
    assert _certificate_region(domain["RegionalCertificateArn"]) == PINNED_ENV.region
    assert "CertificateArn" not in domain
    targets = [o["Value"] for o in template["Outputs"].values()]
    assert {"Fn::GetAtt": [domain_id, "RegionalDomainName"]} in targets
    assert {"Fn::GetAtt": [domain_id, "RegionalHostedZoneId"]} in targets


@pytest.mark.fact("API-03", "API-13")
def test_edge_domain_uses_a_us_east_1_certificate_whatever_the_api_region(option):
    """An edge-optimized endpoint's certificate is in us-east-1 [004:4942, 001:1238]; here the
    API is in eu-west-1."""
    template = option("api_edge_domain")
    assert EDGE_ENV.region != "us-east-1"
    _, api = one(template, "AWS::ApiGateway::RestApi")
    assert props(api)["EndpointConfiguration"] == {"Types": ["EDGE"]}
    domain_id, domain = _domain(template)
    assert domain["DomainName"] == EDGE_DOMAIN
    assert domain["EndpointConfiguration"] == {"Types": ["EDGE"]}
    assert _certificate_region(domain["CertificateArn"]) == "us-east-1"
    assert "RegionalCertificateArn" not in domain
    targets = [o["Value"] for o in template["Outputs"].values()]
    assert {"Fn::GetAtt": [domain_id, "DistributionDomainName"]} in targets


# -- DynamoDB: secondary indexes -----------------------------------------------------------------


def _key_schema(index: dict) -> dict[str, str]:
    return {key["KeyType"]: key["AttributeName"] for key in index["KeySchema"]}


@pytest.mark.fact("API-35")
def test_local_index_shares_the_table_partition_key_with_another_sort_key(option):
    """An LSI keeps the table's partition key with another sort key, exists from the table's
    creation only, at most 5 [002:3626-3639]."""
    for name in ("api_indexes", "api_global_table"):
        template = option(name)
        table_type = (
            "AWS::DynamoDB::GlobalTable" if name == "api_global_table" else "AWS::DynamoDB::Table"
        )
        _, table = one(template, table_type)
        table_keys = _key_schema(props(table))
        (index,) = props(table)["LocalSecondaryIndexes"]
        index_keys = _key_schema(index)
        assert index_keys["HASH"] == table_keys["HASH"] == "id"
        assert index_keys["RANGE"] == "updated_at" != table_keys["RANGE"]
        types = {
            a["AttributeName"]: a["AttributeType"] for a in props(table)["AttributeDefinitions"]
        }
        assert types["updated_at"] == "N"


@pytest.mark.fact("API-29", "API-34", "API-36")
def test_global_indexes_have_keys_projections_and_capacity_of_their_own(option):
    """A GSI has its own partition (and sort) key, its projection, and its own capacity, scaled
    like the table's [002:3640-3655]."""
    template = option("api_indexes")
    table_id, table = one(template, "AWS::DynamoDB::Table")
    indexes = {i["IndexName"]: i for i in props(table)["GlobalSecondaryIndexes"]}
    assert _key_schema(indexes["by-owner"]) == {"HASH": "owner", "RANGE": "created_at"}
    assert indexes["by-owner"]["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["name", "price"],
    }
    assert _key_schema(indexes["by-status"]) == {"HASH": "status"}
    assert indexes["by-status"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    for index in indexes.values():
        assert index["ProvisionedThroughput"] == {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}
    targets = resources(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    scaled = {}
    for target in targets.values():
        parts = props(target)["ResourceId"]["Fn::Join"][1]
        assert parts[:2] == ["table/", {"Ref": table_id}]
        suffix = parts[2] if len(parts) > 2 else ""
        scaled[suffix, props(target)["ScalableDimension"]] = (
            props(target)["MinCapacity"],
            props(target)["MaxCapacity"],
        )
    for name in indexes:
        for unit in ("Read", "Write"):
            assert scaled[f"/index/{name}", f"dynamodb:index:{unit}CapacityUnits"] == (2, 20)
    policies = resources(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    assert len(policies) == len(targets) == 6
    for policy in policies:
        assert props(policy)["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 80


# -- DynamoDB: global tables ---------------------------------------------------------------------


@pytest.mark.fact("API-30", "API-31", "API-32", "API-37")
def test_global_table_replicates_through_a_new_and_old_images_stream_to_every_region(option):
    """Global tables need streams [001:1163] and replicate multi-active across regions
    [002:3657-3675]; PITR and encryption hold in every replica."""
    template = option("api_global_table")
    assert resources(template, "AWS::DynamoDB::Table") == {}
    _, table = one(template, "AWS::DynamoDB::GlobalTable")
    assert props(table)["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    replicas = props(table)["Replicas"]
    assert sorted(r["Region"] for r in replicas) == sorted((*REPLICA_REGIONS, PINNED_ENV.region))
    for replica in replicas:
        assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert replica["DeletionProtectionEnabled"] is True
        assert {i["IndexName"] for i in replica["GlobalSecondaryIndexes"]} == {
            "by-owner",
            "by-status",
        }
    assert props(table)["SSESpecification"]["SSEEnabled"] is True
    assert props(table)["BillingMode"] == "PAY_PER_REQUEST"
    assert props(table)["TimeToLiveSpecification"] == {
        "AttributeName": "expires_at",
        "Enabled": True,
    }


@pytest.mark.fact("API-37")
def test_the_function_reads_and_writes_the_global_table_replica_of_its_region(option):
    template = option("api_global_table")
    table_id, _ = one(template, "AWS::DynamoDB::GlobalTable")
    _, function = one(template, "AWS::Lambda::Function")
    assert props(function)["Environment"]["Variables"]["TABLE_NAME"] == {"Ref": table_id}
    statements = [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        for statement in props(policy)["PolicyDocument"]["Statement"]
        if any(action.startswith("dynamodb:") for action in statement["Action"])
    ]
    (statement,) = statements
    assert statement["Resource"] == {"Fn::GetAtt": [table_id, "Arn"]}


# -- API Gateway's integration timeout ----------------------------------------------------------


@pytest.mark.fact("API-19")
def test_integrations_keep_the_default_29_second_timeout(sandbox, option):
    """No integration sets TimeoutInMillis, so API Gateway's default (29 s) applies, and the
    function's own timeout (10 s by default) ends a slow request first."""
    app_template = sandbox.template("ServerlessApi")
    for template in (app_template, *(option(name) for name in sorted(TEMPLATES))):
        for method in resources(template, "AWS::ApiGateway::Method").values():
            assert "TimeoutInMillis" not in props(method)["Integration"]
    _, function = one(app_template, "AWS::Lambda::Function")
    assert props(function)["Timeout"] < 29
