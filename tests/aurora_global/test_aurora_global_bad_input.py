"""Bad props and region sets are refused with a ValueError naming what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds

from constructs_lib.aurora_global import (
    AuroraGlobalPrimary,
    AuroraGlobalSecondary,
    validate_regions,
)
from stacks.aurora_global_stack import SECONDARY_REGIONS_CONTEXT_KEY, add_aurora_global_stacks
from stacks.profiles import profile_named
from tests.conftest import PINNED_ENV


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput", env=PINNED_ENV)


@pytest.fixture()
def required(stack) -> dict:
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-12345678",
        availability_zones=["us-east-1a", "us-east-1b"],
        isolated_subnet_ids=["subnet-1", "subnet-2"],
        private_subnet_ids=["subnet-3", "subnet-4"],
    )
    group = ec2.SecurityGroup.from_security_group_id(stack, "Sg", "sg-12345678")
    return {"vpc": vpc, "security_group": group, "global_cluster_identifier": "example"}


def _postgres(version: rds.AuroraPostgresEngineVersion) -> rds.IClusterEngine:
    return rds.DatabaseClusterEngine.aurora_postgres(version=version)


def _mysql(version: rds.AuroraMysqlEngineVersion) -> rds.IClusterEngine:
    return rds.DatabaseClusterEngine.aurora_mysql(version=version)


BAD_PROPS = [
    ({"instance_class": "db.t4g.medium"}, r"instance_class is 'db\.t4g\.medium'; allowed: db\.r5"),
    ({"instance_class": "db.t3.large"}, r"burstable db\.t\* are not supported"),
    ({"instance_class": "db.m5.large"}, r"instance_class is 'db\.m5\.large'; allowed"),
    ({"instance_class": "db.r6g.medium"}, r"instance_class is 'db\.r6g\.medium'; allowed"),
    ({"instance_class": "r6g.large"}, r"instance_class is 'r6g\.large'; allowed"),
    ({"backup_retention": 0}, r"backup_retention is 0; allowed: 1 to 35 days"),
    ({"backup_retention": 36}, r"backup_retention is 36; allowed: 1 to 35 days"),
    ({"readers": -1}, r"readers is -1; allowed: 0 to 15"),
    ({"readers": 16}, r"readers is 16; allowed: 0 to 15"),
    ({"port": 80}, r"port is 80; allowed: 1150 to 65535"),
    (
        {"engine": _postgres(rds.AuroraPostgresEngineVersion.VER_16_0)},
        r"engine version is aurora-postgresql 16\.0; allowed \(global database support\)",
    ),
    (
        {"engine": _postgres(rds.AuroraPostgresEngineVersion.VER_10_21)},
        r"engine version is aurora-postgresql 10\.21; allowed",
    ),
    (
        {"engine": _mysql(rds.AuroraMysqlEngineVersion.VER_2_11_2)},
        r"engine version is aurora-mysql 5\.7\.mysql_aurora\.2\.11\.2; allowed: Aurora MySQL 3",
    ),
    ({"global_cluster_identifier": "Refarch"}, r"global_cluster_identifier is 'Refarch'"),
    ({"global_cluster_identifier": "a--b"}, r"global_cluster_identifier is 'a--b'"),
    ({"global_cluster_identifier": "x" * 51}, r"allowed: 1 to 50 lowercase letters"),
]


@pytest.mark.parametrize("construct", [AuroraGlobalPrimary, AuroraGlobalSecondary])
@pytest.mark.parametrize(("props", "message"), BAD_PROPS)
def test_bad_props_raise_a_clear_value_error(stack, required, construct, props, message):
    with pytest.raises(ValueError, match=message):
        construct(stack, "Database", **{**required, **props})


def test_rotation_days_outside_1_to_365_are_refused(stack, required):
    with pytest.raises(ValueError, match=r"rotation_days is 0; allowed: 1 to 365"):
        AuroraGlobalPrimary(stack, "Database", **required, rotation_days=0)


@pytest.mark.parametrize("construct", [AuroraGlobalPrimary, AuroraGlobalSecondary])
def test_bad_props_are_refused_before_any_resource_is_created(stack, required, construct):
    with pytest.raises(ValueError):
        construct(stack, "Database", **required, instance_class="db.t4g.medium")
    database = stack.node.try_find_child("Database")
    assert database is None or database.node.children == []


@pytest.mark.parametrize(
    ("primary", "secondaries", "message"),
    [
        (
            "us-east-1",
            ["us-east-1"],
            r"secondary_regions is \['us-east-1'\]; allowed: regions other than the primary",
        ),
        (
            "us-east-1",
            ["us-west-2", "eu-west-1", "us-west-2"],
            r"allowed: each region once \(duplicated: us-west-2\)",
        ),
        (
            "us-east-1",
            [
                f"{area}-{side}-{n}"
                for area in ("eu", "ap")
                for side in ("west", "south")
                for n in (1, 2, 3)
            ],
            r"secondary_regions has 12 regions; allowed: 0 to 10 secondary regions",
        ),
        (
            "US-EAST-1",
            ["us-west-2"],
            r"primary_region contains 'US-EAST-1'; allowed: an AWS region",
        ),
        ("us-east-1", ["oregon"], r"secondary_regions contains 'oregon'; allowed: an AWS region"),
    ],
)
def test_bad_region_sets_raise_a_clear_value_error(primary, secondaries, message):
    with pytest.raises(ValueError, match=message):
        validate_regions(primary, secondaries)


def test_ten_secondary_regions_are_accepted_not_just_the_notes_five():
    regions = [f"{area}-{side}-1" for area in ("eu", "ap", "sa", "me", "af") for side in "ns"]
    validate_regions("us-east-1", regions)


def test_context_regions_are_validated_before_any_stack_is_created():
    app = App(context={SECONDARY_REGIONS_CONTEXT_KEY: "us-west-2, us-west-2"})
    with pytest.raises(ValueError, match=r"duplicated: us-west-2"):
        add_aurora_global_stacks(app, profile=profile_named("sandbox"), account="123456789012")
    assert app.node.children == []
