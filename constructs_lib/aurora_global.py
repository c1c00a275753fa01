"""Aurora global database: one primary region that writes, secondary regions that read.

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

aws-cdk-lib has no L2 construct for global databases (aws/aws-cdk#22212), so this module builds
the two halves it lacks, one per region (a CloudFormation stack lives in one region):

- ``AuroraGlobalPrimary``: the ``AWS::RDS::GlobalCluster`` and the primary (read/write) cluster
  that joins it, with a Secrets Manager master secret rotated by a hosted rotation Lambda.
- ``AuroraGlobalSecondary``: a read-only cluster in another region that joins the global cluster
  by its identifier, a plain string, so no cross-region reference is needed. It carries no master
  username, password or database name: those replicate from the primary at the storage layer.

Both encrypt storage (with a customer-managed KMS key of their own region unless told to use
RDS's AWS-managed key), turn IAM database authentication on, export the engine's logs to
CloudWatch Logs, turn on RDS Enhanced Monitoring (every 60 seconds unless told otherwise) and
accept connections only through the security group they are given. ``validate_regions`` checks a
primary/secondaries set.

Instances are provisioned memory-optimized classes (``db.r6g.large`` and up: AWS refuses
burstable ``db.t*`` in a global database) or Aurora Serverless v2 (``db.serverless``), which
global databases support. A serverless cluster scales each instance between a minimum and a
maximum capacity in ACUs (about 2 GiB of memory each), billed per ACU-hour. Its lowest minimum
here is 0.5 ACU: Serverless v2's 0 ACU (automatic pause) is not available to clusters of a global
database, whose instances keep replicating.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aws_cdk import (
    Acknowledgment,
    ArnFormat,
    Duration,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
    region_info,
)
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

# AWS's quota today; the study notes (written earlier) say 5.
MAX_SECONDARY_REGIONS = 10
MAX_READERS = 15
# The provisioned classes this module accepts: memory-optimized, which AWS requires of the
# provisioned instances of a global database (burstable db.t* are refused). Aurora Serverless v2
# (db.serverless) also works in global databases; this module does not offer it yet.
GLOBAL_INSTANCE_FAMILIES = ("r5", "r6g", "r6i", "r7g", "r7i", "r8g", "x2g")
_INSTANCE_CLASS = re.compile(r"db\.([a-z0-9]+)\.(large|xlarge|[1-9][0-9]?xlarge)")
_IDENTIFIER = re.compile(r"[a-z](?!.*--)[a-z0-9-]{0,48}(?<!-)")
# Lowest minor version of each Aurora PostgreSQL major that supports global databases.
POSTGRES_GLOBAL_MINIMUM = {
    11: (11, 9),
    12: (12, 4),
    13: (13, 3),
    14: (14, 3),
    15: (15, 2),
    16: (16, 1),
    17: (17, 4),
}
_MYSQL_VERSION = re.compile(r"mysql_aurora\.(\d+)\.(\d+)\.(\d+)")
_DEFAULT_PORTS = {"aurora-postgresql": 5432, "aurora-mysql": 3306}
_ENGINE_NAMES = {"aurora-postgresql": "Aurora PostgreSQL", "aurora-mysql": "Aurora MySQL"}
# Not an engine default (``postgres`` / ``admin``), which Security Hub RDS.24 / RDS.25 flag.
DEFAULT_MASTER_USERNAME = "dbadmin"
# RDS's documented master user name limits (CreateDBCluster MasterUsername): Aurora PostgreSQL
# 1 to 63 characters (PostgreSQL's identifier length, NAMEDATALEN - 1); Aurora MySQL 1 to 16
# (RDS's limit for the MySQL master user, although MySQL 8.0 itself allows 32).
_USERNAME_LENGTH = {"aurora-postgresql": 63, "aurora-mysql": 16}
# Names RDS keeps for itself, the engines' own superusers and system accounts, the engines'
# default master names, and role names PostgreSQL refuses. Compared without case.
RESERVED_USERNAMES = frozenset(
    {
        "rdsadmin",
        "rdsrepladmin",
        "rdsproxyadmin",
        "rdstopmgr",
        "rds_superuser",
        "postgres",
        "admin",
        "root",
        "mysql.sys",
        "mysql.session",
        "mysql.infoschema",
        "public",
        "none",
        "current_user",
        "current_role",
        "session_user",
    }
)
RESERVED_USERNAME_PREFIXES = ("rds", "pg_")
# PostgreSQL's identifier length (63) and MySQL's (64).
_DATABASE_NAME_LENGTH = {"aurora-postgresql": 63, "aurora-mysql": 64}
# The engine's and RDS's own databases: a cluster cannot create one of these as its database.
RESERVED_DATABASE_NAMES = {
    "aurora-postgresql": ("postgres", "template0", "template1", "rdsadmin"),
    "aurora-mysql": ("mysql", "information_schema", "performance_schema", "sys"),
}
# RDS Enhanced Monitoring granularity, in seconds; 0 turns it off.
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
_MONITORING_POLICY = "service-role/AmazonRDSEnhancedMonitoringRole"
_LOG_EXPORTS = {"aurora-postgresql": ("postgresql",), "aurora-mysql": ("error", "slowquery")}
SERVERLESS_CLASS = "db.serverless"
# Aurora Serverless v2 capacity, in ACUs, in steps of 0.5. A global database's instances do not
# pause, so 0 (auto-pause) is refused; 1 ACU is the smallest maximum RDS accepts.
SERVERLESS_MIN_ACU = 0.5
SERVERLESS_MIN_MAX_ACU = 1
SERVERLESS_MAX_ACU = 256
DEFAULT_SERVERLESS_CAPACITY = (0.5, 16)

# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_number, _check_strings, _known_regions, _check_region,
# pieces: _managed_log_group, _selection_kwargs


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


def _check_strings(name: str, value: object, allowed: str = "strings") -> tuple[str, ...]:
    """A list or tuple of strings (a lone string is refused: it is not a list of its letters)."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{name} is {value!r}; allowed: a list of {allowed}")
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"{name} contains {item!r}; allowed: a list of {allowed}")
    return tuple(value)


_REGIONS: dict[str, str] = {}


def _known_regions() -> dict[str, str]:
    """Region name -> partition, as this aws-cdk-lib knows them; read once (each is a jsii call)."""
    if not _REGIONS:
        _REGIONS.update(
            {info.name: info.partition or "" for info in region_info.RegionInfo.regions}
        )
    return _REGIONS


def _check_region(name: str, region: object) -> None:
    """A region aws-cdk-lib knows (its table ships with each release); tokens pass."""
    if _is_token(region):
        return
    known = sorted(_known_regions())
    if not isinstance(region, str) or region not in known:
        raise ValueError(
            f"{name} is {region!r}; allowed: an AWS region such as 'us-east-1' "
            f"(one of the {len(known)} this aws-cdk-lib knows)"
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


def default_engine() -> rds.IClusterEngine:
    """Aurora PostgreSQL 16.9, pinned: a version that supports global databases."""
    return rds.DatabaseClusterEngine.aurora_postgres(
        version=rds.AuroraPostgresEngineVersion.VER_16_9
    )


def validate_regions(primary_region: str, secondary_regions: Sequence[str]) -> None:
    """Refuse a primary/secondary region set that AWS would refuse, with a clear ValueError.

    Refused: ``secondary_regions`` that is not a list (or tuple) of strings, a bare string
    included; a region aws-cdk-lib does not know (a typo, a made-up name); a secondary equal to
    the primary; a secondary named twice; more than ``MAX_SECONDARY_REGIONS`` secondaries; and
    regions of different partitions (``aws``, ``aws-cn``, ``aws-us-gov``, ...), which one global
    database cannot span. Deploy-time tokens pass unchecked.
    """
    secondary_regions = _check_strings(
        "secondary_regions", secondary_regions, "AWS region names such as ['us-west-2']"
    )
    _check_region("primary_region", primary_region)
    for index, region in enumerate(secondary_regions):
        _check_region(f"secondary_regions[{index}]", region)
    if primary_region in secondary_regions:
        raise ValueError(
            f"secondary_regions is {list(secondary_regions)}; allowed: regions other than the "
            f"primary region {primary_region!r} (a region holds one cluster of the global database)"
        )
    duplicates = sorted({r for r in secondary_regions if list(secondary_regions).count(r) > 1})
    if duplicates:
        raise ValueError(
            f"secondary_regions is {list(secondary_regions)}; allowed: each region once "
            f"(duplicated: {', '.join(duplicates)})"
        )
    if len(secondary_regions) > MAX_SECONDARY_REGIONS:
        raise ValueError(
            f"secondary_regions has {len(secondary_regions)} regions; allowed: 0 to "
            f"{MAX_SECONDARY_REGIONS} secondary regions per global database (AWS quota today)"
        )
    partitions = {name: partition for name, partition in _known_regions().items() if partition}
    if not _is_token(primary_region):
        primary_partition = partitions.get(primary_region)
        other = [
            region
            for region in secondary_regions
            if not _is_token(region) and partitions.get(region) != primary_partition
        ]
        if other:
            raise ValueError(
                f"secondary_regions contains {', '.join(other)}, outside the primary region's "
                f"partition {primary_partition!r}; allowed: regions of partition "
                f"{primary_partition!r} (a global database cannot span partitions)"
            )


def _check_engine(engine: rds.IClusterEngine) -> None:
    engine_type = engine.engine_type
    version = engine.engine_version.full_version if engine.engine_version else None
    if engine_type not in _DEFAULT_PORTS or version is None:
        raise ValueError(
            f"engine is {engine_type!r} version {version!r}; allowed: aurora-postgresql or "
            "aurora-mysql with a pinned version (engine mode provisioned, the one Serverless v2 "
            "also runs in; not Serverless v1)"
        )
    if engine_type == "aurora-postgresql":
        parts = tuple(int(part) for part in version.split(".")[:2])
        minimum = POSTGRES_GLOBAL_MINIMUM.get(parts[0])
        if minimum is None or len(parts) < 2 or parts < minimum:
            allowed = ", ".join(f"{m[0]}.{m[1]}+" for m in POSTGRES_GLOBAL_MINIMUM.values())
            raise ValueError(
                f"engine version is aurora-postgresql {version}; allowed (global database "
                f"support): {allowed}"
            )
        return
    match = _MYSQL_VERSION.search(version)
    if match is None or int(match.group(1)) != 3:
        raise ValueError(
            f"engine version is aurora-mysql {version}; allowed: Aurora MySQL 3.x "
            "(3.01.0 and higher support global databases; 2.x is past end of standard support)"
        )


def _check_master_username(username: object, engine_type: str) -> None:
    """The master user of ``engine_type``: see ``AuroraGlobalPrimary``'s ``master_username``."""
    if _is_token(username):
        return
    length = _USERNAME_LENGTH[engine_type]
    reserved = ", ".join(sorted(RESERVED_USERNAMES))
    prefixes = " or ".join(repr(prefix) for prefix in RESERVED_USERNAME_PREFIXES)
    allowed = (
        f"1 to {length} letters, digits and underscores, starting with a letter "
        f"({_ENGINE_NAMES[engine_type]}), not a reserved name ({reserved}) and not starting "
        f"with {prefixes}"
    )
    if isinstance(username, str) and (
        username.lower() in RESERVED_USERNAMES
        or username.lower().startswith(RESERVED_USERNAME_PREFIXES)
    ):
        raise ValueError(
            f"master_username is {username!r}, a name reserved by RDS or the engine (or an "
            f"engine default that Security Hub RDS.24/RDS.25 flags); allowed: {allowed}"
        )
    if not isinstance(username, str) or not re.fullmatch(
        rf"[A-Za-z][A-Za-z0-9_]{{0,{length - 1}}}", username
    ):
        raise ValueError(f"master_username is {username!r}; allowed: {allowed}")


def _check_database_name(name: object, engine_type: str) -> None:
    """The database created in the primary cluster: see ``AuroraGlobalPrimary``."""
    if _is_token(name):
        return
    length = _DATABASE_NAME_LENGTH[engine_type]
    reserved = RESERVED_DATABASE_NAMES[engine_type]
    allowed = (
        f"1 to {length} letters, digits and underscores, starting with a letter "
        f"({_ENGINE_NAMES[engine_type]}), not {', '.join(reserved)}"
    )
    if isinstance(name, str) and name.lower() in reserved:
        raise ValueError(
            f"database_name is {name!r}, a database the engine or RDS keeps; allowed: {allowed}"
        )
    if not isinstance(name, str) or not re.fullmatch(
        rf"[A-Za-z][A-Za-z0-9_]{{0,{length - 1}}}", name
    ):
        raise ValueError(f"database_name is {name!r}; allowed: {allowed}")


def _check_monitoring_interval(seconds: object) -> None:
    # It decides whether a monitoring role exists (RDS refuses a role with an interval of 0), so
    # like ``readers`` it must be known at synthesis.
    allowed = ", ".join(str(n) for n in MONITORING_INTERVALS)
    if not isinstance(seconds, bool) and Token.is_unresolved(seconds):
        raise ValueError(
            f"monitoring_interval_seconds is a token; allowed: one of {allowed} (0 = off), known "
            "at synth (it decides whether a monitoring role exists)"
        )
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int)
        or seconds not in MONITORING_INTERVALS
    ):
        raise ValueError(
            f"monitoring_interval_seconds is {seconds!r}; allowed: one of {allowed} (seconds "
            "between Enhanced Monitoring samples; 0 = off)"
        )


def _check_capacity(name: str, value: object, low: float) -> None:
    _check_number(name, value, low, SERVERLESS_MAX_ACU, " ACUs, in steps of 0.5")
    if not _is_token(value) and float(value) * 2 != int(float(value) * 2):
        raise ValueError(
            f"{name} is {value}; allowed: {low} to {SERVERLESS_MAX_ACU} ACUs in steps of 0.5"
        )


def _serverless_capacity(
    instance_class: str, minimum: object, maximum: object
) -> tuple[float, float] | None:
    """The (minimum, maximum) ACUs of a db.serverless cluster, None for a provisioned one."""
    if instance_class != SERVERLESS_CLASS:
        given = {"serverless_min_capacity": minimum, "serverless_max_capacity": maximum}
        for name, value in given.items():
            if value is not None:
                raise ValueError(
                    f"{name} is {value!r} with instance_class {instance_class!r}; allowed: None "
                    f"unless instance_class is {SERVERLESS_CLASS!r}"
                )
        return None
    low, high = DEFAULT_SERVERLESS_CAPACITY
    minimum = low if minimum is None else minimum
    maximum = high if maximum is None else maximum
    if minimum == 0 and not isinstance(minimum, bool):
        raise ValueError(
            "serverless_min_capacity is 0; allowed: 0.5 to 256 ACUs in steps of 0.5 (0 means "
            "automatic pause, which clusters of an Aurora global database do not support)"
        )
    _check_capacity("serverless_min_capacity", minimum, SERVERLESS_MIN_ACU)
    _check_capacity("serverless_max_capacity", maximum, SERVERLESS_MIN_MAX_ACU)
    if not _is_token(minimum) and not _is_token(maximum) and maximum < minimum:
        raise ValueError(
            f"serverless_max_capacity is {maximum}, below serverless_min_capacity {minimum}; "
            "allowed: a maximum at least the minimum"
        )
    return minimum, maximum


def _validate(
    *,
    global_cluster_identifier: str,
    engine: rds.IClusterEngine,
    instance_class: str,
    readers: int,
    backup_retention: int,
    port: int,
    monitoring_interval_seconds: int,
    credentials: tuple[str, str] | None,
) -> None:
    if not isinstance(global_cluster_identifier, str) or not _IDENTIFIER.fullmatch(
        global_cluster_identifier
    ):
        raise ValueError(
            f"global_cluster_identifier is {global_cluster_identifier!r}; allowed: 1 to 50 "
            "lowercase letters, digits and hyphens, starting with a letter, no '--' and no "
            "trailing hyphen (the region name is appended to name each cluster)"
        )
    _check_engine(engine)
    if credentials is not None:
        master_username, database_name = credentials
        _check_master_username(master_username, engine.engine_type)
        _check_database_name(database_name, engine.engine_type)
    families = ", ".join(f"db.{family}" for family in GLOBAL_INSTANCE_FAMILIES)
    if not isinstance(instance_class, str):
        raise ValueError(
            f"instance_class is {instance_class!r}; allowed: a str, {SERVERLESS_CLASS!r} or one "
            f"of {families} at size large or above, such as 'db.r6g.large'"
        )
    match = _INSTANCE_CLASS.fullmatch(instance_class)
    if instance_class != SERVERLESS_CLASS and (
        match is None or match.group(1) not in GLOBAL_INSTANCE_FAMILIES
    ):
        raise ValueError(
            f"instance_class is {instance_class!r}; allowed: {SERVERLESS_CLASS!r} (Aurora "
            f"Serverless v2) or {families} at size large or above (AWS requires memory-optimized "
            "classes of provisioned global database instances; burstable db.t* are not supported)"
        )
    # readers decides how many instances exist: it cannot be a deploy-time token.
    if Token.is_unresolved(readers):
        raise ValueError("readers is a token; allowed: a whole number, 0 to 15, known at synth")
    _check_int("readers", readers, 0, MAX_READERS)
    _check_int(
        "backup_retention", backup_retention, 1, 35, " days (Aurora backups cannot be disabled)"
    )
    _check_int("port", port, 1150, 65535, " (Aurora's range)")
    _check_monitoring_interval(monitoring_interval_seconds)


class _RegionalCluster(Construct):
    """What both halves share: validation, the regional KMS key and the log groups.

    ``credentials`` is the primary's (master username, database name), None for a secondary:
    everything is checked before the first resource is created. ``capacity`` is the
    (minimum, maximum) ACUs asked for, either None for the defaults.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        global_cluster_identifier: str,
        engine: rds.IClusterEngine | None,
        instance_class: str,
        readers: int,
        backup_retention: int,
        port: int | None,
        deletion_protection: bool,
        removal_policy: RemovalPolicy,
        log_retention: logs.RetentionDays,
        monitoring_interval_seconds: int,
        capacity: tuple[float | None, float | None],
        customer_managed_key: bool,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.engine = engine or default_engine()
        # ``is None``, not ``or``: port=0 is refused, not silently replaced by the default.
        self.port = port if port is not None else _DEFAULT_PORTS.get(self.engine.engine_type, 5432)
        _validate(
            global_cluster_identifier=global_cluster_identifier,
            engine=self.engine,
            instance_class=instance_class,
            readers=readers,
            backup_retention=backup_retention,
            port=self.port,
            monitoring_interval_seconds=monitoring_interval_seconds,
            credentials=credentials,
        )
        if not isinstance(customer_managed_key, bool):
            raise ValueError(
                f"customer_managed_key is {customer_managed_key!r}; allowed: True (a KMS key of "
                "this region) or False (RDS's AWS-managed key aws/rds)"
            )
        # (minimum, maximum) ACUs of a db.serverless cluster; None when provisioned.
        self.serverless_capacity = _serverless_capacity(instance_class, *capacity)
        self.monitoring_interval_seconds = monitoring_interval_seconds
        self.global_cluster_identifier = global_cluster_identifier
        self.instance_class = instance_class
        self.readers = readers
        self.backup_retention = backup_retention
        self.deletion_protection = deletion_protection
        self.removal_policy = removal_policy
        self.log_retention = log_retention
        # Keep what encrypted snapshots and logs need unless the whole thing is thrown away.
        self.keep_policy = (
            RemovalPolicy.DESTROY
            if removal_policy == RemovalPolicy.DESTROY
            else RemovalPolicy.RETAIN
        )
        self.cluster_identifier = f"{global_cluster_identifier}-{Stack.of(self).region}"
        self.log_exports = list(_LOG_EXPORTS[self.engine.engine_type])
        # None: RDS's AWS-managed key (aws/rds) of the region, free, and nothing to delete later.
        self.key: kms.Key | None = None
        if customer_managed_key:
            self.key = kms.Key(
                self,
                "Key",
                description=f"Aurora storage of {global_cluster_identifier} in this region",
                enable_key_rotation=True,
                removal_policy=self.keep_policy,
            )
        for log in self.log_exports:
            # Created ahead of RDS so that retention and removal are ours, not "never expire".
            _managed_log_group(
                self,
                f"{log.title()}Logs",
                log_group_name=f"/aws/rds/cluster/{self.cluster_identifier}/{log}",
                retention=log_retention,
                removal_policy=self.keep_policy,
            )

    def _acknowledge(self, cluster: Construct) -> None:
        acknowledgments = []
        if self.port == _DEFAULT_PORTS[self.engine.engine_type]:
            acknowledgments.append(
                Acknowledgment(
                    id="AwsSolutions-RDS11",
                    reason="A non-default port is obscurity, not access control: the cluster sits "
                    "in isolated subnets and its security group admits only the app tier.",
                )
            )
        if not self.deletion_protection:
            acknowledgments.append(
                Acknowledgment(
                    id="AwsSolutions-RDS10",
                    reason="Deletion protection is off only when asked for (the sandbox profile) "
                    "so that `cdk destroy` tears the global database down completely.",
                )
            )
        if self.engine.engine_type == "aurora-mysql":
            acknowledgments.append(
                Acknowledgment(
                    id="AwsSolutions-RDS14",
                    reason="Backtrack is not supported on Aurora global databases; point-in-time "
                    "restore from the automated backups is the rewind available here.",
                )
            )
        if acknowledgments:
            Validations.of(cluster).acknowledge(*acknowledgments)

    @staticmethod
    def _acknowledge_monitoring_role(role: Construct) -> None:
        Validations.of(role).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonRDSEnhancedMonitoringRole]",
                reason="AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy RDS documents "
                "for Enhanced Monitoring: it grants only CloudWatch Logs actions on log groups "
                "named RDS* (RDSOSMetrics), AWS keeps it current with the agent, and only "
                "monitoring.rds.amazonaws.com can assume this role.",
            )
        )


class AuroraGlobalPrimary(_RegionalCluster):
    """The global cluster and its primary (read/write) regional cluster.

    Attributes: ``global_cluster`` (``CfnGlobalCluster``), ``cluster`` (``DatabaseCluster``),
    ``secret`` (the master credentials), ``key`` (this region's KMS key, None with
    ``customer_managed_key=False``), ``serverless_capacity`` ((min, max) ACUs, None when
    provisioned), ``monitoring_role``
    (the Enhanced Monitoring role, None when off), ``cluster_identifier``,
    ``writer_endpoint`` and ``reader_endpoint`` (host names), ``port``, ``connections`` (the
    cluster's group, default port the database port: ``db.connections.allow_default_port_from
    (web.connections)``). Grants: ``grant_connect`` (IAM auth), ``grant_secret_read``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        security_group: ec2.ISecurityGroup,
        global_cluster_identifier: str,
        vpc_subnets: ec2.SubnetSelection | None = None,
        engine: rds.IClusterEngine | None = None,
        instance_class: str = "db.r6g.large",
        readers: int = 1,
        master_username: str = DEFAULT_MASTER_USERNAME,
        database_name: str = "app",
        backup_retention: int = 7,
        port: int | None = None,
        deletion_protection: bool = True,
        removal_policy: RemovalPolicy = RemovalPolicy.SNAPSHOT,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        monitoring_interval_seconds: int = 60,
        serverless_min_capacity: float | None = None,
        serverless_max_capacity: float | None = None,
        customer_managed_key: bool = True,
        rotation_subnets: ec2.SubnetSelection | None = None,
        rotation_security_group: ec2.ISecurityGroup | None = None,
        rotation_days: int = 30,
    ) -> None:
        """Create the global cluster and the primary cluster in this stack's region.

        :param vpc: the VPC of the primary region.
        :param security_group: the cluster's only security group; give one that admits the
            database port only from the application tier.
        :param global_cluster_identifier: the global database's name, also used by every
            secondary to join it; each regional cluster is named ``<identifier>-<region>``.
        :param vpc_subnets: where the cluster runs. Default: the VPC's isolated subnets.
        :param engine: Aurora PostgreSQL or Aurora MySQL 3 at a version that supports global
            databases. Default: Aurora PostgreSQL 16.9.
        :param instance_class: ``db.serverless`` (Aurora Serverless v2, every instance) or a
            provisioned memory-optimized class (db.r5, r6g, r6i, r7g, r7i, r8g, x2g), size large
            or above. Default: ``db.r6g.large``, the smallest provisioned one.
        :param readers: reader instances next to the writer, 0 to 15. Default: 1.
        :param master_username: the master user, stored in the generated secret. Aurora
            PostgreSQL: 1 to 63 characters; Aurora MySQL: 1 to 16 (RDS's master user limits);
            letters, digits and underscores, starting with a letter. Refused, in any case:
            ``RESERVED_USERNAMES`` (rdsadmin, rdsrepladmin, rdsproxyadmin, rdstopmgr,
            rds_superuser, postgres, admin, root, mysql.sys, ...) and names starting with
            ``rds`` or ``pg_``; the engine defaults are refused because Security Hub RDS.24 /
            RDS.25 flag them. Default: ``dbadmin``.
        :param database_name: the database created in the cluster: letters, digits and
            underscores, starting with a letter, 1 to 63 characters (Aurora PostgreSQL) or 1 to
            64 (Aurora MySQL); not the engine's own (``postgres``, ``template0``, ``template1``,
            ``rdsadmin``; MySQL: ``mysql``, ``information_schema``, ``performance_schema``,
            ``sys``). Default: ``app``.
        :param backup_retention: days of automated backups, 1 to 35. Default: 7.
        :param port: the database port. Default: the engine's (5432 / 3306).
        :param deletion_protection: refuse deletion of the clusters. Default: True.
        :param removal_policy: of the cluster on stack deletion (its KMS key, secret and log
            groups are retained unless this is DESTROY). Default: SNAPSHOT.
        :param log_retention: of the exported database logs. Default: one month.
        :param monitoring_interval_seconds: seconds between RDS Enhanced Monitoring samples of
            each instance: 0 (off), 1, 5, 10, 15, 30 or 60, known at synthesis. Not 0: a role
            trusted by monitoring.rds.amazonaws.com with AmazonRDSEnhancedMonitoringRole.
            Default: 60.
        :param serverless_min_capacity: with ``db.serverless``, the ACUs each instance never
            goes below, 0.5 to 256 in steps of 0.5 (0, automatic pause, is not available in a
            global database); None otherwise. Default: 0.5, the lowest.
        :param serverless_max_capacity: with ``db.serverless``, the ACUs each instance never
            goes above, 1 to 256 in steps of 0.5, at least the minimum; None otherwise.
            Default: 16 (about 32 GiB of memory).
        :param customer_managed_key: encrypt with a KMS key of this construct's own (True), or
            with RDS's AWS-managed key ``aws/rds`` of the region (False: no key fee and nothing
            left pending deletion after teardown, but no key policy of yours, so no cross-account
            snapshot sharing). Default: True.
        :param rotation_subnets: where the hosted rotation Lambda runs; it needs a route to
            Secrets Manager (NAT or endpoint). Default: the VPC's private subnets with egress.
        :param rotation_security_group: the rotation Lambda's group; it must already be allowed
            into the database port. Default: None (a new group, allowed in on the database port).
        :param rotation_days: days between master password rotations, 1 to 365. Default: 30.
        """
        _check_int("rotation_days", rotation_days, 1, 365)
        super().__init__(
            scope,
            construct_id,
            global_cluster_identifier=global_cluster_identifier,
            engine=engine,
            instance_class=instance_class,
            readers=readers,
            backup_retention=backup_retention,
            port=port,
            deletion_protection=deletion_protection,
            removal_policy=removal_policy,
            log_retention=log_retention,
            monitoring_interval_seconds=monitoring_interval_seconds,
            capacity=(serverless_min_capacity, serverless_max_capacity),
            customer_managed_key=customer_managed_key,
            credentials=(master_username, database_name),
        )
        version = self.engine.engine_version
        self.global_cluster = rds.CfnGlobalCluster(
            self,
            "GlobalCluster",
            global_cluster_identifier=global_cluster_identifier,
            engine=self.engine.engine_type,
            engine_version=version.full_version if version else None,
            storage_encrypted=True,
            deletion_protection=deletion_protection,
        )
        self.global_cluster.apply_removal_policy(self.keep_policy)

        capacity = self.serverless_capacity or (None, None)
        self.cluster = rds.DatabaseCluster(
            self,
            "Cluster",
            engine=self.engine,
            cluster_identifier=self.cluster_identifier,
            # A managed master password (Secrets Manager via RDS) is not supported for global
            # clusters: a generated secret it is.
            credentials=rds.Credentials.from_generated_secret(master_username),
            default_database_name=database_name,
            writer=self._instance("Writer"),
            readers=[self._instance(f"Reader{number}") for number in range(1, readers + 1)],
            serverless_v2_min_capacity=capacity[0],
            serverless_v2_max_capacity=capacity[1],
            vpc=vpc,
            vpc_subnets=vpc_subnets
            or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            security_groups=[security_group],
            port=self.port,
            storage_encrypted=True,
            storage_encryption_key=self.key,
            iam_authentication=True,
            backup=rds.BackupProps(retention=Duration.days(backup_retention)),
            cloudwatch_logs_exports=self.log_exports,
            # aws-cdk-lib creates the monitoring role and sets it on each instance.
            monitoring_interval=(
                Duration.seconds(monitoring_interval_seconds)
                if monitoring_interval_seconds
                else None
            ),
            copy_tags_to_snapshot=True,
            deletion_protection=deletion_protection,
            removal_policy=removal_policy,
        )
        self.monitoring_role = self.cluster.node.try_find_child("MonitoringRole")
        if self.monitoring_role is not None:
            # Kept exactly when the instances it serves are kept.
            self.monitoring_role.apply_removal_policy(_instance_policy(removal_policy))
            self._acknowledge_monitoring_role(self.monitoring_role)
        cfn_cluster: rds.CfnDBCluster = self.cluster.node.default_child
        cfn_cluster.add_property_override("GlobalClusterIdentifier", self.global_cluster.ref)
        for child in self.node.children:
            if isinstance(child, logs.LogGroup):
                self.cluster.node.add_dependency(child)

        # ``cluster.secret`` is the target attachment; keep the secret itself with the data.
        self.cluster.node.find_child("Secret").apply_removal_policy(self.keep_policy)
        self.secret = self.cluster.secret
        self._add_rotation(
            vpc, rotation_subnets, rotation_security_group, Duration.days(rotation_days)
        )
        self.writer_endpoint = self.cluster.cluster_endpoint.hostname
        self.reader_endpoint = self.cluster.cluster_read_endpoint.hostname
        self.connections = self.cluster.connections
        self._acknowledge(self.cluster)

    def _instance(self, construct_id: str) -> rds.IClusterInstance:
        if self.serverless_capacity is not None:
            # Readers in promotion tiers 0-1 follow the writer's capacity, ready to take over.
            return rds.ClusterInstance.serverless_v2(
                construct_id, publicly_accessible=False, scale_with_writer=True
            )
        return rds.ClusterInstance.provisioned(
            construct_id,
            instance_type=ec2.InstanceType(self.instance_class.removeprefix("db.")),
            publicly_accessible=False,
        )

    def grant_connect(self, grantee: iam.IGrantable, db_user: str) -> iam.Grant:
        """Let ``grantee`` sign in as ``db_user`` with IAM database authentication."""
        return self.cluster.grant_connect(grantee, db_user)

    def grant_secret_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the master credentials (prefer ``grant_connect``)."""
        return self.secret.grant_read(grantee)

    def _add_rotation(
        self,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection | None,
        security_group: ec2.ISecurityGroup | None,
        every: Duration,
    ) -> None:
        if security_group is None:
            security_group = ec2.SecurityGroup(
                self,
                "RotationSecurityGroup",
                vpc=vpc,
                description="Hosted rotation Lambda of the Aurora master secret",
            )
            self.cluster.connections.allow_from(
                security_group, ec2.Port.tcp(self.port), "Master secret rotation Lambda"
            )
        # Named, so the stack can own its log group: left to Lambda, the group would appear on
        # the first rotation, never expire and outlive `cdk destroy`. At most 50 + 9 characters
        # of Lambda's 64; only the primary region rotates.
        function_name = f"{self.global_cluster_identifier}-rotation"
        log_group = _managed_log_group(
            self,
            "RotationLogs",
            log_group_name=f"/aws/lambda/{function_name}",
            retention=self.log_retention,
            removal_policy=self.keep_policy,
        )
        options = {
            "function_name": function_name,
            "vpc": vpc,
            "vpc_subnets": subnets
            or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            "security_groups": [security_group],
        }
        hosted = (
            secretsmanager.HostedRotation.postgre_sql_single_user(**options)
            if self.engine.engine_type == "aurora-postgresql"
            else secretsmanager.HostedRotation.mysql_single_user(**options)
        )
        rotation = self.secret.add_rotation_schedule(
            "Rotation", hosted_rotation=hosted, automatically_after=every
        )
        # The first rotation runs as soon as the schedule exists: its group must be there.
        rotation.node.add_dependency(log_group)


class AuroraGlobalSecondary(_RegionalCluster):
    """A read-only regional cluster that joins an existing global cluster.

    Attributes: ``cluster`` (``CfnDBCluster``), ``instances`` (``CfnDBInstance`` list),
    ``key`` (this region's KMS key, or None), ``serverless_capacity``, ``monitoring_role``
    (the Enhanced Monitoring role, None when off), ``cluster_identifier``, ``writer_endpoint``
    (answers only after promotion) and ``reader_endpoint`` (host names), ``port``,
    ``connections`` (its group, the database port by default). Grant: ``grant_connect`` (IAM auth).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        security_group: ec2.ISecurityGroup,
        global_cluster_identifier: str,
        vpc_subnets: ec2.SubnetSelection | None = None,
        engine: rds.IClusterEngine | None = None,
        instance_class: str = "db.r6g.large",
        readers: int = 1,
        backup_retention: int = 7,
        port: int | None = None,
        deletion_protection: bool = True,
        removal_policy: RemovalPolicy = RemovalPolicy.SNAPSHOT,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        monitoring_interval_seconds: int = 60,
        serverless_min_capacity: float | None = None,
        serverless_max_capacity: float | None = None,
        customer_managed_key: bool = True,
    ) -> None:
        """Create a secondary cluster in this stack's region, joined to the global cluster.

        Deploy it after the primary (the global cluster must exist), in another region.

        :param vpc: the VPC of this secondary region.
        :param security_group: the cluster's only security group; give one that admits the
            database port only from the application tier.
        :param global_cluster_identifier: the identifier given to ``AuroraGlobalPrimary``.
        :param vpc_subnets: where the cluster runs. Default: the VPC's isolated subnets.
        :param engine: must equal the primary's. Default: Aurora PostgreSQL 16.9.
        :param instance_class: as for the primary (``db.serverless`` or a provisioned
            memory-optimized class); it may differ from the primary's. Default: ``db.r6g.large``.
        :param readers: instances besides the one that becomes writer on promotion, 0 to 15.
            Default: 1.
        :param backup_retention: days of automated backups, 1 to 35. Default: 7.
        :param port: the database port. Default: the engine's (5432 / 3306).
        :param deletion_protection: refuse deletion of the cluster. Default: True.
        :param removal_policy: of the cluster on stack deletion (its KMS key and log groups are
            retained unless this is DESTROY). Default: SNAPSHOT.
        :param log_retention: of the exported database logs. Default: one month.
        :param monitoring_interval_seconds: as for the primary: 0 (off), 1, 5, 10, 15, 30 or 60;
            not 0: one role for this region's instances. Default: 60.
        :param serverless_min_capacity: with ``db.serverless``, the ACUs each instance never
            goes below (under load, enough to apply the primary's writes), 0.5 to 256 in steps
            of 0.5 (0, automatic pause, is not available in a global database); None otherwise.
            Default: 0.5, the lowest.
        :param serverless_max_capacity: with ``db.serverless``, the ACUs each instance never
            goes above, 1 to 256 in steps of 0.5, at least the minimum; None otherwise.
            Default: 16 (about 32 GiB of memory).
        :param customer_managed_key: encrypt with a KMS key of this construct's own (True), or
            with RDS's AWS-managed key ``aws/rds`` of the region (False: no key fee and nothing
            left pending deletion after teardown, but no key policy of yours, so no cross-account
            snapshot sharing). Default: True.
        """
        super().__init__(
            scope,
            construct_id,
            global_cluster_identifier=global_cluster_identifier,
            engine=engine,
            instance_class=instance_class,
            readers=readers,
            backup_retention=backup_retention,
            port=port,
            deletion_protection=deletion_protection,
            removal_policy=removal_policy,
            log_retention=log_retention,
            monitoring_interval_seconds=monitoring_interval_seconds,
            capacity=(serverless_min_capacity, serverless_max_capacity),
            customer_managed_key=customer_managed_key,
        )
        selection = vpc_subnets or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        subnets = vpc.select_subnets(**_selection_kwargs(selection))
        subnet_group = rds.CfnDBSubnetGroup(
            self,
            "SubnetGroup",
            db_subnet_group_description=f"Secondary cluster of {global_cluster_identifier}",
            subnet_ids=subnets.subnet_ids,
        )
        subnet_group.apply_removal_policy(_instance_policy(removal_policy))
        version = self.engine.engine_version
        # No master username, password or database name: a secondary gets them from the primary
        # through storage replication, and CloudFormation refuses them on a secondary.
        self.cluster = rds.CfnDBCluster(
            self,
            "Cluster",
            db_cluster_identifier=self.cluster_identifier,
            global_cluster_identifier=global_cluster_identifier,
            engine=self.engine.engine_type,
            engine_version=version.full_version if version else None,
            db_subnet_group_name=subnet_group.ref,
            vpc_security_group_ids=[security_group.security_group_id],
            port=self.port,
            storage_encrypted=True,
            # None: RDS's AWS-managed key of this region.
            kms_key_id=self.key.key_arn if self.key is not None else None,
            serverless_v2_scaling_configuration=(
                rds.CfnDBCluster.ServerlessV2ScalingConfigurationProperty(
                    min_capacity=self.serverless_capacity[0],
                    max_capacity=self.serverless_capacity[1],
                )
                if self.serverless_capacity is not None
                else None
            ),
            enable_iam_database_authentication=True,
            backup_retention_period=backup_retention,
            enable_cloudwatch_logs_exports=self.log_exports,
            copy_tags_to_snapshot=True,
            deletion_protection=deletion_protection,
        )
        self.cluster.apply_removal_policy(removal_policy)
        for child in self.node.children:
            if isinstance(child, logs.LogGroup):
                self.cluster.node.add_dependency(child)
        self.monitoring_role: iam.Role | None = None
        if monitoring_interval_seconds:
            # What aws-cdk-lib's DatabaseCluster creates for the primary, for these L1 instances.
            self.monitoring_role = iam.Role(
                self,
                "MonitoringRole",
                assumed_by=iam.ServicePrincipal("monitoring.rds.amazonaws.com"),
                managed_policies=[
                    iam.ManagedPolicy.from_aws_managed_policy_name(_MONITORING_POLICY)
                ],
            )
            self.monitoring_role.apply_removal_policy(_instance_policy(removal_policy))
            self._acknowledge_monitoring_role(self.monitoring_role)
        self.instances = []
        for number in range(readers + 1):
            instance = rds.CfnDBInstance(
                self,
                f"Instance{number + 1}",
                db_cluster_identifier=self.cluster.ref,
                db_instance_class=instance_class,
                engine=self.engine.engine_type,
                db_subnet_group_name=subnet_group.ref,
                publicly_accessible=False,
                promotion_tier=number,
                monitoring_interval=monitoring_interval_seconds or None,
                monitoring_role_arn=(
                    self.monitoring_role.role_arn if self.monitoring_role is not None else None
                ),
            )
            instance.apply_removal_policy(_instance_policy(removal_policy))
            self.instances.append(instance)
        self.writer_endpoint = self.cluster.attr_endpoint_address
        self.reader_endpoint = self.cluster.attr_read_endpoint_address
        self.connections = ec2.Connections(
            security_groups=[security_group], default_port=ec2.Port.tcp(self.port)
        )
        self._acknowledge(self.cluster)

    def grant_connect(self, grantee: iam.IGrantable, db_user: str) -> iam.Grant:
        """Let ``grantee`` sign in as ``db_user`` here with IAM database authentication."""
        stack = Stack.of(self)
        arn = stack.format_arn(
            service="rds-db",
            resource="dbuser",
            resource_name=f"{self.cluster.attr_db_cluster_resource_id}/{db_user}",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=["rds-db:connect"], resource_arns=[arn]
        )


def _instance_policy(removal_policy: RemovalPolicy) -> RemovalPolicy:
    # Instances of a cluster cannot be snapshotted on their own: the cluster's snapshot holds
    # the data. Retain them only when the cluster is retained.
    return RemovalPolicy.RETAIN if removal_policy == RemovalPolicy.RETAIN else RemovalPolicy.DESTROY


__all__ = [
    "DEFAULT_MASTER_USERNAME",
    "GLOBAL_INSTANCE_FAMILIES",
    "MAX_SECONDARY_REGIONS",
    "MONITORING_INTERVALS",
    "RESERVED_DATABASE_NAMES",
    "RESERVED_USERNAMES",
    "RESERVED_USERNAME_PREFIXES",
    "AuroraGlobalPrimary",
    "AuroraGlobalSecondary",
    "default_engine",
    "validate_regions",
]
