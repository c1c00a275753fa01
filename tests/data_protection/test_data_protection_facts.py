"""The facts the data-protection stacks exist for (notes 004:2727-2801, 004:2976-3122),
asserted on the DataProtection and DataProtectionReplica-<region> templates of both profiles."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App, Stack

from stacks.data_protection_stack import (
    REPLICA_REGION_CONTEXT_KEY,
    add_data_protection_stacks,
    replica_bucket_name,
)
from stacks.profiles import profile_named
from tests.conftest import PINNED_ENV
from tests.data_protection.options import data_bucket, lifecycle_rule
from tests.template_queries import props, ref, resources

PRIMARY = "DataProtection"
REPLICA = "DataProtectionReplica-us-west-2"
PROFILES = ("sandbox", "production")


def _arn_of_name(name: object) -> dict:
    return {"Fn::Join": ["", ["arn:aws:s3:::", name]]}


@pytest.fixture(params=PROFILES)
def templates(request, synthesized) -> tuple[str, dict, dict]:
    profile = synthesized(request.param)
    return request.param, profile.template(PRIMARY), profile.template(REPLICA)


@pytest.mark.fact("DP-01", "DP-06")
def test_the_source_replicates_every_new_object_into_the_replica_stacks_bucket(templates):
    _, primary, replica = templates
    replica_name = props(data_bucket(replica)[1])["BucketName"]
    (rule,) = props(data_bucket(primary)[1])["ReplicationConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["Filter"] == {"Prefix": ""}  # every object, not a prefix of them
    assert rule["Destination"]["Bucket"] == _arn_of_name(replica_name)


@pytest.mark.fact("DP-01")
def test_source_and_replica_are_both_versioned(templates):
    _, primary, replica = templates
    for template in (primary, replica):
        for bucket in resources(template, "AWS::S3::Bucket").values():
            assert props(bucket)["VersioningConfiguration"] == {"Status": "Enabled"}


@pytest.mark.fact("DP-02")
def test_the_replica_is_in_a_second_region_and_deploys_before_the_source(synthesized):
    manifest = json.loads(
        (
            synthesized("sandbox").architecture("data-protection").outdir / "manifest.json"
        ).read_text()
    )["artifacts"]
    assert manifest[PRIMARY]["environment"] == "aws://123456789012/us-east-1"
    assert manifest[REPLICA]["environment"] == "aws://123456789012/us-west-2"
    assert REPLICA in manifest[PRIMARY]["dependencies"]
    assert PRIMARY not in manifest[REPLICA].get("dependencies", [])


@pytest.mark.fact("DP-03")
def test_the_replication_role_is_assumed_by_s3_alone_and_writes_only_into_the_replica(
    templates,
):
    _, primary, replica = templates
    lid, source = data_bucket(primary)
    role_id = source["Properties"]["ReplicationConfiguration"]["Role"]["Fn::GetAtt"][0]
    role = primary["Resources"][role_id]
    (trust,) = props(role)["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "s3.amazonaws.com"}
    (policy,) = [
        p
        for p in resources(primary, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in props(p)["Roles"]
    ]
    replica_objects = {
        "Fn::Join": ["", ["arn:aws:s3:::", props(data_bucket(replica)[1])["BucketName"], "/*"]]
    }
    source_arn = {"Fn::GetAtt": [lid, "Arn"]}
    source_objects = {"Fn::Join": ["", [source_arn, "/*"]]}
    for statement in props(policy)["PolicyDocument"]["Statement"]:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert statement["Effect"] == "Allow"
        writes = [a for a in actions if a.startswith("s3:Replicate")]
        if writes:
            assert statement["Resource"] == replica_objects, statement
        else:
            # reading: this bucket's configuration and versions only
            assert statement["Resource"] in (source_arn, source_objects), statement
            assert all(a.startswith(("s3:Get", "s3:List")) for a in actions), statement


@pytest.mark.fact("DP-04")
def test_delete_markers_are_not_replicated_so_a_delete_leaves_the_replica_readable(templates):
    _, primary, _ = templates
    (rule,) = props(data_bucket(primary)[1])["ReplicationConfiguration"]["Rules"]
    assert rule["DeleteMarkerReplication"] == {"Status": "Disabled"}


@pytest.mark.fact("DP-05")
def test_the_source_ages_into_standard_ia_at_30_days_then_glacier_at_90(templates):
    _, primary, _ = templates
    assert lifecycle_rule(primary)["Transitions"] == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": 30},
        {"StorageClass": "GLACIER", "TransitionInDays": 90},
    ]


@pytest.mark.fact("DP-05")
def test_the_replica_goes_straight_to_deep_archive_and_replicates_nowhere(templates):
    _, _, replica = templates
    assert lifecycle_rule(replica)["Transitions"] == [
        {"StorageClass": "DEEP_ARCHIVE", "TransitionInDays": 30}
    ]
    # No chaining: the replica is a destination only [004:2798-2800].
    for bucket in resources(replica, "AWS::S3::Bucket").values():
        assert "ReplicationConfiguration" not in props(bucket)


@pytest.mark.fact("DP-07")
@pytest.mark.parametrize(("profile", "days"), [("sandbox", 1), ("production", 90)])
def test_old_versions_expire_after_the_profiles_days_in_both_regions(synthesized, profile, days):
    for stack in (PRIMARY, REPLICA):
        rule = lifecycle_rule(synthesized(profile).template(stack))
        assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": days}
        assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}


@pytest.mark.fact("DP-08")
def test_every_bucket_is_private_encrypted_and_refuses_plain_http(templates):
    _, primary, replica = templates
    for template in (primary, replica):
        buckets = resources(template, "AWS::S3::Bucket")
        tls_only = set()
        for policy in resources(template, "AWS::S3::BucketPolicy").values():
            for statement in props(policy)["PolicyDocument"]["Statement"]:
                if statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}:
                    assert statement["Effect"] == "Deny" and statement["Action"] == "s3:*"
                    assert statement["Principal"] == {"AWS": "*"}
                    tls_only.add(ref(props(policy)["Bucket"]))
        assert tls_only == set(buckets)
        for bucket in buckets.values():
            p = props(bucket)
            assert set(p["PublicAccessBlockConfiguration"].values()) == {True}
            (sse,) = p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
            assert p["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


@pytest.mark.fact("DP-09")
def test_each_protected_bucket_logs_access_to_a_log_bucket_of_its_own_stack(templates):
    _, primary, replica = templates
    for template in (primary, replica):
        lid, bucket = data_bucket(template)
        logging = props(bucket)["LoggingConfiguration"]
        target = ref(logging["DestinationBucketName"])
        assert target in resources(template, "AWS::S3::Bucket") and target != lid
        assert logging["LogFilePrefix"] == "s3-access/"


@pytest.mark.fact("DP-10")
def test_sandbox_destroys_both_regions_buckets_with_their_objects_and_production_keeps_them(
    synthesized,
):
    for profile, policy in (("sandbox", "Delete"), ("production", "Retain")):
        for stack in (PRIMARY, REPLICA):
            template = synthesized(profile).template(stack)
            buckets = resources(template, "AWS::S3::Bucket")
            assert {b["DeletionPolicy"] for b in buckets.values()} == {policy}
            emptied = {
                ref(props(r)["BucketName"])
                for r in resources(template, "Custom::S3AutoDeleteObjects").values()
            }
            assert emptied == (set(buckets) if profile == "sandbox" else set())


@pytest.mark.fact("DP-11")
def test_no_object_lock_in_either_profile_it_is_a_per_dataset_option(templates):
    _, primary, replica = templates
    for template in (primary, replica):
        for bucket in resources(template, "AWS::S3::Bucket").values():
            assert "ObjectLockEnabled" not in props(bucket)


@pytest.mark.fact("DP-12")
def test_outputs_name_both_buckets_the_role_and_the_replica_region(templates):
    _, primary, replica = templates
    outputs = primary["Outputs"]
    assert ref(outputs["DataBucketName"]["Value"]) == data_bucket(primary)[0]
    assert outputs["ReplicaBucketName"]["Value"] == props(data_bucket(replica)[1])["BucketName"]
    assert outputs["ReplicaRegion"]["Value"] == "us-west-2"
    assert (
        outputs["ReplicationRoleArn"]["Value"]
        == props(data_bucket(primary)[1])["ReplicationConfiguration"]["Role"]
    )
    assert ref(replica["Outputs"]["ReplicaBucketName"]["Value"]) == data_bucket(replica)[0]


def test_the_replica_name_is_unique_per_account_region_and_profile():
    names = {
        json.dumps(Stack(App(), "S").resolve(replica_bucket_name("", profile_named(p), region)))
        for p in PROFILES
        for region in ("us-west-2", "eu-west-1")
    }
    assert len(names) == 4
    assert all("AWS::AccountId" in name for name in names)


@pytest.mark.fact("DP-02")
def test_the_replica_region_comes_from_context_and_must_differ_from_the_primary():
    app = App(context={REPLICA_REGION_CONTEXT_KEY: "eu-central-1"})
    stacks = add_data_protection_stacks(app, profile=profile_named("sandbox"), env=PINNED_ENV)
    assert set(stacks) == {PRIMARY, "DataProtectionReplica-eu-central-1"}
    assert stacks["DataProtectionReplica-eu-central-1"].region == "eu-central-1"
    same = App(context={REPLICA_REGION_CONTEXT_KEY: "us-east-1"})
    with pytest.raises(ValueError, match="data_replica_region"):
        add_data_protection_stacks(same, profile=profile_named("sandbox"), env=PINNED_ENV)
