"""Fakes for the shop's one runner: the AWS CLI (DynamoDB get-item/put-item, Secrets Manager
get-secret-value) and psql, answering as the real commands print, from dicts in memory."""

from __future__ import annotations

import io
import json
import subprocess


class FakeCommands:
    """Records every call (argv, stdin, env) and plays the command it names."""

    def __init__(self, secrets: dict | None = None) -> None:
        self.calls: list[tuple[list, str | None, dict | None]] = []
        self.items: dict[str, dict] = {}
        self.secrets = dict(secrets or {})
        self.addresses: dict[str, str] = {}
        self.failing = False

    def __call__(self, args: list, input: str | None = None, env: dict | None = None) -> str:  # noqa: A002
        self.calls.append((list(args), input, env))
        if self.failing:
            raise subprocess.CalledProcessError(254, args, stderr="Could not connect")
        if args[0] == "psql":
            return self._psql(args, input or "")
        if args[:3] == ["aws", "secretsmanager", "get-secret-value"]:
            return self.secrets[_option(args, "--secret-id")] + "\n"
        if args[:2] == ["aws", "dynamodb"]:
            return self._dynamodb(args[2], args)
        raise AssertionError(f"unexpected command {args}")

    def commands(self, *prefix: str) -> list[list]:
        return [args for args, _, _ in self.calls if tuple(args[: len(prefix)]) == prefix]

    def _dynamodb(self, operation: str, args: list) -> str:
        if operation == "put-item":
            item = json.loads(_option(args, "--item"))
            self.items[item["session_id"]["S"]] = item
            return ""
        if operation == "get-item":
            key = json.loads(_option(args, "--key"))["session_id"]["S"]
            item = self.items.get(key)
            return json.dumps({"Item": item}, indent=4) + "\n" if item else ""
        raise AssertionError(f"unexpected dynamodb {operation}")

    def _psql(self, args: list, sql: str) -> str:
        variables = dict(value.split("=", 1) for value in args[args.index("-v") + 1 :: 2])
        if "INSERT INTO addresses" in sql:
            self.addresses[variables["session_id"]] = variables["address"]
            return ""
        if "SELECT address FROM addresses" in sql:
            found = self.addresses.get(variables["session_id"])
            return found + "\n" if found else ""
        raise AssertionError(f"unexpected SQL {sql!r}")


def _option(args: list, name: str) -> str:
    return args[args.index(name) + 1]


class FakeSocket:
    """A connected socket whose peer has already sent ``replies``; keeps what was sent."""

    def __init__(self, replies: bytes) -> None:
        self.sent = b""
        self.closed = False
        self._replies = replies

    def sendall(self, data: bytes) -> None:
        self.sent += data

    def makefile(self, mode: str):
        assert mode == "rb"
        return io.BytesIO(self._replies)

    def close(self) -> None:
        self.closed = True


class _LiveReader:
    """A socket's read side: what the fake server has answered so far."""

    def __init__(self, buffer: bytearray) -> None:
        self._buffer = buffer

    def readline(self) -> bytes:
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        return self._take(end)

    def read(self, size: int) -> bytes:
        return self._take(min(size, len(self._buffer)))

    def _take(self, size: int) -> bytes:
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def close(self) -> None:
        pass


class FakeValkey:
    """A Valkey server in memory: AUTH with its token, GET, SET key value EX seconds. Each
    ``connect()`` is a new connection, unauthenticated until AUTH."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.data: dict[bytes, tuple[bytes, int]] = {}
        self.connections = 0

    def connect(self) -> FakeValkeyConnection:
        self.connections += 1
        return FakeValkeyConnection(self)


class FakeValkeyConnection:
    def __init__(self, server: FakeValkey) -> None:
        self._server = server
        self._answers = bytearray()
        self._authenticated = False
        self.closed = False

    def makefile(self, mode: str) -> _LiveReader:
        return _LiveReader(self._answers)

    def sendall(self, data: bytes) -> None:
        self._answers += self._answer(_parse_command(data))

    def close(self) -> None:
        self.closed = True

    def _answer(self, command: list[bytes]) -> bytes:
        name = command[0].upper()
        if name == b"AUTH":
            self._authenticated = command[1].decode() == self._server.token
            return b"+OK\r\n" if self._authenticated else b"-WRONGPASS invalid password\r\n"
        if not self._authenticated:
            return b"-NOAUTH Authentication required.\r\n"
        if name == b"SET":
            assert command[3].upper() == b"EX"
            self._server.data[command[1]] = (command[2], int(command[4]))
            return b"+OK\r\n"
        if name == b"GET":
            found = self._server.data.get(command[1])
            return b"$-1\r\n" if found is None else b"$%d\r\n%s\r\n" % (len(found[0]), found[0])
        return b"-ERR unknown command\r\n"


def _parse_command(data: bytes) -> list[bytes]:
    """One RESP array of bulk strings, as a client must send every command."""
    header, _, rest = data.partition(b"\r\n")
    assert header.startswith(b"*"), data
    parts = []
    for _ in range(int(header[1:])):
        length_line, _, rest = rest.partition(b"\r\n")
        assert length_line.startswith(b"$"), data
        length = int(length_line[1:])
        parts.append(rest[:length])
        assert rest[length : length + 2] == b"\r\n", data
        rest = rest[length + 2 :]
    assert rest == b"", data
    return parts
