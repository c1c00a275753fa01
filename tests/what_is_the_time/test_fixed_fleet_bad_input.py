"""FixedFleet refuses a bad prop with a ValueError naming it, before any resource exists; a
deploy-time token passes unchecked (CloudFormation checks it), except where the construct must
count or choose at synthesis."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2

from constructs_lib.fixed_fleet import FixedFleet
from tests.conftest import PINNED_ENV

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
PUBLIC_IDS = [f"subnet-0a1b2c3d4e5f6071{n}" for n in range(3)]
PRIVATE_IDS = [f"subnet-0a1b2c3d4e5f6072{n}" for n in range(3)]
PRIVATE = ec2.SubnetType.PRIVATE_WITH_EGRESS
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a1b-8c2d-3e4f5a6b7c8d"


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput", env=PINNED_ENV)


@pytest.fixture()
def vpc(stack) -> ec2.IVpc:
    """An existing VPC over three AZs, a public and a private subnet in each."""
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zones=ZONES,
        public_subnet_ids=PUBLIC_IDS,
        private_subnet_ids=PRIVATE_IDS,
    )


BEHIND_ALB = {"public": False, "load_balancer": True}

BAD = [
    ({"count": 0}, r"count is 0; allowed: 1 to 20"),
    ({"count": 21}, r"count is 21; allowed: 1 to 20"),
    ({"count": 2.0}, r"count is 2.0; allowed: a whole number, 1 to 20"),
    ({"count": True}, r"count is True; allowed: a whole number"),
    (
        {"count": 6, "elastic_ips": True},
        r"count is 6 with elastic_ips=True; allowed: at most 5 \(a region's default Elastic IP",
    ),
    ({"public": "yes"}, r"public is 'yes'; allowed: True or False"),
    ({"elastic_ips": 1}, r"elastic_ips is 1; allowed: True or False"),
    ({"load_balancer": None}, r"load_balancer is None; allowed: True or False"),
    (
        {"elastic_ips": True, "public": False},
        r"elastic_ips is True; allowed only with public=True",
    ),
    (
        {"load_balancer": True},
        r"load_balancer is True with public=True; allowed only with public=False",
    ),
    (
        {"alb_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)},
        r"alb_subnets is .*; allowed only with load_balancer=True",
    ),
    ({"instance_type": "large"}, r"instance_type is 'large'; allowed: an EC2 instance type"),
    ({"instance_type": "t4g"}, r"instance_type is 't4g'; allowed: an EC2 instance type"),
    ({"app_port": 0}, r"app_port is 0; allowed: 1 to 65535"),
    ({"app_port": 65536}, r"app_port is 65536; allowed: 1 to 65535"),
    ({"app_port": "80"}, r"app_port is '80'; allowed: a whole number, 1 to 65535"),
    ({"health_check_path": "health"}, r"health_check_path is 'health'; allowed: a URL path"),
    ({"health_check_path": "/a b"}, r"health_check_path is '/a b'; allowed: a URL path"),
    ({"health_check_path": "/" + "a" * 1024}, r"health_check_path is .* at most 1024"),
    ({"ingress_cidr": "0.0.0.0"}, r"ingress_cidr is '0.0.0.0'; allowed: one CIDR block"),
    (
        {"ingress_cidr": "10.0.0.1/8"},
        r"ingress_cidr is '10.0.0.1/8' \(.*\); allowed: one CIDR block at a network address",
    ),
    ({"ingress_cidr": "::/0"}, r"ingress_cidr is '::/0', an IPv6 range; allowed: an IPv4 block"),
    ({"ingress_cidr": None}, r"ingress_cidr is None; allowed: one CIDR block"),
    (
        {"deregistration_delay_seconds": -1},
        r"deregistration_delay_seconds is -1; allowed: 0 to 3600",
    ),
    (
        {"deregistration_delay_seconds": 3601},
        r"deregistration_delay_seconds is 3601; allowed: 0 to 3600 \(0 turns draining off\)",
    ),
    ({"detailed_monitoring": "no"}, r"detailed_monitoring is 'no'; allowed: True or False"),
    ({"termination_protection": 1}, r"termination_protection is 1; allowed: True or False"),
    ({"access_logs": None}, r"access_logs is None; allowed: True or False"),
    ({"deletion_protection": "true"}, r"deletion_protection is 'true'; allowed: True or False"),
    ({"removal_policy": "destroy"}, r"removal_policy is 'destroy'; allowed: a RemovalPolicy"),
    (
        {"auto_delete_objects": True},
        r"auto_delete_objects is True but removal_policy is not DESTROY",
    ),
    ({"auto_delete_objects": "yes"}, r"auto_delete_objects is 'yes'; allowed: True or False"),
    (
        {"access_log_expiration": 365},
        r"access_log_expiration is 365; allowed: a Duration of whole days",
    ),
    (
        {"access_log_expiration": Duration.hours(36)},
        r"access_log_expiration is 1.5 days \(1 day 12 hours\); allowed: whole days",
    ),
    (
        {"access_log_expiration": Duration.days(0)},
        r"access_log_expiration is 0 days; allowed: whole days, at least 1 day",
    ),
    ({"user_data": "#!/bin/bash"}, r"user_data is '#!/bin/bash'; allowed: an ec2.UserData"),
    ({"subnets": ["subnet-1"]}, r"subnets is \['subnet-1'\]; allowed: an ec2.SubnetSelection"),
    (
        {"subnets": ec2.SubnetSelection(subnet_type=PRIVATE)},
        r"subnets selects BadInput/Vpc/PrivateSubnet1, not a public subnet of the VPC; allowed "
        r"with public=True: the VPC's public subnets",
    ),
    (
        {"subnets": ec2.SubnetSelection(subnet_group_name="Nope")},
        r"subnets selects no subnet of the VPC \(.*Nope.*\); allowed: a selection",
    ),
    (
        {"subnets": ec2.SubnetSelection(subnets=[])},
        r"subnets selects no subnet of the VPC; allowed: at least one subnet",
    ),
    (
        {**BEHIND_ALB, "alb_subnets": ["subnet-1"]},
        r"alb_subnets is \['subnet-1'\]; allowed: an ec2.SubnetSelection",
    ),
    (
        {
            **BEHIND_ALB,
            "alb_subnets": ec2.SubnetSelection(
                subnet_type=ec2.SubnetType.PUBLIC, availability_zones=ZONES[:1]
            ),
        },
        r"alb_subnets spans 1 Availability Zone \(us-east-1a\); allowed: subnets in at least 2",
    ),
    (
        {
            **BEHIND_ALB,
            "alb_subnets": ec2.SubnetSelection(
                subnet_type=ec2.SubnetType.PUBLIC, availability_zones=ZONES[:2]
            ),
        },
        r"subnets puts instances in us-east-1c, where alb_subnets has no subnet; allowed: "
        r"instance subnets in the ALB's Availability Zones",
    ),
    (
        {"certificate_arn": CERTIFICATE},
        r"certificate_arn is 'arn:aws:acm:.*'; allowed only with load_balancer=True",
    ),
    (
        {**BEHIND_ALB, "certificate_arn": "not-an-arn"},
        r"certificate_arn is 'not-an-arn'; allowed: an ACM certificate ARN",
    ),
    (
        {**BEHIND_ALB, "certificate_arn": ""},
        r"certificate_arn is ''; allowed: an ACM certificate ARN",
    ),
    (
        {**BEHIND_ALB, "certificate_arn": "arn:aws:iam::123456789012:server-certificate/www"},
        r"certificate_arn is 'arn:aws:iam::.*'; allowed: an ACM certificate ARN",
    ),
    (
        {**BEHIND_ALB, "certificate_arn": CERTIFICATE.replace("us-east-1", "eu-west-1")},
        r"certificate_arn is in eu-west-1; allowed: a certificate in us-east-1",
    ),
    (
        {**BEHIND_ALB, "certificate_arn": CERTIFICATE, "ssl_policy": "RECOMMENDED_TLS"},
        r"ssl_policy is 'RECOMMENDED_TLS'; allowed: an elbv2.SslPolicy",
    ),
    (
        {**BEHIND_ALB, "ssl_policy": elbv2.SslPolicy.TLS13_RES},
        r"ssl_policy is SslPolicy.TLS13_RES; allowed only with certificate_arn",
    ),
]


@pytest.mark.fact("WIT-04")
@pytest.mark.parametrize(("props", "message"), BAD)
def test_a_bad_prop_is_refused_with_its_name_before_any_resource(stack, vpc, props, message):
    with pytest.raises(ValueError, match=message):
        FixedFleet(stack, "Fleet", vpc=vpc, **props)
    assert stack.node.try_find_child("Fleet").node.children == []


@pytest.mark.parametrize("bad", [None, "vpc-0a1b2c3d4e5f60718"])
def test_a_vpc_that_is_not_an_ivpc_is_refused(stack, bad):
    with pytest.raises(ValueError, match=rf"vpc is {bad!r}; allowed: an ec2.IVpc"):
        FixedFleet(stack, "Fleet", vpc=bad)


def test_what_decides_the_resources_cannot_be_a_token(stack, vpc):
    number = CfnParameter(stack, "Count", type="Number").value_as_number
    text = CfnParameter(stack, "Type").value_as_string
    with pytest.raises(ValueError, match=r"count is a deploy-time token; allowed: a literal"):
        FixedFleet(stack, "A", vpc=vpc, count=number)
    with pytest.raises(ValueError, match=r"instance_type is a deploy-time token; allowed: a lit"):
        FixedFleet(stack, "B", vpc=vpc, instance_type=text)


def test_tokens_pass_unchecked(stack, vpc):
    number = CfnParameter(stack, "Number", type="Number").value_as_number
    cidr = CfnParameter(stack, "Cidr").value_as_string
    path = CfnParameter(stack, "Path").value_as_string
    fleet = FixedFleet(
        stack,
        "Fleet",
        vpc=vpc,
        count=2,
        **BEHIND_ALB,
        app_port=number,
        health_check_path=path,
        ingress_cidr=cidr,
        deregistration_delay_seconds=number,
        access_log_expiration=Duration.days(number),
        removal_policy=RemovalPolicy.DESTROY,
    )
    group = fleet.target_group.node.default_child
    assert stack.resolve(group.port) == {"Ref": "Number"}
    assert stack.resolve(group.health_check_path) == {"Ref": "Path"}
    public = FixedFleet(stack, "Public", vpc=vpc, app_port=number, ingress_cidr=cidr)
    assert Token.is_unresolved(public.url)


def test_a_certificate_token_passes_unchecked(stack, vpc):
    arn = CfnParameter(stack, "CertificateArn").value_as_string
    fleet = FixedFleet(stack, "Fleet", vpc=vpc, **BEHIND_ALB, certificate_arn=arn)
    certificates = stack.resolve(fleet.listener.node.default_child.certificates)
    assert certificates == [{"certificateArn": {"Ref": "CertificateArn"}}]
