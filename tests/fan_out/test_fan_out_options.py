"""FanOut's options no profile uses (tests/fan_out/options.py), asserted on their templates."""

from __future__ import annotations

import pytest

from tests.conftest import PINNED_ENV
from tests.fan_out.options import (
    EXISTING_BUCKET,
    EXISTING_QUEUE_ARN,
    EXISTING_TOPIC_ARN,
    PREFIX,
    SUFFIX,
    TEMPLATES,
)
from tests.template_queries import cdk_path, one, props, ref, resources
from tools.topology import refs


def _s3_key_statements(key: dict) -> list[dict]:
    return [
        s
        for s in props(key)["KeyPolicy"]["Statement"]
        if s.get("Principal") == {"Service": "s3.amazonaws.com"}
    ]


@pytest.mark.fact("FAN-14")
def test_by_default_the_topic_is_encrypted_with_a_created_rotating_key():
    template = TEMPLATES["fan_defaults"]()
    key_id, key = one(template, "AWS::KMS::Key")
    _, topic = one(template, "AWS::SNS::Topic")
    assert props(topic)["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert props(key)["EnableKeyRotation"] is True and props(key)["PendingWindowInDays"] == 7
    assert key["DeletionPolicy"] == "Retain"
    # No bucket, so S3 gets nothing on the key.
    assert _s3_key_statements(key) == []


@pytest.mark.fact("FAN-14")
def test_a_given_key_encrypts_the_topic_and_s3_may_use_it_for_this_bucket_only():
    template = TEMPLATES["fan_given_key"]()
    key_id, key = one(template, "AWS::KMS::Key")
    assert cdk_path(key) == "FanGivenKey/EventsKey/Resource"
    # the caller's key, used as the caller made it (rotating): the construct adds a statement
    # to its policy and changes nothing else
    assert props(key)["EnableKeyRotation"] is True
    _, topic = one(template, "AWS::SNS::Topic")
    assert props(topic)["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    (bucket_id,) = [
        lid
        for lid, b in resources(template, "AWS::S3::Bucket").items()
        if cdk_path(b) == "FanGivenKey/Events/Bucket/Resource"
    ]
    (statement,) = _s3_key_statements(key)
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": PINNED_ENV.account},
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [bucket_id, "Arn"]}},
    }
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]


@pytest.mark.fact("FAN-22")
def test_an_existing_topic_fans_out_to_new_and_existing_queues_naming_its_arn():
    template = TEMPLATES["fan_existing_topic"]()
    assert resources(template, "AWS::SNS::Topic") == {}
    assert resources(template, "AWS::SNS::TopicPolicy") == {}
    subscriptions = {
        "legacy" if props(s)["Endpoint"] == EXISTING_QUEUE_ARN else "billing": props(s)
        for s in resources(template, "AWS::SNS::Subscription").values()
    }
    assert len(subscriptions) == 2
    assert cdk_path(
        resources(template, "AWS::SQS::Queue")[ref(subscriptions["billing"]["Endpoint"])]
    ) == ("FanExistingTopic/Events/billing/Resource")
    assert {s["TopicArn"] for s in subscriptions.values()} == {EXISTING_TOPIC_ARN}
    assert subscriptions["legacy"]["Endpoint"] == EXISTING_QUEUE_ARN
    assert subscriptions["billing"]["FilterPolicy"] == {"kind": [{"prefix": "invoice."}]}
    billing = ref(subscriptions["billing"]["Endpoint"])
    (policy,) = [
        props(p)
        for p in resources(template, "AWS::SQS::QueuePolicy").values()
        if [ref(q) for q in props(p)["Queues"]] == [billing]
    ]
    (allow,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": EXISTING_TOPIC_ARN}}
    # The imported queue's policy is its owner's: nothing here changes it.
    assert all(
        EXISTING_QUEUE_ARN not in str(props(p))
        for p in resources(template, "AWS::SQS::QueuePolicy").values()
    )


@pytest.mark.fact("FAN-07")
def test_an_existing_bucket_notifies_the_topic_for_the_chosen_events_and_key_filters():
    template = TEMPLATES["fan_existing_bucket"]()
    topic_id, _ = one(template, "AWS::SNS::Topic")
    _, notifications = one(template, "Custom::S3BucketNotifications")
    assert props(notifications)["BucketName"] == EXISTING_BUCKET
    # Managed false: the bucket's other notification rules, not this stack's, are kept.
    assert props(notifications)["Managed"] is False
    rules = [{"Name": "suffix", "Value": SUFFIX}, {"Name": "prefix", "Value": PREFIX}]
    assert props(notifications)["NotificationConfiguration"] == {
        "TopicConfigurations": [
            {
                "Events": [event],
                "Filter": {"Key": {"FilterRules": rules}},
                "TopicArn": {"Ref": topic_id},
            }
            for event in ("s3:ObjectCreated:*", "s3:ObjectRemoved:*")
        ]
    }
    _, policy = one(template, "AWS::SNS::TopicPolicy")
    (allow,) = [s for s in props(policy)["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allow["Condition"] == {
        "ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{EXISTING_BUCKET}"},
        "StringEquals": {"aws:SourceAccount": PINNED_ENV.account},
    }
    # aws-cdk-lib's handler may change the notifications of that bucket only.
    _, handler_policy = one(template, "AWS::IAM::Policy")
    (statement,) = props(handler_policy)["PolicyDocument"]["Statement"]
    assert statement["Resource"] == f"arn:aws:s3:::{EXISTING_BUCKET}"


@pytest.mark.fact("FAN-18")
def test_a_fifo_topic_fans_out_to_fifo_queues_with_content_based_deduplication():
    template = TEMPLATES["fan_fifo"]()
    topic_id, topic = one(template, "AWS::SNS::Topic")
    assert props(topic)["FifoTopic"] is True
    assert props(topic)["ContentBasedDeduplication"] is True
    assert props(topic)["TopicName"].endswith(".fifo")
    queues = resources(template, "AWS::SQS::Queue")
    assert len(queues) == 4
    assert all(props(q)["FifoQueue"] is True for q in queues.values())
    subscriptions = [props(s) for s in resources(template, "AWS::SNS::Subscription").values()]
    assert {ref(s["Endpoint"]) for s in subscriptions} <= set(queues)
    assert all(s["TopicArn"] == {"Ref": topic_id} for s in subscriptions)
    # undeliverable_queue=False: no subscription dead-letter queue.
    assert all("RedrivePolicy" not in s for s in subscriptions)
    assert sorted(s["RawMessageDelivery"] for s in subscriptions) == [False, True]


# Each option template's subscriptions (by construct path) and whether options.py asked for raw
# delivery: the construct passes each subscriber's choice as it is, and only that.
RAW_DELIVERY = {
    "fan_defaults": {"FanDefaults/Events/all": False},
    "fan_existing_topic": {
        "FanExistingTopic/Legacy": False,
        "FanExistingTopic/Events/billing": False,
    },
    "fan_existing_bucket": {"FanExistingBucket/Events/ingest": True},
    "fan_given_key": {"FanGivenKey/Events/thumbnails": False},
    "fan_fifo": {"FanFifo/Orders/fulfilment": False, "FanFifo/Orders/invoicing": True},
}


@pytest.mark.fact("FAN-10")
@pytest.mark.parametrize("name", sorted(RAW_DELIVERY))
def test_each_subscription_is_delivered_raw_exactly_when_its_subscriber_asks(name):
    found = {
        cdk_path(s).rsplit("/", 2)[0]: props(s)["RawMessageDelivery"]
        for s in resources(TEMPLATES[name](), "AWS::SNS::Subscription").values()
    }
    assert found == RAW_DELIVERY[name]


@pytest.mark.fact("FAN-01")
@pytest.mark.parametrize("name", sorted(RAW_DELIVERY))
def test_every_option_templates_subscription_delivers_to_its_own_subscribers_queue(name):
    """A subscription made for a subscriber (its construct path) delivers to that subscriber's
    queue, never a sibling's."""
    template = TEMPLATES[name]()
    for subscription in resources(template, "AWS::SNS::Subscription").values():
        endpoint = next(refs(props(subscription)["Endpoint"]), None)
        if endpoint not in template["Resources"]:
            continue  # an existing queue, by ARN
        owner = cdk_path(subscription).rsplit("/", 2)[0]
        assert cdk_path(template["Resources"][endpoint]) == f"{owner}/Resource", name
