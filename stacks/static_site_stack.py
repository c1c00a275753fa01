"""StaticSite and StaticSiteOac: a private S3 bucket behind CloudFront, as a deployment unit."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from constructs_lib.static_site import OriginAccess, StaticSite
from stacks.profiles import Profile

# Sandbox: the cheapest edge locations (North America, Europe, Israel). Production: all of them.
PRICE_CLASS = {"sandbox": "PriceClass_100", "production": "PriceClass_All"}


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
        self.site = StaticSite(
            self,
            "Site",
            origin_access=origin_access,
            price_class=PRICE_CLASS[profile.name],
            access_logs=profile.is_production,
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
