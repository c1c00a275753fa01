"""The Lambda consumer of a QueueWorker queue: one batch of SQS records per invocation.

The event source mapping reports batch item failures (``ReportBatchItemFailures``): the handler
returns the ids of the records it could not process, and only those return to the queue (visible
again after the visibility timeout, moved to the dead-letter queue after ``maxReceiveCount``
receives); the others are deleted. Raising instead would return the whole batch.

A FIFO queue keeps order within a message group, so after the first failure of a FIFO batch the
handler stops and reports that record and every later one: processing a later message of the
same group would overtake the failed one.

The work itself (``process``) is the example's: a message is a JSON object with an ``id``;
anything else is a poison message that fails every time and ends in the dead-letter queue.
Replace ``process`` with your own.
"""

from __future__ import annotations

import json
import logging
from typing import Any

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def process(body: str) -> dict[str, Any]:
    """Do the work of one message; raise ValueError when it cannot be done."""
    message = json.loads(body)  # a json.JSONDecodeError is a ValueError
    if not isinstance(message, dict) or "id" not in message:
        raise ValueError("a message is a JSON object with an 'id'")
    logger.info("processed message %s", message["id"])
    return message


def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    records = event.get("Records", [])
    failed: list[str] = []
    for index, record in enumerate(records):
        try:
            process(record["body"])
        except Exception:  # any failure of one message sends that message back, not the batch
            logger.exception("message %s failed", record["messageId"])
            failed.append(record["messageId"])
            if record.get("eventSourceARN", "").endswith(".fifo"):
                failed.extend(later["messageId"] for later in records[index + 1 :])
                break
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
