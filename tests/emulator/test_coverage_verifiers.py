"""The coverage verifiers can fail: a read-back that differs from the template is a mismatch,
an unresolvable intrinsic is skipped rather than guessed, a stub is never verified."""

from __future__ import annotations

import pytest

from tests.emulator import coverage
from tests.emulator.stubs import STUB_TYPES


class _Ec2:
    def __init__(self, cidr: str) -> None:
        self.cidr = cidr

    def describe_vpcs(self, VpcIds):  # noqa: N803 - boto3's spelling
        return {"Vpcs": [{"VpcId": VpcIds[0], "CidrBlock": self.cidr}]}

    def describe_vpc_attribute(self, VpcId, Attribute):  # noqa: N803
        key = "EnableDnsHostnames" if Attribute == "enableDnsHostnames" else "EnableDnsSupport"
        return {key: {"Value": True}}


def _deployed(cidr_read_back: str, resource_type: str = "AWS::EC2::VPC") -> coverage.Deployed:
    template = {
        "Resources": {
            "Vpc": {
                "Type": resource_type,
                "Properties": {"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": True},
            }
        }
    }
    return coverage.Deployed(
        "Stack", "us-east-1", template, {"Vpc": "vpc-1"}, lambda service: _Ec2(cidr_read_back)
    )


def test_a_read_back_equal_to_the_template_is_verified():
    [row] = coverage.cover(_deployed("10.0.0.0/16"))
    assert row.status == coverage.VERIFIED


def test_a_read_back_that_differs_from_the_template_is_a_mismatch():
    [row] = coverage.cover(_deployed("10.9.0.0/16"))
    assert row.status == coverage.MISMATCH
    assert "CidrBlock" in row.detail and "10.9.0.0/16" in row.detail


@pytest.mark.parametrize("stub_type", sorted(STUB_TYPES))
def test_a_stub_is_reported_not_emulated_never_verified(stub_type):
    [row] = coverage.cover(_deployed("10.0.0.0/16", stub_type))
    assert row.status == coverage.NOT_EMULATED
    assert row.detail == STUB_TYPES[stub_type]


def test_unresolvable_intrinsics_are_not_compared_and_refs_resolve_to_physical_ids():
    deployed = _deployed("10.0.0.0/16")
    assert deployed.resolve({"Ref": "Vpc"}) == "vpc-1"
    assert deployed.resolve({"Fn::Join": ["-", [{"Ref": "Vpc"}, "x"]]}) == "vpc-1-x"
    assert deployed.resolve({"Fn::GetAtt": ["Vpc", "CidrBlock"]}) is coverage.UNRESOLVED
    coverage.expect("anything", "read back", coverage.UNRESOLVED)
    with pytest.raises(coverage.Mismatch, match="read back 'a', template says 'b'"):
        coverage.expect("x", "a", "b")
