"""WebTier: an ALB and an Auto Scaling group in their own three-tier VPC, as a deployment unit."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from constructs_lib.network import ThreeTierNetwork
from constructs_lib.web_tier import WebTier
from stacks.profiles import Profile

CERTIFICATE_ARN_CONTEXT_KEY = "certificate_arn"

# (min, desired, max) instances: sandbox the cheapest thing that scales, production one per AZ
# at least, room to triple.
CAPACITY: dict[str, tuple[int, int, int]] = {"sandbox": (1, 1, 2), "production": (2, 2, 6)}
# Seconds the ALB drains a leaving instance: the page answers in milliseconds, so the sandbox
# need not wait the default 300 s on every scale-in or `cdk destroy`.
DEREGISTRATION_DELAY: dict[str, int] = {"sandbox": 30, "production": 300}
# The notes' scheduled-scaling example ("min 10 at 5 pm on Fridays", here within max 6):
# production raises its minimum to 4 from 17:00 to 23:00 UTC on Fridays.
PEAK_MIN_CAPACITY: dict[str, int | None] = {"sandbox": None, "production": 4}


class WebTierStack(Stack):
    """ALB + ASG: 1/1/2 instances over 2 AZs in sandbox, 2/2/6 over 3 AZs in production."""

    def __init__(
        self, scope: Construct, construct_id: str, *, profile: Profile, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        certificate_arn = self.node.try_get_context(CERTIFICATE_ARN_CONTEXT_KEY)
        self.network = ThreeTierNetwork(
            self,
            "Network",
            max_azs=profile.max_azs,
            nat_gateways=profile.nat_gateways,
            flow_log_retention=profile.log_retention,
            removal_policy=profile.removal_policy,
        )
        min_capacity, desired, max_capacity = CAPACITY[profile.name]
        # CloudFormation starts a group at its minimum when DesiredCapacity is absent; leaving it
        # out when it equals the minimum keeps a deployment from resetting a group that scaling
        # has grown (aws-cdk's desiredCapacitySet warning).
        desired_capacity = None if desired == min_capacity else desired
        self.web = WebTier(
            self,
            "Web",
            vpc=self.network.vpc,
            alb_subnets=self.network.public_subnets,
            instance_subnets=self.network.app_subnets,
            bastion_security_group=self.network.bastion_security_group,
            min_capacity=min_capacity,
            desired_capacity=desired_capacity,
            max_capacity=max_capacity,
            peak_min_capacity=PEAK_MIN_CAPACITY[profile.name],
            deregistration_delay_seconds=DEREGISTRATION_DELAY[profile.name],
            certificate_arn=certificate_arn,
            access_logs=profile.is_production,
            deletion_protection=profile.deletion_protection,
            removal_policy=profile.removal_policy,
            auto_delete_objects=profile.auto_delete_objects,
        )
        CfnOutput(
            self,
            "AlbDnsName",
            description="The load balancer's DNS name (point a Route 53 alias record at it)",
            value=self.web.load_balancer.load_balancer_dns_name,
        )
        CfnOutput(
            self,
            "AlbUrl",
            description="Open it: each reload may name another instance and AZ",
            value=self.web.url,
        )
        CfnOutput(
            self,
            "AsgName",
            description="The Auto Scaling group (watch its activity while a load test runs)",
            value=self.web.auto_scaling_group.auto_scaling_group_name,
        )
        if self.network.bastion is not None:
            CfnOutput(
                self,
                "BastionInstanceId",
                description="Run the load test from here: aws ssm start-session --target <id>",
                value=self.network.bastion.instance_id,
            )
