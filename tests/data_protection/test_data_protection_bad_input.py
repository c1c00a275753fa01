"""ProtectedBucket refuses a bad prop with a ValueError naming it, before any resource exists."""

from __future__ import annotations

import pytest
from aws_cdk import App, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_s3 as s3

from constructs_lib.data_protection import ProtectedBucket
from tests.conftest import PINNED_ENV

BAD = [
    (
        {"infrequent_access_after": Duration.days(29)},
        r"infrequent_access_after is 29 days; allowed: whole days, 30 to 36500",
    ),
    (
        {"infrequent_access_after": Duration.hours(800)},
        r"infrequent_access_after is .*; allowed: whole days",
    ),
    ({"infrequent_access_after": 30}, r"infrequent_access_after is 30; allowed: a Duration"),
    ({"glacier_after": Duration.days(59)}, r"glacier_after is 59 days; allowed: whole days, 60 to"),
    (
        {"infrequent_access_after": None, "glacier_after": Duration.days(0)},
        r"glacier_after is 0 days; allowed: whole days, 1 to",
    ),
    ({"glacier_storage": "glacier"}, r"glacier_storage is 'glacier'; allowed: instant, flexible"),
    (
        {"noncurrent_versions_expire_after": Duration.days(0)},
        r"noncurrent_versions_expire_after is 0 days",
    ),
    (
        {"replication_destination": "my-bucket"},
        r"replication_destination is 'my-bucket'; allowed: an s3.IBucket",
    ),
    (
        {"replicate_delete_markers": True},
        r"replicate_delete_markers is True without a replication_destination",
    ),
    (
        {"replicate_delete_markers": "yes"},
        r"replicate_delete_markers is 'yes'; allowed: True or False",
    ),
    ({"object_lock": "legal_hold"}, r"object_lock is 'legal_hold'; allowed: None, 'governance'"),
    (
        {"object_lock": "governance", "object_lock_days": 0},
        r"object_lock_days is 0; allowed: 1 to 36500",
    ),
    ({"object_lock_days": 1.5}, r"object_lock_days is 1.5; allowed: a whole number"),
    ({"object_lock_days": True}, r"object_lock_days is True; allowed: a whole number"),
    ({"bucket_name": "My_Bucket"}, r"bucket_name is 'My_Bucket'; allowed: 3-63 lowercase"),
    ({"bucket_name": "ab"}, r"bucket_name is 'ab'; allowed: 3-63"),
    ({"bucket_name": "a" * 64}, r"bucket_name is 'a{64}'; allowed: 3-63"),
    ({"bucket_name": "-data"}, r"bucket_name is '-data'; allowed"),
    ({"bucket_name": "my..data"}, r"bucket_name is 'my..data'; allowed: no '..'"),
    ({"bucket_name": "192.168.5.4"}, r"bucket_name is '192.168.5.4'; allowed: no '..' and not"),
    ({"bucket_name": 42}, r"bucket_name is 42; allowed: 3-63"),
    ({"removal_policy": "destroy"}, r"removal_policy is 'destroy'; allowed: a RemovalPolicy"),
    (
        {"auto_delete_objects": True},
        r"auto_delete_objects is True but removal_policy is not DESTROY",
    ),
    (
        {
            "auto_delete_objects": True,
            "removal_policy": RemovalPolicy.DESTROY,
            "object_lock": "governance",
        },
        r"auto_delete_objects is True with object_lock 'governance'; allowed: False",
    ),
]


@pytest.mark.fact("DP-13", "DP-14")
@pytest.mark.parametrize(("props", "message"), BAD)
def test_bad_props_raise_a_clear_value_error_before_any_resource(props, message):
    stack = Stack(App(), "Bad", env=PINNED_ENV)
    with pytest.raises(ValueError, match=message):
        ProtectedBucket(stack, "Data", **props)
    assert stack.node.try_find_child("Data") is None


def test_a_deploy_time_lock_retention_is_refused_since_cdk_must_know_it():
    stack = Stack(App(), "Tokens", env=PINNED_ENV)
    days = Token.as_number({"Ref": "LockDays"})
    with pytest.raises(ValueError, match=r"object_lock_days is a deploy-time token; allowed"):
        ProtectedBucket(stack, "Data", object_lock="governance", object_lock_days=days)


def test_an_imported_destination_is_accepted():
    stack = Stack(App(), "Imported", env=PINNED_ENV)
    replica = s3.Bucket.from_bucket_name(stack, "Replica", "some-replica")
    ProtectedBucket(stack, "Data", replication_destination=replica)


def test_a_token_bucket_name_passes_to_cloudformation():
    stack = Stack(App(), "TokenName", env=PINNED_ENV)
    name = Token.as_string({"Ref": "BucketName"})
    data = ProtectedBucket(stack, "Data", bucket_name=name)
    assert stack.resolve(data.bucket.node.default_child.bucket_name) == {"Ref": "BucketName"}
