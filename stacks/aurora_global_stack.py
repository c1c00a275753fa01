"""Aurora global database: one stack per region, primary first, each with its own VPC."""

from __future__ import annotations

from typing import Any

from aws_cdk import App, CfnOutput, Environment, RemovalPolicy, Stack
from constructs import Construct

from constructs_lib.aurora_global import (
    AuroraGlobalPrimary,
    AuroraGlobalSecondary,
    default_engine,
    validate_regions,
)
from constructs_lib.network import ThreeTierNetwork
from stacks.profiles import Profile

PRIMARY_REGION_CONTEXT_KEY = "aurora_primary_region"
SECONDARY_REGIONS_CONTEXT_KEY = "aurora_secondary_regions"
DEFAULT_PRIMARY_REGION = "us-east-1"
DEFAULT_SECONDARY_REGIONS = ("us-west-2",)
PRIMARY_STACK = "AuroraGlobalPrimary"
SECONDARY_STACK_PREFIX = "AuroraGlobalSecondary-"

# db.r6g.large is the smallest class global databases support. Sandbox: a writer alone per
# region; production: a writer and a reader per region, so a region survives an instance loss.
INSTANCE_CLASS = {"sandbox": "db.r6g.large", "production": "db.r6g.large"}
READERS = {"sandbox": 0, "production": 1}
BACKUP_RETENTION_DAYS = {"sandbox": 7, "production": 7}
# The clusters' removal policy; their KMS keys, secret and log groups are kept unless DESTROY.
REMOVAL_POLICY = {"sandbox": RemovalPolicy.DESTROY, "production": RemovalPolicy.SNAPSHOT}


def global_cluster_identifier(profile: Profile) -> str:
    """Deterministic, so secondaries join by name and no cross-region reference is needed."""
    return f"refarch-aurora-{profile.name}"


def _regions_from_context(app: App) -> tuple[str, list[str]]:
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
    """One region: a three-tier VPC and the database in its data tier."""

    def __init__(
        self, scope: Construct, construct_id: str, *, profile: Profile, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.profile = profile
        self.engine = default_engine()
        self.network = ThreeTierNetwork(
            self,
            "Network",
            max_azs=profile.max_azs,
            nat_gateways=profile.nat_gateways,
            db_port=5432,
            flow_log_retention=profile.log_retention,
            removal_policy=profile.removal_policy,
        )

    def _database_props(self) -> dict[str, Any]:
        profile = self.profile
        return {
            "vpc": self.network.vpc,
            "vpc_subnets": self.network.data_subnets,
            "security_group": self.network.data_security_group,
            "global_cluster_identifier": global_cluster_identifier(profile),
            "engine": self.engine,
            "port": self.network.db_port,
            "instance_class": INSTANCE_CLASS[profile.name],
            "readers": READERS[profile.name],
            "backup_retention": BACKUP_RETENTION_DAYS[profile.name],
            "deletion_protection": profile.deletion_protection,
            "removal_policy": REMOVAL_POLICY[profile.name],
            "log_retention": profile.log_retention,
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
        self, scope: Construct, construct_id: str, *, profile: Profile, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, profile=profile, **kwargs)
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


class AuroraGlobalSecondaryStack(_AuroraRegionStack):
    """A read-only secondary cluster joined to the global cluster, in a secondary region."""

    def __init__(
        self, scope: Construct, construct_id: str, *, profile: Profile, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, profile=profile, **kwargs)
        self.database = AuroraGlobalSecondary(self, "Database", **self._database_props())
        self._add_endpoint_outputs(self.database)


def add_aurora_global_stacks(
    app: App, *, profile: Profile, account: str | None
) -> dict[str, Stack]:
    """The primary stack and one stack per secondary region, primary deployed first."""
    primary_region, secondary_regions = _regions_from_context(app)
    primary = AuroraGlobalPrimaryStack(
        app,
        PRIMARY_STACK,
        profile=profile,
        env=Environment(account=account, region=primary_region),
        description=(
            f"Aurora global database: global cluster and primary cluster in {primary_region} "
            f"({profile.name} profile)"
        ),
    )
    stacks: dict[str, Stack] = {PRIMARY_STACK: primary}
    for region in secondary_regions:
        name = f"{SECONDARY_STACK_PREFIX}{region}"
        secondary = AuroraGlobalSecondaryStack(
            app,
            name,
            profile=profile,
            env=Environment(account=account, region=region),
            description=(
                f"Aurora global database: read-only secondary cluster in {region} "
                f"({profile.name} profile)"
            ),
        )
        secondary.add_stack_dependency(
            primary, "a secondary joins the global cluster the primary made"
        )
        stacks[name] = secondary
    return stacks
