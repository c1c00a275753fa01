"""WhatIsTheTime.com, the notes' stateless app, as seven stacks [004:2338-2398]: each version
fixes the problem the one before it states, and states its own.

``WhatIsTheTimeV1`` ... ``WhatIsTheTimeV7`` are independent deployment units (deploy one, study
it, destroy it, deploy the next); each builds its own network, or joins ``-c network=shared``.
The notes carry no text for versions 2 and 3, only the problems that lead to them (v1's "scale
vertically", v3's "clients must know every IP"); what is built is what those problems imply (v2:
the one instance made bigger; v3: several instances, each with an Elastic IP).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnOutput, Duration, Environment, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_route53 as route53
from constructs import Construct

from constructs_lib.dns_records import DnsRecords
from constructs_lib.fixed_fleet import FixedFleet
from constructs_lib.web_tier import WebTier
from stacks import names
from stacks.certificate import certificate_arn_for
from stacks.classic_apps.user_data import time_server_user_data
from stacks.profiles import Profile
from stacks.shared_network import NetworkAttachment, profile_network
from stacks.versions import (
    Version,
    add_version_outputs,
    add_version_stacks,
    pick_version,
    versions,
)

DOMAIN_CONTEXT_KEY = "domain"
# Without `-c domain`: a private zone of each version's own VPC, so no domain is needed.
PRIVATE_ZONE_NAME = "whatisthetime.internal"
# v4's record TTL: the notes' "DNS takes time to update (1h)" [004:2368-2370].
V4_RECORD_TTL = Duration.hours(1)


VERSIONS = versions(
    Version(1, "one public instance with an Elastic IP", "load grows: scale vertically"),
    Version(
        2,
        "the same instance, a bigger type (vertical scaling: a stop and start)",
        "downtime while it resizes, and a largest type; scale horizontally",
    ),
    Version(
        3,
        "several public instances, an Elastic IP each",
        "clients must know every IP, and a region allows 5 Elastic IPs by default",
    ),
    Version(
        4,
        "a Route 53 A record with a TTL listing the instances' IPs, no Elastic IPs",
        "a dead instance stays in answers for up to the TTL; adding one waits on caches",
    ),
    Version(
        5,
        "a load balancer with health checks in front of private instances that admit only "
        "its security group; a Route 53 alias record to it",
        "adding and removing instances is still by hand",
    ),
    Version(
        6,
        "an Auto Scaling group registering its instances with the load balancer",
        "every instance is in one AZ: an AZ's failure takes the app down",
    ),
    Version(
        7,
        "the group spread over every AZ, at least 2 instances",
        "on-demand prices for a minimum that never changes: reserve capacity for it",
    ),
)


@dataclass(frozen=True)
class WhatIsTheTimeSettings:
    """What the versions change per profile."""

    instance_type: str
    # v2: the one instance, scaled vertically.
    scaled_up_instance_type: str
    # v3-v5: instances added by hand.
    fixed_instances: int
    # v6 (one AZ) and v7 (every AZ): the group's (min, max).
    single_az_capacity: tuple[int, int]
    multi_az_capacity: tuple[int, int]
    # Production: the instances that are not in a group are protected from termination and
    # monitored every minute (cdk-nag EC28/EC29); the sandbox's must go with `cdk destroy`.
    protect_instances: bool
    access_logs: bool
    # v5-v7 (the load balancer): HTTPS only, the certificate from `-c certificate_arn` or a
    # parameter.
    https_only: bool


# Sandbox: the smallest Graviton types, two instances where the version needs several, no NAT
# (the clock needs no internet). Production: bigger types, three instances, HTTPS from v5 on.
SETTINGS = {
    "sandbox": WhatIsTheTimeSettings(
        "t4g.nano", "t4g.micro", 2, (1, 2), (2, 4), False, access_logs=False, https_only=False
    ),
    "production": WhatIsTheTimeSettings(
        "t4g.small", "t4g.large", 3, (2, 4), (2, 6), True, access_logs=True, https_only=True
    ),
}


def _first_az(network: NetworkAttachment, tier: ec2.SubnetSelection) -> ec2.SubnetSelection:
    """``tier``'s subnet in the network's first AZ: v1-v6 keep everything in one AZ."""
    subnets = network.vpc.select_subnets(subnet_group_name=tier.subnet_group_name).subnets
    return ec2.SubnetSelection(subnets=subnets[:1])


class WhatIsTheTimeStack(Stack):
    """WhatIsTheTime.com ``version`` (1 to 7): the notes' fix, in its own network.

    :param version: which version of the notes to build.
    :param network: a network to join (``-c network=shared``). Default: None (its own VPC,
        with no NAT: the instances' clock page needs no internet).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        version: int,
        profile: Profile,
        network: NetworkAttachment | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.version = pick_version(version, VERSIONS)
        self.profile = profile
        self.settings = profile.pick(SETTINGS, "what-is-the-time")
        self.network = network or NetworkAttachment.of(
            profile_network(self, profile, nat_type="none", nat_gateways=0, bastion=False)
        )
        self.network.join(self)
        self.fleet: FixedFleet | None = None
        self.web: WebTier | None = None
        self.dns: DnsRecords | None = None
        if version <= 4:
            self._public_instances()
        elif version == 5:
            self._load_balanced_instances()
        else:
            self._auto_scaling_group()
        if version >= 4:
            self._dns_name()
        self._add_outputs()

    def _fleet(self, **props: Any) -> FixedFleet:
        s, protect = self.settings, self.settings.protect_instances
        return FixedFleet(
            self,
            "Fleet",
            vpc=self.network.vpc,
            user_data=time_server_user_data(),
            detailed_monitoring=protect,
            termination_protection=protect,
            access_logs=s.access_logs,
            deletion_protection=self.profile.deletion_protection,
            removal_policy=self.profile.removal_policy,
            auto_delete_objects=self.profile.auto_delete_objects,
            **props,
        )

    def _public_instances(self) -> None:
        number, s = self.version.number, self.settings
        self.fleet = self._fleet(
            subnets=_first_az(self.network, self.network.public_subnets),
            count=1 if number <= 2 else s.fixed_instances,
            instance_type=s.scaled_up_instance_type if number == 2 else s.instance_type,
            public=True,
            elastic_ips=number <= 3,
        )

    def _load_balanced_instances(self) -> None:
        self.fleet = self._fleet(
            subnets=_first_az(self.network, self.network.app_subnets),
            alb_subnets=self.network.public_subnets,
            count=self.settings.fixed_instances,
            instance_type=self.settings.instance_type,
            public=False,
            load_balancer=True,
            deregistration_delay_seconds=30,
            certificate_arn=certificate_arn_for(self, https_only=self.settings.https_only),
        )

    def _auto_scaling_group(self) -> None:
        s, multi_az = self.settings, self.version.number == 7
        low, high = s.multi_az_capacity if multi_az else s.single_az_capacity
        self.web = WebTier(
            self,
            "Web",
            vpc=self.network.vpc,
            alb_subnets=self.network.public_subnets,
            instance_subnets=(
                self.network.app_subnets
                if multi_az
                else _first_az(self.network, self.network.app_subnets)
            ),
            instance_type=s.instance_type,
            min_capacity=low,
            max_capacity=high,
            user_data=time_server_user_data(),
            deregistration_delay_seconds=30,
            certificate_arn=certificate_arn_for(self, https_only=s.https_only),
            access_logs=s.access_logs,
            deletion_protection=self.profile.deletion_protection,
            removal_policy=self.profile.removal_policy,
            auto_delete_objects=self.profile.auto_delete_objects,
        )

    def _dns_name(self) -> None:
        """v4: an A record listing the instances; v5 on: an alias to the load balancer."""
        domain = self.node.try_get_context(DOMAIN_CONTEXT_KEY)
        if domain:
            # A public zone you already host: each version gets a name of its own in it.
            zone: dict[str, Any] = {
                "hosted_zone": route53.HostedZone.from_lookup(self, "Zone", domain_name=domain),
                "record_name": f"whatisthetime-v{self.version.number}",
            }
        else:
            zone = {"zone_name": PRIVATE_ZONE_NAME, "vpc": self.network.vpc}
        if self.fleet is not None and self.fleet.load_balancer is None:
            target: dict[str, Any] = {
                "addresses": self.fleet.public_addresses,
                "ttl": V4_RECORD_TTL,
            }
        else:
            balancer = self.fleet.load_balancer if self.fleet else self.web.load_balancer
            target = {"load_balancer": balancer}
        self.dns = DnsRecords(self, "Dns", **zone, **target)

    def _add_outputs(self) -> None:
        add_version_outputs(self, self.version)
        if self.fleet is not None and self.fleet.load_balancer is None:
            CfnOutput(
                self,
                "PublicAddresses",
                description="Open http://<address>/ for each: every instance answers itself",
                value=Fn.join(",", self.fleet.public_addresses),
            )
        url = self.web.url if self.web else self.fleet.url
        CfnOutput(self, "Url", description="The time, and which instance and AZ told it", value=url)
        if self.dns is not None:
            public = bool(self.node.try_get_context(DOMAIN_CONTEXT_KEY))
            CfnOutput(
                self,
                "DnsName",
                description=(
                    "The name clients resolve: dig +short <name> from anywhere"
                    if public
                    else "The name clients resolve, inside this VPC only (a private zone): "
                    "`-c domain=<your zone>` makes it public"
                ),
                value=self.dns.fqdn,
            )
        if self.web is not None:
            CfnOutput(
                self,
                "AsgName",
                description="The Auto Scaling group: terminate an instance and watch it return",
                value=self.web.auto_scaling_group.auto_scaling_group_name,
            )


def add_what_is_the_time_stacks(
    scope: Construct,
    *,
    profile: Profile,
    env: Environment | None,
    prefix: str = "",
    network_for: Callable[[str | None], NetworkAttachment | None] = lambda region: None,
) -> dict[str, Stack]:
    """WhatIsTheTimeV1 ... WhatIsTheTimeV7, independent of each other."""
    return add_version_stacks(
        VERSIONS,
        lambda number, version: WhatIsTheTimeStack(
            scope,
            f"{prefix}{names.WHAT_IS_THE_TIME_PREFIX}{number}",
            version=number,
            profile=profile,
            network=network_for(None),
            env=env,
            description=f"WhatIsTheTime.com v{number}: {version.fix} ({profile.name} profile)",
        ),
    )
