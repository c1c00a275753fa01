"""Bad props are refused with a ValueError naming the prop and what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, Duration, Stack
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
