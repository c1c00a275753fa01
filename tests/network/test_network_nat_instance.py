"""nat_type="instance" is as secure as the rest: its own variant, synthesized with the nag gate."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App, Stack

from constructs_lib.network import ThreeTierNetwork
from stacks.catalog import add_nag
from tests.conftest import PINNED_ENV, cdk_context
from tests.lint_pool import lint_one
from tests.template_queries import ingress_rules, props, ref, resources

VPC_CIDR = "10.40.0.0/16"


@pytest.fixture(scope="module")
def nat(tmp_path_factory) -> tuple[dict, dict]:
    outdir = tmp_path_factory.mktemp("nat-instance")
    app = App(context=cdk_context("sandbox"), outdir=str(outdir))
    stack = Stack(app, "NatInstance", env=PINNED_ENV)
    ThreeTierNetwork(stack, "Network", vpc_cidr=VPC_CIDR, nat_type="instance", nat_gateways=2)
    add_nag(app)
    template = app.synth().get_stack_by_name("NatInstance").template
    return template, json.loads((outdir / "validation-report.json").read_text())


def _nat_instances(template: dict) -> dict[str, dict]:
    return {
        logical_id: instance
        for logical_id, instance in resources(template, "AWS::EC2::Instance").items()
        if "NatInstance" in logical_id
    }


@pytest.mark.fact("NET-19")
def test_nat_instances_admit_only_the_vpcs_own_range(nat):
    template, _ = nat
    instances = _nat_instances(template)
    assert len(instances) == 2
    groups = {ref(g) for i in instances.values() for g in props(i)["SecurityGroupIds"]}
    (group,) = groups
    (rule,) = ingress_rules(template, group)
    (vpc,) = resources(template, "AWS::EC2::VPC").values()
    assert rule["CidrIp"] == props(vpc)["CidrBlock"] == VPC_CIDR
    assert rule["IpProtocol"] == "-1"
    assert all(props(i)["SourceDestCheck"] is False for i in instances.values())


@pytest.mark.fact("NET-21")
def test_nat_instances_require_imdsv2_and_boot_from_an_encrypted_volume(nat):
    template, _ = nat
    for instance in _nat_instances(template).values():
        name = props(instance)["LaunchTemplate"]["LaunchTemplateName"]
        (launch_template,) = [
            t
            for t in resources(template, "AWS::EC2::LaunchTemplate").values()
            if props(t)["LaunchTemplateName"] == name
        ]
        assert props(launch_template)["LaunchTemplateData"]["MetadataOptions"] == {
            "HttpTokens": "required"
        }
        (device,) = props(instance)["BlockDeviceMappings"]
        assert device["DeviceName"] == "/dev/xvda"
        assert device["Ebs"]["Encrypted"] is True and device["Ebs"]["VolumeType"] == "gp3"


def test_the_nat_instance_variant_passes_cdk_nag_and_cfn_lint(nat):
    template, report = nat
    assert report.get("pluginReports", []) == []
    assert lint_one(json.dumps(template), "us-east-1") == []
