"""What ProtectedBucket exists for (notes 004:2727-2801, 004:2976-3122), asserted on its
templates (tests/data_protection/options.py)."""

from __future__ import annotations

import pytest

from tests.data_protection.options import (
    REPLICA_BUCKET,
    TEMPLATES,
    data_bucket,
    lifecycle_rule,
)
from tests.template_queries import props, ref, resources


@pytest.mark.fact("DP-05")
def test_objects_age_into_standard_ia_after_30_days_then_glacier_30_days_later_at_least():
    transitions = lifecycle_rule(TEMPLATES["protected_defaults"]())["Transitions"]
    assert transitions == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": 30},
        {"StorageClass": "GLACIER", "TransitionInDays": 90},
    ]
    days = [t["TransitionInDays"] for t in transitions]
    assert days[0] >= 30 and days[1] - days[0] >= 30


def test_old_versions_expire_and_unfinished_uploads_are_aborted():
    rule = lifecycle_rule(TEMPLATES["protected_defaults"]())
    assert rule["Status"] == "Enabled"
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 90}
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}


def test_the_bucket_is_versioned_private_encrypted_and_logs_its_access_to_another_bucket():
    template = TEMPLATES["protected_defaults"]()
    lid, bucket = data_bucket(template)
    assert props(bucket)["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(props(bucket)["PublicAccessBlockConfiguration"].values())
    rules = props(bucket)["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rules[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    target = ref(props(bucket)["LoggingConfiguration"]["DestinationBucketName"])
    assert target != lid and target in resources(template, "AWS::S3::Bucket")
    assert "ObjectLockEnabled" not in props(bucket) and "ReplicationConfiguration" not in props(
        bucket
    )


@pytest.mark.fact("DP-03")
def test_replication_sends_every_new_object_to_the_destination_through_its_own_role():
    template = TEMPLATES["protected_replicated"]()
    lid, bucket = data_bucket(template)
    replication = props(bucket)["ReplicationConfiguration"]
    (rule,) = replication["Rules"]
    assert rule["Status"] == "Enabled" and rule["Filter"] == {"Prefix": ""}
    destination = rule["Destination"]["Bucket"]
    if isinstance(destination, dict):  # arn:<partition>:s3:::name
        destination = "".join(
            p if isinstance(p, str) else "aws" for p in destination["Fn::Join"][1]
        )
    assert destination == f"arn:aws:s3:::{REPLICA_BUCKET}"
    role_id = replication["Role"]["Fn::GetAtt"][0]
    role = resources(template, "AWS::IAM::Role")[role_id]
    (trust,) = props(role)["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "s3.amazonaws.com"}
    (policy,) = [
        p
        for p in resources(template, "AWS::IAM::Policy").values()
        if ref(props(p)["Roles"][0]) == role_id
    ]
    statements = props(policy)["PolicyDocument"]["Statement"]
    writes = [s for s in statements if "s3:ReplicateObject" in s["Action"]]
    reads = [s for s in statements if "s3:GetObjectVersionForReplication" in s["Action"]]
    assert len(writes) == 1 and REPLICA_BUCKET in str(writes[0]["Resource"])
    assert len(reads) == 1 and lid in str(reads[0]["Resource"])


@pytest.mark.fact("DP-04")
@pytest.mark.parametrize(
    ("name", "status"),
    [("protected_replicated", "Enabled"), ("protected_replicated_keeping_replicas", "Disabled")],
)
def test_delete_markers_are_replicated_only_when_asked(name, status):
    (rule,) = props(data_bucket(TEMPLATES[name]())[1])["ReplicationConfiguration"]["Rules"]
    assert rule["DeleteMarkerReplication"] == {"Status": status}


@pytest.mark.fact("DP-11")
def test_object_lock_keeps_each_version_for_its_retention_in_the_chosen_mode():
    bucket = props(data_bucket(TEMPLATES["protected_locked"]())[1])
    assert bucket["ObjectLockEnabled"] is True
    assert bucket["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Days": 30, "Mode": "COMPLIANCE"}},
    }
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}


@pytest.mark.fact("DP-15")
def test_without_infrequent_access_objects_can_go_straight_to_a_glacier_class():
    assert lifecycle_rule(TEMPLATES["protected_locked"]())["Transitions"] == [
        {"StorageClass": "GLACIER_IR", "TransitionInDays": 60}
    ]


def test_the_sandbox_variant_empties_and_deletes_itself_leaving_no_log_group_behind():
    template = TEMPLATES["protected_sandbox"]()
    for bucket in resources(template, "AWS::S3::Bucket").values():
        assert bucket["DeletionPolicy"] == "Delete"
    assert resources(template, "Custom::S3AutoDeleteObjects")
    (group,) = resources(template, "AWS::Logs::LogGroup").values()
    assert group["DeletionPolicy"] == "Delete"
    assert "Transitions" not in lifecycle_rule(template)


@pytest.mark.fact("DP-11")
def test_a_locked_bucket_replicates_its_versions_retention_and_legal_hold_too():
    template = TEMPLATES["protected_locked_replicated"]()
    lid, bucket = data_bucket(template)
    assert props(bucket)["ObjectLockConfiguration"]["Rule"]["DefaultRetention"] == {
        "Days": 7,
        "Mode": "GOVERNANCE",
    }
    role_id = props(bucket)["ReplicationConfiguration"]["Role"]["Fn::GetAtt"][0]
    (policy,) = [
        p
        for p in resources(template, "AWS::IAM::Policy").values()
        if ref(props(p)["Roles"][0]) == role_id
    ]
    (lock_reads,) = [
        s
        for s in props(policy)["PolicyDocument"]["Statement"]
        if "s3:GetObjectRetention" in s["Action"]
    ]
    assert sorted(lock_reads["Action"]) == ["s3:GetObjectLegalHold", "s3:GetObjectRetention"]
    assert lock_reads["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [lid, "Arn"]}, "/*"]]}


def test_without_object_lock_the_replication_role_reads_no_retention():
    template = TEMPLATES["protected_replicated"]()
    for policy in resources(template, "AWS::IAM::Policy").values():
        for statement in props(policy)["PolicyDocument"]["Statement"]:
            assert "s3:GetObjectRetention" not in statement["Action"]
