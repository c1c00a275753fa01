"""Templates of SessionStore options that no profile uses, for ``options:<name>`` template paths
and for tests/my_clothes/test_session_store.py. Their names start with ``session_``: options
names are looked up across every architecture's options.py.

``STACKS[name](app)`` adds one small stack holding the construct (the contract:
tests/option_templates.py); tests/my_clothes/options.py's ``TEMPLATES[name]()`` returns its
template, from one synthesis of the folder's option stacks.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from constructs_lib.session_store import SessionStore
from tests.option_templates import option_stack

VPC_ID = "vpc-0a1b2c3d4e5f60718"
ISOLATED_SUBNET_IDS = ("subnet-0a1b2c3d4e5f60744", "subnet-0a1b2c3d4e5f60755")
ZONES = ("us-east-1a", "us-east-1b")
WEB_TIER_GROUP = "sg-0a1b2c3d4e5f60766"
WORKER_GROUP = "sg-0a1b2c3d4e5f60777"
# The Valkey option's numbers: two replicas (three nodes), a port of its own, a week of snapshots.
VALKEY_REPLICAS = 2
VALKEY_PORT = 6390
VALKEY_VERSION = "8.1"
VALKEY_NODE_TYPE = "cache.r7g.large"
SNAPSHOT_DAYS = 7
# The customer key option's attribute names: what its application writes.
CUSTOM_PARTITION_KEY = "sid"
CUSTOM_TTL_ATTRIBUTE = "ttl"


def _existing_vpc(stack: Stack) -> ec2.IVpc:
    """An existing VPC with two isolated subnets, imported by id."""
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id=VPC_ID,
        availability_zones=list(ZONES),
        isolated_subnet_ids=list(ISOLATED_SUBNET_IDS),
    )


def _clients(stack: Stack) -> list[ec2.IConnectable]:
    """The groups of the instances that keep their sessions in the cache."""
    return [
        ec2.SecurityGroup.from_security_group_id(stack, name, group_id, mutable=False)
        for name, group_id in (("WebTier", WEB_TIER_GROUP), ("Workers", WORKER_GROUP))
    ]


def _instance_role(stack: Stack) -> iam.Role:
    return iam.Role(
        stack,
        "InstanceRole",
        assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
        description="Web instances: they read and write sessions",
    )


def _valkey_replicas(stack: Stack) -> None:
    """Valkey on a larger node with two replicas across AZs, its own port and snapshots kept a
    week; a snapshot taken on deletion."""
    store = SessionStore(
        stack,
        "Sessions",
        engine="valkey",
        vpc=_existing_vpc(stack),
        node_type=VALKEY_NODE_TYPE,
        replicas=VALKEY_REPLICAS,
        engine_version=VALKEY_VERSION,
        port=VALKEY_PORT,
        snapshot_retention_days=SNAPSHOT_DAYS,
        allow_from=_clients(stack),
        removal_policy=RemovalPolicy.SNAPSHOT,
    )
    store.grant_read_write(_instance_role(stack))


def _key(stack: Stack, description: str) -> kms.Key:
    return kms.Key(
        stack,
        "Key",
        description=description,
        enable_key_rotation=True,
        pending_window=Duration.days(7),
        removal_policy=RemovalPolicy.DESTROY,
    )


def _redis_single_node(stack: Stack) -> None:
    """Redis OSS on one node (no replica: the cheapest cache, no failover) under a customer
    managed key, no snapshots, deleted entirely."""
    store = SessionStore(
        stack,
        "Sessions",
        engine="redis",
        vpc=_existing_vpc(stack),
        replicas=0,
        snapshot_retention_days=0,
        encryption_key=_key(stack, "Session cache key"),
        allow_from=_clients(stack)[:1],
        removal_policy=RemovalPolicy.DESTROY,
    )
    store.grant_read_write(_instance_role(stack))


def _customer_key(stack: Stack) -> None:
    """A DynamoDB table under a customer managed key, with the application's own names."""
    key = _key(stack, "Session table key")
    store = SessionStore(
        stack,
        "Sessions",
        encryption_key=key,
        partition_key=CUSTOM_PARTITION_KEY,
        ttl_attribute=CUSTOM_TTL_ATTRIBUTE,
        removal_policy=RemovalPolicy.DESTROY,
    )
    store.grant_read_write(_instance_role(stack))


STACKS = {
    "session_valkey_replicas": option_stack("SessionValkeyReplicasOption", _valkey_replicas),
    "session_redis": option_stack("SessionRedisOption", _redis_single_node),
    "session_customer_key": option_stack("SessionCustomerKeyOption", _customer_key),
}
