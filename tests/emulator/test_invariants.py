"""The deploy-time invariants can fail: each is broken on purpose in a throw-away state built
in process (``mock_aws``), never in the shipped app, and reports it; the right state passes.
The deploy proof itself runs them against the deployed sandbox (the ``deploy`` test below)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from moto import mock_aws

from tests.emulator import invariants
from tests.emulator.invariants import Violation

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
HANDLER = ROOT / "constructs_lib" / "serverless_api_runtime" / "handler.py"
HANDLER_ACTIONS = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"]


# One botocore session for every test: its loader keeps the service models it has read.
# mock_aws() resets boto3's default session, so boto3.client() would parse them again per test
# (about half of this file's time). moto intercepts requests from this session's clients too:
# it is made after moto is imported, which registers moto's handler on every new session.
_SESSION = boto3.session.Session(botocore_session=botocore.session.get_session())


@pytest.fixture
def client(monkeypatch) -> Iterator[invariants.ClientFactory]:
    """In-process moto, and the ``client(service, region)`` factory the invariants take."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        clients: dict[tuple[str, str], object] = {}

        def factory(service: str, region: str = "us-east-1"):
            key = (service, region)
            if key not in clients:
                clients[key] = _SESSION.client(
                    service,
                    region_name=region,
                    aws_access_key_id="testing",
                    aws_secret_access_key="testing",
                )
            return clients[key]

        yield factory


def _vpc(client, region: str) -> tuple[str, list[str]]:
    ec2 = client("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{region}{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate("ab")
    ]
    return vpc, subnets


def _group(client, region: str, vpc: str, name: str) -> str:
    return client("ec2", region).create_security_group(GroupName=name, Description=name, VpcId=vpc)[
        "GroupId"
    ]


def _admit(client, region: str, group: str, port: int, *, source: str | None = None, cidr=None):
    permission = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if source:
        permission["UserIdGroupPairs"] = [{"GroupId": source}]
    if cidr:
        permission["IpRanges"] = [{"CidrIp": cidr}]
    client("ec2", region).authorize_security_group_ingress(
        GroupId=group, IpPermissions=[permission]
    )


# ------------------------------------------------------------------------------- 1. database
def _database(
    client, region: str, *, cluster_port: int, admitted: int, also_open=False, from_app=True
):
    """A VPC, the app and data groups, the data group admitting ``admitted`` (from the app
    group, or from another group), a cluster on ``cluster_port`` in the data group."""
    vpc, _ = _vpc(client, region)
    app = _group(client, region, vpc, "app")
    other = _group(client, region, vpc, "bastion")
    data = _group(client, region, vpc, "data")
    _admit(client, region, data, admitted, source=app if from_app else other)
    if also_open:
        _admit(client, region, data, admitted, cidr="0.0.0.0/0")
    client("rds", region).create_db_cluster(
        DBClusterIdentifier=f"db-{region}",
        Engine="aurora-postgresql",
        MasterUsername="postgres",
        MasterUserPassword="a-long-password",
        Port=cluster_port,
        VpcSecurityGroupIds=[data],
    )
    stack = f"Aurora-{region}"
    outputs = {stack: {"ClusterIdentifier": f"db-{region}", "AppSecurityGroupId": app}}
    return outputs, {stack: region}


@pytest.mark.parametrize("region", ["us-east-1", "us-west-2"])
def test_a_cluster_on_a_port_its_group_does_not_admit_fails(client, region):
    outputs, stacks = _database(client, region, cluster_port=5433, admitted=5432)
    with pytest.raises(Violation, match=rf"db-{region} \({region}, port 5433\): .* do not admit"):
        invariants.database_port_is_admitted(client, outputs, stacks)


def test_a_cluster_port_admitted_from_anywhere_fails(client):
    outputs, stacks = _database(
        client, "us-east-1", cluster_port=5432, admitted=5432, also_open=True
    )
    with pytest.raises(Violation, match=r"port 5432 admitted from \['0.0.0.0/0'\]"):
        invariants.database_port_is_admitted(client, outputs, stacks)


def test_a_cluster_port_admitted_only_from_another_group_fails(client):
    outputs, stacks = _database(
        client, "us-east-1", cluster_port=5432, admitted=5432, from_app=False
    )
    with pytest.raises(Violation, match=r"from the application tier sg-"):
        invariants.database_port_is_admitted(client, outputs, stacks)


def test_a_cluster_no_stack_claims_fails(client):
    outputs, stacks = _database(client, "us-east-1", cluster_port=5432, admitted=5432)
    with pytest.raises(Violation, match=r"no deployed stack outputs its AppSecurityGroupId"):
        invariants.database_port_is_admitted(client, {}, stacks)


def _vpc_range_database(client, cidr: str):
    outputs, stacks = _database(
        client, "us-east-1", cluster_port=5432, admitted=5432, from_app=False
    )
    ec2 = client("ec2", "us-east-1")
    [cluster] = client("rds", "us-east-1").describe_db_clusters()["DBClusters"]
    [data] = [g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]]
    ec2.revoke_security_group_ingress(
        GroupId=data,
        IpPermissions=ec2.describe_security_groups(GroupIds=[data])["SecurityGroups"][0][
            "IpPermissions"
        ],
    )
    _admit(client, "us-east-1", data, 5432, cidr=cidr)
    return outputs, stacks


def test_a_cluster_port_admitted_from_its_whole_vpc_range_passes(client):
    outputs, stacks = _vpc_range_database(client, "10.0.0.0/16")
    detail = invariants.database_port_is_admitted(client, outputs, stacks)
    assert "db-us-east-1:5432 from the VPC range 10.0.0.0/16 holding sg-" in detail


@pytest.mark.parametrize("cidr", ["10.0.1.0/24", "192.168.0.0/16"])
def test_a_cluster_port_admitted_from_a_range_short_of_the_vpc_fails(client, cidr):
    outputs, stacks = _vpc_range_database(client, cidr)
    with pytest.raises(Violation, match=r"do not admit port 5432 from the application tier"):
        invariants.database_port_is_admitted(client, outputs, stacks)


@pytest.mark.parametrize("region", ["us-east-1", "us-west-2"])
def test_a_cluster_whose_port_the_app_group_reaches_passes(client, region):
    outputs, stacks = _database(client, region, cluster_port=5432, admitted=5432)
    detail = invariants.database_port_is_admitted(client, outputs, stacks)
    assert f"db-{region}:5432 from sg-" in detail


# --------------------------------------------------------------------------- 2. target groups
def _web_tier(client, *, target_port: int, admitted: int, from_balancer=True):
    region = "us-east-1"
    vpc, subnets = _vpc(client, region)
    alb_group = _group(client, region, vpc, "alb")
    instance_group = _group(client, region, vpc, "instances")
    if from_balancer:
        _admit(client, region, instance_group, admitted, source=alb_group)
    else:
        _admit(client, region, instance_group, admitted, cidr="10.0.0.0/16")
    elbv2 = client("elbv2", region)
    balancer = elbv2.create_load_balancer(
        Name="alb", Subnets=subnets, SecurityGroups=[alb_group], Scheme="internet-facing"
    )["LoadBalancers"][0]["LoadBalancerArn"]
    target_group = elbv2.create_target_group(
        Name="web", Protocol="HTTP", Port=target_port, VpcId=vpc, TargetType="instance"
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}],
    )
    template = client("ec2", region).create_launch_template(
        LaunchTemplateName="web",
        LaunchTemplateData={
            "ImageId": "ami-12c6146b",
            "InstanceType": "t4g.micro",
            "SecurityGroupIds": [instance_group],
        },
    )["LaunchTemplate"]["LaunchTemplateId"]
    client("autoscaling", region).create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchTemplate={"LaunchTemplateId": template, "Version": "1"},
        MinSize=0,
        MaxSize=2,
        TargetGroupARNs=[target_group],
        VPCZoneIdentifier=",".join(subnets),
    )
    return {"WebTier": {}}, {"WebTier": region}


def test_a_target_group_port_the_instances_do_not_admit_fails(client):
    outputs, stacks = _web_tier(client, target_port=8080, admitted=80)
    with pytest.raises(Violation, match=r"port 8080\): ASG web's groups .* do not admit port 8080"):
        invariants.target_group_ports_are_admitted(client, outputs, stacks)


def test_a_target_group_port_admitted_only_from_a_cidr_fails(client):
    outputs, stacks = _web_tier(client, target_port=8080, admitted=8080, from_balancer=False)
    with pytest.raises(Violation, match=r"from the load balancer's \['sg-"):
        invariants.target_group_ports_are_admitted(client, outputs, stacks)


def test_a_target_group_port_admitted_from_the_balancer_passes(client):
    outputs, stacks = _web_tier(client, target_port=8080, admitted=8080)
    assert (
        invariants.target_group_ports_are_admitted(client, outputs, stacks) == "web:8080 <- ASG web"
    )


def _fixed_fleet(client, *, admitted: int, from_balancer=True):
    """A load balancer forwarding to instances registered in its target group (no ASG)."""
    region = "us-east-1"
    vpc, subnets = _vpc(client, region)
    alb_group = _group(client, region, vpc, "alb")
    instance_group = _group(client, region, vpc, "fleet")
    _admit(
        client,
        region,
        instance_group,
        admitted,
        **({"source": alb_group} if from_balancer else {"cidr": "10.0.0.0/16"}),
    )
    ec2, elbv2 = client("ec2", region), client("elbv2", region)
    instances = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=2,
        MaxCount=2,
        SubnetId=subnets[0],
        SecurityGroupIds=[instance_group],
    )["Instances"]
    balancer = elbv2.create_load_balancer(
        Name="alb", Subnets=subnets, SecurityGroups=[alb_group], Scheme="internet-facing"
    )["LoadBalancers"][0]["LoadBalancerArn"]
    target_group = elbv2.create_target_group(
        Name="fleet", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance"
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(
        TargetGroupArn=target_group, Targets=[{"Id": i["InstanceId"]} for i in instances]
    )
    elbv2.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}],
    )
    return {"Fleet": {}}, {"Fleet": region}, sorted(i["InstanceId"] for i in instances)


def test_a_target_group_of_registered_instances_admitted_from_the_balancer_passes(client):
    outputs, stacks, instances = _fixed_fleet(client, admitted=80)
    detail = invariants.target_group_ports_are_admitted(client, outputs, stacks)
    assert set(detail.split(", ")) == {f"fleet:80 <- instance {i}" for i in instances}


def test_a_target_group_of_registered_instances_not_admitting_the_balancer_fails(client):
    outputs, stacks, _ = _fixed_fleet(client, admitted=80, from_balancer=False)
    with pytest.raises(Violation, match=r"port 80\): instance i-\w+'s groups .* do not admit"):
        invariants.target_group_ports_are_admitted(client, outputs, stacks)


def test_a_target_group_nothing_registers_in_fails(client):
    outputs, stacks, _ = _fixed_fleet(client, admitted=80)
    elbv2 = client("elbv2", "us-east-1")
    [group] = elbv2.describe_target_groups()["TargetGroups"]
    targets = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
    elbv2.deregister_targets(
        TargetGroupArn=group["TargetGroupArn"],
        Targets=[d["Target"] for d in targets["TargetHealthDescriptions"]],
    )
    with pytest.raises(Violation, match=r"no ASG or registered instance targets it"):
        invariants.target_group_ports_are_admitted(client, outputs, stacks)


# ------------------------------------------------------------------------ 3. bucket policies
TLS_ONLY = {
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::site", "arn:aws:s3:::site/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
CLOUDFRONT_READ = {
    "Effect": "Allow",
    "Principal": {"Service": "cloudfront.amazonaws.com"},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::site/*",
    "Condition": {
        "StringEquals": {"AWS:SourceArn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"}
    },
}


def _bucket(client, *statements: dict) -> tuple[dict, dict]:
    s3 = client("s3", "us-east-1")
    s3.create_bucket(Bucket="site")
    s3.create_bucket(Bucket="no-policy")
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    s3.put_bucket_policy(Bucket="site", Policy=json.dumps(policy))
    return {}, {"StaticSite": "us-east-1"}


@pytest.mark.parametrize(
    "grant",
    [
        {"Principal": "*"},
        {"Principal": {"AWS": "*"}},
        {"Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]}},
        {"NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}},
    ],
    ids=["star", "aws-star", "aws-list-with-star", "not-principal"],
)
def test_a_bucket_policy_allowing_everyone_fails(client, grant):
    public_read = {
        "Sid": "PublicRead",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::site/*",
        **grant,
    }
    outputs, stacks = _bucket(client, TLS_ONLY, CLOUDFRONT_READ, public_read)
    with pytest.raises(Violation, match=r"s3://site statement PublicRead: "):
        invariants.bucket_policies_grant_no_one_everything(client, outputs, stacks)


def test_a_tls_only_deny_to_everyone_and_a_scoped_allow_pass(client):
    outputs, stacks = _bucket(client, TLS_ONLY, CLOUDFRONT_READ)
    detail = invariants.bucket_policies_grant_no_one_everything(client, outputs, stacks)
    assert detail.startswith("1 bucket policies over 2 buckets")


# ---------------------------------------------------------------------- 5. Lambda permissions
def _function(client, **permission) -> tuple[dict, dict]:
    role = client("iam", "us-east-1").create_role(
        RoleName="fn",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zipped:
        zipped.writestr("index.py", "def handler(event, context):\n    return None\n")
    lambda_ = client("lambda", "us-east-1")
    lambda_.create_function(
        FunctionName="fn",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
    )
    lambda_.create_function(  # no resource policy at all: fine
        FunctionName="private",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
    )
    lambda_.add_permission(
        FunctionName="fn", StatementId="Invoke", Action="lambda:InvokeFunction", **permission
    )
    return {}, {"ServerlessApi": "us-east-1"}


API_ARN = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc123/api/GET/items"


def test_a_permission_without_source_arn_fails(client):
    outputs, stacks = _function(client, Principal="apigateway.amazonaws.com")
    with pytest.raises(
        Violation,
        match=r"fn \(us-east-1\) statement Invoke for "
        r"apigateway.amazonaws.com: no AWS:SourceArn",
    ):
        invariants.lambda_permissions_name_their_caller(client, outputs, stacks)


def test_a_permission_with_only_source_account_and_no_reason_fails(client):
    outputs, stacks = _function(client, Principal="apigateway.amazonaws.com", SourceAccount=ACCOUNT)
    with pytest.raises(
        Violation, match=r"AWS:SourceAccount only, and no reason listed for its principal"
    ):
        invariants.lambda_permissions_name_their_caller(client, outputs, stacks)


def test_a_permission_with_source_account_and_a_reason_passes(client):
    outputs, stacks = _function(client, Principal="ses.amazonaws.com", SourceAccount=ACCOUNT)
    reason = {"ses.amazonaws.com": "a receipt rule has no ARN to name"}
    detail = invariants.lambda_permissions_name_their_caller(client, outputs, stacks, reason)
    assert "account-only: ses.amazonaws.com: a receipt rule has no ARN to name" in detail


def test_a_permission_naming_its_caller_passes(client):
    outputs, stacks = _function(client, Principal="apigateway.amazonaws.com", SourceArn=API_ARN)
    detail = invariants.lambda_permissions_name_their_caller(client, outputs, stacks)
    assert detail.startswith("1 statements over 2 functions")


# ----------------------------------------------------------------- 4. the API function's role
TABLE = "ServerlessApi-Table-1"
TABLE_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{TABLE}"


def _resolve(value, physical: dict[str, str]):
    """The template's Fn::GetAtt ... Arn of the table and the log group, as deployed."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return physical[value["Fn::GetAtt"][0]]
    if isinstance(value, list):
        return [_resolve(item, physical) for item in value]
    return value


@pytest.fixture(scope="module")
def synthesized_policy(sandbox) -> dict:
    """The function role's policy exactly as the app synthesizes it, its ARNs resolved."""
    template = sandbox.template("ServerlessApi")
    resources = template["Resources"]
    [policy] = [r for r in resources.values() if r["Type"] == "AWS::IAM::Policy"]
    physical = {
        lid: TABLE_ARN
        if r["Type"] == "AWS::DynamoDB::Table"
        else f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{lid}"
        for lid, r in resources.items()
    }
    document = json.loads(json.dumps(policy["Properties"]["PolicyDocument"]))
    for statement in document["Statement"]:
        statement["Resource"] = _resolve(statement["Resource"], physical)
    return document


def _api_function(document: dict) -> invariants.ApiFunction:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(HANDLER, "handler.py")
    return invariants.ApiFunction(
        name="ServerlessApi-Function-1",
        region="us-east-1",
        handler="handler.handler",
        archive=archive.getvalue(),
        environment={
            "TABLE_NAME": TABLE,
            "PARTITION_KEY": "id",
            "PARTITION_KEY_TYPE": "string",
            "SORT_KEY": "",
            "SORT_KEY_TYPE": "string",
        },
        role_name="ServerlessApi-FunctionRole-1",
        role_path="/",
        trust_policy={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                }
            ],
        },
        policies={"inline DefaultPolicy": document},
        table={
            "TableName": TABLE,
            "TableArn": TABLE_ARN,
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        },
    )


def _edited(document: dict, edit) -> dict:
    """A throw-away copy of the policy with the DynamoDB statement edited."""
    copy = json.loads(json.dumps(document))
    [statement] = [s for s in copy["Statement"] if "dynamodb:PutItem" in s["Action"]]
    edit(statement)
    return copy


def test_the_synthesized_policy_is_the_handlers_four_actions(synthesized_policy):
    [statement] = [s for s in synthesized_policy["Statement"] if "dynamodb:PutItem" in s["Action"]]
    assert sorted(statement["Action"]) == HANDLER_ACTIONS and statement["Resource"] == TABLE_ARN


def test_the_synthesized_policy_lets_the_handler_do_its_flow_with_iam_enforced(synthesized_policy):
    detail = invariants.enforce_handler_permissions(_api_function(synthesized_policy))
    assert "IAM enforced" in detail and ", ".join(HANDLER_ACTIONS) in detail


@pytest.mark.parametrize("removed", HANDLER_ACTIONS)
def test_a_policy_missing_one_handler_action_is_denied(synthesized_policy, removed):
    document = _edited(
        synthesized_policy, lambda s: s.update(Action=[a for a in s["Action"] if a != removed])
    )
    with pytest.raises(Violation, match=rf"AccessDenied: {removed}$"):
        invariants.enforce_handler_permissions(_api_function(document))


def test_a_policy_on_another_table_is_denied(synthesized_policy):
    document = _edited(synthesized_policy, lambda s: s.update(Resource=TABLE_ARN + "-other"))
    with pytest.raises(Violation, match=r"POST /items: 500, not 201; AccessDenied: dynamodb:Put"):
        invariants.enforce_handler_permissions(_api_function(document))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda s: s["Action"].append("dynamodb:Query"),
            r"grants dynamodb:Query, which the "
            r"handler never calls",
        ),
        (lambda s: s.update(Action="dynamodb:*"), r"grants dynamodb:\* \(a wildcard\)"),
        (lambda s: s.update(Resource="*"), r"on \['\*'\], not only arn:aws:dynamodb"),
    ],
    ids=["extra-action", "wildcard-action", "any-table"],
)
def test_a_policy_granting_more_than_the_handler_does_fails(synthesized_policy, edit, message):
    document = _edited(synthesized_policy, edit)
    with pytest.raises(Violation, match=message):
        invariants.enforce_handler_permissions(_api_function(document))


def test_the_enforcement_leaves_no_trace(synthesized_policy):
    """moto's IAM switch, the DynamoDB resource naming and boto3's default session are put
    back: the rest of the process (the deploy proof) is not under enforcement."""
    from moto import settings
    from moto.dynamodb.responses import DynamoHandler

    before = (settings.INITIAL_NO_AUTH_ACTION_COUNT, boto3.DEFAULT_SESSION)
    document = _edited(synthesized_policy, lambda s: s["Action"].remove("dynamodb:Scan"))
    with pytest.raises(Violation):
        invariants.enforce_handler_permissions(_api_function(document))
    assert (settings.INITIAL_NO_AUTH_ACTION_COUNT, boto3.DEFAULT_SESSION) == before
    assert not hasattr(DynamoHandler, "_determine_resource")


# ------------------------------------------------------------------------- 6. stack leases
EXEC_ROLE = f"cdk-hnb659fds-cfn-exec-role-{ACCOUNT}-us-east-1"
EXEC_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{EXEC_ROLE}"


@pytest.fixture(scope="module")
def lease_template() -> dict:
    """A stack holding constructs_lib.stack_lease.StackLease (24 h from now) and the output
    stacks/leases.py gives a leased stack, as synthesized; without the bootstrap-version
    parameter and rule (the in-process moto has no bootstrap)."""
    from aws_cdk import App, CfnOutput, Environment, Stack

    from constructs_lib.stack_lease import StackLease

    app = App(analytics_reporting=False)
    stack = Stack(app, "Leased", env=Environment(account=ACCOUNT, region="us-east-1"))
    lease = StackLease(stack, "Lease", hours=24)
    CfnOutput(stack, invariants.LEASE_OUTPUT, value=f"{lease.expires_at:%Y-%m-%dT%H:%M:%SZ}")
    template = app.synth().get_stack_by_name("Leased").template
    template.pop("Parameters")
    template.pop("Rules")
    return template


@pytest.fixture
def schedules_in_templates(monkeypatch) -> None:
    """The in-process moto's CloudFormation creates AWS::Scheduler::Schedule with the emulator's
    extension (moto 5.2.5 has no model for it), as the emulator's server does; undone after."""
    from moto.cloudformation import parsing

    from tests.emulator.extensions import Schedule

    moto_lookup = parsing.resource_class_from_type
    monkeypatch.setattr(
        parsing,
        "resource_class_from_type",
        lambda rtype: Schedule if rtype == Schedule.TYPE else moto_lookup(rtype),
    )


def _of_type(template: dict, rtype: str) -> dict:
    [resource] = [r for r in template["Resources"].values() if r["Type"] == rtype]
    return resource


def _lease_statement(template: dict, action: str) -> dict:
    policy = _of_type(template, "AWS::IAM::Policy")["Properties"]["PolicyDocument"]
    [statement] = [s for s in policy["Statement"] if s["Action"] == action]
    return statement


def _lease_input(template: dict, stack_name: Any = None, role_arn: Any = None) -> None:
    parts = _of_type(template, "AWS::Scheduler::Schedule")["Properties"]["Target"]["Input"]
    parts = parts["Fn::Join"][1]
    if stack_name is not None:
        parts[1] = stack_name
    if role_arn is not None:
        parts[3] = role_arn


def _lease_at(template: dict, when: str, output: str | None = None) -> None:
    _of_type(template, "AWS::Scheduler::Schedule")["Properties"]["ScheduleExpression"] = when
    if output is not None:
        template["Outputs"][invariants.LEASE_OUTPUT]["Value"] = output


def _leased(client, template: dict, *, exec_role_trusts: str = "cloudformation.amazonaws.com"):
    """The bootstrap's CloudFormation execution role, and the stack created from ``template``
    by the in-process moto's CloudFormation."""
    if exec_role_trusts:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": exec_role_trusts},
                }
            ],
        }
        client("iam", "us-east-1").create_role(
            RoleName=EXEC_ROLE, AssumeRolePolicyDocument=json.dumps(trust)
        )
    cloudformation = client("cloudformation", "us-east-1")
    cloudformation.create_stack(StackName="Leased", TemplateBody=json.dumps(template))
    [stack] = cloudformation.describe_stacks(StackName="Leased")["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return {"Leased": outputs}, {"Leased": "us-east-1"}


WRONG_LEASES = {
    "another stack": (
        lambda t: _lease_input(
            t, stack_name=f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/Other/1"
        ),
        r"deletes 'arn:aws:cloudformation:us-east-1:123456789012:stack/Other/1', not this stack",
    ),
    "the stack's name, not its id": (
        lambda t: _lease_input(t, stack_name={"Ref": "AWS::StackName"}),
        r"deletes 'Leased', not this stack \(arn:aws:cloudformation:",
    ),
    "a role the policy does not let it pass": (
        lambda t: _lease_input(t, role_arn=f"arn:aws:iam::{ACCOUNT}:role/Admin"),
        r"passes arn:aws:iam::123456789012:role/Admin, which cannot be read.*"
        r"iam:PassRole on \['arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-"
        r"123456789012-us-east-1'\], not only the role the schedule passes",
    ),
    "no role passed": (
        lambda t: _lease_input(t, role_arn=""),
        r"passes no RoleARN: .*grants iam:PassRole, but the schedule passes no role",
    ),
    "pass to any service": (
        lambda t: _lease_statement(t, "iam:PassRole").pop("Condition"),
        r"iam:PassRole to any service, not only cloudformation.amazonaws.com",
    ),
    "pass to another service": (
        lambda t: _lease_statement(t, "iam:PassRole")["Condition"]["StringEquals"].update(
            {"iam:PassedToService": "ec2.amazonaws.com"}
        ),
        r"iam:PassRole to \['ec2.amazonaws.com'\], not only cloudformation",
    ),
    "pass any role": (
        lambda t: _lease_statement(t, "iam:PassRole").update(Resource="*"),
        r"iam:PassRole on \['\*'\], not only the role the schedule passes",
    ),
    "delete any stack": (
        lambda t: _lease_statement(t, "cloudformation:DeleteStack").update(Resource="*"),
        r"cloudformation:DeleteStack on \['\*'\], not only this stack arn:aws:cloudformation:",
    ),
    "delete with a wildcard action": (
        lambda t: _lease_statement(t, "cloudformation:DeleteStack").update(
            Action="cloudformation:*", Resource="*"
        ),
        r"cloudformation:\* on \['\*'\], not only this stack",
    ),
    "a grant beyond the lease": (
        lambda t: _lease_statement(t, "cloudformation:DeleteStack").update(
            Action=["cloudformation:DeleteStack", "s3:DeleteBucket"]
        ),
        r"grants s3:DeleteBucket, beyond DeleteStack and PassRole",
    ),
    "no DeleteStack grant": (
        lambda t: _of_type(t, "AWS::IAM::Policy")["Properties"]["PolicyDocument"].update(
            Statement=[_lease_statement(t, "iam:PassRole")]
        ),
        r"may not DeleteStack arn:aws:cloudformation:",
    ),
    "a role Scheduler cannot assume": (
        lambda t: _of_type(t, "AWS::IAM::Role")["Properties"]["AssumeRolePolicyDocument"][
            "Statement"
        ][0].update(Principal={"Service": "lambda.amazonaws.com"}),
        r"does not trust scheduler.amazonaws.com",
    ),
    "disabled": (
        lambda t: _of_type(t, "AWS::Scheduler::Schedule")["Properties"].update(State="DISABLED"),
        r"DISABLED, so it never deletes the stack",
    ),
    "recurring": (
        lambda t: _lease_at(t, "rate(1 day)"),
        r"'rate\(1 day\)' is not a one-time at\(...\) schedule",
    ),
    "a time the output does not say": (
        lambda t: _lease_at(t, "at(2099-01-01T00:00:00)"),
        r"deletes at 2099-01-01T00:00:00Z, LeaseDeletesStackAt says 20",
    ),
    "a time in another zone than the output's": (
        lambda t: (
            _lease_at(t, "at(2099-01-01T00:00:00)", "2099-01-01T00:00:00Z"),
            _of_type(t, "AWS::Scheduler::Schedule")["Properties"].update(
                ScheduleExpressionTimezone="Europe/Paris"
            ),
        ),
        r"deletes at 2098-12-31T23:00:00Z, LeaseDeletesStackAt says 2099-01-01T00:00:00Z",
    ),
    "a time before the deployment": (
        lambda t: _lease_at(t, "at(2026-01-02T00:00:00)", "2026-01-02T00:00:00Z"),
        r"deletes at 2026-01-02T00:00:00Z, not after the deployment at 20",
    ),
    "no output": (
        lambda t: t.pop("Outputs"),
        r"lease LeaseSchedule\w+: the stack does not output LeaseDeletesStackAt",
    ),
}


@pytest.mark.parametrize("wrong", sorted(WRONG_LEASES))
def test_a_lease_that_does_not_delete_only_its_own_stack_after_the_deployment_fails(
    client, schedules_in_templates, lease_template, wrong
):
    template = json.loads(json.dumps(lease_template))
    change, message = WRONG_LEASES[wrong]
    change(template)
    outputs, stacks = _leased(client, template)
    with pytest.raises(Violation, match=message):
        invariants.stack_leases_delete_their_own_stack(client, outputs, stacks)


def test_a_lease_passing_a_role_cloudformation_cannot_assume_fails(
    client, schedules_in_templates, lease_template
):
    outputs, stacks = _leased(client, lease_template, exec_role_trusts="ec2.amazonaws.com")
    with pytest.raises(
        Violation,
        match=r"cfn-exec-role-123456789012-us-east-1, which "
        r"cloudformation.amazonaws.com cannot assume",
    ):
        invariants.stack_leases_delete_their_own_stack(client, outputs, stacks)


def test_a_lease_output_without_a_schedule_fails(client, schedules_in_templates, lease_template):
    template = json.loads(json.dumps(lease_template))
    template["Resources"] = {
        k: r for k, r in template["Resources"].items() if r["Type"] != "AWS::Scheduler::Schedule"
    }
    outputs, stacks = _leased(client, template)
    with pytest.raises(
        Violation, match=r"Leased: outputs LeaseDeletesStackAt 20.*, but has no lease"
    ):
        invariants.stack_leases_delete_their_own_stack(client, outputs, stacks)


def test_the_lease_stack_lease_synthesizes_passes_and_goes_with_its_stack(
    client, schedules_in_templates, lease_template
):
    outputs, stacks = _leased(client, lease_template)
    detail = invariants.stack_leases_delete_their_own_stack(client, outputs, stacks)
    when = outputs["Leased"][invariants.LEASE_OUTPUT]
    assert detail.endswith(f"Leased at {when[:16]}Z"), detail
    scheduler = client("scheduler", "us-east-1")
    [schedule] = scheduler.list_schedules()["Schedules"]
    assert schedule["Name"].startswith("Leased-LeaseSchedule") and len(schedule["Name"]) <= 64
    client("cloudformation", "us-east-1").delete_stack(StackName="Leased")
    assert scheduler.list_schedules()["Schedules"] == []


def test_a_generated_schedule_name_keeps_its_suffix_within_64_characters():
    from tests.emulator.extensions import _schedule_name

    generated = "AuroraGlobalSecondary-us-west-2-LeaseScheduleE36B406C-0123456789AB"
    name = _schedule_name(generated)
    assert len(name) == 64 and name.endswith("-0123456789AB"), name
    assert name.startswith("AuroraGlobalSecondary-us-west-2-LeaseSchedule")
    assert _schedule_name("Leased-LeaseScheduleE36B406C-0123456789AB") == (
        "Leased-LeaseScheduleE36B406C-0123456789AB"
    )


# --------------------------------------------------------------------------- all of them
def test_an_invariant_with_nothing_to_check_fails_as_a_result(client):
    results = invariants.check_all(client, {}, {"Network": "us-east-1"})
    assert [r.name for r in results] == list(invariants.INVARIANTS)
    assert not any(r.passed for r in results)
    assert all("nothing to check" in r.detail for r in results), [r.detail for r in results]


@pytest.mark.deploy
@pytest.mark.parametrize("name", list(invariants.INVARIANTS))
def test_the_invariant_holds_on_the_deployed_sandbox(deploy_proof, name):
    check = deploy_proof.check(name)
    assert check.passed, check.detail
