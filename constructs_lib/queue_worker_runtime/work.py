"""The work one message asks for, done by both consumers of a QueueWorker queue: the Lambda
handler (handler.py) and the instances' worker program (worker.py). Replace ``process`` with your
own: it is the example's, where a message is a JSON object with an ``id`` and anything else is a
poison message that fails every time and ends in the dead-letter queue.
"""

from __future__ import annotations

import json
import logging
from typing import Any

logger = logging.getLogger("queue-worker")


def process(body: str) -> dict[str, Any]:
    """Do the work of one message; raise ValueError when it cannot be done."""
    message = json.loads(body)  # a json.JSONDecodeError is a ValueError
    if not isinstance(message, dict) or "id" not in message:
        raise ValueError("a message is a JSON object with an 'id'")
    logger.info("processed message %s", message["id"])
    return message
