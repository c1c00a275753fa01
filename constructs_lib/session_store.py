"""A session store: user session state off the instances, so any instance serves any request.

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

What the notes teach about session state (002:2240-2285, 002:3764-3800, 004:2401-2430), built in:

- MyClothes.com v1: behind a load balancer every request may reach another instance, and a
  cart kept on the instance is lost; v2's stickiness (a cookie binding a user to one instance)
  fixes that until the instance fails, and it loads the instances unevenly;
- v3: keep the session outside the instances, in DynamoDB ("host the session on DynamoDB") or
  in ElastiCache, so the web tier is stateless: an instance that fails takes no session with it;
- a session store wants low latency and expiry: DynamoDB's time to live deletes expired
  sessions, a Redis-compatible cache expires keys itself and replicates across AZs.

``engine="dynamodb"`` (the default, $0 idle): an on-demand table keyed by the session id, with
time to live on the attribute the application writes the expiry into (epoch seconds).
``engine="valkey"`` or ``"redis"``: an ElastiCache replication group (L1 resources:
aws-cdk-lib has no L2) in private subnets: encrypted at rest and in transit (TLS required), an
AUTH token generated into Secrets Manager, a security group that admits only the given clients,
and with replicas Multi-AZ with automatic failover. Valkey is the open-source successor of
Redis OSS, protocol-compatible, and its nodes cost about 20 % less.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from aws_cdk import (
    Acknowledgment,
    Aws,
    RemovalPolicy,
    Token,
    Validations,
)
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

Engine = Literal["dynamodb", "valkey", "redis"]

_ENGINES = ("dynamodb", "valkey", "redis")
_CACHE_ENGINES = ("valkey", "redis")
# Engine versions ElastiCache offered when this was written: valkey 7.2, 8.0, 8.1, 8.2, 9.0,
# 9.1; redis up to 7.1. The default is the newest 8.x (9.x is a new major, not yet everywhere).
DEFAULT_ENGINE_VERSIONS = {"valkey": "8.2", "redis": "7.1"}
# TransitEncryptionMode (TLS required, no plain-text fallback) needs Redis OSS 7.0.5 or Valkey 7.2.
_MIN_ENGINE_VERSIONS = {"valkey": (7, 2), "redis": (7, 0)}
DEFAULT_PORT = 6379  # both engines'
DEFAULT_NODE_TYPE = "cache.t4g.micro"
DEFAULT_PARTITION_KEY = "session_id"
DEFAULT_TTL_ATTRIBUTE = "expires_at"
_REPLICAS = (0, 5)  # a shard's read replicas, cluster mode disabled
_SNAPSHOT_DAYS = (0, 35)
_PORTS = (1, 65535)
_AUTH_TOKEN_LENGTH = 64  # AUTH accepts 16 to 128 printable characters
# DynamoDB attribute names: 1 to 255 bytes (UTF-8); a key attribute's name is checked the same.
_ATTRIBUTE_NAME = r"(?s).{1,255}"
_NODE_TYPE = (
    r"cache\.[a-z][a-z0-9-]*[0-9][a-z0-9-]*\."
    r"(micro|small|medium|large|xlarge|[1-9][0-9]*xlarge)"
)
# What a session needs of its item: read, write, extend and end one session by its key.
SESSION_ITEM_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
)
# What DynamoDB does with a customer managed key for the caller (aws-cdk-lib's read-write
# grant, its wildcards written out: no asymmetric data key pairs), through DynamoDB only.
_TABLE_KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)
# Removal policies that keep a resource on `cdk destroy`: what the kept cache needs is kept too.
_KEEPING = (RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)


# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int, _check_choice, _check_flag, _check_text, _check_type, _only_with,
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


# END VENDORED


def _or(value: object, default: object) -> object:
    """``value``, or ``default`` when the prop was left out (None): an empty string stays."""
    return default if value is None else value


def _empty(value: object) -> bool:
    """An empty list or tuple: a sequence prop left at its default."""
    return isinstance(value, (list, tuple)) and not value


class SessionStore(Construct):
    """Where the web tier keeps user sessions: a DynamoDB table or an ElastiCache cache.

    The application reaches it through ``table`` (DynamoDB), or ``endpoint_address``, ``port``
    and the token in ``auth_secret`` over TLS (a cache, whose ``connections`` admit more
    clients); ``grant_read_write`` gives a role what it needs.

    :param engine: ``"dynamodb"`` (a table; no VPC; $0 idle), ``"valkey"`` or ``"redis"`` (an
        ElastiCache replication group in ``vpc``; a ``cache.t4g.micro`` node is about $9 a month
        with Valkey, $12 with Redis OSS, in us-east-1). Default: ``"dynamodb"``.
    :param removal_policy: what ``cdk destroy`` does with the table, or with the replication
        group and what a kept one needs (its AUTH secret, subnet group and security group).
        ``SNAPSHOT`` (caches only) takes a final snapshot and deletes the rest; ``DESTROY``
        leaves nothing. Default: ``RETAIN``.
    :param encryption_key: a customer managed KMS key for the data at rest (the table, or the
        cache and its AUTH secret); grants to it are ``grant_read_write``'s. Default: None (the
        table: the AWS managed key ``aws/dynamodb``, whose use CloudTrail records, like every
        table of the collection; the cache: an AWS owned key; the secret:
        ``aws/secretsmanager``).

    DynamoDB (refused with a cache engine). On-demand billing always: a session table is idle
    most of the day and on-demand bills only requests, so idle costs nothing.

    :param partition_key: the key attribute, a string: the session id the cookie carries.
        Default: ``"session_id"``.
    :param ttl_attribute: the attribute the application writes each session's expiry into, as
        epoch seconds (a Number). DynamoDB deletes expired items within a few days at no cost;
        a read must still treat an item past its expiry as gone. Default: ``"expires_at"``.
    :param point_in_time_recovery: continuous backups, restorable to any second of the last 35
        days. Default: True.

    ElastiCache (required or refused with ``engine="dynamodb"``):

    :param vpc: the VPC of the cache (an ``ec2.IVpc``); required.
    :param subnets: the cache's subnets, in two AZs or more when ``replicas`` >= 1; it needs no
        route out. Default: the VPC's isolated subnets.
    :param node_type: the nodes' type. Default: ``cache.t4g.micro``.
    :param replicas: read replicas of the primary, 0 to 5; 1 or more gives Multi-AZ with
        automatic failover (a replica in another AZ is promoted, the endpoint stays). Default: 1.
    :param engine_version: the engine version (Valkey 7.2 or later, Redis OSS 7.0 or later: the
        versions that can require TLS). Default: ``"8.2"`` for Valkey, ``"7.1"`` for Redis OSS.
    :param port: the port clients connect to. Default: 6379.
    :param snapshot_retention_days: days of daily automatic snapshots kept, 0 (none) to 35.
        Default: 1.
    :param allow_from: what may connect on ``port`` (web tier instances, functions: anything
        ``ec2.IConnectable``), an ingress rule for each; more with ``connections``. Default: none.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        engine: Engine = "dynamodb",
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        encryption_key: kms.IKey | None = None,
        partition_key: str | None = None,
        ttl_attribute: str | None = None,
        point_in_time_recovery: bool | None = None,
        vpc: ec2.IVpc | None = None,
        subnets: ec2.SubnetSelection | None = None,
        node_type: str | None = None,
        replicas: int | None = None,
        engine_version: str | None = None,
        port: int | None = None,
        snapshot_retention_days: int | None = None,
        allow_from: Sequence[ec2.IConnectable] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        _check_choice("engine", engine, _ENGINES)
        on_table = engine == "dynamodb"
        for name, value in (
            ("partition_key", partition_key),
            ("ttl_attribute", ttl_attribute),
            ("point_in_time_recovery", point_in_time_recovery),
        ):
            _only_with(name, value, on_table, 'engine="dynamodb"')
        for name, value in (
            ("vpc", vpc),
            ("subnets", subnets),
            ("node_type", node_type),
            ("replicas", replicas),
            ("engine_version", engine_version),
            ("port", port),
            ("snapshot_retention_days", snapshot_retention_days),
            ("allow_from", None if _empty(allow_from) else allow_from),
        ):
            _only_with(name, value, not on_table, 'engine="valkey" or engine="redis"')
        _check_type("removal_policy", removal_policy, RemovalPolicy, "a RemovalPolicy")
        if encryption_key is not None:
            _check_type("encryption_key", encryption_key, "key_arn", "a kms.IKey or None")

        self.engine = engine
        self.table: dynamodb.Table | None = None
        self.partition_key: str | None = None
        self.ttl_attribute: str | None = None
        self.replication_group: elasticache.CfnReplicationGroup | None = None
        self.subnet_group: elasticache.CfnSubnetGroup | None = None
        self.security_group: ec2.SecurityGroup | None = None
        self.auth_secret: secretsmanager.ISecret | None = None
        self.connections: ec2.Connections | None = None
        self.endpoint_address: str | None = None
        self.port: int | None = None
        self._encryption_key = encryption_key

        if on_table:
            table = {
                "partition_key": _or(partition_key, DEFAULT_PARTITION_KEY),
                "ttl_attribute": _or(ttl_attribute, DEFAULT_TTL_ATTRIBUTE),
                "point_in_time_recovery": _or(point_in_time_recovery, True),
            }
            self._check_table(removal_policy, **table)
            self._add_table(removal_policy=removal_policy, **table)
            return
        settings = {
            "engine": engine,
            "node_type": _or(node_type, DEFAULT_NODE_TYPE),
            "replicas": _or(replicas, 1),
            "engine_version": _or(engine_version, DEFAULT_ENGINE_VERSIONS[engine]),
            "port": _or(port, DEFAULT_PORT),
            "snapshot_retention_days": _or(snapshot_retention_days, 1),
        }
        self._check_cache(**settings, allow_from=allow_from)
        subnet_ids = self._cache_subnets(vpc, subnets, settings["replicas"])
        self._add_cache(
            **settings,
            vpc=vpc,
            subnet_ids=subnet_ids,
            allow_from=list(allow_from),
            removal_policy=removal_policy,
        )

    # -- validation -----------------------------------------------------------------------------

    @staticmethod
    def _check_table(
        removal_policy: RemovalPolicy,
        *,
        partition_key: object,
        ttl_attribute: object,
        point_in_time_recovery: object,
    ) -> None:
        if removal_policy == RemovalPolicy.SNAPSHOT:
            raise ValueError(
                'removal_policy is SNAPSHOT; allowed for engine="dynamodb": RETAIN, '
                "RETAIN_ON_UPDATE_OR_DELETE or DESTROY (a table has no deletion snapshot; "
                "point-in-time recovery keeps its backups)"
            )
        allowed = "an attribute name, 1 to 255 characters"
        _check_text("partition_key", partition_key, _ATTRIBUTE_NAME, allowed)
        _check_text("ttl_attribute", ttl_attribute, _ATTRIBUTE_NAME, allowed)
        if partition_key == ttl_attribute and not Token.is_unresolved(partition_key):
            raise ValueError(
                f"ttl_attribute is {ttl_attribute!r}; allowed: another attribute than "
                "partition_key (the key is the session id, a string; the expiry is a number)"
            )
        _check_flag("point_in_time_recovery", point_in_time_recovery)

    @staticmethod
    def _check_cache(
        *,
        engine: str,
        node_type: object,
        replicas: object,
        engine_version: object,
        port: object,
        snapshot_retention_days: object,
        allow_from: object,
    ) -> None:
        _check_text(
            "node_type",
            node_type,
            _NODE_TYPE,
            "an ElastiCache node type such as 'cache.t4g.micro' or 'cache.r7g.large'",
        )
        if Token.is_unresolved(replicas) and not isinstance(replicas, bool):
            raise ValueError(
                "replicas is a deploy-time token; allowed: a whole number known at synthesis "
                "(it decides Multi-AZ and automatic failover)"
            )
        _check_int("replicas", replicas, *_REPLICAS)
        _check_engine_version(engine, engine_version)
        _check_int("port", port, *_PORTS)
        _check_int("snapshot_retention_days", snapshot_retention_days, *_SNAPSHOT_DAYS, " days")
        if isinstance(allow_from, str) or not isinstance(allow_from, (list, tuple)):
            raise ValueError(f"allow_from is {allow_from!r}; allowed: a list of ec2.IConnectable")
        for peer in allow_from:
            _check_type("allow_from", peer, "connections", "ec2.IConnectable items")

    @staticmethod
    def _cache_subnets(vpc: object, subnets: object, replicas: int) -> list[str]:
        """The selected subnets' ids; Multi-AZ needs them in two AZs at least."""
        if vpc is None:
            raise ValueError(
                'vpc is None; allowed: an ec2.IVpc (engine="valkey" or "redis" needs one)'
            )
        _check_type("vpc", vpc, "vpc_id", "an ec2.IVpc")
        if subnets is not None:
            _check_type("subnets", subnets, ec2.SubnetSelection, "an ec2.SubnetSelection")
        selection = subnets or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        try:
            selected = vpc.select_subnets(**_selection_kwargs(selection))
        except RuntimeError as error:  # jsii raises aws-cdk-lib's error as a RuntimeError
            raise ValueError(
                f"subnets selects nothing in this VPC ({error}); allowed: a selection of its "
                "subnets (default: its isolated subnets)"
            ) from None
        if not selected.subnet_ids:
            raise ValueError("subnets selects no subnet; allowed: one subnet or more")
        zones = {zone for zone in selected.availability_zones if not Token.is_unresolved(zone)}
        if replicas >= 1 and len(zones) == 1 and len(selected.availability_zones) == len(zones):
            raise ValueError(
                f"subnets are all in {zones.pop()}; allowed with replicas={replicas}: subnets in "
                "two AZs or more (Multi-AZ puts a replica in another AZ), or replicas=0"
            )
        return list(selected.subnet_ids)

    # -- DynamoDB -------------------------------------------------------------------------------

    def _add_table(
        self,
        *,
        removal_policy: RemovalPolicy,
        partition_key: str,
        ttl_attribute: str,
        point_in_time_recovery: bool,
    ) -> None:
        key = self._encryption_key
        self.partition_key = partition_key
        self.ttl_attribute = ttl_attribute
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(
                name=partition_key, type=dynamodb.AttributeType.STRING
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=ttl_attribute,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=point_in_time_recovery
            ),
            encryption=(
                dynamodb.TableEncryption.CUSTOMER_MANAGED
                if key is not None
                else dynamodb.TableEncryption.AWS_MANAGED
            ),
            encryption_key=key,
            removal_policy=removal_policy,
        )
        if not point_in_time_recovery:
            Validations.of(self.table).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-DDB3",
                    reason="Point-in-time recovery was turned off (point_in_time_recovery="
                    "False): sessions live minutes to hours and a lost one costs a sign-in, "
                    "not data, so continuous backups of them are not worth their per-GB price.",
                )
            )

    # -- ElastiCache ----------------------------------------------------------------------------

    def _add_cache(
        self,
        *,
        engine: str,
        node_type: str,
        replicas: int,
        engine_version: str,
        port: int,
        snapshot_retention_days: int,
        vpc: ec2.IVpc,
        subnet_ids: list[str],
        allow_from: list[ec2.IConnectable],
        removal_policy: RemovalPolicy,
    ) -> None:
        # What the cache needs while it exists is kept with it; a deleted cache needs nothing.
        kept = removal_policy if removal_policy in _KEEPING else RemovalPolicy.DESTROY
        self.port = port
        self.subnet_group = elasticache.CfnSubnetGroup(
            self,
            "SubnetGroup",
            description="Session cache: its subnets",
            subnet_ids=subnet_ids,
        )
        self.subnet_group.apply_removal_policy(kept)
        self.security_group = self._cache_security_group(vpc, port, allow_from, kept)
        self.auth_secret = self._auth_secret(engine, kept)
        self.replication_group = elasticache.CfnReplicationGroup(
            self,
            "ReplicationGroup",
            replication_group_description="Session store: user sessions off the web instances",
            engine=engine,
            engine_version=engine_version,
            cache_node_type=node_type,
            num_cache_clusters=replicas + 1,
            multi_az_enabled=replicas >= 1,
            automatic_failover_enabled=replicas >= 1,
            port=port,
            cache_subnet_group_name=self.subnet_group.ref,
            security_group_ids=[self.security_group.security_group_id],
            at_rest_encryption_enabled=True,
            kms_key_id=self._encryption_key.key_arn if self._encryption_key else None,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            # A dynamic reference: CloudFormation resolves it, the template never holds it.
            auth_token=self.auth_secret.secret_value.unsafe_unwrap(),
            snapshot_retention_limit=snapshot_retention_days,
            auto_minor_version_upgrade=True,
        )
        self.replication_group.apply_removal_policy(removal_policy)
        self.endpoint_address = self.replication_group.attr_primary_end_point_address
        self._acknowledge_cache(engine, replicas, port)

    def _cache_security_group(
        self,
        vpc: ec2.IVpc,
        port: int,
        allow_from: list[ec2.IConnectable],
        removal_policy: RemovalPolicy,
    ) -> ec2.SecurityGroup:
        """The cache's group: ``port`` from ``allow_from`` only, nothing out (a cache never
        opens a connection; aws-cdk-lib writes its placeholder rule so EC2 adds no allow-all)."""
        group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=f"Session cache: port {port} from its clients only; nothing out",
            allow_all_outbound=False,
        )
        group.apply_removal_policy(removal_policy)
        self.connections = ec2.Connections(security_groups=[group], default_port=ec2.Port.tcp(port))
        for peer in allow_from:
            self.connections.allow_default_port_from(peer, "Session store client")
        return group

    def _auth_secret(self, engine: str, removal_policy: RemovalPolicy) -> secretsmanager.Secret:
        """The AUTH token: letters and digits only (AUTH refuses most punctuation), 64 long."""
        secret = secretsmanager.Secret(
            self,
            "AuthToken",
            description=f"AUTH token of the session store's {engine} cache",
            encryption_key=self._encryption_key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                exclude_punctuation=True,
                include_space=False,
                password_length=_AUTH_TOKEN_LENGTH,
            ),
            removal_policy=removal_policy,
        )
        Validations.of(secret).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason="Secrets Manager has no rotation function for ElastiCache AUTH tokens: "
                "rotating one is ModifyReplicationGroup with AuthTokenUpdateStrategy ROTATE, "
                "every client reloading it, then SET. The token never appears in the template "
                "(a dynamic reference) and the cache is reachable over TLS from its clients only.",
            )
        )
        return secret

    def _acknowledge_cache(self, engine: str, replicas: int, port: object) -> None:
        acknowledgments = []
        if replicas == 0:
            acknowledgments.append(
                Acknowledgment(
                    id="AwsSolutions-AEC4",
                    reason="replicas=0 was chosen: one node, the cheapest cache; when it fails "
                    "its sessions are lost and users sign in again (the notes' stickiness "
                    "problem). replicas=1 or more gives Multi-AZ with automatic failover.",
                )
            )
        if port == DEFAULT_PORT:
            acknowledgments.append(
                Acknowledgment(
                    id="AwsSolutions-AEC5",
                    reason=f"{port} is the port {engine} clients expect. Moving it only hides "
                    "the cache from scans it cannot be reached by anyway: it has no public "
                    "address, admits its clients' security groups alone, requires TLS and an "
                    "AUTH token. Pass port= to move it.",
                )
            )
        if acknowledgments:
            Validations.of(self.replication_group).acknowledge(*acknowledgments)

    # -- grants ---------------------------------------------------------------------------------

    def grant_read_write(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read and write sessions: the table's item actions by key (and its
        customer managed key, through DynamoDB only), or reading the cache's AUTH token."""
        if self.auth_secret is not None:
            return self.auth_secret.grant_read(grantee)
        grant = self.table.grant(grantee, *SESSION_ITEM_ACTIONS)
        key = self._encryption_key
        if key is not None:
            grant = grant.combine(
                iam.Grant.add_to_principal(
                    grantee=grantee,
                    actions=list(_TABLE_KEY_ACTIONS),
                    resource_arns=[key.key_arn],
                    conditions={
                        "StringEquals": {"kms:ViaService": f"dynamodb.{Aws.REGION}.amazonaws.com"}
                    },
                )
            )
        return grant


def _check_engine_version(engine: str, version: object) -> None:
    """major.minor (or major.minor.patch), at least the version that can require TLS."""
    low = _MIN_ENGINE_VERSIONS[engine]
    example = DEFAULT_ENGINE_VERSIONS[engine]
    allowed = f"{engine} {low[0]}.{low[1]} or later, written like {example!r}"
    _check_text("engine_version", version, r"[0-9]+\.[0-9]+(\.[0-9]+)?", allowed)
    if Token.is_unresolved(version):
        return
    major, minor = (int(part) for part in version.split(".")[:2])
    if (major, minor) < low:
        raise ValueError(f"engine_version is {version!r}; allowed: {allowed}")
