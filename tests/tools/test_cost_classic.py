"""What the classic architectures add to the cost model (WhatIsTheTime, MyClothes, MyWordPress):
Elastic IPs, Route 53 zones and health checks, ElastiCache nodes, EFS, Aurora that pauses, RDS
Multi-AZ and read replicas, what teardown leaves of them, and the notes' v7 lesson "reserve
capacity for the minimum" [004:2390-2398] as a price comparison. Small hand-written templates,
hand-computed numbers (730 hours a month, us-east-1)."""

from __future__ import annotations

import pytest

from tests.tools.queries import priced_items, usage_prices
from tools import cost
from tools.cost import estimate, unclassified_types

HOURS = 730
TABLE = cost.region_prices(cost.load_prices(), "us-east-1")


def _template(**resources: dict) -> dict:
    return {"Resources": resources}


def _resource(kind: str, policy: str | None = None, **props) -> dict:
    resource: dict = {"Type": kind, "Properties": props}
    if policy:
        resource["DeletionPolicy"] = policy
    return resource


PUBLIC_SUBNET = _resource("AWS::EC2::Subnet", MapPublicIpOnLaunch=True)


# -- Elastic IPs and public instances ---------------------------------------------------------


def test_an_elastic_ip_bills_as_one_public_address_and_replaces_the_instance_s_own():
    interface = [{"AssociatePublicIpAddress": True, "DeviceIndex": "0"}]
    instance = _resource("AWS::EC2::Instance", InstanceType="t4g.nano", NetworkInterfaces=interface)
    template = _template(
        Box=instance,
        Eip=_resource("AWS::EC2::EIP", Domain="vpc"),
        Assoc=_resource(
            "AWS::EC2::EIPAssociation",
            AllocationId={"Fn::GetAtt": ["Eip", "AllocationId"]},
            InstanceId={"Ref": "Box"},
        ),
    )
    # one address (the EIP, $3.65), not two; t4g.nano 0.0042 x 730 = 3.066
    result = estimate(template)
    assert [i.quantity for i in result.items if i.label == "public IPv4 address"] == [1]
    assert priced_items(result)["EC2 t4g.nano"] == 3.066
    del template["Resources"]["Eip"], template["Resources"]["Assoc"]
    # without its EIP, the auto-assigned address bills instead: still one
    assert [i.quantity for i in estimate(template).items if "IPv4" in i.label] == [1]


def test_an_ebs_mapping_without_a_size_takes_the_ami_s_size_assumed_8_gb():
    mapping = [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeType": "gp3", "Encrypted": True}}]
    result = estimate(
        _template(
            Nat=_resource(
                "AWS::EC2::Instance", InstanceType="t4g.nano", BlockDeviceMappings=mapping
            )
        )
    )
    assert result.not_priced == []
    assert priced_items(result)["EBS gp3 8 GB (the AMI's volume size, assumed)"] == 0.64


# -- Route 53 ---------------------------------------------------------------------------------


def test_a_hosted_zone_public_or_private_costs_fifty_cents_and_its_records_are_usage():
    private = _resource("AWS::Route53::HostedZone", Name="x.internal.", VPCs=[{"VPCId": "v"}])
    result = estimate(
        _template(
            Zone=private,
            Record=_resource("AWS::Route53::RecordSet", HostedZoneId={"Ref": "Zone"}, TTL="3600"),
        )
    )
    assert priced_items(result) == {"Route 53 hosted zone": 0.5}
    assert "$0.40 per 1M standard queries" in usage_prices(result)["AWS::Route53::RecordSet"][0]


def test_a_health_check_of_an_instance_is_an_aws_endpoint_at_fifty_cents():
    config = {
        "Type": "HTTP",
        "IPAddress": {"Fn::GetAtt": ["Box", "PublicIp"]},
        "Port": 80,
        "ResourcePath": "/health",
        "RequestInterval": 30,
    }
    result = estimate(
        _template(
            Box=_resource("AWS::EC2::Instance", InstanceType="t4g.nano"),
            Check=_resource("AWS::Route53::HealthCheck", HealthCheckConfig=config),
        )
    )
    assert priced_items(result)["Route 53 health check (AWS endpoint)"] == 0.5
    assert not [label for label in priced_items(result) if "option" in label]


def test_a_health_check_of_a_literal_address_is_non_aws_and_each_option_bills_monthly():
    config = {
        "Type": "HTTPS_STR_MATCH",
        "IPAddress": "192.0.2.10",
        "RequestInterval": 10,
        "MeasureLatency": True,
        "SearchString": "ok",
    }
    result = estimate(
        _template(Check=_resource("AWS::Route53::HealthCheck", HealthCheckConfig=config))
    )
    options = {k: v for k, v in priced_items(result).items() if "option" in k}
    # $0.75 basic + 4 options (HTTPS, string matching, fast interval, latency) x $2.00
    assert options == {
        "Route 53 health check option: HTTPS": 2.0,
        "Route 53 health check option: string matching": 2.0,
        "Route 53 health check option: fast interval (10 s)": 2.0,
        "Route 53 health check option: latency measurement": 2.0,
    }
    assert result.idle_monthly == 8.75


# -- ElastiCache ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "engine,nodes,expected",
    [
        ("valkey", "2", 18.688),  # primary + replica: 2 x 0.0128 x 730
        ("valkey", "1", 9.344),
        ("redis", "1", 11.68),  # Redis OSS: 0.016 x 730 (Valkey is 20% less)
    ],
)
def test_every_replication_group_node_bills_replicas_included(engine, nodes, expected):
    group = _resource(
        "AWS::ElastiCache::ReplicationGroup",
        Engine=engine,
        CacheNodeType="cache.t4g.micro",
        NumCacheClusters=nodes,
    )
    result = estimate(_template(Group=group, Subnets=_resource("AWS::ElastiCache::SubnetGroup")))
    assert [round(i.monthly, 4) for i in result.items] == [expected]
    assert result.items[0].quantity == int(nodes)
    assert result.free == {"AWS::ElastiCache::SubnetGroup": 1}


def test_a_cluster_mode_group_bills_shards_times_primary_and_replicas():
    group = _resource(
        "AWS::ElastiCache::ReplicationGroup",
        Engine="valkey",
        CacheNodeType="cache.t4g.small",
        NumNodeGroups=2,
        ReplicasPerNodeGroup=1,
    )
    (item,) = estimate(_template(Group=group)).items
    assert item.quantity == 4 and round(item.monthly, 4) == round(4 * 0.0256 * HOURS, 4)


def test_cache_backups_are_usage_and_an_unknown_node_type_is_not_priced():
    kind = "AWS::ElastiCache::ReplicationGroup"
    kept = _resource(
        kind, Engine="valkey", CacheNodeType="cache.t4g.micro", SnapshotRetentionLimit=1
    )
    assert "$0.085 per GB-month" in usage_prices(estimate(_template(G=kept)))[kind][0]
    odd = _resource(kind, Engine="valkey", CacheNodeType="cache.x9.huge")
    (unpriced,) = estimate(_template(G=odd)).not_priced
    assert unpriced.resource_type == kind and "cache.x9.huge" in unpriced.reason


def test_a_cache_cluster_bills_its_nodes():
    cluster = _resource(
        "AWS::ElastiCache::CacheCluster",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=2,
    )
    assert priced_items(estimate(_template(C=cluster))) == {
        "ElastiCache redis cache.t3.micro node (2 node(s))": round(2 * 0.017 * HOURS, 4)
    }


# -- EFS --------------------------------------------------------------------------------------


def test_an_efs_file_system_is_usage_priced_and_its_mount_targets_and_access_points_free():
    result = estimate(
        _template(
            Files=_resource("AWS::EFS::FileSystem", ThroughputMode="elastic"),
            TargetA=_resource("AWS::EFS::MountTarget", FileSystemId={"Ref": "Files"}),
            TargetB=_resource("AWS::EFS::MountTarget", FileSystemId={"Ref": "Files"}),
            Point=_resource("AWS::EFS::AccessPoint", FileSystemId={"Ref": "Files"}),
        )
    )
    assert result.items == [] and result.not_priced == []
    assert result.free == {"AWS::EFS::MountTarget": 2, "AWS::EFS::AccessPoint": 1}
    (text,) = usage_prices(result)["AWS::EFS::FileSystem"]
    assert "$0.30 per GB-month" in text and "$0.016" in text


def test_efs_provisioned_throughput_bills_by_the_month():
    files = _resource(
        "AWS::EFS::FileSystem", ThroughputMode="provisioned", ProvisionedThroughputInMibps=10
    )
    assert priced_items(estimate(_template(Files=files))) == {
        "EFS provisioned throughput 10 MiB/s": 60.0  # 10 x $6.00
    }


def test_efs_automatic_backups_are_usage_and_leave_recovery_points_after_destroy():
    files = _resource("AWS::EFS::FileSystem", BackupPolicy={"Status": "ENABLED"})
    result = estimate(_template(Files=files))
    assert any("AWS Backup" in text for text in usage_prices(result)["AWS::EFS::FileSystem"])
    (left,) = result.left_after_destroy
    assert left.resource_type == "AWS::Backup::RecoveryPoint" and left.logical_id == "Files"
    assert cost.EFS_BACKUP_VAULT in left.kept_by and "35 days" in left.why
    assert left.monthly == 0 and "$0.05 per GB-month" in left.usage
    disabled = _resource("AWS::EFS::FileSystem", BackupPolicy={"Status": "DISABLED"})
    assert estimate(_template(Files=disabled)).left_after_destroy == []


# -- Aurora and RDS ---------------------------------------------------------------------------


def _aurora(min_acu: float, readers: int = 0) -> dict:
    resources = {
        "Cluster": _resource(
            "AWS::RDS::DBCluster",
            "Delete",
            Engine="aurora-postgresql",
            ServerlessV2ScalingConfiguration={"MinCapacity": min_acu, "MaxCapacity": 8},
        )
    }
    for i in range(1 + readers):
        resources[f"Instance{i}"] = _resource(
            "AWS::RDS::DBInstance",
            DBClusterIdentifier={"Ref": "Cluster"},
            DBInstanceClass="db.serverless",
            Engine="aurora-postgresql",
        )
    return {"Resources": resources}


def test_serverless_v2_at_0_acu_pauses_storage_only_no_compute_line():
    result = estimate(_aurora(0))
    assert result.items == [] and result.idle_monthly == 0
    (text,) = usage_prices(result)["AWS::RDS::DBInstance"]
    assert "pauses" in text and "storage only" in text


def test_serverless_v2_bills_each_instance_readers_included_at_the_minimum_acu():
    result = estimate(_aurora(0.5, readers=1))
    # writer + reader: 2 x 0.5 ACU x $0.12 x 730 = 87.60
    (item,) = result.items
    assert item.quantity == 2 and round(item.monthly, 2) == 87.6


def test_provisioned_aurora_bills_writer_and_readers_as_instances():
    template = _aurora(0.5, readers=2)
    for lid in ("Instance0", "Instance1", "Instance2"):
        template["Resources"][lid]["Properties"]["DBInstanceClass"] = "db.r6g.large"
    (item,) = estimate(template).items
    assert item.quantity == 3 and round(item.monthly, 2) == round(3 * 0.26 * HOURS, 2)


def test_rds_multi_az_doubles_the_instance_and_its_storage():
    primary = _resource(
        "AWS::RDS::DBInstance",
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        MultiAZ=True,
        AllocatedStorage="20",
        StorageType="gp3",
    )
    items = priced_items(estimate(_template(Db=primary)))
    # 2 x 0.016 x 730 = 23.36; 2 x 20 GB x 0.115 = 4.60
    assert items == {
        "RDS postgres db.t4g.micro (Multi-AZ: 2 instances)": 23.36,
        "RDS gp3 storage 20 GB": 4.6,
    }


def test_a_read_replica_bills_as_an_instance_with_its_source_s_engine_and_storage():
    source = _resource(
        "AWS::RDS::DBInstance",
        Engine="mysql",
        DBInstanceClass="db.t4g.small",
        AllocatedStorage="20",
        StorageType="gp3",
    )
    replica = _resource(
        "AWS::RDS::DBInstance",
        SourceDBInstanceIdentifier={"Ref": "Primary"},
        DBInstanceClass="db.t4g.small",
    )
    result = estimate(_template(Primary=source, Replica=replica))
    assert result.not_priced == []
    items = priced_items(result)
    assert items["RDS mysql db.t4g.small (read replica)"] == round(0.032 * HOURS, 4)
    assert [i.quantity for i in result.items if i.label == "RDS gp3 storage 20 GB"] == [2]
    # CloudFormation's Snapshot default: the source's final snapshot; none of the replica
    assert [left.logical_id for left in result.left_after_destroy] == ["Primary"]


def test_a_password_rds_manages_is_a_secret_outside_the_template():
    template = _aurora(0)
    template["Resources"]["Cluster"]["Properties"]["ManageMasterUserPassword"] = True
    items = priced_items(estimate(template))
    assert items == {
        "Secrets Manager secret RDS manages for the master password (not in the template)": 0.4
    }


# -- what teardown leaves ---------------------------------------------------------------------


def test_retained_classic_resources_say_why_and_keep_billing():
    left = {
        item.logical_id: item
        for item in estimate(
            _template(
                Eip=_resource("AWS::EC2::EIP", "Retain", Domain="vpc"),
                Zone=_resource("AWS::Route53::HostedZone", "Retain", Name="example.com."),
                Files=_resource("AWS::EFS::FileSystem", "Retain"),
                Cache=_resource(
                    "AWS::ElastiCache::ReplicationGroup",
                    "Retain",
                    Engine="valkey",
                    CacheNodeType="cache.t4g.micro",
                    NumCacheClusters=2,
                ),
            )
        ).left_after_destroy
    }
    assert {lid: round(item.monthly, 3) for lid, item in left.items()} == {
        "Cache": 18.688,
        "Eip": 3.65,
        "Files": 0.0,
        "Zone": 0.5,
    }
    assert left["Eip"].why.startswith("its address") and "name servers" in left["Zone"].why
    assert left["Files"].why.startswith("its files") and "$0.30" in left["Files"].usage
    assert "sessions" in left["Cache"].why


def test_a_cache_with_a_snapshot_policy_leaves_a_priced_final_snapshot():
    cache = _resource(
        "AWS::ElastiCache::ReplicationGroup",
        "Snapshot",
        Engine="valkey",
        CacheNodeType="cache.t4g.micro",
    )
    (left,) = estimate(_template(Cache=cache)).left_after_destroy
    assert left.monthly == 0 and "$0.085 per GB-month" in left.usage


def test_every_classic_type_is_classified_and_its_price_source_is_named():
    kinds = [
        "AWS::EC2::EIP",
        "AWS::EC2::EIPAssociation",
        "AWS::Route53::HostedZone",
        "AWS::Route53::RecordSet",
        "AWS::Route53::HealthCheck",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::SubnetGroup",
        "AWS::ElastiCache::ParameterGroup",
        "AWS::EFS::FileSystem",
        "AWS::EFS::MountTarget",
        "AWS::EFS::AccessPoint",
        "AWS::RDS::DBClusterParameterGroup",
    ]
    assert (
        unclassified_types([_template(**{f"R{i}": {"Type": k} for i, k in enumerate(kinds)})])
        == set()
    )
    provenance = cost.load_prices()["meta"]["provenance"]
    for key in (
        "route53_hosted_zone_month",
        "route53_health_check_month",
        "public_ipv4_hourly",
        "elasticache_node_hourly",
        "efs_gb_month",
        "aurora_serverless_v2_acu_hourly",
        "ec2_1yr_no_upfront_hourly",
    ):
        assert key in TABLE and provenance[key].startswith(
            ("confirmed:", "partly confirmed:", "transcribed")
        ), key


# -- reserve the minimum [004:2390-2398] ------------------------------------------------------


def _group(min_size: str, instance_type: str = "t4g.small", desired: str | None = None) -> dict:
    """v7's shape: a group over two subnets, its launch template naming the type."""
    group = {
        "MinSize": min_size,
        "MaxSize": "6",
        "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}},
        "VPCZoneIdentifier": ["a", "b"],
    }
    if desired is not None:
        group["DesiredCapacity"] = desired
    return _template(
        Lt=_resource(
            "AWS::EC2::LaunchTemplate", LaunchTemplateData={"InstanceType": instance_type}
        ),
        Web=_resource("AWS::AutoScaling::AutoScalingGroup", **group),
    )


def test_the_minimum_is_priced_on_demand_and_at_both_one_year_rates_from_the_template():
    result = estimate(_group("2"))
    (r,) = result.reservations
    assert (r.group, r.instance_type, r.minimum) == ("Web", "t4g.small", 2)
    # 2 x 730 h x 0.0168 = 24.528 on-demand; x 0.0106 (RI) = 15.476; x 0.0122 (SP) = 17.812
    assert round(r.on_demand_monthly, 3) == 24.528
    assert round(r.monthly(r.reserved_hourly), 3) == 15.476
    assert round(r.monthly(r.savings_plan_hourly), 3) == 17.812
    rates = TABLE["ec2_1yr_no_upfront_hourly"]["t4g.small"]
    assert (r.reserved_hourly, r.savings_plan_hourly) == (
        rates["reserved_instance"],
        rates["compute_savings_plan"],
    )


def test_a_different_min_size_gives_a_different_figure():
    two, three = (estimate(_group(n)).reservations[0] for n in ("2", "3"))
    assert round(three.on_demand_monthly - two.on_demand_monthly, 3) == round(0.0168 * HOURS, 3)
    assert round(three.monthly(three.reserved_hourly), 3) == round(3 * 0.0106 * HOURS, 3)


def test_the_comparison_reserves_min_size_not_the_desired_capacity_and_stays_out_of_totals():
    result = estimate(_group("2", desired="4"))
    assert result.reservations[0].minimum == 2
    assert result.idle_monthly == estimate(_group("4")).idle_monthly  # 4 running, on-demand
    assert "reserv" not in " ".join(i.label.lower() for i in result.items)


def test_no_minimum_no_comparison_and_an_unknown_one_year_price_is_said_not_guessed():
    assert estimate(_group("0")).reservations == []
    (r,) = estimate(_group("2", instance_type="m5.large")).reservations
    assert r.reserved_hourly is None and r.monthly(r.reserved_hourly) is None
    assert "no 1-year price for m5.large" in cost.reservation_text(r)


def test_make_cost_prints_the_comparison_and_json_carries_it():
    result = estimate(_group("2"), stack="WhatIsTheTimeV7", profile="production")
    text = cost.render_text([result], cost.load_prices())
    assert "reserve the minimum (a price comparison, not a purchase" in text
    line = next(line for line in text.splitlines() if line.strip().startswith("Web: MinSize"))
    assert "on-demand $24.53" in line and "Reserved Instance, no upfront: $15.48" in line
    assert "Compute Savings Plan, no upfront: $17.81" in line and "saves $9.05 or 37%" in line
    (entry,) = result.to_dict()["reserve_the_minimum"]
    assert entry["minimum"] == 2 and entry["reserved_instance_1yr_no_upfront_monthly_usd"] == 15.476


def test_the_docs_lines_have_a_column_per_profile_and_a_dash_where_a_profile_has_no_group():
    estimates = {
        "sandbox": estimate(_group("2", instance_type="t4g.nano")),
        "production": estimate(_group("2")),
    }
    lines = cost.reservation_markdown("WhatIsTheTimeV7", estimates)
    assert lines[0].startswith("Reserve the minimum, `WhatIsTheTimeV7`")
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "| the minimum | sandbox | production |"
    assert table[2] == "| `Web`: `MinSize` x instance type | 2 x t4g.nano | 2 x t4g.small |"
    assert table[3] == "| on-demand | $6.13 | $24.53 |"
    assert table[4].startswith("| 1-year Standard Reserved Instance, no upfront | $3.80 (")
    estimates["sandbox"] = estimate(_group("0"))
    table = [line for line in cost.reservation_markdown("S", estimates) if line.startswith("|")]
    assert table[2] == "| `Web`: `MinSize` x instance type | - | 2 x t4g.small |"
    assert cost.reservation_markdown("S", {"sandbox": estimate(_group("0"))}) == []


def test_a_retained_aurora_instance_says_it_is_its_cluster_s_and_keeps_billing_capacity():
    template = _aurora(0.5)
    for resource in template["Resources"].values():
        resource["DeletionPolicy"] = "Retain"
    left = {item.logical_id: item for item in estimate(template).left_after_destroy}
    assert left["Instance0"].why.startswith("an instance of its Aurora cluster")
    assert round(left["Instance0"].monthly, 2) == 43.8  # 0.5 ACU x $0.12 x 730
    assert left["Cluster"].why.startswith("its data")
