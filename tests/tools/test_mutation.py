"""The mutation operators of ``make mutation`` (tools/mutation.py): each makes exactly the one
wrong change it names, leaves the original alone, and makes no mutant that changes nothing."""

from __future__ import annotations

import copy
from pathlib import Path

from tests import option_templates
from tools import mutation

ROOT = Path(__file__).resolve().parents[2]


def _template() -> dict:
    subnet = {
        "Type": "AWS::EC2::Subnet",
        "Properties": {"MapPublicIpOnLaunch": False, "Tags": []},
    }
    public, app = copy.deepcopy(subnet), copy.deepcopy(subnet)
    public["Properties"]["Tags"] = [{"Key": "aws-cdk:subnet-name", "Value": "Public"}]
    app["Properties"]["Tags"] = [{"Key": "aws-cdk:subnet-name", "Value": "Application"}]
    return {
        "Resources": {
            "Public1": public,
            "App1": app,
            "Igw": {"Type": "AWS::EC2::InternetGateway", "Properties": {}},
            "NatA": {
                "Type": "AWS::EC2::NatGateway",
                "Properties": {"SubnetId": {"Ref": "Public1"}},
            },
            "NatB": {"Type": "AWS::EC2::NatGateway", "Properties": {}},
            "AppRoute": {
                "Type": "AWS::EC2::Route",
                "Properties": {
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "NatGatewayId": {"Ref": "NatA"},
                },
            },
            "Sg": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "SecurityGroupIngress": [
                        {
                            "CidrIp": "203.0.113.0/24",
                            "IpProtocol": "tcp",
                            "FromPort": 22,
                            "ToPort": 22,
                        }
                    ]
                },
            },
            "FromSg": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupId": {"Ref": "Sg"},
                    "SourceSecurityGroupId": {"Ref": "Other"},
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                },
            },
            "Endpoint": {
                "Type": "AWS::EC2::VPCEndpoint",
                "Properties": {"RouteTableIds": [{"Ref": "T1"}, {"Ref": "T2"}]},
            },
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"BucketEncryption": {"x": 1}, "VersioningConfiguration": {}},
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "ec2.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ]
                    }
                },
            },
            "Host": {
                "Type": "AWS::EC2::Instance",
                "Properties": {"ImageId": {"Ref": "Al2023"}, "SubnetId": {"Ref": "Public1"}},
            },
            "Work": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "RedrivePolicy": {
                        "deadLetterTargetArn": {"Fn::GetAtt": ["WorkDlq", "Arn"]},
                        "maxReceiveCount": 3,
                    }
                },
            },
            "WorkDlq": {"Type": "AWS::SQS::Queue", "Properties": {}},
            "Other": {"Type": "AWS::SQS::Queue", "Properties": {}},
        }
    }


def _one(name: str, template: dict) -> list[tuple[str, dict]]:
    before = copy.deepcopy(template)
    found = list(mutation.OPERATORS[name](template))
    assert template == before, f"{name} changed the original"
    for what, mutant in found:
        assert mutant != template, f"{name}: {what} changes nothing"
    return found


def test_cidr_widen_and_source_group_dropped_open_the_rule_to_everyone():
    ((what, mutant),) = _one("cidr-widen", _template())
    assert mutant["Resources"]["Sg"]["Properties"]["SecurityGroupIngress"][0]["CidrIp"] == (
        "0.0.0.0/0"
    )
    ((what, mutant),) = _one("source-group-dropped", _template())
    props = mutant["Resources"]["FromSg"]["Properties"]
    assert "SourceSecurityGroupId" not in props and props["CidrIp"] == "0.0.0.0/0"


def test_cidr_widen_makes_a_vpc_or_subnet_range_one_bit_wider():
    template = _template()
    template["Resources"]["Vpc"] = {
        "Type": "AWS::EC2::VPC",
        "Properties": {"CidrBlock": "10.0.0.0/16"},
    }
    template["Resources"]["App1"]["Properties"]["CidrBlock"] = "10.0.1.0/24"
    found = {what: m for what, m in _one("cidr-widen", template)}
    assert found["Vpc 10.0.0.0/16 -> 10.0.0.0/15"]["Resources"]["Vpc"]["Properties"] == {
        "CidrBlock": "10.0.0.0/15"
    }
    assert "App1 10.0.1.0/24 -> 10.0.0.0/23" in found


def test_port_moves_each_rule_by_one():
    found = dict(_one("port", _template()))
    assert len(found) == 2
    ports = sorted(
        (
            m["Resources"]["FromSg"]["Properties"]["FromPort"],
            m["Resources"]["Sg"]["Properties"]["SecurityGroupIngress"][0]["ToPort"],
        )
        for m in found.values()
    )
    assert ports == [(5432, 23), (5433, 22)]


def test_route_target_sends_the_default_route_elsewhere():
    found = [m["Resources"]["AppRoute"]["Properties"] for _, m in _one("route-target", _template())]
    assert {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": {"Ref": "NatB"}} in found
    assert {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"Ref": "Igw"}} in found


def test_endpoint_route_tables_loses_one_table():
    ((_, mutant),) = _one("endpoint-route-tables", _template())
    assert mutant["Resources"]["Endpoint"]["Properties"]["RouteTableIds"] == [{"Ref": "T1"}]


def test_property_dropped_removes_present_protection_and_never_a_false_flag():
    found = [what for what, _ in _one("property-dropped", _template())]
    assert found == [
        "Bucket without BucketEncryption",
        "Bucket without VersioningConfiguration",
        "Work without RedrivePolicy",
    ]
    flips = [what for what, _ in _one("flag-flipped", _template())]
    assert flips == [
        "App1 MapPublicIpOnLaunch False -> True",
        "Public1 MapPublicIpOnLaunch False -> True",
    ]


def test_principal_action_image_and_subnet_tier():
    ((_, mutant),) = _one("principal", _template())
    statement = mutant["Resources"]["Role"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement[0]["Principal"] == {"AWS": "*"}
    ((_, mutant),) = _one("action", _template())
    statement = mutant["Resources"]["Role"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement[0]["Action"] == "*"
    ((_, mutant),) = _one("image", _template())
    assert mutant["Resources"]["Host"]["Properties"]["ImageId"] == {"Ref": "AmazonLinux2ImageId"}
    assert "AmazonLinux2ImageId" in mutant["Parameters"]
    moved = dict(_one("subnet-tier", _template()))
    host = next(m for what, m in moved.items() if what.startswith("Host.SubnetId"))
    assert host["Resources"]["Host"]["Properties"]["SubnetId"] == {"Ref": "App1"}


def test_retargeted_points_one_reference_at_a_sibling_of_the_same_type():
    found = dict(_one("retargeted", _template()))
    assert list(found) == ["Work.RedrivePolicy.deadLetterTargetArn WorkDlq -> Other"]
    redrive = found["Work.RedrivePolicy.deadLetterTargetArn WorkDlq -> Other"]["Resources"]["Work"]
    assert redrive["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["Other", "Arn"]},
        "maxReceiveCount": 3,
    }


def test_mutants_name_operator_profile_and_stack():
    found = list(mutation.mutants("sandbox", "S", _template()))
    assert {m.operator for m, _ in found} == set(mutation.OPERATORS)
    assert all(m.id.startswith(f"sandbox/S/{m.operator}: ") for m, _ in found)


def test_option_mutants_run_the_option_fact_and_collection_tests():
    files = [Path(f).relative_to(ROOT).as_posix() for f in mutation.option_tests("network")]
    files += [Path(f).relative_to(ROOT).as_posix() for f in mutation.fact_tests("network")]
    assert "tests/network/test_network_options.py" in files
    assert "tests/network/test_network_facts.py" in files
    assert "tests/test_collection_facts.py" in files


def test_option_templates_answer_from_a_preloaded_mutant_then_from_the_real_synthesis():
    """What ``_mutate_options`` relies on: ``TEMPLATES`` reads the module's synthesis slot."""
    module = option_templates.modules()["network"]
    real = option_templates.synthesis_of(module.STACKS)
    name = next(iter(module.STACKS))
    mutant = {"Resources": {}}
    key = id(module.STACKS)
    try:
        option_templates._SYNTHESES[key] = (real[0], {**real[1], name: (mutant, "us-east-1")})
        assert module.TEMPLATES[name]() is mutant
    finally:
        option_templates._SYNTHESES[key] = real
    assert module.TEMPLATES[name]() is real[1][name][0]
