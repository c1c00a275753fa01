"""The CloudFormation types of the classic architectures (issue #14), deployed into moto with
the emulator's extensions (tests/emulator/classic_probe.py, in a process of its own), read back
by their verifiers as moto's own model, broken on purpose (each break is a mismatch naming the
property), and deleted without leftovers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.emulator import coverage
from tests.emulator.classic_probe import BROKEN, template
from tools.synthesis import ROOT

NEW_TYPES = (
    "AWS::EC2::EIPAssociation",
    "AWS::Route53::HostedZone",
    "AWS::Route53::RecordSet",
    "AWS::Route53::HealthCheck",
    "AWS::EFS::FileSystem",
    "AWS::EFS::MountTarget",
    "AWS::EFS::AccessPoint",
    "AWS::RDS::DBClusterParameterGroup",
    "AWS::ElastiCache::SubnetGroup",
    "AWS::ElastiCache::ReplicationGroup",
)


def start_probe() -> subprocess.Popen:
    """The probe in a process of its own (conftest.py starts it with the session)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.emulator.classic_probe"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def probe(request) -> dict:
    from tests.conftest import BACKGROUND_PROBE

    process = request.config.stash.get(BACKGROUND_PROBE, {}).pop("probe", None) or start_probe()
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0, err[-3000:]
    return json.loads(out)


def test_the_stack_of_every_classic_type_is_created(probe):
    assert probe["status"] == "CREATE_COMPLETE"
    assert set(probe["rows"]) == set(template()["Resources"])


# The AUTH token's secret: extensions.Secret composes the generated value (this project's
# emulation, as for every AWS::SecretsManager::Secret); everything else is moto's own model.
EMULATED = {"CacheToken"}


@pytest.mark.parametrize("logical_id", sorted(template()["Resources"]))
def test_each_resource_reads_back_equal_to_its_template_as_motos_own_model(probe, logical_id):
    status, detail = probe["rows"][logical_id]
    wanted = coverage.VERIFIED_EMULATION if logical_id in EMULATED else coverage.VERIFIED_MOTO
    assert status == wanted, detail


@pytest.mark.parametrize(
    ("logical_id", "named"),
    [
        ("Sessions", "TimeToLive AttributeName"),
        ("Targets", "stickiness.lb_cookie.duration_seconds"),
        ("AddressAssociation", "AssociationId"),
        ("Files", "LifecyclePolicies"),
        ("Zone", "HostedZoneTags"),
        ("Addresses", "TTL"),
        ("DbParameters", "rds.force_ssl"),
    ],
)
def test_state_changed_behind_the_template_is_a_mismatch_naming_the_property(
    probe, logical_id, named
):
    assert logical_id in BROKEN
    status, detail = probe["broken"][logical_id]
    assert status == coverage.MISMATCH and named in detail, detail


def test_fn_getatt_values_moto_hands_out_none_of_come_from_motos_objects(probe):
    outputs, physical = probe["outputs"], probe["physical"]
    assert outputs["PublicIp"] == physical["Address"]  # an EIP's Ref is its address
    assert outputs["WebPublicIp"] == outputs["PublicIp"], "the EIP replaced the auto address"
    assert outputs["ZoneOfBalancer"].startswith("Z")
    assert outputs["FilesArn"].endswith(f":file-system/{physical['Files']}")
    assert outputs["PointId"] == physical["Point"] and physical["Point"].startswith("fsap-")
    assert outputs["PointArn"].endswith(f":access-point/{physical['Point']}")
    assert outputs["DbSecret"].startswith("arn:aws:secretsmanager:us-east-1:")
    assert (
        outputs["CacheEndpoint"].startswith("master.")
        and "cache.amazonaws.com" in (outputs["CacheEndpoint"])
    )


def test_a_private_zone_and_the_instance_by_network_interfaces_are_what_the_template_says(probe):
    physical = probe["physical"]
    assert probe["rows"]["Zone"][0] == coverage.VERIFIED_MOTO
    assert physical["Web"].startswith("i-") and physical["AddressAssociation"].startswith(
        "eipassoc-"
    )
    assert physical["DbParameters"] == physical["DbParameters"].lower()


def test_deleting_the_stack_leaves_no_zone_check_file_system_group_or_association(probe):
    assert probe["leftovers"] == []


@pytest.mark.parametrize("rtype", NEW_TYPES)
def test_each_new_type_has_a_verifier_and_is_declared_motos_own_model(rtype):
    assert rtype in coverage.VERIFIERS
    assert coverage.expected_class(rtype) == coverage.VERIFIED_MOTO
    assert coverage.SOURCES[rtype].supplies, rtype


# ------------------------------------------------------------- the pieces, without moto
def test_a_network_interface_is_given_to_moto_in_ec2s_api_names():
    from tests.emulator.extensions import _nic_for_moto

    nic = {"DeviceIndex": "0", "GroupSet": ["sg-1"], "AssociatePublicIpAddress": "true"}
    assert _nic_for_moto(nic) == {
        "DeviceIndex": "0",
        "Groups": ["sg-1"],
        "AssociatePublicIpAddress": True,
    }


def test_an_ebs_mapping_without_a_size_is_left_to_motos_default_root_volume():
    from tests.emulator.extensions import _sized_block_devices

    sized = {"DeviceName": "/dev/xvdb", "Ebs": {"VolumeSize": 8}}
    unsized = {"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True}}
    assert _sized_block_devices({"BlockDeviceMappings": [unsized]}) == {}
    assert _sized_block_devices({"BlockDeviceMappings": [unsized, sized]}) == {
        "BlockDeviceMappings": [sized]
    }
    assert _sized_block_devices({"BlockDeviceMappings": [sized]}) == {
        "BlockDeviceMappings": [sized]
    }


class _Efs:
    def __init__(self, answer: str | None) -> None:
        self.answer = answer

    def describe_backup_policy(self, FileSystemId):  # noqa: N803 - boto3's spelling
        if self.answer is None:
            raise RuntimeError("An error occurred (PolicyNotFound) when calling ...")
        return {"BackupPolicy": {"Status": self.answer}}


@pytest.mark.parametrize(
    ("answer", "wanted", "passes"),
    [(None, "DISABLED", True), (None, "ENABLED", False), ("ENABLED", "ENABLED", True)],
)
def test_motos_policy_not_found_reads_as_backups_off(answer, wanted, passes):
    if passes:
        coverage._efs_backup_policy(_Efs(answer), "fs-1", wanted)
    else:
        with pytest.raises(coverage.Mismatch, match="BackupPolicy.Status"):
            coverage._efs_backup_policy(_Efs(answer), "fs-1", wanted)
