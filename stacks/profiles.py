"""Deployment profiles: the one place the `profile` context value is read.

sandbox: the cheapest honest version, which `cdk destroy` removes completely.
production: highly available, keeps its data, protected from deletion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Node

CONTEXT_KEY = "profile"
DEFAULT_PROFILE = "sandbox"


T = TypeVar("T")


@dataclass(frozen=True)
class Profile:
    """What every architecture shares per profile; each has its own settings next to its stack."""

    name: str
    max_azs: int
    nat_gateways: int
    removal_policy: RemovalPolicy
    auto_delete_objects: bool
    log_retention: logs.RetentionDays
    deletion_protection: bool

    @property
    def is_production(self) -> bool:
        return self.name == "production"

    def pick(self, settings: Mapping[str, T], architecture: str) -> T:
        """This profile's entry of an architecture's settings table; a clear error if none."""
        try:
            return settings[self.name]
        except KeyError:
            raise ValueError(
                f"no {architecture} settings for profile {self.name!r}; defined for: "
                f"{', '.join(settings)} (add one next to the {architecture} stack)"
            ) from None


PROFILES: dict[str, Profile] = {
    "sandbox": Profile(
        name="sandbox",
        max_azs=2,
        nat_gateways=1,
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=True,
        log_retention=logs.RetentionDays.ONE_WEEK,
        deletion_protection=False,
    ),
    "production": Profile(
        name="production",
        max_azs=3,
        nat_gateways=3,
        removal_policy=RemovalPolicy.RETAIN,
        auto_delete_objects=False,
        log_retention=logs.RetentionDays.ONE_YEAR,
        deletion_protection=True,
    ),
}


def profile_named(name: str) -> Profile:
    """The profile called ``name``; ValueError naming the allowed ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown profile {name!r}; allowed: {', '.join(PROFILES)} "
            f"(choose with `-c {CONTEXT_KEY}=<name>`, default {DEFAULT_PROFILE})"
        ) from None


def profile_from_context(node: Node) -> Profile:
    """The profile chosen with ``-c profile=...`` (sandbox when none is given)."""
    name = node.try_get_context(CONTEXT_KEY) or DEFAULT_PROFILE
    return profile_named(str(name))
