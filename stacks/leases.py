"""Stack leases: sandbox stacks that would bill a forgotten month delete themselves after a day.

``-c lease_hours=N`` gives every stack of a sandbox app a lease of N hours (0: none at all).
Without the key, only the stacks of architectures that idle above ``LEASE_THRESHOLD_USD`` a month
get one, of ``DEFAULT_LEASE_HOURS``: the lease caps a forgotten stack's bill at a day of idling.
Production never gets a lease: it keeps its data, and asking for one there is an error.

A stack that others depend on (a shared network, an Aurora primary) is deleted an hour after
the last of its dependents, so CloudFormation never tries to delete a VPC still in use or a
primary that still has secondaries.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping

from aws_cdk import CfnOutput, Stack
from constructs import Node

from constructs_lib.stack_lease import MAX_LEASE_HOURS, StackLease
from stacks.profiles import Profile

CONTEXT_KEY = "lease_hours"
DEFAULT_LEASE_HOURS = 24
LEASE_THRESHOLD_USD = 10
# How long a depended-on stack outlives its dependents, for their deletion to finish.
DEPENDENT_MARGIN_HOURS = 1
OUTPUT_ID = "LeaseDeletesStackAt"


def lease_hours_from_context(node: Node, profile: Profile) -> int | None:
    """The hours of ``-c lease_hours``: None when not given, 0 for no leases; ValueError else."""
    raw = node.try_get_context(CONTEXT_KEY)
    if raw is None:
        return None
    text = str(raw).strip()
    if isinstance(raw, bool) or not re.fullmatch(r"\d+", text) or int(text) > MAX_LEASE_HOURS:
        raise ValueError(
            f"{CONTEXT_KEY} is {raw!r} in `-c {CONTEXT_KEY}=...`; allowed: whole hours, 1 to "
            f"{MAX_LEASE_HOURS}, or 0 for no lease (sandbox default: {DEFAULT_LEASE_HOURS} for "
            f"stacks idling above ${LEASE_THRESHOLD_USD} a month)"
        )
    hours = int(text)
    if hours and profile.is_production:
        raise ValueError(
            f"{CONTEXT_KEY} is {hours} with profile production; allowed: 0 or no key (production "
            "keeps its data and never gets a lease; leases are for the sandbox profile)"
        )
    return hours


def lease_plan(
    stacks: Mapping[str, Stack],
    *,
    hours: int | None,
    profile: Profile,
    leased_by_default: Callable[[str], bool],
) -> dict[str, int]:
    """Stack id -> lease hours, dependents first; empty in production or with ``hours=0``."""
    if profile.is_production or hours == 0:
        return {}
    if hours is None:
        base = {sid: DEFAULT_LEASE_HOURS for sid in stacks if leased_by_default(sid)}
    else:
        base = dict.fromkeys(stacks, hours)
    dependents: dict[str, set[str]] = {sid: set() for sid in base}
    for sid in base:
        for dependency in stacks[sid].dependencies:
            if dependency.node.id in base:
                dependents[dependency.node.id].add(sid)

    @functools.cache  # a stack several others depend on is worked out once
    def lease(sid: str) -> int:
        later = [lease(dependent) + DEPENDENT_MARGIN_HOURS for dependent in dependents[sid]]
        return max([base[sid], *later])

    return {sid: lease(sid) for sid in base}


def add_leases(stacks: Mapping[str, Stack], plan: Mapping[str, int]) -> None:
    """A ``StackLease`` and an output saying when it strikes, in each planned stack."""
    for sid, hours in plan.items():
        stack = stacks[sid]
        lease = StackLease(stack, "Lease", hours=hours)
        CfnOutput(
            stack,
            OUTPUT_ID,
            description=f"When EventBridge Scheduler deletes this stack (a {hours} h sandbox "
            f"lease). Deploy again to renew it, -c {CONTEXT_KEY}=N to change it, "
            f"-c {CONTEXT_KEY}=0 to remove it",
            value=f"{lease.expires_at:%Y-%m-%dT%H:%M:%SZ}",
        )
