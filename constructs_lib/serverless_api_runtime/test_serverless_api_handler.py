"""The CRUD handler against DynamoDB emulated in process (moto's mock_aws): no boto3 mocks.

Not shipped to Lambda (the construct's asset excludes ``test_*.py``).
"""

from __future__ import annotations

import base64
import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

_SPEC = importlib.util.spec_from_file_location(
    "serverless_api_handler", Path(__file__).with_name("handler.py")
)
handler_module = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(handler_module)

STRING_TABLE = "items-by-string-id"
NUMBER_TABLE = "items-by-number-and-sort-key"
CONTEXT = SimpleNamespace(aws_request_id="req-1234")


@pytest.fixture(scope="module")
def dynamodb():
    """One emulated DynamoDB for the module (creating tables per test costs seconds)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.delenv("AWS_PROFILE", raising=False)
        with mock_aws():
            resource = boto3.resource("dynamodb")
            for name, keys in (
                (STRING_TABLE, [("id", "S", "HASH")]),
                (NUMBER_TABLE, [("pk", "N", "HASH"), ("sk", "S", "RANGE")]),
            ):
                resource.create_table(
                    TableName=name,
                    KeySchema=[{"AttributeName": a, "KeyType": k} for a, _, k in keys],
                    AttributeDefinitions=[
                        {"AttributeName": a, "AttributeType": t} for a, t, _ in keys
                    ],
                    BillingMode="PAY_PER_REQUEST",
                )
            yield resource


def _use(monkeypatch, resource, name: str, env: dict[str, str]):
    """Point the handler at table ``name`` (emptied) with the key schema in ``env``."""
    table = resource.Table(name)
    keys = [k["AttributeName"] for k in table.key_schema]
    with table.batch_writer() as batch:
        for item in table.scan()["Items"]:
            batch.delete_item(Key={k: item[k] for k in keys})
    for variable, value in {"TABLE_NAME": name, **env}.items():
        monkeypatch.setenv(variable, value)
    handler_module._table.cache_clear()
    handler_module._schema.cache_clear()
    return table


@pytest.fixture()
def table(dynamodb, monkeypatch):
    """A table keyed by a string ``id``, as the construct's default."""
    env = {"PARTITION_KEY": "id", "PARTITION_KEY_TYPE": "string", "SORT_KEY": ""}
    return _use(monkeypatch, dynamodb, STRING_TABLE, env)


@pytest.fixture()
def number_table(dynamodb, monkeypatch):
    """A table keyed by a number ``pk`` and a string sort key ``sk``."""
    env = {"PARTITION_KEY": "pk", "PARTITION_KEY_TYPE": "number"}
    return _use(monkeypatch, dynamodb, NUMBER_TABLE, {**env, "SORT_KEY": "sk"})


def call(method, resource, *, item_id=None, body=None, query=None, raw=None):
    event = {
        "resource": resource,
        "httpMethod": method,
        "path": resource.replace("{id}", str(item_id)),
        "pathParameters": {"id": item_id} if item_id is not None else None,
        "queryStringParameters": query,
        "body": raw if raw is not None else (json.dumps(body) if body is not None else None),
        "isBase64Encoded": False,
    }
    response = handler_module.handler(event, CONTEXT)
    payload = json.loads(response["body"]) if response["body"] else None
    return response["statusCode"], payload, response


def test_create_then_read_returns_the_same_item_with_a_generated_id(table):
    status, created, response = call("POST", "/items", body={"name": "pen", "price": 1.25})
    assert status == 201
    assert len(created["id"]) == 36  # a UUID
    assert response["headers"]["Location"] == f"/items/{created['id']}"
    status, fetched, _ = call("GET", "/items/{id}", item_id=created["id"])
    assert status == 200
    assert fetched == {"id": created["id"], "name": "pen", "price": 1.25}
    stored = table.get_item(Key={"id": created["id"]})["Item"]
    assert stored["name"] == "pen"


def test_create_keeps_a_given_id_and_refuses_a_duplicate_with_409(table):
    assert call("POST", "/items", body={"id": "a1", "n": 1})[0] == 201
    status, payload, _ = call("POST", "/items", body={"id": "a1", "n": 2})
    assert status == 409
    assert table.get_item(Key={"id": "a1"})["Item"]["n"] == 1


def test_replace_overwrites_an_existing_item(table):
    call("POST", "/items", body={"id": "a1", "old": True})
    status, item, _ = call("PUT", "/items/{id}", item_id="a1", body={"new": "yes"})
    assert status == 200 and item == {"id": "a1", "new": "yes"}
    assert table.get_item(Key={"id": "a1"})["Item"] == {"id": "a1", "new": "yes"}


def test_delete_removes_the_item_and_answers_204_without_a_body(table):
    call("POST", "/items", body={"id": "a1", "n": 1})
    status, payload, _ = call("DELETE", "/items/{id}", item_id="a1")
    assert (status, payload) == (204, None)
    assert "Item" not in table.get_item(Key={"id": "a1"})


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PUT", {"n": 1}), ("DELETE", None)])
def test_a_missing_item_is_a_404(table, method, body):
    status, payload, _ = call(method, "/items/{id}", item_id="nope", body=body)
    assert status == 404
    assert payload["message"] == "item not found"
    assert "Item" not in table.get_item(Key={"id": "nope"})  # PUT did not create it


def test_list_pages_through_every_item_with_the_next_token(table):
    for number in range(7):
        call("POST", "/items", body={"id": f"i{number}", "n": number})
    seen, token = [], None
    while True:
        query = {"limit": "3", **({"next": token} if token else {})}
        status, page, _ = call("GET", "/items", query=query)
        assert status == 200 and len(page["items"]) <= 3
        seen += [item["id"] for item in page["items"]]
        token = page["next"]
        if token is None:
            break
    assert sorted(seen) == [f"i{n}" for n in range(7)]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"n": NaN}', "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('"text"', "must be a JSON object"),
        ("{}", "at least one attribute"),
        ('{"": 1}', "attribute names must not be empty"),
        ('{"id": 5, "n": 1}', "id must be a non-empty string"),
        ('{"id": "", "n": 1}', "id must be a non-empty string"),
        ('{"n": ' + "[" * 40 + "]" * 40 + "}", "nests deeper than 32"),
        ('{"n": 1.0000000000000000000000000000000000000001}', "38 significant digits"),
    ],
)
def test_a_bad_body_is_a_400_with_a_message(table, raw, message):
    status, payload, _ = call("POST", "/items", raw=raw)
    assert status == 400
    assert message in payload["message"]
    assert payload["requestId"] == "req-1234"
    assert table.scan()["Items"] == []


@pytest.mark.fact("API-27")
def test_a_missing_body_and_an_oversized_body_are_400s(table):
    assert call("POST", "/items")[0] == 400
    huge = json.dumps({"blob": "x" * (400 * 1024)})
    status, payload, _ = call("POST", "/items", raw=huge)
    assert status == 400 and "exceeds 409600 bytes" in payload["message"]


def test_a_base64_encoded_body_is_decoded(table):
    encoded = base64.b64encode(json.dumps({"id": "b1", "n": 1}).encode()).decode()
    event = {"resource": "/items", "httpMethod": "POST", "body": encoded, "isBase64Encoded": True}
    assert handler_module.handler(event, CONTEXT)["statusCode"] == 201


def test_a_body_key_that_contradicts_the_url_is_a_400(table):
    call("POST", "/items", body={"id": "a1", "n": 1})
    status, payload, _ = call("PUT", "/items/{id}", item_id="a1", body={"id": "a2"})
    assert status == 400 and "differs" in payload["message"]


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "101"}, {"limit": "x"}])
def test_a_bad_limit_is_a_400(table, query):
    assert call("GET", "/items", query=query)[0] == 400


@pytest.mark.parametrize("token", ["!!!", base64.urlsafe_b64encode(b'{"other": 1}').decode()])
def test_a_forged_next_token_is_a_400(table, token):
    status, payload, _ = call("GET", "/items", query={"next": token})
    assert status == 400 and "next" in payload["message"]


def test_an_unknown_route_is_a_404(table):
    assert call("PATCH", "/items/{id}", item_id="a1")[0] == 404


def test_an_internal_error_is_a_500_without_a_stack_trace(table, monkeypatch, caplog):
    monkeypatch.setenv("TABLE_NAME", "no-such-table")  # DynamoDB: ResourceNotFoundException
    handler_module._table.cache_clear()
    status, payload, response = call("GET", "/items/{id}", item_id="a1")
    assert status == 500
    assert payload == {"message": "internal error", "requestId": "req-1234"}
    assert "Traceback" not in response["body"] and "ResourceNotFound" not in response["body"]
    assert "ResourceNotFoundException" in caplog.text  # the trace is in the function's log


def test_number_partition_and_sort_key_address_one_item(number_table):
    status, created, response = call("POST", "/items", body={"pk": 7, "sk": "a", "v": 1})
    assert status == 201 and response["headers"]["Location"] == "/items/7?sk=a"
    call("POST", "/items", body={"pk": 7, "sk": "b", "v": 2})
    status, item, _ = call("GET", "/items/{id}", item_id="7", query={"sk": "b"})
    assert (status, item) == (200, {"pk": 7, "sk": "b", "v": 2})
    assert call("DELETE", "/items/{id}", item_id="7", query={"sk": "a"})[0] == 204
    assert [i["sk"] for i in number_table.scan()["Items"]] == ["b"]


@pytest.mark.parametrize(
    ("method", "item_id", "query", "body", "message"),
    [
        ("GET", "seven", {"sk": "a"}, None, "pk must be a number"),
        ("GET", "Infinity", {"sk": "a"}, None, "finite"),
        ("GET", "7", None, None, "'sk' is required"),
        ("POST", None, None, {"sk": "a", "v": 1}, "pk is required"),
        ("POST", None, None, {"pk": 1, "v": 1}, "sk is required"),
        ("POST", None, None, {"pk": True, "sk": "a"}, "pk must be a number"),
    ],
)
def test_number_and_sort_key_input_errors_are_400s(
    number_table, method, item_id, query, body, message
):
    resource = "/items/{id}" if item_id else "/items"
    status, payload, _ = call(method, resource, item_id=item_id, query=query, body=body)
    assert status == 400
    assert message in payload["message"]
