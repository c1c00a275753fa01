"""StreamingIngestion: Kinesis -> Amazon Data Firehose -> S3 -> Glue -> Athena, one stack.

No VPC: every service here is regional and reached over its public endpoint, so the stack
ignores ``-c network=shared``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnOutput, Duration, Environment, Stack
from constructs import Construct

from constructs_lib.streaming_ingestion import StreamingIngestion
from stacks import names
from stacks.profiles import Profile


@dataclass(frozen=True)
class StreamingIngestionSettings:
    """The stream's capacity and retention, and how Firehose batches, per profile."""

    stream_mode: str
    # With "provisioned": the shards; None with "on_demand".
    shard_count: int | None
    retention_hours: int
    buffer_size_mib: int
    buffer_interval_seconds: int


# Sandbox: one provisioned shard ($0.015 an hour, the cheapest a stream idles at: an on-demand
# stream bills $0.04 an hour), 24 h retention (no extended-retention fee), and the smallest
# batches that still make a study quick: an object in S3 a minute after the first record.
# Production: on-demand, so bursts are absorbed without resharding by hand (capacity follows
# twice the 30-day peak) and nobody pays for idle shards sized for the peak; 7 days' retention,
# so a week-long Firehose or S3 outage loses nothing (on-demand bills extended retention per GB
# stored, not per shard-hour, so it costs nothing while idle); batches of 64 MiB or 5 minutes,
# fewer and bigger objects for Athena to read.
SETTINGS = {
    "sandbox": StreamingIngestionSettings("provisioned", 1, 24, 1, 60),
    "production": StreamingIngestionSettings("on_demand", None, 168, 64, 300),
}


class StreamingIngestionStack(Stack):
    """The pipeline and its outputs: destroyed whole in sandbox, data kept in production."""

    def __init__(
        self, scope: Construct, construct_id: str, *, profile: Profile, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        settings = profile.pick(SETTINGS, "streaming-ingestion")
        self.ingestion = StreamingIngestion(
            self,
            "Ingestion",
            stream_mode=settings.stream_mode,
            shard_count=settings.shard_count,
            retention=Duration.hours(settings.retention_hours),
            buffer_size_mib=settings.buffer_size_mib,
            buffer_interval=Duration.seconds(settings.buffer_interval_seconds),
            log_retention=profile.log_retention,
            removal_policy=profile.removal_policy,
            auto_delete_objects=profile.auto_delete_objects,
        )
        self._add_outputs()

    def _add_outputs(self) -> None:
        ingestion = self.ingestion
        stream = ingestion.stream.stream_name
        CfnOutput(self, "StreamName", value=stream)
        CfnOutput(self, "StreamArn", value=ingestion.stream.stream_arn)
        CfnOutput(self, "DeliveryStreamName", value=ingestion.delivery_stream.ref)
        CfnOutput(
            self,
            "DataBucketName",
            description=f"Records land under {ingestion.data_prefix}dt=<yyyy-MM-dd>/",
            value=ingestion.data_bucket.bucket_name,
        )
        CfnOutput(self, "ResultsBucketName", value=ingestion.results_bucket.bucket_name)
        CfnOutput(self, "GlueDatabaseName", value=ingestion.database_name)
        CfnOutput(self, "GlueTableName", value=ingestion.table_name)
        CfnOutput(self, "AthenaWorkGroup", value=ingestion.work_group_name)
        CfnOutput(self, "NamedQueryId", value=ingestion.named_query.attr_named_query_id)
        CfnOutput(
            self,
            "PutRecordExample",
            description="Put one JSON record on the stream (AWS CLI v2)",
            value=(
                f"aws kinesis put-record --stream-name {stream} --partition-key device-1 "
                "--cli-binary-format raw-in-base64-out --data "
                '\'{"event_id":"1","event_type":"click","event_time":"2026-01-01T00:00:00Z",'
                '"payload":"hello"}\''
            ),
        )
        CfnOutput(
            self,
            "QueryExample",
            description="Run the saved query (results in the results bucket)",
            value=(
                "aws athena start-query-execution --work-group "
                f'{ingestion.work_group_name} --query-string "$(aws athena get-named-query '
                f"--named-query-id {ingestion.named_query.attr_named_query_id} "
                '--query NamedQuery.QueryString --output text)"'
            ),
        )


def add_streaming_ingestion_stacks(
    scope: Construct,
    *,
    profile: Profile,
    env: Environment | None,
    prefix: str,
    network_for: Callable[[str | None], object],
) -> dict[str, Stack]:
    """The one StreamingIngestion stack (``network_for`` is unused: nothing here is in a VPC)."""
    del network_for
    stack_id = f"{prefix}{names.STREAMING_INGESTION}"
    stack = StreamingIngestionStack(
        scope,
        stack_id,
        profile=profile,
        env=env,
        description="Streaming ingestion: Kinesis Data Streams + Amazon Data Firehose + S3 + "
        f"Glue + Athena ({profile.name} profile)",
    )
    return {stack_id: stack}
