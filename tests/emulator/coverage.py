"""Deploy coverage: every resource of every deployed template, read back through a service API,
compared with its template, and classed by *who produced the state that was compared*.

Classes (exactly one per resource; only the first counts as verified against moto):

- ``verified against moto's own model``: every property the verifier compared was produced by
  moto's own code from the deployment's API calls: moto's CloudFormation model of the type, or
  moto's backend methods called by an extension with the template's properties (the extension
  maps; moto's model stores and serves). A custom resource listed in ``stubs.HANDLERS_RUN``
  counts here: aws-cdk-lib's own handler made the API calls against moto.
- ``verified against this project's emulation``: part of the compared state was written by an
  extension in ``extensions.py`` (an attribute set on moto's object, a value it composed, a
  custom resource's work done in its place); the row names what the extension supplies.
- ``existence only``: the resource was read back, but no template property could be compared.
- ``not emulated (stub)``: ``stubs.STUB_TYPES``: ids only, never verified.

Failures (the deploy proof fails on any): ``mismatch`` (read back and different), ``missing``
(not found, or its read-back failed), ``created-not-verified`` (a type without a verifier).

A template property moto's own model ignores (``MOTO_IGNORES``) is not compared (moto serves its
default, not the deployment's value); an intrinsic that cannot be resolved from the deployed
state (a stub's attribute, a parameter) is not compared either. Both are listed per resource
(``ResourceCoverage.skipped``), never guessed.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import re
import string
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.emulator import stubs
from tests.emulator.stubs import STUB_TYPES

UNRESOLVED = object()

VERIFIED_MOTO = "verified against moto's own model"
VERIFIED_EMULATION = "verified against this project's emulation"
EXISTENCE_ONLY = "existence only"
NOT_EMULATED = "not emulated (stub)"
MISMATCH = "mismatch"
MISSING = "missing"
NOT_VERIFIED = "created-not-verified"
CLASSES = (VERIFIED_MOTO, VERIFIED_EMULATION, EXISTENCE_ONLY, NOT_EMULATED)
FAILURES = (MISMATCH, MISSING, NOT_VERIFIED)

# Template properties moto 5.2.5's own CloudFormation models ignore: the read-back is moto's
# default, not the deployment's value, so comparing would only compare moto's default. Not
# compared, and listed on every resource that sets one. An extension that makes moto honour
# one (through moto's backend) removes its entry here; the comparison is already written.
MOTO_IGNORES: dict[tuple[str, str], str] = {
    ("AWS::IAM::Role", "ManagedPolicyArns"): (
        "moto 5.2.5's Role model never attaches them (ListAttachedRolePolicies is empty)"
    ),
    ("AWS::Lambda::Function", "Architectures"): (
        "moto 5.2.5's Function model drops it (reads back its default, x86_64)"
    ),
    ("AWS::Lambda::Function", "TracingConfig"): (
        "moto 5.2.5's Function model drops it (reads back its default, PassThrough)"
    ),
    ("AWS::EC2::InternetGateway", "Tags"): (
        "moto 5.2.5's InternetGateway model drops the template's tags"
    ),
    ("AWS::S3::Bucket", "ReplicationConfiguration.Rules[].DeleteMarkerReplication"): (
        "moto 5.2.5 stores it but its GetBucketReplication always serves Disabled"
    ),
    ("AWS::S3::Bucket", "ReplicationConfiguration.Rules[].Filter"): (
        "moto 5.2.5 stores it but its GetBucketReplication always serves Prefix ''"
    ),
    ("AWS::ElastiCache::ReplicationGroup", "NumCacheClusters"): (
        "moto 5.2.5's CreateReplicationGroup makes 1 + ReplicasPerNodeGroup member clusters, "
        "whatever NumCacheClusters says"
    ),
    ("AWS::SNS::Topic", "Tags"): (
        "moto 5.2.5's Topic model keeps them as a plain attribute: ListTagsForResource is empty"
    ),
}

# Fn::GetAtt values moto's CloudFormation hands out in another form than AWS documents. The
# resolver uses moto's form (what the deployment really received), read back from the service.
GETATT_MOTO_FORM: dict[tuple[str, str], str] = {
    ("AWS::Logs::LogGroup", "Arn"): (
        "moto: arn:aws:logs:<region>:<account>:log-group:<name> (DescribeLogGroups' logGroupArn);"
        " AWS documents the same ARN with a trailing ':*'"
    ),
}


@dataclass
class ResourceCoverage:
    stack: str
    logical_id: str
    type: str
    status: str
    detail: str = ""
    # what an extension wrote that the comparison read (VERIFIED_EMULATION only)
    supplied: list[str] = field(default_factory=list)
    # template properties not compared, each with the reason
    skipped: list[str] = field(default_factory=list)
    # VERIFIED_ON_DESTROY: what is checked after destroy (the auto-deleted bucket's name)
    target: str = ""


class Mismatch(AssertionError):
    pass


@dataclass
class Notes:
    """What one verifier run found out about the provenance of what it compared."""

    supplied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    existence: str = ""

    def status(self) -> str:
        if self.existence:
            return EXISTENCE_ONLY
        return VERIFIED_EMULATION if self.supplied else VERIFIED_MOTO


_PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


@dataclass
class Deployed:
    """One deployed stack: its template, its resources' physical ids and the API clients."""

    name: str
    region: str
    template: dict
    physical: dict[str, str | None]
    client: Callable[[str], Any]
    account: str = "123456789012"
    moto_ignores: dict[tuple[str, str], str] = field(default_factory=lambda: dict(MOTO_IGNORES))
    handlers_run: set[str] = field(default_factory=lambda: set(stubs.HANDLERS_RUN))
    notes: Notes = field(default_factory=Notes, init=False, repr=False)
    _attributes: dict[tuple[str, str], Any] = field(default_factory=dict, init=False, repr=False)

    # --- per-resource provenance, recorded by the verifiers --------------------------------
    def begin(self) -> Notes:
        self.notes = Notes()
        return self.notes

    def from_extension(self, what: str) -> None:
        """The comparison just made read state an extension wrote (not moto's own model)."""
        if what not in self.notes.supplied:
            self.notes.supplied.append(what)

    def existence_only(self, why: str) -> None:
        self.notes.existence = why

    def skip(self, what: str) -> None:
        if what not in self.notes.skipped:
            self.notes.skipped.append(what)

    def modelled(self, rtype: str, prop: str) -> bool:
        """False (and noted) when moto's own model ignores this template property."""
        reason = self.moto_ignores.get((rtype, prop))
        if reason:
            self.skip(f"{prop}: {reason}")
        return reason is None

    def custom(self, rtype: str, what_the_extension_does: str) -> None:
        """A custom resource: moto's own model when aws-cdk-lib's handler ran, else emulation."""
        if rtype not in self.handlers_run:
            self.from_extension(what_the_extension_does)

    # --- template and references -----------------------------------------------------------
    def props(self, logical_id: str) -> dict[str, Any]:
        return self.template["Resources"][logical_id].get("Properties", {})

    def type_of(self, logical_id: str) -> str | None:
        return self.template.get("Resources", {}).get(logical_id, {}).get("Type")

    def _unresolved(self, what: str) -> Any:
        self.skip(f"{what}: not resolvable from the deployed state, not compared")
        return UNRESOLVED

    def resolve(self, value: Any) -> Any:
        """Ref, Fn::GetAtt (read back from the service: GET_ATTS), Fn::Join, Fn::Sub,
        Fn::Select, Fn::Split, Fn::Base64 and the pseudo parameters; anything else (and any
        intrinsic over an unresolvable part) is UNRESOLVED, and noted as not compared."""
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, arg),) = value.items()
                if key == "Ref":
                    return self._ref(arg)
                if key.startswith("Fn::"):
                    return self._intrinsic(key, arg)
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value

    def _ref(self, name: str) -> Any:
        pseudo = dict(
            _PSEUDO,
            **{
                "AWS::Region": self.region,
                "AWS::AccountId": self.account,
                "AWS::StackName": self.name,
            },
        )
        if name in pseudo:
            return pseudo[name]
        if name == "AWS::StackId":
            return self.stack_id()
        if name in self.template.get("Parameters", {}):
            return self._unresolved(f"Ref {name} (a template parameter)")
        physical = self.physical.get(name)
        if physical is None:
            return self._unresolved(f"Ref {name}")
        return physical

    def stack_id(self) -> str:
        """``AWS::StackId``: this deployed stack's id, read back from CloudFormation (the id
        moto's CreateStack gave it), once."""
        key = ("AWS::StackId", "")
        if key not in self._attributes:
            try:
                [stack] = self.client("cloudformation").describe_stacks(StackName=self.name)[
                    "Stacks"
                ]
            except Exception as error:  # noqa: BLE001 - a failed read is the finding
                raise RuntimeError(f"reading back Ref AWS::StackId: {error}") from error
            self._attributes[key] = stack["StackId"]
        return self._attributes[key]

    def _intrinsic(self, key: str, arg: Any) -> Any:
        if key == "Fn::GetAtt":
            logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
            return self.get_att(logical, attribute)
        if key == "Fn::Join":
            separator, parts = arg
            parts = self.resolve(parts)
            if parts is UNRESOLVED or any(part is UNRESOLVED for part in parts):
                return UNRESOLVED
            return separator.join(str(part) for part in parts)
        if key == "Fn::Sub":
            return self._sub(arg)
        if key == "Fn::Select":
            index, items = self.resolve(arg[0]), self.resolve(arg[1])
            if index is UNRESOLVED or items is UNRESOLVED:
                return UNRESOLVED
            return items[int(index)]
        if key == "Fn::Split":
            separator, text = arg[0], self.resolve(arg[1])
            return UNRESOLVED if text is UNRESOLVED else text.split(separator)
        if key == "Fn::Base64":
            text = self.resolve(arg)
            return UNRESOLVED if text is UNRESOLVED else base64.b64encode(text.encode()).decode()
        return self._unresolved(key)

    def _sub(self, arg: Any) -> Any:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        failed = False

        def replace(match: re.Match) -> str:
            nonlocal failed
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = self.resolve(variables[name])
            elif "." in name and not name.startswith("AWS::"):
                value = self.get_att(*name.split(".", 1))
            else:
                value = self._ref(name)
            if value is UNRESOLVED:
                failed = True
                return ""
            return str(value)

        resolved = re.sub(r"\$\{([^}]+)\}", replace, text)
        return UNRESOLVED if failed else resolved

    def get_att(self, logical: str, attribute: str) -> Any:
        key = (logical, attribute)
        what = f"Fn::GetAtt {logical}.{attribute}"
        if key not in self._attributes:
            rtype, physical = self.type_of(logical), self.physical.get(logical)
            getter = GET_ATTS.get((rtype or "", attribute))
            if rtype in STUB_TYPES:
                value = UNRESOLVED  # a stub's attributes are made up: nothing to read back
            elif getter is None or physical is None:
                value = UNRESOLVED
            else:
                try:
                    value = getter(self, physical)
                except Exception as error:  # noqa: BLE001 - a failed read is the finding
                    raise RuntimeError(f"reading back {what}: {error}") from error
            self._attributes[key] = value
        value = self._attributes[key]
        if value is UNRESOLVED:
            detail = "of a stub" if self.type_of(logical) in STUB_TYPES else "no read-back"
            return self._unresolved(f"{what} ({detail})")
        return value


# ------------------------------------------------------------------ Fn::GetAtt read-backs
# (type, attribute) -> read the attribute back from the service, given the physical id.
def _s3_arn(d: Deployed, name: str) -> str:
    d.client("s3").head_bucket(Bucket=name)
    return f"arn:aws:s3:::{name}"  # an S3 ARN is its bucket name: no API returns it


def _bucket_region(d: Deployed, name: str) -> str:
    return d.client("s3").get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"


def _log_group_arn(d: Deployed, name: str) -> str:
    groups = d.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next(g for g in groups if g["logGroupName"] == name)["logGroupArn"]


def _db_cluster(d: Deployed, identifier: str) -> dict:
    return d.client("rds").describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]


def _default_security_group(d: Deployed, vpc_id: str) -> str:
    groups = d.client("ec2").describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    return groups[0]["GroupId"]


GET_ATTS: dict[tuple[str, str], Callable[[Deployed, str], Any]] = {
    ("AWS::IAM::Role", "Arn"): lambda d, p: d.client("iam").get_role(RoleName=p)["Role"]["Arn"],
    ("AWS::IAM::Role", "RoleId"): lambda d, p: d.client("iam").get_role(RoleName=p)["Role"][
        "RoleId"
    ],
    ("AWS::IAM::InstanceProfile", "Arn"): lambda d, p: d.client("iam").get_instance_profile(
        InstanceProfileName=p
    )["InstanceProfile"]["Arn"],
    ("AWS::DynamoDB::Table", "Arn"): lambda d, p: d.client("dynamodb").describe_table(TableName=p)[
        "Table"
    ]["TableArn"],
    ("AWS::DynamoDB::Table", "StreamArn"): lambda d, p: d.client("dynamodb").describe_table(
        TableName=p
    )["Table"]["LatestStreamArn"],
    ("AWS::S3::Bucket", "Arn"): _s3_arn,
    ("AWS::S3::Bucket", "DomainName"): lambda d, p: _s3_arn(d, p) and f"{p}.s3.amazonaws.com",
    ("AWS::S3::Bucket", "RegionalDomainName"): lambda d, p: (
        f"{p}.s3.{_bucket_region(d, p)}.amazonaws.com"
    ),
    ("AWS::Logs::LogGroup", "Arn"): _log_group_arn,
    ("AWS::Lambda::Function", "Arn"): lambda d, p: d.client("lambda").get_function_configuration(
        FunctionName=p
    )["FunctionArn"],
    ("AWS::KMS::Key", "Arn"): lambda d, p: d.client("kms").describe_key(KeyId=p)["KeyMetadata"][
        "Arn"
    ],
    ("AWS::KMS::Key", "KeyId"): lambda d, p: d.client("kms").describe_key(KeyId=p)["KeyMetadata"][
        "KeyId"
    ],
    ("AWS::EC2::VPC", "DefaultSecurityGroup"): _default_security_group,
    ("AWS::EC2::VPC", "CidrBlock"): lambda d, p: d.client("ec2").describe_vpcs(VpcIds=[p])["Vpcs"][
        0
    ]["CidrBlock"],
    # moto's (and AWS's) physical id of a VPC security group is its group id
    ("AWS::EC2::SecurityGroup", "GroupId"): lambda d, p: p,
    ("AWS::EC2::EIP", "AllocationId"): lambda d, p: d.client("ec2").describe_addresses(
        PublicIps=[p]
    )["Addresses"][0]["AllocationId"],
    ("AWS::EC2::LaunchTemplate", "LatestVersionNumber"): lambda d, p: str(
        d.client("ec2").describe_launch_templates(LaunchTemplateIds=[p])["LaunchTemplates"][0][
            "LatestVersionNumber"
        ]
    ),
    ("AWS::ApiGateway::RestApi", "RootResourceId"): lambda d, p: d.client(
        "apigateway"
    ).get_rest_api(restApiId=p)["rootResourceId"],
    ("AWS::CloudFront::OriginAccessControl", "Id"): lambda d, p: d.client(
        "cloudfront"
    ).get_origin_access_control(Id=p)["OriginAccessControl"]["Id"],
    ("AWS::CloudFront::Distribution", "DomainName"): lambda d, p: d.client(
        "cloudfront"
    ).get_distribution(Id=p)["Distribution"]["DomainName"],
    ("AWS::RDS::DBCluster", "Endpoint.Address"): lambda d, p: _db_cluster(d, p)["Endpoint"],
    ("AWS::RDS::DBCluster", "Endpoint.Port"): lambda d, p: str(_db_cluster(d, p)["Port"]),
    ("AWS::RDS::DBCluster", "ReadEndpoint.Address"): lambda d, p: _db_cluster(d, p)[
        "ReaderEndpoint"
    ],
    ("AWS::RDS::DBCluster", "DBClusterArn"): lambda d, p: _db_cluster(d, p)["DBClusterArn"],
    ("AWS::SQS::Queue", "Arn"): lambda d, p: d.client("sqs").get_queue_attributes(
        QueueUrl=p, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"],
    ("AWS::SQS::Queue", "QueueName"): lambda d, p: (
        d.client("sqs")
        .get_queue_attributes(QueueUrl=p, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        .rsplit(":", 1)[-1]
    ),
    ("AWS::SQS::Queue", "QueueUrl"): lambda d, p: d.client("sqs").get_queue_url(
        QueueName=p.rstrip("/").rsplit("/", 1)[-1]
    )["QueueUrl"],
    ("AWS::SNS::Topic", "TopicArn"): lambda d, p: d.client("sns").get_topic_attributes(TopicArn=p)[
        "Attributes"
    ]["TopicArn"],
    ("AWS::SNS::Topic", "TopicName"): lambda d, p: (
        d.client("sns")
        .get_topic_attributes(TopicArn=p)["Attributes"]["TopicArn"]
        .rsplit(":", 1)[-1]
    ),
    ("AWS::Kinesis::Stream", "Arn"): lambda d, p: d.client("kinesis").describe_stream_summary(
        StreamName=p
    )["StreamDescriptionSummary"]["StreamARN"],
    ("AWS::KinesisFirehose::DeliveryStream", "Arn"): lambda d, p: d.client(
        "firehose"
    ).describe_delivery_stream(DeliveryStreamName=p)["DeliveryStreamDescription"][
        "DeliveryStreamARN"
    ],
    ("AWS::CloudWatch::Alarm", "Arn"): lambda d, p: d.client("cloudwatch").describe_alarms(
        AlarmNames=[p]
    )["MetricAlarms"][0]["AlarmArn"],
    ("AWS::Lambda::EventSourceMapping", "EventSourceMappingArn"): lambda d, p: d.client(
        "lambda"
    ).get_event_source_mapping(UUID=p)["EventSourceMappingArn"],
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "DNSName"): lambda d, p: d.client(
        "elbv2"
    ).describe_load_balancers(LoadBalancerArns=[p])["LoadBalancers"][0]["DNSName"],
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "CanonicalHostedZoneID"): lambda d, p: d.client(
        "elbv2"
    ).describe_load_balancers(LoadBalancerArns=[p])["LoadBalancers"][0]["CanonicalHostedZoneId"],
    ("AWS::EC2::Instance", "PublicIp"): lambda d, p: _ec2_instance(d, p).get("PublicIpAddress"),
    ("AWS::EC2::Instance", "PrivateIp"): lambda d, p: _ec2_instance(d, p).get("PrivateIpAddress"),
    ("AWS::EC2::Instance", "AvailabilityZone"): lambda d, p: _ec2_instance(d, p)["Placement"][
        "AvailabilityZone"
    ],
    # an EIP's physical id is its address; read back to prove it exists
    ("AWS::EC2::EIP", "PublicIp"): lambda d, p: d.client("ec2").describe_addresses(PublicIps=[p])[
        "Addresses"
    ][0]["PublicIp"],
    ("AWS::RDS::DBCluster", "MasterUserSecret.SecretArn"): lambda d, p: _db_cluster(d, p)[
        "MasterUserSecret"
    ]["SecretArn"],
    ("AWS::EFS::FileSystem", "Arn"): lambda d, p: d.client("efs").describe_file_systems(
        FileSystemId=p
    )["FileSystems"][0]["FileSystemArn"],
    ("AWS::EFS::FileSystem", "FileSystemId"): lambda d, p: d.client("efs").describe_file_systems(
        FileSystemId=p
    )["FileSystems"][0]["FileSystemId"],
    ("AWS::EFS::AccessPoint", "Arn"): lambda d, p: d.client("efs").describe_access_points(
        AccessPointId=p
    )["AccessPoints"][0]["AccessPointArn"],
    ("AWS::EFS::AccessPoint", "AccessPointId"): lambda d, p: d.client("efs").describe_access_points(
        AccessPointId=p
    )["AccessPoints"][0]["AccessPointId"],
    ("AWS::ElastiCache::ReplicationGroup", "PrimaryEndPoint.Address"): lambda d, p: d.client(
        "elasticache"
    ).describe_replication_groups(ReplicationGroupId=p)["ReplicationGroups"][0]["NodeGroups"][0][
        "PrimaryEndpoint"
    ]["Address"],
    ("AWS::ElastiCache::ReplicationGroup", "PrimaryEndPoint.Port"): lambda d, p: str(
        d.client("elasticache").describe_replication_groups(ReplicationGroupId=p)[
            "ReplicationGroups"
        ][0]["NodeGroups"][0]["PrimaryEndpoint"]["Port"]
    ),
    ("AWS::Route53::HostedZone", "Id"): lambda d, p: (
        d.client("route53").get_hosted_zone(Id=p)["HostedZone"]["Id"].rsplit("/", 1)[-1]
    ),
}


def _ec2_instance(d: Deployed, instance_id: str) -> dict:
    reservations = d.client("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
    return reservations[0]["Instances"][0]


# ------------------------------------------------------------------------- comparisons
def _fmt(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=lambda o: "<unresolved>")


def _matches(wanted: Any, actual: Any, ordered: bool = True) -> bool:
    """Equal, where an UNRESOLVED part of ``wanted`` matches anything (it is not compared)."""
    if wanted is UNRESOLVED:
        return True
    if isinstance(wanted, dict):
        return (
            isinstance(actual, dict)
            and wanted.keys() == actual.keys()
            and all(_matches(wanted[k], actual[k], ordered) for k in wanted)
        )
    if isinstance(wanted, list):
        if not isinstance(actual, list) or len(wanted) != len(actual):
            return False
        if ordered:
            return all(_matches(w, a, ordered) for w, a in zip(wanted, actual, strict=True))
        return _assign(wanted, actual)
    return wanted == actual


def _assign(wanted: list, actual: list) -> bool:
    """Each item of ``wanted`` matched to its own item of ``actual`` (a multiset match)."""

    def place(index: int, used: frozenset[int]) -> bool:
        if index == len(wanted):
            return True
        return any(
            place(index + 1, used | {j})
            for j, item in enumerate(actual)
            if j not in used and _matches(wanted[index], item, ordered=False)
        )

    return len(wanted) == len(actual) and place(0, frozenset())


def _unresolved_in(value: Any) -> bool:
    if value is UNRESOLVED:
        return True
    if isinstance(value, dict):
        return any(_unresolved_in(v) for v in value.values())
    if isinstance(value, list):
        return any(_unresolved_in(v) for v in value)
    return False


def expect(what: str, actual: Any, wanted: Any) -> None:
    """Compare one read-back value with the template's; the template's unresolvable parts
    (UNRESOLVED, noted by the resolver) are not compared, everything else must be equal."""
    if not _matches(wanted, actual):
        raise Mismatch(f"{what}: read back {actual!r}, template says {_fmt(wanted)}")


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _values(value: Any) -> Any:
    """A scalar-or-list policy field as a sorted list (UNRESOLVED items last)."""
    if value is UNRESOLVED:
        return UNRESOLVED
    items = _as_list(value)
    return sorted(items, key=lambda x: (x is UNRESOLVED, _fmt(x)))


def _principal(value: Any) -> Any:
    if value is UNRESOLVED:
        return UNRESOLVED
    if value == "*":
        return {"AWS": ["*"]}
    if isinstance(value, str):  # Lambda permissions name a bare principal
        if value.endswith((".amazonaws.com", ".amazonaws.com.cn")):
            return {"Service": [value]}
        return {"AWS": [value]}
    return {kind: _values(ids) for kind, ids in value.items()}


def _statement(statement: dict) -> dict:
    """One policy statement in a normal form: lists sorted, principal as {kind: [ids]},
    condition keys lower-cased (IAM compares them case-insensitively); Sid left out."""
    out: dict[str, Any] = {"Effect": statement.get("Effect")}
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in statement:
            out[key] = _values(statement[key])
    for key in ("Principal", "NotPrincipal"):
        if key in statement:
            out[key] = _principal(statement[key])
    condition = statement.get("Condition")
    if condition:
        out["Condition"] = (
            UNRESOLVED
            if condition is UNRESOLVED
            else {
                operator: {k.lower(): _values(v) for k, v in body.items()}
                for operator, body in condition.items()
            }
        )
    return out


def _document(value: Any) -> dict:
    if isinstance(value, str):
        value = json.loads(value)
    return value


def expect_document(d: Deployed, what: str, actual: Any, wanted: Any) -> None:
    """A policy document read back against the template's, statement by statement: Effect,
    actions, resources, principals and conditions, in any order; references resolved from the
    deployed state (an unresolvable part is noted and matches anything, nothing else does)."""
    actual, wanted = _document(actual), d.resolve(_document(wanted))
    if "Version" in wanted:
        expect(f"{what} Version", actual.get("Version"), wanted["Version"])
    got = [_statement(s) for s in _as_list(actual.get("Statement"))]
    want = [_statement(s) for s in _as_list(wanted.get("Statement"))]
    if len(got) != len(want):
        raise Mismatch(f"{what}: {len(got)} statements read back, the template has {len(want)}")
    for statement in want:
        if not any(_matches(statement, g, ordered=False) for g in got):
            raise Mismatch(
                f"{what}: the template's statement {_fmt(statement)} is not in the read-back "
                f"{_fmt(got)}"
            )
    if not _assign(want, got):
        raise Mismatch(f"{what}: statements read back {_fmt(got)}, template says {_fmt(want)}")
    sids = [s["Sid"] for s in _as_list(wanted.get("Statement")) if "Sid" in s]
    got_sids = {s.get("Sid") for s in _as_list(actual.get("Statement"))}
    missing = [sid for sid in sids if sid not in got_sids]
    if missing:
        raise Mismatch(f"{what}: statements {missing} (by Sid) not read back")


def _tags(tags: list[dict] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags or []}


def expect_tags(what: str, actual: list[dict] | None, wanted: list[dict] | None) -> None:
    """The template's tags are on the resource (CloudFormation adds its own aws:* tags)."""
    got = _tags(actual)
    for key, value in _tags(wanted).items():
        expect(f"{what} tag {key}", got.get(key), value)


def expect_unordered(what: str, actual: list, wanted: Any) -> None:
    """Two lists equal as multisets (order is not part of what the template says)."""
    if not _matches(_values(wanted), _values(actual), ordered=False):
        raise Mismatch(
            f"{what}: read back {sorted(map(str, actual))}, template says {_fmt(wanted)}"
        )


# --------------------------------------------------------------------------- verifiers
# Each takes (deployed stack, logical id, physical id), raises Mismatch (or a ClientError) and
# records on ``d`` what an extension supplied (d.from_extension), what it could not compare
# (d.skip, d.modelled) or that it checked existence only (d.existence_only).
def _vpc(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    ec2 = d.client("ec2")
    vpc = ec2.describe_vpcs(VpcIds=[pid])["Vpcs"][0]
    expect("CidrBlock", vpc["CidrBlock"], p["CidrBlock"])
    for attribute, key in (
        ("enableDnsHostnames", "EnableDnsHostnames"),
        ("enableDnsSupport", "EnableDnsSupport"),
    ):
        value = ec2.describe_vpc_attribute(VpcId=pid, Attribute=attribute)
        expect(key, value[key[0].upper() + key[1:]]["Value"], p.get(key, key == "EnableDnsSupport"))


def _subnet(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    subnet = d.client("ec2").describe_subnets(SubnetIds=[pid])["Subnets"][0]
    expect("CidrBlock", subnet["CidrBlock"], p["CidrBlock"])
    expect("VpcId", subnet["VpcId"], d.resolve(p["VpcId"]))
    expect(
        "MapPublicIpOnLaunch", subnet["MapPublicIpOnLaunch"], p.get("MapPublicIpOnLaunch", False)
    )
    if "AvailabilityZone" in p:
        expect("AvailabilityZone", subnet["AvailabilityZone"], d.resolve(p["AvailabilityZone"]))


def _route_table(d: Deployed, lid: str, pid: str) -> None:
    table = d.client("ec2").describe_route_tables(RouteTableIds=[pid])["RouteTables"][0]
    expect("VpcId", table["VpcId"], d.resolve(d.props(lid)["VpcId"]))


def _association(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    table_id = d.resolve(p["RouteTableId"])
    table = d.client("ec2").describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]
    associations = {a.get("SubnetId"): a for a in table["Associations"]}
    subnet = d.resolve(p["SubnetId"])
    if subnet not in associations:
        raise Mismatch(f"route table {table_id} is not associated with {subnet}")
    expect("association id", associations[subnet].get("RouteTableAssociationId"), pid)


def _route(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    table = d.client("ec2").describe_route_tables(RouteTableIds=[d.resolve(p["RouteTableId"])])
    routes = {r.get("DestinationCidrBlock"): r for r in table["RouteTables"][0]["Routes"]}
    route = routes.get(p["DestinationCidrBlock"])
    if route is None:
        raise Mismatch(f"no route to {p['DestinationCidrBlock']}")
    for key in ("GatewayId", "NatGatewayId"):
        if key in p:
            expect(key, route.get(key), d.resolve(p[key]))


def _eip(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    address = d.client("ec2").describe_addresses(PublicIps=[pid])["Addresses"][0]
    expect("Domain", address["Domain"], p.get("Domain", "vpc"))
    if "InstanceId" in p:
        expect("InstanceId", address.get("InstanceId"), d.resolve(p["InstanceId"]))


def _eip_association(d: Deployed, lid: str, pid: str) -> None:
    """The address (by AllocationId, or EIP) is associated under this association's id with
    InstanceId (or NetworkInterfaceId), and the instance's public address is the EIP's."""
    p = d.props(lid)
    ec2 = d.client("ec2")
    if "AllocationId" in p:
        found = ec2.describe_addresses(AllocationIds=[d.resolve(p["AllocationId"])])
    else:
        found = ec2.describe_addresses(PublicIps=[d.resolve(p["EIP"])])
    address = found["Addresses"][0]
    expect("AssociationId", address.get("AssociationId"), pid)
    if "InstanceId" in p:
        instance_id = d.resolve(p["InstanceId"])
        expect("InstanceId", address.get("InstanceId"), instance_id)
        reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
        instance = reservations[0]["Instances"][0]
        expect(
            "the instance's PublicIpAddress", instance.get("PublicIpAddress"), address["PublicIp"]
        )
    if "NetworkInterfaceId" in p:
        expect(
            "NetworkInterfaceId",
            address.get("NetworkInterfaceId"),
            d.resolve(p["NetworkInterfaceId"]),
        )


def _nat(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    nat = d.client("ec2").describe_nat_gateways(NatGatewayIds=[pid])["NatGateways"][0]
    expect("SubnetId", nat["SubnetId"], d.resolve(p["SubnetId"]))
    expect("State", nat["State"], "available")
    if "AllocationId" in p:
        expect(
            "AllocationId",
            [a.get("AllocationId") for a in nat["NatGatewayAddresses"]],
            [d.resolve(p["AllocationId"])],
        )


def _igw(d: Deployed, lid: str, pid: str) -> None:
    igw = d.client("ec2").describe_internet_gateways(InternetGatewayIds=[pid])
    igw = igw["InternetGateways"][0]
    p = d.props(lid)
    if p.get("Tags") and d.modelled("AWS::EC2::InternetGateway", "Tags"):
        expect_tags("InternetGateway", igw.get("Tags"), p["Tags"])
        return
    d.existence_only("read back by id; its only template property (Tags) is not compared")


def _igw_attachment(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    igw = d.client("ec2").describe_internet_gateways(
        InternetGatewayIds=[d.resolve(p["InternetGatewayId"])]
    )["InternetGateways"][0]
    expect("attached VPC", [a["VpcId"] for a in igw["Attachments"]], [d.resolve(p["VpcId"])])


def _vpc_endpoint(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    endpoint = d.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[pid])["VpcEndpoints"][0]
    expect("ServiceName", endpoint["ServiceName"], d.resolve(p["ServiceName"]))
    expect("VpcId", endpoint["VpcId"], d.resolve(p["VpcId"]))
    expect("VpcEndpointType", endpoint["VpcEndpointType"], p.get("VpcEndpointType", "Gateway"))
    if "RouteTableIds" in p:
        expect_unordered("RouteTableIds", endpoint["RouteTableIds"], d.resolve(p["RouteTableIds"]))


def _rules(rules: list[dict]) -> set[tuple]:
    out = set()
    for rule in rules:
        for cidr in rule.get("IpRanges", []):
            out.add((rule["IpProtocol"], rule.get("FromPort"), rule.get("ToPort"), cidr["CidrIp"]))
        for pair in rule.get("UserIdGroupPairs", []):
            out.add((rule["IpProtocol"], rule.get("FromPort"), rule.get("ToPort"), pair["GroupId"]))
    return out


def _port(d: Deployed, value: Any) -> Any:
    """A rule's port as the API serves it (a number), references resolved (a cluster's
    ``Endpoint.Port``); None when the rule has none."""
    value = d.resolve(value)
    return value if value is None or value is UNRESOLVED else int(value)


def _template_rule(d: Deployed, rule: dict, peer_key: str) -> tuple:
    protocol = str(rule["IpProtocol"])
    peer = d.resolve(rule.get("CidrIp")) or d.resolve(rule.get(peer_key))
    return (protocol, _port(d, rule.get("FromPort")), _port(d, rule.get("ToPort")), peer)


def _security_group(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    group = d.client("ec2").describe_security_groups(GroupIds=[pid])["SecurityGroups"][0]
    expect("Description", group["Description"], p["GroupDescription"])
    expect("VpcId", group["VpcId"], d.resolve(p["VpcId"]))
    ingress, egress = _rules(group["IpPermissions"]), _rules(group["IpPermissionsEgress"])
    for rule in p.get("SecurityGroupIngress", []):
        wanted = _template_rule(d, rule, "SourceSecurityGroupId")
        if UNRESOLVED not in wanted and wanted not in ingress:
            raise Mismatch(f"ingress rule {wanted} missing")
    wanted_egress = set()
    for rule in p.get("SecurityGroupEgress", []):
        wanted = _template_rule(d, rule, "DestinationSecurityGroupId")
        if wanted[0] == "icmp" and wanted[3] == "255.255.255.255/32":
            # CDK's "no egress" marker rule (moto reads its ports back as 252/86)
            if not any(r[3] == "255.255.255.255/32" for r in egress):
                raise Mismatch("the no-egress marker rule is missing")
            wanted_egress |= {r for r in egress if r[3] == "255.255.255.255/32"}
            continue
        if UNRESOLVED not in wanted and wanted not in egress:
            raise Mismatch(f"egress rule {wanted} missing")
        wanted_egress.add(wanted)
    if "SecurityGroupEgress" in p and not any(UNRESOLVED in w for w in wanted_egress):
        # the template's egress replaces the default allow-all rule: nothing else may be there
        # (rules of separate SecurityGroupEgress resources are theirs, checked there)
        separate = {
            _template_rule(d, d.props(other), "DestinationSecurityGroupId")
            for other, resource in d.template["Resources"].items()
            if resource["Type"] == "AWS::EC2::SecurityGroupEgress"
            and d.resolve(d.props(other)["GroupId"]) == pid
        }
        extra = egress - wanted_egress - separate
        if extra:
            raise Mismatch(f"egress rules {sorted(extra)} not in the template")


def _sg_rule(direction: str, peer_key: str) -> Callable[[Deployed, str, str], None]:
    def verify(d: Deployed, lid: str, pid: str) -> None:
        p = d.props(lid)
        group = d.client("ec2").describe_security_groups(GroupIds=[d.resolve(p["GroupId"])])
        rules = _rules(group["SecurityGroups"][0][direction])
        wanted = _template_rule(d, p, peer_key)
        if UNRESOLVED in wanted:
            raise Mismatch(f"cannot resolve {wanted}")
        if wanted not in rules:
            raise Mismatch(f"{direction} rule {wanted} missing from {p['GroupId']}")

    return verify


def _flow_log(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    log = d.client("ec2").describe_flow_logs(FlowLogIds=[pid])["FlowLogs"][0]
    expect("ResourceId", log["ResourceId"], d.resolve(p["ResourceId"]))
    expect("TrafficType", log["TrafficType"], p["TrafficType"])
    for key in ("DeliverLogsPermissionArn", "LogGroupName", "LogDestinationType"):
        if key in p:
            expect(key, log.get(key), d.resolve(p[key]))


def _instance(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    reservations = d.client("ec2").describe_instances(InstanceIds=[pid])["Reservations"]
    instance = reservations[0]["Instances"][0]
    expect("InstanceType", instance["InstanceType"], p.get("InstanceType", "m1.small"))
    if "SubnetId" in p:
        expect("SubnetId", instance["SubnetId"], d.resolve(p["SubnetId"]))
    expect("State", instance["State"]["Name"], "running")
    for nic in p.get("NetworkInterfaces", []):
        _instance_interface(d, instance, nic)
    if "SecurityGroupIds" in p:
        expect_unordered(
            "SecurityGroupIds",
            [g["GroupId"] for g in instance["SecurityGroups"]],
            d.resolve(p["SecurityGroupIds"]),
        )
    if "IamInstanceProfile" in p:
        profile = d.resolve(p["IamInstanceProfile"])
        arn = instance.get("IamInstanceProfile", {}).get("Arn", "")
        expect("IamInstanceProfile", arn.rsplit("/", 1)[-1], profile)


def _instance_interface(d: Deployed, instance: dict, nic: dict) -> None:
    """One of the template's NetworkInterfaces, on the instance at its DeviceIndex: subnet,
    security groups (GroupSet) and, with AssociatePublicIpAddress, a public address."""
    index = int(nic.get("DeviceIndex", 0))
    attached = {
        int(n["Attachment"]["DeviceIndex"]): n for n in instance.get("NetworkInterfaces", [])
    }
    if index not in attached:
        raise Mismatch(f"no network interface at DeviceIndex {index}")
    got = attached[index]
    if index == 0 and "SubnetId" in nic:
        expect("SubnetId", instance["SubnetId"], d.resolve(nic["SubnetId"]))
    if "SubnetId" in nic:
        expect(f"NetworkInterfaces[{index}].SubnetId", got["SubnetId"], d.resolve(nic["SubnetId"]))
    if "GroupSet" in nic:
        expect_unordered(
            f"NetworkInterfaces[{index}].GroupSet",
            [g["GroupId"] for g in got.get("Groups", [])],
            d.resolve(nic["GroupSet"]),
        )
    if "AssociatePublicIpAddress" in nic:
        wanted = _text(nic["AssociatePublicIpAddress"]) == "true"
        expect(
            f"NetworkInterfaces[{index}] has a public address",
            bool(got.get("Association", {}).get("PublicIp")),
            wanted,
        )


def _launch_template(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    ec2 = d.client("ec2")
    template = ec2.describe_launch_templates(LaunchTemplateIds=[pid])["LaunchTemplates"][0]
    if "LaunchTemplateName" in p:
        expect("LaunchTemplateName", template["LaunchTemplateName"], p["LaunchTemplateName"])
    data = ec2.describe_launch_template_versions(LaunchTemplateId=pid, Versions=["$Latest"])
    data = data["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    wanted = p.get("LaunchTemplateData", {})
    for key in ("InstanceType", "MetadataOptions"):
        if key in wanted:
            expect(key, data.get(key), wanted[key])
    if "SecurityGroupIds" in wanted:
        expect_unordered(
            "SecurityGroupIds",
            data.get("SecurityGroupIds", []),
            d.resolve(wanted["SecurityGroupIds"]),
        )


def _role(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    iam = d.client("iam")
    role = iam.get_role(RoleName=pid)["Role"]
    expect_document(
        d,
        "AssumeRolePolicyDocument",
        role["AssumeRolePolicyDocument"],
        p["AssumeRolePolicyDocument"],
    )
    expect("Description", role.get("Description", ""), d.resolve(p.get("Description", "")))
    if "Path" in p:
        expect("Path", role["Path"], p["Path"])
    inline = iam.list_role_policies(RoleName=pid)["PolicyNames"]
    # the role's own Policies, plus the AWS::IAM::Policy resources that name it (checked there)
    separate = {
        d.props(other)["PolicyName"]
        for other, resource in d.template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Policy"
        and pid in [d.resolve(r) for r in d.props(other).get("Roles", [])]
    }
    expect_unordered(
        "inline policy names",
        [n for n in inline if n not in separate],
        [policy["PolicyName"] for policy in p.get("Policies", [])],
    )
    for policy in p.get("Policies", []):
        document = iam.get_role_policy(RoleName=pid, PolicyName=policy["PolicyName"])
        expect_document(
            d,
            f"Policies {policy['PolicyName']}",
            _repr_document(document["PolicyDocument"]),
            policy["PolicyDocument"],
        )
    if p.get("ManagedPolicyArns") and d.modelled("AWS::IAM::Role", "ManagedPolicyArns"):
        attached = iam.list_attached_role_policies(RoleName=pid)["AttachedPolicies"]
        expect_unordered(
            "ManagedPolicyArns",
            [a["PolicyArn"] for a in attached],
            d.resolve(p["ManagedPolicyArns"]),
        )


def _repr_document(value: Any) -> Any:
    """moto 5.2.5 keeps a Role's template ``Policies`` documents as dicts and serves them with
    ``str()``: a Python literal, not JSON. Its content is still moto's: parse the literal."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return ast.literal_eval(value)
    return value


def _policy(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    if not p.get("Roles"):
        raise Mismatch("no Roles: this verifier reads inline policies back from roles")
    for role in p["Roles"]:
        role_name = d.resolve(role)
        document = d.client("iam").get_role_policy(RoleName=role_name, PolicyName=p["PolicyName"])
        expect_document(
            d, f"PolicyDocument on {role_name}", document["PolicyDocument"], p["PolicyDocument"]
        )
    for key in ("Users", "Groups"):
        if p.get(key):
            d.skip(f"{key}: not read back (this app attaches inline policies to roles only)")


def _instance_profile(d: Deployed, lid: str, pid: str) -> None:
    profile = d.client("iam").get_instance_profile(InstanceProfileName=pid)["InstanceProfile"]
    expect("Roles", [r["RoleName"] for r in profile["Roles"]], d.resolve(d.props(lid)["Roles"]))


def _log_group(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    groups = d.client("logs").describe_log_groups(logGroupNamePrefix=pid)["logGroups"]
    group = next(g for g in groups if g["logGroupName"] == pid)
    expect("retentionInDays", group.get("retentionInDays"), p.get("RetentionInDays"))
    if "LogGroupName" in p:
        expect("LogGroupName", group["logGroupName"], d.resolve(p["LogGroupName"]))


def _function(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    config = d.client("lambda").get_function_configuration(FunctionName=pid)
    expect("Runtime", config["Runtime"], p["Runtime"])
    expect("Handler", config["Handler"], p["Handler"])
    expect("Timeout", config["Timeout"], p.get("Timeout", 3))
    expect("MemorySize", config["MemorySize"], p.get("MemorySize", 128))
    expect("Role", config["Role"], d.resolve(p["Role"]))
    expect("Description", config.get("Description", ""), d.resolve(p.get("Description", "")))
    wanted_env = d.resolve(p.get("Environment", {}).get("Variables", {}))
    actual_env = config.get("Environment", {}).get("Variables", {})
    for key, value in wanted_env.items():
        expect(f"Environment {key}", actual_env.get(key), value)
    if "Architectures" in p and d.modelled("AWS::Lambda::Function", "Architectures"):
        expect("Architectures", config.get("Architectures"), p["Architectures"])
    if "TracingConfig" in p and d.modelled("AWS::Lambda::Function", "TracingConfig"):
        expect(
            "TracingConfig.Mode",
            config.get("TracingConfig", {}).get("Mode"),
            p["TracingConfig"].get("Mode", "PassThrough"),
        )


def _permission(d: Deployed, lid: str, pid: str) -> None:
    """The function's resource policy (GetPolicy) holds this permission's statement: found by
    its SourceArn, then Effect, Action, Principal, Resource and SourceAccount compared."""
    p = d.props(lid)
    function = d.resolve(p["FunctionName"])
    if function is UNRESOLVED:
        raise Mismatch(f"cannot resolve FunctionName {p['FunctionName']}")
    config = d.client("lambda").get_function_configuration(FunctionName=function)
    policy = json.loads(d.client("lambda").get_policy(FunctionName=function)["Policy"])
    statements = [_statement(s) for s in policy["Statement"]]
    source_arn = d.resolve(p["SourceArn"]) if "SourceArn" in p else None

    def source(statement: dict) -> Any:
        for operator in ("ArnLike", "ArnEquals", "StringLike", "StringEquals"):
            values = statement.get("Condition", {}).get(operator, {}).get("aws:sourcearn")
            if values:
                return values
        return None

    if source_arn is UNRESOLVED:
        raise Mismatch(f"cannot resolve SourceArn {p['SourceArn']}")
    candidates = [s for s in statements if source(s) == ([source_arn] if source_arn else None)]
    if len(candidates) != 1:
        raise Mismatch(
            f"{len(candidates)} statements in the function's policy for SourceArn {source_arn}"
        )
    [statement] = candidates
    expect("Effect", statement["Effect"], "Allow")
    expect("Action", statement.get("Action"), [p["Action"]])
    expect("Principal", statement.get("Principal"), _principal(d.resolve(p["Principal"])))
    expect("Resource", statement.get("Resource"), [config["FunctionArn"]])
    if "SourceAccount" in p:
        expect(
            "SourceAccount",
            statement.get("Condition", {}).get("StringEquals", {}).get("aws:sourceaccount"),
            [d.resolve(p["SourceAccount"])],
        )


def _layer(d: Deployed, lid: str, pid: str) -> None:
    # moto has no GetLayerVersionByArn: list the layer's versions instead.
    name = pid.split(":")[6]
    versions = d.client("lambda").list_layer_versions(LayerName=name)["LayerVersions"]
    version = next((v for v in versions if v["LayerVersionArn"] == pid), None)
    if version is None:
        raise Mismatch(f"layer version {pid} not listed")
    expect("Description", version.get("Description", ""), d.props(lid).get("Description", ""))


def _key(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    kms = d.client("kms")
    metadata = kms.describe_key(KeyId=pid)["KeyMetadata"]
    expect("Description", metadata.get("Description", ""), d.resolve(p.get("Description", "")))
    policy = kms.get_key_policy(KeyId=pid, PolicyName="default")["Policy"]
    expect_document(d, "KeyPolicy", policy, p["KeyPolicy"])
    expect(
        "KeyRotationEnabled",
        kms.get_key_rotation_status(KeyId=pid)["KeyRotationEnabled"],
        p.get("EnableKeyRotation", False),
    )


def _table(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    dynamodb = d.client("dynamodb")
    table = dynamodb.describe_table(TableName=pid)["Table"]
    expect("KeySchema", table["KeySchema"], p["KeySchema"])
    expect_unordered(
        "AttributeDefinitions", table["AttributeDefinitions"], p["AttributeDefinitions"]
    )
    expect(
        "BillingMode",
        table.get("BillingModeSummary", {}).get("BillingMode"),
        p.get("BillingMode", "PROVISIONED"),
    )
    if "TimeToLiveSpecification" in p:
        spec = p["TimeToLiveSpecification"]
        ttl = dynamodb.describe_time_to_live(TableName=pid)["TimeToLiveDescription"]
        enabled = _text(spec.get("Enabled", True)) == "true"
        expect(
            "TimeToLiveStatus", ttl.get("TimeToLiveStatus"), "ENABLED" if enabled else "DISABLED"
        )
        if enabled:
            expect("TimeToLive AttributeName", ttl.get("AttributeName"), spec["AttributeName"])
    pitr = dynamodb.describe_continuous_backups(TableName=pid)["ContinuousBackupsDescription"]
    wanted = p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled", False)
    expect(
        "PointInTimeRecovery",
        pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
        "ENABLED" if wanted else "DISABLED",
    )


def _rest_api(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    api = d.client("apigateway").get_rest_api(restApiId=pid)
    expect("name", api["name"], p.get("Name"))
    expect("description", api.get("description", ""), d.resolve(p.get("Description", "")))


def _api_resource(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    resource = d.client("apigateway").get_resource(
        restApiId=d.resolve(p["RestApiId"]), resourceId=pid
    )
    expect("pathPart", resource["pathPart"], p["PathPart"])
    expect("parentId", resource["parentId"], d.resolve(p["ParentId"]))


def _api_method(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    method = d.client("apigateway").get_method(
        restApiId=d.resolve(p["RestApiId"]),
        resourceId=d.resolve(p["ResourceId"]),
        httpMethod=p["HttpMethod"],
    )
    expect("authorizationType", method["authorizationType"], p.get("AuthorizationType", "NONE"))
    integration = method["methodIntegration"]
    expect("integration type", integration["type"], p["Integration"]["Type"])
    if "IntegrationHttpMethod" in p["Integration"]:
        expect(
            "integration httpMethod",
            integration.get("httpMethod"),
            p["Integration"]["IntegrationHttpMethod"],
        )
    if "Uri" in p["Integration"]:
        expect("integration uri", integration.get("uri"), d.resolve(p["Integration"]["Uri"]))
    if "RequestValidatorId" in p:
        expect(
            "requestValidatorId",
            method.get("requestValidatorId"),
            d.resolve(p["RequestValidatorId"]),
        )
        d.from_extension(
            "requestValidatorId: extensions._complete_method sets it on moto's method "
            "(moto 5.2.5's Method model ignores RequestValidatorId)"
        )


def _deployment(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    deployment = d.client("apigateway").get_deployment(
        restApiId=d.resolve(p["RestApiId"]), deploymentId=pid
    )
    expect("description", deployment.get("description", ""), d.resolve(p.get("Description", "")))


def _stage(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    stage = d.client("apigateway").get_stage(restApiId=d.resolve(p["RestApiId"]), stageName=pid)
    expect("stageName", stage["stageName"], p.get("StageName", pid))
    expect("deploymentId", stage["deploymentId"], d.resolve(p["DeploymentId"]))
    if "TracingEnabled" in p:
        expect("tracingEnabled", stage.get("tracingEnabled", False), p["TracingEnabled"])
    settings = stage.get("methodSettings", {}).get("*/*", {})
    for setting in p.get("MethodSettings", []):
        for key, api_key, cast in (
            ("ThrottlingRateLimit", "throttlingRateLimit", float),
            ("ThrottlingBurstLimit", "throttlingBurstLimit", int),
            ("LoggingLevel", "loggingLevel", str),
            ("MetricsEnabled", "metricsEnabled", bool),
            ("DataTraceEnabled", "dataTraceEnabled", bool),
        ):
            if key in setting:
                expect(api_key, settings.get(api_key), cast(setting[key]))
    if "AccessLogSetting" in p:
        expect(
            "accessLogSettings.format",
            stage["accessLogSettings"]["format"],
            p["AccessLogSetting"]["Format"],
        )
        expect(
            "accessLogSettings.destinationArn",
            stage["accessLogSettings"].get("destinationArn"),
            d.resolve(p["AccessLogSetting"]["DestinationArn"]),
        )


def _validator(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    validator = d.client("apigateway").get_request_validator(
        restApiId=d.resolve(p["RestApiId"]), requestValidatorId=pid
    )
    expect("validateRequestBody", validator["validateRequestBody"], p["ValidateRequestBody"])
    expect(
        "validateRequestParameters",
        validator["validateRequestParameters"],
        p["ValidateRequestParameters"],
    )


def _model(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    model = d.client("apigateway").get_model(restApiId=d.resolve(p["RestApiId"]), modelName=pid)
    expect("schema", json.loads(model["schema"]), p["Schema"])
    expect("contentType", model.get("contentType"), p.get("ContentType", "application/json"))
    expect("description", model.get("description", ""), p.get("Description", ""))


def _bucket(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    s3 = d.client("s3")
    s3.head_bucket(Bucket=pid)
    if "PublicAccessBlockConfiguration" in p:
        block = s3.get_public_access_block(Bucket=pid)["PublicAccessBlockConfiguration"]
        expect("PublicAccessBlock", block, p["PublicAccessBlockConfiguration"])
    if "BucketEncryption" in p:
        rules = s3.get_bucket_encryption(Bucket=pid)["ServerSideEncryptionConfiguration"]["Rules"]
        wanted = p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        expect(
            "SSEAlgorithm",
            rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
            wanted["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
        )
    if p.get("Tags"):
        expect_tags("Bucket", s3.get_bucket_tagging(Bucket=pid)["TagSet"], d.resolve(p["Tags"]))
    _bucket_sub_resources(d, p, pid)


def _bucket_policy(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    policy = d.client("s3").get_bucket_policy(Bucket=d.resolve(p["Bucket"]))["Policy"]
    expect_document(d, "PolicyDocument", policy, p["PolicyDocument"])


def _distribution(d: Deployed, lid: str, pid: str) -> None:
    """What moto's CreateDistribution stored. Not compared: each origin's S3OriginConfig
    and OriginAccessControlId (moto's model drops both; the extension writes them onto its
    origin objects: the static-site architecture checks read them, against the emulation)."""
    config = d.props(lid)["DistributionConfig"]
    got = d.client("cloudfront").get_distribution(Id=pid)["Distribution"]["DistributionConfig"]
    expect("Comment", got["Comment"], config.get("Comment", ""))
    expect("DefaultRootObject", got["DefaultRootObject"], config.get("DefaultRootObject", ""))
    expect("Enabled", got["Enabled"], config.get("Enabled", True))
    for key, api_key in (
        ("HttpVersion", "HttpVersion"),
        ("IPV6Enabled", "IsIPV6Enabled"),
        ("PriceClass", "PriceClass"),
    ):
        if key in config:
            expect(key, got[api_key], config[key])
    origins = {o["Id"]: o for o in got["Origins"]["Items"]}
    expect("origin ids", sorted(origins), sorted(o["Id"] for o in config["Origins"]))
    for origin in config["Origins"]:
        expect(
            f"origin {origin['Id']} DomainName",
            origins[origin["Id"]]["DomainName"],
            d.resolve(origin["DomainName"]),
        )
    behaviour, wanted = got["DefaultCacheBehavior"], config["DefaultCacheBehavior"]
    for key in (
        "TargetOriginId",
        "ViewerProtocolPolicy",
        "CachePolicyId",
        "ResponseHeadersPolicyId",
        "Compress",
    ):
        if key in wanted:
            expect(f"DefaultCacheBehavior.{key}", behaviour.get(key), d.resolve(wanted[key]))
    if "AllowedMethods" in wanted:
        expect_unordered(
            "DefaultCacheBehavior.AllowedMethods",
            behaviour["AllowedMethods"]["Items"],
            wanted["AllowedMethods"],
        )
    responses = got.get("CustomErrorResponses", {}).get("Items", [])
    expect(
        "CustomErrorResponses",
        sorted(
            (r["ErrorCode"], str(r["ResponseCode"]), r["ResponsePagePath"], r["ErrorCachingMinTTL"])
            for r in responses
        ),
        sorted(
            (r["ErrorCode"], str(r["ResponseCode"]), r["ResponsePagePath"], r["ErrorCachingMinTTL"])
            for r in config.get("CustomErrorResponses", [])
        ),
    )
    d.skip(
        "Origins[].S3OriginConfig / OriginAccessControlId: moto 5.2.5's model drops them; the "
        "extension writes them (compared by the static-site checks, against the emulation)"
    )


def _oac(d: Deployed, lid: str, pid: str) -> None:
    got = d.client("cloudfront").get_origin_access_control(Id=pid)["OriginAccessControl"]
    wanted = d.props(lid)["OriginAccessControlConfig"]
    config = got["OriginAccessControlConfig"]
    for key in ("Name", "SigningBehavior", "SigningProtocol", "OriginAccessControlOriginType"):
        expect(key, config[key], wanted[key])


def _load_balancer(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    lb = d.client("elbv2").describe_load_balancers(LoadBalancerArns=[pid])["LoadBalancers"][0]
    expect("Scheme", lb["Scheme"], p.get("Scheme", "internet-facing"))
    expect("Type", lb["Type"], p.get("Type", "application"))
    expect_unordered(
        "Subnets", [az["SubnetId"] for az in lb["AvailabilityZones"]], d.resolve(p["Subnets"])
    )
    if "SecurityGroups" in p:
        expect_unordered(
            "SecurityGroups", lb.get("SecurityGroups", []), d.resolve(p["SecurityGroups"])
        )


def _listener(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    listener = d.client("elbv2").describe_listeners(ListenerArns=[pid])["Listeners"][0]
    expect("Port", listener["Port"], p["Port"])
    expect("Protocol", listener["Protocol"], p["Protocol"])
    expect("LoadBalancerArn", listener["LoadBalancerArn"], d.resolve(p["LoadBalancerArn"]))
    action, wanted = listener["DefaultActions"][0], p["DefaultActions"][0]
    expect("default action", action["Type"], wanted["Type"])
    if "TargetGroupArn" in wanted:
        expect(
            "default action target",
            action.get("TargetGroupArn"),
            d.resolve(wanted["TargetGroupArn"]),
        )


def _target_group(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    group = d.client("elbv2").describe_target_groups(TargetGroupArns=[pid])["TargetGroups"][0]
    expect("Port", group["Port"], p["Port"])
    expect("Protocol", group["Protocol"], p["Protocol"])
    if "VpcId" in p:
        expect("VpcId", group["VpcId"], d.resolve(p["VpcId"]))
    for key in (
        "HealthCheckPath",
        "HealthCheckIntervalSeconds",
        "HealthCheckTimeoutSeconds",
        "HealthyThresholdCount",
        "UnhealthyThresholdCount",
        "TargetType",
    ):
        if key in p:
            expect(key, group.get(key), p[key])
    if "Matcher" in p:
        expect_within("Matcher", group.get("Matcher"), p["Matcher"])
    elbv2 = d.client("elbv2")
    if p.get("TargetGroupAttributes"):
        attributes = elbv2.describe_target_group_attributes(TargetGroupArn=pid)["Attributes"]
        got = {a["Key"]: a["Value"] for a in attributes}
        for attribute in p["TargetGroupAttributes"]:
            expect(
                f"TargetGroupAttributes {attribute['Key']}",
                got.get(attribute["Key"]),
                _text(d.resolve(attribute["Value"])),
            )
    if "Targets" in p:
        health = elbv2.describe_target_health(TargetGroupArn=pid)["TargetHealthDescriptions"]
        expect_unordered(
            "Targets",
            [f"{t['Target']['Id']}:{t['Target'].get('Port', p['Port'])}" for t in health],
            [f"{d.resolve(t['Id'])}:{t.get('Port', p['Port'])}" for t in p["Targets"]],
        )


def _asg(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    group = d.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[pid])[
        "AutoScalingGroups"
    ][0]
    expect("MinSize", group["MinSize"], int(p["MinSize"]))
    expect("MaxSize", group["MaxSize"], int(p["MaxSize"]))
    expect_unordered(
        "VPCZoneIdentifier",
        group["VPCZoneIdentifier"].split(","),
        d.resolve(p["VPCZoneIdentifier"]),
    )
    expect("TargetGroupARNs", group["TargetGroupARNs"], d.resolve(p.get("TargetGroupARNs", [])))


def _scaling_policy(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    policies = d.client("autoscaling").describe_policies(
        AutoScalingGroupName=d.resolve(p["AutoScalingGroupName"])
    )["ScalingPolicies"]
    policy = next(x for x in policies if x["PolicyARN"] == pid)
    expect("PolicyType", policy["PolicyType"], p["PolicyType"])
    tracking, wanted = policy["TargetTrackingConfiguration"], p["TargetTrackingConfiguration"]
    expect("TargetValue", tracking["TargetValue"], float(wanted["TargetValue"]))
    if "PredefinedMetricSpecification" in wanted:
        expect(
            "PredefinedMetricType",
            tracking["PredefinedMetricSpecification"]["PredefinedMetricType"],
            wanted["PredefinedMetricSpecification"]["PredefinedMetricType"],
        )


def _global_cluster(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    cluster = d.client("rds").describe_global_clusters(GlobalClusterIdentifier=pid)
    cluster = cluster["GlobalClusters"][0]
    expect("Engine", cluster["Engine"], p["Engine"])
    if "EngineVersion" in p:
        expect("EngineVersion", cluster["EngineVersion"], p["EngineVersion"])
    expect("StorageEncrypted", cluster["StorageEncrypted"], p.get("StorageEncrypted", False))
    expect("DeletionProtection", cluster["DeletionProtection"], p.get("DeletionProtection", False))


def _db_cluster_verifier(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    cluster = _db_cluster(d, pid)
    expect("Engine", cluster["Engine"], p["Engine"])
    expect("EngineVersion", cluster["EngineVersion"], p["EngineVersion"])
    if "Port" in p:
        expect("Port", cluster["Port"], int(p["Port"]))
    expect("StorageEncrypted", cluster["StorageEncrypted"], p.get("StorageEncrypted", False))
    if "KmsKeyId" in p:
        expect("KmsKeyId", cluster.get("KmsKeyId"), d.resolve(p["KmsKeyId"]))
    expect("DeletionProtection", cluster["DeletionProtection"], p.get("DeletionProtection", False))
    expect("DBSubnetGroup", cluster["DBSubnetGroup"], d.resolve(p["DBSubnetGroupName"]))
    expect_unordered(
        "VpcSecurityGroups",
        [g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]],
        d.resolve(p["VpcSecurityGroupIds"]),
    )
    for key, api_key in (
        ("DatabaseName", "DatabaseName"),
        ("MasterUsername", "MasterUsername"),
        ("BackupRetentionPeriod", "BackupRetentionPeriod"),
        ("EnableIAMDatabaseAuthentication", "IAMDatabaseAuthenticationEnabled"),
        ("CopyTagsToSnapshot", "CopyTagsToSnapshot"),
        ("DBClusterParameterGroupName", "DBClusterParameterGroup"),
        ("GlobalClusterIdentifier", "GlobalClusterIdentifier"),
    ):
        if key in p:
            expect(key, cluster.get(api_key), d.resolve(p[key]))
    if "EnableCloudwatchLogsExports" in p:
        expect_unordered(
            "EnableCloudwatchLogsExports",
            cluster.get("EnabledCloudwatchLogsExports", []),
            p["EnableCloudwatchLogsExports"],
        )
    if "ServerlessV2ScalingConfiguration" in p:
        wanted = p["ServerlessV2ScalingConfiguration"]
        got = cluster.get("ServerlessV2ScalingConfiguration", {})
        for key in ("MinCapacity", "MaxCapacity", "SecondsUntilAutoPause"):
            if key in wanted:
                expect(f"ServerlessV2ScalingConfiguration.{key}", got.get(key), float(wanted[key]))
    if _text(p.get("ManageMasterUserPassword", False)) == "true":
        secret = cluster.get("MasterUserSecret") or {}
        if not secret.get("SecretArn"):
            raise Mismatch("ManageMasterUserPassword: the cluster has no MasterUserSecret")
        described = d.client("secretsmanager").describe_secret(SecretId=secret["SecretArn"])
        expect("MasterUserSecret (by its ARN)", described["ARN"], secret["SecretArn"])
        if "MasterUserSecret" in p and "KmsKeyId" in p["MasterUserSecret"]:
            expect(
                "MasterUserSecret.KmsKeyId",
                secret.get("KmsKeyId"),
                d.resolve(p["MasterUserSecret"]["KmsKeyId"]),
            )
        d.skip(
            "the managed secret's SecretString: moto 5.2.5 writes a fixed username 'admin' and "
            "password, not MasterUsername (the secret exists, named by the cluster)"
        )


def _db_cluster_parameter_group(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    rds = d.client("rds")
    group = rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=pid)
    group = group["DBClusterParameterGroups"][0]
    expect("DBParameterGroupFamily", group["DBParameterGroupFamily"], p["Family"])
    expect("Description", group["Description"], p["Description"])
    got = {
        x["ParameterName"]: x.get("ParameterValue")
        for x in rds.describe_db_cluster_parameters(DBClusterParameterGroupName=pid)["Parameters"]
    }
    for key, value in (p.get("Parameters") or {}).items():
        expect(f"Parameters {key}", got.get(key), _text(d.resolve(value)))


def _db_instance(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    db = d.client("rds").describe_db_instances(DBInstanceIdentifier=pid)["DBInstances"][0]
    expect("DBInstanceClass", db["DBInstanceClass"], p["DBInstanceClass"])
    expect("Engine", db["Engine"], p["Engine"])
    expect(
        "DBClusterIdentifier", db.get("DBClusterIdentifier"), d.resolve(p["DBClusterIdentifier"])
    )
    expect(
        "PubliclyAccessible",
        db.get("PubliclyAccessible", False),
        p.get("PubliclyAccessible", False),
    )


def _db_subnet_group(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    group = d.client("rds").describe_db_subnet_groups(DBSubnetGroupName=pid)["DBSubnetGroups"][0]
    expect(
        "DBSubnetGroupDescription", group["DBSubnetGroupDescription"], p["DBSubnetGroupDescription"]
    )
    expect_unordered(
        "subnets",
        [s["SubnetIdentifier"] for s in group["Subnets"]],
        d.resolve(p["SubnetIds"]),
    )


def _secret(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    sm = d.client("secretsmanager")
    described = sm.describe_secret(SecretId=pid)
    expect("Description", described.get("Description", ""), d.resolve(p.get("Description", "")))
    text = sm.get_secret_value(SecretId=pid)["SecretString"]
    generate = p.get("GenerateSecretString", {})
    if generate:
        templated = "SecretStringTemplate" in generate or "GenerateStringKey" in generate
        secret = json.loads(text) if templated else {}
        password = (
            secret.get(generate.get("GenerateStringKey", "password"), "") if templated else text
        )
        expect("password length", len(password), generate.get("PasswordLength", 32))
        excluded = set(generate.get("ExcludeCharacters", ""))
        if _text(generate.get("ExcludePunctuation", False)) == "true":
            excluded |= set(string.punctuation)
        if _text(generate.get("IncludeSpace", False)) != "true":
            excluded.add(" ")
        expect("excluded characters in the password", sorted(set(password) & excluded), [])
        for name, value in json.loads(generate.get("SecretStringTemplate", "{}")).items():
            expect(name, secret.get(name), value)
        d.from_extension(
            "SecretString: extensions.Secret composes GenerateSecretString's JSON "
            "(SecretStringTemplate + a password from moto's GetRandomPassword, or the bare "
            "password); moto 5.2.5 has no model for the type"
        )


def _target_attachment(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    secret = json.loads(d.client("secretsmanager").get_secret_value(SecretId=pid)["SecretString"])
    expect("SecretId", pid, d.resolve(p["SecretId"]))
    if p["TargetType"] != "AWS::RDS::DBCluster":
        raise Mismatch(f"TargetType {p['TargetType']}: only DB clusters are read back")
    cluster = _db_cluster(d, d.resolve(p["TargetId"]))
    expect("host", secret.get("host"), cluster["Endpoint"])
    expect("port", secret.get("port"), cluster["Port"])
    expect("dbClusterIdentifier", secret.get("dbClusterIdentifier"), cluster["DBClusterIdentifier"])
    expect("engine", secret.get("engine"), cluster["Engine"].replace("aurora-", ""))
    d.from_extension(
        "host/port/engine/dbClusterIdentifier: extensions.SecretTargetAttachment merges them "
        "into the secret (moto 5.2.5 has no model for the type)"
    )


def _rotation(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    secret = d.client("secretsmanager").describe_secret(SecretId=pid.split("|")[0])
    expect("SecretId", secret["ARN"], d.resolve(p["SecretId"]))
    expect("RotationEnabled", secret.get("RotationEnabled"), True)
    expression = p.get("RotationRules", {}).get("ScheduleExpression", "")
    if expression.startswith("rate(") and "day" in expression:
        expect(
            "rotation days",
            secret["RotationRules"]["AutomaticallyAfterDays"],
            int(expression[5:].split()[0]),
        )
    if "HostedRotationLambda" in p:
        d.skip(
            "HostedRotationLambda: the AWS::SecretsManager-2024-09-16 transform is ignored by "
            "moto, so no rotation function exists"
        )
    d.from_extension(
        "RotationEnabled / AutomaticallyAfterDays: extensions.RotationSchedule sets them on "
        "moto's secret object (moto 5.2.5 has no model for the type)"
    )


def _secret_policy(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    policy = d.client("secretsmanager").get_resource_policy(SecretId=d.resolve(p["SecretId"]))
    expect_document(d, "ResourcePolicy", policy["ResourcePolicy"], p["ResourcePolicy"])


def _json_or_text(value: Any) -> Any:
    """A target's Input: its JSON value when it is JSON (key order and spacing are not what the
    template says), else the text itself."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _timestamp(value: Any) -> Any:
    """A read-back (datetime) or template (ISO 8601) timestamp as epoch seconds."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.timestamp() if isinstance(value, datetime) else value


_SCHEDULE_TARGET_COMPARED_APART = ("Arn", "RoleArn", "Input")


def _schedule(d: Deployed, lid: str, pid: str) -> None:
    """GetSchedule (Name: the physical id, the template's GroupName or ``default``): the
    schedule's expression, time zone, window, state, description and its whole Target, the
    Input as JSON with its references (``AWS::StackId``: this stack's id, read back)."""
    p = d.props(lid)
    group = d.resolve(p.get("GroupName", "default"))
    if group is UNRESOLVED:
        raise Mismatch(f"cannot resolve GroupName {p['GroupName']}")
    schedule = d.client("scheduler").get_schedule(Name=pid, GroupName=group)
    expect("GroupName", schedule.get("GroupName"), group)
    if "Name" in p:
        expect("Name", schedule.get("Name"), d.resolve(p["Name"]))
    expect(
        "ScheduleExpression", schedule.get("ScheduleExpression"), d.resolve(p["ScheduleExpression"])
    )
    expect(
        "ScheduleExpressionTimezone",
        schedule.get("ScheduleExpressionTimezone"),
        d.resolve(p.get("ScheduleExpressionTimezone", "UTC")),
    )
    expect(
        "FlexibleTimeWindow", schedule.get("FlexibleTimeWindow"), d.resolve(p["FlexibleTimeWindow"])
    )
    expect("State", schedule.get("State"), d.resolve(p.get("State", "ENABLED")))
    expect("Description", schedule.get("Description") or "", d.resolve(p.get("Description", "")))
    if "KmsKeyArn" in p:
        expect("KmsKeyArn", schedule.get("KmsKeyArn"), d.resolve(p["KmsKeyArn"]))
    for key in ("StartDate", "EndDate"):
        if key in p:
            expect(key, _timestamp(schedule.get(key)), _timestamp(d.resolve(p[key])))
    target, wanted = schedule.get("Target", {}), p["Target"]
    expect("Target.Arn", target.get("Arn"), d.resolve(wanted["Arn"]))
    expect("Target.RoleArn", target.get("RoleArn"), d.resolve(wanted["RoleArn"]))
    if "Input" in wanted:
        input_ = d.resolve(wanted["Input"])
        expect(
            "Target.Input",
            _json_or_text(target.get("Input")),
            UNRESOLVED if input_ is UNRESOLVED else _json_or_text(input_),
        )
    for key in sorted(set(wanted) - set(_SCHEDULE_TARGET_COMPARED_APART)):
        expect(f"Target.{key}", target.get(key), d.resolve(wanted[key]))


# ------------------------------------------------- queues, topics, streams, catalogs (#15)
def expect_within(what: str, actual: Any, wanted: Any) -> None:
    """Every key the template sets is read back equal (recursively for objects; lists item by
    item); keys only the read-back has (the service's defaults) are not the template's."""
    if wanted is UNRESOLVED:
        return
    if isinstance(wanted, dict):
        if not isinstance(actual, dict):
            raise Mismatch(f"{what}: read back {actual!r}, template says {_fmt(wanted)}")
        for key, value in wanted.items():
            if key not in actual:
                raise Mismatch(f"{what}.{key}: not read back, template says {_fmt(value)}")
            expect_within(f"{what}.{key}", actual[key], value)
        return
    if isinstance(wanted, list):
        if not isinstance(actual, list) or len(actual) != len(wanted):
            raise Mismatch(f"{what}: read back {actual!r}, template says {_fmt(wanted)}")
        for index, (got, want) in enumerate(zip(actual, wanted, strict=True)):
            expect_within(f"{what}[{index}]", got, want)
        return
    expect(what, actual, wanted)


def _text(value: Any) -> Any:
    """A template scalar as the string an attribute API serves ("true", "60")."""
    if value is UNRESOLVED:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_value(value: Any) -> Any:
    """A JSON-typed attribute (a string on the API, an object in the template) as its value."""
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def _queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "SqsManagedSseEnabled",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
)


def _queue(d: Deployed, lid: str, pid: str) -> None:
    """GetQueueAttributes (All) of the queue at its URL: every attribute the template sets,
    FIFO or not (and a FIFO queue's name ends in .fifo), the redrive policy's target (the
    deployed dead-letter queue's ARN) and count; the template's tags."""
    p = d.props(lid)
    sqs = d.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=pid, AttributeNames=["All"])["Attributes"]
    fifo = _text(p.get("FifoQueue", False)) == "true"
    expect("FifoQueue", attributes.get("FifoQueue", "false"), "true" if fifo else "false")
    if fifo:
        expect("name ends in .fifo", _queue_name(pid).endswith(".fifo"), True)
    if "QueueName" in p:
        expect("QueueName", _queue_name(pid), d.resolve(p["QueueName"]))
    for key in _QUEUE_ATTRIBUTES:
        if key in p:
            expect(key, attributes.get(key), _text(d.resolve(p[key])))
    for key in ("RedrivePolicy", "RedriveAllowPolicy"):
        if key in p:
            wanted = d.resolve(_json_value(p[key]))
            if isinstance(wanted, dict) and "maxReceiveCount" in wanted:
                wanted = dict(wanted, maxReceiveCount=int(wanted["maxReceiveCount"]))
            expect(key, _json_value(attributes.get(key)), wanted)
    if p.get("Tags"):
        tags = sqs.list_queue_tags(QueueUrl=pid).get("Tags", {})
        expect_tags(
            "Queue", [{"Key": k, "Value": v} for k, v in tags.items()], d.resolve(p["Tags"])
        )


def _queue_policy(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    for queue in p["Queues"]:
        url = d.resolve(queue)
        if url is UNRESOLVED:
            raise Mismatch(f"cannot resolve the queue {queue}")
        policy = d.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        expect_document(
            d, f"Policy of {_queue_name(url)}", policy["Attributes"]["Policy"], p["PolicyDocument"]
        )


def _topic(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    attributes = d.client("sns").get_topic_attributes(TopicArn=pid)["Attributes"]
    expect("TopicArn", attributes["TopicArn"], pid)
    if "TopicName" in p:
        expect("TopicName", pid.rsplit(":", 1)[-1], d.resolve(p["TopicName"]))
    for key in ("DisplayName", "KmsMasterKeyId", "FifoTopic", "ContentBasedDeduplication"):
        if key in p:
            expect(key, _text(attributes.get(key)), _text(d.resolve(p[key])))
    if p.get("Tags") and d.modelled("AWS::SNS::Topic", "Tags"):
        tags = d.client("sns").list_tags_for_resource(ResourceArn=pid)["Tags"]
        expect_tags("Topic", tags, d.resolve(p["Tags"]))


def _topic_policy(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    for topic in p["Topics"]:
        arn = d.resolve(topic)
        if arn is UNRESOLVED:
            raise Mismatch(f"cannot resolve the topic {topic}")
        attributes = d.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"]
        expect_document(d, f"Policy of {arn}", attributes["Policy"], p["PolicyDocument"])


def _subscription(d: Deployed, lid: str, pid: str) -> None:
    """GetSubscriptionAttributes: the topic, protocol and endpoint (references resolved), the
    filter policy and its scope, raw delivery, the redrive policy (its DLQ's ARN)."""
    p = d.props(lid)
    attributes = d.client("sns").get_subscription_attributes(SubscriptionArn=pid)["Attributes"]
    expect("TopicArn", attributes.get("TopicArn"), d.resolve(p["TopicArn"]))
    expect("Protocol", attributes.get("Protocol"), p["Protocol"])
    expect("Endpoint", attributes.get("Endpoint"), d.resolve(p["Endpoint"]))
    expect(
        "RawMessageDelivery",
        _text(attributes.get("RawMessageDelivery", "false")).lower(),
        _text(p.get("RawMessageDelivery", False)).lower(),
    )
    for key in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy"):
        if key in p:
            expect(key, _json_value(attributes.get(key)), d.resolve(_json_value(p[key])))
    if "FilterPolicyScope" in p:
        expect("FilterPolicyScope", attributes.get("FilterPolicyScope"), p["FilterPolicyScope"])
    if "SubscriptionRoleArn" in p:
        expect(
            "SubscriptionRoleArn",
            attributes.get("SubscriptionRoleArn"),
            d.resolve(p["SubscriptionRoleArn"]),
        )


def _function_arn_for(d: Deployed, value: Any) -> Any:
    """A FunctionName (a name or an ARN) as the function's ARN, read back."""
    name = d.resolve(value)
    if name is UNRESOLVED:
        return UNRESOLVED
    return d.client("lambda").get_function_configuration(FunctionName=name)["FunctionArn"]


_ESM_SAME = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "FunctionResponseTypes",
    "ScalingConfig",
    "StartingPosition",
    "FilterCriteria",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "ParallelizationFactor",
    "TumblingWindowInSeconds",
    "DestinationConfig",
)


def _event_source_mapping(d: Deployed, lid: str, pid: str) -> None:
    """GetEventSourceMapping: the source (the deployed queue's/stream's ARN), the function (its
    ARN), the state, and every batching/response/scaling setting the template gives."""
    p = d.props(lid)
    mapping = d.client("lambda").get_event_source_mapping(UUID=pid)
    expect("EventSourceArn", mapping["EventSourceArn"], d.resolve(p["EventSourceArn"]))
    expect("FunctionArn", mapping["FunctionArn"], _function_arn_for(d, p["FunctionName"]))
    enabled = _text(p.get("Enabled", True)).lower() == "true"
    expect("State", mapping["State"], "Enabled" if enabled else "Disabled")
    for key in _ESM_SAME:
        if key in p:
            expect_within(key, mapping.get(key), d.resolve(p[key]))


_ALARM_SAME = (
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "ComparisonOperator",
    "TreatMissingData",
    "EvaluateLowSampleCountPercentile",
    "AlarmDescription",
    "Unit",
    "ThresholdMetricId",
)


def _alarm(d: Deployed, lid: str, pid: str) -> None:
    """DescribeAlarms by name: the metric (name, namespace, dimensions with their references
    resolved, statistic, period), threshold and comparison, evaluation and datapoints, missing
    data treatment, actions."""
    p = d.props(lid)
    [alarm] = d.client("cloudwatch").describe_alarms(AlarmNames=[pid])["MetricAlarms"]
    if "AlarmName" in p:
        expect("AlarmName", alarm["AlarmName"], d.resolve(p["AlarmName"]))
    for key in _ALARM_SAME:
        if key in p:
            expect(key, alarm.get(key), d.resolve(p[key]))
    for key in ("Period", "EvaluationPeriods", "DatapointsToAlarm"):
        if key in p:
            expect(key, alarm.get(key), int(p[key]))
    if "Threshold" in p:
        expect("Threshold", alarm.get("Threshold"), float(p["Threshold"]))
    if "Dimensions" in p:
        expect_unordered(
            "Dimensions",
            [(x["Name"], x["Value"]) for x in alarm.get("Dimensions", [])],
            [
                (x["Name"], v) if (v := d.resolve(x["Value"])) is not UNRESOLVED else UNRESOLVED
                for x in p["Dimensions"]
            ],
        )
    for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        if key in p:
            expect_unordered(key, alarm.get(key, []), d.resolve(p[key]))
    if "ActionsEnabled" in p:
        expect("ActionsEnabled", alarm.get("ActionsEnabled"), _text(p["ActionsEnabled"]) == "true")
    if "Metrics" in p:
        expect_within("Metrics", alarm.get("Metrics"), d.resolve(p["Metrics"]))


def _kinesis_stream(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    summary = d.client("kinesis").describe_stream_summary(StreamName=pid)
    summary = summary["StreamDescriptionSummary"]
    expect("StreamStatus", summary["StreamStatus"], "ACTIVE")
    if "Name" in p:
        expect("Name", summary["StreamName"], d.resolve(p["Name"]))
    if "ShardCount" in p:
        expect("ShardCount", summary["OpenShardCount"], int(p["ShardCount"]))
    expect(
        "RetentionPeriodHours",
        summary["RetentionPeriodHours"],
        int(p.get("RetentionPeriodHours", 24)),
    )
    mode = p.get("StreamModeDetails", {}).get("StreamMode", "PROVISIONED")
    expect(
        "StreamModeDetails.StreamMode", summary.get("StreamModeDetails", {}).get("StreamMode"), mode
    )
    encryption = p.get("StreamEncryption")
    expect(
        "EncryptionType",
        summary.get("EncryptionType"),
        encryption["EncryptionType"] if encryption else "NONE",
    )
    if encryption:
        expect("KeyId", summary.get("KeyId"), d.resolve(encryption["KeyId"]))


# The template's destination key -> DescribeDeliveryStream's description key.
_FIREHOSE_DESTINATIONS = {
    "ExtendedS3DestinationConfiguration": "ExtendedS3DestinationDescription",
    "S3DestinationConfiguration": "S3DestinationDescription",
    "HttpEndpointDestinationConfiguration": "HttpEndpointDestinationDescription",
    "RedshiftDestinationConfiguration": "RedshiftDestinationDescription",
    "ElasticsearchDestinationConfiguration": "ElasticsearchDestinationDescription",
    "SplunkDestinationConfiguration": "SplunkDestinationDescription",
}


def _delivery_stream(d: Deployed, lid: str, pid: str) -> None:
    """DescribeDeliveryStream: type, the Kinesis source (stream and role ARNs, resolved) and the
    destination's every template field (bucket and role ARNs, prefixes, buffering, compression,
    logging options with the deployed log group and stream)."""
    p = d.props(lid)
    described = d.client("firehose").describe_delivery_stream(DeliveryStreamName=pid)
    described = described["DeliveryStreamDescription"]
    expect("DeliveryStreamStatus", described["DeliveryStreamStatus"], "ACTIVE")
    expect(
        "DeliveryStreamType",
        described["DeliveryStreamType"],
        p.get("DeliveryStreamType", "DirectPut"),
    )
    if "KinesisStreamSourceConfiguration" in p:
        expect_within(
            "KinesisStreamSourceConfiguration",
            described.get("Source", {}).get("KinesisStreamSourceDescription"),
            d.resolve(p["KinesisStreamSourceConfiguration"]),
        )
    [destination] = described["Destinations"]
    found = [key for key in _FIREHOSE_DESTINATIONS if key in p]
    if not found:
        raise Mismatch("no destination configuration this verifier reads back")
    for key in found:
        wanted = dict(d.resolve(p[key]))
        # the template's S3Configuration is served as S3DestinationDescription
        if "S3Configuration" in wanted:
            wanted["S3DestinationDescription"] = wanted.pop("S3Configuration")
        expect_within(key, destination.get(_FIREHOSE_DESTINATIONS[key]), wanted)
    if "DeliveryStreamEncryptionConfigurationInput" in p:
        expect_within(
            "DeliveryStreamEncryptionConfigurationInput",
            described.get("DeliveryStreamEncryptionConfiguration"),
            d.resolve(p["DeliveryStreamEncryptionConfigurationInput"]),
        )


def _glue_database(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    database = d.client("glue").get_database(Name=pid)["Database"]
    wanted = dict(d.resolve(p.get("DatabaseInput", {})))
    expect("Name", database["Name"], wanted.pop("Name", pid))
    expect_within("DatabaseInput", database, wanted)


def _glue_table(d: Deployed, lid: str, pid: str) -> None:
    """GetTable in the template's database: every TableInput field (type, parameters such as
    the partition projection, partition keys, the storage descriptor: location with the
    deployed bucket's name, columns, formats, SerDe)."""
    p = d.props(lid)
    database = d.resolve(p["DatabaseName"])
    table = d.client("glue").get_table(DatabaseName=database, Name=pid)["Table"]
    wanted = dict(d.resolve(p["TableInput"]))
    expect("Name", table["Name"], wanted.pop("Name", pid))
    expect("DatabaseName", table.get("DatabaseName"), database)
    expect_within("TableInput", table, wanted)


def _athena_work_group(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    group = d.client("athena").get_work_group(WorkGroup=pid)["WorkGroup"]
    expect("Name", group["Name"], d.resolve(p["Name"]))
    expect("State", group["State"], p.get("State", "ENABLED"))
    if "Description" in p:
        expect("Description", group.get("Description"), d.resolve(p["Description"]))
    if "WorkGroupConfiguration" in p:
        expect_within(
            "WorkGroupConfiguration",
            group.get("Configuration"),
            d.resolve(p["WorkGroupConfiguration"]),
        )


def _athena_named_query(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    query = d.client("athena").get_named_query(NamedQueryId=pid)["NamedQuery"]
    for key in ("Name", "Database", "QueryString", "Description"):
        if key in p:
            expect(key, query.get(key), d.resolve(p[key]))
    expect("WorkGroup", query.get("WorkGroup"), d.resolve(p.get("WorkGroup", "primary")))


def _log_stream(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    group = d.resolve(p["LogGroupName"])
    streams = d.client("logs").describe_log_streams(logGroupName=group, logStreamNamePrefix=pid)
    names = [s["logStreamName"] for s in streams["logStreams"]]
    if pid not in names:
        raise Mismatch(f"log stream {pid} not in {group}: {names}")
    if "LogStreamName" in p:
        expect("LogStreamName", pid, d.resolve(p["LogStreamName"]))


# ------------------------------------------------------------------ S3 bucket sub-resources
def _lifecycle_rule_as_cfn(rule: dict) -> dict:
    """A GetBucketLifecycleConfiguration rule in the template's vocabulary, for comparison."""
    out: dict[str, Any] = {"Status": rule.get("Status")}
    found = rule.get("Filter", {})
    both = found.get("And", {})
    out["Prefix"] = found.get("Prefix", both.get("Prefix", rule.get("Prefix", "")))
    tags = ([found["Tag"]] if "Tag" in found else []) + both.get("Tags", [])
    out["TagFilters"] = [{"Key": t["Key"], "Value": t["Value"]} for t in tags]
    for key in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
        if key in found or key in both:
            out[key] = found.get(key, both.get(key))
    expiration = rule.get("Expiration", {})
    if "Days" in expiration:
        out["ExpirationInDays"] = expiration["Days"]
    if expiration.get("ExpiredObjectDeleteMarker"):
        out["ExpiredObjectDeleteMarker"] = True
    out["Transitions"] = [
        {"StorageClass": t["StorageClass"], "TransitionInDays": t.get("Days")}
        for t in rule.get("Transitions", [])
    ]
    out["NoncurrentVersionTransitions"] = [
        {"StorageClass": t["StorageClass"], "TransitionInDays": t.get("NoncurrentDays")}
        for t in rule.get("NoncurrentVersionTransitions", [])
    ]
    if "NoncurrentVersionExpiration" in rule:
        out["NoncurrentDays"] = rule["NoncurrentVersionExpiration"].get("NoncurrentDays")
    if "AbortIncompleteMultipartUpload" in rule:
        out["DaysAfterInitiation"] = rule["AbortIncompleteMultipartUpload"].get(
            "DaysAfterInitiation"
        )
    if "ID" in rule:
        out["Id"] = rule["ID"]
    return out


def _lifecycle_rule_wanted(rule: dict) -> dict:
    """The template's lifecycle rule, in the same normal form."""
    out: dict[str, Any] = {"Status": rule["Status"], "Prefix": rule.get("Prefix", "")}
    out["TagFilters"] = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters", [])]
    for key in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
        if key in rule:
            out[key] = int(rule[key])
    if "ExpirationInDays" in rule:
        out["ExpirationInDays"] = int(rule["ExpirationInDays"])
    if _text(rule.get("ExpiredObjectDeleteMarker", False)) == "true":
        out["ExpiredObjectDeleteMarker"] = True
    transitions = list(rule.get("Transitions", [])) + (
        [rule["Transition"]] if "Transition" in rule else []
    )
    out["Transitions"] = [
        {"StorageClass": t["StorageClass"], "TransitionInDays": int(t["TransitionInDays"])}
        for t in transitions
    ]
    noncurrent = list(rule.get("NoncurrentVersionTransitions", [])) + (
        [rule["NoncurrentVersionTransition"]] if "NoncurrentVersionTransition" in rule else []
    )
    out["NoncurrentVersionTransitions"] = [
        {"StorageClass": t["StorageClass"], "TransitionInDays": int(t["TransitionInDays"])}
        for t in noncurrent
    ]
    expire = rule.get("NoncurrentVersionExpiration", {}).get(
        "NoncurrentDays", rule.get("NoncurrentVersionExpirationInDays")
    )
    if expire is not None:
        out["NoncurrentDays"] = int(expire)
    if "AbortIncompleteMultipartUpload" in rule:
        out["DaysAfterInitiation"] = int(
            rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
        )
    if "Id" in rule:
        out["Id"] = rule["Id"]
    return out


def _replication_rule_as_cfn(rule: dict) -> dict:
    out = {k: v for k, v in rule.items() if k not in ("ID", "Filter")}
    if "ID" in rule:
        out["Id"] = rule["ID"]
    if "Filter" in rule:
        found = rule["Filter"]
        cfn: dict[str, Any] = {k: v for k, v in found.items() if k == "Prefix"}
        if "Tag" in found:
            cfn["TagFilter"] = found["Tag"]
        if "And" in found:
            cfn["And"] = {k: v for k, v in found["And"].items() if k == "Prefix"}
            if "Tags" in found["And"]:
                cfn["And"]["TagFilters"] = found["And"]["Tags"]
        out["Filter"] = cfn
    return out


def _bucket_sub_resources(d: Deployed, p: dict, pid: str) -> None:
    """What the completion applies through moto's S3 API, read back through that API and
    compared in the template's vocabulary."""
    s3 = d.client("s3")
    if "OwnershipControls" in p:
        rules = s3.get_bucket_ownership_controls(Bucket=pid)["OwnershipControls"]["Rules"]
        expect("OwnershipControls", rules, p["OwnershipControls"]["Rules"])
    if "VersioningConfiguration" in p:
        expect(
            "VersioningConfiguration.Status",
            s3.get_bucket_versioning(Bucket=pid).get("Status"),
            p["VersioningConfiguration"]["Status"],
        )
    if _text(p.get("ObjectLockEnabled", False)) == "true" or "ObjectLockConfiguration" in p:
        lock = s3.get_object_lock_configuration(Bucket=pid)["ObjectLockConfiguration"]
        expect("ObjectLockEnabled", lock.get("ObjectLockEnabled"), "Enabled")
        retention = p.get("ObjectLockConfiguration", {}).get("Rule", {}).get("DefaultRetention")
        if retention:
            expect_within(
                "ObjectLockConfiguration.Rule.DefaultRetention",
                lock.get("Rule", {}).get("DefaultRetention"),
                {"Mode": retention["Mode"]}
                | {k: int(retention[k]) for k in ("Days", "Years") if k in retention},
            )
    if "LifecycleConfiguration" in p:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=pid)["Rules"]
        wanted = [_lifecycle_rule_wanted(r) for r in p["LifecycleConfiguration"]["Rules"]]
        got = [_lifecycle_rule_as_cfn(r) for r in rules]
        for rule, want in zip(got, wanted, strict=False):
            if "Id" not in want:
                rule.pop("Id", None)  # S3 names a rule the template leaves unnamed
        expect("LifecycleConfiguration.Rules", got, wanted)
    if "ReplicationConfiguration" in p:
        config = s3.get_bucket_replication(Bucket=pid)["ReplicationConfiguration"]
        wanted = d.resolve(p["ReplicationConfiguration"])
        expect("ReplicationConfiguration.Role", config.get("Role"), wanted["Role"])
        got = [_replication_rule_as_cfn(r) for r in config.get("Rules", [])]
        wanted = dict(wanted, Rules=[dict(r) for r in wanted["Rules"]])
        for key in ("DeleteMarkerReplication", "Filter"):
            if any(key in r for r in wanted["Rules"]) and not d.modelled(
                "AWS::S3::Bucket", f"ReplicationConfiguration.Rules[].{key}"
            ):
                for rule in wanted["Rules"]:
                    rule.pop(key, None)
        if len(got) != len(wanted["Rules"]):
            raise Mismatch(
                f"ReplicationConfiguration.Rules: {len(got)} read back, "
                f"template {len(wanted['Rules'])}"
            )
        for index, (rule, want) in enumerate(zip(got, wanted["Rules"], strict=True)):
            expect_within(f"ReplicationConfiguration.Rules[{index}]", rule, want)
    if "LoggingConfiguration" in p:
        enabled = s3.get_bucket_logging(Bucket=pid).get("LoggingEnabled", {})
        logging = p["LoggingConfiguration"]
        expect(
            "LoggingConfiguration.DestinationBucketName",
            enabled.get("TargetBucket"),
            d.resolve(logging.get("DestinationBucketName", pid)),
        )
        expect(
            "LoggingConfiguration.LogFilePrefix",
            enabled.get("TargetPrefix", ""),
            logging.get("LogFilePrefix", ""),
        )
    if "NotificationConfiguration" in p:
        _expect_notifications(
            d, s3.get_bucket_notification_configuration(Bucket=pid), p["NotificationConfiguration"]
        )


def _expect_notifications(d: Deployed, got: dict, wanted: dict, exact: bool = True) -> None:
    """A bucket's notification configuration (the API's form) against the template's (its
    CloudFormation form, or Custom::S3BucketNotifications' API form): each destination's ARN
    (resolved), events and key filter rules."""

    def key_rules(entry: dict) -> list:
        found = entry.get("Filter", {})
        rules = found.get("Key", found.get("S3Key", {})).get(
            "FilterRules", found.get("S3Key", {}).get("Rules", [])
        )
        return sorted((r["Name"].lower(), r["Value"]) for r in rules)

    for api_key, cfn_key, arn_keys in (
        ("TopicConfigurations", "TopicConfigurations", ("TopicArn", "Topic")),
        ("QueueConfigurations", "QueueConfigurations", ("QueueArn", "Queue")),
        ("LambdaFunctionConfigurations", "LambdaConfigurations", ("LambdaFunctionArn", "Function")),
    ):
        want_entries = wanted.get(cfn_key) or wanted.get(api_key) or []
        have = [
            (e.get(arn_keys[0]), sorted(e.get("Events", [])), key_rules(e))
            for e in got.get(api_key, [])
        ]
        want = []
        for entry in want_entries:
            arn = d.resolve(entry.get(arn_keys[0], entry.get(arn_keys[1])))
            events = entry.get("Events") or [entry["Event"]]
            want.append((arn, sorted(events), key_rules(entry)))
        if exact:
            expect_unordered(api_key, have, want)
        else:
            missing = [w for w in want if not any(_matches(w, h, ordered=False) for h in have)]
            if missing:
                raise Mismatch(f"{api_key}: {_fmt(missing)} not in the read-back {_fmt(have)}")


def _bucket_notifications(d: Deployed, lid: str, pid: str) -> None:
    """Custom::S3BucketNotifications: the bucket's notification configuration (read back)
    holds every destination the resource asks for (the handler merges them into what is there)."""
    p = d.props(lid)
    bucket = d.resolve(p["BucketName"])
    got = d.client("s3").get_bucket_notification_configuration(Bucket=bucket)
    _expect_notifications(
        d, got, p["NotificationConfiguration"], exact=_text(p.get("Managed", True)) == "true"
    )
    d.custom(
        "Custom::S3BucketNotifications", _NOT_THE_HANDLER.format("the notification configuration")
    )


# A custom resource type left out of stubs.HANDLERS_RUN: its effect is not aws-cdk-lib's code.
_NOT_THE_HANDLER = (
    "{}: the type is not in stubs.HANDLERS_RUN, so an extension, not aws-cdk-lib's own "
    "handler, produced it"
)


def _restrict_default_sg(d: Deployed, lid: str, pid: str) -> None:
    group_id = d.resolve(d.props(lid)["DefaultSecurityGroupId"])
    group = d.client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    expect("GroupName", group["GroupName"], "default")
    expect("default group rules", (group["IpPermissions"], group["IpPermissionsEgress"]), ([], []))
    d.custom("Custom::VpcRestrictDefaultSG", _NOT_THE_HANDLER.format("the revoked rules"))


def _bucket_deployment(d: Deployed, lid: str, pid: str) -> None:
    """Every file of the asset archives is an object of the destination bucket with the same
    bytes (SHA-256), under the key prefix; with Prune, nothing else is there."""
    p = d.props(lid)
    s3 = d.client("s3")
    prefix = d.resolve(p.get("DestinationBucketKeyPrefix", ""))
    wanted: dict[str, str] = {}
    for bucket, key in zip(p["SourceBucketNames"], p["SourceObjectKeys"], strict=True):
        archive = s3.get_object(Bucket=d.resolve(bucket), Key=d.resolve(key))["Body"].read()
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            for entry in zipped.infolist():
                if not entry.is_dir():
                    wanted[f"{prefix}{entry.filename}"] = hashlib.sha256(
                        zipped.read(entry)
                    ).hexdigest()
    destination = d.resolve(p["DestinationBucketName"])
    listed = s3.list_objects_v2(Bucket=destination, Prefix=prefix).get("Contents", [])
    keys = sorted(o["Key"] for o in listed)
    if str(p.get("Prune", True)).lower() == "true":
        expect("site objects", keys, sorted(wanted))
    else:
        expect("site objects", sorted(set(keys) & set(wanted)), sorted(wanted))
    for key, digest in sorted(wanted.items()):
        body = s3.get_object(Bucket=destination, Key=key)["Body"].read()
        expect(f"object {key} sha256", hashlib.sha256(body).hexdigest(), digest)
    if "DistributionId" in p:
        cloudfront = d.client("cloudfront")
        distribution = d.resolve(p["DistributionId"])
        listed = cloudfront.list_invalidations(DistributionId=distribution)
        paths = [
            sorted(
                cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])[
                    "Invalidation"
                ]["InvalidationBatch"]["Paths"].get("Items", [])
            )
            for item in listed.get("InvalidationList", {}).get("Items", [])
        ]
        if sorted(p.get("DistributionPaths", ["/*"])) not in paths:
            raise Mismatch(
                f"no invalidation of {p.get('DistributionPaths', ['/*'])} on {distribution}: "
                f"{paths}"
            )
    d.custom("Custom::CDKBucketDeployment", _NOT_THE_HANDLER.format("the objects"))


# ------------------------------------------------- Route 53, EFS (the classic architectures)
def _fqdn(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _hosted_zone(d: Deployed, lid: str, pid: str) -> None:
    """GetHostedZone: Name, private exactly when VPCs is set, the comment, every VPC (id and
    region); the template's HostedZoneTags (ListTagsForResource)."""
    p = d.props(lid)
    route53 = d.client("route53")
    got = route53.get_hosted_zone(Id=pid)
    zone = got["HostedZone"]
    expect("Name", zone["Name"], _fqdn(p["Name"]))
    vpcs = d.resolve(p.get("VPCs", []))
    expect("PrivateZone", zone["Config"]["PrivateZone"], bool(vpcs))
    comment = p.get("HostedZoneConfig", {}).get("Comment")
    if comment is not None:
        expect("HostedZoneConfig.Comment", zone["Config"].get("Comment"), comment)
    expect_unordered(
        "VPCs",
        [f"{v['VPCId']}@{v['VPCRegion']}" for v in got.get("VPCs") or []],
        [f"{v['VPCId']}@{v['VPCRegion']}" for v in vpcs],
    )
    if p.get("HostedZoneTags"):
        tags = route53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=pid)
        expect_tags("HostedZoneTags", tags["ResourceTagSet"]["Tags"], p["HostedZoneTags"])


def _record_sets(d: Deployed, zone_id: str) -> list[dict]:
    route53, records, start = d.client("route53"), [], {}
    while True:
        page = route53.list_resource_record_sets(HostedZoneId=zone_id, **start)
        records += page["ResourceRecordSets"]
        if not page.get("IsTruncated"):
            return records
        start = {
            "StartRecordName": page["NextRecordName"],
            "StartRecordType": page["NextRecordType"],
        }


def _record_set(d: Deployed, lid: str, pid: str) -> None:
    """ListResourceRecordSets of the zone holds the template's record (Name, Type and
    SetIdentifier): its TTL, its values (in any order), the alias target (DNS name and zone
    resolved from the deployed load balancer, EvaluateTargetHealth), the routing fields."""
    p = d.props(lid)
    zone_id = d.resolve(p["HostedZoneId"]) if "HostedZoneId" in p else None
    if zone_id is None:
        zones = d.client("route53").list_hosted_zones_by_name(DNSName=p["HostedZoneName"])
        zone_id = zones["HostedZones"][0]["Id"]
    if zone_id is UNRESOLVED:
        raise Mismatch(f"cannot resolve HostedZoneId {p['HostedZoneId']}")
    matching = [
        r
        for r in _record_sets(d, zone_id)
        if r["Name"] == _fqdn(p["Name"])
        and r["Type"] == p["Type"]
        and r.get("SetIdentifier") == p.get("SetIdentifier")
    ]
    if len(matching) != 1:
        raise Mismatch(
            f"{len(matching)} {p['Type']} records {p['Name']} "
            f"(SetIdentifier {p.get('SetIdentifier')}) in zone {zone_id}"
        )
    [record] = matching
    if "TTL" in p:
        expect("TTL", record.get("TTL"), int(p["TTL"]))
    if "ResourceRecords" in p:
        expect_unordered(
            "ResourceRecords",
            [r["Value"] for r in record.get("ResourceRecords", [])],
            d.resolve(p["ResourceRecords"]),
        )
    if "AliasTarget" in p:
        wanted = d.resolve(p["AliasTarget"])
        got = record.get("AliasTarget", {})
        expect("AliasTarget.DNSName", got.get("DNSName", "").rstrip("."), _alias_name(wanted))
        expect("AliasTarget.HostedZoneId", got.get("HostedZoneId"), wanted["HostedZoneId"])
        expect(
            "AliasTarget.EvaluateTargetHealth",
            got.get("EvaluateTargetHealth", False),
            _text(wanted.get("EvaluateTargetHealth", False)) == "true",
        )
    for key in ("MultiValueAnswer", "Weight", "Failover", "Region"):
        if key in p:
            value = d.resolve(p[key])
            expect(key, record.get(key), value if key != "Weight" else int(value))
    if "HealthCheckId" in p:
        expect("HealthCheckId", record.get("HealthCheckId"), d.resolve(p["HealthCheckId"]))


def _alias_name(target: dict) -> Any:
    name = target.get("DNSName")
    return name if name is UNRESOLVED else str(name).rstrip(".")


def _health_check(d: Deployed, lid: str, pid: str) -> None:
    """GetHealthCheck: every HealthCheckConfig field the template sets; HealthCheckTags."""
    p = d.props(lid)
    route53 = d.client("route53")
    config = route53.get_health_check(HealthCheckId=pid)["HealthCheck"]["HealthCheckConfig"]
    for key, value in d.resolve(p["HealthCheckConfig"]).items():
        if key in ("Port", "RequestInterval", "FailureThreshold", "HealthThreshold"):
            value = int(value)
        elif isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        expect(f"HealthCheckConfig.{key}", config.get(key), value)
    if p.get("HealthCheckTags"):
        tags = route53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=pid)
        expect_tags("HealthCheckTags", tags["ResourceTagSet"]["Tags"], p["HealthCheckTags"])


def _efs_file_system(d: Deployed, lid: str, pid: str) -> None:
    """DescribeFileSystems: Encrypted, KmsKeyId, PerformanceMode, ThroughputMode, the tags;
    the lifecycle policies, the file system policy (per statement), the backup policy."""
    p = d.props(lid)
    efs = d.client("efs")
    fs = efs.describe_file_systems(FileSystemId=pid)["FileSystems"][0]
    expect("Encrypted", fs["Encrypted"], _text(p.get("Encrypted", False)) == "true")
    if "KmsKeyId" in p:
        expect("KmsKeyId", fs.get("KmsKeyId"), d.resolve(p["KmsKeyId"]))
    expect("PerformanceMode", fs["PerformanceMode"], p.get("PerformanceMode", "generalPurpose"))
    expect("ThroughputMode", fs["ThroughputMode"], p.get("ThroughputMode", "bursting"))
    if "ProvisionedThroughputInMibps" in p:
        expect(
            "ProvisionedThroughputInMibps",
            fs.get("ProvisionedThroughputInMibps"),
            float(p["ProvisionedThroughputInMibps"]),
        )
    if p.get("FileSystemTags"):
        expect_tags("FileSystemTags", fs.get("Tags"), d.resolve(p["FileSystemTags"]))
    lifecycle = efs.describe_lifecycle_configuration(FileSystemId=pid)["LifecyclePolicies"]
    expect_unordered(
        "LifecyclePolicies",
        [_fmt(x) for x in lifecycle],
        [_fmt(x) for x in p.get("LifecyclePolicies", [])],
    )
    if "FileSystemPolicy" in p:
        policy = efs.describe_file_system_policy(FileSystemId=pid)["Policy"]
        expect_document(d, "FileSystemPolicy", policy, p["FileSystemPolicy"])
    _efs_backup_policy(efs, pid, p.get("BackupPolicy", {}).get("Status"))


def _efs_backup_policy(efs: Any, pid: str, wanted: str | None) -> None:
    """moto keeps only whether backups are on: DescribeBackupPolicy answers ENABLED, or
    PolicyNotFound for a file system without (EFS answers DISABLED)."""
    if wanted is None:
        return
    try:
        status = efs.describe_backup_policy(FileSystemId=pid)["BackupPolicy"]["Status"]
    except Exception as error:  # noqa: BLE001 - moto's answer for "off"
        if "PolicyNotFound" not in str(error):
            raise
        status = "DISABLED"
    expect("BackupPolicy.Status", status, wanted)


def _efs_mount_target(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    efs = d.client("efs")
    target = efs.describe_mount_targets(MountTargetId=pid)["MountTargets"][0]
    expect("FileSystemId", target["FileSystemId"], d.resolve(p["FileSystemId"]))
    expect("SubnetId", target["SubnetId"], d.resolve(p["SubnetId"]))
    expect("LifeCycleState", target["LifeCycleState"], "available")
    if "IpAddress" in p:
        expect("IpAddress", target.get("IpAddress"), p["IpAddress"])
    groups = efs.describe_mount_target_security_groups(MountTargetId=pid)["SecurityGroups"]
    expect_unordered("SecurityGroups", groups, d.resolve(p["SecurityGroups"]))


def _posix(value: Any) -> Any:
    """A PosixUser / CreationInfo: its ids as numbers (the template gives strings)."""
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key in ("Uid", "Gid", "OwnerUid", "OwnerGid"):
            item = int(item)
        elif key == "SecondaryGids":
            item = [int(x) for x in item]
        out[key] = _posix(item)
    return out


def _efs_access_point(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    points = d.client("efs").describe_access_points(AccessPointId=pid)["AccessPoints"]
    point = points[0]
    expect("FileSystemId", point["FileSystemId"], d.resolve(p["FileSystemId"]))
    if "PosixUser" in p:
        expect("PosixUser", _posix(point.get("PosixUser")), _posix(d.resolve(p["PosixUser"])))
    if "RootDirectory" in p:
        expect(
            "RootDirectory",
            _posix(point.get("RootDirectory")),
            _posix(d.resolve(p["RootDirectory"])),
        )
    if p.get("AccessPointTags"):
        expect_tags("AccessPointTags", point.get("Tags"), d.resolve(p["AccessPointTags"]))
    expect("LifeCycleState", point["LifeCycleState"], "available")


def _cache_subnet_group(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    groups = d.client("elasticache").describe_cache_subnet_groups(CacheSubnetGroupName=pid)
    group = groups["CacheSubnetGroups"][0]
    expect("Description", group["CacheSubnetGroupDescription"], p["Description"])
    expect_unordered(
        "SubnetIds",
        [s["SubnetIdentifier"] for s in group.get("Subnets", [])],
        d.resolve(p["SubnetIds"]),
    )


_CACHE_FLAGS = (
    ("AtRestEncryptionEnabled", "AtRestEncryptionEnabled", bool),
    ("TransitEncryptionEnabled", "TransitEncryptionEnabled", bool),
    ("TransitEncryptionMode", "TransitEncryptionMode", str),
    ("CacheNodeType", "CacheNodeType", str),
    ("SnapshotRetentionLimit", "SnapshotRetentionLimit", int),
    ("Engine", "Engine", str),
)


def _cache_replication_group(d: Deployed, lid: str, pid: str) -> None:
    """DescribeReplicationGroups: description, node type, engine, encryption at rest and in
    transit (and its mode), AUTH on exactly when AuthToken is set, failover, Multi-AZ,
    snapshot retention, as many member clusters as NumCacheClusters, the port."""
    p = d.props(lid)
    [group] = d.client("elasticache").describe_replication_groups(ReplicationGroupId=pid)[
        "ReplicationGroups"
    ]
    expect("ReplicationGroupDescription", group["Description"], p["ReplicationGroupDescription"])
    for key, api_key, cast in _CACHE_FLAGS:
        if key in p:
            value = _text(p[key]) == "true" if cast is bool else cast(p[key])
            expect(key, group.get(api_key), value)
    expect("AuthTokenEnabled", group.get("AuthTokenEnabled"), "AuthToken" in p)
    for key, api_key in (
        ("AutomaticFailoverEnabled", "AutomaticFailover"),
        ("MultiAZEnabled", "MultiAZ"),
    ):
        if key in p:
            expect(key, group.get(api_key), "enabled" if _text(p[key]) == "true" else "disabled")
    if "NumCacheClusters" in p and d.modelled(
        "AWS::ElastiCache::ReplicationGroup", "NumCacheClusters"
    ):
        expect("NumCacheClusters", len(group.get("MemberClusters", [])), int(p["NumCacheClusters"]))
    if "Port" in p:
        endpoint = group["NodeGroups"][0].get("PrimaryEndpoint", {})
        expect("Port", endpoint.get("Port"), int(p["Port"]))
    for key in ("EngineVersion", "CacheSubnetGroupName", "SecurityGroupIds"):
        if key in p:
            d.skip(f"{key}: moto 5.2.5 stores it but DescribeReplicationGroups does not serve it")


AUTO_DELETE_SUPPLIES = _NOT_THE_HANDLER.format("the emptied bucket")


def on_destroy(row: ResourceCoverage, bucket: str | None, gone: bool) -> None:
    """Custom::S3AutoDeleteObjects, after ``cdk destroy``: the bucket held the deployed site,
    and it is gone (moto refuses to delete a bucket that still holds objects)."""
    if not gone or not bucket:
        row.status, row.detail = MISMATCH, f"bucket {bucket} still there after destroy"
        return
    if row.type in stubs.HANDLERS_RUN:
        row.status, row.detail, row.supplied = VERIFIED_MOTO, "", []
    else:
        row.status, row.detail, row.supplied = (
            VERIFIED_EMULATION,
            AUTO_DELETE_SUPPLIES,
            [AUTO_DELETE_SUPPLIES],
        )


VERIFIERS: dict[str, Callable[[Deployed, str, str], None]] = {
    "AWS::EC2::VPC": _vpc,
    "AWS::EC2::Subnet": _subnet,
    "AWS::EC2::RouteTable": _route_table,
    "AWS::EC2::SubnetRouteTableAssociation": _association,
    "AWS::EC2::Route": _route,
    "AWS::EC2::EIP": _eip,
    "AWS::EC2::NatGateway": _nat,
    "AWS::EC2::InternetGateway": _igw,
    "AWS::EC2::VPCGatewayAttachment": _igw_attachment,
    "AWS::EC2::VPCEndpoint": _vpc_endpoint,
    "AWS::EC2::SecurityGroup": _security_group,
    "AWS::EC2::SecurityGroupIngress": _sg_rule("IpPermissions", "SourceSecurityGroupId"),
    "AWS::EC2::SecurityGroupEgress": _sg_rule("IpPermissionsEgress", "DestinationSecurityGroupId"),
    "AWS::EC2::FlowLog": _flow_log,
    "AWS::EC2::Instance": _instance,
    "AWS::EC2::LaunchTemplate": _launch_template,
    "AWS::IAM::Role": _role,
    "AWS::IAM::Policy": _policy,
    "AWS::IAM::InstanceProfile": _instance_profile,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::Lambda::Function": _function,
    "AWS::Lambda::Permission": _permission,
    "AWS::Lambda::LayerVersion": _layer,
    "AWS::KMS::Key": _key,
    "AWS::DynamoDB::Table": _table,
    "AWS::ApiGateway::RestApi": _rest_api,
    "AWS::ApiGateway::Resource": _api_resource,
    "AWS::ApiGateway::Method": _api_method,
    "AWS::ApiGateway::Deployment": _deployment,
    "AWS::ApiGateway::Stage": _stage,
    "AWS::ApiGateway::RequestValidator": _validator,
    "AWS::ApiGateway::Model": _model,
    "AWS::S3::Bucket": _bucket,
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::CloudFront::Distribution": _distribution,
    "AWS::CloudFront::OriginAccessControl": _oac,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::ElasticLoadBalancingV2::Listener": _listener,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _target_group,
    "AWS::AutoScaling::AutoScalingGroup": _asg,
    "AWS::AutoScaling::ScalingPolicy": _scaling_policy,
    "AWS::RDS::GlobalCluster": _global_cluster,
    "AWS::RDS::DBCluster": _db_cluster_verifier,
    "AWS::RDS::DBInstance": _db_instance,
    "AWS::RDS::DBSubnetGroup": _db_subnet_group,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::SecretsManager::SecretTargetAttachment": _target_attachment,
    "AWS::SecretsManager::RotationSchedule": _rotation,
    "AWS::SecretsManager::ResourcePolicy": _secret_policy,
    "AWS::Scheduler::Schedule": _schedule,
    "Custom::VpcRestrictDefaultSG": _restrict_default_sg,
    "Custom::CDKBucketDeployment": _bucket_deployment,
    "Custom::S3BucketNotifications": _bucket_notifications,
    "AWS::SQS::Queue": _queue,
    "AWS::SQS::QueuePolicy": _queue_policy,
    "AWS::SNS::Topic": _topic,
    "AWS::SNS::TopicPolicy": _topic_policy,
    "AWS::SNS::Subscription": _subscription,
    "AWS::Lambda::EventSourceMapping": _event_source_mapping,
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::Kinesis::Stream": _kinesis_stream,
    "AWS::KinesisFirehose::DeliveryStream": _delivery_stream,
    "AWS::Glue::Database": _glue_database,
    "AWS::Glue::Table": _glue_table,
    "AWS::Athena::WorkGroup": _athena_work_group,
    "AWS::Athena::NamedQuery": _athena_named_query,
    "AWS::Logs::LogStream": _log_stream,
    "AWS::EC2::EIPAssociation": _eip_association,
    "AWS::Route53::HostedZone": _hosted_zone,
    "AWS::Route53::RecordSet": _record_set,
    "AWS::Route53::HealthCheck": _health_check,
    "AWS::EFS::FileSystem": _efs_file_system,
    "AWS::EFS::MountTarget": _efs_mount_target,
    "AWS::EFS::AccessPoint": _efs_access_point,
    "AWS::RDS::DBClusterParameterGroup": _db_cluster_parameter_group,
    "AWS::ElastiCache::SubnetGroup": _cache_subnet_group,
    "AWS::ElastiCache::ReplicationGroup": _cache_replication_group,
}
# Verified after `cdk destroy` instead (its only effect is on delete): see on_destroy.
VERIFIED_ON_DESTROY = {"Custom::S3AutoDeleteObjects"}


# ------------------------------------------------------------- what each verifier compares
CUSTOM = "custom"  # emulation, or moto's own model once listed in stubs.HANDLERS_RUN


@dataclass(frozen=True)
class Source:
    """One type's class and what its verifier compares (docs/deploy-local.md renders these;
    the deploy proof asserts every deployed resource lands in its type's class)."""

    klass: str
    compares: str
    # VERIFIED_EMULATION/CUSTOM: what an extension writes that is compared; for moto's own
    # model, how moto's code is reached when an extension stands in for moto's template model
    supplies: str = ""
    # template properties the verifier does not compare, and why
    not_compared: str = ""


_MOTO_CFN = "moto's own CloudFormation model"
_HANDLER = (
    "aws-cdk-lib's own handler, the deployed function's code run by "
    "extensions.CdkHandlerResource (stubs.HANDLERS_RUN), {}: moto's own model; a type left out "
    "of HANDLERS_RUN counts as this project's emulation"
)
_EXT = "extensions.{} calls moto's backend {} with the template's properties"
_API = (
    "extensions.{} calls moto's own API {} (boto3, against the emulator) with the template's "
    "properties (moto 5.2.5 has no CloudFormation model for the type)"
)

SOURCES: dict[str, Source] = {
    "AWS::EC2::VPC": Source(
        VERIFIED_MOTO,
        "CidrBlock, EnableDnsHostnames, EnableDnsSupport",
        _MOTO_CFN + "; the DNS attributes through moto's ModifyVpcAttribute (a completion)",
    ),
    "AWS::EC2::Subnet": Source(
        VERIFIED_MOTO,
        "CidrBlock, VpcId, MapPublicIpOnLaunch, AvailabilityZone",
        _MOTO_CFN + "; MapPublicIpOnLaunch through moto's ModifySubnetAttribute (a completion)",
    ),
    "AWS::EC2::RouteTable": Source(VERIFIED_MOTO, "VpcId", _MOTO_CFN),
    "AWS::EC2::SubnetRouteTableAssociation": Source(
        VERIFIED_MOTO,
        "the route table is associated with the subnet, under the association's id",
        _EXT.format("SubnetRouteTableAssociation", "AssociateRouteTable"),
    ),
    "AWS::EC2::Route": Source(
        VERIFIED_MOTO, "the route to DestinationCidrBlock, GatewayId / NatGatewayId", _MOTO_CFN
    ),
    "AWS::EC2::EIP": Source(VERIFIED_MOTO, "Domain, InstanceId (when set)", _MOTO_CFN),
    "AWS::EC2::EIPAssociation": Source(
        VERIFIED_MOTO,
        "the address (AllocationId / EIP, resolved) is associated under this id with InstanceId "
        "(or NetworkInterfaceId), and the instance's public address is the EIP's",
        _EXT.format("EIPAssociation", "AssociateAddress")
        + " (moto 5.2.5 has no CloudFormation model for the type)",
    ),
    "AWS::EC2::NatGateway": Source(
        VERIFIED_MOTO, "SubnetId, AllocationId (the EIP's, read back), state available", _MOTO_CFN
    ),
    "AWS::EC2::InternetGateway": Source(
        EXISTENCE_ONLY,
        "exists (DescribeInternetGateways by id)",
        _MOTO_CFN,
        "Tags: " + MOTO_IGNORES[("AWS::EC2::InternetGateway", "Tags")],
    ),
    "AWS::EC2::VPCGatewayAttachment": Source(
        VERIFIED_MOTO, "the gateway is attached to VpcId (and only to it)", _MOTO_CFN
    ),
    "AWS::EC2::VPCEndpoint": Source(
        VERIFIED_MOTO, "ServiceName, VpcId, VpcEndpointType, RouteTableIds", _MOTO_CFN
    ),
    "AWS::EC2::SecurityGroup": Source(
        VERIFIED_MOTO,
        "GroupDescription, VpcId, every SecurityGroupIngress / SecurityGroupEgress rule, and no "
        "egress rule the template does not have",
        _MOTO_CFN + "; SecurityGroupEgress through moto's Revoke/AuthorizeSecurityGroupEgress "
        "(a completion); an ingress rule without ports (IpProtocol -1) through moto's "
        "AuthorizeSecurityGroupIngress (extensions.install_security_group_ingress_without_ports: "
        "moto's model fails the stack on it)",
    ),
    "AWS::EC2::SecurityGroupIngress": Source(
        VERIFIED_MOTO, "the rule (protocol, ports, source group / CIDR) on GroupId", _MOTO_CFN
    ),
    "AWS::EC2::SecurityGroupEgress": Source(
        VERIFIED_MOTO,
        "the rule (protocol, ports, destination group / CIDR) on GroupId",
        _EXT.format("SecurityGroupEgress", "AuthorizeSecurityGroupEgress"),
    ),
    "AWS::EC2::FlowLog": Source(
        VERIFIED_MOTO,
        "ResourceId, TrafficType, DeliverLogsPermissionArn, LogGroupName, LogDestinationType",
        _MOTO_CFN,
    ),
    "AWS::EC2::Instance": Source(
        VERIFIED_MOTO,
        "InstanceType, SubnetId, SecurityGroupIds, IamInstanceProfile, state running; each of "
        "NetworkInterfaces (at its DeviceIndex: SubnetId, GroupSet, a public address with "
        "AssociatePublicIpAddress)",
        _MOTO_CFN + "; SecurityGroupIds through moto's ModifyInstanceAttribute (a completion); "
        "an instance given by NetworkInterfaces through moto's backend RunInstances with them "
        "(extensions.install_instance_network_interfaces: moto's model reads only the top-level "
        "SubnetId)",
        "ImageId (an SSM parameter), UserData",
    ),
    "AWS::EC2::LaunchTemplate": Source(
        VERIFIED_MOTO,
        "LaunchTemplateName, InstanceType, MetadataOptions, SecurityGroupIds",
        _MOTO_CFN,
    ),
    "AWS::IAM::Role": Source(
        VERIFIED_MOTO,
        "the whole AssumeRolePolicyDocument (per statement: Effect, actions, principals, "
        "conditions), Description, Path, the inline Policies (names and whole documents)",
        _MOTO_CFN + " (moto serves the inline Policies as a Python literal, not JSON: the "
        "verifier parses it; the content is moto's)",
        "ManagedPolicyArns: " + MOTO_IGNORES[("AWS::IAM::Role", "ManagedPolicyArns")],
    ),
    "AWS::IAM::Policy": Source(
        VERIFIED_MOTO,
        "the whole PolicyDocument on each of its Roles (per statement: Effect, actions, "
        "resources with Ref/GetAtt resolved from the deployed state, conditions)",
        _MOTO_CFN,
    ),
    "AWS::IAM::InstanceProfile": Source(VERIFIED_MOTO, "Roles", _MOTO_CFN),
    "AWS::Logs::LogGroup": Source(VERIFIED_MOTO, "RetentionInDays, LogGroupName", _MOTO_CFN),
    "AWS::Lambda::Function": Source(
        VERIFIED_MOTO,
        "Runtime, Handler, Timeout, MemorySize, Role (the deployed role's ARN), Description, "
        "Environment",
        _MOTO_CFN,
        "Architectures, TracingConfig: moto 5.2.5's Function model drops both (reads back "
        "x86_64 / PassThrough); Code (the CRUD check runs the published asset), Layers, "
        "LoggingConfig",
    ),
    "AWS::Lambda::Permission": Source(
        VERIFIED_MOTO,
        "the function policy's statement for SourceArn (GetPolicy): Effect, Action, Principal, "
        "Resource (the function's ARN), SourceAccount",
        _MOTO_CFN,
    ),
    "AWS::Lambda::LayerVersion": Source(
        VERIFIED_MOTO, "Description (ListLayerVersions)", _MOTO_CFN
    ),
    "AWS::KMS::Key": Source(
        VERIFIED_MOTO,
        "Description, the whole KeyPolicy, EnableKeyRotation",
        _MOTO_CFN + " (a completion only re-encodes moto's stored KeyPolicy as the JSON string "
        "its API serves; the content is moto's)",
    ),
    "AWS::DynamoDB::Table": Source(
        VERIFIED_MOTO,
        "KeySchema, AttributeDefinitions, BillingMode, point-in-time recovery, "
        "TimeToLiveSpecification (status, attribute)",
        _MOTO_CFN + "; PITR through moto's UpdateContinuousBackups, the time to live through "
        "moto's UpdateTimeToLive (completions: moto's model ignores both)",
        "SSESpecification",
    ),
    "AWS::ApiGateway::RestApi": Source(VERIFIED_MOTO, "Name, Description", _MOTO_CFN),
    "AWS::ApiGateway::Resource": Source(VERIFIED_MOTO, "PathPart, ParentId", _MOTO_CFN),
    "AWS::ApiGateway::Method": Source(
        VERIFIED_EMULATION,
        "AuthorizationType, integration Type / IntegrationHttpMethod / Uri, RequestValidatorId",
        "RequestValidatorId: extensions._complete_method sets it on moto's method (moto 5.2.5's "
        "Method model ignores it); the rest is moto's own model",
        "RequestParameters, RequestModels",
    ),
    "AWS::ApiGateway::Deployment": Source(
        VERIFIED_MOTO,
        "Description, and that it belongs to RestApiId (GetDeployment)",
        _MOTO_CFN + " (extensions give it its Ref value, the deployment id)",
    ),
    "AWS::ApiGateway::Stage": Source(
        VERIFIED_MOTO,
        "StageName, DeploymentId, TracingEnabled, MethodSettings (throttling, logging, metrics, "
        "data trace), AccessLogSetting format and destination",
        _EXT.format("ApiGatewayStage", "CreateStage / UpdateStage"),
    ),
    "AWS::ApiGateway::RequestValidator": Source(
        VERIFIED_MOTO,
        "ValidateRequestBody, ValidateRequestParameters",
        _EXT.format("ApiGatewayRequestValidator", "CreateRequestValidator"),
    ),
    "AWS::ApiGateway::Model": Source(
        VERIFIED_MOTO,
        "Schema, ContentType, Description",
        _EXT.format("ApiGatewayModel", "CreateModel"),
    ),
    "AWS::S3::Bucket": Source(
        VERIFIED_MOTO,
        "exists, PublicAccessBlockConfiguration, the encryption algorithm, Tags; when set: "
        "OwnershipControls, VersioningConfiguration status, Object Lock (enabled, default "
        "retention), LifecycleConfiguration (per rule: status, prefix/tag filters, transitions, "
        "expiration, noncurrent-version transitions and expiration, multipart abort), "
        "ReplicationConfiguration (role, per rule: status, priority, filter, destination bucket "
        "ARN, delete-marker replication), LoggingConfiguration (target bucket, prefix), "
        "NotificationConfiguration",
        _MOTO_CFN + " (encryption, tags); the public access block through moto's "
        "PutPublicAccessBlock, the rest through moto's S3 API (PutBucketOwnershipControls, "
        "PutBucketVersioning, PutObjectLockConfiguration, PutBucketLifecycleConfiguration, "
        "PutBucketReplication, PutBucketLogging, PutBucketNotificationConfiguration), called by "
        "extensions._complete_bucket with the template's properties (completions)",
        "that objects replicate, transition or expire: moto stores the configurations, it never "
        "acts on them",
    ),
    "AWS::S3::BucketPolicy": Source(
        VERIFIED_MOTO,
        "the whole PolicyDocument: per statement Effect, principals, actions, resources, "
        "conditions",
        _EXT.format("BucketPolicy", "PutBucketPolicy"),
        "the OAI statement's CanonicalUser value (an attribute of a stub)",
    ),
    "AWS::CloudFront::Distribution": Source(
        VERIFIED_MOTO,
        "Comment, DefaultRootObject, Enabled, HttpVersion, IPV6Enabled, PriceClass, origin ids "
        "and domain names, default behaviour (target origin, viewer protocol, cache and "
        "response-headers policy ids, compression, methods), custom error responses",
        _EXT.format("Distribution", "CreateDistribution"),
        "each origin's S3OriginConfig / OriginAccessControlId: moto 5.2.5 drops them and the "
        "extension writes them onto moto's origin objects (the static-site checks read them, "
        "against the emulation)",
    ),
    "AWS::CloudFront::OriginAccessControl": Source(
        VERIFIED_MOTO,
        "Name, SigningBehavior, SigningProtocol, OriginAccessControlOriginType",
        _EXT.format("OriginAccessControl", "CreateOriginAccessControl"),
    ),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": Source(
        VERIFIED_MOTO, "Scheme, Type, Subnets, SecurityGroups", _MOTO_CFN
    ),
    "AWS::ElasticLoadBalancingV2::Listener": Source(
        VERIFIED_MOTO,
        "Port, Protocol, LoadBalancerArn, default action type and target group",
        _MOTO_CFN,
    ),
    "AWS::ElasticLoadBalancingV2::TargetGroup": Source(
        VERIFIED_MOTO,
        "Port, Protocol, VpcId, TargetType, the health check (path, interval, timeout, "
        "thresholds, matcher), every TargetGroupAttributes entry (stickiness, deregistration "
        "delay, ...), Targets (ids and ports registered)",
        _MOTO_CFN + "; TargetGroupAttributes and Targets through moto's "
        "ModifyTargetGroupAttributes / RegisterTargets (completions: moto's model ignores both)",
        "that traffic reaches the targets: moto routes nothing and reports every target healthy",
    ),
    "AWS::AutoScaling::AutoScalingGroup": Source(
        VERIFIED_MOTO, "MinSize, MaxSize, VPCZoneIdentifier, TargetGroupARNs", _MOTO_CFN
    ),
    "AWS::AutoScaling::ScalingPolicy": Source(
        VERIFIED_MOTO,
        "PolicyType, TargetValue, the predefined metric",
        _EXT.format("ScalingPolicy", "PutScalingPolicy"),
    ),
    "AWS::RDS::GlobalCluster": Source(
        VERIFIED_MOTO,
        "Engine, EngineVersion, StorageEncrypted, DeletionProtection",
        _EXT.format("GlobalCluster", "CreateGlobalCluster"),
    ),
    "AWS::RDS::DBCluster": Source(
        VERIFIED_MOTO,
        "Engine, EngineVersion, Port, StorageEncrypted, KmsKeyId (the deployed key's ARN), "
        "DeletionProtection, DBSubnetGroupName, VpcSecurityGroupIds, DatabaseName, "
        "MasterUsername, BackupRetentionPeriod, IAM authentication, CopyTagsToSnapshot, "
        "parameter group, GlobalClusterIdentifier, CloudWatch log exports, "
        "ServerlessV2ScalingConfiguration, ManageMasterUserPassword (the cluster's "
        "MasterUserSecret exists in Secrets Manager)",
        _EXT.format("DBCluster", "CreateDBCluster")
        + " (the extension resolves the {{resolve:secretsmanager}} master password, not compared)",
        "the managed master secret's contents: moto 5.2.5 writes a fixed 'admin' user and "
        "password, not MasterUsername",
    ),
    "AWS::RDS::DBClusterParameterGroup": Source(
        VERIFIED_MOTO,
        "Family, Description, every Parameters entry (DescribeDBClusterParameters)",
        _EXT.format(
            "DBClusterParameterGroup",
            "CreateDBClusterParameterGroup / ModifyDBClusterParameterGroup",
        )
        + " (moto 5.2.5 has no CloudFormation model for the type)",
        "that the engine applies them: moto runs no database engine",
    ),
    "AWS::RDS::DBInstance": Source(
        VERIFIED_MOTO,
        "DBInstanceClass, Engine, DBClusterIdentifier, PubliclyAccessible",
        _EXT.format("DBInstance", "CreateDBInstance"),
    ),
    "AWS::RDS::DBSubnetGroup": Source(
        VERIFIED_MOTO,
        "DBSubnetGroupDescription, SubnetIds",
        _MOTO_CFN + " (extensions give it its Ref value, the name)",
    ),
    "AWS::SecretsManager::Secret": Source(
        VERIFIED_EMULATION,
        "Description; the generated SecretString: password length and excluded characters, "
        "the SecretStringTemplate fields",
        "SecretString: extensions.Secret composes GenerateSecretString's JSON "
        "(SecretStringTemplate + a password from moto's GetRandomPassword, or the bare "
        "password) and stores it with moto's CreateSecret",
    ),
    "AWS::SecretsManager::SecretTargetAttachment": Source(
        VERIFIED_EMULATION,
        "the secret's host, port, engine and dbClusterIdentifier against the deployed cluster",
        "those four fields: extensions.SecretTargetAttachment merges them into the secret",
    ),
    "AWS::SecretsManager::RotationSchedule": Source(
        VERIFIED_EMULATION,
        "rotation enabled on SecretId, the schedule's days",
        "RotationEnabled / AutomaticallyAfterDays: extensions.RotationSchedule sets them on "
        "moto's secret object",
        "HostedRotationLambda: moto ignores the AWS::SecretsManager-2024-09-16 transform (no "
        "rotation function exists)",
    ),
    "AWS::SecretsManager::ResourcePolicy": Source(
        VERIFIED_MOTO,
        "the whole ResourcePolicy document",
        _EXT.format("SecretResourcePolicy", "PutResourcePolicy"),
    ),
    "AWS::Scheduler::Schedule": Source(
        VERIFIED_MOTO,
        "ScheduleExpression, ScheduleExpressionTimezone, FlexibleTimeWindow, State, Description, "
        "GroupName; Name, KmsKeyArn, StartDate, EndDate when set; the whole Target: Arn, "
        "RoleArn (the deployed role's ARN), Input as JSON (a lease's StackName: this deployed "
        "stack's id, read back with DescribeStacks), any other field",
        _EXT.format("Schedule", "CreateSchedule")
        + " (moto 5.2.5 has no CloudFormation model for the type; it only makes a name when "
        "the template gives none, as CloudFormation does)",
        "that it fires: moto's scheduler never invokes a target",
    ),
    "AWS::SQS::Queue": Source(
        VERIFIED_MOTO,
        "FifoQueue (and the .fifo name), every attribute the template sets (VisibilityTimeout, "
        "ReceiveMessageWaitTimeSeconds, MessageRetentionPeriod, DelaySeconds, "
        "MaximumMessageSize, SqsManagedSseEnabled, KmsMasterKeyId, ContentBasedDeduplication, "
        "DeduplicationScope, FifoThroughputLimit), RedrivePolicy (the deployed DLQ's ARN, "
        "maxReceiveCount), Tags",
        _MOTO_CFN + " (it passes every template property to CreateQueue); a FIFO queue without "
        "QueueName gets CloudFormation's generated name with the .fifo suffix "
        "(extensions.install_fifo_queue_names; moto's own name lacks it and its model refuses it)",
    ),
    "AWS::SQS::QueuePolicy": Source(
        VERIFIED_MOTO,
        "the whole PolicyDocument on each of its Queues (per statement)",
        _API.format("QueuePolicy", "SetQueueAttributes(Policy)"),
    ),
    "AWS::SNS::Topic": Source(
        VERIFIED_MOTO,
        "TopicArn, TopicName, DisplayName, KmsMasterKeyId, FifoTopic, ContentBasedDeduplication "
        "(those set)",
        _MOTO_CFN,
        "Tags: " + MOTO_IGNORES[("AWS::SNS::Topic", "Tags")],
    ),
    "AWS::SNS::TopicPolicy": Source(
        VERIFIED_MOTO,
        "the whole PolicyDocument on each of its Topics (per statement)",
        _API.format("TopicPolicy", "SetTopicAttributes(Policy)"),
    ),
    "AWS::SNS::Subscription": Source(
        VERIFIED_MOTO,
        "TopicArn, Protocol, Endpoint (the deployed queue's ARN), FilterPolicy, "
        "FilterPolicyScope, RawMessageDelivery, RedrivePolicy (the deployed DLQ's ARN), "
        "DeliveryPolicy, SubscriptionRoleArn",
        _API.format("Subscription", "Subscribe (with the attributes)"),
    ),
    "AWS::Lambda::EventSourceMapping": Source(
        VERIFIED_MOTO,
        "EventSourceArn (the deployed queue's/stream's ARN), FunctionArn (the deployed "
        "function's), State, BatchSize, MaximumBatchingWindowInSeconds, FunctionResponseTypes, "
        "ScalingConfig, StartingPosition, FilterCriteria and the retry settings (those set)",
        _MOTO_CFN,
        "that it polls: moto would invoke the function on SendMessage, which needs Docker (the "
        "queue-worker check disables the mapping while it proves the redrive)",
    ),
    "AWS::CloudWatch::Alarm": Source(
        VERIFIED_MOTO,
        "MetricName, Namespace, Dimensions (references resolved), Statistic, Period, "
        "EvaluationPeriods, DatapointsToAlarm, Threshold, ComparisonOperator, TreatMissingData, "
        "actions, Metrics (those set)",
        _API.format("Alarm", "PutMetricAlarm"),
        "that it fires: moto stores alarms, it never evaluates them",
    ),
    "AWS::Kinesis::Stream": Source(
        VERIFIED_MOTO,
        "status ACTIVE, ShardCount (when set), RetentionPeriodHours, StreamModeDetails, "
        "StreamEncryption (type, key)",
        _MOTO_CFN + " (shards, retention); the stream mode and encryption through moto's "
        "UpdateStreamMode / StartStreamEncryption (a completion: moto's model ignores both)",
    ),
    "AWS::KinesisFirehose::DeliveryStream": Source(
        VERIFIED_MOTO,
        "status ACTIVE, DeliveryStreamType, the Kinesis source (stream and role ARNs), every "
        "field of the destination configuration (bucket and role ARNs, Prefix, "
        "ErrorOutputPrefix, BufferingHints, CompressionFormat, CloudWatchLoggingOptions, ...), "
        "the encryption input",
        _API.format("DeliveryStream", "CreateDeliveryStream"),
        "that it reads its Kinesis source: moto's Firehose never does (records reach S3 only "
        "through PutRecord on the delivery stream)",
    ),
    "AWS::Glue::Database": Source(
        VERIFIED_MOTO,
        "Name and every DatabaseInput field",
        _API.format("GlueDatabase", "CreateDatabase"),
    ),
    "AWS::Glue::Table": Source(
        VERIFIED_MOTO,
        "Name, DatabaseName and every TableInput field (TableType, Parameters such as the "
        "partition projection, PartitionKeys, the StorageDescriptor: location, columns, "
        "formats, SerDe)",
        _API.format("GlueTable", "CreateTable"),
    ),
    "AWS::Athena::WorkGroup": Source(
        VERIFIED_MOTO,
        "Name, State, Description, every WorkGroupConfiguration field (result location and "
        "encryption, enforcement, bytes-scanned cutoff, ...)",
        _API.format("AthenaWorkGroup", "CreateWorkGroup"),
        "that queries obey it: moto runs no query engine and writes no results",
    ),
    "AWS::Athena::NamedQuery": Source(
        VERIFIED_MOTO,
        "Name, Database, QueryString, Description, WorkGroup",
        _API.format("AthenaNamedQuery", "CreateNamedQuery"),
    ),
    "AWS::Logs::LogStream": Source(
        VERIFIED_MOTO,
        "the stream is in LogGroupName, under LogStreamName",
        _API.format("LogStream", "CreateLogStream"),
    ),
    "AWS::ElastiCache::SubnetGroup": Source(
        VERIFIED_MOTO,
        "Description, SubnetIds",
        _EXT.format("CacheSubnetGroup", "CreateCacheSubnetGroup")
        + " (moto 5.2.5 has no CloudFormation model for the type)",
    ),
    "AWS::ElastiCache::ReplicationGroup": Source(
        VERIFIED_MOTO,
        "ReplicationGroupDescription, CacheNodeType, Engine, AtRestEncryptionEnabled, "
        "TransitEncryptionEnabled, TransitEncryptionMode, AUTH enabled exactly when AuthToken "
        "is set, AutomaticFailoverEnabled, MultiAZEnabled, SnapshotRetentionLimit, "
        "Port",
        _EXT.format("CacheReplicationGroup", "CreateReplicationGroup")
        + " (moto 5.2.5 has no CloudFormation model for the type; the AUTH token resolved "
        "from moto's secret)",
        "EngineVersion, CacheSubnetGroupName, SecurityGroupIds: moto 5.2.5 stores them but "
        "DescribeReplicationGroups does not serve them; NumCacheClusters: "
        + MOTO_IGNORES[("AWS::ElastiCache::ReplicationGroup", "NumCacheClusters")]
        + "; that it caches or fails over: moto runs no engine",
    ),
    "AWS::Route53::HostedZone": Source(
        VERIFIED_MOTO,
        "Name, PrivateZone (exactly when VPCs is set), HostedZoneConfig.Comment, every VPC (id "
        "and region), HostedZoneTags",
        _EXT.format(
            "HostedZone", "CreateHostedZone / AssociateVPCWithHostedZone / ChangeTagsForResource"
        )
        + " (moto 5.2.5's own model makes every zone public and ignores VPCs, the comment and "
        "the tags)",
        "that resolvers in the VPC get answers: moto has no DNS server",
    ),
    "AWS::Route53::RecordSet": Source(
        VERIFIED_MOTO,
        "the record of Name, Type and SetIdentifier in the zone: TTL, ResourceRecords (any "
        "order; references such as an instance's PublicIp resolved from the deployed state), "
        "AliasTarget (DNSName, HostedZoneId and EvaluateTargetHealth of the deployed load "
        "balancer), MultiValueAnswer, Weight, Failover, Region, HealthCheckId",
        _MOTO_CFN + " (the load balancer's CanonicalHostedZoneID through "
        "extensions.install_attributes: moto's model hands out none)",
        "what a resolver answers: moto has no DNS server, and never withholds an unhealthy "
        "multivalue answer",
    ),
    "AWS::Route53::HealthCheck": Source(
        VERIFIED_MOTO,
        "every HealthCheckConfig field the template sets, HealthCheckTags",
        _EXT.format("HealthCheck", "CreateHealthCheck / ChangeTagsForResource")
        + " (moto 5.2.5's own model passes eight config fields and no tags)",
        "that it checks anything: moto never probes an endpoint",
    ),
    "AWS::EFS::FileSystem": Source(
        VERIFIED_MOTO,
        "Encrypted, KmsKeyId, PerformanceMode, ThroughputMode, ProvisionedThroughputInMibps, "
        "FileSystemTags, LifecyclePolicies, FileSystemPolicy (per statement), BackupPolicy "
        "status",
        _MOTO_CFN + "; the FileSystemPolicy through moto's PutFileSystemPolicy (a completion: "
        "moto's model ignores it); Fn::GetAtt Arn / FileSystemId through "
        "extensions.install_attributes",
        "BackupPolicy DISABLED reads back as moto's PolicyNotFound (moto keeps only whether "
        "backups are on); that files are stored, moved to IA or mounted: moto keeps no data",
    ),
    "AWS::EFS::MountTarget": Source(
        VERIFIED_MOTO,
        "FileSystemId, SubnetId, SecurityGroups, IpAddress (when set), state available",
        _MOTO_CFN,
    ),
    "AWS::EFS::AccessPoint": Source(
        VERIFIED_MOTO,
        "FileSystemId, PosixUser, RootDirectory (path, CreationInfo), AccessPointTags",
        _MOTO_CFN + " (its physical id and Fn::GetAtt through extensions.install_attributes: "
        "moto's model hands out none)",
        "that the directory is created or the user enforced: moto keeps no data",
    ),
    "Custom::S3BucketNotifications": Source(
        CUSTOM,
        "the bucket's notification configuration holds every destination of the resource "
        "(ARN resolved, events, key filter rules)",
        _HANDLER.format(
            "merges the configuration through moto's Get/PutBucketNotificationConfiguration"
        ),
    ),
    "Custom::VpcRestrictDefaultSG": Source(
        CUSTOM,
        "the VPC's default security group (DefaultSecurityGroupId, resolved) has no ingress and "
        "no egress rule",
        _HANDLER.format("revokes the rules through moto's RevokeSecurityGroupIngress/Egress"),
    ),
    "Custom::CDKBucketDeployment": Source(
        CUSTOM,
        "every file of the asset archives is an object of the destination bucket with the same "
        "bytes (SHA-256), under the key prefix, and (Prune) nothing else is there; an "
        "invalidation of DistributionPaths on DistributionId",
        _HANDLER.format(
            "copies the asset with the AWS CLI of its layer (`aws s3 cp`, `aws s3 sync "
            "--delete`) and invalidates the distribution, through moto's S3 and CloudFront APIs"
        ),
        "object metadata (content types, cache control)",
    ),
    "Custom::S3AutoDeleteObjects": Source(
        CUSTOM,
        "after cdk destroy: the bucket, which held the site, is gone (moto refuses to delete a "
        "bucket that still holds objects)",
        _HANDLER.format("deletes every object version through moto's S3 API on delete"),
    ),
    **{
        stub: Source(NOT_EMULATED, "nothing (ids only)", "", reason)
        for stub, reason in STUB_TYPES.items()
    },
}


def expected_class(rtype: str, handlers_run: set[str] | None = None) -> str:
    """The class a resource of this type lands in when its comparison passes."""
    source = SOURCES[rtype]
    if source.klass != CUSTOM:
        return source.klass
    run = stubs.HANDLERS_RUN if handlers_run is None else handlers_run
    return VERIFIED_MOTO if rtype in run else VERIFIED_EMULATION


def markdown_table() -> str:
    """docs/deploy-local.md's "What each verifier compares" table (kept equal by a test)."""
    names = {
        VERIFIED_MOTO: "moto's own model",
        VERIFIED_EMULATION: "this project's emulation",
        EXISTENCE_ONLY: "existence only",
        NOT_EMULATED: "not emulated (stub)",
        CUSTOM: "this project's emulation (moto's own model once in `HANDLERS_RUN`)",
    }
    lines = [
        "| type | class | properties compared | who produced the state / what the extension "
        "supplies | not compared |",
        "|---|---|---|---|---|",
    ]
    for rtype, source in sorted(SOURCES.items()):
        cells = [f"`{rtype}`", names[source.klass], source.compares, source.supplies or "-"]
        cells.append(source.not_compared or "-")
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- coverage
def cover(d: Deployed) -> list[ResourceCoverage]:
    rows = []
    for logical_id, resource in d.template["Resources"].items():
        rtype = resource["Type"]
        row = ResourceCoverage(d.name, logical_id, rtype, NOT_VERIFIED)
        physical_id = d.physical.get(logical_id)
        if rtype in STUB_TYPES:
            row.status, row.detail = NOT_EMULATED, STUB_TYPES[rtype]
        elif logical_id not in d.physical:
            row.status, row.detail = MISSING, "not in DescribeStackResources"
        elif rtype in VERIFIERS:
            notes = d.begin()
            try:
                VERIFIERS[rtype](d, logical_id, physical_id or "")
                row.status = notes.status()
                row.detail = notes.existence or "; ".join(notes.supplied)
            except Mismatch as error:
                row.status, row.detail = MISMATCH, str(error)
            except Exception as error:  # noqa: BLE001 - a failed read-back is the finding
                row.status, row.detail = MISSING, f"{type(error).__name__}: {error}"
            row.supplied, row.skipped = list(notes.supplied), list(notes.skipped)
        elif rtype in VERIFIED_ON_DESTROY:
            row.detail = "checked after cdk destroy"
            d.begin()
            bucket = d.resolve(resource.get("Properties", {}).get("BucketName"))
            row.target = "" if bucket is UNRESOLVED or bucket is None else str(bucket)
        else:
            row.detail = "no read-back for this type"
        rows.append(row)
    return rows


def counts(rows: list[ResourceCoverage]) -> dict[str, int]:
    out = dict.fromkeys(CLASSES, 0)
    for row in rows:
        out[row.status] = out.get(row.status, 0) + 1
    return out


def summary(rows: list[ResourceCoverage]) -> str:
    """``N/M verified against moto's own model (P %), K against this project's emulation,
    E existence only, S stubs`` (and the failures, when there are any)."""
    n = counts(rows)
    total = len(rows)
    line = (
        f"{n[VERIFIED_MOTO]}/{total} verified against moto's own model "
        f"({100 * n[VERIFIED_MOTO] / max(total, 1):.1f} %), "
        f"{n[VERIFIED_EMULATION]} against this project's emulation, "
        f"{n[EXISTENCE_ONLY]} existence only, {n[NOT_EMULATED]} stubs"
    )
    failed = {status: n[status] for status in FAILURES if n.get(status)}
    if failed:
        line += ", FAILED: " + ", ".join(f"{count} {status}" for status, count in failed.items())
    return line


def main() -> None:
    """Print the docs table (``python -m tests.emulator.coverage``)."""
    print(markdown_table())


if __name__ == "__main__":
    main()
