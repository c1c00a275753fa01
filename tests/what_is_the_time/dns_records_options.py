"""Templates of DnsRecords options that no profile uses, for ``options:<name>`` template paths
and the facts tests. Their names start with ``dns_``: options names are looked up across every
architecture's options.

``STACKS[name](app)`` adds one small stack holding the construct (the contract:
tests/option_templates.py); ``TEMPLATES[name]()`` returns its template, from one synthesis of
every stack here.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53

from constructs_lib.dns_records import DnsRecords
from tests.conftest import PINNED_ENV
from tests.option_templates import option_stack, templates_of

ACCOUNT = PINNED_ENV.account
PUBLIC_ZONE = "whatisthetime.example.com"
# An existing internet-facing ALB, imported: its DNS name and us-east-1's ALB hosted zone id.
LOAD_BALANCER_ARN = (
    f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/whatisthetime/"
    "0a1b2c3d4e5f6071"
)
LOAD_BALANCER_DNS = "whatisthetime-1234567890.us-east-1.elb.amazonaws.com"
LOAD_BALANCER_ZONE_ID = "Z35SXDOTRQ7X7K"
# Health-checked multivalue: two Elastic IPs of the fleet and one public address outside it.
CHECKED_RECORD = "www"
CHECKED_ELASTIC_IPS = 2
CHECKED_LITERAL = "52.87.202.214"
CHECKED_TTL_SECONDS = 60
CHECKED_PORT = 8080
CHECKED_PATH = "/ping"
# An existing zone, imported by id and name: a simple record of two private addresses.
EXISTING_ZONE_ID = "Z0123456789ABCDEFGHIJ"
EXISTING_ZONE_NAME = "corp.example.org"
EXISTING_RECORD = "time"
EXISTING_ADDRESSES = ("10.0.1.10", "10.0.2.10")
EXISTING_TTL_SECONDS = 30


def _public_zone(stack: Stack) -> None:
    """A public zone (the user delegates the domain to it) whose apex aliases an existing ALB."""
    load_balancer = elbv2.ApplicationLoadBalancer.from_application_load_balancer_attributes(
        stack,
        "LoadBalancer",
        load_balancer_arn=LOAD_BALANCER_ARN,
        security_group_id="sg-0a1b2c3d4e5f60733",
        load_balancer_dns_name=LOAD_BALANCER_DNS,
        load_balancer_canonical_hosted_zone_id=LOAD_BALANCER_ZONE_ID,
    )
    DnsRecords(stack, "Dns", zone_name=PUBLIC_ZONE, public=True, load_balancer=load_balancer)


def _health_checked(stack: Stack) -> None:
    """v4 fixed: a multivalue record per public address, each with its own HTTP health check."""
    elastic_ips = [ec2.CfnEIP(stack, f"Ip{n}").ref for n in range(1, CHECKED_ELASTIC_IPS + 1)]
    DnsRecords(
        stack,
        "Dns",
        zone_name=PUBLIC_ZONE,
        public=True,
        record_name=CHECKED_RECORD,
        addresses=[*elastic_ips, CHECKED_LITERAL],
        ttl=Duration.seconds(CHECKED_TTL_SECONDS),
        health_checks=True,
        health_check_port=CHECKED_PORT,
        health_check_path=CHECKED_PATH,
    )


def _existing_zone(stack: Stack) -> None:
    """A record in a zone the user already has (imported with its name): no zone created."""
    zone = route53.HostedZone.from_hosted_zone_attributes(
        stack, "Zone", hosted_zone_id=EXISTING_ZONE_ID, zone_name=EXISTING_ZONE_NAME
    )
    DnsRecords(
        stack,
        "Dns",
        hosted_zone=zone,
        record_name=EXISTING_RECORD,
        addresses=list(EXISTING_ADDRESSES),
        ttl=Duration.seconds(EXISTING_TTL_SECONDS),
    )


STACKS = {
    "dns_public_zone": option_stack("DnsPublicZoneOption", _public_zone),
    "dns_health_checked": option_stack("DnsHealthCheckedOption", _health_checked),
    "dns_existing_zone": option_stack("DnsExistingZoneOption", _existing_zone),
}
TEMPLATES = templates_of(STACKS)
