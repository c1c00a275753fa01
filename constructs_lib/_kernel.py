"""The private kernel: every secure default and shared check of the construct modules, once.

No construct module imports this file. ``make vendor`` (tools/vendor.py) copies the pieces a
module names on its ``# BEGIN VENDORED`` line, and the pieces those need, into that module
between its markers, so each module stays one file a user can copy alone. Edit a piece here,
never in a module, then run ``make vendor``; tests/test_vendored.py fails while a copy is stale.

A piece starts at a ``# piece: <name>`` line and runs to the next one. It may use the names
imported below; ``make vendor`` checks that each module imports what its pieces use.
"""

from __future__ import annotations

import ipaddress
import re

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
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# piece: _is_token


def _is_token(value: object) -> bool:
    """An unresolved value (a CfnParameter, an import): CloudFormation checks it, not us."""
    return not isinstance(value, bool) and Token.is_unresolved(value)


# piece: _check_int


def _check_int(name: str, value: object, low: int, high: int | None = None, unit: str = "") -> None:
    """A whole number from ``low`` to ``high`` (or more); tokens pass; bools and floats fail."""
    bounds = f"{low} to {high}{unit}" if high is not None else f"{low} or more{unit}"
    if _is_token(value):
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} is {value!r}; allowed: a whole number, {bounds}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} is {value}; allowed: {bounds}")


# piece: _check_number


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


# piece: _check_choice


def _check_choice(name: str, value: object, allowed: object) -> None:
    """One of ``allowed`` (any iterable of strings: a tuple, a dict's keys)."""
    choices = tuple(allowed)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} is {value!r}; allowed: {', '.join(choices)}")


# piece: _check_flag


def _check_flag(name: str, value: object) -> None:
    """True or False, nothing else (no 1, no "yes")."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} is {value!r}; allowed: True or False")


# piece: _check_text


def _check_text(name: str, value: object, pattern: str, allowed: str) -> None:
    """A string that matches ``pattern`` whole; tokens pass. ``allowed`` says what fits."""
    if _is_token(value):
        return
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


# piece: _whole_duration


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


# piece: _check_strings


def _check_strings(name: str, value: object, allowed: str = "strings") -> tuple[str, ...]:
    """A list or tuple of strings (a lone string is refused: it is not a list of its letters)."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{name} is {value!r}; allowed: a list of {allowed}")
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"{name} contains {item!r}; allowed: a list of {allowed}")
    return tuple(value)


# piece: _check_type


def _check_type(name: str, value: object, kind: type | str, allowed: str) -> None:
    """An instance of ``kind``; a str ``kind`` names the attribute a jsii interface (which
    isinstance cannot check) guarantees, e.g. ``vpc_id`` for an ec2.IVpc. A string is never
    one (a token string included: it stands for a value, not a construct); an imported
    resource whose attributes are tokens passes."""
    if isinstance(value, str) or not (
        hasattr(value, kind) if isinstance(kind, str) else isinstance(value, kind)
    ):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


# piece: _only_with


def _only_with(
    name: str, value: object, condition: bool, option: str, default: object = None
) -> None:
    """A prop given (other than its ``default``: None, or False for a flag) without the
    ``option`` it belongs to (``condition`` false) is a mistake, not a no-op."""
    if not condition and value is not default and value != default:
        raise ValueError(f"{name} is {value!r}; allowed only with {option}")


# piece: _known_regions

_REGIONS: dict[str, str] = {}


def _known_regions() -> dict[str, str]:
    """Region name -> partition, as this aws-cdk-lib knows them; read once (each is a jsii call)."""
    if not _REGIONS:
        _REGIONS.update(
            {info.name: info.partition or "" for info in region_info.RegionInfo.regions}
        )
    return _REGIONS


# piece: _check_region


def _check_region(name: str, region: object) -> None:
    """A region aws-cdk-lib knows (its table ships with each release); tokens pass."""
    if _is_token(region):
        return
    known = sorted(_known_regions())
    if not isinstance(region, str) or region not in known:
        raise ValueError(
            f"{name} is {region!r}; allowed: an AWS region such as 'us-east-1' "
            f"(one of the {len(known)} this aws-cdk-lib knows)"
        )


# piece: _check_instance_type


def _check_instance_type(name: str, value: object) -> None:
    """An EC2 instance type written as AWS writes it (``t4g.nano``, ``m7i-flex.2xlarge``)."""
    _check_text(
        name,
        value,
        r"[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]*xlarge"
        r"|metal(-[0-9]+xl)?)",
        "an EC2 instance type such as 't4g.micro' or 'm7i.2xlarge' (family.size)",
    )


# piece: _parse_cidr


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


# piece: _peer


def _peer(cidr: str) -> ec2.IPeer:
    """The security-group peer of a CIDR block that has been checked already."""
    return ec2.Peer.ipv6(cidr) if ":" in cidr else ec2.Peer.ipv4(cidr)


# piece: _check_source_cidr


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


# piece: _selection_kwargs

# The fields of an ec2.SubnetSelection, by the keywords IVpc.select_subnets takes in Python.
_SELECTION_FIELDS = (
    "availability_zones",
    "one_per_az",
    "subnet_filters",
    "subnet_group_name",
    "subnet_type",
    "subnets",
)


def _selection_kwargs(selection: ec2.SubnetSelection) -> dict[str, object]:
    """A SubnetSelection's set fields as keyword arguments for ``IVpc.select_subnets``."""
    fields = {name: getattr(selection, name) for name in _SELECTION_FIELDS}
    return {name: value for name, value in fields.items() if value is not None}


# piece: _ACM_CERTIFICATE_ARN

_ACM_CERTIFICATE_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:acm:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):certificate/"
    r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
)


# piece: _check_certificate_arn


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


# piece: _al2023_image


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


# piece: _encrypted_root_volume


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


# piece: _managed_log_group


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


# piece: _hardened_bucket


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


# piece: _hardened_queue


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


# piece: _log_delivery_by_policy


def _log_delivery_by_policy(construct: Construct) -> None:
    """S3 server access logs delivered under the log bucket's policy, not the legacy ACL grant:
    the feature flag `cdk init` sets, set on ``construct`` too so that a copied module works in
    any app. Call it before ``construct`` makes its buckets."""
    construct.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)


# piece: _log_bucket


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


# piece: _alb_access_logs

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


# piece: _SSM_SESSION_ACTIONS

# What SSM Session Manager's agent calls, as aws-cdk-lib's BastionHostLinux grants it: the same
# statement for every instance here, instead of the broader AmazonSSMManagedInstanceCore.
_SSM_SESSION_ACTIONS = ("ssmmessages:*", "ssm:UpdateInstanceInformation", "ec2messages:*")


# piece: _acknowledge_ssm_session


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


# piece: _allow_ssm_session


def _allow_ssm_session(role: iam.IRole) -> None:
    """Let instances with ``role`` be reached through Session Manager: no key, no open port."""
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=list(_SSM_SESSION_ACTIONS), resources=["*"])
    )
    _acknowledge_ssm_session(role)


# piece: _wildcard_findings


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


# piece: _except_cdk_handlers

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


# piece: _lint_exception


def _lint_exception(resource: CfnResource, checks: tuple[str, ...]) -> None:
    """A cfn-lint exception in ``resource``'s Metadata: visible, and on that resource only."""
    resource.add_metadata("cfn-lint", {"config": {"ignore_checks": list(checks)}})


# piece: _own_cdk_handler_logs

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
