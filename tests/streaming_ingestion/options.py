"""Templates of StreamingIngestion options that no profile uses, for ``options:<name>`` template
paths in facts/streaming-ingestion.toml and for test_streaming_ingestion_options.py. Their names
start with ``stream_``: options names are looked up across every architecture's options.py.

``STACKS[name](app)`` adds one small stack holding the construct (the contract:
tests/option_templates.py); ``TEMPLATES[name]()`` returns its template, from one synthesis of
every stack here with the cdk-nag gate on.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms

from constructs_lib.streaming_ingestion import StreamingIngestion
from tests.conftest import PINNED_ENV
from tests.option_templates import option_stack, templates_of

EXISTING_STREAM_ARN = f"arn:aws:kinesis:us-east-1:{PINNED_ENV.account}:stream/clickstream"
EXISTING_KEY_ARN = (
    f"arn:aws:kms:us-east-1:{PINNED_ENV.account}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
)
COLUMNS = (
    ("device_id", "string"),
    ("reading", "decimal(10,2)"),
    ("tags", "array<string>"),
    ("attributes", "map<string,bigint>"),
    ("location", "struct<lat:double,lon:double>"),
    ("observed_at", "timestamp"),
)


def _defaults(stack: Stack) -> None:
    """The construct with nothing set: what a copy gets."""
    StreamingIngestion(stack, "Ingestion")


def _customer_key(stack: Stack) -> None:
    """Every option at once: its own KMS key, 4 shards kept a year, zero buffering, Hadoop
    Snappy, no newline processor, typed columns, given names, no scan limit, data expiry."""
    key = kms.Key(
        stack, "StreamKey", enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY
    )
    StreamingIngestion(
        stack,
        "Ingestion",
        stream_mode="provisioned",
        shard_count=4,
        retention=Duration.hours(8760),
        encryption_key=key,
        data_prefix="telemetry/raw/",
        error_prefix="telemetry-errors/",
        buffer_size_mib=128,
        buffer_interval=Duration.seconds(0),
        compression="HADOOP_SNAPPY",
        append_newline=False,
        columns=COLUMNS,
        database_name="telemetry",
        table_name="readings",
        work_group_name="telemetry-analysts",
        query_scan_limit_mb=None,
        results_expire_after=Duration.days(30),
        data_expire_after=Duration.days(365),
    )


def _existing_stream(stack: Stack) -> None:
    """A stream the account already has, encrypted with its own key, read by a new pipeline."""
    stream = kinesis.Stream.from_stream_attributes(
        stack,
        "Clickstream",
        stream_arn=EXISTING_STREAM_ARN,
        encryption_key=kms.Key.from_key_arn(stack, "ClickstreamKey", EXISTING_KEY_ARN),
    )
    StreamingIngestion(stack, "Ingestion", stream=stream, compression="UNCOMPRESSED")


STACKS = {
    "stream_defaults": option_stack("StreamDefaults", _defaults),
    "stream_customer_key": option_stack("StreamCustomerKey", _customer_key),
    "stream_existing_stream": option_stack("StreamExistingStream", _existing_stream),
}
TEMPLATES: dict[str, Callable[[], dict]] = templates_of(STACKS)
