"""What the versioned architectures (WhatIsTheTime, MyClothes) share: a version of the notes,
the check of a version number, its Fix/Problem outputs, and one stack per version."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aws_cdk import CfnOutput, Stack


@dataclass(frozen=True)
class Version:
    """One version of the notes: what it changes, and the problem it leaves."""

    number: int
    fix: str
    problem: str


def versions(*listed: Version) -> dict[int, Version]:
    """``{number: version}``, numbered 1, 2, ... in order (a gap or a repeat is a typo)."""
    numbers = [version.number for version in listed]
    if numbers != list(range(1, len(listed) + 1)):
        raise ValueError(f"versions are numbered {numbers}; allowed: 1 to {len(listed)} in order")
    return {version.number: version for version in listed}


def pick_version(number: object, known: Mapping[int, Version]) -> Version:
    """``known[number]``; a ValueError naming the allowed numbers otherwise."""
    if isinstance(number, bool) or number not in known:
        raise ValueError(f"version is {number!r}; allowed: {', '.join(map(str, known))}")
    return known[number]  # type: ignore[index]


def add_version_outputs(stack: Stack, version: Version) -> None:
    """What this version changes and what it leaves: the notes' lesson, in `cdk deploy`'s
    output beside the URL to try it."""
    CfnOutput(stack, "Fix", description="What this version changes", value=version.fix)
    CfnOutput(stack, "Problem", description="What it leaves", value=version.problem)


def add_version_stacks(
    known: Mapping[int, Version],
    make: Callable[[int, Version], Stack],
) -> dict[str, Stack]:
    """One stack per version, ``make(number, version)``, by construct id."""
    stacks: dict[str, Stack] = {}
    for number, version in known.items():
        stack = make(number, version)
        stacks[stack.node.id] = stack
    return stacks
