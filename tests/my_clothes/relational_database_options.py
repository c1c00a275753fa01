"""Templates of RelationalDatabase options, for ``options:<name>`` template paths and for
tests/my_clothes/test_relational_database.py. Their names start with ``db_``: options names are
looked up across every architecture's options modules.

``STACKS[name](app)`` adds one small stack holding the construct (the contract:
tests/option_templates.py); tests/my_clothes/options.py's ``TEMPLATES[name]()`` returns its
template, from one synthesis of the folder's option stacks, with the cdk-nag gate on.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs

from constructs_lib.relational_database import RelationalDatabase
from tests.option_templates import option_stack

VPC_ID = "vpc-0a1b2c3d4e5f60718"
ZONES = ("us-east-1a", "us-east-1b")
SUBNET_IDS = ("subnet-0a1b2c3d4e5f60741", "subnet-0a1b2c3d4e5f60752")
WEB_TIER_GROUP = "sg-0a1b2c3d4e5f60733"
REPORTING_CIDR = "10.0.64.0/24"
MYSQL_REPLICAS = 2
AURORA_READERS = 2
AURORA_PORT = 5433
SERVERLESS_MAX_ACU = 2


def _network(stack: Stack) -> tuple[ec2.IVpc, ec2.ISecurityGroup]:
    """An existing VPC with two isolated subnets, and the web tier's group, imported by id."""
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id=VPC_ID,
        availability_zones=list(ZONES),
        isolated_subnet_ids=list(SUBNET_IDS),
    )
    web = ec2.SecurityGroup.from_security_group_id(stack, "WebTier", WEB_TIER_GROUP, mutable=False)
    return vpc, web


def _rds_mysql_replicas(stack: Stack) -> None:
    """MyClothes.com v4: RDS MySQL, Multi-AZ, two read replicas; the web tier and a reporting
    range may connect."""
    vpc, web = _network(stack)
    RelationalDatabase(
        stack,
        "Database",
        vpc=vpc,
        engine="mysql",
        read_replicas=MYSQL_REPLICAS,
        allow_from=[web, ec2.Peer.ipv4(REPORTING_CIDR)],
        allocated_storage_gib=50,
        max_allocated_storage_gib=200,
        backup_retention=Duration.days(14),
    )


def _aurora_provisioned_readers(stack: Stack) -> None:
    """MyWordPress.com: Aurora PostgreSQL on provisioned instances, a failover reader and two
    more readers, a non-default port and a customer-managed key."""
    vpc, web = _network(stack)
    RelationalDatabase(
        stack,
        "Database",
        vpc=vpc,
        engine="aurora-postgresql",
        instance_type="r7g.large",
        read_replicas=AURORA_READERS,
        port=AURORA_PORT,
        encryption_key=kms.Key(stack, "Key", enable_key_rotation=True),
        allow_from=[web],
        log_retention=logs.RetentionDays.THREE_MONTHS,
    )


def _serverless_min_zero(stack: Stack) -> None:
    """Aurora MySQL Serverless v2 pausing at 0 ACU when idle, single-AZ, torn down whole: the
    cheapest Aurora there is, as a sandbox would deploy it."""
    vpc, web = _network(stack)
    RelationalDatabase(
        stack,
        "Database",
        vpc=vpc,
        engine="aurora-mysql",
        serverless_v2=True,
        min_capacity=0,
        max_capacity=SERVERLESS_MAX_ACU,
        multi_az=False,
        allow_from=[web],
        deletion_protection=False,
        removal_policy=RemovalPolicy.DESTROY,
    )


def _postgres_sandbox(stack: Stack) -> None:
    """RDS PostgreSQL, one instance in one AZ, no IAM authentication, torn down whole."""
    vpc, web = _network(stack)
    RelationalDatabase(
        stack,
        "Database",
        vpc=vpc,
        engine="postgres",
        multi_az=False,
        max_allocated_storage_gib=None,
        iam_authentication=False,
        allow_from=[web],
        backup_retention=Duration.days(1),
        log_retention=logs.RetentionDays.ONE_WEEK,
        deletion_protection=False,
        removal_policy=RemovalPolicy.DESTROY,
    )


STACKS = {
    "db_rds_mysql_replicas": option_stack("DbRdsMysqlReplicasOption", _rds_mysql_replicas),
    "db_aurora_provisioned_readers": option_stack(
        "DbAuroraProvisionedReadersOption", _aurora_provisioned_readers
    ),
    "db_aurora_serverless_min_zero": option_stack(
        "DbAuroraServerlessMinZeroOption", _serverless_min_zero
    ),
    "db_postgres_sandbox": option_stack("DbPostgresSandboxOption", _postgres_sandbox),
}
