"""Deploy coverage: every resource of every deployed template, read back through a service API.

Status per resource:
- ``verified``: read back through the service's own API and compared with the template;
- ``created-not-verified``: CloudFormation reports it created, but no read-back here proves it;
- ``not emulated``: a stub extension (moto has no model for the type): ids only, never verified;
- ``mismatch`` / ``missing``: read back and found different, or not found: a failure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.emulator.stubs import STUB_TYPES

UNRESOLVED = object()

VERIFIED = "verified"
NOT_VERIFIED = "created-not-verified"
NOT_EMULATED = "not emulated"
MISMATCH = "mismatch"
MISSING = "missing"


@dataclass
class ResourceCoverage:
    stack: str
    logical_id: str
    type: str
    status: str
    detail: str = ""


class Mismatch(AssertionError):
    pass


@dataclass
class Deployed:
    """One deployed stack: its template, its resources' physical ids and the API clients."""

    name: str
    region: str
    template: dict
    physical: dict[str, str | None]
    client: Callable[[str], Any]
    account: str = "123456789012"

    def props(self, logical_id: str) -> dict[str, Any]:
        return self.template["Resources"][logical_id].get("Properties", {})

    def resolve(self, value: Any) -> Any:
        """Ref, Fn::Join and the pseudo parameters; anything else is UNRESOLVED."""
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                pseudo = {
                    "AWS::Region": self.region,
                    "AWS::AccountId": self.account,
                    "AWS::Partition": "aws",
                    "AWS::URLSuffix": "amazonaws.com",
                    "AWS::StackName": self.name,
                }
                return pseudo.get(arg, self.physical.get(arg, UNRESOLVED))
            if key == "Fn::Join":
                parts = [self.resolve(part) for part in arg[1]]
                if any(part is UNRESOLVED for part in parts):
                    return UNRESOLVED
                return arg[0].join(str(part) for part in parts)
            if key == "Fn::GetAtt" and arg[1] in ("GroupId", "AllocationId"):
                return self.physical.get(arg[0], UNRESOLVED)
            return UNRESOLVED
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value


def expect(what: str, actual: Any, wanted: Any) -> None:
    """Compare one read-back value with the template's (skipped when the template's is
    an intrinsic this module does not resolve)."""
    if wanted is UNRESOLVED or (isinstance(wanted, list) and UNRESOLVED in wanted):
        return
    if actual != wanted:
        raise Mismatch(f"{what}: read back {actual!r}, template says {wanted!r}")


# --------------------------------------------------------------------------- verifiers
# Each takes (deployed stack, logical id, physical id) and raises Mismatch or a ClientError.
def _vpc(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    ec2 = d.client("ec2")
    vpc = ec2.describe_vpcs(VpcIds=[pid])["Vpcs"][0]
    expect("CidrBlock", vpc["CidrBlock"], p["CidrBlock"])
    for attribute, key in (
        ("enableDnsHostnames", "EnableDnsHostnames"),
        ("enableDnsSupport", "EnableDnsSupport"),
    ):
        value = ec2.describe_vpc_attribute(VpcId=pid, Attribute=attribute)
        expect(key, value[key[0].upper() + key[1:]]["Value"], p.get(key, key == "EnableDnsSupport"))


def _subnet(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    subnet = d.client("ec2").describe_subnets(SubnetIds=[pid])["Subnets"][0]
    expect("CidrBlock", subnet["CidrBlock"], p["CidrBlock"])
    expect("VpcId", subnet["VpcId"], d.resolve(p["VpcId"]))
    expect(
        "MapPublicIpOnLaunch", subnet["MapPublicIpOnLaunch"], p.get("MapPublicIpOnLaunch", False)
    )
    if isinstance(p.get("AvailabilityZone"), str):
        expect("AvailabilityZone", subnet["AvailabilityZone"], p["AvailabilityZone"])


def _route_table(d: Deployed, lid: str, pid: str) -> None:
    table = d.client("ec2").describe_route_tables(RouteTableIds=[pid])["RouteTables"][0]
    expect("VpcId", table["VpcId"], d.resolve(d.props(lid)["VpcId"]))


def _association(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    table_id = d.resolve(p["RouteTableId"])
    table = d.client("ec2").describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]
    subnets = [a.get("SubnetId") for a in table["Associations"]]
    if d.resolve(p["SubnetId"]) not in subnets:
        raise Mismatch(f"route table {table_id} is not associated with {p['SubnetId']}")


def _route(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    table = d.client("ec2").describe_route_tables(RouteTableIds=[d.resolve(p["RouteTableId"])])
    routes = {r.get("DestinationCidrBlock"): r for r in table["RouteTables"][0]["Routes"]}
    route = routes.get(p["DestinationCidrBlock"])
    if route is None:
        raise Mismatch(f"no route to {p['DestinationCidrBlock']}")
    for key in ("GatewayId", "NatGatewayId"):
        if key in p:
            expect(key, route.get(key), d.resolve(p[key]))


def _eip(d: Deployed, lid: str, pid: str) -> None:
    address = d.client("ec2").describe_addresses(PublicIps=[pid])["Addresses"][0]
    expect("Domain", address["Domain"], d.props(lid).get("Domain", "vpc"))


def _nat(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    nat = d.client("ec2").describe_nat_gateways(NatGatewayIds=[pid])["NatGateways"][0]
    expect("SubnetId", nat["SubnetId"], d.resolve(p["SubnetId"]))
    expect("State", nat["State"], "available")


def _igw(d: Deployed, lid: str, pid: str) -> None:
    d.client("ec2").describe_internet_gateways(InternetGatewayIds=[pid])


def _igw_attachment(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    igw = d.client("ec2").describe_internet_gateways(
        InternetGatewayIds=[d.resolve(p["InternetGatewayId"])]
    )["InternetGateways"][0]
    expect("attached VPC", [a["VpcId"] for a in igw["Attachments"]], [d.resolve(p["VpcId"])])


def _vpc_endpoint(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    endpoint = d.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[pid])["VpcEndpoints"][0]
    expect("ServiceName", endpoint["ServiceName"], d.resolve(p["ServiceName"]))
    expect("VpcEndpointType", endpoint["VpcEndpointType"], p.get("VpcEndpointType", "Gateway"))
    if "RouteTableIds" in p:
        expect(
            "RouteTableIds",
            sorted(endpoint["RouteTableIds"]),
            sorted(d.resolve(p["RouteTableIds"])),
        )


def _rules(rules: list[dict]) -> set[tuple]:
    out = set()
    for rule in rules:
        for cidr in rule.get("IpRanges", []):
            out.add((rule["IpProtocol"], rule.get("FromPort"), rule.get("ToPort"), cidr["CidrIp"]))
        for pair in rule.get("UserIdGroupPairs", []):
            out.add((rule["IpProtocol"], rule.get("FromPort"), rule.get("ToPort"), pair["GroupId"]))
    return out


def _template_rule(d: Deployed, rule: dict, peer_key: str) -> tuple:
    protocol = str(rule["IpProtocol"])
    peer = rule.get("CidrIp") or d.resolve(rule.get(peer_key))
    return (protocol, rule.get("FromPort"), rule.get("ToPort"), peer)


def _security_group(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    group = d.client("ec2").describe_security_groups(GroupIds=[pid])["SecurityGroups"][0]
    expect("Description", group["Description"], p["GroupDescription"])
    expect("VpcId", group["VpcId"], d.resolve(p["VpcId"]))
    ingress, egress = _rules(group["IpPermissions"]), _rules(group["IpPermissionsEgress"])
    for rule in p.get("SecurityGroupIngress", []):
        wanted = _template_rule(d, rule, "SourceSecurityGroupId")
        if UNRESOLVED not in wanted and wanted not in ingress:
            raise Mismatch(f"ingress rule {wanted} missing")
    for rule in p.get("SecurityGroupEgress", []):
        wanted = _template_rule(d, rule, "DestinationSecurityGroupId")
        if wanted[0] == "icmp" and wanted[3] == "255.255.255.255/32":
            wanted = ("icmp", 252, 86, "255.255.255.255/32")  # CDK's "no egress" marker rule
            if not any(r[3] == "255.255.255.255/32" for r in egress):
                raise Mismatch("the no-egress marker rule is missing")
            continue
        if UNRESOLVED not in wanted and wanted not in egress:
            raise Mismatch(f"egress rule {wanted} missing")


def _sg_rule(direction: str, peer_key: str) -> Callable[[Deployed, str, str], None]:
    def verify(d: Deployed, lid: str, pid: str) -> None:
        p = d.props(lid)
        group = d.client("ec2").describe_security_groups(GroupIds=[d.resolve(p["GroupId"])])
        rules = _rules(group["SecurityGroups"][0][direction])
        wanted = _template_rule(d, p, peer_key)
        if UNRESOLVED in wanted:
            raise Mismatch(f"cannot resolve {wanted}")
        if wanted not in rules:
            raise Mismatch(f"{direction} rule {wanted} missing from {p['GroupId']}")

    return verify


def _flow_log(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    log = d.client("ec2").describe_flow_logs(FlowLogIds=[pid])["FlowLogs"][0]
    expect("ResourceId", log["ResourceId"], d.resolve(p["ResourceId"]))
    expect("TrafficType", log["TrafficType"], p["TrafficType"])


def _instance(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    reservations = d.client("ec2").describe_instances(InstanceIds=[pid])["Reservations"]
    instance = reservations[0]["Instances"][0]
    expect("InstanceType", instance["InstanceType"], p.get("InstanceType", "m1.small"))
    expect("SubnetId", instance["SubnetId"], d.resolve(p["SubnetId"]))
    expect("State", instance["State"]["Name"], "running")
    if "SecurityGroupIds" in p:
        expect(
            "SecurityGroupIds",
            sorted(g["GroupId"] for g in instance["SecurityGroups"]),
            sorted(d.resolve(p["SecurityGroupIds"])),
        )


def _launch_template(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    ec2 = d.client("ec2")
    template = ec2.describe_launch_templates(LaunchTemplateIds=[pid])["LaunchTemplates"][0]
    if "LaunchTemplateName" in p:
        expect("LaunchTemplateName", template["LaunchTemplateName"], p["LaunchTemplateName"])
    data = ec2.describe_launch_template_versions(LaunchTemplateId=pid, Versions=["$Latest"])
    data = data["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    wanted = p.get("LaunchTemplateData", {})
    for key in ("InstanceType", "MetadataOptions"):
        if key in wanted:
            expect(key, data.get(key), wanted[key])
    if "SecurityGroupIds" in wanted:
        expect(
            "SecurityGroupIds",
            sorted(data.get("SecurityGroupIds", [])),
            sorted(d.resolve(wanted["SecurityGroupIds"])),
        )


def _role(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    role = d.client("iam").get_role(RoleName=pid)["Role"]
    document = role["AssumeRolePolicyDocument"]
    if isinstance(document, str):
        document = json.loads(document)
    expect(
        "trusted principals",
        [s.get("Principal") for s in document["Statement"]],
        [s.get("Principal") for s in p["AssumeRolePolicyDocument"]["Statement"]],
    )


def _policy(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    for role in p.get("Roles", []):
        document = d.client("iam").get_role_policy(
            RoleName=d.resolve(role), PolicyName=p["PolicyName"]
        )["PolicyDocument"]
        if isinstance(document, str):
            document = json.loads(document)
        expect("statement count", len(document["Statement"]), len(p["PolicyDocument"]["Statement"]))


def _instance_profile(d: Deployed, lid: str, pid: str) -> None:
    profile = d.client("iam").get_instance_profile(InstanceProfileName=pid)["InstanceProfile"]
    expect("Roles", [r["RoleName"] for r in profile["Roles"]], d.resolve(d.props(lid)["Roles"]))


def _log_group(d: Deployed, lid: str, pid: str) -> None:
    groups = d.client("logs").describe_log_groups(logGroupNamePrefix=pid)["logGroups"]
    group = next(g for g in groups if g["logGroupName"] == pid)
    expect("retentionInDays", group.get("retentionInDays"), d.props(lid).get("RetentionInDays"))


def _function(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    config = d.client("lambda").get_function_configuration(FunctionName=pid)
    expect("Runtime", config["Runtime"], p["Runtime"])
    expect("Handler", config["Handler"], p["Handler"])
    expect("Timeout", config["Timeout"], p.get("Timeout", 3))
    expect("MemorySize", config["MemorySize"], p.get("MemorySize", 128))
    wanted_env = {k: d.resolve(v) for k, v in p.get("Environment", {}).get("Variables", {}).items()}
    actual_env = config.get("Environment", {}).get("Variables", {})
    for key, value in wanted_env.items():
        expect(f"Environment {key}", actual_env.get(key), value)


def _permission(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    function_logical = p["FunctionName"]["Fn::GetAtt"][0]
    policy = json.loads(
        d.client("lambda").get_policy(FunctionName=d.physical[function_logical])["Policy"]
    )
    actions = [s.get("Action") for s in policy["Statement"]]
    if p["Action"] not in actions:
        raise Mismatch(f"no {p['Action']} statement in the function's policy")


def _layer(d: Deployed, lid: str, pid: str) -> None:
    # moto has no GetLayerVersionByArn: list the layer's versions instead.
    name = pid.split(":")[6]
    versions = d.client("lambda").list_layer_versions(LayerName=name)["LayerVersions"]
    version = next((v for v in versions if v["LayerVersionArn"] == pid), None)
    if version is None:
        raise Mismatch(f"layer version {pid} not listed")
    expect("Description", version.get("Description", ""), d.props(lid).get("Description", ""))


def _key(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    kms = d.client("kms")
    kms.describe_key(KeyId=pid)
    policy = json.loads(kms.get_key_policy(KeyId=pid, PolicyName="default")["Policy"])
    expect("KeyPolicy statements", len(policy["Statement"]), len(p["KeyPolicy"]["Statement"]))
    expect(
        "KeyRotationEnabled",
        kms.get_key_rotation_status(KeyId=pid)["KeyRotationEnabled"],
        p.get("EnableKeyRotation", False),
    )


def _table(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    dynamodb = d.client("dynamodb")
    table = dynamodb.describe_table(TableName=pid)["Table"]
    expect("KeySchema", table["KeySchema"], p["KeySchema"])
    expect(
        "BillingMode",
        table.get("BillingModeSummary", {}).get("BillingMode"),
        p.get("BillingMode", "PROVISIONED"),
    )
    pitr = dynamodb.describe_continuous_backups(TableName=pid)["ContinuousBackupsDescription"]
    wanted = p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled", False)
    expect(
        "PointInTimeRecovery",
        pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
        "ENABLED" if wanted else "DISABLED",
    )


def _rest_api(d: Deployed, lid: str, pid: str) -> None:
    api = d.client("apigateway").get_rest_api(restApiId=pid)
    expect("name", api["name"], d.props(lid).get("Name"))


def _api_resource(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    resource = d.client("apigateway").get_resource(
        restApiId=d.resolve(p["RestApiId"]), resourceId=pid
    )
    expect("pathPart", resource["pathPart"], p["PathPart"])
    expect("parentId", resource["parentId"], d.resolve(p["ParentId"]))


def _api_method(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    method = d.client("apigateway").get_method(
        restApiId=d.resolve(p["RestApiId"]),
        resourceId=d.resolve(p["ResourceId"]),
        httpMethod=p["HttpMethod"],
    )
    expect("authorizationType", method["authorizationType"], p.get("AuthorizationType", "NONE"))
    expect("integration type", method["methodIntegration"]["type"], p["Integration"]["Type"])
    if "RequestValidatorId" in p:
        expect(
            "requestValidatorId",
            method.get("requestValidatorId"),
            d.resolve(p["RequestValidatorId"]),
        )


def _deployment(d: Deployed, lid: str, pid: str) -> None:
    d.client("apigateway").get_deployment(
        restApiId=d.resolve(d.props(lid)["RestApiId"]), deploymentId=pid
    )


def _stage(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    stage = d.client("apigateway").get_stage(restApiId=d.resolve(p["RestApiId"]), stageName=pid)
    expect("deploymentId", stage["deploymentId"], d.resolve(p["DeploymentId"]))
    settings = stage.get("methodSettings", {}).get("*/*", {})
    for setting in p.get("MethodSettings", []):
        expect(
            "throttlingRateLimit",
            settings.get("throttlingRateLimit"),
            float(setting["ThrottlingRateLimit"]),
        )
        expect(
            "throttlingBurstLimit",
            settings.get("throttlingBurstLimit"),
            int(setting["ThrottlingBurstLimit"]),
        )
        expect("loggingLevel", settings.get("loggingLevel"), setting["LoggingLevel"])
    if "AccessLogSetting" in p:
        expect(
            "accessLogSettings.format",
            stage["accessLogSettings"]["format"],
            p["AccessLogSetting"]["Format"],
        )


def _validator(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    validator = d.client("apigateway").get_request_validator(
        restApiId=d.resolve(p["RestApiId"]), requestValidatorId=pid
    )
    expect("validateRequestBody", validator["validateRequestBody"], p["ValidateRequestBody"])
    expect(
        "validateRequestParameters",
        validator["validateRequestParameters"],
        p["ValidateRequestParameters"],
    )


def _model(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    model = d.client("apigateway").get_model(restApiId=d.resolve(p["RestApiId"]), modelName=pid)
    expect("schema", json.loads(model["schema"]), p["Schema"])


def _bucket(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    s3 = d.client("s3")
    s3.head_bucket(Bucket=pid)
    if "PublicAccessBlockConfiguration" in p:
        block = s3.get_public_access_block(Bucket=pid)["PublicAccessBlockConfiguration"]
        expect("PublicAccessBlock", block, p["PublicAccessBlockConfiguration"])
    if "BucketEncryption" in p:
        rules = s3.get_bucket_encryption(Bucket=pid)["ServerSideEncryptionConfiguration"]["Rules"]
        wanted = p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        expect(
            "SSEAlgorithm",
            rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
            wanted["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
        )


def _bucket_policy(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    policy = json.loads(d.client("s3").get_bucket_policy(Bucket=d.resolve(p["Bucket"]))["Policy"])
    expect("statement count", len(policy["Statement"]), len(p["PolicyDocument"]["Statement"]))
    expect(
        "effects",
        [s["Effect"] for s in policy["Statement"]],
        [s["Effect"] for s in p["PolicyDocument"]["Statement"]],
    )


def _distribution(d: Deployed, lid: str, pid: str) -> None:
    config = d.props(lid)["DistributionConfig"]
    got = d.client("cloudfront").get_distribution(Id=pid)["Distribution"]["DistributionConfig"]
    expect("Comment", got["Comment"], config.get("Comment", ""))
    expect("DefaultRootObject", got["DefaultRootObject"], config.get("DefaultRootObject", ""))
    expect(
        "origin ids",
        [o["Id"] for o in got["Origins"]["Items"]],
        [o["Id"] for o in config["Origins"]],
    )
    expect(
        "ViewerProtocolPolicy",
        got["DefaultCacheBehavior"]["ViewerProtocolPolicy"],
        config["DefaultCacheBehavior"]["ViewerProtocolPolicy"],
    )


def _oac(d: Deployed, lid: str, pid: str) -> None:
    got = d.client("cloudfront").get_origin_access_control(Id=pid)["OriginAccessControl"]
    wanted = d.props(lid)["OriginAccessControlConfig"]
    config = got["OriginAccessControlConfig"]
    for key in ("Name", "SigningBehavior", "SigningProtocol", "OriginAccessControlOriginType"):
        expect(key, config[key], wanted[key])


def _load_balancer(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    lb = d.client("elbv2").describe_load_balancers(LoadBalancerArns=[pid])["LoadBalancers"][0]
    expect("Scheme", lb["Scheme"], p.get("Scheme", "internet-facing"))
    expect("Type", lb["Type"], p.get("Type", "application"))
    expect(
        "Subnets",
        sorted(az["SubnetId"] for az in lb["AvailabilityZones"]),
        sorted(d.resolve(p["Subnets"])),
    )


def _listener(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    listener = d.client("elbv2").describe_listeners(ListenerArns=[pid])["Listeners"][0]
    expect("Port", listener["Port"], p["Port"])
    expect("Protocol", listener["Protocol"], p["Protocol"])
    expect("default action", listener["DefaultActions"][0]["Type"], p["DefaultActions"][0]["Type"])


def _target_group(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    group = d.client("elbv2").describe_target_groups(TargetGroupArns=[pid])["TargetGroups"][0]
    expect("Port", group["Port"], p["Port"])
    expect("Protocol", group["Protocol"], p["Protocol"])
    if "HealthCheckPath" in p:
        expect("HealthCheckPath", group["HealthCheckPath"], p["HealthCheckPath"])


def _asg(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    group = d.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[pid])[
        "AutoScalingGroups"
    ][0]
    expect("MinSize", group["MinSize"], int(p["MinSize"]))
    expect("MaxSize", group["MaxSize"], int(p["MaxSize"]))
    expect(
        "VPCZoneIdentifier",
        sorted(group["VPCZoneIdentifier"].split(",")),
        sorted(d.resolve(p["VPCZoneIdentifier"])),
    )
    expect("TargetGroupARNs", group["TargetGroupARNs"], d.resolve(p.get("TargetGroupARNs", [])))


def _scaling_policy(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    policies = d.client("autoscaling").describe_policies(
        AutoScalingGroupName=d.resolve(p["AutoScalingGroupName"])
    )["ScalingPolicies"]
    policy = next(x for x in policies if x["PolicyARN"] == pid)
    expect("PolicyType", policy["PolicyType"], p["PolicyType"])
    expect(
        "TargetValue",
        policy["TargetTrackingConfiguration"]["TargetValue"],
        float(p["TargetTrackingConfiguration"]["TargetValue"]),
    )


def _global_cluster(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    cluster = d.client("rds").describe_global_clusters(GlobalClusterIdentifier=pid)
    cluster = cluster["GlobalClusters"][0]
    expect("Engine", cluster["Engine"], p["Engine"])
    expect("StorageEncrypted", cluster["StorageEncrypted"], p.get("StorageEncrypted", False))


def _db_cluster(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    cluster = d.client("rds").describe_db_clusters(DBClusterIdentifier=pid)["DBClusters"][0]
    expect("Engine", cluster["Engine"], p["Engine"])
    expect("EngineVersion", cluster["EngineVersion"], p["EngineVersion"])
    expect("StorageEncrypted", cluster["StorageEncrypted"], p.get("StorageEncrypted", False))
    expect("DeletionProtection", cluster["DeletionProtection"], p.get("DeletionProtection", False))
    expect("DBSubnetGroup", cluster["DBSubnetGroup"], d.resolve(p["DBSubnetGroupName"]))
    expect(
        "VpcSecurityGroups",
        [g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]],
        d.resolve(p["VpcSecurityGroupIds"]),
    )


def _db_instance(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    db = d.client("rds").describe_db_instances(DBInstanceIdentifier=pid)["DBInstances"][0]
    expect("DBInstanceClass", db["DBInstanceClass"], p["DBInstanceClass"])
    expect(
        "DBClusterIdentifier", db.get("DBClusterIdentifier"), d.resolve(p["DBClusterIdentifier"])
    )
    expect("PubliclyAccessible", db["PubliclyAccessible"], p.get("PubliclyAccessible", False))


def _db_subnet_group(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    group = d.client("rds").describe_db_subnet_groups(DBSubnetGroupName=pid)["DBSubnetGroups"][0]
    expect(
        "subnets",
        sorted(s["SubnetIdentifier"] for s in group["Subnets"]),
        sorted(d.resolve(p["SubnetIds"])),
    )


def _secret(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    sm = d.client("secretsmanager")
    secret = json.loads(sm.get_secret_value(SecretId=pid)["SecretString"])
    generate = p.get("GenerateSecretString", {})
    if generate:
        key = generate.get("GenerateStringKey", "password")
        expect("password length", len(secret.get(key, "")), generate.get("PasswordLength", 32))
        for name, value in json.loads(generate.get("SecretStringTemplate", "{}")).items():
            expect(name, secret.get(name), value)


def _target_attachment(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    secret = json.loads(d.client("secretsmanager").get_secret_value(SecretId=pid)["SecretString"])
    cluster = d.client("rds").describe_db_clusters(DBClusterIdentifier=d.resolve(p["TargetId"]))
    expect("host", secret.get("host"), cluster["DBClusters"][0]["Endpoint"])


def _rotation(d: Deployed, lid: str, pid: str) -> None:
    secret = d.client("secretsmanager").describe_secret(SecretId=pid.split("|")[0])
    expect("RotationEnabled", secret.get("RotationEnabled"), True)
    expression = d.props(lid).get("RotationRules", {}).get("ScheduleExpression", "")
    if expression.startswith("rate(") and "day" in expression:
        expect(
            "rotation days",
            secret["RotationRules"]["AutomaticallyAfterDays"],
            int(expression[5:].split()[0]),
        )


def _secret_policy(d: Deployed, lid: str, pid: str) -> None:
    p = d.props(lid)
    policy = d.client("secretsmanager").get_resource_policy(SecretId=d.resolve(p["SecretId"]))
    expect("ResourcePolicy", json.loads(policy["ResourcePolicy"]), p["ResourcePolicy"])


def _restrict_default_sg(d: Deployed, lid: str, pid: str) -> None:
    group = d.client("ec2").describe_security_groups(GroupIds=[pid])["SecurityGroups"][0]
    expect("default group rules", (group["IpPermissions"], group["IpPermissionsEgress"]), ([], []))


def _bucket_deployment(d: Deployed, lid: str, pid: str) -> None:
    import io
    import zipfile

    p = d.props(lid)
    s3 = d.client("s3")
    wanted = set()
    for bucket, key in zip(p["SourceBucketNames"], p["SourceObjectKeys"], strict=True):
        archive = s3.get_object(Bucket=d.resolve(bucket), Key=key)["Body"].read()
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            wanted |= {e.filename for e in zipped.infolist() if not e.is_dir()}
    listed = s3.list_objects_v2(Bucket=d.resolve(p["DestinationBucketName"])).get("Contents", [])
    expect("site objects", sorted(o["Key"] for o in listed), sorted(wanted))


VERIFIERS: dict[str, Callable[[Deployed, str, str], None]] = {
    "AWS::EC2::VPC": _vpc,
    "AWS::EC2::Subnet": _subnet,
    "AWS::EC2::RouteTable": _route_table,
    "AWS::EC2::SubnetRouteTableAssociation": _association,
    "AWS::EC2::Route": _route,
    "AWS::EC2::EIP": _eip,
    "AWS::EC2::NatGateway": _nat,
    "AWS::EC2::InternetGateway": _igw,
    "AWS::EC2::VPCGatewayAttachment": _igw_attachment,
    "AWS::EC2::VPCEndpoint": _vpc_endpoint,
    "AWS::EC2::SecurityGroup": _security_group,
    "AWS::EC2::SecurityGroupIngress": _sg_rule("IpPermissions", "SourceSecurityGroupId"),
    "AWS::EC2::SecurityGroupEgress": _sg_rule("IpPermissionsEgress", "DestinationSecurityGroupId"),
    "AWS::EC2::FlowLog": _flow_log,
    "AWS::EC2::Instance": _instance,
    "AWS::EC2::LaunchTemplate": _launch_template,
    "AWS::IAM::Role": _role,
    "AWS::IAM::Policy": _policy,
    "AWS::IAM::InstanceProfile": _instance_profile,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::Lambda::Function": _function,
    "AWS::Lambda::Permission": _permission,
    "AWS::Lambda::LayerVersion": _layer,
    "AWS::KMS::Key": _key,
    "AWS::DynamoDB::Table": _table,
    "AWS::ApiGateway::RestApi": _rest_api,
    "AWS::ApiGateway::Resource": _api_resource,
    "AWS::ApiGateway::Method": _api_method,
    "AWS::ApiGateway::Deployment": _deployment,
    "AWS::ApiGateway::Stage": _stage,
    "AWS::ApiGateway::RequestValidator": _validator,
    "AWS::ApiGateway::Model": _model,
    "AWS::S3::Bucket": _bucket,
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::CloudFront::Distribution": _distribution,
    "AWS::CloudFront::OriginAccessControl": _oac,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::ElasticLoadBalancingV2::Listener": _listener,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _target_group,
    "AWS::AutoScaling::AutoScalingGroup": _asg,
    "AWS::AutoScaling::ScalingPolicy": _scaling_policy,
    "AWS::RDS::GlobalCluster": _global_cluster,
    "AWS::RDS::DBCluster": _db_cluster,
    "AWS::RDS::DBInstance": _db_instance,
    "AWS::RDS::DBSubnetGroup": _db_subnet_group,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::SecretsManager::SecretTargetAttachment": _target_attachment,
    "AWS::SecretsManager::RotationSchedule": _rotation,
    "AWS::SecretsManager::ResourcePolicy": _secret_policy,
    "Custom::VpcRestrictDefaultSG": _restrict_default_sg,
    "Custom::CDKBucketDeployment": _bucket_deployment,
}
# Verified after `cdk destroy` instead (its only effect is on delete): see flow.py.
VERIFIED_ON_DESTROY = {"Custom::S3AutoDeleteObjects"}


def cover(d: Deployed) -> list[ResourceCoverage]:
    rows = []
    for logical_id, resource in d.template["Resources"].items():
        rtype = resource["Type"]
        row = ResourceCoverage(d.name, logical_id, rtype, NOT_VERIFIED)
        physical_id = d.physical.get(logical_id)
        if rtype in STUB_TYPES:
            row.status, row.detail = NOT_EMULATED, STUB_TYPES[rtype]
        elif logical_id not in d.physical:
            row.status, row.detail = MISSING, "not in DescribeStackResources"
        elif rtype in VERIFIERS:
            try:
                VERIFIERS[rtype](d, logical_id, physical_id or "")
                row.status = VERIFIED
            except Mismatch as error:
                row.status, row.detail = MISMATCH, str(error)
            except Exception as error:  # noqa: BLE001 - a failed read-back is the finding
                row.status, row.detail = MISSING, f"{type(error).__name__}: {error}"
        elif rtype in VERIFIED_ON_DESTROY:
            row.detail = "checked after cdk destroy"
        else:
            row.detail = "no read-back for this type"
        rows.append(row)
    return rows
