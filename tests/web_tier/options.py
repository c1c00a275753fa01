"""Templates of WebTier options no profile uses (facts rows name them as ``options:<name>``).

``STACKS[name](app)`` adds one small stack (the contract: tests/option_templates.py);
``TEMPLATES[name]()`` returns its template, from one synthesis of every stack here.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import App, Duration, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_

from constructs_lib.web_tier import FixedResponse, Redirect, RoutingRule, WebTier
from tests.option_templates import option_stack, templates_of

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
SNI_CERTS = (
    "arn:aws:acm:us-east-1:123456789012:certificate/22222222-2222-2222-2222-222222222222",
    "arn:aws:acm:us-east-1:123456789012:certificate/33333333-3333-3333-3333-333333333333",
)
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:web-api"
VPC_CIDR = "10.0.0.0/16"
IN_VPC_TARGET = "10.0.200.10"  # a server inside the VPC's range
ON_PREMISES_TARGET = "192.168.10.20"  # reached over VPN / Direct Connect
IP_TARGET_PORT = 8080

# One rule per condition type, and each action: forward to the three target groups, a fixed
# response, a redirect. Priorities leave room for the fixed response at 1.
ROUTING_RULES = (
    RoutingRule(priority=10, path_patterns=["/api/*"], forward_to="lambda_target"),
    RoutingRule(priority=20, host_headers=["legacy.example.com"], forward_to="ip_targets"),
    RoutingRule(priority=30, http_header=("X-Canary", ["on", "yes"]), forward_to="instances"),
    RoutingRule(
        priority=40,
        query_strings={"version": "v1"},
        fixed_response=FixedResponse(
            status_code=410, message_body="v1 is gone", content_type="text/plain"
        ),
    ),
    RoutingRule(
        priority=50,
        source_ips=["198.51.100.0/24"],
        path_patterns=["/admin/*"],
        fixed_response=FixedResponse(status_code=403, message_body="forbidden"),
    ),
    RoutingRule(
        priority=60,
        host_headers=["example.com"],
        redirect=Redirect(host="www.example.com", permanent=True),
    ),
)


def _vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(
        stack,
        "Vpc",
        ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
        max_azs=2,
        nat_gateways=1,
        # The scaffolding logs its traffic too, so that cdk-nag has nothing but the construct's.
        flow_logs={"All": ec2.FlowLogOptions()},
    )


def _routing(stack: Stack) -> None:
    """HTTPS with SNI certificates, routing rules of every condition, IP and Lambda targets."""
    vpc = _vpc(stack)
    WebTier(
        stack,
        "Web",
        vpc=vpc,
        certificate_arn=CERT,
        additional_certificates=[
            acm.Certificate.from_certificate_arn(stack, f"Sni{index}", arn)
            for index, arn in enumerate(SNI_CERTS)
        ],
        fixed_responses={"/ping": "pong"},
        routing_rules=ROUTING_RULES,
        ip_targets=[IN_VPC_TARGET, ON_PREMISES_TARGET],
        ip_target_port=IP_TARGET_PORT,
        lambda_target=lambda_.Function.from_function_arn(stack, "Api", FUNCTION_ARN),
        access_logs=False,
        deletion_protection=False,
    )


def _http_routing(stack: Stack) -> None:
    """No certificate: the rules go on the HTTP listener; cross-zone turned off."""
    WebTier(
        stack,
        "Web",
        vpc=_vpc(stack),
        routing_rules=[
            RoutingRule(
                priority=5, host_headers=["old.example.com"], redirect=Redirect(path="/new")
            ),
            RoutingRule(priority=6, path_patterns=["/static/*"], forward_to="ip_targets"),
        ],
        ip_targets=[ON_PREMISES_TARGET],
        cross_zone=False,
        access_logs=False,
        deletion_protection=False,
    )


def _scaling(stack: Stack) -> None:
    """The notes' step scaling (CPU < 30 % removes 1, > 70 % adds 2) and predictive scaling."""
    WebTier(
        stack,
        "Web",
        vpc=_vpc(stack),
        cpu_step_scaling=(30, 70),
        predictive_scaling="forecast_and_scale",
        access_logs=False,
        deletion_protection=False,
    )


def _forecast_only(stack: Stack) -> None:
    """Predictive scaling that only forecasts, to be reviewed before it scales."""
    WebTier(
        stack,
        "Web",
        vpc=_vpc(stack),
        cpu_target_percent=50,
        predictive_scaling="forecast_only",
        access_logs=False,
        deletion_protection=False,
    )


def _variants(stack: Stack) -> None:
    """The older options: stickiness, requests per target, a fixed response, an x86 type."""
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, flow_logs={"All": ec2.FlowLogOptions()})
    WebTier(
        stack,
        "Options",
        vpc=vpc,
        instance_type="t3.micro",
        min_capacity=1,
        desired_capacity=2,
        max_capacity=3,
        cpu_target_percent=55,
        requests_per_target=1000,
        stickiness_duration=Duration.hours(1),
        app_port=8080,
        ingress_cidr="203.0.113.0/24",
        fixed_responses={"/ping": "pong"},
        access_logs=False,
        deletion_protection=False,
    )


STACKS: dict[str, Callable[[App], Stack]] = {
    "variants": option_stack("Variants", _variants),
    "routing": option_stack("WebRouting", _routing),
    "http_routing": option_stack("WebHttpRouting", _http_routing),
    "scaling": option_stack("WebScaling", _scaling),
    "forecast_only": option_stack("WebForecastOnly", _forecast_only),
}
TEMPLATES: dict[str, Callable[[], dict]] = templates_of(STACKS)
