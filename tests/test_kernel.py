"""The kernel's pieces on their own: what they refuse, what they let through, what they build."""

from __future__ import annotations

import inspect

import pytest
from aws_cdk import App, CfnParameter, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_lib import _kernel as kernel
from constructs_lib.network import ThreeTierNetwork
from constructs_lib.serverless_api import ServerlessApi
from constructs_lib.web_tier import WebTier
from tests.template_queries import props, ref, resources

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
    ("value", "kind"),
    [
        ("vpc-123", "vpc_id"),  # a string is never an interface, even with the attribute
        (None, "vpc_id"),
        (RemovalPolicy.DESTROY, "vpc_id"),
        ("DESTROY", RemovalPolicy),
        (Duration.days(1), RemovalPolicy),
    ],
)
def test_check_type_names_the_prop_and_what_is_allowed(value, kind):
    with pytest.raises(ValueError, match=r"^vpc is .*; allowed: an ec2\.IVpc$"):
        kernel._check_type("vpc", value, kind, "an ec2.IVpc")


def test_check_type_takes_an_instance_or_an_interface_by_its_attribute(stack):
    kernel._check_type("removal_policy", RemovalPolicy.RETAIN, RemovalPolicy, "a RemovalPolicy")
    # An imported VPC whose id and zones are deploy-time tokens has the attribute: it passes.
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Imported",
        vpc_id=CfnParameter(stack, "VpcId").value_as_string,
        availability_zones=CfnParameter(stack, "Zones", type="List<String>").value_as_list,
    )
    kernel._check_type("vpc", vpc, "vpc_id", "an ec2.IVpc")
    # A token string stands for a value, not a construct: refused, as every string is.
    with pytest.raises(ValueError, match=r"vpc is .*; allowed: an ec2\.IVpc"):
        kernel._check_type("vpc", vpc.vpc_id, "vpc_id", "an ec2.IVpc")


@pytest.mark.parametrize(
    ("value", "default"),
    [("sid", None), (False, None), (0, None), (True, False), (0.5, 4), ("r7g.large", "t4g.medium")],
)
def test_only_with_refuses_a_prop_given_without_its_companion(value, default):
    with pytest.raises(ValueError, match=r"^ttl is .*; allowed only with engine=\"dynamodb\"$"):
        kernel._only_with("ttl", value, False, 'engine="dynamodb"', default=default)
    kernel._only_with("ttl", value, True, 'engine="dynamodb"', default=default)


@pytest.mark.parametrize(("value", "default"), [(None, None), (False, False), (4, 4)])
def test_only_with_lets_a_prop_left_at_its_default_through(value, default):
    kernel._only_with("ttl", value, False, 'engine="dynamodb"', default=default)


def test_only_with_refuses_a_token_without_its_companion_and_takes_it_with(stack):
    number = CfnParameter(stack, "Number", type="Number").value_as_number
    kernel._only_with("port", number, True, "a cache")
    with pytest.raises(ValueError, match=r"port is .*; allowed only with a cache"):
        kernel._only_with("port", number, False, "a cache")


def test_selection_kwargs_are_the_set_fields_select_subnets_takes(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    selection = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC, one_per_az=True)
    kwargs = kernel._selection_kwargs(selection)
    assert kwargs == {"subnet_type": ec2.SubnetType.PUBLIC, "one_per_az": True}
    public = [subnet.subnet_id for subnet in vpc.public_subnets]
    assert vpc.select_subnets(**kwargs).subnet_ids == public
    assert kernel._selection_kwargs(ec2.SubnetSelection()) == {}
    # Every field of the struct, so no part of a selection is dropped on the way.
    fields = set(inspect.signature(ec2.SubnetSelection.__init__).parameters) - {"self"}
    assert set(kernel._SELECTION_FIELDS) == fields


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


@pytest.mark.parametrize(
    ("instance_type", "cpu"),
    [
        ("t4g.micro", "arm64"),
        ("c7g.large", "arm64"),
        ("t3.micro", "x86_64"),
        ("m7i.large", "x86_64"),
    ],
)
def test_the_al2023_image_follows_the_instance_type_s_architecture(stack, instance_type, cpu):
    image = kernel._al2023_image(ec2.InstanceType(instance_type)).get_image(stack)
    assert image.os_type == ec2.OperatingSystemType.LINUX
    (parameter,) = (
        parameter
        for parameter in _template(stack)["Parameters"].values()
        if parameter["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    )
    assert parameter["Default"] == (
        f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-{cpu}"
    )


_PINNED = Environment(account="123456789012", region="us-east-1")


def _logged_alb(env: Environment | None) -> tuple[Stack, Construct, dict]:
    """An ALB whose access logs go to a log bucket, as the web tier and the fixed fleet do."""
    stack = Stack(App(), "AccessLogs", env=env)
    owner = Construct(stack, "Web")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    alb = elbv2.ApplicationLoadBalancer(owner, "LoadBalancer", vpc=vpc, internet_facing=True)
    bucket = kernel._log_bucket(
        owner,
        "AccessLogBucket",
        writer="the ALB's access logs",
        expiration=Duration.days(30),
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=False,
    )
    kernel._alb_access_logs(owner, alb, bucket, "alb")
    return stack, owner, _template(stack)


@pytest.fixture(scope="module")
def access_logs() -> dict[str, tuple[Stack, Construct, dict]]:
    return {"pinned": _logged_alb(_PINNED), "agnostic": _logged_alb(None)}


def _alb_attributes(template: dict) -> dict:
    (alb,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    return {a["Key"]: a["Value"] for a in props(alb)["LoadBalancerAttributes"]}


def _log_statements(template: dict) -> list[dict]:
    (policy,) = resources(template, "AWS::S3::BucketPolicy").values()
    return [s for s in props(policy)["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]


@pytest.mark.parametrize("env", ["pinned", "agnostic"])
def test_alb_access_logs_turn_logging_on_into_the_bucket_under_the_prefix(access_logs, env):
    _, _, template = access_logs[env]
    attributes = _alb_attributes(template)
    (bucket_id,) = resources(template, "AWS::S3::Bucket")
    assert attributes["access_logs.s3.enabled"] == "true"
    assert ref(attributes["access_logs.s3.bucket"]) == bucket_id
    assert attributes["access_logs.s3.prefix"] == "alb"


@pytest.mark.parametrize("env", ["pinned", "agnostic"])
def test_alb_access_logs_wait_for_the_bucket_policy(access_logs, env):
    _, _, template = access_logs[env]
    (alb,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    (policy_id,) = resources(template, "AWS::S3::BucketPolicy")
    assert policy_id in alb["DependsOn"]


def test_a_pinned_region_names_its_elb_account_and_needs_no_map(access_logs):
    _, _, template = access_logs["pinned"]
    assert "Mappings" not in template and "Conditions" not in template
    principals = [s["Principal"] for s in _log_statements(template)]
    assert any("127311923021" in str(principal) for principal in principals)  # us-east-1's


def test_an_agnostic_stack_maps_every_known_region_to_its_elb_account_or_none(access_logs):
    stack, owner, template = access_logs["agnostic"]
    (name,) = template["Mappings"]
    assert name.startswith("WebElbLogDeliveryAccounts")
    mapping = template["Mappings"][name]
    assert set(mapping) == set(kernel._known_regions())
    assert mapping["us-east-1"] == {"account": "127311923021"}
    assert {"account": "none"} in mapping.values()  # a region launched since August 2022
    (condition,) = template["Conditions"]
    assert condition.startswith("WebRegionHasElbAccount")


def test_an_agnostic_stack_lets_the_elb_account_or_the_delivery_service_write(access_logs):
    _, _, template = access_logs["agnostic"]
    writers, delivery, acl = _log_statements(template)
    (condition,) = template["Conditions"]
    assert writers["Action"] == delivery["Action"] == "s3:PutObject"
    assert writers["Principal"]["AWS"]["Fn::If"][0] == condition
    assert writers["Principal"]["Service"]["Fn::If"][1:] == [
        {"Ref": "AWS::NoValue"},
        kernel._ELB_LOG_DELIVERY,
    ]
    assert delivery["Principal"] == acl["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert delivery["Condition"] == {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}
    assert acl["Action"] == "s3:GetBucketAcl"


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
