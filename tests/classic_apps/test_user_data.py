"""The user data that installs each classic application: the exact sources, the config, a
systemd unit running it as its own unprivileged user on port 80, tokens kept for CloudFormation,
bad arguments refused by name, and under EC2's 16 KB."""

from __future__ import annotations

import ast
import base64
import gzip
import json
import re
import sys

import pytest
from aws_cdk import App, Aws, CfnParameter, Stack
from aws_cdk import aws_ec2 as ec2

from stacks.classic_apps import user_data as ud
from tests.classic_apps.harness import APP_DIR

USER_DATA_LIMIT = 16 * 1024
TABLE = "myclothes-sessions"
REGION = "us-east-1"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:myclothes/db-AbCdEf"
DATABASE = {
    "host": "myclothes.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com",
    "port": 5432,
    "name": "myclothes",
    "secret_arn": SECRET,
}
MOUNT = ["mkdir -p /mnt/shared", "mount -t efs -o tls fs-0123456789abcdef0:/ /mnt/shared"]
VALKEY = {
    "cache_host": "master.myclothes.abcdef.use1.cache.amazonaws.com",
    "cache_port": 6379,
    "cache_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:cache-AbCdEf",
}


def _script(user_data: ec2.UserData) -> str:
    return user_data.render()


def _sources(script: str) -> dict[str, str]:
    """{installed path: decoded text} of every gzipped, base64 source heredoc."""
    found = {}
    pattern = r"base64 -d <<'CLASSIC_APP_SOURCE' \| gunzip > (\S+)\n(.*?)\nCLASSIC_APP_SOURCE\n"
    for path, payload in re.findall(pattern, script, re.S):
        found[path] = gzip.decompress(base64.b64decode(payload)).decode()
    return found


def _heredoc(script: str, path: str, end: str) -> str:
    return script.split(f"cat > {path} <<'{end}'\n", 1)[1].split(f"\n{end}\n", 1)[0]


def _unit(script: str, name: str) -> list[str]:
    return _heredoc(script, f"/etc/systemd/system/{name}.service", "CLASSIC_APP_UNIT").splitlines()


def _config(script: str, name: str) -> dict:
    return json.loads(_heredoc(script, f"/etc/{name}/config.json", "CLASSIC_APP_CONFIG"))


ALL = {
    "time-server": ("time_server.py", lambda: ud.time_server_user_data()),
    "shop": ("shop.py", lambda: ud.shop_user_data(backend="memory")),
    "shared-files": (
        "shared_files.py",
        lambda: ud.shared_files_user_data(mount_commands=MOUNT, mount_point="/mnt/shared"),
    ),
}


@pytest.fixture(scope="module", params=sorted(ALL))
def app(request):
    name = request.param
    server_file, build = ALL[name]
    user_data = build()
    return name, server_file, user_data, _script(user_data)


def test_each_builder_returns_linux_user_data(app):
    _, _, user_data, script = app
    assert isinstance(user_data, ec2.UserData)
    assert script.startswith("#!/bin/bash\nset -euo pipefail\n")


def test_user_data_holds_the_exact_server_and_common_source(app):
    name, server_file, _, script = app
    assert _sources(script) == {
        f"/opt/{name}/{server_file}": (APP_DIR / server_file).read_text(),
        f"/opt/{name}/app_common.py": (APP_DIR / "app_common.py").read_text(),
    }


def test_the_unit_runs_the_server_as_its_own_user_with_only_port_binding(app):
    name, server_file, _, script = app
    unit = _unit(script, name)
    for line in (
        f"User={name}",
        f"Group={name}",
        f"ExecStart=/usr/bin/python3 /opt/{name}/{server_file} /etc/{name}/config.json",
        "Restart=always",
        "AmbientCapabilities=CAP_NET_BIND_SERVICE",
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "WantedBy=multi-user.target",
    ):
        assert line in unit
    assert unit.index("[Service]") < unit.index(f"User={name}") < unit.index("[Install]")


def test_the_user_is_a_system_account_without_a_login_shell(app):
    name, _, _, script = app
    (line,) = [line for line in script.splitlines() if "useradd" in line]
    assert line.startswith(f"id -u {name} >/dev/null 2>&1 || ")
    assert "--system" in line and "--shell /sbin/nologin" in line
    assert line.index("useradd") < script.index("systemctl enable")


def test_the_service_is_enabled_and_started_last(app):
    name, _, _, script = app
    assert script.endswith(f"systemctl daemon-reload\nsystemctl enable --now {name}.service")


def test_the_config_holds_the_port(app):
    name, _, _, script = app
    assert _config(script, name)["port"] == 80


def test_server_sources_parse_as_python_3_9():
    """AL2023's python3 is 3.9: no 3.10+ syntax in what the instances run."""
    for path in APP_DIR.glob("*.py"):
        if path.name not in ("__init__.py", "user_data.py"):
            ast.parse(path.read_text(), filename=str(path), feature_version=(3, 9))


def test_server_sources_import_only_the_standard_library_and_app_common():
    """The instances have no pip: nothing else would import there."""
    allowed = set(sys.stdlib_module_names) | {"app_common"}
    for name in ("app_common.py", "time_server.py", "shop.py", "shared_files.py"):
        for node in ast.walk(ast.parse((APP_DIR / name).read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.module.split(".")[0] in allowed, (name, node.module)
            elif isinstance(node, ast.Import):
                assert {alias.name.split(".")[0] for alias in node.names} <= allowed, name


def test_time_server_port_is_in_its_config():
    assert _config(_script(ud.time_server_user_data(8080)), "time-server") == {"port": 8080}


# --- the shop -------------------------------------------------------------------------------


def test_shop_config_names_the_dynamodb_table_region_and_ttl():
    script = _script(
        ud.shop_user_data(
            backend="dynamodb", table_name=TABLE, region=REGION, session_ttl_seconds=900
        )
    )
    assert _config(script, "shop") == {
        "port": 80,
        "backend": "dynamodb",
        "table_name": TABLE,
        "region": REGION,
        "session_ttl_seconds": 900,
    }
    assert "postgresql15" not in script


def test_shop_config_names_the_cache_and_its_token_secret():
    script = _script(ud.shop_user_data(backend="valkey", region=REGION, **VALKEY))
    assert _config(script, "shop")["cache"] == {
        "host": VALKEY["cache_host"],
        "port": 6379,
        "secret_arn": VALKEY["cache_secret_arn"],
    }


def test_shop_with_a_database_installs_psql_first_and_names_the_database():
    script = _script(ud.shop_user_data(backend="memory", region=REGION, database=DATABASE))
    assert script.index("dnf install -y postgresql15") < script.index("useradd")
    assert _config(script, "shop")["database"] == DATABASE


def test_shop_unit_gives_the_aws_cli_a_writable_home():
    unit = _unit(_script(ud.shop_user_data(backend="memory")), "shop")
    assert "StateDirectory=shop" in unit
    assert "Environment=HOME=/var/lib/shop" in unit


def test_the_fullest_shop_user_data_fits_ec2s_16_kb():
    script = _script(
        ud.shop_user_data(backend="valkey", region=REGION, database=DATABASE, **VALKEY)
    )
    assert len(script.encode()) < USER_DATA_LIMIT - 2048  # room for longer deploy-time values


def test_shop_tokens_reach_cloudformation_as_references():
    stack = Stack(App(), "Tokens")
    table = CfnParameter(stack, "Table").value_as_string
    db_port = CfnParameter(stack, "DbPort", type="Number").value_as_number
    database = {**DATABASE, "port": db_port}
    user_data = ud.shop_user_data(
        backend="dynamodb", table_name=table, region=Aws.REGION, database=database
    )
    resolved = json.dumps(stack.resolve(user_data.render()))
    assert '{"Ref": "Table"}' in resolved
    assert '{"Ref": "DbPort"}' in resolved
    assert '{"Ref": "AWS::Region"}' in resolved


# --- shared files ---------------------------------------------------------------------------


def _shared_script(**overrides) -> str:
    arguments = {"mount_commands": MOUNT, "mount_point": "/mnt/shared", **overrides}
    return _script(ud.shared_files_user_data(**arguments))


def test_shared_files_mounts_first():
    lines = _shared_script().splitlines()
    assert lines[1:4] == ["set -euo pipefail", *MOUNT]


def test_shared_files_user_has_a_fixed_uid_and_owns_the_mount_point():
    """EFS keeps numeric owners: every instance must write as the same uid."""
    script = _shared_script()
    uid = ud.SHARED_FILES_UID
    assert f"groupadd --system --gid {uid} shared-files" in script
    assert f"useradd --system --uid {uid} --gid {uid}" in script
    assert script.index("useradd") < script.index("chown shared-files:shared-files /mnt/shared")


def test_shared_files_may_write_only_the_mount_point():
    unit = _unit(_shared_script(), "shared-files")
    assert "ReadWritePaths=/mnt/shared" in unit
    assert "After=remote-fs.target" in unit[: unit.index("[Service]")]


def test_shared_files_config_names_the_directory():
    config = _config(_shared_script(port=8080), "shared-files")
    assert config == {"directory": "/mnt/shared", "port": 8080}


# --- bad arguments --------------------------------------------------------------------------

BAD_PORTS = [
    (0, r"port is 0; allowed: a whole number 1 to 65535"),
    (65536, r"port is 65536; allowed"),
    ("80", r"port is '80'; allowed"),
    (True, r"port is True; allowed"),
    (80.0, r"port is 80.0; allowed"),
]


@pytest.mark.parametrize(("port", "message"), BAD_PORTS)
def test_a_bad_port_is_refused_by_every_builder(port, message):
    with pytest.raises(ValueError, match=message):
        ud.time_server_user_data(port)
    with pytest.raises(ValueError, match=message):
        ud.shop_user_data(port=port, backend="memory")
    with pytest.raises(ValueError, match=message):
        ud.shared_files_user_data(port=port, mount_commands=MOUNT, mount_point="/mnt/shared")


SHOP_BAD = [
    ({"backend": "redis"}, r"backend is 'redis'; allowed: memory, dynamodb, valkey"),
    ({"backend": "dynamodb", "region": REGION}, r"table_name is None; allowed: .*'dynamodb'"),
    (
        {"backend": "memory", "table_name": TABLE},
        r"table_name is 'myclothes-sessions'; allowed only",
    ),
    ({"backend": "dynamodb", "region": REGION, "table_name": "a b"}, r"table_name is 'a b'"),
    ({"backend": "dynamodb", "table_name": TABLE}, r"region is None; allowed: an AWS region"),
    ({"backend": "memory", "database": DATABASE}, r"region is None"),
    ({"backend": "memory", "region": "US-EAST-1"}, r"region is 'US-EAST-1'; allowed: e.g."),
    ({"backend": "memory", "session_ttl_seconds": 59}, r"session_ttl_seconds is 59; allowed: .*60"),
    ({"backend": "memory", "session_ttl_seconds": 2592001}, r"session_ttl_seconds is 2592001"),
    ({"backend": "memory", "session_ttl_seconds": 1.5}, r"session_ttl_seconds is 1.5"),
    ({"backend": "valkey", "region": REGION}, r"cache_host is None; allowed: .*'valkey'"),
    (
        {"backend": "valkey", "region": REGION, **VALKEY, "cache_port": 0},
        r"cache_port is 0; allowed: a whole number",
    ),
    (
        {"backend": "valkey", "region": REGION, **VALKEY, "cache_secret_arn": "cache-token"},
        r"cache_secret_arn is 'cache-token'; allowed: a Secrets Manager secret ARN",
    ),
    (
        {"backend": "valkey", "region": REGION, **VALKEY, "cache_host": "https://x"},
        r"cache_host is 'https://x'; allowed: a DNS name",
    ),
    ({"backend": "memory", "cache_host": "x.example"}, r"cache_host is 'x.example'; allowed only"),
    ({"backend": "memory", "cache_port": 6379}, r"cache_port is 6379; allowed only"),
    (
        {"backend": "memory", "region": REGION, "database": "db"},
        r"database is 'db'; allowed: a dict",
    ),
    (
        {"backend": "memory", "region": REGION, "database": {"host": "h", "port": 1}},
        r"database is \['host', 'port'\]; allowed: a dict with exactly host, port, name",
    ),
    (
        {"backend": "memory", "region": REGION, "database": {**DATABASE, "name": "my-db"}},
        r"database\['name'\] is 'my-db'; allowed: a PostgreSQL identifier",
    ),
    (
        {"backend": "memory", "region": REGION, "database": {**DATABASE, "port": "5432"}},
        r"database\['port'\] is '5432'; allowed: a whole number",
    ),
    (
        {"backend": "memory", "region": REGION, "database": {**DATABASE, "secret_arn": "x"}},
        r"database\['secret_arn'\] is 'x'; allowed: a Secrets Manager secret ARN",
    ),
]


@pytest.mark.parametrize(("arguments", "message"), SHOP_BAD)
def test_shop_refuses_a_bad_argument_by_name(arguments, message):
    with pytest.raises(ValueError, match=message):
        ud.shop_user_data(**arguments)


MOUNT_BAD = [
    ({"mount_commands": []}, r"mount_commands is \[\]; allowed: a non-empty list"),
    ({"mount_commands": "mount -a"}, r"mount_commands is 'mount -a'; allowed"),
    ({"mount_commands": [""]}, r"mount_commands is \[''\]; allowed"),
    ({"mount_point": "mnt/shared"}, r"mount_point is 'mnt/shared'; allowed: an absolute path"),
    ({"mount_point": "/"}, r"mount_point is '/'; allowed"),
    ({"mount_point": "/mnt/my files"}, r"mount_point is '/mnt/my files'; allowed"),
    ({"mount_point": "/mnt/x;reboot"}, r"mount_point is '/mnt/x;reboot'; allowed"),
]


@pytest.mark.parametrize(("arguments", "message"), MOUNT_BAD)
def test_shared_files_refuses_a_bad_argument_by_name(arguments, message):
    with pytest.raises(ValueError, match=message):
        _shared_script(**arguments)


def test_tokens_pass_unchecked():
    stack = Stack(App(), "Unchecked")
    number = CfnParameter(stack, "Number", type="Number").value_as_number
    text = CfnParameter(stack, "Text").value_as_string
    ud.time_server_user_data(number)
    ud.shop_user_data(
        port=number,
        backend="valkey",
        region=text,
        session_ttl_seconds=number,
        cache_host=text,
        cache_port=number,
        cache_secret_arn=text,
        database={"host": text, "port": number, "name": text, "secret_arn": text},
    )
    ud.shared_files_user_data(port=number, mount_commands=[text], mount_point=text)


def test_a_heredoc_body_cannot_end_its_heredoc_early():
    with pytest.raises(ValueError, match=r"has a line 'CLASSIC_APP_CONFIG'"):
        ud._heredoc("/etc/x", "a\nCLASSIC_APP_CONFIG\nb", "CLASSIC_APP_CONFIG")
