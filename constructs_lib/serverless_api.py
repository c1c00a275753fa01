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
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from aws_cdk import Acknowledgment, Duration, Fn, RemovalPolicy, Stack, Token, Validations
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

AuthMode = Literal["iam", "cognito", "none"]
KeyType = Literal["string", "number"]
BillingMode = Literal["on_demand", "provisioned"]
EndpointType = Literal["regional", "edge"]
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

_AUTH_MODES = ("iam", "cognito", "none")
_KEY_TYPES = {
    "string": dynamodb.AttributeType.STRING,
    "number": dynamodb.AttributeType.NUMBER,
}
_BILLING_MODES = ("on_demand", "provisioned")
_ENDPOINT_TYPES = {
    "regional": apigateway.EndpointType.REGIONAL,
    "edge": apigateway.EndpointType.EDGE,
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
# pieces: _check_int, _check_number, _check_choice, _check_text, _managed_log_group


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

    Attributes: ``table``, ``function``, ``function_log_group``, ``api``, ``stage``,
    ``access_log_group``, ``user_pool`` and ``user_pool_client`` (cognito mode, else None),
    ``url`` (the stage URL, ending in ``/``) and ``items_url``. Grants: ``grant_invoke``
    (the API), ``grant_read_data`` and ``grant_read_write_data`` (the table).
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
        deletion_protection: bool = True,
        memory_size: int = 256,
        timeout_seconds: int = 10,
        reserved_concurrency: int | None = None,
        auth_mode: AuthMode = "iam",
        allow_unauthenticated: bool = False,
        mfa: MfaMode = "required",
        endpoint_type: EndpointType = "regional",
        stage_name: str = "api",
        throttling_rate_limit: float = 50,
        throttling_burst_limit: int = 100,
        execution_log_level: LogLevel = "ERROR",
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
            ``new_image``, ``old_image`` or ``new_and_old_images``. Default: None (no stream).
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
            ``execute-api:Invoke``), ``cognito`` (a Cognito user pool's ID token) or ``none``
            (public; only with ``allow_unauthenticated=True``). Default: ``iam``.
        :param allow_unauthenticated: the explicit opt-in ``auth_mode="none"`` needs.
            Default: False.
        :param mfa: cognito only: ``required`` or ``optional`` (TOTP authenticator apps).
            Default: ``required``.
        :param endpoint_type: ``regional`` or ``edge`` (through CloudFront edge locations).
            Default: ``regional``.
        :param stage_name: the deployment stage, the URL's first path segment: 1 to 128
            letters, digits, hyphens or underscores. Default: ``api``.
        :param throttling_rate_limit: steady-state requests per second for the stage, 0 or more.
            Default: 50.
        :param throttling_burst_limit: burst bucket size, at least the rate. Default: 100.
        :param execution_log_level: the stage's execution logging, ``INFO`` or ``ERROR``.
            Default: ``ERROR``.
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
            region=Stack.of(self).region,
        )
        self._removal_policy = removal_policy
        self._log_retention = log_retention
        self._min_capacity = min_capacity
        self.partition_key = partition_key
        self.sort_key = sort_key

        self.table = self._add_table(
            partition_key=partition_key,
            partition_key_type=partition_key_type,
            sort_key=sort_key,
            sort_key_type=sort_key_type,
            billing_mode=billing_mode,
            ttl_attribute=ttl_attribute,
            stream_view=stream_view,
            deletion_protection=deletion_protection,
        )
        if billing_mode == "provisioned":
            self._add_autoscaling(min_capacity, max_capacity, target_utilization_percent)
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
        self._add_api(
            auth_mode=auth_mode,
            endpoint_type=endpoint_type,
            stage_name=stage_name,
            throttling_rate_limit=throttling_rate_limit,
            throttling_burst_limit=throttling_burst_limit,
            execution_log_level=execution_log_level,
        )
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
        partition_key: str,
        partition_key_type: str,
        sort_key: str | None,
        sort_key_type: str,
        billing_mode: str,
        ttl_attribute: str | None,
        stream_view: str | None,
        deletion_protection: bool,
    ) -> dynamodb.Table:
        provisioned = billing_mode == "provisioned"
        return dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(
                name=partition_key, type=_KEY_TYPES[partition_key_type]
            ),
            sort_key=(
                dynamodb.Attribute(name=sort_key, type=_KEY_TYPES[sort_key_type])
                if sort_key
                else None
            ),
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

    def _add_autoscaling(self, low: int, high: int, target_percent: int) -> None:
        for capacity in (
            self.table.auto_scale_read_capacity(min_capacity=low, max_capacity=high),
            self.table.auto_scale_write_capacity(min_capacity=low, max_capacity=high),
        ):
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
        endpoint_type: str,
        stage_name: str,
        throttling_rate_limit: float,
        throttling_burst_limit: int,
        execution_log_level: str,
    ) -> None:
        self.access_log_group = _managed_log_group(
            self,
            "AccessLogGroup",
            retention=self._log_retention,
            removal_policy=self._removal_policy,
        )
        self.api = apigateway.RestApi(
            self,
            "Api",
            description="CRUD API for items (API Gateway -> Lambda -> DynamoDB)",
            endpoint_configuration=apigateway.EndpointConfiguration(
                types=[_ENDPOINT_TYPES[endpoint_type]]
            ),
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
        authorization = self._authorization(auth_mode)
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
            resource.add_method(
                http_method,
                integration,
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
        self.url = self.api.url
        self.items_url = self.api.url_for_path("/items")

    def _authorization(self, auth_mode: str) -> dict:
        if auth_mode == "iam":
            return {"authorization_type": apigateway.AuthorizationType.IAM}
        if auth_mode == "cognito":
            authorizer = apigateway.CognitoUserPoolsAuthorizer(
                self,
                "Authorizer",
                cognito_user_pools=[self.user_pool],
                results_cache_ttl=Duration.minutes(5),
            )
            return {
                "authorization_type": apigateway.AuthorizationType.COGNITO,
                "authorizer": authorizer,
            }
        return {"authorization_type": apigateway.AuthorizationType.NONE}

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
