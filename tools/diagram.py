"""A Mermaid flowchart of one synthesized CloudFormation template.

Resources are grouped into the VPC, one box per subnet tier (from CDK's ``aws-cdk:subnet-name``
tag) and one box per service outside the VPC. Similar resources in one box collapse into one node
("3 x NAT gateway"); helper resources (launch templates, Elastic IPs, API methods, bucket
policies, ...) fold into the node they serve; IAM is one node; CDK's own custom resources and
their provider Lambdas are one node. Edges: security-group ingress from one group to another,
default routes to NAT / internet gateway, CloudFront origin -> bucket / load balancer / API,
API -> Lambda, Lambda -> table / bucket / secret (environment or IAM policy), load balancer ->
targets, cluster -> global cluster, user pool -> API (authorizer), DNS record -> target.

Deterministic: node ids are derived from box and kind, everything is sorted.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_TIER_ORDER = {"Public": 0, "Private": 1, "Isolated": 2}

# type -> (service box, node kind); types not listed use ("Other", their type name).
_KINDS: dict[str, tuple[str, str]] = {
    "AWS::EC2::NatGateway": ("", "NAT gateway"),
    "AWS::EC2::Instance": ("Compute", "EC2 instance"),
    "AWS::AutoScaling::AutoScalingGroup": ("Compute", "Auto Scaling group"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("Edge", "Load balancer"),
    "AWS::EC2::InternetGateway": ("", "Internet gateway"),
    "AWS::EC2::SecurityGroup": ("", "Security group"),
    "AWS::EC2::Volume": ("Compute", "EBS volume"),
    "AWS::Lambda::Function": ("Compute", "Lambda function"),
    "AWS::ApiGateway::RestApi": ("API", "API Gateway REST API"),
    "AWS::ApiGatewayV2::Api": ("API", "API Gateway HTTP API"),
    "AWS::Cognito::UserPool": ("Identity", "Cognito user pool"),
    "AWS::DynamoDB::Table": ("Data", "DynamoDB table"),
    "AWS::DynamoDB::GlobalTable": ("Data", "DynamoDB global table"),
    "AWS::S3::Bucket": ("Storage", "S3 bucket"),
    "AWS::CloudFront::Distribution": ("Edge", "CloudFront distribution"),
    "AWS::CloudFront::Function": ("Edge", "CloudFront function"),
    "AWS::Route53::RecordSet": ("Edge", "DNS record"),
    "AWS::Route53::RecordSetGroup": ("Edge", "DNS records"),
    "AWS::Route53::HostedZone": ("Edge", "Route 53 hosted zone"),
    "AWS::WAFv2::WebACL": ("Edge", "WAF web ACL"),
    "AWS::CertificateManager::Certificate": ("Edge", "ACM certificate"),
    "AWS::RDS::GlobalCluster": ("Data", "Aurora global database"),
    "AWS::RDS::DBCluster": ("Data", "Aurora cluster"),
    "AWS::RDS::DBInstance": ("Data", "RDS instance"),
    "AWS::KMS::Key": ("Security", "KMS key"),
    "AWS::KMS::ReplicaKey": ("Security", "KMS replica key"),
    "AWS::SecretsManager::Secret": ("Security", "Secrets Manager secret"),
    "AWS::Serverless::Application": ("Security", "Serverless application (rotation)"),
    "AWS::Logs::LogGroup": ("Observability", "CloudWatch log group"),
    "AWS::CloudWatch::Alarm": ("Observability", "CloudWatch alarm"),
    "AWS::CloudWatch::Dashboard": ("Observability", "CloudWatch dashboard"),
    "AWS::SNS::Topic": ("Messaging", "SNS topic"),
    "AWS::SQS::Queue": ("Messaging", "SQS queue"),
    "AWS::SSM::Parameter": ("Config", "SSM parameter"),
}
# Folded into the resource they name in this property (e.g. an API's methods into the API).
_FORWARD: dict[str, tuple[str, ...]] = {
    "AWS::S3::BucketPolicy": ("Bucket",),
    "AWS::KMS::Alias": ("TargetKeyId",),
    "AWS::SecretsManager::SecretTargetAttachment": ("SecretId",),
    "AWS::SecretsManager::RotationSchedule": ("SecretId",),
    "AWS::SecretsManager::ResourcePolicy": ("SecretId",),
    "AWS::Cognito::UserPoolClient": ("UserPoolId",),
    "AWS::Cognito::UserPoolDomain": ("UserPoolId",),
    "AWS::Cognito::UserPoolGroup": ("UserPoolId",),
    "AWS::ElasticLoadBalancingV2::Listener": ("LoadBalancerArn",),
    "AWS::RDS::DBInstance": ("DBClusterIdentifier",),
    "AWS::AutoScaling::ScalingPolicy": ("AutoScalingGroupName",),
    "AWS::AutoScaling::ScheduledAction": ("AutoScalingGroupName",),
    "AWS::AutoScaling::LifecycleHook": ("AutoScalingGroupName",),
    "AWS::ApiGatewayV2::Stage": ("ApiId",),
    "AWS::ApiGatewayV2::Route": ("ApiId",),
    "AWS::ApiGatewayV2::Integration": ("ApiId",),
    "AWS::ApiGatewayV2::Authorizer": ("ApiId",),
    "AWS::Logs::MetricFilter": ("LogGroupName",),
    "AWS::Logs::SubscriptionFilter": ("LogGroupName",),
    "AWS::SNS::TopicPolicy": ("Topics",),
    "AWS::SNS::Subscription": ("TopicArn",),
    "AWS::SQS::QueuePolicy": ("Queues",),
    "AWS::WAFv2::WebACLAssociation": ("WebACLArn",),
}
_FORWARD_PREFIXES = {"AWS::ApiGateway::": ("RestApiId",)}
# Folded into the (first, sorted) resource that references them.
_REVERSE = {
    "AWS::EC2::LaunchTemplate",
    "AWS::AutoScaling::LaunchConfiguration",
    "AWS::EC2::EIP",
    "AWS::CloudFront::CloudFrontOriginAccessIdentity",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::OriginRequestPolicy",
    "AWS::RDS::DBSubnetGroup",
    "AWS::RDS::DBClusterParameterGroup",
    "AWS::RDS::DBParameterGroup",
    "AWS::RDS::OptionGroup",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
}
# Not drawn: plumbing that the edges already show, or noise.
_SKIP = {
    "AWS::CDK::Metadata",
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::NetworkAclEntry",
    "AWS::EC2::SubnetNetworkAclAssociation",
    "AWS::EC2::EIPAssociation",
    "AWS::EC2::FlowLog",
    "AWS::Lambda::Permission",
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::Lambda::LayerVersion",
    "AWS::Lambda::EventSourceMapping",
    "AWS::ApiGateway::Account",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::ListenerCertificate",
}
_IAM_PREFIX = "AWS::IAM::"
_DATA_TYPES = {
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
    "AWS::RDS::DBCluster",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
}


def _refs(value: Any) -> Iterator[str]:
    """Every logical id a Ref / Fn::GetAtt inside ``value`` points at."""
    if isinstance(value, dict):
        if isinstance(value.get("Ref"), str):
            yield value["Ref"]
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            yield att[0] if isinstance(att, list) else str(att).split(".")[0]
        for child in value.values():
            yield from _refs(child)
    elif isinstance(value, list):
        for child in value:
            yield from _refs(child)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "x"


def _quote(text: str) -> str:
    return text.replace('"', "'")


def _name(resource: dict) -> str:
    """A short readable name: the construct path's last meaningful segment."""
    path = resource.get("Metadata", {}).get("aws:cdk:path", "")
    parts = [p for p in path.split("/")[1:] if p not in ("Resource", "Default")]
    return parts[-1] if parts else ""


def _tag(resource: dict, key: str) -> str | None:
    tags = (resource.get("Properties") or {}).get("Tags") or []
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, dict) and tag.get("Key") == key:
                return str(tag.get("Value"))
    return None


@dataclass
class _Node:
    box: str
    kind: str
    name: str = ""
    count: int = 0
    details: Counter = field(default_factory=Counter)

    @property
    def id(self) -> str:
        suffix = f"_{_slug(self.name)}" if self.name else ""
        return f"n_{_slug(self.box)}_{_slug(self.kind)}{suffix}"

    def label(self) -> str:
        head = f"{self.count} x {self.kind}" if self.count > 1 else self.kind
        details = ", ".join(
            f"{n} x {d}" if n > 1 else d for d, n in sorted(self.details.items()) if d
        )
        return _quote(f"{head}<br/>{details}" if details else head)


class _Diagram:
    def __init__(self, template: dict) -> None:
        self.res: dict[str, dict] = template.get("Resources") or {}
        self.nodes: dict[tuple[str, str, str], _Node] = {}
        self.node_of: dict[str, str] = {}  # logical id -> node id
        self.edges: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.extra_nodes: dict[str, str] = {}  # id -> mermaid shape, outside every box
        self.tiers: dict[str, dict] = {}  # tier name -> {"type", "masks", "count"}
        self.subnet_tier: dict[str, str] = {}
        self.iam: Counter = Counter()
        self.custom: Counter = Counter()

    def props(self, logical_id: str | None) -> dict:
        return (self.res.get(logical_id or "") or {}).get("Properties") or {}

    def type_of(self, logical_id: str | None) -> str:
        return (self.res.get(logical_id or "") or {}).get("Type", "")

    # -- boxes ------------------------------------------------------------------------------
    def collect_tiers(self) -> None:
        for lid in sorted(self.res):
            resource = self.res[lid]
            if resource.get("Type") != "AWS::EC2::Subnet":
                continue
            tier = _tag(resource, "aws-cdk:subnet-name") or "Subnets"
            info = self.tiers.setdefault(
                tier, {"type": _tag(resource, "aws-cdk:subnet-type") or "", "masks": set(), "n": 0}
            )
            info["n"] += 1
            cidr = self.props(lid).get("CidrBlock")
            if isinstance(cidr, str) and "/" in cidr:
                info["masks"].add("/" + cidr.split("/")[1])
            self.subnet_tier[lid] = tier

    def subnets_of(self, lid: str) -> list[str]:
        props = self.props(lid)
        found: list[str] = []
        for key in ("SubnetId", "SubnetIds", "Subnets", "VPCZoneIdentifier"):
            found += list(_refs(props.get(key)))
        found += list(_refs(props.get("SubnetMappings")))
        found += list(_refs((props.get("VpcConfig") or {}).get("SubnetIds")))
        group = next(_refs(props.get("DBSubnetGroupName")), None)
        if group:
            found += list(_refs(self.props(group).get("SubnetIds")))
        return [s for s in found if s in self.subnet_tier]

    def box_of(self, lid: str, service: str) -> str:
        tiers = sorted({self.subnet_tier[s] for s in self.subnets_of(lid)})
        if len(tiers) == 1:
            return f"tier:{tiers[0]}"
        if tiers or not service:
            return "vpc"
        return service

    # -- nodes ------------------------------------------------------------------------------
    def add(self, lid: str, box: str, kind: str, detail: str = "", name: str = "") -> None:
        node = self.nodes.setdefault((box, kind, name), _Node(box, kind, name))
        node.count += 1
        node.details[detail] += 1
        self.node_of[lid] = node.id

    def _node(self, node_id: str) -> _Node:
        return next(n for n in self.nodes.values() if n.id == node_id)

    def detail(self, lid: str, rtype: str) -> str:
        props = self.props(lid)
        resource = self.res[lid]
        if rtype == "AWS::EC2::Instance":
            return " ".join(x for x in (_tag(resource, "Name"), props.get("InstanceType")) if x)
        if rtype == "AWS::AutoScaling::AutoScalingGroup":
            return f"min {props.get('MinSize')}, max {props.get('MaxSize')}"
        if rtype == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            return f"{props.get('Type', 'application')}, {props.get('Scheme', 'internet-facing')}"
        if rtype == "AWS::RDS::DBCluster":
            return str(props.get("Engine", ""))
        if rtype == "AWS::RDS::DBInstance":
            return str(props.get("DBInstanceClass", ""))
        if rtype == "AWS::EC2::SecurityGroup":
            description = str(props.get("GroupDescription", ""))
            return description if "/" not in description else _name(resource)
        if rtype == "AWS::Lambda::Function":
            return " ".join(x for x in (_name(resource), props.get("Runtime")) if x)
        if rtype in ("AWS::EC2::NatGateway", "AWS::EC2::InternetGateway"):
            return ""
        if rtype in ("AWS::EC2::VPCEndpoint",):
            return str(next(iter(_service(props.get("ServiceName"))), ""))
        return _name(resource)

    def classify(self) -> None:
        service_tokens = {
            target
            for r in self.res.values()
            if r.get("Type", "").startswith("Custom::")
            or r.get("Type") == "AWS::CloudFormation::CustomResource"
            for target in _refs((r.get("Properties") or {}).get("ServiceToken"))
        }
        pending_forward, pending_reverse, security_groups = [], [], []
        for lid in sorted(self.res):
            rtype = self.type_of(lid)
            if rtype in _SKIP:
                continue
            if rtype.startswith(_IAM_PREFIX):
                self.iam[rtype.removeprefix(_IAM_PREFIX)] += 1
                continue
            if rtype.startswith("Custom::") or rtype == "AWS::CloudFormation::CustomResource":
                self.custom[rtype.removeprefix("Custom::")] += 1
                continue
            if rtype == "AWS::Lambda::Function" and lid in service_tokens:
                self.custom["provider Lambda"] += 1
                continue
            if rtype in _REVERSE:
                pending_reverse.append(lid)
                continue
            forward = _FORWARD.get(rtype) or next(
                (v for k, v in _FORWARD_PREFIXES.items() if rtype.startswith(k)), None
            )
            if forward:
                target = next((t for key in forward for t in _refs(self.props(lid).get(key))), None)
                if target in self.res:
                    pending_forward.append((lid, target))
                    continue
            if rtype == "AWS::EC2::SecurityGroup":
                security_groups.append(lid)
                continue
            if rtype == "AWS::EC2::VPCEndpoint":
                kind = f"{self.props(lid).get('VpcEndpointType', 'Gateway')} endpoint"
                self.add(lid, self.box_of(lid, "vpc"), kind, self.detail(lid, rtype))
                continue
            service, kind = _KINDS.get(rtype, ("Other", rtype))
            self.add(lid, self.box_of(lid, service), kind, self.detail(lid, rtype))
        for lid, target in pending_forward:
            if target in self.node_of:
                self.node_of[lid] = self.node_of[target]
                if self.type_of(lid) == "AWS::RDS::DBInstance":
                    detail = self.detail(lid, "AWS::RDS::DBInstance")
                    self._node(self.node_of[target]).details[detail] += 1
        for lid in pending_reverse:
            referrer = next(
                (
                    other
                    for other in sorted(self.res)
                    if other in self.node_of and lid in set(_refs(self.props(other)))
                ),
                None,
            )
            if referrer:
                self.node_of[lid] = self.node_of[referrer]
                if self.type_of(lid) == "AWS::EC2::EIP":
                    self._node(self.node_of[lid]).details["Elastic IP"] += 1
        self.place_security_groups(security_groups)

    def place_security_groups(self, groups: list[str]) -> None:
        """A group used by drawn resources stands for them; an unused one is its own node."""
        self.sg_users: dict[str, set[str]] = defaultdict(set)
        for lid in sorted(self.res):
            if self.type_of(lid) in ("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"):
                continue
            node = self.node_of.get(lid)
            if node is None:
                continue
            for target in _refs(self.props(lid)):
                if target in groups:
                    self.sg_users[target].add(node)
        for lid in groups:
            if not self.sg_users[lid]:
                detail = self.detail(lid, "AWS::EC2::SecurityGroup")
                self.add(lid, "vpc", "Security group", detail, name=_name(self.res[lid]))
                self.sg_users[lid] = {self.node_of[lid]}

    # -- edges ------------------------------------------------------------------------------
    def edge(self, src: str | None, dst: str | None, label: str) -> None:
        if src and dst and src != dst:
            self.edges[(src, dst)].add(label)

    def collect_edges(self) -> None:
        for lid in sorted(self.res):
            rtype = self.type_of(lid)
            props = self.props(lid)
            if rtype == "AWS::EC2::SecurityGroupIngress":
                self.ingress(props, next(_refs(props.get("GroupId")), None))
            elif rtype == "AWS::EC2::SecurityGroup":
                for rule in props.get("SecurityGroupIngress") or []:
                    self.ingress(rule, lid)
            elif rtype == "AWS::EC2::Route":
                self.route(props)
            elif rtype == "AWS::CloudFront::Distribution":
                for origin in (props.get("DistributionConfig") or {}).get("Origins") or []:
                    for target in _refs(origin):
                        self.edge(self.node_of.get(lid), self.node_of.get(target), "origin")
            elif rtype == "AWS::ApiGateway::Method" or rtype == "AWS::ApiGatewayV2::Integration":
                integration = props.get("Integration") or props.get("IntegrationUri")
                for target in _refs(integration):
                    if self.type_of(target) == "AWS::Lambda::Function":
                        self.edge(self.node_of.get(lid), self.node_of.get(target), "invokes")
            elif rtype in ("AWS::ApiGateway::Authorizer", "AWS::ApiGatewayV2::Authorizer"):
                for target in _refs(props.get("ProviderARNs") or props.get("JwtConfiguration")):
                    self.edge(self.node_of.get(target), self.node_of.get(lid), "authorizer")
            elif rtype == "AWS::Lambda::Function" and lid in self.node_of:
                variables = (props.get("Environment") or {}).get("Variables")
                for target in _refs(variables):
                    if self.type_of(target) in _DATA_TYPES:
                        self.edge(self.node_of[lid], self.node_of.get(target), "reads/writes")
            elif rtype == "AWS::IAM::Policy":
                self.policy_edges(props)
            elif rtype == "AWS::RDS::DBCluster":
                self.global_cluster(lid, props.get("GlobalClusterIdentifier"))
            elif rtype == "AWS::SecretsManager::SecretTargetAttachment":
                target = next(_refs(props.get("TargetId")), None)
                self.edge(self.node_of.get(lid), self.node_of.get(target), "credentials")
            elif rtype == "AWS::AutoScaling::AutoScalingGroup":
                self.load_balancer_targets(lid, props.get("TargetGroupARNs"))
            elif rtype == "AWS::ElasticLoadBalancingV2::TargetGroup":
                for target in props.get("Targets") or []:
                    self.load_balancer_targets(next(_refs(target), None), [{"Ref": lid}])
            elif rtype in ("AWS::Route53::RecordSet", "AWS::Route53::RecordSetGroup"):
                for target in _refs(props):
                    if self.type_of(target) != "AWS::Route53::HostedZone":
                        self.edge(self.node_of.get(lid), self.node_of.get(target), "alias")
            elif rtype == "AWS::EC2::FlowLog":
                for target in _refs(props.get("LogGroupName")):
                    self.edge("vpc", self.node_of.get(target), "flow logs")

    def ingress(self, rule: dict, group: str | None) -> None:
        if group not in self.sg_users:
            return
        port = _ports(rule)
        source = next(_refs(rule.get("SourceSecurityGroupId")), None)
        if source in self.sg_users:
            sources = self.sg_users[source]
        else:
            cidr = rule.get("CidrIp") or rule.get("CidrIpv6")
            if not isinstance(cidr, str):
                return
            sources = {self.external(cidr)}
        for src in sorted(sources):
            for dst in sorted(self.sg_users[group]):
                self.edge(src, dst, port)

    def external(self, cidr: str) -> str:
        if cidr in ("0.0.0.0/0", "::/0"):
            self.extra_nodes["internet"] = "internet((Internet))"
            return "internet"
        node_id = f"cidr_{_slug(cidr)}"
        self.extra_nodes[node_id] = f'{node_id}(("{cidr}"))'
        return node_id

    def route(self, props: dict) -> None:
        table = next(_refs(props.get("RouteTableId")), None)
        tiers = sorted(
            {
                self.subnet_tier[subnet]
                for r in self.res.values()
                if r.get("Type") == "AWS::EC2::SubnetRouteTableAssociation"
                and next(_refs((r.get("Properties") or {}).get("RouteTableId")), None) == table
                for subnet in _refs((r.get("Properties") or {}).get("SubnetId"))
                if subnet in self.subnet_tier
            }
        )
        destination = props.get("DestinationCidrBlock") or props.get("DestinationIpv6CidrBlock")
        for key in ("NatGatewayId", "GatewayId", "InstanceId", "NetworkInterfaceId"):
            target = next(_refs(props.get(key)), None)
            for tier in tiers:
                self.edge(f"tier_{_slug(tier)}", self.node_of.get(target), str(destination))

    def policy_edges(self, props: dict) -> None:
        roles = set(_refs(props.get("Roles")))
        functions = [
            lid
            for lid in sorted(self.res)
            if self.type_of(lid) == "AWS::Lambda::Function"
            and lid in self.node_of
            and next(_refs(self.props(lid).get("Role")), None) in roles
        ]
        statements = (props.get("PolicyDocument") or {}).get("Statement") or []
        targets = {
            t
            for statement in statements
            for t in _refs(statement.get("Resource"))
            if self.type_of(t) in _DATA_TYPES
        }
        for function in functions:
            for target in sorted(targets):
                self.edge(self.node_of[function], self.node_of.get(target), "reads/writes")

    def global_cluster(self, lid: str, value: Any) -> None:
        if value is None:
            return
        target = next(_refs(value), None)
        if target in self.node_of:
            self.edge(self.node_of.get(lid), self.node_of[target], "member of")
        elif isinstance(value, str):
            node_id = f"global_{_slug(value)}"
            self.extra_nodes[node_id] = (
                f'{node_id}["Global cluster {_quote(value)}<br/>(other stack)"]'
            )
            self.edge(self.node_of.get(lid), node_id, "member of")

    def load_balancer_targets(self, target_lid: str | None, target_groups: Any) -> None:
        for group in _refs(target_groups):
            for lid in sorted(self.res):
                if self.type_of(lid) != "AWS::ElasticLoadBalancingV2::Listener":
                    continue
                props = self.props(lid)
                if group not in set(_refs(props.get("DefaultActions"))):
                    continue
                label = f"{props.get('Protocol', '')} {props.get('Port', '')}".strip()
                self.edge(self.node_of.get(lid), self.node_of.get(target_lid), label or "targets")

    # -- rendering --------------------------------------------------------------------------
    def render(self) -> str:
        self.collect_tiers()
        self.classify()
        self.collect_edges()
        if self.iam:
            self.extra_nodes["iam"] = 'iam["IAM<br/>' + _counts(self.iam) + '"]'
        if self.custom:
            self.extra_nodes["cdk_custom"] = (
                'cdk_custom["CDK custom resources<br/>' + _counts(self.custom) + '"]'
            )
        igw = next((n for n in self.nodes.values() if n.kind == "Internet gateway"), None)
        if igw is not None:
            self.extra_nodes["internet"] = "internet((Internet))"
            self.edge(igw.id, "internet", "")
        by_box: dict[str, list[_Node]] = defaultdict(list)
        for node in self.nodes.values():
            by_box[node.box].append(node)
        lines = ["flowchart TB"]
        lines += [f"  {shape}" for _, shape in sorted(self.extra_nodes.items())]
        vpc_has_content = any(b == "vpc" or b.startswith("tier:") for b in by_box) or self.tiers
        if vpc_has_content:
            vpc = next(
                (lid for lid in sorted(self.res) if self.type_of(lid) == "AWS::EC2::VPC"), None
            )
            cidr = self.props(vpc).get("CidrBlock") if vpc else None
            title = f"VPC {cidr}" if isinstance(cidr, str) else "VPC"
            lines.append(f'  subgraph vpc["{title}"]')
            tiers = sorted(
                self.tiers.items(), key=lambda kv: (_TIER_ORDER.get(kv[1]["type"], 9), kv[0])
            )
            for tier, info in tiers:
                masks = ", ".join(sorted(info["masks"]))
                plural = "subnet" if info["n"] == 1 else "subnets"
                title = f"{tier} tier: {info['n']} {plural} {masks} ({info['type'] or '?'})"
                lines.append(f'    subgraph tier_{_slug(tier)}["{_quote(title)}"]')
                lines.append("      direction TB")
                nodes = sorted(by_box.get(f"tier:{tier}", []), key=lambda n: n.id)
                lines += [f'      {n.id}["{n.label()}"]' for n in nodes]
                if not nodes:
                    lines.append(f'      tier_{_slug(tier)}_empty[" "]:::empty')
                lines.append("    end")
            lines += [
                f'    {n.id}["{n.label()}"]'
                for n in sorted(by_box.get("vpc", []), key=lambda n: n.id)
            ]
            lines.append("  end")
        for box in sorted(b for b in by_box if b != "vpc" and not b.startswith("tier:")):
            lines.append(f'  subgraph box_{_slug(box)}["{box}"]')
            lines += [f'    {n.id}["{n.label()}"]' for n in sorted(by_box[box], key=lambda n: n.id)]
            lines.append("  end")
        for (src, dst), labels in sorted(self.edges.items()):
            text = ", ".join(sorted(label for label in labels if label))
            lines.append(f'  {src} -- "{_quote(text)}" --> {dst}' if text else f"  {src} --- {dst}")
        if any(":::empty" in line for line in lines):
            lines.append("  classDef empty fill:none,stroke:none")
        return "\n".join(lines)


def _counts(counter: Counter) -> str:
    return ", ".join(f"{n} x {name}" for name, n in sorted(counter.items()))


def _ports(rule: dict) -> str:
    protocol = str(rule.get("IpProtocol", ""))
    if protocol == "-1":
        return "all traffic"
    low, high = rule.get("FromPort"), rule.get("ToPort")
    port = f"{low}" if low == high else f"{low}-{high}"
    return f"{protocol} {port}"


def _service(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.rsplit(".", 1)[-1]]
    if isinstance(value, dict) and "Fn::Join" in value:
        parts = value["Fn::Join"][1]
        if parts and isinstance(parts[-1], str):
            return [parts[-1].lstrip(".")]
    return []


def mermaid(template: dict) -> str:
    """The template as a Mermaid flowchart (without the ```mermaid fence)."""
    return _Diagram(template).render()
