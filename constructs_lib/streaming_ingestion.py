"""Streaming ingestion: Kinesis Data Streams -> Amazon Data Firehose -> S3 -> Glue -> Athena.

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

The notes' serverless data-ingestion pipeline (004:5126-5139): producers put records on a
Kinesis data stream; Firehose (the notes' "Kinesis Data Firehose", renamed Amazon Data Firehose
in 2024) reads the stream and writes the records to S3 in batches, compressed, under a prefix
partitioned by arrival day; a Glue Data Catalog table describes those objects so Athena can query
them with SQL, writing its results to a bucket of their own.

Secure and cheap by default:

- the stream is encrypted at rest (the AWS-managed ``aws/kinesis`` key, free; or a key you pass);
- Firehose's role may read only this stream and write only under this bucket's two prefixes
  (data and errors), and log only to the construct's own log group;
- both buckets are private, TLS-only, SSE-S3 and versioned, with their access logged to a third;
- the Glue table uses partition projection: no crawler to run or pay for, no partitions to add;
- the Athena work group enforces its settings: results go to the results bucket (SSE-S3) and a
  query stops after scanning ``query_scan_limit_mb`` (1 GB by default: at most half a cent).

Idle, only the stream bills: a provisioned shard by the hour (1 shard: about $11 a month in
us-east-1), an on-demand stream by the hour (about $29 a month) plus its data. Firehose, Glue
(under a million catalog objects), Athena and empty buckets cost nothing while nothing flows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from aws_cdk import (
    Acknowledgment,
    ArnFormat,
    Aws,
    CfnResource,
    Duration,
    Fn,
    Names,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

StreamMode = Literal["provisioned", "on_demand"]
Compression = Literal["GZIP", "HADOOP_SNAPPY", "UNCOMPRESSED"]

_STREAM_MODES = {
    "provisioned": kinesis.StreamMode.PROVISIONED,
    "on_demand": kinesis.StreamMode.ON_DEMAND,
}
# The compressions Firehose writes that Athena reads back through a JSON text table. Firehose's
# ZIP and framed "Snappy" are refused: Athena cannot read those objects as text.
_COMPRESSIONS = ("GZIP", "HADOOP_SNAPPY", "UNCOMPRESSED")
RETENTION_HOURS = (24, 8760)  # Kinesis: 24 hours (the default) to 365 days
MAX_SHARDS = 500  # the default shard quota per account in the largest regions (200 elsewhere)
BUFFER_SIZE_MIB = (1, 128)  # Firehose's S3 buffering size hint
BUFFER_INTERVAL_S = (0, 900)  # Firehose's S3 buffering interval hint; 0 = zero buffering
MIN_SCAN_LIMIT_MB = 10  # Athena's smallest per-query data usage control: 10 MB
DEFAULT_SCAN_LIMIT_MB = 1000
PARTITION_KEY = "dt"  # the one partition column: the arrival day, yyyy-MM-dd (UTC)
# Partition projection's first day: data can only arrive after the stack exists, so a query
# without a day predicate enumerates days from here on (no day is ever left out).
PROJECTION_START = "2024-01-01"
DEFAULT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "string"),
    ("event_type", "string"),
    ("event_time", "string"),
    ("payload", "string"),
)
DEFAULT_DATA_PREFIX = "events/"
DEFAULT_ERROR_PREFIX = "errors/"
NAMED_QUERY_NAME = "events-per-day-last-7-days"
# The defaults, as module-level values (a Duration is an object: one instance, never mutated).
BUFFER_INTERVAL = Duration.seconds(300)
RESULTS_EXPIRE_AFTER = Duration.days(7)
_DAY = f"{PARTITION_KEY}=!{{timestamp:yyyy-MM-dd}}/"
# Firehose's own read actions on a Kinesis source, and its S3 destination actions
# (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html): nothing else.
KINESIS_READ_ACTIONS = (
    "kinesis:DescribeStream",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
)
S3_BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads")
S3_OBJECT_ACTIONS = ("s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject")

# Hive's type names that a Glue table over JSON takes (lowercase), and the parameterised ones.
_PRIMITIVE_TYPES = (
    "string",
    "boolean",
    "tinyint",
    "smallint",
    "int",
    "bigint",
    "float",
    "double",
    "date",
    "timestamp",
    "binary",
)
_PARAMETERISED = re.compile(r"(decimal\(\d{1,2}(,\d{1,2})?\)|varchar\(\d{1,5}\)|char\(\d{1,3}\))")
_COLUMN_NAME = r"[a-z_][a-z0-9_]{0,254}"
_GLUE_NAME = r"[a-z0-9_]{1,255}"
_WORK_GROUP_NAME = r"[A-Za-z0-9._-]{1,128}"
# A prefix: lowercase path segments, each ending in "/"; no Firehose expressions (the construct
# adds the day partition itself), no leading "/".
_PREFIX = r"(?=.{2,200}$)(?:[a-z0-9][a-z0-9_.-]*/)+"
_TYPES_ALLOWED = (
    f"a Hive type: {', '.join(_PRIMITIVE_TYPES)}, decimal(p,s), varchar(n), char(n), "
    "array<T>, map<K,V> or struct<name:T,...>"
)


# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_choice, _check_flag, _check_text, _managed_log_group,
# pieces: _hardened_bucket, _log_bucket, _wildcard_findings, _except_cdk_handlers,
# pieces: _whole_duration, _log_delivery_by_policy


def _is_token(value: object) -> bool:
    """An unresolved value (a CfnParameter, an import): CloudFormation checks it, not us."""
    return not isinstance(value, bool) and Token.is_unresolved(value)


def _check_int(name: str, value: object, low: int, high: int | None = None, unit: str = "") -> None:
    """A whole number from ``low`` to ``high`` (or more); tokens pass; bools and floats fail."""
    bounds = f"{low} to {high}{unit}" if high is not None else f"{low} or more{unit}"
    if _is_token(value):
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} is {value!r}; allowed: a whole number, {bounds}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} is {value}; allowed: {bounds}")


def _check_choice(name: str, value: object, allowed: object) -> None:
    """One of ``allowed`` (any iterable of strings: a tuple, a dict's keys)."""
    choices = tuple(allowed)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} is {value!r}; allowed: {', '.join(choices)}")


def _check_flag(name: str, value: object) -> None:
    """True or False, nothing else (no 1, no "yes")."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} is {value!r}; allowed: True or False")


def _check_text(name: str, value: object, pattern: str, allowed: str) -> None:
    """A string that matches ``pattern`` whole; tokens pass. ``allowed`` says what fits."""
    if _is_token(value):
        return
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


def _whole_duration(
    name: str, value: object, unit: str, low: int, high: int | None = None
) -> int | None:
    """A Duration of whole ``unit`` (``seconds``, ``minutes``, ``hours`` or ``days``) from
    ``low`` to ``high`` (no bound above when None): that number, or None for a deploy-time
    token (CloudFormation checks it then)."""
    lowest = f"{low} {unit.removesuffix('s') if low == 1 else unit}"
    span = f"at least {lowest}" if high is None else f"{low} to {high} {unit}"
    if not isinstance(value, Duration):
        raise ValueError(f"{name} is {value!r}; allowed: a Duration of whole {unit}, {span}")
    if value.is_unresolved():
        return None
    amount = getattr(value, f"to_{unit}")(integral=False)
    if amount != int(amount) or amount < low or (high is not None and amount > high):
        shown = f"{amount:.3f}".rstrip("0").rstrip(".")
        human = value.to_human_string()
        shown += f" {unit}" + ("" if human.startswith(f"{shown} ") else f" ({human})")
        raise ValueError(f"{name} is {shown}; allowed: whole {unit}, {span}")
    return int(amount)


def _managed_log_group(
    scope: Construct,
    construct_id: str,
    *,
    retention: logs.RetentionDays,
    removal_policy: RemovalPolicy,
    log_group_name: str | None = None,
) -> logs.LogGroup:
    """A log group the stack owns: retention set, deleted or kept with the stack's data.

    Left to itself a service creates its group on first write, keeps it forever and leaves it
    behind after ``cdk destroy``.
    """
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=log_group_name,
        retention=retention,
        removal_policy=removal_policy,
    )


def _hardened_bucket(
    scope: Construct,
    construct_id: str,
    *,
    lifecycle_id: str,
    removal_policy: RemovalPolicy,
    auto_delete_objects: bool,
    expiration: Duration | None = None,
    object_ownership: s3.ObjectOwnership = s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    server_access_logs_bucket: s3.IBucket | None = None,
    server_access_logs_prefix: str | None = None,
    transitions: list[s3.Transition] | None = None,
    noncurrent_version_expiration: Duration | None = None,
    object_lock_default_retention: s3.ObjectLockRetention | None = None,
    replication_rules: list[s3.ReplicationRule] | None = None,
    bucket_name: str | None = None,
) -> s3.Bucket:
    """A private bucket: no public access, TLS only, SSE-S3, versioned, old versions expire;
    optionally ageing into cheaper storage classes, locked (WORM) and replicated.

    SSE-S3 rather than SSE-KMS: the services that write or read these buckets here (ALB and
    CloudFront logs, an origin access identity) accept nothing else.
    """
    bucket = s3.Bucket(
        scope,
        construct_id,
        bucket_name=bucket_name,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=object_ownership,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        versioned=True,
        object_lock_enabled=True if object_lock_default_retention is not None else None,
        object_lock_default_retention=object_lock_default_retention,
        lifecycle_rules=[
            s3.LifecycleRule(
                id=lifecycle_id,
                expiration=expiration,
                transitions=transitions,
                noncurrent_version_expiration=noncurrent_version_expiration or Duration.days(30),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ],
        replication_rules=replication_rules,
        server_access_logs_bucket=server_access_logs_bucket,
        server_access_logs_prefix=server_access_logs_prefix,
        removal_policy=removal_policy,
        auto_delete_objects=auto_delete_objects,
    )
    if auto_delete_objects:
        # The emptying handler runs only as the bucket goes: its logs go with the stack too.
        _own_cdk_handler_logs(
            bucket, retention=logs.RetentionDays.ONE_WEEK, removal_policy=RemovalPolicy.DESTROY
        )
    return bucket


def _log_delivery_by_policy(construct: Construct) -> None:
    """S3 server access logs delivered under the log bucket's policy, not the legacy ACL grant:
    the feature flag `cdk init` sets, set on ``construct`` too so that a copied module works in
    any app. Call it before ``construct`` makes its buckets."""
    construct.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)


def _log_bucket(
    scope: Construct,
    construct_id: str,
    *,
    writer: str,
    expiration: Duration,
    removal_policy: RemovalPolicy,
    auto_delete_objects: bool,
    object_ownership: s3.ObjectOwnership = s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
) -> s3.Bucket:
    """A hardened bucket that receives ``writer``'s logs and expires them after ``expiration``."""
    bucket = _hardened_bucket(
        scope,
        construct_id,
        lifecycle_id="ExpireLogs",
        expiration=expiration,
        object_ownership=object_ownership,
        removal_policy=removal_policy,
        auto_delete_objects=auto_delete_objects,
    )
    Validations.of(bucket).acknowledge(
        Acknowledgment(
            id="AwsSolutions-S1",
            reason=f"This bucket is itself a log destination ({writer}); logging its own access "
            "into itself would loop, and a second log bucket would only move the finding.",
        )
    )
    return bucket


def _nag_text(value: object) -> str:
    """A resolved policy value written the way cdk-nag writes it in a finding's brackets."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_nag_text(part) for part in parts)
    return str(value)


def _wildcard_findings(document: dict) -> list[str]:
    """The AwsSolutions-IAM5 finding ids a resolved policy document raises."""
    findings: list[str] = []
    for statement in document.get("Statement", []):
        for key, kind in (("Action", "Action"), ("Resource", "Resource")):
            values = statement.get(key, [])
            for value in values if isinstance(values, list) else [values]:
                text = _nag_text(value)
                finding = f"AwsSolutions-IAM5[{kind}::{text}]"
                if "*" in text and finding not in findings:
                    findings.append(finding)
    return findings


# Handlers aws-cdk-lib writes for a stack, by their construct id at the stack's root, with the
# cfn-lint checks they trip: each gets both a GetAtt on its role and a DependsOn on it (W3005,
# "obsolete DependsOn"). Harmless and not ours to change, so the exception sits on them alone.
_CDK_HANDLERS = {
    "Custom::VpcRestrictDefaultSGCustomResourceProvider": ("Handler", ("W3005",)),
    "Custom::S3AutoDeleteObjectsCustomResourceProvider": ("Handler", ("W3005",)),
}


def _except_cdk_handlers(scope: Construct) -> None:
    """Put the cfn-lint exceptions on aws-cdk-lib's own handlers in ``scope``'s stack.

    Call it after creating what brings those handlers (a VPC that restricts its default security
    group, a bucket that empties itself on deletion).
    """
    stack = Stack.of(scope)
    for provider_id, (child_id, checks) in _CDK_HANDLERS.items():
        provider = stack.node.try_find_child(provider_id)
        handler = provider.node.try_find_child(child_id) if provider is not None else None
        if isinstance(handler, CfnResource):
            _lint_exception(handler, checks)


def _lint_exception(resource: CfnResource, checks: tuple[str, ...]) -> None:
    """A cfn-lint exception in ``resource``'s Metadata: visible, and on that resource only."""
    resource.add_metadata("cfn-lint", {"config": {"ignore_checks": list(checks)}})


# The custom resources aws-cdk-lib adds on its own, by construct id under their owner, with the
# id of the stack-wide provider whose handler they invoke.
_CDK_CUSTOM_RESOURCES = {
    "RestrictDefaultSecurityGroupCustomResource": (
        "Custom::VpcRestrictDefaultSGCustomResourceProvider"
    ),
    "AutoDeleteObjectsCustomResource": "Custom::S3AutoDeleteObjectsCustomResourceProvider",
}


def _own_cdk_handler_logs(
    owner: Construct, *, retention: logs.RetentionDays, removal_policy: RemovalPolicy
) -> None:
    """Give the handler behind ``owner``'s aws-cdk-lib custom resource a log group of the stack.

    Left alone, Lambda creates ``/aws/lambda/<function>`` on the first invocation, keeps it
    forever and leaves it behind after ``cdk destroy`` (aws/aws-cdk#26553, #29248). The group is
    created after the function (its name needs the function's name) and before the custom
    resource runs it; on deletion the custom resource goes first, so nothing writes afterwards.
    One group per handler and stack: the first owner's retention and removal policy win.
    """
    stack = Stack.of(owner)
    for resource_id, provider_id in _CDK_CUSTOM_RESOURCES.items():
        resource = owner.node.try_find_child(resource_id)
        if resource is None:
            continue
        provider = stack.node.try_find_child(provider_id)
        handler = provider.node.try_find_child("Handler") if provider is not None else None
        if not isinstance(handler, CfnResource):
            continue
        group_id = f"{provider_id.removeprefix('Custom::')}Logs"
        group = stack.node.try_find_child(group_id)
        if group is None:
            group = _managed_log_group(
                stack,
                group_id,
                log_group_name=Fn.join("", ["/aws/lambda/", handler.ref]),
                retention=retention,
                removal_policy=removal_policy,
            )
        resource.node.add_dependency(group)


# END VENDORED


def _split_top_level(text: str) -> list[str]:
    """``a,map<b,c>,d`` -> ``['a', 'map<b,c>', 'd']``: commas outside angle brackets."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"<": 1, ">": -1}.get(char, 0)
        if depth < 0:
            return []
        if char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts if depth == 0 else []


def is_hive_type(text: str) -> bool:
    """True when ``text`` is a Hive column type a Glue JSON table takes (lowercase, no spaces)."""
    if text in _PRIMITIVE_TYPES or _PARAMETERISED.fullmatch(text):
        return True
    match = re.fullmatch(r"(array|map|struct)<(.+)>", text)
    if match is None:
        return False
    kind, inner = match.groups()
    parts = _split_top_level(inner)
    if kind == "array":
        return len(parts) == 1 and is_hive_type(parts[0])
    if kind == "map":
        return len(parts) == 2 and parts[0] in _PRIMITIVE_TYPES and is_hive_type(parts[1])
    fields = [part.split(":", 1) for part in parts]
    return bool(fields) and all(
        len(field) == 2 and re.fullmatch(_COLUMN_NAME, field[0]) and is_hive_type(field[1])
        for field in fields
    )


def _check_columns(columns: object) -> tuple[tuple[str, str], ...]:
    if isinstance(columns, (str, bytes)) or not isinstance(columns, Sequence) or not columns:
        raise ValueError(f"columns is {columns!r}; allowed: a non-empty list of (name, type) pairs")
    seen: set[str] = set()
    for column in columns:
        if not (isinstance(column, (tuple, list)) and len(column) == 2):
            raise ValueError(f"columns holds {column!r}; allowed: (name, type) pairs")
        name, type_ = column
        if not isinstance(name, str) or not re.fullmatch(_COLUMN_NAME, name):
            raise ValueError(
                f"columns holds the name {name!r}; allowed: 1-255 lowercase letters, digits "
                "and underscores, not starting with a digit"
            )
        if name == PARTITION_KEY:
            raise ValueError(
                f"columns holds the name {name!r}; allowed: a name other than the partition "
                f"key {PARTITION_KEY!r}"
            )
        if name in seen:
            raise ValueError(f"columns holds the name {name!r} twice; allowed: each name once")
        seen.add(name)
        if not isinstance(type_, str) or not is_hive_type(type_):
            raise ValueError(
                f"columns gives {name!r} the type {type_!r}; allowed: {_TYPES_ALLOWED}"
            )
    return tuple((name, type_) for name, type_ in columns)


def _check_prefixes(data_prefix: object, error_prefix: object) -> None:
    allowed = (
        "lowercase path segments of letters, digits, '_', '.' or '-', each ending in '/', "
        "2-200 characters (the construct adds the day partition)"
    )
    _check_text("data_prefix", data_prefix, _PREFIX, allowed)
    _check_text("error_prefix", error_prefix, _PREFIX, allowed)
    if _is_token(data_prefix) or _is_token(error_prefix):
        return
    if data_prefix.startswith(error_prefix) or error_prefix.startswith(data_prefix):
        raise ValueError(
            f"error_prefix is {error_prefix!r} and data_prefix {data_prefix!r}; allowed: two "
            "prefixes neither of which contains the other (the table would read the errors)"
        )


class StreamingIngestion(Construct):
    """A Kinesis data stream delivered by Firehose to a day-partitioned S3 prefix, catalogued in
    Glue with partition projection, and an Athena work group with a saved query over it.

    :param stream: an existing stream to read instead of creating one (then ``stream_mode``,
        ``shard_count``, ``retention`` and ``encryption_key`` stay unset; a stream encrypted
        with a customer key brings it as its ``encryption_key``). Default: None (a new stream).
    :param stream_mode: ``provisioned`` (you choose the shards, each billed by the hour) or
        ``on_demand`` (capacity follows the traffic; the stream billed by the hour plus per GB).
        Default: ``provisioned``.
    :param shard_count: with ``provisioned`` only: 1 to 500 shards, each 1 MB/s or 1,000
        records/s in and 2 MB/s out. Default: 1.
    :param retention: how long the stream keeps records, a Duration of whole hours from 24 to
        8760 (365 days); beyond 24 hours is billed extra. Default: 24 hours.
    :param encryption_key: a KMS key to encrypt the stream with; Firehose's role gets
        ``kms:Decrypt`` on it through Kinesis only. Default: None (the AWS-managed
        ``aws/kinesis`` key: no key fee, no key left pending deletion).
    :param data_prefix: where the records land: ``<data_prefix>dt=yyyy-MM-dd/`` by arrival day
        (UTC); lowercase segments each ending in ``/``. Default: ``events/``.
    :param error_prefix: where records Firehose could not deliver land:
        ``<error_prefix><error type>/dt=yyyy-MM-dd/``; neither prefix may contain the other.
        Default: ``errors/``.
    :param buffer_size_mib: Firehose writes an object when this many MiB are buffered, 1 to 128.
        Default: 64 (Athena reads fewer, bigger objects faster).
    :param buffer_interval: ... or when this much time has passed since the first buffered
        record, a Duration of whole seconds from 0 (zero buffering) to 900. Default: 300 s.
    :param compression: ``GZIP``, ``HADOOP_SNAPPY`` or ``UNCOMPRESSED``: what Athena reads back
        (Firehose's ZIP and framed Snappy are refused). Default: ``GZIP``.
    :param append_newline: Firehose adds a newline after each record, so each object holds one
        JSON object a line (what the table's JSON SerDe reads) even when producers send none.
        Default: True.
    :param columns: the table's columns, a list of ``(name, type)`` pairs: lowercase names
        (not ``dt``, the partition key), Hive types. Default: ``event_id``, ``event_type``,
        ``event_time`` and ``payload``, all ``string``.
    :param database_name: the Glue database: 1-255 lowercase letters, digits and underscores.
        Default: derived from the construct's path (unique in the account and region).
    :param table_name: the Glue table, same rules. Default: ``events``.
    :param work_group_name: the Athena work group: 1-128 letters, digits, ``.``, ``_`` or
        ``-``. Default: derived from the construct's path.
    :param query_scan_limit_mb: Athena cancels a query of this work group after it scans this
        many MB (10 or more; at $5 per TB, 1,000 MB cost at most half a cent); None for no
        limit. Default: 1000.
    :param results_expire_after: query results are deleted this long after they are written,
        whole days, 1 or more. Default: 7 days.
    :param data_expire_after: delivered records are deleted this long after they arrive, whole
        days, 1 or more; None keeps them. Default: None.
    :param log_retention: Firehose's delivery-error log group. Default: one month.
    :param removal_policy: what ``cdk destroy`` does with the stream, the buckets, the log
        groups and the Glue database and table. Default: RETAIN.
    :param auto_delete_objects: empty the buckets on ``cdk destroy`` (with DESTROY only).
        Default: False.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stream: kinesis.IStream | None = None,
        stream_mode: StreamMode | None = None,
        shard_count: int | None = None,
        retention: Duration | None = None,
        encryption_key: kms.IKey | None = None,
        data_prefix: str = DEFAULT_DATA_PREFIX,
        error_prefix: str = DEFAULT_ERROR_PREFIX,
        buffer_size_mib: int = 64,
        buffer_interval: Duration = BUFFER_INTERVAL,
        compression: Compression = "GZIP",
        append_newline: bool = True,
        columns: Sequence[tuple[str, str]] = DEFAULT_COLUMNS,
        database_name: str | None = None,
        table_name: str = "events",
        work_group_name: str | None = None,
        query_scan_limit_mb: int | None = DEFAULT_SCAN_LIMIT_MB,
        results_expire_after: Duration = RESULTS_EXPIRE_AFTER,
        data_expire_after: Duration | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        auto_delete_objects: bool = False,
    ) -> None:
        columns = self._validate(
            stream=stream,
            stream_mode=stream_mode,
            shard_count=shard_count,
            retention=retention,
            encryption_key=encryption_key,
            data_prefix=data_prefix,
            error_prefix=error_prefix,
            buffer_size_mib=buffer_size_mib,
            buffer_interval=buffer_interval,
            compression=compression,
            append_newline=append_newline,
            columns=columns,
            database_name=database_name,
            table_name=table_name,
            work_group_name=work_group_name,
            query_scan_limit_mb=query_scan_limit_mb,
            results_expire_after=results_expire_after,
            data_expire_after=data_expire_after,
            log_retention=log_retention,
            removal_policy=removal_policy,
            auto_delete_objects=auto_delete_objects,
        )
        super().__init__(scope, construct_id)
        _log_delivery_by_policy(self)
        self.data_prefix = data_prefix
        self.error_prefix = error_prefix
        # What Firehose writes: the day partition under the data prefix, and failures apart.
        self.delivery_prefix = f"{data_prefix}{_DAY}"
        self.error_output_prefix = f"{error_prefix}!{{firehose:error-output-type}}/{_DAY}"
        self.stream = stream or kinesis.Stream(
            self,
            "Stream",
            stream_mode=_STREAM_MODES[stream_mode or "provisioned"],
            shard_count=(shard_count or 1) if stream_mode != "on_demand" else None,
            retention_period=retention or Duration.hours(RETENTION_HOURS[0]),
            encryption=(
                kinesis.StreamEncryption.KMS
                if encryption_key is not None
                else kinesis.StreamEncryption.MANAGED
            ),
            encryption_key=encryption_key,
            removal_policy=removal_policy,
        )
        if stream is None and encryption_key is not None:
            Validations.of(self.stream).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-KDS3",
                    reason="A customer managed key was passed on purpose (encryption_key), for "
                    "a compliance need; the default is the AWS-managed aws/kinesis key.",
                )
            )
        self.access_logs_bucket = _log_bucket(
            self,
            "AccessLogs",
            writer="the data and results buckets' S3 server access logs",
            expiration=Duration.days(365),
            removal_policy=removal_policy,
            auto_delete_objects=auto_delete_objects,
        )
        self.data_bucket = _hardened_bucket(
            self,
            "Data",
            lifecycle_id="DeliveredRecords",
            expiration=data_expire_after,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="data/",
            removal_policy=removal_policy,
            auto_delete_objects=auto_delete_objects,
        )
        self.results_bucket = _hardened_bucket(
            self,
            "Results",
            lifecycle_id="ExpireQueryResults",
            expiration=results_expire_after,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="results/",
            removal_policy=removal_policy,
            auto_delete_objects=auto_delete_objects,
        )
        _except_cdk_handlers(self)
        self.log_group = _managed_log_group(
            self, "DeliveryLogs", retention=log_retention, removal_policy=removal_policy
        )
        self.log_stream = logs.LogStream(
            self,
            "DeliveryLogStream",
            log_group=self.log_group,
            log_stream_name="S3Delivery",
            removal_policy=removal_policy,
        )
        self.firehose_role = self._firehose_role(self.stream)
        self.delivery_stream = self._delivery_stream(
            buffer_size_mib, buffer_interval, compression, append_newline
        )
        self._catalog(
            columns, compression != "UNCOMPRESSED", database_name, table_name, removal_policy
        )
        self._athena(work_group_name, query_scan_limit_mb)

    @staticmethod
    def _validate(**props: object) -> tuple[tuple[str, str], ...]:
        stream = props["stream"]
        if stream is not None:
            if not isinstance(getattr(stream, "stream_arn", None), str):
                raise ValueError(f"stream is {stream!r}; allowed: a kinesis.IStream")
            for name in ("stream_mode", "shard_count", "retention", "encryption_key"):
                if props[name] is not None:
                    raise ValueError(
                        f"{name} is set with an existing stream; allowed: {name} only when "
                        "the construct creates the stream (stream=None)"
                    )
        mode = props["stream_mode"]
        if mode is not None:
            _check_choice("stream_mode", mode, _STREAM_MODES)
        if props["shard_count"] is not None:
            if mode == "on_demand":
                raise ValueError(
                    "shard_count is set with stream_mode 'on_demand'; allowed: shard_count "
                    "only with 'provisioned' (on-demand capacity follows the traffic)"
                )
            _check_int("shard_count", props["shard_count"], 1, MAX_SHARDS, " shards")
        if props["retention"] is not None:
            _whole_duration("retention", props["retention"], "hours", *RETENTION_HOURS)
        key = props["encryption_key"]
        if key is not None and not isinstance(getattr(key, "key_arn", None), str):
            raise ValueError(f"encryption_key is {key!r}; allowed: a kms.IKey")
        _check_prefixes(props["data_prefix"], props["error_prefix"])
        _check_int("buffer_size_mib", props["buffer_size_mib"], *BUFFER_SIZE_MIB, " MiB")
        _whole_duration("buffer_interval", props["buffer_interval"], "seconds", *BUFFER_INTERVAL_S)
        compression = props["compression"]
        if compression in ("ZIP", "Snappy"):
            raise ValueError(
                f"compression is {compression!r}; allowed: {', '.join(_COMPRESSIONS)} (Athena "
                "cannot read Firehose's ZIP or framed Snappy objects as JSON text)"
            )
        _check_choice("compression", compression, _COMPRESSIONS)
        _check_flag("append_newline", props["append_newline"])
        columns = _check_columns(props["columns"])
        names_allowed = "1-255 lowercase letters, digits and underscores"
        if props["database_name"] is not None:
            _check_text("database_name", props["database_name"], _GLUE_NAME, names_allowed)
        _check_text("table_name", props["table_name"], _GLUE_NAME, names_allowed)
        if props["work_group_name"] is not None:
            _check_text(
                "work_group_name",
                props["work_group_name"],
                _WORK_GROUP_NAME,
                "1-128 letters, digits, '.', '_' or '-'",
            )
        if props["query_scan_limit_mb"] is not None:
            _check_int("query_scan_limit_mb", props["query_scan_limit_mb"], MIN_SCAN_LIMIT_MB)
        _whole_duration("results_expire_after", props["results_expire_after"], "days", 1)
        if props["data_expire_after"] is not None:
            _whole_duration("data_expire_after", props["data_expire_after"], "days", 1)
        if not isinstance(props["log_retention"], logs.RetentionDays):
            raise ValueError(
                f"log_retention is {props['log_retention']!r}; allowed: a logs.RetentionDays"
            )
        removal_policy = props["removal_policy"]
        if not isinstance(removal_policy, RemovalPolicy):
            raise ValueError(f"removal_policy is {removal_policy!r}; allowed: a RemovalPolicy")
        _check_flag("auto_delete_objects", props["auto_delete_objects"])
        if props["auto_delete_objects"] and removal_policy != RemovalPolicy.DESTROY:
            raise ValueError(
                "auto_delete_objects is True but removal_policy is not DESTROY; allowed: "
                "auto_delete_objects only with RemovalPolicy.DESTROY"
            )
        return columns

    # -- Firehose ---------------------------------------------------------------------------

    def _object_arns(self) -> list[str]:
        return [
            self.data_bucket.arn_for_objects(f"{prefix}*")
            for prefix in (self.data_prefix, self.error_prefix)
        ]

    def _firehose_role(self, stream: kinesis.IStream) -> iam.Role:
        """Read this stream, write under this bucket's two prefixes, log to this stream."""
        statements = [
            iam.PolicyStatement(
                sid="ReadTheSourceStream",
                actions=list(KINESIS_READ_ACTIONS),
                resources=[stream.stream_arn],
            ),
            iam.PolicyStatement(
                sid="FindTheBucket",
                actions=list(S3_BUCKET_ACTIONS),
                resources=[self.data_bucket.bucket_arn],
            ),
            iam.PolicyStatement(
                sid="WriteUnderTheTwoPrefixes",
                actions=list(S3_OBJECT_ACTIONS),
                resources=self._object_arns(),
            ),
            iam.PolicyStatement(
                sid="LogDeliveryErrors",
                actions=["logs:PutLogEvents"],
                resources=[
                    Stack.of(self).format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name=(
                            f"{self.log_group.log_group_name}:log-stream:"
                            f"{self.log_stream.log_stream_name}"
                        ),
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
            ),
        ]
        key = stream.encryption_key
        if key is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="DecryptTheStreamThroughKinesis",
                    actions=["kms:Decrypt"],
                    resources=[key.key_arn],
                    conditions={
                        "StringEquals": {"kms:ViaService": f"kinesis.{Aws.REGION}.amazonaws.com"}
                    },
                )
            )
        document = iam.PolicyDocument(statements=statements)
        role = iam.Role(
            self,
            "DeliveryRole",
            assumed_by=iam.ServicePrincipal(
                "firehose.amazonaws.com",
                conditions={"StringEquals": {"sts:ExternalId": Aws.ACCOUNT_ID}},
            ),
            description="Firehose: read the source stream, write the data bucket's prefixes",
            inline_policies={"Delivery": document},
        )
        reason = (
            "Firehose names each object it writes (a partition, a date-time and a random "
            "suffix), so object ARNs end in <prefix>*: only under this bucket's data and error "
            "prefixes, and only abort, get and put."
        )
        findings = _wildcard_findings(Stack.of(self).resolve(document.to_json()))
        if findings:
            Validations.of(role).acknowledge(
                *(Acknowledgment(id=finding, reason=reason) for finding in findings)
            )
        return role

    def _delivery_stream(
        self, size_mib: int, interval: Duration, compression: str, append_newline: bool
    ) -> firehose.CfnDeliveryStream:
        destination = firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=self.data_bucket.bucket_arn,
            role_arn=self.firehose_role.role_arn,
            prefix=self.delivery_prefix,
            error_output_prefix=self.error_output_prefix,
            buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                size_in_m_bs=size_mib, interval_in_seconds=interval.to_seconds()
            ),
            compression_format=compression,
            cloud_watch_logging_options=firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                enabled=True,
                log_group_name=self.log_group.log_group_name,
                log_stream_name=self.log_stream.log_stream_name,
            ),
            processing_configuration=(
                firehose.CfnDeliveryStream.ProcessingConfigurationProperty(
                    enabled=True,
                    processors=[
                        firehose.CfnDeliveryStream.ProcessorProperty(type="AppendDelimiterToRecord")
                    ],
                )
                if append_newline
                else None
            ),
        )
        delivery = firehose.CfnDeliveryStream(
            self,
            "DeliveryStream",
            delivery_stream_type="KinesisStreamAsSource",
            kinesis_stream_source_configuration=(
                firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
                    kinesis_stream_arn=self.stream.stream_arn,
                    role_arn=self.firehose_role.role_arn,
                )
            ),
            extended_s3_destination_configuration=destination,
        )
        Validations.of(delivery).acknowledge(
            Acknowledgment(
                id="AwsSolutions-KDF1",
                reason="With a Kinesis data stream as its source, Firehose keeps no data at rest "
                "of its own: records stay in the source stream (KMS-encrypted) until delivered "
                "to the SSE-S3 bucket. Firehose's server-side encryption setting applies to "
                "Direct PUT streams only and is refused for this source type.",
            )
        )
        # Firehose checks its permissions when the stream is created: the bucket policy first.
        policy = self.data_bucket.policy
        if policy is not None:
            delivery.node.add_dependency(policy)
        return delivery

    # -- Glue and Athena --------------------------------------------------------------------

    def _catalog(
        self,
        columns: tuple[tuple[str, str], ...],
        compressed: bool,
        database_name: str | None,
        table_name: str,
        removal_policy: RemovalPolicy,
    ) -> None:
        name = database_name or Names.unique_resource_name(self, max_length=255).lower()
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=name, description="Records delivered by Firehose from the Kinesis stream"
            ),
        )
        self.data_location = f"s3://{self.data_bucket.bucket_name}/{self.data_prefix}"
        self.table = glue.CfnTable(
            self,
            "Table",
            catalog_id=Aws.ACCOUNT_ID,
            database_name=self.database.ref,
            table_input=glue.CfnTable.TableInputProperty(
                name=table_name,
                description="One JSON object a line, partitioned by arrival day (UTC)",
                table_type="EXTERNAL_TABLE",
                parameters={
                    "classification": "json",
                    # Partition projection: Athena computes each day's location itself.
                    "projection.enabled": "true",
                    f"projection.{PARTITION_KEY}.type": "date",
                    f"projection.{PARTITION_KEY}.format": "yyyy-MM-dd",
                    f"projection.{PARTITION_KEY}.range": f"{PROJECTION_START},NOW",
                    f"projection.{PARTITION_KEY}.interval": "1",
                    f"projection.{PARTITION_KEY}.interval.unit": "DAYS",
                    "storage.location.template": (
                        f"{self.data_location}{PARTITION_KEY}=${{{PARTITION_KEY}}}/"
                    ),
                },
                partition_keys=[glue.CfnTable.ColumnProperty(name=PARTITION_KEY, type="string")],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=self.data_location,
                    columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in columns],
                    input_format="org.apache.hadoop.mapred.TextInputFormat",
                    output_format=("org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"),
                    compressed=compressed,
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library="org.openx.data.jsonserde.JsonSerDe"
                    ),
                ),
            ),
        )
        for resource in (self.database, self.table):
            resource.apply_removal_policy(removal_policy)
        self.database_name = self.database.ref
        self.table_name = table_name

    def _athena(self, work_group_name: str | None, scan_limit_mb: int | None) -> None:
        self.work_group = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=work_group_name or Names.unique_resource_name(self, max_length=128),
            description="Queries over the delivered records; results to the results bucket",
            state="ENABLED",
            # Deleting the stack deletes the work group with its saved query and history.
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=(
                    scan_limit_mb * 1_000_000 if scan_limit_mb is not None else None
                ),
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.results_bucket.bucket_name}/athena/",
                    expected_bucket_owner=Aws.ACCOUNT_ID,
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )
        self.work_group_name = self.work_group.ref
        self.named_query = athena.CfnNamedQuery(
            self,
            "EventsPerDay",
            name=NAMED_QUERY_NAME,
            description="Records per arrival day, the last 7 days (today included)",
            database=self.database.ref,
            work_group=self.work_group.ref,
            query_string=self.events_per_day_query(),
        )
        self.named_query.node.add_dependency(self.table)

    def events_per_day_query(self) -> str:
        """The saved query: one row per day of the last seven, pruned by partition projection."""
        return (
            f"SELECT {PARTITION_KEY}, count(*) AS events\n"
            f'FROM "{self.database.ref}"."{self.table_name}"\n'
            f"WHERE {PARTITION_KEY} >= date_format(current_date - INTERVAL '6' DAY, '%Y-%m-%d')\n"
            f"GROUP BY {PARTITION_KEY}\n"
            f"ORDER BY {PARTITION_KEY}"
        )

    # -- Grants -----------------------------------------------------------------------------

    def grant_put_records(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` put records on the stream (``PutRecord``/``PutRecords``)."""
        return self.stream.grant_write(grantee)
