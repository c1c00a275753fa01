"""Templates of QueueWorker options that no profile uses, for ``options:<name>`` template paths
in facts/queue-worker.toml and for tests/queue_worker/test_queue_worker_facts.py. Their names
start with ``queue_worker_``: options names are looked up across every architecture's options.py.

``STACKS[name](app)`` adds one small stack holding the construct (the contract:
tests/option_templates.py); ``TEMPLATES[name]()`` returns its template, from one synthesis of
every stack here.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from constructs_lib.queue_worker import QueueWorker
from tests.conftest import PINNED_ENV
from tests.option_templates import option_stack, templates_of

ACCOUNT = PINNED_ENV.account
VPC_ID = "vpc-0a1b2c3d4e5f60718"
SUBNET_IDS = ("subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722")
DATABASE_CLIENTS_GROUP = "sg-0a1b2c3d4e5f60733"
ALARM_TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:queue-alarms"
SHARED_DLQ_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:shared-dead-letters"
# The instance option's numbers: 30 s a message, 10 minutes' acceptable wait: a target of 20.
PROCESSING_SECONDS = 30
LATENCY_SECONDS = 600
INSTANCE_BATCH = 5


def _existing_network(stack: Stack) -> dict:
    """An existing VPC, two of its subnets and a group the database admits, imported by id."""
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id=VPC_ID,
        availability_zones=["us-east-1a", "us-east-1b"],
        private_subnet_ids=list(SUBNET_IDS),
    )
    subnets = [
        ec2.Subnet.from_subnet_attributes(
            stack, f"Subnet{n}", subnet_id=subnet_id, availability_zone=f"us-east-1{zone}"
        )
        for n, (subnet_id, zone) in enumerate(zip(SUBNET_IDS, "ab", strict=True))
    ]
    group = ec2.SecurityGroup.from_security_group_id(
        stack, "DatabaseClients", DATABASE_CLIENTS_GROUP, mutable=False
    )
    return {
        "vpc": vpc,
        "subnets": ec2.SubnetSelection(subnets=subnets),
        "security_groups": [group],
    }


def _instances(stack: Stack) -> None:
    """EC2 workers (x86 this time) in an existing VPC, with other timing than production's."""
    QueueWorker(
        stack,
        "Worker",
        consumer="instances",
        **_existing_network(stack),
        instance_type="m7i.large",
        batch_size=INSTANCE_BATCH,
        min_capacity=1,
        max_capacity=8,
        processing_time=Duration.seconds(PROCESSING_SECONDS),
        acceptable_latency=Duration.seconds(LATENCY_SECONDS),
        alarm_topic=sns.Topic.from_topic_arn(stack, "Alarms", ALARM_TOPIC_ARN),
    )


def _fifo_high_throughput(stack: Stack) -> None:
    """A high-throughput FIFO queue (quota and deduplication per message group), without
    content-based deduplication: senders give a deduplication id."""
    QueueWorker(
        stack,
        "Worker",
        fifo=True,
        high_throughput=True,
        batch_size=1,
        max_concurrency=5,
        memory_size=256,
        function_timeout=Duration.seconds(60),
        max_receive_count=5,
    )


def _batching_window(stack: Stack) -> None:
    """A standard queue whose consumer gathers up to 100 messages for up to 20 s."""
    QueueWorker(
        stack,
        "Worker",
        batch_size=100,
        max_batching_window=Duration.seconds(20),
        max_concurrency=10,
        function_timeout=Duration.seconds(10),
        visibility_timeout=Duration.seconds(120),
        retention_period=Duration.days(1),
        dead_letter_retention_period=Duration.days(7),
    )


def _shared_dead_letter_queue(stack: Stack) -> None:
    """Dead-lettering into an existing queue that several queues share; no alarm here."""
    QueueWorker(
        stack,
        "Worker",
        dead_letter_queue=sqs.Queue.from_queue_arn(stack, "SharedDlq", SHARED_DLQ_ARN),
        dead_letter_alarm=False,
    )


STACKS = {
    "queue_worker_instances": option_stack("QueueWorkerInstancesOption", _instances),
    "queue_worker_fifo_high_throughput": option_stack(
        "QueueWorkerFifoHighThroughputOption", _fifo_high_throughput
    ),
    "queue_worker_batching_window": option_stack(
        "QueueWorkerBatchingWindowOption", _batching_window
    ),
    "queue_worker_shared_dlq": option_stack(
        "QueueWorkerSharedDlqOption", _shared_dead_letter_queue
    ),
}
TEMPLATES = templates_of(STACKS)
