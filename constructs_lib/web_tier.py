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

import ipaddress
import re
import zoneinfo
from collections.abc import Mapping, Sequence

from aws_cdk import (
    Acknowledgment,
    Aws,
    CfnCondition,
    CfnMapping,
    CfnResource,
    Duration,
    Fn,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
    region_info,
)
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
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
# Regions launched since August 2022 have no ELB account: their log delivery is a service.
_ELB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"

# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_number, _check_text, _check_instance_type, _parse_cidr,
# pieces: _check_source_cidr, _peer, _check_certificate_arn, _encrypted_root_volume,
# pieces: _log_bucket, _allow_ssm_session, _except_cdk_handlers


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
) -> s3.Bucket:
    """A private bucket: no public access, TLS only, SSE-S3, versioned, old versions expire.

    SSE-S3 rather than SSE-KMS: the services that write or read these buckets here (ALB and
    CloudFront logs, an origin access identity) accept nothing else.
    """
    bucket = s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=object_ownership,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        versioned=True,
        lifecycle_rules=[
            s3.LifecycleRule(
                id=lifecycle_id,
                expiration=expiration,
                noncurrent_version_expiration=Duration.days(30),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ],
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
    ``alb_security_group``, ``instance_security_group``, ``access_log_bucket`` (or None),
    ``url``, and ``connections``: the instances' own security group, with ``app_port`` as
    default port. Pass ``web.connections`` wherever aws-cdk-lib takes an ``IConnectable``, e.g.
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
        notification_topic: sns.ITopic | None = None,
        access_logs: bool = True,
        deletion_protection: bool = True,
        access_log_expiration: Duration = _ONE_YEAR,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        auto_delete_objects: bool = False,
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
        """
        super().__init__(scope, construct_id)
        if isinstance(fixed_responses, str) or not isinstance(fixed_responses, Mapping | None):
            raise ValueError(
                f"fixed_responses is {fixed_responses!r}; allowed: a mapping of path -> text"
            )
        fixed_responses = dict(fixed_responses or {})
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
            region=Stack.of(self).region,
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
            user_data=web_server_user_data(app_port, health_check_path),
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
            health_check=elbv2.HealthCheck(
                path=health_check_path,
                healthy_http_codes="200",
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
        )
        self._listeners(certificate_arn, ssl_policy, http_port, https_port, fixed_responses)
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
        if Token.is_unresolved(Stack.of(self).region):
            self._log_access_anywhere(bucket, "alb")
        else:
            self.load_balancer.log_access_logs(bucket, "alb")
        return bucket

    def _log_access_anywhere(self, bucket: s3.Bucket, prefix: str) -> None:
        """``log_access_logs`` for an environment-agnostic stack, whose region is a token.

        aws-cdk-lib needs the region to name the writer: the ELB account of a region launched
        before August 2022, the log-delivery service in newer ones. Here the template decides
        at deploy time, from a map of every region aws-cdk-lib knows (a region newer than the
        installed aws-cdk-lib fails the deployment on the map: pin an environment there).
        """
        stack = Stack.of(self)
        accounts = CfnMapping(
            self,
            "ElbLogDeliveryAccounts",
            mapping={
                region.name: {"account": region.elbv2_account or "none"}
                for region in region_info.RegionInfo.regions
            },
        )
        account = accounts.find_in_map(Aws.REGION, "account")
        has_account = CfnCondition(
            self,
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
        logs_path = f"{prefix}/AWSLogs/{stack.account}/*"
        for key, value in (
            ("access_logs.s3.enabled", "true"),
            ("access_logs.s3.bucket", bucket.bucket_name),
            ("access_logs.s3.prefix", prefix),
        ):
            self.load_balancer.set_attribute(key, value)
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                principals=[
                    iam.ArnPrincipal(elb_account_root),
                    iam.ServicePrincipal(delivery_service),
                ],
                resources=[bucket.arn_for_objects(logs_path)],
            )
        )
        delivery = iam.ServicePrincipal("delivery.logs.amazonaws.com")
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                principals=[delivery],
                resources=[bucket.arn_for_objects(logs_path)],
                conditions={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
            )
        )
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["s3:GetBucketAcl"], principals=[delivery], resources=[bucket.bucket_arn]
            )
        )
        # As log_access_logs does: the ALB checks the policy when it turns logging on.
        self.load_balancer.node.default_child.add_resource_dependency(
            bucket.policy.node.default_child
        )

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
        cpu = (
            ec2.AmazonLinuxCpuType.ARM_64
            if itype.architecture == ec2.InstanceArchitecture.ARM_64
            else ec2.AmazonLinuxCpuType.X86_64
        )
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
            machine_image=ec2.MachineImage.latest_amazon_linux2023(cpu_type=cpu),
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
            group.scale_on_request_count(
                "RequestsTarget",
                target_requests_per_minute=requests_per_target,
                estimated_instance_warmup=instance_warmup,
            )
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
