"""CRUD for the items of one DynamoDB table, behind an API Gateway Lambda proxy integration.

Routes (``event["resource"]``, ``event["httpMethod"]``):

- ``GET /items``: one page of items, ``?limit=1..100`` (default 25) and ``?next=<token>``.
- ``POST /items``: create an item from a JSON object; a string partition key is generated (UUID)
  when the body has none. 201, or 409 if an item with that key exists.
- ``GET /items/{id}``: the item, or 404.
- ``PUT /items/{id}``: replace an existing item with the body, or 404.
- ``DELETE /items/{id}``: 204, or 404.

With a sort key, ``/items/{id}`` needs it as the query string parameter of the same name.
Malformed JSON, a body that is not a JSON object, a key of the wrong type or a body over the
DynamoDB item limit is a 400. Errors never carry a stack trace: clients get a message and the
request id; the trace goes to the function's log.

Configuration from the environment: TABLE_NAME, PARTITION_KEY, PARTITION_KEY_TYPE
(``string``/``number``), SORT_KEY (empty for none), SORT_KEY_TYPE. The DynamoDB calls are
GetItem, PutItem, DeleteItem and Scan: the function's role allows those four and no others.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
import os
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

import boto3
from botocore.exceptions import ClientError

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(logging.INFO)

MAX_BODY_BYTES = 400 * 1024  # DynamoDB's item size limit
MAX_KEY_BYTES = {"partition": 2048, "sort": 1024}  # DynamoDB's key size limits
MAX_DEPTH = 32  # DynamoDB's nesting limit for maps and lists
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
JSON_HEADERS = {"Content-Type": "application/json"}


class ClientFault(Exception):
    """A request the client must fix: becomes a 4xx response with ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _not_found() -> ClientFault:
    return ClientFault(404, "item not found")


@functools.lru_cache(maxsize=1)
def _table():
    """The table resource, created once per execution environment (warm starts reuse it)."""
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


@functools.lru_cache(maxsize=1)
def _schema() -> dict[str, tuple[str, str] | None]:
    """{"partition": (name, type), "sort": (name, type) or None} from the environment."""
    sort_key = os.environ.get("SORT_KEY", "")
    return {
        "partition": (os.environ["PARTITION_KEY"], os.environ.get("PARTITION_KEY_TYPE", "string")),
        "sort": (sort_key, os.environ.get("SORT_KEY_TYPE", "string")) if sort_key else None,
    }


# -- JSON in and out ----------------------------------------------------------------------------


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(_to_json(item) for item in value)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "value") and isinstance(value.value, bytes):  # boto3 Binary
        return base64.b64encode(value.value).decode()
    return value


def _response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> dict:
    return {
        "statusCode": status,
        "headers": {**JSON_HEADERS, **(headers or {})},
        "body": "" if body is None else json.dumps(_to_json(body)),
    }


def _depth(value: Any, level: int = 1) -> int:
    if isinstance(value, dict):
        return max((_depth(item, level + 1) for item in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(item, level + 1) for item in value), default=level)
    return level - 1


def _item_from_body(event: dict) -> dict:
    raw = event.get("body")
    if raw is None or raw == "":
        raise ClientFault(400, "the request needs a JSON object body")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ClientFault(400, "the body is not valid base64-encoded UTF-8") from None
    if len(raw.encode("utf-8")) > MAX_BODY_BYTES:
        raise ClientFault(400, f"the body exceeds {MAX_BODY_BYTES} bytes (the DynamoDB item limit)")
    try:
        item = json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except ValueError as error:
        raise ClientFault(400, f"the body is not valid JSON: {error}") from None
    if not isinstance(item, dict):
        raise ClientFault(400, "the body must be a JSON object")
    if not item:
        raise ClientFault(400, "the body must have at least one attribute")
    if any(name == "" for name in item):
        raise ClientFault(400, "attribute names must not be empty")
    if _depth(item) > MAX_DEPTH:
        raise ClientFault(400, f"the body nests deeper than {MAX_DEPTH} levels")
    return item


# -- Keys ---------------------------------------------------------------------------------------


def _key_value(role: str, raw: Any, *, from_url: bool) -> str | Decimal:
    """A key value checked against the table's schema: ClientFault(400) if it doesn't fit."""
    name, key_type = _schema()[role]
    if key_type == "number":
        if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
            raise ClientFault(400, f"{name} must be a number")
        try:
            number = Decimal(raw) if from_url or not isinstance(raw, Decimal) else raw
        except InvalidOperation:
            raise ClientFault(400, f"{name} must be a number, not {raw!r}") from None
        if not number.is_finite():
            raise ClientFault(400, f"{name} must be a finite number")
        return number
    if not isinstance(raw, str) or raw == "":
        raise ClientFault(400, f"{name} must be a non-empty string")
    if len(raw.encode("utf-8")) > MAX_KEY_BYTES[role]:
        raise ClientFault(400, f"{name} exceeds {MAX_KEY_BYTES[role]} bytes")
    return raw


def _key_from_url(event: dict) -> dict:
    schema = _schema()
    name = schema["partition"][0]
    raw_id = (event.get("pathParameters") or {}).get("id")
    key = {name: _key_value("partition", raw_id, from_url=True)}
    if schema["sort"]:
        sort_name = schema["sort"][0]
        raw_sort = (event.get("queryStringParameters") or {}).get(sort_name)
        if raw_sort is None:
            raise ClientFault(400, f"the query string parameter {sort_name!r} is required")
        key[sort_name] = _key_value("sort", raw_sort, from_url=True)
    return key


def _key_condition(check: str) -> dict:
    """A condition on the partition key attribute: attribute_exists / attribute_not_exists."""
    return {
        "ConditionExpression": f"{check}(#pk)",
        "ExpressionAttributeNames": {"#pk": _schema()["partition"][0]},
    }


def _write(call, on_condition_failure: ClientFault, **arguments: Any) -> None:
    """A conditional PutItem/DeleteItem; the client's mistakes become 4xx, the rest propagates."""
    try:
        call(**arguments)
    except ArithmeticError:  # boto3 refuses numbers DynamoDB cannot store exactly
        raise ClientFault(400, "numbers need at most 38 significant digits") from None
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code == "ConditionalCheckFailedException":
            raise on_condition_failure from None
        if code == "ValidationException":  # e.g. an item over 400 KB once encoded
            raise ClientFault(400, error.response["Error"]["Message"]) from None
        raise


# -- Routes -------------------------------------------------------------------------------------


def _decode_token(token: str) -> dict:
    try:
        start = json.loads(base64.urlsafe_b64decode(token.encode()), parse_float=Decimal)
    except (ValueError, binascii.Error):
        raise ClientFault(400, "next is not a token this API returned") from None
    schema = _schema()
    names = {schema["partition"][0]} | ({schema["sort"][0]} if schema["sort"] else set())
    if not isinstance(start, dict) or set(start) != names:
        raise ClientFault(400, "next is not a token this API returned")
    return start


def list_items(event: dict) -> dict:
    params = event.get("queryStringParameters") or {}
    raw_limit = params.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise ClientFault(400, f"limit must be an integer from 1 to {MAX_LIMIT}")
    arguments: dict[str, Any] = {"Limit": int(raw_limit)}
    if params.get("next"):
        arguments["ExclusiveStartKey"] = _decode_token(params["next"])
    page = _table().scan(**arguments)
    token = None
    if "LastEvaluatedKey" in page:
        last = json.dumps(_to_json(page["LastEvaluatedKey"]))
        token = base64.urlsafe_b64encode(last.encode()).decode()
    return _response(200, {"items": page.get("Items", []), "next": token})


def create_item(event: dict) -> dict:
    item = _item_from_body(event)
    schema = _schema()
    name, key_type = schema["partition"]
    if name not in item:
        if key_type != "string":
            raise ClientFault(400, f"{name} is required (a number key cannot be generated)")
        item[name] = str(uuid.uuid4())
    item[name] = _key_value("partition", item[name], from_url=False)
    if schema["sort"]:
        sort_name = schema["sort"][0]
        if sort_name not in item:
            raise ClientFault(400, f"{sort_name} is required")
        item[sort_name] = _key_value("sort", item[sort_name], from_url=False)
    _write(
        _table().put_item,
        ClientFault(409, "an item with this key already exists"),
        Item=item,
        **_key_condition("attribute_not_exists"),
    )
    location = f"/items/{item[name]}"
    if schema["sort"]:
        location += f"?{schema['sort'][0]}={item[schema['sort'][0]]}"
    return _response(201, item, {"Location": location})


def get_item(event: dict) -> dict:
    found = _table().get_item(Key=_key_from_url(event)).get("Item")
    if found is None:
        raise _not_found()
    return _response(200, found)


def replace_item(event: dict) -> dict:
    key = _key_from_url(event)
    item = _item_from_body(event)
    for name, value in key.items():
        if name in item and _key_value(_role(name), item[name], from_url=False) != value:
            raise ClientFault(400, f"{name} in the body differs from the one in the URL")
        item[name] = value
    _write(_table().put_item, _not_found(), Item=item, **_key_condition("attribute_exists"))
    return _response(200, item)


def delete_item(event: dict) -> dict:
    key = _key_from_url(event)
    _write(_table().delete_item, _not_found(), Key=key, **_key_condition("attribute_exists"))
    return _response(204)


def _role(name: str) -> str:
    return "partition" if name == _schema()["partition"][0] else "sort"


ROUTES = {
    ("/items", "GET"): list_items,
    ("/items", "POST"): create_item,
    ("/items/{id}", "GET"): get_item,
    ("/items/{id}", "PUT"): replace_item,
    ("/items/{id}", "DELETE"): delete_item,
}


def handler(event: dict, context: Any) -> dict:
    """The Lambda entry point: route, answer, and never leak an internal error's details."""
    request_id = getattr(context, "aws_request_id", None)
    route = ROUTES.get((event.get("resource"), event.get("httpMethod")))
    if route is None:
        return _response(404, {"message": "no such route", "requestId": request_id})
    try:
        return route(event)
    except ClientFault as fault:
        return _response(fault.status, {"message": fault.message, "requestId": request_id})
    except Exception:
        LOGGER.exception("unhandled error for %s %s", event.get("httpMethod"), event.get("path"))
        return _response(500, {"message": "internal error", "requestId": request_id})
