"""The notes' facts the ThreeTierNetwork options show (network ACLs, subnet sizing, an HA bastion),
asserted on the templates of tests/network/options.py."""

from __future__ import annotations

import ipaddress

import pytest
from aws_cdk import App, Stack

from constructs_lib.network import (
    APPLICATION,
    EPHEMERAL_PORTS,
    NACL_RULE_STEP,
    RESERVED_PER_SUBNET,
    ThreeTierNetwork,
    subnet_mask_for_hosts,
    usable_addresses,
)
from tests.network.options import APP_SUBNET_HOSTS, BLOCKED_CIDRS, SSH_CIDR, TEMPLATES
from tests.template_queries import ingress_rules, props, ref, resources

# Client ports an answer may go back to: the lowest NAT gateways use, Linux's range
# (32768-60999), Windows' and IANA's (49152-65535), the highest [004:7298-7300].
CLIENT_PORTS = (1024, 32768, 49152, 60999, 65535)
INTERNET_HOST = "192.0.2.10"  # a documentation address, not blocked
S3_HOST = "52.216.0.10"  # in an S3 prefix list; a gateway endpoint keeps the public address


@pytest.fixture(scope="module")
def acls() -> dict:
    return TEMPLATES["network_acls"]()


@pytest.fixture(scope="module")
def sized() -> dict:
    return TEMPLATES["app_subnet_hosts"]()


@pytest.fixture(scope="module")
def ha() -> dict:
    return TEMPLATES["bastion_ha"]()


@pytest.fixture(scope="module")
def nat_instance() -> dict:
    return TEMPLATES["nat_instance"]()


def _tier_of(subnet: dict) -> str:
    return next(t["Value"] for t in props(subnet)["Tags"] if t["Key"] == "aws-cdk:subnet-name")


def _subnets_by_tier(template: dict) -> dict[str, dict[str, dict]]:
    tiers: dict[str, dict[str, dict]] = {}
    for logical_id, subnet in resources(template, "AWS::EC2::Subnet").items():
        tiers.setdefault(_tier_of(subnet), {})[logical_id] = subnet
    return tiers


def _acl_of_subnet(template: dict) -> dict[str, str]:
    associations = resources(template, "AWS::EC2::SubnetNetworkAclAssociation").values()
    pairs = [(ref(props(a)["SubnetId"]), ref(props(a)["NetworkAclId"])) for a in associations]
    subnets = [subnet for subnet, _ in pairs]
    assert len(subnets) == len(set(subnets)), "a subnet has one network ACL"
    return dict(pairs)


def _acl_of_tier(template: dict) -> dict[str, str]:
    by_subnet = _acl_of_subnet(template)
    return {
        tier: next(iter({by_subnet[s] for s in subnets}))
        for tier, subnets in _subnets_by_tier(template).items()
    }


def _entries(template: dict, acl_id: str, *, egress: bool | None = None) -> list[dict]:
    return sorted(
        (
            props(entry)
            for entry in resources(template, "AWS::EC2::NetworkAclEntry").values()
            if ref(props(entry)["NetworkAclId"]) == acl_id
            and (egress is None or props(entry).get("Egress", False) is egress)
        ),
        key=lambda entry: (entry.get("Egress", False), entry["RuleNumber"]),
    )


def _cidr(entry: dict) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(entry.get("CidrBlock") or entry["Ipv6CidrBlock"])


def _ports(entry: dict) -> tuple[int, int] | None:
    """The TCP port range of an entry; None for every protocol (-1)."""
    if entry["Protocol"] == -1:
        return None
    assert entry["Protocol"] == 6, entry
    return entry["PortRange"]["From"], entry["PortRange"]["To"]


def _admits(entries: list[dict], *, egress: bool, address: str, port: int) -> bool:
    """What a network ACL decides for one TCP packet: the lowest-numbered matching rule wins,
    and no match meets the final ``*`` deny [004:7244-7250]. ``address`` is the packet's source
    inbound and its destination outbound."""
    host = ipaddress.ip_address(address)
    for entry in sorted(entries, key=lambda entry: entry["RuleNumber"]):
        if entry.get("Egress", False) is not egress:
            continue
        cidr = _cidr(entry)
        ports = _ports(entry)
        if cidr.version == host.version and host in cidr:
            if ports is None or ports[0] <= port <= ports[1]:
                return entry["RuleAction"] == "allow"
    return False


def _host(subnet: dict, offset: int = 10) -> str:
    return str(ipaddress.ip_network(props(subnet)["CidrBlock"])[offset])


# -- network ACLs --------------------------------------------------------------------------------
@pytest.mark.fact("NET-35")
def test_each_tier_has_its_own_network_acl_on_all_its_subnets(acls):
    by_subnet = _acl_of_subnet(acls)
    tiers = _subnets_by_tier(acls)
    assert set(by_subnet) == {s for subnets in tiers.values() for s in subnets}
    owners = {tier: {by_subnet[s] for s in subnets} for tier, subnets in tiers.items()}
    assert all(len(ids) == 1 for ids in owners.values()), owners
    tier_acls = [next(iter(ids)) for ids in owners.values()]
    assert sorted(tier_acls) == sorted(resources(acls, "AWS::EC2::NetworkAcl"))
    assert len(set(tier_acls)) == 3


@pytest.mark.fact("NET-32")
def test_nacl_rules_are_numbered_in_steps_of_100(acls):
    for acl_id in resources(acls, "AWS::EC2::NetworkAcl"):
        for egress in (False, True):
            numbers = [e["RuleNumber"] for e in _entries(acls, acl_id, egress=egress)]
            assert numbers, (acl_id, egress)
            assert all(n % NACL_RULE_STEP == 0 for n in numbers)
            assert numbers == list(range(100, 100 * len(numbers) + 1, NACL_RULE_STEP))


@pytest.mark.fact("NET-34", "NET-32")
def test_blocked_cidrs_are_denied_in_both_directions_before_any_allow(acls):
    tier_acls = _acl_of_tier(acls)
    for egress in (False, True):
        entries = _entries(acls, tier_acls["Public"], egress=egress)
        denies = [e for e in entries if e["RuleAction"] == "deny"]
        allows = [e for e in entries if e["RuleAction"] == "allow"]
        assert sorted(str(_cidr(e)) for e in denies) == sorted(BLOCKED_CIDRS)
        assert all(_ports(e) is None for e in denies), "every protocol and port is denied"
        assert max(e["RuleNumber"] for e in denies) < min(e["RuleNumber"] for e in allows)
        for cidr in BLOCKED_CIDRS:
            address = str(ipaddress.ip_network(cidr)[1])
            for port in (22, 80, 443, *CLIENT_PORTS):
                assert not _admits(entries, egress=egress, address=address, port=port)
    for tier in ("Application", "Data"):
        assert all(e["RuleAction"] == "allow" for e in _entries(acls, tier_acls[tier]))


@pytest.mark.fact("NET-31")
def test_nacl_return_traffic_needs_ephemeral_ports_1024_65535(acls):
    """Stateless: each allowed request has an allow for its answer the other way, to the
    ephemeral ports 1024-65535, covering the request's peer [004:7285-7311]."""
    answers_range = EPHEMERAL_PORTS
    assert answers_range == (1024, 65535)
    for acl_id in resources(acls, "AWS::EC2::NetworkAcl"):
        entries = _entries(acls, acl_id)
        allows = [e for e in entries if e["RuleAction"] == "allow"]
        answers = [e for e in allows if _ports(e) == answers_range]
        requests = [e for e in allows if _ports(e) != answers_range]
        assert answers and requests, acl_id
        for request in requests:
            way_back = [
                answer
                for answer in answers
                if answer.get("Egress", False) is not request.get("Egress", False)
                and _cidr(answer).version == _cidr(request).version
                and _cidr(request).subnet_of(_cidr(answer))
            ]
            assert way_back, (acl_id, request)


@pytest.mark.fact("NET-36", "NET-30")
def test_data_nacl_admits_only_the_database_port_from_the_app_subnets(acls):
    data_acl = _acl_of_tier(acls)["Data"]
    app_cidrs = sorted(
        props(s)["CidrBlock"] for s in _subnets_by_tier(acls)["Application"].values()
    )
    inbound = _entries(acls, data_acl, egress=False)
    outbound = _entries(acls, data_acl, egress=True)
    assert sorted(e["CidrBlock"] for e in inbound) == app_cidrs
    assert {(_ports(e), e["RuleAction"]) for e in inbound} == {((5432, 5432), "allow")}
    assert sorted(e["CidrBlock"] for e in outbound) == app_cidrs
    assert {(_ports(e), e["RuleAction"]) for e in outbound} == {(EPHEMERAL_PORTS, "allow")}
    public = next(iter(_subnets_by_tier(acls)["Public"].values()))
    assert not _admits(inbound, egress=False, address=_host(public), port=5432)
    assert not _admits(inbound, egress=False, address=INTERNET_HOST, port=5432)


def _flows(template: dict) -> list[tuple[str, list[tuple[str | None, bool, str, int]]]]:
    """(name, legs) of every flow the architecture needs, its answer included: each leg is a
    (tier whose ACL decides or None outside the VPC, outbound?, peer address, port)."""
    tiers = _subnets_by_tier(template)
    ssh_host = str(ipaddress.ip_network(SSH_CIDR)[0])
    flows = []
    for client in CLIENT_PORTS:

        def both_ways(src, src_ip, dst, dst_ip, port, client=client):
            return [
                (src, True, dst_ip, port),
                (dst, False, src_ip, port),
                (dst, True, src_ip, client),
                (src, False, dst_ip, client),
            ]

        for public in tiers["Public"].values():
            for port in (80, 443):
                flows.append(
                    (
                        f"internet -> load balancer {port}",
                        both_ways(None, INTERNET_HOST, "Public", _host(public), port),
                    )
                )
            flows.append(
                ("ssh_cidr -> bastion 22", both_ways(None, ssh_host, "Public", _host(public), 22))
            )
            for app in tiers["Application"].values():
                for port in (22, 80, 8080):
                    flows.append(
                        (
                            f"public -> app {port}",
                            both_ways("Public", _host(public), "Application", _host(app), port),
                        )
                    )
                for port in (80, 443):
                    # app -> NAT -> internet; the answer keeps the internet's source address.
                    flows.append(
                        (
                            f"app -> NAT -> internet {port}",
                            [
                                ("Application", True, INTERNET_HOST, port),
                                ("Public", False, _host(app), port),
                                ("Public", True, INTERNET_HOST, port),
                                ("Public", False, INTERNET_HOST, client),
                                ("Public", True, _host(app), client),
                                ("Application", False, INTERNET_HOST, client),
                            ],
                        )
                    )
        for app in tiers["Application"].values():
            flows.append(
                ("app -> S3 endpoint 443", both_ways("Application", _host(app), None, S3_HOST, 443))
            )
            for data in tiers["Data"].values():
                flows.append(
                    (
                        "app -> data 5432",
                        both_ways("Application", _host(app), "Data", _host(data), 5432),
                    )
                )
    return flows


@pytest.mark.fact("NET-31", "NET-15", "NET-36")
def test_nacls_admit_every_flow_the_tiers_need_and_its_answer(acls):
    """The bastion's SSH to the app tier, the load balancer's requests, app -> data on db_port,
    NAT and the gateway endpoints: every leg of each, both ways, passes both ACLs."""
    tier_acls = _acl_of_tier(acls)
    entries = {tier: _entries(acls, acl_id) for tier, acl_id in tier_acls.items()}
    for name, legs in _flows(acls):
        for tier, egress, address, port in legs:
            if tier is not None:
                assert _admits(entries[tier], egress=egress, address=address, port=port), (
                    name,
                    tier,
                    "out" if egress else "in",
                    address,
                    port,
                )


@pytest.mark.fact("NET-33")
def test_nacl_final_deny_drops_what_no_rule_allows(acls):
    """The final ``*`` deny is the ACL's own, not a resource: no entry allows every protocol,
    and what no rule names is dropped."""
    entries = resources(acls, "AWS::EC2::NetworkAclEntry").values()
    assert not [
        e for e in entries if props(e)["RuleAction"] == "allow" and _ports(props(e)) is None
    ]
    tier_acls = _acl_of_tier(acls)
    tiers = _subnets_by_tier(acls)
    public = _entries(acls, tier_acls["Public"])
    app = _entries(acls, tier_acls["Application"])
    data = _entries(acls, tier_acls["Data"])
    public_host = _host(next(iter(tiers["Public"].values())))
    dropped = [
        (public, False, INTERNET_HOST, 22),  # SSH from anywhere but ssh_cidr
        (public, False, INTERNET_HOST, 445),  # below the ephemeral range: only 80, 443
        (public, True, INTERNET_HOST, 22),
        (app, False, INTERNET_HOST, 22),  # the internet never reaches the app tier's ports
        (app, False, INTERNET_HOST, 80),
        (app, True, INTERNET_HOST, 22),
        (app, True, INTERNET_HOST, 5432),
        (data, False, public_host, 5432),  # only the app tier reaches the database
        (data, False, INTERNET_HOST, 5432),
        (data, True, INTERNET_HOST, 443),  # the data tier reaches nothing outside
        (data, True, public_host, 22),
    ]
    for entries_of_tier, egress, address, port in dropped:
        assert not _admits(entries_of_tier, egress=egress, address=address, port=port), (
            egress,
            address,
            port,
        )


@pytest.mark.fact("NET-15")
def test_nat_gateway_takes_no_security_group_only_the_public_tiers_nacl(acls):
    (gateway,) = resources(acls, "AWS::EC2::NatGateway").values()
    assert not {key for key in props(gateway) if "SecurityGroup" in key}
    subnet = ref(props(gateway)["SubnetId"])
    assert subnet in _subnets_by_tier(acls)["Public"]
    assert _acl_of_subnet(acls)[subnet] == _acl_of_tier(acls)["Public"]


def test_without_the_option_no_network_acl_is_created(sandbox, production):
    for synthesis in (sandbox, production):
        template = synthesis.template("Network")
        assert resources(template, "AWS::EC2::NetworkAcl") == {}
        assert resources(template, "AWS::EC2::NetworkAclEntry") == {}


# -- subnet sizes --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mask", "usable"), [(16, 65531), (20, 4091), (24, 251), (26, 59), (27, 27), (28, 11)]
)
@pytest.mark.fact("NET-05")
def test_every_subnet_loses_five_addresses_to_aws(mask, usable):
    assert RESERVED_PER_SUBNET == 5
    assert usable_addresses(mask) == usable == 2 ** (32 - mask) - 5


@pytest.mark.parametrize(
    ("hosts", "mask"),
    [
        (1, 28),
        (11, 28),
        (12, 27),
        (27, 27),
        (28, 26),
        (29, 26),
        (59, 26),
        (60, 25),
        (251, 24),
        (252, 23),
        (65531, 16),
    ],
)
@pytest.mark.fact("NET-05")
def test_29_hosts_need_a_26_not_a_27(hosts, mask):
    assert subnet_mask_for_hosts(hosts) == mask
    assert usable_addresses(mask) >= hosts
    if mask < 28:
        assert usable_addresses(mask + 1) < hosts, "the next smaller subnet would not hold them"


@pytest.mark.parametrize(("hosts", "mask"), [(1, 28), (27, 27), (28, 26), (29, 26), (300, 23)])
@pytest.mark.fact("NET-05")
def test_app_subnet_hosts_sizes_each_app_subnet_to_the_smallest_that_holds_them(hosts, mask):
    stack = Stack(App(), "Sized")
    network = ThreeTierNetwork(stack, "Network", app_subnet_hosts=hosts)
    subnets = network.vpc.select_subnets(subnet_group_name=APPLICATION).subnets
    assert len(subnets) == 2
    for subnet in subnets:
        assert ipaddress.ip_network(subnet.ipv4_cidr_block).prefixlen == mask


@pytest.mark.fact("NET-05")
def test_29_app_hosts_get_26_subnets_in_the_template(sized):
    tiers = _subnets_by_tier(sized)
    app = [ipaddress.ip_network(props(s)["CidrBlock"]) for s in tiers["Application"].values()]
    assert [n.prefixlen for n in app] == [26, 26]
    assert all(n.num_addresses - 5 >= APP_SUBNET_HOSTS > n.num_addresses // 2 - 5 for n in app)
    others = [props(s)["CidrBlock"] for t in ("Public", "Data") for s in tiers[t].values()]
    assert all(cidr.endswith("/24") for cidr in others), "the other tiers keep their masks"


@pytest.mark.fact("NET-06")
def test_default_subnets_follow_the_hands_on_public_24_private_20_over_2_azs(sandbox):
    template = sandbox.template("Network")
    (vpc,) = resources(template, "AWS::EC2::VPC").values()
    assert props(vpc)["CidrBlock"] == "10.0.0.0/16"
    masks = {
        tier: sorted(
            ipaddress.ip_network(props(s)["CidrBlock"]).prefixlen for s in subnets.values()
        )
        for tier, subnets in _subnets_by_tier(template).items()
    }
    assert masks == {"Public": [24, 24], "Application": [20, 20], "Data": [24, 24]}


# -- the bastion ---------------------------------------------------------------------------------
@pytest.mark.fact("NET-26")
def test_default_bastion_is_one_instance_in_one_subnet_not_highly_available(sandbox, production):
    for synthesis in (sandbox, production):
        template = synthesis.template("Network")
        (instance,) = resources(template, "AWS::EC2::Instance").values()
        assert ref(props(instance)["SubnetId"]) in _subnets_by_tier(template)["Public"]
        assert len(_subnets_by_tier(template)["Public"]) >= 2, "other AZs stay without one"
        assert resources(template, "AWS::AutoScaling::AutoScalingGroup") == {}


@pytest.mark.fact("NET-26")
def test_bastion_high_availability_runs_a_group_of_one_over_every_azs_public_subnet(ha):
    (group,) = resources(ha, "AWS::AutoScaling::AutoScalingGroup").values()
    assert (props(group)["MinSize"], props(group)["MaxSize"], props(group)["DesiredCapacity"]) == (
        "1",
        "1",
        "1",
    )
    public = _subnets_by_tier(ha)["Public"]
    zones = {ref(s) for s in props(group)["VPCZoneIdentifier"]}
    assert zones == set(public)
    assert len({props(public[s])["AvailabilityZone"] for s in zones}) == 3
    assert resources(ha, "AWS::EC2::Instance") == {}


@pytest.mark.fact("NET-26", "NET-27")
def test_ha_bastion_keeps_the_single_bastions_hardening(ha):
    (template,) = resources(ha, "AWS::EC2::LaunchTemplate").values()
    data = props(template)["LaunchTemplateData"]
    assert "al2023" in data["ImageId"]["Ref"] and "arm64" in data["ImageId"]["Ref"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    (volume,) = data["BlockDeviceMappings"]
    assert volume["Ebs"]["Encrypted"] is True and volume["Ebs"]["DeleteOnTermination"] is True
    profile = resources(ha, "AWS::IAM::InstanceProfile")[
        data["IamInstanceProfile"]["Arn"]["Fn::GetAtt"][0]
    ]
    (role_id,) = [ref(r) for r in props(profile)["Roles"]]
    role = resources(ha, "AWS::IAM::Role")[role_id]
    assert "ManagedPolicyArns" not in props(role)
    statements = [
        statement
        for policy in resources(ha, "AWS::IAM::Policy").values()
        if role_id in [ref(r) for r in props(policy)["Roles"]]
        for statement in props(policy)["PolicyDocument"]["Statement"]
    ]
    assert [sorted(s["Action"]) for s in statements] == [
        ["ec2messages:*", "ssm:UpdateInstanceInformation", "ssmmessages:*"]
    ]


@pytest.mark.fact("NET-24", "NET-25", "NET-26")
def test_ha_bastion_group_is_the_app_tiers_only_ssh_source(ha):
    (template,) = resources(ha, "AWS::EC2::LaunchTemplate").values()
    (bastion_group,) = [ref(g) for g in props(template)["LaunchTemplateData"]["SecurityGroupIds"]]
    (rule,) = ingress_rules(ha, bastion_group)
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"], rule["CidrIp"]) == (
        "tcp",
        22,
        22,
        SSH_CIDR,
    )
    (app_group,) = [
        lid
        for lid, group in resources(ha, "AWS::EC2::SecurityGroup").items()
        if props(group)["GroupDescription"].startswith("Application tier")
    ]
    (rule,) = ingress_rules(ha, app_group)
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 22, 22)
    assert ref(rule["SourceSecurityGroupId"]) == bastion_group


def test_ha_bastion_attributes_name_the_group_and_its_security_group():
    stack = Stack(App(), "Attributes")
    network = ThreeTierNetwork(stack, "Network", bastion_high_availability=True)
    assert network.bastion is None
    assert network.bastion_group is not None
    assert network.bastion_security_group is network.bastion_group.connections.security_groups[0]
    default = ThreeTierNetwork(stack, "Default")
    assert default.bastion is not None and default.bastion_group is None
    assert default.network_acls == {}


# -- NAT instance (the notes' NAT AMI is retired) -----------------------------------------------
@pytest.mark.fact("NET-19", "NET-21")
def test_nat_instance_boots_amazon_linux_2023_with_source_dest_check_off(nat_instance):
    (instance,) = resources(nat_instance, "AWS::EC2::Instance").values()
    assert props(instance)["SourceDestCheck"] is False
    assert ref(props(instance)["SubnetId"]) in _subnets_by_tier(nat_instance)["Public"]
    image = ref(props(instance)["ImageId"])
    assert "al2023" in image, "CDK's NatProvider.instance_v2 image, not the retired NAT AMI"
    for subnet_id in _subnets_by_tier(nat_instance)["Application"]:
        table = next(
            ref(props(a)["RouteTableId"])
            for a in resources(nat_instance, "AWS::EC2::SubnetRouteTableAssociation").values()
            if ref(props(a)["SubnetId"]) == subnet_id
        )
        (route,) = [
            props(r)
            for r in resources(nat_instance, "AWS::EC2::Route").values()
            if ref(props(r)["RouteTableId"]) == table
        ]
        assert route["DestinationCidrBlock"] == "0.0.0.0/0"
        assert ref(route["InstanceId"]) in resources(nat_instance, "AWS::EC2::Instance")
