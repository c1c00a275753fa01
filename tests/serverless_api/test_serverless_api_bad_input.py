"""Bad props are refused with a ValueError naming the prop and what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, Environment, Stack

from constructs_lib.serverless_api import ServerlessApi

ACL_ID = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
REGIONAL_ACL = f"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/{ACL_ID}"
CLOUDFRONT_ACL = f"arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/{ACL_ID}"


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput")


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
        ({"auth_mode": "apikey"}, r"auth_mode is 'apikey'; allowed: iam, cognito, none"),
        ({"auth_mode": "none"}, r"auth_mode is 'none'; allowed only with allow_unauthenticated"),
        ({"allow_unauthenticated": True}, r"allow_unauthenticated is True but auth_mode is 'iam'"),
        ({"auth_mode": "cognito", "mfa": "off"}, r"mfa is 'off'; allowed: required, optional"),
        ({"endpoint_type": "private"}, r"endpoint_type is 'private'; allowed: regional, edge"),
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
