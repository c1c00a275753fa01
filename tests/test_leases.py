"""Stack leases: which sandbox stacks delete themselves, when, how, and with what permissions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from aws_cdk import App, LegacyStackSynthesizer, Stack
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from constructs_lib.stack_lease import StackLease, lease_clock, lease_end
from stacks.catalog import ARCHITECTURES, add_stacks, architecture_of
from stacks.leases import (
    DEFAULT_LEASE_HOURS,
    DEPENDENT_MARGIN_HOURS,
    LEASE_THRESHOLD_USD,
    OUTPUT_ID,
)
from tests.conftest import PINNED_ENV, cdk_context
from tests.template_queries import props, ref, resources
from tools.cost import estimate

PINNED_EPOCH = "1767225600"
PINNED_START = datetime.fromtimestamp(int(PINNED_EPOCH), UTC)  # 2026-01-01T00:00:00Z
EXEC_ROLE = {
    "Fn::Sub": "arn:${AWS::Partition}:iam::123456789012:role/"
    "cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1"
}


def _lease_time(template: dict) -> datetime | None:
    schedules = resources(template, "AWS::Scheduler::Schedule")
    if not schedules:
        return None
    ((_, schedule),) = schedules.items()
    expression = props(schedule)["ScheduleExpression"]
    assert expression.startswith("at(") and expression.endswith(")"), expression
    assert props(schedule)["ScheduleExpressionTimezone"] == "UTC"
    return datetime.fromisoformat(expression[3:-1]).replace(tzinfo=UTC)


def _input(schedule: dict) -> dict:
    """The target's Input: a JSON object whose values are template expressions."""
    parts = props(schedule)["Target"]["Input"]["Fn::Join"][1]
    text, values = "", []
    for part in parts:
        if isinstance(part, str):
            text += part
        else:
            text += f"@{len(values)}@"
            values.append(part)
    decoded = json.loads(text)
    return {k: values[int(v.strip("@"))] if v.startswith("@") else v for k, v in decoded.items()}


def _leases(templates: dict[str, dict]) -> dict[str, datetime | None]:
    return {name: _lease_time(template) for name, template in templates.items()}


@pytest.mark.parametrize("mode", ["own", "shared"])
def test_sandbox_stacks_idling_above_10_dollars_have_a_lease_and_only_they(sandbox, shared, mode):
    templates = sandbox.templates if mode == "own" else shared.templates
    for name, template in templates.items():
        idle = estimate(template, stack=name).idle_monthly
        leased = _lease_time(template) is not None
        assert leased == (idle > LEASE_THRESHOLD_USD), (name, idle)
        assert leased == ARCHITECTURES[architecture_of(name)].leased_by_default(name)


def test_production_stacks_never_have_a_lease(production):
    for name, template in production.templates.items():
        assert resources(template, "AWS::Scheduler::Schedule") == {}, name
        assert OUTPUT_ID not in template.get("Outputs", {}), name


@pytest.mark.parametrize("mode", ["own", "shared"])
def test_a_lease_strikes_a_day_after_synthesis_and_a_stack_outlives_its_dependents(
    sandbox, shared, mode
):
    synthesis = sandbox.whole() if mode == "own" else shared
    templates = synthesis.templates
    start = synthesis.lease_clock
    leases = {name: when for name, when in _leases(templates).items() if when}
    manifest = json.loads((synthesis.outdir / "manifest.json").read_text())
    depends = {
        name: set(artifact.get("dependencies", ())) & set(leases)
        for name, artifact in manifest["artifacts"].items()
        if name in leases
    }
    depended_on = {dependency for deps in depends.values() for dependency in deps}
    for name, when in leases.items():
        if name not in depended_on:
            assert when == start + timedelta(hours=DEFAULT_LEASE_HOURS), name
        for dependency in depends[name]:
            assert leases[dependency] >= when + timedelta(hours=DEPENDENT_MARGIN_HOURS), (
                f"{dependency} must outlive {name}"
            )
    if mode == "shared":
        assert {"WebTier", "AuroraGlobalPrimary"} <= {
            n for n, d in depends.items() if "Network" in d
        }


@pytest.mark.parametrize("stack_name", ["Network", "WebTier", "AuroraGlobalPrimary"])
def test_the_lease_deletes_its_own_stack_with_the_bootstrap_execution_role(sandbox, stack_name):
    template = sandbox.template(stack_name)
    ((_, schedule),) = resources(template, "AWS::Scheduler::Schedule").items()
    target = props(schedule)["Target"]
    assert target["Arn"] == {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":scheduler:::aws-sdk:cloudformation:deleteStack"],
        ]
    }
    assert _input(schedule) == {"StackName": {"Ref": "AWS::StackId"}, "RoleARN": EXEC_ROLE}
    assert props(schedule)["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert props(schedule)["State"] == "ENABLED"
    output = template["Outputs"][OUTPUT_ID]["Value"]
    assert output == f"{_lease_time(template):%Y-%m-%dT%H:%M:%SZ}"


def test_the_schedules_role_may_delete_only_its_stack_and_pass_only_that_role(sandbox):
    template = sandbox.template("WebTier")
    ((_, schedule),) = resources(template, "AWS::Scheduler::Schedule").items()
    role_id = ref(props(schedule)["Target"]["RoleArn"])
    trust = props(template["Resources"][role_id])["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [
        {
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
            "Effect": "Allow",
            "Principal": {"Service": "scheduler.amazonaws.com"},
        }
    ]
    statements = [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in props(policy)["Roles"]
        for statement in props(policy)["PolicyDocument"]["Statement"]
    ]
    assert "ManagedPolicyArns" not in props(template["Resources"][role_id])
    assert statements == [
        {
            "Action": "cloudformation:DeleteStack",
            "Effect": "Allow",
            "Resource": {"Ref": "AWS::StackId"},
        },
        {
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": EXEC_ROLE,
        },
    ]
    # The schedule waits for the policy, so its first use of the role is allowed.
    assert any(d.startswith("LeaseRoleDefaultPolicy") for d in schedule["DependsOn"])


def _app_leases(**context: object) -> dict[str, datetime | None]:
    profile = str(context.pop("profile", "sandbox"))
    app = App(context=cdk_context(profile, **context))
    stacks = add_stacks(app, env=PINNED_ENV, nag=False)
    leases = {sid: stack.node.try_find_child("Lease") for sid, stack in stacks.items()}
    return {
        sid: lease.expires_at if isinstance(lease, StackLease) else None
        for sid, lease in leases.items()
    }


def test_lease_hours_gives_every_sandbox_stack_that_lease_and_zero_gives_none(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", PINNED_EPOCH)
    leases = _app_leases(arch="serverless-api,static-site,web-tier", lease_hours="5")
    assert leases == dict.fromkeys(leases, PINNED_START + timedelta(hours=5))
    assert set(leases) == {"ServerlessApi", "StaticSite", "StaticSiteOac", "WebTier"}
    assert set(_app_leases(arch="web-tier", lease_hours=0).values()) == {None}
    assert set(
        _app_leases(profile="production", arch="serverless-api", lease_hours="0").values()
    ) == {None}


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"lease_hours": "-1"}, r"lease_hours is '-1' in `-c lease_hours=\.\.\.`; allowed: whole"),
        ({"lease_hours": "1.5"}, r"lease_hours is '1\.5'.*allowed: whole hours, 1 to 8760, or 0"),
        ({"lease_hours": "day"}, r"lease_hours is 'day'"),
        ({"lease_hours": "8761"}, r"lease_hours is '8761'"),
        ({"lease_hours": True}, r"lease_hours is True"),
        (
            {"lease_hours": "5", "profile": "production"},
            r"lease_hours is 5 with profile production; allowed: 0 or no key \(production keeps "
            r"its data",
        ),
    ],
)
def test_bad_lease_hours_fail_before_any_stack_is_built(context, message):
    with pytest.raises(ValueError, match=message):
        _app_leases(arch="serverless-api", **context)


# -- the construct alone ------------------------------------------------------------------------


def _stack(**kwargs) -> Stack:
    return Stack(App(), "Leased", env=PINNED_ENV, **kwargs)


def test_a_given_deletion_role_is_the_one_passed_and_the_only_one_passable():
    stack = _stack()
    role = iam.Role.from_role_arn(stack, "Deleter", "arn:aws:iam::123456789012:role/deleter")
    StackLease(stack, "Lease", hours=1, starts_at=PINNED_START, deletion_role=role)
    template = Template.from_stack(stack).to_json()
    ((_, schedule),) = resources(template, "AWS::Scheduler::Schedule").items()
    assert _input(schedule)["RoleARN"] == "arn:aws:iam::123456789012:role/deleter"
    (policy,) = resources(template, "AWS::IAM::Policy").values()
    passable = [
        s["Resource"]
        for s in props(policy)["PolicyDocument"]["Statement"]
        if s["Action"] == "iam:PassRole"
    ]
    assert passable == ["arn:aws:iam::123456789012:role/deleter"]
    assert _lease_time(template) == PINNED_START + timedelta(hours=1)


def test_an_agnostic_stack_names_the_execution_role_of_the_account_and_region_it_lands_in():
    stack = Stack(App(), "Agnostic")
    StackLease(stack, "Lease", hours=2, starts_at=PINNED_START)
    ((_, schedule),) = resources(
        Template.from_stack(stack).to_json(), "AWS::Scheduler::Schedule"
    ).items()
    assert _input(schedule)["RoleARN"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/"
        "cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}"
    }


def test_lease_end_rounds_up_to_the_minute_and_the_clock_follows_source_date_epoch(monkeypatch):
    start = datetime(2026, 3, 1, 10, 0, 30, tzinfo=UTC)
    assert lease_end(start, 1) == datetime(2026, 3, 1, 11, 1, tzinfo=UTC)
    other_zone = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert lease_end(other_zone, 24) == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert lease_clock() == datetime(1970, 1, 2, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match=r"SOURCE_DATE_EPOCH is 'yesterday'; allowed: whole"):
        lease_clock()


@pytest.mark.parametrize(
    ("props_", "message"),
    [
        ({"hours": 0}, r"hours is 0; allowed: 1 to 8760 whole hours"),
        ({"hours": 8761}, r"hours is 8761; allowed: 1 to 8760"),
        ({"hours": 1.5}, r"hours is 1\.5; allowed: a whole number"),
        ({"hours": True}, r"hours is True; allowed: a whole number"),
        ({"hours": "24"}, r"hours is '24'; allowed: a whole number"),
        (
            {"hours": 1, "starts_at": datetime(2026, 1, 1)},
            r"starts_at is datetime\.datetime\(2026, 1, 1, 0, 0\); allowed: a timezone-aware",
        ),
        ({"hours": 1, "starts_at": "2026-01-01"}, r"starts_at is '2026-01-01'; allowed"),
    ],
)
def test_bad_lease_props_raise_a_clear_value_error(props_, message):
    with pytest.raises(ValueError, match=message):
        StackLease(_stack(), "Lease", **props_)


def test_a_synthesizer_without_an_execution_role_needs_an_explicit_deletion_role():
    stack = _stack(synthesizer=LegacyStackSynthesizer())
    with pytest.raises(ValueError, match=r"deletion_role is None and stack 'Leased' uses "):
        StackLease(stack, "Lease", hours=1)
