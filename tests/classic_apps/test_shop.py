"""MyClothes.com's shop [004:2401-2424]: where the cart lives decides whether it survives the
load balancer. Real HTTP to servers on 127.0.0.1; the AWS CLI, psql and Valkey are fakes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.classic_apps.fakes import FakeCommands, FakeSocket, FakeValkey
from tests.classic_apps.harness import IDENTITY_A, IDENTITY_B, load, request, running

shop = load("shop")

TTL = 900
NOW = 1_700_000_000
TABLE = "myclothes-sessions"
REGION = "eu-west-1"
DB_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"
CACHE_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-AbCdEf"
CREDENTIALS = {"username": "shop", "password": "s3cr'et pw"}


def _server(sessions, identity=IDENTITY_A, addresses=None, backend="memory"):
    return shop.make_server(
        "127.0.0.1",
        0,
        sessions=sessions,
        addresses=addresses,
        identity=identity,
        backend=backend,
        session_ttl_seconds=TTL,
    )


def _session_cookie(response) -> str:
    match = re.match(r"session=([^;]+);", response.header("Set-Cookie") or "")
    assert match, response.header("Set-Cookie")
    return match.group(1)


def _add(port: int, item: str, cookie: str | None = None):
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    return request(port, "POST", "/cart/add", form={"item": item}, headers=headers)


def _cart(port: int, cookie: str) -> list[str]:
    text = request(port, "GET", "/", headers={"Cookie": f"session={cookie}"}).text
    cart = text.split("<h2>Your cart", 1)[1].split("</ul>", 1)[0]
    return [entry for entry in re.findall(r"<li>([^<]*)</li>", cart) if entry != "(empty)"]


def _dynamodb(commands: FakeCommands, clock=lambda: NOW):
    return shop.DynamoDbSessions(TABLE, REGION, TTL, run=commands, clock=clock)


# --- the cookie -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def memory_port():
    with running(_server(shop.MemorySessions())) as port:
        yield port


def test_first_visit_sets_a_random_http_only_lax_session_cookie(memory_port):
    response = request(memory_port, "GET", "/")
    cookie = response.header("Set-Cookie")
    assert re.fullmatch(
        rf"session=[A-Za-z0-9_-]{{22}}; Path=/; Max-Age={TTL}; HttpOnly; SameSite=Lax", cookie
    )
    assert _session_cookie(response) != _session_cookie(request(memory_port, "GET", "/"))


def test_cookie_is_secure_behind_an_https_listener(memory_port):
    response = request(memory_port, "GET", "/", headers={"X-Forwarded-Proto": "https"})
    assert response.header("Set-Cookie").endswith("; Secure")


def test_a_known_session_gets_no_new_cookie(memory_port):
    cookie = _session_cookie(_add(memory_port, "scarf"))
    response = request(memory_port, "GET", "/", headers={"Cookie": f"session={cookie}"})
    assert response.header("Set-Cookie") is None


@pytest.mark.parametrize("forged", ["short", "x" * 23, "../../etc", 'a"b'])
def test_a_malformed_session_cookie_gets_a_fresh_session(memory_port, forged):
    response = request(memory_port, "GET", "/", headers={"Cookie": f"session={forged}"})
    assert _session_cookie(response) != forged


def test_home_page_names_the_instance_and_the_session_store(memory_port):
    text = request(memory_port, "GET", "/").text
    assert "i-0aaaaaaaaaaaaaaaa in us-east-1a" in text
    assert "carts kept in memory" in text


def test_health_answers_200_ok(memory_port):
    response = request(memory_port, "GET", "/health")
    assert (response.status, response.text) == (200, "ok\n")


def test_unknown_paths_are_404(memory_port):
    assert request(memory_port, "GET", "/cart").status == 404
    assert request(memory_port, "POST", "/checkout", form={"a": "b"}).status == 404


# --- the cart -------------------------------------------------------------------------------


def test_adding_redirects_home_and_the_cart_keeps_the_item(memory_port):
    response = _add(memory_port, "blue shirt")
    assert (response.status, response.header("Location")) == (303, "/")
    cookie = _session_cookie(response)
    _add(memory_port, "socks", cookie)
    assert _cart(memory_port, cookie) == ["blue shirt", "socks"]


@pytest.mark.parametrize("item", ["", "<script>", "a" * 41, "x\ny"])
def test_a_bad_item_is_400_and_not_added(memory_port, item):
    cookie = _session_cookie(_add(memory_port, "hat"))
    response = _add(memory_port, item, cookie)
    assert response.status == 400
    assert "item:" in response.text
    assert _cart(memory_port, cookie) == ["hat"]


def test_the_cart_holds_at_most_50_items():
    sessions = shop.MemorySessions()
    sessions.put("s" * 22, ["sock"] * shop.MAX_CART_ITEMS)
    with running(_server(sessions)) as port:
        response = _add(port, "one more", "s" * 22)
    assert response.status == 400
    assert len(sessions.get("s" * 22)) == shop.MAX_CART_ITEMS


def test_an_oversized_form_is_413(memory_port):
    response = request(memory_port, "POST", "/cart/add", form={"item": "x" * 5000})
    assert response.status == 413


def test_memory_cart_is_lost_when_the_alb_picks_another_instance():
    """v1 [004:2405-2414]: no stickiness, each instance its own memory."""
    with running(_server(shop.MemorySessions())) as a:
        with running(_server(shop.MemorySessions(), IDENTITY_B)) as b:
            cookie = _session_cookie(_add(a, "jacket"))
            assert _cart(a, cookie) == ["jacket"]
            assert _cart(b, cookie) == []


def test_memory_forgets_the_oldest_session_past_its_limit():
    sessions = shop.MemorySessions(limit=2)
    for name in ("first", "second", "third"):
        sessions.put(name, [name])
    assert (sessions.get("first"), sessions.get("third")) == ([], ["third"])


def test_dynamodb_cart_survives_when_the_alb_picks_another_instance():
    """v3: the session in DynamoDB, any instance reads it."""
    table = FakeCommands()
    with running(_server(_dynamodb(table), backend="dynamodb")) as a:
        with running(_server(_dynamodb(table), IDENTITY_B, backend="dynamodb")) as b:
            cookie = _session_cookie(_add(a, "jacket"))
            _add(b, "boots", cookie)
            assert _cart(a, cookie) == _cart(b, cookie) == ["jacket", "boots"]


def test_valkey_cart_survives_when_the_alb_picks_another_instance():
    cache = FakeValkey("t0ken")
    sessions = [shop.ValkeySessions("t0ken", TTL, cache.connect) for _ in range(2)]
    with running(_server(sessions[0], backend="valkey")) as a:
        with running(_server(sessions[1], IDENTITY_B, backend="valkey")) as b:
            cookie = _session_cookie(_add(a, "jacket"))
            assert _cart(b, cookie) == ["jacket"]
    assert cache.data[f"session:{cookie}".encode()] == (b'["jacket"]', TTL)


def test_a_failing_store_answers_503_and_health_stays_200():
    """One broken dependency must not make the ALB drain every instance at once."""
    commands = FakeCommands()
    commands.failing = True
    with running(_server(_dynamodb(commands), backend="dynamodb")) as port:
        assert _add(port, "hat").status == 503
        assert request(port, "GET", "/", headers={"Cookie": "session=" + "a" * 22}).status == 503
        assert request(port, "GET", "/health").status == 200


# --- DynamoDB -------------------------------------------------------------------------------


def test_dynamodb_put_item_writes_expires_at_now_plus_the_ttl():
    commands = FakeCommands()
    _dynamodb(commands).put("s" * 22, ["shirt", "socks"])
    (args,) = commands.commands("aws", "dynamodb", "put-item")
    assert json.loads(args[args.index("--item") + 1]) == {
        "session_id": {"S": "s" * 22},
        "cart": {"L": [{"S": "shirt"}, {"S": "socks"}]},
        "expires_at": {"N": str(NOW + TTL)},
    }


def test_dynamodb_calls_name_the_table_and_region():
    commands = FakeCommands()
    sessions = _dynamodb(commands)
    sessions.put("s" * 22, [])
    sessions.get("s" * 22)
    for args in commands.commands("aws", "dynamodb"):
        assert args[args.index("--table-name") + 1] == TABLE
        assert args[args.index("--region") + 1] == REGION


def test_dynamodb_reads_consistently_by_session_id():
    """The redirect's GET may reach another instance right after the write."""
    commands = FakeCommands()
    _dynamodb(commands).get("s" * 22)
    (args,) = commands.commands("aws", "dynamodb", "get-item")
    assert "--consistent-read" in args
    assert json.loads(args[args.index("--key") + 1]) == {"session_id": {"S": "s" * 22}}


def test_dynamodb_ignores_an_expired_item_ttl_has_not_deleted_yet():
    commands = FakeCommands()
    _dynamodb(commands).put("s" * 22, ["shirt"])
    assert _dynamodb(commands, clock=lambda: NOW + TTL - 1).get("s" * 22) == ["shirt"]
    assert _dynamodb(commands, clock=lambda: NOW + TTL).get("s" * 22) == []


def test_dynamodb_missing_item_is_an_empty_cart():
    assert _dynamodb(FakeCommands()).get("n" * 22) == []


# --- Valkey (RESP over TLS) -----------------------------------------------------------------


def test_resp_command_is_an_array_of_bulk_strings():
    assert (
        shop.resp_command("SET", "k", "vé") == b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\xc3\xa9\r\n"
    )


def test_valkey_put_sends_auth_then_set_with_ex_ttl():
    sock = FakeSocket(b"+OK\r\n+OK\r\n")
    shop.ValkeySessions("t0ken", TTL, lambda: sock).put("s" * 22, ["shirt"])
    value = '["shirt"]'
    assert sock.sent == (
        b"*2\r\n$4\r\nAUTH\r\n$5\r\nt0ken\r\n"
        b"*5\r\n$3\r\nSET\r\n$30\r\nsession:ssssssssssssssssssssss\r\n"
        + b"$%d\r\n%s\r\n" % (len(value), value.encode())
        + b"$2\r\nEX\r\n$3\r\n900\r\n"
    )
    assert sock.closed


def test_valkey_get_sends_auth_then_get_and_reads_the_bulk_reply():
    sock = FakeSocket(b'+OK\r\n$9\r\n["shirt"]\r\n')
    assert shop.ValkeySessions("t0ken", TTL, lambda: sock).get("s" * 22) == ["shirt"]
    assert sock.sent.endswith(b"*2\r\n$3\r\nGET\r\n$30\r\nsession:ssssssssssssssssssssss\r\n")


def test_valkey_nil_reply_is_an_empty_cart():
    sock = FakeSocket(b"+OK\r\n$-1\r\n")
    assert shop.ValkeySessions("t0ken", TTL, lambda: sock).get("s" * 22) == []


def test_valkey_error_reply_raises_and_closes_the_connection():
    sock = FakeSocket(b"-WRONGPASS invalid username-password pair\r\n")
    with pytest.raises(shop.RespError, match="WRONGPASS"):
        shop.ValkeySessions("bad", TTL, lambda: sock).get("s" * 22)
    assert sock.closed


@pytest.mark.parametrize("replies", [b"", b'+OK\r\n$9\r\n["sh', b"+OK\r\n?\r\n"])
def test_valkey_truncated_or_unknown_reply_raises(replies):
    with pytest.raises(shop.RespError):
        shop.ValkeySessions("t0ken", TTL, lambda: FakeSocket(replies)).get("s" * 22)


def test_resp_reads_integers_and_arrays():
    connection = shop.RespConnection(FakeSocket(b"*2\r\n:7\r\n$1\r\nx\r\n"))
    assert connection.call("PING") == [7, b"x"]


@pytest.mark.parametrize("secret", ["t0ken", '{"token": "t0ken"}', '{"password": "t0ken"}'])
def test_valkey_token_is_read_once_from_secrets_manager(secret):
    commands = FakeCommands({CACHE_SECRET: secret})
    cache = FakeValkey("t0ken")
    config = {
        "backend": "valkey",
        "region": REGION,
        "cache": {"host": "cache.example", "port": "6379", "secret_arn": CACHE_SECRET},
    }
    sessions, addresses = shop.build_stores(
        config, run=commands, connect=lambda h, p: cache.connect()
    )
    sessions.put("s" * 22, ["hat"])
    assert sessions.get("s" * 22) == ["hat"]
    (args,) = commands.commands("aws", "secretsmanager")
    assert args[args.index("--region") + 1] == REGION
    assert addresses is None


# --- addresses in PostgreSQL (v4) -----------------------------------------------------------


def _addresses(commands: FakeCommands):
    return shop.PostgresAddresses("db.example", 5432, "shop", CREDENTIALS, run=commands)


def test_address_survives_on_another_instance():
    """v4: the address is in the database, whichever instance the ALB picks."""
    database = FakeCommands()
    a_server = _server(shop.MemorySessions(), addresses=_addresses(database))
    b_server = _server(shop.MemorySessions(), IDENTITY_B, addresses=_addresses(database))
    with running(a_server) as a, running(b_server) as b:
        saved = request(a, "POST", "/address", form={"address": " 1  O'Brien St\nDublin "})
        assert (saved.status, saved.header("Location")) == (303, "/")
        cookie = _session_cookie(saved)
        text = request(b, "GET", "/", headers={"Cookie": f"session={cookie}"}).text
    assert "<h2>Your address</h2><p>1 O&#x27;Brien St Dublin</p>" in text


def test_psql_gets_values_as_variables_and_the_password_only_in_its_environment():
    commands = FakeCommands()
    _addresses(commands).put("s" * 22, "1 O'Brien St'; DROP TABLE addresses; --")
    (args, sql, env) = commands.calls[0]
    assert args[0] == "psql"
    assert "-v" in args and "ON_ERROR_STOP=1" in args
    assert "address=1 O'Brien St'; DROP TABLE addresses; --" in args
    assert "O'Brien" not in sql
    assert ":'address'" in sql and ":'session_id'" in sql
    assert CREDENTIALS["password"] not in " ".join(args)
    assert env["PGPASSWORD"] == CREDENTIALS["password"]
    assert env["PGUSER"] == "shop"
    assert env["PGSSLMODE"] == "require"
    assert (env["PGHOST"], env["PGPORT"], env["PGDATABASE"]) == ("db.example", "5432", "shop")


def test_the_table_is_created_with_the_first_statement_only():
    commands = FakeCommands()
    addresses = _addresses(commands)
    addresses.get("s" * 22)
    addresses.put("s" * 22, "here")
    first, second = (sql for _, sql, _ in commands.calls)
    assert first.startswith("CREATE TABLE IF NOT EXISTS addresses")
    assert "CREATE TABLE" not in second


@pytest.mark.parametrize("address", ["", "   ", "x" * 301, "a\x00b"])
def test_a_bad_address_is_400(address):
    commands = FakeCommands()
    with running(_server(shop.MemorySessions(), addresses=_addresses(commands))) as port:
        response = request(port, "POST", "/address", form={"address": address})
    assert response.status == 400
    assert "address:" in response.text
    assert commands.addresses == {}


def test_without_a_database_there_is_no_address_form_or_route(memory_port):
    assert "/address" not in request(memory_port, "GET", "/").text
    assert request(memory_port, "POST", "/address", form={"address": "x"}).status == 404


def test_database_credentials_come_from_its_secret():
    commands = FakeCommands({DB_SECRET: json.dumps(CREDENTIALS)})
    config = {
        "backend": "memory",
        "region": REGION,
        "database": {"host": "db.example", "port": 5432, "name": "shop", "secret_arn": DB_SECRET},
    }
    _, addresses = shop.build_stores(config, run=commands)
    addresses.get("s" * 22)
    assert commands.calls[-1][2]["PGPASSWORD"] == CREDENTIALS["password"]


def test_dynamodb_backend_calls_nothing_at_start():
    commands = FakeCommands()
    config = {"backend": "dynamodb", "region": REGION, "table_name": TABLE}
    sessions, addresses = shop.build_stores(config, run=commands)
    assert isinstance(sessions, shop.DynamoDbSessions)
    assert (commands.calls, addresses) == ([], None)


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match=r"backend is 'redis'; allowed: memory, dynamodb"):
        shop.build_stores({"backend": "redis"}, run=FakeCommands())


# --- the runner -----------------------------------------------------------------------------


def test_run_command_returns_stdout_with_extra_environment():
    script = "import os, sys; print(os.environ['EXTRA'] + sys.stdin.read())"
    out = shop.run_command([sys.executable, "-c", script], input="!", env={"EXTRA": "hi"})
    assert out == "hi!\n"


def test_run_command_raises_on_failure():
    with pytest.raises(subprocess.CalledProcessError):
        shop.run_command([sys.executable, "-c", "raise SystemExit(3)"])
