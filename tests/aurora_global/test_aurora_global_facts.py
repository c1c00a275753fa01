"""The facts the Aurora global database exists for (FACTS.md section 5), asserted on templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_rds as rds
from aws_cdk.assertions import Template

from constructs_lib.aurora_global import AuroraGlobalPrimary, AuroraGlobalSecondary
from constructs_lib.network import ThreeTierNetwork
from stacks.aurora_global_stack import (
    PRIMARY_REGION_CONTEXT_KEY,
    SECONDARY_REGIONS_CONTEXT_KEY,
    regions_from_context,
)
from tests.conftest import PINNED_ENV, cdk_context
from tests.template_queries import nag_failures, props, ref, resources

PRIMARY = "AuroraGlobalPrimary"
SECONDARY = "AuroraGlobalSecondary-us-west-2"
STACKS = (PRIMARY, SECONDARY)
PROFILES = ("sandbox", "production")
GLOBAL_ID = {"sandbox": "refarch-aurora-sandbox", "production": "refarch-aurora-production"}
MONITORING_PRINCIPAL = {"Service": "monitoring.rds.amazonaws.com"}
MONITORING_POLICY = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        ],
    ]
}
MONITORING_FINDING = (
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
    "AmazonRDSEnhancedMonitoringRole]"
)
MASTER_PROPERTIES = (
    "MasterUsername",
    "MasterUserPassword",
    "DatabaseName",
    "ManageMasterUserPassword",
)


def _only(template: dict, resource_type: str) -> tuple[str, dict]:
    (item,) = resources(template, resource_type).items()
    return item


def _data_subnets(template: dict) -> set[str]:
    return {
        logical_id
        for logical_id, subnet in resources(template, "AWS::EC2::Subnet").items()
        if {"Key": "aws-cdk:subnet-name", "Value": "Data"} in props(subnet)["Tags"]
        and {"Key": "aws-cdk:subnet-type", "Value": "Isolated"} in props(subnet)["Tags"]
    }


def _group(template: dict, description_start: str) -> str:
    (group_id,) = [
        logical_id
        for logical_id, group in resources(template, "AWS::EC2::SecurityGroup").items()
        if props(group)["GroupDescription"].startswith(description_start)
    ]
    return group_id


def _ingress(template: dict, group_id: str) -> list[dict]:
    inline = props(template["Resources"][group_id]).get("SecurityGroupIngress", [])
    return inline + [
        props(rule)
        for rule in resources(template, "AWS::EC2::SecurityGroupIngress").values()
        if ref(props(rule)["GroupId"]) == group_id
    ]


@pytest.mark.fact("AUR-01")
@pytest.mark.parametrize("profile", PROFILES)
def test_exactly_one_global_cluster_exists_and_it_is_in_the_primary_stack(synthesized, profile):
    templates = synthesized(profile).templates
    found = [
        (stack_name, props(cluster))
        for stack_name, template in templates.items()
        for cluster in resources(template, "AWS::RDS::GlobalCluster").values()
    ]
    assert len(found) == 1
    stack_name, global_cluster = found[0]
    assert stack_name == PRIMARY
    assert global_cluster["GlobalClusterIdentifier"] == GLOBAL_ID[profile]
    assert global_cluster["StorageEncrypted"] is True


def _assert_encrypted_as_the_profile_says(template: dict, cluster: dict, profile: str) -> None:
    """Production: the region's own rotating KMS key. Sandbox: RDS's AWS-managed aws/rds key
    (no KmsKeyId, no key of ours), so no key fee and nothing left pending deletion."""
    assert props(cluster)["StorageEncrypted"] is True
    keys = resources(template, "AWS::KMS::Key")
    if profile == "sandbox":
        assert keys == {}
        assert "KmsKeyId" not in props(cluster)
        return
    ((key_id, key),) = keys.items()
    assert props(cluster)["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert props(key)["EnableKeyRotation"] is True


@pytest.mark.fact("AUR-01", "AUR-09")
@pytest.mark.parametrize("profile", PROFILES)
def test_primary_cluster_joins_the_global_cluster_encrypted_with_the_profiles_key(
    synthesized, profile
):
    template = synthesized(profile).template(PRIMARY)
    global_id, _ = _only(template, "AWS::RDS::GlobalCluster")
    _, cluster = _only(template, "AWS::RDS::DBCluster")
    assert ref(props(cluster)["GlobalClusterIdentifier"]) == global_id
    _assert_encrypted_as_the_profile_says(template, cluster, profile)


@pytest.mark.fact("AUR-02")
@pytest.mark.parametrize("profile", PROFILES)
def test_secondary_cluster_joins_by_identifier_without_master_credentials_or_database_name(
    synthesized, profile
):
    template = synthesized(profile).template(SECONDARY)
    assert resources(template, "AWS::RDS::GlobalCluster") == {}
    assert resources(template, "AWS::SecretsManager::Secret") == {}
    _, cluster = _only(template, "AWS::RDS::DBCluster")
    assert props(cluster)["GlobalClusterIdentifier"] == GLOBAL_ID[profile]
    assert [name for name in MASTER_PROPERTIES if name in props(cluster)] == []
    _assert_encrypted_as_the_profile_says(template, cluster, profile)


@pytest.mark.fact("AUR-03")
def test_every_region_runs_the_global_clusters_engine_and_version(sandbox):
    _, global_cluster = _only(sandbox.template(PRIMARY), "AWS::RDS::GlobalCluster")
    assert props(global_cluster)["Engine"] == "aurora-postgresql"
    major, minor = (int(part) for part in props(global_cluster)["EngineVersion"].split("."))
    assert (major, minor) >= (16, 1)
    for stack_name in STACKS:
        _, cluster = _only(sandbox.template(stack_name), "AWS::RDS::DBCluster")
        assert props(cluster)["Engine"] == props(global_cluster)["Engine"]
        assert props(cluster)["EngineVersion"] == props(global_cluster)["EngineVersion"]


@pytest.mark.fact("AUR-10")
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("stack_name", STACKS)
def test_subnet_groups_use_only_the_isolated_data_tier(synthesized, profile, stack_name):
    template = synthesized(profile).template(stack_name)
    _, subnet_group = _only(template, "AWS::RDS::DBSubnetGroup")
    subnets = {ref(subnet) for subnet in props(subnet_group)["SubnetIds"]}
    assert subnets == _data_subnets(template)
    assert len(subnets) == {"sandbox": 2, "production": 3}[profile]


@pytest.mark.fact("AUR-10")
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("stack_name", STACKS)
def test_no_database_instance_is_publicly_accessible(synthesized, profile, stack_name):
    template = synthesized(profile).template(stack_name)
    instances = resources(template, "AWS::RDS::DBInstance").values()
    assert instances
    assert all(props(instance)["PubliclyAccessible"] is False for instance in instances)


@pytest.mark.fact("AUR-11")
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("stack_name", STACKS)
def test_database_accepts_only_its_port_and_only_from_the_app_tier(
    synthesized, profile, stack_name
):
    template = synthesized(profile).template(stack_name)
    _, cluster = _only(template, "AWS::RDS::DBCluster")
    (group,) = props(cluster)["VpcSecurityGroupIds"]
    data_group = _group(template, "Data tier")
    assert ref(group) == data_group
    rules = _ingress(template, data_group)
    assert rules and all(
        ref(rule.get("SourceSecurityGroupId")) == _group(template, "Application tier")
        and (rule["FromPort"], rule["ToPort"], rule["IpProtocol"]) == (5432, 5432, "tcp")
        for rule in rules
    )
    assert props(cluster).get("Port", 5432) == 5432


@pytest.mark.fact("AUR-21")
@pytest.mark.parametrize(("profile", "protected"), [("sandbox", False), ("production", True)])
def test_deletion_protection_follows_the_profile(synthesized, profile, protected):
    templates = synthesized(profile).templates
    _, global_cluster = _only(templates[PRIMARY], "AWS::RDS::GlobalCluster")
    assert props(global_cluster)["DeletionProtection"] is protected
    for stack_name in STACKS:
        _, cluster = _only(templates[stack_name], "AWS::RDS::DBCluster")
        assert props(cluster)["DeletionProtection"] is protected


@pytest.mark.fact("AUR-21")
@pytest.mark.parametrize(
    ("profile", "cluster_policy", "kept_policy"),
    [("sandbox", "Delete", "Delete"), ("production", "Snapshot", "Retain")],
)
@pytest.mark.parametrize("stack_name", STACKS)
def test_each_region_snapshots_in_production_and_deletes_in_sandbox(
    synthesized, profile, cluster_policy, kept_policy, stack_name
):
    template = synthesized(profile).template(stack_name)
    _, cluster = _only(template, "AWS::RDS::DBCluster")
    assert cluster["DeletionPolicy"] == cluster_policy
    assert cluster["UpdateReplacePolicy"] == cluster_policy
    # The snapshot is encrypted with the region's key: the key outlives the cluster (sandbox
    # uses RDS's AWS-managed key, nothing to keep).
    assert [key["DeletionPolicy"] for key in resources(template, "AWS::KMS::Key").values()] == (
        [kept_policy] if profile == "production" else []
    )
    for instance in resources(template, "AWS::RDS::DBInstance").values():
        assert instance["DeletionPolicy"] == "Delete"


@pytest.mark.fact("AUR-12", "AUR-13")
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("stack_name", STACKS)
def test_iam_auth_seven_day_backups_and_postgresql_log_export_on_every_cluster(
    synthesized, profile, stack_name
):
    template = synthesized(profile).template(stack_name)
    _, cluster = _only(template, "AWS::RDS::DBCluster")
    assert props(cluster)["EnableIAMDatabaseAuthentication"] is True
    assert props(cluster)["BackupRetentionPeriod"] == 7
    assert props(cluster)["EnableCloudwatchLogsExports"] == ["postgresql"]
    identifier = props(cluster)["DBClusterIdentifier"]
    log_groups = [props(group) for group in resources(template, "AWS::Logs::LogGroup").values()]
    assert {
        "LogGroupName": f"/aws/rds/cluster/{identifier}/postgresql",
        "RetentionInDays": {"sandbox": 7, "production": 365}[profile],
    } in log_groups


@pytest.mark.fact("AUR-07", "AUR-17")
@pytest.mark.parametrize(
    ("profile", "per_region", "instance_class", "capacity"),
    [
        ("sandbox", 1, "db.serverless", {"MinCapacity": 0.5, "MaxCapacity": 2}),
        ("production", 2, "db.r6g.large", None),
    ],
)
def test_each_region_runs_a_writer_plus_the_profiles_readers_of_the_profiles_class(
    synthesized, profile, per_region, instance_class, capacity
):
    """Sandbox: Serverless v2 at 0.5 ACU, the lowest a global database allows; production:
    provisioned r6g.large, the smallest memory-optimized class."""
    for stack_name in STACKS:
        template = synthesized(profile).template(stack_name)
        instances = resources(template, "AWS::RDS::DBInstance")
        assert len(instances) == per_region
        assert {props(i)["DBInstanceClass"] for i in instances.values()} == {instance_class}
        _, cluster = _only(template, "AWS::RDS::DBCluster")
        assert props(cluster).get("ServerlessV2ScalingConfiguration") == capacity


@pytest.mark.fact("AUR-19")
def test_the_sandbox_pair_idles_at_100_dollars_a_month_or_less(sandbox):
    from tools.cost import estimate

    totals = {name: estimate(sandbox.template(name), stack=name).idle_monthly for name in STACKS}
    assert sum(totals.values()) <= 100, totals


@pytest.mark.fact("AUR-23", "AUR-24")
@pytest.mark.parametrize("stack_name", STACKS)
def test_sandbox_regions_have_no_nat_and_no_bastion_nothing_reaches_the_internet(
    sandbox, stack_name
):
    template = sandbox.template(stack_name)
    assert resources(template, "AWS::EC2::NatGateway") == {}
    assert resources(template, "AWS::EC2::Instance") == {}
    routes = resources(template, "AWS::EC2::Route").values()
    assert all("NatGatewayId" not in props(r) and "InstanceId" not in props(r) for r in routes)


@pytest.mark.fact("AUR-24")
@pytest.mark.parametrize("stack_name", STACKS)
def test_production_regions_keep_a_nat_per_az_for_rotation_but_no_bastion_that_cannot_reach_the_db(
    production, stack_name
):
    """The database admits only the app tier; a bastion outside it would be attack surface."""
    template = production.template(stack_name)
    assert resources(template, "AWS::EC2::Instance") == {}
    assert len(resources(template, "AWS::EC2::NatGateway")) == 3


@pytest.mark.fact("AUR-23")
def test_the_sandbox_rotation_lambda_reaches_secrets_manager_through_an_endpoint_of_its_tier(
    sandbox,
):
    template = sandbox.template(PRIMARY)
    ((endpoint_id, endpoint),) = [
        (lid, e)
        for lid, e in resources(template, "AWS::EC2::VPCEndpoint").items()
        if props(e).get("VpcEndpointType") == "Interface"
    ]
    assert props(endpoint)["ServiceName"] == "com.amazonaws.us-east-1.secretsmanager"
    assert props(endpoint)["PrivateDnsEnabled"] is True
    assert len(props(endpoint)["SubnetIds"]) == 1  # one AZ: half the price of two
    (rotation,) = resources(template, "AWS::SecretsManager::RotationSchedule").values()
    # The Lambda's one group (a GetAtt) is the only source the endpoint admits, on 443 only.
    lambda_group = ref(props(rotation)["HostedRotationLambda"]["VpcSecurityGroupIds"])
    (endpoint_group,) = [ref(g) for g in props(endpoint)["SecurityGroupIds"]]
    sources = {
        (ref(rule.get("SourceSecurityGroupId")), rule.get("FromPort"), rule.get("CidrIp"))
        for rule in _ingress(template, endpoint_group)
    }
    assert lambda_group is not None and sources == {(lambda_group, 443, None)}
    assert resources(sandbox.template(SECONDARY), "AWS::SecretsManager::RotationSchedule") == {}


@pytest.mark.fact("AUR-22")
def test_primary_master_secret_is_generated_and_rotated_by_a_lambda_in_the_app_tier(sandbox):
    template = sandbox.template(PRIMARY)
    secret_id, secret = _only(template, "AWS::SecretsManager::Secret")
    _, cluster = _only(template, "AWS::RDS::DBCluster")
    assert "ManageMasterUserPassword" not in props(cluster)
    assert secret_id in json.dumps(props(cluster)["MasterUserPassword"])
    assert "GenerateSecretString" in props(secret)
    _, rotation = _only(template, "AWS::SecretsManager::RotationSchedule")
    hosted = props(rotation)["HostedRotationLambda"]
    assert hosted["RotationType"] == "PostgreSQLSingleUser"
    assert ref(hosted["VpcSecurityGroupIds"]) == _group(template, "Application tier")
    assert props(rotation)["RotationRules"]["ScheduleExpression"] == "rate(30 days)"


@pytest.mark.fact("AUR-22")
@pytest.mark.parametrize("profile", PROFILES)
def test_admin_username_is_not_the_engine_default(synthesized, profile):
    template = synthesized(profile).template(PRIMARY)
    secret_id, secret = _only(template, "AWS::SecretsManager::Secret")
    generated = props(secret)["GenerateSecretString"]
    username = json.loads(generated["SecretStringTemplate"])["username"]
    assert username not in {"postgres", "admin"}
    assert username == "dbadmin"
    assert generated["GenerateStringKey"] == "password"
    # The cluster's master user is the secret's, and its password comes from that secret.
    _, cluster = _only(template, "AWS::RDS::DBCluster")
    assert props(cluster)["MasterUsername"] == username
    password = json.dumps(props(cluster)["MasterUserPassword"])
    assert secret_id in password and ":SecretString:password::" in password


def _monitoring_roles(template: dict) -> dict[str, dict]:
    return {
        logical_id: role
        for logical_id, role in resources(template, "AWS::IAM::Role").items()
        if any(
            statement.get("Principal") == MONITORING_PRINCIPAL
            for statement in props(role)["AssumeRolePolicyDocument"]["Statement"]
        )
    }


@pytest.mark.parametrize("stack_name", STACKS)
def test_production_instances_send_enhanced_monitoring_every_60_seconds_with_the_rds_role(
    production, stack_name
):
    template = production.template(stack_name)
    instances = resources(template, "AWS::RDS::DBInstance").values()
    assert len(instances) == 2
    ((role_id, role),) = _monitoring_roles(template).items()
    for instance in instances:
        assert props(instance)["MonitoringInterval"] == 60
        assert props(instance)["MonitoringRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    # Only the RDS monitoring service assumes it, and it holds the AWS policy and nothing else.
    assert props(role)["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": MONITORING_PRINCIPAL}
    ]
    assert props(role)["ManagedPolicyArns"] == [MONITORING_POLICY]
    assert "Policies" not in props(role)
    attached = [
        policy
        for policy in resources(template, "AWS::IAM::Policy").values()
        if role_id in json.dumps(props(policy)["Roles"])
    ]
    assert attached == []


@pytest.mark.parametrize("stack_name", STACKS)
def test_sandbox_instances_have_no_enhanced_monitoring_and_no_monitoring_role(sandbox, stack_name):
    template = sandbox.template(stack_name)
    instances = resources(template, "AWS::RDS::DBInstance").values()
    assert instances
    for instance in instances:
        assert props(instance).get("MonitoringInterval", 0) == 0
        assert "MonitoringRoleArn" not in props(instance)
    assert _monitoring_roles(template) == {}
    assert "AmazonRDSEnhancedMonitoringRole" not in json.dumps(template)


@pytest.mark.parametrize("profile", PROFILES)
def test_aurora_stacks_have_no_unacknowledged_cdk_nag_findings(synthesized, profile):
    synthesis = synthesized(profile).architecture("aurora-global")
    assert nag_failures(synthesis.validation_report, set(STACKS)) == []


def _acknowledged(outdir: Path, rule: str) -> dict[str, str]:
    """Construct path -> reason of each acknowledgement of ``rule`` in the assembly."""
    found = {}
    for metadata_file in outdir.glob("*.metadata.json"):
        for path, entries in json.loads(metadata_file.read_text()).items():
            for entry in entries:
                if entry["type"] == "aws:cdk:acknowledged-rules":
                    reason = entry["data"].get(f"Annotation::{rule}")
                    if reason is not None:
                        found[path] = reason
    return found


def test_the_monitoring_roles_iam4_finding_is_acknowledged_on_each_role_with_a_reason(
    production,
):
    found = _acknowledged(production.architecture("aurora-global").outdir, MONITORING_FINDING)
    # On the two roles alone, not on a stack or the whole database.
    assert set(found) == {
        f"/{PRIMARY}/Database/Cluster/MonitoringRole",
        f"/{SECONDARY}/Database/MonitoringRole",
    }
    assert all(len(reason) >= 60 and "monitoring.rds" in reason for reason in found.values())


@pytest.mark.fact("AUR-25")
def test_secondaries_deploy_after_the_primary_each_in_its_own_region(sandbox):
    manifest = json.loads(
        (sandbox.architecture("aurora-global").outdir / "manifest.json").read_text()
    )["artifacts"]
    assert manifest[PRIMARY]["environment"] == "aws://123456789012/us-east-1"
    assert manifest[SECONDARY]["environment"] == "aws://123456789012/us-west-2"
    assert PRIMARY in manifest[SECONDARY]["dependencies"]
    assert SECONDARY not in manifest[PRIMARY].get("dependencies", [])


@pytest.mark.fact("AUR-08")
@pytest.mark.parametrize(
    ("stack_name", "outputs"),
    [
        (PRIMARY, {"GlobalClusterId", "WriterEndpoint", "ReaderEndpoint", "SecretArn"}),
        (SECONDARY, {"GlobalClusterId", "WriterEndpoint", "ReaderEndpoint"}),
    ],
)
def test_each_region_outputs_its_endpoints_and_the_global_cluster_id(sandbox, stack_name, outputs):
    found = sandbox.template(stack_name)["Outputs"]
    assert outputs <= set(found)
    assert found["GlobalClusterId"]["Value"] == GLOBAL_ID["sandbox"]
    assert ("SecretArn" in found) is (stack_name == PRIMARY)


def test_regions_come_from_context_as_a_comma_separated_list():
    app = App(
        context={
            PRIMARY_REGION_CONTEXT_KEY: "eu-west-1",
            SECONDARY_REGIONS_CONTEXT_KEY: "us-east-1, ap-southeast-2",
        }
    )
    assert regions_from_context(app) == ("eu-west-1", ["us-east-1", "ap-southeast-2"])
    assert regions_from_context(App()) == ("us-east-1", ["us-west-2"])


@pytest.fixture(scope="module")
def variants() -> dict:
    """One extra synthesis holding the construct options the stacks don't use."""
    app = App(context=cdk_context("sandbox"))
    stack = Stack(app, "Variants", env=PINNED_ENV)
    network = ThreeTierNetwork(stack, "Network", bastion=False)
    common = {"vpc": network.vpc, "security_group": network.data_security_group}
    AuroraGlobalPrimary(
        stack,
        "MySql",
        **common,
        global_cluster_identifier="variant-mysql",
        engine=rds.DatabaseClusterEngine.aurora_mysql(
            version=rds.AuroraMysqlEngineVersion.VER_3_08_0
        ),
        readers=2,
        backup_retention=35,
    )
    AuroraGlobalSecondary(
        stack, "Secondary", **common, global_cluster_identifier="variant-pg", port=5433
    )
    return Template.from_stack(stack).to_json()


def _by_identifier(template: dict, prefix: str) -> dict:
    (cluster,) = [
        props(c)
        for c in resources(template, "AWS::RDS::DBCluster").values()
        if json.dumps(props(c)["DBClusterIdentifier"]).startswith(f'"{prefix}')
    ]
    return cluster


@pytest.mark.fact("AUR-11")
def test_aurora_mysql_3_exports_error_and_slow_query_logs_on_port_3306(variants):
    cluster = _by_identifier(variants, "variant-mysql")
    (secret,) = resources(variants, "AWS::SecretsManager::Secret").values()
    template = props(secret)["GenerateSecretString"]["SecretStringTemplate"]
    # The default master user fits Aurora MySQL's 16 characters and is not its "admin".
    assert json.loads(template)["username"] == "dbadmin"
    assert cluster["Engine"] == "aurora-mysql"
    assert cluster["EngineVersion"].startswith("8.0.mysql_aurora.3.")
    assert cluster["EnableCloudwatchLogsExports"] == ["error", "slowquery"]
    assert cluster["Port"] == 3306
    assert cluster["BackupRetentionPeriod"] == 35


def test_construct_defaults_protect_the_data_and_scale_reads(variants):
    mysql = _by_identifier(variants, "variant-mysql")
    secondary = _by_identifier(variants, "variant-pg")
    assert mysql["DeletionProtection"] is True and secondary["DeletionProtection"] is True
    assert secondary["Port"] == 5433
    clusters = resources(variants, "AWS::RDS::DBCluster")
    assert {c["DeletionPolicy"] for c in clusters.values()} == {"Snapshot"}
    # MySQL: writer + 2 readers; secondary: the default 1 reader + 1 instance to promote.
    assert len(resources(variants, "AWS::RDS::DBInstance")) == 3 + 2


def test_construct_default_monitors_every_instance_every_60_seconds(variants):
    roles = _monitoring_roles(variants)
    # One role per database: the primary's from aws-cdk-lib, the secondary's own.
    assert len(roles) == 2
    instances = resources(variants, "AWS::RDS::DBInstance").values()
    assert {props(i)["MonitoringInterval"] for i in instances} == {60}
    assert {ref_of(props(i)["MonitoringRoleArn"]) for i in instances} == set(roles)


def ref_of(get_att: dict) -> str:
    (logical_id, attribute) = get_att["Fn::GetAtt"]
    assert attribute == "Arn"
    return logical_id


def test_without_a_rotation_group_the_rotation_lambda_gets_its_own_allowed_in_on_the_db_port(
    variants,
):
    (rotation,) = resources(variants, "AWS::SecretsManager::RotationSchedule").values()
    hosted = props(rotation)["HostedRotationLambda"]
    assert hosted["RotationType"] == "MySQLSingleUser"
    rotation_group = ref(hosted["VpcSecurityGroupIds"])
    assert props(variants["Resources"][rotation_group])["GroupDescription"].startswith(
        "Hosted rotation Lambda"
    )
    data_group = _group(variants, "Data tier")
    assert any(
        ref(rule.get("SourceSecurityGroupId")) == rotation_group and rule["FromPort"] == 3306
        for rule in _ingress(variants, data_group)
    )


@pytest.fixture(scope="module")
def serverless() -> dict:
    """Both halves on Serverless v2 with the construct's default capacity and RDS's own key."""
    app = App(context=cdk_context("sandbox"))
    stack = Stack(app, "Serverless", env=PINNED_ENV)
    network = ThreeTierNetwork(stack, "Network", bastion=False)
    common = {
        "vpc": network.vpc,
        "security_group": network.data_security_group,
        "instance_class": "db.serverless",
        "customer_managed_key": False,
    }
    AuroraGlobalPrimary(stack, "Primary", **common, global_cluster_identifier="serverless-a")
    AuroraGlobalSecondary(stack, "Secondary", **common, global_cluster_identifier="serverless-b")
    return Template.from_stack(stack).to_json()


@pytest.mark.fact("AUR-18")
def test_serverless_defaults_to_half_an_acu_up_to_16_in_both_halves(serverless):
    clusters = resources(serverless, "AWS::RDS::DBCluster").values()
    assert [props(c)["ServerlessV2ScalingConfiguration"] for c in clusters] == [
        {"MinCapacity": 0.5, "MaxCapacity": 16}
    ] * 2
    instances = resources(serverless, "AWS::RDS::DBInstance").values()
    # Each half: a writer and the default reader, all serverless.
    assert [props(i)["DBInstanceClass"] for i in instances] == ["db.serverless"] * 4


@pytest.mark.fact("AUR-09")
def test_without_a_customer_managed_key_storage_is_encrypted_by_rds_own_key(serverless):
    assert resources(serverless, "AWS::KMS::Key") == {}
    for cluster in resources(serverless, "AWS::RDS::DBCluster").values():
        assert props(cluster)["StorageEncrypted"] is True
        assert "KmsKeyId" not in props(cluster)
    (global_cluster,) = resources(serverless, "AWS::RDS::GlobalCluster").values()
    assert props(global_cluster)["StorageEncrypted"] is True


@pytest.mark.parametrize(("profile", "policy"), [("sandbox", "Delete"), ("production", "Retain")])
def test_the_rotation_function_logs_to_a_group_the_stack_owns_and_makes_first(
    synthesized, profile, policy
):
    """Named, so its /aws/lambda group is the stack's: not one Lambda makes and never expires."""
    template = synthesized(profile).template(PRIMARY)
    ((_, rotation),) = resources(template, "AWS::SecretsManager::RotationSchedule").items()
    name = props(rotation)["HostedRotationLambda"]["RotationLambdaName"]
    assert name == f"{GLOBAL_ID[profile]}-rotation"
    ((group_id, group),) = [
        (lid, g)
        for lid, g in resources(template, "AWS::Logs::LogGroup").items()
        if props(g).get("LogGroupName") == f"/aws/lambda/{name}"
    ]
    assert group["DeletionPolicy"] == policy
    assert props(group)["RetentionInDays"] == {"sandbox": 7, "production": 365}[profile]
    assert group_id in rotation["DependsOn"]


@pytest.mark.fact("AUR-20")
@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_each_region_has_its_own_vpc_range_so_the_regions_could_be_peered(synthesized, profile):
    """Avoid overlapping ranges, plan for peering [002:903-924]: the primary's VPC is
    10.0.0.0/16, each secondary region's the next /16."""
    cidrs = {
        stack: [
            props(v)["CidrBlock"]
            for v in resources(synthesized(profile).template(stack), "AWS::EC2::VPC").values()
        ]
        for stack in STACKS
    }
    assert cidrs == {PRIMARY: ["10.0.0.0/16"], SECONDARY: ["10.1.0.0/16"]}
    subnets = resources(synthesized(profile).template(SECONDARY), "AWS::EC2::Subnet").values()
    assert all(props(s)["CidrBlock"].startswith("10.1.") for s in subnets)
