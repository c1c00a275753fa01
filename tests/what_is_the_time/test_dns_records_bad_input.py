"""DnsRecords refuses a bad prop with a ValueError naming it, before any construct exists; a
deploy-time token passes unchecked (CloudFormation and Route 53 check it)."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53

from constructs_lib.dns_records import DnsRecords
from tests.conftest import PINNED_ENV

SECONDS = Duration.seconds
ALB_ARN = (
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/time/0a1b2c3d4e5f6071"
)
PRIVATE = {"zone_name": "whatisthetime.internal"}  # with a vpc, added by the tests
PUBLIC = {"zone_name": "whatisthetime.example.com", "public": True}
LONG_LABEL = "a" * 63


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput", env=PINNED_ENV)


def _vpc(stack: Stack) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack, "Vpc", vpc_id="vpc-0a1b2c3d4e5f60718", availability_zones=["us-east-1a"]
    )


def _alb(stack: Stack, **known) -> elbv2.IApplicationLoadBalancer:
    return elbv2.ApplicationLoadBalancer.from_application_load_balancer_attributes(
        stack, "Alb", load_balancer_arn=ALB_ARN, security_group_id="sg-0a1b2c3d4e5f60733", **known
    )


def _known_alb(stack: Stack) -> elbv2.IApplicationLoadBalancer:
    return _alb(
        stack,
        load_balancer_dns_name="time-1234567890.us-east-1.elb.amazonaws.com",
        load_balancer_canonical_hosted_zone_id="Z35SXDOTRQ7X7K",
    )


def _refused(stack: Stack, message: str, **props) -> None:
    with pytest.raises(ValueError, match=message):
        DnsRecords(stack, "Dns", **props)
    assert stack.node.try_find_child("Dns") is None


ZONE_BAD = [
    ({"addresses": ["10.0.1.10"]}, r"zone_name is None; allowed: a new zone's name"),
    (
        {"zone_name": "whatisthetime.internal", "addresses": ["10.0.1.10"]},
        r"zone_name is 'whatisthetime.internal' with neither vpc nor public; allowed: vpc",
    ),
    ({**PUBLIC, "public": "yes"}, r"public is 'yes'; allowed: True or False"),
    ({**PUBLIC, "zone_name": "WhatIsTheTime.com"}, r"zone_name is 'WhatIsTheTime.com'; allowed: a"),
    ({**PUBLIC, "zone_name": "com"}, r"zone_name is 'com'; allowed: a lowercase DNS name"),
    ({**PUBLIC, "zone_name": "time.example.com."}, r"zone_name is 'time.example.com.'; allowed"),
    ({**PUBLIC, "zone_name": "-time.example.com"}, r"zone_name is '-time.example.com'; allowed"),
    ({**PUBLIC, "zone_name": "time-.example.com"}, r"zone_name is 'time-.example.com'; allowed"),
    ({**PUBLIC, "zone_name": "my_time.example.com"}, r"zone_name is 'my_time.example.com'"),
    ({**PUBLIC, "zone_name": "a" * 64 + ".com"}, r"zone_name is 'a{64}.com'; allowed: a lowercase"),
    (
        {**PUBLIC, "zone_name": ".".join([LONG_LABEL] * 4)},
        r"zone_name is 255 characters; allowed: at most 253",
    ),
    ({**PUBLIC, "zone_name": 5}, r"zone_name is 5; allowed: a lowercase DNS name"),
    (
        {**PUBLIC, "zone_name": "whatisthetime.internal"},
        r"zone_name is 'whatisthetime.internal' with public=True; allowed: a domain you can "
        r"delegate",
    ),
    ({**PUBLIC, "zone_name": "shop.test"}, r"zone_name is 'shop.test' with public=True"),
    ({**PUBLIC, "removal_policy": "destroy"}, r"removal_policy is 'destroy'; allowed: a Removal"),
    ({**PRIVATE, "vpc": "vpc-0a1b2c3d4e5f60718"}, r"vpc is 'vpc-0a1b2c3d4e5f60718'; allowed: an"),
    ({"hosted_zone": "Z0123456789ABCDEFGHIJ"}, r"hosted_zone is 'Z0123.*; allowed: a route53.IH"),
]


@pytest.mark.parametrize(("props", "message"), ZONE_BAD)
def test_a_bad_zone_prop_is_refused_with_its_name(stack, props, message):
    _refused(stack, message, **{"addresses": ["10.0.1.10"], **props})


def test_a_private_zone_is_not_also_public(stack):
    _refused(
        stack,
        r"public is True; allowed only with vpc=None",
        **PUBLIC,
        vpc=_vpc(stack),
        addresses=["10.0.1.10"],
    )


def _existing(stack: Stack) -> route53.IHostedZone:
    return route53.HostedZone.from_hosted_zone_attributes(
        stack, "Zone", hosted_zone_id="Z0123456789ABCDEFGHIJ", zone_name="corp.example.org"
    )


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"zone_name": "corp.example.org"}, r"zone_name is 'corp.example.org'; allowed only with"),
        ({"public": True}, r"public is True; allowed only with a new zone \(hosted_zone=None\)"),
        ({"removal_policy": RemovalPolicy.RETAIN}, r"removal_policy is .* only with a new zone"),
    ],
)
def test_an_existing_zone_refuses_the_new_zones_props(stack, props, message):
    _refused(stack, message, hosted_zone=_existing(stack), addresses=["10.0.1.10"], **props)


def test_an_existing_zone_refuses_a_vpc(stack):
    _refused(
        stack,
        r"vpc is .*; allowed only with a new zone",
        hosted_zone=_existing(stack),
        vpc=_vpc(stack),
        addresses=["10.0.1.10"],
    )


def test_an_existing_zone_must_know_its_name(stack):
    zone = route53.HostedZone.from_hosted_zone_id(stack, "Zone", "Z0123456789ABCDEFGHIJ")
    _refused(
        stack,
        r"hosted_zone is 'BadInput/Zone', a zone without its name; allowed: HostedZone"
        r".from_hosted_zone_attributes or from_lookup",
        hosted_zone=zone,
        addresses=["10.0.1.10"],
    )


RECORD_NAME_BAD = [
    ("WWW", r"record_name is 'WWW'; allowed: a lowercase DNS name such as 'www', relative"),
    ("www.", r"record_name is 'www.'; allowed: a lowercase DNS name"),
    ("", r"record_name is ''; allowed: a lowercase DNS name"),
    ("*", r"record_name is '\*'; allowed: a lowercase DNS name"),
    ("-www", r"record_name is '-www'; allowed"),
    (
        "www.whatisthetime.example.com",
        r"record_name is 'www.whatisthetime.example.com'; allowed: a name relative to the zone "
        r"'whatisthetime.example.com' \(such as 'www'; None for the apex\), not the full name",
    ),
    ("whatisthetime.example.com", r"record_name is 'whatisthetime.example.com'; allowed: a name"),
    (
        ".".join([LONG_LABEL] * 3 + ["b" * 40]),
        r"record_name is 'a{63}\..*b{40}', making 'a{63}.*\.whatisthetime\.example\.com' 258 "
        r"characters; allowed: at most 253 with the zone's name",
    ),
]


@pytest.mark.parametrize(("record_name", "message"), RECORD_NAME_BAD)
def test_a_bad_record_name_is_refused_with_its_name(stack, record_name, message):
    _refused(stack, message, **PUBLIC, record_name=record_name, addresses=["10.0.1.10"])


ADDRESSES_BAD = [
    ({"addresses": ()}, r"addresses is \(\) and load_balancer is None; allowed: one of them"),
    ({"addresses": []}, r"addresses is \[\] and load_balancer is None; allowed: one of them"),
    ({"addresses": "10.0.1.10"}, r"addresses is '10.0.1.10'; allowed: a list of IPv4 addresses"),
    ({"addresses": [10]}, r"addresses contains 10; allowed: a list of IPv4 addresses"),
    ({"addresses": ["10.0.1.256"]}, r"addresses contains '10.0.1.256'; allowed: IPv4 addresses"),
    ({"addresses": ["2001:db8::1"]}, r"addresses contains '2001:db8::1'; allowed: IPv4"),
    ({"addresses": ["010.0.1.10"]}, r"addresses contains '010.0.1.10'; allowed: IPv4"),
    ({"addresses": ["10.0.1.0/24"]}, r"addresses contains '10.0.1.0/24'; allowed: IPv4"),
    (
        {"addresses": ["10.0.1.10", "10.0.1.10"]},
        r"addresses contains '10.0.1.10' twice; allowed: each address once",
    ),
    ({"ttl": SECONDS(172_801)}, r"ttl is 172801 seconds \(2 days 1 second\); allowed: whole "),
    ({"ttl": Duration.millis(1500)}, r"ttl is 1.5 seconds .*; allowed: whole seconds, 0 to 172800"),
    ({"ttl": 300}, r"ttl is 300; allowed: a Duration of whole seconds"),
    ({"health_checks": "yes"}, r"health_checks is 'yes'; allowed: True or False"),
    ({"health_check_port": 8080}, r"health_check_port is 8080; allowed only with health_checks"),
    ({"health_check_path": "/ping"}, r"health_check_path is '/ping'; allowed only with health_"),
    (
        {"evaluate_target_health": False},
        r"evaluate_target_health is False; allowed only with load_balancer",
    ),
    ({"evaluate_target_health": True}, r"evaluate_target_health is True; allowed only with load"),
]


@pytest.mark.parametrize(("props", "message"), ADDRESSES_BAD)
def test_a_bad_addresses_prop_is_refused_with_its_name(stack, props, message):
    _refused(stack, message, **PUBLIC, **{"addresses": ["10.0.1.10"], **props})


HEALTH_CHECKED = {"health_checks": True, "addresses": ["52.87.202.214"]}
HEALTH_CHECKS_BAD = [
    ({"addresses": ["10.0.1.5"]}, r"addresses contains '10.0.1.5', not a public address; "),
    ({"addresses": ["192.168.0.7"]}, r"addresses contains '192.168.0.7', not a public address"),
    ({"addresses": ["203.0.113.10"]}, r"addresses contains '203.0.113.10', not a public"),
    ({"addresses": ["100.64.0.1"]}, r"addresses contains '100.64.0.1', not a public address"),
    ({"addresses": ["127.0.0.1"]}, r"addresses contains '127.0.0.1', not a public address"),
    (
        {"addresses": [f"52.87.202.{n}" for n in range(1, 10)]},
        r"addresses has 9 addresses; allowed with health_checks=True: 1 to 8",
    ),
    ({"health_check_port": 0}, r"health_check_port is 0; allowed: 1 to 65535"),
    ({"health_check_port": 65536}, r"health_check_port is 65536; allowed: 1 to 65535"),
    ({"health_check_port": "80"}, r"health_check_port is '80'; allowed: a whole number"),
    ({"health_check_path": "health"}, r"health_check_path is 'health'; allowed: a path starting"),
    ({"health_check_path": "/a b"}, r"health_check_path is '/a b'; allowed: a path starting"),
    ({"health_check_path": "/" + "a" * 255}, r"health_check_path is '/a{255}'; allowed: a path"),
]


@pytest.mark.parametrize(("props", "message"), HEALTH_CHECKS_BAD)
def test_a_bad_health_check_prop_is_refused_with_its_name(stack, props, message):
    _refused(stack, message, **PUBLIC, **{**HEALTH_CHECKED, **props})


@pytest.mark.fact("WIT-07")
def test_a_private_zone_cannot_health_check_its_private_addresses(stack):
    _refused(
        stack,
        r"addresses contains '10.0.1.10', not a public address; allowed with "
        r"health_checks=True: public IPv4 addresses \(Route 53's health checkers are on the "
        r"internet",
        **PRIVATE,
        vpc=_vpc(stack),
        addresses=["10.0.1.10"],
        health_checks=True,
    )


ALIAS_BAD = [
    ({"addresses": ["10.0.1.10"]}, r"addresses is \['10.0.1.10'\]; allowed only with load_bal"),
    ({"ttl": SECONDS(60)}, r"ttl is .*; allowed only with addresses \(an alias has no TTL"),
    ({"health_checks": True}, r"health_checks is True; allowed only with addresses"),
    ({"health_check_port": 80}, r"health_check_port is 80; allowed only with addresses"),
    ({"health_check_path": "/"}, r"health_check_path is '/'; allowed only with addresses"),
    ({"evaluate_target_health": 1}, r"evaluate_target_health is 1; allowed: True or False"),
]


@pytest.mark.parametrize(("props", "message"), ALIAS_BAD)
def test_a_bad_alias_prop_is_refused_with_its_name(stack, props, message):
    _refused(stack, message, **PUBLIC, load_balancer=_known_alb(stack), **props)


def test_the_load_balancer_must_be_one(stack):
    _refused(
        stack,
        r"load_balancer is 'arn:aws:elasticloadbalancing.*'; allowed: an elbv2.ILoadBalancerV2",
        **PUBLIC,
        load_balancer=ALB_ARN,
    )


def test_the_load_balancer_must_know_its_hosted_zone(stack):
    _refused(
        stack,
        r"load_balancer is 'BadInput/Alb' without its canonical hosted zone id; allowed",
        **PUBLIC,
        load_balancer=_alb(stack, load_balancer_dns_name="time.us-east-1.elb.amazonaws.com"),
    )


def test_nine_addresses_without_health_checks_are_one_simple_record(stack):
    dns = DnsRecords(stack, "Dns", **PUBLIC, addresses=[f"10.0.1.{n}" for n in range(1, 10)])
    (record,) = dns.records
    assert len(stack.resolve(record.node.default_child.resource_records)) == 9


def test_eight_health_checked_addresses_are_accepted(stack):
    addresses = [f"52.87.202.{n}" for n in range(1, 9)]
    dns = DnsRecords(stack, "Dns", **PUBLIC, addresses=addresses, health_checks=True)
    assert len(dns.records) == len(dns.health_checks) == 8


def test_tokens_pass_unchecked(stack):
    text = CfnParameter(stack, "Text").value_as_string
    number = CfnParameter(stack, "Number", type="Number").value_as_number
    dns = DnsRecords(
        stack,
        "Dns",
        zone_name=text,
        public=True,
        record_name=text,
        addresses=[text, Fn.import_value("FleetAddress")],
        ttl=Duration.seconds(number),
        health_checks=True,
        health_check_port=number,
        health_check_path=text,
    )
    record = dns.records[0].node.default_child
    check = dns.health_checks[0].node.default_child
    assert stack.resolve(record.ttl) == {"Ref": "Number"}
    assert stack.resolve(record.resource_records) == [{"Ref": "Text"}]
    assert stack.resolve(check.health_check_config.port) == {"Ref": "Number"}
    assert stack.resolve(check.health_check_config.resource_path) == {"Ref": "Text"}
    assert stack.resolve(dns.fqdn) == {"Fn::Join": ["", [{"Ref": "Text"}, ".", {"Ref": "Text"}]]}


def test_an_existing_zone_with_a_token_name_passes(stack):
    zone = route53.HostedZone.from_hosted_zone_attributes(
        stack, "Zone", hosted_zone_id="Z0123456789ABCDEFGHIJ", zone_name=Fn.import_value("Zone")
    )
    dns = DnsRecords(stack, "Dns", hosted_zone=zone, record_name="time", addresses=["10.0.1.10"])
    assert stack.resolve(dns.fqdn) == {"Fn::Join": ["", ["time.", {"Fn::ImportValue": "Zone"}]]}
