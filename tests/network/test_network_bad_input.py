"""Bad props are refused with a ValueError naming the prop and what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, Stack, Token

from constructs_lib.network import ThreeTierNetwork, subnet_mask_for_hosts, usable_addresses

ACLS = {"network_acls": True}


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
        ({"bastion": "yes"}, r"bastion is 'yes'; allowed: True or False"),
    ],
)
@pytest.mark.fact("NET-01", "NET-25")
def test_bad_props_raise_a_clear_value_error(stack, props, message):
    with pytest.raises(ValueError, match=message):
        ThreeTierNetwork(stack, "Network", **props)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"network_acls": "yes"}, r"network_acls is 'yes'; allowed: True or False"),
        ({"network_acls": 1}, r"network_acls is 1; allowed: True or False"),
        (
            {"blocked_cidrs": ["198.51.100.0/24"]},
            r"blocked_cidrs needs network_acls=True: only a network ACL can deny",
        ),
        (
            {**ACLS, "blocked_cidrs": "198.51.100.0/24"},
            r"blocked_cidrs is '198\.51\.100\.0/24'; allowed: a list of CIDR blocks",
        ),
        ({**ACLS, "blocked_cidrs": None}, r"blocked_cidrs is None; allowed: a list"),
        (
            {**ACLS, "blocked_cidrs": ["198.51.100.7"]},
            r"blocked_cidrs\[0\] is '198\.51\.100\.7'; allowed: one CIDR block with its prefix",
        ),
        (
            {**ACLS, "blocked_cidrs": ["198.51.100.0/24", "198.51.100.1/24"]},
            r"blocked_cidrs\[1\] is '198\.51\.100\.1/24' .*host bits",
        ),
        ({**ACLS, "blocked_cidrs": [42]}, r"blocked_cidrs\[0\] is 42; allowed: one CIDR block"),
        (
            {**ACLS, "blocked_cidrs": ["0.0.0.0/0"]},
            r"blocked_cidrs\[0\] is '0\.0\.0\.0/0', every address; allowed: a narrower",
        ),
        ({**ACLS, "blocked_cidrs": ["::/0"]}, r"blocked_cidrs\[0\] is '::/0', every address"),
        (
            {**ACLS, "blocked_cidrs": ["10.0.5.0/24"]},
            r"blocked_cidrs\[0\] is '10\.0\.5\.0/24', which overlaps the VPC's own 10\.0\.0\.0/16",
        ),
        (
            {**ACLS, "blocked_cidrs": ["10.0.0.0/8"]},
            r"'10\.0\.0\.0/8', which overlaps the VPC's own .*allowed: a range outside the VPC",
        ),
        (
            {**ACLS, "blocked_cidrs": ["198.51.100.0/24", "198.51.100.0/24"]},
            r"blocked_cidrs\[1\] is '198\.51\.100\.0/24' again; allowed: each range once",
        ),
        (
            {**ACLS, "blocked_cidrs": [f"198.51.{i}.0/24" for i in range(17)]},
            r"blocked_cidrs has 17 ranges; allowed: at most 16 \(a network ACL holds 20 rules",
        ),
        (
            {**ACLS, "ssh_cidr": "203.0.113.7/32", "blocked_cidrs": ["203.0.113.0/24"]},
            r"ssh_cidr '203\.0\.113\.7/32' lies inside blocked_cidrs\[0\] '203\.0\.113\.0/24'",
        ),
        ({"app_subnet_hosts": 0}, r"app_subnet_hosts is 0; allowed: 1 to 65531 \(the usable"),
        ({"app_subnet_hosts": 65532}, r"app_subnet_hosts is 65532; allowed: 1 to 65531"),
        (
            {
                "vpc_cidr": "10.0.0.0/24",
                "public_subnet_mask": 28,
                "data_subnet_mask": 28,
                "app_subnet_hosts": 300,
            },
            r"app_subnet_hosts is 300; allowed: 1 to 251 \(the usable addresses of a /24",
        ),
        ({"app_subnet_hosts": "29"}, r"app_subnet_hosts is '29'; allowed: a whole number"),
        ({"app_subnet_hosts": 29.0}, r"app_subnet_hosts is 29\.0; allowed: a whole number"),
        ({"app_subnet_hosts": True}, r"app_subnet_hosts is True; allowed: a whole number"),
        (
            {"app_subnet_hosts": 29, "app_subnet_mask": 24},
            r"app_subnet_hosts is 29 and app_subnet_mask is 24; allowed: one of them",
        ),
        (
            {"vpc_cidr": "10.0.0.0/20", "app_subnet_hosts": 2000},
            r"has 4096 addresses but 2 AZs x .*app_subnet_mask \(for app_subnet_hosts=2000\)=/21",
        ),
        (
            {"bastion_high_availability": "yes"},
            r"bastion_high_availability is 'yes'; allowed: True or False",
        ),
        (
            {"bastion_high_availability": True, "bastion": False},
            r"bastion_high_availability is True but bastion is False; allowed: True only with",
        ),
        (
            {"bastion_high_availability": True, "max_azs": 1, "nat_gateways": 1},
            r"bastion_high_availability is True with max_azs 1; allowed: max_azs 2 or more",
        ),
    ],
)
@pytest.mark.fact("NET-05", "NET-26", "NET-34")
def test_bad_option_props_raise_a_clear_value_error(stack, props, message):
    with pytest.raises(ValueError, match=message):
        ThreeTierNetwork(stack, "Network", **props)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: usable_addresses(15), r"mask is 15; allowed: 16 to 28"),
        (lambda: usable_addresses(29), r"mask is 29; allowed: 16 to 28"),
        (lambda: usable_addresses("24"), r"mask is '24'; allowed: a whole number, 16 to 28"),
        (lambda: subnet_mask_for_hosts(0), r"hosts is 0; allowed: 1 to 65531"),
        (lambda: subnet_mask_for_hosts(65532), r"hosts is 65532; allowed: 1 to 65531"),
        (lambda: subnet_mask_for_hosts(2.5), r"hosts is 2\.5; allowed: a whole number"),
    ],
)
@pytest.mark.fact("NET-05")
def test_bad_subnet_sizes_raise_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_app_subnet_hosts_must_be_known_at_synthesis(stack):
    hosts = Token.as_number(CfnParameter(stack, "Hosts", type="Number").value_as_number)
    with pytest.raises(ValueError, match=r"app_subnet_hosts is a deploy-time token; allowed: a"):
        ThreeTierNetwork(stack, "Network", app_subnet_hosts=hosts)


def test_a_blocked_range_given_as_a_token_passes_through(stack):
    blocked = CfnParameter(stack, "Blocked").value_as_string
    network = ThreeTierNetwork(stack, "Network", network_acls=True, blocked_cidrs=[blocked])
    assert set(network.network_acls) == {"Public", "Application", "Data"}


@pytest.mark.parametrize(
    "props",
    [
        {"network_acls": True, "blocked_cidrs": ["198.51.100.0/24", "2001:db8::/32"]},
        {"network_acls": True, "ssh_cidr": "203.0.113.0/24", "blocked_cidrs": ["203.0.113.66/32"]},
        {"network_acls": True, "blocked_cidrs": [f"198.51.{i}.0/24" for i in range(16)]},
        {"app_subnet_hosts": 29, "app_subnet_mask": 20},
        {
            "vpc_cidr": "10.0.0.0/24",
            "public_subnet_mask": 28,
            "data_subnet_mask": 28,
            "app_subnet_hosts": 50,
        },
        {"bastion_high_availability": True, "max_azs": 2},
    ],
)
def test_good_option_props_are_accepted(stack, props):
    ThreeTierNetwork(stack, "Network", **props)


def test_bad_props_are_refused_before_any_resource_is_created(stack):
    with pytest.raises(ValueError):
        ThreeTierNetwork(stack, "Network", max_azs=9)
    assert [child.node.id for child in stack.node.children] == ["Network"]
    assert stack.node.find_child("Network").node.children == []


@pytest.mark.parametrize(
    "cidr", ["203.0.113.7/32", "10.20.0.0/16", "2001:db8:1::/48", "2001:db8::1/128"]
)
@pytest.mark.fact("NET-25")
def test_narrow_ssh_ranges_are_accepted(stack, cidr):
    ThreeTierNetwork(stack, "Network", ssh_cidr=cidr)
