"""The facts the three-tier VPC exists for (FACTS.md section 1), asserted on the templates."""

from __future__ import annotations

import ipaddress

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from constructs_lib.network import ThreeTierNetwork
from tests.conftest import PINNED_ENV, cdk_context
from tests.template_queries import cdk_path, ingress_rules, props, ref, resources, under

SSH_CIDR = "203.0.113.7/32"


@pytest.fixture(scope="module")
def variants() -> dict:
    """One extra synthesis holding the construct variants the stacks don't use."""
    app = App(context=cdk_context("sandbox"))
    stack = Stack(app, "Variants", env=PINNED_ENV)
    ThreeTierNetwork(stack, "WithSsh", ssh_cidr=SSH_CIDR)
    ThreeTierNetwork(stack, "NatInstance", nat_type="instance", bastion=False)
    ThreeTierNetwork(stack, "NoNat", nat_type="none", nat_gateways=0, bastion=False)
    return Template.from_stack(stack).to_json()


def _subnets_by_tier(template: dict) -> dict[str, dict[str, dict]]:
    tiers: dict[str, dict[str, dict]] = {}
    for logical_id, subnet in resources(template, "AWS::EC2::Subnet").items():
        tier = next(t["Value"] for t in props(subnet)["Tags"] if t["Key"] == "aws-cdk:subnet-name")
        tiers.setdefault(tier, {})[logical_id] = subnet
    return tiers


def _route_table_of(template: dict, subnet_id: str) -> str:
    for association in resources(template, "AWS::EC2::SubnetRouteTableAssociation").values():
        if ref(props(association)["SubnetId"]) == subnet_id:
            return ref(props(association)["RouteTableId"])
    raise AssertionError(f"subnet {subnet_id} has no route table association")


def _default_routes(template: dict, route_table_id: str) -> list[dict]:
    return [
        props(route)
        for route in resources(template, "AWS::EC2::Route").values()
        if ref(props(route)["RouteTableId"]) == route_table_id
        and props(route).get("DestinationCidrBlock") == "0.0.0.0/0"
    ]


def _group(template: dict, description_start: str) -> str:
    matches = [
        logical_id
        for logical_id, group in resources(template, "AWS::EC2::SecurityGroup").items()
        if props(group)["GroupDescription"].startswith(description_start)
    ]
    assert len(matches) == 1, matches
    return matches[0]


@pytest.mark.parametrize(("profile", "azs"), [("sandbox", 2), ("production", 3)])
@pytest.mark.fact("NET-04", "NET-07", "NET-09")
def test_every_tier_has_one_subnet_per_az(synthesized, profile, azs):
    template = synthesized(profile).template("Network")
    tiers = _subnets_by_tier(template)
    assert sorted(tiers) == ["Application", "Data", "Public"]
    all_zones = None
    for subnets in tiers.values():
        zones = {props(subnet)["AvailabilityZone"] for subnet in subnets.values()}
        assert len(subnets) == azs and len(zones) == azs
        # each subnet in exactly one AZ, and every tier over the same AZs
        assert all(isinstance(props(s)["AvailabilityZone"], str) for s in subnets.values())
        assert all_zones in (None, zones)
        all_zones = zones


@pytest.mark.fact("NET-12")
def test_production_has_one_nat_gateway_per_az_in_public_subnets_with_own_eip(production):
    template = production.template("Network")
    public = _subnets_by_tier(template)["Public"]
    gateways = resources(template, "AWS::EC2::NatGateway")
    assert len(gateways) == 3
    subnet_ids = [ref(props(gateway)["SubnetId"]) for gateway in gateways.values()]
    eip_ids = [ref(props(gateway)["AllocationId"]) for gateway in gateways.values()]
    assert set(subnet_ids) == set(public)
    assert len({props(public[s])["AvailabilityZone"] for s in subnet_ids}) == 3
    assert len(set(eip_ids)) == 3
    assert set(eip_ids) == set(resources(template, "AWS::EC2::EIP"))


@pytest.mark.fact("NET-13")
def test_production_app_subnets_route_to_the_nat_gateway_in_their_own_az(production):
    template = production.template("Network")
    gateways = resources(template, "AWS::EC2::NatGateway")
    all_subnets = resources(template, "AWS::EC2::Subnet")
    gateway_az = {
        logical_id: props(all_subnets[ref(props(gateway)["SubnetId"])])["AvailabilityZone"]
        for logical_id, gateway in gateways.items()
    }
    app = _subnets_by_tier(template)["Application"]
    tables = {_route_table_of(template, subnet_id) for subnet_id in app}
    assert len(tables) == len(app) == 3, "a route table per AZ"
    for subnet_id, subnet in app.items():
        (route,) = _default_routes(template, _route_table_of(template, subnet_id))
        assert gateway_az[ref(route["NatGatewayId"])] == props(subnet)["AvailabilityZone"]


@pytest.mark.fact("NET-14")
def test_sandbox_has_a_single_nat_gateway_shared_by_all_app_subnets(sandbox):
    template = sandbox.template("Network")
    (gateway_id,) = resources(template, "AWS::EC2::NatGateway")
    for subnet_id in _subnets_by_tier(template)["Application"]:
        (route,) = _default_routes(template, _route_table_of(template, subnet_id))
        assert ref(route["NatGatewayId"]) == gateway_id


@pytest.mark.parametrize("profile", ["sandbox", "production"])
@pytest.mark.fact("NET-08", "NET-22")
def test_data_tier_has_no_route_to_the_internet(synthesized, profile):
    template = synthesized(profile).template("Network")
    for subnet_id, subnet in _subnets_by_tier(template)["Data"].items():
        assert props(subnet)["MapPublicIpOnLaunch"] is False
        table = _route_table_of(template, subnet_id)
        routes = [
            props(route)
            for route in resources(template, "AWS::EC2::Route").values()
            if ref(props(route)["RouteTableId"]) == table
        ]
        assert routes == []


@pytest.mark.parametrize("profile", ["sandbox", "production"])
@pytest.mark.fact("NET-10", "NET-11")
def test_public_tier_routes_to_the_internet_gateway(synthesized, profile):
    template = synthesized(profile).template("Network")
    (igw,) = resources(template, "AWS::EC2::InternetGateway")
    (vpc,) = resources(template, "AWS::EC2::VPC")
    (attachment,) = resources(template, "AWS::EC2::VPCGatewayAttachment").values()
    assert (ref(props(attachment)["InternetGatewayId"]), ref(props(attachment)["VpcId"])) == (
        igw,
        vpc,
    )
    for subnet_id, subnet in _subnets_by_tier(template)["Public"].items():
        (route,) = _default_routes(template, _route_table_of(template, subnet_id))
        assert ref(route["GatewayId"]) == igw
        assert props(subnet)["MapPublicIpOnLaunch"] is True


@pytest.mark.fact("NET-01", "NET-03", "NET-37")
def test_vpc_has_dns_support_and_hostnames_and_the_default_cidr(sandbox):
    template = sandbox.template("Network")
    ((vpc_id, vpc),) = resources(template, "AWS::EC2::VPC").items()
    assert props(vpc)["CidrBlock"] == "10.0.0.0/16"
    network = ipaddress.ip_network(props(vpc)["CidrBlock"])
    assert network.is_private and 16 <= network.prefixlen <= 28
    # its own VPC, not the default one: every subnet is in it
    assert {ref(props(s)["VpcId"]) for s in resources(template, "AWS::EC2::Subnet").values()} == {
        vpc_id
    }
    assert props(vpc)["EnableDnsSupport"] is True
    assert props(vpc)["EnableDnsHostnames"] is True


@pytest.mark.fact("NET-38")
def test_flow_logs_capture_all_traffic_to_cloudwatch_logs(sandbox):
    template = sandbox.template("Network")
    (flow_log,) = resources(template, "AWS::EC2::FlowLog").values()
    assert props(flow_log)["TrafficType"] == "ALL"
    assert props(flow_log)["ResourceType"] == "VPC"
    assert ref(props(flow_log)["ResourceId"]) in resources(template, "AWS::EC2::VPC")
    assert ref(props(flow_log)["LogGroupName"]) in resources(template, "AWS::Logs::LogGroup")


@pytest.mark.fact("NET-39")
def test_s3_and_dynamodb_gateway_endpoints_serve_private_tiers(sandbox):
    template = sandbox.template("Network")
    endpoints = resources(template, "AWS::EC2::VPCEndpoint").values()
    services = sorted(str(props(e)["ServiceName"]) for e in endpoints)
    assert len(services) == 2
    assert "dynamodb" in services[0] and "s3" in services[1]
    assert all(props(e)["VpcEndpointType"] == "Gateway" for e in endpoints)
    # off the NAT: each endpoint sits in the route tables whose default route is the NAT
    tiers = _subnets_by_tier(template)
    nat_tables = {_route_table_of(template, s) for s in tiers["Application"]}
    assert all(_default_routes(template, table)[0].get("NatGatewayId") for table in nat_tables)
    private_tables = nat_tables | {_route_table_of(template, s) for s in tiers["Data"]}
    for endpoint in endpoints:
        assert {ref(t) for t in props(endpoint)["RouteTableIds"]} >= private_tables


@pytest.mark.fact("NET-23")
def test_bastion_sits_in_a_public_subnet_with_imdsv2_and_an_encrypted_root(sandbox):
    template = sandbox.template("Network")
    (instance,) = resources(template, "AWS::EC2::Instance").values()
    assert ref(props(instance)["SubnetId"]) in _subnets_by_tier(template)["Public"]
    (volume,) = props(instance)["BlockDeviceMappings"]
    assert volume["Ebs"]["Encrypted"] is True
    (launch_template,) = resources(template, "AWS::EC2::LaunchTemplate").values()
    metadata = props(launch_template)["LaunchTemplateData"]["MetadataOptions"]
    assert metadata["HttpTokens"] == "required"


@pytest.mark.fact("NET-27")
def test_bastion_image_is_amazon_linux_2023_with_session_manager(sandbox):
    template = sandbox.template("Network")
    assert any("al2023" in name for name in template["Parameters"])
    (role_id,) = [
        logical_id
        for logical_id, role in resources(template, "AWS::IAM::Role").items()
        if "ec2.amazonaws.com" in str(props(role)["AssumeRolePolicyDocument"])
    ]
    policies = [
        props(policy)
        for policy in resources(template, "AWS::IAM::Policy").values()
        if role_id in [ref(r) for r in props(policy)["Roles"]]
    ]
    actions = {a for p in policies for s in p["PolicyDocument"]["Statement"] for a in s["Action"]}
    assert {"ssmmessages:*", "ssm:UpdateInstanceInformation", "ec2messages:*"} <= actions


@pytest.mark.fact("NET-25", "NET-27")
def test_bastion_without_ssh_cidr_accepts_no_inbound_traffic(sandbox):
    template = sandbox.template("Network")
    bastion_group = _group(template, "Network/Network/Bastion")
    assert ingress_rules(template, bastion_group) == []


@pytest.mark.fact("NET-25")
def test_bastion_accepts_ssh_only_from_the_given_cidr(variants):
    template = under(variants, "Variants/WithSsh/")
    bastion_group = _group(template, "Variants/WithSsh/Bastion")
    (rule,) = ingress_rules(template, bastion_group)
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 22, 22)
    assert rule["CidrIp"] == SSH_CIDR


@pytest.mark.parametrize("profile", ["sandbox", "production"])
@pytest.mark.fact("NET-24", "NET-28")
def test_private_instances_accept_ssh_only_from_bastion(synthesized, profile):
    template = synthesized(profile).template("Network")
    app_group = _group(template, "Application tier")
    bastion_group = _group(template, "Network/Network/Bastion")
    (rule,) = ingress_rules(template, app_group)
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 22, 22)
    assert ref(rule["SourceSecurityGroupId"]) == bastion_group


@pytest.mark.parametrize("profile", ["sandbox", "production"])
@pytest.mark.fact("NET-28", "NET-30")
def test_data_tier_accepts_only_the_database_port_from_the_app_tier(synthesized, profile):
    template = synthesized(profile).template("Network")
    data_group = _group(template, "Data tier")
    (rule,) = ingress_rules(template, data_group)
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 5432, 5432)
    assert ref(rule["SourceSecurityGroupId"]) == _group(template, "Application tier")
    # stateful: no outbound rule at all (CDK's placeholder matches nothing), yet the database
    # answers the connections it accepts
    (egress,) = props(template["Resources"][data_group])["SecurityGroupEgress"]
    assert (egress["CidrIp"], egress["Description"]) == (
        "255.255.255.255/32",
        "Disallow all traffic",
    )


@pytest.mark.parametrize("profile", ["sandbox", "production"])
@pytest.mark.fact("NET-25")
def test_no_security_group_is_open_to_the_internet(synthesized, profile):
    template = synthesized(profile).template("Network")
    for group_id in resources(template, "AWS::EC2::SecurityGroup"):
        for rule in ingress_rules(template, group_id):
            assert rule.get("CidrIp") != "0.0.0.0/0" and rule.get("CidrIpv6") != "::/0"


@pytest.mark.fact("NET-19")
def test_nat_instance_option_forwards_traffic_from_a_public_subnet(variants):
    template = under(variants, "Variants/NatInstance/")
    assert resources(template, "AWS::EC2::NatGateway") == {}
    instances = resources(template, "AWS::EC2::Instance")
    assert len(instances) == 1
    assert all(props(instance)["SourceDestCheck"] is False for instance in instances.values())
    public = _subnets_by_tier(template)["Public"]
    assert all(ref(props(i)["SubnetId"]) in public for i in instances.values())
    for subnet_id in _subnets_by_tier(template)["Application"]:
        (route,) = _default_routes(template, _route_table_of(template, subnet_id))
        assert ref(route["InstanceId"]) in instances


def test_no_nat_option_leaves_the_app_tier_without_internet_egress(variants):
    template = under(variants, "Variants/NoNat/")
    assert resources(template, "AWS::EC2::NatGateway") == {}
    default_routes = [
        route
        for route in resources(template, "AWS::EC2::Route").values()
        if "NatGatewayId" in props(route) or "InstanceId" in props(route)
    ]
    assert default_routes == []


@pytest.mark.parametrize("profile", ["sandbox", "production"])
@pytest.mark.fact("NET-27")
def test_outputs_give_vpc_subnets_and_the_way_to_the_bastion(synthesized, profile):
    outputs = synthesized(profile).template("Network")["Outputs"]
    for name in ("VpcId", "PublicSubnetIds", "AppSubnetIds", "DataSubnetIds", "BastionInstanceId"):
        assert name in outputs
    command = outputs["BastionSsmCommand"]["Value"]["Fn::Join"][1]
    assert command[0] == "aws ssm start-session --target "


@pytest.mark.fact("NET-38")
def test_flow_log_group_is_destroyed_in_sandbox_and_retained_in_production(synthesized):
    def policy(profile: str) -> tuple:
        (group,) = [
            group
            for group in resources(
                synthesized(profile).template("Network"), "AWS::Logs::LogGroup"
            ).values()
            if "FlowLogGroup" in cdk_path(group)
        ]
        return group["DeletionPolicy"], props(group)["RetentionInDays"]

    assert policy("sandbox") == ("Delete", 7)
    assert policy("production") == ("Retain", 365)


@pytest.mark.parametrize(("profile", "deletion"), [("sandbox", "Delete"), ("production", "Retain")])
def test_the_default_sg_restrictor_logs_to_a_group_the_stack_owns(synthesized, profile, deletion):
    """aws-cdk-lib's own handler: its /aws/lambda group would otherwise outlive the stack."""
    template = synthesized(profile).template("Network")
    handlers = {
        logical_id
        for logical_id, resource in resources(template, "AWS::Lambda::Function").items()
        if "VpcRestrictDefaultSG" in logical_id
    }
    (handler,) = handlers
    groups = {
        logical_id: group
        for logical_id, group in resources(template, "AWS::Logs::LogGroup").items()
        if props(group).get("LogGroupName")
        == {"Fn::Join": ["", ["/aws/lambda/", {"Ref": handler}]]}
    }
    ((group_id, group),) = groups.items()
    assert group["DeletionPolicy"] == deletion
    (custom,) = resources(template, "Custom::VpcRestrictDefaultSG").values()
    assert group_id in custom["DependsOn"]
