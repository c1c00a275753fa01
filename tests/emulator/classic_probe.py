"""The classic architectures' CloudFormation types, deployed into an in-process moto with the
emulator's extensions, read back by the coverage verifiers, broken on purpose, then deleted.

Run as ``python -m tests.emulator.classic_probe`` (tests/emulator/test_classic_emulation.py does,
in a process of its own: ``extensions.install()`` changes moto's CloudFormation for the whole
process, which must not leak into other tests' ``mock_aws``). Prints one JSON object: the
coverage rows of the deployed stack, the rows after each breakage, the Fn::GetAtt values the
stack's outputs received, and what the delete left behind.
"""

from __future__ import annotations

import json
import os
from typing import Any

REGION = "us-east-1"
ACCOUNT = "123456789012"
AMI = "ami-12c6146b"


def _ref(name: str) -> dict:
    return {"Ref": name}


def _att(name: str, attribute: str) -> dict:
    return {"Fn::GetAtt": [name, attribute]}


def template() -> dict[str, Any]:
    """One stack with every type the classic architectures add, shaped as aws-cdk-lib writes
    them (instances by NetworkInterfaces, an all-traffic ingress rule without ports, an EBS
    mapping without a size, string POSIX ids, a managed master password, ...)."""
    resources: dict[str, Any] = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "SubnetA": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {
                "VpcId": _ref("Vpc"),
                "CidrBlock": "10.0.0.0/24",
                "AvailabilityZone": "us-east-1a",
                "MapPublicIpOnLaunch": True,
            },
        },
        "SubnetB": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {
                "VpcId": _ref("Vpc"),
                "CidrBlock": "10.0.1.0/24",
                "AvailabilityZone": "us-east-1b",
            },
        },
        "WebGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "web",
                "VpcId": _ref("Vpc"),
                "SecurityGroupIngress": [
                    {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"},
                    {"IpProtocol": "-1", "CidrIp": "10.0.0.0/16"},
                ],
            },
        },
        "Web": {
            "Type": "AWS::EC2::Instance",
            "Properties": {
                "ImageId": AMI,
                "InstanceType": "t4g.nano",
                "NetworkInterfaces": [
                    {
                        "AssociatePublicIpAddress": True,
                        "DeviceIndex": "0",
                        "GroupSet": [_att("WebGroup", "GroupId")],
                        "SubnetId": _ref("SubnetA"),
                    }
                ],
                "BlockDeviceMappings": [
                    {"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "VolumeType": "gp3"}}
                ],
            },
        },
        "Other": {
            "Type": "AWS::EC2::Instance",
            "Properties": {
                "ImageId": AMI,
                "InstanceType": "t4g.nano",
                "SubnetId": _ref("SubnetB"),
                "SecurityGroupIds": [_att("WebGroup", "GroupId")],
            },
        },
        "Address": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
        "AddressAssociation": {
            "Type": "AWS::EC2::EIPAssociation",
            "Properties": {
                "AllocationId": _att("Address", "AllocationId"),
                "InstanceId": _ref("Web"),
            },
        },
        "Zone": {
            "Type": "AWS::Route53::HostedZone",
            "Properties": {
                "Name": "classic.internal.",
                "HostedZoneConfig": {"Comment": "inside its VPC only"},
                "VPCs": [{"VPCId": _ref("Vpc"), "VPCRegion": REGION}],
                "HostedZoneTags": [{"Key": "app", "Value": "classic"}],
            },
        },
        "Addresses": {
            "Type": "AWS::Route53::RecordSet",
            "Properties": {
                "HostedZoneId": _ref("Zone"),
                "Name": "classic.internal.",
                "Type": "A",
                "TTL": "3600",
                "ResourceRecords": [_att("Address", "PublicIp"), _att("Other", "PrivateIp")],
            },
        },
        "Check": {
            "Type": "AWS::Route53::HealthCheck",
            "Properties": {
                "HealthCheckConfig": {
                    "Type": "HTTP",
                    "IPAddress": "192.0.2.10",
                    "Port": 80,
                    "ResourcePath": "/health",
                    "FullyQualifiedDomainName": "classic.internal",
                    "RequestInterval": 30,
                    "FailureThreshold": 3,
                    "Inverted": False,
                    "MeasureLatency": True,
                },
                "HealthCheckTags": [{"Key": "Name", "Value": "classic 192.0.2.10"}],
            },
        },
        "Checked": {
            "Type": "AWS::Route53::RecordSet",
            "Properties": {
                "HostedZoneId": _ref("Zone"),
                "Name": "checked.classic.internal.",
                "Type": "A",
                "TTL": "60",
                "ResourceRecords": ["192.0.2.10"],
                "MultiValueAnswer": True,
                "SetIdentifier": "address-1",
                "HealthCheckId": _ref("Check"),
            },
        },
        "Balancer": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {
                "Scheme": "internet-facing",
                "Subnets": [_ref("SubnetA"), _ref("SubnetB")],
                "SecurityGroups": [_att("WebGroup", "GroupId")],
                "Type": "application",
            },
        },
        "Targets": {
            "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
            "Properties": {
                "Port": 80,
                "Protocol": "HTTP",
                "VpcId": _ref("Vpc"),
                "TargetType": "instance",
                "HealthCheckPath": "/health",
                "HealthCheckIntervalSeconds": 15,
                "Matcher": {"HttpCode": "200"},
                "TargetGroupAttributes": [
                    {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
                    {"Key": "stickiness.enabled", "Value": "true"},
                    {"Key": "stickiness.type", "Value": "lb_cookie"},
                    {"Key": "stickiness.lb_cookie.duration_seconds", "Value": "86400"},
                ],
                "Targets": [{"Id": _ref("Web")}, {"Id": _ref("Other")}],
            },
        },
        "Alias": {
            "Type": "AWS::Route53::RecordSet",
            "Properties": {
                "HostedZoneId": _ref("Zone"),
                "Name": "www.classic.internal.",
                "Type": "A",
                "AliasTarget": {
                    "DNSName": {"Fn::Join": ["", ["dualstack.", _att("Balancer", "DNSName")]]},
                    "HostedZoneId": _att("Balancer", "CanonicalHostedZoneID"),
                    "EvaluateTargetHealth": True,
                },
            },
        },
        "Sessions": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "AttributeDefinitions": [{"AttributeName": "session_id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "session_id", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
                "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
            },
        },
        "Files": {
            "Type": "AWS::EFS::FileSystem",
            "Properties": {
                "Encrypted": True,
                "PerformanceMode": "generalPurpose",
                "ThroughputMode": "elastic",
                "BackupPolicy": {"Status": "DISABLED"},
                "LifecyclePolicies": [
                    {"TransitionToIA": "AFTER_7_DAYS"},
                    {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
                ],
                "FileSystemPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyClientsWithoutTls",
                            "Effect": "Deny",
                            "Principal": {"AWS": "*"},
                            "Action": "*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                },
                "FileSystemTags": [{"Key": "Name", "Value": "classic files"}],
            },
        },
        "FilesGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "nfs", "VpcId": _ref("Vpc")},
        },
        "MountA": {
            "Type": "AWS::EFS::MountTarget",
            "Properties": {
                "FileSystemId": _ref("Files"),
                "SubnetId": _ref("SubnetA"),
                "SecurityGroups": [_att("FilesGroup", "GroupId")],
            },
        },
        "MountB": {
            "Type": "AWS::EFS::MountTarget",
            "Properties": {
                "FileSystemId": _ref("Files"),
                "SubnetId": _ref("SubnetB"),
                "SecurityGroups": [_att("FilesGroup", "GroupId")],
            },
        },
        "Point": {
            "Type": "AWS::EFS::AccessPoint",
            "Properties": {
                "FileSystemId": _ref("Files"),
                "PosixUser": {"Uid": "1000", "Gid": "1000"},
                "RootDirectory": {
                    "Path": "/shared",
                    "CreationInfo": {"OwnerUid": "1000", "OwnerGid": "1000", "Permissions": "750"},
                },
                "AccessPointTags": [{"Key": "Name", "Value": "classic point"}],
            },
        },
        "DbSubnets": {
            "Type": "AWS::RDS::DBSubnetGroup",
            "Properties": {
                "DBSubnetGroupDescription": "db",
                "SubnetIds": [_ref("SubnetA"), _ref("SubnetB")],
            },
        },
        "DbParameters": {
            "Type": "AWS::RDS::DBClusterParameterGroup",
            "Properties": {
                "Description": "TLS only",
                "Family": "aurora-postgresql16",
                "Parameters": {"rds.force_ssl": "1", "log_min_duration_statement": 2000},
            },
        },
        "Db": {
            "Type": "AWS::RDS::DBCluster",
            "Properties": {
                "Engine": "aurora-postgresql",
                "EngineVersion": "16.9",
                "DBClusterIdentifier": "classic-db",
                "DBSubnetGroupName": _ref("DbSubnets"),
                "DBClusterParameterGroupName": _ref("DbParameters"),
                "VpcSecurityGroupIds": [_att("WebGroup", "GroupId")],
                "MasterUsername": "dbadmin",
                "ManageMasterUserPassword": True,
                "ServerlessV2ScalingConfiguration": {"MinCapacity": 0, "MaxCapacity": 2},
                "StorageEncrypted": True,
                "Port": 5432,
            },
        },
        "DbWriter": {
            "Type": "AWS::RDS::DBInstance",
            "Properties": {
                "DBClusterIdentifier": _ref("Db"),
                "DBInstanceClass": "db.serverless",
                "Engine": "aurora-postgresql",
            },
        },
        "CacheSubnets": {
            "Type": "AWS::ElastiCache::SubnetGroup",
            "Properties": {
                "Description": "sessions",
                "SubnetIds": [_ref("SubnetA"), _ref("SubnetB")],
            },
        },
        "CacheToken": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {
                "Description": "AUTH token",
                "GenerateSecretString": {
                    "ExcludePunctuation": True,
                    "IncludeSpace": False,
                    "PasswordLength": 64,
                },
            },
        },
        "Cache": {
            "Type": "AWS::ElastiCache::ReplicationGroup",
            "Properties": {
                "ReplicationGroupDescription": "sessions",
                "Engine": "valkey",
                "EngineVersion": "8.2",
                "CacheNodeType": "cache.t4g.micro",
                "NumCacheClusters": 2,
                "AutomaticFailoverEnabled": True,
                "MultiAZEnabled": True,
                "AtRestEncryptionEnabled": True,
                "TransitEncryptionEnabled": True,
                "TransitEncryptionMode": "required",
                "SnapshotRetentionLimit": 1,
                "Port": 6379,
                "CacheSubnetGroupName": _ref("CacheSubnets"),
                "SecurityGroupIds": [_att("WebGroup", "GroupId")],
                "AuthToken": {
                    "Fn::Join": [
                        "",
                        ["{{resolve:secretsmanager:", _ref("CacheToken"), ":SecretString:::}}"],
                    ]
                },
            },
        },
    }
    outputs = {
        "CacheEndpoint": {"Value": _att("Cache", "PrimaryEndPoint.Address")},
        "PublicIp": {"Value": _att("Address", "PublicIp")},
        "ZoneOfBalancer": {"Value": _att("Balancer", "CanonicalHostedZoneID")},
        "FilesArn": {"Value": _att("Files", "Arn")},
        "PointArn": {"Value": _att("Point", "Arn")},
        "PointId": {"Value": _ref("Point")},
        "DbSecret": {"Value": _att("Db", "MasterUserSecret.SecretArn")},
        "WebPublicIp": {"Value": _att("Web", "PublicIp")},
    }
    return {"Resources": resources, "Outputs": outputs}


# What _break changes, and so what must read back as a mismatch afterwards.
BROKEN = (
    "Sessions",
    "Targets",
    "AddressAssociation",
    "Files",
    "Zone",
    "Addresses",
    "DbParameters",
)


def _rows(deployed: Any, only: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Coverage rows (status, detail) of every resource, or of ``only`` those."""
    from tests.emulator import coverage

    if not only:
        return {r.logical_id: [r.status, r.detail] for r in coverage.cover(deployed)}
    rows = {}
    for logical_id in only:
        deployed.begin()
        rtype = deployed.type_of(logical_id)
        try:
            coverage.VERIFIERS[rtype](deployed, logical_id, deployed.physical[logical_id])
            rows[logical_id] = [deployed.notes.status(), ""]
        except coverage.Mismatch as error:
            rows[logical_id] = [coverage.MISMATCH, str(error)]
    return rows


def _break(clients: Any, physical: dict[str, str]) -> dict[str, Any]:
    """Change the deployed state behind each new verifier's back; each change must show."""
    ec2, elbv2, dynamodb = clients("ec2"), clients("elbv2"), clients("dynamodb")
    efs, route53, rds = clients("efs"), clients("route53"), clients("rds")
    dynamodb.update_time_to_live(
        TableName=physical["Sessions"],
        TimeToLiveSpecification={"AttributeName": "ttl", "Enabled": True},
    )
    elbv2.modify_target_group_attributes(
        TargetGroupArn=physical["Targets"],
        Attributes=[{"Key": "stickiness.lb_cookie.duration_seconds", "Value": "60"}],
    )
    ec2.disassociate_address(AssociationId=physical["AddressAssociation"])
    efs.put_lifecycle_configuration(
        FileSystemId=physical["Files"], LifecyclePolicies=[{"TransitionToIA": "AFTER_30_DAYS"}]
    )
    route53.change_tags_for_resource(
        ResourceType="hostedzone",
        ResourceId=physical["Zone"],
        AddTags=[{"Key": "app", "Value": "x"}],
    )
    route53.change_resource_record_sets(
        HostedZoneId=physical["Zone"],
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": "classic.internal.",
                        "Type": "A",
                        "TTL": 60,
                        "ResourceRecords": [{"Value": "192.0.2.99"}],
                    },
                }
            ]
        },
    )
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=physical["DbParameters"],
        Parameters=[
            {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "immediate"}
        ],
    )
    return {}


def _leftovers(clients: Any) -> list[str]:
    route53, efs, rds, ec2 = clients("route53"), clients("efs"), clients("rds"), clients("ec2")
    found = [z["Name"] for z in route53.list_hosted_zones()["HostedZones"]]
    found += [c["Id"] for c in route53.list_health_checks()["HealthChecks"]]
    found += [f["FileSystemId"] for f in efs.describe_file_systems()["FileSystems"]]
    found += [
        g["DBClusterParameterGroupName"]
        for g in rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]
    ]
    found += [
        a["AssociationId"] for a in ec2.describe_addresses()["Addresses"] if "AssociationId" in a
    ]
    elasticache = clients("elasticache")
    found += [
        g["ReplicationGroupId"]
        for g in elasticache.describe_replication_groups()["ReplicationGroups"]
    ]
    found += [
        g["CacheSubnetGroupName"]
        for g in elasticache.describe_cache_subnet_groups()["CacheSubnetGroups"]
    ]
    return found


def main() -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
    )
    import boto3
    from moto import mock_aws

    from tests.emulator import coverage, extensions

    extensions.install()
    with mock_aws():
        made: dict[str, Any] = {}

        def clients(service: str) -> Any:
            if service not in made:
                made[service] = boto3.client(service, region_name=REGION)
            return made[service]

        cloudformation = clients("cloudformation")
        body = template()
        cloudformation.create_stack(StackName="Classic", TemplateBody=json.dumps(body))
        [stack] = cloudformation.describe_stacks(StackName="Classic")["Stacks"]
        resources = cloudformation.describe_stack_resources(StackName="Classic")["StackResources"]
        physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
        deployed = coverage.Deployed("Classic", REGION, body, physical, clients)
        result: dict[str, Any] = {
            "status": stack["StackStatus"],
            "rows": _rows(deployed),
            "outputs": {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
            "physical": physical,
        }
        _break(clients, physical)
        again = coverage.Deployed("Classic", REGION, body, physical, clients)
        result["broken"] = _rows(again, BROKEN)
        cloudformation.delete_stack(StackName="Classic")
        result["leftovers"] = _leftovers(clients)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
