"""QueueWorker and QueueWorkerFifo: an SQS worker tier, standard and FIFO, as deployment units."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnOutput, Duration, Environment, Fn, Stack
from constructs import Construct

from constructs_lib.queue_worker import QueueWorker
from stacks import names
from stacks.profiles import Profile
from stacks.shared_network import NetworkAttachment, profile_network


@dataclass(frozen=True)
class QueueWorkerSettings:
    """The standard queue's consumer per profile."""

    consumer: str
    # consumer="instances" only: the group's bounds and the numbers its scaling target comes from
    # (backlog per instance = acceptable_latency / processing_time).
    min_capacity: int | None = None
    max_capacity: int | None = None
    processing_time: Duration | None = None
    acceptable_latency: Duration | None = None


# Sandbox: a Lambda consumer, nothing billed by the hour (the dead-letter alarm's $0.10 aside).
# Production: the notes' worker tier, EC2 instances in an Auto Scaling group scaled on the
# backlog per instance, two at least in two AZs, at most ten; a message takes about 10 s and may
# wait 5 minutes, so each worker may hold a backlog of 30.
SETTINGS = {
    "sandbox": QueueWorkerSettings("lambda"),
    "production": QueueWorkerSettings(
        "instances",
        min_capacity=2,
        max_capacity=10,
        processing_time=Duration.seconds(10),
        acceptable_latency=Duration.minutes(5),
    ),
}


class QueueWorkerStack(Stack):
    """A standard queue, its dead-letter queue and its consumer (Lambda or instances).

    :param network: a network to join (``-c network=shared``) when the consumer is instances.
        Default: None (its own VPC, built only for instances).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: Profile,
        network: NetworkAttachment | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        settings = profile.pick(SETTINGS, "queue-worker")
        common = {"log_retention": profile.log_retention, "removal_policy": profile.removal_policy}
        if settings.consumer == "instances":
            # No bastion: the workers are reached through SSM Session Manager.
            self.network = network or NetworkAttachment.of(
                profile_network(self, profile, bastion=False)
            )
            self.network.join(self)
            self.worker = QueueWorker(
                self,
                "Worker",
                consumer="instances",
                vpc=self.network.vpc,
                subnets=self.network.app_subnets,
                min_capacity=settings.min_capacity,
                max_capacity=settings.max_capacity,
                processing_time=settings.processing_time,
                acceptable_latency=settings.acceptable_latency,
                **common,
            )
        else:
            self.network = None
            self.worker = QueueWorker(self, "Worker", consumer="lambda", **common)
        _add_outputs(self, self.worker, fifo=False)


class QueueWorkerFifoStack(Stack):
    """A FIFO queue (content-based deduplication), its FIFO dead-letter queue, a Lambda consumer
    that processes each message group in order."""

    def __init__(self, scope: Construct, construct_id: str, *, profile: Profile, **kwargs: Any):
        super().__init__(scope, construct_id, **kwargs)
        self.worker = QueueWorker(
            self,
            "Worker",
            consumer="lambda",
            fifo=True,
            content_based_deduplication=True,
            log_retention=profile.log_retention,
            removal_policy=profile.removal_policy,
        )
        _add_outputs(self, self.worker, fifo=True)


def _add_outputs(stack: Stack, worker: QueueWorker, *, fifo: bool) -> None:
    queue = worker.queue
    CfnOutput(stack, "QueueUrl", value=queue.queue_url)
    CfnOutput(stack, "QueueArn", value=queue.queue_arn)
    CfnOutput(
        stack,
        "DeadLetterQueueUrl",
        description="Messages that failed max_receive_count times wait here",
        value=worker.dead_letter_queue.queue_url,
    )
    group = " --message-group-id customer-1" if fifo else ""
    CfnOutput(
        stack,
        "SendExample",
        description="Send a message; a body that is not a JSON object with an id ends in the "
        "dead-letter queue" + (" (same group: processed in order)" if fifo else ""),
        value=Fn.join(
            "",
            [
                "aws sqs send-message --queue-url ",
                queue.queue_url,
                f"{group} --message-body '{{\"id\": 1}}'",
            ],
        ),
    )
    if worker.function is not None:
        CfnOutput(
            stack,
            "FunctionName",
            description="The consumer: aws logs tail /aws/lambda/<name> shows what it processed",
            value=worker.function.function_name,
        )
    if worker.auto_scaling_group is not None:
        CfnOutput(
            stack,
            "AutoScalingGroupName",
            description="The workers: watch the group scale with the backlog",
            value=worker.auto_scaling_group.auto_scaling_group_name,
        )


def add_queue_worker_stacks(
    scope: Construct,
    *,
    profile: Profile,
    env: Environment | None,
    prefix: str = "",
    network_for: Callable[[str | None], NetworkAttachment | None] = lambda region: None,
) -> dict[str, Stack]:
    """QueueWorker (standard queue) and QueueWorkerFifo (FIFO queue), independent of each other.

    ``network_for(region)`` gives a shared network, joined only by an instance consumer.
    """
    settings = profile.pick(SETTINGS, "queue-worker")
    network = network_for(None) if settings.consumer == "instances" else None
    standard = QueueWorkerStack(
        scope,
        f"{prefix}{names.QUEUE_WORKER}",
        profile=profile,
        network=network,
        env=env,
        description=f"SQS worker tier: standard queue, dead-letter queue, {settings.consumer} "
        f"consumer ({profile.name} profile)",
    )
    fifo = QueueWorkerFifoStack(
        scope,
        f"{prefix}{names.QUEUE_WORKER_FIFO}",
        profile=profile,
        env=env,
        description="SQS worker tier: FIFO queue, FIFO dead-letter queue, Lambda consumer "
        f"({profile.name} profile)",
    )
    return {standard.node.id: standard, fifo.node.id: fifo}
