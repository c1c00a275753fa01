"""Bad props are refused with a ValueError naming the prop and what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, Duration, Environment, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_

from constructs_lib.serverless_api import SecondaryIndex, ServerlessApi, UsagePlanSettings

ACL_ID = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
REGIONAL_ACL = f"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/{ACL_ID}"
CLOUDFRONT_ACL = f"arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/{ACL_ID}"
CERT_ID = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
PINNED = Environment(account="123456789012", region="us-east-1")


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput")


@pytest.mark.fact("API-20", "API-21", "API-32", "API-33")
@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"memory_size": 127}, r"memory_size is 127; allowed: 128 to 10240 MB"),
        ({"memory_size": 10241}, r"memory_size is 10241; allowed: 128 to 10240 MB"),
        ({"timeout_seconds": 0}, r"timeout_seconds is 0; allowed: 1 to 900 s"),
        ({"timeout_seconds": 901}, r"timeout_seconds is 901; allowed: 1 to 900 s"),
        ({"reserved_concurrency": 0}, r"reserved_concurrency is 0; allowed: 1 or more"),
        (
            {"throttling_rate_limit": 100, "throttling_burst_limit": 50},
            r"throttling_burst_limit is 50; allowed: at least throttling_rate_limit \(100\)",
        ),
        ({"throttling_rate_limit": -1}, r"throttling_rate_limit is -1; allowed: 0 or more"),
        (
            {"throttling_rate_limit": 0, "throttling_burst_limit": -5},
            r"throttling_burst_limit is -5; allowed: 0 or more",
        ),
        ({"partition_key_type": "binary"}, r"partition_key_type is 'binary'; allowed: string, num"),
        ({"sort_key": "sk", "sort_key_type": "bool"}, r"sort_key_type is 'bool'; allowed: string"),
        ({"partition_key": ""}, r"partition_key is ''; allowed: a name of 1 to 255 characters"),
        ({"sort_key": "id"}, r"sort_key is 'id'; allowed: a name other than partition_key"),
        ({"ttl_attribute": "id"}, r"ttl_attribute is 'id'; allowed: an attribute that is not a k"),
        (
            {"sort_key": "sk", "ttl_attribute": "sk"},
            r"ttl_attribute is 'sk'; allowed: an attribute that is not a key",
        ),
        ({"stream_view": "everything"}, r"stream_view is 'everything'; allowed: keys_only, new_"),
        ({"billing_mode": "reserved"}, r"billing_mode is 'reserved'; allowed: on_demand, provis"),
        (
            {"billing_mode": "provisioned", "min_capacity": 0},
            r"min_capacity is 0; allowed: 1 or more",
        ),
        (
            {"billing_mode": "provisioned", "min_capacity": 5, "max_capacity": 4},
            r"max_capacity is 4; allowed: at least min_capacity \(5\)",
        ),
        (
            {"billing_mode": "provisioned", "target_utilization_percent": 95},
            r"target_utilization_percent is 95; allowed: 20 to 90 %",
        ),
        ({"auth_mode": "apikey"}, r"auth_mode is 'apikey'; allowed: iam, cognito, lambda, none"),
        ({"auth_mode": "none"}, r"auth_mode is 'none'; allowed only with allow_unauthenticated"),
        ({"allow_unauthenticated": True}, r"allow_unauthenticated is True but auth_mode is 'iam'"),
        ({"auth_mode": "cognito", "mfa": "off"}, r"mfa is 'off'; allowed: required, optional"),
        ({"endpoint_type": "global"}, r"endpoint_type is 'global'; allowed: regional, edge, priv"),
        ({"execution_log_level": "DEBUG"}, r"execution_log_level is 'DEBUG'; allowed: INFO, ERROR"),
        ({"stage_name": ""}, r"stage_name is ''; allowed: 1 to 128 letters, digits, hyphens or "),
        ({"stage_name": "my stage"}, r"stage_name is 'my stage'; allowed: 1 to 128 letters"),
        ({"stage_name": "v1.0"}, r"stage_name is 'v1\.0'; allowed: 1 to 128 letters"),
        ({"stage_name": "api/v1"}, r"stage_name is 'api/v1'; allowed: 1 to 128 letters"),
        ({"stage_name": "a" * 129}, r"stage_name is 'a{129}'; allowed: 1 to 128 letters"),
        ({"stage_name": 1}, r"stage_name is 1; allowed: 1 to 128 letters"),
        (
            {"web_acl_arn": CLOUDFRONT_ACL},
            r"web_acl_arn is '.*:global/webacl/site/.*', a web ACL with scope CLOUDFRONT "
            r"\(global/webacl\), which only CloudFront distributions use; allowed: the ARN of a "
            r"WAFv2 web ACL with scope REGIONAL",
        ),
        (
            {"web_acl_arn": "arn:aws:wafv2:us-east-1:123456789012:regional/ipset/a/" + ACL_ID},
            r"web_acl_arn is '.*regional/ipset/.*'; allowed: the ARN of a WAFv2 web ACL with "
            r"scope REGIONAL, arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>",
        ),
        ({"web_acl_arn": ""}, r"web_acl_arn is ''; allowed: the ARN of a WAFv2 web ACL"),
        ({"web_acl_arn": ["arn"]}, r"web_acl_arn is \['arn'\]; allowed: the ARN of a WAFv2"),
        ({"memory_size": 256.5}, r"memory_size is 256\.5; allowed: a whole number, 128 to 10240"),
        ({"memory_size": "256"}, r"memory_size is '256'; allowed: a whole number"),
        ({"timeout_seconds": "10"}, r"timeout_seconds is '10'; allowed: a whole number, 1 to 900"),
        ({"timeout_seconds": 10.0}, r"timeout_seconds is 10\.0; allowed: a whole number"),
        (
            {"reserved_concurrency": 1.5},
            r"reserved_concurrency is 1\.5; allowed: a whole number, 1 or more",
        ),
        (
            {"throttling_rate_limit": 10, "throttling_burst_limit": 20.5},
            r"throttling_burst_limit is 20\.5; allowed: a whole number, 0 or more",
        ),
        (
            {"throttling_rate_limit": "50"},
            r"throttling_rate_limit is '50'; allowed: a number, 0 or more",
        ),
        (
            {"billing_mode": "provisioned", "min_capacity": 2.5},
            r"min_capacity is 2\.5; allowed: a whole number, 1 or more",
        ),
        (
            {"billing_mode": "provisioned", "max_capacity": 2.5},
            r"max_capacity is 2\.5; allowed: a whole number, 1 or more",
        ),
        (
            {"billing_mode": "provisioned", "target_utilization_percent": 80.5},
            r"target_utilization_percent is 80\.5; allowed: a whole number, 20 to 90 %",
        ),
        ({"ttl_attribute": 5}, r"ttl_attribute is 5; allowed: 1 to 255 characters"),
    ],
)
def test_bad_props_raise_a_clear_value_error(stack, props, message):
    with pytest.raises(ValueError, match=message):
        ServerlessApi(stack, "Api", **props)


def test_bad_props_are_refused_before_any_resource_is_created(stack):
    with pytest.raises(ValueError):
        ServerlessApi(stack, "Api", memory_size=64)
    assert [child.node.id for child in stack.node.children] == ["Api"]
    assert stack.node.find_child("Api").node.children == []


@pytest.mark.parametrize(
    "props",
    [
        {"stage_name": "my stage"},
        {"web_acl_arn": CLOUDFRONT_ACL},
        {"memory_size": 256.5},
        {"billing_mode": "provisioned", "min_capacity": 2.5},
    ],
)
def test_new_checks_also_refuse_before_any_resource_is_created(stack, props):
    with pytest.raises(ValueError):
        ServerlessApi(stack, "Api", **props)
    assert stack.node.find_child("Api").node.children == []


def test_a_web_acl_from_another_region_than_the_stack_is_refused():
    stack = Stack(App(), "Pinned", env=Environment(account="123456789012", region="eu-west-1"))
    with pytest.raises(
        ValueError,
        match=r"web_acl_arn is in us-east-1; allowed: a web ACL in eu-west-1, the stack's region",
    ):
        ServerlessApi(stack, "Api", web_acl_arn=REGIONAL_ACL)
    assert stack.node.find_child("Api").node.children == []


def test_a_regional_web_acl_is_accepted_in_any_region_when_the_stack_region_is_a_token(stack):
    ServerlessApi(stack, "Api", web_acl_arn=REGIONAL_ACL.replace("us-east-1", "ap-south-2"))
    assert stack.node.find_child("Api").node.try_find_child("WebAclAssociation") is not None


def test_a_stage_name_token_is_refused_because_aws_cdk_lib_names_a_construct_after_it(stack):
    name = CfnParameter(stack, "StageName").value_as_string
    with pytest.raises(
        ValueError, match=r"stage_name is '\$\{Token\[.*\]\}', a deploy-time token; allowed: a lit"
    ):
        ServerlessApi(stack, "Api", stage_name=name)
    assert stack.node.find_child("Api").node.children == []


# -- the options: Lambda authorizer, private endpoint, usage plan, cache, domain, indexes, replicas


def _function(stack: Stack) -> lambda_.IFunction:
    return lambda_.Function.from_function_arn(
        stack, "Authorizer", "arn:aws:lambda:us-east-1:123456789012:function:authorizer"
    )


def _endpoint(stack: Stack, endpoint_id: str = "vpce-0a1b2c3d4e5f60718", name: str = "E"):
    return ec2.InterfaceVpcEndpoint.from_interface_vpc_endpoint_attributes(
        stack, name, vpc_endpoint_id=endpoint_id, port=443
    )


def _certificate(stack: Stack, region: str = "us-east-1", arn: str | None = None):
    arn = arn or f"arn:aws:acm:{region}:123456789012:certificate/{CERT_ID}"
    return acm.Certificate.from_certificate_arn(stack, f"Cert-{region}", arn)


def _gsi(name: str = "by-owner", **fields) -> SecondaryIndex:
    return SecondaryIndex(name=name, **{"partition_key": "owner", **fields})


def _lsi(name: str = "by-date", **fields) -> SecondaryIndex:
    return SecondaryIndex(name=name, **{"sort_key": "date", **fields})


@pytest.mark.fact(
    "API-05", "API-08", "API-09", "API-10", "API-11", "API-13", "API-34", "API-35", "API-36"
)
@pytest.mark.parametrize(
    ("build", "message"),
    [
        # Lambda authorizer
        (
            lambda s: {"auth_mode": "lambda"},
            r"authorizer_function is None; allowed: with auth_mode='lambda', the Lambda function",
        ),
        (
            lambda s: {"authorizer_function": _function(s)},
            r"authorizer_function is set but auth_mode is 'iam'; allowed: authorizer_function "
            r"only with auth_mode='lambda'",
        ),
        (
            lambda s: {"auth_mode": "lambda", "authorizer_function": "arn:aws:lambda:x"},
            r"authorizer_function is 'arn:aws:lambda:x'; allowed: with auth_mode='lambda'",
        ),
        (
            lambda s: {
                "auth_mode": "lambda",
                "authorizer_function": _function(s),
                "authorizer_cache_ttl": Duration.seconds(3601),
            },
            r"authorizer_cache_ttl is 1 hour 1 second; allowed: whole seconds, 0 to 3600 s",
        ),
        (
            lambda s: {
                "auth_mode": "lambda",
                "authorizer_function": _function(s),
                "authorizer_cache_ttl": Duration.millis(1500),
            },
            r"authorizer_cache_ttl is 1 second 500 millis; allowed: whole seconds, 0 to 3600 s",
        ),
        (
            lambda s: {
                "auth_mode": "lambda",
                "authorizer_function": _function(s),
                "authorizer_cache_ttl": 300,
            },
            r"authorizer_cache_ttl is 300; allowed: a Duration of 0 to 3600 s",
        ),
        (
            lambda s: {"authorizer_cache_ttl": Duration.seconds(60)},
            r"authorizer_cache_ttl is set but auth_mode is 'iam'; allowed: authorizer_cache_ttl "
            r"only with auth_mode='lambda'",
        ),
        # private endpoint
        (
            lambda s: {"endpoint_type": "private"},
            r"vpc_endpoints is empty; allowed: endpoint_type='private' needs one or more "
            r"interface VPC endpoints of the execute-api service",
        ),
        (
            lambda s: {"vpc_endpoints": [_endpoint(s)]},
            r"vpc_endpoints is set but endpoint_type is 'regional'; allowed: vpc_endpoints only "
            r"with endpoint_type='private'",
        ),
        (
            lambda s: {"endpoint_type": "private", "vpc_endpoints": "vpce-0a1b2c3d4e5f60718"},
            r"vpc_endpoints is 'vpce-0a1b2c3d4e5f60718'; allowed: a sequence of interface VPC",
        ),
        (
            lambda s: {"endpoint_type": "private", "vpc_endpoints": ["vpce-0a1b2c3d4e5f60718"]},
            r"vpc_endpoints holds 'vpce-0a1b2c3d4e5f60718'; allowed: interface VPC endpoints",
        ),
        (
            lambda s: {
                "endpoint_type": "private",
                "vpc_endpoints": [_endpoint(s), _endpoint(s, name="Again")],
            },
            r"vpc_endpoints is \['vpce-0a1b2c3d4e5f60718', 'vpce-0a1b2c3d4e5f60718'\]; allowed: "
            r"each endpoint once",
        ),
        (
            lambda s: {
                "endpoint_type": "private",
                "vpc_endpoints": [_endpoint(s)],
                "domain_name": "api.example.com",
                "certificate": _certificate(s),
            },
            r"domain_name is set but endpoint_type is 'private'; allowed: a custom domain name "
            r"with endpoint_type 'regional' or 'edge'",
        ),
        # usage plan (API keys)
        (
            lambda s: {"usage_plan": {"rate_limit": 5}},
            r"usage_plan is \{'rate_limit': 5\}; allowed: a UsagePlanSettings or None",
        ),
        (
            lambda s: {"usage_plan": UsagePlanSettings(rate_limit=-1)},
            r"usage_plan.rate_limit is -1; allowed: 0 or more requests/s",
        ),
        (
            lambda s: {"usage_plan": UsagePlanSettings(burst_limit=1.5)},
            r"usage_plan.burst_limit is 1.5; allowed: a whole number, 0 or more",
        ),
        (
            lambda s: {"usage_plan": UsagePlanSettings(rate_limit=10, burst_limit=5)},
            r"usage_plan.burst_limit is 5; allowed: at least usage_plan.rate_limit \(10\)",
        ),
        (
            lambda s: {"usage_plan": UsagePlanSettings(rate_limit=60, burst_limit=60)},
            r"usage_plan.rate_limit is 60; allowed: at most throttling_rate_limit \(50\), the "
            r"stage's limit for all clients together",
        ),
        (
            lambda s: {"usage_plan": UsagePlanSettings(rate_limit=10, burst_limit=101)},
            r"usage_plan.burst_limit is 101; allowed: at most throttling_burst_limit \(100\)",
        ),
        (
            lambda s: {"usage_plan": UsagePlanSettings(quota_limit=0)},
            r"usage_plan.quota_limit is 0; allowed: 1 or more requests, or None",
        ),
        (
            lambda s: {"usage_plan": UsagePlanSettings(quota_period="YEAR")},
            r"usage_plan.quota_period is 'YEAR'; allowed: DAY, WEEK, MONTH",
        ),
        # stage cache
        (
            lambda s: {"cache_size_gb": "1"},
            r"cache_size_gb is '1'; allowed: one of API Gateway's cache sizes \(GB, a string\): "
            r"0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237",
        ),
        (lambda s: {"cache_size_gb": 0.5}, r"cache_size_gb is 0.5; allowed: one of API Gateway's"),
        (
            lambda s: {"cache_size_gb": "0.5", "cache_ttl": Duration.seconds(3601)},
            r"cache_ttl is 1 hour 1 second; allowed: whole seconds, 0 to 3600 s",
        ),
        (
            lambda s: {"cache_size_gb": "0.5", "cache_ttl": Duration.millis(500)},
            r"cache_ttl is 500 millis; allowed: whole seconds, 0 to 3600 s",
        ),
        (
            lambda s: {"cache_ttl": Duration.seconds(60)},
            r"cache_ttl is set but cache_size_gb is None; allowed: cache_ttl only with a stage "
            r"cache",
        ),
        # custom domain
        (
            lambda s: {"domain_name": "api.example.com"},
            r"certificate is None; allowed: domain_name and certificate together, or neither",
        ),
        (
            lambda s: {"certificate": _certificate(s)},
            r"domain_name is None; allowed: domain_name and certificate together, or neither",
        ),
        (
            lambda s: {"domain_name": "localhost", "certificate": _certificate(s)},
            r"domain_name is 'localhost'; allowed: a DNS name of two or more labels",
        ),
        (
            lambda s: {"domain_name": "my_api.example.com", "certificate": _certificate(s)},
            r"domain_name is 'my_api.example.com'; allowed: a DNS name of two or more labels",
        ),
        (
            lambda s: {"domain_name": "api.example.com", "certificate": "arn:aws:acm:x"},
            r"certificate is 'arn:aws:acm:x'; allowed: an ACM certificate",
        ),
        (
            lambda s: {
                "domain_name": "api.example.com",
                "certificate": _certificate(
                    s, arn="arn:aws:iam::123456789012:server-certificate/api"
                ),
            },
            r"certificate is 'arn:aws:iam::123456789012:server-certificate/api'; allowed: an ACM "
            r"certificate ARN, arn:aws:acm:<region>:<account>:certificate/<uuid>",
        ),
        (
            lambda s: {
                "endpoint_type": "edge",
                "domain_name": "api.example.com",
                "certificate": _certificate(s, "eu-west-1"),
            },
            r"certificate is in eu-west-1; allowed: a certificate in us-east-1 for "
            r"endpoint_type='edge' \(the edge-optimized domain is served by CloudFront",
        ),
        # secondary indexes
        (
            lambda s: {"global_secondary_indexes": _gsi()},
            r"global_secondary_indexes is SecondaryIndex\(.*\); allowed: a sequence of Second",
        ),
        (
            lambda s: {"global_secondary_indexes": [{"name": "by-owner"}]},
            r"global_secondary_indexes holds \{'name': 'by-owner'\}; allowed: SecondaryIndex",
        ),
        (
            lambda s: {"global_secondary_indexes": [_gsi("ab")]},
            r"global_secondary_indexes name is 'ab'; allowed: 3 to 255 letters, digits",
        ),
        (
            lambda s: {"global_secondary_indexes": [_gsi(f"index-{n}") for n in range(21)]},
            r"global_secondary_indexes has 21 indexes; allowed: at most 20",
        ),
        (
            lambda s: {"global_secondary_indexes": [SecondaryIndex(name="by-owner")]},
            r"global_secondary_indexes\['by-owner'\].partition_key is None; allowed: the global",
        ),
        (
            lambda s: {"global_secondary_indexes": [_gsi(), _gsi(partition_key="status")]},
            r"global_secondary_indexes\['by-owner'\]: the name is used twice; allowed: unique",
        ),
        (
            lambda s: (
                {"sort_key": "sk", "global_secondary_indexes": [_gsi("by-date")]}
                | {"local_secondary_indexes": [_lsi()]}
            ),
            r"local_secondary_indexes\['by-date'\]: the name is used twice; allowed: unique",
        ),
        (
            lambda s: {"global_secondary_indexes": [_gsi(partition_key_type="binary")]},
            r"global_secondary_indexes\['by-owner'\].partition_key_type is 'binary'; allowed: st",
        ),
        (
            lambda s: (
                {"global_secondary_indexes": [_gsi(partition_key="id")]}
                | {"partition_key_type": "number"}
            ),
            r"global_secondary_indexes\['by-owner'\].partition_key_type is 'string'; allowed: "
            r"'number', the type 'id' has as a key elsewhere \(one type per attribute\)",
        ),
        (
            lambda s: {"global_secondary_indexes": [_gsi(sort_key="owner")]},
            r"global_secondary_indexes\['by-owner'\].sort_key is 'owner'; allowed: a name other",
        ),
        (
            lambda s: {"global_secondary_indexes": [_gsi(projection="some")]},
            r"global_secondary_indexes\['by-owner'\].projection is 'some'; allowed: all, keys_o",
        ),
        (
            lambda s: {"global_secondary_indexes": [_gsi(projection="include")]},
            r"global_secondary_indexes\['by-owner'\].non_key_attributes is empty; allowed: with ",
        ),
        (
            lambda s: {"global_secondary_indexes": [_gsi(non_key_attributes=("name",))]},
            r"global_secondary_indexes\['by-owner'\].non_key_attributes is set; allowed: only w",
        ),
        (
            lambda s: {
                "global_secondary_indexes": [
                    _gsi(projection="include", non_key_attributes=("owner",))
                ]
            },
            r"non_key_attributes holds 'owner', a key; allowed: non-key attributes only",
        ),
        (
            lambda s: {
                "global_secondary_indexes": [
                    _gsi(
                        f"index-{n}", projection="include", non_key_attributes=tuple("abcdefghijk")
                    )
                    for n in range(10)
                ]
            },
            r"non_key_attributes name 110 attributes over all indexes; allowed: at most 100",
        ),
        (
            lambda s: {"local_secondary_indexes": [_lsi()]},
            r"local_secondary_indexes\['by-date'\]: the table has no sort_key; allowed: local "
            r"secondary indexes only on a table with a sort key",
        ),
        (
            lambda s: {"sort_key": "sk", "local_secondary_indexes": [_lsi(partition_key="owner")]},
            r"local_secondary_indexes\['by-date'\].partition_key is 'owner'; allowed: None or "
            r"'id': a local index shares the table's partition key",
        ),
        (
            lambda s: {"sort_key": "sk", "local_secondary_indexes": [_lsi(sort_key="sk")]},
            r"local_secondary_indexes\['by-date'\].sort_key is 'sk'; allowed: an alternative sort",
        ),
        (
            lambda s: {"sort_key": "sk", "local_secondary_indexes": [_lsi(sort_key=None)]},
            r"local_secondary_indexes\['by-date'\].sort_key is None; allowed: an alternative sort",
        ),
        (
            lambda s: {
                "sort_key": "sk",
                "local_secondary_indexes": [_lsi(f"by-{n}", sort_key=f"a{n}") for n in range(6)],
            },
            r"local_secondary_indexes has 6 indexes; allowed: at most 5",
        ),
    ],
)
def test_bad_option_props_raise_a_clear_value_error(stack, build, message):
    with pytest.raises(ValueError, match=message):
        ServerlessApi(stack, "Api", **build(stack))
    assert stack.node.find_child("Api").node.children == []


@pytest.fixture()
def pinned() -> Stack:
    return Stack(App(), "Pinned", env=PINNED)


@pytest.mark.fact("API-12", "API-38")
@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda s: {
                "domain_name": "api.example.com",
                "certificate": _certificate(s, "eu-west-1"),
            },
            r"certificate is in eu-west-1; allowed: a certificate in us-east-1, the stack's "
            r"region, for endpoint_type='regional'",
        ),
        (
            lambda s: {"replica_regions": "us-west-2"},
            r"replica_regions is 'us-west-2'; allowed: a list of region names, such as",
        ),
        (
            lambda s: {"replica_regions": ["US-WEST-2"]},
            r"replica_regions is 'US-WEST-2'; allowed: an AWS region such as 'us-east-1' \(one of",
        ),
        (
            lambda s: {"replica_regions": ["mars-north-1"]},
            r"replica_regions is 'mars-north-1'; allowed: an AWS region such as 'us-east-1'",
        ),
        (
            lambda s: {"replica_regions": ["us-west-2", 5]},
            r"replica_regions contains 5; allowed: a list of region names",
        ),
        (
            lambda s: {"replica_regions": ["us-west-2", "us-east-1"]},
            r"replica_regions holds 'us-east-1', the stack's own region; allowed: other regions",
        ),
        (
            lambda s: {"replica_regions": ["us-west-2", "us-west-2"]},
            r"replica_regions is \['us-west-2', 'us-west-2'\]; allowed: each region once",
        ),
        (
            lambda s: {"replica_regions": ["us-west-2"], "billing_mode": "provisioned"},
            r"billing_mode is 'provisioned' with replica_regions; allowed: 'on_demand'",
        ),
        (
            lambda s: {"replica_regions": ["us-west-2"], "stream_view": "keys_only"},
            r"stream_view is 'keys_only' with replica_regions; allowed: None or "
            r"'new_and_old_images' \(global tables replicate through a stream of both images\)",
        ),
        (
            lambda s: {"replica_regions": [CfnParameter(s, "Region").value_as_string]},
            r"replica_regions holds '\$\{Token\[.*\]\}', a deploy-time token; allowed: literal",
        ),
    ],
)
def test_bad_region_props_raise_a_clear_value_error(pinned, build, message):
    with pytest.raises(ValueError, match=message):
        ServerlessApi(pinned, "Api", **build(pinned))
    assert pinned.node.find_child("Api").node.children == []


@pytest.mark.fact("API-38")
def test_replicas_need_a_stack_with_an_explicit_region(stack):
    with pytest.raises(
        ValueError,
        match=r"replica_regions is set but the stack's region is a deploy-time token; allowed: "
        r"replicas in a stack with an explicit region",
    ):
        ServerlessApi(stack, "Api", replica_regions=["us-west-2"])
    assert stack.node.find_child("Api").node.children == []


@pytest.mark.fact("API-12")
def test_a_regional_certificate_passes_when_the_stack_region_or_its_arn_is_a_token(stack, pinned):
    ServerlessApi(
        stack, "Api", domain_name="api.example.com", certificate=_certificate(stack, "eu-west-1")
    )
    assert stack.node.find_child("Api").node.try_find_child("CustomDomain") is not None
    arn = CfnParameter(pinned, "CertificateArn").value_as_string
    ServerlessApi(
        pinned,
        "Api",
        endpoint_type="edge",
        domain_name="api.example.com",
        certificate=acm.Certificate.from_certificate_arn(pinned, "Cert", arn),
    )
    assert pinned.node.find_child("Api").node.try_find_child("CustomDomain") is not None


def test_option_tokens_pass_through_unchecked(pinned):
    size = CfnParameter(pinned, "CacheSize").value_as_string
    ServerlessApi(pinned, "Api", cache_size_gb=size)
    assert pinned.node.find_child("Api").node.try_find_child("Api") is not None
