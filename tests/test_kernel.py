"""The kernel's pieces on their own: what they refuse, what they let through, what they build."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam

from constructs_lib import _kernel as kernel
from constructs_lib.network import ThreeTierNetwork
from constructs_lib.serverless_api import ServerlessApi
from constructs_lib.web_tier import WebTier
from tests.template_queries import props, resources

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "Kernel")


def test_tokens_pass_every_check(stack):
    number = CfnParameter(stack, "Number", type="Number").value_as_number
    text = CfnParameter(stack, "Text").value_as_string
    kernel._check_int("count", number, 1, 3)
    kernel._check_number("rate", number, 0, 1)
    kernel._check_certificate_arn("certificate_arn", text, region="us-east-1")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, r"count is 0; allowed: 1 to 3"),
        (4, r"count is 4; allowed: 1 to 3"),
        ("2", r"count is '2'; allowed: a whole number, 1 to 3"),
        (2.5, r"count is 2\.5; allowed: a whole number"),
        (True, r"count is True; allowed: a whole number"),
        (None, r"count is None; allowed: a whole number"),
    ],
)
def test_check_int_refuses_what_is_not_a_whole_number_in_range(value, message):
    with pytest.raises(ValueError, match=message):
        kernel._check_int("count", value, 1, 3)


def test_check_int_without_a_ceiling_says_or_more():
    with pytest.raises(ValueError, match=r"size is -1; allowed: 0 or more MB"):
        kernel._check_int("size", -1, 0, unit=" MB")
    kernel._check_int("size", 10**9, 0)


@pytest.mark.parametrize("value", ["1", False, [1]])
def test_check_number_refuses_what_is_not_a_number(value):
    with pytest.raises(ValueError, match=r"rate is .*; allowed: a number, 0 to 1"):
        kernel._check_number("rate", value, 0, 1)


def test_check_number_takes_ints_and_floats_in_range():
    kernel._check_number("rate", 1, 0, 1)
    kernel._check_number("rate", 0.5, 0, 1)
    with pytest.raises(ValueError, match=r"rate is 1\.5; allowed: 0 to 1"):
        kernel._check_number("rate", 1.5, 0, 1)


@pytest.mark.parametrize("value", ["c", "A", None, 1])
def test_check_choice_names_the_choices(value):
    with pytest.raises(ValueError, match=r"mode is .*; allowed: a, b"):
        kernel._check_choice("mode", value, ("a", "b"))


@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("203.0.113.7", r"cidr is '203\.0\.113\.7'; allowed: one CIDR block with its prefix"),
        ("203.0.113.7/24", r"cidr is '203\.0\.113\.7/24' \(.*host bits.*\); allowed"),
        ("2001:db8::1/32", r"cidr is '2001:db8::1/32' .*allowed"),
        ("not-a-cidr/8", r"cidr is 'not-a-cidr/8'"),
        (["10.0.0.0/8"], r"cidr is \['10\.0\.0\.0/8'\]; allowed: one CIDR block"),
    ],
)
def test_parse_cidr_refuses_anything_but_one_network_with_a_prefix(cidr, message):
    with pytest.raises(ValueError, match=message):
        kernel._parse_cidr("cidr", cidr)


def test_parse_cidr_and_peer_take_ipv4_and_ipv6(stack):
    assert kernel._parse_cidr("cidr", "2001:db8::/32").version == 6
    assert kernel._peer("2001:db8::/32").unique_id == "2001:db8::/32"
    assert kernel._peer("203.0.113.0/24").unique_id == "203.0.113.0/24"


@pytest.mark.parametrize(
    ("arn", "region", "message"),
    [
        ("arn:aws:acm:us-east-1:123456789012:certificate/x", None, r"allowed: an ACM certificate"),
        (CERTIFICATE.replace("acm", "iam"), None, r"allowed: an ACM certificate ARN"),
        (CERTIFICATE + "-extra", None, r"allowed: an ACM certificate ARN"),
        (CERTIFICATE.replace("us-east-1", "eu-west-1"), "us-east-1", r"is in eu-west-1"),
    ],
)
def test_certificate_arns_are_checked_strictly(arn, region, message):
    with pytest.raises(ValueError, match=message):
        kernel._check_certificate_arn("certificate_arn", arn, region=region)


def test_a_good_certificate_arn_passes_in_any_partition():
    kernel._check_certificate_arn("certificate_arn", CERTIFICATE, region="us-east-1")
    kernel._check_certificate_arn(
        "certificate_arn",
        CERTIFICATE.replace("aws:", "aws-us-gov:").replace("us-east-1", "us-gov-west-1"),
    )


def _template(stack: Stack) -> dict:
    return App.of(stack).synth().get_stack_by_name(stack.stack_name).template


def test_the_hardened_bucket_is_private_tls_only_encrypted_and_versioned(stack):
    kernel._hardened_bucket(
        stack,
        "Bucket",
        lifecycle_id="Expire",
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=False,
    )
    template = _template(stack)
    (bucket,) = resources(template, "AWS::S3::Bucket").values()
    p = props(bucket)
    assert p["PublicAccessBlockConfiguration"] == {
        key: True
        for key in (
            "BlockPublicAcls",
            "BlockPublicPolicy",
            "IgnorePublicAcls",
            "RestrictPublicBuckets",
        )
    }
    assert p["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    (lifecycle,) = p["LifecycleConfiguration"]["Rules"]
    assert lifecycle["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    (policy,) = resources(template, "AWS::S3::BucketPolicy").values()
    (deny,) = props(policy)["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }


def test_the_root_volume_is_encrypted_gp3_and_goes_with_its_instance():
    volume = kernel._encrypted_root_volume()
    assert volume.device_name == "/dev/xvda"
    assert volume.volume.ebs_device.encrypted is True
    assert volume.volume.ebs_device.delete_on_termination is True


def test_session_manager_is_one_statement_on_the_role(stack):
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    kernel._allow_ssm_session(role)
    template = _template(stack)
    (policy,) = resources(template, "AWS::IAM::Policy").values()
    (statement,) = props(policy)["PolicyDocument"]["Statement"]
    assert sorted(statement["Action"]) == sorted(kernel._SSM_SESSION_ACTIONS)
    assert "ManagedPolicyArns" not in props(
        next(iter(resources(template, "AWS::IAM::Role").values()))
    )


def test_the_lint_exception_lands_on_the_one_resource(stack):
    bucket = kernel._hardened_bucket(
        stack,
        "Bucket",
        lifecycle_id="Expire",
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=True,
    )
    kernel._except_cdk_handlers(bucket)
    template = _template(stack)
    marked = {
        logical_id: resource["Metadata"]["cfn-lint"]
        for logical_id, resource in template["Resources"].items()
        if "cfn-lint" in resource.get("Metadata", {})
    }
    (handler,) = marked
    assert template["Resources"][handler]["Type"] == "AWS::Lambda::Function"
    assert marked[handler] == {"config": {"ignore_checks": ["W3005"]}}


def _number(stack: Stack, name: str) -> float:
    return CfnParameter(stack, name, type="Number").value_as_number


def _network(stack: Stack) -> None:
    ThreeTierNetwork(stack, "Network", db_port=_number(stack, "Port"))


def _api(stack: Stack) -> None:
    ServerlessApi(
        stack,
        "Api",
        memory_size=_number(stack, "Memory"),
        throttling_rate_limit=_number(stack, "Rate"),
    )


def _web(stack: Stack) -> None:
    WebTier(
        stack,
        "Web",
        vpc=ec2.Vpc(stack, "Vpc"),
        max_capacity=_number(stack, "Max"),
        deregistration_delay_seconds=_number(stack, "Delay"),
    )


@pytest.mark.parametrize("build", [_network, _api, _web])
def test_constructs_pass_deploy_time_values_through_unchecked(build):
    stack = Stack(App(), "Tokens")
    build(stack)
    assert _template(stack)["Parameters"]
