"""What the session store exists for (notes 002:2240-2285, 002:3764-3800, 004:2401-2430): session
state off the instances, so that any instance serves any request. Asserted as relations on the
templates of small stacks synthesized here (the defaults) and on the option templates of
tests/my_clothes/session_store_options.py (read from the folder's one synthesis of option stacks,
tests/my_clothes/options.py), each synthesis with the cdk-nag gate on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam

from constructs_lib.session_store import (
    DEFAULT_ENGINE_VERSIONS,
    DEFAULT_PORT,
    SESSION_ITEM_ACTIONS,
    SessionStore,
)
from stacks.catalog import add_nag
from tests.conftest import PINNED_ENV, cdk_context
from tests.my_clothes import options as folder_options
from tests.my_clothes import session_store_options as options
from tests.option_templates import synthesis_of
from tests.template_queries import ingress_rules, nag_failures, one, props, ref, resources

SECRET = "AWS::SecretsManager::Secret"
GROUP = "AWS::ElastiCache::ReplicationGroup"
SUBNET_GROUP = "AWS::ElastiCache::SubnetGroup"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
TABLE = "AWS::DynamoDB::Table"
CACHE_OPTIONS = ("session_valkey_replicas", "session_redis")
MIN_REASON = 60
SINGLE_NODE_PORT = 6380


class Defaults:
    """Stacks of the defaults, synthesized once: the constructs, templates and nag report."""

    def __init__(self, outdir: Path) -> None:
        app = App(context=cdk_context("sandbox"), outdir=str(outdir))
        add_nag(app)
        self.stacks: dict[str, Stack] = {}
        self.stores: dict[str, SessionStore] = {}
        self.roles: dict[str, iam.Role] = {}
        self._add(app, "SessionDefaults")
        self._add(app, "SessionNoPitr", point_in_time_recovery=False)
        cache = self._stack(app, "SessionCacheDefaults")
        vpc = ec2.Vpc.from_vpc_attributes(
            cache,
            "Vpc",
            vpc_id=options.VPC_ID,
            availability_zones=list(options.ZONES),
            isolated_subnet_ids=list(options.ISOLATED_SUBNET_IDS),
        )
        web = ec2.SecurityGroup.from_security_group_id(
            cache, "WebTier", options.WEB_TIER_GROUP, mutable=False
        )
        self._add(app, "SessionCacheDefaults", engine="valkey", vpc=vpc, allow_from=[web])
        single = self._stack(app, "SessionSingleNode")
        self._add(
            app,
            "SessionSingleNode",
            engine="valkey",
            vpc=ec2.Vpc.from_vpc_attributes(
                single,
                "Vpc",
                vpc_id=options.VPC_ID,
                availability_zones=list(options.ZONES[:1]),
                isolated_subnet_ids=list(options.ISOLATED_SUBNET_IDS[:1]),
            ),
            replicas=0,
            port=SINGLE_NODE_PORT,
        )
        assembly = app.synth()
        self.outdir = outdir
        self.report = json.loads((outdir / "validation-report.json").read_text())
        self.templates = {name: assembly.get_stack_by_name(name).template for name in self.stacks}

    def _stack(self, app: App, name: str) -> Stack:
        if name not in self.stacks:
            self.stacks[name] = Stack(app, name, env=PINNED_ENV)
        return self.stacks[name]

    def _add(self, app: App, name: str, **props: object) -> None:
        stack = self._stack(app, name)
        store = SessionStore(stack, "Sessions", **props)
        role = iam.Role(stack, "WebRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
        store.grant_read_write(role)
        self.stores[name] = store
        self.roles[name] = role


@pytest.fixture(scope="module")
def defaults(tmp_path_factory) -> Defaults:
    return Defaults(tmp_path_factory.mktemp("session-store"))


def _template(defaults: Defaults, name: str) -> dict:
    if name in options.STACKS:
        return folder_options.TEMPLATES[name]()
    return defaults.templates[name]


def _role_statements(template: dict) -> list[dict]:
    return [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        for statement in props(policy)["PolicyDocument"]["Statement"]
    ]


def _acknowledged(outdir: Path) -> dict[str, dict[str, str]]:
    """Construct path -> {rule: reason} of the AwsSolutions acknowledgements in an assembly."""
    found: dict[str, dict[str, str]] = {}
    for metadata_file in outdir.glob("*.metadata.json"):
        for path, entries in json.loads(metadata_file.read_text()).items():
            for entry in entries:
                if entry["type"] == "aws:cdk:acknowledged-rules":
                    for rule, reason in entry["data"].items():
                        found.setdefault(path, {})[rule.removeprefix("Annotation::")] = reason
    return found


# -- DynamoDB -------------------------------------------------------------------------------------


def test_the_table_is_keyed_by_the_session_id_alone(defaults):
    store = defaults.stores["SessionDefaults"]
    _, table = one(defaults.templates["SessionDefaults"], TABLE)
    assert store.partition_key == "session_id"
    assert props(table)["KeySchema"] == [{"AttributeName": "session_id", "KeyType": "HASH"}]
    assert props(table)["AttributeDefinitions"] == [
        {"AttributeName": "session_id", "AttributeType": "S"}
    ]


@pytest.mark.fact("MYC-03")
@pytest.mark.parametrize(
    ("name", "key", "ttl"),
    [
        ("SessionDefaults", "session_id", "expires_at"),
        ("session_customer_key", options.CUSTOM_PARTITION_KEY, options.CUSTOM_TTL_ATTRIBUTE),
    ],
)
def test_expiry_is_on_the_attribute_the_application_writes(defaults, name, key, ttl):
    _, table = one(_template(defaults, name), TABLE)
    assert props(table)["TimeToLiveSpecification"] == {"AttributeName": ttl, "Enabled": True}
    assert props(table)["KeySchema"] == [{"AttributeName": key, "KeyType": "HASH"}]
    if name in defaults.stores:
        assert defaults.stores[name].ttl_attribute == ttl


@pytest.mark.fact("MYC-03")
@pytest.mark.parametrize("name", ["SessionDefaults", "SessionNoPitr", "session_customer_key"])
def test_the_table_bills_per_request_so_idle_costs_nothing(defaults, name):
    _, table = one(_template(defaults, name), TABLE)
    assert props(table)["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in props(table)


def test_point_in_time_recovery_is_on_by_default(defaults):
    _, table = one(defaults.templates["SessionDefaults"], TABLE)
    assert props(table)["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_point_in_time_recovery_turned_off_is_acknowledged_on_the_table(defaults):
    _, table = one(defaults.templates["SessionNoPitr"], TABLE)
    assert props(table)["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": False}
    found = _acknowledged(defaults.outdir)
    reason = found["/SessionNoPitr/Sessions/Table"]["AwsSolutions-DDB3"]
    assert len(reason) >= MIN_REASON
    assert "/SessionDefaults/Sessions/Table" not in found


def test_the_default_table_key_is_the_aws_managed_dynamodb_key(defaults):
    _, table = one(defaults.templates["SessionDefaults"], TABLE)
    assert props(table)["SSESpecification"] == {"SSEEnabled": True}


def test_a_customer_key_encrypts_the_table(defaults):
    template = _template(defaults, "session_customer_key")
    key_id, _ = one(template, "AWS::KMS::Key")
    _, table = one(template, TABLE)
    sse = props(table)["SSESpecification"]
    assert sse["SSEEnabled"] is True and sse["SSEType"] == "KMS"
    assert ref(sse["KMSMasterKeyId"]) == key_id


def test_the_table_is_retained_by_default_and_destroyed_when_asked(defaults):
    _, default = one(defaults.templates["SessionDefaults"], TABLE)
    _, destroyed = one(_template(defaults, "session_customer_key"), TABLE)
    assert default["DeletionPolicy"] == "Retain"
    assert destroyed["DeletionPolicy"] == "Delete"


@pytest.mark.fact("MYC-03")
def test_grant_read_write_gives_the_session_item_actions_on_this_table_only(defaults):
    template = defaults.templates["SessionDefaults"]
    table_id, _ = one(template, TABLE)
    (statement,) = _role_statements(template)
    assert set(statement["Action"]) == set(SESSION_ITEM_ACTIONS)
    assert statement["Resource"] == {"Fn::GetAtt": [table_id, "Arn"]}


def test_grant_read_write_uses_the_customer_key_through_dynamodb_only(defaults):
    template = _template(defaults, "session_customer_key")
    key_id, _ = one(template, "AWS::KMS::Key")
    (kms_statement,) = [s for s in _role_statements(template) if s["Action"][0].startswith("kms:")]
    assert ref(kms_statement["Resource"]) == key_id
    assert not any("*" in action for action in kms_statement["Action"])
    via = kms_statement["Condition"]["StringEquals"]["kms:ViaService"]
    assert via == {"Fn::Join": ["", ["dynamodb.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}


def test_a_table_store_has_no_cache_attributes(defaults):
    store = defaults.stores["SessionDefaults"]
    assert store.engine == "dynamodb" and store.table is not None
    assert store.replication_group is None and store.auth_secret is None
    assert store.connections is None and store.endpoint_address is None and store.port is None
    assert set(resources(defaults.templates["SessionDefaults"], GROUP)) == set()


# -- ElastiCache ----------------------------------------------------------------------------------


@pytest.mark.fact("MYC-20")
def test_the_default_cache_is_valkey_on_two_t4g_micro_nodes_in_two_azs_with_failover(defaults):
    _, group = one(defaults.templates["SessionCacheDefaults"], GROUP)
    assert props(group)["Engine"] == "valkey"
    assert props(group)["EngineVersion"] == DEFAULT_ENGINE_VERSIONS["valkey"]
    assert props(group)["CacheNodeType"] == "cache.t4g.micro"
    assert props(group)["NumCacheClusters"] == 2
    assert props(group)["MultiAZEnabled"] is True
    assert props(group)["AutomaticFailoverEnabled"] is True
    assert props(group)["SnapshotRetentionLimit"] == 1
    assert props(group)["Port"] == DEFAULT_PORT


@pytest.mark.fact("MYC-20")
def test_replicas_are_nodes_beyond_the_primary_and_none_means_no_failover(defaults):
    _, valkey = one(_template(defaults, "session_valkey_replicas"), GROUP)
    _, redis = one(_template(defaults, "session_redis"), GROUP)
    assert props(valkey)["NumCacheClusters"] == options.VALKEY_REPLICAS + 1
    assert props(valkey)["CacheNodeType"] == options.VALKEY_NODE_TYPE
    assert props(valkey)["EngineVersion"] == options.VALKEY_VERSION
    assert props(redis)["Engine"] == "redis"
    assert props(redis)["EngineVersion"] == DEFAULT_ENGINE_VERSIONS["redis"]
    assert props(redis)["NumCacheClusters"] == 1
    assert props(redis)["MultiAZEnabled"] is False
    assert props(redis)["AutomaticFailoverEnabled"] is False


@pytest.mark.fact("MYC-11")
@pytest.mark.parametrize("name", ["SessionCacheDefaults", *CACHE_OPTIONS])
def test_the_cache_encrypts_at_rest_and_accepts_tls_only(defaults, name):
    _, group = one(_template(defaults, name), GROUP)
    assert props(group)["AtRestEncryptionEnabled"] is True
    assert props(group)["TransitEncryptionEnabled"] is True
    assert props(group)["TransitEncryptionMode"] == "required"


@pytest.mark.fact("MYC-11")
@pytest.mark.parametrize("name", ["SessionCacheDefaults", *CACHE_OPTIONS])
def test_the_auth_token_resolves_the_secret_created_here(defaults, name):
    template = _template(defaults, name)
    secret_id, secret = one(template, SECRET)
    _, group = one(template, GROUP)
    assert props(group)["AuthToken"] == {
        "Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret_id}, ":SecretString:::}}"]]
    }
    generated = props(secret)["GenerateSecretString"]
    assert generated["ExcludePunctuation"] is True and generated["IncludeSpace"] is False
    assert 32 <= generated["PasswordLength"] <= 128


@pytest.mark.fact("MYC-12")
@pytest.mark.parametrize("name", ["SessionCacheDefaults", *CACHE_OPTIONS])
def test_the_cache_group_admits_only_allow_from_on_the_cache_port(defaults, name):
    template = _template(defaults, name)
    group_id, security_group = one(template, SECURITY_GROUP)
    _, group = one(template, GROUP)
    port = props(group)["Port"]
    rules = ingress_rules(template, group_id)
    expected = {
        "SessionCacheDefaults": {options.WEB_TIER_GROUP},
        "session_valkey_replicas": {options.WEB_TIER_GROUP, options.WORKER_GROUP},
        "session_redis": {options.WEB_TIER_GROUP},
    }[name]
    assert {rule["SourceSecurityGroupId"] for rule in rules} == expected
    assert len(rules) == len(expected)
    assert all(
        (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", port, port)
        for rule in rules
    )
    assert props(group)["SecurityGroupIds"] == [{"Fn::GetAtt": [group_id, "GroupId"]}]
    # aws-cdk-lib's placeholder (ICMP type 252 to one address): EC2 adds no allow-all egress.
    (egress,) = props(security_group)["SecurityGroupEgress"]
    assert egress["CidrIp"] == "255.255.255.255/32" and egress["IpProtocol"] == "icmp"


def test_the_connections_are_the_cache_group_on_its_port(defaults):
    store = defaults.stores["SessionCacheDefaults"]
    stack = defaults.stacks["SessionCacheDefaults"]
    assert store.connections.security_groups == [store.security_group]
    assert stack.resolve(store.connections.default_port.to_string()) == str(DEFAULT_PORT)


@pytest.mark.parametrize("name", ["SessionCacheDefaults", *CACHE_OPTIONS])
def test_the_subnet_group_names_the_given_subnets(defaults, name):
    template = _template(defaults, name)
    subnet_group_id, subnet_group = one(template, SUBNET_GROUP)
    _, group = one(template, GROUP)
    assert props(subnet_group)["SubnetIds"] == list(options.ISOLATED_SUBNET_IDS)
    assert props(group)["CacheSubnetGroupName"] == {"Ref": subnet_group_id}


def test_the_endpoint_is_the_primary_endpoint_of_the_group(defaults):
    store = defaults.stores["SessionCacheDefaults"]
    stack = defaults.stacks["SessionCacheDefaults"]
    group_id, _ = one(defaults.templates["SessionCacheDefaults"], GROUP)
    assert stack.resolve(store.endpoint_address) == {
        "Fn::GetAtt": [group_id, "PrimaryEndPoint.Address"]
    }
    assert store.port == DEFAULT_PORT and store.engine == "valkey"
    assert store.table is None and store.partition_key is None and store.ttl_attribute is None


@pytest.mark.parametrize("name", ["SessionCacheDefaults", *CACHE_OPTIONS])
def test_grant_read_write_on_a_cache_reads_its_auth_token(defaults, name):
    template = _template(defaults, name)
    secret_id, _ = one(template, SECRET)
    (statement,) = [s for s in _role_statements(template) if "secretsmanager" in str(s)]
    assert set(statement["Action"]) == {
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
    }
    assert statement["Resource"] == {"Ref": secret_id}


def test_a_customer_key_encrypts_the_cache_and_its_auth_token(defaults):
    template = _template(defaults, "session_redis")
    key_id, _ = one(template, "AWS::KMS::Key")
    _, group = one(template, GROUP)
    _, secret = one(template, SECRET)
    assert ref(props(group)["KmsKeyId"]) == key_id
    assert ref(props(secret)["KmsKeyId"]) == key_id


def test_a_retained_cache_keeps_its_secret_subnet_group_and_security_group(defaults):
    template = defaults.templates["SessionCacheDefaults"]
    for resource_type in (GROUP, SECRET, SUBNET_GROUP, SECURITY_GROUP):
        _, resource = one(template, resource_type)
        assert resource["DeletionPolicy"] == "Retain", resource_type


def test_a_snapshot_policy_snapshots_the_group_and_deletes_the_rest(defaults):
    template = _template(defaults, "session_valkey_replicas")
    _, group = one(template, GROUP)
    assert group["DeletionPolicy"] == "Snapshot"
    for resource_type in (SECRET, SUBNET_GROUP, SECURITY_GROUP):
        _, resource = one(template, resource_type)
        assert resource["DeletionPolicy"] == "Delete", resource_type


def test_destroy_leaves_nothing_behind(defaults):
    template = _template(defaults, "session_redis")
    kept = {
        logical_id: resource.get("DeletionPolicy")
        for logical_id, resource in template["Resources"].items()
        if resource.get("DeletionPolicy", "Delete") != "Delete"
    }
    assert kept == {}


# -- cdk-nag ---------------------------------------------------------------------------------------


def test_the_defaults_pass_cdk_nag(defaults):
    assert defaults.report.get("title") == "Validation Report"
    assert nag_failures(defaults.report) == []


def test_the_option_templates_pass_cdk_nag():
    report, templates = synthesis_of(folder_options.STACKS)
    assert set(options.STACKS) <= set(templates)
    assert nag_failures(report) == []


def test_the_cache_acknowledges_the_auth_rotation_and_the_default_port(defaults):
    found = _acknowledged(defaults.outdir)
    secret = found["/SessionCacheDefaults/Sessions/AuthToken"]
    group = found["/SessionCacheDefaults/Sessions/ReplicationGroup"]
    assert set(secret) == {"AwsSolutions-SMG4"} and set(group) == {"AwsSolutions-AEC5"}
    assert all(len(reason) >= MIN_REASON for reason in (*secret.values(), *group.values()))


def test_a_single_node_cache_acknowledges_multi_az_and_a_port_of_its_own_needs_no_aec5(
    defaults,
):
    _, group = one(defaults.templates["SessionSingleNode"], GROUP)
    assert props(group)["MultiAZEnabled"] is False and props(group)["Port"] == SINGLE_NODE_PORT
    found = _acknowledged(defaults.outdir)["/SessionSingleNode/Sessions/ReplicationGroup"]
    assert set(found) == {"AwsSolutions-AEC4"} and len(found["AwsSolutions-AEC4"]) >= MIN_REASON
