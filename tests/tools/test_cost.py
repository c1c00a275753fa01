"""The idle-cost estimator on small hand-written templates with hand-computed expectations,
and on the synthesized app of both profiles."""

from __future__ import annotations

import pytest

from tests.tools.queries import priced_items
from tools import cost
from tools.cost import HANDLED, estimate, unclassified_types

HOURS = 730


def _template(**resources: dict) -> dict:
    return {"Resources": resources}


PUBLIC_SUBNET = {"Type": "AWS::EC2::Subnet", "Properties": {"MapPublicIpOnLaunch": True}}
PRIVATE_SUBNET = {"Type": "AWS::EC2::Subnet", "Properties": {"MapPublicIpOnLaunch": False}}


def test_nat_gateway_with_its_eip_costs_two_hourly_prices():
    result = estimate(
        _template(
            Eip={"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
            Nat={
                "Type": "AWS::EC2::NatGateway",
                "Properties": {"AllocationId": {"Fn::GetAtt": ["Eip", "AllocationId"]}},
            },
        ),
        region="us-east-1",
    )
    # 0.045 * 730 = 32.85; 0.005 * 730 = 3.65
    assert priced_items(result) == {"NAT gateway": 32.85, "public IPv4 address": 3.65}
    assert result.idle_monthly == 36.50


def test_instance_in_a_public_subnet_pays_type_volume_and_address():
    result = estimate(
        _template(
            Subnet=PUBLIC_SUBNET,
            Box={
                "Type": "AWS::EC2::Instance",
                "Properties": {
                    "InstanceType": "t3.micro",
                    "SubnetId": {"Ref": "Subnet"},
                    "BlockDeviceMappings": [
                        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20, "VolumeType": "gp3"}}
                    ],
                },
            },
        ),
        region="us-west-2",
    )
    # 0.0104 * 730 = 7.592; 20 GB * 0.08 = 1.60; 3.65
    assert priced_items(result) == {
        "EC2 t3.micro": 7.592,
        "EBS gp3 20 GB": 1.6,
        "public IPv4 address": 3.65,
    }
    assert result.idle_monthly == 12.84


def test_instance_in_a_private_subnet_or_with_an_eip_pays_no_extra_address():
    template = _template(
        Subnet=PRIVATE_SUBNET,
        Box={
            "Type": "AWS::EC2::Instance",
            "Properties": {"InstanceType": "t4g.nano", "SubnetId": {"Ref": "Subnet"}},
        },
    )
    result = estimate(template, region="us-east-1")
    assert "public IPv4 address" not in priced_items(result)
    # no BlockDeviceMappings: the AMI's root volume, assumed 8 GB gp3 = 0.64
    assert priced_items(result)["EBS gp3 8 GB (AMI default root volume, assumed)"] == 0.64

    template["Resources"]["Subnet"] = PUBLIC_SUBNET
    template["Resources"]["Eip"] = {
        "Type": "AWS::EC2::EIP",
        "Properties": {"InstanceId": {"Ref": "Box"}},
    }
    result = estimate(template, region="us-east-1")
    assert [i.quantity for i in result.items if i.label == "public IPv4 address"] == [1]


def test_auto_scaling_group_runs_its_desired_capacity_from_its_launch_template():
    result = estimate(
        _template(
            Lt={
                "Type": "AWS::EC2::LaunchTemplate",
                "Properties": {
                    "LaunchTemplateData": {
                        "InstanceType": "t4g.micro",
                        "BlockDeviceMappings": [{"Ebs": {"VolumeSize": 10, "VolumeType": "gp3"}}],
                    }
                },
            },
            Subnet=PRIVATE_SUBNET,
            Asg={
                "Type": "AWS::AutoScaling::AutoScalingGroup",
                "Properties": {
                    "MinSize": "1",
                    "MaxSize": "4",
                    "DesiredCapacity": "2",
                    "LaunchTemplate": {
                        "LaunchTemplateId": {"Ref": "Lt"},
                        "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
                    },
                    "VPCZoneIdentifier": [{"Ref": "Subnet"}],
                },
            },
        ),
        region="us-east-1",
    )
    # 2 x 0.0084 * 730 = 12.264; 2 x 10 GB x 0.08 = 1.60
    assert priced_items(result) == {
        "EC2 t4g.micro (Auto Scaling, 2 running idle)": 12.264,
        "EBS gp3 10 GB": 1.6,
    }


def test_internet_facing_alb_pays_hours_and_one_address_per_az():
    result = estimate(
        _template(
            Alb={
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Scheme": "internet-facing", "Subnets": ["a", "b"]},
            }
        ),
        region="us-east-1",
    )
    # 0.0225 * 730 = 16.425; 2 x 3.65 = 7.30
    assert priced_items(result) == {"Application Load Balancer": 16.425, "public IPv4 address": 7.3}
    assert any(u.resource_type.endswith("LoadBalancer") for u in result.usage)


def test_aurora_instances_keys_secrets_and_interface_endpoints():
    result = estimate(
        _template(
            Cluster={"Type": "AWS::RDS::DBCluster", "Properties": {"Engine": "aurora-postgresql"}},
            Writer={
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "DBClusterIdentifier": {"Ref": "Cluster"},
                    "DBInstanceClass": "db.r6g.large",
                    "Engine": "aurora-postgresql",
                },
            },
            Key={"Type": "AWS::KMS::Key", "Properties": {}},
            Secret={"Type": "AWS::SecretsManager::Secret", "Properties": {}},
            Endpoint={
                "Type": "AWS::EC2::VPCEndpoint",
                "Properties": {
                    "VpcEndpointType": "Interface",
                    "ServiceName": "com.amazonaws.us-east-1.secretsmanager",
                    "SubnetIds": ["a", "b", "c"],
                },
            },
        ),
        region="us-east-1",
    )
    # 0.26 * 730 = 189.80; $1; $0.40; 3 AZ x 0.01 * 730 = 21.90
    assert priced_items(result) == {
        "RDS aurora-postgresql db.r6g.large": 189.8,
        "KMS customer managed key": 1.0,
        "Secrets Manager secret": 0.4,
        "interface endpoint secretsmanager (per AZ)": 21.9,
    }
    assert result.idle_monthly == 213.10
    assert "AWS::RDS::DBCluster" in {u.resource_type for u in result.usage}


def test_usage_priced_resources_are_listed_with_unit_prices_not_summed_as_zero():
    result = estimate(
        _template(
            Fn={"Type": "AWS::Lambda::Function", "Properties": {}},
            Api={"Type": "AWS::ApiGateway::RestApi", "Properties": {}},
            Table={
                "Type": "AWS::DynamoDB::Table",
                "Properties": {"BillingMode": "PAY_PER_REQUEST"},
            },
            Bucket={"Type": "AWS::S3::Bucket", "Properties": {}},
            Cdn={"Type": "AWS::CloudFront::Distribution", "Properties": {}},
        ),
        region="us-east-1",
    )
    assert result.items == [] and result.idle_monthly == 0
    usage = {u.resource_type: u.prices for u in result.usage}
    assert set(usage) == {
        "AWS::Lambda::Function",
        "AWS::ApiGateway::RestApi",
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
        "AWS::CloudFront::Distribution",
    }
    assert all("$" in text for text in usage.values())


def test_an_unknown_type_is_not_priced_never_silently_free():
    result = estimate(
        _template(
            Warehouse={"Type": "AWS::Redshift::Cluster", "Properties": {}},
            Big={"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": "x2iedn.32xlarge"}},
        ),
        region="us-east-1",
    )
    not_priced = {(u.resource_type, u.resources) for u in result.not_priced}
    assert ("AWS::Redshift::Cluster", ("Warehouse",)) in not_priced
    assert ("AWS::EC2::Instance", ("Big",)) in not_priced
    assert unclassified_types([_template(C={"Type": "AWS::Redshift::Cluster"})]) == {
        "AWS::Redshift::Cluster"
    }


def test_both_regions_the_app_uses_have_prices():
    prices = cost.load_prices()
    assert prices["meta"]["hours_per_month"] == HOURS
    assert (
        prices["meta"]["read"]
        and prices["meta"]["source"]
        and "not fetched" in (prices["meta"]["caveat"].lower())
    )
    for region in ("us-east-1", "us-west-2"):
        assert cost.region_prices(prices, region)["nat_gateway_hourly"] == 0.045
    with pytest.raises(KeyError, match="known: us-east-1, us-west-2"):
        cost.region_prices(prices, "eu-west-1")


def test_every_estimator_handler_is_declared_handled():
    assert HANDLED.isdisjoint(cost.FREE) and HANDLED.isdisjoint(cost.USAGE)
    missing = [
        m for m in cost._HANDLERS.values() if not callable(getattr(cost._Estimator, m, None))
    ]
    assert missing == []


@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_every_resource_type_of_the_app_is_priced_or_classified(synthesized, profile):
    templates = synthesized(profile).templates
    assert unclassified_types(templates.values()) == set()
    for stack, template in templates.items():
        assert estimate(template, stack=stack).not_priced == [], stack


def test_production_network_costs_more_by_exactly_the_extra_nat_gateways_and_eips(
    sandbox, production
):
    small = estimate(sandbox.template("Network"), region="us-east-1")
    large = estimate(production.template("Network"), region="us-east-1")

    def count(template: dict, rtype: str) -> int:
        return sum(r["Type"] == rtype for r in template["Resources"].values())

    extra_nats = count(production.template("Network"), "AWS::EC2::NatGateway") - count(
        sandbox.template("Network"), "AWS::EC2::NatGateway"
    )
    extra_eips = count(production.template("Network"), "AWS::EC2::EIP") - count(
        sandbox.template("Network"), "AWS::EC2::EIP"
    )
    assert extra_nats == extra_eips == 2
    expected = round(extra_nats * 0.045 * HOURS + extra_eips * 0.005 * HOURS, 2)  # 65.70 + 7.30
    assert round(large.idle_monthly - small.idle_monthly, 2) == expected == 73.0
