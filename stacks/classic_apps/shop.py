"""MyClothes.com [004:2401-2424]: a shop whose cart must survive the load balancer.

A ``session`` cookie (random id) names the visitor's cart; where the cart lives is the backend
in the config, and the versions of the architecture differ only in that:

- ``memory`` (v1, v2): in this process. Without stickiness the next request may reach another
  instance and the cart is gone; with stickiness it is gone when this instance is.
- ``dynamodb`` (v3): one item a session, ``expires_at`` for the table's TTL [001:643].
- ``valkey``: an ElastiCache cache over TLS, ``SET ... EX`` expiring the session [004:2085].
- with ``database`` (v4): the visitor's address in PostgreSQL (RDS or Aurora) through psql.

The AWS CLI and psql are called through one runner (``run_command``) so tests can fake them.
Run: ``python3 shop.py /etc/shop/config.json``.
"""

from __future__ import annotations

import html
import http.cookies
import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import threading
import time
import traceback

from app_common import Handler, instance_identity, load_config, make_http_server, page

SESSION_COOKIE = "session"
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{22}\Z")  # secrets.token_urlsafe(16)
ITEM = re.compile(r"[\w][\w .'-]{0,39}\Z")
MAX_CART_ITEMS = 50
MAX_ADDRESS_CHARS = 300


def run_command(args: list, input: str | None = None, env: dict | None = None) -> str:
    """The one way out to the AWS CLI and psql: the command's stdout, or CalledProcessError."""
    full_env = None if env is None else {**os.environ, **env}
    done = subprocess.run(
        args, input=input, env=full_env, capture_output=True, text=True, check=True, timeout=15
    )
    return done.stdout


def read_secret(run, secret_arn: str, region: str) -> str:
    """A Secrets Manager secret's string, read once at start (the instance role may read it)."""
    return run(
        ["aws", "secretsmanager", "get-secret-value", "--secret-id", secret_arn]
        + ["--region", region, "--query", "SecretString", "--output", "text"]
    ).strip()


class MemorySessions:
    """v1/v2: carts in this process only, the oldest forgotten past ``limit`` sessions."""

    def __init__(self, limit: int = 10000) -> None:
        self._carts: dict = {}
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, session_id: str) -> list:
        with self._lock:
            return list(self._carts.get(session_id, []))

    def put(self, session_id: str, cart: list) -> None:
        with self._lock:
            self._carts.pop(session_id, None)
            self._carts[session_id] = list(cart)
            while len(self._carts) > self._limit:
                del self._carts[next(iter(self._carts))]


class DynamoDbSessions:
    """v3: item {session_id, cart, expires_at}. TTL deletion lags (up to days), so a read
    ignores an expired item itself; reads are consistent: the next request may hit another
    instance right after this one wrote."""

    def __init__(self, table_name, region, ttl_seconds, run=run_command, clock=time.time):
        self._table, self._region, self._ttl = table_name, region, int(ttl_seconds)
        self._run, self._clock = run, clock

    def _aws(self, *args: str) -> str:
        return self._run(
            ["aws", "dynamodb", *args, "--table-name", self._table]
            + ["--region", self._region, "--output", "json"]
        )

    def get(self, session_id: str) -> list:
        key = {"session_id": {"S": session_id}}
        out = self._aws("get-item", "--key", json.dumps(key), "--consistent-read")
        item = json.loads(out.strip() or "{}").get("Item")
        if not item or int(item["expires_at"]["N"]) <= self._clock():
            return []
        return [value["S"] for value in item.get("cart", {}).get("L", [])]

    def put(self, session_id: str, cart: list) -> None:
        item = {
            "session_id": {"S": session_id},
            "cart": {"L": [{"S": entry} for entry in cart]},
            "expires_at": {"N": str(int(self._clock()) + self._ttl)},
        }
        self._aws("put-item", "--item", json.dumps(item))


class RespError(Exception):
    """An error reply (``-ERR ...``) or a broken connection."""


def resp_command(*parts: str) -> bytes:
    """A RESP array of bulk strings: how every command goes to Valkey/Redis."""
    encoded = [part.encode() for part in parts]
    return b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in encoded)


class RespConnection:
    """Just enough RESP2 for AUTH, GET and SET over one socket."""

    def __init__(self, sock) -> None:
        self._sock = sock
        self._reader = sock.makefile("rb")

    def call(self, *parts: str):
        self._sock.sendall(resp_command(*parts))
        return self._reply()

    def _reply(self):
        line = self._reader.readline()
        if not line.endswith(b"\r\n"):
            raise RespError("connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            return None if int(rest) < 0 else self._bulk(int(rest))
        if kind == b"*":
            return None if int(rest) < 0 else [self._reply() for _ in range(int(rest))]
        raise RespError(f"unexpected reply {line!r}")

    def _bulk(self, length: int) -> bytes:
        data = self._reader.read(length + 2)
        if len(data) != length + 2:
            raise RespError("connection closed")
        return data[:-2]

    def close(self) -> None:
        self._reader.close()
        self._sock.close()


def tls_connect(host: str, port: int, timeout: float = 5.0):
    """TLS with the certificate checked against the host name (ElastiCache in-transit TLS)."""
    raw = socket.create_connection((host, int(port)), timeout=timeout)
    return ssl.create_default_context().wrap_socket(raw, server_hostname=host)


class ValkeySessions:
    """The cart as JSON under ``session:<id>``, expiring after the session TTL. A connection
    a call: no pool to go stale across a failover."""

    def __init__(self, token: str, ttl_seconds: int, connect) -> None:
        self._token, self._ttl, self._connect = token, int(ttl_seconds), connect

    def _call(self, *parts: str):
        connection = RespConnection(self._connect())
        try:
            connection.call("AUTH", self._token)
            return connection.call(*parts)
        finally:
            connection.close()

    def get(self, session_id: str) -> list:
        raw = self._call("GET", "session:" + session_id)
        return json.loads(raw) if raw else []

    def put(self, session_id: str, cart: list) -> None:
        self._call("SET", "session:" + session_id, json.dumps(cart), "EX", str(self._ttl))


class PostgresAddresses:
    """v4: each session's address in PostgreSQL. Values reach SQL only as psql variables
    quoted by psql (``:'name'``); the password only in psql's environment, never its argv."""

    TABLE = (
        "CREATE TABLE IF NOT EXISTS addresses (session_id text PRIMARY KEY, "
        "address text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());\n"
    )

    def __init__(self, host, port, name, credentials: dict, run=run_command) -> None:
        self._env = {
            "PGHOST": host,
            "PGPORT": str(port),
            "PGDATABASE": name,
            "PGUSER": credentials["username"],
            "PGPASSWORD": credentials["password"],
            "PGSSLMODE": "require",
            "PGCONNECT_TIMEOUT": "5",
        }
        self._run = run
        self._table_ready = False

    def _psql(self, sql: str, **variables: str) -> str:
        args = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        for name, value in variables.items():
            args += ["-v", f"{name}={value}"]
        if not self._table_ready:
            sql = self.TABLE + sql
        out = self._run(args, input=sql, env=self._env)
        self._table_ready = True
        return out

    def get(self, session_id: str) -> str | None:
        sql = "SELECT address FROM addresses WHERE session_id = :'session_id';\n"
        return self._psql(sql, session_id=session_id).strip() or None

    def put(self, session_id: str, address: str) -> None:
        sql = (
            "INSERT INTO addresses (session_id, address) VALUES (:'session_id', :'address') "
            "ON CONFLICT (session_id) "
            "DO UPDATE SET address = EXCLUDED.address, updated_at = now();\n"
        )
        self._psql(sql, session_id=session_id, address=address)


def build_stores(config: dict, run=run_command, connect=tls_connect):
    """(sessions, addresses or None) as the config says; secrets are read here, once."""
    backend, region = config["backend"], config.get("region")
    ttl = int(config.get("session_ttl_seconds", 3600))
    if backend == "memory":
        sessions = MemorySessions()
    elif backend == "dynamodb":
        sessions = DynamoDbSessions(config["table_name"], region, ttl, run)
    elif backend == "valkey":
        cache = config["cache"]
        token = _cache_token(read_secret(run, cache["secret_arn"], region))
        sessions = ValkeySessions(token, ttl, lambda: connect(cache["host"], int(cache["port"])))
    else:
        raise ValueError(f"backend is {backend!r}; allowed: memory, dynamodb, valkey")
    database = config.get("database")
    if not database:
        return sessions, None
    credentials = json.loads(read_secret(run, database["secret_arn"], region))
    addresses = PostgresAddresses(
        database["host"], database["port"], database["name"], credentials, run
    )
    return sessions, addresses


def _cache_token(secret: str) -> str:
    """The secret as the plain token, or a JSON object's ``token`` (or ``password``) field."""
    try:
        parsed = json.loads(secret)
    except ValueError:
        return secret
    if isinstance(parsed, dict):
        return parsed.get("token") or parsed["password"]
    return secret


def shop_page(identity: dict, backend: str, cart: list, address, with_addresses: bool) -> bytes:
    items = "".join(f"<li>{html.escape(entry)}</li>" for entry in cart) or "<li>(empty)</li>"
    body = (
        f"<p>Served by {html.escape(identity['instance_id'])} in "
        f"{html.escape(identity['availability_zone'])}; carts kept in {html.escape(backend)}.</p>"
        f"<h2>Your cart ({len(cart)})</h2><ul>{items}</ul>"
        '<form method="post" action="/cart/add"><input name="item" required maxlength="40">'
        "<button>Add to cart</button></form>"
    )
    if with_addresses:
        shown = html.escape(address) if address else "(none yet)"
        body += (
            f"<h2>Your address</h2><p>{shown}</p>"
            '<form method="post" action="/address"><input name="address" required '
            f'maxlength="{MAX_ADDRESS_CHARS}"><button>Save address</button></form>'
        )
    return page("MyClothes.com", body)


def make_server(host, port, *, sessions, addresses, identity, backend, session_ttl_seconds):
    ttl = int(session_ttl_seconds)

    class ShopHandler(Handler):
        def session(self):
            """(id, new?): the cookie's id when well-formed, else a fresh random one."""
            try:
                cookie = http.cookies.SimpleCookie(self.headers.get("Cookie", ""))
            except http.cookies.CookieError:
                cookie = {}
            morsel = cookie.get(SESSION_COOKIE)
            if morsel is not None and SESSION_ID.match(morsel.value):
                return morsel.value, False
            return secrets.token_urlsafe(16), True

        def cookie_header(self, session_id: str, new: bool) -> tuple:
            if not new:
                return ()
            value = f"{SESSION_COOKIE}={session_id}; Path=/; Max-Age={ttl}; HttpOnly; SameSite=Lax"
            if self.headers.get("X-Forwarded-Proto") == "https":
                value += "; Secure"  # behind an HTTPS listener; plain-HTTP sandboxes keep it off
            return (("Set-Cookie", value),)

        def do_GET(self) -> None:
            self.guarded(self.route_get)

        def do_POST(self) -> None:
            self.guarded(self.route_post)

        def guarded(self, route) -> None:
            """A failing store answers 503 (the ALB keeps the instance: /health stays ok)."""
            try:
                route()
            except Exception:
                traceback.print_exc()
                self.close_connection = True
                self.text(503, "the session store is unavailable; try again\n")

        def route_get(self) -> None:
            path = self.path_only()
            if path == "/health":
                self.text(200, "ok\n")
            elif path == "/":
                self.home()
            else:
                self.not_found()

        def home(self) -> None:
            session_id, new = self.session()
            cart = [] if new else sessions.get(session_id)
            address = None if new or addresses is None else addresses.get(session_id)
            body = shop_page(identity, backend, cart, address, addresses is not None)
            self.respond(200, body, headers=self.cookie_header(session_id, new))

        def route_post(self) -> None:
            path = self.path_only()
            if path == "/cart/add":
                self.post_form("item", self.add_item)
            elif path == "/address" and addresses is not None:
                self.post_form("address", self.save_address)
            else:
                self.close_connection = True
                self.not_found()

        def post_form(self, field: str, action) -> None:
            form = self.read_form()
            if form is None:
                return
            session_id, new = self.session()
            problem = action(session_id, new, form.get(field, "").strip())
            if problem:
                self.text(400, problem + "\n")
            else:
                self.redirect_home(self.cookie_header(session_id, new))

        def add_item(self, session_id: str, new: bool, item: str):
            if not ITEM.match(item):
                return "item: 1 to 40 letters, digits, spaces or .'-"
            cart = [] if new else sessions.get(session_id)
            if len(cart) >= MAX_CART_ITEMS:
                return f"cart is full ({MAX_CART_ITEMS} items)"
            sessions.put(session_id, cart + [item])
            return None

        def save_address(self, session_id: str, new: bool, address: str):
            address = " ".join(address.split())
            if not 0 < len(address) <= MAX_ADDRESS_CHARS or not address.isprintable():
                return f"address: 1 to {MAX_ADDRESS_CHARS} printable characters"
            addresses.put(session_id, address)
            return None

    return make_http_server(host, port, ShopHandler)


def main(config_path: str, host: str = "0.0.0.0") -> None:
    config = load_config(config_path)
    sessions, addresses = build_stores(config)
    server = make_server(
        host,
        int(config.get("port", 80)),
        sessions=sessions,
        addresses=addresses,
        identity=instance_identity(),
        backend=config["backend"],
        session_ttl_seconds=config.get("session_ttl_seconds", 3600),
    )
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
