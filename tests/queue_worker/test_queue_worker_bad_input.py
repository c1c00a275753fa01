"""QueueWorker refuses a bad prop with a ValueError naming it, before any resource exists; a
deploy-time token passes unchecked (CloudFormation checks it)."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from constructs_lib.queue_worker import QueueWorker
from tests.conftest import PINNED_ENV

SECONDS = Duration.seconds


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput", env=PINNED_ENV)


def _vpc(stack: Stack) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zones=["us-east-1a"],
        private_subnet_ids=["subnet-0a1b2c3d4e5f60711"],
    )


LAMBDA_BAD = [
    ({"consumer": "ecs"}, r"consumer is 'ecs'; allowed: lambda, instances"),
    ({"fifo": "yes"}, r"fifo is 'yes'; allowed: True or False"),
    ({"content_based_deduplication": 1}, r"content_based_deduplication is 1; allowed: True"),
    ({"content_based_deduplication": True}, r"content_based_deduplication .* only with fifo"),
    ({"high_throughput": True}, r"high_throughput is True; allowed only with fifo=True"),
    ({"fifo": True, "high_throughput": "on"}, r"high_throughput is 'on'; allowed: True or False"),
    ({"max_receive_count": 0}, r"max_receive_count is 0; allowed: 1 to 1000"),
    ({"max_receive_count": 1001}, r"max_receive_count is 1001; allowed: 1 to 1000"),
    ({"max_receive_count": 2.5}, r"max_receive_count is 2.5; allowed: a whole number"),
    ({"retention_period": SECONDS(59)}, r"retention_period is 59 seconds; allowed: whole"),
    (
        {"retention_period": Duration.days(15)},
        r"retention_period is 1296000 seconds \(15 days\); allowed",
    ),
    ({"retention_period": 3600}, r"retention_period is 3600; allowed: a Duration"),
    (
        {"retention_period": Duration.days(14), "dead_letter_retention_period": Duration.days(7)},
        r"dead_letter_retention_period is 604800 s; allowed: at least retention_period",
    ),
    (
        {"dead_letter_retention_period": Duration.days(15)},
        r"dead_letter_retention_period is 1296000 seconds \(15 days\)",
    ),
    ({"dead_letter_queue": "arn:aws:sqs:us-east-1:1:q"}, r"dead_letter_queue is .*sqs.IQueue"),
    ({"dead_letter_alarm": None}, r"dead_letter_alarm is None; allowed: True or False"),
    ({"alarm_topic": "arn:aws:sns:us-east-1:1:t"}, r"alarm_topic is .*; allowed: an sns.ITopic"),
    ({"log_retention": 7}, r"log_retention is 7; allowed: a logs.RetentionDays"),
    ({"removal_policy": "destroy"}, r"removal_policy is 'destroy'; allowed: a RemovalPolicy"),
    ({"visibility_timeout": SECONDS(179)}, r"visibility_timeout is 179 s; allowed: at least 180"),
    (
        {"visibility_timeout": Duration.hours(13)},
        r"visibility_timeout is 46800 seconds \(13 hours\); allowed",
    ),
    (
        {"function_timeout": SECONDS(60), "visibility_timeout": SECONDS(300)},
        r"visibility_timeout is 300 s; allowed: at least 360 s \(6 x function_timeout",
    ),
    (
        {"max_batching_window": SECONDS(30), "visibility_timeout": SECONDS(200)},
        r"visibility_timeout is 200 s; allowed: at least 210 s",
    ),
    ({"batch_size": 0}, r"batch_size is 0; allowed: 1 to 10 without a max_batching_window"),
    ({"batch_size": 11}, r"batch_size is 11; allowed: 1 to 10 without a max_batching_window"),
    (
        {"batch_size": 10_001, "max_batching_window": SECONDS(5)},
        r"batch_size is 10001; allowed: 1 to 10000",
    ),
    (
        {"batch_size": 20, "max_batching_window": SECONDS(0)},
        r"batch_size is 20; allowed: 1 to 10 \(above 10 needs a 1 s\+ window\)",
    ),
    ({"fifo": True, "batch_size": 11}, r"batch_size is 11; allowed: 1 to 10 for a FIFO queue"),
    (
        {"fifo": True, "max_batching_window": SECONDS(1)},
        r"max_batching_window is set; allowed: None for a FIFO queue",
    ),
    (
        {"max_batching_window": SECONDS(301)},
        r"max_batching_window is 301 seconds \(5 minutes 1 second\)",
    ),
    ({"max_batching_window": 5}, r"max_batching_window is 5; allowed: a Duration"),
    ({"max_concurrency": 1}, r"max_concurrency is 1; allowed: 2 to 1000"),
    ({"max_concurrency": 1001}, r"max_concurrency is 1001; allowed: 2 to 1000"),
    ({"memory_size": 127}, r"memory_size is 127; allowed: 128 to 10240 MB"),
    ({"memory_size": "256"}, r"memory_size is '256'; allowed: a whole number"),
    ({"function_timeout": SECONDS(0)}, r"function_timeout is 0 seconds; allowed: whole seconds"),
    (
        {"function_timeout": SECONDS(901)},
        r"function_timeout is 901 seconds \(15 minutes 1 second\)",
    ),
    (
        {"function_timeout": Duration.millis(1500)},
        r"function_timeout is 1.5 seconds \(1 second 500 millis\); allowed: whole seconds",
    ),
    ({"code": "def handler(e, c): pass"}, r"code is .*; allowed: a lambda_.Code"),
    ({"handler": "app.run"}, r"handler is 'app.run'; allowed only with code"),
    (
        {"code": lambda_.Code.from_inline("x = 1"), "handler": "no_function"},
        r"handler is 'no_function'; allowed: module.function",
    ),
    # Instance props without consumer="instances":
    ({"instance_type": "t4g.small"}, r'instance_type is .* only with consumer="instances"'),
    ({"min_capacity": 2}, r'min_capacity is 2; allowed only with consumer="instances"'),
    ({"max_capacity": 2}, r'max_capacity is 2; allowed only with consumer="instances"'),
    ({"processing_time": SECONDS(5)}, r'processing_time is .* only with consumer="instances"'),
    ({"acceptable_latency": SECONDS(5)}, r'acceptable_latency .* only with consumer="instances"'),
    ({"subnets": ec2.SubnetSelection()}, r'subnets is .* only with consumer="instances"'),
]


@pytest.mark.fact("QW-04", "QW-06", "QW-11", "QW-20", "QW-23", "QW-25")
@pytest.mark.parametrize(("props", "message"), LAMBDA_BAD)
def test_a_bad_prop_is_refused_with_its_name(stack, props, message):
    with pytest.raises(ValueError, match=message):
        QueueWorker(stack, "Worker", **props)
    assert stack.node.try_find_child("Worker").node.children == []


def test_instance_only_props_that_take_constructs_are_refused_on_lambda(stack):
    with pytest.raises(ValueError, match=r'vpc is .* only with consumer="instances"'):
        QueueWorker(stack, "Worker", vpc=_vpc(stack))
    group = ec2.SecurityGroup.from_security_group_id(stack, "Sg", "sg-0a1b2c3d4e5f60733")
    with pytest.raises(ValueError, match=r'security_groups is .* only with consumer="instances"'):
        QueueWorker(stack, "Worker2", security_groups=[group])


INSTANCE_BAD = [
    ({"vpc": None}, r"vpc is None; allowed: an ec2.IVpc"),
    ({"vpc": "vpc-0a1b2c3d4e5f60718"}, r"vpc is 'vpc-0a1b2c3d4e5f60718'; allowed: an ec2.IVpc"),
    ({"subnets": ["subnet-1"]}, r"subnets is \['subnet-1'\]; allowed: an ec2.SubnetSelection"),
    ({"security_groups": "sg-1"}, r"security_groups is 'sg-1'; allowed: a list of"),
    ({"security_groups": ["sg-1"]}, r"security_groups is 'sg-1'; allowed: ec2.ISecurityGroup"),
    ({"instance_type": "large"}, r"instance_type is 'large'; allowed: an EC2 instance type"),
    ({"min_capacity": 0}, r"min_capacity is 0; allowed: 1 to 1000"),
    ({"max_capacity": 1001}, r"max_capacity is 1001; allowed: 1 to 1000"),
    ({"min_capacity": 3, "max_capacity": 2}, r"max_capacity is 2; allowed: at least min_capacity"),
    ({"processing_time": SECONDS(0)}, r"processing_time is 0 seconds; allowed: whole seconds"),
    ({"processing_time": 10}, r"processing_time is 10; allowed: a Duration"),
    ({"acceptable_latency": SECONDS(0)}, r"acceptable_latency is 0 seconds"),
    (
        {"processing_time": SECONDS(60), "acceptable_latency": SECONDS(30)},
        r"acceptable_latency is 30 s; allowed: at least processing_time \(60 s\)",
    ),
    ({"batch_size": 11}, r"batch_size is 11; allowed: 1 to 10 for instances"),
    (
        {"processing_time": SECONDS(20), "visibility_timeout": SECONDS(199)},
        r"visibility_timeout is 199 s; allowed: at least 200 s \(batch_size x processing_time\)",
    ),
    ({"max_batching_window": SECONDS(5)}, r'max_batching_window .* only with consumer="lambda"'),
    ({"max_concurrency": 5}, r'max_concurrency is 5; allowed only with consumer="lambda"'),
    ({"memory_size": 256}, r'memory_size is 256; allowed only with consumer="lambda"'),
    ({"function_timeout": SECONDS(5)}, r'function_timeout .* only with consumer="lambda"'),
    ({"handler": "a.b"}, r"handler is 'a.b'; allowed only with consumer=\"lambda\""),
]


@pytest.mark.fact("QW-07", "QW-14")
@pytest.mark.parametrize(("props", "message"), INSTANCE_BAD)
def test_a_bad_instance_prop_is_refused_with_its_name(stack, props, message):
    props = {"vpc": _vpc(stack), **props}
    with pytest.raises(ValueError, match=message):
        QueueWorker(stack, "Worker", consumer="instances", **props)


@pytest.mark.fact("QW-05")
def test_a_dead_letter_queue_of_the_other_kind_is_refused(stack):
    standard = sqs.Queue.from_queue_arn(stack, "Std", "arn:aws:sqs:us-east-1:123456789012:dlq")
    fifo = sqs.Queue.from_queue_arn(stack, "Fifo", "arn:aws:sqs:us-east-1:123456789012:d.fifo")
    with pytest.raises(ValueError, match=r"dead_letter_queue is standard; allowed: a FIFO queue"):
        QueueWorker(stack, "A", fifo=True, dead_letter_queue=standard)
    with pytest.raises(ValueError, match=r"dead_letter_queue is FIFO; allowed: a standard queue"):
        QueueWorker(stack, "B", dead_letter_queue=fifo)
    with pytest.raises(ValueError, match=r"dead_letter_retention_period is .* allowed only with"):
        QueueWorker(
            stack, "C", dead_letter_queue=standard, dead_letter_retention_period=Duration.days(14)
        )
    topic = sns.Topic.from_topic_arn(stack, "T", "arn:aws:sns:us-east-1:123456789012:t")
    with pytest.raises(ValueError, match=r"alarm_topic is .* only with dead_letter_alarm=True"):
        QueueWorker(stack, "D", dead_letter_alarm=False, alarm_topic=topic)


def test_tokens_pass_unchecked(stack):
    number = CfnParameter(stack, "Number", type="Number").value_as_number
    worker = QueueWorker(
        stack,
        "Lambda",
        max_receive_count=number,
        batch_size=number,
        max_concurrency=number,
        memory_size=number,
        retention_period=Duration.seconds(number),
        visibility_timeout=Duration.seconds(number),
        removal_policy=RemovalPolicy.DESTROY,
    )
    QueueWorker(
        stack,
        "Instances",
        consumer="instances",
        vpc=_vpc(stack),
        min_capacity=number,
        max_capacity=number,
        visibility_timeout=Duration.seconds(number),
    )
    queue = worker.queue.node.default_child
    assert stack.resolve(queue.visibility_timeout) == {"Ref": "Number"}
    assert stack.resolve(queue.message_retention_period) == {"Ref": "Number"}


def test_a_token_timing_needs_an_explicit_visibility_timeout(stack):
    number = CfnParameter(stack, "Seconds", type="Number").value_as_number
    with pytest.raises(ValueError, match=r"visibility_timeout is None while the consumer's"):
        QueueWorker(stack, "Worker", function_timeout=Duration.seconds(number))
