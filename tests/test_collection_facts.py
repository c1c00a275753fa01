"""Facts that hold for every stack of the collection, in both profiles: each architecture that
builds a VPC, a bucket, a role or an instance builds it the way the notes teach, not only the
Network stack. ``make mutation`` runs these with every architecture's own fact tests.

References are ``[file:line]`` in the study notes (../shared/notes/).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

import pytest

from tests.template_queries import props, ref, resources
from tools.cost import manifest_regions
from tools.synthesis import PROFILES
from tools.topology import refs, tag

# the network's default database port (ThreeTierNetwork db_port, PostgreSQL)
DEFAULT_DB_PORT = 5432


def _templates(synthesized) -> Iterator[tuple[str, str, dict]]:
    for profile in PROFILES:
        for stack, template in sorted(synthesized(profile).templates.items()):
            yield profile, stack, template


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


def _statements(template: dict) -> Iterator[tuple[str, dict]]:
    keys = ("PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy", "ResourcePolicy")
    for lid, resource in sorted((template.get("Resources") or {}).items()):
        documents = [props(resource)[k] for k in keys if isinstance(props(resource).get(k), dict)]
        documents += [p.get("PolicyDocument") or {} for p in props(resource).get("Policies") or []]
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
    """Public -> internet gateway; application -> a NAT gateway, the one in its own AZ when there
    is one per AZ; data -> no route at all [002:972-1033, 004:7189-7231, 004:2451-2453]."""
    for profile, stack, template in _templates(synthesized):
        subnets = _subnets(template)
        tables = _route_table_of(template)
        routes: dict[str, list[dict]] = {}
        for route in resources(template, "AWS::EC2::Route").values():
            routes.setdefault(ref(props(route)["RouteTableId"]), []).append(props(route))
        gateways = set(resources(template, "AWS::EC2::InternetGateway"))
        nats = resources(template, "AWS::EC2::NatGateway")
        nat_az = {lid: subnets[ref(props(nat)["SubnetId"])]["az"] for lid, nat in nats.items()}
        one_per_az = set(nat_az.values()) == {s["az"] for s in subnets.values()}
        for sid, subnet in subnets.items():
            found = routes.get(tables[sid], [])
            where = (profile, stack, sid)
            if subnet["type"] == "Public":
                assert [ref(r.get("GatewayId")) for r in found] == [next(iter(gateways))], where
                assert all(r["DestinationCidrBlock"] == "0.0.0.0/0" for r in found), where
            elif subnet["type"] == "Private":
                targets = [ref(r.get("NatGatewayId")) for r in found]
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
    subnet group in the data tier [004:2451-2453]."""

    def tiers(subnets: dict, value) -> set[str]:
        return {subnets[s]["name"] for s in refs(value) if s in subnets}

    for profile, stack, template in _templates(synthesized):
        subnets = _subnets(template)
        if not subnets:
            continue
        where = (profile, stack)
        for nat in resources(template, "AWS::EC2::NatGateway").values():
            assert tiers(subnets, props(nat)["SubnetId"]) == {"Public"}, where
        for instance in resources(template, "AWS::EC2::Instance").values():
            assert tiers(subnets, props(instance).get("SubnetId")) == {"Public"}, where
        for lb in resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values():
            if props(lb).get("Scheme", "internet-facing") == "internet-facing":
                assert tiers(subnets, props(lb)["Subnets"]) == {"Public"}, where
        for group in resources(template, "AWS::AutoScaling::AutoScalingGroup").values():
            assert tiers(subnets, props(group)["VPCZoneIdentifier"]) == {"Application"}, where
        for group in resources(template, "AWS::RDS::DBSubnetGroup").values():
            assert tiers(subnets, props(group)["SubnetIds"]) == {"Data"}, where


def _group(template: dict, suffix: str) -> str | None:
    return next(
        (
            lid
            for lid, g in resources(template, "AWS::EC2::SecurityGroup").items()
            if g.get("Metadata", {}).get("aws:cdk:path", "").endswith(suffix)
        ),
        None,
    )


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
        bastion = _group(template, "/Network/Bastion/Resource/InstanceSecurityGroup/Resource")
        clusters = resources(template, "AWS::RDS::DBCluster").values()
        port = next((props(c)["Port"] for c in clusters if "Port" in props(c)), DEFAULT_DB_PORT)
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
            assert (data.get("MetadataOptions") or {}).get("HttpTokens") == "required", where
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
