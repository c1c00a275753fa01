"""Idle monthly cost of synthesized CloudFormation templates, from the price table in the repo.

``python -m tools.cost [--cdk-out cdk.out] [--json]`` reads ``cdk.out/<profile>/*.template.json``
(what ``make synth`` writes) and prints, per stack and profile, what the stack costs a month while
it sits idle, its top line items, the usage-priced resources with their unit prices, and every
resource type the price table does not know ("not priced", never silently free).

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
  8 GB gp3 (Amazon Linux 2023), and the line item says so.

Pure Python over template dicts: nothing here needs jsii or AWS credentials.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
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
    "AWS::AutoScaling::ScalingPolicy": "no charge",
    "AWS::AutoScaling::ScheduledAction": "no charge",
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
    "AWS::RDS::GlobalCluster": "no charge by itself: its clusters' instances are priced",
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
    "AWS::RDS::DBCluster": "aurora_storage",
    "AWS::Serverless::Application": "serverless_application",
    "AWS::SNS::Topic": "sns",
    "AWS::SQS::Queue": "sqs",
    "AWS::Events::Rule": "events",
    "AWS::StepFunctions::StateMachine": "stepfunctions",
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


@dataclass
class Estimate:
    stack: str
    profile: str
    region: str
    items: list[LineItem] = field(default_factory=list)
    usage: list[UsageItem] = field(default_factory=list)
    not_priced: list[Unpriced] = field(default_factory=list)
    free: dict[str, int] = field(default_factory=dict)

    @property
    def idle_monthly(self) -> float:
        return round(sum(item.monthly for item in self.items), 2)

    def to_dict(self) -> dict:
        return {
            "stack": self.stack,
            "profile": self.profile,
            "region": self.region,
            "idle_monthly_usd": self.idle_monthly,
            "items": [
                {**asdict(item), "monthly": round(item.monthly, 4), "resources": item.resources}
                for item in self.items
            ],
            "usage_priced": [asdict(item) for item in self.usage],
            "not_priced": [asdict(item) for item in self.not_priced],
            "free": dict(sorted(self.free.items())),
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


# ---------------------------------------------------------------------------------------------
# Estimator


class _Estimator:
    def __init__(self, template: dict, table: dict, hours: float, estimate: Estimate) -> None:
        self.t = _Template(template)
        self.table = table
        self.hours = hours
        self.out = estimate

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

    # -- dispatch --------------------------------------------------------------------------
    def run(self) -> None:
        handlers: dict[str, Callable[[str, dict], None]] = {
            "AWS::EC2::NatGateway": self.nat_gateway,
            "AWS::EC2::EIP": self.eip,
            "AWS::EC2::Instance": self.instance,
            "AWS::AutoScaling::AutoScalingGroup": self.auto_scaling_group,
            "AWS::ElasticLoadBalancingV2::LoadBalancer": self.load_balancer,
            "AWS::EC2::VPCEndpoint": self.vpc_endpoint,
            "AWS::EC2::Volume": self.volume,
            "AWS::RDS::DBInstance": self.db_instance,
            "AWS::SecretsManager::Secret": self.secret,
            "AWS::DynamoDB::Table": self.dynamodb_table,
            "AWS::DynamoDB::GlobalTable": self.dynamodb_table,
        }
        for logical_id in sorted(self.t.resources):
            resource_type = self.t.resources[logical_id].get("Type", "")
            props = self.t.props(logical_id)
            if resource_type in handlers:
                handlers[resource_type](logical_id, props)
            elif resource_type in MONTHLY:
                key, label = MONTHLY[resource_type]
                price = self.table[key]
                self.monthly(label, 1, price, f"{_money(price)}/month", logical_id)
                if resource_type in MONTHLY_USAGE:
                    self.usage(resource_type, MONTHLY_USAGE[resource_type], logical_id)
            elif resource_type in USAGE:
                self.usage(resource_type, USAGE[resource_type], logical_id)
            elif resource_type in FREE or resource_type.startswith(FREE_PREFIXES):
                self.out.free[resource_type] = self.out.free.get(resource_type, 0) + 1
            else:
                self.unpriced(resource_type, "type not in the price table", logical_id)

    # -- handlers --------------------------------------------------------------------------
    def nat_gateway(self, logical_id: str, props: dict) -> None:
        self.hourly("NAT gateway", 1, self.table["nat_gateway_hourly"], logical_id)
        self.usage("AWS::EC2::NatGateway", "nat_gateway", logical_id)

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

    def _volumes(self, mappings: Any, count: float, logical_id: str, kind: str) -> None:
        if not mappings:
            size, volume_type = DEFAULT_ROOT_VOLUME
            price = self.table["ebs_gb_month"][volume_type]
            self.monthly(
                f"EBS {volume_type} {size} GB (AMI default root volume, assumed)",
                count,
                size * price,
                f"{_rate(price)}/GB-month",
                logical_id,
            )
            return
        for mapping in mappings:
            ebs = mapping.get("Ebs") if isinstance(mapping, dict) else None
            if not ebs:
                continue  # instance store or NoDevice: no EBS charge
            size = _literal_number(ebs.get("VolumeSize"))
            volume_type = ebs.get("VolumeType", "gp2")
            price = self.table["ebs_gb_month"].get(volume_type)
            if size is None or price is None:
                self.unpriced(kind, f"EBS volume {mapping.get('DeviceName')} size/type", logical_id)
                continue
            self.monthly(
                f"EBS {volume_type} {_count(size)} GB",
                count,
                size * price,
                f"{_rate(price)}/GB-month",
                logical_id,
            )

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

    def auto_scaling_group(self, logical_id: str, props: dict) -> None:
        kind = "AWS::AutoScaling::AutoScalingGroup"
        count = _literal_number(props.get("DesiredCapacity", props.get("MinSize")))
        if count is None:
            self.unpriced(kind, "DesiredCapacity/MinSize is not a literal", logical_id)
            return
        if count == 0:
            return
        spec = props.get("LaunchTemplate") or (
            (props.get("MixedInstancesPolicy") or {})
            .get("LaunchTemplate", {})
            .get("LaunchTemplateSpecification")
        )
        if spec:
            data = self._launch_template_data(spec)
        else:
            data = self.t.props(_target(props.get("LaunchConfigurationName")))
        instance_type = data.get("InstanceType")
        price = self._instance_type_price(instance_type, logical_id, kind)
        label = f"EC2 {instance_type} (Auto Scaling, {_count(count)} running idle)"
        if price is not None:
            self.hourly(label, count, price, logical_id)
        self._volumes(data.get("BlockDeviceMappings"), count, logical_id, kind)
        public = _interfaces_public(data.get("NetworkInterfaces") or [])
        if public is None:
            public = data.get("AssociatePublicIpAddress")  # launch configurations
        if public is None:
            subnets = props.get("VPCZoneIdentifier") or []
            public = bool(subnets) and all(self.t.public_subnet(s) for s in subnets)
        if public:
            self.hourly("public IPv4 address", count, self.table["public_ipv4_hourly"], logical_id)

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
            self.out.free["AWS::EC2::VPCEndpoint (Gateway)"] = (
                self.out.free.get("AWS::EC2::VPCEndpoint (Gateway)", 0) + 1
            )
            return
        if kind != "Interface":
            self.unpriced("AWS::EC2::VPCEndpoint", f"{kind} endpoint", logical_id)
            return
        azs = len(props.get("SubnetIds") or [])
        service = _service_name(props.get("ServiceName"))
        self.hourly(
            f"interface endpoint {service} (per AZ)",
            azs,
            self.table["interface_endpoint_hourly_per_az"],
            logical_id,
        )
        self.usage("AWS::EC2::VPCEndpoint", "interface_endpoint", logical_id)

    def volume(self, logical_id: str, props: dict) -> None:
        self._volumes([{"Ebs": props}], 1, logical_id, "AWS::EC2::Volume")

    def db_instance(self, logical_id: str, props: dict) -> None:
        kind = "AWS::RDS::DBInstance"
        cluster_id = _target(props.get("DBClusterIdentifier"))
        cluster = self.t.props(cluster_id)
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
        quantity = 2 if props.get("MultiAZ") is True and not engine.startswith("aurora") else 1
        if quantity == 2:
            label += " (Multi-AZ: 2 instances)"
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


def _interfaces_public(interfaces: Iterable[Any]) -> bool | None:
    """True/False when the network interfaces say whether a public IPv4 is assigned, else None."""
    for interface in interfaces:
        if isinstance(interface, dict) and "AssociatePublicIpAddress" in interface:
            return interface["AssociatePublicIpAddress"] is True
    return None


def _service_name(value: Any) -> str:
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
    merged: dict[str, UsageItem] = {}
    for item in items:
        if item.resource_type in merged:
            old = merged[item.resource_type]
            item = UsageItem(item.resource_type, item.prices, old.resources + item.resources)
        merged[item.resource_type] = item
    return [merged[key] for key in sorted(merged)]


def _merge_unpriced(items: list[Unpriced]) -> list[Unpriced]:
    merged: dict[tuple[str, str], Unpriced] = {}
    for item in items:
        key = (item.resource_type, item.reason)
        if key in merged:
            item = Unpriced(*key, merged[key].resources + item.resources)
        merged[key] = item
    return [merged[key] for key in sorted(merged)]


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
) -> Estimate:
    """The idle monthly cost of one template in ``region`` (else inferred, else us-east-1)."""
    prices = prices or load_prices()
    region = region or infer_region(template) or DEFAULT_REGION
    table = region_prices(prices, region)
    result = Estimate(stack=stack, profile=profile, region=region)
    _Estimator(template, table, prices["meta"]["hours_per_month"], result).run()
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


HANDLED = {
    "AWS::EC2::NatGateway",
    "AWS::EC2::EIP",
    "AWS::EC2::Instance",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::Volume",
    "AWS::RDS::DBInstance",
    "AWS::SecretsManager::Secret",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
}


# ---------------------------------------------------------------------------------------------
# cdk.out


@dataclass(frozen=True)
class StackTemplate:
    profile: str
    stack: str
    region: str | None
    template: dict


def _profile_key(name: str) -> tuple[int, str]:
    return (PROFILE_ORDER.index(name) if name in PROFILE_ORDER else len(PROFILE_ORDER), name)


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
    """Every stack template of every profile under ``cdk_out`` (``cdk.out/<profile>/``)."""
    hint = "run `make synth` first (it writes cdk.out/sandbox and cdk.out/production)"
    if not cdk_out.is_dir():
        raise CostInputError(f"{cdk_out}/ does not exist: {hint}")
    found = []
    profile_dirs = sorted(
        (d for d in cdk_out.iterdir() if d.is_dir()), key=lambda d: _profile_key(d.name)
    )
    for profile_dir in profile_dirs:
        regions = manifest_regions(profile_dir)
        for path in sorted(profile_dir.glob("*.template.json")):
            stack = path.name.removesuffix(".template.json")
            found.append(
                StackTemplate(profile_dir.name, stack, regions.get(stack), load_template(path))
            )
    if not found:
        raise CostInputError(f"{cdk_out}/ holds no <profile>/*.template.json: {hint}")
    return found


def estimate_all(stacks: Iterable[StackTemplate], prices: dict | None = None) -> list[Estimate]:
    prices = prices or load_prices()
    return [
        estimate(s.template, stack=s.stack, profile=s.profile, region=s.region, prices=prices)
        for s in sorted(stacks, key=lambda s: (s.stack, _profile_key(s.profile)))
    ]


# ---------------------------------------------------------------------------------------------
# Output


def item_text(item: LineItem) -> str:
    return f"{item.label} x{_count(item.quantity)} {_money(item.monthly)}"


def render_text(estimates: list[Estimate], prices: dict) -> str:
    meta = prices["meta"]
    rows = [("stack", "profile", "region", "idle $/month", f"top {TOP_ITEMS} line items")]
    for e in estimates:
        top = "; ".join(item_text(i) for i in e.items[:TOP_ITEMS]) or "-"
        rows.append((e.stack, e.profile, e.region, f"{e.idle_monthly:,.2f}", top))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2])]
        cells.append(row[3].rjust(widths[3]))
        lines.append("  ".join(cells + [row[4]]))
    lines.insert(1, "-" * min(120, max(len(line) for line in lines)))
    for e in estimates:
        lines += [
            "",
            f"== {e.stack} ({e.profile}, {e.region}): idle {_money(e.idle_monthly)}/month",
        ]
        lines += [
            f"  {item.label}: {_count(item.quantity)} x {_money(item.each)} ({item.basis}) "
            f"= {_money(item.monthly)}"
            for item in e.items
        ]
        for usage in e.usage:
            lines.append(
                f"  usage-priced {usage.resource_type} x{len(usage.resources)}: {usage.prices}"
            )
        for unpriced in e.not_priced:
            lines.append(
                f"  NOT PRICED {unpriced.resource_type} x{len(unpriced.resources)}: "
                f"{unpriced.reason} ({', '.join(unpriced.resources)})"
            )
    lines += [
        "",
        f"Prices: {meta['currency']}, on-demand, {meta['hours_per_month']} h/month, read "
        f"{meta['read']} ({PRICES_FILE.name}). {meta['caveat']}",
    ]
    return "\n".join(lines)


def render_json(estimates: list[Estimate], prices: dict) -> str:
    return json.dumps(
        {"prices": prices["meta"], "estimates": [e.to_dict() for e in estimates]}, indent=2
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
