"""Constructs connect, stacks share a network, and the app builds only what context asks for."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App, Environment, Stack, Stage
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam

from constructs_lib.aurora_global import AuroraGlobalPrimary
from constructs_lib.network import ThreeTierNetwork
from constructs_lib.serverless_api import ServerlessApi
from constructs_lib.static_site import StaticSite
from constructs_lib.web_tier import WebTier
from stacks import (
    aurora_global_stack,
    data_protection_stack,
    fan_out_stack,
    my_clothes_stack,
    my_word_press_stack,
    queue_worker_stack,
    serverless_api_stack,
    static_site_stack,
    streaming_ingestion_stack,
    web_tier_stack,
    what_is_the_time_stack,
)
from stacks.catalog import ARCHITECTURES, add_stacks, architecture_of
from stacks.profiles import PROFILES, profile_named
from tests.conftest import PINNED_ENV, cdk_context
from tests.template_queries import ingress_rules, props, ref, resources

NETWORK_OF_WEB = {"vpc_cidr": "10.0.0.0/16", "max_azs": 2}


def _template(stack: Stack) -> dict:
    return App.of(stack).synth().get_stack_by_name(stack.stack_name).template


def _web_launch_template(template: dict) -> dict:
    (launch_template,) = [
        resource
        for logical_id, resource in resources(template, "AWS::EC2::LaunchTemplate").items()
        if logical_id.startswith("WebLaunchTemplate")
    ]
    return launch_template


def _launch_template_groups(template: dict) -> list[str]:
    launch_template = _web_launch_template(template)
    return [
        ref(group) for group in props(launch_template)["LaunchTemplateData"]["SecurityGroupIds"]
    ]


def _database_behind_the_web_tier() -> tuple[dict, ThreeTierNetwork, AuroraGlobalPrimary]:
    stack = Stack(App(), "Composed", env=PINNED_ENV)
    network = ThreeTierNetwork(stack, "Network", **NETWORK_OF_WEB)
    WebTier(
        stack,
        "Web",
        vpc=network.vpc,
        instance_subnets=network.app_subnets,
        instance_security_groups=[network.app_security_group],
        access_logs=False,
    )
    database = AuroraGlobalPrimary(
        stack,
        "Database",
        vpc=network.vpc,
        vpc_subnets=network.data_subnets,
        security_group=network.data_security_group,
        global_cluster_identifier="composed",
        readers=0,
        rotation_subnets=network.app_subnets,
        rotation_security_group=network.app_security_group,
    )
    return _template(stack), network, database


def test_web_instances_reach_a_database_in_the_data_tier_on_its_port():
    template, network, _ = _database_behind_the_web_tier()
    stack = Stack.of(network)
    app_group = stack.get_logical_id(network.app_security_group.node.default_child)
    data_group = stack.get_logical_id(network.data_security_group.node.default_child)
    (cluster,) = resources(template, "AWS::RDS::DBCluster").values()
    assert [ref(group) for group in props(cluster)["VpcSecurityGroupIds"]] == [data_group]
    port = props(cluster)["Port"]
    # The instances join the application tier, and the data tier admits exactly that on the port.
    assert app_group in _launch_template_groups(template)
    admitted = [
        (ref(rule.get("SourceSecurityGroupId")), rule["FromPort"], rule["ToPort"])
        for rule in ingress_rules(template, data_group)
    ]
    assert admitted == [(app_group, port, port)]


def test_joining_the_application_tier_opens_nothing_new_on_it():
    """The ALB's port is opened on the instances' own group, never on the shared tier's."""
    template, network, _ = _database_behind_the_web_tier()
    app_group = Stack.of(network).get_logical_id(network.app_security_group.node.default_child)
    assert [rule["FromPort"] for rule in ingress_rules(template, app_group)] == [22]


def test_a_database_admits_the_web_tier_through_connections():
    stack = Stack(App(), "Connected", env=PINNED_ENV)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    web = WebTier(stack, "Web", vpc=vpc, access_logs=False, app_port=8080)
    database_group = ec2.SecurityGroup(stack, "DatabaseGroup", vpc=vpc)
    database = AuroraGlobalPrimary(
        stack,
        "Database",
        vpc=vpc,
        security_group=database_group,
        global_cluster_identifier="connected",
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        readers=0,
        port=6543,
    )
    database.connections.allow_default_port_from(web.connections, "the web tier")
    template = _template(stack)
    group = stack.get_logical_id(database_group.node.default_child)
    instances = stack.get_logical_id(web.instance_security_group.node.default_child)
    (cluster_id, cluster), *_ = resources(template, "AWS::RDS::DBCluster").items()
    assert props(cluster)["Port"] == 6543
    from_web = [
        rule
        for rule in ingress_rules(template, group)
        if ref(rule.get("SourceSecurityGroupId")) == instances
    ]
    # The cluster's own port, whatever it is: the rule follows the database, not a copy.
    endpoint_port = {"Fn::GetAtt": [cluster_id, "Endpoint.Port"]}
    assert [(rule["FromPort"], rule["ToPort"]) for rule in from_web] == [
        (endpoint_port, endpoint_port)
    ]
    assert web.connections.default_port.to_string() == "8080"


def _statements(template: dict, role: iam.Role) -> list[dict]:
    role_id = Stack.of(role).get_logical_id(role.node.default_child)
    return [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if role_id in [ref(r) for r in props(policy)["Roles"]]
        for statement in props(policy)["PolicyDocument"]["Statement"]
    ]


def test_grants_give_a_caller_exactly_the_access_it_asks_for():
    stack = Stack(App(), "Grants", env=PINNED_ENV)
    caller = iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal())
    api = ServerlessApi(stack, "Api")
    site = StaticSite(stack, "Site", access_logs=False)
    api.grant_invoke(caller)
    site.grant_read(caller)
    template = _template(stack)
    statements = _statements(template, caller)
    actions = [statement["Action"] for statement in statements]
    assert "execute-api:Invoke" in actions
    invoke = statements[actions.index("execute-api:Invoke")]
    api_id = stack.get_logical_id(api.api.node.default_child)
    assert api_id in json.dumps(invoke["Resource"])
    bucket_id = stack.get_logical_id(site.bucket.node.default_child)
    read = [s for s in statements if "s3:GetObject*" in s["Action"]]
    assert read and bucket_id in json.dumps(read[0]["Resource"])
    assert not any("s3:PutObject" in json.dumps(s["Action"]) for s in statements)


def test_a_database_grants_iam_sign_in_for_one_user():
    stack = Stack(App(), "Connect", env=PINNED_ENV)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    caller = iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal())
    database = AuroraGlobalPrimary(
        stack,
        "Database",
        vpc=vpc,
        security_group=ec2.SecurityGroup(stack, "Group", vpc=vpc),
        global_cluster_identifier="connect",
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        readers=0,
    )
    database.grant_connect(caller, "app_user")
    (statement,) = _statements(_template(stack), caller)
    assert statement["Action"] == "rds-db:connect"
    assert "dbuser:" in json.dumps(statement["Resource"])
    assert json.dumps(statement["Resource"]).endswith('/app_user"]]}')


# -- the app: -c network=shared, -c arch=..., Stage and prefix ----------------------------------


def test_shared_network_is_one_network_stack_per_region(shared):
    stacks = set(shared.templates)
    assert {"Network", "Network-us-west-2"} <= stacks
    vpcs = {name for name, t in shared.templates.items() if resources(t, "AWS::EC2::VPC")}
    assert vpcs == {"Network", "Network-us-west-2"}


def test_shared_network_stacks_join_it_and_deploy_after_it(shared):
    manifest = json.loads((shared.outdir / "manifest.json").read_text())["artifacts"]
    expected = {
        "WebTier": "Network",
        "AuroraGlobalPrimary": "Network",
        "AuroraGlobalSecondary-us-west-2": "Network-us-west-2",
    }
    for consumer, network in expected.items():
        assert network in manifest[consumer]["dependencies"], consumer
        text = json.dumps(shared.templates[consumer])
        assert f'"StackName": "{network}"' in text, consumer
    groups = _launch_template_groups(shared.templates["WebTier"])
    (joined,) = [
        g
        for g in props(
            next(iter(resources(shared.templates["WebTier"], "AWS::EC2::LaunchTemplate").values()))
        )["LaunchTemplateData"]["SecurityGroupIds"]
        if "Fn::GetStackOutput" in g
    ]
    assert (
        groups[0] is not None and "AppSecurityGroup" in joined["Fn::GetStackOutput"]["OutputName"]
    )


def test_shared_network_passes_the_nag_gate(shared):
    assert shared.validation_report.get("pluginReports", []) == []


def test_own_network_is_the_default_and_builds_no_network_stack_for_others(sandbox):
    assert resources(sandbox.template("WebTier"), "AWS::EC2::VPC")
    assert "Network-us-west-2" not in sandbox.templates


@pytest.mark.parametrize(
    ("arch", "stacks"),
    [
        ("network", {"Network"}),
        ("web-tier", {"WebTier"}),
        ("static-site", {"StaticSite", "StaticSiteOac"}),
        ("aurora-global", {"AuroraGlobalPrimary", "AuroraGlobalSecondary-us-west-2"}),
        ("queue-worker", {"QueueWorker", "QueueWorkerFifo"}),
        ("fan-out", {"FanOut"}),
        ("streaming-ingestion", {"StreamingIngestion"}),
        ("data-protection", {"DataProtection", "DataProtectionReplica-us-west-2"}),
        ("what-is-the-time", {f"WhatIsTheTimeV{n}" for n in range(1, 8)}),
        ("my-clothes", {f"MyClothesV{n}" for n in range(1, 6)}),
        ("my-word-press", {"MyWordPress"}),
        ("serverless-api,web-tier", {"ServerlessApi", "WebTier"}),
    ],
)
def test_arch_context_builds_only_that_architectures_stacks(arch, stacks):
    app = App(context=cdk_context("sandbox", arch=arch))
    assert set(add_stacks(app, env=PINNED_ENV, nag=False)) == stacks


def test_arch_with_a_shared_network_brings_the_network_stack():
    app = App(context=cdk_context("sandbox", arch="web-tier", network="shared"))
    assert set(add_stacks(app, env=PINNED_ENV, nag=False)) == {"Network", "WebTier"}


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"arch": "webtier"}, r"unknown architecture 'webtier'.*allowed: network, web-tier"),
        ({"arch": ""}, r"unknown architecture ''"),
        ({"network": "vpc"}, r"network is 'vpc'.*allowed: own, shared"),
    ],
)
def test_bad_context_fails_naming_what_is_allowed(context, message):
    with pytest.raises(ValueError, match=message):
        add_stacks(App(context=cdk_context("sandbox", **context)), nag=False)


def test_every_stack_name_belongs_to_one_architecture(sandbox):
    for name in sandbox.templates:
        assert architecture_of(name) in ARCHITECTURES


def test_stages_and_prefixes_let_copies_of_the_collection_live_in_one_app(tmp_path):
    app = App(context=cdk_context("sandbox", arch="serverless-api,network"), outdir=str(tmp_path))
    for name, region in (("Dev", "us-east-1"), ("Prod", "us-west-2")):
        stage = Stage(app, name, env=Environment(account="123456789012", region=region))
        stacks = add_stacks(stage, prefix="Ref")
        assert set(stacks) == {"RefNetwork", "RefServerlessApi"}
    add_stacks(app, prefix="Also", env=PINNED_ENV)
    assembly = app.synth()
    names = {stack.stack_name for stack in assembly.stacks}
    assert names == {"AlsoNetwork", "AlsoServerlessApi"}
    for name, region in (("Dev", "us-east-1"), ("Prod", "us-west-2")):
        stage = assembly.get_nested_assembly(f"assembly-{name}")
        stage_stacks = {stack.stack_name: stack for stack in stage.stacks}
        assert set(stage_stacks) == {f"{name}-RefNetwork", f"{name}-RefServerlessApi"}
        assert all(s.environment.region == region for s in stage_stacks.values())


SETTINGS_TABLES = {
    "web-tier": web_tier_stack.SETTINGS,
    "serverless-api": serverless_api_stack.SETTINGS,
    "static-site": static_site_stack.SETTINGS,
    "aurora-global": aurora_global_stack.SETTINGS,
    "queue-worker": queue_worker_stack.SETTINGS,
    "fan-out": fan_out_stack.SETTINGS,
    "streaming-ingestion": streaming_ingestion_stack.SETTINGS,
    "data-protection": data_protection_stack.SETTINGS,
    "what-is-the-time": what_is_the_time_stack.SETTINGS,
    "my-clothes": my_clothes_stack.SETTINGS,
    "my-word-press": my_word_press_stack.SETTINGS,
}


@pytest.mark.parametrize("arch", SETTINGS_TABLES)
def test_every_profile_has_settings_for_every_architecture(arch):
    assert set(SETTINGS_TABLES[arch]) == set(PROFILES)


def test_a_profile_without_settings_fails_naming_the_architecture():
    with pytest.raises(ValueError, match=r"no web-tier settings for profile 'sandbox'"):
        profile_named("sandbox").pick({"production": object()}, "web-tier")


def test_shared_networks_of_different_regions_never_overlap(shared):
    """One range per region (stacks.shared_network.region_vpc_cidr), so the regions' networks
    could be peered [002:903-924]: Network is 10.0.0.0/16, Network-us-west-2 10.1.0.0/16."""
    cidrs = {
        name: [v["Properties"]["CidrBlock"] for v in resources(template, "AWS::EC2::VPC").values()]
        for name, template in shared.templates.items()
        if resources(template, "AWS::EC2::VPC")
    }
    assert cidrs == {"Network": ["10.0.0.0/16"], "Network-us-west-2": ["10.1.0.0/16"]}


@pytest.mark.parametrize("index", [-1, 256])
def test_a_region_index_without_a_10_slash_16_is_refused(index):
    from stacks.shared_network import region_vpc_cidr

    with pytest.raises(ValueError, match=f"region index {index} is outside 0-255"):
        region_vpc_cidr(index)
    assert region_vpc_cidr(3) == "10.3.0.0/16"
