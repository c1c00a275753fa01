"""StreamingIngestion refuses a bad prop with a ValueError naming it, before any resource."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, Duration, RemovalPolicy, Stack
from aws_cdk import aws_kinesis as kinesis

from constructs_lib.streaming_ingestion import StreamingIngestion, is_hive_type
from tests.conftest import PINNED_ENV

BAD = [
    ({"stream": "clickstream"}, r"stream is 'clickstream'; allowed: a kinesis.IStream"),
    ({"stream_mode": "serverless"}, r"stream_mode is 'serverless'; allowed: provisioned, on_d"),
    ({"shard_count": 0}, r"shard_count is 0; allowed: 1 to 500 shards"),
    ({"shard_count": 501}, r"shard_count is 501; allowed: 1 to 500 shards"),
    ({"shard_count": 2.5}, r"shard_count is 2.5; allowed: a whole number"),
    (
        {"stream_mode": "on_demand", "shard_count": 2},
        r"shard_count is set with stream_mode 'on_demand'",
    ),
    ({"retention": Duration.hours(23)}, r"retention is 23 hours; allowed: whole hours, 24 to"),
    (
        {"retention": Duration.hours(8761)},
        r"retention is 8761 hours \(365 days 1 hour\); allowed: whole hours",
    ),
    (
        {"retention": Duration.minutes(1470)},
        r"retention is 24.5 hours \(1 day 30 minutes\); allowed: whole hours",
    ),
    ({"retention": 24}, r"retention is 24; allowed: a Duration of whole hours, 24 to 8760 hours"),
    ({"encryption_key": "alias/mine"}, r"encryption_key is 'alias/mine'; allowed: a kms.IKey"),
    ({"data_prefix": "events"}, r"data_prefix is 'events'; allowed: lowercase path segments"),
    ({"data_prefix": "/events/"}, r"data_prefix is '/events/'; allowed: lowercase"),
    ({"data_prefix": "Events/"}, r"data_prefix is 'Events/'; allowed: lowercase"),
    (
        {"data_prefix": "events/!{timestamp:yyyy}/"},
        r"data_prefix is .*; allowed: lowercase path segments",
    ),
    ({"error_prefix": "err"}, r"error_prefix is 'err'; allowed: lowercase path segments"),
    (
        {"error_prefix": "events/errors/"},
        r"error_prefix is 'events/errors/' and data_prefix 'events/'; allowed: two prefixes",
    ),
    (
        {"data_prefix": "logs/events/", "error_prefix": "logs/"},
        r"error_prefix is 'logs/' and data_prefix 'logs/events/'",
    ),
    ({"buffer_size_mib": 0}, r"buffer_size_mib is 0; allowed: 1 to 128 MiB"),
    ({"buffer_size_mib": 129}, r"buffer_size_mib is 129; allowed: 1 to 128 MiB"),
    (
        {"buffer_interval": Duration.seconds(901)},
        r"buffer_interval is 901 seconds \(15 minutes 1 second\); "
        r"allowed: whole seconds, 0 to 900 seconds",
    ),
    (
        {"buffer_interval": Duration.millis(1500)},
        r"buffer_interval is 1.5 seconds \(1 second 500 millis\); allowed: whole sec",
    ),
    (
        {"buffer_interval": 60},
        r"buffer_interval is 60; allowed: a Duration of whole seconds, 0 to 900 seconds",
    ),
    ({"compression": "ZIP"}, r"compression is 'ZIP'; allowed: GZIP, HADOOP_SNAPPY, UNCOMP.*ZIP"),
    ({"compression": "Snappy"}, r"compression is 'Snappy'; allowed: .*framed Snappy"),
    ({"compression": "gzip"}, r"compression is 'gzip'; allowed: GZIP, HADOOP_SNAPPY, UNCOMP"),
    ({"append_newline": "yes"}, r"append_newline is 'yes'; allowed: True or False"),
    ({"columns": []}, r"columns is \[\]; allowed: a non-empty list of \(name, type\) pairs"),
    ({"columns": "id string"}, r"columns is 'id string'; allowed: a non-empty list"),
    ({"columns": [("id",)]}, r"columns holds \('id',\); allowed: \(name, type\) pairs"),
    ({"columns": [("Id", "string")]}, r"columns holds the name 'Id'; allowed: 1-255 lowercase"),
    ({"columns": [("dt", "string")]}, r"columns holds the name 'dt'; allowed: a name other"),
    (
        {"columns": [("id", "string"), ("id", "int")]},
        r"columns holds the name 'id' twice; allowed: each name once",
    ),
    ({"columns": [("id", "text")]}, r"columns gives 'id' the type 'text'; allowed: a Hive type"),
    ({"columns": [("id", "array<>")]}, r"columns gives 'id' the type 'array<>'"),
    ({"database_name": "my-db"}, r"database_name is 'my-db'; allowed: 1-255 lowercase"),
    ({"table_name": "Events"}, r"table_name is 'Events'; allowed: 1-255 lowercase"),
    ({"work_group_name": "my group"}, r"work_group_name is 'my group'; allowed: 1-128 letters"),
    ({"query_scan_limit_mb": 9}, r"query_scan_limit_mb is 9; allowed: 10 or more"),
    (
        {"results_expire_after": Duration.hours(36)},
        r"results_expire_after is 1.5 days \(1 day 12 hours\); "
        r"allowed: whole days, at least 1 day$",
    ),
    ({"results_expire_after": Duration.days(0)}, r"results_expire_after is 0 days; allowed"),
    ({"data_expire_after": 30}, r"data_expire_after is 30; allowed: a Duration of whole days"),
    ({"log_retention": 7}, r"log_retention is 7; allowed: a logs.RetentionDays"),
    ({"removal_policy": "destroy"}, r"removal_policy is 'destroy'; allowed: a RemovalPolicy"),
    ({"auto_delete_objects": 1}, r"auto_delete_objects is 1; allowed: True or False"),
    (
        {"auto_delete_objects": True},
        r"auto_delete_objects is True but removal_policy is not DESTROY",
    ),
]


@pytest.mark.fact("STR-03", "STR-05", "STR-09", "STR-10", "STR-13", "STR-15")
@pytest.mark.parametrize(("props", "message"), BAD)
def test_bad_props_raise_a_clear_value_error_before_any_resource(props, message):
    stack = Stack(App(), "Bad", env=PINNED_ENV)
    with pytest.raises(ValueError, match=message):
        StreamingIngestion(stack, "Ingestion", **props)
    assert stack.node.try_find_child("Ingestion") is None


@pytest.mark.fact("STR-20")
@pytest.mark.parametrize(
    "prop",
    [
        {"stream_mode": "on_demand"},
        {"shard_count": 2},
        {"retention": Duration.hours(48)},
    ],
)
def test_stream_settings_are_refused_with_an_existing_stream(prop):
    stack = Stack(App(), "Existing", env=PINNED_ENV)
    stream = kinesis.Stream.from_stream_arn(
        stack, "Stream", "arn:aws:kinesis:us-east-1:123456789012:stream/existing"
    )
    (name,) = prop
    with pytest.raises(ValueError, match=rf"{name} is set with an existing stream"):
        StreamingIngestion(stack, "Ingestion", stream=stream, **prop)


def test_deploy_time_tokens_pass_for_cloudformation_to_check():
    stack = Stack(App(), "Tokens", env=PINNED_ENV)
    shards = CfnParameter(stack, "Shards", type="Number").value_as_number
    hours = CfnParameter(stack, "RetentionHours", type="Number").value_as_number
    size = CfnParameter(stack, "BufferMiB", type="Number").value_as_number
    seconds = CfnParameter(stack, "BufferSeconds", type="Number").value_as_number
    limit = CfnParameter(stack, "ScanLimitMb", type="Number").value_as_number
    database = CfnParameter(stack, "Database").value_as_string
    ingestion = StreamingIngestion(
        stack,
        "Ingestion",
        shard_count=shards,
        retention=Duration.hours(hours),
        buffer_size_mib=size,
        buffer_interval=Duration.seconds(seconds),
        query_scan_limit_mb=limit,
        database_name=database,
        removal_policy=RemovalPolicy.DESTROY,
    )
    assert ingestion.database_name is not None


@pytest.mark.fact("STR-13")
@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("string", True),
        ("decimal(10,2)", True),
        ("varchar(64)", True),
        ("array<struct<a:int,b:array<string>>>", True),
        ("map<string,array<double>>", True),
        ("struct<lat:double,lon:double>", True),
        ("map<array<int>,string>", False),  # a map's key is a primitive
        ("struct<Lat:double>", False),
        ("array<int,int>", False),
        ("array<int", False),
        ("STRING", False),
        ("int ", False),
    ],
)
def test_hive_types_are_parsed_not_guessed(text, valid):
    assert is_hive_type(text) is valid
