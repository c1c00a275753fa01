"""The Lambda handler and the instances' worker program, run here: the worker against SQS
emulated in process (moto's mock_aws), no boto3 mocks.

Not shipped (the construct's asset takes handler.py and work.py, the user data worker.py and
work.py).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

# as on Lambda and on the instances, work.py is importable beside handler.py and worker.py
sys.path.insert(0, str(Path(__file__).parent))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(
        f"queue_worker_{name}", Path(__file__).with_name(f"{name}.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


handler_module = _load("handler")
worker_module = _load("worker")

STANDARD_ARN = "arn:aws:sqs:us-east-1:123456789012:jobs"
FIFO_ARN = "arn:aws:sqs:us-east-1:123456789012:jobs.fifo"


def _event(bodies: list[str], arn: str = STANDARD_ARN) -> dict:
    return {
        "Records": [
            {"messageId": f"m{n}", "body": body, "eventSourceARN": arn}
            for n, body in enumerate(bodies)
        ]
    }


def test_handler_reports_only_the_records_it_could_not_process():
    bodies = [json.dumps({"id": 1}), "not json", json.dumps([1, 2]), json.dumps({"id": 4})]
    assert handler_module.handler(_event(bodies), None) == {
        "batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]
    }


def test_handler_reports_no_failure_for_a_good_batch():
    bodies = [json.dumps({"id": n}) for n in range(3)]
    assert handler_module.handler(_event(bodies), None) == {"batchItemFailures": []}


def test_fifo_batch_stops_at_the_first_failure_and_returns_every_later_record():
    bodies = [json.dumps({"id": 1}), "{", json.dumps({"id": 3}), json.dumps({"id": 4})]
    result = handler_module.handler(_event(bodies, FIFO_ARN), None)
    assert result == {
        "batchItemFailures": [
            {"itemIdentifier": "m1"},
            {"itemIdentifier": "m2"},
            {"itemIdentifier": "m3"},
        ]
    }


@pytest.mark.parametrize("body", ["", "null", '"text"', '{"no": "id"}'])
def test_process_refuses_what_is_not_a_json_object_with_an_id(body):
    for module in (handler_module, worker_module):
        with pytest.raises(ValueError):
            module.process(body)


@pytest.fixture
def sqs():
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def _count(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_worker_deletes_what_it_processed_and_leaves_failures_for_a_retry(sqs):
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    for body in (json.dumps({"id": 1}), "poison", json.dumps({"id": 3})):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    assert worker_module.poll_once(sqs, url, 10) == (2, 1)
    (left,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert left["Body"] == "poison"


def test_a_message_failing_max_receive_count_times_moves_to_the_dead_letter_queue(sqs):
    dlq_url = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    url = sqs.create_queue(
        QueueName="jobs",
        Attributes={
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
        },
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    assert worker_module.poll_once(sqs, url, 1) == (0, 1)
    assert worker_module.poll_once(sqs, url, 1) == (0, 1)
    # The third receive would exceed maxReceiveCount: SQS moves the message instead.
    assert worker_module.poll_once(sqs, url, 1, wait_seconds=0) == (0, 0)
    assert _count(sqs, url) == 0
    assert _count(sqs, dlq_url) == 1


class _Recorder:
    def __init__(self):
        self.calls = []

    def receive_message(self, **kwargs):
        self.calls.append(kwargs)
        return {}


def test_worker_long_polls_for_20_seconds_a_batch_at_a_time():
    sqs = _Recorder()
    assert worker_module.poll_once(sqs, "https://sqs/jobs", 7) == (0, 0)
    assert sqs.calls == [
        {"QueueUrl": "https://sqs/jobs", "MaxNumberOfMessages": 7, "WaitTimeSeconds": 20}
    ]
