"""Templates of StaticSite options no profile uses (template paths ``options:<name>``).

``STACKS[name](app)`` adds a stack holding the construct, with those options (the contract:
tests/option_templates.py); ``TEMPLATES[name]()`` returns its template, from one synthesis of
every stack here with the cdk-nag gate on. The signing key is ``test_only_signing_key.pub.pem``: the
public half of a throwaway RSA 2048 key made with ``openssl genrsa`` for these tests; its
private half was deleted and signs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aws_cdk import App, Duration, RemovalPolicy, Stack
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3

from constructs_lib.static_site import StaticSite, _hardened_bucket, _log_bucket
from tests.option_templates import option_stack, templates_of

SIGNING_KEY = Path(__file__).with_name("test_only_signing_key.pub.pem")
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
WEB_ACL = (
    "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
)
REPLICA_NAME = "site-replica-us-west-2"
REPLICA_REGION = "us-west-2"
PATH_TTLS = {
    "/assets/*": Duration.days(365),
    "fonts/*": Duration.days(365),
    "*.html": Duration.minutes(5),
    "/feed.xml": Duration.seconds(0),
}
SIGNED_PATHS = ("/private/*", "members/*")


def _replica(stack: Stack) -> s3.Bucket:
    """A bucket of the same stack standing in for a replica of the content: hardened like it."""
    logs = _log_bucket(
        stack,
        "ReplicaLogs",
        writer="the replica's S3 server access logs",
        expiration=Duration.days(30),
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=False,
    )
    return _hardened_bucket(
        stack,
        "Replica",
        lifecycle_id="ExpireReplacedContent",
        server_access_logs_bucket=logs,
        server_access_logs_prefix="s3-access/",
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=False,
    )


def _imported_replica(stack: Stack) -> s3.IBucket:
    """A cross-region replica made elsewhere, imported by name: CDK cannot write its policy."""
    return s3.Bucket.from_bucket_attributes(
        stack, "Replica", bucket_name=REPLICA_NAME, region=REPLICA_REGION
    )


def _failover_oai(stack: Stack) -> None:
    StaticSite(
        stack,
        "Site",
        failover_bucket=_replica(stack),
        path_cache_ttls={"/assets/*": Duration.days(365)},
        access_logs=False,
    )


def _failover_oac(stack: Stack) -> None:
    StaticSite(
        stack, "Site", origin_access="oac", failover_bucket=_replica(stack), access_logs=False
    )


def _failover_imported_oac(stack: Stack) -> None:
    StaticSite(
        stack,
        "Site",
        origin_access="oac",
        failover_bucket=_imported_replica(stack),
        access_logs=False,
    )


def _failover_imported_oai(stack: Stack) -> None:
    StaticSite(stack, "Site", failover_bucket=_imported_replica(stack), access_logs=False)


def _behaviours(stack: Stack) -> None:
    StaticSite(
        stack,
        "Site",
        origin_access="oac",
        path_cache_ttls=PATH_TTLS,
        signed_paths=SIGNED_PATHS,
        signing_public_key_pem=SIGNING_KEY.read_text(),
        access_logs=False,
    )


def _variants(stack: Stack) -> None:
    """The options test_static_site_facts.py's ``variants`` fixture reads (stack ``Variants``)."""
    StaticSite(stack, "Spa", single_page_app=True, geo_allowlist=["DE", "FR"])
    zone = route53.HostedZone.from_hosted_zone_attributes(
        stack, "Zone", hosted_zone_id="Z0123456789ABCDEFGHIJ", zone_name="example.com"
    )
    StaticSite(
        stack,
        "Custom",
        origin_access="oac",
        domain_name="www.example.com",
        certificate_arn=CERTIFICATE,
        hosted_zone=zone,
        geo_denylist=["KP"],
        web_acl_arn=WEB_ACL,
        price_class="PriceClass_200",
    )


STACKS: dict[str, Callable[[App], Stack]] = {
    "site_failover_oai": option_stack("SiteFailoverOai", _failover_oai),
    "site_failover_oac": option_stack("SiteFailoverOac", _failover_oac),
    "site_failover_imported_oac": option_stack("SiteFailoverImportedOac", _failover_imported_oac),
    "site_failover_imported_oai": option_stack("SiteFailoverImportedOai", _failover_imported_oai),
    "site_behaviours": option_stack("SiteBehaviours", _behaviours),
    "site_variants": option_stack("Variants", _variants),
}
TEMPLATES: dict[str, Callable[[], dict]] = templates_of(STACKS)
