"""StaticSite and StaticSiteOac: a private S3 bucket behind CloudFront, as a deployment unit.

Context keys read here: ``site_domain`` and ``site_certificate_arn``, the custom domain and its
ACM certificate (us-east-1). Production serves the site on a custom domain: CloudFront's default
``*.cloudfront.net`` certificate allows TLSv1 whatever security policy is asked for, and a
custom certificate lets the distribution require TLSv1.2_2021. Without the two keys, production
takes them from the stack's required CloudFormation parameters ``SiteDomain`` and
``SiteCertificateArn`` (no defaults): ``cdk synth`` needs no AWS resources, and ``cdk deploy``
without values stops before any resource is created. The sandbox keeps the default certificate
unless the two keys are given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnOutput, CfnParameter, Stack
from constructs import Construct

from constructs_lib.static_site import DOMAIN_PATTERN, OriginAccess, StaticSite
from stacks.profiles import Profile

DOMAIN_CONTEXT_KEY = "site_domain"
CERTIFICATE_CONTEXT_KEY = "site_certificate_arn"
DOMAIN_PARAMETER = "SiteDomain"
CERTIFICATE_PARAMETER = "SiteCertificateArn"
# CloudFront reads viewer certificates only from ACM in us-east-1 (partition aws). The same
# pattern checks a context value here and a parameter value in CloudFormation (AllowedPattern).
CERTIFICATE_PATTERN = (
    r"arn:aws:acm:us-east-1:[0-9]{12}:certificate/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
DOMAIN_MAX_LENGTH = 253
_DOMAIN_ALLOWED = "a lowercase DNS name of at most 253 characters, such as 'www.example.com'"
_CERTIFICATE_ALLOWED = (
    "an ACM certificate ARN in us-east-1 (CloudFront reads certificates only there), "
    "arn:aws:acm:us-east-1:<account>:certificate/<uuid>"
)


@dataclass(frozen=True)
class StaticSiteSettings:
    """Which edge locations serve the site, whether its access is logged, and whether it must
    have a custom domain (then from the context keys, else from required stack parameters)."""

    price_class: str
    access_logs: bool
    custom_domain: bool


# Sandbox: the cheapest edge locations (North America, Europe, Israel), no logs, $0 idle, the
# default certificate. Production: every edge location, S3 and CloudFront logs kept in a log
# bucket, a custom domain with its own certificate (TLSv1.2_2021 minimum).
SETTINGS = {
    "sandbox": StaticSiteSettings("PriceClass_100", access_logs=False, custom_domain=False),
    "production": StaticSiteSettings("PriceClass_All", access_logs=True, custom_domain=True),
}


def _domain_from_context(scope: Construct) -> tuple[str, str] | None:
    """``-c site_domain=... -c site_certificate_arn=...``, checked; None when neither is given."""
    domain = scope.node.try_get_context(DOMAIN_CONTEXT_KEY)
    certificate = scope.node.try_get_context(CERTIFICATE_CONTEXT_KEY)
    if domain is None and certificate is None:
        return None
    for key, value, other in (
        (DOMAIN_CONTEXT_KEY, domain, CERTIFICATE_CONTEXT_KEY),
        (CERTIFICATE_CONTEXT_KEY, certificate, DOMAIN_CONTEXT_KEY),
    ):
        if value is None:
            raise ValueError(
                f"{key} is not set but {other} is; allowed: both context keys "
                f"(`-c {DOMAIN_CONTEXT_KEY}=... -c {CERTIFICATE_CONTEXT_KEY}=...`) or neither"
            )
    if (
        not isinstance(domain, str)
        or len(domain) > DOMAIN_MAX_LENGTH
        or not re.fullmatch(DOMAIN_PATTERN, domain)
    ):
        raise ValueError(f"{DOMAIN_CONTEXT_KEY} is {domain!r}; allowed: {_DOMAIN_ALLOWED}")
    if not isinstance(certificate, str) or not re.fullmatch(CERTIFICATE_PATTERN, certificate):
        raise ValueError(
            f"{CERTIFICATE_CONTEXT_KEY} is {certificate!r}; allowed: {_CERTIFICATE_ALLOWED}"
        )
    return domain, certificate


def _domain_from_parameters(stack: Stack) -> tuple[str, str]:
    """Two required parameters (no Default): CloudFormation checks their values on deploy."""
    domain = CfnParameter(
        stack,
        DOMAIN_PARAMETER,
        type="String",
        description="The site's custom domain (a CloudFront alternate domain name), such as "
        "www.example.com; point its DNS at the DistributionDomainName output",
        allowed_pattern=DOMAIN_PATTERN,
        max_length=DOMAIN_MAX_LENGTH,
        constraint_description=_DOMAIN_ALLOWED,
    )
    certificate = CfnParameter(
        stack,
        CERTIFICATE_PARAMETER,
        type="String",
        description="ARN of the ACM certificate (in us-east-1) that covers SiteDomain",
        allowed_pattern=CERTIFICATE_PATTERN,
        constraint_description=_CERTIFICATE_ALLOWED,
    )
    return domain.value_as_string, certificate.value_as_string


class StaticSiteStack(Stack):
    """The sample site behind CloudFront; a custom domain, access logs and retained buckets in
    production."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: Profile,
        origin_access: OriginAccess = "oai",
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        settings = profile.pick(SETTINGS, "static-site")
        custom = _domain_from_context(self)
        if custom is None and settings.custom_domain:
            custom = _domain_from_parameters(self)
        domain_name, certificate_arn = custom if custom is not None else (None, None)
        self.site = StaticSite(
            self,
            "Site",
            origin_access=origin_access,
            price_class=settings.price_class,
            domain_name=domain_name,
            certificate_arn=certificate_arn,
            access_logs=settings.access_logs,
            deployment_log_retention=profile.log_retention,
            removal_policy=profile.removal_policy,
            auto_delete_objects=profile.auto_delete_objects,
        )
        distribution = self.site.distribution
        CfnOutput(
            self,
            "DistributionDomainName",
            description="The distribution's *.cloudfront.net name (point a CNAME/alias here)",
            value=distribution.distribution_domain_name,
        )
        CfnOutput(
            self,
            "DistributionUrl",
            description=(
                "The sample page on the *.cloudfront.net name, whose default certificate "
                "allows TLSv1: open SiteUrl instead"
                if domain_name
                else "Open this: the sample page, over HTTPS only"
            ),
            value=f"https://{distribution.distribution_domain_name}",
        )
        if domain_name is not None:
            CfnOutput(
                self,
                "SiteUrl",
                description="Open this: the site on its custom domain (TLSv1.2_2021 minimum), "
                "once its DNS points at DistributionDomainName",
                value=self.site.url,
            )
        CfnOutput(
            self,
            "BucketName",
            description="The private content bucket (direct access is denied)",
            value=self.site.bucket.bucket_name,
        )
        CfnOutput(self, "DistributionId", value=distribution.distribution_id)
