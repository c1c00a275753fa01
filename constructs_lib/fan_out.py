"""SNS -> SQS fan-out: one topic, a queue per subscriber, S3 event notifications into the topic.

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

What the notes teach about the fan-out pattern (004:4092-4150), built in:

- a publisher sends each message once, to the topic, and SNS delivers a copy to every queue
  subscribed: no publisher that crashes after writing to only some of the queues, and queues
  added later without touching the publisher;
- each queue keeps its messages (retention), so consumers can be slow, down or retried; each has
  its own dead-letter queue after ``max_receive_count`` failed receives;
- each queue's access policy lets SNS send to it, and here only from this topic (``aws:SourceArn``);
- each subscription may have its own filter policy, on the message attributes or on the message
  body; one without a filter policy receives everything;
- raw message delivery, per subscription, hands the queue the published body itself instead of
  SNS's JSON envelope;
- S3 cannot send the same event (event type and prefix) to several destinations, so a bucket's
  notifications go to the topic and the topic fans them out; the topic policy lets S3 publish only
  for that bucket and this account;
- SNS FIFO topics fan out to SQS FIFO queues with ordering and deduplication (``fifo=True``;
  S3 cannot notify a FIFO topic).

Secure by default: TLS-only topic and queue policies, SSE-SQS on every queue (no key for SNS to
be granted), and the topic encrypted with a customer-managed KMS key whose policy lets S3 use it
(S3 cannot publish to a topic under the AWS-managed ``alias/aws/sns`` key). ``encrypt_topic=False``
drops the key, its $1 a month and its 7-day pending deletion after ``cdk destroy``: S3 event
notifications carry object metadata (bucket, key, size, ETag), never object content, the topic
accepts TLS only and every queue still stores messages encrypted (SSE-SQS).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from aws_cdk import (
    Acknowledgment,
    CfnResource,
    Duration,
    Fn,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

FilterScope = Literal["attributes", "body"]

# SNS's filter policy constraints (docs: "Filter policy constraints in Amazon SNS").
MAX_FILTER_KEYS = 5
MAX_FILTER_COMBINATIONS = 150
MAX_FILTER_POLICY_BYTES = 256 * 1024
MAX_NUMERIC = 1_000_000_000
# The operators a filter policy condition may use, one per condition object.
FILTER_OPERATORS = (
    "anything-but",
    "cidr",
    "equals-ignore-case",
    "exists",
    "numeric",
    "prefix",
    "suffix",
    "wildcard",
)
_FILTER_SCOPES = {"attributes": "MessageAttributes", "body": "MessageBody"}
# A subscriber's name: its queue's construct id and, in PascalCase, its outputs' ids.
_SUBSCRIBER_NAME = r"[a-z][a-z0-9-]{0,39}"
_RETENTION_S = (60, 14 * 86400)  # SQS message retention: 1 minute to 14 days
_VISIBILITY_S = (0, 12 * 3600)  # SQS visibility timeout: 0 s to 12 hours
_MAX_RECEIVES = (1, 1000)  # SQS redrive maxReceiveCount
_KEY_PREFIX_CHARS = 1024  # an S3 object key is at most 1,024 bytes
# S3's notification handler, a stack-wide singleton aws-cdk-lib adds for add_event_notification.
_NOTIFICATIONS_HANDLER = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"
_NOTIFICATIONS_LOGS = "BucketNotificationsHandlerLogs"
DEFAULT_VISIBILITY = Duration.seconds(30)
DEFAULT_RETENTION = Duration.days(4)
DEAD_LETTER_RETENTION = Duration.days(14)

# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_choice, _check_flag, _check_text, _hardened_bucket, _log_bucket,
# pieces: _hardened_queue, _wildcard_findings, _except_cdk_handlers, _lint_exception,
# pieces: _managed_log_group, _whole_duration, _log_delivery_by_policy


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


def _hardened_queue(
    scope: Construct,
    construct_id: str,
    *,
    removal_policy: RemovalPolicy,
    fifo: bool = False,
    visibility_timeout: Duration | None = None,
    retention_period: Duration | None = None,
    dead_letter_queue: sqs.DeadLetterQueue | None = None,
    **queue_props: object,
) -> sqs.Queue:
    """A queue: encrypted at rest (SQS-managed keys, no key fee, and SNS and S3 may send to
    it), a policy refusing plain HTTP, and long polling (20 s, SQS's maximum: an empty receive
    waits for a message instead of returning at once, fewer empty receives to pay for).

    ``visibility_timeout`` defaults to SQS's 30 s, ``retention_period`` to its 4 days;
    ``queue_props`` go to ``sqs.Queue`` as they are (FIFO's deduplication and throughput
    settings, for instance).
    """
    return sqs.Queue(
        scope,
        construct_id,
        fifo=True if fifo else None,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        receive_message_wait_time=Duration.seconds(20),
        visibility_timeout=visibility_timeout or Duration.seconds(30),
        retention_period=retention_period or Duration.days(4),
        dead_letter_queue=dead_letter_queue,
        removal_policy=removal_policy,
        **queue_props,
    )


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


def _check_condition(name: str, condition: object) -> int:
    """One value of a filter policy's list: a literal, or one operator object."""
    if condition is None or isinstance(condition, (str, bool)):
        return 1
    if isinstance(condition, (int, float)):
        if abs(condition) > MAX_NUMERIC:
            raise ValueError(
                f"{name} holds {condition!r}; allowed: numbers from -1e9 to 1e9 (SNS's range)"
            )
        return 1
    if isinstance(condition, Mapping):
        if len(condition) != 1 or next(iter(condition)) not in FILTER_OPERATORS:
            raise ValueError(
                f"{name} holds {dict(condition)!r}; allowed: one operator per condition, one of "
                f"{', '.join(FILTER_OPERATORS)}"
            )
        return 1
    raise ValueError(
        f"{name} holds {condition!r}; allowed: strings, numbers, true, false, null or an "
        "operator object such as {'prefix': 'images/'}"
    )


def _filter_shape(name: str, policy: object, nested: bool) -> list[int]:
    """Check a filter policy's shape; the length of each of its value lists (its leaf keys)."""
    if not isinstance(policy, Mapping) or not policy:
        raise ValueError(
            f"{name} is {policy!r}; allowed: a non-empty mapping of key -> list of values"
            + (" or nested mapping" if nested else "")
        )
    leaves: list[int] = []
    for key, value in policy.items():
        where = f"{name}[{key!r}]"
        if not isinstance(key, str) or not key:
            raise ValueError(f"{name} has key {key!r}; allowed: non-empty strings")
        if key.startswith("$"):
            raise ValueError(
                f"{name} has key {key!r}; allowed: attribute or field names ('$or' is not "
                "supported here: write one subscriber per alternative)"
            )
        if isinstance(value, Mapping):
            if not nested:
                raise ValueError(
                    f"{where} is a nested mapping; allowed: a list of values (SNS accepts "
                    "nested policies only with filter_on='body')"
                )
            leaves.extend(_filter_shape(where, value, nested))
            continue
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
            raise ValueError(f"{where} is {value!r}; allowed: a non-empty list of values")
        leaves.append(sum(_check_condition(where, condition) for condition in value))
    return leaves


def _check_filter_policy(name: str, policy: object, scope: str) -> None:
    if policy is None or _is_token(policy):
        return
    leaves = _filter_shape(name, policy, nested=scope == "body")
    if len(leaves) > MAX_FILTER_KEYS:
        raise ValueError(
            f"{name} has {len(leaves)} keys; allowed: at most {MAX_FILTER_KEYS} (SNS's limit)"
        )
    combinations = 1
    for count in leaves:
        combinations *= count
    if combinations > MAX_FILTER_COMBINATIONS:
        raise ValueError(
            f"{name} has {combinations} value combinations; allowed: at most "
            f"{MAX_FILTER_COMBINATIONS} (the product of its lists' lengths, SNS's limit)"
        )
    try:
        size = len(json.dumps(policy).encode())
    except (TypeError, ValueError):
        raise ValueError(f"{name} is not JSON-serializable; allowed: JSON values") from None
    if size > MAX_FILTER_POLICY_BYTES:
        raise ValueError(f"{name} is {size} bytes as JSON; allowed: at most 256 KB")


def _attribute_filters(policy: Mapping) -> dict[str, sns.SubscriptionFilter]:
    return {key: sns.SubscriptionFilter(conditions=list(value)) for key, value in policy.items()}


def _body_filters(policy: Mapping) -> dict[str, sns.FilterOrPolicy]:
    return {
        key: (
            sns.FilterOrPolicy.policy(_body_filters(value))
            if isinstance(value, Mapping)
            else sns.FilterOrPolicy.filter(sns.SubscriptionFilter(conditions=list(value)))
        )
        for key, value in policy.items()
    }


@dataclass(frozen=True, kw_only=True)
class Subscriber:
    """One subscriber of the topic: a queue (its own, or one you bring) and its subscription.

    :param name: 1 to 40 lower-case letters, digits or hyphens, starting with a letter: the
        queue's construct id (``<name>`` and ``<name>-dlq``).
    :param filter_policy: SNS filter policy JSON as a mapping, e.g. ``{"event_type":
        ["order_placed"]}``: key -> list of values (strings, numbers, booleans, null, or one
        operator object such as ``{"prefix": "img/"}``), nested mappings only with
        ``filter_on='body'``; at most 5 keys and 150 value combinations. None delivers every
        message. Default: None.
    :param filter_on: ``attributes`` (the message attributes) or ``body`` (the JSON message
        body, e.g. an S3 event's ``Records[].s3.object.key``). Default: ``attributes``.
    :param raw_message_delivery: deliver the published body as the SQS message body, without
        SNS's JSON envelope (Type, MessageId, TopicArn, Timestamp, signature). Default: False.
    :param max_receive_count: receives before a message moves to the queue's dead-letter queue,
        1 to 1000. Default: 3.
    :param visibility_timeout: how long a received message stays hidden from other consumers,
        0 s to 12 h. Default: 30 s.
    :param queue: an existing standard (FIFO with ``fifo=True``) queue to subscribe instead of
        creating one with its dead-letter queue; a queue imported from elsewhere keeps its policy,
        so you must let this topic send to it yourself. Default: None (a queue is created).
    """

    name: str
    filter_policy: Mapping[str, object] | None = None
    filter_on: FilterScope = "attributes"
    raw_message_delivery: bool = False
    max_receive_count: int = 3
    visibility_timeout: Duration = DEFAULT_VISIBILITY
    queue: sqs.IQueue | None = None


class _SnsDestinationForAccount(s3n.SnsDestination):
    """S3 notifications to a topic whose policy names the bucket AND this account.

    aws-cdk-lib's SnsDestination conditions S3's publish on ``aws:SourceArn`` (the bucket) only;
    bucket ARNs carry no account, so AWS advises ``aws:SourceAccount`` too (confused deputy).
    """

    def __init__(self, topic: sns.ITopic) -> None:
        super().__init__(topic)
        self._own_topic = topic

    def bind(self, scope: Construct, bucket: s3.IBucket) -> s3.BucketNotificationDestinationConfig:
        self._own_topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowS3EventNotificationsFromTheBucket",
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self._own_topic.topic_arn],
                conditions={
                    "ArnEquals": {"aws:SourceArn": bucket.bucket_arn},
                    "StringEquals": {"aws:SourceAccount": Stack.of(scope).account},
                },
            )
        )
        return s3.BucketNotificationDestinationConfig(
            arn=self._own_topic.topic_arn,
            type=s3.BucketNotificationDestinationType.TOPIC,
            dependencies=[self._own_topic],
        )


def subscriber_id(name: str) -> str:
    """``orders-eu`` -> ``OrdersEu``: a subscriber's name as an id of letters and digits."""
    return "".join(part.capitalize() for part in name.split("-"))


def _check_subscribers(subscribers: object, fifo: bool) -> tuple[Subscriber, ...]:
    if isinstance(subscribers, (str, bytes, Mapping)) or not isinstance(subscribers, Sequence):
        raise ValueError(f"subscribers is {subscribers!r}; allowed: a list of Subscriber")
    if not subscribers:
        raise ValueError("subscribers is empty; allowed: one or more Subscriber")
    seen: set[str] = set()
    for subscriber in subscribers:
        if not isinstance(subscriber, Subscriber):
            raise ValueError(f"subscribers holds {subscriber!r}; allowed: Subscriber objects")
        _check_text(
            "subscribers.name",
            subscriber.name,
            _SUBSCRIBER_NAME,
            "1 to 40 lower-case letters, digits or hyphens, starting with a letter",
        )
        ident = subscriber_id(subscriber.name)
        if ident in seen:
            raise ValueError(
                f"subscribers.name {subscriber.name!r} is used twice; allowed: unique names"
            )
        seen.add(ident)
        where = f"subscribers[{subscriber.name!r}]"
        _check_choice(f"{where}.filter_on", subscriber.filter_on, _FILTER_SCOPES)
        _check_filter_policy(
            f"{where}.filter_policy", subscriber.filter_policy, subscriber.filter_on
        )
        _check_flag(f"{where}.raw_message_delivery", subscriber.raw_message_delivery)
        _check_int(f"{where}.max_receive_count", subscriber.max_receive_count, *_MAX_RECEIVES)
        _whole_duration(
            f"{where}.visibility_timeout", subscriber.visibility_timeout, "seconds", *_VISIBILITY_S
        )
        queue = subscriber.queue
        if queue is not None:
            if not isinstance(getattr(queue, "queue_arn", None), str):
                raise ValueError(f"{where}.queue is {queue!r}; allowed: an sqs.IQueue")
            if queue.fifo != fifo:
                raise ValueError(
                    f"{where}.queue is {'a FIFO' if queue.fifo else 'a standard'} queue; "
                    f"allowed: {'a FIFO' if fifo else 'a standard'} queue for this "
                    f"{'FIFO' if fifo else 'standard'} topic"
                )
    return tuple(subscribers)


def _check_bucket_props(
    bucket: object,
    create_bucket: object,
    events: object,
    prefix: object,
    suffix: object,
    fifo: bool,
) -> tuple[s3.EventType, ...]:
    _check_flag("create_bucket", create_bucket)
    if bucket is not None and not isinstance(bucket, s3.BucketBase):
        raise ValueError(f"bucket is {bucket!r}; allowed: an s3.IBucket")
    if bucket is not None and create_bucket:
        raise ValueError("bucket is set and create_bucket is True; allowed: one of them")
    if isinstance(events, (str, bytes)) or not isinstance(events, Sequence) or not events:
        raise ValueError(f"bucket_events is {events!r}; allowed: a non-empty list of s3.EventType")
    for event in events:
        if not isinstance(event, s3.EventType):
            raise ValueError(f"bucket_events holds {event!r}; allowed: s3.EventType members")
    if len(set(events)) != len(events):
        raise ValueError(f"bucket_events is {list(events)}; allowed: each event once")
    for name, value in (("bucket_prefix", prefix), ("bucket_suffix", suffix)):
        if value is None or _is_token(value):
            continue
        if not isinstance(value, str) or not 1 <= len(value) <= _KEY_PREFIX_CHARS:
            raise ValueError(
                f"{name} is {value!r}; allowed: None or 1 to {_KEY_PREFIX_CHARS} characters"
            )
    notifies = bucket is not None or create_bucket
    if not notifies and (prefix is not None or suffix is not None):
        raise ValueError(
            "bucket_prefix or bucket_suffix is set without a bucket; allowed: with bucket or "
            "create_bucket=True"
        )
    if notifies and fifo:
        raise ValueError(
            "fifo is True with a bucket; allowed: fifo=False (S3 event notifications cannot "
            "target an SNS FIFO topic)"
        )
    return tuple(events)


def _own_notifications_handler_logs(
    stack: Stack, *, retention: logs.RetentionDays, removal_policy: RemovalPolicy
) -> None:
    """A log group of the stack for aws-cdk-lib's S3 notifications handler, and its findings.

    Like the kernel's ``_own_cdk_handler_logs`` for the handler behind ``add_event_notification``
    (a plain Lambda function at the stack's root, not a custom resource provider): without it
    Lambda creates ``/aws/lambda/<function>`` on the first run and keeps it after
    ``cdk destroy``. Every ``Custom::S3BucketNotifications`` in the stack waits for the group.
    """
    handler = stack.node.try_find_child(_NOTIFICATIONS_HANDLER)
    function = handler.node.try_find_child("Resource") if handler is not None else None
    if not isinstance(function, CfnResource):
        return
    group = stack.node.try_find_child(_NOTIFICATIONS_LOGS)
    if group is None:
        group = _managed_log_group(
            stack,
            _NOTIFICATIONS_LOGS,
            log_group_name=Fn.join("", ["/aws/lambda/", function.ref]),
            retention=retention,
            removal_policy=removal_policy,
        )
        role = handler.node.find_child("Role")
        # aws-cdk-lib gives the function both a GetAtt on its role and a DependsOn on it
        # (cfn-lint W3005, "obsolete DependsOn"): harmless, not ours, excepted on it alone.
        _lint_exception(function, ("W3005",))
        policy = role.node.try_find_child("DefaultPolicy")
        document = stack.resolve(policy.document.to_json()) if policy is not None else {}
        Validations.of(handler).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
                "service-role/AWSLambdaBasicExecutionRole]",
                reason="aws-cdk-lib's S3 notifications handler writes its logs with AWS's "
                "AWSLambdaBasicExecutionRole (CloudWatch Logs only); CDK creates the role, "
                "not this construct.",
            ),
            *(
                Acknowledgment(
                    id=finding,
                    reason="aws-cdk-lib's S3 notifications handler calls "
                    "s3:PutBucketNotification, which CDK grants on '*' to its own role; it runs "
                    "only while CloudFormation creates, updates or deletes the notification.",
                )
                for finding in _wildcard_findings(document)
            ),
        )
    for child in stack.node.find_all():
        if isinstance(child, CfnResource) and child.cfn_resource_type == (
            "Custom::S3BucketNotifications"
        ):
            child.node.add_dependency(group)
            # It Refs the topic and also DependsOn it, so that it waits for the topic's policy
            # (S3 checks it may publish before it saves the configuration): W3005 again.
            _lint_exception(child, ("W3005",))


class FanOut(Construct):
    """An SNS topic fanning out to SQS queues, each with a dead-letter queue and its own
    subscription (filter policy, raw delivery); optionally a bucket's event notifications in.

    :param subscribers: one or more ``Subscriber``, unique names. Required.
    :param topic: an existing topic to fan out from instead of creating one (its policy and
        encryption are its own: an imported topic's policy is not changed, so S3 or SNS grants
        for it are yours). Default: None (a topic is created).
    :param encrypt_topic: for a created topic: encrypt it at rest with ``topic_key``, or with a
        customer-managed key created here (rotation on, removed with ``removal_policy`` after
        a 7-day wait), whose policy lets S3 publish for the bucket; False: no SSE (TLS still
        enforced). Must stay None with ``topic``. Default: None (True).
    :param topic_key: the customer-managed key to encrypt a created topic with (S3 needs
        ``kms:GenerateDataKey*`` and ``kms:Decrypt`` on it: granted here when the key is in
        this app). Default: None (a key is created when encrypting).
    :param fifo: an SNS FIFO topic and SQS FIFO queues (ordering per message group,
        deduplication on content); refused with a bucket. Default: False.
    :param create_bucket: create a private, versioned, TLS-only bucket (with an access-log
        bucket) whose events notify the topic. Default: False.
    :param bucket: an existing bucket whose events notify the topic instead. Default: None.
    :param bucket_events: the S3 events that notify. Default: ``[s3.EventType.OBJECT_CREATED]``.
    :param bucket_prefix: notify only for keys starting with this. Default: None (every key).
    :param bucket_suffix: notify only for keys ending with this. Default: None (every key).
    :param bucket_expiration: with ``create_bucket``, delete objects this long after they are
        written (whole days, 1 or more). Default: None (kept).
    :param undeliverable_queue: a dead-letter queue for the subscriptions themselves: messages
        SNS could not deliver to a queue (a policy, key or deleted queue refusing them) land
        there instead of being dropped after SNS's retries. Default: True.
    :param message_retention: how long each created queue keeps a message, 60 s to 14 days
        (dead-letter queues keep 14 days). Default: 4 days.
    :param removal_policy: what ``cdk destroy`` does with the queues, the bucket and the key.
        Default: RETAIN.
    :param auto_delete_objects: empty the created buckets on ``cdk destroy`` (with DESTROY).
        Default: False.
    :param log_retention: retention of the S3 notifications handler's log group. Default: one
        year.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        subscribers: Sequence[Subscriber],
        topic: sns.ITopic | None = None,
        encrypt_topic: bool | None = None,
        topic_key: kms.IKey | None = None,
        fifo: bool = False,
        create_bucket: bool = False,
        bucket: s3.IBucket | None = None,
        bucket_events: Sequence[s3.EventType] = (s3.EventType.OBJECT_CREATED,),
        bucket_prefix: str | None = None,
        bucket_suffix: str | None = None,
        bucket_expiration: Duration | None = None,
        undeliverable_queue: bool = True,
        message_retention: Duration = DEFAULT_RETENTION,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        auto_delete_objects: bool = False,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
    ) -> None:
        _check_flag("fifo", fifo)
        subscribers = _check_subscribers(subscribers, fifo)
        if topic is not None:
            if not isinstance(getattr(topic, "topic_arn", None), str):
                raise ValueError(f"topic is {topic!r}; allowed: an sns.ITopic")
            if encrypt_topic is not None or topic_key is not None:
                raise ValueError(
                    "encrypt_topic or topic_key is set with topic; allowed: None (an existing "
                    "topic keeps its own encryption)"
                )
            if topic.fifo != fifo:
                raise ValueError(
                    f"topic is {'a FIFO' if topic.fifo else 'a standard'} topic but fifo is "
                    f"{fifo}; allowed: fifo matching the topic"
                )
        if encrypt_topic is not None:
            _check_flag("encrypt_topic", encrypt_topic)
        encrypt = topic is None and encrypt_topic is not False
        if topic_key is not None:
            if not isinstance(getattr(topic_key, "key_arn", None), str):
                raise ValueError(f"topic_key is {topic_key!r}; allowed: a kms.IKey")
            if not encrypt:
                raise ValueError(
                    "topic_key is set but encrypt_topic is False; allowed: topic_key only when "
                    "encrypting"
                )
        events = _check_bucket_props(
            bucket, create_bucket, bucket_events, bucket_prefix, bucket_suffix, fifo
        )
        if bucket_expiration is not None:
            if not create_bucket:
                raise ValueError(
                    "bucket_expiration is set without create_bucket; allowed: only for the "
                    "bucket created here"
                )
            _whole_duration("bucket_expiration", bucket_expiration, "days", 1, 36500)
            seconds = bucket_expiration.to_seconds(integral=False)
            if not _is_token(seconds) and seconds % 86400:
                raise ValueError(
                    f"bucket_expiration is {bucket_expiration.to_human_string()}; allowed: "
                    "whole days"
                )
        _check_flag("undeliverable_queue", undeliverable_queue)
        _whole_duration("message_retention", message_retention, "seconds", *_RETENTION_S)
        if not isinstance(removal_policy, RemovalPolicy):
            raise ValueError(f"removal_policy is {removal_policy!r}; allowed: a RemovalPolicy")
        _check_flag("auto_delete_objects", auto_delete_objects)
        if auto_delete_objects and removal_policy != RemovalPolicy.DESTROY:
            raise ValueError(
                "auto_delete_objects is True but removal_policy is not DESTROY; "
                "allowed: True only with RemovalPolicy.DESTROY"
            )
        if not isinstance(log_retention, logs.RetentionDays):
            raise ValueError(f"log_retention is {log_retention!r}; allowed: a logs.RetentionDays")
        super().__init__(scope, construct_id)
        _log_delivery_by_policy(self)

        self.key: kms.IKey | None = None
        if topic is None:
            if encrypt:
                self.key = topic_key or kms.Key(
                    self,
                    "TopicKey",
                    description="Encrypts the fan-out topic; S3 may use it to publish events",
                    enable_key_rotation=True,
                    pending_window=Duration.days(7),
                    removal_policy=removal_policy,
                )
            topic = sns.Topic(
                self,
                "Topic",
                enforce_ssl=True,
                master_key=self.key,
                fifo=True if fifo else None,
                content_based_deduplication=True if fifo else None,
            )
        self.topic = topic

        self.undeliverable: sqs.IQueue | None = None
        if undeliverable_queue:
            self.undeliverable = _hardened_queue(
                self,
                "Undeliverable",
                fifo=fifo,
                retention_period=DEAD_LETTER_RETENTION,
                removal_policy=removal_policy,
            )
            Validations.of(self.undeliverable).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-SQS3",
                    reason="This queue is itself a dead-letter queue: the RedrivePolicy of "
                    "every SNS subscription here (messages SNS could not deliver), which "
                    "cdk-nag does not see since it looks only at queues' redrive policies.",
                )
            )

        self.queues: dict[str, sqs.IQueue] = {}
        self.dead_letter_queues: dict[str, sqs.IQueue] = {}
        self.subscriptions: dict[str, sns.Subscription] = {}
        for subscriber in subscribers:
            self._subscribe(subscriber, fifo, message_retention, removal_policy)

        self.bucket: s3.IBucket | None = bucket
        self.access_logs: s3.IBucket | None = None
        if create_bucket:
            self.access_logs = _log_bucket(
                self,
                "AccessLogs",
                writer="the notifying bucket's S3 server access logs",
                expiration=Duration.days(365),
                removal_policy=removal_policy,
                auto_delete_objects=auto_delete_objects,
            )
            self.bucket = _hardened_bucket(
                self,
                "Bucket",
                lifecycle_id="ExpireObjects",
                expiration=bucket_expiration,
                server_access_logs_bucket=self.access_logs,
                server_access_logs_prefix="s3-access/",
                removal_policy=removal_policy,
                auto_delete_objects=auto_delete_objects,
            )
        if self.bucket is not None:
            filters = (
                [s3.NotificationKeyFilter(prefix=bucket_prefix, suffix=bucket_suffix)]
                if bucket_prefix is not None or bucket_suffix is not None
                else []
            )
            destination = _SnsDestinationForAccount(topic)
            for event in events:
                self.bucket.add_event_notification(event, destination, *filters)
            if isinstance(self.key, kms.Key):
                self.key.add_to_resource_policy(
                    iam.PolicyStatement(
                        sid="AllowS3ToPublishEncryptedEvents",
                        principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                        actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                        resources=["*"],
                        conditions={
                            "StringEquals": {"aws:SourceAccount": Stack.of(self).account},
                            "ArnEquals": {"aws:SourceArn": self.bucket.bucket_arn},
                        },
                    )
                )
            _own_notifications_handler_logs(
                Stack.of(self), retention=log_retention, removal_policy=removal_policy
            )
        _except_cdk_handlers(self)

    def _subscribe(
        self,
        subscriber: Subscriber,
        fifo: bool,
        retention: Duration,
        removal_policy: RemovalPolicy,
    ) -> None:
        queue = subscriber.queue
        if queue is None:
            dead_letters = _hardened_queue(
                self,
                f"{subscriber.name}-dlq",
                fifo=fifo,
                retention_period=DEAD_LETTER_RETENTION,
                removal_policy=removal_policy,
            )
            queue = _hardened_queue(
                self,
                subscriber.name,
                fifo=fifo,
                visibility_timeout=subscriber.visibility_timeout,
                retention_period=retention,
                dead_letter_queue=sqs.DeadLetterQueue(
                    queue=dead_letters, max_receive_count=subscriber.max_receive_count
                ),
                removal_policy=removal_policy,
            )
            self.dead_letter_queues[subscriber.name] = dead_letters
        self.queues[subscriber.name] = queue
        policy = subscriber.filter_policy
        body = subscriber.filter_on == "body"
        subscription = subscriptions.SqsSubscription(
            queue,
            raw_message_delivery=subscriber.raw_message_delivery,
            filter_policy=_attribute_filters(policy) if policy and not body else None,
            filter_policy_with_message_body=_body_filters(policy) if policy and body else None,
            dead_letter_queue=self.undeliverable,
        )
        self.subscriptions[subscriber.name] = self.topic.add_subscription(subscription)

    def grant_publish(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` publish to the topic (and use its key, when it has one)."""
        return self.topic.grant_publish(grantee)
