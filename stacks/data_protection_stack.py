"""S3 data protection: a protected bucket replicated into a bucket of a second region.

Two deployment units, like the Aurora global database: ``DataProtectionReplica-<region>`` (the
destination, deployed first) and ``DataProtection`` (the source, whose replication rule names the
destination). The replica's name is known in advance (account, region and profile in it), so
the source replicates into it without a cross-region reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_cdk import Aws, CfnOutput, Duration, Environment, Fn, RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.data_protection import ProtectedBucket
from stacks import names
from stacks.profiles import Profile
from stacks.shared_network import NetworkAttachment

REPLICA_REGION_CONTEXT_KEY = "data_replica_region"
DEFAULT_REPLICA_REGION = "us-west-2"
PRIMARY_STACK = names.DATA_PROTECTION
REPLICA_STACK_PREFIX = names.DATA_PROTECTION_REPLICA_PREFIX


@dataclass(frozen=True)
class DataProtectionSettings:
    """What the buckets keep, how long, and what ``cdk destroy`` does with them."""

    # Current objects: Standard-IA after this many days, then a Glacier class; None: no move.
    infrequent_access_days: int | None
    glacier_days: int | None
    glacier_storage: str
    # The replica ages straight into a Glacier class: it is read only when the source is lost.
    replica_glacier_days: int
    # A version replaced or hidden by a delete marker is deleted this many days later.
    noncurrent_days: int
    replicate_delete_markers: bool
    removal_policy: RemovalPolicy
    auto_delete_objects: bool


# Sandbox: the notes' lifecycle (it costs nothing while the buckets are empty), old versions gone
# after a day, a delete here leaving the replica readable, and both buckets emptied and deleted
# by `cdk destroy`. Production: the same ageing (Standard-IA after 30 days, Glacier Flexible
# Retrieval after 90), old versions kept 90 days, the replica in Deep Archive after 30 days (a
# disaster copy), and both buckets kept when the stacks go. Delete markers are not replicated in
# either: an accidental or malicious delete in the source leaves the replica intact [004:2797].
SETTINGS = {
    "sandbox": DataProtectionSettings(
        30, 90, "flexible", 30, 1, False, RemovalPolicy.DESTROY, auto_delete_objects=True
    ),
    "production": DataProtectionSettings(
        30, 90, "flexible", 30, 90, False, RemovalPolicy.RETAIN, auto_delete_objects=False
    ),
}


def replica_bucket_name(prefix: str, profile: Profile, region: str) -> str:
    """The replica's name, the same in both stacks: unique per account, region and profile."""
    stem = "".join(c for c in prefix.lower() if c.isalnum() or c == "-")
    return Fn.join("-", [f"{stem}refarch-replica-{profile.name}-{region}", Aws.ACCOUNT_ID])


def replica_region_from_context(scope: Construct, primary_region: str | None) -> str:
    region = str(scope.node.try_get_context(REPLICA_REGION_CONTEXT_KEY) or DEFAULT_REPLICA_REGION)
    if region == primary_region:
        raise ValueError(
            f"data_replica_region is {region!r}, the primary's own region; allowed: another "
            f"region (`-c {REPLICA_REGION_CONTEXT_KEY}=<region>`, default "
            f"{DEFAULT_REPLICA_REGION}), so a regional outage spares one copy"
        )
    return region


def _days(days: int | None) -> Duration | None:
    return None if days is None else Duration.days(days)


class DataProtectionReplicaStack(Stack):
    """The destination: a protected bucket of its own name, in the second region."""

    def __init__(
        self, scope: Construct, construct_id: str, *, profile: Profile, bucket_name: str, **kwargs
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        settings = profile.pick(SETTINGS, "data-protection")
        self.replica = ProtectedBucket(
            self,
            "Replica",
            bucket_name=bucket_name,
            infrequent_access_after=None,
            glacier_after=Duration.days(settings.replica_glacier_days),
            glacier_storage="deep_archive",
            noncurrent_versions_expire_after=Duration.days(settings.noncurrent_days),
            removal_policy=settings.removal_policy,
            auto_delete_objects=settings.auto_delete_objects,
        )
        CfnOutput(self, "ReplicaBucketName", value=self.replica.bucket.bucket_name)
        CfnOutput(self, "ReplicaRegion", value=self.region)
        CfnOutput(self, "ReplicaAccessLogsBucketName", value=self.replica.access_logs.bucket_name)


class DataProtectionStack(Stack):
    """The source: a protected bucket replicating every new object into the replica.

    :param replica_bucket_name: the destination's name (``replica_bucket_name``).
    :param replica_region: the destination's region, not this stack's.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: Profile,
        replica_bucket_name: str,
        replica_region: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        settings = profile.pick(SETTINGS, "data-protection")
        replica = s3.Bucket.from_bucket_attributes(
            self, "ReplicaBucket", bucket_name=replica_bucket_name, region=replica_region
        )
        self.data = ProtectedBucket(
            self,
            "Data",
            infrequent_access_after=_days(settings.infrequent_access_days),
            glacier_after=_days(settings.glacier_days),
            glacier_storage=settings.glacier_storage,
            noncurrent_versions_expire_after=Duration.days(settings.noncurrent_days),
            replication_destination=replica,
            replicate_delete_markers=settings.replicate_delete_markers,
            removal_policy=settings.removal_policy,
            auto_delete_objects=settings.auto_delete_objects,
        )
        bucket = self.data.bucket
        CfnOutput(
            self,
            "DataBucketName",
            description="Put objects here: aws s3 cp <file> s3://<name>/; each new version is "
            "copied to the replica within minutes",
            value=bucket.bucket_name,
        )
        CfnOutput(self, "AccessLogsBucketName", value=self.data.access_logs.bucket_name)
        CfnOutput(
            self,
            "ReplicationRoleArn",
            description="The role S3 assumes to replicate (read here, write to the replica)",
            value=bucket.node.find_child("ReplicationRole").role_arn,
        )
        CfnOutput(self, "ReplicaBucketName", value=replica.bucket_name)
        CfnOutput(self, "ReplicaRegion", value=replica_region)


def add_data_protection_stacks(
    scope: Construct,
    *,
    profile: Profile,
    env: Environment | None,
    prefix: str = "",
    network_for: Callable[[str | None], NetworkAttachment | None] = lambda region: None,
) -> dict[str, Stack]:
    """The replica's stack (in ``-c data_replica_region``, us-west-2 by default), then the
    source's, deployed after it. No VPC: ``network_for`` is not used."""
    del network_for  # S3 and its replication need no network of ours
    account = env.account if env else None
    primary_region = env.region if env else None
    replica_region = replica_region_from_context(scope, primary_region)
    name = replica_bucket_name(prefix, profile, replica_region)
    replica = DataProtectionReplicaStack(
        scope,
        f"{prefix}{REPLICA_STACK_PREFIX}{replica_region}",
        profile=profile,
        bucket_name=name,
        env=Environment(account=account, region=replica_region),
        description=f"S3 data protection: the replica bucket in {replica_region} "
        f"({profile.name} profile)",
    )
    primary = DataProtectionStack(
        scope,
        f"{prefix}{PRIMARY_STACK}",
        profile=profile,
        replica_bucket_name=name,
        replica_region=replica_region,
        env=env,
        description="S3 data protection: a versioned, TLS-only bucket ageing into Glacier and "
        f"replicated to {replica_region} ({profile.name} profile)",
    )
    primary.add_stack_dependency(replica, "replication needs its versioned destination first")
    return {replica.node.id: replica, primary.node.id: primary}
