"""RelationalDatabase refuses a bad prop with a ValueError naming it, before any resource
exists; a deploy-time token passes unchecked (CloudFormation checks it)."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2

from constructs_lib.relational_database import RelationalDatabase
from tests.conftest import PINNED_ENV

DAYS = Duration.days


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput", env=PINNED_ENV)


def _vpc(stack: Stack, zones: tuple[str, ...] = ("us-east-1a", "us-east-1b")) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zones=list(zones),
        isolated_subnet_ids=[f"subnet-0a1b2c3d4e5f6074{n}" for n in range(len(zones))],
    )


BAD = [
    ({"engine": "oracle"}, r"engine is 'oracle'; allowed: postgres, mysql, aurora-postgresql"),
    ({"engine": "postgres", "engine_version": "13.20"}, r"engine_version is '13.20' for engine"),
    ({"engine": "postgres", "engine_version": "17"}, r"engine_version is '17' for engine 'post"),
    ({"engine": "mysql", "engine_version": "8.0.42"}, r"engine_version is '8.0.42' .* 8.4 or"),
    ({"engine_version": "16.9.1"}, r"engine_version is '16.9.1' for engine 'aurora-postgresql'"),
    ({"engine": "aurora-mysql", "engine_version": "5.7.mysql_aurora.2.12.0"}, r"Aurora MySQL 3"),
    ({"engine_version": 16.9}, r"engine_version is 16.9; allowed: an Aurora PostgreSQL version"),
    ({"instance_type": "db.t4g.medium"}, r"instance_type is 'db.t4g.medium'; .* 't4g.medium'"),
    ({"instance_type": "medium"}, r"instance_type is 'medium'; allowed: an EC2 instance type"),
    (
        {"serverless_v2": True, "instance_type": "r7g.large"},
        r"instance_type is 'r7g.large'; allowed only with serverless_v2=False",
    ),
    ({"serverless_v2": "yes"}, r"serverless_v2 is 'yes'; allowed: True or False"),
    (
        {"engine": "postgres", "serverless_v2": True},
        r"serverless_v2 is True; allowed only with an Aurora engine",
    ),
    ({"min_capacity": 1}, r"min_capacity is 1; allowed only with serverless_v2=True"),
    ({"max_capacity": 8}, r"max_capacity is 8; allowed only with serverless_v2=True"),
    (
        {"serverless_v2": True, "min_capacity": -0.5},
        r"min_capacity is -0.5; allowed: 0 to 256 ACUs",
    ),
    ({"serverless_v2": True, "min_capacity": 0.75}, r"min_capacity is 0.75; .* steps of 0.5"),
    ({"serverless_v2": True, "max_capacity": 0.5}, r"max_capacity is 0.5; allowed: 1 to 256"),
    ({"serverless_v2": True, "max_capacity": 257}, r"max_capacity is 257; allowed: 1 to 256"),
    (
        {"serverless_v2": True, "min_capacity": 8, "max_capacity": 4},
        r"max_capacity is 4, below min_capacity 8",
    ),
    (
        {"serverless_v2": True, "min_capacity": 0, "engine_version": "16.2"},
        r"min_capacity is 0 \(automatic pause\) with aurora-postgresql 16.2; allowed: 0 from "
        r"version 16.3 on, else 0.5 or more",
    ),
    (
        {
            "engine": "aurora-mysql",
            "serverless_v2": True,
            "min_capacity": 0,
            "engine_version": "8.0.mysql_aurora.3.07.1",
        },
        r"min_capacity is 0 \(automatic pause\) with aurora-mysql 3.07.1; allowed: 0 from "
        r"version 3.08.0 on",
    ),
    (
        {"serverless_v2": True, "engine_version": "14.2"},
        r"serverless_v2 is True with aurora-postgresql 14.2; allowed: version 14.3 or later",
    ),
    ({"multi_az": 1}, r"multi_az is 1; allowed: True or False"),
    ({"read_replicas": -1}, r"read_replicas is -1; allowed: 0 to 14"),
    ({"read_replicas": 15}, r"read_replicas is 15; allowed: 0 to 14 \(Aurora: at most 15"),
    ({"read_replicas": 16, "multi_az": False}, r"read_replicas is 16; allowed: 0 to 15"),
    ({"engine": "mysql", "read_replicas": 16}, r"read_replicas is 16; allowed: 0 to 15 \(RDS"),
    ({"read_replicas": 1.5}, r"read_replicas is 1.5; allowed: a whole number"),
    ({"read_replicas": True}, r"read_replicas is True; allowed: a whole number"),
    ({"database_name": "postgres"}, r"database_name is 'postgres', a database the engine"),
    ({"engine": "mysql", "database_name": "sys"}, r"database_name is 'sys', a database the"),
    ({"database_name": "1app"}, r"database_name is '1app'; allowed: 1 to 63 letters"),
    ({"database_name": "my-app"}, r"database_name is 'my-app'; allowed"),
    ({"database_name": "a" * 64}, r"database_name is 'a{64}'; allowed: 1 to 63"),
    ({"engine": "mysql", "database_name": "a" * 65}, r"allowed: 1 to 64 letters"),
    ({"port": 80}, r"port is 80; allowed: 1150 to 65535"),
    ({"port": 65536}, r"port is 65536; allowed: 1150 to 65535"),
    ({"port": "5432"}, r"port is '5432'; allowed: a whole number"),
    ({"engine": "postgres", "allocated_storage_gib": 10}, r"allocated_storage_gib is 10; .* 20 to"),
    (
        {"engine": "postgres", "allocated_storage_gib": 100, "max_allocated_storage_gib": 105},
        r"max_allocated_storage_gib is 105; allowed: at least 110 GiB \(10% above",
    ),
    (
        {"engine": "mysql", "max_allocated_storage_gib": 70000},
        r"max_allocated_storage_gib is 70000; allowed: 20 to 65536 GiB",
    ),
    ({"allocated_storage_gib": 50}, r"allocated_storage_gib is 50; allowed only with engine"),
    ({"max_allocated_storage_gib": None}, r"max_allocated_storage_gib is None; allowed only"),
    ({"backup_retention": DAYS(0)}, r"backup_retention is 0 days; allowed: whole days, 1 to 35"),
    ({"backup_retention": DAYS(36)}, r"backup_retention is 36 days; allowed: whole days"),
    (
        {"backup_retention": Duration.hours(36)},
        r"backup_retention is 1.5 days \(1 day 12 hours\); allowed: whole days",
    ),
    ({"backup_retention": 7}, r"backup_retention is 7; allowed: a Duration of whole days"),
    ({"iam_authentication": "on"}, r"iam_authentication is 'on'; allowed: True or False"),
    ({"deletion_protection": None}, r"deletion_protection is None; allowed: True or False"),
    ({"encryption_key": "alias/aws/rds"}, r"encryption_key is 'alias/aws/rds'; allowed: a kms"),
    ({"allow_from": "sg-0123"}, r"allow_from is 'sg-0123'; allowed: a list of ec2.IConnectable"),
    ({"allow_from": ["sg-0123"]}, r"allow_from is 'sg-0123'; allowed: ec2.IConnectable items"),
    ({"allow_from": [ec2.Peer.any_ipv4()]}, r"allow_from contains 0.0.0.0/0, anyone"),
    ({"allow_from": [ec2.Peer.any_ipv6()]}, r"allow_from contains ::/0, anyone"),
    ({"log_retention": 30}, r"log_retention is 30; allowed: a logs.RetentionDays"),
    ({"removal_policy": "snapshot"}, r"removal_policy is 'snapshot'; allowed: a RemovalPolicy"),
    ({"subnets": ["subnet-1"]}, r"subnets is \['subnet-1'\]; allowed: an ec2.SubnetSelection"),
    (
        {"subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)},
        r"subnets selects no subnets of vpc \(.*\); allowed: a selection of at least two AZs",
    ),
    (
        {"subnets": ec2.SubnetSelection(availability_zones=["us-east-1a"])},
        r"subnets selects subnets in 1 AZ \(us-east-1a\); allowed: subnets in at least two AZs",
    ),
]


@pytest.mark.fact("MYC-19")
@pytest.mark.parametrize(("props", "message"), BAD)
def test_a_bad_prop_is_refused_with_its_name_before_any_resource(stack, props, message):
    vpc = _vpc(stack)
    with pytest.raises(ValueError, match=message):
        RelationalDatabase(stack, "Database", vpc=vpc, **props)
    assert stack.node.find_child("Database").node.children == []


def test_a_vpc_that_is_not_one_is_refused(stack):
    with pytest.raises(ValueError, match=r"vpc is 'vpc-0a1b2c3d4e5f60718'; allowed: an ec2.IVpc"):
        RelationalDatabase(stack, "Database", vpc="vpc-0a1b2c3d4e5f60718")


@pytest.mark.fact("MYC-19")
def test_a_vpc_of_one_az_is_refused(stack):
    with pytest.raises(ValueError, match=r"subnets selects subnets in 1 AZ \(us-east-1a\)"):
        RelationalDatabase(stack, "Database", vpc=_vpc(stack, ("us-east-1a",)))


def test_the_replica_count_must_be_known_at_synthesis(stack):
    count = CfnParameter(stack, "Count", type="Number").value_as_number
    with pytest.raises(ValueError, match=r"read_replicas is a token; allowed: 0 to 14, known"):
        RelationalDatabase(stack, "Database", vpc=_vpc(stack), read_replicas=count)


def test_grant_connect_needs_iam_authentication(stack):
    from aws_cdk import aws_iam as iam

    database = RelationalDatabase(
        stack, "Database", vpc=_vpc(stack), engine="postgres", iam_authentication=False
    )
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    with pytest.raises(ValueError, match=r"grant_connect needs iam_authentication=True"):
        database.grant_connect(role, "app")


def test_tokens_pass_unchecked(stack):
    number = CfnParameter(stack, "Number", type="Number").value_as_number
    name = CfnParameter(stack, "Name").value_as_string
    days = CfnParameter(stack, "Days", type="Number").value_as_number
    vpc = _vpc(stack)
    rds_database = RelationalDatabase(
        stack,
        "Rds",
        vpc=vpc,
        engine="postgres",
        port=number,
        database_name=name,
        allocated_storage_gib=number,
        max_allocated_storage_gib=number,
        backup_retention=Duration.days(days),
        removal_policy=RemovalPolicy.DESTROY,
    )
    serverless = RelationalDatabase(
        stack,
        "Serverless",
        vpc=vpc,
        serverless_v2=True,
        min_capacity=number,
        max_capacity=number,
    )
    instance = rds_database.instance.node.default_child
    assert stack.resolve(instance.port) == {"Ref": "Number"}
    assert stack.resolve(instance.db_name) == {"Ref": "Name"}
    assert stack.resolve(instance.backup_retention_period) == {"Ref": "Days"}
    assert serverless.cluster is not None and serverless.instance is None
