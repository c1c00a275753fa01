"""StaticSite and StaticSiteOac: a private S3 bucket behind CloudFront, as a deployment unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from constructs_lib.static_site import OriginAccess, StaticSite
from stacks.profiles import Profile


@dataclass(frozen=True)
class StaticSiteSettings:
    """Which edge locations serve the site, and whether its access is logged."""

    price_class: str
    access_logs: bool


# Sandbox: the cheapest edge locations (North America, Europe, Israel), no logs, $0 idle.
# Production: every edge location, S3 and CloudFront logs kept in a log bucket.
SETTINGS = {
    "sandbox": StaticSiteSettings("PriceClass_100", access_logs=False),
    "production": StaticSiteSettings("PriceClass_All", access_logs=True),
}


class StaticSiteStack(Stack):
    """The sample site behind CloudFront; access logs and retained buckets in production."""

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
        self.site = StaticSite(
            self,
            "Site",
            origin_access=origin_access,
            price_class=settings.price_class,
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
            description="Open this: the sample page, over HTTPS only",
            value=self.site.url,
        )
        CfnOutput(
            self,
            "BucketName",
            description="The private content bucket (direct access is denied)",
            value=self.site.bucket.bucket_name,
        )
        CfnOutput(self, "DistributionId", value=distribution.distribution_id)
