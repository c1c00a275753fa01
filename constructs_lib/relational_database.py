"""A regional relational database for an application tier: RDS or Aurora, Multi-AZ, readers.

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

MyClothes.com keeps its users' addresses in a database read far more than written: RDS with read
replicas, then Multi-AZ, then security groups that admit only the web tier; MyWordPress.com and
the notes' outro take Aurora for "easy Multi-AZ and read replicas" [004:2401-2430]. What the
notes teach, built in:

- RDS Multi-AZ: a synchronous standby in another AZ behind the same DNS name, failed over to
  automatically when the AZ, the instance or its storage is lost; nobody reads from it: it is
  availability, not scaling [001:733-742, 002:1876-1884];
- RDS read replicas: asynchronous, so eventually consistent, SELECT only, each with its own
  endpoint the application must use [004:1651-1660, 001:718-731, 002:1922-1946]; the notes say up
  to 5 per source, **now:** 15 for MySQL and PostgreSQL;
- Aurora: one cluster volume (six copies across three AZs) under a writer and up to 15 readers,
  a writer endpoint and a reader endpoint, failover to a reader in under 30 s
  [004:1840-1860, 004:1884]; here ``multi_az`` puts a reader of promotion tier 1 (the first
  failover target) in another AZ;
- Aurora Serverless v2 (the notes' "Aurora Serverless", for intermittent or unpredictable load
  [001:761-765]): each instance scales between ``min_capacity`` and ``max_capacity`` ACUs (about
  2 GiB of memory each); **now:** a minimum of 0 pauses idle instances (Aurora PostgreSQL 14.12+,
  15.7+, 16.3+, 17.4+; Aurora MySQL 3.08.0+), billed then for storage only;
- RDS storage autoscaling up to ``max_allocated_storage_gib`` [004:1637-1648];
- automated backups, 1 to 35 days, restorable to any point up to the last 5 minutes
  [004:1684-1693];
- encryption at rest, chosen at creation and inherited by replicas, and in flight: the notes'
  ``rds.force_ssl=1`` for PostgreSQL, and ``require_secure_transport=ON`` for MySQL instead of
  a ``REQUIRE SSL`` grant per user, both in the parameter group [004:1699-1715].

Also secure by default: the master password is generated and rotated by RDS itself in Secrets
Manager (``ManageMasterUserPassword``: never in the template, no rotation Lambda, no route to
Secrets Manager needed, deleted with the database); isolated subnets, no public access; a
security group of its own with no outbound rule that admits the database port only from
``allow_from``; IAM database authentication; automatic minor version upgrades; tags copied to
snapshots; the engine's logs exported to log groups the stack owns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from aws_cdk import (
    Acknowledgment,
    ArnFormat,
    Duration,
    Names,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

Engine = Literal["postgres", "mysql", "aurora-postgresql", "aurora-mysql"]

ENGINES = ("postgres", "mysql", "aurora-postgresql", "aurora-mysql")
AURORA_ENGINES = ("aurora-postgresql", "aurora-mysql")
# Pinned, so that a library upgrade never changes the database under you; newer minor versions
# arrive through automatic minor version upgrades. Aurora PostgreSQL as aurora_global.py pins it.
DEFAULT_ENGINE_VERSIONS = {
    "postgres": "17.9",
    "mysql": "8.4.8",
    "aurora-postgresql": "16.9",
    "aurora-mysql": "8.0.mysql_aurora.3.10.1",
}
DEFAULT_PORTS = {"postgres": 5432, "mysql": 3306, "aurora-postgresql": 5432, "aurora-mysql": 3306}
DEFAULT_INSTANCE_TYPE = "t4g.medium"
DEFAULT_CAPACITY = (0.5, 4)
DEFAULT_STORAGE_GIB = (20, 100)
DEFAULT_BACKUP_RETENTION = Duration.days(7)
# Not an engine default (``postgres`` / ``admin``), which Security Hub RDS.24 / RDS.25 flag.
MASTER_USERNAME = "dbadmin"
# TLS only: PostgreSQL refuses unencrypted connections, MySQL refuses insecure transport. MySQL's
# slow query log is off unless asked for: on, so the exported slowquery log holds something.
PARAMETERS = {
    "postgres": {"rds.force_ssl": "1"},
    "aurora-postgresql": {"rds.force_ssl": "1"},
    "mysql": {"require_secure_transport": "ON", "slow_query_log": "1", "long_query_time": "2"},
    "aurora-mysql": {
        "require_secure_transport": "ON",
        "slow_query_log": "1",
        "long_query_time": "2",
    },
}
LOG_EXPORTS = {
    "postgres": ("postgresql", "upgrade"),
    "mysql": ("error", "slowquery"),
    "aurora-postgresql": ("postgresql",),
    "aurora-mysql": ("error", "slowquery"),
}
MAX_RDS_READ_REPLICAS = 15  # AWS's quota for MySQL and PostgreSQL; the notes say 5
MAX_AURORA_READERS = 15
# Lowest minor version per major for Aurora Serverless v2, and for its minimum of 0 ACU.
SERVERLESS_V2_MINIMUM = {"aurora-postgresql": {14: (14, 3), 15: (15, 2), 16: (16, 1)}}
AUTO_PAUSE_MINIMUM = {"aurora-postgresql": {14: (14, 12), 15: (15, 7), 16: (16, 3), 17: (17, 4)}}
AURORA_MYSQL_SERVERLESS_V2 = (3, 2, 0)
AURORA_MYSQL_AUTO_PAUSE = (3, 8, 0)
_CAPACITY_ACU = (0, 256)
_STORAGE_GIB = (20, 65536)  # gp3 for PostgreSQL and MySQL
_PORT = (1150, 65535)
_BACKUP_DAYS = (1, 35)
# DB identifiers: 63 characters; room left for "-replica15".
_IDENTIFIER_LENGTH = 50
_DATABASE_NAME_LENGTH = {"postgres": 63, "mysql": 64}
RESERVED_DATABASE_NAMES = {
    "postgres": ("postgres", "template0", "template1", "rdsadmin"),
    "mysql": ("mysql", "information_schema", "performance_schema", "sys"),
}

# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_number, _check_choice, _check_flag, _check_text,
# pieces: _check_instance_type, _whole_duration, _managed_log_group, _check_type, _only_with,
# pieces: _selection_kwargs


def _is_token(value: object) -> bool:
    """An unresolved value (a CfnParameter, an import): CloudFormation checks it, not us."""
    return not isinstance(value, bool) and Token.is_unresolved(value)


def _check_int(name: str, value: object, low: int, high: int | None = None, unit: str = "") -> None:
    """A whole number from ``low`` to ``high`` (or more); tokens pass; bools and floats fail."""
    bounds = f"{low} to {high}{unit}" if high is not None else f"{low} or more{unit}"
    if _is_token(value):
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} is {value!r}; allowed: a whole number, {bounds}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} is {value}; allowed: {bounds}")


def _check_number(
    name: str, value: object, low: float, high: float | None = None, unit: str = ""
) -> None:
    """A number (int or float) from ``low`` to ``high`` (or more); tokens pass; bools fail."""
    bounds = f"{low} to {high}{unit}" if high is not None else f"{low} or more{unit}"
    if _is_token(value):
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} is {value!r}; allowed: a number, {bounds}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} is {value}; allowed: {bounds}")


def _check_choice(name: str, value: object, allowed: object) -> None:
    """One of ``allowed`` (any iterable of strings: a tuple, a dict's keys)."""
    choices = tuple(allowed)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} is {value!r}; allowed: {', '.join(choices)}")


def _check_flag(name: str, value: object) -> None:
    """True or False, nothing else (no 1, no "yes")."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} is {value!r}; allowed: True or False")


def _check_text(name: str, value: object, pattern: str, allowed: str) -> None:
    """A string that matches ``pattern`` whole; tokens pass. ``allowed`` says what fits."""
    if _is_token(value):
        return
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


def _whole_duration(
    name: str, value: object, unit: str, low: int, high: int | None = None
) -> int | None:
    """A Duration of whole ``unit`` (``seconds``, ``minutes``, ``hours`` or ``days``) from
    ``low`` to ``high`` (no bound above when None): that number, or None for a deploy-time
    token (CloudFormation checks it then)."""
    lowest = f"{low} {unit.removesuffix('s') if low == 1 else unit}"
    span = f"at least {lowest}" if high is None else f"{low} to {high} {unit}"
    if not isinstance(value, Duration):
        raise ValueError(f"{name} is {value!r}; allowed: a Duration of whole {unit}, {span}")
    if value.is_unresolved():
        return None
    amount = getattr(value, f"to_{unit}")(integral=False)
    if amount != int(amount) or amount < low or (high is not None and amount > high):
        shown = f"{amount:.3f}".rstrip("0").rstrip(".")
        human = value.to_human_string()
        shown += f" {unit}" + ("" if human.startswith(f"{shown} ") else f" ({human})")
        raise ValueError(f"{name} is {shown}; allowed: whole {unit}, {span}")
    return int(amount)


def _check_type(name: str, value: object, kind: type | str, allowed: str) -> None:
    """An instance of ``kind``; a str ``kind`` names the attribute a jsii interface (which
    isinstance cannot check) guarantees, e.g. ``vpc_id`` for an ec2.IVpc. A string is never
    one (a token string included: it stands for a value, not a construct); an imported
    resource whose attributes are tokens passes."""
    if isinstance(value, str) or not (
        hasattr(value, kind) if isinstance(kind, str) else isinstance(value, kind)
    ):
        raise ValueError(f"{name} is {value!r}; allowed: {allowed}")


def _only_with(
    name: str, value: object, condition: bool, option: str, default: object = None
) -> None:
    """A prop given (other than its ``default``: None, or False for a flag) without the
    ``option`` it belongs to (``condition`` false) is a mistake, not a no-op."""
    if not condition and value is not default and value != default:
        raise ValueError(f"{name} is {value!r}; allowed only with {option}")


def _check_instance_type(name: str, value: object) -> None:
    """An EC2 instance type written as AWS writes it (``t4g.nano``, ``m7i-flex.2xlarge``)."""
    _check_text(
        name,
        value,
        r"[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]*xlarge"
        r"|metal(-[0-9]+xl)?)",
        "an EC2 instance type such as 't4g.micro' or 'm7i.2xlarge' (family.size)",
    )


# The fields of an ec2.SubnetSelection, by the keywords IVpc.select_subnets takes in Python.
_SELECTION_FIELDS = (
    "availability_zones",
    "one_per_az",
    "subnet_filters",
    "subnet_group_name",
    "subnet_type",
    "subnets",
)


def _selection_kwargs(selection: ec2.SubnetSelection) -> dict[str, object]:
    """A SubnetSelection's set fields as keyword arguments for ``IVpc.select_subnets``."""
    fields = {name: getattr(selection, name) for name in _SELECTION_FIELDS}
    return {name: value for name, value in fields.items() if value is not None}


def _managed_log_group(
    scope: Construct,
    construct_id: str,
    *,
    retention: logs.RetentionDays,
    removal_policy: RemovalPolicy,
    log_group_name: str | None = None,
) -> logs.LogGroup:
    """A log group the stack owns: retention set, deleted or kept with the stack's data.

    Left to itself a service creates its group on first write, keeps it forever and leaves it
    behind after ``cdk destroy``.
    """
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=log_group_name,
        retention=retention,
        removal_policy=removal_policy,
    )


# END VENDORED


def _family(engine: str) -> str:
    """``postgres`` or ``mysql``: what decides names, ports and parameters."""
    return "postgres" if engine.endswith(("postgres", "postgresql")) else "mysql"


def _parse_version(engine: str, version: object) -> tuple[str, tuple[int, ...]]:
    """(the major version RDS names parameter group families by, the version's numbers)."""
    patterns = {
        "postgres": (r"(\d+)\.(\d+)", "a PostgreSQL version such as '17.9', major 14 or later"),
        "aurora-postgresql": (
            r"(\d+)\.(\d+)",
            "an Aurora PostgreSQL version such as '16.9', major 14 or later",
        ),
        "mysql": (r"(\d+)\.(\d+)\.(\d+)", "a MySQL version such as '8.4.8', 8.4 or later"),
        "aurora-mysql": (
            r"8\.0\.mysql_aurora\.(\d+)\.(\d+)\.(\d+)",
            "an Aurora MySQL 3 version such as '8.0.mysql_aurora.3.10.1'",
        ),
    }
    pattern, allowed = patterns[engine]
    if not isinstance(version, str) or Token.is_unresolved(version):
        raise ValueError(
            f"engine_version is {version!r}; allowed: {allowed}, known at synthesis (it names "
            "the parameter group family)"
        )
    match = re.fullmatch(pattern, version)
    numbers = tuple(int(part) for part in match.groups()) if match else ()
    # Majors past RDS's end of standard support (PostgreSQL 13 and MySQL 8.0 in 2026) bill
    # Extended Support; Aurora MySQL 2 is past it too.
    lowest = {"postgres": (14,), "aurora-postgresql": (14,), "mysql": (8, 4), "aurora-mysql": (3,)}
    if not numbers or numbers < lowest[engine]:
        raise ValueError(f"engine_version is {version!r} for engine {engine!r}; allowed: {allowed}")
    if engine == "mysql":
        return f"{numbers[0]}.{numbers[1]}", numbers
    return ("8.0" if engine == "aurora-mysql" else str(numbers[0])), numbers


def _engine(engine: str, version: str, major: str) -> rds.IInstanceEngine | rds.IClusterEngine:
    if engine == "postgres":
        return rds.DatabaseInstanceEngine.postgres(
            version=rds.PostgresEngineVersion.of(version, major)
        )
    if engine == "mysql":
        return rds.DatabaseInstanceEngine.mysql(version=rds.MysqlEngineVersion.of(version, major))
    if engine == "aurora-postgresql":
        return rds.DatabaseClusterEngine.aurora_postgres(
            version=rds.AuroraPostgresEngineVersion.of(version, major)
        )
    return rds.DatabaseClusterEngine.aurora_mysql(
        version=rds.AuroraMysqlEngineVersion.of(version, major)
    )


def _serverless_floor(
    engine: str, numbers: tuple[int, ...], table: dict, mysql_floor: tuple[int, ...]
) -> tuple[int, ...] | None:
    """The lowest version of this major with the feature, None when every one has it."""
    if engine == "aurora-mysql":
        return mysql_floor if numbers < mysql_floor else None
    floor = table[engine].get(numbers[0])
    return floor if floor is not None and numbers < floor else None


def _shown(engine: str, numbers: tuple[int, ...]) -> str:
    """A version as the engine writes it: Aurora MySQL with a two-digit minor (3.08.0)."""
    if engine == "aurora-mysql":
        return f"{numbers[0]}.{numbers[1]:02d}.{numbers[2]}"
    return ".".join(str(number) for number in numbers)


def _check_capacity(name: str, value: object, low: float) -> None:
    _check_number(name, value, low, _CAPACITY_ACU[1], " ACUs, in steps of 0.5")
    if not _is_token(value) and float(value) * 2 != int(float(value) * 2):
        raise ValueError(
            f"{name} is {value}; allowed: {low} to {_CAPACITY_ACU[1]} ACUs in steps of 0.5"
        )


def _check_database_name(name: object, engine: str) -> None:
    if _is_token(name):
        return
    family = _family(engine)
    length = _DATABASE_NAME_LENGTH[family]
    reserved = RESERVED_DATABASE_NAMES[family]
    allowed = (
        f"1 to {length} letters, digits and underscores, starting with a letter, not "
        f"{', '.join(reserved)}"
    )
    if isinstance(name, str) and name.lower() in reserved:
        raise ValueError(
            f"database_name is {name!r}, a database the engine or RDS keeps; allowed: {allowed}"
        )
    if not isinstance(name, str) or not re.fullmatch(rf"[A-Za-z]\w{{0,{length - 1}}}", name):
        raise ValueError(f"database_name is {name!r}; allowed: {allowed}")


def _check_allow_from(allow_from: object) -> list[ec2.IConnectable]:
    """Connectables (security groups, constructs with ``connections``, peers), never anyone."""
    if isinstance(allow_from, str) or not isinstance(allow_from, (list, tuple)):
        raise ValueError(
            f"allow_from is {allow_from!r}; allowed: a list of ec2.IConnectable (security "
            "groups, or constructs with connections such as the web tier)"
        )
    for item in allow_from:
        _check_type("allow_from", item, "connections", "ec2.IConnectable items")
        if getattr(item, "unique_id", None) in ("0.0.0.0/0", "::/0"):
            raise ValueError(
                f"allow_from contains {item.unique_id}, anyone on the internet; allowed: the "
                "application tier's security groups or ranges"
            )
    return list(allow_from)


def _availability_zones(vpc: ec2.IVpc, selection: ec2.SubnetSelection) -> list[str] | None:
    """The AZs of the selected subnets, in order; None when imported subnets do not say."""
    try:
        selected = vpc.select_subnets(**_selection_kwargs(selection))
    except RuntimeError as error:  # jsii: the VPC has no such subnets
        raise ValueError(
            f"subnets selects no subnets of vpc ({error}); allowed: a selection of at least two "
            "AZs' subnets, by default the VPC's isolated ones"
        ) from None
    try:
        zones = list(dict.fromkeys(selected.availability_zones))
    except RuntimeError:
        return None
    if len(zones) < 2 and not any(Token.is_unresolved(zone) for zone in zones):
        raise ValueError(
            f"subnets selects subnets in {len(zones)} AZ ({', '.join(zones)}); allowed: subnets in "
            "at least two AZs (RDS requires it of a DB subnet group)"
        )
    return zones


def _helper_policy(removal_policy: RemovalPolicy) -> RemovalPolicy:
    """Of what the database needs while it lives (its groups, its replicas' instances): kept
    only with a kept database; a snapshot holds the data, so nothing else is snapshotted."""
    return RemovalPolicy.RETAIN if removal_policy == RemovalPolicy.RETAIN else RemovalPolicy.DESTROY


class RelationalDatabase(Construct):
    """A database for an application tier: one RDS instance (with its Multi-AZ standby and read
    replicas) or one Aurora cluster (a writer, a failover reader in another AZ, more readers),
    provisioned or Aurora Serverless v2.

    Attributes: ``instance`` (``rds.DatabaseInstance``, None for Aurora), ``cluster``
    (``rds.DatabaseCluster``, None for RDS), ``read_replicas`` (RDS: the
    ``DatabaseInstanceReadReplica`` list; Aurora: the extra readers' instances, without the
    failover reader), ``failover_reader`` (Aurora with ``multi_az``: the tier-1 reader, else None),
    ``endpoint_address`` (the writer's host name), ``reader_endpoint_address`` (Aurora: the
    reader endpoint; RDS: the first replica's address, or the primary's without replicas),
    ``port``, ``secret`` (the RDS-managed master secret), ``connections`` (its security group,
    default port the database port), ``security_group``, ``engine`` (the engine name),
    ``engine_version``, ``identifier`` (the instance's or cluster's), ``log_groups``.
    Grants: ``grant_connect`` (IAM database authentication), ``grant_secret_read``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection | None = None,
        engine: Engine = "aurora-postgresql",
        engine_version: str | None = None,
        instance_type: str = DEFAULT_INSTANCE_TYPE,
        serverless_v2: bool = False,
        min_capacity: float = DEFAULT_CAPACITY[0],
        max_capacity: float = DEFAULT_CAPACITY[1],
        multi_az: bool = True,
        read_replicas: int = 0,
        database_name: str = "app",
        port: int | None = None,
        allocated_storage_gib: int = DEFAULT_STORAGE_GIB[0],
        max_allocated_storage_gib: int | None = DEFAULT_STORAGE_GIB[1],
        backup_retention: Duration = DEFAULT_BACKUP_RETENTION,
        iam_authentication: bool = True,
        encryption_key: kms.IKey | None = None,
        allow_from: Sequence[ec2.IConnectable] = (),
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        deletion_protection: bool = True,
        removal_policy: RemovalPolicy = RemovalPolicy.SNAPSHOT,
    ) -> None:
        """Create the database, its subnet group, parameter group, security group and log groups.

        :param vpc: the VPC (an ``ec2.IVpc``).
        :param subnets: where the database runs: subnets in at least two AZs. Default: the VPC's
            isolated subnets (``PRIVATE_ISOLATED``: no route to or from the internet).
        :param engine: ``"postgres"`` or ``"mysql"`` (RDS: one instance), ``"aurora-postgresql"``
            or ``"aurora-mysql"`` (an Aurora cluster). Default: ``"aurora-postgresql"``.
        :param engine_version: the engine version, pinned: PostgreSQL 14 or later ("17.9"),
            MySQL 8.4 or later ("8.4.8"), Aurora PostgreSQL 14 or later ("16.9"), Aurora MySQL 3
            ("8.0.mysql_aurora.3.10.1"). Default: ``DEFAULT_ENGINE_VERSIONS[engine]``, the
            examples given.
        :param instance_type: the instances' type without ``db.`` (``db.t4g.medium`` is
            ``"t4g.medium"``); RDS and provisioned Aurora. Default: ``"t4g.medium"``.
        :param serverless_v2: Aurora only: every instance Aurora Serverless v2 (``db.serverless``)
            instead of ``instance_type``. Default: False.
        :param min_capacity: with ``serverless_v2``, the ACUs an instance never goes below, 0 to
            256 in steps of 0.5; 0 pauses idle instances (automatic pause: Aurora PostgreSQL
            14.12+, 15.7+, 16.3+, 17.4+, Aurora MySQL 3.08.0+) and the first connection after a
            pause waits some 15 s for it to resume. Default: 0.5.
        :param max_capacity: with ``serverless_v2``, the ACUs an instance never goes above, 1 to
            256 in steps of 0.5, at least ``min_capacity``. Default: 4 (about 8 GiB of memory).
        :param multi_az: RDS: a synchronous standby in another AZ (``MultiAZ``); Aurora: a reader
            of promotion tier 1 in another AZ than the writer, the first to take over. Default:
            True.
        :param read_replicas: RDS: read replicas of the instance, 0 to 15, spread over the AZs;
            Aurora: readers besides the failover one, promotion tier 2, up to 15 readers in all.
            Known at synthesis. Default: 0.
        :param database_name: the database created: letters, digits and underscores, starting
            with a letter, 1 to 63 characters (PostgreSQL) or 64 (MySQL), not the engine's own
            (``RESERVED_DATABASE_NAMES``). Default: ``"app"``.
        :param port: the database port, 1150 to 65535. Default: None (the engine's, 5432 or
            3306).
        :param allocated_storage_gib: RDS only: the gp3 storage allocated at creation, 20 to
            65536 GiB (Aurora's storage grows by itself). Default: 20.
        :param max_allocated_storage_gib: RDS only: storage autoscaling's ceiling, at least 10%
            above ``allocated_storage_gib``, at most 65536; None turns autoscaling off. Default:
            100.
        :param backup_retention: automated backups kept, whole days, 1 to 35 (they cannot be
            turned off here: replicas need them, and so does point-in-time restore). Default: 7
            days.
        :param iam_authentication: IAM database authentication (``grant_connect``): short-lived
            tokens instead of passwords. Default: True.
        :param encryption_key: the KMS key of the storage and of the master secret. Default:
            None (RDS's and Secrets Manager's AWS-managed keys: no key fee, nothing pending
            deletion after teardown, but no key policy of yours, so no cross-account snapshot
            sharing).
        :param allow_from: who may connect on the database port: security groups, constructs
            with ``connections`` (the web tier), or peers narrower than the internet. Default:
            nobody (add more later with ``connections.allow_default_port_from``).
        :param log_retention: of the exported database logs. Default: one month.
        :param deletion_protection: refuse deletion of the database (instance, replicas or
            cluster). Default: True.
        :param removal_policy: of the database on stack deletion: SNAPSHOT (a final snapshot;
            its automated backups kept until they expire), RETAIN, or DESTROY (nothing left: no
            snapshot, no backups; the managed secret goes with the database). Its log groups
            are kept unless DESTROY. Default: SNAPSHOT.
        """
        super().__init__(scope, construct_id)
        _check_choice("engine", engine, ENGINES)
        aurora = engine in AURORA_ENGINES
        version = DEFAULT_ENGINE_VERSIONS[engine] if engine_version is None else engine_version
        major, numbers = _parse_version(engine, version)
        self._check_shape(
            engine=engine,
            numbers=numbers,
            instance_type=instance_type,
            serverless_v2=serverless_v2,
            capacity=(min_capacity, max_capacity),
            multi_az=multi_az,
            read_replicas=read_replicas,
            storage=(allocated_storage_gib, max_allocated_storage_gib),
        )
        _check_database_name(database_name, engine)
        self.port = DEFAULT_PORTS[engine] if port is None else port
        retention_days, peers = self._check_rest(
            port=self.port,
            backup_retention=backup_retention,
            flags={
                "iam_authentication": iam_authentication,
                "deletion_protection": deletion_protection,
            },
            encryption_key=encryption_key,
            allow_from=allow_from,
            log_retention=log_retention,
            removal_policy=removal_policy,
        )
        _check_type("vpc", vpc, "select_subnets", "an ec2.IVpc")
        if subnets is not None and not isinstance(subnets, ec2.SubnetSelection):
            raise ValueError(f"subnets is {subnets!r}; allowed: an ec2.SubnetSelection or None")
        selection = subnets or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        zones = _availability_zones(vpc, selection)

        self.engine = engine
        self.engine_version = version
        self._engine = _engine(engine, version, major)
        self._removal_policy = removal_policy
        self._log_retention = log_retention
        self._deletion_protection = deletion_protection
        self._iam_authentication = iam_authentication
        self._zones = zones
        self.identifier = self._identifier()
        self.log_groups: list[logs.LogGroup] = []
        self.instance: rds.DatabaseInstance | None = None
        self.cluster: rds.DatabaseCluster | None = None
        self.read_replicas: list = []
        self.failover_reader: Construct | None = None

        self._add_network(vpc, selection, peers)
        self.parameter_group = rds.ParameterGroup(
            self,
            "Parameters",
            engine=self._engine,
            description=f"{engine} {version}: TLS only"
            + (", slow queries logged" if _family(engine) == "mysql" else ""),
            parameters=dict(PARAMETERS[engine]),
            removal_policy=_helper_policy(removal_policy),
        )
        common = {
            "vpc": vpc,
            "database_name": database_name,
            "backup_days": retention_days if retention_days is not None else backup_retention,
            "encryption_key": encryption_key,
        }
        if aurora:
            self._add_cluster(
                **common,
                instance_type=instance_type,
                serverless_v2=serverless_v2,
                capacity=(min_capacity, max_capacity),
                multi_az=multi_az,
                readers=read_replicas,
            )
        else:
            self._add_instance(
                **common,
                instance_type=instance_type,
                multi_az=multi_az,
                storage=(allocated_storage_gib, max_allocated_storage_gib),
            )
            self._add_replicas(vpc, instance_type, read_replicas, max_allocated_storage_gib)
        self._acknowledge(multi_az)

    # -- validation -----------------------------------------------------------------------------

    @staticmethod
    def _check_shape(
        *,
        engine: str,
        numbers: tuple[int, ...],
        instance_type: object,
        serverless_v2: object,
        capacity: tuple[object, object],
        multi_az: object,
        read_replicas: object,
        storage: tuple[object, object],
    ) -> None:
        """What the instances are: their type or capacity, how many, and RDS's storage."""
        aurora = engine in AURORA_ENGINES
        _check_flag("serverless_v2", serverless_v2)
        _check_flag("multi_az", multi_az)
        _only_with("serverless_v2", serverless_v2, aurora, "an Aurora engine", default=False)
        _only_with(
            "instance_type",
            instance_type,
            not serverless_v2,
            "serverless_v2=False (Serverless v2 instances are db.serverless)",
            default=DEFAULT_INSTANCE_TYPE,
        )
        if isinstance(instance_type, str) and instance_type.startswith("db."):
            raise ValueError(
                f"instance_type is {instance_type!r}; allowed: the type without 'db.', such as "
                f"{instance_type.removeprefix('db.')!r}"
            )
        _check_instance_type("instance_type", instance_type)
        for name, value, default in zip(
            ("min_capacity", "max_capacity"), capacity, DEFAULT_CAPACITY, strict=True
        ):
            _only_with(name, value, bool(serverless_v2), "serverless_v2=True", default=default)
        if serverless_v2:
            RelationalDatabase._check_serverless(engine, numbers, *capacity)
        for name, value, default in zip(
            ("allocated_storage_gib", "max_allocated_storage_gib"),
            storage,
            DEFAULT_STORAGE_GIB,
            strict=True,
        ):
            _only_with(
                name,
                value,
                not aurora,
                "engine postgres or mysql (Aurora storage grows by itself)",
                default=default,
            )
        RelationalDatabase._check_storage(*storage)
        # It decides how many instances exist: it cannot be a deploy-time token.
        most = MAX_AURORA_READERS - int(multi_az) if aurora else MAX_RDS_READ_REPLICAS
        if _is_token(read_replicas):
            raise ValueError(f"read_replicas is a token; allowed: 0 to {most}, known at synthesis")
        unit = (
            f" (Aurora: at most {MAX_AURORA_READERS} readers, the failover reader of multi_az "
            "included)"
            if aurora
            else " (RDS's quota for MySQL and PostgreSQL)"
        )
        _check_int("read_replicas", read_replicas, 0, most, unit)

    @staticmethod
    def _check_rest(
        *,
        port: object,
        backup_retention: object,
        flags: dict[str, object],
        encryption_key: object,
        allow_from: object,
        log_retention: object,
        removal_policy: object,
    ) -> tuple[int | None, list[ec2.IConnectable]]:
        """The port, backups, access and teardown: (whole days of backups or None for a token,
        the connectables allowed in)."""
        _check_int("port", port, *_PORT)
        days = _whole_duration("backup_retention", backup_retention, "days", *_BACKUP_DAYS)
        for name, value in flags.items():
            _check_flag(name, value)
        if encryption_key is not None:
            _check_type("encryption_key", encryption_key, "key_arn", "a kms.IKey or None")
        peers = _check_allow_from(allow_from)
        if not isinstance(log_retention, logs.RetentionDays):
            raise ValueError(f"log_retention is {log_retention!r}; allowed: a logs.RetentionDays")
        if not isinstance(removal_policy, RemovalPolicy):
            raise ValueError(f"removal_policy is {removal_policy!r}; allowed: a RemovalPolicy")
        return days, peers

    @staticmethod
    def _check_serverless(
        engine: str, numbers: tuple[int, ...], minimum: object, maximum: object
    ) -> None:
        floor = _serverless_floor(
            engine, numbers, SERVERLESS_V2_MINIMUM, AURORA_MYSQL_SERVERLESS_V2
        )
        if floor is not None:
            raise ValueError(
                f"serverless_v2 is True with {engine} {_shown(engine, numbers)}; allowed: "
                f"version {_shown(engine, floor)} or later"
            )
        _check_capacity("min_capacity", minimum, _CAPACITY_ACU[0])
        _check_capacity("max_capacity", maximum, 1)
        if _is_token(minimum) or _is_token(maximum):
            return
        if maximum < minimum:
            raise ValueError(
                f"max_capacity is {maximum}, below min_capacity {minimum}; allowed: at least "
                "min_capacity"
            )
        floor = _serverless_floor(engine, numbers, AUTO_PAUSE_MINIMUM, AURORA_MYSQL_AUTO_PAUSE)
        if minimum == 0 and floor is not None:
            raise ValueError(
                f"min_capacity is 0 (automatic pause) with {engine} {_shown(engine, numbers)}; "
                f"allowed: 0 from version {_shown(engine, floor)} on, else 0.5 or more"
            )

    @staticmethod
    def _check_storage(allocated: object, maximum: object) -> None:
        _check_int("allocated_storage_gib", allocated, *_STORAGE_GIB, " GiB")
        if maximum is None:
            return
        _check_int("max_allocated_storage_gib", maximum, *_STORAGE_GIB, " GiB")
        if _is_token(allocated) or _is_token(maximum):
            return
        lowest = -(-allocated * 11 // 10)  # 10% above, rounded up, in whole GiB
        if maximum < lowest:
            raise ValueError(
                f"max_allocated_storage_gib is {maximum}; allowed: at least {lowest} GiB (10% "
                f"above allocated_storage_gib {allocated}, RDS's least), or None (no autoscaling)"
            )

    # -- resources ------------------------------------------------------------------------------

    def _identifier(self) -> str:
        """A DB identifier unique to this construct's path: lowercase letters, digits, single
        hyphens, starting with a letter (RDS's rule), known at synthesis for the log groups."""
        raw = Names.unique_resource_name(self, max_length=_IDENTIFIER_LENGTH, separator="-")
        identifier = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "", raw.lower())).strip("-")
        return identifier if identifier[:1].isalpha() else f"db-{identifier}"[:_IDENTIFIER_LENGTH]

    def _add_network(
        self, vpc: ec2.IVpc, selection: ec2.SubnetSelection, peers: list[ec2.IConnectable]
    ) -> None:
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=f"{self.engine} database: the database port from allow_from only",
            allow_all_outbound=False,
        )
        self.security_group.apply_removal_policy(_helper_policy(self._removal_policy))
        for peer in peers:
            self.security_group.connections.allow_from(
                peer, ec2.Port.tcp(self.port), f"{self.engine} clients"
            )
        self.subnet_group = rds.SubnetGroup(
            self,
            "SubnetGroup",
            vpc=vpc,
            vpc_subnets=selection,
            description=f"Subnets of the {self.engine} database {self.identifier}",
            removal_policy=_helper_policy(self._removal_policy),
        )

    def _add_logs(self, construct_id: str, path: str) -> list[logs.LogGroup]:
        """The log groups RDS exports into, made first: retention ours, not "never expire"."""
        keep = (
            RemovalPolicy.DESTROY
            if self._removal_policy == RemovalPolicy.DESTROY
            else RemovalPolicy.RETAIN
        )
        groups = [
            _managed_log_group(
                self,
                f"{construct_id}{log.title()}Logs",
                log_group_name=f"/aws/rds/{path}/{log}",
                retention=self._log_retention,
                removal_policy=keep,
            )
            for log in LOG_EXPORTS[self.engine]
        ]
        self.log_groups.extend(groups)
        return groups

    def _credentials(self, encryption_key: kms.IKey | None) -> rds.Credentials:
        # With manage_master_user_password, RDS generates, stores and rotates the password.
        return rds.Credentials.from_username(MASTER_USERNAME, encryption_key=encryption_key)

    def _add_instance(
        self,
        *,
        vpc: ec2.IVpc,
        database_name: str,
        backup_days: int | Duration,
        encryption_key: kms.IKey | None,
        instance_type: str,
        multi_az: bool,
        storage: tuple[int, int | None],
    ) -> None:
        groups = self._add_logs("Instance", f"instance/{self.identifier}")
        self.instance = rds.DatabaseInstance(
            self,
            "Instance",
            engine=self._engine,
            instance_identifier=self.identifier,
            instance_type=ec2.InstanceType(instance_type),
            vpc=vpc,
            subnet_group=self.subnet_group,
            security_groups=[self.security_group],
            port=self.port,
            publicly_accessible=False,
            multi_az=multi_az,
            allocated_storage=storage[0],
            max_allocated_storage=storage[1],
            storage_type=rds.StorageType.GP3,
            storage_encrypted=True,
            storage_encryption_key=encryption_key,
            manage_master_user_password=True,
            credentials=self._credentials(encryption_key),
            database_name=database_name,
            parameter_group=self.parameter_group,
            iam_authentication=self._iam_authentication,
            backup_retention=_days(backup_days),
            delete_automated_backups=self._removal_policy == RemovalPolicy.DESTROY,
            cloudwatch_logs_exports=list(LOG_EXPORTS[self.engine]),
            auto_minor_version_upgrade=True,
            copy_tags_to_snapshot=True,
            deletion_protection=self._deletion_protection,
            removal_policy=self._removal_policy,
        )
        for group in groups:
            self.instance.node.add_dependency(group)
        self.secret: secretsmanager.ISecret = self.instance.secret
        self.connections = self.instance.connections
        self.endpoint_address = self.instance.db_instance_endpoint_address
        self.reader_endpoint_address = self.endpoint_address

    def _add_replicas(
        self, vpc: ec2.IVpc, instance_type: str, count: int, max_storage: int | None
    ) -> None:
        """Read replicas of the instance in the same region, round the AZs from the second."""
        for number in range(1, count + 1):
            identifier = f"{self.identifier}-replica{number}"
            groups = self._add_logs(f"Replica{number}", f"instance/{identifier}")
            replica = rds.DatabaseInstanceReadReplica(
                self,
                f"Replica{number}",
                source_database_instance=self.instance,
                instance_identifier=identifier,
                instance_type=ec2.InstanceType(instance_type),
                availability_zone=self._zone(number),
                vpc=vpc,
                subnet_group=self.subnet_group,
                security_groups=[self.security_group],
                port=self.port,
                publicly_accessible=False,
                max_allocated_storage=max_storage,
                storage_type=rds.StorageType.GP3,
                # Storage encryption and its key come from the source (CloudFormation refuses
                # StorageEncrypted on a replica of the same region).
                parameter_group=self.parameter_group,
                iam_authentication=self._iam_authentication,
                cloudwatch_logs_exports=list(LOG_EXPORTS[self.engine]),
                auto_minor_version_upgrade=True,
                copy_tags_to_snapshot=True,
                deletion_protection=self._deletion_protection,
                # RDS takes no final snapshot of a replica; the primary's holds the data.
                removal_policy=_helper_policy(self._removal_policy),
            )
            for group in groups:
                replica.node.add_dependency(group)
            self.read_replicas.append(replica)
        if self.read_replicas:
            self.reader_endpoint_address = self.read_replicas[0].db_instance_endpoint_address

    def _zone(self, index: int) -> str | None:
        """The ``index``-th AZ of the subnets, round-robin; None when they are not known."""
        return self._zones[index % len(self._zones)] if self._zones else None

    def _add_cluster(
        self,
        *,
        vpc: ec2.IVpc,
        database_name: str,
        backup_days: int | Duration,
        encryption_key: kms.IKey | None,
        instance_type: str,
        serverless_v2: bool,
        capacity: tuple[float, float],
        multi_az: bool,
        readers: int,
    ) -> None:
        groups = self._add_logs("Cluster", f"cluster/{self.identifier}")
        self._instance_type = instance_type
        make = self._serverless_instance if serverless_v2 else self._provisioned_instance
        failover = [make("FailoverReader", 1, self._zone(1))] if multi_az else []
        extra = [
            make(f"Reader{number}", 2, self._zone(number + int(multi_az)))
            for number in range(1, readers + 1)
        ]
        self.cluster = rds.DatabaseCluster(
            self,
            "Cluster",
            engine=self._engine,
            cluster_identifier=self.identifier,
            writer=make("Writer", 0, self._zone(0)),
            readers=failover + extra,
            serverless_v2_min_capacity=capacity[0] if serverless_v2 else None,
            serverless_v2_max_capacity=capacity[1] if serverless_v2 else None,
            vpc=vpc,
            subnet_group=self.subnet_group,
            security_groups=[self.security_group],
            port=self.port,
            storage_encrypted=True,
            storage_encryption_key=encryption_key,
            manage_master_user_password=True,
            credentials=self._credentials(encryption_key),
            default_database_name=database_name,
            parameter_group=self.parameter_group,
            iam_authentication=self._iam_authentication,
            backup=rds.BackupProps(retention=_days(backup_days)),
            delete_automated_backups=self._removal_policy == RemovalPolicy.DESTROY,
            cloudwatch_logs_exports=list(LOG_EXPORTS[self.engine]),
            copy_tags_to_snapshot=True,
            deletion_protection=self._deletion_protection,
            removal_policy=self._removal_policy,
        )
        for group in groups:
            self.cluster.node.add_dependency(group)
        if multi_az:
            self.failover_reader = self.cluster.node.find_child("FailoverReader")
        self.read_replicas = [
            self.cluster.node.find_child(f"Reader{number}") for number in range(1, readers + 1)
        ]
        self.secret = self.cluster.secret
        self.connections = self.cluster.connections
        self.endpoint_address = self.cluster.cluster_endpoint.hostname
        self.reader_endpoint_address = self.cluster.cluster_read_endpoint.hostname

    def _provisioned_instance(
        self, construct_id: str, tier: int, zone: str | None
    ) -> rds.IClusterInstance:
        return rds.ClusterInstance.provisioned(
            construct_id,
            instance_type=ec2.InstanceType(self._instance_type),
            promotion_tier=tier,
            availability_zone=zone,
            publicly_accessible=False,
            auto_minor_version_upgrade=True,
        )

    def _serverless_instance(
        self, construct_id: str, tier: int, zone: str | None
    ) -> rds.IClusterInstance:
        # Promotion tiers 0 and 1 scale with the writer, ready to take over at its size;
        # tier 2 readers scale with their own load.
        return rds.ClusterInstance.serverless_v2(
            construct_id,
            scale_with_writer=tier <= 1 if construct_id != "Writer" else None,
            availability_zone=zone,
            publicly_accessible=False,
            auto_minor_version_upgrade=True,
        )

    # -- cdk-nag --------------------------------------------------------------------------------

    def _acknowledge(self, multi_az: bool) -> None:
        database = self.cluster if self.cluster is not None else self.instance
        acknowledgments = []
        if self.port == DEFAULT_PORTS[self.engine]:
            acknowledgments.append(_DEFAULT_PORT)
        if not self._deletion_protection:
            acknowledgments.append(_NO_DELETION_PROTECTION)
        if self.instance is not None and not multi_az:
            acknowledgments.append(_SINGLE_AZ)
        if self.cluster is not None and not self._iam_authentication:
            acknowledgments.append(_NO_IAM_AUTHENTICATION)
        if self.engine == "aurora-mysql":
            acknowledgments.append(_NO_BACKTRACK)
        if acknowledgments:
            Validations.of(database).acknowledge(*acknowledgments)
        for replica in self.read_replicas if self.instance is not None else ():
            replica_acknowledgments = [_REPLICA_ENCRYPTION, _REPLICA_SINGLE_AZ, _REPLICA_PORT]
            if not self._deletion_protection:
                replica_acknowledgments.append(_NO_DELETION_PROTECTION)
            Validations.of(replica).acknowledge(*replica_acknowledgments)

    # -- grants ---------------------------------------------------------------------------------

    def grant_connect(self, grantee: iam.IGrantable, db_user: str) -> iam.Grant:
        """Let ``grantee`` sign in as ``db_user`` with IAM database authentication: on the
        cluster, or on the instance and each of its replicas."""
        if not self._iam_authentication:
            raise ValueError(
                "grant_connect needs iam_authentication=True (the database refuses IAM tokens)"
            )
        if self.cluster is not None:
            return self.cluster.grant_connect(grantee, db_user)
        stack = Stack.of(self)
        arns = [
            stack.format_arn(
                service="rds-db",
                resource="dbuser",
                # The L1's DbiResourceId: a replica's instance_resource_id is its ARN.
                resource_name=f"{instance.node.default_child.attr_dbi_resource_id}/{db_user}",
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
            for instance in (self.instance, *self.read_replicas)
        ]
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=["rds-db:connect"], resource_arns=arns
        )

    def grant_secret_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the master credentials (prefer ``grant_connect``)."""
        return self.secret.grant_read(grantee)


def _days(value: int | Duration) -> Duration:
    return value if isinstance(value, Duration) else Duration.days(value)


_DEFAULT_PORT = Acknowledgment(
    id="AwsSolutions-RDS11",
    reason="A non-default port is obscurity, not access control: the database sits in subnets "
    "without an internet route and its security group admits the port only from allow_from.",
)
_NO_DELETION_PROTECTION = Acknowledgment(
    id="AwsSolutions-RDS10",
    reason="Deletion protection is off only when asked for (deletion_protection=False, the "
    "sandbox profile) so that `cdk destroy` tears the database down completely.",
)
_SINGLE_AZ = Acknowledgment(
    id="AwsSolutions-RDS3",
    reason="Single-AZ only when asked for (multi_az=False, the sandbox's cheaper instance): "
    "losing its AZ means a point-in-time restore from the automated backups, not a failover.",
)
_NO_IAM_AUTHENTICATION = Acknowledgment(
    id="AwsSolutions-RDS6",
    reason="IAM database authentication is off only when asked for (iam_authentication=False): "
    "clients sign in with the RDS-managed, rotated master secret or users of their own.",
)
_NO_BACKTRACK = Acknowledgment(
    id="AwsSolutions-RDS14",
    reason="Backtrack must be chosen at creation, is not offered in every region and version "
    "(nor with binlog replication) and bills each change record; point-in-time restore from the "
    "automated backups (backup_retention) is the rewind here.",
)
_REPLICA_ENCRYPTION = Acknowledgment(
    id="AwsSolutions-RDS2",
    reason="A read replica in its source's region is encrypted exactly as the source is (storage "
    "encrypted, same KMS key); CloudFormation refuses StorageEncrypted next to "
    "SourceDBInstanceIdentifier (cfn-lint E3020), so the template cannot say it here.",
)
_REPLICA_SINGLE_AZ = Acknowledgment(
    id="AwsSolutions-RDS3",
    reason="A read replica serves reads only and is rebuilt from the primary: replicas are "
    "spread over the AZs, and the primary's data is protected by its own Multi-AZ standby; a "
    "standby per replica would double its cost for a copy that is already asynchronous.",
)
_REPLICA_PORT = Acknowledgment(
    id="AwsSolutions-RDS11",
    reason="A read replica listens on its source's port (the port prop) and carries no Engine "
    "property for cdk-nag to read; the port is not access control: the security group is.",
)


__all__ = [
    "DEFAULT_ENGINE_VERSIONS",
    "DEFAULT_PORTS",
    "ENGINES",
    "LOG_EXPORTS",
    "MASTER_USERNAME",
    "PARAMETERS",
    "RESERVED_DATABASE_NAMES",
    "RelationalDatabase",
]
