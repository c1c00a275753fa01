"""Templates of FanOut (constructs_lib/fan_out.py) options the FanOut stack does not use, for
``options:<name>`` template paths in facts/fan-out.toml (contract: tests/option_templates.py).
Names start with ``fan_``. ``TEMPLATES[name]()`` returns its template, from one synthesis of every
stack here with the cdk-nag gate on.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from constructs_lib.fan_out import FanOut, Subscriber
from tests.conftest import PINNED_ENV
from tests.option_templates import option_stack, templates_of

ACCOUNT = PINNED_ENV.account
EXISTING_TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:existing-events"
EXISTING_QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:existing-consumer"
EXISTING_BUCKET = "refarch-existing-uploads"
EVENTS = (s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED)
PREFIX, SUFFIX = "incoming/", ".csv"


def _defaults(stack: Stack) -> None:
    """The smallest use: one subscriber taking everything, the construct's defaults."""
    FanOut(stack, "Events", subscribers=[Subscriber(name="all")])


def _existing_topic(stack: Stack) -> None:
    """An existing topic fanned out to a new queue and to an existing one."""
    FanOut(
        stack,
        "Events",
        topic=sns.Topic.from_topic_arn(stack, "Existing", EXISTING_TOPIC_ARN),
        subscribers=[
            Subscriber(name="billing", filter_policy={"kind": [{"prefix": "invoice."}]}),
            Subscriber(
                name="legacy",
                queue=sqs.Queue.from_queue_arn(stack, "Legacy", EXISTING_QUEUE_ARN),
            ),
        ],
    )


def _existing_bucket(stack: Stack) -> None:
    """An existing bucket's created and removed CSVs under incoming/ notify a new topic."""
    FanOut(
        stack,
        "Events",
        subscribers=[Subscriber(name="ingest", raw_message_delivery=True)],
        bucket=s3.Bucket.from_bucket_name(stack, "Uploads", EXISTING_BUCKET),
        bucket_events=EVENTS,
        bucket_prefix=PREFIX,
        bucket_suffix=SUFFIX,
        encrypt_topic=False,
        removal_policy=RemovalPolicy.DESTROY,
    )


def _given_key(stack: Stack) -> None:
    """The topic encrypted with a key of your own; S3 may use it for this bucket only."""
    key = kms.Key(stack, "EventsKey", enable_key_rotation=True)
    FanOut(
        stack,
        "Events",
        subscribers=[Subscriber(name="thumbnails")],
        topic_key=key,
        create_bucket=True,
    )


def _fifo(stack: Stack) -> None:
    """SNS FIFO -> SQS FIFO: ordering per message group and deduplication, no delivery DLQ."""
    FanOut(
        stack,
        "Orders",
        fifo=True,
        subscribers=[
            Subscriber(name="fulfilment"),
            Subscriber(name="invoicing", raw_message_delivery=True),
        ],
        undeliverable_queue=False,
        encrypt_topic=False,
    )


STACKS = {
    "fan_defaults": option_stack("FanDefaults", _defaults),
    "fan_existing_topic": option_stack("FanExistingTopic", _existing_topic),
    "fan_existing_bucket": option_stack("FanExistingBucket", _existing_bucket),
    "fan_given_key": option_stack("FanGivenKey", _given_key),
    "fan_fifo": option_stack("FanFifo", _fifo),
}
TEMPLATES: dict[str, Callable[[], dict]] = templates_of(STACKS)
