"""Templates of SharedFileSystem options that no profile uses, for ``options:<name>`` template
paths and for tests/my_word_press/test_shared_file_system.py. Their names start with ``efs_``:
options names are looked up across every architecture's options.py.

``STACKS[name](app)`` adds one small stack holding the construct in an existing VPC (the
contract: tests/option_templates.py); ``TEMPLATES[name]()`` returns its template, from one
synthesis of every stack here.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from constructs_lib.shared_file_system import SharedFileSystem
from tests.option_templates import option_stack, templates_of

VPC_ID = "vpc-0e1f2a3b4c5d60718"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
APP_SUBNET_IDS = (
    "subnet-0e1f2a3b4c5d60711",
    "subnet-0e1f2a3b4c5d60722",
    "subnet-0e1f2a3b4c5d60733",
)
DATA_SUBNET_IDS = (
    "subnet-0e1f2a3b4c5d60744",
    "subnet-0e1f2a3b4c5d60755",
    "subnet-0e1f2a3b4c5d60766",
)
APP_ROUTE_TABLE_IDS = ("rtb-0e1f2a3b4c5d60711", "rtb-0e1f2a3b4c5d60722", "rtb-0e1f2a3b4c5d60733")
DATA_ROUTE_TABLE_ID = "rtb-0e1f2a3b4c5d60744"  # one table, no route out, for every data subnet
WEB_GROUP_ID = "sg-0e1f2a3b4c5d60777"
ARCHIVE_IA_DAYS = 14
ARCHIVE_DAYS = 180


def existing_vpc(stack: Stack) -> ec2.IVpc:
    """A three-AZ VPC by id: app subnets with egress, isolated data subnets."""
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id=VPC_ID,
        availability_zones=list(ZONES),
        private_subnet_ids=list(APP_SUBNET_IDS),
        private_subnet_route_table_ids=list(APP_ROUTE_TABLE_IDS),
        isolated_subnet_ids=list(DATA_SUBNET_IDS),
        isolated_subnet_route_table_ids=[DATA_ROUTE_TABLE_ID] * len(DATA_SUBNET_IDS),
    )


def _web_servers(stack: Stack) -> ec2.ISecurityGroup:
    return ec2.SecurityGroup.from_security_group_id(
        stack, "WebServers", WEB_GROUP_ID, mutable=False
    )


def _max_io_bursting(stack: Stack) -> None:
    """The notes' other performance mode, with the throughput mode the notes call the default."""
    SharedFileSystem(
        stack,
        "Shared",
        vpc=existing_vpc(stack),
        allow_from=[_web_servers(stack)],
        performance_mode="max_io",
        throughput_mode="bursting",
    )


def _archive(stack: Stack) -> None:
    """IA after two weeks, Archive after half a year; deleted with its stack."""
    SharedFileSystem(
        stack,
        "Shared",
        vpc=existing_vpc(stack),
        allow_from=[_web_servers(stack)],
        transition_to_ia_days=ARCHIVE_IA_DAYS,
        transition_to_archive_days=ARCHIVE_DAYS,
        removal_policy=RemovalPolicy.DESTROY,
    )


def _customer_key(stack: Stack) -> None:
    """Encrypted at rest with a customer-managed key (rotated yearly) instead of
    aws/elasticfilesystem, mount targets in the app subnets, another uid and gid."""
    key = kms.Key(
        stack,
        "Key",
        enable_key_rotation=True,
        pending_window=Duration.days(7),
        removal_policy=RemovalPolicy.DESTROY,
    )
    SharedFileSystem(
        stack,
        "Shared",
        vpc=existing_vpc(stack),
        subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        allow_from=[_web_servers(stack)],
        encryption_key=key,
        access_point_path="/wordpress/uploads",
        posix_uid=48,
        posix_gid=48,
    )


def _no_access_point(stack: Stack) -> None:
    """The notes' plain NFS share: no access point, any client the group admits mounts (no
    IAM), files stay in Standard, no automatic backups; a role granted all the same."""
    shared = SharedFileSystem(
        stack,
        "Shared",
        vpc=existing_vpc(stack),
        allow_from=[_web_servers(stack)],
        access_point_path=None,
        iam_authorization=False,
        transition_to_ia_days=None,
        automatic_backups=False,
    )
    role = iam.Role(
        stack,
        "ClientRole",
        assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
        description="An EFS client's role",
    )
    shared.grant_client(role)


STACKS = {
    "efs_max_io_bursting": option_stack("EfsMaxIoBurstingOption", _max_io_bursting),
    "efs_archive": option_stack("EfsArchiveOption", _archive),
    "efs_customer_key": option_stack("EfsCustomerKeyOption", _customer_key),
    "efs_no_access_point": option_stack("EfsNoAccessPointOption", _no_access_point),
}
TEMPLATES = templates_of(STACKS)
