"""Idle monthly cost of synthesized CloudFormation templates, from the price table in the repo.

``python -m tools.cost [--cdk-out cdk.out] [--json]`` reads ``cdk.out/<profile>/*.template.json``
(what ``make synth`` writes; ``cdk.out/<profile>+shared-network/`` is that profile synthesized with
``-c network=shared``) and prints, per stack and profile, what the stack costs a month while it
sits idle, its top line items, the usage-priced resources with their unit prices, every resource
type the price table does not know ("not priced", never silently free), what ``cdk destroy``
leaves behind and what that still bills, and the totals of each profile's collection.

Conventions (also in ``tools/prices.json``'s ``meta``):

- on-demand Linux prices, ``hours_per_month`` (730) hours a month, no free tier;
- an Auto Scaling group runs its ``DesiredCapacity`` (else ``MinSize``) instances while idle,
  priced from its launch template (instance type and EBS volumes);
- an EC2 instance (or an Auto Scaling group's instances) has a billed public IPv4 address when its
  launch template's network interface sets ``AssociatePublicIpAddress``, or, without one, when its
  subnet(s) in this template set ``MapPublicIpOnLaunch`` and no Elastic IP of the template is
  attached to it (that address is counted as the EIP); subnets from another stack count as private;
- an internet-facing load balancer holds one public IPv4 address per subnet (AZ) it spans, its
  minimum;
- an instance without ``BlockDeviceMappings`` is given its AMI's default root volume, assumed
  8 GB gp3 (Amazon Linux 2023), and the line item says so;
- a target-tracking scaling policy makes AWS create two CloudWatch alarms (scale out, scale in)
  that are not in the template: both are priced on the policy;
- recurring scheduled actions are simulated over a week, minute by minute: at idle the group runs
  the capacity the last action set (its DesiredCapacity, else its MinSize), clamped to the
  group's current MinSize/MaxSize; the hours above or below the idle count are priced at
  ``hours_per_month``/168 weeks a month. Cron fields naming a day of month or a month and
  one-time actions are "not priced"; a recurring action's StartTime/EndTime is ignored;
- a subnet whose default route goes to a NAT gateway or NAT instance in another AZ gets a usage
  line for inter-AZ transfer (only literal AvailabilityZones are compared);
- an ElastiCache replication group bills every node (primary and replicas, in every shard); a
  Route 53 health check bills monthly, as an AWS endpoint when its address is a resource of the
  template, else as a non-AWS one, plus each optional feature it turns on;
- Aurora Serverless v2 bills each instance (readers too) at its cluster's MinCapacity; at 0 ACU it
  pauses when idle and bills storage only; RDS Multi-AZ bills two instances, a read replica bills
  as an instance with its source's engine and storage; ``ManageMasterUserPassword`` adds the
  secret RDS keeps outside the template;
- reserve the minimum [004:2390-2398]: each Auto Scaling group's MinSize x its launch template's
  instance type is also priced at the 1-year no-upfront Reserved Instance and Compute Savings
  Plan rates, a comparison beside the estimate, never in a total;
- left after ``cdk destroy``: resources whose DeletionPolicy (or CloudFormation's default: Snapshot
  for an RDS cluster and a standalone RDS instance, not a read replica) keeps them, KMS keys that
  linger pending deletion, log groups Lambda creates outside the template, and the recovery
  points of EFS automatic backups. A retained resource keeps billing
  its own line items; a snapshot bills its storage only.

Pure Python over template dicts: nothing here needs jsii or AWS credentials.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PRICES_FILE = Path(__file__).with_name("prices.json")
DEFAULT_REGION = "us-east-1"
PROFILE_ORDER = ("sandbox", "production")
DEFAULT_ROOT_VOLUME = (8, "gp3")
TOP_ITEMS = 3

# Types that cost nothing by themselves (reason shown in --json and used by the docs).
FREE: dict[str, str] = {
    "AWS::CDK::Metadata": "template metadata",
    "AWS::CloudFormation::CustomResource": "custom resource: its provider Lambda is listed",
    "AWS::CloudFormation::WaitConditionHandle": "no charge",
    "AWS::EC2::VPC": "no charge",
    "AWS::EC2::Subnet": "no charge",
    "AWS::EC2::RouteTable": "no charge",
    "AWS::EC2::Route": "no charge",
    "AWS::EC2::SubnetRouteTableAssociation": "no charge",
    "AWS::EC2::VPCGatewayAttachment": "no charge",
    "AWS::EC2::SecurityGroup": "no charge",
    "AWS::EC2::SecurityGroupIngress": "no charge",
    "AWS::EC2::SecurityGroupEgress": "no charge",
    "AWS::EC2::NetworkAcl": "no charge",
    "AWS::EC2::NetworkAclEntry": "no charge",
    "AWS::EC2::SubnetNetworkAclAssociation": "no charge",
    "AWS::EC2::EIPAssociation": "the EIP itself is priced",
    "AWS::EC2::LaunchTemplate": "priced through the instances or Auto Scaling group using it",
    "AWS::AutoScaling::LaunchConfiguration": "priced through the Auto Scaling group using it",
    "AWS::ApplicationAutoScaling::ScalableTarget": "no charge (its scaling policies are listed)",
    "AWS::AutoScaling::LifecycleHook": "no charge",
    "AWS::ElasticLoadBalancingV2::Listener": "no charge (the load balancer is priced)",
    "AWS::ElasticLoadBalancingV2::ListenerRule": "no charge (the load balancer is priced)",
    "AWS::ElasticLoadBalancingV2::ListenerCertificate": "no charge",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "no charge (the load balancer is priced)",
    "AWS::IAM::Role": "IAM is free",
    "AWS::IAM::Policy": "IAM is free",
    "AWS::IAM::ManagedPolicy": "IAM is free",
    "AWS::IAM::InstanceProfile": "IAM is free",
    "AWS::IAM::ServiceLinkedRole": "IAM is free",
    "AWS::Lambda::Permission": "no charge",
    "AWS::Lambda::LayerVersion": "no charge (counts toward the 75 GB code storage quota)",
    "AWS::Lambda::Version": "no charge",
    "AWS::Lambda::Alias": "no charge",
    "AWS::Lambda::EventSourceMapping": "no charge (invocations are Lambda usage)",
    "AWS::Lambda::Url": "no charge (invocations are Lambda usage)",
    "AWS::ApiGateway::Account": "no charge",
    "AWS::ApiGateway::Stage": "no charge (requests are priced on the API)",
    "AWS::ApiGateway::Deployment": "no charge",
    "AWS::ApiGateway::Method": "no charge",
    "AWS::ApiGateway::Resource": "no charge",
    "AWS::ApiGateway::Model": "no charge",
    "AWS::ApiGateway::RequestValidator": "no charge",
    "AWS::ApiGateway::Authorizer": "no charge",
    "AWS::ApiGateway::GatewayResponse": "no charge",
    "AWS::ApiGateway::UsagePlan": "no charge",
    "AWS::ApiGateway::UsagePlanKey": "no charge",
    "AWS::ApiGateway::ApiKey": "no charge",
    "AWS::ApiGateway::BasePathMapping": "no charge",
    "AWS::ApiGatewayV2::Stage": "no charge",
    "AWS::ApiGatewayV2::Route": "no charge",
    "AWS::ApiGatewayV2::Integration": "no charge",
    "AWS::ApiGatewayV2::Authorizer": "no charge",
    "AWS::Cognito::UserPoolClient": "no charge (users are priced on the user pool)",
    "AWS::Cognito::UserPoolDomain": "no charge",
    "AWS::Cognito::UserPoolGroup": "no charge",
    "AWS::CloudFront::CloudFrontOriginAccessIdentity": "no charge",
    "AWS::CloudFront::OriginAccessControl": "no charge",
    "AWS::CloudFront::ResponseHeadersPolicy": "no charge",
    "AWS::CloudFront::CachePolicy": "no charge",
    "AWS::CloudFront::OriginRequestPolicy": "no charge",
    "AWS::S3::BucketPolicy": "no charge",
    "AWS::Logs::LogStream": "no charge (its log group is priced)",
    "AWS::Logs::MetricFilter": "no charge",
    "AWS::Logs::SubscriptionFilter": "no charge",
    "AWS::Logs::ResourcePolicy": "no charge",
    "AWS::RDS::DBSubnetGroup": "no charge",
    "AWS::RDS::DBClusterParameterGroup": "no charge",
    "AWS::RDS::DBParameterGroup": "no charge",
    "AWS::RDS::OptionGroup": "no charge",
    "AWS::KMS::Alias": "no charge",
    "AWS::SecretsManager::SecretTargetAttachment": "no charge",
    "AWS::SecretsManager::RotationSchedule": "no charge (the rotation Lambda is usage-priced)",
    "AWS::SecretsManager::ResourcePolicy": "no charge",
    "AWS::CertificateManager::Certificate": "public certificates are free",
    "AWS::SSM::Parameter": "standard parameters are free",
    "AWS::SNS::Subscription": "no charge",
    "AWS::SNS::TopicPolicy": "no charge",
    "AWS::SQS::QueuePolicy": "no charge",
    "AWS::WAFv2::WebACLAssociation": "no charge",
    "AWS::Scheduler::ScheduleGroup": "no charge (its schedules are usage-priced)",
    "AWS::Athena::NamedQuery": "no charge (a saved query; running it is Athena usage)",
    "AWS::Glue::Database": "no charge in the free tier (first 1M catalog objects)",
    "AWS::ElastiCache::SubnetGroup": "no charge",
    "AWS::ElastiCache::ParameterGroup": "no charge",
    "AWS::ElastiCache::User": "no charge",
    "AWS::ElastiCache::UserGroup": "no charge",
    "AWS::EFS::MountTarget": "no charge (storage and throughput are priced on the file system)",
    "AWS::EFS::AccessPoint": "no charge",
}
FREE_PREFIXES = ("Custom::",)  # CDK's custom resources; their provider Lambdas are listed.

# Usage-priced types -> the key of their unit prices in prices.json's "usage".
USAGE: dict[str, str] = {
    "AWS::EC2::InternetGateway": "internet_egress",
    "AWS::EC2::FlowLog": "vended_logs",
    "AWS::Logs::LogGroup": "logs",
    "AWS::Lambda::Function": "lambda",
    "AWS::ApiGateway::RestApi": "apigw_rest",
    "AWS::ApiGatewayV2::Api": "apigw_http",
    "AWS::S3::Bucket": "s3",
    "AWS::CloudFront::Distribution": "cloudfront",
    "AWS::Cognito::UserPool": "cognito",
    "AWS::Route53::RecordSet": "route53_records",
    "AWS::Route53::RecordSetGroup": "route53_records",
    "AWS::RDS::GlobalCluster": "aurora_global_transfer",
    "AWS::Serverless::Application": "serverless_application",
    "AWS::SNS::Topic": "sns",
    "AWS::SQS::Queue": "sqs",
    "AWS::Events::Rule": "events",
    "AWS::StepFunctions::StateMachine": "stepfunctions",
    "AWS::Scheduler::Schedule": "scheduler",
    "AWS::KinesisFirehose::DeliveryStream": "firehose",
    "AWS::Athena::WorkGroup": "athena",
    "AWS::Glue::Table": "glue_catalog",
}

# Monthly flat prices: type -> (prices.json key, label).
MONTHLY: dict[str, tuple[str, str]] = {
    "AWS::KMS::Key": ("kms_key_month", "KMS customer managed key"),
    "AWS::KMS::ReplicaKey": ("kms_key_month", "KMS replica key"),
    "AWS::CloudWatch::Alarm": ("cloudwatch_alarm_month", "CloudWatch alarm"),
    "AWS::CloudWatch::Dashboard": ("cloudwatch_dashboard_month", "CloudWatch dashboard"),
    "AWS::Route53::HostedZone": ("route53_hosted_zone_month", "Route 53 hosted zone"),
    "AWS::WAFv2::WebACL": ("wafv2_web_acl_month", "WAF web ACL (rules extra)"),
}
MONTHLY_USAGE = {"AWS::KMS::Key": "kms_requests", "AWS::KMS::ReplicaKey": "kms_requests"}


class CostInputError(Exception):
    """Bad input: a missing or empty cdk.out, or a template that is not one."""


@dataclass(frozen=True)
class LineItem:
    """``quantity`` x ``each`` dollars a month; ``basis`` says how ``each`` was computed."""

    label: str
    quantity: float
    each: float
    basis: str
    resources: tuple[str, ...]

    @property
    def monthly(self) -> float:
        return self.quantity * self.each


@dataclass(frozen=True)
class UsageItem:
    resource_type: str
    prices: str
    resources: tuple[str, ...]


@dataclass(frozen=True)
class Unpriced:
    resource_type: str
    reason: str
    resources: tuple[str, ...]


@dataclass(frozen=True)
class Leftover:
    """A resource ``cdk destroy`` leaves: ``monthly`` fixed dollars plus ``usage``-priced text."""

    logical_id: str
    resource_type: str
    deletion_policy: str
    kept_by: str
    why: str
    monthly: float
    basis: str
    usage: str

    def to_dict(self) -> dict:
        return {
            "logical_id": self.logical_id,
            "type": self.resource_type,
            "deletion_policy": self.deletion_policy,
            "kept_by": self.kept_by,
            "why": self.why,
            "monthly_usd": round(self.monthly, 4),
            "monthly_basis": self.basis,
            "usage_priced": self.usage,
        }


@dataclass(frozen=True)
class Reservation:
    """An Auto Scaling group's minimum, which runs all month whatever the load, priced on-demand
    and at the 1-year no-upfront commitment rates: a comparison for the reader, never a purchase
    (the notes' lesson "reserve capacity for the minimum" [004:2390-2398]). Instance-hours only:
    EBS volumes and public IPv4 addresses bill the same either way. A rate is None when
    prices.json has no 1-year price for the type."""

    group: str
    instance_type: str
    minimum: float
    hours: float
    on_demand_hourly: float
    reserved_hourly: float | None
    savings_plan_hourly: float | None

    def monthly(self, hourly: float | None) -> float | None:
        return None if hourly is None else self.minimum * hourly * self.hours

    @property
    def on_demand_monthly(self) -> float:
        return self.minimum * self.on_demand_hourly * self.hours

    def to_dict(self) -> dict:
        def money(hourly: float | None) -> float | None:
            monthly = self.monthly(hourly)
            return None if monthly is None else round(monthly, 4)

        return {
            "group": self.group,
            "instance_type": self.instance_type,
            "minimum": self.minimum,
            "on_demand_monthly_usd": money(self.on_demand_hourly),
            "reserved_instance_1yr_no_upfront_monthly_usd": money(self.reserved_hourly),
            "compute_savings_plan_1yr_no_upfront_monthly_usd": money(self.savings_plan_hourly),
        }


@dataclass
class Estimate:
    stack: str
    profile: str
    region: str
    network: str = "own"
    items: list[LineItem] = field(default_factory=list)
    usage: list[UsageItem] = field(default_factory=list)
    not_priced: list[Unpriced] = field(default_factory=list)
    free: dict[str, int] = field(default_factory=dict)
    left_after_destroy: list[Leftover] = field(default_factory=list)
    reservations: list[Reservation] = field(default_factory=list)

    @property
    def idle_monthly(self) -> float:
        return round(sum(item.monthly for item in self.items), 2)

    @property
    def left_after_destroy_monthly(self) -> float:
        return round(sum(left.monthly for left in self.left_after_destroy) + 0.0, 2)

    def to_dict(self) -> dict:
        return {
            "stack": self.stack,
            "profile": self.profile,
            "network": self.network,
            "region": self.region,
            "idle_monthly_usd": self.idle_monthly,
            "items": [
                {**asdict(item), "monthly": round(item.monthly, 4), "resources": item.resources}
                for item in self.items
            ],
            "usage_priced": [asdict(item) for item in self.usage],
            "not_priced": [asdict(item) for item in self.not_priced],
            "free": dict(sorted(self.free.items())),
            "left_after_destroy": [left.to_dict() for left in self.left_after_destroy],
            "left_after_destroy_monthly_usd": self.left_after_destroy_monthly,
            "reserve_the_minimum": [r.to_dict() for r in self.reservations],
        }


# ---------------------------------------------------------------------------------------------
# Prices


def load_prices(path: Path = PRICES_FILE) -> dict:
    return json.loads(path.read_text())


def region_prices(prices: dict, region: str) -> dict:
    """The price table of ``region``, following ``same_as``; KeyError names the known regions."""
    regions = prices["regions"]
    if region not in regions:
        raise KeyError(f"no prices for region {region!r}; known: {', '.join(sorted(regions))}")
    table = regions[region]
    while "same_as" in table:
        table = regions[table["same_as"]]
    return table


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _rate(value: float) -> str:
    return f"${value:g}"


def unit_money(value: float) -> str:
    """A unit price: cents, or four significant digits below ten cents (not shown as $0.01)."""
    return _money(value) if value == 0 or abs(value) >= 0.1 else f"${value:.4g}"


# ---------------------------------------------------------------------------------------------
# Template helpers


def _target(value: Any) -> str | None:
    """The logical id a Ref / Fn::GetAtt points at, else None."""
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            return value["Ref"]
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            return att[0] if isinstance(att, list) else str(att).split(".")[0]
    return None


def _refs(value: Any) -> Iterable[str]:
    """Every logical id a Ref / Fn::GetAtt anywhere inside ``value`` points at."""
    if isinstance(value, dict):
        found = _target(value)
        if found:
            yield found
        for child in value.values():
            yield from _refs(child)
    elif isinstance(value, list):
        for child in value:
            yield from _refs(child)


def _literal_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _count(value: float) -> str:
    return f"{value:g}"


class _Template:
    def __init__(self, template: dict) -> None:
        self.resources: dict[str, dict] = template.get("Resources") or {}

    def props(self, logical_id: str | None) -> dict:
        if logical_id is None or logical_id not in self.resources:
            return {}
        return self.resources[logical_id].get("Properties") or {}

    def type_of(self, logical_id: str | None) -> str | None:
        resource = self.resources.get(logical_id or "")
        return resource.get("Type") if resource else None

    def of_type(self, resource_type: str) -> list[str]:
        return sorted(lid for lid, r in self.resources.items() if r.get("Type") == resource_type)

    def public_subnet(self, value: Any) -> bool:
        subnet = _target(value)
        return self.type_of(subnet) == "AWS::EC2::Subnet" and (
            self.props(subnet).get("MapPublicIpOnLaunch") is True
        )

    def eip_attached_to(self, instance_id: str) -> bool:
        for resource in self.resources.values():
            props = resource.get("Properties") or {}
            if resource.get("Type") in ("AWS::EC2::EIP", "AWS::EC2::EIPAssociation"):
                if _target(props.get("InstanceId")) == instance_id:
                    return True
        return False

    def subnet_az(self, subnet: str | None) -> str | None:
        """A subnet's literal AvailabilityZone, else None."""
        if self.type_of(subnet) != "AWS::EC2::Subnet":
            return None
        zone = self.props(subnet).get("AvailabilityZone")
        return zone if isinstance(zone, str) else None

    def nat_az(self, nat: str | None) -> str | None:
        """The AZ of a NAT gateway or NAT instance, from its subnet (or the instance's own AZ)."""
        props = self.props(nat)
        if self.type_of(nat) == "AWS::EC2::Instance" and isinstance(
            props.get("AvailabilityZone"), str
        ):
            return props["AvailabilityZone"]
        subnet = props.get("SubnetId")
        for interface in props.get("NetworkInterfaces") or []:
            if isinstance(interface, dict) and str(interface.get("DeviceIndex", "0")) == "0":
                subnet = subnet or interface.get("SubnetId")
        return self.subnet_az(_target(subnet))


# ---------------------------------------------------------------------------------------------
# Scheduled actions: a recurring cron expression -> the minutes of a week it fires at

WEEK_MINUTES = 7 * 24 * 60
DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
# minute, hour, day of month, month, day of week (0 and 7 are Sunday)
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CRON_NAMES = {
    3: {name: i + 1 for i, name in enumerate(_MONTHS)},
    4: {name.upper(): i for i, name in enumerate(DAY_NAMES)},
}


class NotWeekly(ValueError):
    """A Recurrence that is not a weekly pattern (or not a cron expression at all)."""


def _cron_value(token: str, index: int) -> int:
    names = _CRON_NAMES.get(index, {})
    if token.upper() in names:
        return names[token.upper()]
    if not token.isdigit():
        raise ValueError(f"{token!r} is not a number or name")
    return int(token)


def _cron_values(text: str, index: int) -> set[int]:
    """The values one cron field allows: ``*``, numbers, names, ranges, lists and steps."""
    low, high = _CRON_RANGES[index]
    values: set[int] = set()
    for part in text.split(","):
        spec, slash, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else 0
        if slash and step < 1:
            raise ValueError(f"bad step in {part!r}")
        if spec == "*":
            start, end = low, high
        elif "-" in spec:
            first, last = spec.split("-", 1)
            start, end = _cron_value(first, index), _cron_value(last, index)
        else:
            start = _cron_value(spec, index)
            end = high if slash else start
        if not low <= start <= end <= high:
            raise ValueError(f"{part!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step or 1))
    return values


def weekly_minutes(recurrence: str) -> set[int]:
    """The minutes of a week (0 = Sunday 00:00) a 5-field cron expression fires at.

    NotWeekly when a day-of-month or month field restricts it: those repeat by the calendar, not
    the week, and are not guessed at."""
    fields = recurrence.split()
    if len(fields) != 5:
        raise NotWeekly(f"Recurrence {recurrence!r} is not a 5-field cron expression")
    try:
        minutes, hours, days, months, weekdays = (
            _cron_values(text, i) for i, text in enumerate(fields)
        )
    except ValueError as error:
        raise NotWeekly(f"Recurrence {recurrence!r} is not a cron expression: {error}") from None
    if days != set(range(1, 32)) or months != set(range(1, 13)):
        raise NotWeekly(
            f"Recurrence {recurrence!r} names a day of the month or a month: not a weekly pattern"
        )
    # cron ORs the two day fields when both are restricted; a full day of month then matches all
    weekdays = {d % 7 for d in weekdays} if fields[2].startswith("*") else set(range(7))
    return {d * 1440 + h * 60 + m for d in weekdays for h in hours for m in minutes}


@dataclass(frozen=True)
class _Action:
    logical_id: str
    minutes: frozenset[int]
    min_size: float | None
    max_size: float | None
    desired: float | None


def capacity_by_minute(
    low: float, high: float, idle: float, actions: Iterable[_Action]
) -> list[float]:
    """The group's running count at idle, each minute of a week in steady state.

    An action's DesiredCapacity, else its MinSize (at idle the group sits at its minimum), is the
    new count, clamped to the group's current MinSize/MaxSize. The week is run twice so that, at
    its start, the last action of the week before is in force."""
    firing: dict[int, list[_Action]] = {}
    for action in sorted(actions, key=lambda a: a.logical_id):
        for minute in action.minutes:
            firing.setdefault(minute, []).append(action)
    count, counts = idle, []
    for lap in range(2):
        for minute in range(WEEK_MINUTES):
            for action in firing.get(minute, ()):
                low = low if action.min_size is None else action.min_size
                high = high if action.max_size is None else action.max_size
                chosen = action.desired if action.desired is not None else action.min_size
                count = min(max(count if chosen is None else chosen, low), high)
            if lap:
                counts.append(count)
    return counts


def _runs(deltas: list[float]) -> list[tuple[int, int, float]]:
    """(start, end, delta) runs of equal delta over the week; a run across Saturday night is one."""
    runs, start = [], 0
    for minute in range(1, WEEK_MINUTES + 1):
        if minute == WEEK_MINUTES or deltas[minute] != deltas[start]:
            runs.append((start, minute, deltas[start]))
            start = minute
    if len(runs) > 1 and runs[0][2] == runs[-1][2]:
        first, last = runs.pop(0), runs.pop()
        runs.append((last[0], first[1] + WEEK_MINUTES, last[2]))
    return sorted(runs)


def _clock(minute: int) -> tuple[str, str]:
    day, rest = divmod(minute % WEEK_MINUTES, 1440)
    return DAY_NAMES[day], f"{rest // 60:02d}:{rest % 60:02d}"


def window_text(start: int, end: int) -> str:
    """``Fri 17:00-23:00``, ``Fri 20:00-Mon 08:00`` or ``all week``."""
    if end - start >= WEEK_MINUTES:
        return "all week"
    day, since = _clock(start)
    if (end - 1) // 1440 == start // 1440:
        return f"{day} {since}-{'24:00' if end % 1440 == 0 else _clock(end)[1]}"
    return f"{day} {since}-{' '.join(_clock(end))}"


def schedule_text(deltas: list[float], zone: str, shown: int = 3) -> str:
    """``+2 instances 6 h/week (Fri 17:00-23:00 UTC)``, one part per distinct change."""
    by_delta: dict[float, list[tuple[int, int]]] = {}
    for start, end, delta in _runs(deltas):
        if delta:
            by_delta.setdefault(delta, []).append((start, end))
    parts = []
    for delta in sorted(by_delta, reverse=True):
        windows = by_delta[delta]
        hours = sum(end - start for start, end in windows) / 60
        text = ", ".join(window_text(*w) for w in windows[:shown])
        if len(windows) > shown:
            text += f", and {len(windows) - shown} more"
        noun = "instance" if abs(delta) == 1 else "instances"
        parts.append(f"{delta:+g} {noun} {hours:g} h/week ({text} {zone})")
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# Estimator

ASG = "AWS::AutoScaling::AutoScalingGroup"
SCHEDULED_ACTION = "AWS::AutoScaling::ScheduledAction"
CROSS_AZ_NAT = "AWS::EC2::Subnet (cross-AZ NAT)"
# An Aurora cluster that brings its own credentials or source is a primary, not a secondary.
_OWN_DATA_PROPS = (
    "MasterUsername",
    "MasterUserPassword",
    "ManageMasterUserPassword",
    "SourceDBClusterIdentifier",
)

# What an RDS read replica takes from its source instance when it does not say.
_INHERITED = ("Engine", "AllocatedStorage", "StorageType")

# Resource type -> the _Estimator method that prices it.
_HANDLERS: dict[str, str] = {
    "AWS::EC2::NatGateway": "nat_gateway",
    "AWS::EC2::EIP": "eip",
    "AWS::EC2::Instance": "instance",
    ASG: "auto_scaling_group",
    "AWS::AutoScaling::ScalingPolicy": "scaling_policy",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "scaling_policy",
    SCHEDULED_ACTION: "scheduled_action",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "load_balancer",
    "AWS::EC2::VPCEndpoint": "vpc_endpoint",
    "AWS::EC2::Volume": "volume",
    "AWS::RDS::DBCluster": "db_cluster",
    "AWS::RDS::DBInstance": "db_instance",
    "AWS::SecretsManager::Secret": "secret",
    "AWS::DynamoDB::Table": "dynamodb_table",
    "AWS::DynamoDB::GlobalTable": "dynamodb_table",
    "AWS::Kinesis::Stream": "kinesis_stream",
    "AWS::ElastiCache::ReplicationGroup": "cache_replication_group",
    "AWS::ElastiCache::CacheCluster": "cache_cluster",
    "AWS::EFS::FileSystem": "efs_file_system",
    "AWS::Route53::HealthCheck": "health_check",
}
HANDLED = set(_HANDLERS)


class _Estimator:
    def __init__(self, template: dict, table: dict, hours: float, estimate: Estimate) -> None:
        self.t = _Template(template)
        self.table = table
        self.hours = hours
        self.out = estimate
        self.actions: list[str] = []

    # -- recording -------------------------------------------------------------------------
    def hourly(self, label: str, quantity: float, rate: float, resource: str) -> None:
        self.out.items.append(
            LineItem(label, quantity, rate * self.hours, f"{_rate(rate)}/h", (resource,))
        )

    def monthly(self, label: str, quantity: float, each: float, basis: str, resource: str) -> None:
        self.out.items.append(LineItem(label, quantity, each, basis, (resource,)))

    def usage(self, resource_type: str, key: str, resource: str) -> None:
        self.out.usage.append(UsageItem(resource_type, self.table["usage"][key], (resource,)))

    def unpriced(self, resource_type: str, reason: str, resource: str) -> None:
        self.out.not_priced.append(Unpriced(resource_type, reason, (resource,)))

    def free(self, resource_type: str) -> None:
        self.out.free[resource_type] = self.out.free.get(resource_type, 0) + 1

    # -- dispatch --------------------------------------------------------------------------
    def run(self) -> None:
        for logical_id in sorted(self.t.resources):
            resource_type = self.t.resources[logical_id].get("Type", "")
            props = self.t.props(logical_id)
            if resource_type in _HANDLERS:
                getattr(self, _HANDLERS[resource_type])(logical_id, props)
            elif resource_type in MONTHLY:
                key, label = MONTHLY[resource_type]
                price = self.table[key]
                self.monthly(label, 1, price, f"{_money(price)}/month", logical_id)
                if resource_type in MONTHLY_USAGE:
                    self.usage(resource_type, MONTHLY_USAGE[resource_type], logical_id)
            elif resource_type in USAGE:
                self.usage(resource_type, USAGE[resource_type], logical_id)
            elif resource_type in FREE or resource_type.startswith(FREE_PREFIXES):
                self.free(resource_type)
            else:
                self.unpriced(resource_type, "type not in the price table", logical_id)
        self.scheduled_capacity()
        self.cross_az_nat()

    # -- handlers --------------------------------------------------------------------------
    def nat_gateway(self, logical_id: str, props: dict) -> None:
        self.hourly("NAT gateway", 1, self.table["nat_gateway_hourly"], logical_id)
        self.usage("AWS::EC2::NatGateway", "nat_gateway", logical_id)

    def kinesis_stream(self, logical_id: str, props: dict) -> None:
        """Billed while it exists, idle or not: per shard-hour (provisioned) or per stream-hour
        (on-demand), plus usage."""
        mode = (props.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
        if mode == "ON_DEMAND":
            rate = self.table["kinesis_on_demand_stream_hourly"]
            self.hourly("Kinesis stream (on-demand)", 1, rate, logical_id)
            self.usage("AWS::Kinesis::Stream", "kinesis_on_demand", logical_id)
            return
        shards = _literal_number(props.get("ShardCount", 1))
        if shards is None:
            self.unpriced("AWS::Kinesis::Stream", "shard count unknown at synthesis", logical_id)
            return
        rate = self.table["kinesis_shard_hourly"]
        self.hourly(f"Kinesis shard ({_count(shards)})", shards, rate, logical_id)
        self.usage("AWS::Kinesis::Stream", "kinesis_provisioned", logical_id)

    def eip(self, logical_id: str, props: dict) -> None:
        self.hourly("public IPv4 address", 1, self.table["public_ipv4_hourly"], logical_id)

    def _instance_type_price(self, instance_type: Any, logical_id: str, kind: str) -> float | None:
        if not isinstance(instance_type, str):
            self.unpriced(kind, "instance type is not a literal in the template", logical_id)
            return None
        price = self.table["ec2_instance_hourly"].get(instance_type)
        if price is None:
            self.unpriced(kind, f"instance type {instance_type} not in the price table", logical_id)
        return price

    def _ebs(self, mappings: Any) -> list[tuple[str, float | None, float | None, Any]]:
        """(label, GB, $/GB-month, device) per EBS volume; GB or price None when unknown."""
        if not mappings:
            size, volume_type = DEFAULT_ROOT_VOLUME
            label = f"EBS {volume_type} {size} GB (AMI default root volume, assumed)"
            return [(label, size, self.table["ebs_gb_month"][volume_type], None)]
        volumes = []
        for mapping in mappings:
            ebs = mapping.get("Ebs") if isinstance(mapping, dict) else None
            if not ebs:
                continue  # instance store or NoDevice: no EBS charge
            size = _literal_number(ebs.get("VolumeSize"))
            volume_type = ebs.get("VolumeType", "gp2")
            prices = self.table["ebs_gb_month"]
            price = prices.get(volume_type) if isinstance(volume_type, str) else None
            label = f"EBS {volume_type} {_count(size or 0)} GB"
            if "VolumeSize" not in ebs and "SnapshotId" not in ebs:
                # the volume takes the size of the AMI's snapshot for that device
                size = DEFAULT_ROOT_VOLUME[0]
                label = f"EBS {volume_type} {size} GB (the AMI's volume size, assumed)"
            volumes.append((label, size, price, mapping.get("DeviceName")))
        return volumes

    def _volumes(self, mappings: Any, count: float, logical_id: str, kind: str) -> None:
        for label, size, price, device in self._ebs(mappings):
            if size is None or price is None:
                self.unpriced(kind, f"EBS volume {device} size/type", logical_id)
                continue
            self.monthly(label, count, size * price, f"{_rate(price)}/GB-month", logical_id)

    def _launch_template_data(self, spec: Any) -> dict:
        if not isinstance(spec, dict):
            return {}
        lt = _target(spec.get("LaunchTemplateId")) or _target(spec.get("LaunchTemplateName"))
        if lt is None and isinstance(spec.get("LaunchTemplateName"), str):
            name = spec["LaunchTemplateName"]
            lt = next(
                (
                    lid
                    for lid, res in self.t.resources.items()
                    if res.get("Type") == "AWS::EC2::LaunchTemplate"
                    and (res.get("Properties") or {}).get("LaunchTemplateName") == name
                ),
                None,
            )
        return self.t.props(lt).get("LaunchTemplateData") or {}

    def instance(self, logical_id: str, props: dict) -> None:
        kind = "AWS::EC2::Instance"
        data = self._launch_template_data(props.get("LaunchTemplate"))
        instance_type = props.get("InstanceType", data.get("InstanceType"))
        price = self._instance_type_price(instance_type, logical_id, kind)
        if price is not None:
            self.hourly(f"EC2 {instance_type}", 1, price, logical_id)
        mappings = props.get("BlockDeviceMappings") or data.get("BlockDeviceMappings")
        self._volumes(mappings, 1, logical_id, kind)
        interfaces = props.get("NetworkInterfaces") or data.get("NetworkInterfaces") or []
        public = _interfaces_public(interfaces)
        if public is None:
            public = self.t.public_subnet(props.get("SubnetId"))
        if public and not self.t.eip_attached_to(logical_id):
            self.hourly("public IPv4 address", 1, self.table["public_ipv4_hourly"], logical_id)

    def _group_launch_data(self, props: dict) -> dict:
        """An Auto Scaling group's launch template data (or launch configuration properties)."""
        spec = props.get("LaunchTemplate") or (
            (props.get("MixedInstancesPolicy") or {})
            .get("LaunchTemplate", {})
            .get("LaunchTemplateSpecification")
        )
        if spec:
            return self._launch_template_data(spec)
        return self.t.props(_target(props.get("LaunchConfigurationName")))

    def _group_public(self, props: dict, data: dict) -> bool:
        public = _interfaces_public(data.get("NetworkInterfaces") or [])
        if public is None:
            public = data.get("AssociatePublicIpAddress")  # launch configurations
        if public is None:
            subnets = props.get("VPCZoneIdentifier") or []
            public = bool(subnets) and all(self.t.public_subnet(s) for s in subnets)
        return bool(public)

    def auto_scaling_group(self, logical_id: str, props: dict) -> None:
        count = _literal_number(props.get("DesiredCapacity", props.get("MinSize")))
        if count is None:
            self.unpriced(ASG, "DesiredCapacity/MinSize is not a literal", logical_id)
            return
        if count == 0:
            return
        data = self._group_launch_data(props)
        instance_type = data.get("InstanceType")
        price = self._instance_type_price(instance_type, logical_id, ASG)
        label = f"EC2 {instance_type} (Auto Scaling, {_count(count)} running idle)"
        if price is not None:
            self.hourly(label, count, price, logical_id)
        self._volumes(data.get("BlockDeviceMappings"), count, logical_id, ASG)
        if self._group_public(props, data):
            self.hourly("public IPv4 address", count, self.table["public_ipv4_hourly"], logical_id)
        if price is not None:
            self._reserve_the_minimum(logical_id, props, instance_type, price)

    def _reserve_the_minimum(
        self, logical_id: str, props: dict, instance_type: str, price: float
    ) -> None:
        """The group's MinSize runs all month: what committing to it would cost instead."""
        minimum = _literal_number(props.get("MinSize"))
        if not minimum or minimum < 1:
            return
        rates = self.table.get("ec2_1yr_no_upfront_hourly", {}).get(instance_type, {})
        self.out.reservations.append(
            Reservation(
                logical_id,
                instance_type,
                minimum,
                self.hours,
                price,
                rates.get("reserved_instance"),
                rates.get("compute_savings_plan"),
            )
        )

    def scaling_policy(self, logical_id: str, props: dict) -> None:
        """Target tracking: AWS creates a scale-out and a scale-in alarm outside the template."""
        kind = self.t.type_of(logical_id) or "AWS::AutoScaling::ScalingPolicy"
        if props.get("PolicyType") != "TargetTrackingScaling":
            self.free(kind)
            return
        price = self.table["cloudwatch_alarm_month"]
        self.monthly(
            "CloudWatch alarms created by a target-tracking policy (not in the template)",
            2,
            price,
            f"{_money(price)}/month per alarm: one to scale out, one to scale in",
            logical_id,
        )

    def scheduled_action(self, logical_id: str, props: dict) -> None:
        self.actions.append(logical_id)  # priced with its group in scheduled_capacity()

    def load_balancer(self, logical_id: str, props: dict) -> None:
        kind = props.get("Type", "application")
        if kind not in ("application", "network"):
            self.unpriced("AWS::ElasticLoadBalancingV2::LoadBalancer", f"{kind} LB", logical_id)
            return
        short = "alb" if kind == "application" else "nlb"
        label = "Application Load Balancer" if short == "alb" else "Network Load Balancer"
        self.hourly(label, 1, self.table[f"{short}_hourly"], logical_id)
        self.usage("AWS::ElasticLoadBalancingV2::LoadBalancer", short, logical_id)
        if props.get("Scheme", "internet-facing") == "internet-facing":
            azs = len(props.get("Subnets") or props.get("SubnetMappings") or [])
            if azs:
                self.hourly(
                    "public IPv4 address", azs, self.table["public_ipv4_hourly"], logical_id
                )

    def vpc_endpoint(self, logical_id: str, props: dict) -> None:
        kind = props.get("VpcEndpointType", "Gateway")
        if kind == "Gateway":
            self.free("AWS::EC2::VPCEndpoint (Gateway)")
            return
        if kind != "Interface":
            self.unpriced("AWS::EC2::VPCEndpoint", f"{kind} endpoint", logical_id)
            return
        azs = len(props.get("SubnetIds") or [])
        service = service_name(props.get("ServiceName"))
        self.hourly(
            f"interface endpoint {service} (per AZ)",
            azs,
            self.table["interface_endpoint_hourly_per_az"],
            logical_id,
        )
        self.usage("AWS::EC2::VPCEndpoint", "interface_endpoint", logical_id)

    def volume(self, logical_id: str, props: dict) -> None:
        """A volume of its own names its size ``Size`` (or takes its snapshot's: unknown here)."""
        ebs = {"VolumeSize": props.get("Size"), "VolumeType": props.get("VolumeType", "gp2")}
        self._volumes([{"Ebs": ebs}], 1, logical_id, "AWS::EC2::Volume")

    def db_cluster(self, logical_id: str, props: dict) -> None:
        """Storage and I/O; a secondary of a global database also pays replicated write I/O."""
        self.usage("AWS::RDS::DBCluster", "aurora_storage", logical_id)
        if props.get("GlobalClusterIdentifier") and not any(k in props for k in _OWN_DATA_PROPS):
            self.usage("AWS::RDS::DBCluster", "aurora_global_write_io", logical_id)
        self._managed_secret(logical_id, props)

    def _managed_secret(self, logical_id: str, props: dict) -> None:
        """ManageMasterUserPassword: RDS keeps the password in a secret of its own, outside the
        template, billed like any secret (and deleted with the database)."""
        if props.get("ManageMasterUserPassword") not in (True, "true"):
            return
        price = self.table["secret_month"]
        self.monthly(
            "Secrets Manager secret RDS manages for the master password (not in the template)",
            1,
            price,
            f"{_money(price)}/month",
            logical_id,
        )
        self.usage("AWS::SecretsManager::Secret", "secrets_requests", logical_id)

    def db_instance(self, logical_id: str, props: dict) -> None:
        kind = "AWS::RDS::DBInstance"
        cluster_id = _target(props.get("DBClusterIdentifier"))
        cluster = self.t.props(cluster_id)
        if cluster_id is None:
            self._managed_secret(logical_id, props)
        # a read replica inherits its source's engine and storage unless it states its own
        source = self.t.props(_target(props.get("SourceDBInstanceIdentifier")))
        props = {**{k: v for k, v in source.items() if k in _INHERITED}, **props}
        engine = str(props.get("Engine") or cluster.get("Engine") or "").lower()
        engine = {"aurora": "aurora-mysql"}.get(engine, engine)
        db_class = props.get("DBInstanceClass")
        if db_class == "db.serverless":
            capacity = _literal_number(
                (cluster.get("ServerlessV2ScalingConfiguration") or {}).get("MinCapacity")
            )
            if capacity is None:
                self.unpriced(kind, "serverless v2 minimum capacity unknown", logical_id)
                return
            if capacity == 0:
                self.usage(kind, "aurora_serverless_paused", logical_id)
                return
            rate = self.table["aurora_serverless_v2_acu_hourly"]
            self.hourly(
                f"Aurora Serverless v2, {_count(capacity)} ACU minimum",
                1,
                rate * capacity,
                logical_id,
            )
            return
        prices = self.table["rds_instance_hourly"].get(engine, {})
        price = prices.get(db_class) if isinstance(db_class, str) else None
        if price is None:
            self.unpriced(
                kind, f"{db_class} for engine {engine or '?'} not in the table", logical_id
            )
            return
        label = f"RDS {engine} {db_class}"
        if engine.startswith("aurora") and cluster.get("StorageType") == "aurora-iopt1":
            price *= self.table["aurora_io_optimized_instance_factor"]
            label += " (I/O-Optimized)"
        quantity = (
            2 if props.get("MultiAZ") in (True, "true") and not engine.startswith("aurora") else 1
        )
        if quantity == 2:
            label += " (Multi-AZ: 2 instances)"
        if source:
            label += " (read replica)"
        self.hourly(label, quantity, price, logical_id)
        if not engine.startswith("aurora"):
            size = _literal_number(props.get("AllocatedStorage"))
            storage_type = props.get("StorageType", "gp2")
            gb_price = self.table["rds_storage_gb_month"].get(storage_type)
            if size is None or gb_price is None:
                self.unpriced(kind, "allocated storage size/type", logical_id)
            else:
                self.monthly(
                    f"RDS {storage_type} storage {_count(size)} GB",
                    quantity,
                    size * gb_price,
                    f"{_rate(gb_price)}/GB-month",
                    logical_id,
                )

    def secret(self, logical_id: str, props: dict) -> None:
        price = self.table["secret_month"]
        replicas = len(props.get("ReplicaRegions") or [])
        label = "Secrets Manager secret" + (" (incl. replicas)" if replicas else "")
        self.monthly(label, 1 + replicas, price, f"{_money(price)}/month", logical_id)
        self.usage("AWS::SecretsManager::Secret", "secrets_requests", logical_id)

    def dynamodb_table(self, logical_id: str, props: dict) -> None:
        kind = self.t.type_of(logical_id) or "AWS::DynamoDB::Table"
        if props.get("BillingMode") == "PAY_PER_REQUEST":
            self.usage(kind, "dynamodb_on_demand", logical_id)
            return
        throughputs = [props.get("ProvisionedThroughput") or {}] + [
            index.get("ProvisionedThroughput") or {}
            for index in props.get("GlobalSecondaryIndexes") or []
        ]
        reads = [_literal_number(t.get("ReadCapacityUnits")) for t in throughputs]
        writes = [_literal_number(t.get("WriteCapacityUnits")) for t in throughputs]
        if None in reads or None in writes:
            self.unpriced(kind, "provisioned capacity is not a literal", logical_id)
            return
        self.hourly(
            "DynamoDB provisioned RCU",
            sum(reads),
            self.table["dynamodb_provisioned_rcu_hourly"],
            logical_id,
        )
        self.hourly(
            "DynamoDB provisioned WCU",
            sum(writes),
            self.table["dynamodb_provisioned_wcu_hourly"],
            logical_id,
        )

    def cache_replication_group(self, logical_id: str, props: dict) -> None:
        """Every node bills by the hour: the primary and each replica, in every shard."""
        kind = "AWS::ElastiCache::ReplicationGroup"
        if "NumNodeGroups" in props or "ReplicasPerNodeGroup" in props:
            shards = _literal_number(props.get("NumNodeGroups", 1))
            replicas = _literal_number(props.get("ReplicasPerNodeGroup", 0))
            nodes = None if shards is None or replicas is None else shards * (1 + replicas)
            shape = f"{_count(shards or 0)} shard(s) x (1 primary + {_count(replicas or 0)})"
        elif props.get("NodeGroupConfiguration"):
            groups = props["NodeGroupConfiguration"]
            counts = [_literal_number(g.get("ReplicaCount", 0)) for g in groups]
            nodes = None if None in counts else sum(1 + c for c in counts)
            shape = f"{len(groups)} shard(s)"
        else:
            nodes = _literal_number(props.get("NumCacheClusters", 1))
            replicas = (nodes or 1) - 1
            shape = "1 primary" + (
                f" + {_count(replicas)} replica{'s' * (replicas != 1)}"
                if replicas
                else ", no replica"
            )
        self._cache_nodes(kind, logical_id, props, nodes, shape)

    def cache_cluster(self, logical_id: str, props: dict) -> None:
        nodes = _literal_number(props.get("NumCacheNodes", 1))
        shape = f"{_count(nodes or 0)} node(s)"
        self._cache_nodes("AWS::ElastiCache::CacheCluster", logical_id, props, nodes, shape)

    def _cache_nodes(
        self, kind: str, logical_id: str, props: dict, nodes: float | None, shape: str
    ) -> None:
        engine = str(props.get("Engine") or "redis").lower()
        node_type = props.get("CacheNodeType")
        rates = self.table["elasticache_node_hourly"].get(engine, {})
        rate = rates.get(node_type) if isinstance(node_type, str) else None
        if nodes is None:
            self.unpriced(kind, "node count is not a literal", logical_id)
            return
        if rate is None:
            self.unpriced(kind, f"{node_type} for engine {engine} not in the table", logical_id)
            return
        self.hourly(f"ElastiCache {engine} {node_type} node ({shape})", nodes, rate, logical_id)
        if _literal_number(props.get("SnapshotRetentionLimit")):
            self.usage(kind, "elasticache_backup", logical_id)

    def efs_file_system(self, logical_id: str, props: dict) -> None:
        """Storage and throughput are usage; provisioned throughput bills by the month."""
        kind = "AWS::EFS::FileSystem"
        self.usage(kind, "efs", logical_id)
        if (props.get("BackupPolicy") or {}).get("Status") == "ENABLED":
            self.usage(kind, "efs_backup", logical_id)
        if props.get("ThroughputMode") == "provisioned":
            mibps = _literal_number(props.get("ProvisionedThroughputInMibps"))
            price = self.table["efs_provisioned_throughput_mibps_month"]
            if mibps is None:
                self.unpriced(kind, "provisioned throughput is not a literal", logical_id)
                return
            label = f"EFS provisioned throughput {_count(mibps)} MiB/s"
            self.monthly(label, mibps, price, f"{_money(price)}/MiB/s-month", logical_id)

    def health_check(self, logical_id: str, props: dict) -> None:
        """A monthly fee per check, higher for an endpoint outside AWS, plus each option."""
        config = props.get("HealthCheckConfig") or {}
        kind = str(config.get("Type", ""))
        prices = self.table["route53_health_check_month"]
        target = [config.get("IPAddress"), config.get("FullyQualifiedDomainName")]
        on_aws = kind in ("CALCULATED", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL") or any(
            self.t.type_of(lid) in _AWS_ENDPOINTS for lid in _refs(target)
        )
        where = "AWS endpoint" if on_aws else "endpoint not known to be AWS's: a literal address"
        basic = prices["aws_endpoint" if on_aws else "non_aws_endpoint"]
        self.monthly(
            f"Route 53 health check ({where})", 1, basic, f"{_money(basic)}/month", logical_id
        )
        option = prices["optional_feature_aws" if on_aws else "optional_feature_non_aws"]
        for feature in _health_check_options(kind, config):
            label = f"Route 53 health check option: {feature}"
            self.monthly(label, 1, option, f"{_money(option)}/month", logical_id)

    # -- passes over the whole template ----------------------------------------------------
    def scheduled_capacity(self) -> None:
        """Each group's recurring scheduled actions, simulated over a week."""
        by_group: dict[str, list[str]] = {}
        for logical_id in self.actions:
            group = _target(self.t.props(logical_id).get("AutoScalingGroupName"))
            if self.t.type_of(group) != ASG:
                self.unpriced(
                    SCHEDULED_ACTION, "its Auto Scaling group is not in this template", logical_id
                )
                continue
            by_group.setdefault(group or "", []).append(logical_id)
        for group, lids in by_group.items():
            self._group_schedule(group, lids)

    def _weekly_action(self, logical_id: str) -> _Action | str:
        """The action, or why it cannot be simulated."""
        props = self.t.props(logical_id)
        recurrence = props.get("Recurrence")
        if recurrence is None:
            return "one-time action (no Recurrence): not a weekly pattern"
        if not isinstance(recurrence, str):
            return "Recurrence is not a literal"
        raw = [props.get(k) for k in ("MinSize", "MaxSize", "DesiredCapacity")]
        sizes = [None if value is None else _literal_number(value) for value in raw]
        if any(value is not None and size is None for value, size in zip(raw, sizes, strict=True)):
            return "MinSize/MaxSize/DesiredCapacity is not a literal"
        try:
            minutes = weekly_minutes(recurrence)
        except NotWeekly as error:
            return str(error)
        return _Action(logical_id, frozenset(minutes), *sizes)

    def _schedule_problems(self, group: str, lids: list[str]) -> dict[str, str]:
        """Action -> why the group's schedule cannot be simulated (empty: it can)."""
        found = {lid: self._weekly_action(lid) for lid in lids}
        problems = {lid: reason for lid, reason in found.items() if isinstance(reason, str)}
        zones = sorted({str(self.t.props(lid).get("TimeZone") or "UTC") for lid in lids})
        props = self.t.props(group)
        if not problems and len(zones) > 1:
            problems = dict.fromkeys(lids, f"the group's actions use several time zones {zones}")
        sizes = [props.get("MinSize"), props.get("MaxSize")]
        sizes += [props["DesiredCapacity"]] if "DesiredCapacity" in props else []
        if not problems and any(_literal_number(size) is None for size in sizes):
            problems = dict.fromkeys(lids, "the group's size is not a literal")
        for lid in lids:
            if problems and lid not in problems:
                problems[lid] = f"{group}'s schedule is not simulated: {', '.join(problems)}"
        return problems

    def _group_schedule(self, group: str, lids: list[str]) -> None:
        problems = self._schedule_problems(group, lids)
        for lid in lids:
            if lid in problems:
                self.unpriced(SCHEDULED_ACTION, problems[lid], lid)
            else:
                self.free(SCHEDULED_ACTION)
        if problems:
            return
        props = self.t.props(group)
        idle_key = "DesiredCapacity" if "DesiredCapacity" in props else "MinSize"
        low, high, idle = (
            _literal_number(props[k]) or 0.0 for k in ("MinSize", "MaxSize", idle_key)
        )
        actions = [a for a in map(self._weekly_action, lids) if isinstance(a, _Action)]
        deltas = [count - idle for count in capacity_by_minute(low, high, idle, actions)]
        if any(deltas):
            zone = str(self.t.props(lids[0]).get("TimeZone") or "UTC")
            self._scheduled_item(group, lids, deltas, zone)

    def _instance_hour(self, group: str) -> tuple[float, str] | None:
        """What one instance of the group costs an hour (type, prorated EBS, IPv4) and why."""
        props = self.t.props(group)
        data = self._group_launch_data(props)
        instance_type = data.get("InstanceType")
        if not isinstance(instance_type, str):
            return None
        rate = self.table["ec2_instance_hourly"].get(instance_type)
        if rate is None:
            return None
        each, parts = rate, [f"EC2 {instance_type} {_rate(rate)}/h"]
        for label, size, price, _device in self._ebs(data.get("BlockDeviceMappings")):
            if size is not None and price is not None:
                each += size * price / self.hours
                parts.append(f"{label} at {_rate(price)}/GB-month prorated")
        if self._group_public(props, data):
            each += self.table["public_ipv4_hourly"]
            parts.append(f"public IPv4 {_rate(self.table['public_ipv4_hourly'])}/h")
        return each, " + ".join(parts)

    def _scheduled_item(self, group: str, lids: list[str], deltas: list[float], zone: str) -> None:
        priced = self._instance_hour(group)
        if priced is None:
            for lid in lids:
                self.unpriced(SCHEDULED_ACTION, "the group's instance type is not priced", lid)
            return
        each, parts = priced
        weeks = self.hours / 168
        instance_type = self._group_launch_data(self.t.props(group)).get("InstanceType")
        self.out.items.append(
            LineItem(
                f"EC2 {instance_type} instance-hours of scheduled capacity (Auto Scaling "
                "scheduled actions)",
                sum(deltas) / 60 * weeks,
                each,
                f"{schedule_text(deltas, zone)}, x {_count(self.hours)}/168 weeks a month; "
                f"per instance-hour {parts}",
                (group, *lids),
            )
        )

    def cross_az_nat(self) -> None:
        """Subnets whose default route leaves their AZ for a NAT in another (usage-priced)."""
        tables: dict[str | None, list[str]] = {}
        for lid in self.t.of_type("AWS::EC2::SubnetRouteTableAssociation"):
            props = self.t.props(lid)
            subnet = _target(props.get("SubnetId"))
            if subnet:
                tables.setdefault(_target(props.get("RouteTableId")), []).append(subnet)
        crossing: dict[str, str] = {}
        for lid in self.t.of_type("AWS::EC2::Route"):
            props = self.t.props(lid)
            if props.get("DestinationCidrBlock") != "0.0.0.0/0":
                continue
            nat = _target(props.get("NatGatewayId")) or _target(props.get("InstanceId"))
            nat_az = self.t.nat_az(nat)
            for subnet in tables.get(_target(props.get("RouteTableId")), []):
                zone = self.t.subnet_az(subnet)
                if nat_az and zone and zone != nat_az:
                    crossing[subnet] = zone
        if crossing:
            subnets, zones = len(crossing), len(set(crossing.values()))
            text = (
                f"{subnets} subnet{'s' * (subnets > 1)} in {zones} AZ{'s' * (zones > 1)} "
                f"send{'s' * (subnets == 1)} internet traffic through a NAT in another AZ: "
                f"{self.table['usage']['inter_az_transfer']}"
            )
            self.out.usage.append(UsageItem(CROSS_AZ_NAT, text, tuple(sorted(crossing))))


# What a health check's address can point at and still be an AWS endpoint (in this account).
_AWS_ENDPOINTS = (
    "AWS::EC2::Instance",
    "AWS::EC2::EIP",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::S3::Bucket",
    "AWS::CloudFront::Distribution",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGatewayV2::Api",
)


def _health_check_options(kind: str, config: dict) -> list[str]:
    """The optional features a health check configuration turns on (each billed monthly)."""
    options = []
    if kind.startswith("HTTPS"):
        options.append("HTTPS")
    if kind.endswith("STR_MATCH"):
        options.append("string matching")
    if _literal_number(config.get("RequestInterval")) == 10:
        options.append("fast interval (10 s)")
    if config.get("MeasureLatency") in (True, "true"):
        options.append("latency measurement")
    return options


def _interfaces_public(interfaces: Iterable[Any]) -> bool | None:
    """True/False when the network interfaces say whether a public IPv4 is assigned, else None."""
    for interface in interfaces:
        if isinstance(interface, dict) and "AssociatePublicIpAddress" in interface:
            return interface["AssociatePublicIpAddress"] is True
    return None


def service_name(value: Any) -> str:
    """An endpoint's service: ``com.amazonaws.<region>.s3``, literal or joined, -> ``s3``."""
    if isinstance(value, str):
        return value.rsplit(".", 1)[-1]
    if isinstance(value, dict) and "Fn::Join" in value:
        parts = value["Fn::Join"][1]
        if parts and isinstance(parts[-1], str):
            return parts[-1].lstrip(".")
    return "?"


def _merge(items: list[LineItem]) -> list[LineItem]:
    """Items with the same label and unit price summed; most expensive first, then by label."""
    merged: dict[tuple[str, float, str], LineItem] = {}
    for item in items:
        key = (item.label, round(item.each, 6), item.basis)
        if key in merged:
            old = merged[key]
            item = LineItem(
                item.label,
                old.quantity + item.quantity,
                item.each,
                item.basis,
                tuple(sorted(set(old.resources + item.resources))),
            )
        merged[key] = item
    return sorted(merged.values(), key=lambda i: (-round(i.monthly, 6), i.label))


def _merge_usage(items: list[UsageItem]) -> list[UsageItem]:
    """Items of the same type and unit prices merged (one type may have several)."""
    merged: dict[tuple[str, str], UsageItem] = {}
    for item in items:
        key = (item.resource_type, item.prices)
        if key in merged:
            item = UsageItem(*key, merged[key].resources + item.resources)
        merged[key] = item
    return [merged[key] for key in sorted(merged)]


def _merge_unpriced(items: list[Unpriced]) -> list[Unpriced]:
    merged: dict[tuple[str, str], Unpriced] = {}
    for item in items:
        key = (item.resource_type, item.reason)
        if key in merged:
            item = Unpriced(*key, merged[key].resources + item.resources)
        merged[key] = item
    return [merged[key] for key in sorted(merged)]


# ---------------------------------------------------------------------------------------------
# Left after `cdk destroy`

KEEPING_POLICIES = ("Retain", "RetainExceptOnCreate", "Snapshot")
KMS_KEYS = ("AWS::KMS::Key", "AWS::KMS::ReplicaKey")
KMS_DEFAULT_PENDING_DAYS = 30  # CloudFormation's default PendingWindowInDays (7 to 30 allowed)
_ENCRYPTED_DATA = "data encrypted under it (snapshots, retained logs) stays readable"
# Why a retained resource is worth keeping, by type.
KEPT_BECAUSE: dict[str, str] = {
    "AWS::Logs::LogGroup": "logs outlive the stack for audit",
    "AWS::KMS::Key": _ENCRYPTED_DATA,
    "AWS::KMS::ReplicaKey": _ENCRYPTED_DATA,
    "AWS::SecretsManager::Secret": "credentials of retained data",
    "AWS::S3::Bucket": "its objects",
    "AWS::DynamoDB::Table": "its items",
    "AWS::DynamoDB::GlobalTable": "its items",
    "AWS::SQS::Queue": "messages not yet processed (up to its retention)",
    "AWS::Kinesis::Stream": "records not yet expired (it bills while it exists)",
    "AWS::Glue::Database": "the catalog its tables describe",
    "AWS::Glue::Table": "the schema of retained data",
    "AWS::EC2::EIP": "its address: the DNS records, clients and allow-lists that name it keep "
    "working (an idle Elastic IP still bills as a public IPv4 address)",
    "AWS::Route53::HostedZone": "its records and its name servers (a new zone gets new ones: "
    "the domain's delegation would have to change)",
    "AWS::Route53::HealthCheck": "the alarms and records that name its id",
    "AWS::ElastiCache::ReplicationGroup": "the sessions it holds (it bills its nodes while kept)",
    "AWS::ElastiCache::CacheCluster": "the data it holds (it bills its nodes while kept)",
    "AWS::EFS::FileSystem": "its files (storage bills while it is kept)",
    "AWS::RDS::DBCluster": "its data (storage bills while it is kept)",
    "AWS::RDS::DBInstance": "its data (it bills its instance and storage while kept)",
}
# Snapshot-capable types whose snapshot storage prices.json knows (RDS: by engine, below).
SNAPSHOT_USAGE = {
    "AWS::EC2::Volume": "ebs_snapshot",
    "AWS::ElastiCache::ReplicationGroup": "elasticache_snapshot",
    "AWS::ElastiCache::CacheCluster": "elasticache_snapshot",
}
RDS_SNAPSHOTS = ("AWS::RDS::DBCluster", "AWS::RDS::DBInstance")


def deletion_policy(resource: dict) -> tuple[str, bool]:
    """The DeletionPolicy CloudFormation applies, and whether it is its default (not written)."""
    policy = resource.get("DeletionPolicy")
    if isinstance(policy, str):
        return policy, False
    props = resource.get("Properties") or {}
    kind = resource.get("Type")
    if kind == "AWS::RDS::DBCluster" or (
        kind == "AWS::RDS::DBInstance" and "DBClusterIdentifier" not in props
    ):
        return "Snapshot", True
    return "Delete", True


def _kept_by(policy: str, default: bool) -> str:
    return f"DeletionPolicy {policy}" + (" (CloudFormation's default for this type)" * default)


def _retained(lid: str, resource: dict, items: list[LineItem], usage: list[UsageItem]) -> Leftover:
    """A kept resource bills what it billed while the stack stood (its own line items)."""
    kind = resource.get("Type", "")
    policy, default = deletion_policy(resource)
    own = [item for item in items if lid in item.resources]
    basis = "; ".join(f"{i.label} {_money(i.monthly)}" for i in own) or "no fixed monthly price"
    texts = dict.fromkeys(u.prices for u in usage if lid in u.resources)
    why = KEPT_BECAUSE.get(kind, f"DeletionPolicy {policy} keeps it")
    if kind == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in (
        resource.get("Properties") or {}
    ):
        why = "an instance of its Aurora cluster, kept with it (it bills its capacity while kept)"
    if kind == "AWS::RDS::GlobalCluster":
        name = (resource.get("Properties") or {}).get("GlobalClusterIdentifier")
        identifier = f"identifier {name!r}" if isinstance(name, str) else "its identifier"
        why = f"costs nothing by itself but blocks re-creating {identifier}"
        texts = {}  # no member cluster is left to replicate
    fixed = sum(item.monthly for item in own)
    kept_by = _kept_by(policy, default)
    return Leftover(lid, kind, policy, kept_by, why, fixed, basis, "; ".join(texts))


def _snapshot(lid: str, resource: dict, table: dict) -> Leftover | None:
    """Snapshot: the resource is deleted, its final snapshot stays and bills its storage."""
    kind = resource.get("Type", "")
    props = resource.get("Properties") or {}
    policy, default = deletion_policy(resource)
    if kind == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in props:
        return None  # an Aurora instance: its cluster's policy decides the snapshot
    if kind == "AWS::RDS::DBInstance" and "SourceDBInstanceIdentifier" in props:
        return None  # RDS takes no final snapshot of a read replica: its source holds the data
    key = SNAPSHOT_USAGE.get(kind)
    if kind in RDS_SNAPSHOTS:
        engine = str(props.get("Engine") or "").lower()
        aurora = engine.startswith("aurora") or (kind == "AWS::RDS::DBCluster" and not engine)
        key = "aurora_snapshot" if aurora else "rds_snapshot"
    usage = table["usage"][key] if key else "snapshot storage: not in tools/prices.json"
    why = "a final snapshot is taken and kept"
    basis = "the resource itself is deleted; only its final snapshot stays"
    return Leftover(lid, kind, policy, _kept_by(policy, default), why, 0.0, basis, usage)


def _pending_key(lid: str, resource: dict, table: dict) -> Leftover:
    """A KMS key CloudFormation deletes is only scheduled for deletion: it lingers for days."""
    props = resource.get("Properties") or {}
    days = _literal_number(props.get("PendingWindowInDays")) or KMS_DEFAULT_PENDING_DAYS
    policy, _ = deletion_policy(resource)
    kept_by = (
        f"pending deletion for {_count(days)} days (DeletionPolicy {policy} schedules the key's "
        f"deletion; PendingWindowInDays, CloudFormation default {KMS_DEFAULT_PENDING_DAYS}, "
        "minimum 7)"
    )
    why = "AWS KMS never deletes a key at once: the deletion can be cancelled until the window ends"
    pending = table["kms_pending_deletion"]
    kind = resource.get("Type", "")
    return Leftover(lid, kind, policy, kept_by, why, pending["month"], pending["basis"], "")


def _lambda_group_names(t: _Template) -> set[str]:
    """Functions (logical ids) and function names the template's ``/aws/lambda/`` groups are for."""
    names = set()
    for lid in t.of_type("AWS::Logs::LogGroup"):
        name = t.props(lid).get("LogGroupName")
        if isinstance(name, str) and name.startswith("/aws/lambda/"):
            names.add(name.removeprefix("/aws/lambda/"))
        parts = (name or {}).get("Fn::Join", [None, []])[1] if isinstance(name, dict) else []
        if len(parts) == 2 and parts[0] == "/aws/lambda/":
            names.add(_target(parts[1]) or str(parts[1]))
    return names


def _lambda_log_groups(t: _Template, table: dict) -> list[Leftover]:
    """Functions that log to a group Lambda creates when they first run, outside the template."""
    owned = _lambda_group_names(t)
    found = []
    for lid in t.of_type("AWS::Lambda::Function"):
        props = t.props(lid)
        if (props.get("LoggingConfig") or {}).get("LogGroup") or lid in owned:
            continue
        if props.get("FunctionName") in owned:
            continue
        kept_by = (
            "Lambda creates the function's log group /aws/lambda/<function name> outside the "
            "template when it first runs: no DeletionPolicy applies"
        )
        why = "logs outlive the stack, with no retention set (kept until deleted by hand)"
        usage = table["usage"]["logs"]
        found.append(
            Leftover(lid, "AWS::Logs::LogGroup", "-", kept_by, why, 0.0, "no fixed price", usage)
        )
    return found


EFS_BACKUP_VAULT = "aws/efs/automatic-backup-vault"
EFS_BACKUP_RETENTION_DAYS = 35  # the retention of the backup plan EFS automatic backups use


def _efs_recovery_points(t: _Template, table: dict) -> list[Leftover]:
    """A file system with automatic backups leaves its recovery points in AWS Backup's vault."""
    found = []
    for lid in t.of_type("AWS::EFS::FileSystem"):
        if (t.props(lid).get("BackupPolicy") or {}).get("Status") != "ENABLED":
            continue
        kept_by = (
            f"EFS automatic backups: AWS Backup's default plan keeps the daily recovery points in "
            f"the vault {EFS_BACKUP_VAULT}, outside the template: no DeletionPolicy applies"
        )
        why = (
            f"restorable copies of its files outlive it until their retention "
            f"({EFS_BACKUP_RETENTION_DAYS} days) ends, or until deleted by hand"
        )
        usage = table["usage"]["efs_backup"]
        found.append(
            Leftover(
                lid, "AWS::Backup::RecoveryPoint", "-", kept_by, why, 0.0, "no fixed price", usage
            )
        )
    return found


def leftovers(
    template: dict, items: list[LineItem], usage: list[UsageItem], table: dict
) -> list[Leftover]:
    """What ``cdk destroy`` leaves behind of ``template``, from its (unmerged) priced items."""
    t = _Template(template)
    found: list[Leftover | None] = []
    for lid in sorted(t.resources):
        resource = t.resources[lid]
        policy, _ = deletion_policy(resource)
        if policy == "Snapshot":
            found.append(_snapshot(lid, resource, table))
        elif policy in KEEPING_POLICIES:
            found.append(_retained(lid, resource, items, usage))
        elif resource.get("Type") in KMS_KEYS:
            found.append(_pending_key(lid, resource, table))
    found += _lambda_log_groups(t, table)
    found += _efs_recovery_points(t, table)
    return sorted((left for left in found if left), key=lambda left: left.logical_id)


def infer_region(template: dict) -> str | None:
    """The region an availability-zone literal in the template names, if any."""
    text = json.dumps(template.get("Resources") or {})
    match = re.search(r'"AvailabilityZone": "([a-z]{2}(?:-[a-z]+)+-\d)[a-z]"', text)
    return match.group(1) if match else None


def estimate(
    template: dict,
    *,
    stack: str = "",
    profile: str = "",
    region: str | None = None,
    prices: dict | None = None,
    network: str = "own",
) -> Estimate:
    """The idle monthly cost of one template in ``region`` (else inferred, else us-east-1)."""
    prices = prices or load_prices()
    region = region or infer_region(template) or DEFAULT_REGION
    table = region_prices(prices, region)
    result = Estimate(stack=stack, profile=profile, region=region, network=network)
    _Estimator(template, table, prices["meta"]["hours_per_month"], result).run()
    result.left_after_destroy = leftovers(template, result.items, result.usage, table)
    result.items = _merge(result.items)
    result.usage = _merge_usage(result.usage)
    result.not_priced = _merge_unpriced(result.not_priced)
    return result


def unclassified_types(templates: Iterable[dict]) -> set[str]:
    """Resource types of ``templates`` that are neither priced nor classified free/usage."""
    known = set(FREE) | set(USAGE) | set(MONTHLY) | HANDLED
    found = set()
    for template in templates:
        for resource in (template.get("Resources") or {}).values():
            kind = resource.get("Type", "")
            if kind not in known and not kind.startswith(FREE_PREFIXES):
                found.add(kind)
    return found


# ---------------------------------------------------------------------------------------------
# cdk.out


NETWORK_ORDER = ("own", "shared")
NETWORK_WORDS = {"own": "one network per architecture", "shared": "one shared network per region"}
_NETWORK_DIR = re.compile(r"(?P<profile>.+)\+(?P<network>[a-z]+)-network")


@dataclass(frozen=True)
class StackTemplate:
    profile: str
    stack: str
    region: str | None
    template: dict
    network: str = "own"


def _profile_key(name: str) -> tuple[int, str]:
    return (PROFILE_ORDER.index(name) if name in PROFILE_ORDER else len(PROFILE_ORDER), name)


def _network_key(network: str) -> tuple[int, str]:
    order = NETWORK_ORDER.index(network) if network in NETWORK_ORDER else len(NETWORK_ORDER)
    return (order, network)


def profile_and_network(directory_name: str) -> tuple[str, str]:
    """``sandbox+shared-network`` -> (sandbox, shared); a plain profile directory -> own."""
    match = _NETWORK_DIR.fullmatch(directory_name)
    return (match["profile"], match["network"]) if match else (directory_name, "own")


def manifest_regions(assembly_dir: Path) -> dict[str, str]:
    """Stack name -> region, from a cloud assembly's manifest.json (empty when unreadable)."""
    try:
        manifest = json.loads((assembly_dir / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}
    regions = {}
    for artifact_id, artifact in (manifest.get("artifacts") or {}).items():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        region = str(artifact.get("environment", "")).rsplit("/", 1)[-1]
        name = (artifact.get("properties") or {}).get("stackName") or artifact_id
        if region and region != "unknown-region":
            regions[name] = region
    return regions


def load_template(path: Path) -> dict:
    """One template file; CostInputError naming the file when it is not a template."""
    try:
        template = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CostInputError(f"{path}: not a readable JSON template ({error})") from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise CostInputError(f"{path}: not a CloudFormation template (no 'Resources' object)")
    return template


def load_cdk_out(cdk_out: Path) -> list[StackTemplate]:
    """Every stack template under ``cdk_out``: ``<profile>/`` (network own) and
    ``<profile>+<network>-network/`` (``make cost`` writes ``sandbox+shared-network/``), for
    the app's profiles (``PROFILE_ORDER``). Other folders, such as the deploy proof's
    ``deploy-local/``, are not a profile of the collection and are left out."""
    hint = "run `make synth` first (it writes cdk.out/sandbox and cdk.out/production)"
    if not cdk_out.is_dir():
        raise CostInputError(f"{cdk_out}/ does not exist: {hint}")
    found = []
    for assembly in sorted(d for d in cdk_out.iterdir() if d.is_dir()):
        profile, network = profile_and_network(assembly.name)
        if profile not in PROFILE_ORDER:
            continue
        regions = manifest_regions(assembly)
        for path in sorted(assembly.glob("*.template.json")):
            stack = path.name.removesuffix(".template.json")
            template = load_template(path)
            found.append(StackTemplate(profile, stack, regions.get(stack), template, network))
    if not found:
        raise CostInputError(f"{cdk_out}/ holds no <profile>/*.template.json: {hint}")
    return found


def estimate_all(stacks: Iterable[StackTemplate], prices: dict | None = None) -> list[Estimate]:
    """Estimates by stack, then profile, then network (own first)."""
    prices = prices or load_prices()
    order = sorted(
        stacks, key=lambda s: (s.stack, _profile_key(s.profile), _network_key(s.network))
    )
    return [
        estimate(
            s.template,
            stack=s.stack,
            profile=s.profile,
            region=s.region,
            prices=prices,
            network=s.network,
        )
        for s in order
    ]


def collection_totals(estimates: Iterable[Estimate]) -> list[dict]:
    """Per (profile, network): how many stacks, their idle total and what destroy leaves."""
    totals: dict[tuple[str, str], dict] = {}
    for e in estimates:
        row = totals.setdefault(
            (e.profile, e.network),
            {
                "profile": e.profile,
                "network": e.network,
                "stacks": 0,
                "idle_monthly_usd": 0.0,
                "left_after_destroy_monthly_usd": 0.0,
            },
        )
        row["stacks"] += 1
        row["idle_monthly_usd"] += e.idle_monthly
        row["left_after_destroy_monthly_usd"] += e.left_after_destroy_monthly
    for row in totals.values():
        row["idle_monthly_usd"] = round(row["idle_monthly_usd"], 2)
        row["left_after_destroy_monthly_usd"] = round(row["left_after_destroy_monthly_usd"], 2)
    keys = sorted(totals, key=lambda k: (_profile_key(k[0]), _network_key(k[1])))
    return [totals[key] for key in keys]


# ---------------------------------------------------------------------------------------------
# Output


def item_text(item: LineItem) -> str:
    return f"{item.label} x{_count(item.quantity)} {_money(item.monthly)}"


def _summary_table(estimates: list[Estimate]) -> list[str]:
    head = ("stack", "profile", "network", "region", "idle $/month", f"top {TOP_ITEMS} line items")
    rows = [head]
    for e in estimates:
        top = "; ".join(item_text(i) for i in e.items[:TOP_ITEMS]) or "-"
        rows.append((e.stack, e.profile, e.network, e.region, f"{e.idle_monthly:,.2f}", top))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(4)] + [row[4].rjust(widths[4]), row[5]]
        lines.append("  ".join(cells))
    lines.insert(1, "-" * min(120, max(len(line) for line in lines)))
    return lines


RESERVE_THE_MINIMUM = (
    "reserve the minimum (a price comparison, not a purchase; instance-hours only: EBS volumes "
    "and public IPv4 addresses bill the same)"
)
COMMITMENTS = (
    ("reserved_hourly", "1-year Standard Reserved Instance, no upfront"),
    ("savings_plan_hourly", "1-year Compute Savings Plan, no upfront"),
)


def _commitment_text(r: Reservation, hourly: float | None) -> str:
    """``$3.80 ($0.0026/h each, saves $2.34 or 38%)``, or why there is no figure."""
    monthly = r.monthly(hourly)
    if hourly is None or monthly is None:
        return f"no 1-year price for {r.instance_type} in {PRICES_FILE.name}"
    saves = r.on_demand_monthly - monthly
    share = saves / r.on_demand_monthly if r.on_demand_monthly else 0.0
    return f"{_money(monthly)} ({_rate(hourly)}/h each, saves {_money(saves)} or {share:.0%})"


def reservation_text(r: Reservation) -> str:
    """One group's minimum, on-demand and at each 1-year commitment rate."""
    parts = [f"on-demand {_money(r.on_demand_monthly)} ({_rate(r.on_demand_hourly)}/h each)"]
    parts += [f"{name}: {_commitment_text(r, getattr(r, attr))}" for attr, name in COMMITMENTS]
    return f"{r.group}: MinSize {_count(r.minimum)} x {r.instance_type}, all month: " + "; ".join(
        parts
    )


def reservation_markdown(stack: str, estimates: dict[str, Estimate]) -> list[str]:
    """The docs' lines for ``stack`` (profile -> its estimate): one table of each group's
    minimum, a column per profile; nothing when no profile has a group with a minimum."""
    groups = sorted({r.group for e in estimates.values() for r in e.reservations})
    if not groups:
        return []
    names = list(estimates)
    out = [
        f"Reserve the minimum, `{stack}`: what each Auto Scaling group's `MinSize` instances, "
        "which run all month, would cost at 1-year commitment rates (a price comparison, not a "
        "purchase; instance-hours only: EBS volumes and public IPv4 addresses bill the same).",
        "",
        "| the minimum | " + " | ".join(names) + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for group in groups:
        found = {
            p: next((r for r in e.reservations if r.group == group), None)
            for p, e in estimates.items()
        }
        cells = [f"{_count(r.minimum)} x {r.instance_type}" if r else "-" for r in found.values()]
        out.append(f"| `{group}`: `MinSize` x instance type | " + " | ".join(cells) + " |")
        cells = [f"{_money(r.on_demand_monthly)}" if r else "-" for r in found.values()]
        out.append("| on-demand | " + " | ".join(cells) + " |")
        for attr, name in COMMITMENTS:
            cells = [_commitment_text(r, getattr(r, attr)) if r else "-" for r in found.values()]
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    return [*out, ""]


def leftover_text(left: Leftover) -> str:
    usage = f" + usage: {left.usage}" if left.usage else ""
    return (
        f"{left.logical_id} ({left.resource_type}), {left.kept_by}: {left.why}; "
        f"{_money(left.monthly)}/month ({left.basis}){usage}"
    )


def _stack_section(e: Estimate) -> list[str]:
    network = "" if e.network == "own" else f", network {e.network}"
    lines = [
        "",
        f"== {e.stack} ({e.profile}{network}, {e.region}): idle {_money(e.idle_monthly)}/month",
    ]
    lines += [
        f"  {item.label}: {_count(item.quantity)} x {unit_money(item.each)} ({item.basis}) "
        f"= {_money(item.monthly)}"
        for item in e.items
    ]
    lines += [
        f"  usage-priced {usage.resource_type} x{len(usage.resources)}: {usage.prices}"
        for usage in e.usage
    ]
    lines += [
        f"  NOT PRICED {unpriced.resource_type} x{len(unpriced.resources)}: "
        f"{unpriced.reason} ({', '.join(unpriced.resources)})"
        for unpriced in e.not_priced
    ]
    if e.reservations:
        lines.append(f"  {RESERVE_THE_MINIMUM}:")
        lines += [f"    {reservation_text(r)}" for r in e.reservations]
    if not e.left_after_destroy:
        return [*lines, "  left after cdk destroy: nothing"]
    lines.append(
        f"  left after cdk destroy: {len(e.left_after_destroy)} resource(s), "
        f"{_money(e.left_after_destroy_monthly)}/month fixed, plus usage"
    )
    return lines + [f"    {leftover_text(left)}" for left in e.left_after_destroy]


def totals_text(totals: list[dict]) -> list[str]:
    """Each collection's totals, then, per profile synthesized both ways, what sharing saves."""
    lines = ["Collection totals:"]
    for row in totals:
        lines.append(
            f"  {row['profile']}, {NETWORK_WORDS.get(row['network'], row['network'])} "
            f"({row['stacks']} stack{'s' * (row['stacks'] != 1)}): idle "
            f"{_money(row['idle_monthly_usd'])}/month, left "
            f"after cdk destroy {_money(row['left_after_destroy_monthly_usd'])}/month plus usage"
        )
    idle = {(row["profile"], row["network"]): row["idle_monthly_usd"] for row in totals}
    for profile in dict.fromkeys(row["profile"] for row in totals):
        if (profile, "own") in idle and (profile, "shared") in idle:
            own, shared = idle[profile, "own"], idle[profile, "shared"]
            change = (
                f"saves {_money(own - shared)}"
                if own >= shared
                else (f"costs {_money(shared - own)} more")
            )
            lines.append(
                f"whole {profile} collection idle: {NETWORK_WORDS['own']} {_money(own)}, "
                f"{NETWORK_WORDS['shared']} {_money(shared)} ({change})"
            )
    return lines


def render_text(estimates: list[Estimate], prices: dict) -> str:
    meta = prices["meta"]
    lines = _summary_table(estimates)
    for e in estimates:
        lines += _stack_section(e)
    lines += [
        "",
        f"Prices: {meta['currency']}, on-demand, {meta['hours_per_month']} h/month, read "
        f"{meta['read']} ({PRICES_FILE.name}). {meta['caveat']}",
        "",
        *totals_text(collection_totals(estimates)),
    ]
    return "\n".join(lines)


def render_json(estimates: list[Estimate], prices: dict) -> str:
    return json.dumps(
        {
            "prices": prices["meta"],
            "estimates": [e.to_dict() for e in estimates],
            "totals": collection_totals(estimates),
        },
        indent=2,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.cost", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--cdk-out", type=Path, default=Path("cdk.out"), help="default: cdk.out")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    try:
        stacks = load_cdk_out(args.cdk_out)
    except CostInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    prices = load_prices()
    estimates = estimate_all(stacks, prices)
    print(render_json(estimates, prices) if args.json else render_text(estimates, prices))
    return 0


if __name__ == "__main__":
    sys.exit(main())
