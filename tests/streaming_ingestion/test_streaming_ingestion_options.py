"""The options no profile uses (tests/streaming_ingestion/options.py), asserted as relations."""

from __future__ import annotations

import pytest

from tests.streaming_ingestion.options import (
    COLUMNS,
    EXISTING_KEY_ARN,
    EXISTING_STREAM_ARN,
    TEMPLATES,
)
from tests.template_queries import one, props, ref, resources


def _destination(template: dict) -> dict:
    _, delivery = one(template, "AWS::KinesisFirehose::DeliveryStream")
    return props(delivery)["ExtendedS3DestinationConfiguration"]


def _delivery_statements(template: dict) -> dict[str, dict]:
    _, delivery = one(template, "AWS::KinesisFirehose::DeliveryStream")
    role_id = ref(props(delivery)["KinesisStreamSourceConfiguration"]["RoleARN"])
    role = props(template["Resources"][role_id])
    return {s["Sid"]: s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]}


@pytest.mark.fact("STR-03", "STR-09", "STR-10")
def test_the_defaults_are_one_shard_kept_a_day_gzip_in_64_mib_or_5_minute_batches_retained():
    template = TEMPLATES["stream_defaults"]()
    _, stream = one(template, "AWS::Kinesis::Stream")
    assert props(stream)["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert (props(stream)["ShardCount"], props(stream)["RetentionPeriodHours"]) == (1, 24)
    destination = _destination(template)
    assert destination["BufferingHints"] == {"SizeInMBs": 64, "IntervalInSeconds": 300}
    assert destination["CompressionFormat"] == "GZIP"
    for resource in template["Resources"].values():
        if resource["Type"] in ("AWS::Kinesis::Stream", "AWS::S3::Bucket", "AWS::Glue::Table"):
            assert resource["DeletionPolicy"] == "Retain"


@pytest.mark.fact("STR-05", "STR-07")
def test_a_customer_key_encrypts_the_stream_and_firehose_may_decrypt_only_through_kinesis():
    template = TEMPLATES["stream_customer_key"]()
    key_id, key = one(template, "AWS::KMS::Key")
    # the caller's key, used as the caller made it (rotating): the construct changes nothing
    assert props(key)["EnableKeyRotation"] is True
    _, stream = one(template, "AWS::Kinesis::Stream")
    assert props(stream)["StreamEncryption"] == {
        "EncryptionType": "KMS",
        "KeyId": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    assert props(stream)["ShardCount"] == 4
    assert props(stream)["RetentionPeriodHours"] == 8760  # the longest: 365 days
    decrypt = _delivery_statements(template)["DecryptTheStreamThroughKinesis"]
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert decrypt["Condition"] == {
        "StringEquals": {
            "kms:ViaService": {
                "Fn::Join": ["", ["kinesis.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]
            }
        }
    }


@pytest.mark.fact("STR-09", "STR-10", "STR-13", "STR-14")
def test_every_option_reaches_firehose_the_table_and_the_work_group():
    template = TEMPLATES["stream_customer_key"]()
    destination = _destination(template)
    assert destination["BufferingHints"] == {"SizeInMBs": 128, "IntervalInSeconds": 0}
    assert destination["CompressionFormat"] == "HADOOP_SNAPPY"
    assert "ProcessingConfiguration" not in destination
    assert destination["Prefix"] == "telemetry/raw/dt=!{timestamp:yyyy-MM-dd}/"
    assert destination["ErrorOutputPrefix"].startswith("telemetry-errors/")
    _, database = one(template, "AWS::Glue::Database")
    assert props(database)["DatabaseInput"]["Name"] == "telemetry"
    _, table = one(template, "AWS::Glue::Table")
    table_input = props(table)["TableInput"]
    assert table_input["Name"] == "readings"
    columns = table_input["StorageDescriptor"]["Columns"]
    assert [(c["Name"], c["Type"]) for c in columns] == list(COLUMNS)
    location = table_input["StorageDescriptor"]["Location"]["Fn::Join"][1]
    assert location[-1] == "/telemetry/raw/"
    _, work_group = one(template, "AWS::Athena::WorkGroup")
    assert props(work_group)["Name"] == "telemetry-analysts"
    assert "BytesScannedCutoffPerQuery" not in props(work_group)["WorkGroupConfiguration"]
    statements = _delivery_statements(template)
    suffixes = sorted(
        r["Fn::Join"][1][-1] for r in statements["WriteUnderTheTwoPrefixes"]["Resource"]
    )
    assert suffixes == ["/telemetry-errors/*", "/telemetry/raw/*"]


def test_data_expiry_ages_out_delivered_records():
    template = TEMPLATES["stream_customer_key"]()
    bucket_id = ref(_destination(template)["BucketARN"])
    (rule,) = props(template["Resources"][bucket_id])["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 365


@pytest.mark.fact("STR-20")
def test_an_existing_stream_is_read_as_it_is_with_its_own_key():
    template = TEMPLATES["stream_existing_stream"]()
    assert not resources(template, "AWS::Kinesis::Stream")
    _, delivery = one(template, "AWS::KinesisFirehose::DeliveryStream")
    source = props(delivery)["KinesisStreamSourceConfiguration"]
    assert source["KinesisStreamARN"] == EXISTING_STREAM_ARN
    statements = _delivery_statements(template)
    assert statements["ReadTheSourceStream"]["Resource"] == EXISTING_STREAM_ARN
    assert statements["DecryptTheStreamThroughKinesis"]["Resource"] == EXISTING_KEY_ARN
    destination = _destination(template)
    assert destination["CompressionFormat"] == "UNCOMPRESSED"
    _, table = one(template, "AWS::Glue::Table")
    assert props(table)["TableInput"]["StorageDescriptor"]["Compressed"] is False


@pytest.mark.fact("STR-15")
@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("stream_defaults", 1_000_000_000),
        ("stream_existing_stream", 1_000_000_000),
        ("stream_customer_key", None),  # query_scan_limit_mb=None: no limit, on purpose
    ],
)
def test_the_work_group_caps_each_query_at_the_default_1000_mb_unless_told_otherwise(name, limit):
    _, work_group = one(TEMPLATES[name](), "AWS::Athena::WorkGroup")
    assert props(work_group)["WorkGroupConfiguration"].get("BytesScannedCutoffPerQuery") == limit
