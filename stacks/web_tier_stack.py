"""WebTier: an ALB and an Auto Scaling group in a three-tier VPC, as a deployment unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from constructs_lib.web_tier import WebTier
from stacks.certificate import certificate_arn_for
from stacks.profiles import Profile
from stacks.shared_network import NetworkAttachment, profile_network


@dataclass(frozen=True)
class WebTierSettings:
    """What the web tier changes per profile."""

    min_capacity: int
    desired_capacity: int
    max_capacity: int
    # Seconds the ALB drains a leaving instance: the page answers in milliseconds, so the sandbox
    # need not wait the default 300 s on every scale-in or `cdk destroy`.
    deregistration_delay_seconds: int
    # The notes' scheduled-scaling example ("min 10 at 5 pm on Fridays", here within max 6).
    peak_min_capacity: int | None
    access_logs: bool
    # Never plain HTTP: without `-c certificate_arn` the template asks for one at deploy time.
    https_only: bool = False


# Sandbox: the cheapest thing that scales. Production: one instance per AZ at least, room to
# triple, its minimum raised to 4 from 17:00 to 23:00 UTC on Fridays, access logs kept.
SETTINGS = {
    "sandbox": WebTierSettings(1, 1, 2, 30, None, access_logs=False),
    "production": WebTierSettings(2, 2, 6, 300, 4, access_logs=True, https_only=True),
}


class WebTierStack(Stack):
    """ALB + ASG: 1/1/2 instances over 2 AZs in sandbox, 2/2/6 over 3 AZs in production.

    :param network: a network to join (``-c network=shared``). Default: None (its own VPC).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: Profile,
        network: NetworkAttachment | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        settings = profile.pick(SETTINGS, "web-tier")
        certificate_arn = certificate_arn_for(self, https_only=settings.https_only)
        self.network = network or NetworkAttachment.of(profile_network(self, profile))
        self.network.join(self)
        # CloudFormation starts a group at its minimum when DesiredCapacity is absent; leaving it
        # out when it equals the minimum keeps a deployment from resetting a group that scaling
        # has grown (aws-cdk's desiredCapacitySet warning).
        desired = settings.desired_capacity
        self.web = WebTier(
            self,
            "Web",
            vpc=self.network.vpc,
            alb_subnets=self.network.public_subnets,
            instance_subnets=self.network.app_subnets,
            bastion_security_group=self.network.bastion_security_group,
            # The application tier's group: what the network's data tier admits.
            instance_security_groups=[self.network.app_security_group],
            min_capacity=settings.min_capacity,
            desired_capacity=None if desired == settings.min_capacity else desired,
            max_capacity=settings.max_capacity,
            peak_min_capacity=settings.peak_min_capacity,
            deregistration_delay_seconds=settings.deregistration_delay_seconds,
            certificate_arn=certificate_arn,
            access_logs=settings.access_logs,
            deletion_protection=profile.deletion_protection,
            removal_policy=profile.removal_policy,
            auto_delete_objects=profile.auto_delete_objects,
        )
        self._add_outputs()

    def _add_outputs(self) -> None:
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
