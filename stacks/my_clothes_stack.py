"""MyClothes.com, the notes' stateful web app, as five stacks [004:2401-2430]: each version fixes
the problem the one before it states.

``MyClothesV1`` ... ``MyClothesV5`` are independent deployment units; each builds its own
network, or joins ``-c network=shared``. The notes' own text stops after v2; v3-v5 are what its
outro and the issue's lessons teach: sessions off the instances (DynamoDB with a TTL, the notes'
preferred place [002:2285], or ElastiCache with ``-c session_store=valkey`` [002:3764-3781]),
the users' addresses in a Multi-AZ database with read replicas, and the security groups chained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_cdk import (
    Acknowledgment,
    CfnOutput,
    Duration,
    Environment,
    RemovalPolicy,
    Stack,
    Validations,
)
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from constructs_lib.relational_database import RelationalDatabase
from constructs_lib.session_store import SessionStore
from constructs_lib.web_tier import WebTier
from stacks import names
from stacks.certificate import certificate_arn_for
from stacks.classic_apps.user_data import shop_user_data
from stacks.database_outputs import add_database_client_outputs
from stacks.profiles import Profile
from stacks.shared_network import NetworkAttachment, profile_network
from stacks.versions import (
    Version,
    add_version_outputs,
    add_version_stacks,
    pick_version,
    versions,
)

SESSION_STORE_CONTEXT_KEY = "session_store"
SESSION_STORES = ("dynamodb", "valkey")
# How long a cart lives: the TTL the app writes, and v2's stickiness cookie [002:2275-2280].
SESSION_LIFETIME = Duration.days(1)


VERSIONS = versions(
    Version(
        1,
        "a multi-AZ Auto Scaling group behind a load balancer, the cart on the instance",
        "the load balancer sends each request anywhere: the cart is lost",
    ),
    Version(
        2,
        "load balancer stickiness: the AWSALB cookie pins a user to one instance",
        "the cart dies with its instance, and stickiness skews the load",
    ),
    Version(
        3,
        "the session off the instances: a DynamoDB table whose TTL expires old carts",
        "users' addresses need a database that survives an AZ and scales reads",
    ),
    Version(
        4,
        "the addresses in a Multi-AZ database with read replicas",
        "the database admits the whole VPC range, not just the application tier",
    ),
    Version(
        5,
        "security groups chained: internet -> load balancer -> instances -> session store "
        "and database, each admitting only the group before it",
        "none the notes state",
    ),
)


@dataclass(frozen=True)
class MyClothesSettings:
    """What the versions change per profile."""

    instance_type: str
    min_capacity: int
    max_capacity: int
    # v4/v5's database: Aurora PostgreSQL Serverless v2 (its ACU range) with readers.
    database_min_acu: float
    database_max_acu: float
    database_multi_az: bool
    database_read_replicas: int
    https_only: bool
    access_logs: bool
    # What deleting the stack does to the database (and a session cache): a final snapshot in
    # production (a retained cluster would keep billing its instances), nothing in the sandbox.
    database_removal_policy: RemovalPolicy


# Sandbox: one instance per AZ over two AZs, a NAT instance, the database pausing at 0 ACU with
# no reader. Production: two at least over three AZs, NAT gateways, a reader in another AZ and
# one more for read scaling, HTTPS only.
SETTINGS = {
    "sandbox": MyClothesSettings(
        "t4g.nano", 2, 4, 0, 2, False, 0, False, False, RemovalPolicy.DESTROY
    ),
    "production": MyClothesSettings(
        "t4g.small", 3, 9, 0.5, 8, True, 1, True, True, RemovalPolicy.SNAPSHOT
    ),
}


def session_store_from_context(scope: Construct) -> str:
    """``-c session_store=dynamodb|valkey`` (DynamoDB by default: the notes' preference)."""
    value = str(scope.node.try_get_context(SESSION_STORE_CONTEXT_KEY) or "dynamodb")
    if value not in SESSION_STORES:
        raise ValueError(
            f"session_store is {value!r} in `-c {SESSION_STORE_CONTEXT_KEY}=...`; allowed: "
            f"{', '.join(SESSION_STORES)}"
        )
    return value


class MyClothesStack(Stack):
    """MyClothes.com ``version`` (1 to 5): the notes' fix, in its own network.

    :param version: which version to build.
    :param session_store: v3 on: ``dynamodb`` or ``valkey``. Default: ``dynamodb``.
    :param network: a network to join (``-c network=shared``). Default: None (its own VPC;
        the sandbox's egress is a NAT instance, for the database client's package and the
        AWS APIs the app calls).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        version: int,
        profile: Profile,
        session_store: str = "dynamodb",
        network: NetworkAttachment | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        if session_store not in SESSION_STORES:
            raise ValueError(
                f"session_store is {session_store!r}; allowed: {', '.join(SESSION_STORES)}"
            )
        self.version = pick_version(version, VERSIONS)
        self.profile = profile
        s = self.settings = profile.pick(SETTINGS, "my-clothes")
        number = version
        nat = {} if profile.is_production else {"nat_type": "instance"}
        self.network = network or NetworkAttachment.of(
            profile_network(self, profile, bastion=False, **nat)
        )
        self.network.join(self)
        self.sessions: SessionStore | None = None
        self.database: RelationalDatabase | None = None
        self.web = WebTier(
            self,
            "Web",
            vpc=self.network.vpc,
            alb_subnets=self.network.public_subnets,
            instance_subnets=self.network.app_subnets,
            instance_security_groups=[self.network.app_security_group],
            instance_type=s.instance_type,
            min_capacity=s.min_capacity,
            max_capacity=s.max_capacity,
            stickiness_duration=SESSION_LIFETIME if number == 2 else None,
            deregistration_delay_seconds=30,
            certificate_arn=certificate_arn_for(self, https_only=s.https_only),
            access_logs=s.access_logs,
            deletion_protection=profile.deletion_protection,
            removal_policy=profile.removal_policy,
            auto_delete_objects=profile.auto_delete_objects,
            user_data=self._user_data(number, session_store),
        )
        self._add_outputs()

    def _admitted(self) -> list[ec2.IConnectable]:
        """Who reaches the session cache and the database: v4 the VPC's whole range (the
        problem it leaves), v5 only the instances' own group (the chain)."""
        if self.version.number >= 5:
            return [self.web.connections]
        return [ec2.Peer.ipv4(self.network.vpc.vpc_cidr_block)]

    def _user_data(self, number: int, session_store: str) -> ec2.UserData:
        """Build the session store and the database this version has, then the app's config."""
        config: dict[str, Any] = {"backend": "memory", "region": self.region}
        if number >= 3:
            config.update(self._session_store(session_store))
        if number >= 4:
            config["database"] = self._database()
        return shop_user_data(session_ttl_seconds=int(SESSION_LIFETIME.to_seconds()), **config)

    def _session_store(self, engine: str) -> dict[str, Any]:
        if engine == "dynamodb":
            # A table has no snapshot policy: production keeps it, the sandbox deletes it.
            common = {"removal_policy": self.profile.removal_policy}
            self.sessions = SessionStore(self, "Sessions", engine="dynamodb", **common)
            return {"backend": "dynamodb", "table_name": self.sessions.table.table_name}
        # The connections are wired after the web tier exists (connect).
        common = {"removal_policy": self.settings.database_removal_policy}
        self.sessions = SessionStore(
            self,
            "Sessions",
            engine="valkey",
            vpc=self.network.vpc,
            subnets=self.network.data_subnets,
            replicas=1 if self.profile.is_production else 0,
            **common,
        )
        return {
            "backend": "valkey",
            "cache_host": self.sessions.endpoint_address,
            "cache_port": self.sessions.port,
            "cache_secret_arn": self.sessions.auth_secret.secret_arn,
        }

    def _database(self) -> dict[str, Any]:
        s = self.settings
        self.database = RelationalDatabase(
            self,
            "Database",
            vpc=self.network.vpc,
            subnets=self.network.data_subnets,
            engine="aurora-postgresql",
            serverless_v2=True,
            min_capacity=s.database_min_acu,
            max_capacity=s.database_max_acu,
            multi_az=s.database_multi_az,
            read_replicas=s.database_read_replicas,
            database_name="shop",
            log_retention=self.profile.log_retention,
            deletion_protection=self.profile.deletion_protection,
            removal_policy=s.database_removal_policy,
        )
        return {
            "host": self.database.endpoint_address,
            "port": self.database.port,
            "name": "shop",
            "secret_arn": self.database.secret.secret_arn,
        }

    def connect(self) -> None:
        """Let the instances reach what this version stores their state in."""
        role = self.web.auto_scaling_group.role
        for store in (self.sessions, self.database):
            if store is None or store.connections is None:
                continue  # DynamoDB: reached through its gateway endpoint, by IAM alone
            for peer in self._admitted():
                store.connections.allow_default_port_from(peer)
            if self.version.number < 5:
                # cdk-nag cannot evaluate a CIDR that is a token (the VPC's CidrBlock).
                Validations.of(store.connections.security_groups[0]).acknowledge(
                    Acknowledgment(
                        id="AwsSolutions-EC23",
                        reason="MyClothes v3/v4 on purpose: the store admits the VPC's own private "
                        "range (a reference to the VPC's CidrBlock, never the internet) on its "
                        "port; v5 replaces it with the instances' security group alone.",
                    )
                )
        if self.sessions is not None:
            self.sessions.grant_read_write(role)
        if self.database is not None:
            self.database.secret.grant_read(role)

    def _add_outputs(self) -> None:
        self.connect()
        add_version_outputs(self, self.version)
        CfnOutput(
            self,
            "Url",
            description="Add to the cart, reload: the page names the instance that served it",
            value=self.web.url,
        )
        if self.sessions is not None and self.sessions.table is not None:
            CfnOutput(self, "SessionTableName", value=self.sessions.table.table_name)
        if self.sessions is not None and self.sessions.replication_group is not None:
            CfnOutput(self, "SessionCacheEndpoint", value=self.sessions.endpoint_address)
        if self.database is not None:
            CfnOutput(self, "DatabaseEndpoint", value=self.database.endpoint_address)
            CfnOutput(self, "DatabaseReaderEndpoint", value=self.database.reader_endpoint_address)
            CfnOutput(self, "DatabaseSecretArn", value=self.database.secret.secret_arn)
            add_database_client_outputs(self, self.database, self.web)


def add_my_clothes_stacks(
    scope: Construct,
    *,
    profile: Profile,
    env: Environment | None,
    prefix: str = "",
    network_for: Callable[[str | None], NetworkAttachment | None] = lambda region: None,
) -> dict[str, Stack]:
    """MyClothesV1 ... MyClothesV5, independent of each other."""
    session_store = session_store_from_context(scope)
    return add_version_stacks(
        VERSIONS,
        lambda number, version: MyClothesStack(
            scope,
            f"{prefix}{names.MY_CLOTHES_PREFIX}{number}",
            version=number,
            profile=profile,
            session_store=session_store,
            network=network_for(None),
            env=env,
            description=f"MyClothes.com v{number}: {version.fix} ({profile.name} profile)",
        ),
    )
