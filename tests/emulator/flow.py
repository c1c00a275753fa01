"""The deploy proof, start to end: moto up, bootstrap, `cdk deploy` every stack, outputs,
service-API checks, deploy coverage, the handler's CRUD flow, `cdk destroy`, leftovers, moto
down (by PID, whatever failed). Shared by `make deploy-local` and the `deploy` test.
"""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import os
import pickle
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
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


# The services whose state nothing changes once the stacks are deployed: their reads repeat
# (a route table read for itself, each of its routes and each association; a role for itself,
# its policies and each Fn::GetAtt of it), so the coverage pass asks each question once.
_STATIC_SERVICES = {"ec2", "iam", "elbv2", "autoscaling", "route53"}
_READS = ("describe_", "get_", "list_")


class ReadOnce:
    """A boto3 client whose reads with the same arguments go to the emulator once; each caller
    gets its own copy of the answer. Shared by the coverage's threads (one lock)."""

    def __init__(self, client: Any, memo: dict, lock: threading.Lock) -> None:
        self._client, self._memo, self._lock = client, memo, lock

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not name.startswith(_READS) or name in {"get_paginator", "get_waiter"}:
            return attribute

        def read(**arguments: Any) -> Any:
            key = (name, json.dumps(arguments, sort_keys=True, default=str))
            with self._lock:
                if key in self._memo:
                    return copy.deepcopy(self._memo[key])
            answer = attribute(**arguments)
            with self._lock:
                self._memo[key] = answer
            return copy.deepcopy(answer)

        return read


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


# ------------------------------------------------- the architectures of issue #15 (by type)
def _resources(aws: Aws, proof: DeployProof, stack: str, rtype: str) -> list[tuple[str, dict, str]]:
    """(logical id, template properties, physical id) of every ``rtype`` resource of ``stack``."""
    physical = _physical_ids(aws, stack, proof.stacks[stack])
    return [
        (lid, r.get("Properties", {}), physical.get(lid) or "")
        for lid, r in proof_templates[stack]["Resources"].items()
        if r["Type"] == rtype
    ]


def _queues(aws: Aws, proof: DeployProof, stack: str) -> dict[str, tuple[str, dict]]:
    """Queue ARN -> (URL, attributes) of the stack's queues, read back."""
    sqs = aws.client("sqs", proof.stacks[stack])
    out = {}
    for _, _, url in _resources(aws, proof, stack, "AWS::SQS::Queue"):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        out[attributes["QueueArn"]] = (url, attributes)
    return out


def _receive(sqs: Any, url: str, **kwargs: Any) -> list[dict]:
    """One ReceiveMessage that never long-polls (the queues wait 20 s by default)."""
    kwargs.setdefault("MaxNumberOfMessages", 10)
    return sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0, **kwargs).get("Messages", [])


def _drain(sqs: Any, url: str) -> int:
    """Receive and delete everything visible in the queue; how many there were."""
    count = 0
    while messages := _receive(sqs, url):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        count += len(messages)
    return count


class _MappingsPaused:
    """moto invokes a mapping's function on SendMessage, which needs Docker: the checks that send
    to a mapped queue disable its mappings meanwhile (UpdateEventSourceMapping), then restore."""

    def __init__(self, lam: Any, uuids: list[str]) -> None:
        self.lam, self.uuids = lam, uuids

    def __enter__(self) -> None:
        for uuid_ in self.uuids:
            self.lam.update_event_source_mapping(UUID=uuid_, Enabled=False)

    def __exit__(self, *exc: object) -> None:
        for uuid_ in self.uuids:
            self.lam.update_event_source_mapping(UUID=uuid_, Enabled=True)


def _queue_worker_check(aws: Aws, proof: DeployProof, stack: str, fifo: bool) -> str:
    region = proof.stacks[stack]
    sqs, lam = aws.client("sqs", region), aws.client("lambda", region)
    functions = {
        lam.get_function_configuration(FunctionName=p)["FunctionArn"]
        for _, _, p in _resources(aws, proof, stack, "AWS::Lambda::Function")
    }
    queues = _queues(aws, proof, stack)
    mappings = [
        lam.get_event_source_mapping(UUID=p)
        for _, _, p in _resources(aws, proof, stack, "AWS::Lambda::EventSourceMapping")
    ]
    mapped = [m for m in mappings if m["EventSourceArn"] in queues]
    assert len(mapped) == 1, f"{len(mapped)} event source mappings on this stack's queues"
    [mapping] = mapped
    assert mapping["FunctionArn"] in functions, "the mapping invokes no function of this stack"
    assert "ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", []), (
        "the mapping does not report batch item failures"
    )
    url, attributes = queues[mapping["EventSourceArn"]]
    assert (attributes.get("FifoQueue") == "true") == fifo, (
        f"FifoQueue {attributes.get('FifoQueue')}"
    )
    redrive = json.loads(attributes["RedrivePolicy"])
    receives = int(redrive["maxReceiveCount"])
    assert redrive["deadLetterTargetArn"] in queues, "the dead-letter queue is not this stack's"
    dlq_url, _ = queues[redrive["deadLetterTargetArn"]]
    nonce = uuid.uuid4().hex[:8]
    details = []

    def send(body: str, group: str = "proof", dedup: str | None = None) -> dict:
        extra = {"MessageGroupId": group, "MessageDeduplicationId": dedup or body} if fifo else {}
        return sqs.send_message(QueueUrl=url, MessageBody=body, **extra)

    with _MappingsPaused(lam, [mapping["UUID"]]):
        if fifo:
            send(f"dup-{nonce}", dedup=f"d-{nonce}")
            send(f"dup-{nonce}-again", dedup=f"d-{nonce}")
            got = _receive(sqs, url)
            bodies = [m["Body"] for m in got]
            assert bodies == [f"dup-{nonce}"], f"duplicate MessageDeduplicationId: {bodies}"
            for m in got:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            ordered = [f"order-{nonce}-{i}" for i in range(5)]
            for body in ordered:
                send(body, group=f"g-{nonce}")
            got = _receive(sqs, url)
            assert [m["Body"] for m in got] == ordered, f"order in the group: {got}"
            for m in got:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            details.append("a duplicate deduplication id dropped, 5 messages in group order")
        body = f"poison-{nonce}"
        send(body)
        for attempt in range(1, receives + 1):
            got = _receive(sqs, url, MaxNumberOfMessages=1, VisibilityTimeout=0)
            assert [m["Body"] for m in got] == [body], f"receive {attempt}: {got}"
        assert _receive(sqs, url, VisibilityTimeout=0) == [], (
            f"still in the queue after {receives} receives"
        )
        dead = _receive(sqs, dlq_url)
        assert [m["Body"] for m in dead] == [body], f"the dead-letter queue holds {dead}"
        for m in dead:
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=m["ReceiptHandle"])
    details.append(
        f"received {receives}x without delete -> {redrive['deadLetterTargetArn'].split(':')[-1]}"
    )
    return f"{mapping['FunctionArn'].split(':')[-1]} <- {url.rsplit('/', 1)[-1]}: " + "; ".join(
        details
    )


def _simple_filter(policy: dict) -> dict[str, list[str]] | None:
    """A filter policy of exact string values only ({key: ["a", "b"]}), else None."""
    if not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in policy.values()):
        return None
    return policy


def _fan_out_check(aws: Aws, proof: DeployProof, stack: str = "FanOut") -> str:
    region = proof.stacks[stack]
    sns, sqs, s3, lam = (aws.client(s, region) for s in ("sns", "sqs", "s3", "lambda"))
    queues = _queues(aws, proof, stack)
    topics = [p for _, _, p in _resources(aws, proof, stack, "AWS::SNS::Topic")]
    subscriptions = []
    for _, _, arn in _resources(aws, proof, stack, "AWS::SNS::Subscription"):
        attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        if attributes["Protocol"] == "sqs" and attributes["Endpoint"] in queues:
            subscriptions.append(attributes)
    assert subscriptions, "no SQS subscription to this stack's queues"
    mapped = [
        m["UUID"]
        for _, _, p in _resources(aws, proof, stack, "AWS::Lambda::EventSourceMapping")
        if (m := lam.get_event_source_mapping(UUID=p))["EventSourceArn"] in queues
    ]
    details = []
    with _MappingsPaused(lam, mapped):
        for _, (url, _) in queues.items():
            _drain(sqs, url)
        filtered = 0
        for sub in subscriptions:
            policy = json.loads(sub.get("FilterPolicy") or "{}")
            simple = _simple_filter(policy)
            if not policy or simple is None:
                continue
            scope = sub.get("FilterPolicyScope", "MessageAttributes")
            values = {key: allowed[0] for key, allowed in simple.items()}
            nonce = uuid.uuid4().hex[:8]
            if scope == "MessageBody":
                message = json.dumps(dict(values, proof=nonce))
                sns.publish(TopicArn=sub["TopicArn"], Message=message)
            else:
                message = f"deploy proof {nonce}"
                sns.publish(
                    TopicArn=sub["TopicArn"],
                    Message=message,
                    MessageAttributes={
                        k: {"DataType": "String", "StringValue": v} for k, v in values.items()
                    },
                )
            expected = set()
            for other in subscriptions:
                if other["TopicArn"] != sub["TopicArn"]:
                    continue
                other_policy = json.loads(other.get("FilterPolicy") or "{}")
                other_scope = other.get("FilterPolicyScope", "MessageAttributes")
                simple_other = _simple_filter(other_policy)
                if simple_other is None:
                    continue
                seen = values if other_scope == scope else {}
                if all(seen.get(k) in allowed for k, allowed in simple_other.items()):
                    expected.add(other["Endpoint"])
            reached = set()
            for arn, (url, _) in queues.items():
                got = _receive(sqs, url)
                for m in got:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                mine = [m for m in got if nonce in m["Body"]]
                if not mine:
                    continue
                reached.add(arn)
                raw = (
                    next(s for s in subscriptions if s["Endpoint"] == arn).get("RawMessageDelivery")
                    == "true"
                )
                body = mine[0]["Body"]
                if raw:
                    assert body == message, f"raw delivery to {arn} wrapped: {body[:80]}"
                else:
                    envelope = json.loads(body)
                    assert envelope.get("Type") == "Notification", body[:80]
                    assert envelope["Message"] == message, envelope
            assert reached == expected, (
                f"message for {values} ({scope}) reached {sorted(reached)}, "
                f"the filter policies say {sorted(expected)}"
            )
            filtered += len(reached) < len(
                [s for s in subscriptions if s["TopicArn"] == sub["TopicArn"]]
            )
            details.append(f"{values} -> {len(reached)} queue(s)")
        assert filtered, "no published message was kept from any queue by a filter policy"
        # S3 -> SNS: through a probe queue subscribed for the check (the stack's own may filter
        # the S3 event out), removed again.
        notified = []
        for _, _, bucket in _resources(aws, proof, stack, "AWS::S3::Bucket"):
            config = s3.get_bucket_notification_configuration(Bucket=bucket)
            for entry in config.get("TopicConfigurations", []):
                if entry["TopicArn"] not in topics:
                    continue
                notified.append(_s3_notifies_topic(aws, region, bucket, entry))
        for _, (url, _) in queues.items():
            _drain(sqs, url)
    details += notified or ["no bucket notifies the topic"]
    return "; ".join(details)


def _s3_notifies_topic(aws: Aws, region: str, bucket: str, entry: dict) -> str:
    sns, sqs, s3 = (aws.client(s, region) for s in ("sns", "sqs", "s3"))
    rules = {
        r["Name"].lower(): r["Value"]
        for r in entry.get("Filter", {}).get("Key", {}).get("FilterRules", [])
    }
    key = f"{rules.get('prefix', '')}deploy-proof-{uuid.uuid4().hex[:8]}{rules.get('suffix', '')}"
    probe = sqs.create_queue(QueueName=f"deploy-proof-probe-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    probe_arn = sqs.get_queue_attributes(QueueUrl=probe, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    subscription = sns.subscribe(
        TopicArn=entry["TopicArn"], Protocol="sqs", Endpoint=probe_arn, ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=b"deploy proof")
        events = []
        for m in _receive(sqs, probe):
            message = json.loads(json.loads(m["Body"])["Message"])
            events += [
                r
                for r in message.get("Records", [])
                if urllib.parse.unquote_plus(r["s3"]["object"]["key"]) == key
            ]
        assert events, f"PutObject {key} in {bucket}: no S3 event on the topic"
        assert events[0]["s3"]["bucket"]["name"] == bucket, events[0]
        assert events[0]["eventName"].startswith("ObjectCreated:"), events[0]["eventName"]
    finally:
        sns.unsubscribe(SubscriptionArn=subscription)
        sqs.delete_queue(QueueUrl=probe)
        for version in s3.list_object_versions(Bucket=bucket, Prefix=key).get("Versions", []):
            s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
    return f"PutObject {key} in {bucket} -> {events[0]['eventName']} on the topic"


def _streaming_check(aws: Aws, proof: DeployProof, stack: str = "StreamingIngestion") -> str:
    region = proof.stacks[stack]
    kinesis, firehose, s3 = (aws.client(s, region) for s in ("kinesis", "firehose", "s3"))
    glue, athena = aws.client("glue", region), aws.client("athena", region)
    buckets = {p for _, _, p in _resources(aws, proof, stack, "AWS::S3::Bucket")}
    [stream] = [p for _, _, p in _resources(aws, proof, stack, "AWS::Kinesis::Stream")]
    summary = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    nonce = uuid.uuid4().hex[:8]
    record = json.dumps({"id": nonce, "source": "deploy proof"}).encode()
    put = kinesis.put_record(StreamName=stream, Data=record, PartitionKey=nonce)
    iterator = kinesis.get_shard_iterator(
        StreamName=stream,
        ShardId=put["ShardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=put["SequenceNumber"],
    )["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert records and records[0]["Data"] == record, "the record is not in the stream"
    details = [f"PutRecord into {stream} read back from {put['ShardId']}"]
    [delivery] = [
        p for _, _, p in _resources(aws, proof, stack, "AWS::KinesisFirehose::DeliveryStream")
    ]
    described = firehose.describe_delivery_stream(DeliveryStreamName=delivery)
    described = described["DeliveryStreamDescription"]
    source = described.get("Source", {}).get("KinesisStreamSourceDescription", {})
    assert source.get("KinesisStreamARN") == summary["StreamARN"], "Firehose reads another stream"
    destination = described["Destinations"][0]["ExtendedS3DestinationDescription"]
    bucket = destination["BucketARN"].split(":::", 1)[1]
    assert bucket in buckets, f"Firehose delivers to {bucket}, not a bucket of this stack"
    prefix = destination.get("Prefix", "")
    before = s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0)
    assert before == 0, (
        f"{before} objects in {bucket} after a Kinesis record: moto's Firehose now reads Kinesis?"
    )
    firehose.put_record(DeliveryStreamName=delivery, Record={"Data": record})
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    assert len(listed) == 1, f"{len(listed)} objects in {bucket} after one PutRecord"
    key = listed[0]["Key"]
    assert key.startswith(prefix), f"object {key} not under the prefix {prefix}"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == record, "the object differs"
    details.append(
        "moto's Firehose does not read its Kinesis source (0 objects); PutRecord on "
        f"{delivery} -> s3://{bucket}/{key}"
    )
    s3.delete_object(Bucket=bucket, Key=key)
    for _, props, table in _resources(aws, proof, stack, "AWS::Glue::Table"):
        database = props["DatabaseName"] if isinstance(props["DatabaseName"], str) else None
        if database is None:
            [database] = [p for _, _, p in _resources(aws, proof, stack, "AWS::Glue::Database")]
        got = glue.get_table(DatabaseName=database, Name=table)["Table"]
        location = got["StorageDescriptor"]["Location"]
        assert location.startswith(f"s3://{bucket}/"), f"table {table} at {location}, not {bucket}"
        table_prefix = location.split(f"s3://{bucket}/", 1)[1]
        assert prefix.startswith(table_prefix), (
            f"Firehose writes under {prefix}, the table reads {table_prefix}"
        )
        details.append(f"table {database}.{table} reads {location}")
    for _, _, group in _resources(aws, proof, stack, "AWS::Athena::WorkGroup"):
        config = athena.get_work_group(WorkGroup=group)["WorkGroup"]["Configuration"]
        output = config.get("ResultConfiguration", {}).get("OutputLocation", "")
        assert output.split("/")[2] in buckets, f"work group {group} writes results to {output}"
        execution = athena.start_query_execution(QueryString="SELECT 1", WorkGroup=group)
        state = athena.get_query_execution(QueryExecutionId=execution["QueryExecutionId"])
        state = state["QueryExecution"]
        assert state["WorkGroup"] == group and state["Status"]["State"] == "SUCCEEDED", state
        named = athena.list_named_queries(WorkGroup=group)["NamedQueryIds"]
        wanted = {p for _, _, p in _resources(aws, proof, stack, "AWS::Athena::NamedQuery")}
        assert wanted <= set(named), f"named queries {wanted - set(named)} not in {group}"
        written = s3.list_objects_v2(Bucket=output.split("/")[2]).get("KeyCount", 0)
        details.append(
            f"query in {group} SUCCEEDED (moto runs no engine; {written} result objects at "
            f"{output}), {len(wanted)} named queries"
        )
    return "; ".join(details)


def _data_protection_check(aws: Aws, proof: DeployProof) -> str:
    stack = "DataProtection"
    s3 = aws.client("s3", proof.stacks[stack])
    sources = [
        (props, p)
        for _, props, p in _resources(aws, proof, stack, "AWS::S3::Bucket")
        if "ReplicationConfiguration" in props
    ]
    assert sources, "no bucket of DataProtection replicates"
    replicas = {
        p: region
        for replica_stack, region in proof.stacks.items()
        if replica_stack.startswith("DataProtectionReplica-")
        for _, _, p in _resources(aws, proof, replica_stack, "AWS::S3::Bucket")
    }
    details = []
    for _, bucket in sources:
        assert s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled", "not versioned"
        key = f"deploy-proof/{uuid.uuid4().hex[:8]}"
        first = s3.put_object(Bucket=bucket, Key=key, Body=b"v1")["VersionId"]
        s3.put_object(Bucket=bucket, Key=key, Body=b"v2")
        marker = s3.delete_object(Bucket=bucket, Key=key)
        assert marker.get("DeleteMarker"), "DeleteObject left no delete marker"
        listed = s3.list_object_versions(Bucket=bucket, Prefix=key)
        versions, markers = listed.get("Versions", []), listed.get("DeleteMarkers", [])
        assert len(versions) == 2 and len(markers) == 1 and markers[0]["IsLatest"], listed
        old = s3.get_object(Bucket=bucket, Key=key, VersionId=first)["Body"].read()
        assert old == b"v1", "the first version is not readable by its id"
        rules = s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]["Rules"]
        targets = {r["Destination"]["Bucket"].split(":::", 1)[1] for r in rules}
        for target in targets:
            assert target in replicas, f"replicates to {target}, not a replica stack's bucket"
            region = aws.client("s3").get_bucket_location(Bucket=target).get("LocationConstraint")
            assert region == replicas[target], f"{target} in {region}, not {replicas[target]}"
            replica = aws.client("s3", region)
            assert replica.get_bucket_versioning(Bucket=target).get("Status") == "Enabled", (
                f"the replica {target} is not versioned"
            )
            copies = replica.list_object_versions(Bucket=target, Prefix=key).get("Versions", [])
            details.append(
                f"{bucket}: 2 versions + a delete marker; replicates to {target} ({region}); "
                f"{len(copies)} replicated copies (moto does not replicate objects)"
            )
        for version in versions + markers:
            s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
    return "; ".join(details)


# ------------------------------------------- the classic architectures of issue #14 (by stack)
WHAT_IS_THE_TIME = tuple(f"WhatIsTheTimeV{n}" for n in range(1, 8))
MY_CLOTHES = tuple(f"MyClothesV{n}" for n in range(1, 6))
MY_WORD_PRESS = "MyWordPress"


def _physical(aws: Aws, proof: DeployProof, stack: str, rtype: str) -> list[str]:
    return [p for _, _, p in _resources(aws, proof, stack, rtype)]


def _instances(ec2: Any, instance_ids: list[str]) -> dict[str, dict]:
    if not instance_ids:
        return {}
    reservations = ec2.describe_instances(InstanceIds=instance_ids)["Reservations"]
    return {i["InstanceId"]: i for r in reservations for i in r["Instances"]}


def _ingress_sources(ec2: Any, group_ids: list[str], port: int) -> tuple[set[str], set[str]]:
    """(security groups, CIDRs) the groups admit TCP ``port`` from."""
    groups, cidrs = set(), set()
    for group in ec2.describe_security_groups(GroupIds=group_ids)["SecurityGroups"]:
        for rule in group["IpPermissions"]:
            if rule["IpProtocol"] != "-1" and not (
                rule["IpProtocol"] == "tcp"
                and rule.get("FromPort", 0) <= port <= rule.get("ToPort", 65535)
            ):
                continue
            groups |= {pair["GroupId"] for pair in rule.get("UserIdGroupPairs", [])}
            cidrs |= {r["CidrIp"] for r in rule.get("IpRanges", [])}
    return groups, cidrs


def _routes_to_internet(ec2: Any, subnet_id: str) -> bool:
    tables = ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["RouteTables"]
    return any(
        route.get("DestinationCidrBlock") == "0.0.0.0/0"
        and route.get("GatewayId", "").startswith("igw-")
        for table in tables
        for route in table["Routes"]
    )


def _elastic_ip_stack(aws: Aws, proof: DeployProof, stack: str) -> tuple[list[dict], str]:
    """v1-v3: each Elastic IP on its own instance, the instance's public address; the outputs
    name exactly those addresses; each instance public, reachable on port 80 from anywhere."""
    ec2 = aws.client("ec2", proof.stacks[stack])
    instance_ids = _physical(aws, proof, stack, "AWS::EC2::Instance")
    instances = _instances(ec2, instance_ids)
    eips = _physical(aws, proof, stack, "AWS::EC2::EIP")
    addresses = ec2.describe_addresses(PublicIps=eips)["Addresses"]
    owners = [a.get("InstanceId") for a in addresses]
    assert sorted(owners, key=str) == sorted(instance_ids) and len(set(owners)) == len(owners), (
        f"{stack}: Elastic IPs {eips} are on {owners}, not one on each of {instance_ids}"
    )
    for address in addresses:
        instance = instances[address["InstanceId"]]
        assert instance.get("PublicIpAddress") == address["PublicIp"], (
            f"{stack}: {instance['InstanceId']} answers on {instance.get('PublicIpAddress')}, "
            f"not its Elastic IP {address['PublicIp']}"
        )
        assert _routes_to_internet(ec2, instance["SubnetId"]), (
            f"{stack}: {instance['InstanceId']} is in a subnet without a route to the internet"
        )
        groups = [g["GroupId"] for g in instance["SecurityGroups"]] or [
            g["GroupId"] for n in instance["NetworkInterfaces"] for g in n["Groups"]
        ]
        _, cidrs = _ingress_sources(ec2, groups, 80)
        assert "0.0.0.0/0" in cidrs, f"{stack}: port 80 not open to clients ({cidrs})"
    outputs = proof.outputs[stack]
    assert sorted(outputs["PublicAddresses"].split(",")) == sorted(eips), (
        f"{stack}: PublicAddresses {outputs['PublicAddresses']} are not the Elastic IPs {eips}"
    )
    assert outputs["Url"] == f"http://{eips[0]}", f"{stack}: Url {outputs['Url']}"
    return list(instances.values()), ", ".join(
        f"{a['PublicIp']} -> {a['InstanceId']}" for a in addresses
    )


def _what_is_the_time_eip_check(aws: Aws, proof: DeployProof) -> str:
    details, types = [], {}
    for stack in WHAT_IS_THE_TIME[:3]:
        instances, detail = _elastic_ip_stack(aws, proof, stack)
        types[stack] = {i["InstanceType"] for i in instances}
        details.append(f"{stack}: {detail} ({', '.join(sorted(types[stack]))})")
    one, two, three = (types[s] for s in WHAT_IS_THE_TIME[:3])
    assert len(one) == len(two) == 1 and one != two, f"v2 is not v1 resized: {one} -> {two}"
    assert three == one, f"v3 is not v1's type, scaled out: {three}"
    return "; ".join(details)


def _zone_and_record(aws: Aws, proof: DeployProof, stack: str) -> tuple[dict, dict]:
    """The stack's hosted zone (GetHostedZone) and its one A record for DnsName."""
    route53 = aws.client("route53")
    [zone_id] = _physical(aws, proof, stack, "AWS::Route53::HostedZone")
    zone = route53.get_hosted_zone(Id=zone_id)
    name = proof.outputs[stack]["DnsName"].rstrip(".") + "."
    records = [
        r
        for r in route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        if r["Name"] == name and r["Type"] == "A"
    ]
    assert len(records) == 1, f"{stack}: {len(records)} A records {name} in {zone_id}"
    return zone, records[0]


def _private_to_own_vpc(aws: Aws, proof: DeployProof, stack: str, zone: dict) -> str:
    [vpc_id] = _physical(aws, proof, stack, "AWS::EC2::VPC")
    assert zone["HostedZone"]["Config"]["PrivateZone"], f"{stack}: the zone is public"
    vpcs = [v["VPCId"] for v in zone.get("VPCs") or []]
    assert vpcs == [vpc_id], f"{stack}: the zone answers in {vpcs}, not only in {vpc_id}"
    return vpc_id


def _what_is_the_time_dns_check(
    aws: Aws, proof: DeployProof, stack: str = "WhatIsTheTimeV4"
) -> str:
    """v4: the private zone of the stack's VPC answers the name with an A record of exactly the
    instances' public addresses, cached for the TTL (1 h); no Elastic IP."""
    ec2 = aws.client("ec2", proof.stacks[stack])
    zone, record = _zone_and_record(aws, proof, stack)
    vpc_id = _private_to_own_vpc(aws, proof, stack, zone)
    instance_ids = _physical(aws, proof, stack, "AWS::EC2::Instance")
    public = sorted(i.get("PublicIpAddress") for i in _instances(ec2, instance_ids).values())
    values = sorted(r["Value"] for r in record.get("ResourceRecords", []))
    assert len(instance_ids) >= 2 and None not in public, f"{stack}: public addresses {public}"
    assert values == public, f"{stack}: the record answers {values}, the instances are {public}"
    assert record.get("TTL") == 3600, f"{stack}: TTL {record.get('TTL')}, not 3600 (1 h)"
    assert "AliasTarget" not in record and not record.get("MultiValueAnswer"), record
    assert sorted(proof.outputs[stack]["PublicAddresses"].split(",")) == public
    eips = ec2.describe_addresses(Filters=[{"Name": "instance-id", "Values": instance_ids}])
    assert not eips["Addresses"], f"{stack}: Elastic IPs {eips['Addresses']}"
    return (
        f"{record['Name']} A {', '.join(values)} TTL {record['TTL']} in the private zone of "
        f"{vpc_id} (moto has no resolver: the record set is read, not resolved)"
    )


def _forwarded_target_group(elbv2: Any, balancer: dict) -> str:
    listeners = elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
    groups = {
        action["TargetGroupArn"]
        for listener in listeners
        for action in listener["DefaultActions"]
        if action["Type"] == "forward"
    }
    assert len(groups) == 1, f"{balancer['LoadBalancerName']} forwards to {groups}"
    return groups.pop()


def _alias_stack(aws: Aws, proof: DeployProof, stack: str) -> str:
    """v5-v7: the alias A record is the load balancer's (dualstack DNS name, canonical zone);
    its listener forwards to the target group that holds exactly the instances (v5: the
    fleet's, registered by id; v6/v7: the Auto Scaling group's), which admit port 80 only from
    the load balancer; v6 in one AZ, v7 over every AZ with at least 2 instances."""
    region = proof.stacks[stack]
    ec2, elbv2 = aws.client("ec2", region), aws.client("elbv2", region)
    zone, record = _zone_and_record(aws, proof, stack)
    _private_to_own_vpc(aws, proof, stack, zone)
    [lb_arn] = _physical(aws, proof, stack, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    [balancer] = elbv2.describe_load_balancers(LoadBalancerArns=[lb_arn])["LoadBalancers"]
    alias = record.get("AliasTarget") or {}
    assert alias.get("DNSName", "").rstrip(".") == f"dualstack.{balancer['DNSName']}", alias
    assert alias.get("HostedZoneId") == balancer["CanonicalHostedZoneId"], alias
    assert proof.outputs[stack]["Url"] == f"http://{balancer['DNSName']}"
    group_arn = _forwarded_target_group(elbv2, balancer)
    health = elbv2.describe_target_health(TargetGroupArn=group_arn)["TargetHealthDescriptions"]
    targets = sorted(t["Target"]["Id"] for t in health)
    if stack == "WhatIsTheTimeV5":
        expected = sorted(_physical(aws, proof, stack, "AWS::EC2::Instance"))
        source = "the fleet"
    else:
        [asg] = aws.client("autoscaling", region).describe_auto_scaling_groups(
            AutoScalingGroupNames=[proof.outputs[stack]["AsgName"]]
        )["AutoScalingGroups"]
        assert group_arn in asg["TargetGroupARNs"], f"{stack}: the ASG registers elsewhere"
        expected = sorted(i["InstanceId"] for i in asg["Instances"])
        source = f"ASG {asg['MinSize']}..{asg['MaxSize']}"
    assert targets == expected and targets, f"{stack}: targets {targets}, {source} {expected}"
    instances = _instances(ec2, targets)
    zones = {i["Placement"]["AvailabilityZone"] for i in instances.values()}
    balancer_groups = set(balancer.get("SecurityGroups", []))
    for instance in instances.values():
        assert not instance.get("PublicIpAddress"), f"{instance['InstanceId']} is public"
        groups = [g["GroupId"] for g in instance["SecurityGroups"]] or [
            g["GroupId"] for n in instance["NetworkInterfaces"] for g in n["Groups"]
        ]
        sources, cidrs = _ingress_sources(ec2, groups, 80)
        assert sources & balancer_groups and not cidrs, (
            f"{stack}: {instance['InstanceId']} admits port 80 from {sources | cidrs}"
        )
    if stack == "WhatIsTheTimeV7":
        subnets = asg["VPCZoneIdentifier"].split(",")
        subnet_zones = {
            s["AvailabilityZone"] for s in ec2.describe_subnets(SubnetIds=subnets)["Subnets"]
        }
        assert len(subnet_zones) >= 2 and asg["MinSize"] >= 2, (
            f"{stack}: the group spans {subnet_zones}, min {asg['MinSize']}"
        )
        source += (
            f" over subnets in {sorted(subnet_zones)} (moto launches a group's instances in one "
            "subnet: their spread is not proven)"
        )
    elif stack == "WhatIsTheTimeV6":
        subnets = asg["VPCZoneIdentifier"].split(",")
        assert len(subnets) == 1 and len(zones) == 1, f"{stack}: {subnets} over {zones}"
    return (
        f"{stack}: alias -> {balancer['LoadBalancerName']} -> {len(targets)} of {source} in "
        f"{sorted(zones)}"
    )


def _what_is_the_time_alias_check(aws: Aws, proof: DeployProof) -> str:
    return "; ".join(_alias_stack(aws, proof, stack) for stack in WHAT_IS_THE_TIME[4:])


def _web_group(aws: Aws, proof: DeployProof, stack: str) -> tuple[dict, set[str]]:
    """The stack's Auto Scaling group and its instances' security groups (launch template)."""
    region = proof.stacks[stack]
    [name] = _physical(aws, proof, stack, "AWS::AutoScaling::AutoScalingGroup")
    [asg] = aws.client("autoscaling", region).describe_auto_scaling_groups(
        AutoScalingGroupNames=[name]
    )["AutoScalingGroups"]
    if "AsgName" in proof.outputs[stack]:
        assert proof.outputs[stack]["AsgName"] == name, f"{stack}: AsgName is not the group"
    spec = asg["LaunchTemplate"]
    version = aws.client("ec2", region).describe_launch_template_versions(
        LaunchTemplateId=spec["LaunchTemplateId"], Versions=[str(spec.get("Version", "$Default"))]
    )["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    return asg, set(version.get("SecurityGroupIds", []))


def _cluster_with_writer(aws: Aws, proof: DeployProof, stack: str, readers: int = 0) -> str:
    """The stack's DB cluster: its writer (and ``readers`` readers), its managed or attached
    secret in Secrets Manager, the endpoint the stack outputs."""
    region = proof.stacks[stack]
    rds = aws.client("rds", region)
    [identifier] = _physical(aws, proof, stack, "AWS::RDS::DBCluster")
    [cluster] = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"]
    members = cluster["DBClusterMembers"]
    writers = [m for m in members if m["IsClusterWriter"]]
    assert len(writers) == 1, f"{identifier}: writers {writers}"
    assert len(members) - 1 == readers, f"{identifier}: {len(members) - 1} readers, not {readers}"
    outputs = proof.outputs[stack]
    assert outputs["DatabaseEndpoint"] == cluster["Endpoint"], "DatabaseEndpoint is not the cluster"
    secret = aws.client("secretsmanager", region).describe_secret(
        SecretId=outputs["DatabaseSecretArn"]
    )
    managed = (cluster.get("MasterUserSecret") or {}).get("SecretArn")
    assert managed in (None, secret["ARN"]), f"the output secret is not the cluster's {managed}"
    scaling = cluster.get("ServerlessV2ScalingConfiguration") or {}
    return (
        f"{identifier} ({cluster['Engine']} {cluster['EngineVersion']}, serverless v2 "
        f"{scaling.get('MinCapacity')}-{scaling.get('MaxCapacity')} ACU): writer "
        f"{writers[0]['DBInstanceIdentifier']}, {readers} readers, secret {secret['Name']}"
    )


def _my_word_press_check(aws: Aws, proof: DeployProof, stack: str = MY_WORD_PRESS) -> str:
    """The file system has a mount target in each AZ the instances run in, in a group that
    admits NFS only from the instances' group; its lifecycle policy (IA after the template's
    days) and the access point; TLS-only; the Aurora cluster with its writer and secret."""
    region = proof.stacks[stack]
    ec2, efs = aws.client("ec2", region), aws.client("efs", region)
    file_system_id = proof.outputs[stack]["FileSystemId"]
    [fs] = efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"]
    assert fs["Encrypted"], "the file system is not encrypted"
    asg, instance_groups = _web_group(aws, proof, stack)
    app_zones = {
        s["AvailabilityZone"]
        for s in ec2.describe_subnets(SubnetIds=asg["VPCZoneIdentifier"].split(","))["Subnets"]
    }
    targets = efs.describe_mount_targets(FileSystemId=file_system_id)["MountTargets"]
    target_zones = [t["AvailabilityZoneName"] for t in targets]
    assert sorted(target_zones) == sorted(set(target_zones)), (
        f"two mount targets in one AZ: {target_zones}"
    )
    assert app_zones <= set(target_zones), (
        f"instances in {sorted(app_zones)}, mount targets in {sorted(target_zones)}"
    )
    for target in targets:
        groups = efs.describe_mount_target_security_groups(MountTargetId=target["MountTargetId"])
        sources, cidrs = _ingress_sources(ec2, groups["SecurityGroups"], 2049)
        assert sources & instance_groups and not cidrs, (
            f"mount target {target['MountTargetId']} admits NFS from {sources | cidrs}, the "
            f"instances are in {instance_groups}"
        )
    [template] = [
        props
        for _, props, p in _resources(aws, proof, stack, "AWS::EFS::FileSystem")
        if p == file_system_id
    ]
    lifecycle = efs.describe_lifecycle_configuration(FileSystemId=file_system_id)
    policies = lifecycle["LifecyclePolicies"]
    wanted_ia = next(
        p["TransitionToIA"] for p in template["LifecyclePolicies"] if "TransitionToIA" in p
    )
    assert {"TransitionToIA": wanted_ia} in policies, f"lifecycle {policies}"
    points = efs.describe_access_points(FileSystemId=file_system_id)["AccessPoints"]
    assert len(points) == 1, f"access points {points}"
    [point] = points
    policy = json.loads(efs.describe_file_system_policy(FileSystemId=file_system_id)["Policy"])
    assert any(
        s["Effect"] == "Deny"
        and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        for s in policy["Statement"]
    ), "the file system admits clients without TLS"
    database = _cluster_with_writer(aws, proof, stack)
    return (
        f"{file_system_id}: a mount target in each of {sorted(target_zones)} admitting NFS from "
        f"the instances' group, {wanted_ia} to IA, access point {point['RootDirectory']['Path']} "
        f"(uid {point['PosixUser']['Uid']}), TLS only; {database}"
    )


def _target_group_attributes(aws: Aws, proof: DeployProof, stack: str) -> tuple[dict, dict]:
    """The Auto Scaling group and the attributes of the target group it registers into, which
    the load balancer's listener forwards to."""
    region = proof.stacks[stack]
    elbv2 = aws.client("elbv2", region)
    asg, _ = _web_group(aws, proof, stack)
    [lb_arn] = _physical(aws, proof, stack, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    [balancer] = elbv2.describe_load_balancers(LoadBalancerArns=[lb_arn])["LoadBalancers"]
    group_arn = _forwarded_target_group(elbv2, balancer)
    assert asg["TargetGroupARNs"] == [group_arn], f"{stack}: the ASG registers elsewhere"
    attributes = elbv2.describe_target_group_attributes(TargetGroupArn=group_arn)["Attributes"]
    return asg, {a["Key"]: a["Value"] for a in attributes}


def _my_clothes_stickiness_check(aws: Aws, proof: DeployProof) -> str:
    """v1: the multi-AZ group behind the load balancer, no stickiness (any instance serves any
    request); v2: the AWSALB cookie binds a user to one instance for the cart's lifetime."""
    details = []
    for stack, sticky in (("MyClothesV1", False), ("MyClothesV2", True)):
        asg, attributes = _target_group_attributes(aws, proof, stack)
        ec2 = aws.client("ec2", proof.stacks[stack])
        subnets = ec2.describe_subnets(SubnetIds=asg["VPCZoneIdentifier"].split(","))["Subnets"]
        zones = {s["AvailabilityZone"] for s in subnets}
        assert len(zones) >= 2, f"{stack}: the group spans {zones}"
        assert attributes.get("stickiness.enabled") == _text_bool(sticky), (
            f"{stack}: stickiness.enabled {attributes.get('stickiness.enabled')}"
        )
        if sticky:
            assert attributes.get("stickiness.type") == "lb_cookie", attributes
            seconds = attributes.get("stickiness.lb_cookie.duration_seconds")
            assert seconds == "86400", f"{stack}: the cookie lasts {seconds} s, not a day"
        details.append(
            f"{stack}: {asg['MinSize']}..{asg['MaxSize']} over {sorted(zones)}, stickiness "
            + (
                f"lb_cookie {attributes['stickiness.lb_cookie.duration_seconds']} s"
                if sticky
                else "off"
            )
        )
    return "; ".join(details)


def _text_bool(value: bool) -> str:
    return "true" if value else "false"


def _role_statements(aws: Aws, region: str, asg: dict) -> list[dict]:
    """Every statement of the inline policies of the role the group's instances run as."""
    spec = asg["LaunchTemplate"]
    data = aws.client("ec2", region).describe_launch_template_versions(
        LaunchTemplateId=spec["LaunchTemplateId"], Versions=[str(spec.get("Version", "$Default"))]
    )["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    iam = aws.client("iam")
    profile = data["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1]
    [role] = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"]
    statements = []
    for name in iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=name)
        document = document["PolicyDocument"]
        document = json.loads(document) if isinstance(document, str) else document
        found = document["Statement"]
        statements += found if isinstance(found, list) else [found]
    return statements


def _grants(statements: list[dict], action: str, resource: str) -> bool:
    def listed(value: Any) -> list:
        return value if isinstance(value, list) else [value]

    return any(
        s["Effect"] == "Allow"
        and action in listed(s.get("Action"))
        and resource in listed(s.get("Resource"))
        for s in statements
    )


def _my_clothes_session_check(aws: Aws, proof: DeployProof, stack: str = "MyClothesV3") -> str:
    """v3: the session table's TTL attribute is expires_at; a session put with an expires_at
    lands in it and reads back; the instances' role may put and get items there."""
    region = proof.stacks[stack]
    if "SessionCacheEndpoint" in proof.outputs[stack]:  # -c session_store=valkey
        return _my_clothes_cache_check(aws, proof, stack)
    dynamodb = aws.client("dynamodb", region)
    table = proof.outputs[stack]["SessionTableName"]
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl.get("TimeToLiveStatus") == "ENABLED", f"TTL {ttl}"
    assert ttl.get("AttributeName") == "expires_at", f"TTL on {ttl.get('AttributeName')}"
    described = dynamodb.describe_table(TableName=table)["Table"]
    [key] = [k["AttributeName"] for k in described["KeySchema"] if k["KeyType"] == "HASH"]
    session = f"deploy-proof-{uuid.uuid4().hex[:8]}"
    expires = int(time.time()) + 86400
    item = {key: {"S": session}, "cart": {"L": [{"S": "socks"}]}, "expires_at": {"N": str(expires)}}
    dynamodb.put_item(TableName=table, Item=item)
    try:
        stored = dynamodb.get_item(TableName=table, Key={key: {"S": session}}, ConsistentRead=True)
        assert stored.get("Item") == item, f"read back {stored.get('Item')}"
    finally:
        dynamodb.delete_item(TableName=table, Key={key: {"S": session}})
    asg, _ = _web_group(aws, proof, stack)
    statements = _role_statements(aws, region, asg)
    for action in ("dynamodb:PutItem", "dynamodb:GetItem"):
        assert _grants(statements, action, described["TableArn"]), (
            f"the instances' role has no {action} on {described['TableArn']}"
        )
    return (
        f"put {key}={session} with expires_at {expires} into {table} (TTL on expires_at), read "
        "back; the instances' role may put and get there (moto never expires items)"
    )


def _my_clothes_cache_check(aws: Aws, proof: DeployProof, stack: str) -> str:
    """v3 with ``-c session_store=valkey``: the replication group the stack names, encrypted
    at rest and in transit (TLS required), AUTH on; the instances' role may read its token."""
    region = proof.stacks[stack]
    [identifier] = _physical(aws, proof, stack, "AWS::ElastiCache::ReplicationGroup")
    [group] = aws.client("elasticache", region).describe_replication_groups(
        ReplicationGroupId=identifier
    )["ReplicationGroups"]
    primary = group["NodeGroups"][0]["PrimaryEndpoint"]["Address"]
    assert proof.outputs[stack]["SessionCacheEndpoint"] == primary, (
        "the endpoint is not the group's"
    )
    assert group["AtRestEncryptionEnabled"] and group["TransitEncryptionEnabled"], group
    assert group.get("TransitEncryptionMode") == "required" and group["AuthTokenEnabled"], group
    [token] = _physical(aws, proof, stack, "AWS::SecretsManager::Secret")
    asg, _ = _web_group(aws, proof, stack)
    assert _grants(_role_statements(aws, region, asg), "secretsmanager:GetSecretValue", token), (
        f"the instances' role cannot read the AUTH token {token}"
    )
    return f"{identifier} ({group['Engine']}): TLS required, AUTH on, at {primary}"


def _my_clothes_database_check(aws: Aws, proof: DeployProof) -> str:
    """v4/v5: the Aurora cluster has its writer (sandbox: no reader) and its secret, which the
    instances' role may read; v4's database admits the VPC's whole range (the problem it
    leaves), v5's only the instances' own security group (the chain)."""
    details = []
    for stack in ("MyClothesV4", "MyClothesV5"):
        region = proof.stacks[stack]
        ec2, rds = aws.client("ec2", region), aws.client("rds", region)
        details.append(_cluster_with_writer(aws, proof, stack))
        [identifier] = _physical(aws, proof, stack, "AWS::RDS::DBCluster")
        [cluster] = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"]
        groups = [g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]]
        sources, cidrs = _ingress_sources(ec2, groups, int(cluster["Port"]))
        asg, instance_groups = _web_group(aws, proof, stack)
        [vpc_id] = _physical(aws, proof, stack, "AWS::EC2::VPC")
        vpc_cidr = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["CidrBlock"]
        if stack == "MyClothesV4":
            assert cidrs == {vpc_cidr} and not sources, (
                f"{stack}: the database admits {sources | cidrs}, not the VPC range {vpc_cidr}"
            )
        else:
            assert sources and sources <= instance_groups and not cidrs, (
                f"{stack}: the database admits {sources | cidrs}, not only the instances' "
                f"group {instance_groups}"
            )
        secret = proof.outputs[stack]["DatabaseSecretArn"]
        assert _grants(
            _role_statements(aws, region, asg), "secretsmanager:GetSecretValue", secret
        ), f"{stack}: the instances' role cannot read {secret}"
        details.append(f"port {cluster['Port']} from {sorted(sources | cidrs)}")
    return "; ".join(details)


proof_templates: dict[str, dict] = {}

WITT_EIPS = (
    "what is the time v1-v3: each Elastic IP on its own public instance, v2 resized, v3 scaled out"
)
WITT_DNS = "what is the time v4: the private zone's A record is the instances' addresses, TTL 1 h"
WITT_ALIAS = (
    "what is the time v5-v7: the alias is the load balancer's, its target group holds the "
    "instances (v5) / the ASG's (v6 one AZ, v7 every AZ)"
)
MY_CLOTHES_STICKINESS = (
    "my clothes v1-v2: the multi-AZ group behind the load balancer, v2's stickiness cookie for "
    "a day"
)
MY_CLOTHES_SESSIONS = (
    "my clothes v3: a session with expires_at lands in the table whose TTL attribute it is"
)
MY_CLOTHES_DATABASE = (
    "my clothes v4-v5: the Aurora writer and its secret; v4 admits the VPC range, v5 only the "
    "instances' group"
)
MY_WORD_PRESS_CHECK = (
    "my word press: a mount target per AZ admitting the instances, lifecycle policy, access "
    "point; the Aurora writer and its secret"
)

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
    "queue worker: ESM with batch item failures, a message received maxReceiveCount times "
    "lands in the DLQ": ("QueueWorker",),
    "queue worker (FIFO): duplicates dropped, group order kept, redrive to the FIFO DLQ": (
        "QueueWorkerFifo",
    ),
    "fan-out: each queue gets what its filter policy admits, raw or wrapped; S3 notifies the "
    "topic": ("FanOut",),
    "streaming: Kinesis record, Firehose to the S3 prefix the Glue table reads, Athena work "
    "group": ("StreamingIngestion",),
    "data protection: versions and delete marker kept, replication names the replica region": (
        "DataProtection",
        "DataProtectionReplica-us-west-2",
    ),
    WITT_EIPS: WHAT_IS_THE_TIME[:3],
    WITT_DNS: ("WhatIsTheTimeV4",),
    WITT_ALIAS: WHAT_IS_THE_TIME[4:],
    MY_WORD_PRESS_CHECK: (MY_WORD_PRESS,),
    MY_CLOTHES_STICKINESS: MY_CLOTHES[:2],
    MY_CLOTHES_SESSIONS: ("MyClothesV3",),
    MY_CLOTHES_DATABASE: MY_CLOTHES[3:],
}

# Checks that change what the coverage reads (a mapping paused, messages in flight): run after it.
AFTER_COVERAGE = {
    name
    for name, stacks in ARCHITECTURE_CHECKS.items()
    if set(stacks) & {"QueueWorker", "QueueWorkerFifo", "FanOut"}
}


def _architecture_checks(aws: Aws, proof: DeployProof, *, after_coverage: bool) -> None:
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
        "queue worker: ESM with batch item failures, a message received maxReceiveCount times "
        "lands in the DLQ": lambda: _queue_worker_check(aws, proof, "QueueWorker", fifo=False),
        "queue worker (FIFO): duplicates dropped, group order kept, redrive to the FIFO DLQ": (
            lambda: _queue_worker_check(aws, proof, "QueueWorkerFifo", fifo=True)
        ),
        "fan-out: each queue gets what its filter policy admits, raw or wrapped; S3 notifies the "
        "topic": lambda: _fan_out_check(aws, proof),
        "streaming: Kinesis record, Firehose to the S3 prefix the Glue table reads, Athena work "
        "group": lambda: _streaming_check(aws, proof),
        "data protection: versions and delete marker kept, replication names the replica region": (
            lambda: _data_protection_check(aws, proof)
        ),
        WITT_EIPS: lambda: _what_is_the_time_eip_check(aws, proof),
        WITT_DNS: lambda: _what_is_the_time_dns_check(aws, proof),
        WITT_ALIAS: lambda: _what_is_the_time_alias_check(aws, proof),
        MY_WORD_PRESS_CHECK: lambda: _my_word_press_check(aws, proof),
        MY_CLOTHES_STICKINESS: lambda: _my_clothes_stickiness_check(aws, proof),
        MY_CLOTHES_SESSIONS: lambda: _my_clothes_session_check(aws, proof),
        MY_CLOTHES_DATABASE: lambda: _my_clothes_database_check(aws, proof),
    }
    chosen = [
        (name, run)
        for name, run in runs.items()
        if (name in AFTER_COVERAGE) == after_coverage
        and all(stack in proof.stacks for stack in ARCHITECTURE_CHECKS[name])
    ]
    if not after_coverage:  # one after the other (the CRUD check sets os.environ meanwhile)
        for name, run in chosen:
            _run_check(proof, name, run)
        return
    # each on its own stacks, I/O-bound: at once
    with ThreadPoolExecutor(max_workers=max(len(chosen), 1)) as pool:
        list(pool.map(lambda item: _run_check(proof, *item), chosen))


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
    ("EFS file system", "efs", "describe_file_systems", "FileSystems", "FileSystemId"),
    (
        "cache replication group",
        "elasticache",
        "describe_replication_groups",
        "ReplicationGroups",
        "ReplicationGroupId",
    ),
    (
        "cache subnet group",
        "elasticache",
        "describe_cache_subnet_groups",
        "CacheSubnetGroups",
        "CacheSubnetGroupName",
    ),
    ("EFS access point", "efs", "describe_access_points", "AccessPoints", "AccessPointId"),
    (
        "DB cluster parameter group",
        "rds",
        "describe_db_cluster_parameter_groups",
        "DBClusterParameterGroups",
        "DBClusterParameterGroupName",
    ),
)

# The same, for listings that leave their key out when empty.
_OPTIONAL_LISTINGS = (
    ("queue", "sqs", "list_queues", "QueueUrls", None),
    ("topic", "sns", "list_topics", "Topics", "TopicArn"),
    ("subscription", "sns", "list_subscriptions", "Subscriptions", "SubscriptionArn"),
    ("event source mapping", "lambda", "list_event_source_mappings", "EventSourceMappings", "UUID"),
    ("alarm", "cloudwatch", "describe_alarms", "MetricAlarms", "AlarmName"),
    ("Kinesis stream", "kinesis", "list_streams", "StreamNames", None),
    ("delivery stream", "firehose", "list_delivery_streams", "DeliveryStreamNames", None),
    ("Glue database", "glue", "get_databases", "DatabaseList", "Name"),
    ("Athena work group", "athena", "list_work_groups", "WorkGroups", "Name"),
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
            # moto makes AWS-managed default keys (aws/ebs, aws/dynamodb, aws/secretsmanager for
            # an RDS-managed secret, ...) on first use and labels them CUSTOMER; AWS keeps its
            # own too, so they are not the stacks' leftovers.
            if meta.get("Description", "").startswith(("Default master key", "Default key")):
                continue
            if meta["KeyManager"] == "CUSTOMER" and meta["KeyState"] not in (
                "PendingDeletion",
                "Disabled",
            ):
                found.append(f"{region} KMS key {key['KeyId']} ({meta.get('Description', '')})")
    for region in sorted(regions):
        for label, service, call, key, name in _OPTIONAL_LISTINGS:
            items = getattr(aws.client(service, region), call)().get(key, [])
            found += [
                f"{region} {label} {x if name is None else x[name]}"
                for x in items
                if not (label == "Athena work group" and x[name] == "primary")
            ]
    route53 = aws.client("route53")
    found += [
        f"hosted zone {z['Name']} ({z['Id']})" for z in route53.list_hosted_zones()["HostedZones"]
    ]
    found += [f"health check {c['Id']}" for c in route53.list_health_checks()["HealthChecks"]]
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

    memos: dict[tuple[str, str], dict] = {}
    memo_lock = threading.Lock()

    def client(service: str, region: str) -> Any:
        if service not in _STATIC_SERVICES:
            return aws.client(service, region)
        with memo_lock:
            memo = memos.setdefault((service, region), {})
        return ReadOnce(aws.client(service, region), memo, memo_lock)

    def cover(stack: str) -> list[coverage.ResourceCoverage]:
        region = proof.stacks[stack]
        deployed = coverage.Deployed(
            stack,
            region,
            proof_templates[stack],
            _physical_ids(aws, stack, region),
            lambda service, region=region: client(service, region),
        )
        return coverage.cover(deployed)

    # The service-API reads are I/O-bound: one thread per stack, plus the checks.
    with ThreadPoolExecutor(max_workers=len(proof.stacks) + 1) as pool:
        checks = pool.submit(_architecture_checks, aws, proof, after_coverage=False)
        rows = list(pool.map(cover, proof.stacks))
        checks.result()
    # these pause event source mappings and send messages: not while the coverage reads them
    _architecture_checks(aws, proof, after_coverage=True)
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
    """S3AutoDeleteObjects: its bucket (the one its BucketName names, resolved at coverage) is
    gone after destroy (classed by coverage.on_destroy: moto's own model when aws-cdk-lib's
    handler emptied it)."""
    for row in proof.coverage:
        if row.type not in coverage.VERIFIED_ON_DESTROY:
            continue
        bucket = row.target or proof.outputs.get(row.stack, {}).get("BucketName")
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
