"""SessionStore refuses a bad prop with a ValueError naming it, before any resource exists; a
deploy-time token passes unchecked (CloudFormation checks it)."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms

from constructs_lib.session_store import SessionStore
from tests.conftest import PINNED_ENV

VPC_ID = "vpc-0a1b2c3d4e5f60718"
SUBNETS = ("subnet-0a1b2c3d4e5f60744", "subnet-0a1b2c3d4e5f60755")
CACHE_ONLY = 'allowed only with engine="valkey" or engine="redis"'


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput", env=PINNED_ENV)


def _vpc(stack: Stack, zones: int = 2, **subnets: list[str]) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack,
        f"Vpc{len(stack.node.children)}",
        vpc_id=VPC_ID,
        availability_zones=["us-east-1a", "us-east-1b"][:zones],
        **(subnets or {"isolated_subnet_ids": list(SUBNETS[:zones])}),
    )


def _refused(stack: Stack, message: str, **props: object) -> None:
    with pytest.raises(ValueError, match=message):
        SessionStore(stack, "Sessions", **props)
    assert stack.node.try_find_child("Sessions").node.children == []


TABLE_BAD = [
    ({"engine": "memcached"}, r"engine is 'memcached'; allowed: dynamodb, valkey, redis"),
    ({"engine": None}, r"engine is None; allowed: dynamodb, valkey, redis"),
    ({"removal_policy": "destroy"}, r"removal_policy is 'destroy'; allowed: a RemovalPolicy"),
    (
        {"removal_policy": RemovalPolicy.SNAPSHOT},
        r'removal_policy is SNAPSHOT; allowed for engine="dynamodb": RETAIN',
    ),
    ({"encryption_key": "alias/sessions"}, r"encryption_key is 'alias/sessions'; allowed: a kms"),
    ({"partition_key": ""}, r"partition_key is ''; allowed: an attribute name, 1 to 255"),
    ({"partition_key": "k" * 256}, r"partition_key is 'k+'; allowed: an attribute name"),
    ({"partition_key": 7}, r"partition_key is 7; allowed: an attribute name"),
    ({"ttl_attribute": ""}, r"ttl_attribute is ''; allowed: an attribute name"),
    (
        {"ttl_attribute": "session_id"},
        r"ttl_attribute is 'session_id'; allowed: another attribute than partition_key",
    ),
    (
        {"partition_key": "sid", "ttl_attribute": "sid"},
        r"ttl_attribute is 'sid'; allowed: another attribute than partition_key",
    ),
    ({"point_in_time_recovery": "yes"}, r"point_in_time_recovery is 'yes'; allowed: True or"),
    ({"point_in_time_recovery": 0}, r"point_in_time_recovery is 0; allowed: True or False"),
    # Cache props without a cache engine:
    ({"subnets": ec2.SubnetSelection()}, rf"subnets is .*; {CACHE_ONLY}"),
    ({"node_type": "cache.t4g.small"}, rf"node_type is 'cache.t4g.small'; {CACHE_ONLY}"),
    ({"replicas": 2}, rf"replicas is 2; {CACHE_ONLY}"),
    ({"engine_version": "8.0"}, rf"engine_version is '8.0'; {CACHE_ONLY}"),
    ({"port": 6380}, rf"port is 6380; {CACHE_ONLY}"),
    ({"snapshot_retention_days": 7}, rf"snapshot_retention_days is 7; {CACHE_ONLY}"),
    ({"allow_from": "sg-1"}, rf"allow_from is 'sg-1'; {CACHE_ONLY}"),
]


@pytest.mark.parametrize(("props", "message"), TABLE_BAD)
def test_a_bad_table_prop_is_refused_with_its_name(stack, props, message):
    _refused(stack, message, **props)


def test_a_vpc_or_clients_for_a_table_are_refused(stack):
    _refused(stack, rf"vpc is .*; {CACHE_ONLY}", vpc=_vpc(stack))
    group = ec2.SecurityGroup.from_security_group_id(stack, "Web", "sg-0a1b2c3d4e5f60766")
    with pytest.raises(ValueError, match=rf"allow_from is \[.*\]; {CACHE_ONLY}"):
        SessionStore(stack, "Other", allow_from=[group])


CACHE_BAD = [
    ({"vpc": None}, r'vpc is None; allowed: an ec2.IVpc \(engine="valkey" or "redis" needs one\)'),
    ({"vpc": VPC_ID}, rf"vpc is '{VPC_ID}'; allowed: an ec2.IVpc"),
    ({"subnets": list(SUBNETS)}, r"subnets is \[.*\]; allowed: an ec2.SubnetSelection"),
    (
        {"subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)},
        r"subnets selects nothing in this VPC \(.*\); allowed: a selection of its subnets",
    ),
    ({"node_type": "t4g.micro"}, r"node_type is 't4g.micro'; allowed: an ElastiCache node type"),
    ({"node_type": "cache.t4g.tiny"}, r"node_type is 'cache.t4g.tiny'; allowed: an ElastiCache"),
    ({"replicas": -1}, r"replicas is -1; allowed: 0 to 5"),
    ({"replicas": 6}, r"replicas is 6; allowed: 0 to 5"),
    ({"replicas": 1.5}, r"replicas is 1.5; allowed: a whole number, 0 to 5"),
    ({"replicas": True}, r"replicas is True; allowed: a whole number, 0 to 5"),
    ({"engine_version": "7.1"}, r"engine_version is '7.1'; allowed: valkey 7.2 or later"),
    ({"engine_version": "eight"}, r"engine_version is 'eight'; allowed: valkey 7.2 or later"),
    ({"engine_version": 8.0}, r"engine_version is 8.0; allowed: valkey 7.2 or later"),
    ({"engine": "redis", "engine_version": "6.2"}, r"engine_version is '6.2'; allowed: redis 7.0"),
    ({"port": 0}, r"port is 0; allowed: 1 to 65535"),
    ({"port": 65536}, r"port is 65536; allowed: 1 to 65535"),
    ({"port": "6380"}, r"port is '6380'; allowed: a whole number, 1 to 65535"),
    ({"snapshot_retention_days": 36}, r"snapshot_retention_days is 36; allowed: 0 to 35 days"),
    ({"snapshot_retention_days": -1}, r"snapshot_retention_days is -1; allowed: 0 to 35 days"),
    ({"allow_from": "sg-1"}, r"allow_from is 'sg-1'; allowed: a list of ec2.IConnectable"),
    ({"allow_from": ["sg-1"]}, r"allow_from is 'sg-1'; allowed: ec2.IConnectable items"),
    ({"encryption_key": "arn:aws:kms:x"}, r"encryption_key is 'arn:aws:kms:x'; allowed: a kms"),
    # Table props with a cache engine:
    ({"partition_key": "sid"}, r"partition_key is 'sid'; allowed only with engine=\"dynamodb\""),
    ({"ttl_attribute": "ttl"}, r"ttl_attribute is 'ttl'; allowed only with engine=\"dynamodb\""),
    (
        {"point_in_time_recovery": False},
        r"point_in_time_recovery is False; allowed only with engine=\"dynamodb\"",
    ),
]


@pytest.mark.parametrize(("props", "message"), CACHE_BAD)
def test_a_bad_cache_prop_is_refused_with_its_name(stack, props, message):
    props = {"engine": "valkey", "vpc": _vpc(stack), **props}
    _refused(stack, message, **props)


def test_a_vpc_without_isolated_subnets_is_refused_naming_subnets(stack):
    vpc = _vpc(stack, private_subnet_ids=list(SUBNETS))
    _refused(stack, r"subnets selects nothing in this VPC", engine="redis", vpc=vpc)


@pytest.mark.fact("MYC-20")
def test_replicas_need_subnets_in_two_zones(stack):
    _refused(
        stack,
        r"subnets are all in us-east-1a; allowed with replicas=1: subnets in two AZs or more",
        engine="valkey",
        vpc=_vpc(stack, zones=1),
    )
    single = SessionStore(stack, "Single", engine="valkey", vpc=_vpc(stack, zones=1), replicas=0)
    assert single.replication_group.num_cache_clusters == 1


def test_replicas_from_a_parameter_are_refused_they_decide_multi_az(stack):
    count = CfnParameter(stack, "Replicas", type="Number").value_as_number
    _refused(
        stack,
        r"replicas is a deploy-time token; allowed: a whole number known at synthesis",
        engine="valkey",
        vpc=_vpc(stack),
        replicas=count,
    )


def test_tokens_pass_unchecked(stack):
    number = CfnParameter(stack, "Number", type="Number").value_as_number
    text = CfnParameter(stack, "Text").value_as_string
    cache = SessionStore(
        stack,
        "Cache",
        engine="redis",
        vpc=_vpc(stack),
        node_type=text,
        engine_version=text,
        port=number,
        snapshot_retention_days=number,
    )
    table = SessionStore(stack, "Table", partition_key=text, ttl_attribute=text)
    assert cache.replication_group is not None and table.table is not None


def test_an_imported_key_is_accepted(stack):
    key = kms.Key.from_key_arn(
        stack, "Key", "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"
    )
    assert SessionStore(stack, "Sessions", encryption_key=key).table is not None
