"""The worker program of a QueueWorker's EC2 instances (installed by the launch template's user
data as the ``queue-worker`` systemd service).

It long-polls the queue (``WaitTimeSeconds=20``: an empty receive waits for a message instead of
returning at once), processes each message and deletes it only after it succeeded. A message that
fails is left alone: it becomes visible again when its visibility timeout ends, and after
``maxReceiveCount`` receives SQS moves it to the dead-letter queue. On SIGTERM (scale-in, instance
refresh) it finishes the batch in hand and stops, so no message is half done.

Environment: ``QUEUE_URL``, ``BATCH_SIZE`` (1 to 10) and the region (``AWS_DEFAULT_REGION``).
Needs boto3 (``dnf install python3-boto3`` on Amazon Linux 2023). The work itself is
``work.process`` (work.py, installed beside it), shared with the Lambda handler.
"""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

from work import process

logger = logging.getLogger("queue-worker")
WAIT_TIME_SECONDS = 20


def poll_once(
    sqs: Any, queue_url: str, batch_size: int, wait_seconds: int = WAIT_TIME_SECONDS
) -> tuple[int, int]:
    """One long-poll receive and its messages: (deleted, left for a retry)."""
    response = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=batch_size, WaitTimeSeconds=wait_seconds
    )
    done = failed = 0
    for message in response.get("Messages", []):
        try:
            process(message["Body"])
        except Exception:  # left in the queue: retried, then dead-lettered
            logger.exception("message %s failed", message["MessageId"])
            failed += 1
            continue
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        done += 1
    return done, failed


class _Stop:
    requested = False

    def __call__(self, signum: int, frame: Any) -> None:
        self.requested = True


def main() -> None:  # pragma: no cover - the loop around poll_once, run by systemd
    import boto3

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    stop = _Stop()
    signal.signal(signal.SIGTERM, stop)
    sqs = boto3.client("sqs")
    queue_url = os.environ["QUEUE_URL"]
    batch_size = int(os.environ.get("BATCH_SIZE", "10"))
    while not stop.requested:
        poll_once(sqs, queue_url, batch_size)


if __name__ == "__main__":
    main()
