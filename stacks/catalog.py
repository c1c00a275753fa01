"""Every architecture's stacks, composed for one profile, with the cdk-nag gate on the app.

Context keys read here: ``profile`` (stacks/profiles.py), ``arch`` (which architectures, by the
name of their docs page; all by default), ``network`` (``own``: each architecture builds
its own VPC, the default; ``shared``: one Network stack per region that the others join) and
``lease_hours`` (stacks/leases.py: when sandbox stacks delete themselves).
Each architecture's stack module is imported only when that architecture is built, so
``-c arch=network`` pays for no other architecture's aws-cdk-lib modules.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aws_cdk import App, Environment, Stack, Stage, Validations
from constructs import Construct

from stacks import names
from stacks.leases import add_leases, lease_hours_from_context, lease_plan
from stacks.profiles import Profile, profile_from_context

if TYPE_CHECKING:
    from stacks.network_stack import NetworkStack
    from stacks.shared_network import NetworkAttachment

# The documentation placeholder account: synth needs no credentials and stays deterministic.
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
ARCH_CONTEXT_KEY = "arch"
NETWORK_CONTEXT_KEY = "network"
NETWORK_MODES = ("own", "shared")
NETWORK_STACK = names.NETWORK


def default_environment() -> Environment:
    """The CLI's account and region when it provides them, else the placeholders."""
    return Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT", DEFAULT_ACCOUNT),
        region=os.environ.get("CDK_DEFAULT_REGION", DEFAULT_REGION),
    )


@dataclass
class Composition:
    """One ``add_stacks`` call: where the stacks go, and the shared networks made so far."""

    scope: Construct
    profile: Profile
    env: Environment | None
    prefix: str
    shared_network: bool
    stacks: dict[str, Stack] = field(default_factory=dict)
    networks: dict[str, NetworkStack] = field(default_factory=dict)

    @property
    def region(self) -> str | None:
        return self.env.region if self.env else getattr(self.scope, "region", None)

    def network_stack(self, region: str | None = None) -> NetworkStack:
        """The Network stack of ``region`` (this composition's own region by default)."""
        from stacks.network_stack import NetworkStack
        from stacks.shared_network import region_vpc_cidr

        region = region or self.region
        if region not in self.networks:
            suffix = "" if region == self.region else f"-{region}"
            env = Environment(account=self.env.account if self.env else None, region=region)
            # the home region's range first, then one range per further region, in the order
            # they are asked for: regions never overlap (stacks.shared_network.region_vpc_cidr)
            index = len([r for r in self.networks if r != self.region]) + 1 if suffix else 0
            stack = NetworkStack(
                self.scope,
                f"{self.prefix}{NETWORK_STACK}{suffix}",
                profile=self.profile,
                vpc_cidr=region_vpc_cidr(index),
                env=env if suffix or self.env else None,
                description=f"Three-tier VPC with bastion host and NAT ({self.profile.name} "
                "profile)",
            )
            self.networks[region] = stack
            self.stacks[stack.node.id] = stack
        return self.networks[region]

    def network_for(self, region: str | None = None) -> NetworkAttachment | None:
        """A shared network to join with ``-c network=shared``; None: build your own."""
        if not self.shared_network:
            return None
        from stacks.shared_network import NetworkAttachment

        return NetworkAttachment.of(self.network_stack(region).network)

    def add(self, stack: Stack) -> None:
        self.stacks[stack.node.id] = stack


def _network(c: Composition) -> None:
    c.network_stack()


def _web_tier(c: Composition) -> None:
    from stacks.web_tier_stack import WebTierStack

    c.add(
        WebTierStack(
            c.scope,
            f"{c.prefix}{names.WEB_TIER}",
            profile=c.profile,
            network=c.network_for(),
            env=c.env,
            description=f"Web tier: ALB + Auto Scaling group in a three-tier VPC "
            f"({c.profile.name} profile)",
        )
    )


def _serverless_api(c: Composition) -> None:
    from stacks.serverless_api_stack import ServerlessApiStack

    c.add(
        ServerlessApiStack(
            c.scope,
            f"{c.prefix}{names.SERVERLESS_API}",
            profile=c.profile,
            env=c.env,
            description=f"Serverless CRUD API: API Gateway + Lambda + DynamoDB "
            f"({c.profile.name} profile)",
        )
    )


def _static_site(c: Composition) -> None:
    from stacks.static_site_stack import StaticSiteStack

    for name, access, wording in (
        (names.STATIC_SITE, "oai", "an origin access identity"),
        (names.STATIC_SITE_OAC, "oac", "an origin access control"),
    ):
        c.add(
            StaticSiteStack(
                c.scope,
                f"{c.prefix}{name}",
                profile=c.profile,
                origin_access=access,
                env=c.env,
                description=f"Static site: private S3 + CloudFront with {wording} "
                f"({c.profile.name} profile)",
            )
        )


def _aurora_global(c: Composition) -> None:
    from stacks.aurora_global_stack import add_aurora_global_stacks

    # One stack per region: AuroraGlobalPrimary and AuroraGlobalSecondary-<region>.
    account = c.env.account if c.env else None
    stacks = add_aurora_global_stacks(
        c.scope,
        profile=c.profile,
        account=account,
        prefix=c.prefix,
        network_for=c.network_for,
    )
    for stack in stacks.values():
        c.add(stack)


def _stacks_from(module: str, function: str) -> Callable[[Composition], None]:
    """How to add an architecture whose stack module has ``function(scope, *, profile, env,
    prefix, network_for) -> {id: stack}``; the module is imported only when it is built."""

    def add(c: Composition) -> None:
        from importlib import import_module

        build = getattr(import_module(f"stacks.{module}"), function)
        stacks = build(
            c.scope, profile=c.profile, env=c.env, prefix=c.prefix, network_for=c.network_for
        )
        for stack in stacks.values():
            c.add(stack)

    return add


# QueueWorker (standard queue) and QueueWorkerFifo (FIFO queue).
_queue_worker = _stacks_from("queue_worker_stack", "add_queue_worker_stacks")
_fan_out = _stacks_from("fan_out_stack", "add_fan_out_stacks")
_streaming_ingestion = _stacks_from("streaming_ingestion_stack", "add_streaming_ingestion_stacks")
# DataProtectionReplica-<region> first, then DataProtection (it replicates into the replica).
_data_protection = _stacks_from("data_protection_stack", "add_data_protection_stacks")
# WhatIsTheTimeV1 ... V7 and MyClothesV1 ... V5: one stack per version of the notes.
_what_is_the_time = _stacks_from("what_is_the_time_stack", "add_what_is_the_time_stacks")
_my_clothes = _stacks_from("my_clothes_stack", "add_my_clothes_stacks")
_my_word_press = _stacks_from("my_word_press_stack", "add_my_word_press_stacks")


@dataclass(frozen=True)
class Architecture:
    """An architecture: its docs page name, its stacks' names, and how to add them."""

    name: str
    stack_names: tuple[str, ...]
    add: Callable[[Composition], None]
    stack_prefixes: tuple[str, ...] = ()
    # Its sandbox stacks idle above stacks.leases.LEASE_THRESHOLD_USD a month (tests check this
    # against tools.cost), so they get a lease by default: all of them (True), or those named.
    idles_above_lease_threshold: bool | tuple[str, ...] = False

    def owns(self, stack_name: str) -> bool:
        return stack_name in self.stack_names or stack_name.startswith(self.stack_prefixes)

    def leased_by_default(self, stack_name: str) -> bool:
        """Whether the sandbox stack ``stack_name`` (without a prefix) gets a lease by default."""
        flag = self.idles_above_lease_threshold
        return flag if isinstance(flag, bool) else stack_name in flag


# In study order; each name is its page under docs/ and its `-c arch=<name>`.
ARCHITECTURES: dict[str, Architecture] = {
    arch.name: arch
    for arch in (
        Architecture("network", (names.NETWORK,), _network, idles_above_lease_threshold=True),
        Architecture("web-tier", (names.WEB_TIER,), _web_tier, idles_above_lease_threshold=True),
        Architecture("serverless-api", (names.SERVERLESS_API,), _serverless_api),
        Architecture("static-site", (names.STATIC_SITE, names.STATIC_SITE_OAC), _static_site),
        Architecture(
            "aurora-global",
            (names.AURORA_PRIMARY,),
            _aurora_global,
            (names.AURORA_SECONDARY_PREFIX,),
            idles_above_lease_threshold=True,
        ),
        Architecture("queue-worker", (names.QUEUE_WORKER, names.QUEUE_WORKER_FIFO), _queue_worker),
        Architecture("fan-out", (names.FAN_OUT,), _fan_out),
        Architecture(
            "streaming-ingestion",
            (names.STREAMING_INGESTION,),
            _streaming_ingestion,
            idles_above_lease_threshold=True,
        ),
        Architecture(
            "data-protection",
            (names.DATA_PROTECTION,),
            _data_protection,
            (names.DATA_PROTECTION_REPLICA_PREFIX,),
        ),
        Architecture(
            "what-is-the-time",
            names.WHAT_IS_THE_TIME,
            _what_is_the_time,
            # v1 alone idles under $10: one t4g.nano and its Elastic IP.
            idles_above_lease_threshold=names.WHAT_IS_THE_TIME[1:],
        ),
        Architecture("my-clothes", names.MY_CLOTHES, _my_clothes, idles_above_lease_threshold=True),
        Architecture(
            "my-word-press",
            (names.MY_WORD_PRESS,),
            _my_word_press,
            idles_above_lease_threshold=True,
        ),
    )
}


def architecture_of(stack_name: str) -> str:
    """The architecture a stack belongs to (a shared network's stacks: ``network``)."""
    for arch in ARCHITECTURES.values():
        if arch.owns(stack_name):
            return arch.name
    if stack_name.startswith(f"{NETWORK_STACK}-"):
        return "network"
    raise KeyError(f"no architecture has a stack named {stack_name!r}")


def architectures_from_context(scope: Construct) -> list[str]:
    """``-c arch=web-tier`` (or a comma-separated list, or ``all``); every one by default."""
    raw = scope.node.try_get_context(ARCH_CONTEXT_KEY)
    if raw is None or raw == "all":
        return list(ARCHITECTURES)
    names = raw if isinstance(raw, list) else str(raw).split(",")
    names = [str(name).strip() for name in names if str(name).strip()]
    unknown = [name for name in names if name not in ARCHITECTURES]
    if unknown or not names:
        raise ValueError(
            f"unknown architecture {', '.join(map(repr, unknown)) or repr(raw)} in "
            f"`-c {ARCH_CONTEXT_KEY}=...`; allowed: {', '.join(ARCHITECTURES)}, all "
            "(comma-separated for several)"
        )
    return [name for name in ARCHITECTURES if name in names]


def network_mode_from_context(scope: Construct) -> str:
    mode = str(scope.node.try_get_context(NETWORK_CONTEXT_KEY) or "own")
    if mode not in NETWORK_MODES:
        raise ValueError(
            f"network is {mode!r} in `-c {NETWORK_CONTEXT_KEY}=...`; allowed: "
            f"{', '.join(NETWORK_MODES)} (own: a VPC per architecture; shared: one per region)"
        )
    return mode


def add_stacks(
    scope: App | Stage,
    *,
    env: Environment | None = None,
    nag: bool = True,
    prefix: str = "",
) -> dict[str, Stack]:
    """Add the architectures chosen by context to ``scope``, for the profile it chooses.

    ``scope`` is the App, or a Stage (a CDK Pipelines stage: its account and region apply
    unless ``env`` is given); ``prefix`` goes before every stack id, so several copies of
    the collection can live in one app. With ``nag`` (the default, as in ``cdk synth``),
    cdk-nag's AwsSolutions pack runs as a validation plugin: an unacknowledged finding fails
    synthesis. Returns the stacks by construct id.
    """
    profile: Profile = profile_from_context(scope.node)
    names = architectures_from_context(scope)
    shared = network_mode_from_context(scope) == "shared"
    lease_hours = lease_hours_from_context(scope.node, profile)
    if env is None and isinstance(scope, App):
        env = default_environment()
    composition = Composition(scope, profile, env, prefix, shared)
    for name in names:
        ARCHITECTURES[name].add(composition)
    plan = lease_plan(
        composition.stacks,
        hours=lease_hours,
        profile=profile,
        leased_by_default=lambda stack_id: ARCHITECTURES[
            architecture_of(stack_id.removeprefix(prefix))
        ].leased_by_default(stack_id.removeprefix(prefix)),
    )
    add_leases(composition.stacks, plan)
    if nag:
        add_nag(scope)
    return composition.stacks


def add_nag(scope: Construct) -> None:
    """Run cdk-nag's AwsSolutions pack on every stack under ``scope`` as a validation plugin."""
    from cdk_nag import AwsSolutionsChecks

    Validations.of(scope).add_plugins(AwsSolutionsChecks(scope))
