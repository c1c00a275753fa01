"""Fixed fleet: a fixed number of EC2 instances you add and remove by hand.

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

The study notes' "WhatIsTheTime.com" before Auto Scaling [004:2338-2372], one construct for
versions 1 to 5:

- v1-v3: public instances, each with an Elastic IP that survives a stop and start
  (``elastic_ips=True``); a region allows 5 Elastic IPs by default [004:2352, 004:394], so
  ``count`` is at most 5 with them;
- v4: public instances with their own (changing) public IPv4 addresses, which a DNS record
  lists (``public=True``; the record is not this construct's);
- v5: private instances behind an internet-facing Application Load Balancer whose health checks
  send traffic to live instances only; the instances admit the ALB's security group alone
  (``public=False, load_balancer=True``).

The ALB serves HTTP on port 80, the notes' study path; with ``certificate_arn`` it serves HTTPS
on 443 and its port 80 only redirects there (301). For instances that scale themselves (v6-v7),
use the web tier's construct.

Every instance: Amazon Linux 2023 for the type's CPU architecture, IMDSv2 required, an encrypted
gp3 root volume, SSM Session Manager through its role instead of SSH (no key pair, no port 22),
and a security group that allows HTTPS out only (Session Manager, the package repositories)
rather than all outbound, so that rules added through ``connections`` are the only other ways
out. Instances go round-robin over the selected subnets' Availability Zones.
"""

from __future__ import annotations

import ipaddress
import itertools
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
from aws_cdk import aws_elasticloadbalancingv2_targets as elbv2_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

MAX_INSTANCES = 20
# The default Elastic IP quota of a region, the notes' lesson against one EIP per instance.
MAX_ELASTIC_IPS = 5
LISTENER_PORT = 80
HTTPS_PORT = 443
_MAX_DEREGISTRATION_DELAY = 3600
_URL_PATH = r"/[A-Za-z0-9._~/-]{0,1023}"  # an ALB health check path: at most 1024 characters
_ONE_YEAR = Duration.days(365)  # module-level default (never a call in an argument default)
_TIME_PAGE_DIR = "/opt/what-is-the-time"

# The default page: the standard library only, so it needs no package and no internet.
_TIME_PAGE = '''\
"""WhatIsTheTime.com: the time, and which instance and AZ told it."""
import datetime
import http.server
import sys
import urllib.request

PORT, HEALTH = int(sys.argv[1]), sys.argv[2]
IMDS = "http://169.254.169.254/latest"


def metadata(path):
    """IMDSv2: a session token first, then the value with it (IMDSv1 is disabled)."""
    ask = urllib.request.Request(
        IMDS + "/api/token", method="PUT", headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"}
    )
    with urllib.request.urlopen(ask, timeout=2) as answer:
        token = answer.read().decode()
    ask = urllib.request.Request(
        IMDS + "/meta-data/" + path, headers={"X-aws-ec2-metadata-token": token}
    )
    with urllib.request.urlopen(ask, timeout=2) as answer:
        return answer.read().decode()


INSTANCE, ZONE = metadata("instance-id"), metadata("placement/availability-zone")


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        kind = "text/plain"
        if path == HEALTH:
            status, body = 200, "ok\\n"
        elif path == "/":
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            status, kind = 200, "text/html; charset=utf-8"
            body = f"<h1>It is {now} UTC</h1><p>Served by {INSTANCE} in {ZONE}.</p>\\n"
        else:
            status, body = 404, "not found\\n"
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        if not self.path.startswith(HEALTH):
            super().log_message(*args)


http.server.ThreadingHTTPServer(("", PORT), Page).serve_forever()
'''

# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_flag, _check_text, _check_instance_type, _check_source_cidr, _peer,
# pieces: _check_certificate_arn, _whole_duration, _encrypted_root_volume, _log_bucket,
# pieces: _allow_ssm_session, _except_cdk_handlers, _alb_access_logs, _al2023_image,
# pieces: _check_type, _only_with, _selection_kwargs


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


def _check_type(name: str, value: object, kind: type | str, allowed: str) -> None:
    """An instance of ``kind``; a str ``kind`` names the attribute a jsii interface (which
    isinstance cannot check) guarantees, e.g. ``vpc_id`` for an ec2.IVpc. A string is never
    one (a token string included: it stands for a value, not a construct); an imported
    resource whose attributes are tokens passes."""
    if isinstance(value, str) or not (
        hasattr(value, kind) if isinstance(kind, str) else isinstance(value, kind)
    ):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


def _only_with(
    name: str, value: object, condition: bool, option: str, default: object = None
) -> None:
    """A prop given (other than its ``default``: None, or False for a flag) without the
    ``option`` it belongs to (``condition`` false) is a mistake, not a no-op."""
    if not condition and value is not default and value != default:
        raise ValueError(f"{name} is {value!r}; allowed only with {option}")


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


def time_page_user_data(app_port: int = 80, health_check_path: str = "/health") -> ec2.UserData:
    """The default user data: a stdlib Python page on ``app_port`` naming the time, the instance
    and its AZ, answering ``health_check_path`` with 200; a systemd service, restarted if it
    dies, running as a throw-away user allowed to bind the port and nothing more."""
    port = Token.as_string(app_port)
    user_data = ec2.UserData.for_linux()
    user_data.add_commands(
        "set -euo pipefail",
        f"mkdir -p {_TIME_PAGE_DIR}",
        f"cat > {_TIME_PAGE_DIR}/server.py <<'PAGE'\n{_TIME_PAGE}PAGE",
        "cat > /etc/systemd/system/what-is-the-time.service <<'UNIT'\n"
        "[Unit]\n"
        "Description=WhatIsTheTime.com page\n"
        "After=network-online.target\n"
        "Wants=network-online.target\n"
        "[Service]\n"
        f"ExecStart=/usr/bin/python3 {_TIME_PAGE_DIR}/server.py {port} {health_check_path}\n"
        "DynamicUser=yes\n"
        "AmbientCapabilities=CAP_NET_BIND_SERVICE\n"
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n"
        "NoNewPrivileges=yes\n"
        "ProtectSystem=strict\n"
        "ProtectHome=yes\n"
        "PrivateTmp=yes\n"
        "Restart=always\n"
        "RestartSec=2\n"
        "[Install]\n"
        "WantedBy=multi-user.target\n"
        "UNIT",
        "systemctl daemon-reload",
        "systemctl enable --now what-is-the-time.service",
    )
    return user_data


def _check_literal(name: str, value: object, why: str) -> None:
    """A value the construct must know at synthesis (it decides how many resources to make)."""
    if _is_token(value):
        raise ValueError(f"{name} is a deploy-time token; allowed: a literal value ({why})")


def _check_modes(public: bool, elastic_ips: bool, load_balancer: bool, count: int) -> None:
    for name, value in (
        ("public", public),
        ("elastic_ips", elastic_ips),
        ("load_balancer", load_balancer),
    ):
        _check_flag(name, value)
    _check_literal("count", count, "one instance each")
    _check_int("count", count, 1, MAX_INSTANCES)
    _only_with(
        "elastic_ips", elastic_ips, public, "public=True (an Elastic IP is public)", default=False
    )
    if load_balancer and public:
        raise ValueError(
            "load_balancer is True with public=True; allowed only with public=False (the ALB is "
            "the public entry point: the instances behind it have no public address)"
        )
    if elastic_ips and count > MAX_ELASTIC_IPS:
        raise ValueError(
            f"count is {count} with elastic_ips=True; allowed: at most {MAX_ELASTIC_IPS} (a "
            "region's default Elastic IP quota; use a load balancer or DNS beyond it)"
        )


def _check_traffic(
    app_port: int, health_check_path: str, ingress_cidr: str, deregistration_delay: int
) -> None:
    _check_int("app_port", app_port, 1, 65535)
    _check_text(
        "health_check_path",
        health_check_path,
        _URL_PATH,
        "a URL path starting with '/' (letters, digits, '.', '_', '~', '-', '/'), at most 1024 "
        "characters, e.g. '/health'",
    )
    _check_int(
        "deregistration_delay_seconds",
        deregistration_delay,
        0,
        _MAX_DEREGISTRATION_DELAY,
        " (0 turns draining off)",
    )
    if _is_token(ingress_cidr):
        return
    # The instances' public addresses and the ALB are IPv4 only.
    if _check_source_cidr("ingress_cidr", ingress_cidr, 0, 0, "0.0.0.0/0").version == 6:
        raise ValueError(
            f"ingress_cidr is {ingress_cidr!r}, an IPv6 range; allowed: an IPv4 block such as "
            "'0.0.0.0/0' (the instances' public addresses and the ALB are IPv4 only)"
        )


def _check_storage(
    removal_policy: RemovalPolicy, auto_delete_objects: bool, access_log_expiration: Duration
) -> None:
    _check_type("removal_policy", removal_policy, RemovalPolicy, "a RemovalPolicy")
    _check_flag("auto_delete_objects", auto_delete_objects)
    if auto_delete_objects and removal_policy != RemovalPolicy.DESTROY:
        raise ValueError(
            "auto_delete_objects is True but removal_policy is not DESTROY; "
            "allowed: True only with RemovalPolicy.DESTROY"
        )
    _whole_duration("access_log_expiration", access_log_expiration, "days", 1)


def _check_https(
    certificate_arn: str | None, ssl_policy: elbv2.SslPolicy, load_balancer: bool, region: str
) -> None:
    """The certificate of the ALB (so only with one), from ACM in the ALB's own region."""
    _only_with("certificate_arn", certificate_arn, load_balancer, "load_balancer=True")
    _check_type("ssl_policy", ssl_policy, elbv2.SslPolicy, "an elbv2.SslPolicy")
    if certificate_arn is None:
        if ssl_policy != elbv2.SslPolicy.RECOMMENDED_TLS:
            raise ValueError(
                f"ssl_policy is {ssl_policy}; allowed only with certificate_arn (it is the "
                "HTTPS listener's policy: without a certificate there is none)"
            )
        return
    _check_certificate_arn("certificate_arn", certificate_arn, region=region)


def _selected(name: str, vpc: ec2.IVpc, selection: ec2.SubnetSelection) -> list[ec2.ISubnet]:
    """The subnets ``selection`` picks in ``vpc``, at least one."""
    _check_type(name, selection, ec2.SubnetSelection, "an ec2.SubnetSelection")
    try:
        subnets = vpc.select_subnets(**_selection_kwargs(selection)).subnets
    except RuntimeError as error:  # aws-cdk-lib's own message says which group is missing
        raise ValueError(
            f"{name} selects no subnet of the VPC ({error}); allowed: a "
            "selection of the VPC's subnets"
        ) from None
    if not subnets:
        raise ValueError(f"{name} selects no subnet of the VPC; allowed: at least one subnet")
    return list(subnets)


def _round_robin(subnets: list[ec2.ISubnet]) -> list[ec2.ISubnet]:
    """The subnets ordered AZ after AZ (a, b, c, a, b, c...), so consecutive instances land in
    different Availability Zones even when an AZ has several selected subnets."""
    by_zone: dict[str, list[ec2.ISubnet]] = {}
    for subnet in subnets:
        by_zone.setdefault(subnet.availability_zone, []).append(subnet)
    rows = itertools.zip_longest(*by_zone.values())
    return [subnet for row in rows for subnet in row if subnet is not None]


def _known_zones(subnets: list[ec2.ISubnet]) -> set[str] | None:
    """The subnets' AZ names, or None when one is a deploy-time token (an agnostic stack)."""
    zones = {subnet.availability_zone for subnet in subnets}
    return None if any(_is_token(zone) for zone in zones) else zones


def _check_public_subnets(vpc: ec2.IVpc, subnets: list[ec2.ISubnet]) -> None:
    """With public addresses every subnet must be one of the VPC's public subnets (routed to
    its internet gateway), as aws-cdk-lib requires, refused here before anything exists."""
    public = {subnet.subnet_id for subnet in vpc.public_subnets}
    for subnet in subnets:
        if subnet.subnet_id not in public:
            raise ValueError(
                f"subnets selects {subnet.node.path}, not a public subnet of the VPC; allowed "
                "with public=True: the VPC's public subnets (e.g. SubnetType.PUBLIC)"
            )


def _check_alb_zones(alb_subnets: list[ec2.ISubnet], instance_subnets: list[ec2.ISubnet]) -> None:
    """An ALB needs two AZs, and a target in an AZ the ALB is not in is never used."""
    alb_zones, instance_zones = _known_zones(alb_subnets), _known_zones(instance_subnets)
    if alb_zones is not None and len(alb_zones) < 2:
        raise ValueError(
            f"alb_subnets spans {len(alb_zones)} Availability Zone ({', '.join(alb_zones)}); "
            "allowed: subnets in at least 2 (an Application Load Balancer needs two)"
        )
    if alb_zones is not None and instance_zones is not None and instance_zones - alb_zones:
        raise ValueError(
            f"subnets puts instances in {', '.join(sorted(instance_zones - alb_zones))}, where "
            "alb_subnets has no subnet; allowed: instance subnets in the ALB's Availability "
            "Zones (the ALB never routes to a target in an AZ it is not in)"
        )


def _acknowledge_open_to_world(group: ec2.SecurityGroup, cidr: str, reason: str) -> None:
    """EC23 (ingress from 0.0.0.0/0) answered, when the range is the whole internet."""
    if not _is_token(cidr) and ipaddress.ip_network(cidr).prefixlen == 0:
        Validations.of(group).acknowledge(Acknowledgment(id="AwsSolutions-EC23", reason=reason))


class FixedFleet(Construct):
    """A fixed number of EC2 instances, public (own IPv4 or Elastic IP each) or private behind
    an internet-facing ALB that serves HTTP, or HTTPS with a certificate.

    Attributes: ``instances`` (``ec2.Instance``, in order), ``elastic_ips`` (``ec2.CfnEIP``, one
    per instance, or empty), ``public_addresses`` (each instance's Elastic IP or public IPv4;
    empty when private), ``private_addresses``, ``security_group`` (the instances'), ``role``,
    ``connections`` (the instances' group, default port ``app_port``: e.g.
    ``database.connections.allow_default_port_from(fleet.connections)``), and, None without a
    load balancer, ``load_balancer``, ``target_group``, ``listener`` (the one that forwards:
    HTTPS with a certificate, else HTTP), ``alb_security_group``, ``access_log_bucket``;
    ``redirect_listener``: the HTTP listener redirecting to HTTPS, None without a certificate;
    ``url``: ``https://`` (with a certificate) or ``http://`` and the ALB's DNS name, else the
    first public address (with ``:app_port`` unless 80), else None.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection | None = None,
        count: int = 1,
        instance_type: str = "t4g.micro",
        public: bool = True,
        elastic_ips: bool = False,
        load_balancer: bool = False,
        alb_subnets: ec2.SubnetSelection | None = None,
        user_data: ec2.UserData | None = None,
        app_port: int = 80,
        health_check_path: str = "/health",
        ingress_cidr: str = "0.0.0.0/0",
        certificate_arn: str | None = None,
        ssl_policy: elbv2.SslPolicy = elbv2.SslPolicy.RECOMMENDED_TLS,
        deregistration_delay_seconds: int = 300,
        detailed_monitoring: bool = False,
        termination_protection: bool = False,
        access_logs: bool = True,
        access_log_expiration: Duration = _ONE_YEAR,
        deletion_protection: bool = True,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        auto_delete_objects: bool = False,
    ) -> None:
        """Check every prop, then create the instances and, as asked, their addresses or ALB.

        :param vpc: the VPC of the instances (and of the ALB).
        :param subnets: where the instances run, round-robin over the selection's Availability
            Zones. Default: the VPC's public subnets when ``public``, else its private subnets
            with egress (the route Session Manager needs).
        :param count: how many instances, 1 to 20; at most 5 with ``elastic_ips`` (a region's
            default Elastic IP quota). Default: 1.
        :param instance_type: the instances' type; the Amazon Linux 2023 image's CPU
            architecture follows it. Default: ``t4g.micro`` (Graviton, arm64).
        :param public: give each instance a public IPv4 address (AssociatePublicIpAddress) in
            a public subnet, and admit ``ingress_cidr`` on ``app_port``. Default: True.
        :param elastic_ips: an Elastic IP (``AWS::EC2::EIP`` and its association) per instance,
            a public address that survives a stop and start (it replaces the instance's own,
            which is released); needs ``public``. Default: False.
        :param load_balancer: an internet-facing ALB forwarding HTTP on port 80 (HTTPS on 443
            with ``certificate_arn``) to the instances (instance targets, health-checked), the
            only source they admit; needs ``public=False``. Default: False.
        :param alb_subnets: the ALB's subnets, in at least 2 AZs, covering the instances' AZs;
            only with ``load_balancer``. Default: the VPC's public subnets.
        :param user_data: what the instances run at first boot. Default: ``time_page_user_data``
            (a stdlib Python page naming the time, the instance and its AZ on ``app_port``,
            answering ``health_check_path`` with 200: no package, no internet needed).
        :param app_port: the port the instances serve on, 1 to 65535. Default: 80.
        :param health_check_path: the ALB's health check path, answered 200 by the default
            page. Default: ``/health``.
        :param ingress_cidr: who reaches the instances (without an ALB) or the ALB: one IPv4
            CIDR block with its prefix length (both are IPv4 only); with a certificate, on
            both the ALB's ports. Default: ``0.0.0.0/0``.
        :param certificate_arn: an ACM certificate ARN in the stack's region (or a token, e.g.
            a CfnParameter): HTTPS on port 443, forwarding to the instances, and port 80
            redirecting to it (301); only with ``load_balancer``. Default: None (HTTP only: the
            notes' study path, never for production).
        :param ssl_policy: the HTTPS listener's security policy; only with ``certificate_arn``.
            Default: ``RECOMMENDED_TLS`` (TLS 1.3 and 1.2 only).
        :param deregistration_delay_seconds: the ALB's connection draining, 0 (off) to 3600.
            Default: 300 (the ALB's own default).
        :param detailed_monitoring: 1-minute CloudWatch metrics (about $2.10 an instance a
            month) instead of free 5-minute ones. Default: False.
        :param termination_protection: protect the instances from termination
            (DisableApiTermination); it also blocks ``cdk destroy`` and any replacement of an
            instance until it is turned off again. Default: False.
        :param access_logs: the ALB's access logs into a new S3 bucket (SSE-S3, TLS only,
            versioned, no public access). Default: True.
        :param access_log_expiration: how long access logs are kept, whole days. Default: 365 days.
        :param deletion_protection: protect the ALB from deletion (it also blocks
            ``cdk destroy``). Default: True.
        :param removal_policy: what stack deletion does to the access-log bucket and the Elastic
            IPs (their addresses are what clients were told). Default: RETAIN.
        :param auto_delete_objects: empty the access-log bucket on deletion (only with
            ``RemovalPolicy.DESTROY``). Default: False.
        """
        super().__init__(scope, construct_id)
        _check_type("vpc", vpc, "vpc_id", "an ec2.IVpc")
        _check_modes(public, elastic_ips, load_balancer, count)
        _check_literal("instance_type", instance_type, "the image's CPU architecture follows it")
        _check_instance_type("instance_type", instance_type)
        _check_traffic(app_port, health_check_path, ingress_cidr, deregistration_delay_seconds)
        for name, value in (
            ("detailed_monitoring", detailed_monitoring),
            ("termination_protection", termination_protection),
            ("access_logs", access_logs),
            ("deletion_protection", deletion_protection),
        ):
            _check_flag(name, value)
        _check_storage(removal_policy, auto_delete_objects, access_log_expiration)
        if user_data is not None:
            _check_type("user_data", user_data, ec2.UserData, "an ec2.UserData")
        _only_with("alb_subnets", alb_subnets, load_balancer, "load_balancer=True")
        _check_https(certificate_arn, ssl_policy, load_balancer, Stack.of(self).region)
        default_type = ec2.SubnetType.PUBLIC if public else ec2.SubnetType.PRIVATE_WITH_EGRESS
        instance_subnets = _round_robin(
            _selected("subnets", vpc, subnets or ec2.SubnetSelection(subnet_type=default_type))
        )
        if public:
            _check_public_subnets(vpc, instance_subnets)
        alb_selection = alb_subnets or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)
        if load_balancer:
            _check_alb_zones(_selected("alb_subnets", vpc, alb_selection), instance_subnets)

        self.security_group = self._instance_security_group(
            vpc, app_port, None if load_balancer else ingress_cidr, public
        )
        self.connections = ec2.Connections(
            security_groups=[self.security_group], default_port=ec2.Port.tcp(app_port)
        )
        self.role = iam.Role(
            self,
            "InstanceRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="Fixed fleet instances: SSM Session Manager, no other permission",
        )
        _allow_ssm_session(self.role)
        profile = iam.InstanceProfile(self, "InstanceProfile", role=self.role)
        itype = ec2.InstanceType(instance_type)
        image = _al2023_image(itype)
        user_data = user_data or time_page_user_data(app_port, health_check_path)
        self.instances = [
            self._instance(
                index,
                instance_subnets[index % len(instance_subnets)],
                vpc=vpc,
                settings=(itype, image, profile, user_data),
                public=public,
                detailed_monitoring=detailed_monitoring,
                termination_protection=termination_protection,
            )
            for index in range(count)
        ]
        self.elastic_ips = self._elastic_ips(removal_policy) if elastic_ips else []
        self.public_addresses: list[str] = (
            [eip.attr_public_ip for eip in self.elastic_ips]
            if elastic_ips
            else [instance.instance_public_ip for instance in self.instances]
            if public
            else []
        )
        self.private_addresses = [instance.instance_private_ip for instance in self.instances]

        self.load_balancer: elbv2.ApplicationLoadBalancer | None = None
        self.target_group: elbv2.ApplicationTargetGroup | None = None
        self.listener: elbv2.ApplicationListener | None = None
        self.redirect_listener: elbv2.ApplicationListener | None = None
        self.alb_security_group: ec2.SecurityGroup | None = None
        self.access_log_bucket: s3.Bucket | None = None
        self.url: str | None = None
        if load_balancer:
            self._load_balancer(
                vpc,
                alb_selection,
                ingress_cidr,
                app_port=app_port,
                health_check_path=health_check_path,
                deregistration_delay_seconds=deregistration_delay_seconds,
                deletion_protection=deletion_protection,
                https=certificate_arn is not None,
            )
            self._listeners(certificate_arn, ssl_policy)
            self.access_log_bucket = self._access_logs(
                access_logs, access_log_expiration, removal_policy, auto_delete_objects
            )
            scheme = "http" if certificate_arn is None else "https"
            self.url = f"{scheme}://{self.load_balancer.load_balancer_dns_name}"
        elif public:
            port = "" if app_port == 80 else f":{Token.as_string(app_port)}"
            self.url = f"http://{self.public_addresses[0]}{port}"
        _except_cdk_handlers(self)

    def _instance_security_group(
        self, vpc: ec2.IVpc, app_port: int, ingress_cidr: str | None, public: bool
    ) -> ec2.SecurityGroup:
        """HTTPS out only; in, ``app_port`` from ``ingress_cidr`` (None: from the ALB, later)."""
        port = Token.as_string(app_port)
        source = "the load balancer only" if ingress_cidr is None else ingress_cidr
        group = ec2.SecurityGroup(
            self,
            "InstanceSecurityGroup",
            vpc=vpc,
            description=f"Fixed fleet instances: port {port} from {source}; HTTPS out",
            allow_all_outbound=False,
        )
        group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to SSM and the package repositories"
        )
        if ingress_cidr is None:
            return group
        group.add_ingress_rule(
            _peer(ingress_cidr), ec2.Port.tcp(app_port), f"Web traffic from {ingress_cidr}"
        )
        reason = (
            "The notes' WhatIsTheTime v1-v4: each instance is itself the public web server at "
            "its own address; only app_port is open, no SSH (Session Manager instead); "
            "ingress_cidr narrows who may reach it."
            if public
            else "The instances have no public address: 0.0.0.0/0 reaches app_port only from "
            "networks routed into the VPC (peering, VPN, a load balancer of your own)."
        )
        _acknowledge_open_to_world(group, ingress_cidr, reason)
        return group

    def _instance(
        self,
        index: int,
        subnet: ec2.ISubnet,
        *,
        vpc: ec2.IVpc,
        settings: tuple[ec2.InstanceType, ec2.IMachineImage, iam.IInstanceProfile, ec2.UserData],
        public: bool,
        detailed_monitoring: bool,
        termination_protection: bool,
    ) -> ec2.Instance:
        instance_type, image, profile, user_data = settings
        instance = ec2.Instance(
            self,
            f"Instance{index + 1}",
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=[subnet]),
            instance_type=instance_type,
            machine_image=image,
            security_group=self.security_group,
            instance_profile=profile,
            user_data=user_data,
            # IMDSv2 on the instance itself: no launch template per instance, as
            # require_imdsv2 would add.
            http_tokens=ec2.HttpTokens.REQUIRED,
            block_devices=[_encrypted_root_volume()],
            associate_public_ip_address=True if public else None,
            detailed_monitoring=detailed_monitoring,
            disable_api_termination=termination_protection,
        )
        if not detailed_monitoring:
            Validations.of(instance).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-EC28",
                    reason="A fixed fleet is not scaled on its metrics: free 5-minute metrics "
                    "show its health; detailed_monitoring=True buys 1-minute ones (about $2.10 "
                    "an instance a month).",
                )
            )
        if not termination_protection:
            Validations.of(instance).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-EC29",
                    reason="These instances are stateless and replaced, not restored: "
                    "protection would block `cdk destroy` and every replacement; "
                    "termination_protection=True turns it on where that is wanted.",
                )
            )
        return instance

    def _elastic_ips(self, removal_policy: RemovalPolicy) -> list[ec2.CfnEIP]:
        """An Elastic IP for each instance, associated with it and with no other."""
        addresses = []
        for number, instance in enumerate(self.instances, start=1):
            eip = ec2.CfnEIP(self, f"ElasticIp{number}", domain="vpc")
            eip.apply_removal_policy(removal_policy)
            ec2.CfnEIPAssociation(
                self,
                f"ElasticIpAssociation{number}",
                allocation_id=eip.attr_allocation_id,
                instance_id=instance.instance_id,
            )
            addresses.append(eip)
        return addresses

    def _load_balancer(
        self,
        vpc: ec2.IVpc,
        alb_subnets: ec2.SubnetSelection,
        ingress_cidr: str,
        *,
        app_port: int,
        health_check_path: str,
        deregistration_delay_seconds: int,
        deletion_protection: bool,
        https: bool,
    ) -> None:
        self.alb_security_group = group = self._alb_security_group(vpc, ingress_cidr, https)
        # The instances admit app_port from this group only; the group may send only there.
        self.connections.allow_default_port_from(group, "Web traffic from the ALB only")
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            vpc_subnets=alb_subnets,
            internet_facing=True,
            security_group=group,
            deletion_protection=deletion_protection,
            drop_invalid_header_fields=True,
        )
        self.target_group = elbv2.ApplicationTargetGroup(
            self,
            "TargetGroup",
            vpc=vpc,
            port=app_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.INSTANCE,
            targets=[elbv2_targets.InstanceTarget(instance) for instance in self.instances],
            deregistration_delay=Duration.seconds(deregistration_delay_seconds),
            # Two passes in, three failures out, every 15 s: a dead instance leaves in 45 s.
            health_check=elbv2.HealthCheck(
                path=health_check_path,
                healthy_http_codes="200",
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
        )

    def _alb_security_group(
        self, vpc: ec2.IVpc, ingress_cidr: str, https: bool
    ) -> ec2.SecurityGroup:
        """The listener ports from ``ingress_cidr``: 80, and 443 with a certificate (80 stays
        open so that ``http://`` links reach the redirect instead of timing out)."""
        ports = [LISTENER_PORT, HTTPS_PORT] if https else [LISTENER_PORT]
        listed = ("ports " if https else "port ") + ", ".join(map(str, ports))
        group = ec2.SecurityGroup(
            self,
            "AlbSecurityGroup",
            vpc=vpc,
            description=f"Fixed fleet ALB: {listed} from {ingress_cidr}",
            allow_all_outbound=False,
        )
        for port in ports:
            group.add_ingress_rule(_peer(ingress_cidr), ec2.Port.tcp(port), f"Listener port {port}")
        _acknowledge_open_to_world(
            group,
            ingress_cidr,
            "The internet-facing load balancer is the fleet's public entry point (the notes' "
            f"v5): only its listener {'ports are' if https else 'port is'} open to the world, "
            "and the instances admit traffic from this group alone.",
        )
        return group

    def _listeners(self, certificate_arn: str | None, ssl_policy: elbv2.SslPolicy) -> None:
        """Port 80 forwards to the instances; with a certificate, 443 does and 80 redirects.

        Port 80's listener keeps its construct id either way: adding a certificate later
        updates it in place, where a new listener would clash with it on the port.
        """
        forward = elbv2.ListenerAction.forward([self.target_group])
        http_action = forward
        if certificate_arn is not None:
            self.listener = self.load_balancer.add_listener(
                "Https",
                port=HTTPS_PORT,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[elbv2.ListenerCertificate.from_arn(certificate_arn)],
                ssl_policy=ssl_policy,
                default_action=forward,
                open=False,
            )
            http_action = elbv2.ListenerAction.redirect(
                protocol="HTTPS", port=str(HTTPS_PORT), permanent=True
            )
        http = self.load_balancer.add_listener(
            "Http",
            port=LISTENER_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            default_action=http_action,
            open=False,
        )
        if certificate_arn is None:
            self.listener = http
        else:
            self.redirect_listener = http

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
                    reason="Access logs are switched off (access_logs=False) for a throw-away "
                    "study load balancer; the default writes them to an encrypted, TLS-only, "
                    "versioned bucket.",
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


__all__ = [
    "HTTPS_PORT",
    "LISTENER_PORT",
    "MAX_ELASTIC_IPS",
    "MAX_INSTANCES",
    "FixedFleet",
    "time_page_user_data",
]
