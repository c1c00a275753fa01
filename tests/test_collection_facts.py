"""Facts that hold for every stack of the collection, in both profiles: each architecture that
builds a VPC, a bucket, a role or an instance builds it the way the notes teach, not only the
Network stack. ``make mutation`` runs these with every architecture's own fact tests.

References are ``[file:line]`` in the study notes (../shared/notes/).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator

import pytest

from tests import option_templates
from tests.template_queries import cdk_path, props, ref, resources
from tools.cost import manifest_regions
from tools.synthesis import PROFILES
from tools.topology import refs, tag

# the network's default database port (ThreeTierNetwork db_port, PostgreSQL)
DEFAULT_DB_PORT = 5432


def _templates(synthesized) -> Iterator[tuple[str, str, dict]]:
    """Every stack of both profiles, then every option template (construct options no profile
    uses, tests/<architecture>/options.py): each holds the collection's facts."""
    for profile in PROFILES:
        for stack, template in sorted(synthesized(profile).templates.items()):
            yield profile, stack, template
    for module in option_templates.modules().values():
        for name, template in module.TEMPLATES.items():
            yield "options", name, template()


def _subnets(template: dict) -> dict[str, dict]:
    """Subnet id -> {"name": tier name, "type": Public|Private|Isolated, "az": ...}."""
    return {
        lid: {
            "name": tag(subnet, "aws-cdk:subnet-name"),
            "type": tag(subnet, "aws-cdk:subnet-type"),
            "az": props(subnet).get("AvailabilityZone"),
        }
        for lid, subnet in resources(template, "AWS::EC2::Subnet").items()
    }


def _route_table_of(template: dict) -> dict[str, str]:
    return {
        ref(props(a)["SubnetId"]): ref(props(a)["RouteTableId"])
        for a in resources(template, "AWS::EC2::SubnetRouteTableAssociation").values()
    }


def _instance_subnets(instance: dict) -> list:
    """An instance's subnet: its own SubnetId, or its network interfaces'."""
    interfaces = props(instance).get("NetworkInterfaces") or []
    return [props(instance).get("SubnetId")] + [i.get("SubnetId") for i in interfaces]


def _publicly_addressed(template: dict) -> set[str]:
    """The instances that answer on a public address of their own: an interface that asks
    for one, or an Elastic IP associated with them (WhatIsTheTime v1-v4)."""
    found = {
        lid
        for lid, instance in resources(template, "AWS::EC2::Instance").items()
        if any(
            i.get("AssociatePublicIpAddress")
            for i in props(instance).get("NetworkInterfaces") or []
        )
    }
    for kind in ("AWS::EC2::EIP", "AWS::EC2::EIPAssociation"):
        for address in resources(template, kind).values():
            found |= set(refs(props(address).get("InstanceId")))
    return found


def _data_subnets(template: dict) -> set[str]:
    """The subnets a database, cache or file system lives in: no application instance's."""
    kinds = {
        "AWS::RDS::DBSubnetGroup": "SubnetIds",
        "AWS::ElastiCache::SubnetGroup": "SubnetIds",
        "AWS::EFS::MountTarget": "SubnetId",
    }
    return {
        subnet
        for kind, key in kinds.items()
        for resource in resources(template, kind).values()
        for subnet in refs(props(resource).get(key))
    }


def _statements(template: dict) -> Iterator[tuple[str, dict]]:
    keys = ("PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy", "ResourcePolicy")
    for lid, resource in sorted((template.get("Resources") or {}).items()):
        documents = [props(resource)[k] for k in keys if isinstance(props(resource).get(k), dict)]
        policies = props(resource).get(
            "Policies"
        )  # IAM's inline policies (a user pool's is a dict)
        if isinstance(policies, list):
            documents += [p.get("PolicyDocument") or {} for p in policies]
        for document in documents:
            for statement in document.get("Statement") or []:
                yield lid, statement


# -- network ----------------------------------------------------------------------------------
@pytest.mark.fact("NET-08", "NET-11")
def test_only_public_tier_subnets_assign_public_ips(synthesized):
    """Public subnets auto-assign public IPv4 addresses; private ones never [004:7071-7127]."""
    for profile, stack, template in _templates(synthesized):
        for lid, subnet in resources(template, "AWS::EC2::Subnet").items():
            public = tag(subnet, "aws-cdk:subnet-type") == "Public"
            assert props(subnet).get("MapPublicIpOnLaunch") is public, (profile, stack, lid)


@pytest.mark.fact("NET-37")
def test_every_vpc_resolves_dns_names(synthesized):
    """DNS support and DNS hostnames on [004:7761-7788]."""
    for profile, stack, template in _templates(synthesized):
        for lid, vpc in resources(template, "AWS::EC2::VPC").items():
            assert props(vpc).get("EnableDnsSupport") is True, (profile, stack, lid)
            assert props(vpc).get("EnableDnsHostnames") is True, (profile, stack, lid)


@pytest.mark.fact("NET-38")
def test_every_vpc_logs_all_its_traffic(synthesized):
    """VPC flow logs, accepted and rejected traffic, to CloudWatch Logs [002:2708-2740]."""
    for profile, stack, template in _templates(synthesized):
        logs = resources(template, "AWS::EC2::FlowLog").values()
        for lid in resources(template, "AWS::EC2::VPC"):
            flows = [f for f in logs if ref(props(f).get("ResourceId")) == lid]
            assert [props(f).get("TrafficType") for f in flows] == ["ALL"], (profile, stack)


@pytest.mark.fact("NET-01")
def test_every_vpc_cidr_is_private_and_between_16_and_28_bits(synthesized):
    """A VPC's CIDR is an RFC 1918 range, /16 to /28 [002:903-924, 004:7001-7017]."""
    for profile, stack, template in _templates(synthesized):
        for lid, vpc in resources(template, "AWS::EC2::VPC").items():
            network = ipaddress.ip_network(props(vpc)["CidrBlock"])
            assert network.is_private and 16 <= network.prefixlen <= 28, (profile, stack, lid)


@pytest.mark.fact("NET-02")
def test_vpcs_of_different_regions_never_overlap(synthesized):
    """Ranges planned for peering: a deployment's regions never share an address [002:903-924].
    (Architectures of one region each build their own VPC, never peered, on the same range.)"""
    for profile in PROFILES:
        synthesis = synthesized(profile)
        regions = manifest_regions(synthesis.outdir)
        vpcs = [
            (regions[stack], stack, ipaddress.ip_network(props(v)["CidrBlock"]))
            for stack, template in sorted(synthesis.templates.items())
            for v in resources(template, "AWS::EC2::VPC").values()
        ]
        for i, (region_a, a, first) in enumerate(vpcs):
            for region_b, b, second in vpcs[i + 1 :]:
                if region_a != region_b:
                    assert not first.overlaps(second), (profile, a, b)


@pytest.mark.fact("NET-02")
def test_subnets_lie_inside_their_vpc_and_never_overlap(synthesized):
    """Each subnet a slice of its VPC's range, none sharing an address [002:903-960]."""
    for profile, stack, template in _templates(synthesized):
        vpcs = {
            lid: ipaddress.ip_network(props(v)["CidrBlock"])
            for lid, v in resources(template, "AWS::EC2::VPC").items()
        }
        subnets = [
            (lid, ref(props(s)["VpcId"]), ipaddress.ip_network(props(s)["CidrBlock"]))
            for lid, s in resources(template, "AWS::EC2::Subnet").items()
        ]
        for lid, vpc, network in subnets:
            assert network.subnet_of(vpcs[vpc]), (profile, stack, lid)
        for i, (a, _, first) in enumerate(subnets):
            for b, _, second in subnets[i + 1 :]:
                assert not first.overlaps(second), (profile, stack, a, b)


@pytest.mark.fact("NET-06")
def test_every_tier_has_one_subnet_size_in_every_az(synthesized):
    """A tier is the same slice in each AZ (the hands-on's /24 public and /20 private subnets
    over the AZs [004:7026-7065]): no AZ gets a larger or smaller one."""
    for profile, stack, template in _templates(synthesized):
        sizes: dict[str, set[int]] = {}
        for subnet in resources(template, "AWS::EC2::Subnet").values():
            tier = tag(subnet, "aws-cdk:subnet-name")
            sizes.setdefault(tier, set()).add(
                ipaddress.ip_network(props(subnet)["CidrBlock"]).prefixlen
            )
        assert all(len(s) == 1 for s in sizes.values()), (profile, stack, sizes)


@pytest.mark.fact("NET-10", "NET-13", "NET-22")
def test_default_routes_follow_the_tier(synthesized):
    """Public -> internet gateway; application -> a NAT gateway (or a NAT instance: source/dest
    check off, in a public subnet), the one in its own AZ when there is one per AZ; data -> no
    route at all [002:972-1033, 004:7189-7231, 004:2451-2453]."""
    for profile, stack, template in _templates(synthesized):
        subnets = _subnets(template)
        tables = _route_table_of(template)
        routes: dict[str, list[dict]] = {}
        for route in resources(template, "AWS::EC2::Route").values():
            routes.setdefault(ref(props(route)["RouteTableId"]), []).append(props(route))
        gateways = set(resources(template, "AWS::EC2::InternetGateway"))
        nats = {
            **resources(template, "AWS::EC2::NatGateway"),
            **{
                lid: instance
                for lid, instance in resources(template, "AWS::EC2::Instance").items()
                if props(instance).get("SourceDestCheck") is False
            },
        }
        nat_az = {lid: subnets[ref(props(nat)["SubnetId"])]["az"] for lid, nat in nats.items()}
        assert all(
            subnets[ref(props(nat)["SubnetId"])]["type"] == "Public" for nat in nats.values()
        ), (profile, stack)
        one_per_az = set(nat_az.values()) == {s["az"] for s in subnets.values()}
        for sid, subnet in subnets.items():
            found = routes.get(tables[sid], [])
            where = (profile, stack, sid)
            if subnet["type"] == "Public":
                assert [ref(r.get("GatewayId")) for r in found] == [next(iter(gateways))], where
                assert all(r["DestinationCidrBlock"] == "0.0.0.0/0" for r in found), where
            elif subnet["type"] == "Private":
                targets = [ref(r.get("NatGatewayId") or r.get("InstanceId")) for r in found]
                assert len(targets) == 1 and targets[0] in nats, where
                assert found[0]["DestinationCidrBlock"] == "0.0.0.0/0", where
                if one_per_az:
                    assert nat_az[targets[0]] == subnet["az"], where
            else:
                assert found == [], where


@pytest.mark.fact("NET-39")
def test_gateway_endpoints_serve_every_route_table_of_their_vpc(synthesized):
    """S3 and DynamoDB gateway endpoints are free and keep that traffic off NAT: on every
    route table, none left out [002:2760-2782]."""
    for profile, stack, template in _templates(synthesized):
        tables = set(_route_table_of(template).values())
        for lid, endpoint in resources(template, "AWS::EC2::VPCEndpoint").items():
            if props(endpoint).get("VpcEndpointType") != "Gateway":
                continue
            served = [ref(t) for t in props(endpoint).get("RouteTableIds") or []]
            assert sorted(served) == sorted(tables), (profile, stack, lid)


@pytest.mark.fact("NET-08", "NET-12", "NET-23", "WEB-25")
def test_gateways_bastions_balancers_instances_and_databases_sit_in_their_tier(synthesized):
    """NAT gateways, the bastion and internet-facing load balancers in public subnets
    [002:982-986, 002:1017-1033]; the web instances in the application tier; the database's
    subnet group in the data tier [004:2451-2453]. A bastion run by an Auto Scaling group (one
    instance, re-launched in another AZ) stays in the public tier [004:7143]."""

    def tiers(subnets: dict, value) -> set[str]:
        """The subnet types (Public, Private with egress, Isolated) ``value``'s subnets have:
        by type, not by name, so a VPC of other subnet names (a plain ec2.Vpc) is checked too."""
        return {subnets[s]["type"] for s in refs(value) if s in subnets}

    def in_application_tier(subnets: dict, value, data: set[str]) -> bool:
        """Private subnets (with NAT egress, or isolated in a network without NAT), none of
        them a data-tier subnet."""
        return tiers(subnets, value) in ({"Private"}, {"Isolated"}) and not set(refs(value)) & data

    for profile, stack, template in _templates(synthesized):
        subnets = _subnets(template)
        if not subnets:
            continue
        where = (profile, stack)
        data = _data_subnets(template)
        public = _publicly_addressed(template)
        for nat in resources(template, "AWS::EC2::NatGateway").values():
            assert tiers(subnets, props(nat)["SubnetId"]) == {"Public"}, where
        for lid, instance in resources(template, "AWS::EC2::Instance").items():
            # a bastion, a NAT instance or a public server: the public tier; any other
            # instance (a fleet behind a load balancer) the application tier
            edge = (
                lid in public
                or "/Network/" in cdk_path(instance)
                or props(instance).get("SourceDestCheck") is False
            )
            placed = _instance_subnets(instance)
            if edge:
                assert tiers(subnets, placed) == {"Public"}, (*where, lid)
            else:
                assert in_application_tier(subnets, placed, data), (*where, lid)
        for lb in resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values():
            if props(lb).get("Scheme", "internet-facing") == "internet-facing":
                assert tiers(subnets, props(lb)["Subnets"]) == {"Public"}, where
        for group in resources(template, "AWS::AutoScaling::AutoScalingGroup").values():
            placed = props(group)["VPCZoneIdentifier"]
            if "/Network/BastionGroup/" in cdk_path(group):
                assert tiers(subnets, placed) == {"Public"}, where
            else:
                assert in_application_tier(subnets, placed, data), where
        for group in resources(template, "AWS::RDS::DBSubnetGroup").values():
            assert tiers(subnets, props(group)["SubnetIds"]) == {"Isolated"}, where


def _group(template: dict, suffix: str) -> str | None:
    return next(
        (
            lid
            for lid, g in resources(template, "AWS::EC2::SecurityGroup").items()
            if g.get("Metadata", {}).get("aws:cdk:path", "").endswith(suffix)
        ),
        None,
    )


def _database_port(template: dict) -> int:
    """The port the stack's database listens on: its cluster's Port, else its engine's
    default (MySQL 3306, PostgreSQL 5432), else the network's default."""
    for cluster in resources(template, "AWS::RDS::DBCluster").values():
        if "Port" in props(cluster):
            return int(props(cluster)["Port"])
        engine = str(props(cluster).get("Engine", ""))
        return 3306 if "mysql" in engine else 5432
    return DEFAULT_DB_PORT


@pytest.mark.fact("NET-24", "NET-30")
def test_tier_groups_admit_ssh_only_from_the_bastion_and_the_database_only_from_the_app_tier(
    synthesized,
):
    """Private instances accept SSH only from the bastion's group [004:7140]; the database
    only its port, only from the application tier's group [004:2110-2115]."""
    for profile, stack, template in _templates(synthesized):
        app = _group(template, "/Network/AppSecurityGroup/Resource")
        data = _group(template, "/Network/DataSecurityGroup/Resource")
        if app is None or data is None:
            continue
        bastion = _group(
            template, "/Network/Bastion/Resource/InstanceSecurityGroup/Resource"
        ) or _group(template, "/Network/BastionGroupSecurityGroup/Resource")
        port = _database_port(template)
        rules = {
            gid: [
                props(r)
                for r in resources(template, "AWS::EC2::SecurityGroupIngress").values()
                if ref(props(r)["GroupId"]) == gid
            ]
            + props(resources(template, "AWS::EC2::SecurityGroup")[gid]).get(
                "SecurityGroupIngress", []
            )
            for gid in (app, data)
        }
        where = (profile, stack)
        expected_app = [("tcp", 22, 22, bastion)] if bastion else []
        assert [
            (r["IpProtocol"], r["FromPort"], r["ToPort"], ref(r.get("SourceSecurityGroupId")))
            for r in rules[app]
        ] == expected_app, where
        assert [
            (r["IpProtocol"], r["FromPort"], r["ToPort"], ref(r.get("SourceSecurityGroupId")))
            for r in rules[data]
        ] == [("tcp", port, port, app)], where


# -- identity, compute, storage, logs ------------------------------------------------------------
@pytest.mark.fact("API-25", "SITE-01")
def test_no_policy_allows_every_action_or_everyone(synthesized):
    """Least privilege: no Allow statement grants every action, or grants to everyone; a role
    trusts only named service or account principals [FACTS §3, 002:2116-2130]."""
    for profile, stack, template in _templates(synthesized):
        for lid, statement in _statements(template):
            if statement.get("Effect") != "Allow":
                continue
            where = (profile, stack, lid)
            actions = statement.get("Action")
            actions = actions if isinstance(actions, list) else [actions]
            assert "*" not in actions, where
            assert statement.get("Principal") not in ("*", {"AWS": "*"}), where
        for lid, role in resources(template, "AWS::IAM::Role").items():
            for statement in props(role)["AssumeRolePolicyDocument"]["Statement"]:
                principal = statement.get("Principal") or {}
                assert set(principal) <= {"Service", "AWS"}, (profile, stack, lid)


def _parameter_default(template: dict, value) -> str:
    name = ref(value)
    return str(((template.get("Parameters") or {}).get(name) or {}).get("Default", ""))


def test_every_instance_runs_amazon_linux_2023_with_imdsv2_and_encrypted_volumes(synthesized):
    """Amazon Linux 2023 from its SSM parameter, IMDSv2 required, encrypted EBS volumes: for the
    bastion and the web instances alike."""
    for profile, stack, template in _templates(synthesized):
        launch_templates = resources(template, "AWS::EC2::LaunchTemplate")
        for lid, instance in resources(template, "AWS::EC2::Instance").items():
            # referenced by name, its version by Fn::GetAtt
            used = [r for r in refs(props(instance).get("LaunchTemplate")) if r in launch_templates]
            data = props(launch_templates[used[0]]).get("LaunchTemplateData", {}) if used else {}
            where = (profile, stack, lid)
            assert "/al2023-ami-" in _parameter_default(template, props(instance)["ImageId"]), where
            metadata = props(instance).get("MetadataOptions") or data.get("MetadataOptions")
            assert (metadata or {}).get("HttpTokens") == "required", where
            volumes = props(instance).get("BlockDeviceMappings") or []
            assert volumes and all(v["Ebs"]["Encrypted"] is True for v in volumes), where
        for lid, launch_template in launch_templates.items():
            data = props(launch_template).get("LaunchTemplateData", {})
            if "ImageId" not in data:
                continue  # an instance's metadata-only template, checked with the instance
            where = (profile, stack, lid)
            assert "/al2023-ami-" in _parameter_default(template, data["ImageId"]), where
            assert (data.get("MetadataOptions") or {}).get("HttpTokens") == "required", where
            volumes = data.get("BlockDeviceMappings") or []
            assert volumes and all(v["Ebs"]["Encrypted"] is True for v in volumes), where


@pytest.mark.fact("SITE-04", "SITE-06", "SITE-08", "SITE-09")
def test_every_bucket_is_encrypted_versioned_private_and_tls_only(synthesized):
    """Encryption at rest, versioning, all four public-access blocks, and a policy refusing
    plain HTTP [004:2727-2801, 004:2976-3122]."""
    for profile, stack, template in _templates(synthesized):
        policies = {
            ref(props(p)["Bucket"]): props(p)["PolicyDocument"]["Statement"]
            for p in resources(template, "AWS::S3::BucketPolicy").values()
        }
        for lid, bucket in resources(template, "AWS::S3::Bucket").items():
            p, where = props(bucket), (profile, stack, lid)
            assert p.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration"), where
            assert p.get("VersioningConfiguration") == {"Status": "Enabled"}, where
            block = p.get("PublicAccessBlockConfiguration") or {}
            assert all(
                block.get(k) is True
                for k in (
                    "BlockPublicAcls",
                    "BlockPublicPolicy",
                    "IgnorePublicAcls",
                    "RestrictPublicBuckets",
                )
            ), where
            assert any(
                s.get("Effect") == "Deny"
                and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
                for s in policies.get(lid, [])
            ), where


def test_every_log_group_has_a_retention(synthesized):
    """Logs expire: no group keeps (and bills for) them forever."""
    for profile, stack, template in _templates(synthesized):
        for lid, group in resources(template, "AWS::Logs::LogGroup").items():
            assert isinstance(props(group).get("RetentionInDays"), int), (profile, stack, lid)


@pytest.mark.fact("WEB-16")
def test_every_https_listener_negotiates_tls_1_2_or_newer(synthesized):
    for profile, stack, template in _templates(synthesized):
        for lid, listener in resources(template, "AWS::ElasticLoadBalancingV2::Listener").items():
            if props(listener).get("Protocol") == "HTTPS":
                policy = str(props(listener).get("SslPolicy", ""))
                assert re.search(r"TLS13|TLS-1-2", policy), (profile, stack, lid, policy)


@pytest.mark.fact("API-17")
def test_every_api_method_validates_its_request_and_the_function_traces(synthesized):
    """Request validation on every method, and active X-Ray tracing on the function behind
    them [004:4841-4852]."""
    for profile, stack, template in _templates(synthesized):
        functions = set()
        for lid, method in resources(template, "AWS::ApiGateway::Method").items():
            if props(method).get("HttpMethod") == "OPTIONS":
                continue
            assert ref(props(method).get("RequestValidatorId")), (profile, stack, lid)
            functions |= set(refs((props(method).get("Integration") or {}).get("Uri")))
        for lid in functions & set(resources(template, "AWS::Lambda::Function")):
            function = resources(template, "AWS::Lambda::Function")[lid]
            assert props(function).get("TracingConfig") == {"Mode": "Active"}, (profile, stack)


def test_every_rotated_secret_rotates_at_least_every_30_days(synthesized):
    for profile, stack, template in _templates(synthesized):
        for lid, schedule in resources(template, "AWS::SecretsManager::RotationSchedule").items():
            rules = props(schedule).get("RotationRules") or {}
            days = rules.get("AutomaticallyAfterDays")
            match = re.fullmatch(r"rate\((\d+) days?\)", str(rules.get("ScheduleExpression", "")))
            days = int(match.group(1)) if match else days
            assert isinstance(days, int) and 1 <= days <= 30, (profile, stack, lid, rules)


def _literal_length(value) -> int | None:
    """Characters of a user-data script: a literal, or a join of literals (tokens count 0)."""
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        lengths = [_literal_length(p) or 0 for p in parts]
        return sum(lengths) + len(separator.encode()) * max(len(parts) - 1, 0)
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return _literal_length(sub if isinstance(sub, str) else sub[0])
    return None


@pytest.mark.fact("WEB-38")
def test_user_data_stays_under_16_kb_and_holds_no_secret(synthesized):
    """User data runs once at first boot as root, at most 16 KB, never secrets [002:1515-1549]."""
    for profile, stack, template in _templates(synthesized):
        holders = [
            (lid, props(r).get("UserData"))
            for lid, r in resources(template, "AWS::EC2::Instance").items()
        ] + [
            (lid, props(r).get("LaunchTemplateData", {}).get("UserData"))
            for lid, r in resources(template, "AWS::EC2::LaunchTemplate").items()
        ]
        for lid, user_data in holders:
            if user_data is None:
                continue
            script = user_data.get("Fn::Base64") if isinstance(user_data, dict) else None
            length = _literal_length(script)
            assert length is not None and length <= 16 * 1024, (profile, stack, lid, length)
            text = str(script)
            assert not re.search(r"(?i)(password|secret|aws_secret_access_key)\s*=", text), lid


# -- the facts every option template holds too (caught by make mutation's option mutants) -------
def _ingress(template: dict) -> Iterator[tuple[str, dict]]:
    """(group id, rule) of every ingress rule: inline on a group or a resource of its own."""
    for lid, group in resources(template, "AWS::EC2::SecurityGroup").items():
        for rule in props(group).get("SecurityGroupIngress") or []:
            yield lid, rule
    for rule in resources(template, "AWS::EC2::SecurityGroupIngress").values():
        yield ref(props(rule)["GroupId"]), props(rule)


def _ports(rule: dict) -> range:
    return range(int(rule.get("FromPort", 0)), int(rule.get("ToPort", 65535)) + 1)


def _balancer_groups(template: dict) -> dict[str, set[int]]:
    """Security group id -> the listener ports of the internet-facing load balancers in it."""
    listeners: dict[str, set[int]] = {}
    for listener in resources(template, "AWS::ElasticLoadBalancingV2::Listener").values():
        listeners.setdefault(ref(props(listener)["LoadBalancerArn"]), set()).add(
            int(props(listener)["Port"])
        )
    groups: dict[str, set[int]] = {}
    for lid, lb in resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").items():
        if props(lb).get("Scheme", "internet-facing") != "internet-facing":
            continue
        for group in refs(props(lb).get("SecurityGroups")):
            groups.setdefault(group, set()).update(listeners.get(lid, set()))
    return groups


def _instance_groups(instance: dict) -> set[str]:
    """An instance's security groups: its own SecurityGroupIds, or its interfaces' GroupSet."""
    interfaces = props(instance).get("NetworkInterfaces") or []
    return set(refs(props(instance).get("SecurityGroupIds"))) | {
        group for interface in interfaces for group in refs(interface.get("GroupSet"))
    }


def _public_server_groups(template: dict) -> set[str]:
    """The groups whose every member is a public server (a publicly addressed instance that is
    no bastion or NAT instance and sits behind no load balancer): WhatIsTheTime v1-v4."""
    instances = resources(template, "AWS::EC2::Instance")
    public = _publicly_addressed(template)
    network = {lid for lid, instance in instances.items() if "/Network/" in cdk_path(instance)}
    members: dict[str, set[str]] = {}
    for lid, instance in instances.items():
        for group in _instance_groups(instance):
            members.setdefault(group, set()).add(lid)
    targeted = {
        instance
        for target_group in resources(template, "AWS::ElasticLoadBalancingV2::TargetGroup").values()
        for target in props(target_group).get("Targets") or []
        for instance in refs(target.get("Id"))
    }
    return {
        group
        for group, members_of in members.items()
        if members_of <= public and not members_of & (targeted | network)
    }


@pytest.mark.fact("NET-25", "WEB-40")
def test_only_internet_facing_load_balancers_admit_anyone_and_only_on_their_listener_ports(
    synthesized,
):
    """0.0.0.0/0 (or ::/0) reaches an internet-facing load balancer's listener ports and nothing
    else: no bastion, NAT instance or app instance admits the whole internet [004:1062-1065,
    004:7141]; and every listener's port is open on its load balancer's group."""
    for profile, stack, template in _templates(synthesized):
        balancers = _balancer_groups(template)
        servers = _public_server_groups(template)
        for group, rule in _ingress(template):
            if rule.get("CidrIp") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0":
                where = (profile, stack, group, rule.get("FromPort"))
                if group in servers:
                    # the notes' v1-v4: clients reach the instances themselves, on HTTP(S) only
                    assert set(_ports(rule)) <= {80, 443}, where
                    continue
                assert group in balancers, where
                assert set(_ports(rule)) <= balancers[group], where
        for group, ports in balancers.items():
            opened = {p for g, rule in _ingress(template) if g == group for p in _ports(rule)}
            assert ports <= opened, (profile, stack, group, ports - opened)


@pytest.mark.fact("NET-25")
def test_the_bastion_admits_ssh_alone(synthesized):
    """A bastion's group admits port 22 and nothing else [004:7141]."""
    suffixes = (
        "/Bastion/Resource/InstanceSecurityGroup/Resource",
        "/BastionGroupSecurityGroup/Resource",
    )
    for profile, stack, template in _templates(synthesized):
        for lid, group in resources(template, "AWS::EC2::SecurityGroup").items():
            if not cdk_path(group).endswith(suffixes):
                continue
            rules = [rule for g, rule in _ingress(template) if g == lid]
            assert all(
                (r["IpProtocol"], r["FromPort"], r["ToPort"]) == ("tcp", 22, 22) for r in rules
            ), (
                profile,
                stack,
                lid,
            )


@pytest.mark.fact("WEB-13", "WEB-27", "WEB-40")
def test_targets_admit_their_port_only_from_their_load_balancer_and_are_health_checked(
    synthesized,
):
    """Each instance or IP target group checks a health path; its Auto Scaling groups replace
    what the load balancer finds unhealthy (HealthCheckType ELB); its instances admit the
    target port from the load balancer's group, and the load balancer's group may reach each IP
    target on it [004:1062-1065, 004:926-1023, 002:2184-2217]."""
    for profile, stack, template in _templates(synthesized):
        groups = resources(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
        launch_templates = resources(template, "AWS::EC2::LaunchTemplate")
        balancer_groups = set(_balancer_groups(template))
        for tg_id, target_group in groups.items():
            kind = props(target_group).get("TargetType", "instance")
            if kind == "lambda":
                continue
            where = (profile, stack, tg_id)
            port = int(props(target_group)["Port"])
            assert props(target_group).get("HealthCheckPath"), where
            assert props(target_group).get("HealthCheckEnabled", True) is not False, where
            if kind == "ip":
                egress = [
                    rule
                    for group in balancer_groups
                    for rule in props(resources(template, "AWS::EC2::SecurityGroup")[group]).get(
                        "SecurityGroupEgress"
                    )
                    or []
                ] + [
                    props(rule)
                    for rule in resources(template, "AWS::EC2::SecurityGroupEgress").values()
                    if ref(props(rule)["GroupId"]) in balancer_groups
                ]
                for target in props(target_group).get("Targets") or []:
                    assert any(
                        rule.get("CidrIp") == f"{target['Id']}/32" and port in _ports(rule)
                        for rule in egress
                    ), (*where, target["Id"])
                continue
            for asg in resources(template, "AWS::AutoScaling::AutoScalingGroup").values():
                if tg_id not in refs(props(asg).get("TargetGroupARNs")):
                    continue
                assert props(asg).get("HealthCheckType") == "ELB", where
                used = [r for r in refs(props(asg).get("LaunchTemplate")) if r in launch_templates]
                data = props(launch_templates[used[0]])["LaunchTemplateData"]
                instance_groups = set(refs(data.get("SecurityGroupIds")))
                admitted = [
                    rule
                    for group, rule in _ingress(template)
                    if group in instance_groups
                    and ref(rule.get("SourceSecurityGroupId")) in balancer_groups
                ]
                assert any(port in _ports(rule) for rule in admitted), where
            # instances registered by id (a fixed fleet behind the load balancer, no ASG)
            instances = resources(template, "AWS::EC2::Instance")
            for target in props(target_group).get("Targets") or []:
                [instance_id] = [r for r in refs(target.get("Id")) if r in instances]
                instance_groups = _instance_groups(instances[instance_id])
                admitted = [
                    rule
                    for group, rule in _ingress(template)
                    if group in instance_groups
                    and ref(rule.get("SourceSecurityGroupId")) in balancer_groups
                ]
                assert any(port in _ports(rule) for rule in admitted), (*where, instance_id)


@pytest.mark.fact("API-06", "API-15", "API-30", "API-31")
def test_every_api_method_is_authorized_every_stage_throttles_and_every_table_is_recoverable(
    synthesized,
):
    """Every method asks for authorization (IAM, Cognito or a Lambda authorizer); every stage
    throttles and logs all its methods; every table, and each replica of a global one, keeps
    point-in-time recovery and is encrypted [004:4841-4944, 002:3467-3675]."""
    for profile, stack, template in _templates(synthesized):
        for lid, method in resources(template, "AWS::ApiGateway::Method").items():
            if props(method)["HttpMethod"] == "OPTIONS":
                continue
            kinds = {"AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM"}
            assert props(method).get("AuthorizationType") in kinds, (profile, stack, lid)
        for lid, stage in resources(template, "AWS::ApiGateway::Stage").items():
            every = [
                s
                for s in props(stage).get("MethodSettings") or []
                if s.get("ResourcePath") == "/*" and s.get("HttpMethod") == "*"
            ]
            where = (profile, stack, lid)
            assert len(every) == 1, where
            assert every[0].get("ThrottlingRateLimit") and every[0].get("ThrottlingBurstLimit"), (
                where
            )
            assert every[0].get("LoggingLevel") in ("INFO", "ERROR"), where
        for lid, table in resources(template, "AWS::DynamoDB::Table").items():
            where = (profile, stack, lid)
            pitr = props(table).get("PointInTimeRecoverySpecification") or {}
            assert pitr.get("PointInTimeRecoveryEnabled") is True, where
            assert (props(table).get("SSESpecification") or {}).get("SSEEnabled") is True, where
        for lid, table in resources(template, "AWS::DynamoDB::GlobalTable").items():
            where = (profile, stack, lid)
            assert (props(table).get("SSESpecification") or {}).get("SSEEnabled") is True, where
            replicas = props(table).get("Replicas") or []
            assert replicas, where
            for replica in replicas:
                pitr = replica.get("PointInTimeRecoverySpecification") or {}
                assert pitr.get("PointInTimeRecoveryEnabled") is True, (*where, replica["Region"])


@pytest.mark.fact("SITE-22")
def test_every_distribution_behaviour_keeps_viewers_on_https(synthesized):
    """Every behaviour of every distribution redirects HTTP to HTTPS or accepts HTTPS only."""
    for profile, stack, template in _templates(synthesized):
        for lid, distribution in resources(template, "AWS::CloudFront::Distribution").items():
            config = props(distribution)["DistributionConfig"]
            for behaviour in [
                config["DefaultCacheBehavior"],
                *(config.get("CacheBehaviors") or []),
            ]:
                policy = behaviour.get("ViewerProtocolPolicy")
                assert policy in ("redirect-to-https", "https-only"), (profile, stack, lid)


@pytest.mark.fact("SITE-10")
def test_a_distribution_logs_to_the_bucket_its_origin_bucket_logs_to(synthesized):
    """Where the site bucket (the default behaviour's origin, or its failover group's primary)
    writes its S3 server access logs to a log bucket, CloudFront's standard logs go to that same
    bucket, and nowhere when it keeps none."""
    logging = 0
    for profile, stack, template in _templates(synthesized):
        buckets = resources(template, "AWS::S3::Bucket")
        for lid, distribution in resources(template, "AWS::CloudFront::Distribution").items():
            config = props(distribution)["DistributionConfig"]
            primary = config["DefaultCacheBehavior"]["TargetOriginId"]
            for group in (config.get("OriginGroups") or {}).get("Items") or []:
                if group["Id"] == primary:  # a failover group: its first member is the site
                    primary = group["Members"]["Items"][0]["OriginId"]
            origins = {
                bucket
                for origin in config.get("Origins") or []
                if origin["Id"] == primary
                for bucket in refs(origin.get("DomainName"))
                if bucket in buckets
            }
            log_buckets = {
                ref(
                    (props(buckets[b]).get("LoggingConfiguration") or {}).get(
                        "DestinationBucketName"
                    )
                )
                for b in origins
            } - {None}
            logged_to = set(refs((config.get("Logging") or {}).get("Bucket"))) & set(buckets)
            assert logged_to == log_buckets, (profile, stack, lid, logged_to, log_buckets)

            logging += bool(log_buckets)
    assert logging, "no distribution's site bucket keeps logs: the relation went unchecked"


# -- queues, topics, buckets and data services (issue #15) ----------------------------------------
def _arn_of(value) -> str | None:
    """The logical id a ``Fn::GetAtt [X, Arn]`` (or a Ref) names."""
    return next(iter(refs(value)), None)


def _dead_letter_targets(template: dict) -> dict[str, set[str]]:
    """Queue id -> the queues and subscriptions whose redrive policy names it."""
    targets: dict[str, set[str]] = {}
    for kind in ("AWS::SQS::Queue", "AWS::SNS::Subscription"):
        for lid, resource in resources(template, kind).items():
            redrive = props(resource).get("RedrivePolicy") or {}
            target = _arn_of(redrive.get("deadLetterTargetArn"))
            if target:
                targets.setdefault(target, set()).add(lid)
    return targets


@pytest.mark.fact("QW-08", "QW-09", "FAN-16")
def test_every_queue_is_encrypted_at_rest_and_long_polls(synthesized):
    """SQS encrypts with its own keys (or a KMS key) and an empty receive waits 20 s, the most
    SQS allows, for a message instead of returning at once [004:3850-3890]."""
    for profile, stack, template in _templates(synthesized):
        for lid, queue in resources(template, "AWS::SQS::Queue").items():
            p = props(queue)
            assert p.get("SqsManagedSseEnabled") is True or p.get("KmsMasterKeyId"), (
                profile,
                stack,
                lid,
            )
            assert p.get("ReceiveMessageWaitTimeSeconds") == 20, (profile, stack, lid)


@pytest.mark.fact("QW-03", "QW-04", "QW-05", "FAN-11", "FAN-12")
def test_every_queue_has_a_dead_letter_queue_that_only_collects_failures(synthesized):
    """Each queue of a template redrives into a dead-letter queue of its own kind (FIFO or
    standard) that keeps messages at least as long, or is one: a dead-letter queue redrives
    nowhere and no subscription delivers to it [004:3900-3935]."""
    for profile, stack, template in _templates(synthesized):
        queues = resources(template, "AWS::SQS::Queue")
        targets = _dead_letter_targets(template)
        delivered = {
            _arn_of(props(s).get("Endpoint"))
            for s in resources(template, "AWS::SNS::Subscription").values()
        }
        # a topic's subscriptions share its dead-letter queue, all of them or none
        redriven: dict[str, set[bool]] = {}
        for subscription in resources(template, "AWS::SNS::Subscription").values():
            topic = json.dumps(props(subscription).get("TopicArn"), sort_keys=True)
            redriven.setdefault(topic, set()).add("RedrivePolicy" in props(subscription))
        assert all(len(kinds) == 1 for kinds in redriven.values()), (profile, stack, redriven)
        for lid, queue in queues.items():
            p = props(queue)
            where = (profile, stack, lid)
            if lid in targets:
                assert "RedrivePolicy" not in p and lid not in delivered, where
                continue
            redrive = p.get("RedrivePolicy")
            assert redrive, f"{where}: neither redrives into a dead-letter queue nor is one"
            dlq = _arn_of(redrive["deadLetterTargetArn"])
            if dlq not in queues:  # an existing dead-letter queue, passed in by ARN
                continue
            assert bool(props(queues[dlq]).get("FifoQueue")) is bool(p.get("FifoQueue")), where
            keep = props(queues[dlq]).get("MessageRetentionPeriod", 345600)
            assert keep >= p.get("MessageRetentionPeriod", 345600), where


@pytest.mark.fact("FAN-04")
def test_every_queue_policy_names_the_queues_it_is_attached_to(synthesized):
    """A queue policy is a resource policy: each statement's resource is a queue the policy is
    attached to, so no policy grants on a queue it does not guard [004:4126-4133]."""
    for profile, stack, template in _templates(synthesized):
        for lid, policy in resources(template, "AWS::SQS::QueuePolicy").items():
            attached = {ref(q) for q in props(policy)["Queues"]}
            for statement in props(policy)["PolicyDocument"]["Statement"]:
                named = set(refs(statement.get("Resource")))
                assert named and named <= attached, (profile, stack, lid, statement)


def _log_buckets(template: dict) -> set[str]:
    """The buckets some resource delivers logs into (S3 server access logs, CloudFront, a load
    balancer's access logs)."""
    found = {
        ref(props(b)["LoggingConfiguration"].get("DestinationBucketName"))
        for b in resources(template, "AWS::S3::Bucket").values()
        if props(b).get("LoggingConfiguration")
    }
    for distribution in resources(template, "AWS::CloudFront::Distribution").values():
        logging = (props(distribution).get("DistributionConfig") or {}).get("Logging") or {}
        found |= set(refs(logging.get("Bucket")))
    for balancer in resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values():
        for attribute in props(balancer).get("LoadBalancerAttributes") or []:
            if attribute.get("Key") == "access_logs.s3.bucket":
                found |= set(refs(attribute.get("Value")))
    return found - {None}


def _made_for_logs(bucket: dict) -> bool:
    """A log bucket of the kernel's (``_log_bucket``): its one rule expires what it holds."""
    rules = (props(bucket).get("LifecycleConfiguration") or {}).get("Rules") or []
    return any(rule.get("Id") == "ExpireLogs" for rule in rules)


@pytest.mark.fact("DP-07", "DP-09")
def test_every_bucket_expires_old_versions_and_access_logs_go_to_a_log_bucket(synthesized):
    """Every bucket's lifecycle deletes replaced versions and unfinished uploads [004:2996-2999];
    server access logs go into a bucket that logs nowhere itself and expires what it holds, and
    no data service (Firehose, Athena, a Glue table) writes into a log bucket."""
    for profile, stack, template in _templates(synthesized):
        buckets = resources(template, "AWS::S3::Bucket")
        logs = _log_buckets(template)
        for lid, bucket in buckets.items():
            where = (profile, stack, lid)
            rules = (props(bucket).get("LifecycleConfiguration") or {}).get("Rules") or []
            assert any(r.get("NoncurrentVersionExpiration") for r in rules), where
            assert any(r.get("AbortIncompleteMultipartUpload") for r in rules), where
            if lid in logs:
                assert "LoggingConfiguration" not in props(bucket), where
                assert any(r.get("ExpirationInDays") for r in rules), where
            # a log bucket made for a writer receives its logs
            assert (lid in logs) is _made_for_logs(bucket), where
        writers = [
            *(
                props(d).get("ExtendedS3DestinationConfiguration", {}).get("BucketARN")
                for d in resources(template, "AWS::KinesisFirehose::DeliveryStream").values()
            ),
            *(
                (props(w).get("WorkGroupConfiguration") or {}).get("ResultConfiguration")
                for w in resources(template, "AWS::Athena::WorkGroup").values()
            ),
            *(
                (props(t).get("TableInput") or {}).get("StorageDescriptor")
                for t in resources(template, "AWS::Glue::Table").values()
            ),
        ]
        for written in writers:
            assert not set(refs(written)) & logs, (profile, stack, written)
            # and what a data service writes into logs its access, to a log bucket
            for bucket in set(refs(written)) & set(buckets):
                logging = props(buckets[bucket]).get("LoggingConfiguration") or {}
                assert ref(logging.get("DestinationBucketName")) in logs, (profile, stack, bucket)


@pytest.mark.fact("QW-02", "QW-03")
def test_every_queue_consumer_reads_a_working_queue_and_reports_partial_batch_failures(
    synthesized,
):
    """A Lambda consumer polls a queue that is no dead-letter queue, and reports the messages it
    failed so that only those return to the queue [004:3812, 004:4067]."""
    for profile, stack, template in _templates(synthesized):
        queues = resources(template, "AWS::SQS::Queue")
        dead_letters = _dead_letter_targets(template)
        for lid, mapping in resources(template, "AWS::Lambda::EventSourceMapping").items():
            source = _arn_of(props(mapping).get("EventSourceArn"))
            if source not in queues:
                continue
            assert source not in dead_letters, (profile, stack, lid)
            assert "ReportBatchItemFailures" in props(mapping).get("FunctionResponseTypes", [])


def _prefix_root(prefix: object) -> str:
    return str(prefix).split("!{", 1)[0]


@pytest.mark.fact("STR-06", "STR-11", "STR-13", "STR-14", "STR-17")
def test_streams_are_encrypted_and_firehose_athena_and_glue_agree_on_where_the_data_lies(
    synthesized,
):
    """Every stream is encrypted at rest; every delivery stream writes under a dated prefix,
    keeps failures under an error prefix of their own and logs its errors; a Glue table of the
    template reads that very bucket and prefix, partitioned by the prefix's key; a work group
    enforces its settings and writes results into a bucket of its own [004:4160-4303]."""
    for profile, stack, template in _templates(synthesized):
        for lid, stream in resources(template, "AWS::Kinesis::Stream").items():
            encryption = props(stream).get("StreamEncryption") or {}
            assert encryption.get("EncryptionType") == "KMS", (profile, stack, lid)
        deliveries = {}
        for lid, delivery in resources(template, "AWS::KinesisFirehose::DeliveryStream").items():
            s3 = props(delivery)["ExtendedS3DestinationConfiguration"]
            prefix, errors = s3.get("Prefix"), s3.get("ErrorOutputPrefix")
            assert prefix and "!{timestamp:" in prefix, (profile, stack, lid)
            assert errors and _prefix_root(errors) != _prefix_root(prefix), (profile, stack, lid)
            assert "!{firehose:error-output-type}" in errors, (profile, stack, lid)
            logging = s3.get("CloudWatchLoggingOptions") or {}
            assert logging.get("Enabled") is True and logging.get("LogGroupName"), lid
            deliveries[_arn_of(s3["BucketARN"])] = prefix
        for lid, table in resources(template, "AWS::Glue::Table").items():
            table_input = props(table)["TableInput"]
            location = table_input["StorageDescriptor"]["Location"]
            bucket = next(iter(refs(location)), None)
            if bucket not in deliveries:
                continue
            prefix = deliveries[bucket]
            tail = location["Fn::Join"][1][-1]
            assert tail.strip("/") == _prefix_root(prefix).split("/dt=")[0].strip("/"), lid
            keys = [k["Name"] for k in table_input.get("PartitionKeys") or []]
            assert keys and all(f"{key}=" in prefix for key in keys), (profile, stack, lid)
        for lid, group in resources(template, "AWS::Athena::WorkGroup").items():
            config = props(group)["WorkGroupConfiguration"]
            assert config.get("EnforceWorkGroupConfiguration") is True, (profile, stack, lid)
            results = set(refs(config["ResultConfiguration"]))
            assert results and not results & set(deliveries), (profile, stack, lid)
