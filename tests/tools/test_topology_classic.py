"""What the pictures draw of the classic architectures' resources, from the template's own
relations: Elastic IPs on their instances, Route 53 zone -> record -> what it answers with,
health checks, load balancers to instance targets, ElastiCache, EFS mount targets per AZ,
Aurora that pauses, RDS read replicas, and the instances' IAM grants. Hand-written templates in
the shape aws-cdk-lib writes; no synthesis, no Graphviz."""

from __future__ import annotations

from tests.tools.queries import az_of, edges, nodes
from tools import pictures
from tools.topology import VPC, Topology, topology


def _subnet(az: str, tier: str, cidr: str, kind: str = "Isolated") -> dict:
    return {
        "Type": "AWS::EC2::Subnet",
        "Properties": {
            "AvailabilityZone": az,
            "CidrBlock": cidr,
            "Tags": [
                {"Key": "aws-cdk:subnet-name", "Value": tier},
                {"Key": "aws-cdk:subnet-type", "Value": kind},
            ],
        },
    }


def _r(kind: str, **props) -> dict:
    return {"Type": kind, "Properties": props}


def _draw(**resources: dict) -> Topology:
    base = {
        "Vpc": _r("AWS::EC2::VPC", CidrBlock="10.0.0.0/16"),
        "PublicA": _subnet("us-east-1a", "Public", "10.0.0.0/24", "Public"),
        "AppA": _subnet("us-east-1a", "Application", "10.0.16.0/20"),
        "AppB": _subnet("us-east-1b", "Application", "10.0.32.0/20"),
        "DataA": _subnet("us-east-1a", "Data", "10.0.48.0/24"),
        "DataB": _subnet("us-east-1b", "Data", "10.0.49.0/24"),
    }
    return topology({"Resources": {**base, **resources}}, stack="S", region="us-east-1")


def _instance(subnet: str, public: bool = False, **props) -> dict:
    interface = {"DeviceIndex": "0", "SubnetId": {"Ref": subnet}}
    if public:
        interface["AssociatePublicIpAddress"] = True
    return _r(
        "AWS::EC2::Instance",
        InstanceType="t4g.nano",
        NetworkInterfaces=[interface],
        Tags=[{"Key": "Name", "Value": "S/Fleet/Instance1"}],
        **props,
    )


def _group(role_profile: str | None = None, user_data: object = None) -> dict:
    data: dict = {"InstanceType": "t4g.nano"}
    if role_profile:
        data["IamInstanceProfile"] = {"Arn": {"Fn::GetAtt": [role_profile, "Arn"]}}
    if user_data is not None:
        data["UserData"] = user_data
    return {
        "Lt": _r("AWS::EC2::LaunchTemplate", LaunchTemplateData=data),
        "Asg": _r(
            "AWS::AutoScaling::AutoScalingGroup",
            MinSize="2",
            MaxSize="4",
            LaunchTemplate={"LaunchTemplateId": {"Ref": "Lt"}},
            VPCZoneIdentifier=[{"Ref": "AppA"}, {"Ref": "AppB"}],
        ),
    }


# -- instances, Elastic IPs, DNS ----------------------------------------------------------------


def test_an_elastic_ip_is_drawn_beside_its_instance_in_its_subnet_and_points_at_it():
    topo = _draw(
        Box=_instance("PublicA", public=True),
        Eip=_r("AWS::EC2::EIP", Domain="vpc"),
        Assoc=_r(
            "AWS::EC2::EIPAssociation",
            AllocationId={"Fn::GetAtt": ["Eip", "AllocationId"]},
            InstanceId={"Ref": "Box"},
        ),
    )
    (eip,) = nodes(topo, "Elastic IP")
    (box,) = nodes(topo, "Instance1")
    assert topo.nodes[eip].parent == topo.nodes[box].parent == "subnet_PublicA"
    assert topo.nodes[eip].icon == "aws.compute.EC2ElasticIpAddress"
    assert edges(topo, "Elastic IP", "Instance1", "traffic") == {(eip, box, "static address of")}
    # its address is the EIP's: the instance does not say it has one of its own
    assert "auto-assigned" not in topo.nodes[box].label
    assert topo.not_drawn["AWS::EC2::EIPAssociation"] == 0


def test_a_public_instance_without_an_elastic_ip_says_its_address_is_auto_assigned():
    topo = _draw(Box=_instance("PublicA", public=True))
    (box,) = nodes(topo, "Instance1")
    assert topo.nodes[box].label == "Instance1\nt4g.nano\npublic IPv4 (auto-assigned)"


def test_zone_holds_the_record_and_the_record_answers_with_the_instances_addresses():
    topo = _draw(
        Box=_instance("PublicA", public=True),
        Zone=_r(
            "AWS::Route53::HostedZone",
            Name="whatisthetime.internal.",
            VPCs=[{"VPCId": {"Ref": "Vpc"}, "VPCRegion": "us-east-1"}],
        ),
        Record=_r(
            "AWS::Route53::RecordSet",
            HostedZoneId={"Ref": "Zone"},
            Name="whatisthetime.internal.",
            Type="A",
            TTL="3600",
            ResourceRecords=[{"Fn::GetAtt": ["Box", "PublicIp"]}],
        ),
    )
    (zone,) = nodes(topo, "Route 53 hosted zone")
    (record,) = nodes(topo, "Route 53 A record")
    assert topo.nodes[zone].label.endswith("private: answers inside its VPC")
    assert topo.nodes[record].label == "Route 53 A record\nwhatisthetime.internal.\nTTL 3600 s"
    assert topo.nodes[zone].parent == topo.nodes[record].parent == "global"
    assert edges(topo, "Route 53 hosted zone", "Route 53 A", "control") == {(zone, record, "holds")}
    assert {label for *_, label in edges(topo, "Route 53 A", "Instance1", "traffic")} == {
        "answers with its address"
    }


def test_a_record_naming_an_instance_with_an_elastic_ip_answers_with_the_elastic_ip():
    topo = _draw(
        Box=_instance("PublicA"),
        Eip=_r("AWS::EC2::EIP", InstanceId={"Ref": "Box"}),
        Record=_r(
            "AWS::Route53::RecordSet",
            Type="A",
            ResourceRecords=[{"Fn::GetAtt": ["Box", "PublicIp"]}],
        ),
    )
    assert edges(topo, "Route 53 A", "Elastic IP")
    assert not edges(topo, "Route 53 A", "Instance1")


def test_health_checks_check_their_address_and_gate_the_record_that_names_them():
    config = {
        "Type": "HTTP",
        "IPAddress": {"Fn::GetAtt": ["Box", "PublicIp"]},
        "Port": 80,
        "ResourcePath": "/health",
        "RequestInterval": 30,
    }
    topo = _draw(
        Box=_instance("PublicA", public=True),
        Check=_r("AWS::Route53::HealthCheck", HealthCheckConfig=config),
        Record=_r(
            "AWS::Route53::RecordSet",
            Type="A",
            TTL="60",
            ResourceRecords=[{"Fn::GetAtt": ["Box", "PublicIp"]}],
            HealthCheckId={"Ref": "Check"},
        ),
    )
    (check,) = nodes(topo, "Route 53 health check")
    assert topo.nodes[check].label == "Route 53 health check\nHTTP :80/health, every 30 s"
    assert {
        label for *_, label in edges(topo, "Route 53 health check", "Instance1", "control")
    } == {"checks"}
    assert {label for *_, label in edges(topo, "Route 53 A", "Route 53 health check")} == {
        "answers only while healthy"
    }


def test_an_alias_record_points_at_the_load_balancer_and_it_forwards_to_instance_targets():
    topo = _draw(
        Box=_instance("AppA"),
        Lb=_r(
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            Scheme="internet-facing",
            Subnets=[{"Ref": "PublicA"}],
        ),
        Tg=_r(
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            Port=80,
            Protocol="HTTP",
            HealthCheckPath="/health",
            TargetType="instance",
            Targets=[{"Id": {"Ref": "Box"}}],
        ),
        Listener=_r(
            "AWS::ElasticLoadBalancingV2::Listener",
            LoadBalancerArn={"Ref": "Lb"},
            Port=80,
            Protocol="HTTP",
            DefaultActions=[{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}],
        ),
        Record=_r(
            "AWS::Route53::RecordSet",
            Type="A",
            AliasTarget={"DNSName": {"Fn::GetAtt": ["Lb", "DNSName"]}},
        ),
    )
    assert {label for *_, label in edges(topo, "Application Load", "Instance1")} == {
        "forwards HTTP 80, health check /health"
    }
    assert {label for *_, label in edges(topo, "Route 53 A", "Application Load")} == {"alias"}
    (record,) = nodes(topo, "Route 53 A")
    assert topo.nodes[record].label.endswith("\nalias")


# -- data tier ----------------------------------------------------------------------------------


def test_a_replication_group_is_drawn_in_the_vpc_saying_its_shape_and_its_rule_reaches_it():
    topo = _draw(
        **_group(),
        WebSg=_r("AWS::EC2::SecurityGroup", GroupDescription="web"),
        CacheSg=_r(
            "AWS::EC2::SecurityGroup",
            GroupDescription="cache",
            SecurityGroupIngress=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 6379,
                    "ToPort": 6379,
                    "SourceSecurityGroupId": {"Fn::GetAtt": ["WebSg", "GroupId"]},
                }
            ],
        ),
        Subnets=_r("AWS::ElastiCache::SubnetGroup", SubnetIds=[{"Ref": "DataA"}, {"Ref": "DataB"}]),
        Cache=_r(
            "AWS::ElastiCache::ReplicationGroup",
            Engine="valkey",
            EngineVersion="8.2",
            CacheNodeType="cache.t4g.micro",
            NumCacheClusters=2,
            MultiAZEnabled=True,
            TransitEncryptionEnabled=True,
            AtRestEncryptionEnabled=True,
            CacheSubnetGroupName={"Ref": "Subnets"},
            SecurityGroupIds=[{"Fn::GetAtt": ["CacheSg", "GroupId"]}],
        ),
    )
    (cache,) = nodes(topo, "ElastiCache")
    assert topo.nodes[cache].parent == VPC
    assert topo.nodes[cache].label == (
        "ElastiCache valkey 8.2\n1 primary + 1 replica, cache.t4g.micro\n"
        "Multi-AZ, TLS, encrypted\nData subnets in 2 AZs"
    )
    assert {label for *_, label in edges(topo, "security group", "ElastiCache", "rule")} == {
        "tcp 6379"
    }
    assert topo.not_drawn["AWS::ElastiCache::SubnetGroup"] == 0


def _file_system(backups: bool = False) -> dict:
    return {
        "Files": _r(
            "AWS::EFS::FileSystem",
            Encrypted=True,
            ThroughputMode="elastic",
            LifecyclePolicies=[{"TransitionToIA": "AFTER_7_DAYS"}],
            FileSystemPolicy={
                "Statement": [{"Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
            },
            BackupPolicy={"Status": "ENABLED" if backups else "DISABLED"},
        ),
        "TargetA": _r(
            "AWS::EFS::MountTarget", FileSystemId={"Ref": "Files"}, SubnetId={"Ref": "DataA"}
        ),
        "TargetB": _r(
            "AWS::EFS::MountTarget", FileSystemId={"Ref": "Files"}, SubnetId={"Ref": "DataB"}
        ),
        "Point": _r("AWS::EFS::AccessPoint", FileSystemId={"Ref": "Files"}),
    }


def test_efs_mount_targets_sit_in_their_subnets_and_instances_mount_their_own_az_s():
    mount = {
        "Fn::Base64": {"Fn::Join": ["", ["mount -t efs -o tls ", {"Ref": "Files"}, ":/ /mnt"]]}
    }
    topo = _draw(**_group(user_data=mount), **_file_system())
    targets = nodes(topo, "EFS mount target")
    assert len(targets) == 2
    assert {topo.nodes[t].parent for t in targets} == {"subnet_DataA", "subnet_DataB"}
    (fs,) = nodes(topo, "EFS file system")
    assert topo.nodes[fs].parent == "region"
    assert "elastic throughput, encrypted, to IA after 7 days, TLS required" in topo.nodes[fs].label
    assert {(src, dst) for src, dst, _ in edges(topo, "EFS mount target", "EFS file system")} == {
        (t, fs) for t in targets
    }
    mounts = edges(topo, "EC2 instances", "EFS mount target", "traffic")
    assert {label for *_, label in mounts} == {"mounts (NFS over TLS)"}
    assert len(mounts) == 2 and all(az_of(topo, src) == az_of(topo, dst) for src, dst, _ in mounts)
    assert topo.not_drawn["AWS::EFS::AccessPoint"] == 0


def test_without_user_data_naming_it_no_instance_is_drawn_mounting_the_file_system():
    topo = _draw(**_group(user_data={"Fn::Base64": "#!/bin/bash\necho hi"}), **_file_system())
    assert not edges(topo, "EC2 instances", "EFS mount target", "traffic")


def test_a_paused_serverless_cluster_says_so_and_its_parameter_group_is_plumbing():
    topo = _draw(
        Params=_r("AWS::RDS::DBClusterParameterGroup", Family="aurora-mysql8.0"),
        Group=_r("AWS::RDS::DBSubnetGroup", SubnetIds=[{"Ref": "DataA"}, {"Ref": "DataB"}]),
        Cluster=_r(
            "AWS::RDS::DBCluster",
            Engine="aurora-mysql",
            DBSubnetGroupName={"Ref": "Group"},
            DBClusterParameterGroupName={"Ref": "Params"},
            ServerlessV2ScalingConfiguration={"MinCapacity": 0, "MaxCapacity": 2},
        ),
        Writer=_r(
            "AWS::RDS::DBInstance",
            DBClusterIdentifier={"Ref": "Cluster"},
            DBInstanceClass="db.serverless",
        ),
    )
    (cluster,) = nodes(topo, "Aurora cluster")
    assert "(0-2 ACU)\npauses at 0 ACU when idle" in topo.nodes[cluster].label
    assert topo.not_drawn["AWS::RDS::DBClusterParameterGroup"] == 1
    assert not nodes(topo, "AWS::RDS::DBClusterParameterGroup")


def test_an_rds_read_replica_is_drawn_as_one_in_its_source_s_subnets():
    topo = _draw(
        Group=_r("AWS::RDS::DBSubnetGroup", SubnetIds=[{"Ref": "DataA"}, {"Ref": "DataB"}]),
        Primary=_r(
            "AWS::RDS::DBInstance",
            Engine="postgres",
            DBInstanceClass="db.t4g.micro",
            MultiAZ=True,
            DBSubnetGroupName={"Ref": "Group"},
        ),
        Replica=_r(
            "AWS::RDS::DBInstance",
            SourceDBInstanceIdentifier={"Ref": "Primary"},
            DBInstanceClass="db.t4g.micro",
        ),
    )
    labels = sorted(topo.nodes[n].label for n in nodes(topo, "RDS"))
    assert labels == [
        "RDS postgres\ndb.t4g.micro\nread replica\nData subnets in 2 AZs",
        "RDS postgres\ndb.t4g.micro, Multi-AZ\nData subnets in 2 AZs",
    ]
    assert {label for *_, label in edges(topo, "RDS postgres\ndb.t4g.micro,", "RDS")} == {
        "replicates to (asynchronous)"
    }
    assert all(topo.nodes[n].parent == VPC for n in nodes(topo, "RDS"))


# -- IAM grants ---------------------------------------------------------------------------------


def _grants(*statements: dict) -> dict:
    return {
        "Role": _r("AWS::IAM::Role"),
        "Profile": _r("AWS::IAM::InstanceProfile", Roles=[{"Ref": "Role"}]),
        "Policy": _r(
            "AWS::IAM::Policy",
            Roles=[{"Ref": "Role"}],
            PolicyDocument={"Statement": list(statements)},
        ),
    }


def test_instances_reach_the_session_table_their_role_is_granted_and_only_that():
    read_write = {
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
        "Resource": [{"Fn::GetAtt": ["Sessions", "Arn"]}],
    }
    read_only = {
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"],
        "Resource": [{"Fn::GetAtt": ["Addresses", "Arn"]}],
    }
    topo = _draw(
        **_group(role_profile="Profile"),
        **_grants(read_write, read_only),
        Sessions=_r("AWS::DynamoDB::Table", BillingMode="PAY_PER_REQUEST"),
        Addresses=_r("AWS::DynamoDB::Table", BillingMode="PAY_PER_REQUEST"),
        Unrelated=_r("AWS::DynamoDB::Table", BillingMode="PAY_PER_REQUEST"),
    )
    grants = edges(topo, "EC2 instances", "DynamoDB table", "traffic")
    by_table = {(topo.nodes[dst].label.split()[2], label) for _, dst, label in grants}
    assert by_table == {
        ("Sessions", "reads/writes (IAM grant)"),
        ("Addresses", "reads (IAM grant)"),
    }
    assert len(grants) == 4  # each AZ's instances


def test_a_grant_to_rds_s_managed_secret_is_said_on_the_database_not_drawn_as_data_access():
    secret = {
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": {"Fn::GetAtt": ["Cluster", "MasterUserSecret.SecretArn"]},
    }
    topo = _draw(
        **_group(role_profile="Profile"),
        **_grants(secret),
        Group=_r("AWS::RDS::DBSubnetGroup", SubnetIds=[{"Ref": "DataA"}, {"Ref": "DataB"}]),
        Cluster=_r(
            "AWS::RDS::DBCluster", Engine="aurora-postgresql", DBSubnetGroupName={"Ref": "Group"}
        ),
    )
    assert not edges(topo, "EC2 instances", "Aurora cluster")
    (cluster,) = nodes(topo, "Aurora cluster")
    assert topo.nodes[cluster].label.endswith(
        "master secret managed by RDS,\nread by the instances (IAM grant)"
    )


def test_a_grant_already_drawn_by_what_it_does_adds_no_second_edge():
    poll = {
        "Effect": "Allow",
        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
        "Resource": {"Fn::GetAtt": ["Queue", "Arn"]},
    }
    group = _group(role_profile="Profile", user_data={"Fn::Base64": {"Ref": "Queue"}})
    group["Lt"]["Properties"]["LaunchTemplateData"]["TagSpecifications"] = [{"Ref": "Queue"}]
    topo = _draw(**group, **_grants(poll), Queue=_r("AWS::SQS::Queue"))
    assert edges(topo, "SQS queue", "EC2 instances")  # polled by the workers
    assert not edges(topo, "EC2 instances", "SQS queue")


def test_the_new_icons_exist_in_diagrams_and_the_description_builds():
    topo = _draw(
        Box=_instance("PublicA"),
        Eip=_r("AWS::EC2::EIP", InstanceId={"Ref": "Box"}),
        **_file_system(),
        Check=_r("AWS::Route53::HealthCheck", HealthCheckConfig={"Type": "HTTP", "Port": 80}),
    )
    description = pictures.describe(topo)
    for node in ("n_Eip", "n_TargetA", "n_Check", "n_Files"):
        assert node in description
