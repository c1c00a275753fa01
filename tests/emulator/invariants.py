"""Deploy-time invariants: properties that hold *across* resources, read from the deployed state.

Each invariant is a named function ``(client, outputs, stacks) -> detail`` over boto3 clients only:

- ``client(service, region)``: a boto3 client (the emulator's, or in-process moto's in the tests);
- ``outputs``: the deployed stacks' outputs, ``{stack: {output: value}}``;
- ``stacks``: the deployed stacks, ``{stack: region}``.

It returns a short detail when the invariant holds and raises :class:`Violation` (naming every
offending resource) when it does not. None of them reads a template to decide: a template says
what was asked for; these read what was deployed. An invariant with nothing to check fails too
(an invariant that checked nothing proves nothing).

The API function's permissions are enforced by moto's own IAM engine, in process (``mock_aws``),
with the deployed role's policy documents: moto's server mode would enforce IAM on the CLI's
deploy too. See :func:`enforce_handler_permissions`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import importlib.util
import io
import ipaddress
import json
import re
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botocore.exceptions import ClientError

from tests.emulator.api_events import handler_environment, proxy_caller

ClientFactory = Callable[[str, str], Any]
Outputs = dict[str, dict[str, str]]
Stacks = dict[str, str]

OPEN_CIDRS = {"0.0.0.0/0", "::/0"}
# Lambda permissions whose caller can only be named by account (``AWS:SourceAccount``), by
# principal, each with the reason it cannot name its ARN. Any other statement without
# ``AWS:SourceArn`` fails. None today: every caller in this app (API Gateway) has an ARN.
SOURCE_ACCOUNT_ONLY: dict[str, str] = {}


class Violation(AssertionError):
    """The deployed state breaks an invariant: the message names every offending resource."""


def _fail_if(problems: list[str]) -> None:
    if problems:
        raise Violation("; ".join(problems))


def _regions(stacks: Stacks) -> list[str]:
    return sorted(set(stacks.values()))


def _pages(client: Any, operation: str, key: str, **arguments: Any) -> list[dict]:
    return [
        item for page in client.get_paginator(operation).paginate(**arguments) for item in page[key]
    ]


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# ------------------------------------------------------------------- security group rules
def _covers(rule: dict, port: int) -> bool:
    """The rule's protocol and port range include TCP ``port``."""
    protocol = str(rule.get("IpProtocol"))
    if protocol == "-1":
        return True
    if protocol not in ("tcp", "6"):
        return False
    return int(rule.get("FromPort", -1)) <= port <= int(rule.get("ToPort", -1))


def _ingress(ec2: Any, group_ids: Iterable[str]) -> list[dict]:
    group_ids = sorted(set(group_ids))
    if not group_ids:
        return []
    groups = ec2.describe_security_groups(GroupIds=group_ids)["SecurityGroups"]
    return [rule for group in groups for rule in group.get("IpPermissions", [])]


def _sources(rules: list[dict], port: int) -> tuple[set[str], set[str]]:
    """(security group ids, CIDRs) that ``rules`` admit on TCP ``port``."""
    groups, cidrs = set(), set()
    for rule in rules:
        if _covers(rule, port):
            groups |= {pair["GroupId"] for pair in rule.get("UserIdGroupPairs", [])}
            cidrs |= {r["CidrIp"] for r in rule.get("IpRanges", [])}
            cidrs |= {r["CidrIpv6"] for r in rule.get("Ipv6Ranges", [])}
    return groups, cidrs


# --------------------------------------------------------------------------- 1. database
def _vpc_range_sources(ec2: Any, group_ids: list[str], cidrs: set[str]) -> set[str]:
    """The admitted ranges that hold the whole VPC of the groups (and so its application
    tier), but are not open to everyone: a stage that admits its VPC's range (MyClothesV4)."""
    groups = ec2.describe_security_groups(GroupIds=group_ids)["SecurityGroups"]
    vpc_ids = sorted({group["VpcId"] for group in groups if group.get("VpcId")})
    if not vpc_ids:
        return set()
    vpc_ranges = [
        ipaddress.ip_network(association["CidrBlock"])
        for vpc in ec2.describe_vpcs(VpcIds=vpc_ids)["Vpcs"]
        for association in vpc.get("CidrBlockAssociationSet", [{"CidrBlock": vpc["CidrBlock"]}])
    ]
    held = set()
    for cidr in cidrs - OPEN_CIDRS:
        network = ipaddress.ip_network(cidr, strict=False)
        if any(
            vpc.version == network.version and vpc.subnet_of(network)  # type: ignore[arg-type]
            for vpc in vpc_ranges
        ):
            held.add(cidr)
    return held


def database_port_is_admitted(client: ClientFactory, outputs: Outputs, stacks: Stacks) -> str:
    """Every deployed DB cluster's port is admitted by its own security groups from the
    application-tier group its stack outputs (``AppSecurityGroupId``), or from a range that
    holds the cluster's whole VPC (and so that group), and never from anywhere."""
    claimed = {
        (stacks[stack], values["ClusterIdentifier"]): (stack, values)
        for stack, values in outputs.items()
        if stack in stacks and "ClusterIdentifier" in values
    }
    problems, checked = [], []
    for region in _regions(stacks):
        rds, ec2 = client("rds", region), client("ec2", region)
        for cluster in _pages(rds, "describe_db_clusters", "DBClusters"):
            identifier, port = cluster["DBClusterIdentifier"], int(cluster["Port"])
            name = f"{identifier} ({region}, port {port})"
            owner = claimed.pop((region, identifier), None)
            if owner is None or not owner[1].get("AppSecurityGroupId"):
                problems.append(f"{name}: no deployed stack outputs its AppSecurityGroupId")
                continue
            stack, values = owner
            app_group = values["AppSecurityGroupId"]
            if "Port" in values and str(values["Port"]) != str(port):
                problems.append(f"{name}: {stack} tells clients port {values['Port']}")
            group_ids = [g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups", [])]
            if not group_ids:
                problems.append(f"{name}: no security group")
                continue
            groups, cidrs = _sources(_ingress(ec2, group_ids), port)
            vpc_ranges = set() if app_group in groups else _vpc_range_sources(ec2, group_ids, cidrs)
            if app_group not in groups and not vpc_ranges:
                problems.append(
                    f"{name}: its groups {group_ids} do not admit port {port} from the "
                    f"application tier {app_group} (they admit it from {sorted(groups) or 'none'})"
                )
            if cidrs & OPEN_CIDRS:
                problems.append(f"{name}: port {port} admitted from {sorted(cidrs & OPEN_CIDRS)}")
            via = f"the VPC range {', '.join(sorted(vpc_ranges))} holding " if vpc_ranges else ""
            checked.append(f"{identifier}:{port} from {via}{app_group}")
    problems += [f"{i} ({r}): output by {s[0]} but not deployed" for (r, i), s in claimed.items()]
    if not checked and not problems:
        problems.append(f"nothing to check: no DB cluster in {_regions(stacks)}")
    _fail_if(problems)
    return ", ".join(checked)


# ------------------------------------------------------------------------ 2. target groups
def _launch_template_groups(ec2: Any, specification: dict) -> set[str]:
    arguments = (
        {"LaunchTemplateId": specification["LaunchTemplateId"]}
        if specification.get("LaunchTemplateId")
        else {"LaunchTemplateName": specification["LaunchTemplateName"]}
    )
    version = str(specification.get("Version") or "$Default")
    [entry] = ec2.describe_launch_template_versions(Versions=[version], **arguments)[
        "LaunchTemplateVersions"
    ]
    data = entry["LaunchTemplateData"]
    groups = set(data.get("SecurityGroupIds", []))
    for interface in data.get("NetworkInterfaces", []):
        groups |= set(interface.get("Groups", []))
    return groups


def _load_balancer_arns(elbv2: Any, target_group: dict) -> set[str]:
    arns = set(target_group.get("LoadBalancerArns", []))
    if arns:
        return arns
    for balancer in _pages(elbv2, "describe_load_balancers", "LoadBalancers"):
        for listener in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])[
            "Listeners"
        ]:
            for action in listener.get("DefaultActions", []):
                forwarded = {action.get("TargetGroupArn")} | {
                    t["TargetGroupArn"]
                    for t in action.get("ForwardConfig", {}).get("TargetGroups", [])
                }
                if target_group["TargetGroupArn"] in forwarded:
                    arns.add(balancer["LoadBalancerArn"])
    return arns


def _registered_instance_groups(
    elbv2: Any, ec2: Any, target_group_arn: str
) -> list[tuple[str, set[str]]]:
    """The instances registered in the target group directly (a fixed fleet, no ASG), each
    with its security groups: ``[("instance i-...", {sg-...}), ...]``."""
    targets = elbv2.describe_target_health(TargetGroupArn=target_group_arn)
    ids = sorted({d["Target"]["Id"] for d in targets["TargetHealthDescriptions"]})
    if not ids:
        return []
    instances = [
        instance
        for reservation in ec2.describe_instances(InstanceIds=ids)["Reservations"]
        for instance in reservation["Instances"]
    ]
    return [
        (
            f"instance {instance['InstanceId']}",
            {group["GroupId"] for group in instance.get("SecurityGroups", [])},
        )
        for instance in instances
    ]


def target_group_ports_are_admitted(client: ClientFactory, outputs: Outputs, stacks: Stacks) -> str:
    """For every deployed target group: the security groups of the instances its ASG launches
    (from the ASG's launch template), or of the instances registered in it directly, admit the
    target group's port (and a numeric health check port) from a security group of the load
    balancer that forwards to it."""
    problems, checked = [], []
    for region in _regions(stacks):
        elbv2, ec2 = client("elbv2", region), client("ec2", region)
        groups_by_asg = {}
        for group in _pages(
            client("autoscaling", region), "describe_auto_scaling_groups", "AutoScalingGroups"
        ):
            specification = group.get("LaunchTemplate") or (
                group.get("MixedInstancesPolicy", {})
                .get("LaunchTemplate", {})
                .get("LaunchTemplateSpecification")
            )
            instance_groups = (
                _launch_template_groups(ec2, specification) if specification else set()
            )
            for arn in group.get("TargetGroupARNs", []):
                groups_by_asg.setdefault(arn, []).append(
                    (f"ASG {group['AutoScalingGroupName']}", instance_groups)
                )
        for target_group in _pages(elbv2, "describe_target_groups", "TargetGroups"):
            arn, port = target_group["TargetGroupArn"], int(target_group["Port"])
            name = f"target group {target_group['TargetGroupName']} ({region}, port {port})"
            if target_group.get("TargetType", "instance") != "instance":
                problems.append(f"{name}: target type {target_group['TargetType']} not checked")
                continue
            ports = {port}
            if str(target_group.get("HealthCheckPort", "traffic-port")).isdigit():
                ports.add(int(target_group["HealthCheckPort"]))
            balancers = _load_balancer_arns(elbv2, target_group)
            if not balancers:
                problems.append(f"{name}: no load balancer forwards to it")
                continue
            balancer_groups = {
                g
                for b in elbv2.describe_load_balancers(LoadBalancerArns=sorted(balancers))[
                    "LoadBalancers"
                ]
                for g in b.get("SecurityGroups", [])
            }
            registrants = groups_by_asg.get(arn) or _registered_instance_groups(elbv2, ec2, arn)
            if not registrants:
                problems.append(f"{name}: no ASG or registered instance targets it")
                continue
            for asg, instance_groups in registrants:
                if not instance_groups:
                    problems.append(f"{name}: {asg} has no security group")
                    continue
                rules = _ingress(ec2, instance_groups)
                for wanted in sorted(ports):
                    sources, _ = _sources(rules, wanted)
                    if not sources & balancer_groups:
                        problems.append(
                            f"{name}: {asg}'s groups {sorted(instance_groups)} do not admit "
                            f"port {wanted} from the load balancer's {sorted(balancer_groups)}"
                        )
                checked.append(f"{target_group['TargetGroupName']}:{port} <- {asg}")
    if not checked and not problems:
        problems.append(f"nothing to check: no target group in {_regions(stacks)}")
    _fail_if(problems)
    return ", ".join(checked)


# ------------------------------------------------------------------------ 3. bucket policies
def _is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in _as_list(principal.get("AWS"))
    return False


def bucket_policies_grant_no_one_everything(
    client: ClientFactory, outputs: Outputs, stacks: Stacks
) -> str:
    """No Allow statement of any deployed bucket's policy names the principal ``*`` (or allows
    through ``NotPrincipal``). Deny statements (the TLS-only deny) may name ``*``."""
    s3 = client("s3", "us-east-1")
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    problems, with_policy = [], 0
    for bucket in buckets:
        try:
            policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        except ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchBucketPolicy":
                continue
            raise
        with_policy += 1
        for index, statement in enumerate(_as_list(policy.get("Statement"))):
            if statement.get("Effect") != "Allow":
                continue
            label = f"s3://{bucket} statement {statement.get('Sid', index)}"
            if "NotPrincipal" in statement:
                problems.append(f"{label}: Allow with NotPrincipal (everyone but a few)")
            elif _is_everyone(statement.get("Principal")):
                problems.append(
                    f"{label}: allows {_as_list(statement.get('Action'))} to Principal "
                    f"{json.dumps(statement['Principal'])}"
                )
    if not buckets:
        problems.append("nothing to check: no bucket")
    _fail_if(problems)
    return f"{with_policy} bucket policies over {len(buckets)} buckets, no Allow to *"


# ---------------------------------------------------------------------- 5. Lambda permissions
def _condition_keys(statement: dict) -> set[str]:
    return {key.lower() for values in statement.get("Condition", {}).values() for key in values}


def lambda_permissions_name_their_caller(
    client: ClientFactory,
    outputs: Outputs,
    stacks: Stacks,
    account_only: dict[str, str] | None = None,
) -> str:
    """Every statement of every deployed function's resource policy carries ``AWS:SourceArn``,
    or ``AWS:SourceAccount`` from a principal listed (with its reason) in ``account_only``."""
    account_only = SOURCE_ACCOUNT_ONLY if account_only is None else account_only
    problems, functions, statements, reasons = [], 0, 0, []
    for region in _regions(stacks):
        lambda_ = client("lambda", region)
        for function in _pages(lambda_, "list_functions", "Functions"):
            functions += 1
            try:
                policy = json.loads(
                    lambda_.get_policy(FunctionName=function["FunctionArn"])["Policy"]
                )
            except ClientError as error:
                if error.response["Error"]["Code"] == "ResourceNotFoundException":
                    continue  # no resource policy: nothing may invoke it but its account's IAM
                raise
            for statement in _as_list(policy.get("Statement")):
                statements += 1
                keys = _condition_keys(statement)
                principal = statement.get("Principal")
                callers = (
                    _as_list(principal.get("Service") or principal.get("AWS"))
                    if isinstance(principal, dict)
                    else _as_list(principal)
                )
                label = (
                    f"{function['FunctionName']} ({region}) statement {statement.get('Sid')} "
                    f"for {', '.join(map(str, callers))}"
                )
                if "aws:sourcearn" in keys:
                    continue
                if (
                    "aws:sourceaccount" in keys
                    and callers
                    and all(c in account_only for c in callers)
                ):
                    reasons += [f"{c}: {account_only[c]}" for c in callers]
                    continue
                if "aws:sourceaccount" in keys:
                    why = " (AWS:SourceAccount only, and no reason listed for its principal)"
                else:
                    why = f" (conditions on {sorted(keys)} only)" if keys else ""
                problems.append(f"{label}: no AWS:SourceArn condition{why}")
    if not functions:
        problems.append(f"nothing to check: no function in {_regions(stacks)}")
    _fail_if(problems)
    detail = f"{statements} statements over {functions} functions, each with AWS:SourceArn"
    return detail + (f"; account-only: {'; '.join(reasons)}" if reasons else "")


# ------------------------------------------------------------- 4. the API function's role
@dataclass
class ApiFunction:
    """What the deployed API function is: its code, configuration, role and table."""

    name: str
    region: str
    handler: str  # "module.function"
    archive: bytes  # the published code (a zip)
    environment: dict[str, str]
    role_name: str
    role_path: str
    trust_policy: dict
    policies: dict[str, dict]  # "inline <name>" / "managed <arn>" -> policy document
    table: dict  # DescribeTable's Table
    boundary: str | None = None


def _document(value: Any) -> dict:
    return json.loads(value) if isinstance(value, str) else value


def _api_function_arn(client: ClientFactory, api_url: str, region: str) -> str:
    api_id = api_url.split("//", 1)[1].split(".", 1)[0]
    apigateway = client("apigateway", region)
    arns = {
        apigateway.get_method(restApiId=api_id, resourceId=r["id"], httpMethod=m)[
            "methodIntegration"
        ]["uri"]
        .split("/functions/")[1]
        .split("/")[0]
        for r in apigateway.get_resources(restApiId=api_id)["items"]
        for m in r.get("resourceMethods", {})
    }
    if len(arns) != 1:
        raise Violation(f"API {api_id} integrates {sorted(arns) or 'no'} functions, not one")
    return arns.pop()


def read_api_function(client: ClientFactory, stack: str, region: str, api_url: str) -> ApiFunction:
    """The function behind ``api_url`` as deployed: configuration and role from Lambda and IAM,
    code from the asset its stack's deployed template names, table from DynamoDB."""
    lambda_, iam = client("lambda", region), client("iam", region)
    config = lambda_.get_function(FunctionName=_api_function_arn(client, api_url, region))[
        "Configuration"
    ]
    cloudformation = client("cloudformation", region)
    template = _document(cloudformation.get_template(StackName=stack)["TemplateBody"])
    resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    [logical_id] = [
        r["LogicalResourceId"]
        for r in resources
        if r["ResourceType"] == "AWS::Lambda::Function"
        and r.get("PhysicalResourceId") in (config["FunctionName"], config["FunctionArn"])
    ]
    code = template["Resources"][logical_id]["Properties"]["Code"]
    if not (isinstance(code.get("S3Bucket"), str) and isinstance(code.get("S3Key"), str)):
        raise Violation(f"{config['FunctionName']}: code location {code} is not a literal asset")
    archive = client("s3", region).get_object(Bucket=code["S3Bucket"], Key=code["S3Key"])
    role_name = config["Role"].rsplit("/", 1)[1]
    role = iam.get_role(RoleName=role_name)["Role"]
    policies = _role_documents(iam, role_name)
    environment = config.get("Environment", {}).get("Variables", {})
    table = client("dynamodb", region).describe_table(TableName=environment["TABLE_NAME"])["Table"]
    return ApiFunction(
        name=config["FunctionName"],
        region=region,
        handler=config["Handler"],
        archive=archive["Body"].read(),
        environment=dict(environment),
        role_name=role_name,
        role_path=role.get("Path", "/"),
        trust_policy=_document(role["AssumeRolePolicyDocument"]),
        policies=policies,
        table=table,
        boundary=(role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
    )


@contextlib.contextmanager
def _dynamodb_resources_evaluated() -> Iterator[None]:
    """moto's IAM engine evaluates a policy's ``Resource`` against what the service handler
    names; its DynamoDB handler names nothing (``*``), so a policy scoped to a table never
    matches. For the duration, DynamoDB requests name the table's ARN, as moto's SQS handler
    names its queue's: the deployed ``Resource`` is enforced as well as its ``Action``."""
    from moto.dynamodb.responses import DynamoHandler
    from moto.utilities.utils import get_partition

    assert not hasattr(DynamoHandler, "_determine_resource"), "moto names DynamoDB resources now"

    def _determine_resource(self: Any) -> str:
        table = (getattr(self, "params", None) or {}).get("TableName")
        if not table:
            return "*"
        partition = get_partition(self.region)
        return f"arn:{partition}:dynamodb:{self.region}:{self.current_account}:table/{table}"

    DynamoHandler._determine_resource = _determine_resource
    try:
        yield
    finally:
        del DynamoHandler._determine_resource


@contextlib.contextmanager
def _default_session(**credentials: str) -> Iterator[Any]:
    """boto3's default session (the one the handler's ``boto3.resource`` uses) with the role's
    credentials, restored afterwards."""
    import boto3

    saved = boto3.DEFAULT_SESSION
    boto3.setup_default_session(**credentials)
    try:
        yield boto3.DEFAULT_SESSION
    finally:
        boto3.DEFAULT_SESSION = saved


def _handler_flow(handle: Callable[[dict, Any], dict], function_name: str) -> list[str]:
    """The CRUD flow the deploy proof runs (POST, GET, PUT, list, DELETE, then 404); returns
    each step that did not answer as it should."""

    call = proxy_caller(handle, function_name, "invariant")
    status, created = call("POST", "/items", {"name": "invariant", "n": 1})
    if status != 201:
        return [f"POST /items: {status}, not 201"]
    item_id = created["id"]
    steps = [
        ("GET /items/{id}", call("GET", "/items/{id}", item_id=item_id)[0], 200),
        ("PUT /items/{id}", call("PUT", "/items/{id}", {"name": "x"}, item_id)[0], 200),
        ("GET /items", call("GET", "/items")[0], 200),
        ("DELETE /items/{id}", call("DELETE", "/items/{id}", item_id=item_id)[0], 204),
        ("GET /items/{id} (deleted)", call("GET", "/items/{id}", item_id=item_id)[0], 404),
    ]
    return [f"{step}: {status}, not {wanted}" for step, status, wanted in steps if status != wanted]


def _grants_beyond(function: ApiFunction, used: set[str]) -> list[str]:
    """What the role allows, in the services the handler calls, beyond the actions it used and
    the table it used them on."""
    services = {action.split(":")[0] for action in used}
    table_arn = function.table["TableArn"]
    problems = []
    for name, document in function.policies.items():
        for statement in _as_list(document.get("Statement")):
            if statement.get("Effect") != "Allow":
                continue
            if "NotAction" in statement:
                problems.append(f"{name}: Allow with NotAction {statement['NotAction']}")
                continue
            actions = [
                a for a in _as_list(statement.get("Action")) if a.split(":")[0].lower() in services
            ]
            for action in actions:
                if "*" in action or "?" in action:
                    problems.append(f"{name}: grants {action} (a wildcard)")
                elif not any(action.lower() == u.lower() for u in used):
                    problems.append(f"{name}: grants {action}, which the handler never calls")
            if actions:
                resources = _as_list(statement.get("Resource")) + [
                    f"NotResource {r}" for r in _as_list(statement.get("NotResource"))
                ]
                extra = [r for r in resources if r != table_arn]
                if extra:
                    problems.append(f"{name}: grants {actions} on {extra}, not only {table_arn}")
    return problems


def enforce_handler_permissions(function: ApiFunction) -> str:
    """The handler's CRUD flow, in process, against moto (``mock_aws``) with IAM enforced: a
    table of the deployed key schema, a role carrying exactly the deployed policy documents,
    the handler (the published code) calling DynamoDB with that role's credentials. Fails on any
    denied call, and on any grant (in the services the handler calls) beyond what it called."""
    import boto3
    from moto import mock_aws
    from moto.core import set_initial_no_auth_action_count

    if function.boundary:
        raise Violation(
            f"{function.role_name}: permissions boundary {function.boundary} not modelled"
        )
    region = function.region
    module_name, handler_name = function.handler.rsplit(".", 1)
    calls: list[tuple[str, str | None]] = []
    failures: list[str] = []
    unset = dict.fromkeys(
        ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_CA_BUNDLE", "AWS_PROFILE")
    )
    admin = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    with (
        tempfile.TemporaryDirectory(prefix="invariant-handler-") as directory,
        handler_environment(unset),
        mock_aws(),
    ):
        with zipfile.ZipFile(io.BytesIO(function.archive)) as zipped:
            zipped.extractall(directory)
        session = boto3.session.Session(region_name=region, **admin)
        iam, sts = session.client("iam"), session.client("sts")
        role = iam.create_role(
            RoleName=function.role_name,
            Path=function.role_path,
            AssumeRolePolicyDocument=json.dumps(function.trust_policy),
        )["Role"]
        for index, document in enumerate(function.policies.values()):
            iam.put_role_policy(
                RoleName=function.role_name,
                PolicyName=f"deployed-{index}",
                PolicyDocument=json.dumps(document),
            )
        keys = {k["AttributeName"] for k in function.table["KeySchema"]}
        table = session.client("dynamodb").create_table(
            TableName=function.table["TableName"],
            KeySchema=function.table["KeySchema"],
            AttributeDefinitions=[
                a for a in function.table["AttributeDefinitions"] if a["AttributeName"] in keys
            ],
            BillingMode="PAY_PER_REQUEST",
        )["TableDescription"]
        if table["TableArn"] != function.table["TableArn"]:
            raise Violation(f"in-process table {table['TableArn']} != {function.table['TableArn']}")
        credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName=function.name[:64])[
            "Credentials"
        ]

        @set_initial_no_auth_action_count(0)
        def run_enforced() -> None:
            with (
                _dynamodb_resources_evaluated(),
                handler_environment({**function.environment, "AWS_REGION": region}),
                _default_session(
                    aws_access_key_id=credentials["AccessKeyId"],
                    aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"],
                    region_name=region,
                ) as handler_session,
            ):

                def record(model: Any, parsed: dict, http_response: Any, **_: Any) -> None:
                    error = parsed.get("Error", {})
                    said = f"{error.get('Code', '')} {error.get('Message', '')}"
                    denied = http_response.status_code == 403 or "AccessDenied" in said
                    action = f"{model.service_model.signing_name}:{model.name}"
                    calls.append((action, "AccessDenied" if denied else error.get("Code")))

                handler_session.events.register("after-call", record)
                spec = importlib.util.spec_from_file_location(
                    f"invariant_{module_name}_{uuid.uuid4().hex}",
                    Path(directory) / f"{module_name}.py",
                )
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                failures.extend(_handler_flow(getattr(module, handler_name), function.name))

        run_enforced()
    denied = sorted({action for action, code in calls if code == "AccessDenied"})
    problems = []
    if failures or denied:
        problems.append(
            f"{function.name} as {function.role_name}: "
            + "; ".join(failures)
            + (f"; AccessDenied: {', '.join(denied)}" if denied else "")
        )
    used = {action for action, _ in calls}
    if not calls:
        problems.append(f"{function.name}: the flow made no AWS call")
    elif not problems:  # the whole flow ran: it called every action the handler needs
        problems += _grants_beyond(function, used)
    _fail_if(problems)
    return (
        f"{function.name} as {function.role_name}, IAM enforced: POST/GET/PUT/list/DELETE allowed, "
        f"granted exactly {', '.join(sorted(used))} on {function.table['TableName']}"
    )


def api_function_does_what_its_handler_does(
    client: ClientFactory, outputs: Outputs, stacks: Stacks
) -> str:
    """For every deployed stack that outputs an API (``ApiUrl``) and its table: the deployed
    function's role, enforced by moto's IAM engine, lets its handler do its CRUD flow, and
    grants nothing more in the services the handler calls."""
    details = []
    for stack, values in outputs.items():
        if stack in stacks and "ApiUrl" in values and "TableName" in values:
            function = read_api_function(client, stack, stacks[stack], values["ApiUrl"])
            if function.environment.get("TABLE_NAME") != values["TableName"]:
                raise Violation(f"{function.name} is not wired to {values['TableName']}")
            details.append(enforce_handler_permissions(function))
    if not details:
        raise Violation("nothing to check: no deployed stack outputs an ApiUrl and a TableName")
    return "; ".join(details)


# ------------------------------------------------------------------------- 6. stack leases
LEASE_OUTPUT = "LeaseDeletesStackAt"
DELETE_STACK_TARGET = "aws-sdk:cloudformation:deleteStack"
SCHEDULER_SERVICE = "scheduler.amazonaws.com"
DELETER_SERVICE = "cloudformation.amazonaws.com"
_AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")


def _schedule(scheduler: Any, name: str) -> dict:
    """GetSchedule of the schedule called ``name``, in whichever group holds it."""
    groups = [
        s["GroupName"]
        for s in _pages(scheduler, "list_schedules", "Schedules")
        if s["Name"] == name
    ]
    if len(groups) != 1:
        raise Violation(f"schedule {name}: in {len(groups)} schedule groups, not one")
    return scheduler.get_schedule(Name=name, GroupName=groups[0])


def _role_documents(iam: Any, role_name: str) -> dict[str, dict]:
    """Label ("inline <name>", "managed <arn>") -> document, of every policy of the role."""
    documents = {
        f"inline {name}": _document(
            iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        )
        for name in _pages(iam, "list_role_policies", "PolicyNames", RoleName=role_name)
    }
    for attached in _pages(
        iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role_name
    ):
        arn = attached["PolicyArn"]
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
        documents[f"managed {arn}"] = _document(document["Document"])
    return documents


def _role_statements(iam: Any, role_name: str) -> list[tuple[str, dict]]:
    """(policy label, statement) of every inline and attached policy of the role."""
    documents = _role_documents(iam, role_name)
    return [
        (label, statement)
        for label, document in documents.items()
        for statement in _as_list(document.get("Statement"))
    ]


def _grants(pattern: str, action: str) -> bool:
    """The statement's action (``*`` / ``?`` wildcards, case-insensitive) covers ``action``."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def _trusts(role: dict, service: str) -> bool:
    """The role's trust policy lets ``service`` assume it."""
    for statement in _as_list(_document(role["AssumeRolePolicyDocument"]).get("Statement")):
        principal = statement.get("Principal")
        services = _as_list(principal.get("Service")) if isinstance(principal, dict) else []
        if (
            statement.get("Effect") == "Allow"
            and service in services
            and any(_grants(a, "sts:AssumeRole") for a in _as_list(statement.get("Action")))
        ):
            return True
    return False


def _passed_to(statement: dict) -> list[str] | None:
    """The services an ``iam:PassRole`` grant is restricted to (``StringEquals
    iam:PassedToService``), or None when it is not restricted."""
    for operator, body in (statement.get("Condition") or {}).items():
        for key, values in body.items():
            if operator == "StringEquals" and key.lower() == "iam:passedtoservice":
                return sorted(_as_list(values))
    return None


def _lease_role_problems(
    iam: Any, label: str, role_name: str, stack_id: str, passed_role: str | None
) -> list[str]:
    """The schedule's role: assumable by Scheduler; may DeleteStack this stack only, and pass
    only the deletion role (none when ``passed_role`` is None), only to CloudFormation; may do
    nothing else."""
    try:
        role = iam.get_role(RoleName=role_name)["Role"]
    except ClientError as error:
        return [f"{label}: its role {role_name} cannot be read ({error})"]
    problems = (
        []
        if _trusts(role, SCHEDULER_SERVICE)
        else [f"{label}: its role {role_name} does not trust {SCHEDULER_SERVICE}"]
    )
    deletes = passes = False
    for policy, statement in _role_statements(iam, role_name):
        if statement.get("Effect") != "Allow":
            continue
        where = f"{label}: role {role_name} {policy}"
        if "NotAction" in statement or "NotResource" in statement:
            problems.append(f"{where}: Allow with NotAction/NotResource")
            continue
        resources = _as_list(statement.get("Resource"))
        for action in _as_list(statement.get("Action")):
            delete, pass_role = (
                _grants(action, "cloudformation:DeleteStack"),
                _grants(action, "iam:PassRole"),
            )
            if not (delete or pass_role):
                problems.append(f"{where}: grants {action}, beyond DeleteStack and PassRole")
            if delete:
                if resources != [stack_id]:
                    problems.append(
                        f"{where}: {action} on {resources}, not only this stack {stack_id}"
                    )
                deletes = True
            if pass_role and passed_role is None:
                problems.append(f"{where}: grants {action}, but the schedule passes no role")
            elif pass_role:
                if resources != [passed_role]:
                    problems.append(
                        f"{where}: {action} on {resources}, not only the role the schedule "
                        f"passes ({passed_role})"
                    )
                services = _passed_to(statement)
                if services != [DELETER_SERVICE]:
                    problems.append(
                        f"{where}: {action} to "
                        f"{services if services is not None else 'any service'}, not only "
                        f"{DELETER_SERVICE}"
                    )
                passes = True
    if not deletes:
        problems.append(f"{label}: its role {role_name} may not DeleteStack {stack_id}")
    if not passes and passed_role is not None:
        problems.append(f"{label}: its role {role_name} may not pass {passed_role}")
    return problems


def _lease_problems(
    client: ClientFactory, label: str, region: str, schedule: dict, stack: dict, claimed: Any
) -> tuple[list[str], datetime | None]:
    """One lease schedule against its stack: (problems, when it deletes the stack)."""
    problems = []
    stack_id = stack["StackId"]
    target = schedule.get("Target", {})
    try:
        request = json.loads(target.get("Input") or "")
    except json.JSONDecodeError:
        request = None
    if not isinstance(request, dict):
        return [f"{label}: target Input {target.get('Input')!r} is not a DeleteStack request"], None
    if request.get("StackName") != stack_id:
        problems.append(
            f"{label}: deletes {request.get('StackName')!r}, not this stack ({stack_id})"
        )
    passed_role = request.get("RoleARN") or None
    iam = client("iam", region)
    if passed_role is None:
        problems.append(
            f"{label}: passes no RoleARN: CloudFormation would delete with the schedule role's "
            "own permissions"
        )
    else:
        try:
            deleter = iam.get_role(RoleName=passed_role.rsplit("/", 1)[-1])["Role"]
        except ClientError as error:
            deleter = None
            problems.append(f"{label}: passes {passed_role}, which cannot be read ({error})")
        if deleter is not None and deleter["Arn"] != passed_role:
            problems.append(f"{label}: passes {passed_role}, but that role is {deleter['Arn']}")
        elif deleter is not None and not _trusts(deleter, DELETER_SERVICE):
            problems.append(f"{label}: passes {passed_role}, which {DELETER_SERVICE} cannot assume")
    problems += _lease_role_problems(
        iam, label, target.get("RoleArn", "").rsplit("/", 1)[-1], stack_id, passed_role
    )
    if schedule.get("State") != "ENABLED":
        problems.append(f"{label}: {schedule.get('State')}, so it never deletes the stack")
    expression = schedule.get("ScheduleExpression", "")
    at = _AT.fullmatch(expression)
    if at is None:
        problems.append(f"{label}: {expression!r} is not a one-time at(...) schedule")
        return problems, None
    try:
        zone = ZoneInfo(schedule.get("ScheduleExpressionTimezone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone_name = schedule.get("ScheduleExpressionTimezone")
        problems.append(f"{label}: unknown time zone {zone_name!r}")
        return problems, None
    when = datetime.fromisoformat(at.group(1)).replace(tzinfo=zone).astimezone(UTC)
    try:
        said = datetime.fromisoformat(str(claimed).replace("Z", "+00:00")) if claimed else None
    except ValueError:
        said = None
    if not claimed:
        pass  # reported with the stack: it does not output LEASE_OUTPUT
    elif said is None or said.utcoffset() != timedelta(0):
        problems.append(f"{label}: output {LEASE_OUTPUT} {claimed!r} is not an ISO 8601 UTC time")
    elif said != when:
        problems.append(
            f"{label}: deletes at {when:%Y-%m-%dT%H:%M:%SZ}, {LEASE_OUTPUT} says {claimed}"
        )
    deployed = stack.get("LastUpdatedTime") or stack["CreationTime"]
    if when <= deployed:
        problems.append(
            f"{label}: deletes at {when:%Y-%m-%dT%H:%M:%SZ}, not after the deployment at "
            f"{deployed.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
        )
    return problems, when


def stack_leases_delete_their_own_stack(
    client: ClientFactory, outputs: Outputs, stacks: Stacks
) -> str:
    """Every deployed stack holding a schedule that calls CloudFormation's DeleteStack (a lease):
    the schedule deletes that very stack (its StackId), passing a role that exists and trusts
    CloudFormation; the schedule's role trusts Scheduler, may DeleteStack only this stack, pass
    only that role, only to CloudFormation, and nothing else; it is enabled, fires once
    (``at(...)``) at the time the stack outputs as ``LeaseDeletesStackAt``, after the
    deployment. That output without a lease, or a lease without it, fails."""
    problems, checked, absent = [], [], []
    for stack_name, region in stacks.items():
        claimed = (outputs.get(stack_name) or {}).get(LEASE_OUTPUT)
        cloudformation = client("cloudformation", region)
        try:
            [stack] = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
        except ClientError as error:
            if "does not exist" not in str(error):
                raise
            absent.append(stack_name)
            if claimed:
                problems.append(f"{stack_name}: outputs {LEASE_OUTPUT} but is not deployed")
            continue
        scheduler = client("scheduler", region)
        leases = []
        for resource in cloudformation.describe_stack_resources(StackName=stack_name)[
            "StackResources"
        ]:
            if resource["ResourceType"] != "AWS::Scheduler::Schedule":
                continue
            try:
                schedule = _schedule(scheduler, resource["PhysicalResourceId"])
            except Violation as error:
                problems.append(f"{stack_name} ({region}): {error}")
                continue
            if schedule.get("Target", {}).get("Arn", "").endswith(DELETE_STACK_TARGET):
                leases.append((resource["LogicalResourceId"], schedule))
        if claimed and not leases:
            problems.append(f"{stack_name}: outputs {LEASE_OUTPUT} {claimed}, but has no lease")
        for logical_id, schedule in leases:
            label = f"{stack_name} ({region}) lease {logical_id}"
            if not claimed:
                problems.append(f"{label}: the stack does not output {LEASE_OUTPUT}")
            found, when = _lease_problems(client, label, region, schedule, stack, claimed)
            problems += found
            if when is not None:
                checked.append(f"{stack_name} at {when:%Y-%m-%dT%H:%MZ}")
    if not checked and not problems:
        missing = f" ({', '.join(absent)} not deployed)" if absent else ""
        problems.append(f"nothing to check: no stack lease in {sorted(stacks)}{missing}")
    _fail_if(problems)
    return "each deletes only its own stack, once, after its deployment: " + ", ".join(checked)


# ------------------------------------------------------------------------------ all of them
INVARIANTS: dict[str, Callable[[ClientFactory, Outputs, Stacks], str]] = {
    "database port is what the data tier admits from the application tier": (
        database_port_is_admitted
    ),
    "every target group port is admitted on the instances' group from the load balancer's group": (
        target_group_ports_are_admitted
    ),
    "no bucket policy grants *": bucket_policies_grant_no_one_everything,
    "the API function can do exactly what its handler does": (
        api_function_does_what_its_handler_does
    ),
    "every Lambda permission names its caller's ARN": lambda_permissions_name_their_caller,
    "every stack lease deletes only its own stack, once, after the deployment": (
        stack_leases_delete_their_own_stack
    ),
}


@dataclass
class Result:
    name: str
    passed: bool
    detail: str = ""
    seconds: float = field(default=0.0, compare=False)

    def __iter__(self) -> Iterator[Any]:  # Check(*result): name, passed, detail
        return iter((self.name, self.passed, self.detail))


def check_all(client: ClientFactory, outputs: Outputs, stacks: Stacks) -> list[Result]:
    """Every invariant, in order, against the deployed state; a failure is a result, not an
    exception (the detail names the offending resources)."""
    results = []
    for name, invariant in INVARIANTS.items():
        started = time.monotonic()
        try:
            passed, detail = True, invariant(client, outputs, stacks)
        except Exception as error:  # noqa: BLE001 - every failed invariant is reported
            passed, detail = False, f"{type(error).__name__}: {error}"
        seconds = time.monotonic() - started
        results.append(Result(name, passed, f"{detail} [{seconds:.2f} s]", seconds))
    return results
