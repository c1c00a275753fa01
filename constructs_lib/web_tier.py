"""Web tier: an internet-facing Application Load Balancer in front of an Auto Scaling group.

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

The study notes' "WhatIsTheTime.com" in its final form: a multi-AZ ALB in the public subnets,
private instances in every application subnet behind it, security groups chained ALB ->
instances (-> SSH only from a bastion), ELB health checks replacing unhealthy instances and
target tracking on average CPU. Instances come from a launch template (Amazon Linux 2023,
IMDSv2 required, encrypted gp3 root, SSM Session Manager instead of a key pair).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from aws_cdk import (
    Acknowledgment,
    Aws,
    CfnCondition,
    CfnMapping,
    CfnResource,
    Duration,
    Fn,
    Names,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
    region_info,
)
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_elasticloadbalancingv2_targets as elbv2_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

_URL_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*$")
_MAX_DEREGISTRATION_DELAY = 3600
_MAX_STICKINESS_MS = Duration.days(7).to_milliseconds()
# Module-level defaults (never a call in an argument default).
_FIVE_MINUTES = Duration.minutes(5)
_ONE_YEAR = Duration.days(365)
_MAX_FIXED_RESPONSES = 10
_MAX_FIXED_RESPONSE_BYTES = 1024  # the ALB's limit on a fixed response's message body
# Auto Scaling's scheduled actions take five-field Unix cron: minute hour day month weekday.
_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    (
        "month",
        1,
        12,
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
    ),
    ("day of week", 0, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)
_CRON_ITEM = re.compile(r"(\*|(\w+)(-(\w+))?)(/([1-9][0-9]*))?")

# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_number, _check_flag, _check_text, _check_instance_type, _parse_cidr,
# pieces: _check_source_cidr, _peer, _check_certificate_arn, _encrypted_root_volume,
# pieces: _log_bucket, _allow_ssm_session, _except_cdk_handlers, _alb_access_logs,
# pieces: _al2023_image


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


def _check_number(
    name: str, value: object, low: float, high: float | None = None, unit: str = ""
) -> None:
    """A number (int or float) from ``low`` to ``high`` (or more); tokens pass; bools fail."""
    bounds = f"{low} to {high}{unit}" if high is not None else f"{low} or more{unit}"
    if _is_token(value):
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} is {value!r}; allowed: a number, {bounds}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} is {value}; allowed: {bounds}")


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


def _check_instance_type(name: str, value: object) -> None:
    """An EC2 instance type written as AWS writes it (``t4g.nano``, ``m7i-flex.2xlarge``)."""
    _check_text(
        name,
        value,
        r"[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]*xlarge"
        r"|metal(-[0-9]+xl)?)",
        "an EC2 instance type such as 't4g.micro' or 'm7i.2xlarge' (family.size)",
    )


def _parse_cidr(
    name: str, cidr: object, example: str = "203.0.113.0/24"
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """One CIDR block written with its prefix length, IPv4 or IPv6, at a network address."""
    if not isinstance(cidr, str) or "/" not in cidr:
        raise ValueError(
            f"{name} is {cidr!r}; allowed: one CIDR block with its prefix length, "
            f"such as {example!r}"
        )
    try:
        return ipaddress.ip_network(cidr, strict=True)
    except ValueError as error:
        raise ValueError(
            f"{name} is {cidr!r} ({error}); allowed: one CIDR block at a network address, "
            f"such as {example!r}"
        ) from None


def _peer(cidr: str) -> ec2.IPeer:
    """The security-group peer of a CIDR block that has been checked already."""
    return ec2.Peer.ipv6(cidr) if ":" in cidr else ec2.Peer.ipv4(cidr)


def _check_source_cidr(
    name: str, cidr: object, widest_ipv4: int, widest_ipv6: int, example: str
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A range that may reach a port: a CIDR block no wider than /widest for its family.

    IPv4-mapped IPv6 (``::ffff:a.b.c.d``) is refused: write the IPv4 block itself.
    """
    network = _parse_cidr(name, cidr, example)
    if network.version == 6 and (
        network.network_address.ipv4_mapped is not None
        or network.subnet_of(ipaddress.ip_network("::ffff:0:0/96"))
    ):
        raise ValueError(
            f"{name} is {cidr!r}, an IPv4-mapped IPv6 range; allowed: the IPv4 block itself, "
            f"such as {example!r}"
        )
    widest = widest_ipv4 if network.version == 4 else widest_ipv6
    if network.prefixlen < widest:
        raise ValueError(
            f"{name} is {cidr!r}, {network.num_addresses:,} addresses; allowed: IPv4 /"
            f"{widest_ipv4} or narrower, IPv6 /{widest_ipv6} or narrower, such as {example!r}"
        )
    return network


_ACM_CERTIFICATE_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:acm:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):certificate/"
    r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
)


def _check_certificate_arn(name: str, arn: object, region: str | None = None) -> None:
    """An ACM certificate ARN, in ``region`` when given; tokens pass unchecked."""
    if _is_token(arn):
        return
    match = _ACM_CERTIFICATE_ARN.fullmatch(arn) if isinstance(arn, str) else None
    if match is None:
        raise ValueError(
            f"{name} is {arn!r}; allowed: an ACM certificate ARN, "
            "arn:aws:acm:<region>:<account>:certificate/<uuid>"
        )
    if region is not None and not _is_token(region) and match.group(1) != region:
        raise ValueError(f"{name} is in {match.group(1)}; allowed: a certificate in {region}")


def _al2023_image(instance_type: ec2.InstanceType) -> ec2.IMachineImage:
    """The latest Amazon Linux 2023 for ``instance_type``'s CPU: arm64 on Graviton, else x86_64.

    An image of the wrong architecture fails only at launch, after the deployment started.
    """
    cpu = (
        ec2.AmazonLinuxCpuType.ARM_64
        if instance_type.architecture == ec2.InstanceArchitecture.ARM_64
        else ec2.AmazonLinuxCpuType.X86_64
    )
    return ec2.MachineImage.latest_amazon_linux2023(cpu_type=cpu)


def _encrypted_root_volume(size_gib: int = 8, device_name: str = "/dev/xvda") -> ec2.BlockDevice:
    """The root volume every instance boots from: gp3, encrypted, deleted with the instance."""
    return ec2.BlockDevice(
        device_name=device_name,
        volume=ec2.BlockDeviceVolume.ebs(
            size_gib,
            encrypted=True,
            volume_type=ec2.EbsDeviceVolumeType.GP3,
            delete_on_termination=True,
        ),
    )


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


# Regions launched since August 2022 have no ELB account: their log delivery is a service.
_ELB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"


def _alb_access_logs(
    scope: Construct, load_balancer: elbv2.ApplicationLoadBalancer, bucket: s3.Bucket, prefix: str
) -> None:
    """``log_access_logs``, which needs the region to name the writer, also in an
    environment-agnostic stack, whose region is a token.

    The writer is the ELB account of a region launched before August 2022, the log-delivery
    service in newer ones. Without a region the template decides at deploy time, from a map of
    every region aws-cdk-lib knows (a region newer than the installed aws-cdk-lib fails the
    deployment on the map: pin an environment there). The map and its condition go in
    ``scope``.
    """
    stack = Stack.of(scope)
    if not Token.is_unresolved(stack.region):
        load_balancer.log_access_logs(bucket, prefix)
        return
    accounts = CfnMapping(
        scope,
        "ElbLogDeliveryAccounts",
        mapping={
            region.name: {"account": region.elbv2_account or "none"}
            for region in region_info.RegionInfo.regions
        },
    )
    account = accounts.find_in_map(Aws.REGION, "account")
    has_account = CfnCondition(
        scope,
        "RegionHasElbAccount",
        expression=Fn.condition_not(Fn.condition_equals(account, "none")),
    )
    elb_account_root = Fn.condition_if(
        has_account.logical_id,
        Fn.join("", ["arn:", Aws.PARTITION, ":iam::", account, ":root"]),
        Aws.NO_VALUE,
    ).to_string()
    delivery_service = Fn.condition_if(
        has_account.logical_id, Aws.NO_VALUE, _ELB_LOG_DELIVERY
    ).to_string()
    for key, value in (
        ("access_logs.s3.enabled", "true"),
        ("access_logs.s3.bucket", bucket.bucket_name),
        ("access_logs.s3.prefix", prefix),
    ):
        load_balancer.set_attribute(key, value)
    objects = bucket.arn_for_objects(f"{prefix}/AWSLogs/{stack.account}/*")
    writers = [iam.ArnPrincipal(elb_account_root), iam.ServicePrincipal(delivery_service)]
    delivery = iam.ServicePrincipal("delivery.logs.amazonaws.com")
    for statement in (
        iam.PolicyStatement(actions=["s3:PutObject"], principals=writers, resources=[objects]),
        iam.PolicyStatement(
            actions=["s3:PutObject"],
            principals=[delivery],
            resources=[objects],
            conditions={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
        ),
        iam.PolicyStatement(
            actions=["s3:GetBucketAcl"], principals=[delivery], resources=[bucket.bucket_arn]
        ),
    ):
        bucket.add_to_resource_policy(statement)
    # As log_access_logs does: the ALB checks the policy when it turns logging on.
    load_balancer.node.default_child.add_resource_dependency(bucket.policy.node.default_child)


# What SSM Session Manager's agent calls, as aws-cdk-lib's BastionHostLinux grants it: the same
# statement for every instance here, instead of the broader AmazonSSMManagedInstanceCore.
_SSM_SESSION_ACTIONS = ("ssmmessages:*", "ssm:UpdateInstanceInformation", "ec2messages:*")


def _acknowledge_ssm_session(construct: Construct) -> None:
    """The IAM5 findings of the Session Manager statement, with the reason they are accepted."""
    reason = (
        "SSM Session Manager's agent channels (ssmmessages:*, ec2messages:*, "
        "ssm:UpdateInstanceInformation) have no resource-level permissions, so AWS grants them "
        "on '*'; this is the whole statement, narrower than AmazonSSMManagedInstanceCore."
    )
    Validations.of(construct).acknowledge(
        *(
            Acknowledgment(id=f"AwsSolutions-IAM5[{finding}]", reason=reason)
            for finding in ("Action::ssmmessages:*", "Action::ec2messages:*", "Resource::*")
        )
    )


def _allow_ssm_session(role: iam.IRole) -> None:
    """Let instances with ``role`` be reached through Session Manager: no key, no open port."""
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=list(_SSM_SESSION_ACTIONS), resources=["*"])
    )
    _acknowledge_ssm_session(role)


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


def _check_cron(name: str, expression: object) -> None:
    """Five-field Unix cron, each value in its field's range (tokens pass)."""
    if _is_token(expression):
        return
    fields = expression.split() if isinstance(expression, str) else []
    allowed = (
        "five-field Unix cron 'minute hour day-of-month month day-of-week', e.g. '0 17 * * FRI'"
    )
    if len(fields) != len(_CRON_FIELDS):
        raise ValueError(f"{name} is {expression!r}; allowed: {allowed}")
    for field, (label, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for item in field.split(","):
            match = _CRON_ITEM.fullmatch(item)
            values = [] if match is None else [v for v in (match.group(2), match.group(4)) if v]
            for value in values:
                ok = (value.isdigit() and low <= int(value) <= high) or value.upper() in names
                if not ok:
                    match = None
            if match is None:
                raise ValueError(
                    f"{name} is {expression!r}: its {label} field {field!r} is not {low}-{high}"
                    f"{' or a name' if names else ''}; allowed: {allowed}"
                )


def _check_time_zone(name: str, time_zone: object) -> None:
    """An IANA time-zone name the tz database here knows (or any such name without one)."""
    if _is_token(time_zone):
        return
    known = zoneinfo.available_timezones()
    shaped = isinstance(time_zone, str) and re.fullmatch(
        r"[A-Za-z_]+(/[A-Za-z0-9_+-]+)*", time_zone
    )
    if not shaped or (known and time_zone not in known):
        raise ValueError(
            f"{name} is {time_zone!r}; allowed: an IANA time zone such as 'UTC' or 'Europe/Berlin'"
        )


def _check_capacity(min_capacity: int, desired_capacity: int | None, max_capacity: int) -> None:
    _check_int("min_capacity", min_capacity, 0)
    _check_int("max_capacity", max_capacity, 1)
    if desired_capacity is not None:
        _check_int("desired_capacity", desired_capacity, 0)
    if any(_is_token(value) for value in (min_capacity, desired_capacity, max_capacity)):
        return
    if min_capacity > max_capacity:
        raise ValueError(
            f"min_capacity is {min_capacity}; allowed: at most max_capacity ({max_capacity})"
        )
    if desired_capacity is not None and not min_capacity <= desired_capacity <= max_capacity:
        raise ValueError(
            f"desired_capacity is {desired_capacity}; allowed: min_capacity to max_capacity "
            f"({min_capacity} to {max_capacity})"
        )


def _check_scaling(
    cpu_target_percent: float,
    requests_per_target: int | None,
    peak_min_capacity: int | None,
    max_capacity: int,
) -> None:
    _check_number("cpu_target_percent", cpu_target_percent, 0, 100)
    if cpu_target_percent == 0:
        raise ValueError(f"cpu_target_percent is {cpu_target_percent}; allowed: above 0 up to 100")
    if requests_per_target is not None:
        _check_int("requests_per_target", requests_per_target, 1)
    if peak_min_capacity is not None:
        _check_int("peak_min_capacity", peak_min_capacity, 1)
    if (
        peak_min_capacity is not None
        and not _is_token(peak_min_capacity)
        and not _is_token(max_capacity)
        and peak_min_capacity > max_capacity
    ):
        raise ValueError(
            f"peak_min_capacity is {peak_min_capacity}; allowed: 1 to max_capacity ({max_capacity})"
        )


def _check_target_group(
    deregistration_delay_seconds: int,
    health_check_path: str,
    stickiness_duration: Duration | None,
) -> None:
    _check_int(
        "deregistration_delay_seconds",
        deregistration_delay_seconds,
        0,
        _MAX_DEREGISTRATION_DELAY,
        " (0 turns draining off)",
    )
    if not isinstance(health_check_path, str) or not _URL_PATH.fullmatch(health_check_path):
        raise ValueError(
            f"health_check_path is {health_check_path!r}; allowed: a URL path starting with '/' "
            "(letters, digits, '.', '_', '~', '-', '/'), e.g. '/health'"
        )
    if stickiness_duration is not None:
        milliseconds = stickiness_duration.to_milliseconds()
        if not 1000 <= milliseconds <= _MAX_STICKINESS_MS or milliseconds % 1000:
            raise ValueError(
                f"stickiness_duration is {milliseconds / 1000:g} s; allowed: whole seconds, "
                "1 s to 7 days (604800 s)"
            )


def _check_listeners(
    certificate_arn: str | None,
    http_port: int,
    https_port: int,
    app_port: int,
    ingress_cidr: str,
    fixed_responses: Mapping[str, str],
    region: str,
) -> None:
    for name, port in (
        ("http_port", http_port),
        ("https_port", https_port),
        ("app_port", app_port),
    ):
        _check_int(name, port, 1, 65535)
    if certificate_arn is not None:
        # An ALB reads its certificate from ACM in its own region.
        _check_certificate_arn("certificate_arn", certificate_arn, region=region)
        if http_port == https_port:
            raise ValueError(
                f"https_port is {https_port}, the same as http_port; allowed: two different "
                "ports (HTTP redirects to HTTPS)"
            )
    # The public entry point may be open to the world; the load balancer is IPv4-only.
    if _check_source_cidr("ingress_cidr", ingress_cidr, 0, 0, "0.0.0.0/0").version == 6:
        raise ValueError(
            f"ingress_cidr is {ingress_cidr!r}, an IPv6 range; allowed: an IPv4 block such as "
            "'0.0.0.0/0' (the load balancer is IPv4-only: IPv6 clients could never reach it)"
        )
    if len(fixed_responses) > _MAX_FIXED_RESPONSES:
        raise ValueError(
            f"fixed_responses has {len(fixed_responses)} paths; allowed: at most "
            f"{_MAX_FIXED_RESPONSES}"
        )
    for path, text in fixed_responses.items():
        if not isinstance(path, str) or not re.fullmatch(r"/[A-Za-z0-9._~/*?-]*", path):
            raise ValueError(
                f"fixed_responses path is {path!r}; allowed: a path pattern starting with '/'"
            )
        if not isinstance(text, str) or len(text.encode()) > _MAX_FIXED_RESPONSE_BYTES:
            size = f"{len(text.encode())} bytes" if isinstance(text, str) else repr(text)
            raise ValueError(
                f"fixed_responses[{path!r}] is {size}; allowed: a text of at most "
                f"{_MAX_FIXED_RESPONSE_BYTES} bytes (the load balancer's limit)"
            )


def _validate(
    *,
    min_capacity: int,
    desired_capacity: int | None,
    max_capacity: int,
    cpu_target_percent: float,
    requests_per_target: int | None,
    peak_min_capacity: int | None,
    deregistration_delay_seconds: int,
    health_check_path: str,
    stickiness_duration: Duration | None,
    certificate_arn: str | None,
    http_port: int,
    https_port: int,
    app_port: int,
    ingress_cidr: str,
    fixed_responses: Mapping[str, str],
    instance_type: str,
    peak: tuple[str, str, str],
    region: str,
) -> None:
    _check_capacity(min_capacity, desired_capacity, max_capacity)
    _check_instance_type("instance_type", instance_type)
    for name, expression in (("peak_start", peak[0]), ("peak_end", peak[1])):
        _check_cron(name, expression)
    _check_time_zone("peak_time_zone", peak[2])
    _check_scaling(cpu_target_percent, requests_per_target, peak_min_capacity, max_capacity)
    _check_target_group(deregistration_delay_seconds, health_check_path, stickiness_duration)
    _check_listeners(
        certificate_arn, http_port, https_port, app_port, ingress_cidr, fixed_responses, region
    )


# --- Routing rules, extra targets, more certificates, more scaling policies (all opt-in) ---

_MAX_RULE_PRIORITY = 50000
_MAX_VALUES_PER_CONDITION = 3  # the ALB's limits on a rule's comparison strings
_MAX_VALUES_PER_RULE = 5
_MAX_CONDITION_VALUE = 128  # characters in one comparison string
_MAX_HEADER_NAME = 40
_FIXED_RESPONSE_TYPES = (
    "text/plain",
    "text/css",
    "text/html",
    "application/javascript",
    "application/json",
)
_FORWARD_TARGETS = ("instances", "ip_targets", "lambda_target")
# Where an ALB accepts IP targets besides its own VPC's ranges: RFC 1918 and RFC 6598.
_PRIVATE_IPV4 = tuple(
    ipaddress.IPv4Network(block)
    for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)
_PREDICTIVE_MODES = {"forecast_only": "ForecastOnly", "forecast_and_scale": "ForecastAndScale"}
_ELB_SERVICE = "elasticloadbalancing.amazonaws.com"


@dataclass(frozen=True, kw_only=True)
class FixedResponse:
    """What the load balancer answers itself, without a target.

    :param status_code: a 2XX, 4XX or 5XX HTTP status. Default: 200.
    :param message_body: at most 1024 bytes. Default: empty.
    :param content_type: ``text/plain``, ``text/css``, ``text/html``,
        ``application/javascript`` or ``application/json``. Default: ``text/plain``.
    """

    status_code: int = 200
    message_body: str = ""
    content_type: str = "text/plain"


@dataclass(frozen=True, kw_only=True)
class Redirect:
    """A redirect; each part left None keeps the request's own (``#{host}``, ``#{path}``...).

    :param protocol: ``HTTP`` or ``HTTPS`` (an HTTPS listener cannot redirect to HTTP; from
        the HTTP listener to HTTPS give ``port`` too). Default: None (the request's).
    :param host: the host name, may use ``#{host}``. Default: None (the request's).
    :param port: 1 to 65535. Default: None (the request's).
    :param path: starting with ``/``, may use ``#{path}``. Default: None (the request's).
    :param query: without the leading ``?``, may use ``#{query}``. Default: None (the request's).
    :param permanent: 301 when True, 302 when False. Default: True.
    """

    protocol: str | None = None
    host: str | None = None
    port: int | None = None
    path: str | None = None
    query: str | None = None
    permanent: bool = True


@dataclass(frozen=True, kw_only=True)
class RoutingRule:
    """A listener rule: when every given condition matches, do the one action.

    Conditions (at least one; at most 3 values each and 5 in all, the ALB's limits; each value
    at most 128 characters, ``*`` and ``?`` are wildcards except in ``source_ips``):

    :param priority: 1 to 50000, unique on the listener, lower first (``fixed_responses``
        take 1 to N). Required.
    :param path_patterns: URL paths starting with ``/``. Default: none.
    :param host_headers: host names, e.g. ``api.example.com``. Default: none.
    :param http_header: a header's name (at most 40 characters) and the values it may have.
        Default: None.
    :param query_strings: query key -> value pairs, each of which must be present.
        Default: none.
    :param source_ips: the client's address, IPv4 CIDR blocks (the ALB is IPv4-only).
        Default: none.

    Action (exactly one):

    :param forward_to: one of the construct's target groups: ``"instances"`` (the Auto
        Scaling group), ``"ip_targets"`` or ``"lambda_target"`` (given to the construct).
        Default: None.
    :param fixed_response: the load balancer answers itself. Default: None.
    :param redirect: the load balancer redirects. Default: None.
    """

    priority: int
    path_patterns: Sequence[str] = ()
    host_headers: Sequence[str] = ()
    http_header: tuple[str, Sequence[str]] | None = None
    query_strings: Mapping[str, str] = dataclasses.field(default_factory=dict)
    source_ips: Sequence[str] = ()
    forward_to: Literal["instances", "ip_targets", "lambda_target"] | None = None
    fixed_response: FixedResponse | None = None
    redirect: Redirect | None = None


def _check_sequence(name: str, value: object, kind: str) -> list:
    """A list or tuple (not a string); returns it as a list."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise ValueError(f"{name} is {value!r}; allowed: a list of {kind}")
    return list(value)


def _check_values(name: str, values: object, pattern: str, allowed: str) -> list[str]:
    """A condition's comparison strings: 1 to 3 strings of 1 to 128 characters each."""
    values = _check_sequence(name, values, "strings")
    if len(values) > _MAX_VALUES_PER_CONDITION:
        raise ValueError(
            f"{name} has {len(values)} values; allowed: at most {_MAX_VALUES_PER_CONDITION} per "
            "condition (the load balancer's limit)"
        )
    for value in values:
        _check_text(name, value, pattern, f"{allowed}, 1 to {_MAX_CONDITION_VALUE} characters")
        if not _is_token(value) and len(value) > _MAX_CONDITION_VALUE:
            raise ValueError(
                f"{name} value is {len(value)} characters; allowed: 1 to {_MAX_CONDITION_VALUE}"
            )
    return values


def _check_fixed_response(name: str, response: FixedResponse) -> None:
    _check_int(f"{name}.status_code", response.status_code, 200, 599)
    if not _is_token(response.status_code) and response.status_code // 100 not in (2, 4, 5):
        raise ValueError(
            f"{name}.status_code is {response.status_code}; allowed: a 2XX, 4XX or 5XX status"
        )
    if response.content_type not in _FIXED_RESPONSE_TYPES:
        raise ValueError(
            f"{name}.content_type is {response.content_type!r}; allowed: one of "
            f"{', '.join(_FIXED_RESPONSE_TYPES)}"
        )
    body = response.message_body
    if not isinstance(body, str) or len(body.encode()) > _MAX_FIXED_RESPONSE_BYTES:
        size = f"{len(body.encode())} bytes" if isinstance(body, str) else repr(body)
        raise ValueError(
            f"{name}.message_body is {size}; allowed: a text of at most "
            f"{_MAX_FIXED_RESPONSE_BYTES} bytes (the load balancer's limit)"
        )


def _check_redirect(name: str, redirect: Redirect, https: bool) -> None:
    parts = (redirect.protocol, redirect.host, redirect.port, redirect.path, redirect.query)
    if all(part is None for part in parts):
        raise ValueError(
            f"{name} changes nothing; allowed: a redirect with at least one of protocol, host, "
            "port, path, query (else it would redirect to itself, forever)"
        )
    if redirect.protocol is not None and redirect.protocol not in ("HTTP", "HTTPS"):
        raise ValueError(f"{name}.protocol is {redirect.protocol!r}; allowed: 'HTTP' or 'HTTPS'")
    if https and redirect.protocol == "HTTP":
        raise ValueError(
            f"{name}.protocol is 'HTTP' on the HTTPS listener; allowed: 'HTTPS' or None (the "
            "load balancer never redirects HTTPS to HTTP)"
        )
    if not https and redirect.protocol == "HTTPS" and redirect.port is None:
        raise ValueError(
            f"{name}.port is None with protocol 'HTTPS' on the HTTP listener; allowed: the HTTPS "
            "port, e.g. 443 (else the redirect keeps the request's port 80)"
        )
    if redirect.host is not None:
        _check_text(
            f"{name}.host",
            redirect.host,
            r"(#\{host\}|[A-Za-z0-9-]+)([.-](#\{host\}|[A-Za-z0-9-]+))*",
            "a host name such as 'www.example.com', may use #{host}",
        )
    if redirect.port is not None:
        _check_int(f"{name}.port", redirect.port, 1, 65535)
    if redirect.path is not None:
        _check_text(
            f"{name}.path",
            redirect.path,
            r"/([A-Za-z0-9._~/*-]|#\{(path|host|port)\})*",
            "a path starting with '/', may use #{path}",
        )
    if redirect.query is not None:
        _check_text(
            f"{name}.query",
            redirect.query,
            r"([^?#\s]|#\{(query|path|host|port)\})+",
            "a query without the leading '?', may use #{query}",
        )
    _check_flag(f"{name}.permanent", redirect.permanent)


def _check_rule_conditions(name: str, rule: RoutingRule) -> int:
    """The rule's conditions; returns how many comparison strings they hold."""
    count = 0
    count += len(
        _check_values(
            f"{name}.path_patterns",
            rule.path_patterns,
            r"/[A-Za-z0-9._~/*?$'\"@:+&-]*",
            "URL path patterns starting with '/'",
        )
    )
    count += len(
        _check_values(
            f"{name}.host_headers",
            rule.host_headers,
            r"[A-Za-z0-9*?-]+(\.[A-Za-z0-9*?-]+)*",
            "host names such as 'api.example.com' ('*' and '?' match any)",
        )
    )
    if rule.http_header is not None:
        header = rule.http_header
        if not isinstance(header, tuple | list) or len(header) != 2:
            raise ValueError(f"{name}.http_header is {header!r}; allowed: (name, [values])")
        _check_text(
            f"{name}.http_header name",
            header[0],
            rf"[A-Za-z0-9!#$%&'*+.^_`|~-]{{1,{_MAX_HEADER_NAME}}}",
            f"an HTTP header name of 1 to {_MAX_HEADER_NAME} characters",
        )
        values = _check_values(
            f"{name}.http_header values", header[1], r"[ -~]+", "printable ASCII text"
        )
        if not values:
            raise ValueError(f"{name}.http_header has no values; allowed: 1 to 3 values")
        count += len(values)
    queries = rule.query_strings
    if not isinstance(queries, Mapping):
        raise ValueError(f"{name}.query_strings is {queries!r}; allowed: a mapping of key -> value")
    if len(queries) > _MAX_VALUES_PER_CONDITION:
        raise ValueError(
            f"{name}.query_strings has {len(queries)} pairs; allowed: at most "
            f"{_MAX_VALUES_PER_CONDITION} per condition (the load balancer's limit)"
        )
    for key, value in queries.items():
        for part, text in (("key", key), ("value", value)):
            _check_text(
                f"{name}.query_strings {part}",
                text,
                rf"[^\s&=#]{{1,{_MAX_CONDITION_VALUE}}}",
                f"1 to {_MAX_CONDITION_VALUE} characters without spaces, '&', '=' or '#'",
            )
    count += len(queries)
    sources = _check_sequence(f"{name}.source_ips", rule.source_ips, "IPv4 CIDR blocks")
    if len(sources) > _MAX_VALUES_PER_CONDITION:
        raise ValueError(
            f"{name}.source_ips has {len(sources)} values; allowed: at most "
            f"{_MAX_VALUES_PER_CONDITION} per condition (the load balancer's limit)"
        )
    for cidr in sources:
        if _is_token(cidr):
            continue
        if _parse_cidr(f"{name}.source_ips", cidr).version == 6:
            raise ValueError(
                f"{name}.source_ips has {cidr!r}, an IPv6 range; allowed: IPv4 blocks (the load "
                "balancer is IPv4-only: no client address could ever match)"
            )
    count += len(sources)
    return count


def _check_routing_rules(
    rules: object,
    *,
    fixed_response_count: int,
    have_ip_targets: bool,
    have_lambda_target: bool,
    https: bool,
) -> list[RoutingRule]:
    rules = _check_sequence("routing_rules", rules, "RoutingRule")
    taken: dict[int, str] = {
        priority: "fixed_responses" for priority in range(1, fixed_response_count + 1)
    }
    for index, rule in enumerate(rules):
        name = f"routing_rules[{index}]"
        if not isinstance(rule, RoutingRule):
            raise ValueError(f"{name} is {rule!r}; allowed: a RoutingRule")
        _check_int(f"{name}.priority", rule.priority, 1, _MAX_RULE_PRIORITY)
        if not _is_token(rule.priority):
            if rule.priority in taken:
                raise ValueError(
                    f"{name}.priority is {rule.priority}, taken by {taken[rule.priority]}; "
                    "allowed: a priority no other rule of the listener has"
                )
            taken[rule.priority] = name
        count = _check_rule_conditions(name, rule)
        if count == 0:
            raise ValueError(
                f"{name} has no condition; allowed: at least one of path_patterns, "
                "host_headers, http_header, query_strings, source_ips"
            )
        if count > _MAX_VALUES_PER_RULE:
            raise ValueError(
                f"{name} has {count} condition values; allowed: at most {_MAX_VALUES_PER_RULE} "
                "per rule (the load balancer's limit)"
            )
        actions = [
            action
            for action in (rule.forward_to, rule.fixed_response, rule.redirect)
            if action is not None
        ]
        if len(actions) != 1:
            raise ValueError(
                f"{name} has {len(actions)} actions; allowed: exactly one of forward_to, "
                "fixed_response, redirect"
            )
        if rule.forward_to is not None:
            exists = {
                "instances": True,
                "ip_targets": have_ip_targets,
                "lambda_target": have_lambda_target,
            }
            if rule.forward_to not in _FORWARD_TARGETS:
                raise ValueError(
                    f"{name}.forward_to is {rule.forward_to!r}; allowed: one of "
                    f"{', '.join(map(repr, _FORWARD_TARGETS))}"
                )
            if not exists[rule.forward_to]:
                raise ValueError(
                    f"{name}.forward_to is {rule.forward_to!r}, but the construct has no "
                    f"{rule.forward_to}; allowed: a target group it has (pass {rule.forward_to})"
                )
        if rule.fixed_response is not None:
            if not isinstance(rule.fixed_response, FixedResponse):
                raise ValueError(
                    f"{name}.fixed_response is {rule.fixed_response!r}; allowed: a FixedResponse"
                )
            _check_fixed_response(f"{name}.fixed_response", rule.fixed_response)
        if rule.redirect is not None:
            if not isinstance(rule.redirect, Redirect):
                raise ValueError(f"{name}.redirect is {rule.redirect!r}; allowed: a Redirect")
            _check_redirect(f"{name}.redirect", rule.redirect, https)
    forwarded = {rule.forward_to for rule in rules}
    for target, given in (("ip_targets", have_ip_targets), ("lambda_target", have_lambda_target)):
        if given and target not in forwarded:
            raise ValueError(
                f"{target} is given but no routing rule forwards to it; allowed: add a "
                f"RoutingRule(forward_to={target!r}, ...) (the listener reaches it only that way)"
            )
    return rules


def _vpc_ranges(vpc: ec2.IVpc) -> list[ipaddress.IPv4Network] | None:
    """The VPC's IPv4 range when known at synthesis (a looked-up VPC, or one made here)."""
    cidr = vpc.vpc_cidr_block
    if _is_token(cidr):
        resource = vpc.node.default_child
        cidr = resource.cidr_block if isinstance(resource, ec2.CfnVPC) else None
    if not isinstance(cidr, str) or _is_token(cidr):
        return None
    return [ipaddress.IPv4Network(cidr)]


def _check_ip_targets(
    ip_targets: object, port: object, vpc_ranges: list[ipaddress.IPv4Network] | None
) -> list[str]:
    addresses = _check_sequence("ip_targets", ip_targets, "IPv4 addresses")
    _check_int("ip_target_port", port, 1, 65535)
    ranges = (*_PRIVATE_IPV4, *(vpc_ranges or ()))
    allowed = "a private IPv4 address (10/8, 172.16/12, 192.168/16, 100.64/10"
    allowed += ", or the VPC's range)" if vpc_ranges else ")"
    seen: set[str] = set()
    for address in addresses:
        if _is_token(address):
            continue
        try:
            parsed = ipaddress.IPv4Address(address) if isinstance(address, str) else None
        except ValueError:
            parsed = None
        if parsed is None or not any(parsed in block for block in ranges):
            raise ValueError(f"ip_targets has {address!r}; allowed: {allowed}, e.g. '10.20.0.15'")
        if address in seen:
            raise ValueError(f"ip_targets has {address!r} twice; allowed: each address once")
        seen.add(address)
    return addresses


def _check_additional_certificates(
    certificates: object, certificate_arn: str | None, region: str
) -> list[acm.ICertificate]:
    certificates = _check_sequence(
        "additional_certificates", certificates, "certificatemanager.ICertificate"
    )
    if certificates and certificate_arn is None:
        raise ValueError(
            "additional_certificates is given without certificate_arn; allowed: only with "
            "certificate_arn (the HTTPS listener's default certificate; SNI picks the others)"
        )
    arns = [certificate_arn]
    for index, certificate in enumerate(certificates):
        arn = getattr(certificate, "certificate_arn", None)
        if arn is None:
            raise ValueError(
                f"additional_certificates[{index}] is {certificate!r}; allowed: a "
                "certificatemanager.ICertificate"
            )
        _check_certificate_arn(f"additional_certificates[{index}]", arn, region=region)
        if not _is_token(arn) and arn in arns:
            raise ValueError(
                f"additional_certificates[{index}] is {arn!r} again; allowed: each certificate "
                "once, none of them certificate_arn"
            )
        arns.append(arn)
    return certificates


def _check_more_scaling(
    cpu_step_scaling: object, predictive_scaling: object, cross_zone: object
) -> None:
    if cpu_step_scaling is not None:
        if not isinstance(cpu_step_scaling, tuple | list) or len(cpu_step_scaling) != 2:
            raise ValueError(
                f"cpu_step_scaling is {cpu_step_scaling!r}; allowed: (low, high) percentages"
            )
        low, high = cpu_step_scaling
        _check_number("cpu_step_scaling low", low, 0, 100)
        _check_number("cpu_step_scaling high", high, 0, 100)
        if not _is_token(low) and not _is_token(high) and not 0 < low < high < 100:
            raise ValueError(
                f"cpu_step_scaling is ({low}, {high}); allowed: 0 < low < high < 100, e.g. (30, 70)"
            )
    if predictive_scaling is not None and predictive_scaling not in _PREDICTIVE_MODES:
        raise ValueError(
            f"predictive_scaling is {predictive_scaling!r}; allowed: None, 'forecast_only' or "
            "'forecast_and_scale'"
        )
    _check_flag("cross_zone", cross_zone)


def _health_check(path: str) -> elbv2.HealthCheck:
    """Every HTTP target group's check: ``path`` must answer 200, two passes in, three out."""
    return elbv2.HealthCheck(
        path=path,
        healthy_http_codes="200",
        interval=Duration.seconds(15),
        timeout=Duration.seconds(5),
        healthy_threshold_count=2,
        unhealthy_threshold_count=3,
    )


def web_server_user_data(app_port: int, health_check_path: str) -> ec2.UserData:
    """Install httpd: ``/`` names the instance and its AZ (read with an IMDSv2 token)."""
    health_file = health_check_path + ("index.html" if health_check_path.endswith("/") else "")
    user_data = ec2.UserData.for_linux()
    user_data.add_commands(
        "set -euo pipefail",
        "dnf install -y httpd",
        f"sed -i 's/^Listen 80$/Listen {app_port}/' /etc/httpd/conf/httpd.conf",
        # IMDSv2: a session token first, then the metadata with it (IMDSv1 is disabled).
        'TOKEN=$(curl -sf -X PUT "http://169.254.169.254/latest/api/token" '
        '-H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
        'imds() { curl -sf -H "X-aws-ec2-metadata-token: $TOKEN" '
        '"http://169.254.169.254/latest/meta-data/$1"; }',
        "INSTANCE_ID=$(imds instance-id)",
        "AZ=$(imds placement/availability-zone)",
        'echo "<h1>Hello World from ${INSTANCE_ID} in ${AZ}</h1>" > /var/www/html/index.html',
        f'mkdir -p "$(dirname /var/www/html{health_file})"',
        f"echo ok > /var/www/html{health_file}",
        "systemctl enable --now httpd",
    )
    return user_data


class WebTier(Construct):
    """An internet-facing ALB forwarding to an Auto Scaling group of private instances.

    Attributes: ``load_balancer``, ``auto_scaling_group``, ``target_group``, ``listener`` (the
    one that forwards: HTTPS with a certificate, else HTTP), ``redirect_listener`` (or None),
    ``ip_target_group`` and ``lambda_target_group`` (or None), ``alb_security_group``,
    ``instance_security_group``, ``access_log_bucket`` (or None), ``url``, and ``connections``:
    the instances' own security group, with ``app_port`` as default port. Pass
    ``web.connections`` wherever aws-cdk-lib takes an ``IConnectable``, e.g.
    ``database.connections.allow_default_port_from(web.connections)``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        alb_subnets: ec2.SubnetSelection | None = None,
        instance_subnets: ec2.SubnetSelection | None = None,
        bastion_security_group: ec2.ISecurityGroup | None = None,
        instance_security_groups: Sequence[ec2.ISecurityGroup] = (),
        instance_type: str = "t4g.micro",
        min_capacity: int = 1,
        desired_capacity: int | None = None,
        max_capacity: int = 2,
        cpu_target_percent: float = 40,
        requests_per_target: int | None = None,
        peak_min_capacity: int | None = None,
        peak_start: str = "0 17 * * FRI",
        peak_end: str = "0 23 * * FRI",
        peak_time_zone: str = "UTC",
        health_check_path: str = "/health",
        health_check_grace_period: Duration = _FIVE_MINUTES,
        instance_warmup: Duration = _FIVE_MINUTES,
        cooldown: Duration = _FIVE_MINUTES,
        deregistration_delay_seconds: int = 300,
        stickiness_duration: Duration | None = None,
        certificate_arn: str | None = None,
        ssl_policy: elbv2.SslPolicy = elbv2.SslPolicy.RECOMMENDED_TLS,
        http_port: int = 80,
        https_port: int = 443,
        app_port: int = 80,
        ingress_cidr: str = "0.0.0.0/0",
        fixed_responses: Mapping[str, str] | None = None,
        routing_rules: Sequence[RoutingRule] = (),
        ip_targets: Sequence[str] = (),
        ip_target_port: int = 80,
        lambda_target: lambda_.IFunction | None = None,
        additional_certificates: Sequence[acm.ICertificate] = (),
        cpu_step_scaling: tuple[float, float] | None = None,
        predictive_scaling: Literal["forecast_only", "forecast_and_scale"] | None = None,
        cross_zone: bool = True,
        notification_topic: sns.ITopic | None = None,
        access_logs: bool = True,
        deletion_protection: bool = True,
        access_log_expiration: Duration = _ONE_YEAR,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        auto_delete_objects: bool = False,
        user_data: ec2.UserData | None = None,
    ) -> None:
        """Create the load balancer, the target group, the launch template and the group.

        :param vpc: the VPC; the ALB and the instances spread over every AZ of the selections.
        :param alb_subnets: where the ALB's nodes go. Default: the VPC's public subnets.
        :param instance_subnets: where instances run. Default: the VPC's private subnets
            with egress (the application tier).
        :param bastion_security_group: when given, instances accept SSH (22) from it, and
            from nothing else. Default: None (no SSH: use SSM Session Manager).
        :param instance_security_groups: more groups the instances join besides their own, e.g.
            a network's application-tier group that its data tier admits. Default: none.
        :param instance_type: the instances' type; the Amazon Linux 2023 image's CPU
            architecture follows it. Default: ``t4g.micro`` (Graviton, arm64).
        :param min_capacity: fewest instances, 0 or more. Default: 1.
        :param desired_capacity: instances at deployment, within min and max.
            Default: None (CloudFormation starts at ``min_capacity``; scaling then owns it).
        :param max_capacity: most instances, at least ``min_capacity``. Default: 2.
        :param cpu_target_percent: target-tracking value of the group's average CPU, above 0
            up to 100. Default: 40 (the notes' example).
        :param requests_per_target: also track ALB requests per target per minute.
            Default: None (CPU only).
        :param peak_min_capacity: the notes' scheduled-scaling example: raise the minimum
            to this at ``peak_start`` and restore ``min_capacity`` at ``peak_end``; 1 to
            ``max_capacity``. Default: None (no scheduled action).
        :param peak_start: five-field Unix cron of the peak's start. Default: ``0 17 * * FRI``.
        :param peak_end: five-field Unix cron of the peak's end. Default: ``0 23 * * FRI``.
        :param peak_time_zone: IANA time zone of both expressions. Default: ``UTC``.
        :param health_check_path: the target group's health check, answered 200 by the
            user data. Default: ``/health``.
        :param health_check_grace_period: how long a new instance may fail ELB health checks
            before it is replaced. Default: 5 minutes.
        :param instance_warmup: how long a new instance's metrics are left out of scaling
            decisions. Default: 5 minutes (the notes' 300 s).
        :param cooldown: the group's cooldown after a scaling activity. Default: 5 minutes
            (the notes' 300 s).
        :param deregistration_delay_seconds: connection draining, 0 (off) to 3600.
            Default: 300 (the ALB's own default).
        :param stickiness_duration: AWSALB cookie stickiness, 1 s to 7 days.
            Default: None (no stickiness: keep sessions off the instances).
        :param certificate_arn: an ACM certificate ARN in the stack's region (or a token, e.g.
            a CfnParameter): HTTPS on ``https_port`` and ``http_port`` redirecting to it (301).
            Default: None (HTTP only: sandbox use; never for production).
        :param ssl_policy: the HTTPS listener's security policy.
            Default: ``RECOMMENDED_TLS`` (TLS 1.3 and 1.2 only).
        :param http_port: the HTTP listener's port. Default: 80.
        :param https_port: the HTTPS listener's port, unlike ``http_port``. Default: 443.
        :param app_port: the port the instances' web server listens on. Default: 80.
        :param ingress_cidr: who may reach the listeners: one IPv4 CIDR block with its prefix
            length (the ALB is IPv4-only). Default: ``0.0.0.0/0`` (the ALB is the public entry
            point).
        :param fixed_responses: path pattern -> text of at most 1024 bytes, answered by the ALB
            itself with 200 (the notes' listener rules), at most 10. Default: None.
        :param routing_rules: listener rules on the listener that serves traffic (HTTPS with
            a certificate, else HTTP), each matching on path, host header, HTTP header, query
            string and/or source IP, and forwarding to one of the construct's target groups,
            answering itself or redirecting (see ``RoutingRule``). Priorities 1 to 50000, unique
            and after the ``fixed_responses``. Default: none.
        :param ip_targets: private IPv4 addresses served as a target group of type ``ip``,
            e.g. on-premises servers over VPN or Direct Connect (RFC 1918 or RFC 6598, or the
            VPC's range when known); addresses outside the VPC are registered for every AZ
            (``AvailabilityZone: all``). The ALB's group may reach them on ``ip_target_port``
            only. Reached through a ``RoutingRule(forward_to="ip_targets")``. Default: none.
        :param ip_target_port: the port the IP targets listen on (HTTP); their health check
            uses ``health_check_path``. Default: 80.
        :param lambda_target: a function served as a target group of type ``lambda``; it gets
            an invoke permission for ``elasticloadbalancing.amazonaws.com`` limited to this
            target group (by its name) and this account. Reached through a
            ``RoutingRule(forward_to="lambda_target")``. Default: None.
        :param additional_certificates: more ACM certificates on the HTTPS listener, chosen by
            SNI from the host name the client asks for (``certificate_arn`` stays the default);
            only with ``certificate_arn``. Default: none.
        :param cpu_step_scaling: (low, high) average CPU percentages, 0 < low < high < 100: a
            step-scaling policy adds 2 instances at high or above and removes 1 at low or below
            (the notes' (30, 70)), beside target tracking. Default: None.
        :param predictive_scaling: a predictive-scaling policy on CPU with the target-tracking
            target: ``"forecast_only"`` (forecasts only, to review them) or
            ``"forecast_and_scale"`` (also scales ahead of the forecast, never above
            ``max_capacity``). Default: None.
        :param cross_zone: cross-zone load balancing on the instance and IP target groups
            (False turns it off per target group; each AZ's nodes then serve only their own
            AZ's targets). Default: True (the ALB's own default, no attribute written).
        :param notification_topic: SNS topic told of every launch, termination and error.
            Default: None (see the ASG's activity history or EventBridge).
        :param access_logs: write the ALB's access logs to a new S3 bucket (SSE-S3, TLS
            only, versioned, no public access). Default: True.
        :param deletion_protection: protect the ALB from deletion. Default: True.
        :param access_log_expiration: how long access logs are kept. Default: 365 days.
        :param removal_policy: what happens to the access-log bucket on stack deletion.
            Default: RETAIN.
        :param auto_delete_objects: empty the access-log bucket on deletion (with DESTROY).
            Default: False.
        :param user_data: what each instance runs at boot: your application, which must
            listen on ``app_port`` and answer ``health_check_path`` with 200.
            Default: None (``web_server_user_data``: httpd naming the instance and its AZ; it
            installs a package, so the instances need a route to the Amazon Linux repositories:
            NAT, or the S3 gateway endpoint).
        """
        super().__init__(scope, construct_id)
        if user_data is not None and not isinstance(user_data, ec2.UserData):
            raise ValueError(f"user_data is {user_data!r}; allowed: an aws_ec2.UserData")
        if isinstance(fixed_responses, str) or not isinstance(fixed_responses, Mapping | None):
            raise ValueError(
                f"fixed_responses is {fixed_responses!r}; allowed: a mapping of path -> text"
            )
        fixed_responses = dict(fixed_responses or {})
        region = Stack.of(self).region
        ip_targets = _check_ip_targets(ip_targets, ip_target_port, _vpc_ranges(vpc))
        if lambda_target is not None and not hasattr(lambda_target, "function_arn"):
            raise ValueError(
                f"lambda_target is {lambda_target!r}; allowed: an aws_lambda.IFunction"
            )
        routing_rules = _check_routing_rules(
            routing_rules,
            fixed_response_count=len(fixed_responses),
            have_ip_targets=bool(ip_targets),
            have_lambda_target=lambda_target is not None,
            https=certificate_arn is not None,
        )
        additional_certificates = _check_additional_certificates(
            additional_certificates, certificate_arn, region
        )
        _check_more_scaling(cpu_step_scaling, predictive_scaling, cross_zone)
        if isinstance(instance_security_groups, str) or not all(
            hasattr(group, "security_group_id") for group in instance_security_groups
        ):
            raise ValueError(
                f"instance_security_groups is {instance_security_groups!r}; allowed: a list of "
                "ec2.ISecurityGroup"
            )
        _validate(
            min_capacity=min_capacity,
            desired_capacity=desired_capacity,
            max_capacity=max_capacity,
            cpu_target_percent=cpu_target_percent,
            requests_per_target=requests_per_target,
            peak_min_capacity=peak_min_capacity,
            deregistration_delay_seconds=deregistration_delay_seconds,
            health_check_path=health_check_path,
            stickiness_duration=stickiness_duration,
            certificate_arn=certificate_arn,
            http_port=http_port,
            https_port=https_port,
            app_port=app_port,
            ingress_cidr=ingress_cidr,
            fixed_responses=fixed_responses,
            instance_type=instance_type,
            peak=(peak_start, peak_end, peak_time_zone),
            region=region,
        )
        alb_subnets = alb_subnets or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)
        instance_subnets = instance_subnets or ec2.SubnetSelection(
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS
        )
        listener_ports = [http_port] + ([https_port] if certificate_arn else [])

        self.alb_security_group = self._alb_security_group(vpc, ingress_cidr, listener_ports)
        self.instance_security_group = ec2.SecurityGroup(
            self,
            "InstanceSecurityGroup",
            vpc=vpc,
            description=f"Web tier instances: port {app_port} only from the load balancer",
            allow_all_outbound=True,
        )
        self.instance_security_group.add_ingress_rule(
            self.alb_security_group, ec2.Port.tcp(app_port), "Web traffic from the ALB only"
        )
        if bastion_security_group is not None:
            self.instance_security_group.add_ingress_rule(
                bastion_security_group, ec2.Port.tcp(22), "SSH from the bastion host only"
            )
        # Only the instances' own group: a rule through ``connections`` never widens a group
        # the instances merely join (a network's application tier, shared with others).
        self.connections = ec2.Connections(
            security_groups=[self.instance_security_group], default_port=ec2.Port.tcp(app_port)
        )
        self._joined_security_groups = list(instance_security_groups)

        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            vpc_subnets=alb_subnets,
            internet_facing=True,
            security_group=self.alb_security_group,
            deletion_protection=deletion_protection,
            drop_invalid_header_fields=True,
        )
        self.access_log_bucket = self._access_logs(
            access_logs, access_log_expiration, removal_policy, auto_delete_objects
        )

        self.auto_scaling_group = self._auto_scaling_group(
            vpc=vpc,
            subnets=instance_subnets,
            instance_type=instance_type,
            capacity=(min_capacity, desired_capacity, max_capacity),
            grace_period=health_check_grace_period,
            instance_warmup=instance_warmup,
            cooldown=cooldown,
            user_data=user_data or web_server_user_data(app_port, health_check_path),
            notification_topic=notification_topic,
        )
        self.target_group = elbv2.ApplicationTargetGroup(
            self,
            "TargetGroup",
            vpc=vpc,
            port=app_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.INSTANCE,
            targets=[self.auto_scaling_group],
            deregistration_delay=Duration.seconds(deregistration_delay_seconds),
            stickiness_cookie_duration=stickiness_duration,
            cross_zone_enabled=None if cross_zone else False,
            health_check=_health_check(health_check_path),
        )
        self._listeners(certificate_arn, ssl_policy, http_port, https_port, fixed_responses)
        self.ip_target_group = self._ip_target_group(
            vpc,
            ip_targets,
            ip_target_port,
            deregistration_delay_seconds=deregistration_delay_seconds,
            health_check_path=health_check_path,
            cross_zone=cross_zone,
        )
        self.lambda_target_group = self._lambda_target_group(lambda_target)
        self._routes(routing_rules)
        if additional_certificates:
            # One AWS::ElasticLoadBalancingV2::ListenerCertificate each; the listener's own
            # Certificates keep the default one (certificate_arn).
            self.listener.add_certificates(
                "Sni",
                [
                    elbv2.ListenerCertificate.from_certificate_manager(c)
                    for c in additional_certificates
                ],
            )
        protocol = "https" if certificate_arn else "http"
        default_port = 443 if certificate_arn else 80
        listener_port = https_port if certificate_arn else http_port
        suffix = "" if listener_port == default_port else f":{listener_port}"
        self.url = f"{protocol}://{self.load_balancer.load_balancer_dns_name}{suffix}"

        self._scaling(
            cpu_target_percent=cpu_target_percent,
            requests_per_target=requests_per_target,
            instance_warmup=instance_warmup,
            peak=(peak_min_capacity, peak_start, peak_end, peak_time_zone),
            min_capacity=min_capacity,
        )
        if cpu_step_scaling is not None:
            self._cpu_step_scaling(cpu_step_scaling, instance_warmup)
        if predictive_scaling is not None:
            self._predictive_scaling(predictive_scaling, cpu_target_percent)
        _except_cdk_handlers(self)

    def _alb_security_group(
        self, vpc: ec2.IVpc, ingress_cidr: str, ports: list[int]
    ) -> ec2.SecurityGroup:
        group = ec2.SecurityGroup(
            self,
            "AlbSecurityGroup",
            vpc=vpc,
            description=f"Web tier ALB: ports {', '.join(map(str, ports))} from {ingress_cidr}",
            allow_all_outbound=False,
        )
        peer = _peer(ingress_cidr)
        for port in ports:
            group.add_ingress_rule(peer, ec2.Port.tcp(port), f"Listener port {port}")
        if _parse_cidr("ingress_cidr", ingress_cidr).prefixlen == 0:
            Validations.of(group).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-EC23",
                    reason="This is the internet-facing load balancer, the public entry point of "
                    "the web tier: only its listener ports are open to the world, and the "
                    "instances behind it accept traffic from this group alone.",
                )
            )
        return group

    def _access_logs(
        self,
        enabled: bool,
        expiration: Duration,
        removal_policy: RemovalPolicy,
        auto_delete_objects: bool,
    ) -> s3.Bucket | None:
        if not enabled:
            Validations.of(self.load_balancer).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-ELB2",
                    reason="Access logs are switched off for a throw-away sandbox load balancer; "
                    "the production profile (access_logs=True, the default) writes them to an "
                    "encrypted, TLS-only, versioned bucket.",
                )
            )
            return None
        # ALB access logs support SSE-S3 only, not SSE-KMS: the kernel's log bucket uses it.
        bucket = _log_bucket(
            self,
            "AccessLogBucket",
            writer="the ALB's access logs",
            expiration=expiration,
            removal_policy=removal_policy,
            auto_delete_objects=auto_delete_objects,
        )
        _alb_access_logs(self, self.load_balancer, bucket, "alb")
        return bucket

    def _auto_scaling_group(
        self,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        instance_type: str,
        capacity: tuple[int, int | None, int],
        grace_period: Duration,
        instance_warmup: Duration,
        cooldown: Duration,
        user_data: ec2.UserData,
        notification_topic: sns.ITopic | None,
    ) -> autoscaling.AutoScalingGroup:
        min_capacity, desired_capacity, max_capacity = capacity
        itype = ec2.InstanceType(instance_type)
        role = iam.Role(
            self,
            "InstanceRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="Web tier instances: SSM Session Manager, no other permission",
        )
        _allow_ssm_session(role)
        # An explicit launch template, so a copy of this file never falls back to a launch
        # configuration (new accounts cannot create those) in an app without the feature flag.
        launch_template = ec2.LaunchTemplate(
            self,
            "LaunchTemplate",
            instance_type=itype,
            machine_image=_al2023_image(itype),
            security_group=self.instance_security_group,
            role=role,
            user_data=user_data,
            require_imdsv2=True,
            block_devices=[_encrypted_root_volume()],
        )
        if self._joined_security_groups:
            # Membership only, written on the template itself: through add_security_group the
            # target group would also open app_port from the ALB on every joined group.
            launch_template.node.default_child.add_property_override(
                "LaunchTemplateData.SecurityGroupIds",
                [
                    group.security_group_id
                    for group in (self.instance_security_group, *self._joined_security_groups)
                ],
            )
        group = autoscaling.AutoScalingGroup(
            self,
            "Group",
            vpc=vpc,
            vpc_subnets=subnets,
            launch_template=launch_template,
            min_capacity=min_capacity,
            desired_capacity=desired_capacity,
            max_capacity=max_capacity,
            health_checks=autoscaling.HealthChecks.with_additional_checks(
                additional_types=[autoscaling.AdditionalHealthCheckType.ELB],
                grace_period=grace_period,
            ),
            default_instance_warmup=instance_warmup,
            cooldown=cooldown,
            notifications=(
                [autoscaling.NotificationConfiguration(topic=notification_topic)]
                if notification_topic is not None
                else None
            ),
        )
        if notification_topic is None:
            Validations.of(group).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-AS3",
                    reason="Every launch, termination and failure is in the group's activity "
                    "history and on EventBridge at no cost; pass notification_topic to also "
                    "publish them to an SNS topic that someone subscribes to.",
                )
            )
        return group

    def _listeners(
        self,
        certificate_arn: str | None,
        ssl_policy: elbv2.SslPolicy,
        http_port: int,
        https_port: int,
        fixed_responses: dict[str, str],
    ) -> None:
        alb = self.load_balancer
        forward = elbv2.ListenerAction.forward([self.target_group])
        self.redirect_listener: elbv2.ApplicationListener | None = None
        if certificate_arn:
            self.listener = alb.add_listener(
                "Https",
                port=https_port,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[elbv2.ListenerCertificate.from_arn(certificate_arn)],
                ssl_policy=ssl_policy,
                default_action=forward,
                open=False,
            )
            self.redirect_listener = alb.add_listener(
                "HttpRedirect",
                port=http_port,
                protocol=elbv2.ApplicationProtocol.HTTP,
                default_action=elbv2.ListenerAction.redirect(
                    protocol="HTTPS", port=str(https_port), permanent=True
                ),
                open=False,
            )
        else:
            self.listener = alb.add_listener(
                "Http",
                port=http_port,
                protocol=elbv2.ApplicationProtocol.HTTP,
                default_action=forward,
                open=False,
            )
        for priority, (path, text) in enumerate(fixed_responses.items(), start=1):
            self.listener.add_action(
                f"Fixed{priority}",
                priority=priority,
                conditions=[elbv2.ListenerCondition.path_patterns([path])],
                action=elbv2.ListenerAction.fixed_response(
                    200, content_type="text/plain", message_body=text
                ),
            )

    def _scaling(
        self,
        *,
        cpu_target_percent: float,
        requests_per_target: int | None,
        instance_warmup: Duration,
        peak: tuple[int | None, str, str, str],
        min_capacity: int,
    ) -> None:
        group = self.auto_scaling_group
        group.scale_on_cpu_utilization(
            "CpuTarget",
            target_utilization_percent=cpu_target_percent,
            estimated_instance_warmup=instance_warmup,
        )
        if requests_per_target is not None:
            policy = group.scale_on_request_count(
                "RequestsTarget",
                target_requests_per_minute=requests_per_target,
                estimated_instance_warmup=instance_warmup,
            )
            # aws-cdk-lib both refers to the listener (in the metric's resource label) and
            # depends on it: cfn-lint's "obsolete DependsOn", harmless and not ours to change.
            _lint_exception(policy.node.default_child, ("W3005",))
        peak_min_capacity, start, end, time_zone = peak
        if peak_min_capacity is not None:
            group.scale_on_schedule(
                "PeakStart",
                schedule=autoscaling.Schedule.expression(start),
                time_zone=time_zone,
                min_capacity=peak_min_capacity,
            )
            group.scale_on_schedule(
                "PeakEnd",
                schedule=autoscaling.Schedule.expression(end),
                time_zone=time_zone,
                min_capacity=min_capacity,
            )

    def _ip_target_group(
        self,
        vpc: ec2.IVpc,
        addresses: list[str],
        port: int,
        *,
        deregistration_delay_seconds: int,
        health_check_path: str,
        cross_zone: bool,
    ) -> elbv2.ApplicationTargetGroup | None:
        """A target group of type ip; the ALB's group may reach each address on ``port``."""
        if not addresses:
            return None
        vpc_ranges = _vpc_ranges(vpc) or []
        targets = []
        for address in addresses:
            inside = not _is_token(address) and any(
                ipaddress.IPv4Address(address) in block for block in vpc_ranges
            )
            # An address outside the VPC (on premises) is registered for every AZ.
            targets.append(
                elbv2_targets.IpTarget(address, port, availability_zone=None if inside else "all")
            )
            self.alb_security_group.add_egress_rule(
                _peer(f"{address}/32"), ec2.Port.tcp(port), f"IP target {address}"
            )
        return elbv2.ApplicationTargetGroup(
            self,
            "IpTargetGroup",
            vpc=vpc,
            port=port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            targets=targets,
            deregistration_delay=Duration.seconds(deregistration_delay_seconds),
            cross_zone_enabled=None if cross_zone else False,
            health_check=_health_check(health_check_path),
        )

    def _lambda_target_group(
        self, function: lambda_.IFunction | None
    ) -> elbv2.ApplicationTargetGroup | None:
        """A target group of type lambda whose function only this target group may invoke.

        aws-cdk-lib's ``LambdaTarget`` grants the ELB service on the function with no source:
        any account's target group could then invoke it. Here the permission names this
        target group, by its name (its ARN would make a cycle: the group registers the
        function only once the permission exists), and this account.
        """
        if function is None:
            return None
        stack = Stack.of(self)
        name = f"{Names.unique_resource_name(self, max_length=26)}Lambda"
        permission = lambda_.CfnPermission(
            self,
            "LambdaTargetInvoke",
            action="lambda:InvokeFunction",
            function_name=function.function_arn,
            principal=_ELB_SERVICE,
            source_account=stack.account,
            source_arn=stack.format_arn(
                service="elasticloadbalancing", resource="targetgroup", resource_name=f"{name}/*"
            ),
        )
        group = elbv2.ApplicationTargetGroup(
            self, "LambdaTargetGroup", target_type=elbv2.TargetType.LAMBDA, target_group_name=name
        )
        group.node.default_child.add_property_override("Targets", [{"Id": function.function_arn}])
        group.node.add_dependency(permission)
        return group

    def _routes(self, rules: list[RoutingRule]) -> None:
        """Each routing rule on the listener that serves traffic."""
        groups = {
            "instances": self.target_group,
            "ip_targets": self.ip_target_group,
            "lambda_target": self.lambda_target_group,
        }
        for index, rule in enumerate(rules):
            conditions = []
            if rule.path_patterns:
                conditions.append(elbv2.ListenerCondition.path_patterns(list(rule.path_patterns)))
            if rule.host_headers:
                conditions.append(elbv2.ListenerCondition.host_headers(list(rule.host_headers)))
            if rule.http_header is not None:
                header, values = rule.http_header
                conditions.append(elbv2.ListenerCondition.http_header(header, list(values)))
            if rule.query_strings:
                conditions.append(
                    elbv2.ListenerCondition.query_strings(
                        [
                            elbv2.QueryStringCondition(key=key, value=value)
                            for key, value in rule.query_strings.items()
                        ]
                    )
                )
            if rule.source_ips:
                conditions.append(elbv2.ListenerCondition.source_ips(list(rule.source_ips)))
            if rule.forward_to is not None:
                action = elbv2.ListenerAction.forward([groups[rule.forward_to]])
            elif rule.fixed_response is not None:
                response = rule.fixed_response
                action = elbv2.ListenerAction.fixed_response(
                    response.status_code,
                    content_type=response.content_type,
                    message_body=response.message_body or None,
                )
            else:
                redirect = rule.redirect
                action = elbv2.ListenerAction.redirect(
                    protocol=redirect.protocol,
                    host=redirect.host,
                    port=None if redirect.port is None else str(redirect.port),
                    path=redirect.path,
                    query=redirect.query,
                    permanent=redirect.permanent,
                )
            # Named after the priority, so reordering the list keeps every rule's logical id.
            rule_id = f"RouteAt{index}" if _is_token(rule.priority) else f"Route{rule.priority}"
            self.listener.add_action(
                rule_id,
                priority=rule.priority,
                conditions=conditions,
                action=action,
            )

    def _cpu_step_scaling(self, thresholds: tuple[float, float], warmup: Duration) -> None:
        """The notes' simple/step scaling: CloudWatch alarms on average CPU trigger the steps.

        Written as alarm + step action rather than ``scale_on_metric``, which passes the
        deprecated ``cooldown`` along (a warning on every synthesis) and alarms at or above.
        """
        low, high = thresholds
        group = self.auto_scaling_group
        cpu = cloudwatch.Metric(
            namespace="AWS/EC2",
            metric_name="CPUUtilization",
            dimensions_map={"AutoScalingGroupName": group.auto_scaling_group_name},
            statistic="Average",
            period=_FIVE_MINUTES,
        )
        steps = (
            ("High", high, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, ">", 2),
            ("Low", low, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, "<", -1),
        )
        for name, threshold, operator, symbol, change in steps:
            action = autoscaling.StepScalingAction(
                self,
                f"Cpu{name}Step",
                auto_scaling_group=group,
                adjustment_type=autoscaling.AdjustmentType.CHANGE_IN_CAPACITY,
                estimated_instance_warmup=warmup,
                metric_aggregation_type=autoscaling.MetricAggregationType.AVERAGE,
            )
            # The step covers every value past the threshold, on the alarm's side of it.
            if change > 0:
                action.add_adjustment(adjustment=change, lower_bound=0)
            else:
                action.add_adjustment(adjustment=change, upper_bound=0)
            alarm = cloudwatch.Alarm(
                self,
                f"Cpu{name}Alarm",
                metric=cpu,
                threshold=threshold,
                comparison_operator=operator,
                evaluation_periods=1,
                alarm_description=f"Average CPU of the web tier's group {symbol} {threshold:g} %: "
                f"{change:+d} instance(s)",
            )
            alarm.add_alarm_action(cloudwatch_actions.AutoScalingAction(action))

    def _predictive_scaling(self, mode: str, cpu_target_percent: float) -> None:
        """Predictive scaling on CPU (no L2 API in aws-cdk-lib: the CloudFormation resource)."""
        policy = autoscaling.CfnScalingPolicy
        policy(
            self,
            "PredictiveCpu",
            auto_scaling_group_name=self.auto_scaling_group.auto_scaling_group_name,
            policy_type="PredictiveScaling",
            predictive_scaling_configuration=policy.PredictiveScalingConfigurationProperty(
                mode=_PREDICTIVE_MODES[mode],
                max_capacity_breach_behavior="HonorMaxCapacity",
                metric_specifications=[
                    policy.PredictiveScalingMetricSpecificationProperty(
                        target_value=cpu_target_percent,
                        predefined_metric_pair_specification=(
                            policy.PredictiveScalingPredefinedMetricPairProperty(
                                predefined_metric_type="ASGCPUUtilization"
                            )
                        ),
                    )
                ],
            ),
        )
