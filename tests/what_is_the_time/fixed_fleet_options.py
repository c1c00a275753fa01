"""Templates of FixedFleet options no profile uses, for ``options:<name>`` template paths in the
facts index. Their names start with ``fleet_``: options names are looked up across every
architecture's options.py.

``STACKS[name](app)`` adds one small stack holding the construct (the contract:
tests/option_templates.py).
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2

from constructs_lib.fixed_fleet import FixedFleet
from tests.option_templates import option_stack

VPC_CIDR = "10.0.0.0/16"
PUBLIC_COUNT = 3
PRIVATE_COUNT = 4  # two per AZ: the round robin comes around again
X86_TYPE = "t3.small"
APP_PORT = 8080
HEALTH_PATH = "/healthz"
DRAINING_SECONDS = 30
OFFICE_CIDR = "198.51.100.0/24"
CUSTOM_PAGE = "echo custom page"
# An ACM certificate in the option stacks' region (PINNED_ENV, us-east-1); never looked up.
CERTIFICATE_ARN = (
    "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a1b-8c2d-3e4f5a6b7c8d"
)
SSL_POLICY = elbv2.SslPolicy.TLS13_RES


def _vpc(stack: Stack, *, private: bool) -> ec2.Vpc:
    """Two AZs; the private subnets (and their one NAT gateway) only where the fleet is private.
    The scaffolding logs its traffic too, so that cdk-nag has nothing but the construct's."""
    tiers = [ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)]
    if private:
        tiers.append(
            ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        )
    return ec2.Vpc(
        stack,
        "Vpc",
        ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
        max_azs=2,
        nat_gateways=1 if private else 0,
        subnet_configuration=tiers,
        flow_logs={"All": ec2.FlowLogOptions()},
    )


def _public_elastic_ips(stack: Stack) -> None:
    """The notes' v3: several public instances, an Elastic IP each, gone with the stack."""
    FixedFleet(
        stack,
        "Fleet",
        vpc=_vpc(stack, private=False),
        count=PUBLIC_COUNT,
        elastic_ips=True,
        removal_policy=RemovalPolicy.DESTROY,
    )


def _private_behind_alb_protected(stack: Stack) -> None:
    """The notes' v5 as production would run it: private x86 instances behind the ALB serving
    HTTPS (port 80 redirecting), with detailed monitoring and termination protection, on their
    own port and health path."""
    FixedFleet(
        stack,
        "Fleet",
        vpc=_vpc(stack, private=True),
        count=PRIVATE_COUNT,
        instance_type=X86_TYPE,
        public=False,
        load_balancer=True,
        app_port=APP_PORT,
        health_check_path=HEALTH_PATH,
        deregistration_delay_seconds=DRAINING_SECONDS,
        detailed_monitoring=True,
        termination_protection=True,
        certificate_arn=CERTIFICATE_ARN,
        ssl_policy=SSL_POLICY,
    )


def _public_narrow_custom_page(stack: Stack) -> None:
    """Public instances without Elastic IPs (the notes' v4), reached from one range only, on
    another port, running user data of their own."""
    user_data = ec2.UserData.for_linux()
    user_data.add_commands(CUSTOM_PAGE)
    FixedFleet(
        stack,
        "Fleet",
        vpc=_vpc(stack, private=False),
        count=2,
        ingress_cidr=OFFICE_CIDR,
        app_port=APP_PORT,
        user_data=user_data,
    )


STACKS = {
    "fleet_public_elastic_ips": option_stack("FleetPublicElasticIpsOption", _public_elastic_ips),
    "fleet_private_alb_protected": option_stack(
        "FleetPrivateAlbProtectedOption", _private_behind_alb_protected
    ),
    "fleet_public_narrow_custom_page": option_stack(
        "FleetPublicNarrowCustomPageOption", _public_narrow_custom_page
    ),
}
