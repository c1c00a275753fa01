"""What `cdk destroy` leaves behind and what it still bills: hand-written templates with
hand-computed numbers, and the synthesized app of both profiles."""

from __future__ import annotations

import pytest

from tools import cost
from tools.cost import estimate

HOURS = 730


def _left(template: dict) -> dict[str, cost.Leftover]:
    return {left.logical_id: left for left in estimate(template).left_after_destroy}


def _resource(kind: str, policy: str | None = None, **props) -> dict:
    resource: dict = {"Type": kind, "Properties": props}
    if policy:
        resource["DeletionPolicy"] = policy
    return resource


def test_retained_resources_keep_billing_their_own_idle_line_items():
    throughput = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    left = _left(
        {
            "Resources": {
                "Key": _resource("AWS::KMS::Key", "Retain"),
                "Secret": _resource("AWS::SecretsManager::Secret", "RetainExceptOnCreate"),
                "Table": _resource(
                    "AWS::DynamoDB::Table", "Retain", ProvisionedThroughput=throughput
                ),
                "Logs": _resource("AWS::Logs::LogGroup", "Retain"),
                "Gone": _resource("AWS::Logs::LogGroup", "Delete"),
                "Bucket": _resource("AWS::S3::Bucket"),  # no policy: deleted
            }
        }
    )
    assert sorted(left) == ["Key", "Logs", "Secret", "Table"]
    # $1 key, $0.40 secret; 5 RCU x 0.00013 x 730 = 0.4745 + 5 WCU x 0.00065 x 730 = 2.3725
    assert {lid: round(item.monthly, 4) for lid, item in left.items()} == {
        "Key": 1.0,
        "Logs": 0.0,
        "Secret": 0.4,
        "Table": 2.847,
    }
    assert left["Secret"].kept_by == "DeletionPolicy RetainExceptOnCreate"
    assert left["Key"].why.startswith("data encrypted under it")
    assert left["Logs"].why == "logs outlive the stack for audit"
    assert left["Table"].why == "its items" and "RCU" in left["Table"].basis
    assert "$0.03 per GB-month" in left["Logs"].usage  # log storage stays usage-priced
    result = estimate({"Resources": {"Key": _resource("AWS::KMS::Key", "Retain")}})
    assert result.left_after_destroy_monthly == 1.0


def test_snapshot_deletes_an_rds_cluster_or_instance_and_keeps_a_priced_snapshot():
    template = {
        "Resources": {
            "Cluster": _resource("AWS::RDS::DBCluster", "Snapshot", Engine="aurora-postgresql"),
            "Writer": _resource(
                "AWS::RDS::DBInstance", "Snapshot", DBClusterIdentifier={"Ref": "Cluster"}
            ),
            "Defaulted": _resource("AWS::RDS::DBCluster", Engine="aurora-mysql"),
            "Postgres": _resource(
                "AWS::RDS::DBInstance",
                Engine="postgres",
                DBInstanceClass="db.t4g.micro",
                AllocatedStorage="20",
            ),
            "Volume": _resource("AWS::EC2::Volume", "Snapshot", Size=10),
        }
    }
    result = estimate(template)
    left = {item.logical_id: item for item in result.left_after_destroy}
    # an Aurora instance has no snapshot of its own: its cluster's policy decides
    assert sorted(left) == ["Cluster", "Defaulted", "Postgres", "Volume"]
    # standing: 0.016 x 730 = 11.68 + 20 GB x 0.115 = 2.30, the volume 10 GB gp2 x 0.10 = 1.00;
    # destroyed: only snapshot storage
    assert result.idle_monthly == 14.98 and result.left_after_destroy_monthly == 0
    assert "$0.021 per GB-month" in left["Cluster"].usage
    assert left["Cluster"].why == "a final snapshot is taken and kept"
    assert left["Cluster"].kept_by == "DeletionPolicy Snapshot"
    assert left["Defaulted"].kept_by.endswith("(CloudFormation's default for this type)")
    assert "$0.095 per GB-month" in left["Postgres"].usage
    assert "$0.05 per GB-month" in left["Volume"].usage


def test_a_deleted_kms_key_lingers_pending_deletion_with_no_key_fee():
    prices = cost.region_prices(cost.load_prices(), "us-east-1")
    result = estimate(
        {
            "Resources": {
                "Default": _resource("AWS::KMS::Key", "Delete"),
                "Week": _resource("AWS::KMS::Key", PendingWindowInDays=7),
            }
        }
    )
    left = {item.logical_id: item for item in result.left_after_destroy}
    assert left["Default"].kept_by.startswith("pending deletion for 30 days (DeletionPolicy Delete")
    assert left["Week"].kept_by.startswith("pending deletion for 7 days")
    assert result.idle_monthly == 2.0  # while the stack stands, $1 a key
    assert result.left_after_destroy_monthly == prices["kms_pending_deletion"]["month"] == 0
    assert left["Week"].basis == prices["kms_pending_deletion"]["basis"]
    assert "not fetched live" in left["Week"].basis


def test_a_retained_global_cluster_costs_nothing_but_holds_its_identifier():
    template = {
        "Resources": {
            "Global": _resource(
                "AWS::RDS::GlobalCluster", "Retain", GlobalClusterIdentifier="refarch-x"
            )
        }
    }
    [left] = estimate(template).left_after_destroy
    assert left.monthly == 0 and left.usage == ""  # no member cluster is left to replicate
    assert left.why == "costs nothing by itself but blocks re-creating identifier 'refarch-x'"


def test_any_other_retained_type_names_its_policy_and_keeps_its_line_items():
    template = {
        "Resources": {
            "Box": _resource(
                "AWS::EC2::Instance",
                "Retain",
                InstanceType="t3.micro",
                BlockDeviceMappings=[{"Ebs": {"VolumeSize": 20, "VolumeType": "gp3"}}],
            )
        }
    }
    [left] = estimate(template).left_after_destroy
    assert left.why == "DeletionPolicy Retain keeps it"
    assert round(left.monthly, 3) == 9.192  # 0.0104 x 730 = 7.592 + 20 GB x 0.08 = 1.60


def test_a_function_without_a_log_group_of_its_stack_leaves_the_one_lambda_creates():
    join = {"Fn::Join": ["", ["/aws/lambda/", {"Ref": "Named"}]]}
    template = {
        "Resources": {
            "Orphan": _resource("AWS::Lambda::Function"),
            "Configured": _resource(
                "AWS::Lambda::Function", LoggingConfig={"LogGroup": {"Ref": "Group"}}
            ),
            "Group": _resource("AWS::Logs::LogGroup", "Delete"),
            "Named": _resource("AWS::Lambda::Function"),
            "NamedGroup": _resource("AWS::Logs::LogGroup", "Delete", LogGroupName=join),
        }
    }
    left = _left(template)
    assert list(left) == ["Orphan"]
    assert left["Orphan"].resource_type == "AWS::Logs::LogGroup"
    assert "outside the template" in left["Orphan"].kept_by


def test_a_stack_that_deletes_everything_leaves_nothing_and_says_so():
    template = {
        "Resources": {
            "Bucket": _resource("AWS::S3::Bucket", "Delete"),
            "Table": _resource("AWS::DynamoDB::Table", "Delete", BillingMode="PAY_PER_REQUEST"),
        }
    }
    result = estimate(template, stack="Clean", profile="sandbox")
    assert result.left_after_destroy == [] and result.left_after_destroy_monthly == 0
    text = cost.render_text([result], cost.load_prices())
    assert "  left after cdk destroy: nothing" in text
    data = result.to_dict()
    assert data["left_after_destroy"] == [] and data["left_after_destroy_monthly_usd"] == 0


def test_json_lists_each_leftover_with_policy_reason_and_split_cost():
    result = estimate({"Resources": {"Key": _resource("AWS::KMS::Key", "Retain")}})
    [entry] = result.to_dict()["left_after_destroy"]
    assert entry == {
        "logical_id": "Key",
        "type": "AWS::KMS::Key",
        "deletion_policy": "Retain",
        "kept_by": "DeletionPolicy Retain",
        "why": "data encrypted under it (snapshots, retained logs) stays readable",
        "monthly_usd": 1.0,
        "monthly_basis": "KMS customer managed key $1.00",
        "usage_priced": "$0.03 per 10,000 requests",
    }


def test_every_sandbox_stack_leaves_nothing_after_destroy(sandbox):
    left = {
        stack: [f"{item.logical_id} ({item.kept_by})" for item in result.left_after_destroy]
        for stack, template in sandbox.templates.items()
        if (result := estimate(template, stack=stack)).left_after_destroy
    }
    assert left == {}


@pytest.mark.parametrize("stack", ["AuroraGlobalPrimary", "AuroraGlobalSecondary-us-west-2"])
def test_production_aurora_destroy_keeps_billing_exactly_its_retained_keys_and_secrets(
    production, stack
):
    template = production.template(stack)
    retained = [
        r["Type"]
        for r in template["Resources"].values()
        if r.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")
    ]
    expected = (
        retained.count("AWS::KMS::Key") * 1.0 + retained.count("AWS::SecretsManager::Secret") * 0.4
    )
    result = estimate(template, stack=stack)
    assert result.left_after_destroy_monthly == round(expected, 2) > 0
    snapshots = [left for left in result.left_after_destroy if left.deletion_policy == "Snapshot"]
    assert [left.resource_type for left in snapshots] == ["AWS::RDS::DBCluster"]
    assert "$0.021 per GB-month" in snapshots[0].usage
