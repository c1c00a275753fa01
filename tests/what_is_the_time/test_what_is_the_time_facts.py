"""What the seven WhatIsTheTime.com versions exist for (notes 004:2338-2398), asserted as
relations on the WhatIsTheTimeV1 ... V7 templates: this Elastic IP is associated with that
instance, this record lists exactly those instances' addresses, this group admits the app port
only from that load balancer's group. Each version's test is named after the problem it fixes
and checks that the version before it does not have the fix."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_ec2 as ec2
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from constructs_lib.fixed_fleet import FixedFleet
from stacks.catalog import add_stacks
from stacks.profiles import profile_named
from stacks.what_is_the_time_stack import PRIVATE_ZONE_NAME, SETTINGS, VERSIONS
from tests.conftest import PINNED_ENV, cdk_context
from tests.template_queries import (
    assert_https_only_behind_the_certificate_parameter,
    forwarded_to,
    ingress_rules,
    listeners_by_port,
    one,
    props,
    ref,
    resources,
)

PROFILES = ("sandbox", "production")
APP_PORT = 80
WORLD = "0.0.0.0/0"
DOMAIN = "example.com"
ZONE_ID = "Z0123456789ABCDEFGHIJ"
ZONE_LOOKUP = {
    f"hosted-zone:account={PINNED_ENV.account}:domainName={DOMAIN}:region={PINNED_ENV.region}": {
        "Id": f"/hostedzone/{ZONE_ID}",
        "Name": f"{DOMAIN}.",
    }
}


def _template(synthesized, profile: str, number: int) -> dict:
    return synthesized(profile).template(f"WhatIsTheTimeV{number}")


def _subnets(template: dict, group: str) -> list[str]:
    """The logical ids of the VPC's ``group`` subnets (Public, Application), AZ by AZ."""
    found = [
        (props(subnet)["AvailabilityZone"], lid)
        for lid, subnet in resources(template, "AWS::EC2::Subnet").items()
        if {"Key": "aws-cdk:subnet-name", "Value": group} in props(subnet)["Tags"]
    ]
    return [lid for _, lid in sorted(found)]


def _vpc(template: dict) -> str:
    return one(template, "AWS::EC2::VPC")[0]


def _instances(template: dict) -> dict[str, dict]:
    return resources(template, "AWS::EC2::Instance")


def _interface(instance: dict) -> dict:
    """Where an instance runs: its subnet, groups and whether it gets a public IPv4 address."""
    p = props(instance)
    if "NetworkInterfaces" in p:
        (interface,) = p["NetworkInterfaces"]
        return {
            "subnet": ref(interface["SubnetId"]),
            "groups": [ref(g) for g in interface["GroupSet"]],
            "public": interface.get("AssociatePublicIpAddress", False),
        }
    return {
        "subnet": ref(p["SubnetId"]),
        "groups": [ref(g) for g in p["SecurityGroupIds"]],
        "public": False,
    }


def _admitted(template: dict, group: str) -> list[tuple]:
    """(protocol, from port, to port, CIDR or source group) of every ingress rule of ``group``."""
    return [
        (
            rule["IpProtocol"],
            rule["FromPort"],
            rule["ToPort"],
            rule.get("CidrIp") or ref(rule.get("SourceSecurityGroupId")),
        )
        for rule in ingress_rules(template, group)
    ]


def _associations(template: dict) -> list[tuple[str, str]]:
    """(Elastic IP, instance) of every association."""
    return [
        (ref(props(a)["AllocationId"]), ref(props(a)["InstanceId"]))
        for a in resources(template, "AWS::EC2::EIPAssociation").values()
    ]


def _load_balancer(template: dict) -> str:
    return one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")[0]


def _target_group(template: dict) -> str:
    return one(template, "AWS::ElasticLoadBalancingV2::TargetGroup")[0]


def _record(template: dict) -> dict:
    return props(one(template, "AWS::Route53::RecordSet")[1])


def _private_zone_of_this_vpc(template: dict) -> str:
    zone_id, zone = one(template, "AWS::Route53::HostedZone")
    assert props(zone)["Name"] == f"{PRIVATE_ZONE_NAME}."
    assert props(zone)["VPCs"] == [{"VPCId": {"Ref": _vpc(template)}, "VPCRegion": "us-east-1"}]
    return zone_id


def _group(template: dict) -> dict:
    return props(one(template, "AWS::AutoScaling::AutoScalingGroup")[1])


# --- v1-v3: public instances and Elastic IPs ------------------------------------------------


@pytest.mark.fact("WIT-01")
@pytest.mark.parametrize("profile", PROFILES)
def test_v1_serves_from_one_public_instance_whose_elastic_ip_is_associated_with_it(
    synthesized, profile
):
    template = _template(synthesized, profile, 1)
    ((instance_id, instance),) = _instances(template).items()
    where = _interface(instance)
    assert where["public"] is True
    assert where["subnet"] == _subnets(template, "Public")[0]
    # Only the page's port, from anyone; no SSH (Session Manager instead).
    (group,) = where["groups"]
    assert _admitted(template, group) == [("tcp", APP_PORT, APP_PORT, WORLD)]
    ((eip_id, eip),) = resources(template, "AWS::EC2::EIP").items()
    assert props(eip) == {"Domain": "vpc"}
    assert _associations(template) == [(eip_id, instance_id)]
    (association,) = resources(template, "AWS::EC2::EIPAssociation").values()
    assert props(association)["AllocationId"] == {"Fn::GetAtt": [eip_id, "AllocationId"]}
    # The address clients are told is the Elastic IP, not the instance's own.
    address = {"Fn::GetAtt": [eip_id, "PublicIp"]}
    assert template["Outputs"]["PublicAddresses"]["Value"] == address
    assert template["Outputs"]["Url"]["Value"] == {"Fn::Join": ["", ["http://", address]]}


@pytest.mark.fact("WIT-02")
@pytest.mark.parametrize("profile", PROFILES)
def test_v2_scales_vertically_to_a_bigger_type_with_a_stop_and_start_not_a_replacement(
    synthesized, profile
):
    settings = SETTINGS[profile]
    v1, v2 = (_template(synthesized, profile, n) for n in (1, 2))
    ((v1_id, before),) = _instances(v1).items()
    ((v2_id, after),) = _instances(v2).items()
    assert props(before)["InstanceType"] == settings.instance_type
    assert props(after)["InstanceType"] == settings.scaled_up_instance_type
    assert settings.scaled_up_instance_type != settings.instance_type
    # The same instance (same logical id), only its type changed (the Name tag names the stack):
    # deploying v2's template over v1's updates it in place.
    assert v1_id == v2_id
    changed = {
        key
        for key in props(before).keys() | props(after).keys()
        if props(before).get(key) != props(after).get(key)
    }
    assert changed == {"InstanceType", "Tags"}
    # InstanceType is not create-only: CloudFormation stops, resizes and starts the instance
    # (the downtime v2 leaves) instead of replacing it; the Elastic IP stays associated.
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::EC2::Instance")
    create_only = {
        path.removeprefix("/properties/") for path in schema.schema["createOnlyProperties"]
    }
    assert "ImageId" in create_only and not changed & create_only
    assert _associations(v2) == _associations(v1) == [(one(v1, "AWS::EC2::EIP")[0], v1_id)]


@pytest.mark.fact("WIT-03")
@pytest.mark.parametrize("profile", PROFILES)
def test_v3_scales_horizontally_by_hand_each_instance_with_its_own_elastic_ip(synthesized, profile):
    template = _template(synthesized, profile, 3)
    instances = _instances(template)
    eips = resources(template, "AWS::EC2::EIP")
    count = SETTINGS[profile].fixed_instances
    assert len(instances) == len(eips) == count > 1
    pairs = _associations(template)
    # One to one: every instance has one Elastic IP, every Elastic IP one instance.
    assert sorted(eip for eip, _ in pairs) == sorted(eips)
    assert sorted(instance for _, instance in pairs) == sorted(instances)
    for instance in instances.values():
        assert _interface(instance)["public"] is True
        assert _interface(instance)["subnet"] in _subnets(template, "Public")
    # Clients must know every address: the output lists them all.
    listed = template["Outputs"]["PublicAddresses"]["Value"]["Fn::Join"][1]
    assert sorted(ref(address) for address in listed) == sorted(eips)
    # v2 scaled one instance up instead.
    assert len(_instances(_template(synthesized, profile, 2))) == 1


@pytest.mark.fact("WIT-04")
def test_elastic_ips_stop_at_five_a_regions_default_quota():
    stack = Stack(App(), "ElasticIpQuota", env=PINNED_ENV)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    fleet = FixedFleet(stack, "Five", vpc=vpc, count=5, elastic_ips=True)
    assert len(fleet.elastic_ips) == 5
    with pytest.raises(ValueError, match=r"count is 6 with elastic_ips=True; allowed: at most 5"):
        FixedFleet(stack, "Six", vpc=vpc, count=6, elastic_ips=True)
    # Without Elastic IPs the same count is fine: the cap is the addresses', not the fleet's.
    assert len(FixedFleet(stack, "SixOwnAddresses", vpc=vpc, count=6).instances) == 6


# --- v4: DNS instead of Elastic IPs ---------------------------------------------------------


@pytest.mark.fact("WIT-05")
@pytest.mark.parametrize("profile", PROFILES)
def test_v4_replaces_the_elastic_ips_with_an_a_record_of_the_instances_ips_cached_an_hour(
    synthesized, profile
):
    template = _template(synthesized, profile, 4)
    assert resources(template, "AWS::EC2::EIP") == {}
    assert resources(template, "AWS::EC2::EIPAssociation") == {}
    instances = _instances(template)
    assert len(instances) == SETTINGS[profile].fixed_instances
    assert all(_interface(i)["public"] for i in instances.values())
    record = _record(template)
    assert ref(record["HostedZoneId"]) == _private_zone_of_this_vpc(template)
    assert record["Type"] == "A" and record["Name"] == f"{PRIVATE_ZONE_NAME}."
    # Exactly the instances' own public addresses, in instance order, cached for an hour.
    assert record["ResourceRecords"] == [
        {"Fn::GetAtt": [instance_id, "PublicIp"]} for instance_id in instances
    ]
    assert record["TTL"] == "3600"
    # v3 gave each instance an Elastic IP and had no record.
    v3 = _template(synthesized, profile, 3)
    assert len(resources(v3, "AWS::EC2::EIP")) == SETTINGS[profile].fixed_instances
    assert resources(v3, "AWS::Route53::RecordSet") == {}
    assert resources(v3, "AWS::Route53::HostedZone") == {}


@pytest.mark.fact("WIT-06")
@pytest.mark.parametrize("profile", PROFILES)
def test_v4_answers_with_every_address_healthy_or_not_until_the_ttl_runs_out(synthesized, profile):
    template = _template(synthesized, profile, 4)
    assert resources(template, "AWS::Route53::HealthCheck") == {}
    record = _record(template)
    for routing in ("SetIdentifier", "MultiValueAnswer", "HealthCheckId", "AliasTarget"):
        assert routing not in record
    assert resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer") == {}


# --- v5: a load balancer in front of private instances --------------------------------------


@pytest.mark.fact("WIT-08")
@pytest.mark.parametrize("profile", PROFILES)
def test_v5_makes_the_instances_private_admitting_the_app_port_only_from_the_load_balancer(
    synthesized, profile
):
    template = _template(synthesized, profile, 5)
    instances = _instances(template)
    assert len(instances) == SETTINGS[profile].fixed_instances
    groups = set()
    for instance in instances.values():
        where = _interface(instance)
        assert where["public"] is False
        assert where["subnet"] == _subnets(template, "Application")[0]
        groups.update(where["groups"])
    (instance_group,) = groups
    balancer = props(template["Resources"][_load_balancer(template)])
    (alb_group,) = [ref(g) for g in balancer["SecurityGroups"]]
    assert _admitted(template, instance_group) == [("tcp", APP_PORT, APP_PORT, alb_group)]
    listener_ports = [80] if profile == "sandbox" else [80, 443]
    assert sorted(_admitted(template, alb_group)) == [
        ("tcp", port, port, WORLD) for port in listener_ports
    ]
    # The load balancer's group may send only to the instances, on the app port.
    (egress,) = resources(template, "AWS::EC2::SecurityGroupEgress").values()
    assert ref(props(egress)["GroupId"]) == alb_group
    assert ref(props(egress)["DestinationSecurityGroupId"]) == instance_group
    assert (props(egress)["FromPort"], props(egress)["ToPort"]) == (APP_PORT, APP_PORT)
    assert "SecurityGroupEgress" not in props(template["Resources"][alb_group])
    # v4's instances were public and admitted the world themselves.
    v4 = _template(synthesized, profile, 4)
    for instance in _instances(v4).values():
        assert _interface(instance)["public"] is True
        (group,) = _interface(instance)["groups"]
        assert _admitted(v4, group) == [("tcp", APP_PORT, APP_PORT, WORLD)]


@pytest.mark.fact("WIT-09")
@pytest.mark.parametrize("profile", PROFILES)
def test_v5_balances_on_the_server_side_over_a_health_checked_group_of_exactly_these_instances(
    synthesized, profile
):
    template = _template(synthesized, profile, 5)
    balancer = props(template["Resources"][_load_balancer(template)])
    assert balancer["Scheme"] == "internet-facing"
    target_group = _target_group(template)
    serving = 443 if profile == "production" else 80
    assert forwarded_to(listeners_by_port(template)[serving]) == target_group
    group = props(template["Resources"][target_group])
    assert group["TargetType"] == "instance" and group["Port"] == APP_PORT
    assert ref(group["VpcId"]) == _vpc(template)
    assert sorted(ref(t["Id"]) for t in group["Targets"]) == sorted(_instances(template))
    # A dead instance leaves the rotation after 3 failed checks 15 s apart, not after v4's hour.
    assert (group["HealthCheckPath"], group["Matcher"]) == ("/health", {"HttpCode": "200"})
    assert group["HealthCheckIntervalSeconds"] == 15
    assert (group["HealthyThresholdCount"], group["UnhealthyThresholdCount"]) == (2, 3)
    assert "TTL" in _record(_template(synthesized, profile, 4))


@pytest.mark.fact("WIT-10")
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("number", [5, 6, 7])
def test_v5_on_names_the_load_balancer_with_an_alias_that_evaluates_its_targets_health(
    synthesized, profile, number
):
    template = _template(synthesized, profile, number)
    balancer = _load_balancer(template)
    record = _record(template)
    assert ref(record["HostedZoneId"]) == _private_zone_of_this_vpc(template)
    assert record["Type"] == "A" and record["Name"] == f"{PRIVATE_ZONE_NAME}."
    assert record["AliasTarget"] == {
        "DNSName": {"Fn::Join": ["", ["dualstack.", {"Fn::GetAtt": [balancer, "DNSName"]}]]},
        "EvaluateTargetHealth": True,
        "HostedZoneId": {"Fn::GetAtt": [balancer, "CanonicalHostedZoneID"]},
    }
    # An alias has no TTL and no addresses of its own: it follows the load balancer's.
    assert "TTL" not in record and "ResourceRecords" not in record
    assert "AliasTarget" not in _record(_template(synthesized, profile, 4))


@pytest.mark.fact("WIT-13")
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("number", [5, 6, 7])
def test_the_load_balancer_spans_every_az_even_where_the_instances_do_not(
    synthesized, profile, number
):
    template = _template(synthesized, profile, number)
    balancer = props(template["Resources"][_load_balancer(template)])
    public = _subnets(template, "Public")
    assert len(public) == profile_named(profile).max_azs >= 2
    assert [ref(s) for s in balancer["Subnets"]] == public


# --- v6, v7: an Auto Scaling group, then over every AZ --------------------------------------


@pytest.mark.fact("WIT-11")
@pytest.mark.parametrize("profile", PROFILES)
def test_v6_adds_and_removes_instances_with_a_group_registered_with_the_target_group(
    synthesized, profile
):
    template = _template(synthesized, profile, 6)
    assert _instances(template) == {}
    group_id, _ = one(template, "AWS::AutoScaling::AutoScalingGroup")
    group = _group(template)
    target_group = _target_group(template)
    assert [ref(arn) for arn in group["TargetGroupARNs"]] == [target_group]
    serving = 443 if profile == "production" else 80
    assert forwarded_to(listeners_by_port(template)[serving]) == target_group
    # The group registers its instances: the target group lists none itself.
    assert "Targets" not in props(template["Resources"][target_group])
    assert group["HealthCheckType"] == "ELB"
    low, high = SETTINGS[profile].single_az_capacity
    assert (group["MinSize"], group["MaxSize"]) == (str(low), str(high))
    (policy,) = resources(template, "AWS::AutoScaling::ScalingPolicy").values()
    assert ref(props(policy)["AutoScalingGroupName"]) == group_id
    assert props(policy)["PolicyType"] == "TargetTrackingScaling"
    # Every instance is still in one AZ: v6's problem.
    assert [ref(s) for s in group["VPCZoneIdentifier"]] == _subnets(template, "Application")[:1]
    # v5's instances were added by hand, as fixed targets.
    v5 = _template(synthesized, profile, 5)
    assert resources(v5, "AWS::AutoScaling::AutoScalingGroup") == {}
    assert len(props(v5["Resources"][_target_group(v5)])["Targets"]) == len(_instances(v5))


@pytest.mark.fact("WIT-12")
@pytest.mark.parametrize("profile", PROFILES)
def test_v7_survives_an_az_failure_with_the_group_over_every_az_and_at_least_two_instances(
    synthesized, profile
):
    template = _template(synthesized, profile, 7)
    group = _group(template)
    application = _subnets(template, "Application")
    assert len(application) == profile_named(profile).max_azs
    zones = {props(template["Resources"][s])["AvailabilityZone"] for s in application}
    assert len(zones) == len(application)
    assert [ref(s) for s in group["VPCZoneIdentifier"]] == application
    assert group["MinSize"] == "2"
    assert group["MaxSize"] == str(SETTINGS[profile].multi_az_capacity[1])
    assert [ref(arn) for arn in group["TargetGroupARNs"]] == [_target_group(template)]
    # v6's group had one subnet.
    assert len(_group(_template(synthesized, profile, 6))["VPCZoneIdentifier"]) == 1


# --- every version ----------------------------------------------------------------------------


@pytest.mark.fact("WIT-15")
@pytest.mark.parametrize("number", [5, 6, 7])
def test_production_v5_to_v7_serve_https_only_with_the_certificate_parameter(
    sandbox, production, number
):
    stack = f"WhatIsTheTimeV{number}"
    assert_https_only_behind_the_certificate_parameter(
        production.template(stack), sandbox.template(stack)
    )


@pytest.mark.fact("WIT-16")
@pytest.mark.parametrize("profile", PROFILES)
def test_every_version_states_the_fix_it_makes_and_the_problem_it_leaves(synthesized, profile):
    for number, version in VERSIONS.items():
        template = _template(synthesized, profile, number)
        assert template["Outputs"]["Fix"]["Value"] == version.fix
        assert template["Outputs"]["Problem"]["Value"] == version.problem
        assert template["Description"] == (
            f"WhatIsTheTime.com v{number}: {version.fix} ({profile} profile)"
        )
    assert len({v.fix for v in VERSIONS.values()}) == len({v.problem for v in VERSIONS.values()})
    assert len({v.fix for v in VERSIONS.values()}) == 7


@pytest.mark.fact("WIT-17")
def test_sandbox_destroy_leaves_nothing_and_production_keeps_the_addresses(sandbox, production):
    for number in VERSIONS:
        template = sandbox.template(f"WhatIsTheTimeV{number}")
        for lid, resource in template["Resources"].items():
            if "DeletionPolicy" in resource:
                assert resource["DeletionPolicy"] == "Delete", (number, lid)
        # Nothing that blocks `cdk destroy` either: no termination or deletion protection.
        for instance in _instances(template).values():
            assert props(instance)["DisableApiTermination"] is False
        for balancer in resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values():
            assert {"Key": "deletion_protection.enabled", "Value": "false"} in props(balancer)[
                "LoadBalancerAttributes"
            ]
        assert resources(template, "AWS::S3::Bucket") == {}
    for number in (1, 2, 3, 4, 5):
        kept = production.template(f"WhatIsTheTimeV{number}")
        # The addresses clients were told outlive the stack; the instances are protected.
        eips = resources(kept, "AWS::EC2::EIP").values()
        assert len(eips) == (len(_instances(kept)) if number <= 3 else 0)
        for eip in eips:
            assert eip["DeletionPolicy"] == eip["UpdateReplacePolicy"] == "Retain"
        for instance in _instances(kept).values():
            assert props(instance)["DisableApiTermination"] is True
            assert props(instance)["Monitoring"] is True
    for number in (5, 6, 7):
        kept = production.template(f"WhatIsTheTimeV{number}")
        (bucket,) = resources(kept, "AWS::S3::Bucket").values()
        assert bucket["DeletionPolicy"] == "Retain"
        (balancer,) = resources(kept, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
        assert {"Key": "deletion_protection.enabled", "Value": "true"} in props(balancer)[
            "LoadBalancerAttributes"
        ]


# --- -c domain=example.com: your own public zone ----------------------------------------------


@pytest.fixture(scope="module")
def with_domain(tmp_path_factory) -> dict[str, dict]:
    """The sandbox's WhatIsTheTime stacks with ``-c domain=example.com`` and the zone's lookup
    answered in context (as cdk.context.json would hold it): templates by stack name."""
    context = cdk_context("sandbox", arch="what-is-the-time", domain=DOMAIN, **ZONE_LOOKUP)
    app = App(context=context, outdir=str(tmp_path_factory.mktemp("wit-domain")))
    stacks = add_stacks(app, env=PINNED_ENV, nag=False)
    assembly = app.synth()
    return {name: assembly.get_stack_by_name(name).template for name in stacks}


@pytest.mark.fact("WIT-18")
def test_with_a_domain_the_names_go_into_your_zone_and_no_zone_is_created(with_domain):
    v5 = with_domain["WhatIsTheTimeV5"]
    assert resources(v5, "AWS::Route53::HostedZone") == {}
    record = _record(v5)
    assert record["HostedZoneId"] == ZONE_ID
    assert record["Name"] == "whatisthetime-v5.example.com."
    balancer = _load_balancer(v5)
    assert record["AliasTarget"]["HostedZoneId"] == {
        "Fn::GetAtt": [balancer, "CanonicalHostedZoneID"]
    }
    assert record["AliasTarget"]["EvaluateTargetHealth"] is True
    assert v5["Outputs"]["DnsName"]["Value"] == "whatisthetime-v5.example.com"
    # Each version a name of its own in the same zone; v4's lists its instances' addresses.
    for number in (4, 6, 7):
        template = with_domain[f"WhatIsTheTimeV{number}"]
        assert resources(template, "AWS::Route53::HostedZone") == {}
        assert _record(template)["HostedZoneId"] == ZONE_ID
        assert _record(template)["Name"] == f"whatisthetime-v{number}.example.com."
    v4 = _record(with_domain["WhatIsTheTimeV4"])
    assert v4["ResourceRecords"] == [
        {"Fn::GetAtt": [i, "PublicIp"]} for i in _instances(with_domain["WhatIsTheTimeV4"])
    ]
