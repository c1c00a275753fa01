"""What the fan-out architecture exists for (notes 004:4092-4150, 004:3020-3035), asserted as
relations on the FanOut stack's templates: this subscription delivers from that topic to this
queue, this policy names that topic, that bucket notifies this topic."""

from __future__ import annotations

import pytest

from stacks.fan_out_stack import IMAGE_SUFFIXES
from tests.conftest import PINNED_ENV
from tests.template_queries import cdk_path, one, props, ref, resources

STACK = "FanOut"
SUBSCRIBERS = ("images", "audit", "orders")
PROFILES = ("sandbox", "production")
TLS_DENY = {"Bool": {"aws:SecureTransport": "false"}}


def _template(synthesized, profile: str) -> dict:
    return synthesized(profile).template(STACK)


def _by_path(template: dict, resource_type: str, path: str) -> str:
    """The logical id of the ``resource_type`` at construct path ``path``."""
    (found,) = [
        lid
        for lid, resource in resources(template, resource_type).items()
        if cdk_path(resource) == path
    ]
    return found


def _queue(template: dict, name: str) -> str:
    return _by_path(template, "AWS::SQS::Queue", f"{STACK}/FanOut/{name}/Resource")


def _topic(template: dict) -> str:
    return one(template, "AWS::SNS::Topic")[0]


def _subscription_to(template: dict, queue_id: str) -> dict:
    (found,) = [
        props(s)
        for s in resources(template, "AWS::SNS::Subscription").values()
        if ref(props(s)["Endpoint"]) == queue_id
    ]
    return found


def _queue_statements(template: dict, queue_id: str) -> list[dict]:
    (policy,) = [
        props(p)
        for p in resources(template, "AWS::SQS::QueuePolicy").values()
        if [ref(q) for q in props(p)["Queues"]] == [queue_id]
    ]
    return policy["PolicyDocument"]["Statement"]


def _topic_statements(template: dict) -> list[dict]:
    _, policy = one(template, "AWS::SNS::TopicPolicy")
    assert [ref(t) for t in props(policy)["Topics"]] == [_topic(template)]
    return props(policy)["PolicyDocument"]["Statement"]


def _uploads_bucket(template: dict) -> str:
    return _by_path(template, "AWS::S3::Bucket", f"{STACK}/FanOut/Bucket/Resource")


@pytest.mark.fact("FAN-01")
@pytest.mark.parametrize("profile", PROFILES)
def test_each_subscription_delivers_from_this_topic_to_its_own_queue(synthesized, profile):
    template = _template(synthesized, profile)
    topic = _topic(template)
    subscriptions = [props(s) for s in resources(template, "AWS::SNS::Subscription").values()]
    assert len(subscriptions) == len(SUBSCRIBERS)
    endpoints = {ref(s["Endpoint"]) for s in subscriptions}
    assert endpoints == {_queue(template, name) for name in SUBSCRIBERS}
    for subscription in subscriptions:
        assert subscription["Protocol"] == "sqs"
        assert subscription["Endpoint"]["Fn::GetAtt"][1] == "Arn"
        assert subscription["TopicArn"] == {"Ref": topic}


@pytest.mark.fact("FAN-04")
@pytest.mark.parametrize("profile", PROFILES)
def test_queue_policy_lets_only_this_topic_send_and_dead_letter_queues_take_nothing_from_sns(
    synthesized, profile
):
    template = _template(synthesized, profile)
    topic = _topic(template)
    receiving = [_queue(template, name) for name in SUBSCRIBERS]
    receiving.append(
        _by_path(template, "AWS::SQS::Queue", f"{STACK}/FanOut/Undeliverable/Resource")
    )
    for queue_id in receiving:
        allows = [s for s in _queue_statements(template, queue_id) if s["Effect"] == "Allow"]
        assert allows == [
            {
                "Action": "sqs:SendMessage",
                "Condition": {"ArnEquals": {"aws:SourceArn": {"Ref": topic}}},
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
            }
        ]
    for name in SUBSCRIBERS:
        dead_letters = _queue(template, f"{name}-dlq")
        statements = _queue_statements(template, dead_letters)
        assert [s["Effect"] for s in statements] == ["Deny"]


@pytest.mark.fact("FAN-08", "FAN-09", "FAN-10")
@pytest.mark.parametrize("profile", PROFILES)
def test_filter_policies_and_raw_delivery_are_each_subscribers_own(synthesized, profile):
    template = _template(synthesized, profile)
    images = _subscription_to(template, _queue(template, "images"))
    audit = _subscription_to(template, _queue(template, "audit"))
    orders = _subscription_to(template, _queue(template, "orders"))
    # images: the S3 event's own body, filtered on the object key, delivered raw (no envelope).
    assert images["FilterPolicyScope"] == "MessageBody"
    assert images["FilterPolicy"] == {
        "Records": {"s3": {"object": {"key": [{"suffix": s} for s in IMAGE_SUFFIXES]}}}
    }
    assert images["RawMessageDelivery"] is True
    # audit: no filter policy, so every message, in SNS's envelope.
    assert "FilterPolicy" not in audit and "FilterPolicyScope" not in audit
    assert audit["RawMessageDelivery"] is False
    # orders: message attributes of direct publishes (S3 sends none, so no S3 event matches).
    assert orders.get("FilterPolicyScope", "MessageAttributes") == "MessageAttributes"
    assert orders["FilterPolicy"] == {"event_type": ["order_placed", "order_cancelled"]}
    assert orders["RawMessageDelivery"] is True


@pytest.mark.fact("FAN-03", "FAN-05")
@pytest.mark.parametrize("profile", PROFILES)
def test_the_bucket_notifies_only_the_topic_once_on_object_created(synthesized, profile):
    template = _template(synthesized, profile)
    topic = _topic(template)
    _, notifications = one(template, "Custom::S3BucketNotifications")
    assert props(notifications)["BucketName"] == {"Ref": _uploads_bucket(template)}
    # One S3 rule (S3 allows one per event type and prefix), to the topic, not to the queues:
    # the fan-out is the topic's, and a new subscriber changes nothing here.
    assert props(notifications)["NotificationConfiguration"] == {
        "TopicConfigurations": [{"Events": ["s3:ObjectCreated:*"], "TopicArn": {"Ref": topic}}]
    }
    # S3 checks that it may publish before it saves the configuration: the policy goes first.
    (policy_id,) = resources(template, "AWS::SNS::TopicPolicy")
    assert policy_id in notifications["DependsOn"]


@pytest.mark.fact("FAN-06")
@pytest.mark.parametrize("profile", PROFILES)
def test_topic_policy_lets_s3_publish_only_for_this_bucket_and_this_account(synthesized, profile):
    template = _template(synthesized, profile)
    allows = [s for s in _topic_statements(template) if s["Effect"] == "Allow"]
    assert allows == [
        {
            "Action": "sns:Publish",
            "Condition": {
                "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [_uploads_bucket(template), "Arn"]}},
                "StringEquals": {"aws:SourceAccount": PINNED_ENV.account},
            },
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Resource": {"Ref": _topic(template)},
            "Sid": "AllowS3EventNotificationsFromTheBucket",
        }
    ]


@pytest.mark.fact("FAN-11")
@pytest.mark.parametrize("profile", PROFILES)
def test_every_created_queue_has_its_own_dead_letter_queue_after_three_receives(
    synthesized, profile
):
    template = _template(synthesized, profile)
    queues = resources(template, "AWS::SQS::Queue")
    targets = []
    for name in SUBSCRIBERS:
        redrive = props(queues[_queue(template, name)])["RedrivePolicy"]
        dead_letters = _queue(template, f"{name}-dlq")
        assert redrive == {
            "deadLetterTargetArn": {"Fn::GetAtt": [dead_letters, "Arn"]},
            "maxReceiveCount": 3,
        }
        targets.append(dead_letters)
    assert len(set(targets)) == len(SUBSCRIBERS)


@pytest.mark.fact("FAN-12")
@pytest.mark.parametrize("profile", PROFILES)
def test_what_sns_cannot_deliver_goes_to_the_subscriptions_dead_letter_queue(synthesized, profile):
    template = _template(synthesized, profile)
    undeliverable = _by_path(template, "AWS::SQS::Queue", f"{STACK}/FanOut/Undeliverable/Resource")
    for subscription in resources(template, "AWS::SNS::Subscription").values():
        assert props(subscription)["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": [undeliverable, "Arn"]}
        }
    assert (
        props(resources(template, "AWS::SQS::Queue")[undeliverable])["MessageRetentionPeriod"]
        == 14 * 86400
    )


@pytest.mark.fact("FAN-13")
@pytest.mark.parametrize("profile", PROFILES)
def test_topic_and_every_queue_refuse_plain_http(synthesized, profile):
    template = _template(synthesized, profile)
    topic = _topic(template)
    denies = [s for s in _topic_statements(template) if s["Effect"] == "Deny"]
    assert denies == [
        {
            "Action": "sns:Publish",
            "Condition": TLS_DENY,
            "Effect": "Deny",
            "Principal": "*",
            "Resource": {"Ref": topic},
            "Sid": "AllowPublishThroughSSLOnly",
        }
    ]
    queues = resources(template, "AWS::SQS::Queue")
    assert len(queues) == 2 * len(SUBSCRIBERS) + 1
    for queue_id in queues:
        (deny,) = [s for s in _queue_statements(template, queue_id) if s["Effect"] == "Deny"]
        assert deny["Action"] == "sqs:*" and deny["Condition"] == TLS_DENY
        assert deny["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}


@pytest.mark.fact("FAN-14")
def test_production_topic_uses_a_rotating_key_that_s3_may_use_for_this_bucket_only(production):
    template = production.template(STACK)
    key_id, key = one(template, "AWS::KMS::Key")
    _, topic = one(template, "AWS::SNS::Topic")
    assert props(topic)["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert props(key)["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    s3_statements = [
        s
        for s in props(key)["KeyPolicy"]["Statement"]
        if s.get("Principal") == {"Service": "s3.amazonaws.com"}
    ]
    assert s3_statements == [
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Condition": {
                "StringEquals": {"aws:SourceAccount": PINNED_ENV.account},
                "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [_uploads_bucket(template), "Arn"]}},
            },
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Resource": "*",
            "Sid": "AllowS3ToPublishEncryptedEvents",
        }
    ]


@pytest.mark.fact("FAN-14", "FAN-15")
@pytest.mark.parametrize("profile", PROFILES)
def test_every_queue_is_encrypted_with_sqs_managed_keys_so_sns_needs_no_key_grant(
    synthesized, profile
):
    template = _template(synthesized, profile)
    for queue in resources(template, "AWS::SQS::Queue").values():
        assert props(queue)["SqsManagedSseEnabled"] is True
        assert "KmsMasterKeyId" not in props(queue)


@pytest.mark.fact("FAN-15")
def test_sandbox_topic_has_no_key_to_pay_for_or_leave_pending_deletion(sandbox):
    template = sandbox.template(STACK)
    assert resources(template, "AWS::KMS::Key") == {}
    _, topic = one(template, "AWS::SNS::Topic")
    assert "KmsMasterKeyId" not in props(topic)


@pytest.mark.fact("FAN-16")
@pytest.mark.parametrize("profile", PROFILES)
def test_every_queue_long_polls_for_20_seconds(synthesized, profile):
    queues = resources(_template(synthesized, profile), "AWS::SQS::Queue").values()
    assert {props(q)["ReceiveMessageWaitTimeSeconds"] for q in queues} == {20}


@pytest.mark.fact("FAN-02")
@pytest.mark.parametrize(("profile", "days"), [("sandbox", 4), ("production", 7)])
def test_queues_keep_messages_for_the_profiles_retention_and_dead_letters_14_days(
    synthesized, profile, days
):
    template = _template(synthesized, profile)
    queues = resources(template, "AWS::SQS::Queue")
    for name in SUBSCRIBERS:
        assert props(queues[_queue(template, name)])["MessageRetentionPeriod"] == days * 86400
        dead_letters = queues[_queue(template, f"{name}-dlq")]
        assert props(dead_letters)["MessageRetentionPeriod"] == 14 * 86400
    images = props(queues[_queue(template, "images")])
    assert images["VisibilityTimeout"] == 120


@pytest.mark.fact("FAN-17")
@pytest.mark.parametrize("profile", PROFILES)
def test_uploads_bucket_is_versioned_private_and_logs_access_elsewhere(synthesized, profile):
    template = _template(synthesized, profile)
    bucket_id = _uploads_bucket(template)
    bucket = props(resources(template, "AWS::S3::Bucket")[bucket_id])
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    target = ref(bucket["LoggingConfiguration"]["DestinationBucketName"])
    assert target in resources(template, "AWS::S3::Bucket") and target != bucket_id


@pytest.mark.fact("FAN-21")
def test_sandbox_destroy_leaves_nothing_and_production_keeps_the_data(sandbox, production):
    template = sandbox.template(STACK)
    for lid, resource in template["Resources"].items():
        if "DeletionPolicy" in resource:
            assert resource["DeletionPolicy"] == "Delete", lid
    kept = {"AWS::SQS::Queue", "AWS::S3::Bucket", "AWS::Logs::LogGroup"}
    for resource in template["Resources"].values():
        if resource["Type"] in kept:
            assert resource["DeletionPolicy"] == "Delete"
    emptied = {
        ref(props(c)["BucketName"])
        for c in resources(template, "Custom::S3AutoDeleteObjects").values()
    }
    assert emptied == set(resources(template, "AWS::S3::Bucket"))
    # aws-cdk-lib's notifications handler logs into a group of the stack, made before it runs.
    handler_id = _by_path(
        template,
        "AWS::Lambda::Function",
        f"{STACK}/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Resource",
    )
    (group_id,) = [
        lid
        for lid, group in resources(template, "AWS::Logs::LogGroup").items()
        if props(group)["LogGroupName"] == {"Fn::Join": ["", ["/aws/lambda/", {"Ref": handler_id}]]}
    ]
    group = resources(template, "AWS::Logs::LogGroup")[group_id]
    assert group["DeletionPolicy"] == "Delete" and props(group)["RetentionInDays"] == 7
    _, notifications = one(template, "Custom::S3BucketNotifications")
    assert group_id in notifications["DependsOn"]

    kept_template = production.template(STACK)
    for resource in kept_template["Resources"].values():
        if resource["Type"] in kept | {"AWS::KMS::Key"}:
            assert resource["DeletionPolicy"] == "Retain"
    assert resources(kept_template, "Custom::S3AutoDeleteObjects") == {}


@pytest.mark.parametrize("profile", PROFILES)
def test_outputs_name_the_topic_the_bucket_and_every_queue(synthesized, profile):
    template = _template(synthesized, profile)
    outputs = template["Outputs"]
    assert outputs["TopicArn"]["Value"] == {"Ref": _topic(template)}
    assert outputs["BucketName"]["Value"] == {"Ref": _uploads_bucket(template)}
    for name in SUBSCRIBERS:
        assert outputs[f"{name.capitalize()}QueueUrl"]["Value"] == {"Ref": _queue(template, name)}
    assert "aws sns publish" in outputs["TopicArn"]["Description"]
    assert "aws s3 cp" in outputs["BucketName"]["Description"]
