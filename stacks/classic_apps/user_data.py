"""User data that installs a classic application as a systemd service on Amazon Linux 2023.

Each function writes the server's exact source (and app_common.py beside it), a JSON config
and a unit, each from a quoted heredoc (no shell expansion inside). The sources travel gzipped
and base64-encoded: EC2 takes at most 16 KB of user data, and the shop and app_common.py alone
are more than that as text. The unit runs the server as a dedicated system user: not root, but
allowed port 80 through ``AmbientCapabilities=CAP_NET_BIND_SERVICE`` (the only capability left
in its bounding set), with the file system read-only but for what the app must write.
``Restart=always`` brings a crashed server back; the ALB's health check catches one that hangs.

Values may be CDK tokens (the stacks pass CloudFormation references): they are formatted into
the script as strings, which CDK resolves inside ``Fn::Join``. Deploy-time values must be
JSON-safe without escaping, as names, hosts and ARNs are.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

from aws_cdk import Token
from aws_cdk import aws_ec2 as ec2

APP_DIR = Path(__file__).parent
COMMON_FILE = "app_common.py"
SHOP_BACKENDS = ("memory", "dynamodb", "valkey")
# EFS keeps numeric owners: every instance must write as the same uid/gid (use it for an EFS
# access point's PosixUser). Fixed, and above the system range AL2023's packages allocate from.
SHARED_FILES_UID = 1500
SOURCE_END = "CLASSIC_APP_SOURCE"
CONFIG_END = "CLASSIC_APP_CONFIG"
UNIT_END = "CLASSIC_APP_UNIT"
MIN_TTL, MAX_TTL = 60, 30 * 24 * 3600
TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}\Z")
DB_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}\Z")
HOST = re.compile(r"[A-Za-z0-9.-]{1,253}\Z")
SECRET_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+\Z")
MOUNT_POINT = re.compile(r"/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*\Z")
DATABASE_KEYS = ("host", "port", "name", "secret_arn")


def time_server_user_data(port: int = 80) -> ec2.UserData:
    """WhatIsTheTime.com's server (``time_server.py``).

    :param port: the port it listens on, 1 to 65535. Default: 80.
    """
    _check_port("port", port)
    return _service("time-server", "time_server.py", "WhatIsTheTime.com", {"port": port})


def shop_user_data(
    *,
    port: int = 80,
    backend: str,
    table_name: str | None = None,
    region: str | None = None,
    session_ttl_seconds: int = 3600,
    cache_host: str | None = None,
    cache_port: int | None = None,
    cache_secret_arn: str | None = None,
    database: dict | None = None,
) -> ec2.UserData:
    """MyClothes.com's shop (``shop.py``); the instance role must allow what the backend calls.

    :param port: the port it listens on, 1 to 65535. Default: 80.
    :param backend: where carts live: ``memory`` (v1/v2, on the instance), ``dynamodb`` (v3,
        needs ``table_name``; role: GetItem, PutItem) or ``valkey`` (needs the three
        ``cache_*``; role: GetSecretValue on the token secret).
    :param table_name: the DynamoDB table (partition key ``session_id``, TTL attribute
        ``expires_at``), only with ``backend="dynamodb"``. Default: None.
    :param region: the region of the table, cache secret and database secret; needed by
        every backend but ``memory`` and by ``database``. Default: None.
    :param session_ttl_seconds: how long a cart lives after its last change, 60 to 2592000
        (30 days); also the cookie's Max-Age. Default: 3600.
    :param cache_host: the cache's TLS endpoint, only with ``backend="valkey"``. Default: None.
    :param cache_port: its port, 1 to 65535. Default: None.
    :param cache_secret_arn: the secret holding the AUTH token (the plain string, or JSON with
        ``token`` or ``password``). Default: None.
    :param database: v4's address store: ``{"host", "port", "name", "secret_arn"}`` (the
        secret: JSON with ``username``/``password``); installs psql (``postgresql15``), so the
        tier needs a route to the AL2023 repositories. Default: None (no addresses).
    """
    _check_shop(
        port,
        backend,
        table_name,
        region,
        session_ttl_seconds,
        cache_host,
        cache_port,
        cache_secret_arn,
        database,
    )
    config: dict = {"port": port, "backend": backend, "session_ttl_seconds": session_ttl_seconds}
    if region is not None:
        config["region"] = region
    if backend == "dynamodb":
        config["table_name"] = table_name
    if backend == "valkey":
        config["cache"] = {"host": cache_host, "port": cache_port, "secret_arn": cache_secret_arn}
    if database is not None:
        config["database"] = {key: database[key] for key in DATABASE_KEYS}
    return _service(
        "shop",
        "shop.py",
        "MyClothes.com",
        config,
        before=["dnf install -y postgresql15"] if database is not None else [],
        # the AWS CLI wants a writable home; no pager for a program's output
        unit=["StateDirectory=shop", "Environment=HOME=/var/lib/shop", "Environment=AWS_PAGER="],
    )


def shared_files_user_data(
    *, port: int = 80, mount_commands: list[str], mount_point: str
) -> ec2.UserData:
    """MyWordPress.com's stand-in (``shared_files.py``) on a shared (EFS) directory.

    :param port: the port it listens on, 1 to 65535. Default: 80.
    :param mount_commands: shell commands that mount the file system at ``mount_point``, run
        first, before anything else (e.g. an fstab line and ``mount -a``); at least one.
    :param mount_point: the absolute directory they mount; the app's user (uid/gid
        ``SHARED_FILES_UID``) is made its owner and the only path it may write.
    """
    _check_port("port", port)
    _check_mount(mount_commands, mount_point)
    return _service(
        "shared-files",
        "shared_files.py",
        "MyWordPress.com shared files",
        {"port": port, "directory": mount_point},
        before=list(mount_commands),
        after_user=[f"chown shared-files:shared-files {mount_point}"],
        unit=["After=remote-fs.target", f"ReadWritePaths={mount_point}"],
        uid=SHARED_FILES_UID,
    )


def server_source(file_name: str) -> str:
    """A server file's text as the instance gets it."""
    return (APP_DIR / file_name).read_text(encoding="utf-8")


def _service(
    name: str,
    server_file: str,
    description: str,
    config: dict,
    *,
    before: list | None = None,
    after_user: list | None = None,
    unit: list | None = None,
    uid: int | None = None,
) -> ec2.UserData:
    user_data = ec2.UserData.for_linux()
    user_data.add_commands(
        "set -euo pipefail",
        *(before or []),
        _add_user(name, uid),
        *(after_user or []),
        f"install -d -m 0755 /opt/{name} /etc/{name}",
        *_source(f"/opt/{name}/{COMMON_FILE}", server_source(COMMON_FILE)),
        *_source(f"/opt/{name}/{server_file}", server_source(server_file)),
        *_heredoc(f"/etc/{name}/config.json", _config_json(config), CONFIG_END),
        *_heredoc(
            f"/etc/systemd/system/{name}.service",
            _unit(name, server_file, description, unit or []),
            UNIT_END,
        ),
        "systemctl daemon-reload",
        f"systemctl enable --now {name}.service",
    )
    return user_data


def _add_user(name: str, uid: int | None) -> str:
    """A system user of its own, no login shell; created once (user data may run again)."""
    if uid is None:
        create = "useradd --system --user-group"
    else:
        create = f"groupadd --system --gid {uid} {name} && useradd --system --uid {uid} --gid {uid}"
    return (
        f"id -u {name} >/dev/null 2>&1 || {{ {create} --home-dir /var/lib/{name} "
        f"--no-create-home --shell /sbin/nologin {name}; }}"
    )


def _source(path: str, text: str) -> list:
    """The file's exact bytes, gzipped (mtime 0: the same template every synthesis) and in
    base64 lines, which never equal the heredoc's end word."""
    payload = base64.encodebytes(gzip.compress(text.encode("utf-8"), mtime=0)).decode()
    return [f"base64 -d <<'{SOURCE_END}' | gunzip > {path}", payload.rstrip("\n"), SOURCE_END]


def _heredoc(path: str, text: str, end: str) -> list:
    body = text.rstrip("\n")
    if end in body.splitlines():
        raise ValueError(f"{path}'s text has a line {end!r}, which would end its heredoc early")
    return [f"cat > {path} <<'{end}'", body, end]


def _config_json(config: dict) -> str:
    """JSON whose values may be tokens: a number token becomes its string form (the servers
    take int() of ports), which CDK resolves where it stands in the script."""

    def plain(value):
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if not isinstance(value, str) and Token.is_unresolved(value):
            return Token.as_string(value)
        return value

    return json.dumps(plain(config), sort_keys=True)


def _unit(name: str, server_file: str, description: str, extra: list) -> str:
    unit_section = [line for line in extra if line.startswith(("After=", "Requires="))]
    service_section = [line for line in extra if line not in unit_section]
    return "\n".join(
        [
            "[Unit]",
            f"Description={description}",
            "After=network-online.target",
            "Wants=network-online.target",
            *unit_section,
            "[Service]",
            f"User={name}",
            f"Group={name}",
            f"ExecStart=/usr/bin/python3 /opt/{name}/{server_file} /etc/{name}/config.json",
            "Environment=PYTHONUNBUFFERED=1",
            "Restart=always",
            "RestartSec=5",
            "AmbientCapabilities=CAP_NET_BIND_SERVICE",
            "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ProtectHome=yes",
            "PrivateTmp=yes",
            *service_section,
            "[Install]",
            "WantedBy=multi-user.target",
        ]
    )


def _unresolved(value) -> bool:
    return Token.is_unresolved(value)


def _check_port(name: str, value) -> None:
    if _unresolved(value):
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValueError(f"{name} is {value!r}; allowed: a whole number 1 to 65535")


def _check_text(name: str, value, pattern: re.Pattern, allowed: str) -> None:
    if _unresolved(value):
        return
    if not isinstance(value, str) or not pattern.match(value):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


def _check_only_with(name: str, value, needed: bool, condition: str) -> bool:
    """Refuse a value the configuration would ignore, and a missing one it needs; True when
    the value is there to check."""
    if value is None and needed:
        raise ValueError(f"{name} is None; allowed: a value, needed with {condition}")
    if value is not None and not needed:
        raise ValueError(f"{name} is {value!r}; allowed only with {condition}")
    return value is not None


def _check_shop(
    port, backend, table_name, region, ttl, cache_host, cache_port, cache_secret, database
) -> None:
    _check_port("port", port)
    if backend not in SHOP_BACKENDS:
        raise ValueError(f"backend is {backend!r}; allowed: {', '.join(SHOP_BACKENDS)}")
    if not _unresolved(ttl) and (
        isinstance(ttl, bool) or not isinstance(ttl, int) or not MIN_TTL <= ttl <= MAX_TTL
    ):
        raise ValueError(
            f"session_ttl_seconds is {ttl!r}; allowed: a whole number {MIN_TTL} to {MAX_TTL}"
        )
    _check_region(region, backend != "memory" or database is not None)
    if _check_only_with("table_name", table_name, backend == "dynamodb", "backend='dynamodb'"):
        _check_text("table_name", table_name, TABLE_NAME, "3 to 255 of A-Z a-z 0-9 _ . -")
    valkey = backend == "valkey"
    if _check_only_with("cache_host", cache_host, valkey, "backend='valkey'"):
        _check_text("cache_host", cache_host, HOST, "a DNS name")
    if _check_only_with("cache_port", cache_port, valkey, "backend='valkey'"):
        _check_port("cache_port", cache_port)
    if _check_only_with("cache_secret_arn", cache_secret, valkey, "backend='valkey'"):
        _check_text("cache_secret_arn", cache_secret, SECRET_ARN, "a Secrets Manager secret ARN")
    if database is not None:
        _check_database(database)


def _check_region(region, needed: bool) -> None:
    if region is None:
        if needed:
            raise ValueError(
                "region is None; allowed: an AWS region, needed by backend 'dynamodb' or "
                "'valkey' and by database"
            )
        return
    _check_text("region", region, re.compile(r"[a-z]{2}(-[a-z]+)+-\d+\Z"), "e.g. us-east-1")


def _check_database(database) -> None:
    if not isinstance(database, dict) or sorted(database) != sorted(DATABASE_KEYS):
        shown = sorted(database) if isinstance(database, dict) else database
        raise ValueError(
            f"database is {shown!r}; allowed: a dict with exactly {', '.join(DATABASE_KEYS)}"
        )
    _check_text("database['host']", database["host"], HOST, "a DNS name")
    _check_port("database['port']", database["port"])
    _check_text("database['name']", database["name"], DB_NAME, "a PostgreSQL identifier")
    _check_text(
        "database['secret_arn']", database["secret_arn"], SECRET_ARN, "a Secrets Manager secret ARN"
    )


def _check_mount(mount_commands, mount_point) -> None:
    if (
        not isinstance(mount_commands, list)
        or not mount_commands
        or not all(isinstance(c, str) and c.strip() for c in mount_commands)
    ):
        raise ValueError(
            f"mount_commands is {mount_commands!r}; allowed: a non-empty list of shell commands"
        )
    _check_text(
        "mount_point", mount_point, MOUNT_POINT, "an absolute path of A-Z a-z 0-9 . _ - segments"
    )
