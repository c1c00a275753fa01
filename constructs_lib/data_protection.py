"""A protected S3 bucket: versioned, private, TLS-only, ageing into cheaper storage, replicated.

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

What the notes teach about protecting data in S3 (004:2727-2801, 004:2976-3122), built in:

- versioning protects against unintended deletes and lets you roll back; it must be on for
  replication and Object Lock;
- lifecycle rules move objects to Standard-IA (never before 30 days) and then to a Glacier class
  (at least 30 days later), and expire old (noncurrent) versions;
- replication (cross-region or same-region) copies new objects to a versioned bucket elsewhere,
  asynchronously, through a role S3 assumes; delete markers are replicated only when asked;
- Object Lock (WORM) keeps each version from being deleted or overwritten for a retention
  period, in governance mode (users with a special permission may override it) or compliance
  mode (nobody can, not even the root user);
- all public access blocked, encryption at rest, and a bucket policy refusing plain HTTP.

A bucket with Object Lock cannot be emptied until its versions' retention ends, so it refuses
``auto_delete_objects``: a sandbox that must tear down completely leaves the lock off.
"""

from __future__ import annotations

import re
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
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

GlacierClass = Literal["instant", "flexible", "deep_archive"]
LockMode = Literal["governance", "compliance"]

# S3's own minimums: an object moves to Standard-IA after 30 days at the earliest, and must stay
# 30 days in Standard-IA before a Glacier class.
MIN_INFREQUENT_ACCESS_DAYS = 30
MIN_DAYS_IN_INFREQUENT_ACCESS = 30
MAX_LOCK_DAYS = 36500  # S3 Object Lock's default retention: at most 100 years
MAX_DAYS = 36500  # the longest lifecycle age the construct accepts (100 years)
# S3's bucket naming rules (general purpose buckets), less the two checked apart below.
BUCKET_NAME_PATTERN = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
_GLACIER_CLASSES = {
    "instant": s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
    "flexible": s3.StorageClass.GLACIER,
    "deep_archive": s3.StorageClass.DEEP_ARCHIVE,
}
_LOCK_MODES = ("governance", "compliance")
# The defaults, as module-level values (a Duration is an object: one instance, never mutated).
IA_AFTER = Duration.days(30)
GLACIER_AFTER = Duration.days(90)
NONCURRENT_EXPIRE_AFTER = Duration.days(90)


# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_choice, _check_flag, _check_text, _log_bucket, _wildcard_findings,
# pieces: _except_cdk_handlers, _whole_duration, _log_delivery_by_policy


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


class ProtectedBucket(Construct):
    """A versioned, private, encrypted, TLS-only bucket whose objects age into cheaper storage
    and whose old versions expire; optionally replicated to another bucket and locked (WORM).

    :param infrequent_access_after: move current objects to Standard-IA this long after they
        are written; at least 30 days (S3's minimum), whole days; None for no such transition.
        Default: 30 days.
    :param glacier_after: move current objects to ``glacier_storage`` this long after they are
        written; at least 30 days after ``infrequent_access_after`` when both are set; None for
        no such transition. Default: 90 days.
    :param glacier_storage: ``instant`` (Glacier Instant Retrieval), ``flexible`` (Glacier
        Flexible Retrieval) or ``deep_archive``. Default: ``flexible``.
    :param noncurrent_versions_expire_after: delete a version this long after a newer one
        replaced it (or a delete marker hid it), 1 day or more. Default: 90 days.
    :param replication_destination: replicate every new object to this bucket (versioned, in
        another region for cross-region replication), through a role S3 assumes that may only
        read this bucket's versions and replicate into that one. Default: no replication.
    :param replicate_delete_markers: with a destination, replicate delete markers too (a delete
        here hides the object there as well); off, a delete here leaves the replica readable.
        Default: False.
    :param object_lock: ``governance`` or ``compliance``: every new version is locked for
        ``object_lock_days``; with a ``replication_destination`` the replication role also reads
        each version's retention and legal hold, and the destination must have Object Lock
        enabled too (S3 replicates locked versions only into a locked bucket). Default: None
        (no Object Lock; CloudFormation sets it only when it creates the bucket, so choose then).
    :param object_lock_days: the default retention, 1 to 36500 days, known at synthesis
        (aws-cdk-lib checks it then). Default: 1.
    :param bucket_name: the bucket's name: 3-63 characters of lowercase letters, digits, dots
        and hyphens, starting and ending with a letter or digit (S3's rules; a token passes).
        A known name lets a stack in another region replicate into it without a cross-region
        reference. Default: None (CloudFormation generates one).
    :param removal_policy: what ``cdk destroy`` does with the bucket. Default: RETAIN.
    :param auto_delete_objects: empty the bucket on ``cdk destroy`` (with DESTROY); refused with
        Object Lock. Default: False.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        infrequent_access_after: Duration | None = IA_AFTER,
        glacier_after: Duration | None = GLACIER_AFTER,
        glacier_storage: GlacierClass = "flexible",
        noncurrent_versions_expire_after: Duration = NONCURRENT_EXPIRE_AFTER,
        replication_destination: s3.IBucket | None = None,
        replicate_delete_markers: bool = False,
        object_lock: LockMode | None = None,
        object_lock_days: int = 1,
        bucket_name: str | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        auto_delete_objects: bool = False,
    ) -> None:
        ia_days = (
            None
            if infrequent_access_after is None
            else _whole_duration(
                "infrequent_access_after",
                infrequent_access_after,
                "days",
                MIN_INFREQUENT_ACCESS_DAYS,
                MAX_DAYS,
            )
        )
        if glacier_after is not None:
            _whole_duration(
                "glacier_after",
                glacier_after,
                "days",
                (ia_days + MIN_DAYS_IN_INFREQUENT_ACCESS) if ia_days is not None else 1,
                MAX_DAYS,
            )
        _check_choice("glacier_storage", glacier_storage, _GLACIER_CLASSES)
        _whole_duration(
            "noncurrent_versions_expire_after",
            noncurrent_versions_expire_after,
            "days",
            1,
            MAX_DAYS,
        )
        if replication_destination is not None and not isinstance(
            replication_destination, s3.BucketBase
        ):
            raise ValueError(
                f"replication_destination is {replication_destination!r}; allowed: an s3.IBucket"
            )
        _check_flag("replicate_delete_markers", replicate_delete_markers)
        if replicate_delete_markers and replication_destination is None:
            raise ValueError(
                "replicate_delete_markers is True without a replication_destination; "
                "allowed: True only with a destination"
            )
        if object_lock is not None and object_lock not in _LOCK_MODES:
            raise ValueError(
                f"object_lock is {object_lock!r}; allowed: None, 'governance' or 'compliance'"
            )
        if _is_token(object_lock_days):
            # aws-cdk-lib checks the retention itself, at synthesis: it must be a number then.
            raise ValueError(
                "object_lock_days is a deploy-time token; allowed: a whole number known at "
                f"synthesis, 1 to {MAX_LOCK_DAYS} days"
            )
        _check_int("object_lock_days", object_lock_days, 1, MAX_LOCK_DAYS, " days")
        if bucket_name is not None and not _is_token(bucket_name):
            _check_text(
                "bucket_name",
                bucket_name,
                BUCKET_NAME_PATTERN,
                "3-63 lowercase letters, digits, dots and hyphens, starting and ending with a "
                "letter or digit, no '..', not an IP address",
            )
            if ".." in bucket_name or re.fullmatch(r"\d+\.\d+\.\d+\.\d+", bucket_name):
                raise ValueError(
                    f"bucket_name is {bucket_name!r}; allowed: no '..' and not an IP address"
                )
        if not isinstance(removal_policy, RemovalPolicy):
            raise ValueError(f"removal_policy is {removal_policy!r}; allowed: a RemovalPolicy")
        _check_flag("auto_delete_objects", auto_delete_objects)
        if auto_delete_objects and removal_policy != RemovalPolicy.DESTROY:
            raise ValueError(
                "auto_delete_objects is True but removal_policy is not DESTROY; "
                "allowed: True only with RemovalPolicy.DESTROY"
            )
        if auto_delete_objects and object_lock is not None:
            raise ValueError(
                f"auto_delete_objects is True with object_lock {object_lock!r}; allowed: "
                "False (locked versions cannot be deleted until their retention ends)"
            )
        super().__init__(scope, construct_id)
        _log_delivery_by_policy(self)

        transitions = []
        if infrequent_access_after is not None:
            transitions.append(
                s3.Transition(
                    storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                    transition_after=infrequent_access_after,
                )
            )
        if glacier_after is not None:
            transitions.append(
                s3.Transition(
                    storage_class=_GLACIER_CLASSES[glacier_storage], transition_after=glacier_after
                )
            )
        lock = None
        if object_lock is not None:
            retention = (
                s3.ObjectLockRetention.governance
                if object_lock == "governance"
                else s3.ObjectLockRetention.compliance
            )
            lock = retention(Duration.days(object_lock_days))
        # Who read or wrote what: S3 server access logs, kept a year in a bucket of their own.
        self.access_logs = _log_bucket(
            self,
            "AccessLogs",
            writer="the protected bucket's S3 server access logs",
            expiration=Duration.days(365),
            removal_policy=removal_policy,
            auto_delete_objects=auto_delete_objects,
        )
        self.bucket = _hardened_bucket(
            self,
            "Bucket",
            lifecycle_id="AgeIntoCheaperStorage",
            bucket_name=bucket_name,
            transitions=transitions or None,
            noncurrent_version_expiration=noncurrent_versions_expire_after,
            object_lock_default_retention=lock,
            replication_rules=(
                [
                    s3.ReplicationRule(
                        destination=replication_destination,
                        priority=1,
                        delete_marker_replication=replicate_delete_markers,
                    )
                ]
                if replication_destination is not None
                else None
            ),
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="s3-access/",
            removal_policy=removal_policy,
            auto_delete_objects=auto_delete_objects,
        )
        _except_cdk_handlers(self)
        role = self.bucket.node.try_find_child("ReplicationRole")
        if role is not None and lock is not None:
            # S3 replicates a locked version with its retention and legal hold, which the role
            # must read as well (the destination needs Object Lock enabled too).
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["s3:GetObjectRetention", "s3:GetObjectLegalHold"],
                    resources=[self.bucket.arn_for_objects("*")],
                )
            )
        policy = role.node.try_find_child("DefaultPolicy") if role is not None else None
        if policy is not None:
            # The role S3 assumes: read every version of this bucket, write every key of the
            # destination. Replication copies whole buckets, so object ARNs end in /*.
            reason = (
                "S3 replication reads every object version of the source bucket and writes "
                "every key of the destination bucket: the object ARNs are <bucket>/*, on those "
                "two buckets only, with replication actions only."
            )
            document = Stack.of(self).resolve(policy.document.to_json())
            Validations.of(policy).acknowledge(
                *(
                    Acknowledgment(id=finding, reason=reason)
                    for finding in _wildcard_findings(document)
                )
            )
