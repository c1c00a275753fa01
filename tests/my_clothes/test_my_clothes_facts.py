"""What the five MyClothes.com versions exist for (notes 004:2401-2430, 002:2240-2285,
002:3764-3800), asserted as relations on the MyClothesV1 ... V5 templates: this group launches
into these subnets behind that target group, this role may touch only that table, this user data
names that cluster's endpoint, this security group admits only that one. Each version's test is
named after the problem it fixes and checks that the version before it does not have the fix.
The ``-c session_store=valkey`` option is synthesized here, once, with the cdk-nag gate on."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App

from constructs_lib.session_store import DEFAULT_PORT, SESSION_ITEM_ACTIONS
from stacks.catalog import add_stacks
from stacks.my_clothes_stack import SESSION_LIFETIME, SETTINGS, VERSIONS
from tests.conftest import PINNED_ENV, cdk_context
from tests.template_queries import (
    assert_https_only_behind_the_certificate_parameter,
    cdk_path,
    ingress_rules,
    listeners_by_port,
    nag_failures,
    one,
    props,
    ref,
    resources,
)

PROFILES = ("sandbox", "production")
WORLD = "0.0.0.0/0"
APP_PORT = 80
LIFETIME = int(SESSION_LIFETIME.to_seconds())
SSM_ACTIONS = ["ec2messages:*", "ssm:UpdateInstanceInformation", "ssmmessages:*"]
SECRET_READ = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
CONFIG_START = "cat > /etc/shop/config.json <<'CLASSIC_APP_CONFIG'\n"
CONFIG_END = "\nCLASSIC_APP_CONFIG"
SG = "AWS::EC2::SecurityGroup"
TABLE = "AWS::DynamoDB::Table"
CLUSTER = "AWS::RDS::DBCluster"
CACHE = "AWS::ElastiCache::ReplicationGroup"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"


def _stack(number: int) -> str:
    return f"MyClothesV{number}"


def _template(synthesized, profile: str, number: int) -> dict:
    return synthesized(profile).template(_stack(number))


def _by_path(template: dict, resource_type: str, path: str) -> str:
    """The logical id of the one ``resource_type`` whose construct path ends with ``path``."""
    (found,) = [
        lid
        for lid, resource in resources(template, resource_type).items()
        if cdk_path(resource).endswith(f"/{path}")
    ]
    return found


def _subnets(template: dict, name: str) -> list[str]:
    """The logical ids of the VPC's ``name`` subnets (Public, Application, Data), AZ by AZ."""
    found = [
        (props(subnet)["AvailabilityZone"], lid)
        for lid, subnet in resources(template, "AWS::EC2::Subnet").items()
        if {"Key": "aws-cdk:subnet-name", "Value": name} in props(subnet)["Tags"]
    ]
    zones = [zone for zone, _ in found]
    assert len(set(zones)) == len(zones), f"{name}: one subnet per AZ"
    return [lid for _, lid in sorted(found)]


def _zone_count(profile: str) -> int:
    return 3 if profile == "production" else 2


def _admitted(template: dict, group: str) -> list[tuple]:
    """(protocol, from port, to port, CIDR or source group id) of every ingress rule of
    ``group``; a CIDR that is a reference stays the reference (the VPC's ``CidrBlock``)."""
    return [
        (
            rule["IpProtocol"],
            rule.get("FromPort"),
            rule.get("ToPort"),
            rule.get("CidrIp") or ref(rule.get("SourceSecurityGroupId")),
        )
        for rule in ingress_rules(template, group)
    ]


def _egress(template: dict, group: str) -> list[tuple]:
    """(protocol, from port, to port, CIDR or destination group id) of ``group``'s egress."""
    inline = props(template["Resources"][group]).get("SecurityGroupEgress", [])
    separate = [
        props(rule)
        for rule in resources(template, "AWS::EC2::SecurityGroupEgress").values()
        if ref(props(rule)["GroupId"]) == group
    ]
    return [
        (
            rule["IpProtocol"],
            rule.get("FromPort"),
            rule.get("ToPort"),
            rule.get("CidrIp") or ref(rule.get("DestinationSecurityGroupId")),
        )
        for rule in inline + separate
    ]


def _groups(template: dict, number: int) -> dict[str, str]:
    """The security groups of the chain, by role."""
    paths = {
        "alb": "Web/AlbSecurityGroup/Resource",
        "instances": "Web/InstanceSecurityGroup/Resource",
        "app": "Network/AppSecurityGroup/Resource",
    }
    found = {role: _by_path(template, SG, path) for role, path in paths.items()}
    if number >= 4:
        found["database"] = _by_path(template, SG, "Database/SecurityGroup/Resource")
    return found


def _target_group(template: dict) -> str:
    return one(template, TARGET_GROUP)[0]


def _attributes(template: dict) -> dict[str, str]:
    tg = props(resources(template, TARGET_GROUP)[_target_group(template)])
    return {a["Key"]: a["Value"] for a in tg["TargetGroupAttributes"]}


def _forwarded_to(listener: dict) -> str | None:
    (action,) = listener["DefaultActions"]
    return ref(action["TargetGroupArn"]) if action["Type"] == "forward" else None


def _launch_template(template: dict) -> dict:
    lid = _by_path(template, "AWS::EC2::LaunchTemplate", "Web/LaunchTemplate/Resource")
    return props(template["Resources"][lid])["LaunchTemplateData"]


def _config(template: dict) -> dict:
    """The shop's /etc/shop/config.json from the web instances' user data, each deploy-time
    value the CloudFormation reference it is in the template."""
    user_data = _launch_template(template)["UserData"]["Fn::Base64"]
    parts = user_data["Fn::Join"][1] if isinstance(user_data, dict) else [user_data]
    tokens: dict[str, object] = {}
    text = ""
    for part in parts:
        if isinstance(part, str):
            text += part
        else:
            marker = f"@@token{len(tokens)}@@"
            tokens[marker] = part
            text += marker
    body = text.split(CONFIG_START, 1)[1].split(CONFIG_END, 1)[0]

    def resolved(value):
        if isinstance(value, dict):
            return {key: resolved(item) for key, item in value.items()}
        return tokens.get(value, value) if isinstance(value, str) else value

    return resolved(json.loads(body))


def _role_statements(template: dict) -> list[dict]:
    """Every statement of every policy attached to the web instances' role, but Session
    Manager's (the web tier's own, the same in every version)."""
    role = _by_path(template, "AWS::IAM::Role", "Web/InstanceRole/Resource")
    statements = [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in props(policy)["Roles"]
        for statement in props(policy)["PolicyDocument"]["Statement"]
    ]
    assert statements[0] == {"Action": SSM_ACTIONS, "Effect": "Allow", "Resource": "*"}
    return statements[1:]


def _readable_secrets(statements: list[dict]) -> list:
    """The secrets the statements let the role read (and describe), in order."""
    found = []
    for statement in statements:
        if statement["Action"] == SECRET_READ and statement["Effect"] == "Allow":
            resource = statement["Resource"]
            found += resource if isinstance(resource, list) else [resource]
    return found


def _cluster(template: dict) -> tuple[str, dict]:
    lid, cluster = one(template, CLUSTER)
    return lid, props(cluster)


def _database_instances(template: dict) -> dict[str, dict]:
    """Construct id (Writer, FailoverReader, Reader1) -> properties of each cluster instance."""
    return {
        cdk_path(instance).split("/")[-2]: props(instance)
        for instance in resources(template, "AWS::RDS::DBInstance").values()
    }


# --- v1, v2: a multi-AZ group behind the load balancer, then stickiness -----------------------


@pytest.mark.fact("MYC-01")
@pytest.mark.parametrize("profile", PROFILES)
def test_v1_scales_over_every_az_behind_the_load_balancer_and_keeps_the_cart_on_the_instance(
    synthesized, profile
):
    template = _template(synthesized, profile, 1)
    _, group = one(template, "AWS::AutoScaling::AutoScalingGroup")
    group = props(group)
    application = _subnets(template, "Application")
    assert len(application) == _zone_count(profile)
    assert [ref(s) for s in group["VPCZoneIdentifier"]] == application
    assert int(group["MinSize"]) >= len(application) == SETTINGS[profile].min_capacity
    # The group registers its instances with the target group the load balancer forwards to.
    target_group = _target_group(template)
    assert [ref(arn) for arn in group["TargetGroupARNs"]] == [target_group]
    forwarding = [
        p for p, listener in listeners_by_port(template).items() if _forwarded_to(listener)
    ]
    assert [_forwarded_to(listeners_by_port(template)[p]) for p in forwarding] == [target_group]
    _, balancer = one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert props(balancer)["Scheme"] == "internet-facing"
    assert [ref(s) for s in props(balancer)["Subnets"]] == _subnets(template, "Public")
    # The problem it leaves: any instance answers, and the cart lives in that one's memory.
    assert _attributes(template)["stickiness.enabled"] == "false"
    assert _config(template)["backend"] == "memory"
    for kind in (TABLE, CLUSTER, CACHE):
        assert resources(template, kind) == {}


@pytest.mark.fact("MYC-02")
@pytest.mark.parametrize("profile", PROFILES)
def test_v2_sticks_a_user_to_one_instance_with_the_awsalb_cookie(synthesized, profile):
    sticky = _attributes(_template(synthesized, profile, 2))
    assert sticky["stickiness.enabled"] == "true"
    assert sticky["stickiness.type"] == "lb_cookie"  # the ALB's own cookie, AWSALB
    assert sticky["stickiness.lb_cookie.duration_seconds"] == str(LIFETIME) == "86400"
    # The cart still lives on that instance (the problem v2 leaves) ...
    assert _config(_template(synthesized, profile, 2))["backend"] == "memory"
    # ... and v1 before it, and v3 after it (sessions off the instances), have no stickiness.
    for number in (1, 3):
        attributes = _attributes(_template(synthesized, profile, number))
        assert attributes["stickiness.enabled"] == "false"
        assert not any(
            key.startswith("stickiness.") and key != "stickiness.enabled" for key in attributes
        )


# --- v3: the session off the instances --------------------------------------------------------


@pytest.mark.fact("MYC-03")
@pytest.mark.parametrize("profile", PROFILES)
def test_v3_keeps_carts_in_a_dynamodb_table_so_any_instance_serves_any_request(
    synthesized, profile
):
    template = _template(synthesized, profile, 3)
    table_id, table = one(template, TABLE)
    table = props(table)
    assert table["KeySchema"] == [{"AttributeName": "session_id", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "session_id", "AttributeType": "S"}]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["BillingMode"] == "PAY_PER_REQUEST"  # idle costs nothing
    # The instances may read and write one session by its key, on this table alone.
    assert _role_statements(template) == [
        {
            "Action": sorted(SESSION_ITEM_ACTIONS),
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [table_id, "Arn"]},
        }
    ]
    config = _config(template)
    assert config["backend"] == "dynamodb"
    assert config["table_name"] == {"Ref": table_id}
    assert config["region"] == PINNED_ENV.region
    assert config["session_ttl_seconds"] == LIFETIME  # what the app writes into expires_at
    assert _attributes(template)["stickiness.enabled"] == "false"  # no longer needed
    assert template["Outputs"]["SessionTableName"]["Value"] == {"Ref": table_id}
    # v2 had no table: its carts lived and died on the instances.
    before = _template(synthesized, profile, 2)
    assert resources(before, TABLE) == {}
    assert _role_statements(before) == []


@pytest.mark.fact("MYC-04")
@pytest.mark.parametrize("profile", PROFILES)
def test_v3_reaches_dynamodb_through_a_gateway_endpoint_on_the_instances_route_tables(
    synthesized, profile
):
    template = _template(synthesized, profile, 3)
    endpoints = [
        props(e)
        for e in resources(template, "AWS::EC2::VPCEndpoint").values()
        if ".dynamodb" in json.dumps(props(e)["ServiceName"])
    ]
    (endpoint,) = endpoints
    assert endpoint["VpcEndpointType"] == "Gateway"
    assert ref(endpoint["VpcId"]) == one(template, "AWS::EC2::VPC")[0]
    routed = {ref(t) for t in endpoint["RouteTableIds"]}
    tables_of = {
        ref(props(a)["SubnetId"]): ref(props(a)["RouteTableId"])
        for a in resources(template, "AWS::EC2::SubnetRouteTableAssociation").values()
    }
    for subnet in _subnets(template, "Application"):
        assert tables_of[subnet] in routed
    # IAM alone guards the table: no security group of the session store, none added to v2's.
    assert not any("/Sessions/" in cdk_path(g) for g in resources(template, SG).values())
    assert len(resources(template, SG)) == len(resources(_template(synthesized, profile, 2), SG))


# --- v4: the addresses in Aurora --------------------------------------------------------------


@pytest.mark.fact("MYC-05")
@pytest.mark.parametrize("profile", PROFILES)
def test_v4_keeps_addresses_in_an_aurora_serverless_v2_cluster_in_isolated_subnets_of_every_az(
    synthesized, profile
):
    template = _template(synthesized, profile, 4)
    cluster_id, cluster = _cluster(template)
    settings = SETTINGS[profile]
    assert cluster["Engine"] == "aurora-postgresql"
    assert cluster["ServerlessV2ScalingConfiguration"] == {
        "MinCapacity": settings.database_min_acu,
        "MaxCapacity": settings.database_max_acu,
    }
    instances = _database_instances(template)
    assert instances, "a cluster has at least its writer"
    for instance in instances.values():
        assert instance["DBClusterIdentifier"] == {"Ref": cluster_id}
        assert instance["DBInstanceClass"] == "db.serverless"
        assert instance["PubliclyAccessible"] is False
    _, subnet_group = one(template, "AWS::RDS::DBSubnetGroup")
    assert ref(cluster["DBSubnetGroupName"]) == one(template, "AWS::RDS::DBSubnetGroup")[0]
    data = _subnets(template, "Data")
    assert len(data) == _zone_count(profile)
    assert [ref(s) for s in props(subnet_group)["SubnetIds"]] == data
    for subnet in data:  # isolated: no route out, no route in
        assert {"Key": "aws-cdk:subnet-type", "Value": "Isolated"} in props(
            template["Resources"][subnet]
        )["Tags"]
    # v3 had no database.
    assert resources(_template(synthesized, profile, 3), CLUSTER) == {}


@pytest.mark.fact("MYC-06")
@pytest.mark.parametrize("number", [4, 5])
def test_production_fails_over_to_a_reader_in_another_az_and_scales_reads_on_one_more(
    production, number
):
    template = production.template(_stack(number))
    instances = _database_instances(template)
    assert sorted(instances) == ["FailoverReader", "Reader1", "Writer"]
    tiers = {name: instance["PromotionTier"] for name, instance in instances.items()}
    assert tiers == {"Writer": 0, "FailoverReader": 1, "Reader1": 2}
    zones = [instance["AvailabilityZone"] for instance in instances.values()]
    assert len(set(zones)) == 3  # the failover reader is never in the writer's AZ
    cluster_id, _ = _cluster(template)
    outputs = template["Outputs"]
    assert outputs["DatabaseEndpoint"]["Value"] == {"Fn::GetAtt": [cluster_id, "Endpoint.Address"]}
    assert outputs["DatabaseReaderEndpoint"]["Value"] == {
        "Fn::GetAtt": [cluster_id, "ReadEndpoint.Address"]
    }
    assert SETTINGS["production"].database_read_replicas == 1


@pytest.mark.fact("MYC-07")
@pytest.mark.parametrize("number", [4, 5])
def test_sandbox_database_pauses_at_zero_acu_with_no_reader_to_pay_for(sandbox, number):
    template = sandbox.template(_stack(number))
    _, cluster = _cluster(template)
    assert cluster["ServerlessV2ScalingConfiguration"]["MinCapacity"] == 0
    assert cluster["EngineVersion"] == "16.9"  # Aurora PostgreSQL 16.3 or later may pause
    (writer,) = _database_instances(template).values()
    assert writer["PromotionTier"] == 0


@pytest.mark.fact("MYC-08")
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("number", [4, 5])
def test_v4_database_is_encrypted_its_password_kept_by_rds_and_only_its_secret_readable(
    synthesized, profile, number
):
    template = _template(synthesized, profile, number)
    cluster_id, cluster = _cluster(template)
    assert cluster["StorageEncrypted"] is True
    assert cluster["ManageMasterUserPassword"] is True
    assert "MasterUserPassword" not in cluster
    assert resources(template, "AWS::SecretsManager::Secret") == {}  # RDS owns the secret
    assert cluster["EnableIAMDatabaseAuthentication"] is True
    parameters_id, parameters = one(template, "AWS::RDS::DBClusterParameterGroup")
    assert ref(cluster["DBClusterParameterGroupName"]) == parameters_id
    assert props(parameters)["Parameters"] == {"rds.force_ssl": "1"}  # TLS in flight only
    secret = {"Fn::GetAtt": [cluster_id, "MasterUserSecret.SecretArn"]}
    assert _readable_secrets(_role_statements(template)) == [secret]
    # The app's config names this cluster's writer endpoint, port, database and secret.
    assert _config(template)["database"] == {
        "host": {"Fn::GetAtt": [cluster_id, "Endpoint.Address"]},
        "port": cluster["Port"],
        "name": cluster["DatabaseName"],
        "secret_arn": secret,
    }
    assert template["Outputs"]["DatabaseSecretArn"]["Value"] == secret


# --- v4's problem and v5's fix: the security groups -------------------------------------------


def _cluster_port(template: dict) -> dict:
    return {"Fn::GetAtt": [_cluster(template)[0], "Endpoint.Port"]}


@pytest.mark.fact("MYC-09")
@pytest.mark.parametrize("profile", PROFILES)
def test_v4_database_admits_the_whole_vpc_range_on_its_port(synthesized, profile):
    template = _template(synthesized, profile, 4)
    groups = _groups(template, 4)
    cluster_id, cluster = _cluster(template)
    assert [ref(g) for g in cluster["VpcSecurityGroupIds"]] == [groups["database"]]
    assert cluster["Port"] == 5432
    vpc = one(template, "AWS::EC2::VPC")[0]
    port = _cluster_port(template)
    assert _admitted(template, groups["database"]) == [
        ("tcp", port, port, {"Fn::GetAtt": [vpc, "CidrBlock"]})
    ]
    # The database opens no connection: its only egress rule is aws-cdk-lib's matches-nothing.
    assert _egress(template, groups["database"]) == [("icmp", 252, 86, "255.255.255.255/32")]


@pytest.mark.fact("MYC-10")
@pytest.mark.parametrize("profile", PROFILES)
def test_v5_chains_the_security_groups_each_admitting_only_the_one_before_it(synthesized, profile):
    template = _template(synthesized, profile, 5)
    groups = _groups(template, 5)
    listener_ports = sorted(listeners_by_port(template))
    # internet -> load balancer: only the listener ports, and out only to the instances.
    _, balancer = one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert [ref(g) for g in props(balancer)["SecurityGroups"]] == [groups["alb"]]
    assert _admitted(template, groups["alb"]) == [("tcp", p, p, WORLD) for p in listener_ports]
    assert _egress(template, groups["alb"]) == [("tcp", APP_PORT, APP_PORT, groups["instances"])]
    # load balancer -> instances: the app port from the load balancer's group alone; the
    # network's application group the instances also join admits nothing.
    launched = {ref(g) for g in _launch_template(template)["SecurityGroupIds"]}
    assert launched == {groups["instances"], groups["app"]}
    assert _admitted(template, groups["instances"]) == [("tcp", APP_PORT, APP_PORT, groups["alb"])]
    assert _admitted(template, groups["app"]) == []
    # instances -> database: the database port from the instances' group alone, no range.
    _, cluster = _cluster(template)
    assert [ref(g) for g in cluster["VpcSecurityGroupIds"]] == [groups["database"]]
    port = _cluster_port(template)
    assert _admitted(template, groups["database"]) == [("tcp", port, port, groups["instances"])]
    # v4 admitted a range there, and no group.
    before = _template(synthesized, profile, 4)
    sources = [rule[3] for rule in _admitted(before, _groups(before, 4)["database"])]
    assert all(isinstance(source, dict) for source in sources)


# --- -c session_store=valkey ------------------------------------------------------------------


@pytest.fixture(scope="module")
def valkey(tmp_path_factory) -> dict:
    """The sandbox's MyClothes stacks with ``-c session_store=valkey``, cdk-nag on: templates of
    V3 and V5 by stack name, and the nag failures of the five stacks."""
    context = cdk_context("sandbox", arch="my-clothes", session_store="valkey")
    outdir = tmp_path_factory.mktemp("my-clothes-valkey")
    app = App(context=context, outdir=str(outdir))
    stacks = add_stacks(app, env=PINNED_ENV)
    assembly = app.synth()
    report_path = outdir / "validation-report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return {
        "templates": {n: assembly.get_stack_by_name(_stack(n)).template for n in (3, 5)},
        "report": report,
        "stacks": set(stacks),
    }


def _cache(template: dict) -> tuple[str, dict]:
    lid, cache = one(template, CACHE)
    return lid, props(cache)


@pytest.mark.fact("MYC-11")
@pytest.mark.parametrize("number", [3, 5])
def test_valkey_keeps_sessions_in_a_cache_that_requires_tls_and_an_auth_token_from_a_secret(
    valkey, number
):
    template = valkey["templates"][number]
    cache_id, cache = _cache(template)
    assert cache["Engine"] == "valkey"
    assert cache["TransitEncryptionEnabled"] is True
    assert cache["TransitEncryptionMode"] == "required"
    assert cache["AtRestEncryptionEnabled"] is True
    secret = _by_path(template, "AWS::SecretsManager::Secret", "Sessions/AuthToken/Resource")
    assert cache["AuthToken"] == {
        "Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret}, ":SecretString:::}}"]]
    }
    subnet_group_id, subnet_group = one(template, "AWS::ElastiCache::SubnetGroup")
    assert ref(cache["CacheSubnetGroupName"]) == subnet_group_id
    assert [ref(s) for s in props(subnet_group)["SubnetIds"]] == _subnets(template, "Data")
    cache_group = _by_path(template, SG, "Sessions/SecurityGroup/Resource")
    assert [ref(g) for g in cache["SecurityGroupIds"]] == [cache_group]
    # The instances read the token and nothing else of it; the config names this cache.
    statements = _role_statements(template)
    readable = _readable_secrets(statements)
    assert {"Ref": secret} in readable
    assert len(readable) == (1 if number == 3 else 2)  # v5: and the database's
    assert not any("dynamodb" in json.dumps(s["Action"]) for s in statements)
    config = _config(template)
    assert config["backend"] == "valkey"
    assert config["cache"] == {
        "host": {"Fn::GetAtt": [cache_id, "PrimaryEndPoint.Address"]},
        "port": cache["Port"],
        "secret_arn": {"Ref": secret},
    }
    assert cache["Port"] == DEFAULT_PORT
    assert resources(template, TABLE) == {}
    assert nag_failures(valkey["report"], valkey["stacks"]) == []


@pytest.mark.fact("MYC-12")
def test_valkey_v5_cache_admits_only_the_instances_group_where_v3_admits_the_vpc_range(valkey):
    v3, v5 = valkey["templates"][3], valkey["templates"][5]
    port = _cache(v3)[1]["Port"]
    vpc = one(v3, "AWS::EC2::VPC")[0]
    assert _admitted(v3, _by_path(v3, SG, "Sessions/SecurityGroup/Resource")) == [
        ("tcp", port, port, {"Fn::GetAtt": [vpc, "CidrBlock"]})
    ]
    instances = _groups(v5, 5)["instances"]
    cache_group = _by_path(v5, SG, "Sessions/SecurityGroup/Resource")
    assert _admitted(v5, cache_group) == [("tcp", port, port, instances)]
    assert _egress(v5, cache_group) == [("icmp", 252, 86, "255.255.255.255/32")]
    # v5's database is chained the same way, with the cache beside it.
    database = _groups(v5, 5)["database"]
    assert [rule[3] for rule in _admitted(v5, database)] == [instances]


# --- every version ----------------------------------------------------------------------------


@pytest.mark.fact("MYC-13")
@pytest.mark.parametrize("number", list(VERSIONS))
def test_production_serves_https_only_with_the_certificate_parameter(sandbox, production, number):
    assert_https_only_behind_the_certificate_parameter(
        production.template(_stack(number)), sandbox.template(_stack(number))
    )


@pytest.mark.fact("MYC-14")
@pytest.mark.parametrize("profile", PROFILES)
def test_sandbox_egress_is_one_nat_instance_and_production_a_nat_gateway_per_az(
    synthesized, profile
):
    template = _template(synthesized, profile, 4)
    gateways = resources(template, "AWS::EC2::NatGateway")
    nat_instances = {
        lid: props(i)
        for lid, i in resources(template, "AWS::EC2::Instance").items()
        if "NatInstance" in cdk_path(i)
    }
    public = _subnets(template, "Public")
    table_of = {
        ref(props(a)["SubnetId"]): ref(props(a)["RouteTableId"])
        for a in resources(template, "AWS::EC2::SubnetRouteTableAssociation").values()
    }
    default_route = {
        ref(props(r)["RouteTableId"]): props(r)
        for r in resources(template, "AWS::EC2::Route").values()
        if props(r)["DestinationCidrBlock"] == WORLD
    }
    for index, subnet in enumerate(_subnets(template, "Application")):
        route = default_route[table_of[subnet]]
        if profile == "sandbox":
            # one t4g.nano forwarding for every AZ: a single point of failure, a tenth the price
            assert gateways == {}
            ((nat_id, nat),) = nat_instances.items()
            assert nat["InstanceType"] == "t4g.nano" and nat["SourceDestCheck"] is False
            assert ref(nat["SubnetId"]) == public[0]
            assert route["InstanceId"] == {"Ref": nat_id}
        else:
            # each AZ's private subnet leaves through the NAT gateway of its own AZ
            assert nat_instances == {}
            gateway = props(gateways[ref(route["NatGatewayId"])])
            assert ref(gateway["SubnetId"]) == public[index]
    assert len(gateways) == (0 if profile == "sandbox" else len(public))


@pytest.mark.fact("MYC-15")
@pytest.mark.parametrize("profile", PROFILES)
def test_every_version_states_the_fix_it_makes_and_the_problem_it_leaves(synthesized, profile):
    for number, version in VERSIONS.items():
        template = _template(synthesized, profile, number)
        assert template["Outputs"]["Fix"]["Value"] == version.fix
        assert template["Outputs"]["Problem"]["Value"] == version.problem
        assert template["Description"] == (
            f"MyClothes.com v{number}: {version.fix} ({profile} profile)"
        )
    assert len({v.fix for v in VERSIONS.values()}) == len({v.problem for v in VERSIONS.values()})
    assert len(VERSIONS) == 5


@pytest.mark.fact("MYC-16")
def test_sandbox_destroy_leaves_nothing_and_production_keeps_carts_and_snapshots_addresses(
    sandbox, production, valkey
):
    swept = [sandbox.template(_stack(n)) for n in VERSIONS] + list(valkey["templates"].values())
    for template in swept:
        for lid, resource in template["Resources"].items():
            if "DeletionPolicy" in resource:
                assert resource["DeletionPolicy"] == "Delete", lid
        _, balancer = one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        attributes = props(balancer)["LoadBalancerAttributes"]
        assert {"Key": "deletion_protection.enabled", "Value": "false"} in attributes
        assert resources(template, "AWS::S3::Bucket") == {}
        for cluster in resources(template, CLUSTER).values():
            assert props(cluster)["DeletionProtection"] is False
            assert props(cluster)["DeleteAutomatedBackups"] is True
    for number in VERSIONS:
        kept = production.template(_stack(number))
        _, balancer = one(kept, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        attributes = props(balancer)["LoadBalancerAttributes"]
        assert {"Key": "deletion_protection.enabled", "Value": "true"} in attributes
        (logs,) = resources(kept, "AWS::S3::Bucket").values()
        assert logs["DeletionPolicy"] == "Retain"
        # The carts are kept; the addresses go into a final snapshot, and the instances and
        # groups that served them are deleted (a retained cluster would keep billing).
        for resource in resources(kept, TABLE).values():
            assert resource["DeletionPolicy"] == "Retain"
        for resource in resources(kept, CLUSTER).values():
            assert resource["DeletionPolicy"] == "Snapshot"
        for kind in ("AWS::RDS::DBInstance", "AWS::RDS::DBSubnetGroup"):
            for resource in resources(kept, kind).values():
                assert resource["DeletionPolicy"] == "Delete"
        for cluster in resources(kept, CLUSTER).values():
            assert props(cluster)["DeletionProtection"] is True
            assert props(cluster)["DeleteAutomatedBackups"] is False
        assert len(resources(kept, TABLE)) == (1 if number >= 3 else 0)
        assert len(resources(kept, CLUSTER)) == (1 if number >= 4 else 0)
