"""What the streaming-ingestion pipeline exists for (notes 004:5126-5139, 004:4160-4303,
004:3171-3181), asserted as relations on the profiles' templates."""

from __future__ import annotations

import pytest

from constructs_lib.streaming_ingestion import (
    KINESIS_READ_ACTIONS,
    NAMED_QUERY_NAME,
    S3_BUCKET_ACTIONS,
    S3_OBJECT_ACTIONS,
)
from tests.template_queries import nag_failures, one, props, ref, resources

STACK = "StreamingIngestion"
DAY = "dt=!{timestamp:yyyy-MM-dd}/"


def _delivery(template: dict) -> dict:
    return props(one(template, "AWS::KinesisFirehose::DeliveryStream")[1])


def _destination(template: dict) -> dict:
    return _delivery(template)["ExtendedS3DestinationConfiguration"]


def _stream_id(template: dict) -> str:
    return one(template, "AWS::Kinesis::Stream")[0]


def _data_bucket_id(template: dict) -> str:
    """The bucket Firehose delivers to."""
    return ref(_destination(template)["BucketARN"])


def _joined(value: object) -> tuple[str | None, str]:
    """``Fn::Join`` of a reference and literal text -> (the referenced logical id, the text)."""
    if isinstance(value, str):
        return None, value
    parts = value["Fn::Join"][1]
    ids = [ref(part) for part in parts if not isinstance(part, str)]
    return (ids[0] if ids else None), "".join(p for p in parts if isinstance(p, str))


def _role_statements(template: dict, role_id: str) -> list[dict]:
    role = props(template["Resources"][role_id])
    inline = [s for p in role.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
    attached = [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if role_id in [ref(r) for r in props(policy)["Roles"]]
        for statement in props(policy)["PolicyDocument"]["Statement"]
    ]
    return inline + attached


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _table(template: dict) -> dict:
    return props(one(template, "AWS::Glue::Table")[1])["TableInput"]


# -- Kinesis -> Firehose -> S3 ---------------------------------------------------------------------


@pytest.mark.fact("STR-01")
@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_firehose_reads_this_stream_and_delivers_to_this_bucket(synthesized, profile):
    template = synthesized(profile).template(STACK)
    delivery = _delivery(template)
    assert delivery["DeliveryStreamType"] == "KinesisStreamAsSource"
    source = delivery["KinesisStreamSourceConfiguration"]
    assert source["KinesisStreamARN"] == {"Fn::GetAtt": [_stream_id(template), "Arn"]}
    bucket_id = _data_bucket_id(template)
    assert template["Resources"][bucket_id]["Type"] == "AWS::S3::Bucket"
    assert _destination(template)["BucketARN"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    # one role for both sides, trusted by Firehose of this account only
    role_id = ref(source["RoleARN"])
    assert ref(_destination(template)["RoleARN"]) == role_id
    (trust,) = props(template["Resources"][role_id])["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "AWS::AccountId"}}}


@pytest.mark.fact("STR-02")
def test_delivery_role_reads_only_this_stream_and_writes_only_under_the_two_prefixes(sandbox):
    template = sandbox.template(STACK)
    role_id = ref(_delivery(template)["KinesisStreamSourceConfiguration"]["RoleARN"])
    bucket_id = _data_bucket_id(template)
    by_sid = {s["Sid"]: s for s in _role_statements(template, role_id)}
    assert set(by_sid) == {
        "ReadTheSourceStream",
        "FindTheBucket",
        "WriteUnderTheTwoPrefixes",
        "LogDeliveryErrors",
    }
    assert all(s["Effect"] == "Allow" for s in by_sid.values())
    read = by_sid["ReadTheSourceStream"]
    assert sorted(read["Action"]) == sorted(KINESIS_READ_ACTIONS)
    assert read["Resource"] == {"Fn::GetAtt": [_stream_id(template), "Arn"]}
    find = by_sid["FindTheBucket"]
    assert sorted(find["Action"]) == sorted(S3_BUCKET_ACTIONS)
    assert find["Resource"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    write = by_sid["WriteUnderTheTwoPrefixes"]
    assert sorted(write["Action"]) == sorted(S3_OBJECT_ACTIONS)
    assert "s3:DeleteObject" not in str(by_sid)
    assert sorted(_joined(arn) for arn in write["Resource"]) == [
        (bucket_id, "/errors/*"),
        (bucket_id, "/events/*"),
    ]
    # every action of the role is one of these, on these resources: no wildcard action
    actions = [a for s in by_sid.values() for a in _as_list(s["Action"])]
    assert not [a for a in actions if "*" in a]


@pytest.mark.fact("STR-09", "STR-10", "STR-11")
def test_delivery_writes_day_partitions_and_failures_apart_compressed_and_newline_delimited(
    sandbox,
):
    destination = _destination(sandbox.template(STACK))
    assert destination["Prefix"] == f"events/{DAY}"
    assert destination["ErrorOutputPrefix"] == f"errors/!{{firehose:error-output-type}}/{DAY}"
    assert not destination["ErrorOutputPrefix"].startswith("events/")
    assert destination["CompressionFormat"] == "GZIP"
    assert destination["ProcessingConfiguration"] == {
        "Enabled": True,
        "Processors": [{"Type": "AppendDelimiterToRecord"}],
    }


@pytest.mark.fact("STR-09")
@pytest.mark.parametrize(
    ("profile", "hints"),
    [
        ("sandbox", {"SizeInMBs": 1, "IntervalInSeconds": 60}),
        ("production", {"SizeInMBs": 64, "IntervalInSeconds": 300}),
    ],
)
def test_firehose_buffers_by_size_or_time_as_each_profile_sets_it(synthesized, profile, hints):
    assert _destination(synthesized(profile).template(STACK))["BufferingHints"] == hints


@pytest.mark.fact("STR-11")
def test_delivery_errors_are_logged_to_a_log_group_and_stream_the_stack_owns(synthesized):
    for profile, expected in (("sandbox", ("Delete", 7)), ("production", ("Retain", 365))):
        template = synthesized(profile).template(STACK)
        logging = _destination(template)["CloudWatchLoggingOptions"]
        assert logging["Enabled"] is True
        group_id, stream_id = ref(logging["LogGroupName"]), ref(logging["LogStreamName"])
        group = template["Resources"][group_id]
        assert group["Type"] == "AWS::Logs::LogGroup"
        assert (group["DeletionPolicy"], props(group)["RetentionInDays"]) == expected
        stream = template["Resources"][stream_id]
        assert stream["Type"] == "AWS::Logs::LogStream"
        assert ref(props(stream)["LogGroupName"]) == group_id
        # ... and the role may write to that stream alone
        role_id = ref(_destination(template)["RoleARN"])
        (log,) = [s for s in _role_statements(template, role_id) if s["Sid"] == "LogDeliveryErrors"]
        assert log["Action"] == "logs:PutLogEvents"
        parts = log["Resource"]["Fn::Join"][1]
        assert [ref(p) for p in parts if not isinstance(p, str)] == [group_id, stream_id]


# -- the stream ------------------------------------------------------------------------------------


@pytest.mark.fact("STR-03")
def test_sandbox_stream_is_one_provisioned_shard_kept_24_hours(sandbox):
    _, stream = one(sandbox.template(STACK), "AWS::Kinesis::Stream")
    assert props(stream)["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert props(stream)["ShardCount"] == 1
    assert props(stream)["RetentionPeriodHours"] == 24


@pytest.mark.fact("STR-04", "STR-05")
def test_production_stream_is_on_demand_without_shards_and_kept_a_week(production):
    _, stream = one(production.template(STACK), "AWS::Kinesis::Stream")
    assert props(stream)["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert "ShardCount" not in props(stream)
    assert props(stream)["RetentionPeriodHours"] == 168


@pytest.mark.fact("STR-06")
@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_stream_is_encrypted_at_rest_with_the_aws_managed_kinesis_key(synthesized, profile):
    template = synthesized(profile).template(STACK)
    _, stream = one(template, "AWS::Kinesis::Stream")
    assert props(stream)["StreamEncryption"] == {
        "EncryptionType": "KMS",
        "KeyId": "alias/aws/kinesis",
    }
    assert not resources(template, "AWS::KMS::Key")  # no key fee, nothing pending deletion


@pytest.mark.fact("STR-08")
@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_every_bucket_is_private_encrypted_and_refuses_plain_http(synthesized, profile):
    template = synthesized(profile).template(STACK)
    buckets = resources(template, "AWS::S3::Bucket")
    assert len(buckets) == 3  # data, query results, their access logs
    for bucket in buckets.values():
        assert all(props(bucket)["PublicAccessBlockConfiguration"].values())
        (rule,) = props(bucket)["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    policies = {
        ref(props(p)["Bucket"]): props(p)["PolicyDocument"]["Statement"]
        for p in resources(template, "AWS::S3::BucketPolicy").values()
    }
    for bucket_id in buckets:
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in policies[bucket_id]
        )


# -- Glue and Athena -------------------------------------------------------------------------------


@pytest.mark.fact("STR-13")
def test_glue_table_reads_this_buckets_data_prefix_as_json_lines(sandbox):
    template = sandbox.template(STACK)
    table = _table(template)
    database_id, _ = one(template, "AWS::Glue::Database")
    assert ref(props(one(template, "AWS::Glue::Table")[1])["DatabaseName"]) == database_id
    assert table["TableType"] == "EXTERNAL_TABLE"
    storage = table["StorageDescriptor"]
    assert _joined(storage["Location"]) == (_data_bucket_id(template), "s3:///events/")
    assert _destination(template)["Prefix"].startswith("events/")
    assert storage["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert storage["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert storage["Compressed"] is True
    assert [c["Name"] for c in storage["Columns"]] == [
        "event_id",
        "event_type",
        "event_time",
        "payload",
    ]


@pytest.mark.fact("STR-14")
def test_partition_projection_matches_the_day_partition_firehose_writes(sandbox):
    template = sandbox.template(STACK)
    table = _table(template)
    assert table["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    parameters = table["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.dt.type"] == "date"
    # Firehose writes dt=!{timestamp:yyyy-MM-dd}/: the projection's format is the same pattern
    prefix = _destination(template)["Prefix"]
    assert prefix == "events/dt=!{timestamp:" + parameters["projection.dt.format"] + "}/"
    assert parameters["projection.dt.range"].endswith(",NOW")
    assert (parameters["projection.dt.interval"], parameters["projection.dt.interval.unit"]) == (
        "1",
        "DAYS",
    )
    location = _joined(parameters["storage.location.template"])
    assert location == (_data_bucket_id(template), "s3:///events/dt=${dt}/")
    assert not resources(template, "AWS::Glue::Crawler")
    assert not resources(template, "AWS::Glue::Partition")


@pytest.mark.fact("STR-15", "STR-17")
@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_work_group_enforces_results_to_its_own_bucket_sse_s3_and_a_scan_limit(
    synthesized, profile
):
    template = synthesized(profile).template(STACK)
    _, work_group = one(template, "AWS::Athena::WorkGroup")
    configuration = props(work_group)["WorkGroupConfiguration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["BytesScannedCutoffPerQuery"] == 1_000_000_000  # ≤ $0.005 a query
    results = configuration["ResultConfiguration"]
    results_bucket, path = _joined(results["OutputLocation"])
    assert path == "s3:///athena/"
    assert results_bucket != _data_bucket_id(template)
    assert template["Resources"][results_bucket]["Type"] == "AWS::S3::Bucket"
    assert results["EncryptionConfiguration"] == {"EncryptionOption": "SSE_S3"}
    assert results["ExpectedBucketOwner"] == {"Ref": "AWS::AccountId"}
    assert configuration["EngineVersion"] == {"SelectedEngineVersion": "Athena engine version 3"}
    (rule,) = props(template["Resources"][results_bucket])["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 7


@pytest.mark.fact("STR-18")
def test_saved_query_counts_last_weeks_records_per_day_in_this_database_and_work_group(sandbox):
    template = sandbox.template(STACK)
    _, query = one(template, "AWS::Athena::NamedQuery")
    database_id, _ = one(template, "AWS::Glue::Database")
    work_group_id, _ = one(template, "AWS::Athena::WorkGroup")
    assert props(query)["Name"] == NAMED_QUERY_NAME
    assert ref(props(query)["Database"]) == database_id
    assert ref(props(query)["WorkGroup"]) == work_group_id
    parts = props(query)["QueryString"]["Fn::Join"][1]
    assert [ref(p) for p in parts if not isinstance(p, str)] == [database_id]
    text = "".join(p if isinstance(p, str) else "<db>" for p in parts)
    table_name = _table(template)["Name"]
    assert f'FROM "<db>"."{table_name}"' in text
    # the predicate is on the partition key, so projection reads seven days of objects only
    assert "WHERE dt >= date_format(current_date - INTERVAL '6' DAY, '%Y-%m-%d')" in text
    assert "GROUP BY dt" in text


# -- teardown --------------------------------------------------------------------------------------


@pytest.mark.fact("STR-19")
def test_sandbox_destroys_everything_and_production_keeps_stream_data_and_catalog(synthesized):
    kept = (
        "AWS::Kinesis::Stream",
        "AWS::S3::Bucket",
        "AWS::Logs::LogGroup",
        "AWS::Glue::Database",
        "AWS::Glue::Table",
    )
    sandbox = synthesized("sandbox").template(STACK)
    for resource in sandbox["Resources"].values():
        assert resource.get("DeletionPolicy", "Delete") == "Delete", resource["Type"]
    assert len(resources(sandbox, "Custom::S3AutoDeleteObjects")) == 3
    production = synthesized("production").template(STACK)
    for resource_type in kept:
        for resource in resources(production, resource_type).values():
            assert resource["DeletionPolicy"] == "Retain", resource_type
    assert not resources(production, "Custom::S3AutoDeleteObjects")
    # the work group holds no data: it goes with its saved query and history in both
    for template in (sandbox, production):
        _, work_group = one(template, "AWS::Athena::WorkGroup")
        assert props(work_group)["RecursiveDeleteOption"] is True


def test_no_unacknowledged_cdk_nag_finding(synthesized):
    for profile in ("sandbox", "production"):
        report = synthesized(profile).architecture("streaming-ingestion").validation_report
        assert nag_failures(report, {STACK}) == []


def test_outputs_name_what_a_user_needs_next(sandbox):
    outputs = sandbox.template(STACK)["Outputs"]
    assert {
        "StreamName",
        "StreamArn",
        "DeliveryStreamName",
        "DataBucketName",
        "ResultsBucketName",
        "GlueDatabaseName",
        "GlueTableName",
        "AthenaWorkGroup",
        "NamedQueryId",
        "PutRecordExample",
        "QueryExample",
    } <= set(outputs)
    put = outputs["PutRecordExample"]["Value"]["Fn::Join"][1]
    assert put[0].startswith("aws kinesis put-record --stream-name ")
    assert ref(put[1]) == _stream_id(sandbox.template(STACK))
    query = outputs["QueryExample"]["Value"]["Fn::Join"][1]
    assert query[0] == "aws athena start-query-execution --work-group "
