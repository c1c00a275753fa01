"""FanOut: an uploads bucket's events and direct publishes, fanned out by SNS to SQS queues."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_cdk import CfnOutput, Duration, Environment, Stack
from constructs import Construct

from constructs_lib.fan_out import FanOut, Subscriber, subscriber_id
from stacks import names
from stacks.profiles import Profile

# The three subscribers the notes' pattern needs: one filtering the S3 event body, one taking
# everything, one filtering the message attributes of messages published directly.
IMAGE_SUFFIXES = (".jpg", ".png")
SUBSCRIBERS = (
    Subscriber(
        name="images",
        filter_on="body",
        filter_policy={
            "Records": {"s3": {"object": {"key": [{"suffix": s} for s in IMAGE_SUFFIXES]}}}
        },
        raw_message_delivery=True,
        visibility_timeout=Duration.minutes(2),
    ),
    Subscriber(name="audit"),
    Subscriber(
        name="orders",
        filter_policy={"event_type": ["order_placed", "order_cancelled"]},
        raw_message_delivery=True,
    ),
)


@dataclass(frozen=True)
class FanOutSettings:
    """Per profile: how long queues keep messages, whether the topic has a key, when uploads go."""

    message_retention: Duration
    encrypt_topic: bool
    uploads_expire_after: Duration | None


# A sandbox pays for no key and keeps uploads a week; production encrypts with a CMK and keeps
# messages a week for consumers that are down over a long weekend.
SETTINGS = {
    "sandbox": FanOutSettings(Duration.days(4), False, Duration.days(7)),
    "production": FanOutSettings(Duration.days(7), True, None),
}


class FanOutStack(Stack):
    """One topic, three subscriber queues (each with a DLQ), an uploads bucket notifying it."""

    def __init__(
        self, scope: Construct, construct_id: str, *, profile: Profile, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        settings = profile.pick(SETTINGS, "fan-out")
        self.fan_out = FanOut(
            self,
            "FanOut",
            subscribers=SUBSCRIBERS,
            encrypt_topic=settings.encrypt_topic,
            create_bucket=True,
            bucket_expiration=settings.uploads_expire_after,
            message_retention=settings.message_retention,
            removal_policy=profile.removal_policy,
            auto_delete_objects=profile.auto_delete_objects,
            log_retention=profile.log_retention,
        )
        self._add_outputs()

    def _add_outputs(self) -> None:
        fan_out = self.fan_out
        CfnOutput(
            self,
            "TopicArn",
            description="Publish here: aws sns publish --topic-arn <TopicArn> --message "
            "'{\"order\": 1}' --message-attributes "
            "'event_type={DataType=String,StringValue=order_placed}'",
            value=fan_out.topic.topic_arn,
        )
        CfnOutput(
            self,
            "BucketName",
            description="Upload here to notify the topic: aws s3 cp cat.jpg s3://<BucketName>/",
            value=fan_out.bucket.bucket_name,
        )
        for name, queue in fan_out.queues.items():
            CfnOutput(
                self,
                f"{subscriber_id(name)}QueueUrl",
                description=f"The {name} subscriber's queue: aws sqs receive-message "
                f"--queue-url <{subscriber_id(name)}QueueUrl> --wait-time-seconds 20",
                value=queue.queue_url,
            )
        if fan_out.undeliverable is not None:
            CfnOutput(
                self,
                "UndeliverableQueueUrl",
                description="What SNS could not deliver to a queue lands here",
                value=fan_out.undeliverable.queue_url,
            )


def add_fan_out_stacks(
    scope: Construct,
    *,
    profile: Profile,
    env: Environment | None,
    prefix: str,
    network_for: Callable[..., object],
) -> dict[str, Stack]:
    """The FanOut stack (no VPC: ``network_for`` is not used)."""
    stack_id = f"{prefix}{names.FAN_OUT}"
    stack = FanOutStack(
        scope,
        stack_id,
        profile=profile,
        env=env,
        description=f"Fan-out: S3 event notifications and publishers -> SNS topic -> SQS queues "
        f"with filter policies ({profile.name} profile)",
    )
    return {stack_id: stack}
