"""The deploy proof, start to end: moto up, bootstrap, `cdk deploy` every stack, outputs,
service-API checks, deploy coverage, the handler's CRUD flow, `cdk destroy`, leftovers, moto
down (by PID, whatever failed). Shared by `make deploy-local` and the `deploy` test.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import pickle
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from tests.emulator import coverage, invariants
from tests.emulator.api_events import handler_environment, proxy_caller
from tests.emulator.cli import ACCOUNT, run_cdk
from tests.emulator.server import EmulatorError, MotoProcess

DEPLOY_TIMEOUT_S = 240.0
BOOTSTRAP_TIMEOUT_S = 120.0
# Stacks of the sandbox profile left out of the deploy set, with the reason (none today; a
# stack that cannot deploy honestly goes here, never behind a stub).
NOT_DEPLOYED: dict[str, str] = {}


@dataclass
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class DeployProof:
    stacks: dict[str, str] = field(default_factory=dict)  # name -> region
    not_deployed: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    coverage: list[coverage.ResourceCoverage] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    server_pid: int | None = None
    destroy_error: str = ""

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def coverage_counts(self) -> dict[str, int]:
        """Resources per class (coverage.CLASSES, always present) and per failure status."""
        return coverage.counts(self.coverage)

    def coverage_report(self) -> str:
        """Per stack and in total: verified against moto's own model first, then against this
        project's emulation, existence only, stubs; every resource outside moto's own model with
        why; what was not compared; the summary line (``coverage: ...``) last."""
        lines = ["Deploy coverage (sandbox profile, moto 5.2.5 + tests/emulator extensions)"]
        for stack, region in self.stacks.items():
            rows = [r for r in self.coverage if r.stack == stack]
            lines.append(f"  {stack} ({region}): {coverage.summary(rows)}")
            for row in rows:
                if row.status != coverage.VERIFIED_MOTO:
                    lines.append(
                        f"    {row.status:42} {row.type:45} {row.logical_id}"
                        + (f": {row.detail}" if row.detail else "")
                    )
        for stack, reason in self.not_deployed.items():
            lines.append(f"  {stack}: NOT DEPLOYED: {reason}")
        skipped: dict[tuple[str, str], int] = {}
        for row in self.coverage:
            for what in row.skipped:
                skipped[(row.type, what)] = skipped.get((row.type, what), 0) + 1
        if skipped:
            lines.append("  not compared (template properties, with the reason):")
            for (rtype, what), n in sorted(skipped.items()):
                lines.append(f"    {rtype} x{n}: {what}")
        lines.append(f"coverage: {coverage.summary(self.coverage)}")
        return "\n".join(lines)


class Aws:
    """boto3 clients for the emulator, one per (service, region)."""

    def __init__(self, endpoint: str, ca_bundle: Path) -> None:
        self.endpoint, self.ca_bundle = endpoint, ca_bundle
        self._clients: dict[tuple[str, str], Any] = {}
        # Its own session (the in-process handler uses boto3's default one); creating clients
        # from one session is not thread-safe, hence the lock.
        self._session = boto3.session.Session()
        self._lock = threading.Lock()

    def client(self, service: str, region: str = "us-east-1") -> Any:
        key = (service, region)
        with self._lock:
            return self._client(key)

    def _client(self, key: tuple[str, str]) -> Any:
        service, region = key
        if key not in self._clients:
            self._clients[key] = self._session.client(
                service,
                region_name=region,
                endpoint_url=self.endpoint,
                verify=str(self.ca_bundle),
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                config=Config(retries={"max_attempts": 1}),
            )
        return self._clients[key]


def stack_regions(assembly: Path) -> dict[str, str]:
    """Stack name -> region, from the cloud assembly's manifest (deploy order)."""
    manifest = json.loads((assembly / "manifest.json").read_text())
    regions = {}
    for name, artifact in manifest["artifacts"].items():
        if artifact["type"] == "aws:cloudformation:stack":
            regions[name] = artifact["environment"].rsplit("/", 1)[1]
    return regions


def _physical_ids(aws: Aws, stack: str, region: str) -> dict[str, str]:
    resources = aws.client("cloudformation", region).describe_stack_resources(StackName=stack)
    return {
        r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in resources["StackResources"]
    }


def _run_check(proof: DeployProof, name: str, check: Callable[[], str | None]) -> None:
    try:
        proof.checks.append(Check(name, True, check() or ""))
    except Exception as error:  # noqa: BLE001 - every failed check is reported, then asserted
        proof.checks.append(Check(name, False, f"{type(error).__name__}: {error}"))


# ----------------------------------------------------------------- architecture checks
def _network_check(aws: Aws, outputs: dict[str, str], region: str = "us-east-1") -> str:
    ec2 = aws.client("ec2", region)
    vpc_id = outputs["VpcId"]
    public = outputs["PublicSubnetIds"].split(",")
    private = outputs["AppSubnetIds"].split(",") + outputs["DataSubnetIds"].split(",")
    subnets = {
        s["SubnetId"]: s for s in ec2.describe_subnets(SubnetIds=public + private)["Subnets"]
    }
    assert all(s["VpcId"] == vpc_id for s in subnets.values()), "a subnet outside the VPC"
    assert len({subnets[s]["AvailabilityZone"] for s in public}) == 2, "public subnets not in 2 AZs"
    assert all(subnets[s]["MapPublicIpOnLaunch"] for s in public), "public subnet without public IP"
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    default_route = {}
    for table in tables["RouteTables"]:
        for association in table["Associations"]:
            for route in table["Routes"]:
                if route.get("DestinationCidrBlock") == "0.0.0.0/0":
                    default_route[association.get("SubnetId")] = route
    assert all(default_route[s].get("GatewayId", "").startswith("igw-") for s in public), (
        "a public subnet does not route to the internet gateway"
    )
    app = outputs["AppSubnetIds"].split(",")
    assert all(default_route[s].get("NatGatewayId", "").startswith("nat-") for s in app), (
        "an application subnet does not route through a NAT gateway"
    )
    data = outputs["DataSubnetIds"].split(",")
    assert not any(s in default_route for s in data), "a data subnet has a default route"
    nats = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    nat_subnets = {n["SubnetId"] for n in nats["NatGateways"] if n["State"] == "available"}
    assert len(nat_subnets) == 1 and nat_subnets <= set(public), "sandbox: one NAT, in public"
    groups = ec2.describe_security_groups(
        GroupIds=[outputs["AppSecurityGroupId"], outputs["DataSecurityGroupId"]]
    )["SecurityGroups"]
    by_id = {g["GroupId"]: g for g in groups}
    data_sources = {
        pair["GroupId"]
        for rule in by_id[outputs["DataSecurityGroupId"]]["IpPermissions"]
        for pair in rule["UserIdGroupPairs"]
    }
    assert data_sources == {outputs["AppSecurityGroupId"]}, (
        f"data tier reachable from {data_sources}, not only the app group"
    )
    assert not any(
        rule["IpRanges"] for rule in by_id[outputs["DataSecurityGroupId"]]["IpPermissions"]
    ), "data tier open to a CIDR"
    bastion = ec2.describe_instances(InstanceIds=[outputs["BastionInstanceId"]])
    instance = bastion["Reservations"][0]["Instances"][0]
    assert instance["SubnetId"] in public, "bastion not in a public subnet"
    group_ids = [g["GroupId"] for g in instance["SecurityGroups"]]
    assert group_ids, "the bastion has no security group"
    bastion_groups = ec2.describe_security_groups(GroupIds=group_ids)["SecurityGroups"]
    open_ingress = [r for g in bastion_groups for r in g["IpPermissions"]]
    assert not open_ingress, f"bastion accepts inbound traffic without ssh_cidr: {open_ingress}"
    return f"{len(subnets)} subnets, {len(nat_subnets)} NAT, bastion {instance['InstanceId']}"


def _web_tier_check(aws: Aws, outputs: dict[str, str]) -> str:
    autoscaling, elbv2 = aws.client("autoscaling"), aws.client("elbv2")
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[outputs["AsgName"]])
    group = group["AutoScalingGroups"][0]
    assert (group["MinSize"], group["MaxSize"]) == (1, 2), "sandbox capacity is 1..2"
    assert len(group["Instances"]) == group["DesiredCapacity"] >= 1, "no running instance"
    [target_group_arn] = group["TargetGroupARNs"]
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    lb = next(x for x in lbs if x["DNSName"] == outputs["AlbDnsName"])
    assert lb["Scheme"] == "internet-facing", "the ALB is not internet-facing"
    listeners = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    forwards = {
        a["TargetGroupArn"]
        for x in listeners
        for a in x["DefaultActions"]
        if a["Type"] == "forward"
    }
    assert target_group_arn in forwards, "no listener forwards to the group's target group"
    health = elbv2.describe_target_health(TargetGroupArn=target_group_arn)
    targets = {t["Target"]["Id"] for t in health["TargetHealthDescriptions"]}
    assert targets == {i["InstanceId"] for i in group["Instances"]}, "instances not registered"
    policies = autoscaling.describe_policies(AutoScalingGroupName=outputs["AsgName"])
    [policy] = policies["ScalingPolicies"]
    tracking = policy["TargetTrackingConfiguration"]
    assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "ASGAverageCPUUtilization"
    ), "the scaling policy does not track CPU"
    return f"{len(targets)} instance(s) behind {lb['LoadBalancerName']}, CPU target " + str(
        tracking["TargetValue"]
    )


def _serverless_check(aws: Aws, outputs: dict[str, str]) -> str:
    table = aws.client("dynamodb").describe_table(TableName=outputs["TableName"])["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST", "not on-demand"
    api_id = outputs["ApiUrl"].split("//", 1)[1].split(".", 1)[0]
    apigateway = aws.client("apigateway")
    stage = apigateway.get_stage(restApiId=api_id, stageName="api")
    resources = apigateway.get_resources(restApiId=api_id)["items"]
    methods = {
        (r["path"], m): apigateway.get_method(restApiId=api_id, resourceId=r["id"], httpMethod=m)
        for r in resources
        for m in r.get("resourceMethods", {})
    }
    assert set(methods) >= {
        ("/items", "GET"),
        ("/items", "POST"),
        ("/items/{id}", "GET"),
        ("/items/{id}", "PUT"),
        ("/items/{id}", "DELETE"),
    }, sorted(methods)
    assert all(m["authorizationType"] == "AWS_IAM" for m in methods.values()), "not IAM-auth"
    function_arns = {
        m["methodIntegration"]["uri"].split("/functions/")[1].split("/")[0]
        for m in methods.values()
    }
    [function_arn] = function_arns
    config = aws.client("lambda").get_function_configuration(FunctionName=function_arn)
    assert config["Environment"]["Variables"]["TABLE_NAME"] == outputs["TableName"], (
        "the function is not wired to the deployed table"
    )
    return f"stage {stage['stageName']} -> {config['FunctionName']} -> {table['TableName']}"


def _static_site_check(aws: Aws, outputs: dict[str, str], access: str) -> str:
    cloudfront, s3 = aws.client("cloudfront"), aws.client("s3")
    distribution = cloudfront.get_distribution(Id=outputs["DistributionId"])["Distribution"]
    config = distribution["DistributionConfig"]
    [origin] = config["Origins"]["Items"]
    bucket = outputs["BucketName"]
    assert origin["DomainName"].startswith(f"{bucket}.s3."), "origin is not the site bucket"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"][
        "BlockPublicPolicy"
    ], "bucket does not block public policies"
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    reads = [
        s
        for s in policy["Statement"]
        if s["Effect"] == "Allow"
        and "s3:GetObject" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    ]
    [read] = reads
    if access == "oai":
        identity = origin["S3OriginConfig"]["OriginAccessIdentity"]
        assert identity.startswith("origin-access-identity/cloudfront/"), identity
        assert "CanonicalUser" in read["Principal"], "the read grant is not for the identity"
    else:
        assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}, read["Principal"]
        source = read["Condition"]["StringEquals"]["AWS:SourceArn"]
        assert source == distribution["ARN"], f"read granted to {source}, not this distribution"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert "index.html" in keys, f"site not deployed: {keys}"
    return f"{distribution['DomainName']} reads s3://{bucket} ({len(keys)} objects) via {access}"


def _aurora_check(aws: Aws, proof: DeployProof) -> str:
    primary = proof.outputs["AuroraGlobalPrimary"]
    secondaries = {s: r for s, r in proof.stacks.items() if s.startswith("AuroraGlobalSecondary-")}
    glob = aws.client("rds").describe_global_clusters(
        GlobalClusterIdentifier=primary["GlobalClusterId"]
    )["GlobalClusters"][0]
    members = {m["DBClusterArn"]: m for m in glob["GlobalClusterMembers"]}
    clusters = {}
    for stack, region in {"AuroraGlobalPrimary": "us-east-1", **secondaries}.items():
        identifier = proof.outputs[stack]["ClusterIdentifier"]
        cluster = aws.client("rds", region).describe_db_clusters(DBClusterIdentifier=identifier)
        cluster = cluster["DBClusters"][0]
        assert cluster["DBClusterArn"].split(":")[3] == region, f"{identifier} not in {region}"
        assert cluster["DBClusterArn"] in members, f"{identifier} is not a global member"
        clusters[stack] = cluster
    writer = members[clusters["AuroraGlobalPrimary"]["DBClusterArn"]]
    assert writer["IsWriter"], "the primary cluster is not the writer"
    for stack in secondaries:
        assert not members[clusters[stack]["DBClusterArn"]]["IsWriter"], f"{stack} is a writer"
    return f"{glob['GlobalClusterIdentifier']}: " + ", ".join(
        f"{c['DBClusterIdentifier']} ({c['DBClusterArn'].split(':')[3]})" for c in clusters.values()
    )


def _crud_check(aws: Aws, proof: DeployProof) -> str:
    """The deployed handler, in process: code from the published asset in the emulated assets
    bucket, environment from the deployed function, DynamoDB the deployed table."""
    outputs = proof.outputs["ServerlessApi"]
    physical = _physical_ids(aws, "ServerlessApi", "us-east-1")
    template = proof_templates["ServerlessApi"]
    [(function_id, code)] = [
        (lid, r["Properties"]["Code"])
        for lid, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function"
    ]
    config = aws.client("lambda").get_function(FunctionName=physical[function_id])["Configuration"]
    archive = aws.client("s3").get_object(Bucket=code["S3Bucket"], Key=code["S3Key"])["Body"].read()
    module_name, handler_name = config["Handler"].rsplit(".", 1)
    with tempfile.TemporaryDirectory(prefix="handler-") as directory:
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            zipped.extractall(directory)
        spec = importlib.util.spec_from_file_location(
            f"deployed_{module_name}", Path(directory) / f"{module_name}.py"
        )
        module = importlib.util.module_from_spec(spec)
        environment = dict(config["Environment"]["Variables"])
        environment.update(
            AWS_ENDPOINT_URL=aws.endpoint,
            AWS_CA_BUNDLE=str(aws.ca_bundle),
            AWS_DEFAULT_REGION="us-east-1",
            AWS_REGION="us-east-1",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
        )
        with handler_environment(environment):
            spec.loader.exec_module(module)
            handle = getattr(module, handler_name)

            call = proxy_caller(handle, config["FunctionName"], "deploy-proof")

            status, created = call("POST", "/items", {"name": "deploy proof", "n": 1})
            assert status == 201, (status, created)
            item_id = created["id"]
            assert call("GET", "/items/{id}", item_id=item_id) == (200, created)
            stored = aws.client("dynamodb").get_item(
                TableName=outputs["TableName"], Key={"id": {"S": item_id}}
            )
            assert stored["Item"]["name"] == {"S": "deploy proof"}, "not in the deployed table"
            status, _ = call("PUT", "/items/{id}", {"name": "updated", "n": 2}, item_id)
            assert status == 200, status
            status, listed = call("GET", "/items")
            assert status == 200 and [i["name"] for i in listed["items"]] == ["updated"], listed
            assert call("DELETE", "/items/{id}", item_id=item_id)[0] == 204
            assert call("GET", "/items/{id}", item_id=item_id)[0] == 404
    return f"POST/GET/PUT/list/DELETE through {config['FunctionName']} on {outputs['TableName']}"


proof_templates: dict[str, dict] = {}

ARCHITECTURE_CHECKS: dict[str, tuple[str, ...]] = {
    "network: subnets, route tables, NAT and bastion security groups": ("Network",),
    "web tier: ASG behind the ALB's target group, CPU scaling policy": ("WebTier",),
    "serverless: table, function and stage wired together": ("ServerlessApi",),
    "serverless: the deployed handler's CRUD flow on the deployed table": ("ServerlessApi",),
    "static site (OAI): bucket policy and distribution origin access": ("StaticSite",),
    "static site (OAC): bucket policy and distribution origin access": ("StaticSiteOac",),
    "aurora: global cluster membership, secondary in its own region": (
        "AuroraGlobalPrimary",
        "AuroraGlobalSecondary-us-west-2",
    ),
}


def _architecture_checks(aws: Aws, proof: DeployProof) -> None:
    o = proof.outputs
    runs: dict[str, Callable[[], str | None]] = {
        "network: subnets, route tables, NAT and bastion security groups": lambda: _network_check(
            aws, o["Network"]
        ),
        "web tier: ASG behind the ALB's target group, CPU scaling policy": lambda: _web_tier_check(
            aws, o["WebTier"]
        ),
        "serverless: table, function and stage wired together": lambda: _serverless_check(
            aws, o["ServerlessApi"]
        ),
        "serverless: the deployed handler's CRUD flow on the deployed table": lambda: _crud_check(
            aws, proof
        ),
        "static site (OAI): bucket policy and distribution origin access": lambda: (
            _static_site_check(aws, o["StaticSite"], "oai")
        ),
        "static site (OAC): bucket policy and distribution origin access": lambda: (
            _static_site_check(aws, o["StaticSiteOac"], "oac")
        ),
        "aurora: global cluster membership, secondary in its own region": lambda: _aurora_check(
            aws, proof
        ),
    }
    for name, run in runs.items():
        if all(stack in proof.stacks for stack in ARCHITECTURE_CHECKS[name]):
            _run_check(proof, name, run)


# ------------------------------------------------------------------------------ leftovers
# (label, service, list call, result key, name field or None): what a stack may leave behind.
_REGIONAL_LISTINGS = (
    ("EIP", "ec2", "describe_addresses", "Addresses", "PublicIp"),
    (
        "launch template",
        "ec2",
        "describe_launch_templates",
        "LaunchTemplates",
        "LaunchTemplateName",
    ),
    ("load balancer", "elbv2", "describe_load_balancers", "LoadBalancers", "LoadBalancerName"),
    ("target group", "elbv2", "describe_target_groups", "TargetGroups", "TargetGroupName"),
    (
        "ASG",
        "autoscaling",
        "describe_auto_scaling_groups",
        "AutoScalingGroups",
        "AutoScalingGroupName",
    ),
    ("table", "dynamodb", "list_tables", "TableNames", None),
    ("function", "lambda", "list_functions", "Functions", "FunctionName"),
    ("REST API", "apigateway", "get_rest_apis", "items", "name"),
    ("DB cluster", "rds", "describe_db_clusters", "DBClusters", "DBClusterIdentifier"),
    ("DB instance", "rds", "describe_db_instances", "DBInstances", "DBInstanceIdentifier"),
    (
        "global cluster",
        "rds",
        "describe_global_clusters",
        "GlobalClusters",
        "GlobalClusterIdentifier",
    ),
    ("DB subnet group", "rds", "describe_db_subnet_groups", "DBSubnetGroups", "DBSubnetGroupName"),
    ("secret", "secretsmanager", "list_secrets", "SecretList", "Name"),
    ("log group", "logs", "describe_log_groups", "logGroups", "logGroupName"),
    ("schedule", "scheduler", "list_schedules", "Schedules", "Name"),
)


def _leftovers(aws: Aws, regions: set[str]) -> list[str]:
    """Anything the stacks made that is still there (the bootstrap stack's own are not)."""
    found = []
    for region in sorted(regions):
        ec2 = aws.client("ec2", region)
        vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]]
        found += [f"{region} VPC {v}" for v in vpcs]
        found += [
            f"{region} instance {i['InstanceId']}"
            for r in ec2.describe_instances()["Reservations"]
            for i in r["Instances"]
            if i["State"]["Name"] != "terminated"
        ]
        for label, service, call, key, name in _REGIONAL_LISTINGS:
            items = getattr(aws.client(service, region), call)()[key]
            found += [f"{region} {label} {x if name is None else x[name]}" for x in items]
        kms = aws.client("kms", region)
        for key in kms.list_keys()["Keys"]:
            meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            # moto makes AWS-managed default keys (aws/ebs, aws/dynamodb, ...) on first use and
            # labels them CUSTOMER; AWS keeps its own too, so they are not the stacks' leftovers.
            if meta.get("Description", "").startswith("Default master key"):
                continue
            if meta["KeyManager"] == "CUSTOMER" and meta["KeyState"] not in (
                "PendingDeletion",
                "Disabled",
            ):
                found.append(f"{region} KMS key {key['KeyId']} ({meta.get('Description', '')})")
    iam = aws.client("iam")
    found += [
        f"IAM role {r['RoleName']}"
        for r in iam.list_roles()["Roles"]
        if not r["RoleName"].startswith("cdk-")
    ]
    found += [
        f"IAM instance profile {p['InstanceProfileName']}"
        for p in iam.list_instance_profiles()["InstanceProfiles"]
    ]
    found += [
        f"S3 bucket {b['Name']}"
        for b in aws.client("s3").list_buckets()["Buckets"]
        if not b["Name"].startswith("cdk-")
    ]
    cloudfront = aws.client("cloudfront")
    found += [
        f"CloudFront distribution {d['Id']}"
        for d in cloudfront.list_distributions()["DistributionList"].get("Items", [])
    ]
    found += [
        f"CloudFront OAC {c['Id']}"
        for c in cloudfront.list_origin_access_controls()["OriginAccessControlList"].get(
            "Items", []
        )
    ]
    return found


# ---------------------------------------------------------------------------------- main
def run(
    assembly: Path,
    workdir: Path,
    *,
    port: int | None = None,
    log: Callable[[str], None] = print,
) -> DeployProof:
    """Deploy every stack of ``assembly`` into a fresh moto, check, destroy; stop moto."""
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    proof = DeployProof()
    regions = stack_regions(assembly)
    proof.stacks = {s: r for s, r in regions.items() if s not in NOT_DEPLOYED}
    proof.not_deployed = {s: NOT_DEPLOYED[s] for s in regions if s in NOT_DEPLOYED}
    proof_templates.clear()
    for stack in regions:
        proof_templates[stack] = json.loads((assembly / f"{stack}.template.json").read_text())
    server = MotoProcess(port, log_path=workdir / "moto.log")
    try:
        return _run(assembly, workdir, server, proof, started, log)
    except EmulatorError as error:
        error.server_pid = server.pid  # type: ignore[attr-defined]
        raise
    finally:
        server.stop()


def _run(
    assembly: Path,
    workdir: Path,
    server: MotoProcess,
    proof: DeployProof,
    started: float,
    log: Callable[[str], None],
) -> DeployProof:
    server.start()
    proof.server_pid = server.pid
    log(f"moto on {server.endpoint} (pid {server.pid}), {time.monotonic() - started:.1f} s")
    aws = Aws(server.endpoint, server.cert_path)
    cli = {"endpoint": server.endpoint, "ca_bundle": server.cert_path, "cwd": workdir}

    environments = sorted({f"aws://{ACCOUNT}/{r}" for r in proof.stacks.values()})
    result = run_cdk(
        ["bootstrap", *environments],
        timeout_s=BOOTSTRAP_TIMEOUT_S,
        log=workdir / "bootstrap.log",
        **cli,
    )
    if result.returncode != 0:
        raise EmulatorError(
            f"`cdk bootstrap` failed (see {workdir / 'bootstrap.log'}):\n" + _tail(result.output)
        )
    proof.seconds["bootstrap"] = result.seconds
    log(f"bootstrapped {', '.join(environments)} in {result.seconds:.1f} s")

    outputs_file = workdir / "outputs.json"
    result = run_cdk(
        [
            "deploy",
            "--app",
            str(assembly),
            *proof.stacks,
            "--method=direct",
            "--require-approval",
            "never",
            "--concurrency",
            str(len(proof.stacks)),
            "--progress",
            "events",
            "--outputs-file",
            str(outputs_file),
        ],
        timeout_s=DEPLOY_TIMEOUT_S,
        log=workdir / "deploy.log",
        **cli,
    )
    if result.returncode != 0:
        raise EmulatorError(
            f"`cdk deploy` failed (see {workdir / 'deploy.log'}):\n" + _tail(result.output)
        )
    proof.seconds["deploy"] = result.seconds
    proof.outputs = json.loads(outputs_file.read_text())
    log(f"deployed {len(proof.stacks)} stacks in {result.seconds:.1f} s; outputs in {outputs_file}")

    checked = time.monotonic()

    def cover(stack: str) -> list[coverage.ResourceCoverage]:
        region = proof.stacks[stack]
        deployed = coverage.Deployed(
            stack,
            region,
            proof_templates[stack],
            _physical_ids(aws, stack, region),
            lambda service, region=region: aws.client(service, region),
        )
        return coverage.cover(deployed)

    # The service-API reads are I/O-bound: one thread per stack, plus the checks.
    with ThreadPoolExecutor(max_workers=len(proof.stacks) + 1) as pool:
        checks = pool.submit(_architecture_checks, aws, proof)
        rows = list(pool.map(cover, proof.stacks))
        checks.result()
    proof.coverage = [row for stack_rows in rows for row in stack_rows]
    proof.checks.extend(
        Check(*result) for result in invariants.check_all(aws.client, proof.outputs, proof.stacks)
    )
    proof.seconds["checks"] = time.monotonic() - checked

    result = run_cdk(
        # as many at once as the dependencies allow, like the deploy
        [
            "destroy",
            "--app",
            str(assembly),
            *proof.stacks,
            "--force",
            "--concurrency",
            str(len(proof.stacks)),
        ],
        timeout_s=DEPLOY_TIMEOUT_S,
        log=workdir / "destroy.log",
        **cli,
    )
    proof.seconds["destroy"] = result.seconds
    if result.returncode != 0:
        # Reported with the checks and the leftovers, not raised: they still say what the
        # stacks left behind.
        proof.destroy_error = f"`cdk destroy` failed (see {workdir / 'destroy.log'}):\n" + (
            _tail(result.output)
        )
        log(proof.destroy_error)
    else:
        log(f"destroyed {len(proof.stacks)} stacks (reverse order) in {result.seconds:.1f} s")
    proof.leftovers = _leftovers(aws, set(proof.stacks.values()))
    _verify_on_destroy(proof)
    server.stop()
    proof.seconds["total"] = time.monotonic() - started
    return proof


def _verify_on_destroy(proof: DeployProof) -> None:
    """S3AutoDeleteObjects: the bucket held the deployed site, and after destroy it is gone
    (classed by coverage.on_destroy: moto's own model when aws-cdk-lib's handler emptied it)."""
    for row in proof.coverage:
        if row.type not in coverage.VERIFIED_ON_DESTROY:
            continue
        bucket = proof.outputs.get(row.stack, {}).get("BucketName")
        gone = bool(bucket) and not any(bucket in leftover for leftover in proof.leftovers)
        coverage.on_destroy(row, bucket, gone)


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--assembly",
        type=Path,
        help="a synthesized sandbox cloud assembly "
        "(default: synthesize the sandbox profile into cdk.out/deploy-local)",
    )
    parser.add_argument("--workdir", type=Path, default=Path("cdk.out/deploy-local-run"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMULATOR_PORT", 0)))
    parser.add_argument(
        "--pickle",
        type=Path,
        help="write the DeployProof (or the EmulatorError's message) there and exit 0: "
        "how the test suite runs the proof in a process of its own (tests/emulator/background.py)",
    )
    args = parser.parse_args(argv)
    assembly = args.assembly
    if assembly is None:
        os.environ.setdefault("CDK_VALIDATION", "false")
        from tools.synthesis import synthesize

        assembly = Path("cdk.out/deploy-local").resolve()
        print(f"synthesizing the sandbox profile into {assembly}")
        synthesize("sandbox", assembly)
    try:
        proof = run(assembly.resolve(), args.workdir.resolve(), port=args.port or None)
    except EmulatorError as error:
        if args.pickle:
            args.pickle.write_bytes(pickle.dumps(("error", str(error))))
            return 0
        print(f"deploy-local FAILED: {error}", file=sys.stderr)
        return 1
    if args.pickle:
        args.pickle.write_bytes(pickle.dumps(("proof", proof)))
        return 0
    print()
    for check in proof.checks:
        print(f"  {'ok  ' if check.passed else 'FAIL'} {check.name}: {check.detail}")
    print()
    print(proof.coverage_report())
    print()
    print("  leftovers after destroy: " + (", ".join(proof.leftovers) or "none"))
    print("  time: " + ", ".join(f"{k} {v:.1f} s" for k, v in proof.seconds.items()))
    failed = [c for c in proof.checks if not c.passed]
    bad = [r for r in proof.coverage if r.status in (coverage.MISMATCH, coverage.MISSING)]
    return 1 if failed or bad or proof.leftovers or proof.destroy_error else 0


if __name__ == "__main__":
    raise SystemExit(main())
