"""SharedFileSystem refuses a bad prop with a ValueError naming it, before any resource exists;
a deploy-time token passes unchecked (CloudFormation checks it)."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms

from constructs_lib.shared_file_system import SharedFileSystem
from tests.conftest import PINNED_ENV
from tests.my_word_press.options import existing_vpc


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput", env=PINNED_ENV)


def _build(stack: Stack, **props) -> SharedFileSystem:
    return SharedFileSystem(stack, "Shared", **{"vpc": existing_vpc(stack), **props})


BAD = [
    ({"vpc": "vpc-0e1f2a3b4c5d60718"}, r"vpc is 'vpc-0e1f2a3b4c5d60718'; allowed: an ec2.IVpc"),
    ({"subnets": "isolated"}, r"subnets is 'isolated'; allowed: an ec2.SubnetSelection or None"),
    (
        {"subnets": ec2.SubnetSelection(subnet_group_name="Nope")},
        r"subnets is .*; allowed: a selection of subnets of vpc",
    ),
    (
        {"subnets": ec2.SubnetSelection(availability_zones=["us-west-2a"])},
        r"subnets is .*; allowed: a selection of at least one subnet",
    ),
    (
        {"allow_from": "sg-0e1f2a3b4c5d60777"},
        r"allow_from is 'sg-0e1f2a3b4c5d60777'; allowed: a list",
    ),
    ({"allow_from": ["sg-0e1f2a3b4c5d60777"]}, r"allow_from is .*; allowed: ec2.IConnectable"),
    ({"transition_to_ia_days": 0}, r"transition_to_ia_days is 0; allowed: None or one of 1, 7,"),
    ({"transition_to_ia_days": 45}, r"transition_to_ia_days is 45; allowed: .*270, 365"),
    ({"transition_to_ia_days": 30.0}, r"transition_to_ia_days is 30.0; allowed"),
    ({"transition_to_ia_days": True}, r"transition_to_ia_days is True; allowed"),
    ({"transition_to_archive_days": 100}, r"transition_to_archive_days is 100; allowed: None or"),
    (
        {"transition_to_archive_days": 30},
        r"transition_to_archive_days is 30; allowed: later than transition_to_ia_days \(30\)",
    ),
    (
        {"transition_to_ia_days": 90, "transition_to_archive_days": 60},
        r"transition_to_archive_days is 60; allowed: later than transition_to_ia_days \(90\)",
    ),
    (
        {"transition_to_archive_days": 90, "throughput_mode": "bursting"},
        r"transition_to_archive_days is 90; allowed only with throughput_mode='elastic'",
    ),
    ({"back_to_standard_on_access": "yes"}, r"back_to_standard_on_access is 'yes'; allowed: True"),
    (
        {"performance_mode": "maxIO"},
        r"performance_mode is 'maxIO'; allowed: general_purpose, max_io",
    ),
    (
        {"performance_mode": "max_io"},
        r"performance_mode is 'max_io'; allowed only with throughput_mode='bursting'",
    ),
    ({"throughput_mode": "provisioned"}, r"throughput_mode is 'provisioned'; allowed: elastic, b"),
    (
        {"encryption_key": "alias/aws/elasticfilesystem"},
        r"encryption_key is .*; allowed: a kms.IKey",
    ),
    ({"enforce_in_transit_encryption": 1}, r"enforce_in_transit_encryption is 1; allowed: True"),
    ({"iam_authorization": None}, r"iam_authorization is None; allowed: True or False"),
    ({"access_point_path": "/"}, r"access_point_path is '/'; allowed: None or a directory under"),
    ({"access_point_path": "shared"}, r"access_point_path is 'shared'; allowed: None or a dir"),
    ({"access_point_path": "/shared/"}, r"access_point_path is '/shared/'; allowed"),
    ({"access_point_path": "/a/b/c/d/e"}, r"access_point_path is '/a/b/c/d/e'; allowed"),
    ({"access_point_path": "/.hidden"}, r"access_point_path is '/.hidden'; allowed"),
    ({"access_point_path": "/wp;rm"}, r"access_point_path is '/wp;rm'; allowed"),
    ({"access_point_path": "/" + "a" * 100}, r"access_point_path is '/a+'; allowed"),
    ({"access_point_path": 7}, r"access_point_path is 7; allowed"),
    ({"posix_uid": -1}, r"posix_uid is -1; allowed: 0 to 4294967295"),
    ({"posix_uid": 4_294_967_296}, r"posix_uid is 4294967296; allowed: 0 to 4294967295"),
    ({"posix_gid": "1000"}, r"posix_gid is '1000'; allowed: a whole number, 0 to 4294967295"),
    ({"automatic_backups": "on"}, r"automatic_backups is 'on'; allowed: True or False"),
    ({"removal_policy": "destroy"}, r"removal_policy is 'destroy'; allowed: a RemovalPolicy"),
]


@pytest.mark.fact("MWP-16")
@pytest.mark.parametrize(("props", "message"), BAD, ids=[m.split(" is")[0] for _, m in BAD])
def test_a_bad_prop_is_refused_before_any_resource_exists(stack, props, message):
    with pytest.raises(ValueError, match=message):
        _build(stack, **props)
    shared = stack.node.try_find_child("Shared")
    assert shared is None or shared.node.children == []


def test_a_vpc_without_isolated_subnets_needs_subnets(stack):
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "AppOnly",
        vpc_id="vpc-0e1f2a3b4c5d60799",
        availability_zones=["us-east-1a"],
        private_subnet_ids=["subnet-0e1f2a3b4c5d60788"],
        private_subnet_route_table_ids=["rtb-0e1f2a3b4c5d60788"],
    )
    with pytest.raises(ValueError, match=r"subnets is None \(the VPC's PRIVATE_ISOLATED subnets\)"):
        SharedFileSystem(stack, "Shared", vpc=vpc)


@pytest.mark.fact("MWP-16")
def test_two_subnets_in_one_az_are_refused(stack):
    vpc = existing_vpc(stack)
    twins = [
        ec2.Subnet.from_subnet_attributes(
            stack,
            f"Twin{n}",
            subnet_id=f"subnet-0e1f2a3b4c5d6079{n}",
            availability_zone="us-east-1a",
            route_table_id="rtb-0e1f2a3b4c5d60744",
        )
        for n in (1, 2)
    ]
    with pytest.raises(ValueError, match=r"subnets is .*, several subnets in us-east-1a; allowed"):
        SharedFileSystem(stack, "Shared", vpc=vpc, subnets=ec2.SubnetSelection(subnets=twins))


def test_archive_straight_from_standard_is_allowed(stack):
    _build(stack, transition_to_ia_days=None, transition_to_archive_days=90)


@pytest.mark.parametrize("mount_point", ["mnt/shared", "/mnt/my share", "/mnt/$(reboot)", "/", 3])
def test_mount_commands_refuse_a_mount_point_shell_or_fstab_would_misread(stack, mount_point):
    shared = _build(stack)
    with pytest.raises(ValueError, match=r"mount_point is .*; allowed: an absolute directory"):
        shared.mount_commands(mount_point)


def test_grant_client_refuses_what_is_not_grantable(stack):
    with pytest.raises(ValueError, match=r"grantee is 'arn:aws:iam::1:role/web'; allowed: an iam"):
        _build(stack).grant_client("arn:aws:iam::1:role/web")


def test_deploy_time_tokens_pass_unchecked(stack):
    uid = CfnParameter(stack, "Uid", type="Number").value_as_number
    path = CfnParameter(stack, "Path").value_as_string
    key = kms.Key.from_key_arn(stack, "Key", CfnParameter(stack, "KeyArn").value_as_string)
    shared = _build(stack, posix_uid=uid, posix_gid=uid, access_point_path=path, encryption_key=key)
    assert shared.access_point is not None
    assert shared.mount_commands(CfnParameter(stack, "MountPoint").value_as_string)
