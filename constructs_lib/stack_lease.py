"""A lease on a stack: a one-time EventBridge Scheduler schedule that deletes the stack later.

Copy this file alone into any CDK v2 Python project: it imports only the standard library,
``aws_cdk`` and ``constructs``.

A sandbox that is forgotten keeps billing: a NAT gateway left for a month costs more than the
study it served. ``StackLease`` puts in a stack an ``AWS::Scheduler::Schedule`` that fires once,
at a fixed time, and calls CloudFormation's ``DeleteStack`` on that very stack (its
``AWS::StackId``) through Scheduler's universal target, passing the role CloudFormation deletes
with: by default the CDK bootstrap's CloudFormation execution role, the one that deployed it.
The schedule's own role may do two things only: delete this stack, and hand that one role to
CloudFormation.

The time is fixed when the template is synthesized. ``cdk deploy`` synthesizes first, so the
lease counts from the deployment, and deploying again renews it. When ``SOURCE_DATE_EPOCH`` (the
reproducible-builds convention) is set, it replaces the clock, so a template can be rebuilt byte
for byte.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime, timedelta

from aws_cdk import Aws, Fn, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

# A year: a lease is a safety net for forgotten stacks, not a retention policy.
MAX_LEASE_HOURS = 8760
DELETE_STACK_TARGET = "aws-sdk:cloudformation:deleteStack"

# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
# pieces: _check_int


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


# END VENDORED


def lease_clock() -> datetime:
    """Now, or ``$SOURCE_DATE_EPOCH`` when set (seconds since 1970, UTC) for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        if not epoch.isdigit():
            raise ValueError(
                f"SOURCE_DATE_EPOCH is {epoch!r}; allowed: whole seconds since 1970-01-01 UTC"
            )
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def lease_end(starts_at: datetime, hours: int) -> datetime:
    """``hours`` after ``starts_at``, rounded up to the minute (Scheduler's ``at()`` precision)."""
    end = starts_at.astimezone(UTC) + timedelta(hours=hours)
    minutes = math.ceil(end.timestamp() / 60)
    return datetime.fromtimestamp(minutes * 60, UTC)


def _cloudformation_execution_role_arn(stack: Stack) -> str:
    """The bootstrap role the stack's DefaultStackSynthesizer deploys with, as a template value."""
    arn = getattr(stack.synthesizer, "cloud_formation_execution_role_arn", None)
    if not isinstance(arn, str):
        raise ValueError(
            f"deletion_role is None and stack {stack.node.path!r} uses "
            f"{type(stack.synthesizer).__name__}, which names no CloudFormation execution role; "
            "allowed: pass deletion_role (a role CloudFormation can assume to delete the stack)"
        )
    # The synthesizer leaves ${AWS::Partition} (and, for an agnostic stack, the account and
    # region) as placeholders for CloudFormation to fill.
    return Fn.sub(arn) if "${" in arn else arn


class StackLease(Construct):
    """Deletes the stack it is in, once, ``hours`` after the template is synthesized.

    Attributes: ``expires_at`` (a timezone-aware UTC ``datetime``), ``schedule``
    (``CfnSchedule``), ``role`` (the schedule's role), ``deletion_role_arn``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        hours: int,
        starts_at: datetime | None = None,
        deletion_role: iam.IRole | None = None,
    ) -> None:
        """Schedule the deletion of this construct's stack.

        :param hours: whole hours from ``starts_at`` to the deletion, 1 to 8760 (a year).
        :param starts_at: when the lease starts, timezone-aware. Default: now at synthesis, or
            ``$SOURCE_DATE_EPOCH`` when set.
        :param deletion_role: the role CloudFormation deletes the stack with; the schedule may pass
            only this role, only to CloudFormation. Default: the CDK bootstrap's CloudFormation
            execution role named by the stack's ``DefaultStackSynthesizer`` (the role that
            deployed the stack); another synthesizer needs an explicit role.
        """
        super().__init__(scope, construct_id)
        _check_int("hours", hours, 1, MAX_LEASE_HOURS, " whole hours")
        if Token.is_unresolved(hours):
            raise ValueError("hours is a token; allowed: a whole number known at synthesis")
        if starts_at is not None and (
            not isinstance(starts_at, datetime) or starts_at.utcoffset() is None
        ):
            raise ValueError(
                f"starts_at is {starts_at!r}; allowed: a timezone-aware datetime, such as "
                "datetime.now(UTC)"
            )
        stack = Stack.of(self)
        self.expires_at = lease_end(starts_at or lease_clock(), hours)
        self.deletion_role_arn = (
            deletion_role.role_arn
            if deletion_role is not None
            else _cloudformation_execution_role_arn(stack)
        )
        self.role = iam.Role(
            self,
            "Role",
            description="Deletes this stack once, when its lease ends (EventBridge Scheduler)",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            ),
        )
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["cloudformation:DeleteStack"], resources=[stack.stack_id])
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.deletion_role_arn],
                conditions={
                    "StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}
                },
            )
        )
        self.schedule = scheduler.CfnSchedule(
            self,
            "Schedule",
            description=f"Lease of {hours} h: deletes this stack at "
            f"{self.expires_at:%Y-%m-%d %H:%M} UTC",
            schedule_expression=f"at({self.expires_at:%Y-%m-%dT%H:%M:%S})",
            schedule_expression_timezone="UTC",
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            state="ENABLED",
            target=scheduler.CfnSchedule.TargetProperty(
                arn=f"arn:{Aws.PARTITION}:scheduler:::{DELETE_STACK_TARGET}",
                role_arn=self.role.role_arn,
                input=stack.to_json_string(
                    {"StackName": stack.stack_id, "RoleARN": self.deletion_role_arn}
                ),
            ),
        )
        # The role's policy must exist before Scheduler first uses the role (the role itself is
        # ordered by the GetAtt already).
        self.schedule.node.add_dependency(self.role.node.find_child("DefaultPolicy"))


__all__ = ["MAX_LEASE_HOURS", "StackLease", "lease_clock", "lease_end"]
