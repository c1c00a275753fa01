"""What the application tier's database exists for (MyClothes.com v4/v5, MyWordPress.com
[004:2401-2430]; RDS read replicas and Multi-AZ [004:1651-1660, 001:718-745, 002:1876-1946];
Aurora [004:1840-1884]), asserted as relations on the option templates of
tests/my_clothes/relational_database_options.py (read from the folder's one synthesis of option
stacks, tests/my_clothes/options.py) and on the defaults, synthesized here."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from constructs_lib.relational_database import (
    DEFAULT_ENGINE_VERSIONS,
    MASTER_USERNAME,
    RelationalDatabase,
)
from tests.conftest import PINNED_ENV
from tests.my_clothes.options import STACKS as FOLDER_STACKS
from tests.my_clothes.options import TEMPLATES
from tests.my_clothes.relational_database_options import (
    AURORA_PORT,
    AURORA_READERS,
    MYSQL_REPLICAS,
    REPORTING_CIDR,
    SERVERLESS_MAX_ACU,
    STACKS,
    WEB_TIER_GROUP,
    ZONES,
)
from tests.option_templates import synthesis_of
from tests.template_queries import ingress_rules, nag_failures, one, props, ref, resources

MYSQL = "db_rds_mysql_replicas"
AURORA = "db_aurora_provisioned_readers"
SERVERLESS = "db_aurora_serverless_min_zero"
POSTGRES = "db_postgres_sandbox"
INSTANCE = "AWS::RDS::DBInstance"


@pytest.fixture(scope="module")
def defaults() -> dict:
    """The defaults (Aurora PostgreSQL, provisioned, Multi-AZ) in a new three-subnet VPC, with
    a role granted IAM sign-in and the secret."""
    stack = Stack(App(), "DatabaseDefaults", env=PINNED_ENV)
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
    )
    database = RelationalDatabase(stack, "Database", vpc=vpc)
    role = iam.Role(stack, "AppRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    database.grant_connect(role, "app_user")
    database.grant_secret_read(role)
    return {
        "template": Template.from_stack(stack).to_json(),
        "secret_arn": stack.resolve(database.secret.secret_arn),
        "endpoints": (
            stack.resolve(database.endpoint_address),
            stack.resolve(database.reader_endpoint_address),
        ),
    }


def _primary(template: dict) -> tuple[str, dict]:
    """The one DB instance that is not a replica (RDS engines)."""
    (found,) = [
        (lid, r)
        for lid, r in resources(template, INSTANCE).items()
        if "SourceDBInstanceIdentifier" not in props(r)
    ]
    return found


def _replicas(template: dict) -> dict[str, dict]:
    return {
        lid: r
        for lid, r in resources(template, INSTANCE).items()
        if "SourceDBInstanceIdentifier" in props(r)
    }


def _cluster_instances(template: dict) -> dict[int, list[dict]]:
    """The cluster's instances by promotion tier."""
    cluster_id, _ = one(template, "AWS::RDS::DBCluster")
    tiers: dict[int, list[dict]] = {}
    for instance in resources(template, INSTANCE).values():
        assert ref(props(instance)["DBClusterIdentifier"]) == cluster_id
        tiers.setdefault(props(instance)["PromotionTier"], []).append(props(instance))
    return tiers


def _databases(template: dict) -> list[dict]:
    """The clusters, and the instances that are not a cluster's: what holds the data."""
    return [
        *resources(template, "AWS::RDS::DBCluster").values(),
        *(
            r
            for r in resources(template, INSTANCE).values()
            if "DBClusterIdentifier" not in props(r)
        ),
    ]


def _group_id(template: dict, database: dict) -> str:
    groups = props(database).get("VPCSecurityGroups") or props(database)["VpcSecurityGroupIds"]
    (group,) = groups
    return ref(group)


# -- read replicas and Multi-AZ (RDS) ----------------------------------------------------------


@pytest.mark.fact("MYC-17")
def test_each_read_replica_replicates_this_primary():
    template = TEMPLATES[MYSQL]()
    primary_id, primary = _primary(template)
    replicas = _replicas(template)
    assert len(replicas) == MYSQL_REPLICAS
    for replica in replicas.values():
        source = props(replica)["SourceDBInstanceIdentifier"]["Fn::Join"][1]
        assert source[-1] == {"Ref": primary_id}
        assert ":db:" in source[0]
        assert props(replica)["DBInstanceIdentifier"].startswith(
            props(primary)["DBInstanceIdentifier"] + "-replica"
        )


@pytest.mark.fact("MYC-17")
def test_replicas_keep_the_primary_s_tls_parameters_group_and_port():
    template = TEMPLATES[MYSQL]()
    _, primary = _primary(template)
    for replica in _replicas(template).values():
        for key in ("DBParameterGroupName", "VPCSecurityGroups", "DBSubnetGroupName", "Port"):
            assert props(replica)[key] == props(primary)[key], key
        assert props(replica)["EnableIAMDatabaseAuthentication"] is True
        assert props(replica)["PubliclyAccessible"] is False
        # Encryption comes from the source: CloudFormation refuses it on a replica.
        assert "StorageEncrypted" not in props(replica)


@pytest.mark.fact("MYC-17")
def test_replicas_are_spread_over_the_subnets_azs():
    zones = [props(r)["AvailabilityZone"] for r in _replicas(TEMPLATES[MYSQL]()).values()]
    assert sorted(zones) == sorted(ZONES)


@pytest.mark.fact("MYC-18")
def test_the_primary_has_a_multi_az_standby_unless_asked_otherwise(defaults):
    assert props(_primary(TEMPLATES[MYSQL]())[1])["MultiAZ"] is True
    single = props(_primary(TEMPLATES[POSTGRES]())[1])
    assert single["MultiAZ"] is False
    assert "AvailabilityZone" not in single  # RDS chooses it


def test_rds_storage_is_encrypted_gp3_and_autoscales_to_its_ceiling():
    mysql = props(_primary(TEMPLATES[MYSQL]())[1])
    assert (mysql["StorageEncrypted"], mysql["StorageType"]) == (True, "gp3")
    assert (mysql["AllocatedStorage"], mysql["MaxAllocatedStorage"]) == ("50", 200)
    assert "MaxAllocatedStorage" not in props(_primary(TEMPLATES[POSTGRES]())[1])
    assert props(_primary(TEMPLATES[POSTGRES]())[1])["AllocatedStorage"] == "20"


# -- Aurora ------------------------------------------------------------------------------------


@pytest.mark.fact("MYC-06")
def test_aurora_failover_reader_is_tier_1_in_another_az_than_the_writer(defaults):
    for template in (defaults["template"], TEMPLATES[AURORA]()):
        tiers = _cluster_instances(template)
        (writer,), (failover,) = tiers[0], tiers[1]
        assert writer["AvailabilityZone"] != failover["AvailabilityZone"]
        assert writer["DBInstanceClass"] == failover["DBInstanceClass"]


@pytest.mark.fact("MYC-06")
def test_aurora_extra_readers_join_the_cluster_at_tier_2():
    tiers = _cluster_instances(TEMPLATES[AURORA]())
    assert len(tiers[2]) == AURORA_READERS
    assert {r["DBInstanceClass"] for r in tiers[2]} == {"db.r7g.large"}
    assert all(r["PubliclyAccessible"] is False for tier in tiers.values() for r in tier)


def test_the_defaults_are_aurora_postgresql_pinned_on_t4g_medium(defaults):
    _, cluster = one(defaults["template"], "AWS::RDS::DBCluster")
    assert props(cluster)["Engine"] == "aurora-postgresql"
    assert props(cluster)["EngineVersion"] == DEFAULT_ENGINE_VERSIONS["aurora-postgresql"]
    assert {
        i["DBInstanceClass"] for t in _cluster_instances(defaults["template"]).values() for i in t
    } == {"db.t4g.medium"}
    assert "ServerlessV2ScalingConfiguration" not in props(cluster)


@pytest.mark.fact("MYC-07")
def test_serverless_v2_instances_scale_between_the_capacities_and_may_pause():
    template = TEMPLATES[SERVERLESS]()
    _, cluster = one(template, "AWS::RDS::DBCluster")
    assert props(cluster)["ServerlessV2ScalingConfiguration"] == {
        "MinCapacity": 0,
        "MaxCapacity": SERVERLESS_MAX_ACU,
    }
    tiers = _cluster_instances(template)
    assert list(tiers) == [0]  # multi_az=False: the writer alone
    assert tiers[0][0]["DBInstanceClass"] == "db.serverless"


def test_endpoints_are_the_cluster_s_writer_and_reader_endpoints(defaults):
    cluster_id, _ = one(defaults["template"], "AWS::RDS::DBCluster")
    assert defaults["endpoints"] == (
        {"Fn::GetAtt": [cluster_id, "Endpoint.Address"]},
        {"Fn::GetAtt": [cluster_id, "ReadEndpoint.Address"]},
    )


# -- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [MYSQL, AURORA])
def test_the_group_admits_only_allow_from_on_the_database_port(name):
    template = TEMPLATES[name]()
    database = _primary(template)[1] if name == MYSQL else one(template, "AWS::RDS::DBCluster")[1]
    port = int(props(database)["Port"])
    assert port == (3306 if name == MYSQL else AURORA_PORT)
    rules = ingress_rules(template, _group_id(template, database))
    sources = {rule.get("SourceSecurityGroupId") or rule.get("CidrIp") for rule in rules}
    assert sources == ({WEB_TIER_GROUP, REPORTING_CIDR} if name == MYSQL else {WEB_TIER_GROUP})
    assert {(r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in rules} == {("tcp", port, port)}


def test_the_group_allows_no_outbound_traffic(defaults):
    template = defaults["template"]
    _, cluster = one(template, "AWS::RDS::DBCluster")
    group = template["Resources"][_group_id(template, cluster)]
    (egress,) = props(group)["SecurityGroupEgress"]
    assert egress["CidrIp"] == "255.255.255.255/32"  # aws-cdk-lib's "disallow all traffic"
    assert ingress_rules(template, _group_id(template, cluster)) == []


def test_nothing_is_public_and_iam_authentication_is_on_by_default(defaults):
    template = defaults["template"]
    _, cluster = one(template, "AWS::RDS::DBCluster")
    assert props(cluster)["EnableIAMDatabaseAuthentication"] is True
    assert props(_primary(TEMPLATES[POSTGRES]())[1])["EnableIAMDatabaseAuthentication"] is False
    for instance in resources(template, INSTANCE).values():
        assert props(instance)["PubliclyAccessible"] is False


def test_grant_connect_names_this_cluster_s_resource_id(defaults):
    cluster_id, _ = one(defaults["template"], "AWS::RDS::DBCluster")
    statements = [
        s
        for p in resources(defaults["template"], "AWS::IAM::Policy").values()
        for s in props(p)["PolicyDocument"]["Statement"]
    ]
    (connect,) = [s for s in statements if s["Action"] == "rds-db:connect"]
    parts = connect["Resource"]["Fn::Join"][1]
    assert {"Fn::GetAtt": [cluster_id, "DBClusterResourceId"]} in parts
    assert parts[-1] == "/app_user"


# -- credentials -------------------------------------------------------------------------------


@pytest.mark.fact("MYC-08")
def test_credentials_resolve_this_database_s_rds_managed_secret(defaults):
    template = defaults["template"]
    cluster_id, cluster = one(template, "AWS::RDS::DBCluster")
    assert props(cluster)["ManageMasterUserPassword"] is True
    assert props(cluster)["MasterUsername"] == MASTER_USERNAME
    assert "MasterUserPassword" not in props(cluster)
    assert resources(template, "AWS::SecretsManager::Secret") == {}
    secret = {"Fn::GetAtt": [cluster_id, "MasterUserSecret.SecretArn"]}
    assert defaults["secret_arn"] == secret
    statements = [
        s
        for p in resources(template, "AWS::IAM::Policy").values()
        for s in props(p)["PolicyDocument"]["Statement"]
    ]
    assert {"Fn::GetAtt": [cluster_id, "MasterUserSecret.SecretArn"]} in [
        s["Resource"] for s in statements
    ]


def test_the_customer_key_encrypts_storage_and_the_secret():
    template = TEMPLATES[AURORA]()
    key_id, _ = one(template, "AWS::KMS::Key")
    _, cluster = one(template, "AWS::RDS::DBCluster")
    assert props(cluster)["StorageEncrypted"] is True
    assert ref(props(cluster)["KmsKeyId"]) == key_id
    assert ref(props(cluster)["MasterUserSecret"]["KmsKeyId"]) == key_id


# -- TLS, logs, backups ------------------------------------------------------------------------


@pytest.mark.fact("MYC-08")
@pytest.mark.parametrize(
    ("name", "group_type", "parameter", "value"),
    [
        (MYSQL, "AWS::RDS::DBParameterGroup", "require_secure_transport", "ON"),
        (POSTGRES, "AWS::RDS::DBParameterGroup", "rds.force_ssl", "1"),
        (AURORA, "AWS::RDS::DBClusterParameterGroup", "rds.force_ssl", "1"),
        (SERVERLESS, "AWS::RDS::DBClusterParameterGroup", "require_secure_transport", "ON"),
    ],
)
def test_the_parameter_group_forces_tls(name, group_type, parameter, value):
    template = TEMPLATES[name]()
    group_id, group = one(template, group_type)
    assert props(group)["Parameters"][parameter] == value
    databases = [r for r in resources(template, INSTANCE).values() if name in (MYSQL, POSTGRES)]
    databases += list(resources(template, "AWS::RDS::DBCluster").values())
    key = "DBParameterGroupName" if name in (MYSQL, POSTGRES) else "DBClusterParameterGroupName"
    assert databases and all(ref(props(d)[key]) == group_id for d in databases)


@pytest.mark.parametrize("name", [MYSQL, AURORA, SERVERLESS, POSTGRES])
def test_every_exported_log_has_its_log_group_made_first(name):
    template = TEMPLATES[name]()
    groups = {
        props(g)["LogGroupName"]: lid
        for lid, g in resources(template, "AWS::Logs::LogGroup").items()
    }
    kind = "cluster" if resources(template, "AWS::RDS::DBCluster") else "instance"
    databases = (
        _databases(template) if kind == "cluster" else resources(template, INSTANCE).values()
    )
    expected = set()
    for database in databases:
        identifier = (
            props(database).get("DBClusterIdentifier") or props(database)["DBInstanceIdentifier"]
        )
        for log in props(database)["EnableCloudwatchLogsExports"]:
            group_id = groups[f"/aws/rds/{kind}/{identifier}/{log}"]
            assert group_id in database["DependsOn"]
            expected.add(group_id)
    assert expected == set(groups.values())


def test_backups_are_kept_for_the_retention_asked_for(defaults):
    assert props(_primary(TEMPLATES[MYSQL]())[1])["BackupRetentionPeriod"] == 14
    assert props(_primary(TEMPLATES[POSTGRES]())[1])["BackupRetentionPeriod"] == 1
    _, cluster = one(defaults["template"], "AWS::RDS::DBCluster")
    assert props(cluster)["BackupRetentionPeriod"] == 7


def test_minor_versions_upgrade_and_tags_reach_snapshots(defaults):
    for template in (defaults["template"], TEMPLATES[MYSQL]()):
        for instance in resources(template, INSTANCE).values():
            assert props(instance)["AutoMinorVersionUpgrade"] is True
        for database in _databases(template):
            assert props(database)["CopyTagsToSnapshot"] is True


# -- teardown ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [SERVERLESS, POSTGRES])
def test_destroy_leaves_nothing_behind(name):
    template = TEMPLATES[name]()
    for logical_id, resource in template["Resources"].items():
        assert resource.get("DeletionPolicy", "Delete") == "Delete", logical_id
    for database in _databases(template):
        assert props(database)["DeletionProtection"] is False
        assert props(database)["DeleteAutomatedBackups"] is True


def test_snapshot_snapshots_the_primary_only_and_keeps_its_logs():
    template = TEMPLATES[MYSQL]()
    primary_id, primary = _primary(template)
    assert primary["DeletionPolicy"] == "Snapshot"
    assert props(primary)["DeleteAutomatedBackups"] is False
    # RDS takes no final snapshot of a read replica: the primary's holds the data.
    assert {r["DeletionPolicy"] for r in _replicas(template).values()} == {"Delete"}
    assert {g["DeletionPolicy"] for g in resources(template, "AWS::Logs::LogGroup").values()} == {
        "Retain"
    }


# -- cdk-nag -----------------------------------------------------------------------------------


def test_the_option_templates_pass_cdk_nag():
    report, templates = synthesis_of(FOLDER_STACKS)
    assert set(STACKS) <= set(templates)
    assert report.get("title") == "Validation Report"
    assert nag_failures(report) == []


def _acknowledgements(stack_name: str) -> dict[str, set[str]]:
    """Construct path -> rules acknowledged under it, from the synthesized assembly's tree."""
    app = App()
    stack = STACKS[stack_name](app)
    found: dict[str, set[str]] = {}
    for construct in stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == "aws:cdk:acknowledged-rules":
                for rule in entry.data:
                    found.setdefault(construct.node.path, set()).add(
                        rule.removeprefix("Annotation::")
                    )
    return found


@pytest.mark.parametrize(
    ("name", "rule", "expected"),
    [
        (MYSQL, "AwsSolutions-RDS3", {"Replica1", "Replica2"}),
        (POSTGRES, "AwsSolutions-RDS3", {"Instance"}),
        (MYSQL, "AwsSolutions-RDS10", set()),
        (POSTGRES, "AwsSolutions-RDS10", {"Instance"}),
        (SERVERLESS, "AwsSolutions-RDS10", {"Cluster"}),
        (AURORA, "AwsSolutions-RDS11", set()),
        (SERVERLESS, "AwsSolutions-RDS11", {"Cluster"}),
        (SERVERLESS, "AwsSolutions-RDS14", {"Cluster"}),
        (AURORA, "AwsSolutions-RDS6", set()),
    ],
)
def test_a_finding_is_acknowledged_only_where_its_prop_is_off(name, rule, expected):
    """RDS3 only for a single-AZ primary (and the replicas), RDS10 only without deletion
    protection, RDS11 only on the engine's default port."""
    found = _acknowledgements(name)
    where = {path.split("/")[2] for path, rules in found.items() if rule in rules}
    assert where == expected


def test_aurora_without_iam_authentication_acknowledges_rds6_on_its_cluster():
    stack = Stack(App(), "NoIamAuthentication", env=PINNED_ENV)
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zones=list(ZONES),
        isolated_subnet_ids=["subnet-0a1b2c3d4e5f60741", "subnet-0a1b2c3d4e5f60752"],
    )
    database = RelationalDatabase(stack, "Database", vpc=vpc, iam_authentication=False)
    rules = {
        rule
        for entry in database.cluster.node.metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for rule in entry.data
    }
    assert "Annotation::AwsSolutions-RDS6" in rules
