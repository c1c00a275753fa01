"""The Lambda consumer of a QueueWorker queue: one batch of SQS records per invocation.

The event source mapping reports batch item failures (``ReportBatchItemFailures``): the handler
returns the ids of the records it could not process, and only those return to the queue (visible
again after the visibility timeout, moved to the dead-letter queue after ``maxReceiveCount``
receives); the others are deleted. Raising instead would return the whole batch.

A FIFO queue keeps order within a message group, so after the first failure of a FIFO batch the
handler stops and reports that record and every later one: processing a later message of the
same group would overtake the failed one.

The work itself is ``work.process``, shared with the instances' worker program.
"""

from __future__ import annotations

import logging
from typing import Any

from work import process

logger = logging.getLogger()
logger.setLevel(logging.INFO)


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
