"""What MyWordPress.com exists for (notes 004:2426-2430, 004:814-853, 004:585-591), asserted as
relations on the MyWordPress stack's templates: every instance of this group mounts that one file
system, this mount target's group admits NFS only from those instances' group, this grant is on
this file system through that access point, this database admits only those instances.

The notes' contrast is EBS (one instance's disk, in one AZ) against EFS (one file system that
every instance in every AZ mounts): the templates show the EFS side, and that nothing of the
site is on an instance's EBS volume."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from stacks.classic_apps.user_data import SHARED_FILES_UID, server_source
from stacks.my_word_press_stack import MOUNT_POINT, SETTINGS
from tests.template_queries import cdk_path, ingress_rules, one, props, ref, resources

STACK = "MyWordPress"
PROFILES = ("sandbox", "production")
AZS = {"sandbox": 2, "production": 3}
NFS = ("tcp", 2049, 2049)
MYSQL = ("tcp", 3306, 3306)
CLIENT_ACTIONS = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
AL2023_ARM64 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64"
SOURCE_END = "CLASSIC_APP_SOURCE"


def _template(synthesized, profile: str) -> dict:
    return synthesized(profile).template(STACK)


def _by_path(template: dict, resource_type: str, path: str) -> str:
    """The logical id of the ``resource_type`` at construct path ``MyWordPress/<path>``."""
    (found,) = [
        lid
        for lid, resource in resources(template, resource_type).items()
        if cdk_path(resource) == f"{STACK}/{path}"
    ]
    return found


def _subnets(template: dict, tier: str) -> dict[str, str]:
    """Subnet logical id -> AZ, for the VPC's ``tier`` subnets (Public, Application, Data)."""
    return {
        lid: props(subnet)["AvailabilityZone"]
        for lid, subnet in resources(template, "AWS::EC2::Subnet").items()
        if {"Key": "aws-cdk:subnet-name", "Value": tier} in props(subnet)["Tags"]
    }


def _route_table_of(template: dict, subnet_id: str) -> str:
    (table,) = [
        ref(props(association)["RouteTableId"])
        for association in resources(template, "AWS::EC2::SubnetRouteTableAssociation").values()
        if ref(props(association)["SubnetId"]) == subnet_id
    ]
    return table


def _group(template: dict) -> tuple[str, dict]:
    return one(template, "AWS::AutoScaling::AutoScalingGroup")


def _launch_data(template: dict) -> dict:
    """The launch template the Auto Scaling group launches its instances from."""
    _, group = _group(template)
    launch_id = ref(props(group)["LaunchTemplate"]["LaunchTemplateId"])
    launch = resources(template, "AWS::EC2::LaunchTemplate")[launch_id]
    return props(launch)["LaunchTemplateData"]


def _instance_group(template: dict) -> str:
    """The web tier's own group of the instances: the one the ALB, EFS and Aurora admit."""
    group = _by_path(template, "AWS::EC2::SecurityGroup", "Web/InstanceSecurityGroup/Resource")
    assert group in [ref(g) for g in _launch_data(template)["SecurityGroupIds"]]
    return group


def _instance_role(template: dict) -> str:
    """The role of the instance profile the launch template gives every instance."""
    profile_id = ref(_launch_data(template)["IamInstanceProfile"]["Arn"])
    (role,) = props(resources(template, "AWS::IAM::InstanceProfile")[profile_id])["Roles"]
    return ref(role)


def _role_statements(template: dict, role_id: str) -> list[dict]:
    return [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if role_id in [ref(r) for r in props(policy)["Roles"]]
        for statement in props(policy)["PolicyDocument"]["Statement"]
    ]


def _user_data(template: dict) -> str:
    """The instances' user data as text, each reference written ``<Ref:logical id>``."""
    parts = _launch_data(template)["UserData"]["Fn::Base64"]["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else f"<Ref:{p['Ref']}>" for p in parts)


def _shipped_source(user_data: str, path: str) -> str:
    """The exact text of the file the user data unpacks at ``path`` (gzip, base64 heredoc)."""
    lines = user_data.splitlines()
    start = lines.index(f"base64 -d <<'{SOURCE_END}' | gunzip > {path}") + 1
    end = lines.index(SOURCE_END, start)
    payload = "\n".join(lines[start:end])
    return gzip.decompress(base64.b64decode(payload)).decode("utf-8")


def _file_system(template: dict) -> tuple[str, dict]:
    return one(template, "AWS::EFS::FileSystem")


def _access_point(template: dict) -> tuple[str, dict]:
    return one(template, "AWS::EFS::AccessPoint")


def _mount_targets(template: dict) -> dict[str, dict]:
    return resources(template, "AWS::EFS::MountTarget")


def _admitted(template: dict, group_id: str) -> list[tuple]:
    """(protocol, from port, to port, source) of every ingress rule of ``group_id``."""
    return [
        (
            rule["IpProtocol"],
            rule["FromPort"],
            rule["ToPort"],
            rule.get("CidrIp") or rule.get("CidrIpv6") or ref(rule.get("SourceSecurityGroupId")),
        )
        for rule in ingress_rules(template, group_id)
    ]


def _cluster(template: dict) -> tuple[str, dict]:
    return one(template, "AWS::RDS::DBCluster")


def _database_instances(template: dict) -> dict[str, dict]:
    return resources(template, "AWS::RDS::DBInstance")


# -- one file system, every instance in every AZ ---------------------------------------------


@pytest.mark.fact("MWP-01")
@pytest.mark.parametrize("profile", PROFILES)
def test_every_instance_of_the_group_in_every_az_mounts_the_one_encrypted_file_system_with_tls(
    synthesized, profile
):
    template = _template(synthesized, profile)
    fs_id, fs = _file_system(template)
    ap_id, access_point = _access_point(template)
    assert props(fs)["Encrypted"] is True
    assert ref(props(access_point)["FileSystemId"]) == fs_id
    # One group over every AZ's application subnet, at least one instance per AZ.
    _, group = _group(template)
    app = _subnets(template, "Application")
    assert len(set(app.values())) == AZS[profile] == len(app)
    assert sorted(ref(s) for s in props(group)["VPCZoneIdentifier"]) == sorted(app)
    assert int(props(group)["MinSize"]) >= AZS[profile]
    # Each instance mounts this file system, through this access point, with TLS and IAM, now
    # and on every boot, at the directory the page serves.
    lines = _user_data(template).splitlines()
    options = f"tls,iam,accesspoint=<Ref:{ap_id}>"
    source = f"<Ref:{fs_id}>:/"
    assert f"mount -t efs -o {options} {source} {MOUNT_POINT}" in lines
    fstab = f"{source} {MOUNT_POINT} efs _netdev,nofail,{options} 0 0"
    assert f"echo '{fstab}' >> /etc/fstab" in " ".join(lines)
    assert "dnf install -y amazon-efs-utils" in lines
    config = lines[lines.index("cat > /etc/shared-files/config.json <<'CLASSIC_APP_CONFIG'") + 1]
    assert json.loads(config)["directory"] == MOUNT_POINT
    # The mount commands are Amazon Linux 2023's (dnf, amazon-efs-utils): so is the image.
    image = ref(_launch_data(template)["ImageId"])
    assert template["Parameters"][image]["Default"] == AL2023_ARM64


@pytest.mark.fact("MWP-02")
@pytest.mark.parametrize("profile", PROFILES)
def test_no_instance_keeps_the_site_on_ebs_its_only_volume_is_a_root_volume_deleted_with_it(
    synthesized, profile
):
    template = _template(synthesized, profile)
    # An EBS volume is one instance's, in one AZ: none is created, none attached.
    assert resources(template, "AWS::EC2::Volume") == {}
    assert resources(template, "AWS::EC2::VolumeAttachment") == {}
    assert resources(template, "AWS::EC2::Instance") == {}
    (root,) = _launch_data(template)["BlockDeviceMappings"]
    assert root["DeviceName"] == "/dev/xvda"
    assert root["Ebs"]["DeleteOnTermination"] is True
    assert root["Ebs"]["Encrypted"] is True
    # What the page writes goes to the mount point, the only path its unit may write.
    assert f"ReadWritePaths={MOUNT_POINT}" in _user_data(template).splitlines()


@pytest.mark.fact("MWP-03")
@pytest.mark.parametrize("profile", PROFILES)
def test_a_mount_target_in_every_instances_az_in_a_group_admitting_nfs_only_from_the_instances(
    synthesized, profile
):
    template = _template(synthesized, profile)
    fs_id, _ = _file_system(template)
    data = _subnets(template, "Data")
    app = _subnets(template, "Application")
    targets = _mount_targets(template).values()
    # One mount target per AZ, in the data subnets, of this file system; every AZ an instance
    # may run in has one, so an instance mounts the one of its own AZ.
    assert sorted(ref(props(t)["SubnetId"]) for t in targets) == sorted(data)
    assert sorted(data.values()) == sorted(app.values())
    assert all(ref(props(t)["FileSystemId"]) == fs_id for t in targets)
    # The mount helper finds the mount target of its AZ by the file system's DNS name.
    _, vpc = one(template, "AWS::EC2::VPC")
    assert (props(vpc)["EnableDnsSupport"], props(vpc)["EnableDnsHostnames"]) == (True, True)
    mount_group = _by_path(
        template, "AWS::EC2::SecurityGroup", "Files/MountTargetSecurityGroup/Resource"
    )
    assert all([ref(g) for g in props(t)["SecurityGroups"]] == [mount_group] for t in targets)
    assert _admitted(template, mount_group) == [(*NFS, _instance_group(template))]
    (egress,) = props(resources(template, "AWS::EC2::SecurityGroup")[mount_group])[
        "SecurityGroupEgress"
    ]
    assert egress["CidrIp"] == "255.255.255.255/32"  # aws-cdk-lib's "no traffic" rule


@pytest.mark.fact("MWP-04")
@pytest.mark.parametrize("profile", PROFILES)
def test_the_group_launches_instances_only_after_every_mount_target_exists(synthesized, profile):
    template = _template(synthesized, profile)
    _, group = _group(template)
    targets = set(_mount_targets(template))
    assert len(targets) == AZS[profile]
    assert targets <= set(group["DependsOn"])


@pytest.mark.fact("MWP-05")
@pytest.mark.parametrize("profile", PROFILES)
def test_the_file_system_policy_denies_every_client_without_tls_and_allows_nobody(
    synthesized, profile
):
    template = _template(synthesized, profile)
    _, fs = _file_system(template)
    assert props(fs)["FileSystemPolicy"]["Statement"] == [
        {
            "Action": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Sid": "DenyClientsWithoutTls",
        }
    ]


@pytest.mark.fact("MWP-06")
@pytest.mark.parametrize(("profile", "days"), [("sandbox", 7), ("production", 30)])
def test_files_not_read_move_to_ia_after_the_profiles_days_and_back_on_first_access(
    synthesized, profile, days
):
    assert SETTINGS[profile].ia_after_days == days
    _, fs = _file_system(_template(synthesized, profile))
    assert props(fs)["LifecyclePolicies"] == [
        {"TransitionToIA": f"AFTER_{days}_DAYS"},
        {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
    ]


@pytest.mark.fact("MWP-07")
@pytest.mark.parametrize("profile", PROFILES)
def test_general_purpose_for_web_serving_and_elastic_throughput_instead_of_bursting(
    synthesized, profile
):
    _, fs = _file_system(_template(synthesized, profile))
    assert (props(fs)["PerformanceMode"], props(fs)["ThroughputMode"]) == (
        "generalPurpose",
        "elastic",
    )
    assert "ProvisionedThroughputInMibps" not in props(fs)


@pytest.mark.fact("MWP-08")
@pytest.mark.parametrize("profile", PROFILES)
def test_the_access_point_acts_as_the_pages_uid_1500_and_the_role_mounts_only_through_it(
    synthesized, profile
):
    template = _template(synthesized, profile)
    fs_id, _ = _file_system(template)
    ap_id, access_point = _access_point(template)
    uid = str(SHARED_FILES_UID)
    assert uid == "1500"
    assert props(access_point)["PosixUser"] == {"Uid": uid, "Gid": uid}
    assert props(access_point)["RootDirectory"] == {
        "Path": "/shared",
        "CreationInfo": {"OwnerUid": uid, "OwnerGid": uid, "Permissions": "750"},
    }
    # The page's own user on every instance has that uid, and its unit runs as that user.
    lines = _user_data(template).splitlines()
    assert any(f"useradd --system --uid {uid} --gid {uid}" in line for line in lines)
    assert "User=shared-files" in lines
    # The instances' role: mount and write this file system, through a mount target and only
    # through this access point; nothing else of EFS (no root access, no other file system).
    efs = [
        s
        for s in _role_statements(template, _instance_role(template))
        if any(str(a).startswith("elasticfilesystem:") for a in _actions(s))
    ]
    (statement,) = efs
    # The mount helper signs with the role's credentials, from IMDSv2 only.
    assert _launch_data(template)["MetadataOptions"] == {"HttpTokens": "required"}
    # Its other statements: Session Manager's channels, and the database's secret (MWP-12).
    others = [_actions(s) for s in _role_statements(template, _instance_role(template))]
    assert sorted(others) == sorted(
        [
            ["ec2messages:*", "ssm:UpdateInstanceInformation", "ssmmessages:*"],
            CLIENT_ACTIONS,
            ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
        ]
    )
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == CLIENT_ACTIONS
    assert statement["Resource"] == {"Fn::GetAtt": [fs_id, "Arn"]}
    condition = statement["Condition"]
    assert condition["Bool"] == {"elasticfilesystem:AccessedViaMountTarget": "true"}
    arn = condition["StringEquals"]["elasticfilesystem:AccessPointArn"]
    assert arn["Fn::Join"][1][-1] == {"Ref": ap_id}
    assert arn["Fn::Join"][1][0].endswith(":access-point/")


def _actions(statement: dict) -> list:
    action = statement.get("Action", [])
    return action if isinstance(action, list) else [action]


@pytest.mark.fact("MWP-09")
@pytest.mark.parametrize(
    ("profile", "status"), [("sandbox", "DISABLED"), ("production", "ENABLED")]
)
def test_automatic_backups_only_in_production(synthesized, profile, status):
    _, fs = _file_system(_template(synthesized, profile))
    assert props(fs)["BackupPolicy"] == {"Status": status}


@pytest.mark.fact("MWP-10")
@pytest.mark.parametrize("profile", PROFILES)
def test_an_instance_without_the_file_system_fails_its_elb_health_check_and_is_replaced(
    synthesized, profile
):
    template = _template(synthesized, profile)
    _, group = _group(template)
    assert props(group)["HealthCheckType"] == "ELB"
    (target_group_ref,) = props(group)["TargetGroupARNs"]
    target_group = resources(template, "AWS::ElasticLoadBalancingV2::TargetGroup")[
        ref(target_group_ref)
    ]
    assert props(target_group)["HealthCheckPath"] == "/health"
    # The page each instance runs is the repository's, whose /health is 200 only while the
    # directory is mounted and writable.
    shipped = _shipped_source(_user_data(template), "/opt/shared-files/shared_files.py")
    assert shipped == server_source("shared_files.py")
    assert "os.path.ismount(directory)" in shipped


@pytest.mark.fact("MWP-15")
@pytest.mark.parametrize(
    ("profile", "listeners"),
    [("sandbox", {80: "forward"}), ("production", {443: "forward", 80: "redirect"})],
)
def test_the_load_balancer_in_every_az_spreads_requests_over_the_instances_without_stickiness(
    synthesized, profile, listeners
):
    template = _template(synthesized, profile)
    lb_id, lb = one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert props(lb)["Scheme"] == "internet-facing"
    assert sorted(ref(s) for s in props(lb)["Subnets"]) == sorted(_subnets(template, "Public"))
    _, group = _group(template)
    (target_group_ref,) = props(group)["TargetGroupARNs"]
    target_group_id = ref(target_group_ref)
    found = {}
    for listener in resources(template, "AWS::ElasticLoadBalancingV2::Listener").values():
        assert ref(props(listener)["LoadBalancerArn"]) == lb_id
        (action,) = props(listener)["DefaultActions"]
        found[props(listener)["Port"]] = action["Type"]
        if action["Type"] == "forward":
            assert ref(action["TargetGroupArn"]) == target_group_id
        else:
            assert action["RedirectConfig"]["Protocol"] == "HTTPS"
        if props(listener)["Port"] == 443:  # production: TLS 1.3/1.2, the stack's certificate
            assert props(listener)["Protocol"] == "HTTPS"
            assert props(listener)["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
            (certificate,) = props(listener)["Certificates"]
            assert certificate["CertificateArn"] == {"Ref": "CertificateArn"}
    assert found == listeners
    (lb_group,) = [ref(g) for g in props(lb)["SecurityGroups"]]
    assert sorted(_admitted(template, lb_group)) == sorted(
        ("tcp", port, port, "0.0.0.0/0") for port in listeners
    )
    target_group = resources(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
    p = props(target_group[target_group_id])
    assert _admitted(template, _instance_group(template)) == [
        ("tcp", p["Port"], p["Port"], lb_group)
    ]
    # No stickiness: a reload may reach another instance, which lists the same files.
    attributes = {a["Key"]: a["Value"] for a in p["TargetGroupAttributes"]}
    assert attributes["stickiness.enabled"] == "false"


# -- no NAT: the package through the S3 gateway endpoint ----------------------------------------


@pytest.mark.fact("MWP-11")
@pytest.mark.parametrize("profile", PROFILES)
def test_without_nat_the_instances_reach_the_package_repositories_through_the_s3_gateway_endpoint(
    synthesized, profile
):
    template = _template(synthesized, profile)
    assert resources(template, "AWS::EC2::NatGateway") == {}
    assert resources(template, "AWS::EC2::EIP") == {}
    app_tables = {_route_table_of(template, subnet) for subnet in _subnets(template, "Application")}
    routed = {
        ref(props(r)["RouteTableId"]) for r in resources(template, "AWS::EC2::Route").values()
    }
    assert app_tables and not app_tables & routed  # no route out of the application tier
    app = [resources(template, "AWS::EC2::Subnet")[s] for s in _subnets(template, "Application")]
    assert all(props(s)["MapPublicIpOnLaunch"] is False for s in app)  # and no public address
    (endpoint,) = [
        props(e)
        for e in resources(template, "AWS::EC2::VPCEndpoint").values()
        if props(e)["ServiceName"]
        == {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".s3"]]}
    ]
    assert endpoint["VpcEndpointType"] == "Gateway"
    every_table = set(resources(template, "AWS::EC2::RouteTable"))
    assert {ref(t) for t in endpoint["RouteTableIds"]} == every_table


# -- Aurora MySQL Serverless v2 ------------------------------------------------------------------


@pytest.mark.fact("MWP-12")
@pytest.mark.parametrize("profile", PROFILES)
def test_aurora_mysql_serverless_v2_is_encrypted_tls_only_and_admits_only_the_instances(
    synthesized, profile
):
    template = _template(synthesized, profile)
    cluster_id, cluster = _cluster(template)
    p = props(cluster)
    assert (p["Engine"], p["StorageEncrypted"], p["Port"]) == ("aurora-mysql", True, MYSQL[1])
    assert p["DatabaseName"] == "wordpress"
    # Automated backups 7 days (Aurora's cannot be turned off), IAM authentication on.
    assert (p["BackupRetentionPeriod"], p["EnableIAMDatabaseAuthentication"]) == (7, True)
    instances = _database_instances(template).values()
    assert instances and all(
        (ref(props(i)["DBClusterIdentifier"]), props(i)["DBInstanceClass"])
        == (cluster_id, "db.serverless")
        for i in instances
    )
    assert all(props(i)["PubliclyAccessible"] is False for i in instances)
    subnet_group = resources(template, "AWS::RDS::DBSubnetGroup")[ref(p["DBSubnetGroupName"])]
    assert sorted(ref(s) for s in props(subnet_group)["SubnetIds"]) == sorted(
        _subnets(template, "Data")
    )
    (group,) = [ref(g) for g in p["VpcSecurityGroupIds"]]
    assert _admitted(template, group) == [(*MYSQL, _instance_group(template))]
    parameters = resources(template, "AWS::RDS::DBClusterParameterGroup")[
        ref(p["DBClusterParameterGroupName"])
    ]
    assert props(parameters)["Parameters"]["require_secure_transport"] == "ON"
    # The instances may read the master secret RDS manages for this cluster, nothing more.
    secret = [
        s
        for s in _role_statements(template, _instance_role(template))
        if any(str(a).startswith("secretsmanager:") for a in _actions(s))
    ]
    assert secret == [
        {
            "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [cluster_id, "MasterUserSecret.SecretArn"]},
        }
    ]
    assert p["ManageMasterUserPassword"] is True


@pytest.mark.fact("MWP-13")
@pytest.mark.parametrize("profile", PROFILES)
def test_sandbox_database_pauses_at_0_acu_and_production_fails_over_to_a_reader_in_another_az(
    synthesized, profile
):
    template = _template(synthesized, profile)
    _, cluster = _cluster(template)
    settings = SETTINGS[profile]
    assert props(cluster)["ServerlessV2ScalingConfiguration"] == {
        "MinCapacity": settings.database_min_acu,
        "MaxCapacity": settings.database_max_acu,
    }
    by_tier = {
        props(i)["PromotionTier"]: props(i)["AvailabilityZone"]
        for i in _database_instances(template).values()
    }
    if profile == "sandbox":
        assert settings.database_min_acu == 0  # pauses when idle: storage only
        assert list(by_tier) == [0]  # the writer alone
    else:
        assert settings.database_min_acu > 0
        assert sorted(by_tier) == [0, 1]  # the writer, and the reader that takes over
        assert by_tier[0] != by_tier[1]


# -- teardown ----------------------------------------------------------------------------------


@pytest.mark.fact("MWP-14")
def test_sandbox_destroy_leaves_nothing_and_production_keeps_the_files_and_the_database(
    synthesized,
):
    sandbox = _template(synthesized, "sandbox")
    kept = [
        lid
        for lid, r in sandbox["Resources"].items()
        # an RDS resource without a DeletionPolicy would be snapshotted (CloudFormation's default)
        if r.get("DeletionPolicy", "Snapshot" if r["Type"].startswith("AWS::RDS::") else "Delete")
        != "Delete"
    ]
    assert kept == []
    _, fs = _file_system(sandbox)
    assert props(fs)["BackupPolicy"] == {"Status": "DISABLED"}  # no recovery points left over
    _, cluster = _cluster(sandbox)
    assert (props(cluster)["DeleteAutomatedBackups"], props(cluster)["DeletionProtection"]) == (
        True,
        False,
    )

    production = _template(synthesized, "production")
    fs_id, fs = _file_system(production)
    cluster_id, cluster = _cluster(production)
    policies = {
        lid: (r.get("DeletionPolicy"), r.get("UpdateReplacePolicy"))
        for lid, r in production["Resources"].items()
    }
    # The files are kept; the database leaves a final snapshot (a kept cluster would bill).
    assert policies[fs_id] == ("Retain", "Retain")
    assert policies[cluster_id] == ("Snapshot", "Snapshot")
    assert (props(cluster)["DeleteAutomatedBackups"], props(cluster)["DeletionProtection"]) == (
        False,
        True,
    )
    assert props(fs)["BackupPolicy"] == {"Status": "ENABLED"}
