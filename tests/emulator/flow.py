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
            # moto makes AWS-managed default keys (aws/ebs, aws/dynamodb, ...) on first use and
            # labels them CUSTOMER; AWS keeps its own too, so they are not the stacks' leftovers.
            if meta.get("Description", "").startswith("Default master key"):
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
