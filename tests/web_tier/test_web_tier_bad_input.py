"""Bad props are refused with a ValueError naming the prop and what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, Duration, Environment, Stack
from aws_cdk import aws_ec2 as ec2

from constructs_lib.web_tier import WebTier

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput")


@pytest.fixture()
def vpc(stack) -> ec2.IVpc:
    return ec2.Vpc(stack, "Vpc")


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"min_capacity": 3, "max_capacity": 2},
            r"min_capacity is 3; allowed: at most max_capacity \(2\)",
        ),
        ({"min_capacity": -1}, r"min_capacity is -1; allowed: 0 or more"),
        ({"max_capacity": 0, "min_capacity": 0}, r"max_capacity is 0; allowed: 1 or more"),
        (
            {"desired_capacity": 3},
            r"desired_capacity is 3; allowed: min_capacity to max_capacity \(1 to 2\)",
        ),
        (
            {"min_capacity": 2, "max_capacity": 4, "desired_capacity": 1},
            r"desired_capacity is 1; .*\(2 to 4\)",
        ),
        ({"cpu_target_percent": 0}, r"cpu_target_percent is 0; allowed: above 0 up to 100"),
        (
            {"cpu_target_percent": 100.5},
            r"cpu_target_percent is 100\.5; allowed: 0 to 100",
        ),
        ({"requests_per_target": 0}, r"requests_per_target is 0; allowed: 1 or more"),
        ({"peak_min_capacity": 3}, r"peak_min_capacity is 3; allowed: 1 to max_capacity \(2\)"),
        (
            {"deregistration_delay_seconds": -1},
            r"deregistration_delay_seconds is -1; allowed: 0 to 3600 \(0 turns draining off\)",
        ),
        (
            {"deregistration_delay_seconds": 3601},
            r"deregistration_delay_seconds is 3601; allowed: 0 to 3600",
        ),
        (
            {"health_check_path": "health"},
            r"health_check_path is 'health'; allowed: a URL path starting with '/'",
        ),
        ({"health_check_path": "/he alth"}, r"health_check_path is '/he alth'"),
        (
            {"stickiness_duration": Duration.days(8)},
            r"stickiness_duration is 691200 s; allowed: whole seconds, 1 s to 7 days",
        ),
        (
            {"stickiness_duration": Duration.millis(500)},
            r"stickiness_duration is 0\.5 s; allowed: whole seconds",
        ),
        ({"certificate_arn": CERT, "https_port": 80}, r"https_port is 80, the same as http_port"),
        ({"certificate_arn": CERT, "http_port": 443}, r"https_port is 443, the same as http_port"),
        ({"http_port": 0}, r"http_port is 0; allowed: 1 to 65535"),
        ({"app_port": 70000}, r"app_port is 70000; allowed: 1 to 65535"),
        (
            {"certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"},
            r"certificate_arn is 'arn:aws:iam::.*/x'; allowed: an ACM certificate ARN",
        ),
        (
            {"certificate_arn": CERT + "x"},
            r"certificate_arn is .*; allowed: an ACM certificate ARN",
        ),
        (
            {"certificate_arn": "my-cert"},
            r"certificate_arn is 'my-cert'; allowed: an ACM certificate ARN",
        ),
        (
            {"ingress_cidr": "10.0.0.1/8"},
            r"ingress_cidr is '10\.0\.0\.1/8' .*; allowed: one CIDR block",
        ),
        (
            {"fixed_responses": {"ping": "pong"}},
            r"fixed_responses path is 'ping'; allowed: a path pattern starting with '/'",
        ),
        (
            {"fixed_responses": {f"/p{i}": "x" for i in range(11)}},
            r"fixed_responses has 11 paths; allowed: at most 10",
        ),
        (
            {"fixed_responses": {"/big": "x" * 1025}},
            r"fixed_responses\['/big'\] is 1025 bytes; allowed: a text of at most 1024 bytes",
        ),
        ({"fixed_responses": {"/n": 42}}, r"fixed_responses\['/n'\] is 42; allowed: a text"),
        ({"fixed_responses": "/ping"}, r"fixed_responses is '/ping'; allowed: a mapping"),
        ({"peak_min_capacity": 2, "peak_start": "every friday"}, r"peak_start is 'every friday'"),
        ({"peak_start": "0 17 * *"}, r"peak_start is '0 17 \* \*'; allowed: five-field Unix cron"),
        ({"peak_start": "0 25 * * FRI"}, r"peak_start is '0 25 \* \* FRI': its hour field '25'"),
        ({"peak_end": "61 23 * * FRI"}, r"peak_end is .*: its minute field '61' is not 0-59"),
        ({"peak_end": "0 23 * * FUNDAY"}, r"its day of week field 'FUNDAY'"),
        ({"peak_end": "0 23 * 13 *"}, r"its month field '13' is not 1-12"),
        ({"peak_start": "0 17 * * FRI *"}, r"peak_start is .*; allowed: five-field"),
        ({"peak_time_zone": "Mars/Olympus"}, r"peak_time_zone is 'Mars/Olympus'; allowed: an IANA"),
        ({"peak_time_zone": "UTC+2"}, r"peak_time_zone is 'UTC\+2'; allowed"),
        ({"peak_time_zone": ""}, r"peak_time_zone is ''; allowed"),
        ({"instance_type": "t4g.micro2"}, r"instance_type is 't4g\.micro2'; allowed: an EC2"),
        ({"instance_type": "micro"}, r"instance_type is 'micro'; allowed: an EC2 instance type"),
        ({"ingress_cidr": "::/0"}, r"ingress_cidr is '::/0', an IPv6 range; .*IPv4-only"),
        ({"ingress_cidr": "2001:db8::/32"}, r"ingress_cidr is '2001:db8::/32', an IPv6 range"),
        ({"ingress_cidr": "::ffff:0.0.0.0/96"}, r"ingress_cidr is .*an IPv4-mapped IPv6 range"),
        ({"ingress_cidr": "203.0.113.7"}, r"ingress_cidr is '203\.0\.113\.7'; allowed: one CIDR"),
        ({"instance_security_groups": "sg-123"}, r"instance_security_groups is 'sg-123'"),
    ],
)
def test_bad_props_raise_a_clear_value_error(stack, vpc, props, message):
    with pytest.raises(ValueError, match=message):
        WebTier(stack, "Web", vpc=vpc, **props)


def test_bad_props_are_refused_before_any_resource_is_created(stack, vpc):
    with pytest.raises(ValueError):
        WebTier(stack, "Web", vpc=vpc, min_capacity=5)
    assert stack.node.find_child("Web").node.children == []


def test_a_valid_acm_arn_in_another_partition_is_accepted(stack, vpc):
    arn = CERT.replace("arn:aws:", "arn:aws-us-gov:").replace("us-east-1", "us-gov-west-1")
    web = WebTier(stack, "Web", vpc=vpc, certificate_arn=arn, access_logs=False)
    assert web.redirect_listener is not None


def test_a_certificate_from_another_region_is_refused():
    stack = Stack(App(), "Pinned", env=Environment(account="123456789012", region="eu-west-1"))
    with pytest.raises(ValueError, match=r"certificate_arn is in us-east-1; allowed: .*eu-west-1"):
        WebTier(stack, "Web", vpc=ec2.Vpc(stack, "Vpc"), certificate_arn=CERT)


@pytest.mark.parametrize(
    ("start", "end", "zone"),
    [
        ("0 17 * * 5", "0 23 * * 5", "Europe/Berlin"),
        ("*/15 8-18 * JAN-MAR MON-FRI", "0 0 1 * *", "UTC"),
    ],
)
def test_valid_schedules_and_time_zones_are_accepted(stack, vpc, start, end, zone):
    WebTier(
        stack,
        "Web",
        vpc=vpc,
        peak_min_capacity=2,
        peak_start=start,
        peak_end=end,
        peak_time_zone=zone,
        access_logs=False,
    )


def test_deploy_time_values_pass_through_unchecked(stack, vpc):
    from aws_cdk import CfnParameter

    cert = CfnParameter(stack, "Cert").value_as_string
    zone = CfnParameter(stack, "Zone").value_as_string
    WebTier(
        stack,
        "Web",
        vpc=vpc,
        certificate_arn=cert,
        peak_min_capacity=2,
        peak_time_zone=zone,
        access_logs=False,
    )
