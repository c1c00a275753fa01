"""FanOut refuses a bad prop with a ValueError naming it, before any resource; tokens pass."""

from __future__ import annotations

import pytest
from aws_cdk import App, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from constructs_lib.fan_out import FanOut, Subscriber
from tests.conftest import PINNED_ENV

ALL = Subscriber(name="all")
TOPIC_ARN = f"arn:aws:sns:us-east-1:{PINNED_ENV.account}:existing"
FIFO_TOPIC_ARN = f"{TOPIC_ARN}.fifo"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{PINNED_ENV.account}:existing"


def _sub(**props) -> list[Subscriber]:
    return [Subscriber(name="one", **props)]


SIX_KEYS = {f"k{n}": ["v"] for n in range(6)}
TOO_MANY_COMBINATIONS = {"a": [str(n) for n in range(16)], "b": [str(n) for n in range(10)]}

BAD = [
    ({"subscribers": []}, r"subscribers is empty; allowed: one or more"),
    ({"subscribers": "all"}, r"subscribers is 'all'; allowed: a list of Subscriber"),
    ({"subscribers": [{"name": "all"}]}, r"subscribers holds .*; allowed: Subscriber objects"),
    (
        {"subscribers": [Subscriber(name="Images")]},
        r"subscribers.name is 'Images'; allowed: 1 to 40",
    ),
    ({"subscribers": [Subscriber(name="a" * 41)]}, r"subscribers.name is 'a{41}'"),
    ({"subscribers": [ALL, Subscriber(name="all")]}, r"subscribers.name 'all' is used twice"),
    (
        {"subscribers": _sub(filter_on="payload")},
        r"subscribers\['one'\].filter_on is 'payload'; allowed: attributes, body",
    ),
    (
        {"subscribers": _sub(filter_policy={})},
        r"subscribers\['one'\].filter_policy is \{\}; allowed: a non-empty mapping",
    ),
    (
        {"subscribers": _sub(filter_policy={"kind": "order"})},
        r"filter_policy\['kind'\] is 'order'; allowed: a non-empty list",
    ),
    (
        {"subscribers": _sub(filter_policy={"kind": []})},
        r"filter_policy\['kind'\] is \[\]; allowed: a non-empty list",
    ),
    (
        {"subscribers": _sub(filter_policy={"a": {"b": ["c"]}})},
        r"filter_policy\['a'\] is a nested mapping; allowed: a list of values .*filter_on='body'",
    ),
    (
        {"subscribers": _sub(filter_policy={"a": [{"startswith": "x"}]})},
        r"filter_policy\['a'\] holds .*; allowed: one operator per condition",
    ),
    (
        {"subscribers": _sub(filter_policy={"a": [["nested"]]})},
        r"filter_policy\['a'\] holds \['nested'\]; allowed: strings, numbers",
    ),
    (
        {"subscribers": _sub(filter_policy={"a": [2_000_000_000]})},
        r"filter_policy\['a'\] holds 2000000000; allowed: numbers from -1e9 to 1e9",
    ),
    (
        {"subscribers": _sub(filter_policy={"$or": [{"a": ["b"]}]})},
        r"filter_policy has key '\$or'",
    ),
    (
        {"subscribers": _sub(filter_policy={1: ["b"]})},
        r"filter_policy has key 1; allowed: non-empty strings",
    ),
    (
        {"subscribers": _sub(filter_policy=SIX_KEYS)},
        r"filter_policy has 6 keys; allowed: at most 5",
    ),
    (
        {
            "subscribers": _sub(
                filter_on="body", filter_policy={"a": {f"k{n}": ["v"] for n in range(6)}}
            )
        },
        r"filter_policy has 6 keys; allowed: at most 5",
    ),
    (
        {"subscribers": _sub(filter_policy=TOO_MANY_COMBINATIONS)},
        r"filter_policy has 160 value combinations; allowed: at most 150",
    ),
    (
        {"subscribers": _sub(filter_policy={"a": ["x" * 300_000]})},
        r"filter_policy is \d+ bytes as JSON; allowed: at most 256 KB",
    ),
    (
        {"subscribers": _sub(raw_message_delivery="yes")},
        r"subscribers\['one'\].raw_message_delivery is 'yes'; allowed: True or False",
    ),
    (
        {"subscribers": _sub(max_receive_count=0)},
        r"subscribers\['one'\].max_receive_count is 0; allowed: 1 to 1000",
    ),
    (
        {"subscribers": _sub(max_receive_count=2.5)},
        r"max_receive_count is 2.5; allowed: a whole number",
    ),
    (
        {"subscribers": _sub(visibility_timeout=Duration.hours(13))},
        r"subscribers\['one'\].visibility_timeout is 46800 seconds \(13 hours\); "
        r"allowed: whole seconds, 0 to 43200",
    ),
    (
        {"subscribers": _sub(visibility_timeout=30)},
        r"visibility_timeout is 30; allowed: a Duration",
    ),
    ({"subscribers": _sub(queue="my-queue")}, r"subscribers\['one'\].queue is 'my-queue'"),
    ({"topic": "arn:aws:sns:us-east-1:123456789012:t"}, r"topic is .*; allowed: an sns.ITopic"),
    ({"fifo": "yes"}, r"fifo is 'yes'; allowed: True or False"),
    ({"encrypt_topic": 1}, r"encrypt_topic is 1; allowed: True or False"),
    ({"topic_key": "alias/mine"}, r"topic_key is 'alias/mine'; allowed: a kms.IKey"),
    ({"create_bucket": "yes"}, r"create_bucket is 'yes'; allowed: True or False"),
    ({"bucket": "my-bucket"}, r"bucket is 'my-bucket'; allowed: an s3.IBucket"),
    ({"bucket_events": []}, r"bucket_events is \[\]; allowed: a non-empty list"),
    ({"bucket_events": "s3:ObjectCreated:*"}, r"bucket_events is 's3:ObjectCreated:\*'"),
    (
        {"create_bucket": True, "bucket_events": ["s3:ObjectCreated:*"]},
        r"bucket_events holds 's3:ObjectCreated:\*'; allowed: s3.EventType members",
    ),
    (
        {
            "create_bucket": True,
            "bucket_events": [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_CREATED],
        },
        r"bucket_events is .*; allowed: each event once",
    ),
    ({"create_bucket": True, "bucket_prefix": ""}, r"bucket_prefix is ''; allowed: None or 1 to"),
    ({"create_bucket": True, "bucket_suffix": 7}, r"bucket_suffix is 7; allowed: None or 1 to"),
    ({"bucket_prefix": "images/"}, r"bucket_prefix or bucket_suffix is set without a bucket"),
    ({"create_bucket": True, "fifo": True}, r"fifo is True with a bucket; allowed: fifo=False"),
    ({"bucket_expiration": Duration.days(7)}, r"bucket_expiration is set without create_bucket"),
    (
        {"create_bucket": True, "bucket_expiration": Duration.hours(36)},
        r"bucket_expiration is 1.5 days \(1 day 12 hours\); allowed: whole days",
    ),
    (
        {"create_bucket": True, "bucket_expiration": Duration.hours(1)},
        r"bucket_expiration is 0.042 days \(1 hour\); allowed: whole days, 1 to 36500 days",
    ),
    ({"undeliverable_queue": None}, r"undeliverable_queue is None; allowed: True or False"),
    (
        {"message_retention": Duration.days(15)},
        r"message_retention is 1296000 seconds \(15 days\); allowed: whole seconds, 60 to 1209600",
    ),
    ({"message_retention": Duration.seconds(59)}, r"message_retention is 59 seconds"),
    ({"removal_policy": "destroy"}, r"removal_policy is 'destroy'; allowed: a RemovalPolicy"),
    ({"auto_delete_objects": 1}, r"auto_delete_objects is 1; allowed: True or False"),
    (
        {"auto_delete_objects": True},
        r"auto_delete_objects is True but removal_policy is not DESTROY",
    ),
    ({"log_retention": 7}, r"log_retention is 7; allowed: a logs.RetentionDays"),
]


@pytest.mark.fact("FAN-19", "FAN-20")
@pytest.mark.parametrize(("props", "message"), BAD)
def test_bad_props_raise_a_clear_value_error_before_any_resource(props, message):
    stack = Stack(App(), "Bad", env=PINNED_ENV)
    props = {"subscribers": [ALL], **props}
    with pytest.raises(ValueError, match=message):
        FanOut(stack, "Events", **props)
    assert stack.node.try_find_child("Events") is None


def _stack() -> Stack:
    return Stack(App(), "Imports", env=PINNED_ENV)


@pytest.mark.fact("FAN-19")
def test_fifo_must_match_the_existing_topic_and_queues():
    stack = _stack()
    standard = sns.Topic.from_topic_arn(stack, "Standard", TOPIC_ARN)
    with pytest.raises(ValueError, match=r"topic is a standard topic but fifo is True"):
        FanOut(stack, "A", topic=standard, fifo=True, subscribers=[ALL])
    fifo_topic = sns.Topic.from_topic_arn(stack, "Fifo", FIFO_TOPIC_ARN)
    with pytest.raises(ValueError, match=r"topic is a FIFO topic but fifo is False"):
        FanOut(stack, "B", topic=fifo_topic, subscribers=[ALL])
    queue = sqs.Queue.from_queue_arn(stack, "Queue", QUEUE_ARN)
    with pytest.raises(
        ValueError, match=r"subscribers\['one'\].queue is a standard queue; allowed: a FIFO"
    ):
        FanOut(stack, "C", fifo=True, subscribers=_sub(queue=queue))


def test_an_existing_topic_keeps_its_own_encryption():
    stack = _stack()
    topic = sns.Topic.from_topic_arn(stack, "Existing", TOPIC_ARN)
    key = kms.Key.from_key_arn(
        stack,
        "Key",
        f"arn:aws:kms:us-east-1:{PINNED_ENV.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    for props in ({"encrypt_topic": True}, {"encrypt_topic": False}, {"topic_key": key}):
        with pytest.raises(ValueError, match=r"encrypt_topic or topic_key is set with topic"):
            FanOut(stack, "Events", topic=topic, subscribers=[ALL], **props)
    with pytest.raises(ValueError, match=r"topic_key is set but encrypt_topic is False"):
        FanOut(stack, "Events", encrypt_topic=False, topic_key=key, subscribers=[ALL])
    with pytest.raises(ValueError, match=r"bucket is set and create_bucket is True"):
        FanOut(
            stack,
            "Events",
            subscribers=[ALL],
            bucket=s3.Bucket.from_bucket_name(stack, "B", "some-bucket"),
            create_bucket=True,
        )


def test_tokens_pass_unchecked():
    stack = _stack()
    FanOut(
        stack,
        "Events",
        subscribers=[
            Subscriber(
                name="tokens",
                max_receive_count=Token.as_number({"Ref": "Receives"}),
                visibility_timeout=Duration.seconds(Token.as_number({"Ref": "Visibility"})),
            )
        ],
        create_bucket=True,
        bucket_prefix=Token.as_string({"Ref": "Prefix"}),
        message_retention=Duration.seconds(Token.as_number({"Ref": "Retention"})),
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=True,
        log_retention=logs.RetentionDays.ONE_DAY,
    )
    assert stack.node.try_find_child("Events") is not None
