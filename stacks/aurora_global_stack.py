"""Aurora global database: one stack per region, primary first, each with its own VPC."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnOutput, Environment, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from constructs_lib.aurora_global import (
    AuroraGlobalPrimary,
    AuroraGlobalSecondary,
    default_engine,
    validate_regions,
)
from constructs_lib.network import APPLICATION
from stacks import names
from stacks.profiles import Profile
from stacks.shared_network import NetworkAttachment, profile_network, region_vpc_cidr

PRIMARY_REGION_CONTEXT_KEY = "aurora_primary_region"
SECONDARY_REGIONS_CONTEXT_KEY = "aurora_secondary_regions"
DEFAULT_PRIMARY_REGION = "us-east-1"
DEFAULT_SECONDARY_REGIONS = ("us-west-2",)
PRIMARY_STACK = names.AURORA_PRIMARY
SECONDARY_STACK_PREFIX = names.AURORA_SECONDARY_PREFIX


@dataclass(frozen=True)
class AuroraGlobalSettings:
    """Each region's instances, their monitoring, keys, network, and what deletion does."""

    # db.serverless (Aurora Serverless v2) or a provisioned memory-optimized class.
    instance_class: str
    readers: int
    # The clusters' removal policy; their KMS keys, secret and log groups are kept unless DESTROY.
    removal_policy: RemovalPolicy
    # RDS Enhanced Monitoring: seconds between OS metric samples of each instance, 0 = off.
    monitoring_interval_seconds: int
    # With db.serverless: each instance's (minimum, maximum) ACUs; None when provisioned.
    serverless_capacity: tuple[float, float] | None = None
    # A KMS key per region of the stack's own (True), or RDS's AWS-managed aws/rds key.
    customer_managed_key: bool = True
    # The own VPC (not a shared one) has a NAT (True), or no route out at all (False): then the
    # primary's rotation Lambda reaches Secrets Manager through an interface endpoint.
    own_network_egress: bool = True
    # A bastion in the own VPC.
    own_network_bastion: bool = True


# Sandbox: a Serverless v2 writer alone per region at 0.5 ACU (the lowest a global database
# runs at; at most 2 ACUs, so a runaway query costs $0.24 an hour), deleted with the stack, and
# no Enhanced Monitoring (0, the cheapest): its OS metrics go to CloudWatch Logs (RDSOSMetrics),
# billed per GB, and need a role, which a study database that lives a day does not; the free basic
# CloudWatch metrics remain (Security Hub RDS.6 flags the sandbox instances for it, knowingly).
# RDS's AWS-managed key, so no key fee and no key left pending deletion after `cdk destroy`.
# Its own VPC has no NAT gateway and no bastion (nothing in it goes to the internet, and the
# database admits only the application tier, which the bastion is not in): the rotation Lambda
# uses a Secrets Manager endpoint in one AZ. Together that idles the pair under $100 a month.
# Production: provisioned db.r6g.large (a steady load costs less on it than on the 8 ACUs that
# match its 16 GiB), a writer and a reader per region, so a region survives an instance loss, a
# final snapshot on deletion, customer-managed keys, and Enhanced Monitoring every 60 seconds
# (the cheapest interval that still shows per-process CPU and memory when a region misbehaves).
# Its own VPC keeps NAT for the rotation Lambda but no bastion either: an internet-facing host
# that cannot reach the database is only attack surface (and $7.36 a month a region).
SETTINGS = {
    "sandbox": AuroraGlobalSettings(
        "db.serverless",
        0,
        RemovalPolicy.DESTROY,
        0,
        serverless_capacity=(0.5, 2),
        customer_managed_key=False,
        own_network_egress=False,
        own_network_bastion=False,
    ),
    "production": AuroraGlobalSettings(
        "db.r6g.large", 1, RemovalPolicy.SNAPSHOT, 60, own_network_bastion=False
    ),
}


def global_cluster_identifier(profile: Profile) -> str:
    """Deterministic, so secondaries join by name and no cross-region reference is needed."""
    return f"refarch-aurora-{profile.name}"


def regions_from_context(app: Construct) -> tuple[str, list[str]]:
    """The primary region and the secondary regions that context chooses (validated)."""
    primary = str(app.node.try_get_context(PRIMARY_REGION_CONTEXT_KEY) or DEFAULT_PRIMARY_REGION)
    raw = app.node.try_get_context(SECONDARY_REGIONS_CONTEXT_KEY)
    if raw is None:
        secondaries = list(DEFAULT_SECONDARY_REGIONS)
    elif isinstance(raw, str):
        secondaries = [region.strip() for region in raw.split(",") if region.strip()]
    else:
        secondaries = [str(region).strip() for region in raw]
    validate_regions(primary, secondaries)
    return primary, secondaries


class _AuroraRegionStack(Stack):
    """One region: the database in the data tier of a three-tier VPC (its own, or a shared one).

    :param network: a network to join (``-c network=shared``). Default: None (its own VPC).
    :param vpc_cidr: its own VPC's range. Default: ``10.0.0.0/16``; ``add_aurora_global`` gives
        each region its own (``region_vpc_cidr``), so the regions' VPCs never overlap.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: Profile,
        network: NetworkAttachment | None = None,
        vpc_cidr: str = region_vpc_cidr(0),
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.profile = profile
        self.vpc_cidr = vpc_cidr
        self.settings = profile.pick(SETTINGS, "aurora-global")
        self.engine = default_engine()
        self.owns_network = network is None
        self.network = network or self._own_network()
        self.network.join(self)

    def _own_network(self) -> NetworkAttachment:
        egress = self.settings.own_network_egress
        return NetworkAttachment.of(
            profile_network(
                self,
                self.profile,
                db_port=5432,
                vpc_cidr=self.vpc_cidr,
                bastion=self.settings.own_network_bastion,
                **({} if egress else {"nat_type": "none", "nat_gateways": 0}),
            )
        )

    def _database_props(self) -> dict[str, Any]:
        profile = self.profile
        settings = self.settings
        capacity = settings.serverless_capacity or (None, None)
        return {
            "vpc": self.network.vpc,
            "vpc_subnets": self.network.data_subnets,
            "security_group": self.network.data_security_group,
            "global_cluster_identifier": global_cluster_identifier(profile),
            "engine": self.engine,
            "port": self.network.db_port,
            "instance_class": settings.instance_class,
            "readers": settings.readers,
            "deletion_protection": profile.deletion_protection,
            "removal_policy": settings.removal_policy,
            "log_retention": profile.log_retention,
            "monitoring_interval_seconds": settings.monitoring_interval_seconds,
            "serverless_min_capacity": capacity[0],
            "serverless_max_capacity": capacity[1],
            "customer_managed_key": settings.customer_managed_key,
        }

    def _add_endpoint_outputs(self, database: AuroraGlobalPrimary | AuroraGlobalSecondary) -> None:
        CfnOutput(self, "GlobalClusterId", value=database.global_cluster_identifier)
        CfnOutput(self, "ClusterIdentifier", value=database.cluster_identifier)
        CfnOutput(
            self,
            "WriterEndpoint",
            description="Writer endpoint (in a secondary region it answers only after promotion)",
            value=database.writer_endpoint,
        )
        CfnOutput(self, "ReaderEndpoint", value=database.reader_endpoint)
        CfnOutput(self, "Port", value=str(database.port))
        CfnOutput(
            self,
            "DatabaseSecurityGroupId",
            value=self.network.data_security_group.security_group_id,
        )
        CfnOutput(
            self,
            "AppSecurityGroupId",
            description="Put database clients in this group: only it reaches the database port",
            value=self.network.app_security_group.security_group_id,
        )


class AuroraGlobalPrimaryStack(_AuroraRegionStack):
    """The global cluster and the primary (read/write) cluster, in the primary region."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: Profile,
        network: NetworkAttachment | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, profile=profile, network=network, **kwargs)
        if self.owns_network and not self.settings.own_network_egress:
            self._add_secrets_manager_endpoint()
        self.database = AuroraGlobalPrimary(
            self,
            "Database",
            **self._database_props(),
            rotation_subnets=self.network.app_subnets,
            rotation_security_group=self.network.app_security_group,
        )
        self._add_endpoint_outputs(self.database)
        CfnOutput(
            self,
            "SecretArn",
            description="Master credentials (Secrets Manager, rotated every 30 days)",
            value=self.database.secret.secret_arn,
        )

    def _add_secrets_manager_endpoint(self) -> None:
        """The rotation Lambda's only way out of a VPC without NAT: Secrets Manager, privately.

        One AZ is enough for a sandbox (the endpoint answers the whole VPC), and it costs half
        of two; only the application tier, where the Lambda runs, may call it.
        """
        vpc = self.network.vpc
        endpoint = vpc.add_interface_endpoint(
            "SecretsManagerEndpoint",
            service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
            subnets=ec2.SubnetSelection(
                subnet_group_name=APPLICATION, availability_zones=vpc.availability_zones[:1]
            ),
            open=False,
        )
        endpoint.connections.allow_default_port_from(
            self.network.app_security_group, "Secrets Manager API from the application tier"
        )


class AuroraGlobalSecondaryStack(_AuroraRegionStack):
    """A read-only secondary cluster joined to the global cluster, in a secondary region."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: Profile,
        network: NetworkAttachment | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, profile=profile, network=network, **kwargs)
        self.database = AuroraGlobalSecondary(self, "Database", **self._database_props())
        self._add_endpoint_outputs(self.database)


def add_aurora_global_stacks(
    scope: Construct,
    *,
    profile: Profile,
    account: str | None,
    prefix: str = "",
    network_for: Callable[[str], NetworkAttachment | None] = lambda region: None,
) -> dict[str, Stack]:
    """The primary stack and one stack per secondary region, primary deployed first.

    ``network_for(region)`` gives a shared network of that region, or None for its own VPC.
    """
    primary_region, secondary_regions = regions_from_context(scope)
    primary = AuroraGlobalPrimaryStack(
        scope,
        f"{prefix}{PRIMARY_STACK}",
        profile=profile,
        network=network_for(primary_region),
        env=Environment(account=account, region=primary_region),
        description=(
            f"Aurora global database: global cluster and primary cluster in {primary_region} "
            f"({profile.name} profile)"
        ),
    )
    stacks: dict[str, Stack] = {primary.node.id: primary}
    for index, region in enumerate(secondary_regions, start=1):
        secondary = AuroraGlobalSecondaryStack(
            scope,
            f"{prefix}{SECONDARY_STACK_PREFIX}{region}",
            profile=profile,
            network=network_for(region),
            vpc_cidr=region_vpc_cidr(index),
            env=Environment(account=account, region=region),
            description=(
                f"Aurora global database: read-only secondary cluster in {region} "
                f"({profile.name} profile)"
            ),
        )
        secondary.add_stack_dependency(
            primary, "a secondary joins the global cluster the primary made"
        )
        stacks[secondary.node.id] = secondary
    return stacks
