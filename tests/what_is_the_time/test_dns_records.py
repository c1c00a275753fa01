"""What DnsRecords exists for (notes [004:2126-2134], [004:2183-2204], [004:2283-2285],
[004:2356-2367], [001:914-918]), asserted as relations on one small stack: a private zone
aliasing a load balancer (v5 on), a public zone with health-checked multivalue records (v4,
fixed), and a simple record with a TTL in an existing zone (v4)."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnElement, CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from aws_cdk.assertions import Template

from constructs_lib.dns_records import DnsRecords
from tests.conftest import PINNED_ENV
from tests.template_queries import props, ref, resources

PRIVATE_ZONE = "whatisthetime.internal"
PUBLIC_ZONE = "whatisthetime.example.com"
EXISTING_ZONE_ID = "Z0123456789ABCDEFGHIJ"
LITERAL_PUBLIC = "52.87.202.214"
SIMPLE_ADDRESSES = ["10.0.1.10", "10.0.2.10"]


@pytest.fixture(scope="module")
def built() -> dict:
    """One stack, synthesized once: every construct under test and its template."""
    stack = Stack(App(), "DnsRecordsTest", env=PINNED_ENV)
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        availability_zones=["us-east-1a", "us-east-1b"],
        nat_gateways=0,
        restrict_default_security_group=False,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)
        ],
    )
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc, internet_facing=True)
    ips = [ec2.CfnEIP(stack, f"Ip{n}") for n in (1, 2)]
    existing = route53.HostedZone.from_hosted_zone_attributes(
        stack, "Existing", hosted_zone_id=EXISTING_ZONE_ID, zone_name="corp.example.org."
    )
    dns = {
        "private": DnsRecords(stack, "Private", zone_name=PRIVATE_ZONE, vpc=vpc, load_balancer=alb),
        "unevaluated": DnsRecords(
            stack,
            "Unevaluated",
            zone_name="other.internal",
            vpc=vpc,
            record_name="api",
            load_balancer=alb,
            evaluate_target_health=False,
            removal_policy=RemovalPolicy.RETAIN,
        ),
        "checked": DnsRecords(
            stack,
            "Checked",
            zone_name=PUBLIC_ZONE,
            public=True,
            record_name="www",
            addresses=[ips[0].ref, ips[1].ref, LITERAL_PUBLIC],
            ttl=Duration.seconds(60),
            health_checks=True,
            health_check_port=8080,
            health_check_path="/ping",
        ),
        "simple": DnsRecords(
            stack, "Simple", hosted_zone=existing, record_name="time", addresses=SIMPLE_ADDRESSES
        ),
    }
    template = Template.from_stack(stack).to_json()
    return {"dns": dns, "template": template, "stack": stack, "vpc": vpc, "alb": alb, "ips": ips}


def _logical_id(built: dict, construct) -> str:
    element = construct if isinstance(construct, CfnElement) else construct.node.default_child
    return built["stack"].get_logical_id(element)


def _owned(built: dict, resource_type: str, key: str) -> dict[str, dict]:
    """The resources of ``resource_type`` that the DnsRecords ``built["dns"][key]`` made."""
    owned = {
        built["stack"].get_logical_id(child)
        for child in built["dns"][key].node.find_all()
        if isinstance(child, CfnResource)
    }
    found = resources(built["template"], resource_type)
    return {lid: r for lid, r in found.items() if lid in owned}


def _records(built: dict, key: str) -> list[dict]:
    template = built["template"]
    return [template["Resources"][_logical_id(built, r)] for r in built["dns"][key].records]


# -- the zones ------------------------------------------------------------------------------------


def test_the_private_zone_is_associated_with_this_vpc(built):
    zone = built["template"]["Resources"][_logical_id(built, built["dns"]["private"].hosted_zone)]
    vpc_id = _logical_id(built, built["vpc"])
    assert props(zone)["Name"] == f"{PRIVATE_ZONE}."
    assert props(zone)["VPCs"] == [{"VPCId": {"Ref": vpc_id}, "VPCRegion": "us-east-1"}]


def test_a_public_zone_has_no_vpc_and_outputs_its_name_servers_for_delegation(built):
    checked = built["dns"]["checked"]
    zone_id = _logical_id(built, checked.hosted_zone)
    zone = built["template"]["Resources"][zone_id]
    assert props(zone)["Name"] == f"{PUBLIC_ZONE}."
    assert "VPCs" not in props(zone)
    (output,) = [
        o
        for o in built["template"]["Outputs"].values()
        if o["Value"] == {"Fn::Join": [",", {"Fn::GetAtt": [zone_id, "NameServers"]}]}
    ]
    assert PUBLIC_ZONE in output["Description"]
    assert built["stack"].resolve(checked.name_servers) == {"Fn::GetAtt": [zone_id, "NameServers"]}


def test_only_a_new_public_zone_has_name_servers(built):
    assert built["dns"]["private"].name_servers is None
    assert built["dns"]["simple"].name_servers is None


@pytest.mark.fact("WIT-18")
def test_an_existing_zone_is_used_not_created(built):
    assert len(_owned(built, "AWS::Route53::HostedZone", "simple")) == 0
    (record,) = _records(built, "simple")
    assert props(record)["HostedZoneId"] == EXISTING_ZONE_ID
    assert built["dns"]["simple"].hosted_zone.hosted_zone_id == EXISTING_ZONE_ID


def test_new_zones_go_with_the_stack_unless_retained(built):
    template = built["template"]
    deleted = template["Resources"][_logical_id(built, built["dns"]["private"].hosted_zone)]
    kept = template["Resources"][_logical_id(built, built["dns"]["unevaluated"].hosted_zone)]
    assert deleted.get("DeletionPolicy", "Delete") == "Delete"
    assert kept["DeletionPolicy"] == "Retain"
    assert kept["UpdateReplacePolicy"] == "Retain"


# -- the alias (v5 on) ----------------------------------------------------------------------------


def test_the_alias_names_this_load_balancers_dns_name_and_hosted_zone_id(built):
    (record,) = _records(built, "private")
    alb_id = _logical_id(built, built["alb"])
    target = props(record)["AliasTarget"]
    assert target["DNSName"] == {
        "Fn::Join": ["", ["dualstack.", {"Fn::GetAtt": [alb_id, "DNSName"]}]]
    }
    assert target["HostedZoneId"] == {"Fn::GetAtt": [alb_id, "CanonicalHostedZoneID"]}


def test_the_alias_is_an_a_record_at_the_zone_apex_without_a_ttl(built):
    (record,) = _records(built, "private")
    zone_id = _logical_id(built, built["dns"]["private"].hosted_zone)
    assert ref(props(record)["HostedZoneId"]) == zone_id
    assert props(record)["Type"] == "A"
    assert props(record)["Name"] == f"{PRIVATE_ZONE}."
    assert "TTL" not in props(record) and "ResourceRecords" not in props(record)
    assert built["dns"]["private"].fqdn == PRIVATE_ZONE


@pytest.mark.fact("WIT-10")
def test_the_alias_evaluates_target_health_unless_told_not_to(built):
    (evaluated,) = _records(built, "private")
    (unevaluated,) = _records(built, "unevaluated")
    assert props(evaluated)["AliasTarget"]["EvaluateTargetHealth"] is True
    assert props(unevaluated)["AliasTarget"]["EvaluateTargetHealth"] is False
    assert props(unevaluated)["Name"] == "api.other.internal."
    assert built["dns"]["unevaluated"].fqdn == "api.other.internal"


def test_an_alias_has_no_health_checks_of_its_own(built):
    assert built["dns"]["private"].health_checks == []
    assert _owned(built, "AWS::Route53::HealthCheck", "private") == {}


# -- health-checked multivalue records (v4, fixed) ------------------------------------------------


@pytest.mark.fact("WIT-07")
def test_each_multivalue_record_names_its_own_health_check_whose_ip_is_its_address(built):
    checked = built["dns"]["checked"]
    template = built["template"]
    records = _records(built, "checked")
    check_ids = [ref(props(record)["HealthCheckId"]) for record in records]
    assert len(set(check_ids)) == len(records) == 3
    assert check_ids == [_logical_id(built, check) for check in checked.health_checks]
    for record, check_id in zip(records, check_ids, strict=True):
        (address,) = props(record)["ResourceRecords"]
        config = props(template["Resources"][check_id])["HealthCheckConfig"]
        assert config["IPAddress"] == address
    addresses = [props(record)["ResourceRecords"][0] for record in records]
    assert addresses == [{"Ref": _logical_id(built, ip)} for ip in built["ips"]] + [LITERAL_PUBLIC]


def test_multivalue_records_share_the_name_with_distinct_set_identifiers_and_the_ttl(built):
    records = _records(built, "checked")
    zone_id = _logical_id(built, built["dns"]["checked"].hosted_zone)
    assert {props(r)["Name"] for r in records} == {f"www.{PUBLIC_ZONE}."}
    assert all(props(r)["MultiValueAnswer"] is True for r in records)
    assert all(ref(props(r)["HostedZoneId"]) == zone_id for r in records)
    assert len({props(r)["SetIdentifier"] for r in records}) == len(records)
    assert {props(r)["TTL"] for r in records} == {"60"}


def test_the_health_checks_request_the_path_on_the_port_over_http_with_the_name(built):
    checks = _owned(built, "AWS::Route53::HealthCheck", "checked")
    assert len(checks) == 3
    for check in checks.values():
        config = props(check)["HealthCheckConfig"]
        assert config["Type"] == "HTTP"
        assert config["Port"] == 8080
        assert config["ResourcePath"] == "/ping"
        assert config["FullyQualifiedDomainName"] == f"www.{PUBLIC_ZONE}"


# -- a simple record (v4) -------------------------------------------------------------------------


def test_a_simple_record_lists_every_address_with_the_default_ttl(built):
    (record,) = _records(built, "simple")
    assert props(record)["Name"] == "time.corp.example.org."
    assert props(record)["ResourceRecords"] == SIMPLE_ADDRESSES
    assert props(record)["TTL"] == "300"
    assert "HealthCheckId" not in props(record) and "MultiValueAnswer" not in props(record)
    assert built["dns"]["simple"].fqdn == "time.corp.example.org"
    assert built["dns"]["simple"].health_checks == []
