"""Templates of ProtectedBucket (constructs_lib/data_protection.py), the start of issue #15's
S3 data-protection architecture: no stack of app.py uses it yet (contract:
tests/option_templates.py). ``TEMPLATES[name]()`` returns its template, from one synthesis of
every stack here with the cdk-nag gate on.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3

from constructs_lib.data_protection import ProtectedBucket
from tests.option_templates import option_stack, templates_of
from tests.template_queries import props, resources

REPLICA_BUCKET = "refarch-protected-replica"


def data_bucket(template: dict) -> tuple[str, dict]:
    """The protected bucket of a template: the one that logs to another bucket of it."""
    (found,) = [
        (lid, bucket)
        for lid, bucket in resources(template, "AWS::S3::Bucket").items()
        if "LoggingConfiguration" in props(bucket)
    ]
    return found


def lifecycle_rule(template: dict) -> dict:
    """The protected bucket's one lifecycle rule."""
    (rule,) = props(data_bucket(template)[1])["LifecycleConfiguration"]["Rules"]
    return rule


REPLICA_REGION = "us-west-2"


def _replica(stack: Stack) -> s3.IBucket:
    """The destination, made by a stack of its own in the second region (like the Aurora
    secondary), imported here by name and region."""
    return s3.Bucket.from_bucket_attributes(
        stack, "Replica", bucket_name=REPLICA_BUCKET, region=REPLICA_REGION
    )


def _defaults(stack: Stack) -> None:
    ProtectedBucket(stack, "Data")


def _replicated(stack: Stack) -> None:
    ProtectedBucket(
        stack,
        "Data",
        replication_destination=_replica(stack),
        replicate_delete_markers=True,
        glacier_storage="deep_archive",
        glacier_after=Duration.days(180),
    )


def _replicated_keeping_replicas(stack: Stack) -> None:
    """A delete here leaves the replica readable: delete markers stay in this bucket."""
    ProtectedBucket(stack, "Data", replication_destination=_replica(stack))


def _locked(stack: Stack) -> None:
    ProtectedBucket(
        stack,
        "Data",
        object_lock="compliance",
        object_lock_days=30,
        infrequent_access_after=None,
        glacier_after=Duration.days(60),
        glacier_storage="instant",
    )


def _locked_replicated(stack: Stack) -> None:
    """Governance-mode lock, replicated: the copies keep their retention."""
    ProtectedBucket(
        stack,
        "Data",
        object_lock="governance",
        object_lock_days=7,
        replication_destination=_replica(stack),
    )


def _sandbox(stack: Stack) -> None:
    """What a sandbox uses: no transitions, gone with `cdk destroy`."""
    ProtectedBucket(
        stack,
        "Data",
        infrequent_access_after=None,
        glacier_after=None,
        noncurrent_versions_expire_after=Duration.days(1),
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=True,
    )


STACKS = {
    "protected_defaults": option_stack("ProtectedDefaults", _defaults),
    "protected_replicated": option_stack("ProtectedReplicated", _replicated),
    "protected_replicated_keeping_replicas": option_stack(
        "ProtectedReplicatedKeepingReplicas", _replicated_keeping_replicas
    ),
    "protected_locked": option_stack("ProtectedLocked", _locked),
    "protected_locked_replicated": option_stack("ProtectedLockedReplicated", _locked_replicated),
    "protected_sandbox": option_stack("ProtectedSandbox", _sandbox),
}
TEMPLATES: dict[str, Callable[[], dict]] = templates_of(STACKS)
