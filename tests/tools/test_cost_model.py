"""What the idle-cost model adds beyond the template's own resources: target-tracking alarms,
Aurora global replication, scheduled capacity, cross-AZ NAT traffic, EventBridge Scheduler.
Small hand-written templates, hand-computed numbers."""

from __future__ import annotations

import pytest

from tests.tools.queries import priced_items, usage_prices
from tools import cost
from tools.cost import NotWeekly, estimate, unclassified_types, weekly_minutes

HOURS = 730
WEEKS_A_MONTH = HOURS / 168
T4G_MICRO = 0.0084
GP3_GB_MONTH = 0.08
ALARMS = "CloudWatch alarms created by a target-tracking policy (not in the template)"
SCHEDULED = "EC2 t4g.micro instance-hours of scheduled capacity (Auto Scaling scheduled actions)"


# -- target tracking ---------------------------------------------------------------------------


def _policy(kind: str, policy_type: str) -> dict:
    return {"Type": kind, "Properties": {"PolicyType": policy_type}}


@pytest.mark.parametrize(
    "kind", ["AWS::AutoScaling::ScalingPolicy", "AWS::ApplicationAutoScaling::ScalingPolicy"]
)
def test_a_target_tracking_policy_pays_its_two_alarms_a_step_policy_none(kind):
    tracking = estimate({"Resources": {"P": _policy(kind, "TargetTrackingScaling")}})
    # 2 alarms (scale out, scale in) x $0.10 = $0.20
    assert priced_items(tracking) == {ALARMS: 0.2}
    assert tracking.items[0].resources == ("P",)
    step = estimate({"Resources": {"P": _policy(kind, "StepScaling")}})
    assert step.items == [] and step.not_priced == [] and step.free == {kind: 1}


def test_application_auto_scaling_types_are_classified():
    template = {
        "Resources": {
            "Target": {"Type": "AWS::ApplicationAutoScaling::ScalableTarget"},
            "Policy": _policy("AWS::ApplicationAutoScaling::ScalingPolicy", "StepScaling"),
        }
    }
    assert unclassified_types([template]) == set()
    assert estimate(template).not_priced == []


# -- Aurora global database -------------------------------------------------------------------


def test_global_cluster_is_usage_priced_and_only_a_joining_cluster_pays_replicated_io():
    joins = {"GlobalClusterIdentifier": "g", "Engine": "aurora-postgresql"}
    result = estimate(
        {
            "Resources": {
                "Global": {"Type": "AWS::RDS::GlobalCluster", "Properties": {}},
                "Primary": {
                    "Type": "AWS::RDS::DBCluster",
                    "Properties": {**joins, "MasterUsername": "postgres"},
                },
                "Secondary": {"Type": "AWS::RDS::DBCluster", "Properties": joins},
                "Restored": {
                    "Type": "AWS::RDS::DBCluster",
                    "Properties": {**joins, "SourceDBClusterIdentifier": "arn"},
                },
                "Alone": {"Type": "AWS::RDS::DBCluster", "Properties": {"Engine": "aurora-mysql"}},
            }
        }
    )
    assert result.idle_monthly == 0 and result.free == {}
    usage = {(u.resource_type, u.prices): u.resources for u in result.usage}
    prices = cost.region_prices(cost.load_prices(), "us-east-1")["usage"]
    assert usage[("AWS::RDS::GlobalCluster", prices["aurora_global_transfer"])] == ("Global",)
    assert usage[("AWS::RDS::DBCluster", prices["aurora_global_write_io"])] == ("Secondary",)
    storage = usage[("AWS::RDS::DBCluster", prices["aurora_storage"])]
    assert sorted(storage) == ["Alone", "Primary", "Restored", "Secondary"]
    assert "$0.02 per GB" in prices["aurora_global_transfer"]
    assert "$0.20 per 1M" in prices["aurora_global_write_io"]
    assert "aurora_global" not in prices  # split into the two keys above


# -- scheduled actions ------------------------------------------------------------------------


def _web_tier(*actions: dict, desired: int | None = None) -> dict:
    """The production web tier's shape: t4g.micro, 8 GB gp3, MinSize 2, MaxSize 6."""
    group = {"MinSize": "2", "MaxSize": "6", "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}}}
    if desired is not None:
        group["DesiredCapacity"] = str(desired)
    resources = {
        "Lt": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {
                "LaunchTemplateData": {
                    "InstanceType": "t4g.micro",
                    "BlockDeviceMappings": [{"Ebs": {"VolumeSize": 8, "VolumeType": "gp3"}}],
                }
            },
        },
        "Asg": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": group},
    }
    for i, action in enumerate(actions):
        resources[f"Action{i}"] = {
            "Type": "AWS::AutoScaling::ScheduledAction",
            "Properties": {"AutoScalingGroupName": {"Ref": "Asg"}, **action},
        }
    return {"Resources": resources}


FRIDAY_PEAK = (
    {"MinSize": 4, "Recurrence": "0 17 * * FRI", "TimeZone": "UTC"},
    {"MinSize": 2, "Recurrence": "0 23 * * FRI", "TimeZone": "UTC"},
)
INSTANCE_HOUR = T4G_MICRO + 8 * GP3_GB_MONTH / HOURS  # EBS prorated per instance-hour


def test_the_web_tier_friday_peak_adds_two_instances_six_hours_a_week():
    base = estimate(_web_tier())
    peak = estimate(_web_tier(*FRIDAY_PEAK))
    extra_hours = 2 * 6 * WEEKS_A_MONTH  # 52.142857 instance-hours a month
    # 52.142857 x 0.0084 = 0.438; 52.142857 x 0.64 / 730 = 0.045714
    assert round(extra_hours * INSTANCE_HOUR, 4) == 0.4837
    [item] = [i for i in peak.items if i.label == SCHEDULED]
    assert item.quantity == pytest.approx(extra_hours)
    assert item.each == pytest.approx(INSTANCE_HOUR)
    assert item.basis.startswith("+2 instances 6 h/week (Fri 17:00-23:00 UTC), x 730/168")
    unrounded = sum(i.monthly for i in peak.items) - sum(i.monthly for i in base.items)
    assert unrounded == pytest.approx(extra_hours * INSTANCE_HOUR)
    assert peak.not_priced == [] and peak.free["AWS::AutoScaling::ScheduledAction"] == 2


def test_a_weeknight_scale_in_is_a_saving_over_the_weekend_too():
    result = estimate(
        _web_tier(
            {"MinSize": 0, "Recurrence": "0 20 * * MON-FRI"},
            {"MinSize": 2, "Recurrence": "0 8 * * 1-5"},
            desired=2,
        )
    )
    [item] = [i for i in result.items if i.label == SCHEDULED]
    # at 0 from 20:00 to 08:00 on 4 weeknights (48 h) and Fri 20:00 to Mon 08:00 (60 h)
    assert item.quantity == pytest.approx(-2 * 108 * WEEKS_A_MONTH)
    assert item.basis.startswith(
        "-2 instances 108 h/week (Mon 20:00-Tue 08:00, Tue 20:00-Wed 08:00, "
        "Wed 20:00-Thu 08:00, and 2 more UTC)"
    )
    assert item.monthly == pytest.approx(-2 * 108 * WEEKS_A_MONTH * INSTANCE_HOUR)


def test_actions_that_never_change_the_idle_count_add_nothing():
    result = estimate(_web_tier({"MinSize": 2, "Recurrence": "0 17 * * FRI"}))
    assert SCHEDULED not in priced_items(result) and result.not_priced == []


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ({"MinSize": 4, "Recurrence": "0 17 1 * *"}, "day of the month or a month"),
        ({"MinSize": 4, "Recurrence": "0 17 * DEC *"}, "day of the month or a month"),
        ({"MinSize": 4, "StartTime": "2027-01-01T00:00:00Z"}, "one-time action"),
        ({"MinSize": 4, "Recurrence": "0 25 * * *"}, "not a cron expression"),
    ],
)
def test_a_schedule_that_is_not_weekly_is_not_priced_rather_than_guessed(action, reason):
    result = estimate(_web_tier(action, FRIDAY_PEAK[1]))
    assert SCHEDULED not in priced_items(result)
    reasons = {u.resources: u.reason for u in result.not_priced}
    assert reason in reasons[("Action0",)]
    assert "not simulated: Action0" in reasons[("Action1",)]


def test_an_action_for_a_group_of_another_stack_is_not_priced():
    template = _web_tier(FRIDAY_PEAK[0])
    template["Resources"]["Action0"]["Properties"]["AutoScalingGroupName"] = "imported-group"
    [unpriced] = estimate(template).not_priced
    assert "not in this template" in unpriced.reason


def test_weekly_minutes_reads_numbers_names_ranges_lists_and_steps():
    monday, wednesday, sunday = 1 * 1440, 3 * 1440, 0
    assert weekly_minutes("*/30 9-10 * * 1,wed") == {
        day + hour * 60 + minute
        for day in (monday, wednesday)
        for hour in (9, 10)
        for minute in (0, 30)
    }
    assert weekly_minutes("0 0 * * 7") == weekly_minutes("0 0 * * SUN") == {sunday}
    assert len(weekly_minutes("0 0 * * *")) == 7
    assert weekly_minutes("0 0 1-31 * MON") == {day * 1440 for day in range(7)}  # cron's OR
    for text in ("0 0 * *", "0 0 * * FUNDAY", "0 0 * * 1/0"):
        with pytest.raises(NotWeekly):
            weekly_minutes(text)


# -- cross-AZ NAT -----------------------------------------------------------------------------


def _vpc(nat_in: dict[str, str], private_in: dict[str, str], nat_type: str = "Gateway") -> dict:
    """Public subnets ``Pub<az>`` holding NATs; private subnets routed to ``nat_in[az]``."""
    resources: dict[str, dict] = {}
    for az, nat in nat_in.items():
        resources[f"Pub{az}"] = {"Type": "AWS::EC2::Subnet", "Properties": {"AvailabilityZone": az}}
        kind = "AWS::EC2::NatGateway" if nat_type == "Gateway" else "AWS::EC2::Instance"
        resources[nat] = {"Type": kind, "Properties": {"SubnetId": {"Ref": f"Pub{az}"}}}
    target = "NatGatewayId" if nat_type == "Gateway" else "InstanceId"
    for name, (az, nat) in enumerate(private_in.items()):
        resources[f"Priv{name}"] = {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"AvailabilityZone": az},
        }
        resources[f"Rt{name}"] = {"Type": "AWS::EC2::RouteTable", "Properties": {}}
        resources[f"Assoc{name}"] = {
            "Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {
                "SubnetId": {"Ref": f"Priv{name}"},
                "RouteTableId": {"Ref": f"Rt{name}"},
            },
        }
        resources[f"Default{name}"] = {
            "Type": "AWS::EC2::Route",
            "Properties": {
                "RouteTableId": {"Ref": f"Rt{name}"},
                "DestinationCidrBlock": "0.0.0.0/0",
                target: {"Ref": nat},
            },
        }
    return {"Resources": resources}


def test_subnets_routed_to_a_nat_in_another_az_get_an_inter_az_transfer_line():
    # the sandbox shape: 2 AZs, one NAT gateway in the first
    one_nat = _vpc({"us-east-1a": "Nat"}, {"us-east-1a": "Nat", "us-east-1b": "Nat"})
    [text] = usage_prices(estimate(one_nat))[cost.CROSS_AZ_NAT]
    assert text.startswith("1 subnet in 1 AZ sends internet traffic through a NAT in another AZ")
    assert "$0.01 per GB in each direction" in text
    instance = _vpc({"us-east-1a": "Box"}, {"us-east-1b": "Box", "us-east-1c": "Box"}, "Instance")
    [text] = usage_prices(estimate(instance, region="us-east-1"))[cost.CROSS_AZ_NAT]
    assert text.startswith("2 subnets in 2 AZs send internet traffic")


def test_a_nat_per_az_sends_nothing_across_azs():
    own = _vpc(
        {"us-east-1a": "NatA", "us-east-1b": "NatB"}, {"us-east-1a": "NatA", "us-east-1b": "NatB"}
    )
    assert cost.CROSS_AZ_NAT not in usage_prices(estimate(own))


def test_sandbox_network_sends_one_subnet_through_the_other_azs_nat(sandbox):
    template = sandbox.template("Network")
    nats = [r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::NatGateway"]
    zones = {
        r["Properties"]["AvailabilityZone"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::EC2::Subnet"
    }
    assert (len(nats), len(zones)) == (1, 2)
    [text] = usage_prices(estimate(template))[cost.CROSS_AZ_NAT]
    assert text.startswith("1 subnet in 1 AZ")


# -- EventBridge Scheduler --------------------------------------------------------------------


def test_scheduler_schedules_are_usage_priced_and_their_groups_free():
    result = estimate(
        {
            "Resources": {
                "Lease": {"Type": "AWS::Scheduler::Schedule", "Properties": {}},
                "Group": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {}},
            }
        }
    )
    assert result.idle_monthly == 0 and result.free == {"AWS::Scheduler::ScheduleGroup": 1}
    assert usage_prices(result)["AWS::Scheduler::Schedule"] == [
        "EventBridge Scheduler: 14 million invocations a month free, then $1.00 per million"
    ]
