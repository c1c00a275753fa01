"""Serverless CRUD API: API Gateway (REST) -> Lambda (Python) -> DynamoDB.

Copy this file together with the ``serverless_api_runtime/`` folder beside it into any CDK v2
Python project: it imports only the standard library, ``aws_cdk`` and ``constructs``.

The notes' serverless CRUD application: "Using API Gateway, Lambda and DynamoDB, we can build a
serverless CRUD application". The REST API exposes ``/items`` (GET, POST) and ``/items/{id}``
(GET, PUT, DELETE) through a Lambda proxy integration; the handler in
``serverless_api_runtime/handler.py`` validates input and reads and writes one DynamoDB table.

Secure by default: IAM (SigV4) authorization on every method, request validation, stage
throttling, JSON access logs, execution logs and X-Ray tracing, and a Lambda role that may call
only the four DynamoDB actions the handler uses, on that one table.

The account needs API Gateway's account-level CloudWatch Logs role once per account and region
before a stage with execution or access logging deploys; this construct does not create it
(``cloud_watch_role=False``) so that nothing account-wide is left behind after ``cdk destroy``.

Options, all off by default: a private endpoint reachable only through given interface VPC
endpoints, a Lambda (TOKEN) authorizer you bring, API keys with a usage plan, a stage cache, a
custom domain name with its ACM certificate, secondary indexes, and a global table
(``AWS::DynamoDB::GlobalTable``) with replicas in other regions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aws_cdk import (
    Acknowledgment,
    CfnOutput,
    Duration,
    Fn,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
    region_info,
)
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

AuthMode = Literal["iam", "cognito", "lambda", "none"]
KeyType = Literal["string", "number"]
BillingMode = Literal["on_demand", "provisioned"]
EndpointType = Literal["regional", "edge", "private"]
Projection = Literal["all", "keys_only", "include"]
QuotaPeriod = Literal["DAY", "WEEK", "MONTH"]
CacheSize = Literal["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"]
StreamView = Literal["keys_only", "new_image", "old_image", "new_and_old_images"]
LogLevel = Literal["INFO", "ERROR"]
MfaMode = Literal["required", "optional"]

RUNTIME_DIR = Path(__file__).resolve().parent / "serverless_api_runtime"

# The DynamoDB API calls handler.py makes, and nothing else: the Lambda's whole data access.
HANDLER_ACTIONS = (
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Scan",
)

_AUTH_MODES = ("iam", "cognito", "lambda", "none")
_KEY_TYPES = {
    "string": dynamodb.AttributeType.STRING,
    "number": dynamodb.AttributeType.NUMBER,
}
_BILLING_MODES = ("on_demand", "provisioned")
_ENDPOINT_TYPES = {
    "regional": apigateway.EndpointType.REGIONAL,
    "edge": apigateway.EndpointType.EDGE,
    "private": apigateway.EndpointType.PRIVATE,
}
_STREAM_VIEWS = {
    "keys_only": dynamodb.StreamViewType.KEYS_ONLY,
    "new_image": dynamodb.StreamViewType.NEW_IMAGE,
    "old_image": dynamodb.StreamViewType.OLD_IMAGE,
    "new_and_old_images": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
}
_LOG_LEVELS = {
    "INFO": apigateway.MethodLoggingLevel.INFO,
    "ERROR": apigateway.MethodLoggingLevel.ERROR,
}
_MFA_MODES = {"required": cognito.Mfa.REQUIRED, "optional": cognito.Mfa.OPTIONAL}
_PROJECTIONS = {
    "all": dynamodb.ProjectionType.ALL,
    "keys_only": dynamodb.ProjectionType.KEYS_ONLY,
    "include": dynamodb.ProjectionType.INCLUDE,
}
_QUOTA_PERIODS = {
    "DAY": apigateway.Period.DAY,
    "WEEK": apigateway.Period.WEEK,
    "MONTH": apigateway.Period.MONTH,
}
# The stage cache sizes API Gateway offers, in GB (CacheClusterSize); billed by the hour.
_CACHE_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")
_CACHE_TTL_S = (0, 3600)  # API Gateway's cache TTL range (0 turns caching off); default 300
_AUTHORIZER_CACHE_TTL_S = (0, 3600)  # a Lambda authorizer's result cache: 0 (off) to 1 hour
_MAX_GSIS = 20  # DynamoDB's default quota of global secondary indexes per table
_MAX_LSIS = 5  # local secondary indexes per table, a hard limit
_MAX_PROJECTED = 100  # NonKeyAttributes summed over all of a table's indexes
_INDEX_NAME = r"[A-Za-z0-9_.-]{3,255}"  # DynamoDB's rule for an index name
# A DNS name of two or more labels (a leading "*." for a wildcard domain), at most 253 characters.
_DOMAIN_NAME = (
    r"(?=.{4,253}$)(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_DEFAULT_TTL_S = 300  # the default of both caches
_DEFAULT_TTL = Duration.seconds(_DEFAULT_TTL_S)
_EDGE_CERTIFICATE_REGION = "us-east-1"  # CloudFront reads edge-optimized certificates only there
_LAMBDA_MEMORY_MB = (128, 10240)
_LAMBDA_TIMEOUT_S = (1, 900)
_AUTOSCALING_TARGET_PERCENT = (20, 90)
_ATTRIBUTE_NAME = 255  # DynamoDB key attribute names: 1 to 255 characters
# API Gateway's rule for a stage name: letters, digits, hyphens and underscores, 1 to 128.
_STAGE_NAME = r"[A-Za-z0-9_-]{1,128}"
# A WAFv2 web ACL's ARN: its scope is "regional" (REGIONAL) or "global" (CLOUDFRONT); the name
# is 1 to 128 word characters or hyphens, the id a UUID.
_WEB_ACL_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:wafv2:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:(regional|global)/webacl/"
    r"[\w-]{1,128}/[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
)

_XRAY_REASON = (
    "X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions, so "
    "active tracing needs them on '*'; the role's data access is scoped to the table's ARN."
)
_WAF_REASON = (
    "A WAFv2 web ACL costs at least $5 a month plus $1 per rule even idle; this API is "
    "authenticated and throttled per stage. Pass web_acl_arn to associate one (production)."
)


# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_number, _check_choice, _check_text, _check_strings,
# pieces: _check_region, _check_certificate_arn, _managed_log_group


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


def _check_choice(name: str, value: object, allowed: object) -> None:
    """One of ``allowed`` (any iterable of strings: a tuple, a dict's keys)."""
    choices = tuple(allowed)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} is {value!r}; allowed: {', '.join(choices)}")


def _check_text(name: str, value: object, pattern: str, allowed: str) -> None:
    """A string that matches ``pattern`` whole; tokens pass. ``allowed`` says what fits."""
    if _is_token(value):
        return
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


def _check_strings(name: str, value: object, allowed: str = "strings") -> tuple[str, ...]:
    """A list or tuple of strings (a lone string is refused: it is not a list of its letters)."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{name} is {value!r}; allowed: a list of {allowed}")
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"{name} contains {item!r}; allowed: a list of {allowed}")
    return tuple(value)


_REGIONS: dict[str, str] = {}


def _known_regions() -> dict[str, str]:
    """Region name -> partition, as this aws-cdk-lib knows them; read once (each is a jsii call)."""
    if not _REGIONS:
        _REGIONS.update(
            {info.name: info.partition or "" for info in region_info.RegionInfo.regions}
        )
    return _REGIONS


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


# END VENDORED


@dataclass(frozen=True, kw_only=True)
class UsagePlanSettings:
    """What each API key may do: a per-key throttle and an optional quota.

    :param rate_limit: steady-state requests per second per key, 0 or more, at most the stage's
        ``throttling_rate_limit``. Default: 10.
    :param burst_limit: the key's burst bucket, at least ``rate_limit``, at most the stage's
        ``throttling_burst_limit``. Default: 20.
    :param quota_limit: requests per ``quota_period`` per key, 1 or more; None for no quota.
        Default: 10,000.
    :param quota_period: ``DAY``, ``WEEK`` or ``MONTH``. Default: ``MONTH``.
    """

    rate_limit: float = 10
    burst_limit: int = 20
    quota_limit: int | None = 10_000
    quota_period: QuotaPeriod = "MONTH"


@dataclass(frozen=True, kw_only=True)
class SecondaryIndex:
    """A DynamoDB secondary index: an alternative key to query the items by.

    :param name: the index name, 3 to 255 letters, digits, ``_``, ``-`` or ``.``.
    :param partition_key: a global index's partition key (required); a local index shares the
        table's and leaves this None (or names the table's partition key). Default: None.
    :param partition_key_type: ``string`` or ``number``. Default: ``string``.
    :param sort_key: the index's sort key: optional for a global index, required for a local
        one (and other than the table's sort key). Default: None.
    :param sort_key_type: ``string`` or ``number``. Default: ``string``.
    :param projection: the attributes copied into the index: ``all``, ``keys_only`` or
        ``include`` (the keys and ``non_key_attributes``). Default: ``all``.
    :param non_key_attributes: with ``include`` only: the attributes projected besides the
        keys. Default: none.
    """

    name: str
    partition_key: str | None = None
    partition_key_type: KeyType = "string"
    sort_key: str | None = None
    sort_key_type: KeyType = "string"
    projection: Projection = "all"
    non_key_attributes: Sequence[str] = ()


def _check_whole_seconds(name: str, value: object, low: int, high: int) -> None:
    """A Duration of whole seconds from ``low`` to ``high``; a token's duration passes."""
    if not isinstance(value, Duration):
        raise ValueError(f"{name} is {value!r}; allowed: a Duration of {low} to {high} s")
    seconds = value.to_seconds(integral=False)
    if _is_token(seconds):
        return
    if seconds != int(seconds) or not low <= seconds <= high:
        raise ValueError(
            f"{name} is {value.to_human_string()}; allowed: whole seconds, {low} to {high} s"
        )


def _is_default_ttl(value: object) -> bool:
    return (
        isinstance(value, Duration)
        and not _is_token(value.to_seconds(integral=False))
        and value.to_seconds(integral=False) == _DEFAULT_TTL_S
    )


def _check_private(endpoint_type: str, vpc_endpoints: object, domain_name: object) -> None:
    if isinstance(vpc_endpoints, (str, bytes)) or not isinstance(vpc_endpoints, Sequence):
        raise ValueError(
            f"vpc_endpoints is {vpc_endpoints!r}; allowed: a sequence of interface VPC endpoints"
        )
    if endpoint_type != "private":
        if vpc_endpoints:
            raise ValueError(
                f"vpc_endpoints is set but endpoint_type is {endpoint_type!r}; allowed: "
                "vpc_endpoints only with endpoint_type='private'"
            )
        return
    if not vpc_endpoints:
        raise ValueError(
            "vpc_endpoints is empty; allowed: endpoint_type='private' needs one or more "
            "interface VPC endpoints of the execute-api service (a private API is reachable "
            "only through them)"
        )
    ids = []
    for endpoint in vpc_endpoints:
        endpoint_id = getattr(endpoint, "vpc_endpoint_id", None)
        if not isinstance(endpoint_id, str):
            raise ValueError(
                f"vpc_endpoints holds {endpoint!r}; allowed: interface VPC endpoints "
                "(aws_ec2.IInterfaceVpcEndpoint)"
            )
        ids.append(endpoint_id)
    if len(set(ids)) != len(ids):
        raise ValueError(f"vpc_endpoints is {ids}; allowed: each endpoint once")
    if domain_name is not None:
        raise ValueError(
            "domain_name is set but endpoint_type is 'private'; allowed: a custom domain name "
            "with endpoint_type 'regional' or 'edge' (a private API's custom domain is a "
            "different resource, AWS::ApiGateway::DomainNameV2, not built here)"
        )


def _check_authorizer(auth_mode: str, authorizer_function: object, cache_ttl: object) -> None:
    _check_whole_seconds("authorizer_cache_ttl", cache_ttl, *_AUTHORIZER_CACHE_TTL_S)
    if auth_mode != "lambda":
        if authorizer_function is not None:
            raise ValueError(
                f"authorizer_function is set but auth_mode is {auth_mode!r}; allowed: "
                "authorizer_function only with auth_mode='lambda'"
            )
        if not _is_default_ttl(cache_ttl):
            raise ValueError(
                f"authorizer_cache_ttl is set but auth_mode is {auth_mode!r}; allowed: "
                "authorizer_cache_ttl only with auth_mode='lambda'"
            )
        return
    if authorizer_function is None or not isinstance(
        getattr(authorizer_function, "function_arn", None), str
    ):
        raise ValueError(
            f"authorizer_function is {authorizer_function!r}; allowed: with auth_mode='lambda', "
            "the Lambda function (aws_lambda.IFunction) that checks the Authorization header and "
            "returns an IAM policy (bring your own: authorization is the application's)"
        )


def _check_usage_plan(
    plan: object, throttling_rate_limit: float, throttling_burst_limit: int
) -> None:
    if plan is None:
        return
    if not isinstance(plan, UsagePlanSettings):
        raise ValueError(f"usage_plan is {plan!r}; allowed: a UsagePlanSettings or None")
    _check_number("usage_plan.rate_limit", plan.rate_limit, 0, unit=" requests/s")
    _check_int("usage_plan.burst_limit", plan.burst_limit, 0)
    if not _is_token(plan.rate_limit) and not _is_token(plan.burst_limit):
        if plan.burst_limit < plan.rate_limit:
            raise ValueError(
                f"usage_plan.burst_limit is {plan.burst_limit}; allowed: at least "
                f"usage_plan.rate_limit ({plan.rate_limit})"
            )
    stage = (
        ("rate_limit", plan.rate_limit, "throttling_rate_limit", throttling_rate_limit),
        ("burst_limit", plan.burst_limit, "throttling_burst_limit", throttling_burst_limit),
    )
    for field, value, stage_prop, stage_value in stage:
        if not _is_token(value) and not _is_token(stage_value) and value > stage_value:
            raise ValueError(
                f"usage_plan.{field} is {value}; allowed: at most {stage_prop} ({stage_value}), "
                "the stage's limit for all clients together, which a per-key limit above it "
                "never reaches"
            )
    if plan.quota_limit is not None:
        _check_int("usage_plan.quota_limit", plan.quota_limit, 1, unit=" requests, or None")
    _check_choice("usage_plan.quota_period", plan.quota_period, _QUOTA_PERIODS)


def _check_cache(cache_size_gb: object, cache_ttl: object) -> None:
    _check_whole_seconds("cache_ttl", cache_ttl, *_CACHE_TTL_S)
    if cache_size_gb is None:
        if not _is_default_ttl(cache_ttl):
            raise ValueError(
                "cache_ttl is set but cache_size_gb is None; allowed: cache_ttl only with a "
                "stage cache (cache_size_gb)"
            )
        return
    if _is_token(cache_size_gb):
        return
    if not isinstance(cache_size_gb, str) or cache_size_gb not in _CACHE_SIZES:
        raise ValueError(
            f"cache_size_gb is {cache_size_gb!r}; allowed: one of API Gateway's cache sizes "
            f"(GB, a string): {', '.join(_CACHE_SIZES)}"
        )


def _check_domain(
    domain_name: object, certificate: object, endpoint_type: str, region: str
) -> None:
    if domain_name is None and certificate is None:
        return
    if domain_name is None or certificate is None:
        missing = "certificate" if certificate is None else "domain_name"
        raise ValueError(
            f"{missing} is None; allowed: domain_name and certificate together, or neither"
        )
    _check_text(
        "domain_name",
        domain_name,
        _DOMAIN_NAME,
        "a DNS name of two or more labels, such as 'api.example.com' (or '*.example.com')",
    )
    arn = getattr(certificate, "certificate_arn", None)
    if not isinstance(arn, str):
        raise ValueError(
            f"certificate is {certificate!r}; allowed: an ACM certificate "
            "(aws_certificatemanager.ICertificate)"
        )
    _check_certificate_arn("certificate", arn)
    if _is_token(arn):
        return
    certificate_region = arn.split(":")[3]  # arn:<partition>:<service>:<region>:...
    if endpoint_type == "edge" and certificate_region != _EDGE_CERTIFICATE_REGION:
        raise ValueError(
            f"certificate is in {certificate_region}; allowed: a certificate in us-east-1 for "
            "endpoint_type='edge' (the edge-optimized domain is served by CloudFront, which "
            "reads certificates only from us-east-1)"
        )
    if endpoint_type == "regional" and not _is_token(region) and certificate_region != region:
        raise ValueError(
            f"certificate is in {certificate_region}; allowed: a certificate in {region}, the "
            "stack's region, for endpoint_type='regional' (a regional domain name uses a "
            "certificate of its own region)"
        )


def _check_indexes(
    *,
    partition_key: str,
    partition_key_type: str,
    sort_key: str | None,
    sort_key_type: str,
    global_secondary_indexes: object,
    local_secondary_indexes: object,
) -> None:
    kinds = (
        ("global_secondary_indexes", global_secondary_indexes, _MAX_GSIS),
        ("local_secondary_indexes", local_secondary_indexes, _MAX_LSIS),
    )
    types = {partition_key: partition_key_type}
    if sort_key:
        types[sort_key] = sort_key_type
    names: set[str] = set()
    projected = 0
    for prop, indexes, most in kinds:
        if isinstance(indexes, (str, bytes)) or not isinstance(indexes, Sequence):
            raise ValueError(f"{prop} is {indexes!r}; allowed: a sequence of SecondaryIndex")
        if len(indexes) > most:
            raise ValueError(f"{prop} has {len(indexes)} indexes; allowed: at most {most}")
        for index in indexes:
            if not isinstance(index, SecondaryIndex):
                raise ValueError(f"{prop} holds {index!r}; allowed: SecondaryIndex values")
            where = f"{prop}[{index.name!r}]"
            _check_text(
                f"{prop} name",
                index.name,
                _INDEX_NAME,
                "3 to 255 letters, digits, '_', '-' or '.' (DynamoDB's rule)",
            )
            if index.name in names:
                raise ValueError(f"{where}: the name is used twice; allowed: unique index names")
            names.add(index.name)
            if prop == "local_secondary_indexes":
                _check_local_keys(where, index, partition_key, sort_key)
            elif index.partition_key is None:
                raise ValueError(
                    f"{where}.partition_key is None; allowed: the global index's partition key"
                )
            keys = [(index.partition_key, index.partition_key_type, "partition_key")]
            keys.append((index.sort_key, index.sort_key_type, "sort_key"))
            for attribute, key_type, field in keys:
                _check_key(f"{where}.{field}", attribute, key_type)
                if attribute is None:
                    continue
                if types.setdefault(attribute, key_type) != key_type:
                    raise ValueError(
                        f"{where}.{field}_type is {key_type!r}; allowed: {types[attribute]!r}, "
                        f"the type '{attribute}' has as a key elsewhere (one type per attribute)"
                    )
            if index.sort_key is not None and index.sort_key == index.partition_key:
                raise ValueError(
                    f"{where}.sort_key is {index.sort_key!r}; allowed: a name other than "
                    "its partition key"
                )
            own_keys = {partition_key, sort_key, index.partition_key, index.sort_key} - {None}
            projected += _check_projection(where, index, own_keys)
    if projected > _MAX_PROJECTED:
        raise ValueError(
            f"non_key_attributes name {projected} attributes over all indexes; allowed: at "
            f"most {_MAX_PROJECTED} (DynamoDB's limit per table)"
        )


def _check_local_keys(where: str, index: SecondaryIndex, partition_key: str, sort_key) -> None:
    if not sort_key:
        raise ValueError(
            f"{where}: the table has no sort_key; allowed: local secondary indexes only on a "
            "table with a sort key (a local index replaces the sort key, keeping the partition "
            "key)"
        )
    if index.partition_key not in (None, partition_key):
        raise ValueError(
            f"{where}.partition_key is {index.partition_key!r}; allowed: None or "
            f"{partition_key!r}: a local index shares the table's partition key"
        )
    if index.sort_key is None or index.sort_key in (sort_key, partition_key):
        raise ValueError(
            f"{where}.sort_key is {index.sort_key!r}; allowed: an alternative sort key, "
            f"neither {sort_key!r} (the table's) nor the partition key"
        )


def _check_projection(where: str, index: SecondaryIndex, key_names: set[str]) -> int:
    """Check the projection; the number of non-key attributes it names."""
    _check_choice(f"{where}.projection", index.projection, _PROJECTIONS)
    attributes = index.non_key_attributes
    if isinstance(attributes, (str, bytes)) or not isinstance(attributes, Sequence):
        raise ValueError(
            f"{where}.non_key_attributes is {attributes!r}; allowed: a sequence of names"
        )
    if index.projection != "include":
        if attributes:
            raise ValueError(
                f"{where}.non_key_attributes is set; allowed: only with projection='include'"
            )
        return 0
    if not attributes:
        raise ValueError(
            f"{where}.non_key_attributes is empty; allowed: with projection='include', the "
            "attributes to project besides the keys"
        )
    for attribute in attributes:
        if not isinstance(attribute, str) or not 1 <= len(attribute) <= _ATTRIBUTE_NAME:
            raise ValueError(
                f"{where}.non_key_attributes holds {attribute!r}; allowed: names of 1 to 255 "
                "characters"
            )
        if attribute in key_names:
            raise ValueError(
                f"{where}.non_key_attributes holds {attribute!r}, a key; allowed: non-key "
                "attributes only (keys are always projected)"
            )
    if len(set(attributes)) != len(attributes):
        raise ValueError(f"{where}.non_key_attributes names an attribute twice")
    return len(attributes)


def _check_replicas(
    replica_regions: object, region: str, billing_mode: str, stream_view: str | None
) -> None:
    replica_regions = _check_strings(
        "replica_regions", replica_regions, "region names, such as ['us-west-2']"
    )
    if not replica_regions:
        return
    if _is_token(region):
        raise ValueError(
            "replica_regions is set but the stack's region is a deploy-time token; allowed: "
            "replicas in a stack with an explicit region (env=Environment(region=...))"
        )
    for replica in replica_regions:
        if _is_token(replica):
            raise ValueError(
                f"replica_regions holds {replica!r}, a deploy-time token; allowed: literal "
                "region names (aws-cdk-lib compares them at synthesis)"
            )
        _check_region("replica_regions", replica)
        if replica == region:
            raise ValueError(
                f"replica_regions holds {replica!r}, the stack's own region; allowed: other "
                "regions (the table in the stack's region is the first replica already)"
            )
    if len(set(replica_regions)) != len(replica_regions):
        raise ValueError(f"replica_regions is {list(replica_regions)}; allowed: each region once")
    if billing_mode != "on_demand":
        raise ValueError(
            f"billing_mode is {billing_mode!r} with replica_regions; allowed: 'on_demand' (a "
            "global table here bills per request in every region; provisioned replicas would "
            "each need their own capacity and auto scaling)"
        )
    if stream_view not in (None, "new_and_old_images"):
        raise ValueError(
            f"stream_view is {stream_view!r} with replica_regions; allowed: None or "
            "'new_and_old_images' (global tables replicate through a stream of both images)"
        )


def _check_key(name: str, attribute: str | None, key_type: str) -> None:
    if attribute is not None and (
        not isinstance(attribute, str) or not 1 <= len(attribute) <= _ATTRIBUTE_NAME
    ):
        raise ValueError(f"{name} is {attribute!r}; allowed: a name of 1 to 255 characters")
    if not isinstance(key_type, str) or key_type not in _KEY_TYPES:
        raise ValueError(
            f"{name}_type is {key_type!r}; allowed: {', '.join(_KEY_TYPES)} "
            "(binary keys cannot be addressed from a URL path)"
        )


def _check_table(
    *,
    partition_key: str,
    partition_key_type: str,
    sort_key: str | None,
    sort_key_type: str,
    billing_mode: str,
    min_capacity: int,
    max_capacity: int,
    target_utilization_percent: int,
    ttl_attribute: str | None,
    stream_view: str | None,
) -> None:
    _check_key("partition_key", partition_key, partition_key_type)
    _check_key("sort_key", sort_key, sort_key_type)
    if sort_key == partition_key:
        raise ValueError(f"sort_key is {sort_key!r}; allowed: a name other than partition_key")
    _check_choice("billing_mode", billing_mode, _BILLING_MODES)
    if billing_mode == "provisioned":
        _check_int("min_capacity", min_capacity, 1)
        _check_int("max_capacity", max_capacity, 1)
        if (
            not Token.is_unresolved(min_capacity)
            and not Token.is_unresolved(max_capacity)
            and (max_capacity < min_capacity)
        ):
            raise ValueError(
                f"max_capacity is {max_capacity}; allowed: at least min_capacity ({min_capacity})"
            )
        low, high = _AUTOSCALING_TARGET_PERCENT
        _check_int("target_utilization_percent", target_utilization_percent, low, high, " %")
    if ttl_attribute is not None and ttl_attribute in (partition_key, sort_key):
        raise ValueError(
            f"ttl_attribute is {ttl_attribute!r}; allowed: an attribute that is not a key "
            "(an expiry timestamp, e.g. 'expires_at')"
        )
    if ttl_attribute is not None and (
        not isinstance(ttl_attribute, str) or not 1 <= len(ttl_attribute) <= _ATTRIBUTE_NAME
    ):
        raise ValueError(f"ttl_attribute is {ttl_attribute!r}; allowed: 1 to 255 characters")
    if stream_view is not None and (
        not isinstance(stream_view, str) or stream_view not in _STREAM_VIEWS
    ):
        raise ValueError(
            f"stream_view is {stream_view!r}; allowed: {', '.join(_STREAM_VIEWS)} or None"
        )


def _check_api(
    *,
    auth_mode: str,
    allow_unauthenticated: bool,
    mfa: str,
    endpoint_type: str,
    throttling_rate_limit: float,
    throttling_burst_limit: int,
    execution_log_level: str,
    stage_name: str,
    web_acl_arn: str | None,
    region: str,
) -> None:
    _check_choice("auth_mode", auth_mode, _AUTH_MODES)
    if auth_mode == "none" and not allow_unauthenticated:
        raise ValueError(
            "auth_mode is 'none'; allowed only with allow_unauthenticated=True "
            "(anyone on the internet could then read and write the table)"
        )
    if auth_mode != "none" and allow_unauthenticated:
        raise ValueError(
            f"allow_unauthenticated is True but auth_mode is {auth_mode!r}; "
            "allowed: True only with auth_mode='none'"
        )
    _check_choice("mfa", mfa, _MFA_MODES)
    _check_choice("endpoint_type", endpoint_type, _ENDPOINT_TYPES)
    _check_number("throttling_rate_limit", throttling_rate_limit, 0, unit=" requests/s")
    _check_int("throttling_burst_limit", throttling_burst_limit, 0)
    tokens = Token.is_unresolved(throttling_rate_limit) or Token.is_unresolved(
        throttling_burst_limit
    )
    if not tokens and throttling_burst_limit < throttling_rate_limit:
        raise ValueError(
            f"throttling_burst_limit is {throttling_burst_limit}; allowed: at least "
            f"throttling_rate_limit ({throttling_rate_limit}): the bucket must hold one second"
        )
    _check_choice("execution_log_level", execution_log_level, _LOG_LEVELS)
    if _is_token(stage_name):
        raise ValueError(
            f"stage_name is {stage_name!r}, a deploy-time token; allowed: a literal name "
            "(aws-cdk-lib names the stage's construct after it, so it must be known at synthesis)"
        )
    _check_text(
        "stage_name",
        stage_name,
        _STAGE_NAME,
        "1 to 128 letters, digits, hyphens or underscores (API Gateway's rule), such as 'api'",
    )
    if web_acl_arn is not None:
        _check_web_acl_arn(web_acl_arn, region)


def _check_web_acl_arn(arn: object, region: str) -> None:
    """A REGIONAL-scope WAFv2 web ACL in the stack's region (when known); tokens pass."""
    if _is_token(arn):
        return
    allowed = (
        "the ARN of a WAFv2 web ACL with scope REGIONAL, "
        "arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>"
    )
    match = _WEB_ACL_ARN.fullmatch(arn) if isinstance(arn, str) else None
    if match is None:
        raise ValueError(f"web_acl_arn is {arn!r}; allowed: {allowed}")
    acl_region, scope = match.groups()
    if scope == "global":
        raise ValueError(
            f"web_acl_arn is {arn!r}, a web ACL with scope CLOUDFRONT (global/webacl), which "
            f"only CloudFront distributions use; allowed: {allowed} (API Gateway stages, "
            "edge-optimized ones too, take only REGIONAL web ACLs)"
        )
    if not _is_token(region) and acl_region != region:
        raise ValueError(
            f"web_acl_arn is in {acl_region}; allowed: a web ACL in {region}, the stack's "
            "region (a REGIONAL web ACL protects only resources in its own region)"
        )


def _check_function(
    *, memory_size: int, timeout_seconds: int, reserved_concurrency: int | None
) -> None:
    _check_int("memory_size", memory_size, *_LAMBDA_MEMORY_MB, " MB (the Lambda limits)")
    _check_int("timeout_seconds", timeout_seconds, *_LAMBDA_TIMEOUT_S, " s (the Lambda limits)")
    if reserved_concurrency is not None:
        _check_int(
            "reserved_concurrency", reserved_concurrency, 1, unit=", or None (0 throttles all)"
        )


class ServerlessApi(Construct):
    """A REST API whose Lambda handler reads and writes items in one DynamoDB table.

    Attributes: ``table`` (a ``Table``, or a ``TableV2`` with ``replica_regions``), ``function``,
    ``function_log_group``, ``api``, ``stage``, ``access_log_group``, ``execution_log_group``,
    ``user_pool`` and ``user_pool_client`` (cognito mode, else None), ``authorizer`` (cognito and
    lambda modes), ``api_key`` and ``usage_plan`` (with ``usage_plan``), ``domain`` (with
    ``domain_name``), ``url`` (the stage URL, ending in ``/``) and ``items_url``. Grants:
    ``grant_invoke`` (the API), ``grant_read_data`` and ``grant_read_write_data`` (the table).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        partition_key: str = "id",
        partition_key_type: KeyType = "string",
        sort_key: str | None = None,
        sort_key_type: KeyType = "string",
        billing_mode: BillingMode = "on_demand",
        min_capacity: int = 1,
        max_capacity: int = 10,
        target_utilization_percent: int = 80,
        ttl_attribute: str | None = None,
        stream_view: StreamView | None = None,
        global_secondary_indexes: Sequence[SecondaryIndex] = (),
        local_secondary_indexes: Sequence[SecondaryIndex] = (),
        replica_regions: Sequence[str] = (),
        deletion_protection: bool = True,
        memory_size: int = 256,
        timeout_seconds: int = 10,
        reserved_concurrency: int | None = None,
        auth_mode: AuthMode = "iam",
        allow_unauthenticated: bool = False,
        mfa: MfaMode = "required",
        authorizer_function: lambda_.IFunction | None = None,
        authorizer_cache_ttl: Duration = _DEFAULT_TTL,
        endpoint_type: EndpointType = "regional",
        vpc_endpoints: Sequence[ec2.IInterfaceVpcEndpoint] = (),
        stage_name: str = "api",
        throttling_rate_limit: float = 50,
        throttling_burst_limit: int = 100,
        execution_log_level: LogLevel = "ERROR",
        usage_plan: UsagePlanSettings | None = None,
        cache_size_gb: CacheSize | None = None,
        cache_ttl: Duration = _DEFAULT_TTL,
        domain_name: str | None = None,
        certificate: acm.ICertificate | None = None,
        web_acl_arn: str | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the table, the function and the API.

        :param partition_key: the table's partition key attribute, addressed as ``/items/{id}``.
            Default: ``id``.
        :param partition_key_type: ``string`` (the API generates a UUID when a new item has
            none) or ``number``. Default: ``string``.
        :param sort_key: an optional sort key attribute; with one, ``/items/{id}`` needs it as
            the query string parameter of the same name. Default: None (partition key only).
        :param sort_key_type: ``string`` or ``number``. Default: ``string``.
        :param billing_mode: ``on_demand`` (pay per request, ≈ $0 idle) or ``provisioned``
            (read and write capacity auto scaled between ``min_capacity`` and ``max_capacity``
            to ``target_utilization_percent``). Default: ``on_demand``.
        :param min_capacity: provisioned only: the fewest read and write units. Default: 1.
        :param max_capacity: provisioned only: the most read and write units. Default: 10.
        :param target_utilization_percent: provisioned only, 20 to 90: the utilization auto
            scaling keeps (the notes' example). Default: 80.
        :param ttl_attribute: an attribute holding an expiry time (epoch seconds); DynamoDB
            deletes expired items. Must not be a key. Default: None (no TTL).
        :param stream_view: enable DynamoDB Streams with this view: ``keys_only``,
            ``new_image``, ``old_image`` or ``new_and_old_images``. Default: None (no stream;
            ``new_and_old_images`` with ``replica_regions``).
        :param global_secondary_indexes: up to 20 ``SecondaryIndex`` with their own partition
            key (and optional sort key); they can be added at any time. Default: none.
        :param local_secondary_indexes: up to 5 ``SecondaryIndex`` sharing the table's partition
            key with another sort key; the table needs a sort key, and local indexes exist only
            from the table's creation (adding one later replaces the table). Default: none.
        :param replica_regions: other regions to replicate the table to, making it a global
            table (``AWS::DynamoDB::GlobalTable``, replicated through a ``NEW_AND_OLD_IMAGES``
            stream, every replica with PITR and encryption); needs ``billing_mode="on_demand"``
            and a stack with an explicit region. Default: none (a regional
            ``AWS::DynamoDB::Table``).
        :param deletion_protection: refuse to delete the table, even from CloudFormation.
            Default: True.
        :param memory_size: the function's memory, 128 to 10240 MB. Default: 256.
        :param timeout_seconds: the function's timeout, 1 to 900 s (the Lambda limits). API
            Gateway's integration timeout is 29 s by default; since June 2024 a Regional or
            private REST API can have it raised above 29 s through a Service Quotas request (which
            may lower the account's throttle quota), while an edge-optimized API keeps 29 s. A
            function timeout above the integration timeout only matters for the function's
            other callers. Default: 10.
        :param reserved_concurrency: reserve (and cap) this many concurrent executions.
            Default: None (share the account's unreserved pool).
        :param auth_mode: ``iam`` (SigV4-signed requests, allowed by an IAM policy on
            ``execute-api:Invoke``), ``cognito`` (a Cognito user pool's ID token), ``lambda``
            (a TOKEN authorizer: ``authorizer_function`` checks the ``Authorization`` header)
            or ``none`` (public; only with ``allow_unauthenticated=True``). Default: ``iam``.
        :param allow_unauthenticated: the explicit opt-in ``auth_mode="none"`` needs.
            Default: False.
        :param mfa: cognito only: ``required`` or ``optional`` (TOTP authenticator apps).
            Default: ``required``.
        :param authorizer_function: ``auth_mode="lambda"`` only, and required there: your
            function that validates the token and returns an IAM policy (authorization is the
            application's own logic). Default: None.
        :param authorizer_cache_ttl: ``auth_mode="lambda"``: how long API Gateway caches the
            authorizer's answer per token, 0 (off) to 3600 s. Default: 300 s.
        :param endpoint_type: ``regional``, ``edge`` (through CloudFront edge locations) or
            ``private`` (reachable only through ``vpc_endpoints``). Default: ``regional``.
        :param vpc_endpoints: ``endpoint_type="private"`` only, and required there: the
            interface VPC endpoints (service ``execute-api``) allowed to reach the API; a
            resource policy denies every other source. Default: none.
        :param stage_name: the deployment stage, the URL's first path segment: 1 to 128
            letters, digits, hyphens or underscores. Default: ``api``.
        :param throttling_rate_limit: steady-state requests per second for the stage, 0 or more.
            Default: 50.
        :param throttling_burst_limit: burst bucket size, at least the rate. Default: 100.
        :param execution_log_level: the stage's execution logging, ``INFO`` or ``ERROR``.
            Default: ``ERROR``.
        :param usage_plan: require an API key on every method and meter each key by these
            ``UsagePlanSettings`` (one key and a usage plan on the stage are created). Keys
            identify and meter clients; they do not authorize (``auth_mode`` still applies).
            Default: None (no keys).
        :param cache_size_gb: turn on the stage cache of this size (GB): ``0.5``, ``1.6``,
            ``6.1``, ``13.5``, ``28.4``, ``58.2``, ``118`` or ``237``; billed by the hour, its
            data encrypted. Default: None (no cache).
        :param cache_ttl: with a cache: how long GET responses are cached, 0 to 3600 s.
            Default: 300 s.
        :param domain_name: a custom domain name for the stage (with ``certificate``; regional
            or edge endpoints). Default: None.
        :param certificate: the domain's ACM certificate: in us-east-1 for ``edge``, in the
            stack's region for ``regional``. Default: None.
        :param web_acl_arn: the ARN of a WAFv2 web ACL with scope REGIONAL, in the stack's
            region, to associate with the stage (a CLOUDFRONT-scope ``global/webacl`` ARN is
            refused). Default: None (no WAF: it costs at least $5 a month idle).
        :param log_retention: how long function, access and execution logs are kept.
            Default: one month.
        :param removal_policy: what happens to the table, user pool and log groups when the
            stack is deleted. Default: RETAIN.
        """
        super().__init__(scope, construct_id)
        _check_table(
            partition_key=partition_key,
            partition_key_type=partition_key_type,
            sort_key=sort_key,
            sort_key_type=sort_key_type,
            billing_mode=billing_mode,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            target_utilization_percent=target_utilization_percent,
            ttl_attribute=ttl_attribute,
            stream_view=stream_view,
        )
        _check_indexes(
            partition_key=partition_key,
            partition_key_type=partition_key_type,
            sort_key=sort_key,
            sort_key_type=sort_key_type,
            global_secondary_indexes=global_secondary_indexes,
            local_secondary_indexes=local_secondary_indexes,
        )
        region = Stack.of(self).region
        _check_replicas(replica_regions, region, billing_mode, stream_view)
        _check_function(
            memory_size=memory_size,
            timeout_seconds=timeout_seconds,
            reserved_concurrency=reserved_concurrency,
        )
        _check_api(
            auth_mode=auth_mode,
            allow_unauthenticated=allow_unauthenticated,
            mfa=mfa,
            endpoint_type=endpoint_type,
            throttling_rate_limit=throttling_rate_limit,
            throttling_burst_limit=throttling_burst_limit,
            execution_log_level=execution_log_level,
            stage_name=stage_name,
            web_acl_arn=web_acl_arn,
            region=region,
        )
        _check_authorizer(auth_mode, authorizer_function, authorizer_cache_ttl)
        _check_private(endpoint_type, vpc_endpoints, domain_name)
        _check_usage_plan(usage_plan, throttling_rate_limit, throttling_burst_limit)
        _check_cache(cache_size_gb, cache_ttl)
        _check_domain(domain_name, certificate, endpoint_type, region)
        self._removal_policy = removal_policy
        self._log_retention = log_retention
        self._min_capacity = min_capacity
        self.partition_key = partition_key
        self.sort_key = sort_key

        table_props = dict(
            partition_key=dynamodb.Attribute(
                name=partition_key, type=_KEY_TYPES[partition_key_type]
            ),
            sort_key=(
                dynamodb.Attribute(name=sort_key, type=_KEY_TYPES[sort_key_type])
                if sort_key
                else None
            ),
            ttl_attribute=ttl_attribute,
            deletion_protection=deletion_protection,
        )
        if replica_regions:
            self.table = self._add_global_table(
                **table_props,
                replica_regions=replica_regions,
                global_secondary_indexes=global_secondary_indexes,
                local_secondary_indexes=local_secondary_indexes,
            )
        else:
            self.table = self._add_table(
                **table_props, billing_mode=billing_mode, stream_view=stream_view
            )
            self._add_indexes(global_secondary_indexes, local_secondary_indexes, billing_mode)
        if billing_mode == "provisioned":
            self._add_autoscaling(
                min_capacity,
                max_capacity,
                target_utilization_percent,
                [index.name for index in global_secondary_indexes],
            )
        self.function = self._add_function(
            memory_size=memory_size,
            timeout_seconds=timeout_seconds,
            reserved_concurrency=reserved_concurrency,
            environment={
                "TABLE_NAME": self.table.table_name,
                "PARTITION_KEY": partition_key,
                "PARTITION_KEY_TYPE": partition_key_type,
                "SORT_KEY": sort_key or "",
                "SORT_KEY_TYPE": sort_key_type,
            },
        )
        self.user_pool: cognito.UserPool | None = None
        self.user_pool_client: cognito.UserPoolClient | None = None
        if auth_mode == "cognito":
            self._add_user_pool(mfa)
        self.authorizer: apigateway.IAuthorizer | None = None
        self._add_api(
            auth_mode=auth_mode,
            authorizer_function=authorizer_function,
            authorizer_cache_ttl=authorizer_cache_ttl,
            endpoint_type=endpoint_type,
            vpc_endpoints=vpc_endpoints,
            stage_name=stage_name,
            throttling_rate_limit=throttling_rate_limit,
            throttling_burst_limit=throttling_burst_limit,
            execution_log_level=execution_log_level,
            api_key_required=usage_plan is not None,
            cache_size_gb=cache_size_gb,
            cache_ttl=cache_ttl,
        )
        self.api_key: apigateway.ApiKey | None = None
        self.usage_plan: apigateway.UsagePlan | None = None
        if usage_plan is not None:
            self._add_usage_plan(usage_plan)
        self.domain: apigateway.DomainName | None = None
        if domain_name is not None and certificate is not None:
            self._add_domain(domain_name, certificate, endpoint_type)
        if web_acl_arn is not None:
            wafv2.CfnWebACLAssociation(
                self,
                "WebAclAssociation",
                resource_arn=self.stage.stage_arn,
                web_acl_arn=web_acl_arn,
            )
        else:
            Validations.of(self.stage).acknowledge(
                Acknowledgment(id="AwsSolutions-APIG3", reason=_WAF_REASON)
            )

    # -- Grants ---------------------------------------------------------------------------------

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` call every method of every stage (``auth_mode="iam"``: SigV4)."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["execute-api:Invoke"],
            resource_arns=[self.api.arn_for_execute_api()],
        )

    def grant_read_data(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the items table directly (reports, exports)."""
        return self.table.grant_read_data(grantee)

    def grant_read_write_data(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read and write the items table directly (a second writer)."""
        return self.table.grant_read_write_data(grantee)

    # -- DynamoDB -------------------------------------------------------------------------------

    def _add_table(
        self,
        *,
        partition_key: dynamodb.Attribute,
        sort_key: dynamodb.Attribute | None,
        billing_mode: str,
        ttl_attribute: str | None,
        stream_view: str | None,
        deletion_protection: bool,
    ) -> dynamodb.Table:
        provisioned = billing_mode == "provisioned"
        return dynamodb.Table(
            self,
            "Table",
            partition_key=partition_key,
            sort_key=sort_key,
            billing_mode=(
                dynamodb.BillingMode.PROVISIONED
                if provisioned
                else dynamodb.BillingMode.PAY_PER_REQUEST
            ),
            read_capacity=self._min_capacity if provisioned else None,
            write_capacity=self._min_capacity if provisioned else None,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            # KMS key managed by AWS for DynamoDB (aws/dynamodb): visible in CloudTrail, no key
            # policy to maintain and no grant the function needs.
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=ttl_attribute,
            stream=_STREAM_VIEWS[stream_view] if stream_view else None,
            deletion_protection=deletion_protection,
            removal_policy=self._removal_policy,
        )

    def _add_global_table(
        self,
        *,
        partition_key: dynamodb.Attribute,
        sort_key: dynamodb.Attribute | None,
        ttl_attribute: str | None,
        deletion_protection: bool,
        replica_regions: Sequence[str],
        global_secondary_indexes: Sequence[SecondaryIndex],
        local_secondary_indexes: Sequence[SecondaryIndex],
    ) -> dynamodb.TableV2:
        """A global table: one replica in the stack's region and one in each replica region.

        TableV2 (``AWS::DynamoDB::GlobalTable``) is AWS's current resource for global tables:
        CloudFormation creates and deletes the replicas itself, with no custom resource.
        Replication reads the table's stream, so the stream carries both images.
        """
        return dynamodb.TableV2(
            self,
            "Table",
            partition_key=partition_key,
            sort_key=sort_key,
            billing=dynamodb.Billing.on_demand(),
            dynamo_stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            # PITR and deletion protection apply to every replica (Replicas[].*).
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            time_to_live_attribute=ttl_attribute,
            deletion_protection=deletion_protection,
            replicas=[dynamodb.ReplicaTableProps(region=region) for region in replica_regions],
            global_secondary_indexes=[
                dynamodb.GlobalSecondaryIndexPropsV2(**self._index_props(index))
                for index in global_secondary_indexes
            ]
            or None,
            local_secondary_indexes=[
                dynamodb.LocalSecondaryIndexProps(**self._index_props(index, local=True))
                for index in local_secondary_indexes
            ]
            or None,
            removal_policy=self._removal_policy,
        )

    @staticmethod
    def _index_props(index: SecondaryIndex, *, local: bool = False) -> dict:
        props = {
            "index_name": index.name,
            "sort_key": (
                dynamodb.Attribute(name=index.sort_key, type=_KEY_TYPES[index.sort_key_type])
                if index.sort_key
                else None
            ),
            "projection_type": _PROJECTIONS[index.projection],
            "non_key_attributes": list(index.non_key_attributes) or None,
        }
        if not local:
            props["partition_key"] = dynamodb.Attribute(
                name=index.partition_key, type=_KEY_TYPES[index.partition_key_type]
            )
        return props

    def _add_indexes(
        self,
        global_secondary_indexes: Sequence[SecondaryIndex],
        local_secondary_indexes: Sequence[SecondaryIndex],
        billing_mode: str,
    ) -> None:
        # A provisioned table's global index has capacity of its own (scaled like the table's).
        capacity = (
            {"read_capacity": self._min_capacity, "write_capacity": self._min_capacity}
            if billing_mode == "provisioned"
            else {}
        )
        for index in global_secondary_indexes:
            self.table.add_global_secondary_index(**self._index_props(index), **capacity)
        for index in local_secondary_indexes:
            self.table.add_local_secondary_index(**self._index_props(index, local=True))

    def _add_autoscaling(
        self, low: int, high: int, target_percent: int, index_names: Sequence[str] = ()
    ) -> None:
        capacities = [
            self.table.auto_scale_read_capacity(min_capacity=low, max_capacity=high),
            self.table.auto_scale_write_capacity(min_capacity=low, max_capacity=high),
        ]
        for name in index_names:
            capacities += [
                self.table.auto_scale_global_secondary_index_read_capacity(
                    name, min_capacity=low, max_capacity=high
                ),
                self.table.auto_scale_global_secondary_index_write_capacity(
                    name, min_capacity=low, max_capacity=high
                ),
            ]
        for capacity in capacities:
            capacity.scale_on_utilization(target_utilization_percent=target_percent)

    # -- Lambda ---------------------------------------------------------------------------------

    def _add_function(
        self,
        *,
        memory_size: int,
        timeout_seconds: int,
        reserved_concurrency: int | None,
        environment: dict[str, str],
    ) -> lambda_.Function:
        self.function_log_group = _managed_log_group(
            self,
            "FunctionLogGroup",
            retention=self._log_retention,
            removal_policy=self._removal_policy,
        )
        role = iam.Role(
            self,
            "FunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Serverless API handler: its own log group and four item actions",
        )
        # Instead of AWSLambdaBasicExecutionRole (logs:* on every log group): only this group.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.function_log_group.log_group_arn],
            )
        )
        # Instead of table.grant_read_write_data (batch, query, update, describe, ... and the
        # index ARNs): exactly the calls handler.py makes.
        role.add_to_policy(
            iam.PolicyStatement(actions=list(HANDLER_ACTIONS), resources=[self.table.table_arn])
        )
        function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.handler",
            code=lambda_.Code.from_asset(
                str(RUNTIME_DIR), exclude=["test_*.py", "__pycache__", "*.pyc", ".pytest_cache"]
            ),
            role=role,
            memory_size=memory_size,
            timeout=Duration.seconds(timeout_seconds),
            reserved_concurrent_executions=reserved_concurrency,
            environment=environment,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.function_log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            description="CRUD handler for the items of one DynamoDB table",
        )
        Validations.of(role).acknowledge(
            Acknowledgment(id="AwsSolutions-IAM5[Resource::*]", reason=_XRAY_REASON)
        )
        # Function depends on the whole role construct, which renders DependsOn: [Role, Policy];
        # the Role is already implied by the GetAtt (cfn-lint W3005), the Policy is not: keep it.
        policy = role.node.find_child("DefaultPolicy").node.default_child
        function.node.default_child.add_override(
            "DependsOn", [Stack.of(self).get_logical_id(policy)]
        )
        return function

    # -- Cognito --------------------------------------------------------------------------------

    def _add_user_pool(self, mfa: str) -> None:
        pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=_MFA_MODES[mfa],
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=self._removal_policy == RemovalPolicy.RETAIN,
            removal_policy=self._removal_policy,
        )
        acknowledgements = [
            Acknowledgment(
                id="AwsSolutions-COG8",
                reason="The Plus feature plan (threat protection) is billed per monthly active "
                "user and would end the ≈ $0 idle cost; users are created by an administrator "
                "only (no self sign-up), with a 12-character password policy and MFA.",
            )
        ]
        if mfa == "optional":
            acknowledgements.append(
                Acknowledgment(
                    id="AwsSolutions-COG2",
                    reason="mfa='optional' was chosen explicitly by the caller (the default is "
                    "'required'): each user may enrol a TOTP authenticator, none is forced to.",
                )
            )
        Validations.of(pool).acknowledge(*acknowledgements)
        self.user_pool = pool
        self.user_pool_client = pool.add_client(
            "ApiClient",
            auth_flows=cognito.AuthFlow(user_srp=True, admin_user_password=True),
            generate_secret=False,
            disable_o_auth=True,  # no hosted UI: no implicit grant, no placeholder callback URL
            prevent_user_existence_errors=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
        )

    # -- API Gateway ----------------------------------------------------------------------------

    def _add_api(
        self,
        *,
        auth_mode: str,
        authorizer_function: lambda_.IFunction | None,
        authorizer_cache_ttl: Duration,
        endpoint_type: str,
        vpc_endpoints: Sequence[ec2.IInterfaceVpcEndpoint],
        stage_name: str,
        throttling_rate_limit: float,
        throttling_burst_limit: int,
        execution_log_level: str,
        api_key_required: bool,
        cache_size_gb: str | None,
        cache_ttl: Duration,
    ) -> None:
        self.access_log_group = _managed_log_group(
            self,
            "AccessLogGroup",
            retention=self._log_retention,
            removal_policy=self._removal_policy,
        )
        private = endpoint_type == "private"
        cache = (
            # The stage's cache cluster, and caching in the "/*/*" method settings: API Gateway
            # caches only GET responses unless a method overrides it, so writes are never cached.
            {
                "cache_cluster_enabled": True,
                "cache_cluster_size": cache_size_gb,
                "caching_enabled": True,
                "cache_ttl": cache_ttl,
                "cache_data_encrypted": True,
            }
            if cache_size_gb is not None
            else {}
        )
        self.api = apigateway.RestApi(
            self,
            "Api",
            description="CRUD API for items (API Gateway -> Lambda -> DynamoDB)",
            endpoint_configuration=apigateway.EndpointConfiguration(
                types=[_ENDPOINT_TYPES[endpoint_type]],
                vpc_endpoints=list(vpc_endpoints) if private else None,
            ),
            policy=self._private_api_policy(vpc_endpoints, auth_mode) if private else None,
            # The account-wide CloudWatch role is set once per account, never per stack: a
            # stack that creates it leaves the account setting pointing at a deleted role.
            cloud_watch_role=False,
            deploy=True,
            deploy_options=apigateway.StageOptions(
                stage_name=stage_name,
                throttling_rate_limit=throttling_rate_limit,
                throttling_burst_limit=throttling_burst_limit,
                logging_level=_LOG_LEVELS[execution_log_level],
                data_trace_enabled=False,  # never write request bodies (the items) to logs
                metrics_enabled=False,  # per-method metrics are billed; API-level ones are free
                tracing_enabled=True,
                access_log_destination=apigateway.LogGroupLogDestination(self.access_log_group),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                **cache,
            ),
        )
        self.stage = self.api.deployment_stage
        # RestApi adds an unnamed "Endpoint" output to the stack; the stack decides its outputs.
        self.api.node.try_remove_child("Endpoint")
        self._add_execution_log_group(stage_name)

        validator = self.api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        item_model = self.api.add_model(
            "ItemModel",
            content_type="application/json",
            model_name="Item",
            description="An item: a JSON object of at most 400 KB (the DynamoDB item limit)",
            schema=apigateway.JsonSchema(
                schema=apigateway.JsonSchemaVersion.DRAFT4,
                title="Item",
                type=apigateway.JsonSchemaType.OBJECT,
                min_properties=1,
                additional_properties=True,
            ),
        )
        integration = apigateway.LambdaIntegration(
            self.function, proxy=True, allow_test_invoke=False
        )
        authorization = self._authorization(auth_mode, authorizer_function, authorizer_cache_ttl)
        if api_key_required:
            authorization["api_key_required"] = True
        key_params = {"method.request.path.id": True}
        if self.sort_key:
            key_params[f"method.request.querystring.{self.sort_key}"] = True
        body = {"application/json": item_model}
        items = self.api.root.add_resource("items")
        item = items.add_resource("{id}")
        list_params = {
            "method.request.querystring.limit": False,
            "method.request.querystring.next": False,
        }
        routes = (
            (items, "GET", list_params, None),
            (items, "POST", {}, body),
            (item, "GET", key_params, None),
            (item, "PUT", key_params, body),
            (item, "DELETE", key_params, None),
        )
        for resource, http_method, parameters, models in routes:
            if cache and http_method == "GET":
                # Every parameter of a cached GET is part of its cache key: without them, one
                # item's (or one page's) cached response would answer for every other.
                method_integration = apigateway.LambdaIntegration(
                    self.function,
                    proxy=True,
                    allow_test_invoke=False,
                    cache_key_parameters=sorted(parameters),
                )
            else:
                method_integration = integration
            resource.add_method(
                http_method,
                method_integration,
                request_validator=validator,
                request_parameters=parameters or None,
                request_models=models,
                **authorization,
            )
        if auth_mode == "none":
            Validations.of(self.api).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-APIG4",
                    reason="auth_mode='none' with allow_unauthenticated=True: the caller "
                    "explicitly asked for a public API; stage throttling bounds abuse and cost.",
                ),
                Acknowledgment(
                    id="AwsSolutions-COG4",
                    reason="auth_mode='none' with allow_unauthenticated=True: the caller "
                    "explicitly asked for a public API, so no Cognito authorizer is attached.",
                ),
            )
        elif auth_mode == "iam":
            Validations.of(self.api).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-COG4",
                    reason="Every method uses AWS_IAM authorization (SigV4): callers are IAM "
                    "principals allowed execute-api:Invoke, so a Cognito authorizer is not needed.",
                )
            )
        elif auth_mode == "lambda":
            Validations.of(self.api).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-COG4",
                    reason="auth_mode='lambda': every method uses the caller's Lambda TOKEN "
                    "authorizer (AuthorizationType CUSTOM), which validates the Authorization "
                    "header with the application's own logic instead of a Cognito user pool.",
                )
            )
        self.url = self.api.url
        self.items_url = self.api.url_for_path("/items")

    def _private_api_policy(
        self, vpc_endpoints: Sequence[ec2.IInterfaceVpcEndpoint], auth_mode: str
    ) -> iam.PolicyDocument:
        """Invoke only through the given interface endpoints; an explicit Deny for the rest.

        In ``iam`` mode the Allow names this account (callers still need ``execute-api:Invoke``
        in their own policies, e.g. from ``grant_invoke``); the other modes' callers are not IAM
        principals, so the Allow names anyone and the method's authorizer decides.
        """
        endpoint_ids = [endpoint.vpc_endpoint_id for endpoint in vpc_endpoints]
        invoke = {"actions": ["execute-api:Invoke"], "resources": ["execute-api:/*"]}
        return iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    effect=iam.Effect.ALLOW,
                    principals=[
                        iam.AccountRootPrincipal() if auth_mode == "iam" else iam.AnyPrincipal()
                    ],
                    conditions={"StringEquals": {"aws:SourceVpce": endpoint_ids}},
                    **invoke,
                ),
                iam.PolicyStatement(
                    effect=iam.Effect.DENY,
                    principals=[iam.AnyPrincipal()],
                    conditions={"StringNotEquals": {"aws:SourceVpce": endpoint_ids}},
                    **invoke,
                ),
            ]
        )

    def _authorization(
        self,
        auth_mode: str,
        authorizer_function: lambda_.IFunction | None,
        authorizer_cache_ttl: Duration,
    ) -> dict:
        if auth_mode == "iam":
            return {"authorization_type": apigateway.AuthorizationType.IAM}
        if auth_mode == "lambda":
            # TokenAuthorizer grants apigateway.amazonaws.com lambda:InvokeFunction on the
            # function, with the authorizer's own ARN as the permission's SourceArn.
            authorizer = apigateway.TokenAuthorizer(
                self,
                "LambdaAuthorizer",
                handler=authorizer_function,
                identity_source=apigateway.IdentitySource.header("Authorization"),
                results_cache_ttl=authorizer_cache_ttl,
            )
            self.authorizer = authorizer
            return {
                "authorization_type": apigateway.AuthorizationType.CUSTOM,
                "authorizer": authorizer,
            }
        if auth_mode == "cognito":
            authorizer = apigateway.CognitoUserPoolsAuthorizer(
                self,
                "Authorizer",
                cognito_user_pools=[self.user_pool],
                results_cache_ttl=Duration.minutes(5),
            )
            self.authorizer = authorizer
            return {
                "authorization_type": apigateway.AuthorizationType.COGNITO,
                "authorizer": authorizer,
            }
        return {"authorization_type": apigateway.AuthorizationType.NONE}

    def _add_usage_plan(self, settings: UsagePlanSettings) -> None:
        """One API key and a usage plan on this API's stage that meters it."""
        self.api_key = apigateway.ApiKey(
            self,
            "ApiKey",
            description="Identifies and meters one client of the items API (not authorization)",
        )
        self.usage_plan = apigateway.UsagePlan(
            self,
            "UsagePlan",
            description="Per-key throttle and quota for the items API",
            api_stages=[apigateway.UsagePlanPerApiStage(api=self.api, stage=self.stage)],
            throttle=apigateway.ThrottleSettings(
                rate_limit=settings.rate_limit, burst_limit=settings.burst_limit
            ),
            quota=(
                apigateway.QuotaSettings(
                    limit=settings.quota_limit, period=_QUOTA_PERIODS[settings.quota_period]
                )
                if settings.quota_limit is not None
                else None
            ),
        )
        self.usage_plan.add_api_key(self.api_key)

    def _add_domain(
        self, domain_name: str, certificate: acm.ICertificate, endpoint_type: str
    ) -> None:
        """The custom domain name, mapped (base path empty) to this stage, TLS 1.2 at least."""
        self.domain = apigateway.DomainName(
            self,
            "CustomDomain",
            domain_name=domain_name,
            certificate=certificate,
            endpoint_type=_ENDPOINT_TYPES[endpoint_type],
            security_policy=apigateway.SecurityPolicy.TLS_1_2,
        )
        self.domain.add_base_path_mapping(self.api, stage=self.stage)
        # The DNS record (an alias A record, or a CNAME) points the name at this target.
        CfnOutput(
            self,
            "DomainTarget",
            description=f"Point {domain_name} here: the {endpoint_type} domain's target name",
            value=self.domain.domain_name_alias_domain_name,
        )
        CfnOutput(
            self,
            "DomainHostedZoneId",
            description="The target's hosted zone, for a Route 53 alias record",
            value=self.domain.domain_name_alias_hosted_zone_id,
        )

    def _add_execution_log_group(self, stage_name: str) -> None:
        """Pre-create the group API Gateway writes execution logs to, with retention.

        Left to itself API Gateway creates ``API-Gateway-Execution-Logs_<api id>/<stage>`` on the
        first request, keeps it forever and leaves it behind after ``cdk destroy``.
        """
        group = _managed_log_group(
            self,
            "ExecutionLogGroup",
            log_group_name=Fn.join(
                "", ["API-Gateway-Execution-Logs_", self.api.rest_api_id, "/", stage_name]
            ),
            retention=self._log_retention,
            removal_policy=self._removal_policy,
        )
        self.execution_log_group = group
        self.stage.node.add_dependency(group)
