"""Bad props are refused with a ValueError naming the prop and what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack

from constructs_lib.network import ThreeTierNetwork


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput")


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"vpc_cidr": "8.8.0.0/16"}, r"vpc_cidr '8\.8\.0\.0/16' is not in a private range"),
        ({"vpc_cidr": "10.0.0.0/8"}, r"prefix /8; a VPC allows /16 to /28"),
        ({"vpc_cidr": "10.0.0.0/29"}, r"prefix /29; a VPC allows /16 to /28"),
        ({"vpc_cidr": "10.0.0.0/33"}, r"vpc_cidr '10\.0\.0\.0/33' is not a valid IPv4 CIDR"),
        ({"vpc_cidr": "not-a-cidr"}, r"vpc_cidr 'not-a-cidr' is not a valid IPv4 CIDR"),
        ({"vpc_cidr": "10.0.0.1/16"}, r"is not a valid IPv4 CIDR block .*host bits"),
        ({"vpc_cidr": "10.0.0.0/20"}, r"has 4096 addresses but 2 AZs .* need"),
        ({"vpc_cidr": "10.0.0.0/24", "app_subnet_mask": 20}, r"app_subnet_mask is /20"),
        ({"max_azs": 0}, r"max_azs is 0; allowed: 1 to 6"),
        ({"max_azs": 7}, r"max_azs is 7; allowed: 1 to 6"),
        ({"nat_gateways": 3}, r"nat_gateways is 3; .* allowed: 1 to max_azs \(2\)"),
        ({"nat_gateways": 0}, r"nat_gateways is 0; .* allowed: 1 to max_azs"),
        ({"nat_type": "none"}, r"nat_gateways is 1 but nat_type is 'none'"),
        ({"nat_type": "carrier"}, r"nat_type is 'carrier'; allowed: gateway, instance, none"),
        ({"ssh_cidr": "0.0.0.0/0"}, r"ssh_cidr is '0\.0\.0\.0/0', 4,294,967,296 addresses"),
        ({"ssh_cidr": "::/0"}, r"ssh_cidr is '::/0', .* addresses; allowed: IPv4 /16"),
        ({"ssh_cidr": "0.0.0.0/1"}, r"ssh_cidr is '0\.0\.0\.0/1', 2,147,483,648 addresses"),
        ({"ssh_cidr": "10.0.0.0/15"}, r"allowed: IPv4 /16 or narrower, IPv6 /48 or narrower"),
        ({"ssh_cidr": "2000::/3"}, r"ssh_cidr is '2000::/3', .*allowed: IPv4 /16 or narrower"),
        ({"ssh_cidr": "2001:db8::/47"}, r"ssh_cidr is '2001:db8::/47'"),
        ({"ssh_cidr": "::ffff:203.0.113.0/120"}, r"an IPv4-mapped IPv6 range; allowed: the IPv4"),
        ({"ssh_cidr": "::ffff:0:0/96"}, r"an IPv4-mapped IPv6 range"),
        ({"ssh_cidr": 203}, r"ssh_cidr is 203; allowed: one CIDR block"),
        ({"nat_type": "instance", "nat_instance_type": "t4g.nano2"}, r"nat_instance_type is"),
        ({"bastion_instance_type": "large"}, r"bastion_instance_type is 'large'; allowed: an EC2"),
        (
            {"ssh_cidr": "203.0.113.300/32"},
            r"ssh_cidr is '203\.0\.113\.300/32' .*allowed: one CIDR",
        ),
        ({"ssh_cidr": "203.0.113.7"}, r"ssh_cidr is '203\.0\.113\.7'; allowed: .*prefix length"),
        ({"max_azs": "2"}, r"max_azs is '2'; allowed: a whole number, 1 to 6"),
        ({"public_subnet_mask": 24.5}, r"public_subnet_mask is 24\.5; allowed: a whole number"),
        ({"db_port": 0}, r"db_port is 0; allowed: 1 to 65535"),
    ],
)
def test_bad_props_raise_a_clear_value_error(stack, props, message):
    with pytest.raises(ValueError, match=message):
        ThreeTierNetwork(stack, "Network", **props)


def test_bad_props_are_refused_before_any_resource_is_created(stack):
    with pytest.raises(ValueError):
        ThreeTierNetwork(stack, "Network", max_azs=9)
    assert [child.node.id for child in stack.node.children] == ["Network"]
    assert stack.node.find_child("Network").node.children == []


@pytest.mark.parametrize(
    "cidr", ["203.0.113.7/32", "10.20.0.0/16", "2001:db8:1::/48", "2001:db8::1/128"]
)
def test_narrow_ssh_ranges_are_accepted(stack, cidr):
    ThreeTierNetwork(stack, "Network", ssh_cidr=cidr)
