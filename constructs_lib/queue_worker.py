"""An SQS worker tier: a queue with its dead-letter queue, and the consumers that drain it.

Copy this file together with the ``queue_worker_runtime/`` folder beside it into any CDK v2
Python project: it imports only the standard library, ``aws_cdk`` and ``constructs``.

What the notes teach about a queue between two tiers (004:3783-4160, 002:2311-2320,
002:2503-2537), built in:

- producers send, consumers poll (up to 10 messages a receive), process and delete; a received
  message is hidden for the visibility timeout and comes back if it is not deleted in time, so
  the timeout must outlast the processing (too short: processed twice; too long: a crashed
  consumer's message waits that long);
- a dead-letter queue takes a message that came back ``max_receive_count`` times (the notes'
  example: 3), instead of it failing forever; it keeps messages longer than the queue;
- long polling (20 s) instead of short polling: fewer, cheaper empty receives;
- encryption at rest (SSE-SQS here: no key to pay for or leave pending deletion) and in
  transit (a queue policy refusing plain HTTP);
- consumers on EC2 in an Auto Scaling group scaled on the queue, or Lambda; FIFO queues keep
  order (per message group) and deduplicate, at a cost in throughput.

``consumer="lambda"`` (the default, $0 idle): a function with an event source mapping that
reports batch item failures, so one bad message returns to the queue alone, not with its batch.
``consumer="instances"``: an Auto Scaling group of workers (``queue_worker_runtime/worker.py`` in
their user data) scaled by target tracking on the backlog per instance: the queue's visible
messages divided by the group's in-service instances, kept at acceptable latency / processing
time per message (AWS's pattern for scaling on SQS, refining the notes' queue-length alarm).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from aws_cdk import (
    Acknowledgment,
    Duration,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

Consumer = Literal["lambda", "instances"]

RUNTIME_DIR = Path(__file__).resolve().parent / "queue_worker_runtime"

# What the instances' worker calls on the queue, and nothing else.
WORKER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility")

_CONSUMERS = ("lambda", "instances")
_RETENTION_S = (60, 14 * 86400)  # SQS: 1 minute to 14 days
_VISIBILITY_S = (0, 12 * 3600)  # SQS: 0 s to 12 hours
_MAX_RECEIVE_COUNT = (1, 1000)  # a redrive policy's maxReceiveCount
_LAMBDA_VISIBILITY_FACTOR = 6  # AWS: a source queue's visibility >= 6 x the function timeout
_LAMBDA_BATCH = (1, 10_000)  # with a batching window; 10 without one, and for FIFO queues
_RECEIVE_BATCH = (1, 10)  # one ReceiveMessage returns at most 10 messages
_BATCHING_WINDOW_S = (0, 300)
_MAX_CONCURRENCY = (2, 1000)  # an SQS event source mapping's ScalingConfig
_LAMBDA_MEMORY_MB = (128, 10240)
_LAMBDA_TIMEOUT_S = (1, 900)
_MAX_INSTANCES = 1000
_HANDLER = r"(?=\S{3,128}$)[^.\s]+(\.[^.\s]+)+"  # module.function, as Lambda writes it
_INSTANCE_WARMUP = Duration.minutes(2)  # boot, install boto3, start the worker

# Defaults of the props that belong to one consumer only (None: that consumer's default).
DEFAULT_FUNCTION_TIMEOUT = Duration.seconds(30)
DEFAULT_PROCESSING_TIME = Duration.seconds(10)
DEFAULT_ACCEPTABLE_LATENCY = Duration.minutes(5)
DEFAULT_RETENTION = Duration.days(4)
DEFAULT_DEAD_LETTER_RETENTION = Duration.days(14)


# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_choice, _check_flag, _check_text, _check_instance_type,
# pieces: _encrypted_root_volume, _managed_log_group, _hardened_queue, _allow_ssm_session,
# pieces: _whole_duration, _al2023_image, _check_type, _only_with


def _is_token(value: object) -> bool:
    """An unresolved value (a CfnParameter, an import): CloudFormation checks it, not us."""
    return not isinstance(value, bool) and Token.is_unresolved(value)


def _check_int(name: str, value: object, low: int, high: int | None = None, unit: str = "") -> None:
    """A whole number from ``low`` to ``high`` (or more); tokens pass; bools and floats fail."""
    bounds = f"{low} to {high}{unit}" if high is not None else f"{low} or more{unit}"
    if _is_token(value):
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} is {value!r}; allowed: a whole number, {bounds}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} is {value}; allowed: {bounds}")


def _check_choice(name: str, value: object, allowed: object) -> None:
    """One of ``allowed`` (any iterable of strings: a tuple, a dict's keys)."""
    choices = tuple(allowed)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} is {value!r}; allowed: {', '.join(choices)}")


def _check_flag(name: str, value: object) -> None:
    """True or False, nothing else (no 1, no "yes")."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} is {value!r}; allowed: True or False")


def _check_text(name: str, value: object, pattern: str, allowed: str) -> None:
    """A string that matches ``pattern`` whole; tokens pass. ``allowed`` says what fits."""
    if _is_token(value):
        return
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


def _whole_duration(
    name: str, value: object, unit: str, low: int, high: int | None = None
) -> int | None:
    """A Duration of whole ``unit`` (``seconds``, ``minutes``, ``hours`` or ``days``) from
    ``low`` to ``high`` (no bound above when None): that number, or None for a deploy-time
    token (CloudFormation checks it then)."""
    lowest = f"{low} {unit.removesuffix('s') if low == 1 else unit}"
    span = f"at least {lowest}" if high is None else f"{low} to {high} {unit}"
    if not isinstance(value, Duration):
        raise ValueError(f"{name} is {value!r}; allowed: a Duration of whole {unit}, {span}")
    if value.is_unresolved():
        return None
    amount = getattr(value, f"to_{unit}")(integral=False)
    if amount != int(amount) or amount < low or (high is not None and amount > high):
        shown = f"{amount:.3f}".rstrip("0").rstrip(".")
        human = value.to_human_string()
        shown += f" {unit}" + ("" if human.startswith(f"{shown} ") else f" ({human})")
        raise ValueError(f"{name} is {shown}; allowed: whole {unit}, {span}")
    return int(amount)


def _check_type(name: str, value: object, kind: type | str, allowed: str) -> None:
    """An instance of ``kind``; a str ``kind`` names the attribute a jsii interface (which
    isinstance cannot check) guarantees, e.g. ``vpc_id`` for an ec2.IVpc. A string is never
    one (a token string included: it stands for a value, not a construct); an imported
    resource whose attributes are tokens passes."""
    if isinstance(value, str) or not (
        hasattr(value, kind) if isinstance(kind, str) else isinstance(value, kind)
    ):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


def _only_with(
    name: str, value: object, condition: bool, option: str, default: object = None
) -> None:
    """A prop given (other than its ``default``: None, or False for a flag) without the
    ``option`` it belongs to (``condition`` false) is a mistake, not a no-op."""
    if not condition and value is not default and value != default:
        raise ValueError(f"{name} is {value!r}; allowed only with {option}")


def _check_instance_type(name: str, value: object) -> None:
    """An EC2 instance type written as AWS writes it (``t4g.nano``, ``m7i-flex.2xlarge``)."""
    _check_text(
        name,
        value,
        r"[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]*xlarge"
        r"|metal(-[0-9]+xl)?)",
        "an EC2 instance type such as 't4g.micro' or 'm7i.2xlarge' (family.size)",
    )


def _al2023_image(instance_type: ec2.InstanceType) -> ec2.IMachineImage:
    """The latest Amazon Linux 2023 for ``instance_type``'s CPU: arm64 on Graviton, else x86_64.

    An image of the wrong architecture fails only at launch, after the deployment started.
    """
    cpu = (
        ec2.AmazonLinuxCpuType.ARM_64
        if instance_type.architecture == ec2.InstanceArchitecture.ARM_64
        else ec2.AmazonLinuxCpuType.X86_64
    )
    return ec2.MachineImage.latest_amazon_linux2023(cpu_type=cpu)


def _encrypted_root_volume(size_gib: int = 8, device_name: str = "/dev/xvda") -> ec2.BlockDevice:
    """The root volume every instance boots from: gp3, encrypted, deleted with the instance."""
    return ec2.BlockDevice(
        device_name=device_name,
        volume=ec2.BlockDeviceVolume.ebs(
            size_gib,
            encrypted=True,
            volume_type=ec2.EbsDeviceVolumeType.GP3,
            delete_on_termination=True,
        ),
    )


def _managed_log_group(
    scope: Construct,
    construct_id: str,
    *,
    retention: logs.RetentionDays,
    removal_policy: RemovalPolicy,
    log_group_name: str | None = None,
) -> logs.LogGroup:
    """A log group the stack owns: retention set, deleted or kept with the stack's data.

    Left to itself a service creates its group on first write, keeps it forever and leaves it
    behind after ``cdk destroy``.
    """
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=log_group_name,
        retention=retention,
        removal_policy=removal_policy,
    )


def _hardened_queue(
    scope: Construct,
    construct_id: str,
    *,
    removal_policy: RemovalPolicy,
    fifo: bool = False,
    visibility_timeout: Duration | None = None,
    retention_period: Duration | None = None,
    dead_letter_queue: sqs.DeadLetterQueue | None = None,
    **queue_props: object,
) -> sqs.Queue:
    """A queue: encrypted at rest (SQS-managed keys, no key fee, and SNS and S3 may send to
    it), a policy refusing plain HTTP, and long polling (20 s, SQS's maximum: an empty receive
    waits for a message instead of returning at once, fewer empty receives to pay for).

    ``visibility_timeout`` defaults to SQS's 30 s, ``retention_period`` to its 4 days;
    ``queue_props`` go to ``sqs.Queue`` as they are (FIFO's deduplication and throughput
    settings, for instance).
    """
    return sqs.Queue(
        scope,
        construct_id,
        fifo=True if fifo else None,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        receive_message_wait_time=Duration.seconds(20),
        visibility_timeout=visibility_timeout or Duration.seconds(30),
        retention_period=retention_period or Duration.days(4),
        dead_letter_queue=dead_letter_queue,
        removal_policy=removal_policy,
        **queue_props,
    )


# What SSM Session Manager's agent calls, as aws-cdk-lib's BastionHostLinux grants it: the same
# statement for every instance here, instead of the broader AmazonSSMManagedInstanceCore.
_SSM_SESSION_ACTIONS = ("ssmmessages:*", "ssm:UpdateInstanceInformation", "ec2messages:*")


def _acknowledge_ssm_session(construct: Construct) -> None:
    """The IAM5 findings of the Session Manager statement, with the reason they are accepted."""
    reason = (
        "SSM Session Manager's agent channels (ssmmessages:*, ec2messages:*, "
        "ssm:UpdateInstanceInformation) have no resource-level permissions, so AWS grants them "
        "on '*'; this is the whole statement, narrower than AmazonSSMManagedInstanceCore."
    )
    Validations.of(construct).acknowledge(
        *(
            Acknowledgment(id=f"AwsSolutions-IAM5[{finding}]", reason=reason)
            for finding in ("Action::ssmmessages:*", "Action::ec2messages:*", "Resource::*")
        )
    )


def _allow_ssm_session(role: iam.IRole) -> None:
    """Let instances with ``role`` be reached through Session Manager: no key, no open port."""
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=list(_SSM_SESSION_ACTIONS), resources=["*"])
    )
    _acknowledge_ssm_session(role)


# END VENDORED


class QueueWorker(Construct):
    """A queue, its dead-letter queue and an alarm on it, and a consumer: Lambda or instances.

    Queue:

    :param consumer: ``"lambda"`` (a function; no VPC; $0 idle) or ``"instances"`` (an Auto
        Scaling group of EC2 workers in ``vpc``). Default: ``"lambda"``.
    :param fifo: a FIFO queue (and a FIFO dead-letter queue): order kept per message group,
        duplicates within 5 minutes dropped; names end in ``.fifo``. Default: False.
    :param content_based_deduplication: FIFO only: a SHA-256 of the body is the deduplication
        id when the sender gives none. Default: False.
    :param high_throughput: FIFO only: deduplication and the throughput quota per message
        group instead of per queue (``DeduplicationScope: messageGroup``,
        ``FifoThroughputLimit: perMessageGroupId``). Default: False.
    :param max_receive_count: receives after which SQS moves a message to the dead-letter queue,
        1 to 1000. Default: 3 (the notes' example).
    :param visibility_timeout: how long a received message stays hidden, 0 s to 12 h. For Lambda
        at least 6 x ``function_timeout`` + ``max_batching_window`` (AWS's rule: room for
        retries when the function is throttled); for instances at least ``batch_size`` x
        ``processing_time`` (the last message of a batch waits for the ones before it).
        Default: exactly that minimum for Lambda (180 s), twice it for instances (at least 30 s).
    :param retention_period: how long the queue keeps a message, 60 s to 14 days. Default: 4
        days (SQS's default).
    :param dead_letter_retention_period: the dead-letter queue's retention, at least
        ``retention_period``: a standard queue's message keeps its original enqueue time when it
        moves, so a shorter retention could delete it on arrival. Default: 14 days (SQS's most).
    :param dead_letter_queue: an existing queue to dead-letter into (shared by several queues),
        FIFO exactly when ``fifo`` is; None creates one. Default: None.
    :param dead_letter_alarm: a CloudWatch alarm when the dead-letter queue holds a visible
        message ($0.10 a month). Default: True.
    :param alarm_topic: an SNS topic the alarm notifies; needs ``dead_letter_alarm``. Default:
        None (the alarm only shows in CloudWatch).
    :param batch_size: messages per invocation (Lambda: 1 to 10, up to 10,000 with a
        ``max_batching_window`` of 1 s or more, 10 at most for FIFO) or per receive (instances:
        1 to 10). Default: 10.

    Lambda consumer (refused with ``consumer="instances"``):

    :param max_batching_window: how long Lambda gathers messages before invoking, 0 to 300 s;
        not for FIFO queues. Default: None (invoke as soon as messages arrive).
    :param max_concurrency: the most concurrent invocations the event source starts, 2 to 1000
        (``ScalingConfig.MaximumConcurrency``); None for no limit but the account's. Default: None.
    :param memory_size: the function's memory, 128 to 10240 MB. Default: 128.
    :param function_timeout: the function's timeout, 1 to 900 s. Default: 30 s.
    :param code: your function code (``lambda_.Code``); Python 3.14 on arm64. Default: None
        (``queue_worker_runtime/handler.py``, the example: a message is a JSON object with an id).
    :param handler: the handler in ``code``, ``module.function``. Default: ``handler.handler``.

    Instance consumer (refused with ``consumer="lambda"``):

    :param vpc: the VPC of the workers (an ``ec2.IVpc``); required.
    :param subnets: the subnets of the workers, with a route to SQS (a NAT or an SQS endpoint).
        Default: the VPC's private subnets with egress.
    :param security_groups: more groups the workers join (e.g. the one a database admits); the
        construct's own group allows HTTPS out and nothing in. Default: none.
    :param instance_type: the workers' type (Graviton types get the arm64 image). Default:
        ``t4g.micro``.
    :param min_capacity: the fewest workers, 1 or more (backlog per instance is undefined with
        none in service). Default: 1.
    :param max_capacity: the most workers, at least ``min_capacity``, at most 1000. Default: 4.
    :param processing_time: the average time a worker spends on one message, 1 s or more.
        Default: 10 s.
    :param acceptable_latency: how long a message may wait in the queue; with
        ``processing_time`` it gives the backlog each instance may hold, acceptable_latency /
        processing_time, which must be 1 or more. Default: 5 minutes (a target of 30).

    Both:

    :param log_retention: the function's log group retention. Default: one month.
    :param removal_policy: the queues' and the log group's removal policy. Default: RETAIN.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        consumer: Consumer = "lambda",
        fifo: bool = False,
        content_based_deduplication: bool = False,
        high_throughput: bool = False,
        max_receive_count: int = 3,
        visibility_timeout: Duration | None = None,
        retention_period: Duration = DEFAULT_RETENTION,
        dead_letter_retention_period: Duration | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        dead_letter_alarm: bool = True,
        alarm_topic: sns.ITopic | None = None,
        batch_size: int = 10,
        max_batching_window: Duration | None = None,
        max_concurrency: int | None = None,
        memory_size: int | None = None,
        function_timeout: Duration | None = None,
        code: lambda_.Code | None = None,
        handler: str | None = None,
        vpc: ec2.IVpc | None = None,
        subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        instance_type: str | None = None,
        min_capacity: int | None = None,
        max_capacity: int | None = None,
        processing_time: Duration | None = None,
        acceptable_latency: Duration | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        _check_choice("consumer", consumer, _CONSUMERS)
        on_lambda = consumer == "lambda"
        for name, value in (
            ("max_batching_window", max_batching_window),
            ("max_concurrency", max_concurrency),
            ("memory_size", memory_size),
            ("function_timeout", function_timeout),
            ("code", code),
            ("handler", handler),
        ):
            _only_with(name, value, on_lambda, 'consumer="lambda"')
        for name, value in (
            ("vpc", vpc),
            ("subnets", subnets),
            ("security_groups", list(security_groups) or None),
            ("instance_type", instance_type),
            ("min_capacity", min_capacity),
            ("max_capacity", max_capacity),
            ("processing_time", processing_time),
            ("acceptable_latency", acceptable_latency),
        ):
            _only_with(name, value, not on_lambda, 'consumer="instances"')

        _check_flag("fifo", fifo)
        _check_flag("content_based_deduplication", content_based_deduplication)
        _check_flag("high_throughput", high_throughput)
        for name, value in (
            ("content_based_deduplication", content_based_deduplication),
            ("high_throughput", high_throughput),
        ):
            _only_with(name, value, fifo, "fifo=True", default=False)
        _check_int("max_receive_count", max_receive_count, *_MAX_RECEIVE_COUNT)
        retention = _whole_duration("retention_period", retention_period, "seconds", *_RETENTION_S)
        self._check_dead_letter(
            dead_letter_queue, dead_letter_retention_period, retention, fifo=fifo
        )
        _check_flag("dead_letter_alarm", dead_letter_alarm)
        if alarm_topic is not None:
            _check_type("alarm_topic", alarm_topic, "topic_arn", "an sns.ITopic")
            _only_with("alarm_topic", alarm_topic, dead_letter_alarm, "dead_letter_alarm=True")
        _check_type("log_retention", log_retention, logs.RetentionDays, "a logs.RetentionDays")
        _check_type("removal_policy", removal_policy, RemovalPolicy, "a RemovalPolicy")

        if on_lambda:
            minimum_visibility = self._check_lambda(
                fifo=fifo,
                batch_size=batch_size,
                max_batching_window=max_batching_window,
                max_concurrency=max_concurrency,
                memory_size=memory_size,
                function_timeout=function_timeout or DEFAULT_FUNCTION_TIMEOUT,
                code=code,
                handler=handler,
            )
            default_visibility = minimum_visibility
        else:
            minimum_visibility = self._check_instances(
                batch_size=batch_size,
                vpc=vpc,
                subnets=subnets,
                security_groups=security_groups,
                instance_type=instance_type or "t4g.micro",
                min_capacity=1 if min_capacity is None else min_capacity,
                max_capacity=4 if max_capacity is None else max_capacity,
                processing_time=processing_time or DEFAULT_PROCESSING_TIME,
                acceptable_latency=acceptable_latency or DEFAULT_ACCEPTABLE_LATENCY,
            )
            default_visibility = (
                None if minimum_visibility is None else max(30, 2 * minimum_visibility)
            )
        if visibility_timeout is None:
            if default_visibility is None:
                raise ValueError(
                    "visibility_timeout is None while the consumer's timing is a token; allowed: "
                    "a Duration (the construct cannot compute it)"
                )
            visibility_timeout = Duration.seconds(math.ceil(default_visibility))
        visibility = _whole_duration(
            "visibility_timeout", visibility_timeout, "seconds", *_VISIBILITY_S
        )
        if visibility is not None and minimum_visibility is not None:
            if visibility < minimum_visibility:
                rule = (
                    "6 x function_timeout + max_batching_window"
                    if on_lambda
                    else "batch_size x processing_time"
                )
                raise ValueError(
                    f"visibility_timeout is {visibility:g} s; allowed: at least "
                    f"{minimum_visibility:g} s ({rule}), or a message is received again while "
                    "it is still being processed"
                )

        self._removal_policy = removal_policy
        self._log_retention = log_retention
        self.fifo = fifo
        self.visibility_timeout = visibility_timeout
        self.function: lambda_.Function | None = None
        self.function_log_group: logs.LogGroup | None = None
        self.auto_scaling_group: autoscaling.AutoScalingGroup | None = None
        self.security_group: ec2.SecurityGroup | None = None
        self.scaling_policy: autoscaling.CfnScalingPolicy | None = None
        self.backlog_per_instance_target: float | None = None
        self.dead_letter_alarm: cloudwatch.Alarm | None = None

        self._add_queues(
            fifo=fifo,
            content_based_deduplication=content_based_deduplication,
            high_throughput=high_throughput,
            max_receive_count=max_receive_count,
            visibility_timeout=visibility_timeout,
            retention_period=retention_period,
            dead_letter_queue=dead_letter_queue,
            dead_letter_retention_period=dead_letter_retention_period
            or DEFAULT_DEAD_LETTER_RETENTION,
        )
        if dead_letter_alarm:
            self._add_alarm(alarm_topic)
        if on_lambda:
            self._add_function(
                batch_size=batch_size,
                max_batching_window=max_batching_window,
                max_concurrency=max_concurrency,
                memory_size=memory_size or 128,
                function_timeout=function_timeout or DEFAULT_FUNCTION_TIMEOUT,
                code=code,
                handler=handler or "handler.handler",
            )
        else:
            self._add_instances(
                batch_size=batch_size,
                vpc=vpc,
                subnets=subnets
                or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
                security_groups=list(security_groups),
                instance_type=instance_type or "t4g.micro",
                min_capacity=1 if min_capacity is None else min_capacity,
                max_capacity=4 if max_capacity is None else max_capacity,
                processing_time=processing_time or DEFAULT_PROCESSING_TIME,
                acceptable_latency=acceptable_latency or DEFAULT_ACCEPTABLE_LATENCY,
            )

    # -- validation -----------------------------------------------------------------------------

    @staticmethod
    def _check_dead_letter(
        queue: object, retention: object, queue_retention: float | None, *, fifo: bool
    ) -> None:
        if queue is not None:
            _check_type("dead_letter_queue", queue, "queue_arn", "an sqs.IQueue or None")
            _only_with(
                "dead_letter_retention_period",
                retention,
                False,
                "a dead-letter queue of this construct (dead_letter_queue=None)",
            )
            queue_fifo = queue.fifo
            if isinstance(queue_fifo, bool) and queue_fifo != fifo:
                kind = "a FIFO queue" if fifo else "a standard queue"
                raise ValueError(
                    f"dead_letter_queue is {'FIFO' if queue_fifo else 'standard'}; allowed: "
                    f"{kind}, like the queue it serves (SQS refuses a mix)"
                )
            return
        if retention is None:
            return
        seconds = _whole_duration(
            "dead_letter_retention_period", retention, "seconds", *_RETENTION_S
        )
        if seconds is not None and queue_retention is not None and seconds < queue_retention:
            raise ValueError(
                f"dead_letter_retention_period is {seconds:g} s; allowed: at least "
                f"retention_period ({queue_retention:g} s): a moved message keeps its enqueue time"
            )

    @staticmethod
    def _check_lambda(
        *,
        fifo: bool,
        batch_size: object,
        max_batching_window: object,
        max_concurrency: object,
        memory_size: object,
        function_timeout: object,
        code: object,
        handler: object,
    ) -> float | None:
        """Check the Lambda props; the least visibility timeout they need (None: a token)."""
        window = None
        if max_batching_window is not None:
            if fifo:
                raise ValueError(
                    "max_batching_window is set; allowed: None for a FIFO queue (Lambda has no "
                    "batching window for FIFO queues)"
                )
            window = _whole_duration(
                "max_batching_window", max_batching_window, "seconds", *_BATCHING_WINDOW_S
            )
        if fifo or max_batching_window is None:
            reason = "for a FIFO queue" if fifo else "without a max_batching_window"
            _check_int("batch_size", batch_size, *_RECEIVE_BATCH, f" {reason}")
        else:
            high = _LAMBDA_BATCH[1] if window is None or window >= 1 else _RECEIVE_BATCH[1]
            _check_int("batch_size", batch_size, 1, high, " (above 10 needs a 1 s+ window)")
        if max_concurrency is not None:
            _check_int("max_concurrency", max_concurrency, *_MAX_CONCURRENCY)
        if memory_size is not None:
            _check_int("memory_size", memory_size, *_LAMBDA_MEMORY_MB, " MB")
        timeout = _whole_duration(
            "function_timeout", function_timeout, "seconds", *_LAMBDA_TIMEOUT_S
        )
        if code is not None:
            _check_type("code", code, lambda_.Code, "a lambda_.Code (from_asset, from_inline...)")
        if handler is not None:
            _only_with("handler", handler, code is not None, "code (your own function code)")
            _check_text("handler", handler, _HANDLER, "module.function, e.g. 'app.handle'")
        if timeout is None or (max_batching_window is not None and window is None):
            return None
        return _LAMBDA_VISIBILITY_FACTOR * timeout + (window or 0)

    @staticmethod
    def _check_instances(
        *,
        batch_size: object,
        vpc: object,
        subnets: object,
        security_groups: object,
        instance_type: object,
        min_capacity: object,
        max_capacity: object,
        processing_time: object,
        acceptable_latency: object,
    ) -> float | None:
        """Check the instance props; the least visibility timeout they need (None: a token)."""
        _check_int("batch_size", batch_size, *_RECEIVE_BATCH, " for instances (one receive)")
        if vpc is None:
            raise ValueError('vpc is None; allowed: an ec2.IVpc (consumer="instances" needs one)')
        _check_type("vpc", vpc, "vpc_id", "an ec2.IVpc")
        if subnets is not None:
            _check_type("subnets", subnets, ec2.SubnetSelection, "an ec2.SubnetSelection")
        if isinstance(security_groups, str) or not isinstance(security_groups, (list, tuple)):
            raise ValueError(
                f"security_groups is {security_groups!r}; allowed: a list of ec2.ISecurityGroup"
            )
        for group in security_groups:
            _check_type("security_groups", group, "security_group_id", "ec2.ISecurityGroup items")
        _check_instance_type("instance_type", instance_type)
        _check_int("min_capacity", min_capacity, 1, _MAX_INSTANCES)
        _check_int("max_capacity", max_capacity, 1, _MAX_INSTANCES)
        if not _is_token(min_capacity) and not _is_token(max_capacity):
            if max_capacity < min_capacity:
                raise ValueError(
                    f"max_capacity is {max_capacity}; allowed: at least min_capacity "
                    f"({min_capacity})"
                )
        processing = _whole_duration(
            "processing_time", processing_time, "seconds", 1, _VISIBILITY_S[1]
        )
        latency = _whole_duration(
            "acceptable_latency", acceptable_latency, "seconds", 1, _RETENTION_S[1]
        )
        if processing is not None and latency is not None and latency / processing < 1:
            raise ValueError(
                f"acceptable_latency is {latency:g} s; allowed: at least processing_time "
                f"({processing:g} s): the backlog per instance target, latency / processing "
                "time, must be 1 or more"
            )
        if processing is None or _is_token(batch_size):
            return None
        return batch_size * processing

    # -- queues ---------------------------------------------------------------------------------

    def _add_queues(
        self,
        *,
        fifo: bool,
        content_based_deduplication: bool,
        high_throughput: bool,
        max_receive_count: int,
        visibility_timeout: Duration,
        retention_period: Duration,
        dead_letter_queue: sqs.IQueue | None,
        dead_letter_retention_period: Duration,
    ) -> None:
        if dead_letter_queue is None:
            dead_letter_queue = _hardened_queue(
                self,
                "DeadLetterQueue",
                removal_policy=self._removal_policy,
                fifo=fifo,
                retention_period=dead_letter_retention_period,
            )
        self.dead_letter_queue = dead_letter_queue
        fifo_props: dict[str, object] = {}
        if content_based_deduplication:
            fifo_props["content_based_deduplication"] = True
        if high_throughput:
            fifo_props["deduplication_scope"] = sqs.DeduplicationScope.MESSAGE_GROUP
            fifo_props["fifo_throughput_limit"] = sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID
        self.queue = _hardened_queue(
            self,
            "Queue",
            removal_policy=self._removal_policy,
            fifo=fifo,
            visibility_timeout=visibility_timeout,
            retention_period=retention_period,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=dead_letter_queue, max_receive_count=max_receive_count
            ),
            **fifo_props,
        )

    def _add_alarm(self, topic: sns.ITopic | None) -> None:
        """Any message in the dead-letter queue is a message the consumer gave up on."""
        self.dead_letter_alarm = cloudwatch.Alarm(
            self,
            "DeadLetterAlarm",
            alarm_description="Messages the consumer failed max_receive_count times wait in the "
            "dead-letter queue: inspect them, fix the cause, redrive them",
            metric=self.dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5), statistic="Maximum"
            ),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        if topic is not None:
            self.dead_letter_alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))

    # -- Lambda consumer ------------------------------------------------------------------------

    def _add_function(
        self,
        *,
        batch_size: int,
        max_batching_window: Duration | None,
        max_concurrency: int | None,
        memory_size: int,
        function_timeout: Duration,
        code: lambda_.Code | None,
        handler: str,
    ) -> None:
        self.function_log_group = _managed_log_group(
            self,
            "FunctionLogGroup",
            retention=self._log_retention,
            removal_policy=self._removal_policy,
        )
        role = iam.Role(
            self,
            "FunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Queue consumer: its own log group, and consuming its one queue",
        )
        # Instead of AWSLambdaBasicExecutionRole (logs:* on every log group): only this group.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.function_log_group.log_group_arn],
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=code
            or lambda_.Code.from_asset(
                str(RUNTIME_DIR),
                exclude=["test_*.py", "worker.py", "__pycache__", "*.pyc", ".pytest_cache"],
            ),
            role=role,
            memory_size=memory_size,
            timeout=function_timeout,
            log_group=self.function_log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            description="Consumes the worker queue, reporting the messages it could not process",
        )
        # The event source grants the role sqs:ReceiveMessage, DeleteMessage,
        # ChangeMessageVisibility, GetQueueAttributes and GetQueueUrl on this queue only.
        source = event_sources.SqsEventSource(
            self.queue,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            max_concurrency=max_concurrency,
            report_batch_item_failures=True,
        )
        self.function.add_event_source(source)
        self.event_source_mapping_id = source.event_source_mapping_id
        # The function depends on the whole role, rendered DependsOn [Role, Policy]; the Role is
        # implied by the GetAtt (cfn-lint W3005), the Policy is not: keep only it.
        policy = role.node.find_child("DefaultPolicy").node.default_child
        self.function.node.default_child.add_override(
            "DependsOn", [Stack.of(self).get_logical_id(policy)]
        )

    # -- instance consumer ----------------------------------------------------------------------

    def _add_instances(
        self,
        *,
        batch_size: int,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        security_groups: list[ec2.ISecurityGroup],
        instance_type: str,
        min_capacity: int,
        max_capacity: int,
        processing_time: Duration,
        acceptable_latency: Duration,
    ) -> None:
        group_ = ec2.SecurityGroup(
            self,
            "WorkerSecurityGroup",
            vpc=vpc,
            description="Queue workers: nothing in; HTTPS out (SQS, SSM, package repositories)",
            allow_all_outbound=False,
        )
        group_.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to SQS, SSM and the package repositories"
        )
        self.security_group = group_
        role = iam.Role(
            self,
            "WorkerRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="Queue workers: receive, delete and extend messages of one queue; SSM",
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=list(WORKER_ACTIONS), resources=[self.queue.queue_arn])
        )
        _allow_ssm_session(role)
        itype = ec2.InstanceType(instance_type)
        launch_template = ec2.LaunchTemplate(
            self,
            "LaunchTemplate",
            instance_type=itype,
            machine_image=_al2023_image(itype),
            security_group=group_,
            role=role,
            user_data=self._worker_user_data(batch_size),
            require_imdsv2=True,
            block_devices=[_encrypted_root_volume()],
        )
        if security_groups:
            launch_template.node.default_child.add_property_override(
                "LaunchTemplateData.SecurityGroupIds",
                [group.security_group_id for group in (group_, *security_groups)],
            )
        asg = autoscaling.AutoScalingGroup(
            self,
            "Group",
            vpc=vpc,
            vpc_subnets=subnets,
            launch_template=launch_template,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            default_instance_warmup=_INSTANCE_WARMUP,
            # The scaling metric's denominator: group metrics are free at one-minute granularity.
            group_metrics=[autoscaling.GroupMetrics(autoscaling.GroupMetric.IN_SERVICE_INSTANCES)],
        )
        Validations.of(asg).acknowledge(
            Acknowledgment(
                id="AwsSolutions-AS3",
                reason="Every launch, termination and failure is in the group's activity history "
                "and on EventBridge at no cost; the dead-letter alarm is what needs a human.",
            )
        )
        self.auto_scaling_group = asg
        self._add_backlog_scaling(processing_time, acceptable_latency)

    def _worker_user_data(self, batch_size: int) -> ec2.UserData:
        """Install worker.py (and work.py, the work it shares with the Lambda handler) as a
        systemd service that runs as an unprivileged dynamic user."""
        worker = (RUNTIME_DIR / "worker.py").read_text().rstrip("\n")
        work = (RUNTIME_DIR / "work.py").read_text().rstrip("\n")
        region = Stack.of(self).region
        user_data = ec2.UserData.for_linux()
        user_data.add_commands(
            "set -euo pipefail",
            "dnf install -y python3-boto3",
            "install -d -m 0755 /opt/queue-worker",
            "cat > /opt/queue-worker/work.py <<'WORK_PY'",
            work,
            "WORK_PY",
            "cat > /opt/queue-worker/worker.py <<'WORKER_PY'",
            worker,
            "WORKER_PY",
            "cat > /etc/systemd/system/queue-worker.service <<'UNIT'",
            "[Unit]",
            "Description=SQS queue worker",
            "After=network-online.target",
            "Wants=network-online.target",
            "[Service]",
            "DynamicUser=yes",
            f"Environment=QUEUE_URL={self.queue.queue_url}",
            f"Environment=BATCH_SIZE={batch_size}",
            f"Environment=AWS_DEFAULT_REGION={region}",
            "ExecStart=/usr/bin/python3 /opt/queue-worker/worker.py",
            "Restart=always",
            "RestartSec=5",
            "[Install]",
            "WantedBy=multi-user.target",
            "UNIT",
            "systemctl daemon-reload",
            "systemctl enable --now queue-worker.service",
        )
        return user_data

    def _add_backlog_scaling(self, processing_time: Duration, acceptable_latency: Duration) -> None:
        """Target tracking on visible messages / in-service instances (AWS's SQS pattern)."""
        processing = processing_time.to_seconds(integral=False)
        latency = acceptable_latency.to_seconds(integral=False)
        target = latency / processing if not Token.is_unresolved(processing + latency) else None
        if target is None:  # pragma: no cover - both are tokens only in a CfnParameter app
            raise ValueError("processing_time and acceptable_latency must be known at synthesis")
        self.backlog_per_instance_target = target
        policy_type = autoscaling.CfnScalingPolicy
        self.scaling_policy = policy_type(
            self,
            "BacklogPerInstance",
            auto_scaling_group_name=self.auto_scaling_group.auto_scaling_group_name,
            policy_type="TargetTrackingScaling",
            estimated_instance_warmup=_INSTANCE_WARMUP.to_seconds(),
            target_tracking_configuration=policy_type.TargetTrackingConfigurationProperty(
                target_value=target,
                customized_metric_specification=policy_type.CustomizedMetricSpecificationProperty(
                    metrics=[
                        policy_type.TargetTrackingMetricDataQueryProperty(
                            id="visible",
                            label="Messages waiting in the queue",
                            return_data=False,
                            metric_stat=policy_type.TargetTrackingMetricStatProperty(
                                stat="Sum",
                                metric=policy_type.MetricProperty(
                                    namespace="AWS/SQS",
                                    metric_name="ApproximateNumberOfMessagesVisible",
                                    dimensions=[
                                        policy_type.MetricDimensionProperty(
                                            name="QueueName", value=self.queue.queue_name
                                        )
                                    ],
                                ),
                            ),
                        ),
                        policy_type.TargetTrackingMetricDataQueryProperty(
                            id="instances",
                            label="Workers in service",
                            return_data=False,
                            metric_stat=policy_type.TargetTrackingMetricStatProperty(
                                stat="Average",
                                metric=policy_type.MetricProperty(
                                    namespace="AWS/AutoScaling",
                                    metric_name="GroupInServiceInstances",
                                    dimensions=[
                                        policy_type.MetricDimensionProperty(
                                            name="AutoScalingGroupName",
                                            value=self.auto_scaling_group.auto_scaling_group_name,
                                        )
                                    ],
                                ),
                            ),
                        ),
                        policy_type.TargetTrackingMetricDataQueryProperty(
                            id="backlog",
                            label="Backlog per instance",
                            expression="visible / instances",
                            return_data=True,
                        ),
                    ]
                ),
            ),
        )

    # -- grants ---------------------------------------------------------------------------------

    def grant_send_messages(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let a producer send to the queue (sqs:SendMessage and the attribute reads it needs)."""
        return self.queue.grant_send_messages(grantee)
