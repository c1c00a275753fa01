"""The serverless API's handler run in process, as Lambda would: its environment, proxy events.

Shared by the deploy proof's CRUD check (tests/emulator/flow.py) and the invariant that runs the
same flow under the deployed role's permissions (tests/emulator/invariants.py).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

Caller = Callable[..., tuple[int, Any]]


def proxy_caller(
    handle: Callable[[dict, Any], dict], function_name: str, request_id: str
) -> Caller:
    """``call(method, resource, body=None, item_id=None) -> (status, parsed body)``."""

    class Context:
        aws_request_id = request_id

    Context.function_name = function_name

    def call(method: str, resource: str, body: Any = None, item_id: str | None = None):
        event = {
            "resource": resource,
            "httpMethod": method,
            "path": resource,
            "pathParameters": {"id": item_id} if item_id else None,
            "queryStringParameters": None,
            "body": None if body is None else json.dumps(body),
            "requestContext": {"requestId": request_id},
        }
        response = handle(event, Context())
        return response["statusCode"], json.loads(response["body"] or "null")

    return call


@contextlib.contextmanager
def handler_environment(values: dict[str, str | None]) -> Iterator[None]:
    """``values`` in os.environ (None: unset) for the duration, then exactly as before."""
    saved = {key: os.environ.get(key) for key in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
