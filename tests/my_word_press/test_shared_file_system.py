"""What MyWordPress.com's shared file system is for (notes 004:814-855, 004:2420-2430,
002:2079-2112), asserted as relations on a small stack synthesized here and on the option
templates of tests/my_word_press/options.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from constructs_lib.shared_file_system import SharedFileSystem
from tests.conftest import PINNED_ENV
from tests.my_word_press.options import (
    APP_SUBNET_IDS,
    ARCHIVE_DAYS,
    ARCHIVE_IA_DAYS,
    DATA_SUBNET_IDS,
    TEMPLATES,
    WEB_GROUP_ID,
    existing_vpc,
)
from tests.template_queries import ingress_rules, one, props, ref, resources

CLIENT = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]


@pytest.fixture(scope="module")
def built() -> SimpleNamespace:
    """The defaults, allowed from two groups, a role granted; and, a stack each, a plain share
    (no access point, no IAM), one without TLS enforcement, one without IAM. Synthesized once
    for the module."""
    app = App()
    stack = Stack(app, "SharedFileSystemFacts", env=PINNED_ENV)
    vpc = existing_vpc(stack)
    web = ec2.SecurityGroup(stack, "Web", vpc=vpc, description="web servers")
    cron = ec2.SecurityGroup(stack, "Cron", vpc=vpc, description="wp-cron workers")
    shared = SharedFileSystem(stack, "Shared", vpc=vpc, allow_from=[web, cron])
    role = iam.Role(stack, "WebRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    shared.grant_client(role)

    plain_stack = Stack(app, "PlainShare", env=PINNED_ENV)
    plain = SharedFileSystem(
        plain_stack,
        "Plain",
        vpc=existing_vpc(plain_stack),
        access_point_path=None,
        iam_authorization=False,
    )
    no_tls_stack = Stack(app, "NoTlsShare", env=PINNED_ENV)
    SharedFileSystem(
        no_tls_stack, "NoTls", vpc=existing_vpc(no_tls_stack), enforce_in_transit_encryption=False
    )
    iam_off_stack = Stack(app, "IamOffShare", env=PINNED_ENV)
    SharedFileSystem(
        iam_off_stack, "IamOff", vpc=existing_vpc(iam_off_stack), iam_authorization=False
    )
    return SimpleNamespace(
        template=Template.from_stack(stack).to_json(),
        no_tls_template=Template.from_stack(no_tls_stack).to_json(),
        iam_off_template=Template.from_stack(iam_off_stack).to_json(),
        commands=stack.resolve(shared.mount_commands("/var/www/html/wp-content/uploads")),
        plain_commands=plain_stack.resolve(plain.mount_commands()),
        shared=shared,
        ids={
            name: stack.get_logical_id(construct.node.default_child)
            for name, construct in {
                "fs": shared.file_system,
                "group": shared.security_group,
                "access_point": shared.access_point,
                "web": web,
                "cron": cron,
                "role": role,
            }.items()
        },
    )


def _file_system(template: dict) -> tuple[str, dict]:
    return one(template, "AWS::EFS::FileSystem")


def _group_of_mount_targets(template: dict) -> str:
    (group_id,) = {
        ref(group)
        for target in resources(template, "AWS::EFS::MountTarget").values()
        for group in props(target)["SecurityGroups"]
    }
    return group_id


def _all_templates(built) -> list[dict]:
    return [built.template, *(template() for template in TEMPLATES.values())]


# -- mount targets and network --------------------------------------------------------------------


@pytest.mark.fact("MWP-03")
def test_a_mount_target_in_each_az_s_isolated_subnet_for_this_file_system(built):
    fs_id, _ = _file_system(built.template)
    targets = resources(built.template, "AWS::EFS::MountTarget").values()
    assert sorted(props(t)["SubnetId"] for t in targets) == sorted(DATA_SUBNET_IDS)
    assert all(ref(props(t)["FileSystemId"]) == fs_id for t in targets)


def test_subnets_moves_the_mount_targets_one_per_az():
    targets = resources(TEMPLATES["efs_customer_key"](), "AWS::EFS::MountTarget").values()
    assert sorted(props(t)["SubnetId"] for t in targets) == sorted(APP_SUBNET_IDS)


def test_every_mount_target_is_in_the_construct_s_group_and_only_it(built):
    for template in _all_templates(built):
        targets = resources(template, "AWS::EFS::MountTarget").values()
        assert targets and all(len(props(t)["SecurityGroups"]) == 1 for t in targets)
        group_id = _group_of_mount_targets(template)
        assert resources(template, "AWS::EC2::SecurityGroup")[group_id]
    assert _group_of_mount_targets(built.template) == built.ids["group"]


@pytest.mark.fact("MWP-03")
def test_the_group_admits_nfs_2049_only_from_allow_from(built):
    rules = ingress_rules(built.template, built.ids["group"])
    assert {ref(rule["SourceSecurityGroupId"]) for rule in rules} == {
        built.ids["web"],
        built.ids["cron"],
    }
    for rule in rules:
        assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 2049, 2049)
        assert "CidrIp" not in rule and "CidrIpv6" not in rule
    for name in ("efs_archive", "efs_no_access_point"):
        template = TEMPLATES[name]()
        rules = ingress_rules(template, _group_of_mount_targets(template))
        assert [(r["SourceSecurityGroupId"], r["FromPort"]) for r in rules] == [
            (WEB_GROUP_ID, 2049)
        ]


def test_the_mount_targets_group_opens_nothing_outwards(built):
    for template in _all_templates(built):
        group = resources(template, "AWS::EC2::SecurityGroup")[_group_of_mount_targets(template)]
        (egress,) = props(group)["SecurityGroupEgress"]
        assert egress["CidrIp"] == "255.255.255.255/32"  # aws-cdk-lib's "no traffic" rule


def test_connections_is_the_mount_targets_group_on_nfs(built):
    connections = built.shared.connections
    assert connections.security_groups == [built.shared.security_group]
    assert connections.default_port.to_string() == "2049"


# -- encryption and policy -------------------------------------------------------------------


def test_encrypted_at_rest_by_aws_elasticfilesystem_unless_given_a_key(built):
    for template in _all_templates(built):
        assert props(_file_system(template)[1])["Encrypted"] is True
    assert "KmsKeyId" not in props(_file_system(built.template)[1])
    template = TEMPLATES["efs_customer_key"]()
    key_id, _ = one(template, "AWS::KMS::Key")
    assert props(_file_system(template)[1])["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}


@pytest.mark.fact("MWP-05")
def test_the_file_system_policy_denies_clients_without_tls(built):
    for template in _all_templates(built):
        statements = props(_file_system(template)[1])["FileSystemPolicy"]["Statement"]
        denies = [s for s in statements if s["Effect"] == "Deny"]
        assert denies == [
            {
                "Sid": "DenyClientsWithoutTls",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]


def test_with_iam_authorization_the_policy_allows_no_anonymous_client(built):
    statements = props(_file_system(built.template)[1])["FileSystemPolicy"]["Statement"]
    assert [s for s in statements if s["Effect"] == "Allow"] == []


def test_iam_authorization_without_tls_enforcement_still_leaves_anonymous_clients_out(built):
    statements = props(_file_system(built.no_tls_template)[1])["FileSystemPolicy"]["Statement"]
    (only,) = statements
    assert only["Effect"] == "Allow" and only["Action"] == CLIENT
    principal = only["Principal"]["AWS"]  # this account: its IAM policies decide
    parts = _joined(principal)
    text = "".join("aws" if part == {"Ref": "AWS::Partition"} else part for part in parts)
    assert text == f"arn:aws:iam::{PINNED_ENV.account}:root"


def _anonymous_allow(template: dict) -> dict:
    statements = props(_file_system(template)[1])["FileSystemPolicy"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"AWS": "*"}
    assert allow["Condition"] == {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}
    return allow


def test_without_iam_any_client_through_a_mount_target_mounts_and_writes_root_too_without_ap():
    allow = _anonymous_allow(TEMPLATES["efs_no_access_point"]())
    assert set(allow["Action"]) == {*CLIENT, "elasticfilesystem:ClientRootAccess"}


def test_without_iam_but_with_an_access_point_no_client_is_root(built):
    assert _anonymous_allow(built.iam_off_template)["Action"] == CLIENT


@pytest.mark.fact("MWP-08")
def test_grant_client_lets_the_role_mount_and_write_this_file_system_through_its_access_point(
    built,
):
    (policy,) = resources(built.template, "AWS::IAM::Policy").values()
    assert [ref(r) for r in props(policy)["Roles"]] == [built.ids["role"]]
    (statement,) = props(policy)["PolicyDocument"]["Statement"]
    assert statement["Action"] == CLIENT
    assert statement["Resource"] == {"Fn::GetAtt": [built.ids["fs"], "Arn"]}
    condition = statement["Condition"]
    assert condition["Bool"] == {"elasticfilesystem:AccessedViaMountTarget": "true"}
    arn = condition["StringEquals"]["elasticfilesystem:AccessPointArn"]
    assert {"Ref": built.ids["access_point"]} in arn["Fn::Join"][1]


def test_without_an_access_point_grant_client_has_no_access_point_condition():
    (policy,) = resources(TEMPLATES["efs_no_access_point"](), "AWS::IAM::Policy").values()
    (statement,) = props(policy)["PolicyDocument"]["Statement"]
    assert statement["Action"] == CLIENT
    assert statement["Condition"] == {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}


# -- access point ----------------------------------------------------------------------------


def test_the_access_point_is_on_this_file_system_as_uid_and_gid_1000_under_shared(built):
    access_point = resources(built.template, "AWS::EFS::AccessPoint")[built.ids["access_point"]]
    assert ref(props(access_point)["FileSystemId"]) == built.ids["fs"]
    assert props(access_point)["PosixUser"] == {"Uid": "1000", "Gid": "1000"}
    assert props(access_point)["RootDirectory"] == {
        "Path": "/shared",
        "CreationInfo": {"OwnerUid": "1000", "OwnerGid": "1000", "Permissions": "750"},
    }


def test_access_point_path_and_posix_ids_are_the_ones_given():
    template = TEMPLATES["efs_customer_key"]()
    fs_id, _ = _file_system(template)
    _, access_point = one(template, "AWS::EFS::AccessPoint")
    assert ref(props(access_point)["FileSystemId"]) == fs_id
    assert props(access_point)["PosixUser"] == {"Uid": "48", "Gid": "48"}
    assert props(access_point)["RootDirectory"]["Path"] == "/wordpress/uploads"


def test_access_point_path_none_makes_no_access_point():
    assert resources(TEMPLATES["efs_no_access_point"](), "AWS::EFS::AccessPoint") == {}


# -- storage classes, performance, throughput -------------------------------------------------


@pytest.mark.fact("MWP-06")
def test_files_move_to_ia_after_30_days_and_back_to_standard_on_first_access(built):
    assert props(_file_system(built.template)[1])["LifecyclePolicies"] == [
        {"TransitionToIA": "AFTER_30_DAYS"},
        {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
    ]


def test_archive_comes_after_ia_on_elastic_throughput():
    fs = props(_file_system(TEMPLATES["efs_archive"]())[1])
    assert fs["LifecyclePolicies"] == [
        {"TransitionToIA": f"AFTER_{ARCHIVE_IA_DAYS}_DAYS"},
        {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
        {"TransitionToArchive": f"AFTER_{ARCHIVE_DAYS}_DAYS"},
    ]
    assert (fs["ThroughputMode"], fs["PerformanceMode"]) == ("elastic", "generalPurpose")


def test_without_transitions_every_file_stays_in_standard():
    fs = props(_file_system(TEMPLATES["efs_no_access_point"]())[1])
    assert "LifecyclePolicies" not in fs


@pytest.mark.fact("MWP-07")
def test_general_purpose_and_elastic_by_default_max_io_only_with_bursting(built):
    fs = props(_file_system(built.template)[1])
    assert (fs["PerformanceMode"], fs["ThroughputMode"]) == ("generalPurpose", "elastic")
    fs = props(_file_system(TEMPLATES["efs_max_io_bursting"]())[1])
    assert (fs["PerformanceMode"], fs["ThroughputMode"]) == ("maxIO", "bursting")


# -- backups and teardown --------------------------------------------------------------------


@pytest.mark.fact("MWP-09")
def test_automatic_backups_on_by_default_and_off_when_asked(built):
    assert props(_file_system(built.template)[1])["BackupPolicy"] == {"Status": "ENABLED"}
    fs = props(_file_system(TEMPLATES["efs_no_access_point"]())[1])
    assert fs["BackupPolicy"] == {"Status": "DISABLED"}


def test_the_file_system_is_retained_by_default_and_deleted_when_asked(built):
    _, fs = _file_system(built.template)
    assert (fs["DeletionPolicy"], fs["UpdateReplacePolicy"]) == ("Retain", "Retain")
    _, fs = _file_system(TEMPLATES["efs_archive"]())
    assert (fs["DeletionPolicy"], fs["UpdateReplacePolicy"]) == ("Delete", "Delete")


def test_nothing_but_the_file_system_is_kept_after_the_stack(built):
    for template in _all_templates(built):
        kept = [
            resource["Type"]
            for resource in template["Resources"].values()
            if resource.get("DeletionPolicy") == "Retain"
        ]
        assert kept in ([], ["AWS::EFS::FileSystem"])


# -- mount commands --------------------------------------------------------------------------


def _joined(command: object) -> list:
    """A resolved command's parts: the string itself, or its Fn::Join list."""
    return command["Fn::Join"][1] if isinstance(command, dict) else [command]


@pytest.mark.fact("MWP-01")
def test_mount_commands_install_efs_utils_and_mount_this_file_system_with_tls_and_iam(built):
    install, mkdir, mount, fstab = built.commands
    assert install == "dnf install -y amazon-efs-utils"
    assert mkdir == "mkdir -p /var/www/html/wp-content/uploads"
    parts = _joined(mount)
    assert parts[0] == "mount -t efs -o tls,iam,accesspoint="
    assert {"Ref": built.ids["access_point"]} in parts
    assert {"Ref": built.ids["fs"]} in parts
    assert parts[-1] == ":/ /var/www/html/wp-content/uploads"


def test_the_fstab_line_mounts_this_file_system_after_the_network_on_every_boot(built):
    parts = _joined(built.commands[3])
    text = "".join(p if isinstance(p, str) else "<ref>" for p in parts)
    assert {"Ref": built.ids["fs"]} in parts and {"Ref": built.ids["access_point"]} in parts
    assert ":/ /var/www/html/wp-content/uploads efs _netdev,nofail,tls,iam,accesspoint=" in text
    assert text.endswith(" 0 0' >> /etc/fstab")
    assert text.startswith("grep -qs ' /var/www/html/wp-content/uploads efs ' /etc/fstab || ")


def test_without_access_point_or_iam_the_mount_uses_tls_alone(built):
    mount = "".join(p if isinstance(p, str) else "<fs>" for p in _joined(built.plain_commands[2]))
    assert mount == "mount -t efs -o tls <fs>:/ /mnt/shared"
    fstab = "".join(p if isinstance(p, str) else "<fs>" for p in _joined(built.plain_commands[3]))
    assert "<fs>:/ /mnt/shared efs _netdev,nofail,tls 0 0" in fstab
