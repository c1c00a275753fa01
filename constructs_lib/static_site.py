"""Static site: a private S3 bucket served only through CloudFront.

Copy this file (and the sample site in ``static_site_runtime/``, the content deployed by default)
into any CDK v2 Python project: it imports only the standard library, ``aws_cdk`` and
``constructs``.

The bucket has Block Public Access on, no website hosting and a TLS-only policy; the only principal
allowed to read it is the distribution: through an origin access identity (``origin_access="oai"``,
the study notes' design) or an origin access control (``"oac"``, what AWS recommends now).

Off by default, each behind its own props: a failover bucket (an origin group), cache TTLs by
path pattern, and paths that CloudFront serves only on a signed URL (a key group).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from aws_cdk import (
    Acknowledgment,
    Annotations,
    CfnOutput,
    CfnResource,
    Duration,
    Fn,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

OriginAccess = Literal["oai", "oac"]

SAMPLE_SITE = Path(__file__).resolve().parent / "static_site_runtime"

_ORIGIN_ACCESS = ("oai", "oac")
_DEPLOYMENT_LOG_GROUP_ID = "StaticSiteDeploymentLogs"
_PRICE_CLASSES = {
    "PriceClass_100": cloudfront.PriceClass.PRICE_CLASS_100,
    "PriceClass_200": cloudfront.PriceClass.PRICE_CLASS_200,
    "PriceClass_All": cloudfront.PriceClass.PRICE_CLASS_ALL,
}
# CloudFront reads viewer certificates only from ACM in us-east-1.
_CERTIFICATE_REGION = "us-east-1"
# A WAFv2 web ACL's ARN: its scope is "global" (CLOUDFRONT, always in us-east-1) or "regional";
# the name is 1 to 128 word characters or hyphens, the id a UUID.
_WEB_ACL_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:wafv2:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:(global|regional)/webacl/"
    r"[\w-]{1,128}/[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
)
_COUNTRY = re.compile(r"[A-Z]{2}")
# A lowercase DNS name of two or more labels (the length, 1 to 253, is checked apart).
DOMAIN_PATTERN = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
_DOMAIN = re.compile(rf"(?=.{{1,253}}$){DOMAIN_PATTERN}")
# The primary origin's answers that send a request on to the failover bucket: server errors.
# Not 403/404: a private bucket answers 403 for a missing key, so failing over on it would send
# every wrong URL to both buckets and hide a primary that lost its content. (CloudFront fails
# over on a connection failure or timeout whatever the codes.)
FAILOVER_STATUS_CODES = (500, 502, 503, 504)
# A CloudFront path pattern: up to 255 of these characters, `*` and `?` the wildcards.
_PATH_PATTERN = re.compile(r"[A-Za-z0-9_\-.*?$/~\"'@:+&]{1,255}")
# The construct's cap on behaviours besides the default one (CloudFront's quota is 75).
MAX_PATH_BEHAVIOURS = 25
MAX_PATH_TTL_DAYS = 365
# The public-key algorithms CloudFront verifies signed URLs with: RSA 2048 and ECDSA P-256.
_RSA_ENCRYPTION = bytes.fromhex("06092a864886f70d010101")
_EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")
_P256 = bytes.fromhex("06082a8648ce3d030107")
_PEM = re.compile(r"\s*-----BEGIN PUBLIC KEY-----\r?\n(.+?)-----END PUBLIC KEY-----\s*", re.DOTALL)

# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_choice, _check_strings, _check_certificate_arn, _hardened_bucket,
# pieces: _log_bucket,
# pieces: _managed_log_group, _wildcard_findings, _lint_exception, _except_cdk_handlers


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


def _check_strings(name: str, value: object, allowed: str = "strings") -> tuple[str, ...]:
    """A list or tuple of strings (a lone string is refused: it is not a list of its letters)."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{name} is {value!r}; allowed: a list of {allowed}")
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"{name} contains {item!r}; allowed: a list of {allowed}")
    return tuple(value)


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


def _check_geo(geo_allowlist: Sequence[str] | None, geo_denylist: Sequence[str] | None) -> None:
    if geo_allowlist is not None and geo_denylist is not None:
        raise ValueError(
            "geo_allowlist and geo_denylist are both set; allowed: one of them (CloudFront "
            "applies either an allow list or a deny list)"
        )
    for name, countries in (("geo_allowlist", geo_allowlist), ("geo_denylist", geo_denylist)):
        if countries is None:
            continue
        # A lone string ("DE") is refused, not read as the list of its letters.
        countries = _check_strings(name, countries, "ISO 3166-1 alpha-2 country codes")
        if not countries:
            raise ValueError(f"{name} is empty; allowed: one or more country codes, or None")
        for code in countries:
            if not isinstance(code, str) or not _COUNTRY.fullmatch(code):
                raise ValueError(
                    f"{name} contains {code!r}; allowed: ISO 3166-1 alpha-2 country codes, "
                    "two uppercase letters such as 'DE' or 'US'"
                )


def _check_domain(
    domain_name: str | None, certificate_arn: str | None, hosted_zone: route53.IHostedZone | None
) -> None:
    if domain_name is None and certificate_arn is not None:
        raise ValueError(
            "certificate_arn is set but domain_name is None; allowed: both or neither "
            "(the certificate is only used for a custom domain)"
        )
    if domain_name is not None and certificate_arn is None:
        raise ValueError(
            f"domain_name is {domain_name!r} but certificate_arn is None; allowed: both or "
            "neither (CloudFront serves a custom domain over HTTPS only with an ACM certificate)"
        )
    if hosted_zone is not None and domain_name is None:
        raise ValueError("hosted_zone is set but domain_name is None; allowed: both or neither")
    if domain_name is None or certificate_arn is None:
        return
    if not _is_token(domain_name) and (
        not isinstance(domain_name, str) or not _DOMAIN.fullmatch(domain_name)
    ):
        raise ValueError(
            f"domain_name is {domain_name!r}; allowed: a lowercase DNS name such as "
            "'www.example.com'"
        )
    # CloudFront reads viewer certificates only from ACM in us-east-1.
    _check_certificate_arn("certificate_arn", certificate_arn, region=_CERTIFICATE_REGION)
    if (
        hosted_zone is not None
        and not _is_token(domain_name)
        and not Token.is_unresolved(hosted_zone.zone_name)
    ):
        zone = hosted_zone.zone_name.rstrip(".")
        if domain_name != zone and not domain_name.endswith("." + zone):
            raise ValueError(
                f"domain_name is {domain_name!r}; allowed: a name in the hosted zone {zone!r}"
            )


def _validate(
    *,
    origin_access: str,
    price_class: str,
    geo_allowlist: Sequence[str] | None,
    geo_denylist: Sequence[str] | None,
    domain_name: str | None,
    certificate_arn: str | None,
    hosted_zone: route53.IHostedZone | None,
    web_acl_arn: str | None,
    content_path: Path,
    access_log_retention_days: int,
    single_page_app: bool,
    error_page: str,
    failover_bucket: s3.IBucket | None,
    stack: Stack,
    path_cache_ttls: Mapping[str, Duration] | None,
    signed_paths: Sequence[str],
    signing_public_key_pem: str | None,
) -> None:
    _check_choice("origin_access", origin_access, _ORIGIN_ACCESS)
    _check_choice("price_class", price_class, _PRICE_CLASSES)
    _check_geo(geo_allowlist, geo_denylist)
    _check_domain(domain_name, certificate_arn, hosted_zone)
    if web_acl_arn is not None:
        _check_web_acl_arn(web_acl_arn)
    _check_int("access_log_retention_days", access_log_retention_days, 1)
    if not (content_path / "index.html").is_file():
        raise ValueError(
            f"content_path is {str(content_path)!r}; allowed: a folder with an index.html"
        )
    if not single_page_app:
        _check_error_page(error_page, content_path)
    _check_failover_bucket(failover_bucket, origin_access, stack)
    ttls = _check_path_cache_ttls(path_cache_ttls)
    paths = _check_signing(signed_paths, signing_public_key_pem)
    _check_behaviours(paths, ttls)


def _check_web_acl_arn(arn: object) -> None:
    """A CLOUDFRONT-scope WAFv2 web ACL (global/webacl, in us-east-1); tokens pass."""
    if _is_token(arn):
        return
    allowed = (
        "the ARN of a WAFv2 web ACL with scope CLOUDFRONT "
        "(arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)"
    )
    match = _WEB_ACL_ARN.fullmatch(arn) if isinstance(arn, str) else None
    if match is None:
        raise ValueError(f"web_acl_arn is {arn!r}; allowed: {allowed}")
    region, scope = match.groups()
    if scope == "regional":
        raise ValueError(
            f"web_acl_arn is {arn!r}, a web ACL with scope REGIONAL (regional/webacl), which "
            f"CloudFront cannot use; allowed: {allowed}: create the web ACL with scope "
            "CLOUDFRONT, in us-east-1"
        )
    if region != _CERTIFICATE_REGION:
        raise ValueError(
            f"web_acl_arn is in {region}; allowed: {allowed} (CLOUDFRONT-scope web ACLs live "
            "in us-east-1)"
        )


def _check_error_page(error_page: object, content_path: Path) -> None:
    """A file inside ``content_path``, named by a relative path that stays inside it."""
    allowed = (
        f"a file in content_path ({str(content_path)!r}) named by a path relative to it, "
        "such as 'error.html' or 'errors/404.html', or single_page_app=True"
    )
    if not isinstance(error_page, str) or not error_page:
        raise ValueError(f"error_page is {error_page!r}; allowed: {allowed}")
    if error_page.startswith(("/", "\\")) or Path(error_page).is_absolute():
        raise ValueError(f"error_page is {error_page!r}, an absolute path; allowed: {allowed}")
    segments = re.split(r"[/\\]", error_page)
    if any(segment in ("", ".", "..") for segment in segments):
        raise ValueError(
            f"error_page is {error_page!r}, with an empty, '.' or '..' segment; allowed: {allowed}"
        )
    root = content_path.resolve()
    page = (root / error_page).resolve()
    if not page.is_relative_to(root):
        # A symbolic link inside the folder that points outside it.
        raise ValueError(f"error_page is {error_page!r}, outside content_path; allowed: {allowed}")
    if not page.is_file():
        raise ValueError(f"error_page is {error_page!r}, not a file; allowed: {allowed}")


def _check_failover_bucket(bucket: object, origin_access: str, stack: Stack) -> None:
    """A bucket of this stack (its policy is written here) or an imported one (not writable)."""
    if bucket is None:
        return
    if not isinstance(bucket, s3.BucketBase):
        raise ValueError(
            f"failover_bucket is {bucket!r}; allowed: an s3.IBucket (a Bucket of this stack, or "
            "one imported with s3.Bucket.from_bucket_attributes), or None"
        )
    if isinstance(bucket, s3.Bucket) and Stack.of(bucket) is not stack:
        # Its policy would live in the other stack and name this distribution: a cycle (or,
        # across regions, a reference CloudFormation cannot make).
        raise ValueError(
            f"failover_bucket is {bucket.node.path!r}, a Bucket of another stack; allowed: a "
            "Bucket of this stack, or the bucket imported into this stack with "
            "s3.Bucket.from_bucket_attributes (its owner then adds the policy statement the "
            "FailoverBucketPolicyStatement output gives)"
        )
    if origin_access == "oai" and bucket.encryption_key is not None:
        raise ValueError(
            "failover_bucket is encrypted with a KMS key, which an origin access identity "
            "cannot read; allowed: an SSE-S3 bucket, or origin_access='oac'"
        )


def _normalised_pattern(pattern: str) -> str:
    """CloudFront treats ``/images/*`` and ``images/*`` alike."""
    return pattern.removeprefix("/")


def _check_path_pattern(name: str, pattern: object) -> None:
    allowed = (
        "a CloudFront path pattern such as '/assets/*' or '*.css': 1 to 255 of A-Z a-z 0-9 "
        "_ - . * ? $ / ~ \" ' @ : + &, other than the default behaviour's '*'"
    )
    if _is_token(pattern):
        return
    if not isinstance(pattern, str) or not _PATH_PATTERN.fullmatch(pattern):
        raise ValueError(f"{name} contains {pattern!r}; allowed: {allowed}")
    if _normalised_pattern(pattern) == "*":
        raise ValueError(
            f"{name} contains {pattern!r}, the default behaviour's pattern; allowed: {allowed}"
        )


def _check_path_cache_ttls(path_cache_ttls: object) -> dict[str, Duration]:
    """Path pattern -> a Duration of 0 to 365 days in whole seconds."""
    if path_cache_ttls is None:
        return {}
    if not isinstance(path_cache_ttls, Mapping):
        raise ValueError(
            f"path_cache_ttls is {path_cache_ttls!r}; allowed: a mapping of path pattern to "
            "Duration, e.g. {'/assets/*': Duration.days(365)}, or None"
        )
    for pattern, ttl in path_cache_ttls.items():
        _check_path_pattern("path_cache_ttls", pattern)
        allowed = f"a Duration from 0 seconds to {MAX_PATH_TTL_DAYS} days, in whole seconds"
        if not isinstance(ttl, Duration):
            raise ValueError(f"path_cache_ttls[{pattern!r}] is {ttl!r}; allowed: {allowed}")
        try:
            seconds = ttl.to_seconds()
        except RuntimeError as error:  # a fraction of a second: jsii's CannotConvertedIntoWhole
            raise ValueError(
                f"path_cache_ttls[{pattern!r}] is {ttl.to_human_string()}; allowed: {allowed}"
            ) from error
        if _is_token(seconds):
            continue
        if not 0 <= seconds <= MAX_PATH_TTL_DAYS * 86400:
            raise ValueError(
                f"path_cache_ttls[{pattern!r}] is {ttl.to_human_string()}; allowed: {allowed}"
            )
    return dict(path_cache_ttls)


def _der(data: bytes, position: int) -> tuple[int, bytes, int]:
    """One DER element at ``position``: its tag, its contents and where the next one starts."""
    if position + 2 > len(data):
        raise ValueError("truncated")
    tag, length = data[position], data[position + 1]
    position += 2
    if length & 0x80:
        size = length & 0x7F
        if size == 0 or size > 4 or position + size > len(data):
            raise ValueError("bad length")
        length = int.from_bytes(data[position : position + size], "big")
        position += size
    if position + length > len(data):
        raise ValueError("truncated")
    return tag, data[position : position + length], position + length


def _public_key_kind(der: bytes) -> str:
    """``RSA <bits>``, ``ECDSA P-256`` or another name, of a SubjectPublicKeyInfo."""
    tag, info, end = _der(der, 0)
    if tag != 0x30 or end != len(der):
        raise ValueError("not a SubjectPublicKeyInfo")
    tag, algorithm, position = _der(info, 0)
    tag_key, key, _ = _der(info, position)
    if tag != 0x30 or tag_key != 0x03 or not key or key[0] != 0:
        raise ValueError("not a SubjectPublicKeyInfo")
    if algorithm.startswith(_RSA_ENCRYPTION):
        tag, numbers, _ = _der(key, 1)
        tag_modulus, modulus, _ = _der(numbers, 0)
        if tag != 0x30 or tag_modulus != 0x02:
            raise ValueError("not an RSA public key")
        return f"RSA {int.from_bytes(modulus, 'big').bit_length()}"
    if algorithm.startswith(_EC_PUBLIC_KEY):
        return "ECDSA P-256" if algorithm[len(_EC_PUBLIC_KEY) :] == _P256 else "ECDSA (not P-256)"
    return "an algorithm other than RSA or ECDSA"


def _check_signing(signed_paths: object, pem: object) -> tuple[str, ...]:
    """Both or neither; each path a pattern; the key a PEM public key CloudFront can use."""
    paths = _check_strings("signed_paths", signed_paths, "CloudFront path patterns")
    if paths and pem is None:
        raise ValueError(
            f"signed_paths is {list(paths)!r} but signing_public_key_pem is None; allowed: both "
            "or neither (CloudFront checks signed URLs against the public key's key group)"
        )
    if pem is not None and not paths:
        raise ValueError(
            "signing_public_key_pem is set but signed_paths is empty; allowed: both or neither "
            "(the key only matters where CloudFront requires a signed URL)"
        )
    for path in paths:
        _check_path_pattern("signed_paths", path)
    if pem is None or _is_token(pem):
        return paths
    allowed = (
        "a PEM public key, '-----BEGIN PUBLIC KEY-----' ... '-----END PUBLIC KEY-----' (as "
        "`openssl rsa -pubout` writes it), RSA 2048 or ECDSA P-256"
    )
    if not isinstance(pem, str):
        raise ValueError(f"signing_public_key_pem is {pem!r}; allowed: {allowed}")
    if "PRIVATE KEY" in pem:
        raise ValueError(
            "signing_public_key_pem is a private key; allowed: only its public half "
            "(`openssl rsa -pubout`): the private key signs URLs and must stay out of the "
            "template"
        )
    match = _PEM.fullmatch(pem)
    if match is None:
        raise ValueError(f"signing_public_key_pem has no PUBLIC KEY armour; allowed: {allowed}")
    try:
        der = base64.b64decode("".join(match.group(1).split()), validate=True)
        kind = _public_key_kind(der)
    except (binascii.Error, ValueError) as error:
        raise ValueError(
            f"signing_public_key_pem is not a readable public key ({error}); allowed: {allowed}"
        ) from error
    if kind not in ("RSA 2048", "ECDSA P-256"):
        raise ValueError(f"signing_public_key_pem is {kind}; allowed: {allowed}")
    return paths


def _check_behaviours(signed_paths: Sequence[str], path_cache_ttls: Mapping[str, Duration]) -> None:
    """No pattern twice (``/a/*`` and ``a/*`` are one), and at most MAX_PATH_BEHAVIOURS."""
    seen: dict[str, str] = {}
    for name, patterns in (("signed_paths", signed_paths), ("path_cache_ttls", path_cache_ttls)):
        for pattern in patterns:
            if _is_token(pattern):
                continue
            key = _normalised_pattern(pattern)
            if key in seen:
                raise ValueError(
                    f"{name} repeats the path pattern {pattern!r} (already in {seen[key]}; a "
                    "leading '/' makes no difference); allowed: each pattern once across "
                    "signed_paths and path_cache_ttls"
                )
            seen[key] = name
    count = len(signed_paths) + len(path_cache_ttls)
    if count > MAX_PATH_BEHAVIOURS:
        raise ValueError(
            f"signed_paths and path_cache_ttls make {count} behaviours; allowed: at most "
            f"{MAX_PATH_BEHAVIOURS} together"
        )


class StaticSite(Construct):
    """A private S3 bucket behind a CloudFront distribution, with the content deployed.

    Attributes: ``bucket``, ``distribution``, ``origin_access_identity`` (OAI mode, else None),
    ``log_bucket`` (with access logs, else None), ``deployment``, ``url``, ``failover_bucket``,
    ``failover_policy_statement`` (an imported failover bucket's, else None), ``public_key``
    and ``key_group`` (with signed paths, else None). Grants:
    ``grant_read``, ``grant_write`` (publish content), ``grant_invalidate``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        origin_access: OriginAccess = "oai",
        content_path: str | Path | None = None,
        price_class: str = "PriceClass_100",
        geo_allowlist: Sequence[str] | None = None,
        geo_denylist: Sequence[str] | None = None,
        domain_name: str | None = None,
        certificate_arn: str | None = None,
        hosted_zone: route53.IHostedZone | None = None,
        web_acl_arn: str | None = None,
        single_page_app: bool = False,
        error_page: str = "error.html",
        access_logs: bool = True,
        access_log_retention_days: int = 365,
        deployment_log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        auto_delete_objects: bool = False,
        failover_bucket: s3.IBucket | None = None,
        path_cache_ttls: Mapping[str, Duration] | None = None,
        signed_paths: Sequence[str] = (),
        signing_public_key_pem: str | None = None,
    ) -> None:
        """Create the bucket, the distribution and the deployment of the content.

        :param origin_access: how CloudFront reads the bucket: ``oai`` (origin access identity,
            the notes' design, legacy for AWS) or ``oac`` (origin access control, SigV4, what AWS
            recommends now). Default: ``oai``.
        :param content_path: folder deployed to the bucket, with an ``index.html``.
            Default: the sample site in ``static_site_runtime/`` next to this file.
        :param price_class: ``PriceClass_100``, ``PriceClass_200`` or ``PriceClass_All``: which
            edge locations serve the site. Default: ``PriceClass_100`` (cheapest).
        :param geo_allowlist: a list of ISO 3166-1 alpha-2 codes of the only countries served
            (``["DE"]``, not ``"DE"``). Default: None (no allow list).
        :param geo_denylist: a list of ISO 3166-1 alpha-2 codes of countries refused; exclusive
            with ``geo_allowlist``. Default: None (no deny list).
        :param domain_name: a custom domain, e.g. ``www.example.com``; needs ``certificate_arn``.
            With it the distribution serves that certificate with SNI and a minimum of
            TLSv1.2_2021; without it CloudFront's default ``*.cloudfront.net`` certificate
            allows TLSv1, whatever policy is asked for. A token (a CfnParameter) passes
            unchecked. Default: None (the distribution's ``*.cloudfront.net`` name only).
        :param certificate_arn: ACM certificate for ``domain_name``, in us-east-1 (a token
            passes unchecked). Default: None.
        :param hosted_zone: Route 53 zone in which to create A/AAAA alias records for
            ``domain_name``. Default: None (point your DNS at the distribution yourself).
        :param web_acl_arn: the ARN of a WAFv2 web ACL with scope CLOUDFRONT
            (``arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>``) to attach; a
            REGIONAL one (``regional/webacl``) is refused. Default: None.
        :param single_page_app: answer 403/404 with ``/index.html`` and status 200, so a
            client-side router handles every path. Default: False.
        :param error_page: the object shown, with status 404, for a missing path (S3 answers
            403 for it, since CloudFront may not list the bucket): a file in ``content_path``
            named by a path relative to it (no leading ``/``, no ``.`` or ``..`` segment, not
            resolving outside the folder); ignored for a single-page app.
            Default: ``error.html``.
        :param access_logs: S3 server access logs and CloudFront standard logs to a log bucket.
            Default: True (a sandbox may turn them off to idle at $0).
        :param access_log_retention_days: days the log bucket keeps logs, 1 or more.
            Default: 365.
        :param deployment_log_retention: how long the content deployment's handler logs are
            kept (one log group per stack: the first StaticSite's setting wins).
            Default: one month.
        :param removal_policy: of the buckets and the deployment's log group. Default: RETAIN.
        :param auto_delete_objects: empty the buckets on stack deletion (with DESTROY).
            Default: False.
        :param failover_bucket: a second bucket with the same content (e.g. a cross-region
            replica of ``bucket``, filled by S3 replication): the behaviours' origin becomes an
            origin group, this bucket first, ``failover_bucket`` on a 500/502/503/504 (or a
            connection failure), both read through the same OAI or OAC. A Bucket of this stack
            gets the read grant in its policy; an imported one (``from_bucket_attributes``)
            cannot, so the ``FailoverBucketPolicyStatement`` output gives the statement its
            owner must add. A Bucket of another stack is refused (the grant would make a
            cycle), as is a KMS-encrypted one with ``oai``. The construct does not copy content
            into it. Default: None (one origin).
        :param path_cache_ttls: path pattern -> default TTL (0 to 365 days), e.g.
            ``{"/assets/*": Duration.days(365)}``: one behaviour per pattern, with a cache policy
            of that TTL (one policy per distinct TTL), the same origin, HTTPS, GET/HEAD,
            compression and security headers as the default behaviour. Default: None (only the
            default behaviour, CachingOptimized).
        :param signed_paths: path patterns CloudFront serves only on a signed URL or signed
            cookie made with the private half of ``signing_public_key_pem``; listed before the
            TTL behaviours, so a TTL pattern never opens a signed path. Needs
            ``signing_public_key_pem``. Default: () (nothing signed).
        :param signing_public_key_pem: the PEM public key (``-----BEGIN PUBLIC KEY-----``,
            RSA 2048 or ECDSA P-256) of a key group trusted by the ``signed_paths`` behaviours;
            never the private key. A token passes unchecked. Default: None.
        """
        super().__init__(scope, construct_id)
        content = Path(content_path) if content_path is not None else SAMPLE_SITE
        _validate(
            origin_access=origin_access,
            price_class=price_class,
            geo_allowlist=geo_allowlist,
            geo_denylist=geo_denylist,
            domain_name=domain_name,
            certificate_arn=certificate_arn,
            hosted_zone=hosted_zone,
            web_acl_arn=web_acl_arn,
            content_path=content,
            access_log_retention_days=access_log_retention_days,
            single_page_app=single_page_app,
            error_page=error_page,
            failover_bucket=failover_bucket,
            stack=Stack.of(self),
            path_cache_ttls=path_cache_ttls,
            signed_paths=signed_paths,
            signing_public_key_pem=signing_public_key_pem,
        )
        self.origin_access = origin_access
        self.log_bucket: s3.Bucket | None = None
        if access_logs:
            self.log_bucket = self._add_log_bucket(
                Duration.days(access_log_retention_days), removal_policy, auto_delete_objects
            )
        # SSE-S3 (the kernel's): an OAI cannot read SSE-KMS objects, and the notes use an OAI.
        self.bucket = _hardened_bucket(
            self,
            "Bucket",
            lifecycle_id="ExpireReplacedContent",
            server_access_logs_bucket=self.log_bucket,
            server_access_logs_prefix="s3-access/" if self.log_bucket else None,
            removal_policy=removal_policy,
            auto_delete_objects=auto_delete_objects,
        )
        if self.log_bucket is None:
            Validations.of(self.bucket).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-S1",
                    reason="Server access logs are off by choice (access_logs=False, the "
                    "sandbox profile): the bucket is reachable only by CloudFront, and the "
                    "production profile turns logging on to a dedicated log bucket.",
                )
            )

        self.origin_access_identity: cloudfront.OriginAccessIdentity | None = None
        if origin_access == "oai":
            self.origin_access_identity = cloudfront.OriginAccessIdentity(
                self, "OriginAccessIdentity", comment=f"{construct_id}: reads the site bucket"
            )
        self.failover_bucket = failover_bucket
        origin = self._origin()

        self.distribution = self._add_distribution(
            origin=origin,
            price_class=price_class,
            geo_allowlist=geo_allowlist,
            geo_denylist=geo_denylist,
            domain_name=domain_name,
            certificate_arn=certificate_arn,
            web_acl_arn=web_acl_arn,
            single_page_app=single_page_app,
            error_page=error_page,
        )
        self.public_key: cloudfront.PublicKey | None = None
        self.key_group: cloudfront.KeyGroup | None = None
        self._add_path_behaviours(
            origin,
            signed_paths=tuple(signed_paths),
            signing_public_key_pem=signing_public_key_pem,
            path_cache_ttls=dict(path_cache_ttls or {}),
        )
        self.failover_policy_statement: iam.PolicyStatement | None = None
        if failover_bucket is not None and not isinstance(failover_bucket, s3.Bucket):
            self._output_failover_policy(failover_bucket)
        self.url = f"https://{domain_name or self.distribution.distribution_domain_name}"
        if hosted_zone is not None and domain_name is not None:
            target = route53.RecordTarget.from_alias(
                route53_targets.CloudFrontTarget(self.distribution)
            )
            route53.ARecord(
                self, "AliasA", zone=hosted_zone, record_name=domain_name, target=target
            )
            route53.AaaaRecord(
                self, "AliasAaaa", zone=hosted_zone, record_name=domain_name, target=target
            )

        self.deployment = s3_deployment.BucketDeployment(
            self,
            "Content",
            sources=[s3_deployment.Source.asset(str(content))],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            prune=True,
            log_group=self._deployment_log_group(deployment_log_retention, removal_policy),
        )
        self._acknowledge_deployment()
        _except_cdk_handlers(self)

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the site's objects (the bucket stays private)."""
        return self.bucket.grant_read(grantee)

    def grant_write(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` publish content: put and delete the site's objects."""
        return self.bucket.grant_read_write(grantee)

    def grant_invalidate(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` invalidate the distribution's cache after publishing."""
        return self.distribution.grant_create_invalidation(grantee)

    def _deployment_log_group(
        self, retention: logs.RetentionDays, removal_policy: RemovalPolicy
    ) -> logs.ILogGroup:
        """Our own log group for BucketDeployment's handler, so it follows removal_policy.

        CDK's default one is always retained. The handler is one per stack, so is this group:
        the first StaticSite in a stack sets its retention and removal policy.
        """
        stack = Stack.of(self)
        existing = stack.node.try_find_child(_DEPLOYMENT_LOG_GROUP_ID)
        if existing is not None:
            return existing
        return _managed_log_group(
            stack, _DEPLOYMENT_LOG_GROUP_ID, retention=retention, removal_policy=removal_policy
        )

    def _acknowledge_deployment(self) -> None:
        """Findings on BucketDeployment's handler, a stack-wide singleton aws-cdk-lib writes."""
        role = self.deployment.handler_role
        handler = role.node.scope
        # aws-cdk-lib gives the handler both a GetAtt on its role and a DependsOn on it:
        # cfn-lint W3005 "obsolete DependsOn". Harmless, not ours to change; scoped to it.
        _lint_exception(handler.node.default_child, ("W3005",))
        policy = role.node.try_find_child("DefaultPolicy")
        document = Stack.of(self).resolve(policy.document.to_json()) if policy else {}
        wildcard_reason = (
            "aws-cdk-lib's BucketDeployment grants its own handler these: read the staged asset "
            "zip in the CDK asset bucket, sync (put/delete, prune) objects in the site bucket, "
            "and create invalidations, which CDK grants on '*'. Identity policy, not public."
        )
        Validations.of(handler).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
                "service-role/AWSLambdaBasicExecutionRole]",
                reason="aws-cdk-lib's BucketDeployment handler writes its logs with AWS's "
                "AWSLambdaBasicExecutionRole (CloudWatch Logs only); CDK creates the role, "
                "not this construct.",
            ),
            Acknowledgment(
                id="AwsSolutions-L1",
                reason="aws-cdk-lib pins the BucketDeployment handler's Python runtime "
                "(python3.13 in 2.275); it runs only during deployments and is upgraded with "
                "aws-cdk-lib, not here.",
            ),
            *(
                Acknowledgment(id=finding, reason=wildcard_reason)
                for finding in _wildcard_findings(document)
            ),
        )

    def _origin(self) -> cloudfront.IOrigin:
        """The site bucket, or an origin group of it and the failover bucket."""
        if self.failover_bucket is None:
            return self._s3_origin(self.bucket, None)
        # One access control for both members (without a failover bucket CDK makes one inside
        # the origin, as before).
        shared = None
        if self.origin_access == "oac":
            shared = cloudfront.S3OriginAccessControl(
                self,
                "OriginAccessControl",
                description="Reads the site bucket and its failover bucket",
            )
        return origins.OriginGroup(
            primary_origin=self._s3_origin(self.bucket, shared),
            fallback_origin=self._s3_origin(self.failover_bucket, shared),
            fallback_status_codes=list(FAILOVER_STATUS_CODES),
        )

    def _s3_origin(
        self, bucket: s3.IBucket, access_control: cloudfront.IOriginAccessControl | None
    ) -> cloudfront.IOrigin:
        """``bucket`` read through the OAI or an OAC; CDK grants it in the bucket's policy."""
        if self.origin_access_identity is not None:
            return origins.S3BucketOrigin.with_origin_access_identity(
                bucket, origin_access_identity=self.origin_access_identity
            )
        return origins.S3BucketOrigin.with_origin_access_control(
            bucket,
            origin_access_control=access_control,
            origin_access_levels=[cloudfront.AccessLevel.READ],
        )

    def _output_failover_policy(self, bucket: s3.IBucket) -> None:
        """What the owner of an imported failover bucket must add: CDK cannot write its policy."""
        # CDK warns that it cannot update the imported bucket's policy: the output below says
        # what to add, so the warning is answered.
        mode = "Oai" if self.origin_access_identity is not None else "Oac"
        Annotations.of(self.distribution).acknowledge_warning(
            f"@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicy{mode}",
            "The FailoverBucketPolicyStatement output gives the imported bucket's owner the "
            "statement to add.",
        )
        if self.origin_access_identity is not None:
            principal: iam.IPrincipal = self.origin_access_identity.grant_principal
            conditions = None
        else:
            principal = iam.ServicePrincipal("cloudfront.amazonaws.com")
            conditions = {"StringEquals": {"AWS:SourceArn": self.distribution.distribution_arn}}
        self.failover_policy_statement = iam.PolicyStatement(
            sid="CloudFrontReadsTheFailoverBucket",
            actions=["s3:GetObject"],
            resources=[bucket.arn_for_objects("*")],
            principals=[principal],
            conditions=conditions,
        )
        CfnOutput(
            self,
            "FailoverBucketPolicyStatement",
            description="Add this statement to the failover bucket's policy (an imported bucket: "
            "CDK cannot change it); until then the failover origin answers 403.",
            value=Stack.of(self).to_json_string(self.failover_policy_statement.to_statement_json()),
        )

    def _add_path_behaviours(
        self,
        origin: cloudfront.IOrigin,
        *,
        signed_paths: tuple[str, ...],
        signing_public_key_pem: str | None,
        path_cache_ttls: dict[str, Duration],
    ) -> None:
        """Signed paths first (CloudFront takes the first pattern that matches), then TTLs."""
        common = {
            "allowed_methods": cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            "response_headers_policy": self._security_headers,
            "compress": True,
        }
        if signed_paths and signing_public_key_pem is not None:
            self.public_key = cloudfront.PublicKey(
                self,
                "SigningPublicKey",
                encoded_key=signing_public_key_pem,
                comment="Verifies the signed URLs of the site's signed paths",
            )
            self.key_group = cloudfront.KeyGroup(
                self,
                "SigningKeyGroup",
                items=[self.public_key],
                comment="Signers trusted for the site's signed paths",
            )
            for pattern in signed_paths:
                # HTTPS only: on plain HTTP the signature would cross the network before any
                # redirect.
                self.distribution.add_behavior(
                    pattern,
                    origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                    trusted_key_groups=[self.key_group],
                    **common,
                )
        policies: dict[float, cloudfront.ICachePolicy] = {}
        for pattern, ttl in path_cache_ttls.items():
            seconds = ttl.to_seconds()
            if seconds not in policies:
                # One policy per distinct TTL: an account may hold 20 custom cache policies.
                policies[seconds] = cloudfront.CachePolicy(
                    self,
                    f"PathCache{len(policies) + 1}",
                    comment="Static content cached "
                    + ("per its TTL" if _is_token(seconds) else ttl.to_human_string())
                    + " by default",
                    default_ttl=ttl,
                    min_ttl=Duration.seconds(0),
                    max_ttl=Duration.days(MAX_PATH_TTL_DAYS),
                    enable_accept_encoding_gzip=True,
                    enable_accept_encoding_brotli=True,
                )
            self.distribution.add_behavior(
                pattern,
                origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=policies[seconds],
                **common,
            )

    def _add_log_bucket(
        self, expiration: Duration, removal_policy: RemovalPolicy, auto_delete_objects: bool
    ) -> s3.Bucket:
        # CloudFront standard logs are delivered with an ACL grant (the awslogsdelivery
        # account): the log bucket needs ACLs enabled, the site bucket keeps them disabled.
        log_bucket = _log_bucket(
            self,
            "LogBucket",
            writer="S3 server access logs and CloudFront standard logs",
            expiration=expiration,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            removal_policy=removal_policy,
            auto_delete_objects=auto_delete_objects,
        )
        return log_bucket

    def _add_distribution(
        self,
        *,
        origin: cloudfront.IOrigin,
        price_class: str,
        geo_allowlist: Sequence[str] | None,
        geo_denylist: Sequence[str] | None,
        domain_name: str | None,
        certificate_arn: str | None,
        web_acl_arn: str | None,
        single_page_app: bool,
        error_page: str,
    ) -> cloudfront.Distribution:
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="HSTS, nosniff, frame DENY, strict referrer",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365),
                    include_subdomains=False,
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
            ),
        )
        self._security_headers = headers
        geo_restriction = None
        if geo_allowlist is not None:
            geo_restriction = cloudfront.GeoRestriction.allowlist(*geo_allowlist)
        elif geo_denylist is not None:
            geo_restriction = cloudfront.GeoRestriction.denylist(*geo_denylist)
        if single_page_app:
            error_responses = [
                cloudfront.ErrorResponse(
                    http_status=status,
                    response_http_status=200,
                    response_page_path="/index.html",
                    ttl=Duration.seconds(10),
                )
                for status in (403, 404)
            ]
        else:
            error_responses = [
                cloudfront.ErrorResponse(
                    http_status=status,
                    response_http_status=404,
                    response_page_path=f"/{error_page}",
                    ttl=Duration.seconds(10),
                )
                for status in (403, 404)
            ]
        certificate = None
        if certificate_arn is not None:
            certificate = acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn)
        distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"Static site ({self.origin_access.upper()})",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                compress=True,
            ),
            default_root_object="index.html",
            error_responses=error_responses,
            price_class=_PRICE_CLASSES[price_class],
            geo_restriction=geo_restriction,
            domain_names=[domain_name] if domain_name else None,
            certificate=certificate,
            # With the default *.cloudfront.net certificate the policy cannot be chosen.
            minimum_protocol_version=(
                cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None
            ),
            ssl_support_method=cloudfront.SSLMethod.SNI if certificate else None,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            web_acl_id=web_acl_arn,
            enable_logging=self.log_bucket is not None,
            log_bucket=self.log_bucket,
            log_file_prefix="cloudfront/" if self.log_bucket else None,
        )
        self._acknowledge_distribution(
            distribution,
            logs=self.log_bucket is not None,
            geo=geo_restriction is not None,
            waf=web_acl_arn is not None,
            custom_certificate=certificate is not None,
        )
        return distribution

    def _acknowledge_distribution(
        self,
        distribution: cloudfront.Distribution,
        *,
        logs: bool,
        geo: bool,
        waf: bool,
        custom_certificate: bool,
    ) -> None:
        acknowledgments = []
        if self.origin_access == "oai":
            acknowledgments.append(
                Acknowledgment(
                    id="AwsSolutions-CFR7",
                    reason="origin_access='oai' builds the study notes' design on purpose: the "
                    "bucket policy lets only this origin access identity read [001:860, "
                    "002:2639-2647]. OAI is legacy; origin_access='oac' builds the origin "
                    "access control AWS recommends (stack StaticSiteOac).",
                )
            )
        if not logs:
            acknowledgments.append(
                Acknowledgment(
                    id="AwsSolutions-CFR3",
                    reason="Standard logs are off by choice (access_logs=False, the sandbox "
                    "profile) so the stack costs nothing idle and tears down cleanly; the "
                    "production profile logs to a dedicated bucket.",
                )
            )
        if not geo:
            acknowledgments.append(
                Acknowledgment(
                    id="AwsSolutions-CFR1",
                    reason="A public static site serves every country; no audience limit is "
                    "known here. Pass geo_allowlist or geo_denylist when content must be "
                    "restricted by location.",
                )
            )
        if not waf:
            acknowledgments.append(
                Acknowledgment(
                    id="AwsSolutions-CFR2",
                    reason="The origin is read-only static content (GET/HEAD only, no "
                    "application to attack); a web ACL costs $5+/month idle. Pass web_acl_arn "
                    "to attach a CLOUDFRONT-scope WAFv2 web ACL.",
                )
            )
        if not custom_certificate:
            acknowledgments.append(
                Acknowledgment(
                    id="AwsSolutions-CFR4",
                    reason="Without a custom domain CloudFront uses its default *.cloudfront.net "
                    "certificate, whose security policy cannot be chosen; with domain_name and "
                    "certificate_arn the minimum is TLSv1.2_2021.",
                )
            )
        if acknowledgments:
            Validations.of(distribution).acknowledge(*acknowledgments)
