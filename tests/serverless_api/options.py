"""Templates of ServerlessApi options that no profile uses, for ``options:<name>`` template paths
in facts/serverless-api.toml and for tests/serverless_api/test_serverless_api_options.py. Their
names start with ``api_``: options names are looked up across every architecture's options.py.

``STACKS[name](app)`` adds one small stack holding the construct (the contract:
tests/option_templates.py); ``TEMPLATES[name]()`` returns its template, from one synthesis of
every stack here.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import App, Duration, Environment, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_

from constructs_lib.serverless_api import SecondaryIndex, ServerlessApi, UsagePlanSettings
from tests.conftest import PINNED_ENV
from tests.option_templates import option_stack, templates_of

VPC_ENDPOINT_IDS = ("vpce-0a1b2c3d4e5f60718", "vpce-0f1e2d3c4b5a69788")
AUTHORIZER_ARN = f"arn:aws:lambda:us-east-1:{PINNED_ENV.account}:function:items-authorizer"
CERTIFICATE_ID = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
CERTIFICATE_ARN = f"arn:aws:acm:us-east-1:{PINNED_ENV.account}:certificate/{CERTIFICATE_ID}"
REGIONAL_DOMAIN = "api.example.com"
EDGE_DOMAIN = "edge.example.com"
# The edge-optimized example lives in another region than its certificate, which must be in
# us-east-1 whatever the API's region.
EDGE_ENV = Environment(account=PINNED_ENV.account, region="eu-west-1")
REPLICA_REGIONS = ("us-west-2", "eu-west-1")
USAGE_PLAN = UsagePlanSettings(rate_limit=5, burst_limit=10, quota_limit=1000, quota_period="DAY")


def _endpoints(stack: Stack, ids: tuple[str, ...]) -> list[ec2.IInterfaceVpcEndpoint]:
    return [
        ec2.InterfaceVpcEndpoint.from_interface_vpc_endpoint_attributes(
            stack, f"ExecuteApiEndpoint{number}", vpc_endpoint_id=endpoint_id, port=443
        )
        for number, endpoint_id in enumerate(ids, start=1)
    ]


def _certificate(stack: Stack) -> acm.ICertificate:
    return acm.Certificate.from_certificate_arn(stack, "Certificate", CERTIFICATE_ARN)


def build_private(stack: Stack) -> ServerlessApi:
    """A private REST API (IAM auth) reachable only through two execute-api endpoints."""
    return ServerlessApi(
        stack,
        "Api",
        endpoint_type="private",
        vpc_endpoints=_endpoints(stack, VPC_ENDPOINT_IDS),
    )


def build_cognito(stack: Stack) -> ServerlessApi:
    """Cognito user pool authorization (``-c api_auth=cognito`` on the app's stack)."""
    return ServerlessApi(stack, "Api", auth_mode="cognito")


def build_lambda_authorizer(stack: Stack) -> ServerlessApi:
    """A Lambda TOKEN authorizer the caller brings, on a private API (one endpoint)."""
    authorizer = lambda_.Function.from_function_attributes(
        stack, "Authorizer", function_arn=AUTHORIZER_ARN, same_environment=True
    )
    return ServerlessApi(
        stack,
        "Api",
        auth_mode="lambda",
        authorizer_function=authorizer,
        authorizer_cache_ttl=Duration.seconds(60),
        endpoint_type="private",
        vpc_endpoints=_endpoints(stack, VPC_ENDPOINT_IDS[:1]),
    )


def build_usage_plan(stack: Stack) -> ServerlessApi:
    """API keys: every method requires one; a usage plan meters the key on the stage."""
    return ServerlessApi(stack, "Api", usage_plan=USAGE_PLAN)


def build_cache(stack: Stack) -> ServerlessApi:
    """A 0.5 GB encrypted stage cache with the default TTL, on a table with a sort key."""
    return ServerlessApi(stack, "Api", sort_key="sk", cache_size_gb="0.5")


def build_regional_domain(stack: Stack) -> ServerlessApi:
    """A custom domain on the regional endpoint, its certificate in the stack's region."""
    return ServerlessApi(stack, "Api", domain_name=REGIONAL_DOMAIN, certificate=_certificate(stack))


def build_edge_domain(stack: Stack) -> ServerlessApi:
    """A custom domain on an edge-optimized API in eu-west-1, its certificate in us-east-1."""
    return ServerlessApi(
        stack,
        "Api",
        endpoint_type="edge",
        domain_name=EDGE_DOMAIN,
        certificate=_certificate(stack),
    )


INDEXED_TABLE = {
    "sort_key": "sk",
    "global_secondary_indexes": (
        SecondaryIndex(
            name="by-owner",
            partition_key="owner",
            sort_key="created_at",
            sort_key_type="number",
            projection="include",
            non_key_attributes=("name", "price"),
        ),
        SecondaryIndex(name="by-status", partition_key="status", projection="keys_only"),
    ),
    "local_secondary_indexes": (
        SecondaryIndex(name="by-updated", sort_key="updated_at", sort_key_type="number"),
    ),
}


def build_indexes(stack: Stack) -> ServerlessApi:
    """Two global and one local secondary index on a provisioned, auto-scaled table."""
    return ServerlessApi(
        stack, "Api", billing_mode="provisioned", min_capacity=2, max_capacity=20, **INDEXED_TABLE
    )


def build_global_table(stack: Stack) -> ServerlessApi:
    """A global table replicated to two other regions, with TTL and the same indexes."""
    return ServerlessApi(
        stack,
        "Api",
        replica_regions=REPLICA_REGIONS,
        ttl_attribute="expires_at",
        **INDEXED_TABLE,
    )


# name -> its stack ``ServerlessApiOption<Name>``; the edge-optimized API's in eu-west-1.
STACKS: dict[str, Callable[[App], Stack]] = {
    "api_private": option_stack("ServerlessApiOptionPrivate", build_private),
    "api_cognito": option_stack("ServerlessApiOptionCognito", build_cognito),
    "api_lambda_authorizer": option_stack(
        "ServerlessApiOptionLambdaAuthorizer", build_lambda_authorizer
    ),
    "api_usage_plan": option_stack("ServerlessApiOptionUsagePlan", build_usage_plan),
    "api_cache": option_stack("ServerlessApiOptionCache", build_cache),
    "api_regional_domain": option_stack("ServerlessApiOptionRegionalDomain", build_regional_domain),
    "api_edge_domain": option_stack("ServerlessApiOptionEdgeDomain", build_edge_domain, EDGE_ENV),
    "api_indexes": option_stack("ServerlessApiOptionIndexes", build_indexes),
    "api_global_table": option_stack("ServerlessApiOptionGlobalTable", build_global_table),
}
TEMPLATES: dict[str, Callable[[], dict]] = templates_of(STACKS)
