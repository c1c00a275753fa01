"""The coverage verifiers can fail: a read-back that differs from the template is a mismatch,
an unresolvable intrinsic is skipped (and said so) rather than guessed, a stub is never
verified, and a resource is classed by who produced the state that was compared."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.emulator import coverage, flow
from tests.emulator.stubs import HANDLERS_RUN, STUB_TYPES

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"


class Fake:
    """A boto3 client stand-in: each named operation returns its canned response (or calls
    it with the request's arguments)."""

    def __init__(self, **operations: Any) -> None:
        self.operations = operations

    def __getattr__(self, name: str) -> Callable[..., Any]:
        try:
            response = self.operations[name]
        except KeyError:
            raise AttributeError(name) from None
        return response if callable(response) else (lambda **kwargs: copy.deepcopy(response))


def _stack(resources: dict, physical: dict, clients: dict[str, Fake], **kw: Any):
    template = {"Resources": resources}
    return coverage.Deployed(
        "Stack", "us-east-1", template, physical, lambda service: clients[service], **kw
    )


def _verify(d: coverage.Deployed, logical_id: str) -> coverage.Notes:
    """Run the type's verifier on one resource; its notes say how it was classed."""
    notes = d.begin()
    rtype = d.template["Resources"][logical_id]["Type"]
    coverage.VERIFIERS[rtype](d, logical_id, d.physical[logical_id] or "")
    return notes


# ------------------------------------------------------------------- the VPC, end to end
class _Ec2:
    def __init__(self, cidr: str) -> None:
        self.cidr = cidr

    def describe_vpcs(self, VpcIds):  # noqa: N803 - boto3's spelling
        return {"Vpcs": [{"VpcId": VpcIds[0], "CidrBlock": self.cidr}]}

    def describe_vpc_attribute(self, VpcId, Attribute):  # noqa: N803
        key = "EnableDnsHostnames" if Attribute == "enableDnsHostnames" else "EnableDnsSupport"
        return {key: {"Value": True}}


def _deployed(cidr_read_back: str, resource_type: str = "AWS::EC2::VPC") -> coverage.Deployed:
    template = {
        "Resources": {
            "Vpc": {
                "Type": resource_type,
                "Properties": {"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": True},
            }
        }
    }
    return coverage.Deployed(
        "Stack", "us-east-1", template, {"Vpc": "vpc-1"}, lambda service: _Ec2(cidr_read_back)
    )


def test_a_read_back_equal_to_the_template_is_verified_against_moto():
    [row] = coverage.cover(_deployed("10.0.0.0/16"))
    assert row.status == coverage.VERIFIED_MOTO


def test_a_read_back_that_differs_from_the_template_is_a_mismatch():
    [row] = coverage.cover(_deployed("10.9.0.0/16"))
    assert row.status == coverage.MISMATCH
    assert "CidrBlock" in row.detail and "10.9.0.0/16" in row.detail


@pytest.mark.parametrize("stub_type", sorted(STUB_TYPES))
def test_a_stub_is_reported_not_emulated_never_verified(stub_type):
    [row] = coverage.cover(_deployed("10.0.0.0/16", stub_type))
    assert row.status == coverage.NOT_EMULATED
    assert row.detail == STUB_TYPES[stub_type]


def test_unresolvable_intrinsics_are_not_compared_and_refs_resolve_to_physical_ids():
    deployed = _deployed("10.0.0.0/16")
    deployed.begin()
    assert deployed.resolve({"Ref": "Vpc"}) == "vpc-1"
    assert deployed.resolve({"Fn::Join": ["-", [{"Ref": "Vpc"}, "x"]]}) == "vpc-1-x"
    assert deployed.resolve({"Fn::Sub": "${Vpc}/${AWS::Region}/${!Literal}"}) == (
        "vpc-1/us-east-1/${Literal}"
    )
    assert deployed.resolve({"Fn::GetAtt": ["Vpc", "CidrBlock"]}) == "10.0.0.0/16"  # read back
    assert deployed.resolve({"Fn::GetAtt": ["Vpc", "Ipv6CidrBlocks"]}) is coverage.UNRESOLVED
    assert deployed.resolve({"Fn::ImportValue": "x"}) is coverage.UNRESOLVED
    assert deployed.resolve({"Ref": "NotDeployed"}) is coverage.UNRESOLVED
    assert any("Ipv6CidrBlocks" in s for s in deployed.notes.skipped), deployed.notes.skipped
    coverage.expect("anything", "read back", coverage.UNRESOLVED)
    with pytest.raises(coverage.Mismatch, match="read back 'a', template says \"b\""):
        coverage.expect("x", "a", "b")


# ------------------------------------------------------------------------- IAM policies
LOG_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:logs-1"
TABLE_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/table-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/role-1"

POLICY_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::GetAtt": ["Logs", "Arn"]},
        },
        {
            "Effect": "Allow",
            "Action": "dynamodb:GetItem",
            "Resource": [
                {"Fn::GetAtt": ["Table", "Arn"]},
                {"Fn::Join": ["", [{"Fn::GetAtt": ["Table", "Arn"]}, "/index/*"]]},
            ],
            "Condition": {"Bool": {"aws:SecureTransport": "true"}},
        },
    ],
}
# As moto serves it: resolved, scalars where the template has one-item lists and the other
# way round, items in another order.
POLICY_READ_BACK = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem"],
            "Resource": [f"{TABLE_ARN}/index/*", TABLE_ARN],
            "Condition": {"Bool": {"AWS:SecureTransport": ["true"]}},
        },
        {
            "Effect": "Allow",
            "Action": ["logs:PutLogEvents", "logs:CreateLogStream"],
            "Resource": LOG_ARN,
        },
    ],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "x.amazonaws.com"}}
    ],
}


def _iam_stack(
    read_back: dict, trust_read_back: dict = TRUST, role_props: dict | None = None, **kw: Any
):
    resources = {
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": role_props or {"AssumeRolePolicyDocument": TRUST},
        },
        "Policy": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": "P",
                "Roles": [{"Ref": "Role"}],
                "PolicyDocument": POLICY_DOCUMENT,
            },
        },
    }
    physical = {"Logs": "logs-1", "Table": "table-1", "Role": "role-1", "Policy": "p-1"}
    policies = {"P": read_back, **kw.pop("inline", {})}
    clients = {
        "logs": Fake(
            describe_log_groups={
                "logGroups": [
                    {"logGroupName": "logs-1", "arn": f"{LOG_ARN}:*", "logGroupArn": LOG_ARN}
                ]
            }
        ),
        "dynamodb": Fake(describe_table={"Table": {"TableArn": TABLE_ARN}}),
        "iam": Fake(
            get_role_policy=lambda RoleName, PolicyName: {  # noqa: N803
                "PolicyDocument": copy.deepcopy(policies[PolicyName])
            },
            get_role={
                "Role": {
                    "Arn": ROLE_ARN,
                    "Path": "/",
                    "Description": "",
                    "AssumeRolePolicyDocument": trust_read_back,
                }
            },
            list_role_policies={"PolicyNames": list(policies)},
            list_attached_role_policies=kw.pop("attached", {"AttachedPolicies": []}),
        ),
    }
    return _stack(resources, physical, clients, **kw)


def test_an_inline_policy_equal_up_to_order_and_list_form_is_verified_against_moto():
    notes = _verify(_iam_stack(POLICY_READ_BACK), "Policy")
    assert notes.status() == coverage.VERIFIED_MOTO
    assert notes.skipped == []  # every reference resolved, from the read-back resources


def _mutated(document: dict, change: Callable[[dict], None]) -> dict:
    document = copy.deepcopy(document)
    change(document)
    return document


WRONG_POLICIES = {
    "an action dropped": lambda doc: doc["Statement"][1]["Action"].pop(),
    "a wider action": lambda doc: doc["Statement"][0].update(Action=["dynamodb:*"]),
    "Deny for Allow": lambda doc: doc["Statement"][1].update(Effect="Deny"),
    "another table": lambda doc: doc["Statement"][0].update(
        Resource=[f"{TABLE_ARN}-other/index/*", TABLE_ARN]
    ),
    "the log group with AWS's ':*'": lambda doc: doc["Statement"][1].update(
        Resource=f"{LOG_ARN}:*"
    ),
    "a condition's value": lambda doc: doc["Statement"][0]["Condition"]["Bool"].update(
        {"AWS:SecureTransport": "false"}
    ),
    "a condition dropped": lambda doc: doc["Statement"][0].pop("Condition"),
    "an extra statement": lambda doc: doc["Statement"].append(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    ),
}


@pytest.mark.parametrize("wrong", sorted(WRONG_POLICIES))
def test_an_inline_policy_that_differs_is_a_mismatch(wrong):
    read_back = _mutated(POLICY_READ_BACK, WRONG_POLICIES[wrong])
    with pytest.raises(coverage.Mismatch, match="PolicyDocument on role-1"):
        _verify(_iam_stack(read_back), "Policy")


def test_a_role_compares_its_trust_policy_and_inline_policies_in_full():
    role = {
        "AssumeRolePolicyDocument": TRUST,
        "Policies": [{"PolicyName": "Inline", "PolicyDocument": POLICY_DOCUMENT}],
    }
    # moto serves a role's template Policies as a Python literal: still its content
    inline = {"Inline": str(POLICY_READ_BACK)}
    assert _verify(
        _iam_stack(POLICY_READ_BACK, role_props=role, inline=inline), "Role"
    ).status() == (coverage.VERIFIED_MOTO)
    wrong_trust = _mutated(TRUST, lambda doc: doc["Statement"][0].update(Principal={"AWS": "*"}))
    with pytest.raises(coverage.Mismatch, match="AssumeRolePolicyDocument"):
        _verify(_iam_stack(POLICY_READ_BACK, wrong_trust, role_props=role, inline=inline), "Role")
    wrong_inline = {"Inline": _mutated(POLICY_READ_BACK, WRONG_POLICIES["a wider action"])}
    with pytest.raises(coverage.Mismatch, match="Policies Inline"):
        _verify(_iam_stack(POLICY_READ_BACK, role_props=role, inline=wrong_inline), "Role")


def test_managed_policy_arns_are_compared_once_moto_models_them_and_said_skipped_until():
    managed = {
        "AssumeRolePolicyDocument": TRUST,
        "ManagedPolicyArns": [
            {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/Basic"}
        ],
    }
    notes = _verify(_iam_stack(POLICY_READ_BACK, role_props=managed), "Role")
    assert notes.status() == coverage.VERIFIED_MOTO
    assert any(s.startswith("ManagedPolicyArns: moto 5.2.5") for s in notes.skipped)
    attached = {"AttachedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]}
    stack = _iam_stack(POLICY_READ_BACK, role_props=managed, attached=attached, moto_ignores={})
    with pytest.raises(coverage.Mismatch, match="ManagedPolicyArns"):
        _verify(stack, "Role")
    right = {"AttachedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/service-role/Basic"}]}
    stack = _iam_stack(POLICY_READ_BACK, role_props=managed, attached=right, moto_ignores={})
    assert _verify(stack, "Role").skipped == []


# --------------------------------------------------------------------- S3 bucket policies
BUCKET_ARN = "arn:aws:s3:::site-1"
BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": [
                {"Fn::GetAtt": ["Bucket", "Arn"]},
                {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]},
            ],
        },
        {
            "Action": "s3:GetObject",
            "Condition": {
                "StringEquals": {
                    "AWS:SourceArn": {
                        "Fn::Join": [
                            "",
                            ["arn:aws:cloudfront::", ACCOUNT, ":distribution/", {"Ref": "Dist"}],
                        ]
                    }
                }
            },
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]},
        },
        {
            "Action": "s3:GetObject",
            "Effect": "Allow",
            "Principal": {"CanonicalUser": {"Fn::GetAtt": ["Oai", "S3CanonicalUserId"]}},
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]},
        },
    ],
}
BUCKET_POLICY_READ_BACK = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": "*",
            "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
        },
        {
            "Action": "s3:GetObject",
            "Condition": {
                "StringEquals": {"AWS:SourceArn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/D1"}
            },
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Resource": f"{BUCKET_ARN}/*",
        },
        {
            "Action": "s3:GetObject",
            "Effect": "Allow",
            "Principal": {"CanonicalUser": "made-up-by-the-stub"},
            "Resource": f"{BUCKET_ARN}/*",
        },
    ],
}


def _bucket_policy_stack(read_back: dict) -> coverage.Deployed:
    resources = {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Dist": {"Type": "AWS::CloudFront::Distribution", "Properties": {}},
        "Oai": {"Type": "AWS::CloudFront::CloudFrontOriginAccessIdentity", "Properties": {}},
        "Policy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": BUCKET_POLICY},
        },
    }
    physical = {"Bucket": "site-1", "Dist": "D1", "Oai": "E1", "Policy": "site-1"}
    s3 = Fake(head_bucket={}, get_bucket_policy={"Policy": json.dumps(read_back)})
    return _stack(resources, physical, {"s3": s3})


def test_a_bucket_policy_is_compared_per_statement_and_a_stubs_attribute_is_said_skipped():
    notes = _verify(_bucket_policy_stack(BUCKET_POLICY_READ_BACK), "Policy")
    assert notes.status() == coverage.VERIFIED_MOTO
    assert notes.skipped == [
        "Fn::GetAtt Oai.S3CanonicalUserId (of a stub): not resolvable from the deployed "
        "state, not compared"
    ]


WRONG_BUCKET_POLICIES = {
    "a principal": lambda doc: doc["Statement"][1].update(Principal={"AWS": "*"}),
    "the principal's kind": lambda doc: doc["Statement"][2].update(Principal={"AWS": "x"}),
    "an action": lambda doc: doc["Statement"][1].update(Action="s3:*"),
    "a resource": lambda doc: doc["Statement"][0].update(Resource=[BUCKET_ARN]),
    "another distribution": lambda doc: doc["Statement"][1]["Condition"]["StringEquals"].update(
        {"AWS:SourceArn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/OTHER"}
    ),
    "a condition operator": lambda doc: doc["Statement"][1].update(
        Condition={"StringLike": {"AWS:SourceArn": "*"}}
    ),
    "a statement dropped": lambda doc: doc["Statement"].pop(),
}


@pytest.mark.parametrize("wrong", sorted(WRONG_BUCKET_POLICIES))
def test_a_bucket_policy_that_differs_is_a_mismatch(wrong):
    read_back = _mutated(BUCKET_POLICY_READ_BACK, WRONG_BUCKET_POLICIES[wrong])
    with pytest.raises(coverage.Mismatch, match="PolicyDocument"):
        _verify(_bucket_policy_stack(read_back), "Policy")


# -------------------------------------------------------------------- Lambda permissions
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn-1"
SOURCE_ARN = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:api1/api/GET/items"


def _permission_statement(**changes: Any) -> dict:
    statement = {
        "Sid": "s1",
        "Effect": "Allow",
        "Action": "lambda:InvokeFunction",
        "Principal": {"Service": "apigateway.amazonaws.com"},
        "Resource": FUNCTION_ARN,
        "Condition": {"ArnLike": {"AWS:SourceArn": SOURCE_ARN}},
    }
    statement.update(changes)
    return statement


def _permission_stack(statements: list[dict]) -> coverage.Deployed:
    resources = {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {}},
        "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {}},
        "Permission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": {
                    "Fn::Join": [
                        "",
                        [
                            f"arn:aws:execute-api:us-east-1:{ACCOUNT}:",
                            {"Ref": "Api"},
                            "/",
                            {"Ref": "Stage"},
                            "/GET/items",
                        ],
                    ]
                },
            },
        },
    }
    physical = {"Fn": "fn-1", "Api": "api1", "Stage": "api", "Permission": None}
    function = Fake(
        get_function_configuration={"FunctionArn": FUNCTION_ARN},
        get_policy={"Policy": json.dumps({"Statement": statements})},
    )
    return _stack(resources, physical, {"lambda": function})


def test_a_lambda_permission_is_found_by_its_source_arn_and_compared():
    other = _permission_statement(Condition={"ArnLike": {"AWS:SourceArn": SOURCE_ARN + "/*"}})
    stack = _permission_stack([other, _permission_statement()])
    assert _verify(stack, "Permission").status() == coverage.VERIFIED_MOTO


WRONG_PERMISSIONS = {
    "another principal": {"Principal": {"Service": "events.amazonaws.com"}},
    "another action": {"Action": "lambda:*"},
    "another source": {"Condition": {"ArnLike": {"AWS:SourceArn": SOURCE_ARN + "/*"}}},
    "no source": {"Condition": {}},
    "another function": {"Resource": FUNCTION_ARN + "-other"},
    "Deny": {"Effect": "Deny"},
}


@pytest.mark.parametrize("wrong", sorted(WRONG_PERMISSIONS))
def test_a_lambda_permission_that_differs_is_a_mismatch(wrong):
    stack = _permission_stack([_permission_statement(**WRONG_PERMISSIONS[wrong])])
    with pytest.raises(coverage.Mismatch):
        _verify(stack, "Permission")


# ------------------------------------------------------------------------ Lambda functions
FUNCTION_PROPS = {
    "Runtime": "python3.14",
    "Handler": "handler.handler",
    "Timeout": 10,
    "MemorySize": 256,
    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
    "Architectures": ["arm64"],
    "TracingConfig": {"Mode": "Active"},
}
FUNCTION_CONFIG = {
    "Runtime": "python3.14",
    "Handler": "handler.handler",
    "Timeout": 10,
    "MemorySize": 256,
    "Role": ROLE_ARN,
    "Description": "",
    "Architectures": ["arm64"],
    "TracingConfig": {"Mode": "Active"},
}


def _function_stack(config: dict, **kw: Any) -> coverage.Deployed:
    resources = {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": FUNCTION_PROPS},
    }
    clients = {
        "iam": Fake(get_role={"Role": {"Arn": ROLE_ARN}}),
        "lambda": Fake(get_function_configuration=config),
    }
    return _stack(resources, {"Role": "role-1", "Fn": "fn-1"}, clients, **kw)


def test_a_function_compares_its_role_and_says_what_moto_drops():
    notes = _verify(_function_stack(dict(FUNCTION_CONFIG, Architectures=["x86_64"])), "Fn")
    assert notes.status() == coverage.VERIFIED_MOTO
    assert [s.split(":")[0] for s in notes.skipped] == ["Architectures", "TracingConfig"]
    assert _verify(_function_stack(FUNCTION_CONFIG, moto_ignores={}), "Fn").skipped == []


@pytest.mark.parametrize(
    "wrong",
    [
        {"Role": ROLE_ARN + "-other"},
        {"Architectures": ["x86_64"]},
        {"TracingConfig": {"Mode": "PassThrough"}},
        {"MemorySize": 128},
        {"Runtime": "python3.13"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_function_that_differs_is_a_mismatch(wrong):
    # moto_ignores={}: as once an extension makes moto honour Architectures/TracingConfig
    with pytest.raises(coverage.Mismatch, match=next(iter(wrong))):
        _verify(_function_stack(dict(FUNCTION_CONFIG, **wrong), moto_ignores={}), "Fn")


# ---------------------------------------------------------------------------- DB clusters
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k-1"
CLUSTER_PROPS = {
    "Engine": "aurora-postgresql",
    "EngineVersion": "16.9",
    "Port": 5432,
    "StorageEncrypted": True,
    "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
    "DBSubnetGroupName": "subnets-1",
    "VpcSecurityGroupIds": ["sg-1"],
    "DatabaseName": "app",
}
CLUSTER = {
    "Engine": "aurora-postgresql",
    "EngineVersion": "16.9",
    "Port": 5432,
    "StorageEncrypted": True,
    "KmsKeyId": KEY_ARN,
    "DeletionProtection": False,
    "DBSubnetGroup": "subnets-1",
    "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1"}],
    "DatabaseName": "app",
}


def _cluster_stack(cluster: dict) -> coverage.Deployed:
    resources = {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Cluster": {"Type": "AWS::RDS::DBCluster", "Properties": CLUSTER_PROPS},
    }
    clients = {
        "kms": Fake(describe_key={"KeyMetadata": {"Arn": KEY_ARN}}),
        "rds": Fake(describe_db_clusters={"DBClusters": [cluster]}),
    }
    return _stack(resources, {"Key": "k-1", "Cluster": "cluster-1"}, clients)


def test_a_db_cluster_equal_to_its_template_is_verified_against_moto():
    assert _verify(_cluster_stack(CLUSTER), "Cluster").status() == coverage.VERIFIED_MOTO


@pytest.mark.parametrize(
    "wrong",
    [
        {"Port": 3306},
        {"KmsKeyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/aws-managed"},
        {"StorageEncrypted": False},
        {"EngineVersion": "15.4"},
        {"DatabaseName": "postgres"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_db_cluster_that_differs_is_a_mismatch(wrong):
    with pytest.raises(coverage.Mismatch, match=next(iter(wrong))):
        _verify(_cluster_stack(dict(CLUSTER, **wrong)), "Cluster")


# ------------------------------------------------------------------- Scheduler schedules
STACK_ID = (
    f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/Stack/1b2c3d4e-0000-4000-8000-1234567890ab"
)
LEASE_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Stack-LeaseRole-1"
EXEC_ROLE = f"cdk-hnb659fds-cfn-exec-role-{ACCOUNT}-us-east-1"
EXEC_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{EXEC_ROLE}"
# As constructs_lib/stack_lease.py synthesizes it.
SCHEDULE_PROPS = {
    "Description": "Lease of 24 h: deletes this stack at 2026-01-02 00:00 UTC",
    "FlexibleTimeWindow": {"Mode": "OFF"},
    "ScheduleExpression": "at(2026-01-02T00:00:00)",
    "ScheduleExpressionTimezone": "UTC",
    "State": "ENABLED",
    "Target": {
        "Arn": {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":scheduler:::aws-sdk:cloudformation:deleteStack",
                ],
            ]
        },
        "Input": {
            "Fn::Join": [
                "",
                [
                    '{"StackName":"',
                    {"Ref": "AWS::StackId"},
                    '","RoleARN":"',
                    {"Fn::Sub": "arn:${AWS::Partition}:iam::" + ACCOUNT + ":role/" + EXEC_ROLE},
                    '"}',
                ],
            ]
        },
        "RoleArn": {"Fn::GetAtt": ["LeaseRole", "Arn"]},
    },
}
# As moto's GetSchedule serves it: its default RetryPolicy added, the Input as sent (other key
# order and spacing than the template's join).
SCHEDULE = {
    "Arn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/default/Stack-LeaseSchedule-1",
    "Name": "Stack-LeaseSchedule-1",
    "GroupName": "default",
    "Description": "Lease of 24 h: deletes this stack at 2026-01-02 00:00 UTC",
    "ScheduleExpression": "at(2026-01-02T00:00:00)",
    "ScheduleExpressionTimezone": "UTC",
    "FlexibleTimeWindow": {"Mode": "OFF"},
    "State": "ENABLED",
    "Target": {
        "Arn": "arn:aws:scheduler:::aws-sdk:cloudformation:deleteStack",
        "RoleArn": LEASE_ROLE_ARN,
        "Input": json.dumps({"RoleARN": EXEC_ROLE_ARN, "StackName": STACK_ID}, indent=1),
        "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
    },
}


def _schedule_stack(schedule: dict) -> coverage.Deployed:
    resources = {
        "LeaseRole": {"Type": "AWS::IAM::Role", "Properties": {}},
        "LeaseSchedule": {"Type": "AWS::Scheduler::Schedule", "Properties": SCHEDULE_PROPS},
    }
    clients = {
        "iam": Fake(get_role={"Role": {"Arn": LEASE_ROLE_ARN}}),
        "scheduler": Fake(
            get_schedule=lambda Name, GroupName: copy.deepcopy(  # noqa: N803
                schedule if (Name, GroupName) == (schedule["Name"], "default") else {}
            )
        ),
        "cloudformation": Fake(
            describe_stacks=lambda StackName: {  # noqa: N803
                "Stacks": [{"StackName": StackName, "StackId": STACK_ID}]
            }
        ),
    }
    physical = {"LeaseRole": "Stack-LeaseRole-1", "LeaseSchedule": "Stack-LeaseSchedule-1"}
    return _stack(resources, physical, clients)


def test_a_schedule_is_read_back_whole_its_input_naming_the_deployed_stack_id():
    stack = _schedule_stack(SCHEDULE)
    notes = _verify(stack, "LeaseSchedule")
    assert notes.status() == coverage.VERIFIED_MOTO
    assert notes.skipped == []  # AWS::StackId too: read back from CloudFormation
    assert stack.resolve({"Ref": "AWS::StackId"}) == STACK_ID


def _target(**changes: Any) -> Callable[[dict], None]:
    return lambda schedule: schedule["Target"].update(changes)


WRONG_SCHEDULES = {
    "another stack in the Input": (
        _target(
            Input=json.dumps(
                {"StackName": STACK_ID.replace("Stack/", "Other/"), "RoleARN": EXEC_ROLE_ARN}
            )
        ),
        "Target.Input",
    ),
    "the stack's name, not its id": (
        _target(Input=json.dumps({"StackName": "Stack", "RoleARN": EXEC_ROLE_ARN})),
        "Target.Input",
    ),
    "another passed role": (
        _target(Input=json.dumps({"StackName": STACK_ID, "RoleARN": LEASE_ROLE_ARN})),
        "Target.Input",
    ),
    "another schedule role": (_target(RoleArn=EXEC_ROLE_ARN), "Target.RoleArn"),
    "another target": (
        _target(Arn="arn:aws:scheduler:::aws-sdk:cloudformation:updateStack"),
        "Target.Arn",
    ),
    "another expression": (
        lambda schedule: schedule.update(ScheduleExpression="at(2026-01-03T00:00:00)"),
        "ScheduleExpression",
    ),
    "a recurring expression": (
        lambda schedule: schedule.update(ScheduleExpression="rate(1 day)"),
        "ScheduleExpression",
    ),
    "another time zone": (
        lambda schedule: schedule.update(ScheduleExpressionTimezone="Europe/Paris"),
        "ScheduleExpressionTimezone",
    ),
    "disabled": (lambda schedule: schedule.update(State="DISABLED"), "State"),
    "a flexible window": (
        lambda schedule: schedule.update(
            FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
        ),
        "FlexibleTimeWindow",
    ),
}


@pytest.mark.parametrize("wrong", sorted(WRONG_SCHEDULES))
def test_a_schedule_that_differs_is_a_mismatch(wrong):
    change, field = WRONG_SCHEDULES[wrong]
    with pytest.raises(coverage.Mismatch, match=rf"^{field}: "):
        _verify(_schedule_stack(_mutated(SCHEDULE, change)), "LeaseSchedule")


# --------------------------------------------------------------------- BucketDeployment
def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, body in files.items():
            zipped.writestr(name, body)
    return buffer.getvalue()


SITE = {"index.html": b"<h1>site</h1>", "error.html": b"<h1>no</h1>"}


def _deployment_stack(
    objects: dict[str, bytes], invalidated: list[str] | None = None, **kw: Any
) -> coverage.Deployed:
    properties = {
        "SourceBucketNames": ["assets"],
        "SourceObjectKeys": ["site.zip"],
        "DestinationBucketName": {"Ref": "Bucket"},
        "Prune": True,
    }
    if invalidated is not None:
        properties.update(DistributionId={"Ref": "Dist"}, DistributionPaths=["/*"])
    resources = {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Dist": {"Type": "AWS::CloudFront::Distribution", "Properties": {}},
        "Content": {"Type": "Custom::CDKBucketDeployment", "Properties": properties},
    }
    cloudfront = Fake(
        list_invalidations={"InvalidationList": {"Items": [{"Id": "I1"}]}},
        get_invalidation={
            "Invalidation": {"InvalidationBatch": {"Paths": {"Items": invalidated or []}}}
        },
    )

    def get_object(Bucket, Key):  # noqa: N803
        body = _zip(SITE) if (Bucket, Key) == ("assets", "site.zip") else objects[Key]
        return {"Body": io.BytesIO(body)}

    s3 = Fake(
        get_object=get_object,
        list_objects_v2=lambda Bucket, Prefix: {  # noqa: N803
            "Contents": [{"Key": key} for key in objects if key.startswith(Prefix)]
        },
    )
    physical = {"Bucket": "site-1", "Dist": "D1", "Content": "cr-1"}
    return _stack(resources, physical, {"s3": s3, "cloudfront": cloudfront}, **kw)


def test_bucket_deployment_objects_are_compared_byte_for_byte_and_classed_by_handler():
    ran = _verify(_deployment_stack(SITE, handlers_run={"Custom::CDKBucketDeployment"}), "Content")
    assert ran.status() == coverage.VERIFIED_MOTO  # aws-cdk-lib's handler wrote the objects
    emulated = _verify(_deployment_stack(SITE, handlers_run=set()), "Content")
    assert emulated.status() == coverage.VERIFIED_EMULATION
    assert "not in stubs.HANDLERS_RUN" in emulated.supplied[0]


@pytest.mark.parametrize(
    "objects",
    [
        dict(SITE, **{"index.html": b"<h1>stale</h1>"}),
        {"index.html": SITE["index.html"]},
        dict(SITE, **{"old.html": b"pruned?"}),
    ],
    ids=["other bytes", "an object missing", "not pruned"],
)
def test_bucket_deployment_objects_that_differ_are_a_mismatch(objects):
    with pytest.raises(coverage.Mismatch, match="site objects|sha256"):
        _verify(_deployment_stack(objects), "Content")


def test_bucket_deployment_invalidates_its_distribution_paths():
    assert _verify(_deployment_stack(SITE, ["/*"]), "Content")
    with pytest.raises(coverage.Mismatch, match="no invalidation"):
        _verify(_deployment_stack(SITE, ["/index.html"]), "Content")


# --------------------------------------------------------------------------- the classes
def test_an_extension_written_property_makes_the_resource_emulation():
    resources = {
        "Method": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": "api1",
                "ResourceId": "r1",
                "HttpMethod": "GET",
                "AuthorizationType": "AWS_IAM",
                "Integration": {"Type": "AWS_PROXY"},
                "RequestValidatorId": "v1",
            },
        }
    }
    method = {
        "authorizationType": "AWS_IAM",
        "methodIntegration": {"type": "AWS_PROXY"},
        "requestValidatorId": "v1",
    }
    stack = _stack(resources, {"Method": "m1"}, {"apigateway": Fake(get_method=method)})
    [row] = coverage.cover(stack)
    assert row.status == coverage.VERIFIED_EMULATION
    assert row.supplied and "extensions._complete_method" in row.detail
    method["requestValidatorId"] = "v2"
    [row] = coverage.cover(stack)
    assert row.status == coverage.MISMATCH and "requestValidatorId" in row.detail


def test_a_resource_with_nothing_comparable_is_existence_only():
    resources = {"Igw": {"Type": "AWS::EC2::InternetGateway", "Properties": {"Tags": []}}}
    ec2 = Fake(describe_internet_gateways={"InternetGateways": [{"InternetGatewayId": "igw-1"}]})
    [row] = coverage.cover(_stack(resources, {"Igw": "igw-1"}, {"ec2": ec2}))
    assert row.status == coverage.EXISTENCE_ONLY


def test_internet_gateway_tags_are_compared_once_moto_models_them():
    resources = {
        "Igw": {
            "Type": "AWS::EC2::InternetGateway",
            "Properties": {"Tags": [{"Key": "Name", "Value": "vpc"}]},
        }
    }
    tags = [{"Key": "Name", "Value": "other"}]
    ec2 = Fake(describe_internet_gateways={"InternetGateways": [{"Tags": tags}]})
    [row] = coverage.cover(_stack(resources, {"Igw": "igw-1"}, {"ec2": ec2}))
    assert row.status == coverage.EXISTENCE_ONLY and row.skipped
    [row] = coverage.cover(_stack(resources, {"Igw": "igw-1"}, {"ec2": ec2}, moto_ignores={}))
    assert row.status == coverage.MISMATCH and "tag Name" in row.detail


@pytest.mark.parametrize("gone", [True, False])
def test_auto_delete_is_classed_after_destroy(gone):
    row = coverage.ResourceCoverage("S", "A", "Custom::S3AutoDeleteObjects", coverage.NOT_VERIFIED)
    coverage.on_destroy(row, "site-1", gone)
    if not gone:
        assert row.status == coverage.MISMATCH
    else:
        assert row.status == coverage.expected_class("Custom::S3AutoDeleteObjects")


def test_every_verified_type_has_a_declared_class_and_custom_types_follow_handlers_run():
    declared = set(coverage.VERIFIERS) | coverage.VERIFIED_ON_DESTROY | set(STUB_TYPES)
    assert declared == set(coverage.SOURCES)
    for rtype in ("Custom::VpcRestrictDefaultSG", "Custom::CDKBucketDeployment"):
        assert coverage.expected_class(rtype, set()) == coverage.VERIFIED_EMULATION
        assert coverage.expected_class(rtype, {rtype}) == coverage.VERIFIED_MOTO
    assert HANDLERS_RUN <= set(coverage.SOURCES)


def test_the_summary_line_gives_each_class_moto_first():
    def row(status: str) -> coverage.ResourceCoverage:
        return coverage.ResourceCoverage("Stack", "X", "AWS::EC2::VPC", status)

    proof = flow.DeployProof(stacks={"Stack": "us-east-1"})
    proof.coverage = (
        [row(coverage.VERIFIED_MOTO)] * 6
        + [row(coverage.VERIFIED_EMULATION)] * 2
        + [row(coverage.EXISTENCE_ONLY), row(coverage.NOT_EMULATED)]
    )
    report = proof.coverage_report().splitlines()
    expected = (
        "6/10 verified against moto's own model (60.0 %), 2 against this project's emulation, "
        "1 existence only, 1 stubs"
    )
    assert report[-1] == "coverage: " + expected
    assert report[1] == "  Stack (us-east-1): " + expected
    proof.coverage.append(row(coverage.MISMATCH))
    assert proof.coverage_report().splitlines()[-1].endswith("FAILED: 1 mismatch")


def test_the_docs_table_is_the_one_the_verifiers_declare():
    docs = (ROOT / "docs" / "deploy-local.md").read_text()
    assert coverage.markdown_table() in docs, (
        "docs/deploy-local.md's 'What each verifier compares' table is stale: "
        "replace it with the output of `python -m tests.emulator.coverage`"
    )


# ------------------------------------------------------------ buckets: sub-resources (#15)
BUCKET_PROPS = {
    "VersioningConfiguration": {"Status": "Enabled"},
    "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    "LifecycleConfiguration": {
        "Rules": [
            {
                "Status": "Enabled",
                "Transitions": [
                    {"StorageClass": "STANDARD_IA", "TransitionInDays": 30},
                    {"StorageClass": "GLACIER", "TransitionInDays": 90},
                ],
                "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            }
        ]
    },
    "ReplicationConfiguration": {
        "Role": {"Fn::GetAtt": ["ReplicationRole", "Arn"]},
        "Rules": [
            {
                "Status": "Enabled",
                "Priority": 1,
                "Filter": {"Prefix": ""},
                "DeleteMarkerReplication": {"Status": "Enabled"},
                "Destination": {"Bucket": "arn:aws:s3:::replica-1"},
            }
        ],
    },
    "LoggingConfiguration": {"DestinationBucketName": {"Ref": "Logs"}, "LogFilePrefix": "access/"},
}
LIFECYCLE_READ_BACK = {
    "ID": "generated-by-s3",
    "Status": "Enabled",
    "Filter": {"Prefix": ""},
    "Transitions": [
        {"Days": 30, "StorageClass": "STANDARD_IA"},
        {"Days": 90, "StorageClass": "GLACIER"},
    ],
    "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
}
REPLICATION_READ_BACK = {
    "Role": ROLE_ARN,
    "Rules": [
        {
            "ID": "r1",
            "Priority": 1,
            "Status": "Enabled",
            "DeleteMarkerReplication": {"Status": "Disabled"},  # moto's constant
            "Filter": {"Prefix": ""},
            "Destination": {"Bucket": "arn:aws:s3:::replica-1"},
        }
    ],
}


def _bucket_stack(lifecycle: dict, replication: dict, logging: dict, **kw: Any):
    resources = {
        "Data": {"Type": "AWS::S3::Bucket", "Properties": BUCKET_PROPS},
        "Logs": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "ReplicationRole": {"Type": "AWS::IAM::Role", "Properties": {}},
    }
    s3 = Fake(
        head_bucket={},
        get_bucket_versioning={"Status": "Enabled"},
        get_bucket_ownership_controls={
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        },
        get_bucket_lifecycle_configuration={"Rules": [lifecycle]},
        get_bucket_replication={"ReplicationConfiguration": replication},
        get_bucket_logging={"LoggingEnabled": logging},
    )
    iam = Fake(get_role={"Role": {"Arn": ROLE_ARN}})
    physical = {"Data": "data-1", "Logs": "logs-1", "ReplicationRole": "role-1"}
    return _stack(resources, physical, {"s3": s3, "iam": iam}, **kw)


LOGGING_READ_BACK = {"TargetBucket": "logs-1", "TargetPrefix": "access/"}


def test_bucket_sub_resources_are_compared_in_the_templates_terms_and_moto_constants_skipped():
    notes = _verify(
        _bucket_stack(LIFECYCLE_READ_BACK, REPLICATION_READ_BACK, LOGGING_READ_BACK), "Data"
    )
    assert notes.status() == coverage.VERIFIED_MOTO
    assert any("DeleteMarkerReplication" in s for s in notes.skipped), notes.skipped
    # once moto serves what it stores, the delete-marker setting is compared (and differs here)
    with pytest.raises(coverage.Mismatch, match="DeleteMarkerReplication"):
        _verify(
            _bucket_stack(
                LIFECYCLE_READ_BACK, REPLICATION_READ_BACK, LOGGING_READ_BACK, moto_ignores={}
            ),
            "Data",
        )


@pytest.mark.parametrize(
    "lifecycle",
    [
        dict(LIFECYCLE_READ_BACK, Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"}]),
        dict(
            LIFECYCLE_READ_BACK,
            Transitions=[
                {"Days": 30, "StorageClass": "STANDARD_IA"},
                {"Days": 60, "StorageClass": "GLACIER"},
            ],
        ),
        dict(LIFECYCLE_READ_BACK, NoncurrentVersionExpiration={"NoncurrentDays": 30}),
        {k: v for k, v in LIFECYCLE_READ_BACK.items() if k != "AbortIncompleteMultipartUpload"},
        dict(LIFECYCLE_READ_BACK, Filter={"Prefix": "logs/"}),
        dict(LIFECYCLE_READ_BACK, Status="Disabled"),
    ],
    ids=["a transition missing", "glacier day", "noncurrent days", "no abort", "prefix", "off"],
)
def test_a_lifecycle_rule_that_differs_is_a_mismatch(lifecycle):
    with pytest.raises(coverage.Mismatch, match="LifecycleConfiguration"):
        _verify(_bucket_stack(lifecycle, REPLICATION_READ_BACK, LOGGING_READ_BACK), "Data")


@pytest.mark.parametrize(
    ("replication", "logging", "what"),
    [
        (
            dict(REPLICATION_READ_BACK, Role=f"arn:aws:iam::{ACCOUNT}:role/other"),
            LOGGING_READ_BACK,
            "Role",
        ),
        (
            dict(
                REPLICATION_READ_BACK,
                Rules=[
                    dict(
                        REPLICATION_READ_BACK["Rules"][0],
                        Destination={"Bucket": "arn:aws:s3:::elsewhere"},
                    )
                ],
            ),
            LOGGING_READ_BACK,
            "Destination",
        ),
        (REPLICATION_READ_BACK, {"TargetBucket": "data-1", "TargetPrefix": "access/"}, "Destin"),
        (REPLICATION_READ_BACK, dict(LOGGING_READ_BACK, TargetPrefix=""), "LogFilePrefix"),
    ],
    ids=["role", "destination", "log bucket", "log prefix"],
)
def test_replication_or_logging_that_differs_is_a_mismatch(replication, logging, what):
    with pytest.raises(coverage.Mismatch, match=what):
        _verify(_bucket_stack(LIFECYCLE_READ_BACK, replication, logging), "Data")


# --------------------------------------------------------- queues and subscriptions (#15)
DLQ_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dlq-1"
QUEUE_URL = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs-1.fifo"


def _queue_stack(attributes: dict) -> coverage.Deployed:
    resources = {
        "Jobs": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "FifoQueue": True,
                "VisibilityTimeout": 60,
                "DeduplicationScope": "messageGroup",
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]},
                    "maxReceiveCount": 3,
                },
            },
        },
        "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": True}},
    }

    def get_queue_attributes(QueueUrl, AttributeNames):  # noqa: N803 - boto3's spelling
        if QueueUrl.endswith("dlq-1.fifo"):
            return {"Attributes": {"QueueArn": DLQ_ARN, "FifoQueue": "true"}}
        return {"Attributes": dict(attributes)}

    sqs = Fake(get_queue_attributes=get_queue_attributes)
    physical = {"Jobs": QUEUE_URL, "Dlq": QUEUE_URL.replace("jobs-1", "dlq-1")}
    return _stack(resources, physical, {"sqs": sqs})


QUEUE_READ_BACK = {
    "FifoQueue": "true",
    "VisibilityTimeout": "60",
    "DeduplicationScope": "messageGroup",
    "RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 3}),
}


def test_a_queue_compares_its_attributes_and_its_redrive_target():
    assert _verify(_queue_stack(QUEUE_READ_BACK), "Jobs").status() == coverage.VERIFIED_MOTO


@pytest.mark.parametrize(
    "wrong",
    [
        {"FifoQueue": "false"},
        {"VisibilityTimeout": "30"},
        {"DeduplicationScope": "queue"},
        {"RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 5})},
        {"RedrivePolicy": json.dumps({"deadLetterTargetArn": "arn:x", "maxReceiveCount": 3})},
    ],
    ids=["not fifo", "visibility", "dedup scope", "max receives", "other dlq"],
)
def test_a_queue_that_differs_is_a_mismatch(wrong):
    with pytest.raises(coverage.Mismatch):
        _verify(_queue_stack(dict(QUEUE_READ_BACK, **wrong)), "Jobs")


TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:events-1"


def _subscription_stack(attributes: dict) -> coverage.Deployed:
    resources = {
        "Sub": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": "Topic"},
                "Protocol": "sqs",
                "Endpoint": {"Fn::GetAtt": ["Orders", "Arn"]},
                "FilterPolicy": {"kind": ["order"]},
                "FilterPolicyScope": "MessageBody",
                "RawMessageDelivery": True,
            },
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Orders": {"Type": "AWS::SQS::Queue", "Properties": {}},
    }
    sqs = Fake(get_queue_attributes={"Attributes": {"QueueArn": DLQ_ARN}})
    sns = Fake(get_subscription_attributes={"Attributes": attributes})
    physical = {"Sub": "sub-1", "Topic": TOPIC_ARN, "Orders": "https://q/orders"}
    return _stack(resources, physical, {"sns": sns, "sqs": sqs})


SUBSCRIPTION_READ_BACK = {
    "TopicArn": TOPIC_ARN,
    "Protocol": "sqs",
    "Endpoint": DLQ_ARN,
    "FilterPolicy": '{"kind": ["order"]}',
    "FilterPolicyScope": "MessageBody",
    "RawMessageDelivery": "true",
}


def test_a_subscription_compares_endpoint_filter_and_raw_delivery():
    notes = _verify(_subscription_stack(SUBSCRIPTION_READ_BACK), "Sub")
    assert notes.status() == coverage.VERIFIED_MOTO


@pytest.mark.parametrize(
    "wrong",
    [
        {"FilterPolicy": '{"kind": ["audit"]}'},
        {"FilterPolicyScope": "MessageAttributes"},
        {"RawMessageDelivery": "false"},
        {"Endpoint": f"arn:aws:sqs:us-east-1:{ACCOUNT}:other"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_subscription_that_differs_is_a_mismatch(wrong):
    with pytest.raises(coverage.Mismatch, match=next(iter(wrong))):
        _verify(_subscription_stack(dict(SUBSCRIPTION_READ_BACK, **wrong)), "Sub")


def test_within_compares_every_template_key_and_allows_the_services_own():
    coverage.expect_within("x", {"a": {"b": 1, "extra": 2}, "c": [1, 2]}, {"a": {"b": 1}})
    with pytest.raises(coverage.Mismatch, match=r"x\.a\.b"):
        coverage.expect_within("x", {"a": {"b": 2}}, {"a": {"b": 1}})
    with pytest.raises(coverage.Mismatch, match=r"x\.a: not read back"):
        coverage.expect_within("x", {}, {"a": 1})
    with pytest.raises(coverage.Mismatch, match=r"x\.c"):
        coverage.expect_within("x", {"c": [1]}, {"c": [1, 2]})
    coverage.expect_within("x", {"a": 5}, {"a": coverage.UNRESOLVED})
