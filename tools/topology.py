"""What an architect would draw of one synthesized CloudFormation template, as plain data.

``topology(template, stack=..., region=...)`` places every drawable resource the way AWS's own
reference diagrams do: global edge services (CloudFront, Route 53, WAF) and the internet outside the
region; the region; inside it the VPC; inside the VPC one column per availability zone, holding one
box per subnet (tier, CIDR) with that subnet's route table and what was launched into it. A resource
that spans subnets is drawn once per subnet when it really has a presence in each (an Auto Scaling
group's instances), and once at VPC level otherwise (a load balancer, an Aurora cluster, a VPC
Lambda), labelled with where it spans.

Edges are the template's relations, never guesses:
- traffic allowed by security-group rules, from the resources in the source group (or a CIDR) to the
  resources in the target group, labelled with protocol and port; a group with no member in this
  stack is drawn as a group, so the rule is still visible;
- default routes from each route table to its NAT or internet gateway;
- CloudFront -> origin access identity / control -> bucket, with what the bucket policy grants;
- API -> Lambda integrations, Lambda -> the data stores its environment names, load balancer ->
  Auto Scaling group (or instance targets) through the target group, KMS key -> what it encrypts,
  secret -> database, rotation function -> secret, cluster -> global database, schedule -> the
  stack it deletes, Elastic IP -> its instance, hosted zone -> record -> the addresses it answers
  with or its alias, health check -> what it checks, EFS mount target -> file system, instances
  -> their own AZ's mount target when their user data names the file system, RDS source ->
  read replica, instances -> the data stores their role's policies grant (an RDS-managed
  secret is said on the database instead).
IAM, CDK's own custom resources and their provider functions, permissions and other plumbing are
not drawn; ``Topology.not_drawn`` counts them by type, so a caption can say so.

Everything is sorted and ids come from logical ids: the same template gives the same topology.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tools.cost import service_name

GLOBAL = "global"
REGION = "region"
VPC = "vpc"
INTERNET = "internet"
_TIER_RANK = {"Public": 0, "Private": 1, "Isolated": 2}


@dataclass(frozen=True)
class Cluster:
    id: str
    label: str
    parent: str | None
    kind: str  # global | region | vpc | az | subnet


@dataclass(frozen=True)
class Node:
    id: str
    icon: str  # a diagrams class, "aws.network.NATGateway"; "" draws a plain box
    label: str
    parent: str | None  # a cluster id; None: outside every cluster


@dataclass(frozen=True, order=True)
class Edge:
    src: str
    dst: str
    label: str = ""
    kind: str = "traffic"  # traffic | route | rule | control | order (invisible, layout only)


@dataclass
class Topology:
    title: str
    clusters: dict[str, Cluster] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: set[Edge] = field(default_factory=set)
    not_drawn: Counter = field(default_factory=Counter)


# -- template helpers --------------------------------------------------------------------------
def refs(value: Any) -> Iterator[str]:
    """Every logical id a Ref / Fn::GetAtt inside ``value`` points at."""
    if isinstance(value, dict):
        if isinstance(value.get("Ref"), str):
            yield value["Ref"]
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            yield att[0] if isinstance(att, list) else str(att).split(".")[0]
        for child in value.values():
            yield from refs(child)
    elif isinstance(value, list):
        for child in value:
            yield from refs(child)


def tag(resource: dict, key: str) -> str | None:
    """The value of a resource's tag ``key`` (CDK's ``aws-cdk:subnet-name``, say), or None."""
    tags = (resource.get("Properties") or {}).get("Tags") or []
    if isinstance(tags, list):
        for entry in tags:
            if isinstance(entry, dict) and entry.get("Key") == key:
                return str(entry.get("Value"))
    return None


def _path_name(resource: dict) -> str:
    """The construct path's last meaningful segment: ``WebTier/Web/Group/ASG`` -> ``Group``."""
    path = resource.get("Metadata", {}).get("aws:cdk:path", "")
    parts = [p for p in path.split("/")[1:] if p not in ("Resource", "Default", "ASG")]
    return parts[-1] if parts else ""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "x"


def _ports(rule: dict) -> str:
    protocol = str(rule.get("IpProtocol", ""))
    if protocol == "-1":
        return "all traffic"
    low, high = rule.get("FromPort"), rule.get("ToPort")
    return f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}"


def _resource_targets(value: Any) -> Iterator[tuple[str, bool]]:
    """(logical id, whether it is the id's RDS-managed secret) of each resource a policy names."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        lid, name = (att[0], att[1]) if isinstance(att, list) else str(att).split(".", 1)
        yield lid, str(name).startswith("MasterUserSecret")
        return
    if isinstance(value, dict) and isinstance(value.get("Ref"), str):
        yield value["Ref"], False
        return
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    )
    for child in children:
        yield from _resource_targets(child)


_WRITES = ("Put", "Update", "Delete", "Write", "BatchWrite", "Send", "Publish")


def _access(actions: set[str]) -> str:
    """``reads`` or ``reads/writes``, from a grant's action names."""
    verbs = {a.split(":", 1)[-1] for a in actions}
    return "reads/writes" if any(v.startswith(_WRITES) or v == "*" for v in verbs) else "reads"


def _literal(value: Any) -> str:
    """A property as text: literals as they are, a parameter as ``<name>``, else ``<token>``."""
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict) and isinstance(value.get("Ref"), str):
        return f"<{value['Ref']}>"
    return "<token>"


# Not drawn, and counted in Topology.not_drawn: plumbing no architect draws.
_NOT_DRAWN = {
    "AWS::CDK::Metadata",
    "AWS::Lambda::Permission",
    "AWS::Lambda::LayerVersion",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::Model",
    "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::Authorizer",
    "AWS::SecretsManager::ResourcePolicy",
    "AWS::KMS::Alias",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolDomain",
    "AWS::RDS::DBClusterParameterGroup",
    "AWS::RDS::DBParameterGroup",
    "AWS::RDS::OptionGroup",
}
# Shown by the picture, though not as nodes of their own: boxes (VPC, subnets), labels (listeners,
# scaling policies, DB instances), edges (rules, routes, bucket grants) or a shared node (logs).
_FOLDED_INTO_NODES = {
    "AWS::EC2::FlowLog",
    "AWS::Logs::LogGroup",
    "AWS::RDS::DBInstance",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::AutoScaling::ScalingPolicy",
    "AWS::AutoScaling::ScheduledAction",
    "AWS::CloudFront::CloudFrontOriginAccessIdentity",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::EC2::EIP",
    "AWS::EC2::LaunchTemplate",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Stage",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::RDS::DBSubnetGroup",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::Subscription",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Athena::NamedQuery",
    "AWS::Logs::LogStream",
    "AWS::EC2::EIPAssociation",
    "AWS::EFS::AccessPoint",
    "AWS::ElastiCache::SubnetGroup",
    "AWS::ElastiCache::ParameterGroup",
}

# type -> (icon, short kind) for resources drawn as one node each, in the region.
_REGIONAL: dict[str, tuple[str, str]] = {
    "AWS::DynamoDB::Table": ("aws.database.DynamodbTable", "DynamoDB table"),
    "AWS::DynamoDB::GlobalTable": ("aws.database.DynamodbTable", "DynamoDB global table"),
    "AWS::S3::Bucket": ("aws.storage.SimpleStorageServiceS3Bucket", "S3 bucket"),
    "AWS::SecretsManager::Secret": ("aws.security.SecretsManager", "Secrets Manager secret"),
    "AWS::KMS::Key": ("aws.security.KeyManagementService", "KMS key"),
    "AWS::KMS::ReplicaKey": ("aws.security.KeyManagementService", "KMS replica key"),
    "AWS::Cognito::UserPool": ("aws.security.Cognito", "Cognito user pool"),
    "AWS::ApiGatewayV2::Api": ("aws.network.APIGateway", "API Gateway HTTP API"),
    "AWS::SNS::Topic": ("aws.integration.SimpleNotificationServiceSnsTopic", "SNS topic"),
    "AWS::SQS::Queue": ("aws.integration.SimpleQueueServiceSqsQueue", "SQS queue"),
    "AWS::CloudWatch::Alarm": ("aws.management.CloudwatchAlarm", "CloudWatch alarm"),
    "AWS::CloudWatch::Dashboard": ("aws.management.Cloudwatch", "CloudWatch dashboard"),
    "AWS::SSM::Parameter": ("aws.management.SystemsManagerParameterStore", "SSM parameter"),
    "AWS::EFS::FileSystem": ("aws.storage.ElasticFileSystemEFSFileSystem", "EFS file system"),
    "AWS::Kinesis::Stream": ("aws.analytics.KinesisDataStreams", "Kinesis data stream"),
    "AWS::KinesisFirehose::DeliveryStream": (
        "aws.analytics.KinesisDataFirehose",
        "Firehose stream",
    ),
    "AWS::Glue::Database": ("aws.analytics.GlueDataCatalog", "Glue database"),
    "AWS::Glue::Table": ("aws.analytics.GlueDataCatalog", "Glue table"),
    "AWS::Athena::WorkGroup": ("aws.analytics.Athena", "Athena work group"),
}
_GLOBAL_TYPES: dict[str, tuple[str, str]] = {
    "AWS::CloudFront::Distribution": ("aws.network.CloudFront", "CloudFront distribution"),
    "AWS::CloudFront::Function": ("aws.network.CloudFront", "CloudFront function"),
    "AWS::Route53::HostedZone": ("aws.network.Route53HostedZone", "Route 53 hosted zone"),
    "AWS::Route53::RecordSet": ("aws.network.Route53", "Route 53 record"),
    "AWS::Route53::HealthCheck": ("aws.network.Route53", "Route 53 health check"),
    "AWS::WAFv2::WebACL": ("aws.security.WAF", "WAF web ACL"),
    "AWS::RDS::GlobalCluster": ("aws.database.Aurora", "Aurora global database"),
}
_DATA_TYPES = {
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
    "AWS::RDS::DBCluster",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::Kinesis::Stream",
    "AWS::KinesisFirehose::DeliveryStream",
}


class _Builder:
    def __init__(
        self,
        template: dict,
        stack: str,
        region: str,
        replicated_from: Mapping[str, str] | None = None,
    ) -> None:
        self.res: dict[str, dict] = template.get("Resources") or {}
        # bucket logical id -> the stack (and region) whose bucket replicates into it
        self.replicated_from = dict(replicated_from or {})
        self.stack = stack
        self.region = region
        description = template.get("Description") or ""
        self.topo = Topology(
            title=f"{stack} ({region})" + (f": {description}" if description else "")
        )
        self.subnet_az: dict[str, str] = {}
        self.subnet_tier: dict[str, str] = {}
        self.subnet_name: dict[str, str] = {}
        self.subnet_box: dict[str, str] = {}
        self.table_of_subnet: dict[str, str] = {}
        self.nodes_of: dict[str, list[str]] = defaultdict(list)  # logical id -> node ids
        self.node_az: dict[str, str] = {}
        self.copies: set[str] = set()  # nodes that are one AZ's copy of a resource spanning AZs
        self.drawn: set[str] = set()

    # -- small helpers ------------------------------------------------------------------------
    def props(self, lid: str | None) -> dict:
        return (self.res.get(lid or "") or {}).get("Properties") or {}

    def type_of(self, lid: str | None) -> str:
        return (self.res.get(lid or "") or {}).get("Type", "")

    def of_type(self, *types: str) -> list[str]:
        return sorted(lid for lid, r in self.res.items() if r.get("Type") in types)

    def cluster(self, cid: str, label: str, parent: str | None, kind: str) -> str:
        self.topo.clusters.setdefault(cid, Cluster(cid, label, parent, kind))
        return cid

    def node(self, lid: str, icon: str, label: str, parent: str | None, suffix: str = "") -> str:
        nid = f"n_{_slug(lid)}{'_' + _slug(suffix) if suffix else ''}"
        self.topo.nodes[nid] = Node(nid, icon, label, parent)
        self.nodes_of[lid].append(nid)
        self.drawn.add(lid)
        return nid

    def extra(self, nid: str, icon: str, label: str, parent: str | None) -> str:
        """A node that is no template resource (the internet, a CIDR, this stack)."""
        self.topo.nodes.setdefault(nid, Node(nid, icon, label, parent))
        return nid

    def edge(self, src: str, dst: str, label: str = "", kind: str = "traffic") -> None:
        if src != dst:
            self.topo.edges.add(Edge(src, dst, label, kind))

    def connect(self, src_lid: str, dst_lid: str, label: str, kind: str = "traffic") -> None:
        """Edges between the nodes of two resources; per-AZ copies pair within their AZ."""
        for src in self.nodes_of.get(src_lid, []):
            for dst in self.nodes_of.get(dst_lid, []):
                if self._other_az(src, dst):
                    continue
                self.edge(src, dst, label, kind)

    def _other_az(self, src: str, dst: str) -> bool:
        """Both ends are per-AZ copies of resources that span AZs, in different AZs."""
        a, b = self.node_az.get(src), self.node_az.get(dst)
        return src in self.copies and dst in self.copies and a is not None and a != b

    def in_region(self) -> str:
        return self.cluster(REGION, f"Region {self.region}", None, "region")

    def outside(self) -> str:
        return self.cluster(GLOBAL, "Global (edge and global services)", None, "global")

    # -- the network ---------------------------------------------------------------------------
    def network(self) -> None:
        vpcs = self.of_type("AWS::EC2::VPC")
        for vpc in vpcs:
            props = self.props(vpc)
            flow = [f for f in self.of_type("AWS::EC2::FlowLog") if vpc in refs(self.props(f))]
            extras = [f"CIDR {_literal(props.get('CidrBlock'))}"]
            if flow:
                traffic = self.props(flow[0]).get("TrafficType", "ALL")
                extras.append(f"flow logs: {traffic} traffic to CloudWatch Logs")
            self.cluster(VPC, f"VPC ({', '.join(extras)})", self.in_region(), "vpc")
        subnets = self.of_type("AWS::EC2::Subnet")
        for sid in subnets:
            props = self.props(sid)
            az = _literal(props.get("AvailabilityZone")) if "AvailabilityZone" in props else "?"
            if az == "<token>":
                az = "AZ (chosen at deploy)"
            self.subnet_az[sid] = az
            resource = self.res[sid]
            name = tag(resource, "aws-cdk:subnet-name") or "Subnet"
            kind = tag(resource, "aws-cdk:subnet-type") or ""
            self.subnet_tier[sid] = kind or name
            self.subnet_name[sid] = name
        for sid in sorted(subnets, key=self._subnet_order):
            az = self.subnet_az[sid]
            az_box = self.cluster(f"az_{_slug(az)}", f"Availability Zone {az}", VPC, "az")
            resource = self.res[sid]
            name = tag(resource, "aws-cdk:subnet-name") or "Subnet"
            kind = tag(resource, "aws-cdk:subnet-type") or ""
            cidr = _literal(self.props(sid).get("CidrBlock"))
            label = f"{name} subnet {cidr}" + (f" ({kind.lower()})" if kind else "")
            self.subnet_box[sid] = self.cluster(f"subnet_{_slug(sid)}", label, az_box, "subnet")
        self._route_tables()
        for igw in self.of_type("AWS::EC2::InternetGateway"):
            self.node(igw, "aws.network.InternetGateway", "Internet gateway", VPC)
            self._internet()
            self.edge(INTERNET, self.nodes_of[igw][0], "", "route")
            self.edge(INTERNET, self.nodes_of[igw][0], "", "order")
        for nat in self.of_type("AWS::EC2::NatGateway"):
            sid = next(refs(self.props(nat).get("SubnetId")), None)
            eip = any(
                self.type_of(r) == "AWS::EC2::EIP"
                for r in refs(self.props(nat).get("AllocationId"))
            )
            label = "NAT gateway" + (" + Elastic IP" if eip else "")
            self.node(nat, "aws.network.NATGateway", label, self.subnet_box.get(sid, VPC))
            if sid in self.subnet_az:
                self.node_az[self.nodes_of[nat][0]] = self.subnet_az[sid]
        self._endpoints()

    def _subnet_order(self, sid: str) -> tuple:
        tier = self.subnet_tier.get(sid, "")
        return (self.subnet_az.get(sid, ""), _TIER_RANK.get(tier, 9), tier, sid)

    def _route_tables(self) -> None:
        table_subnets: dict[str, list[str]] = defaultdict(list)
        for assoc in self.of_type("AWS::EC2::SubnetRouteTableAssociation"):
            props = self.props(assoc)
            table = next(refs(props.get("RouteTableId")), None)
            subnet = next(refs(props.get("SubnetId")), None)
            if table and subnet in self.subnet_box:
                table_subnets[table].append(subnet)
                self.table_of_subnet[subnet] = table
        routes: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for route in self.of_type("AWS::EC2::Route"):
            props = self.props(route)
            table = next(refs(props.get("RouteTableId")), None)
            destination = props.get("DestinationCidrBlock") or props.get(
                "DestinationIpv6CidrBlock", "?"
            )
            target = next(
                (
                    t
                    for key in ("NatGatewayId", "GatewayId", "TransitGatewayId", "InstanceId")
                    for t in refs(props.get(key))
                ),
                None,
            )
            if table and target:
                routes[table].append((str(destination), target))
        self.routes = routes
        endpoint_services: dict[str, list[str]] = defaultdict(list)
        for ep in self.of_type("AWS::EC2::VPCEndpoint"):
            for table in refs(self.props(ep).get("RouteTableIds")):
                endpoint_services[table].append(service_name(self.props(ep).get("ServiceName")))
        for table, subnets in sorted(table_subnets.items()):
            lines = ["route table"]
            for destination, target in sorted(routes.get(table, [])):
                lines.append(f"{destination} -> {self._route_target(target)}")
            services = sorted(endpoint_services.get(table, []))
            if services:
                lines.append(f"{', '.join(services)}:\ngateway endpoints")
            if not routes.get(table):
                lines.append("no internet route")
            for sid in sorted(subnets):
                nid = self.node(
                    table, "aws.network.RouteTable", "\n".join(lines), self.subnet_box[sid], sid
                )
                self.node_az[nid] = self.subnet_az[sid]

    def _route_target(self, target: str) -> str:
        rtype = self.type_of(target)
        if rtype == "AWS::EC2::NatGateway":
            sid = next(refs(self.props(target).get("SubnetId")), None)
            return f"NAT in {self.subnet_az.get(sid, '?')}"
        if rtype == "AWS::EC2::InternetGateway":
            return "IGW"
        return rtype.rsplit("::", 1)[-1] or target

    def routes_edges(self) -> None:
        for table, entries in sorted(self.routes.items()):
            for destination, target in sorted(entries):
                for nid in self.nodes_of.get(table, []):
                    for dst in self.nodes_of.get(target, []):
                        self.edge(nid, dst, destination, "route")
        # keep each AZ's tiers in order, top to bottom: public, private, isolated
        by_az: dict[str, list[str]] = defaultdict(list)
        for sid in sorted(self.subnet_box, key=self._subnet_order):
            table = self.table_of_subnet.get(sid)
            if table:
                by_az[self.subnet_az[sid]].append(f"n_{_slug(table)}_{_slug(sid)}")
        gateways = [n for g in self.of_type("AWS::EC2::InternetGateway") for n in self.nodes_of[g]]
        for chain in by_az.values():
            for gateway in gateways:  # the gateway above every AZ's first tier: AZs side by side
                self.edge(gateway, chain[0], "", "order")
            for upper, lower in zip(chain, chain[1:], strict=False):
                self.edge(upper, lower, "", "order")

    def _endpoints(self) -> None:
        for ep in self.of_type("AWS::EC2::VPCEndpoint"):
            props = self.props(ep)
            service = service_name(props.get("ServiceName"))
            kind = props.get("VpcEndpointType", "Gateway")
            subnets = [s for s in refs(props.get("SubnetIds")) if s in self.subnet_box]
            if kind == "Gateway":
                tables = len(list(refs(props.get("RouteTableIds"))))
                label = f"Gateway endpoint: {service}\nin {tables} route tables (free)"
                self.node(ep, "aws.network.Endpoint", label, VPC)
                continue
            dns = ", private DNS" if props.get("PrivateDnsEnabled") else ""
            label = f"Interface endpoint: {service}{dns}"
            self._place(ep, "aws.network.Endpoint", label, subnets, per_subnet=True)

    def _internet(self) -> None:
        self.extra(INTERNET, "aws.general.InternetAlt1", "Internet", None)

    def _place(
        self, lid: str, icon: str, label: str, subnets: list[str], per_subnet: bool = False
    ) -> None:
        """In its subnet; per subnet when ``per_subnet``; else once in the VPC, saying where."""
        subnets = sorted(set(subnets), key=self._subnet_order)
        if len(subnets) == 1 or (per_subnet and subnets):
            for sid in subnets:
                suffix = sid if len(subnets) > 1 else ""
                nid = self.node(lid, icon, label, self.subnet_box[sid], suffix)
                self.node_az[nid] = self.subnet_az[sid]
                if len(subnets) > 1:
                    self.copies.add(nid)
            return
        if subnets:
            tiers = sorted({self.subnet_name[s] for s in subnets})
            azs = sorted({self.subnet_az[s] for s in subnets})
            label += f"\n{' + '.join(tiers)} subnets in {len(azs)} AZs"
            self.node(lid, icon, label, VPC)
            return
        self.node(lid, icon, label, self.in_region())

    # -- compute, load balancing, databases ------------------------------------------------------
    def compute(self) -> None:
        for lid in self.of_type("AWS::EC2::Instance"):
            props = self.props(lid)
            subnets = list(refs(props.get("SubnetId"))) + list(refs(props.get("NetworkInterfaces")))
            name = tag(self.res[lid], "Name") or _path_name(self.res[lid]) or "EC2 instance"
            label = f"{name.rsplit('/', 1)[-1]}\n{_literal(props.get('InstanceType'))}"
            if self._auto_public_ip(lid):
                label += "\npublic IPv4 (auto-assigned)"
            self._place(
                lid, "aws.compute.EC2Instance", label, [s for s in subnets if s in self.subnet_box]
            )
        self._elastic_ips()
        for lid in self.of_type("AWS::AutoScaling::AutoScalingGroup"):
            props = self.props(lid)
            subnets = [s for s in refs(props.get("VPCZoneIdentifier")) if s in self.subnet_box]
            label = (
                "EC2 instances\n(Auto Scaling group)\n"
                f"min {_literal(props.get('MinSize'))}, max {_literal(props.get('MaxSize'))}"
                f"{self._instance_type(props)}{self._scaling(lid)}"
            )
            self._place(lid, "aws.compute.EC2Instances", label, subnets, per_subnet=True)
        providers = self._provider_functions()
        for lid in self.of_type("AWS::Lambda::Function"):
            if lid in providers:
                continue
            props = self.props(lid)
            vpc = props.get("VpcConfig") or {}
            subnets = [s for s in refs(vpc.get("SubnetIds")) if s in self.subnet_box]
            name = _path_name(self.res[lid]) or lid
            label = f"Lambda function {name}\n{_literal(props.get('Runtime', ''))}"
            self._place(lid, "aws.compute.Lambda", label, subnets)
        for lid in self.of_type("AWS::SecretsManager::RotationSchedule"):
            hosted = self.props(lid).get("HostedRotationLambda")
            if not isinstance(hosted, dict):
                continue
            rules = self.props(lid).get("RotationRules") or {}
            every = rules.get("ScheduleExpression") or (
                f"every {rules.get('AutomaticallyAfterDays')} days"
            )
            label = (
                f"Rotation function (hosted by Secrets Manager)\n"
                f"{_literal(hosted.get('RotationType'))}, {_literal(every)}"
            )
            subnets = [s for s in refs(hosted.get("VpcSubnetIds")) if s in self.subnet_box]
            self._place(lid, "aws.compute.Lambda", label, subnets)

    def _eip_instance(self, eip: str) -> str | None:
        """The instance an Elastic IP is attached to (its InstanceId or an association)."""
        direct = next(refs(self.props(eip).get("InstanceId")), None)
        if self.type_of(direct) == "AWS::EC2::Instance":
            return direct
        for assoc in self.of_type("AWS::EC2::EIPAssociation"):
            props = self.props(assoc)
            if eip in refs([props.get("AllocationId"), props.get("EIP")]):
                instance = next(refs(props.get("InstanceId")), None)
                if self.type_of(instance) == "AWS::EC2::Instance":
                    return instance
        return None

    def _auto_public_ip(self, instance: str) -> bool:
        """The instance asks for a public IPv4 and no Elastic IP replaces it."""
        interfaces = self.props(instance).get("NetworkInterfaces") or []
        asks = any(i.get("AssociatePublicIpAddress") in (True, "true") for i in interfaces)
        attached = any(self._eip_instance(e) == instance for e in self.of_type("AWS::EC2::EIP"))
        return asks and not attached

    def _elastic_ips(self) -> None:
        """An instance's Elastic IP next to it: the static address the internet reaches it by."""
        for eip in self.of_type("AWS::EC2::EIP"):
            instance = self._eip_instance(eip)
            if instance is None or instance not in self.nodes_of:
                continue  # a NAT gateway's address is in the NAT's label
            target = self.nodes_of[instance][0]
            nid = self.node(
                eip,
                "aws.compute.EC2ElasticIpAddress",
                "Elastic IP\n(static public IPv4)",
                self.topo.nodes[target].parent,
            )
            self.edge(nid, target, "static address of", "traffic")

    def _instance_type(self, props: dict) -> str:
        template = next(refs((props.get("LaunchTemplate") or {}).get("LaunchTemplateId")), None)
        data = self.props(template).get("LaunchTemplateData") or {}
        return f", {data['InstanceType']}" if isinstance(data.get("InstanceType"), str) else ""

    def _scaling(self, asg: str) -> str:
        out = []
        for policy in self.of_type("AWS::AutoScaling::ScalingPolicy"):
            props = self.props(policy)
            if asg not in refs(props.get("AutoScalingGroupName")):
                continue
            tracking = props.get("TargetTrackingConfiguration") or {}
            metric = (tracking.get("PredefinedMetricSpecification") or {}).get(
                "PredefinedMetricType", props.get("PolicyType", "")
            )
            target = tracking.get("TargetValue")
            out.append(f"{metric}\ntarget {target}" if target is not None else str(metric))
        scheduled = sum(
            asg in refs(self.props(s).get("AutoScalingGroupName"))
            for s in self.of_type("AWS::AutoScaling::ScheduledAction")
        )
        if scheduled:
            out.append(f"{scheduled} scheduled actions")
        return "".join(f"\n{line}" for line in out)

    def _provider_functions(self) -> set[str]:
        return {
            target
            for r in self.res.values()
            if r.get("Type", "").startswith("Custom::")
            or r.get("Type") == "AWS::CloudFormation::CustomResource"
            for target in refs((r.get("Properties") or {}).get("ServiceToken"))
        }

    def load_balancers(self) -> None:
        for lid in self.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
            props = self.props(lid)
            kind = props.get("Type", "application")
            scheme = props.get("Scheme", "internet-facing")
            listeners = []
            for listener in self.of_type("AWS::ElasticLoadBalancingV2::Listener"):
                lp = self.props(listener)
                if lid not in refs(lp.get("LoadBalancerArn")):
                    continue
                actions = lp.get("DefaultActions") or [{}]
                action = actions[0].get("Type", "")
                if action == "redirect":
                    redirect = actions[0].get("RedirectConfig") or {}
                    action = (
                        f"redirect to {redirect.get('Protocol', '')} {redirect.get('Port', '')}"
                    )
                listeners.append(f"{lp.get('Protocol')} {lp.get('Port')}: {action}")
            icon = (
                "aws.network.ElbNetworkLoadBalancer"
                if kind == "network"
                else "aws.network.ElbApplicationLoadBalancer"
            )
            title = "Network" if kind == "network" else "Application"
            label = f"{title} Load Balancer, {scheme}\n" + "\n".join(sorted(listeners))
            subnets = [s for s in refs(props.get("Subnets")) if s in self.subnet_box]
            subnets += [s for s in refs(props.get("SubnetMappings")) if s in self.subnet_box]
            self._place(lid, icon, label, subnets)

    def databases(self) -> None:
        for lid in self.of_type("AWS::RDS::DBCluster"):
            props = self.props(lid)
            instances = [
                i
                for i in self.of_type("AWS::RDS::DBInstance")
                if lid in refs(self.props(i).get("DBClusterIdentifier"))
            ]
            classes = Counter(_literal(self.props(i).get("DBInstanceClass")) for i in instances)
            scaling = props.get("ServerlessV2ScalingConfiguration") or {}
            acu = (
                f" ({scaling.get('MinCapacity')}-{scaling.get('MaxCapacity')} ACU)"
                if scaling
                else ""
            )
            if scaling and str(scaling.get("MinCapacity")) in ("0", "0.0"):
                acu += "\npauses at 0 ACU when idle"
            members = ", ".join(f"{n} x {c}" for c, n in sorted(classes.items()))
            writer = "1 writer" + (f" + {len(instances) - 1} reader" if len(instances) > 1 else "")
            encrypted = ", encrypted" if props.get("StorageEncrypted") else ""
            label = (
                f"Aurora cluster {_literal(props.get('Engine'))} "
                f"{_literal(props.get('EngineVersion', ''))}\n"
                f"{writer}{'s' * (len(instances) > 2)}: {members}{acu}{encrypted}"
            )
            group = next(refs(props.get("DBSubnetGroupName")), None)
            subnets = [s for s in refs(self.props(group).get("SubnetIds")) if s in self.subnet_box]
            self._place(lid, "aws.database.Aurora", label, subnets)
        for lid in self.of_type("AWS::RDS::DBInstance"):
            if self.props(lid).get("DBClusterIdentifier") is not None:
                continue
            props = self.props(lid)
            source = next(refs(props.get("SourceDBInstanceIdentifier")), None)
            engine = props.get("Engine") or self.props(source).get("Engine")
            label = f"RDS {_literal(engine)}\n{_literal(props.get('DBInstanceClass'))}" + (
                ", Multi-AZ" if props.get("MultiAZ") else ""
            )
            if source:
                label += "\nread replica"
            group = next(refs(props.get("DBSubnetGroupName")), None)
            subnets = [s for s in refs(self.props(group).get("SubnetIds")) if s in self.subnet_box]
            if not subnets and source:
                group = next(refs(self.props(source).get("DBSubnetGroupName")), None)
                subnets = [
                    s for s in refs(self.props(group).get("SubnetIds")) if s in self.subnet_box
                ]
            self._place(lid, "aws.database.RDSInstance", label, subnets)
        self._caches()
        self._mount_targets()

    def _caches(self) -> None:
        """An ElastiCache replication group or cluster, in the VPC, saying where it spans."""
        for lid in self.of_type(
            "AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster"
        ):
            props = self.props(lid)
            engine = _literal(props.get("Engine", "redis"))
            version = _literal(props.get("EngineVersion", ""))
            node_type = _literal(props.get("CacheNodeType"))
            if self.type_of(lid) == "AWS::ElastiCache::ReplicationGroup":
                nodes = props.get("NumCacheClusters", 1)
                replicas = (
                    int(nodes) - 1 if isinstance(nodes, int | str) and str(nodes).isdigit() else "?"
                )
                shape = f"1 primary + {replicas} replica{'s' * (replicas != 1)}"
            else:
                shape = f"{_literal(props.get('NumCacheNodes', 1))} node(s)"
            extras = [
                text
                for key, text in (
                    ("MultiAZEnabled", "Multi-AZ"),
                    ("TransitEncryptionEnabled", "TLS"),
                    ("AtRestEncryptionEnabled", "encrypted"),
                )
                if props.get(key) in (True, "true")
            ]
            label = f"ElastiCache {engine} {version}".rstrip() + f"\n{shape}, {node_type}"
            if extras:
                label += f"\n{', '.join(extras)}"
            group = next(refs(props.get("CacheSubnetGroupName")), None)
            subnets = [s for s in refs(self.props(group).get("SubnetIds")) if s in self.subnet_box]
            self._place(lid, "aws.database.ElasticacheForRedis", label, subnets)

    def _mount_targets(self) -> None:
        """Each EFS mount target in its subnet: the NFS endpoint of its AZ. A file system's
        targets count as its per-AZ copies, so the edges of an AZ stay in that AZ."""
        for lid in self.of_type("AWS::EFS::MountTarget"):
            sid = next(refs(self.props(lid).get("SubnetId")), None)
            if sid not in self.subnet_box:
                continue
            nid = self.node(
                lid,
                "aws.storage.ElasticFileSystemEFS",
                "EFS mount target\nNFS 2049",
                self.subnet_box[sid],
            )
            self.node_az[nid] = self.subnet_az[sid]
            self.copies.add(nid)

    # -- security-group rules ----------------------------------------------------------------------
    def members(self) -> dict[str, list[str]]:
        """Security group -> the drawn resources that carry it."""
        keys = ("SecurityGroups", "SecurityGroupIds", "VpcSecurityGroupIds", "GroupSet")
        carried: dict[str, set[str]] = defaultdict(set)
        for lid in sorted(self.res):
            props = self.props(lid)
            found: set[str] = set()
            for key in keys:
                found |= set(refs(props.get(key)))
            found |= set(refs((props.get("VpcConfig") or {}).get("SecurityGroupIds")))
            found |= set(refs((props.get("HostedRotationLambda") or {}).get("VpcSecurityGroupIds")))
            for interface in props.get("NetworkInterfaces") or []:
                found |= set(refs((interface or {}).get("GroupSet")))
            data = props.get("LaunchTemplateData") or {}
            found |= set(refs(data.get("SecurityGroupIds")))
            for interface in data.get("NetworkInterfaces") or []:
                found |= set(refs((interface or {}).get("Groups")))
            if self.type_of(lid) == "AWS::EC2::LaunchTemplate":
                users = [
                    u
                    for u in self.of_type(
                        "AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::Instance"
                    )
                    if lid in refs(self.props(u).get("LaunchTemplate"))
                ]
            else:
                users = [lid]
            for group in found:
                if self.type_of(group) == "AWS::EC2::SecurityGroup":
                    carried[group].update(u for u in users if u in self.drawn)
        return {g: sorted(m) for g, m in carried.items()}

    def security_rules(self) -> None:
        members = self.members()
        rules: list[tuple[str, dict]] = []
        for group in self.of_type("AWS::EC2::SecurityGroup"):
            for rule in self.props(group).get("SecurityGroupIngress") or []:
                rules.append((group, rule))
        for lid in self.of_type("AWS::EC2::SecurityGroupIngress"):
            group = next(refs(self.props(lid).get("GroupId")), None)
            if group:
                rules.append((group, self.props(lid)))
        for group, rule in rules:
            targets = self._group_ends(group, members)
            source_group = next(refs(rule.get("SourceSecurityGroupId")), None)
            if source_group:
                sources = self._group_ends(source_group, members)
            elif rule.get("CidrIp") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0":
                self._internet()
                sources = [INTERNET]
            elif rule.get("CidrIp") or rule.get("CidrIpv6"):
                cidr = _literal(rule.get("CidrIp") or rule.get("CidrIpv6"))
                sources = [
                    self.extra(
                        f"cidr_{_slug(cidr)}", "aws.general.Users", f"clients in {cidr}", None
                    )
                ]
            elif rule.get("SourcePrefixListId"):
                prefix = _literal(rule.get("SourcePrefixListId"))
                sources = [self.extra(f"prefix_{_slug(prefix)}", "", f"prefix list {prefix}", None)]
            else:
                continue
            for src in sources:
                for dst in targets:
                    if self._other_az(src, dst):
                        continue
                    self.edge(src, dst, _ports(self._port_literals(rule)), "rule")

    def _port_literals(self, rule: dict) -> dict:
        """A rule whose port is a resource's ``Endpoint.Port`` (a database's, say): that
        resource's literal ``Port``, else ``<port of X>``."""
        out = dict(rule)
        for key in ("FromPort", "ToPort"):
            att = (
                (rule.get(key) or {}).get("Fn::GetAtt") if isinstance(rule.get(key), dict) else None
            )
            if isinstance(att, list) and len(att) == 2:
                port = self.props(att[0]).get("Port")
                out[key] = port if isinstance(port, int | str) else f"<port of {att[0]}>"
        return out

    def _group_ends(self, group: str, members: dict[str, list[str]]) -> list[str]:
        """The nodes of a group's members; a group with none here is drawn as the group."""
        ends = [n for m in members.get(group, []) for n in self.nodes_of.get(m, [])]
        if ends:
            return ends
        nid = f"sg_{_slug(group)}"
        if nid not in self.topo.nodes:
            description = str(self.props(group).get("GroupDescription", ""))
            name = description if "/" not in description else _path_name(self.res[group])
            label = f"security group, no member in this stack:\n{name}"
            self.extra(nid, "", label, VPC if VPC in self.topo.clusters else None)
        return [nid]

    # -- regional and global services --------------------------------------------------------------
    def services(self) -> None:
        for lid in self.of_type(*_REGIONAL):
            icon, kind = _REGIONAL[self.type_of(lid)]
            label = f"{kind} {_path_name(self.res[lid]) or lid}{self._data_detail(lid)}"
            self.node(lid, icon, label, self.in_region())
        for lid in self.of_type(*_GLOBAL_TYPES):
            icon, kind = _GLOBAL_TYPES[self.type_of(lid)]
            self.node(lid, icon, self._global_label(lid, kind), self.outside())
        for lid in self.of_type("AWS::ApiGateway::RestApi"):
            props = self.props(lid)
            types = (props.get("EndpointConfiguration") or {}).get("Types") or ["EDGE"]
            methods = [
                m
                for m in self.of_type("AWS::ApiGateway::Method")
                if lid in refs(self.props(m).get("RestApiId"))
                and self.props(m).get("HttpMethod") != "OPTIONS"
            ]
            auth = sorted({str(self.props(m).get("AuthorizationType", "NONE")) for m in methods})
            label = (
                f"API Gateway REST API ({', '.join(map(str, types)).lower()})\n"
                f"{len(methods)} methods, authorization {', '.join(auth)}"
            )
            self.node(lid, "aws.network.APIGateway", label, self.in_region())
            self._internet()
            self.edge(INTERNET, self.nodes_of[lid][0], f"HTTPS, {', '.join(auth)}")
        logs = self.of_type("AWS::Logs::LogGroup")
        if logs:
            nid = "n_cloudwatch_logs"
            label = f"CloudWatch Logs\n{len(logs)} log groups"
            self.extra(nid, "aws.management.CloudwatchLogs", label, self.in_region())
            for lid in logs:
                self.nodes_of[lid].append(nid)
                self.drawn.add(lid)
        for lid in self.of_type("AWS::Scheduler::Schedule"):
            target = str((self.props(lid).get("Target") or {}).get("Arn", ""))
            arn = json.dumps(self.props(lid).get("Target") or {})
            deletes = "cloudformation:deleteStack" in arn or "deleteStack" in target
            label = "EventBridge Scheduler\none-time schedule" + (
                " (stack lease)" if deletes else ""
            )
            self.node(lid, "aws.integration.EventbridgeScheduler", label, self.in_region())
            if deletes:
                label = f"CloudFormation stack\n{self.stack}"
                stack = self.extra(
                    "n_this_stack", "aws.management.CloudformationStack", label, self.in_region()
                )
                self.edge(self.nodes_of[lid][0], stack, "DeleteStack at the lease's end", "control")

    def _global_label(self, lid: str, kind: str) -> str:
        props, rtype = self.props(lid), self.type_of(lid)
        if rtype == "AWS::RDS::GlobalCluster":
            return f"{kind} {_literal(props.get('GlobalClusterIdentifier', ''))}".strip()
        if rtype == "AWS::Route53::HostedZone":
            scope = "private: answers inside its VPC" if props.get("VPCs") else "public"
            return f"Route 53 hosted zone\n{_literal(props.get('Name', ''))}\n{scope}"
        if rtype == "AWS::Route53::RecordSet":
            how = "alias" if props.get("AliasTarget") else f"TTL {_literal(props.get('TTL'))} s"
            return (
                f"Route 53 {_literal(props.get('Type', ''))} record\n"
                f"{_literal(props.get('Name', ''))}\n{how}"
            )
        if rtype == "AWS::Route53::HealthCheck":
            config = props.get("HealthCheckConfig") or {}
            path = config.get("ResourcePath", "")
            every = config.get("RequestInterval", 30)
            return (
                f"{kind}\n{_literal(config.get('Type', ''))} :{_literal(config.get('Port', ''))}"
                f"{_literal(path) if path else ''}, every {_literal(every)} s"
            )
        return f"{kind} {_path_name(self.res[lid])}".strip()

    def _data_detail(self, lid: str) -> str:
        props = self.props(lid)
        rtype = self.type_of(lid)
        out = []
        if rtype == "AWS::DynamoDB::Table":
            out.append(
                "on-demand" if props.get("BillingMode") == "PAY_PER_REQUEST" else "provisioned"
            )
            pitr = props.get("PointInTimeRecoverySpecification") or {}
            if pitr.get("PointInTimeRecoveryEnabled"):
                out.append("PITR")
        if rtype == "AWS::S3::Bucket":
            block = props.get("PublicAccessBlockConfiguration") or {}
            if block and all(block.get(k) for k in ("BlockPublicAcls", "RestrictPublicBuckets")):
                out.append("public access blocked")
            if (props.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
                out.append("versioned")
        if rtype == "AWS::EFS::FileSystem":
            out.append(f"{_literal(props.get('ThroughputMode', 'bursting'))} throughput")
            if props.get("Encrypted") in (True, "true"):
                out.append("encrypted")
            for policy in props.get("LifecyclePolicies") or []:
                if policy.get("TransitionToIA"):
                    days = str(policy["TransitionToIA"]).removeprefix("AFTER_").lower()
                    out.append(f"to IA after {days.replace('_', ' ')}")
            if "aws:SecureTransport" in json.dumps(props.get("FileSystemPolicy") or {}):
                out.append("TLS required")
            if (props.get("BackupPolicy") or {}).get("Status") == "ENABLED":
                out.append("daily backups")
        if rtype == "AWS::SQS::Queue" and props.get("FifoQueue"):
            out.append("FIFO")
        if rtype == "AWS::Kinesis::Stream":
            mode = (props.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
            shards = props.get("ShardCount")
            out.append("on-demand" if mode == "ON_DEMAND" else f"{_literal(shards or 1)} shard(s)")
        return ("\n" + ", ".join(out)) if out else ""

    # -- relations between drawn resources ---------------------------------------------------------
    def relations(self) -> None:
        self._cloudfront()
        self._api_integrations()
        self._target_groups()
        self._data_access()
        self._messaging()
        self._streaming()
        self._replication()
        for att in self.of_type("AWS::SecretsManager::SecretTargetAttachment"):
            props = self.props(att)
            secret = next(refs(props.get("SecretId")), None)
            target = next(refs(props.get("TargetId")), None)
            self.connect(secret, target, "credentials", "control")
        for rotation in self.of_type("AWS::SecretsManager::RotationSchedule"):
            secret = next(refs(self.props(rotation).get("SecretId")), None)
            secret = self._secret_behind(secret)
            self.connect(rotation, secret, "rotates", "control")
        for cluster in self.of_type("AWS::RDS::DBCluster"):
            props = self.props(cluster)
            ident = props.get("GlobalClusterIdentifier")
            target = next(refs(ident), None)
            if target in self.nodes_of:
                self.connect(cluster, target, "member (primary region)", "control")
            elif isinstance(ident, str):
                label = f"Aurora global database {ident}\n(made by the primary's stack)"
                nid = self.extra(
                    f"global_{_slug(ident)}", "aws.database.Aurora", label, self.outside()
                )
                for src in self.nodes_of.get(cluster, []):
                    self.edge(src, nid, "member (secondary region, read-only)", "control")
        for key in self.of_type("AWS::KMS::Key", "AWS::KMS::ReplicaKey"):
            for lid in sorted(self.res):
                if lid == key or self.type_of(lid).startswith(("AWS::KMS::", "AWS::IAM::")):
                    continue
                if key in refs(self.props(lid)) and lid in self.drawn:
                    self.connect(key, lid, "encrypts", "control")
        self._dns()
        self._file_systems()
        for replica in self.of_type("AWS::RDS::DBInstance"):
            for source in refs(self.props(replica).get("SourceDBInstanceIdentifier")):
                self.connect(source, replica, "replicates to (asynchronous)")
        self._iam_grants()
        for acl in self.of_type("AWS::WAFv2::WebACL"):
            for lid in self.of_type("AWS::CloudFront::Distribution"):
                if acl in refs(self.props(lid)):
                    self.connect(acl, lid, "filters requests", "control")

    def _dns(self) -> None:
        """Zone -> record -> what it answers with (addresses, or an alias); health checks."""
        for record in self.of_type("AWS::Route53::RecordSet"):
            props = self.props(record)
            for zone in refs(props.get("HostedZoneId")):
                self.connect(zone, record, "holds", "control")
            for target in refs(props.get("AliasTarget")):
                self.connect(record, target, "alias", "traffic")
            for target in refs(props.get("ResourceRecords")):
                self.connect(record, self._address_owner(target), "answers with its address")
            for check in refs(props.get("HealthCheckId")):
                self.connect(record, check, "answers only while healthy", "control")
        for check in self.of_type("AWS::Route53::HealthCheck"):
            config = self.props(check).get("HealthCheckConfig") or {}
            for target in refs([config.get("IPAddress"), config.get("FullyQualifiedDomainName")]):
                self.connect(check, self._address_owner(target), "checks", "control")

    def _address_owner(self, lid: str) -> str:
        """An instance's address is its Elastic IP, when it has one drawn."""
        if self.type_of(lid) != "AWS::EC2::Instance":
            return lid
        eips = [e for e in self.of_type("AWS::EC2::EIP") if self._eip_instance(e) == lid]
        return eips[0] if eips and eips[0] in self.nodes_of else lid

    def _file_systems(self) -> None:
        """Mount target -> its file system; instances whose user data names the file system
        mount it through their own AZ's target (its DNS name resolves to that one)."""
        for target in self.of_type("AWS::EFS::MountTarget"):
            for fs in refs(self.props(target).get("FileSystemId")):
                self.connect(target, fs, "")
        for user in self.of_type("AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::Instance"):
            data = self._user_data(user)
            for fs in sorted(set(refs(data))):
                if self.type_of(fs) != "AWS::EFS::FileSystem":
                    continue
                tls = " over TLS" if "tls" in json.dumps(data) else ""
                for target in self.of_type("AWS::EFS::MountTarget"):
                    if fs in refs(self.props(target).get("FileSystemId")):
                        self._connect_same_az(user, target, f"mounts (NFS{tls})")

    def _connect_same_az(self, src_lid: str, dst_lid: str, label: str) -> None:
        for src in self.nodes_of.get(src_lid, []):
            for dst in self.nodes_of.get(dst_lid, []):
                if self.node_az.get(src) == self.node_az.get(dst):
                    self.edge(src, dst, label)

    def _user_data(self, lid: str) -> Any:
        """An instance's or a group's user data (from its launch template)."""
        props = self.props(lid)
        template = next(refs((props.get("LaunchTemplate") or {}).get("LaunchTemplateId")), None)
        data = self.props(template).get("LaunchTemplateData") or {}
        return props.get("UserData") or data.get("UserData")

    def _roles_of(self, lid: str) -> set[str]:
        """The IAM roles an instance or a group's instances run as (via the instance profile)."""
        props = self.props(lid)
        template = next(refs((props.get("LaunchTemplate") or {}).get("LaunchTemplateId")), None)
        data = self.props(template).get("LaunchTemplateData") or {}
        profiles = set(refs([props.get("IamInstanceProfile"), data.get("IamInstanceProfile")]))
        return {
            role
            for profile in profiles
            if self.type_of(profile) == "AWS::IAM::InstanceProfile"
            for role in refs(self.props(profile).get("Roles"))
        }

    def _iam_grants(self) -> None:
        """Instances -> the data stores their role's policies allow (what an IAM grant wrote)."""
        for user in self.of_type("AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::Instance"):
            roles = self._roles_of(user)
            if user not in self.drawn or not roles:
                continue
            allowed: dict[str, set[str]] = defaultdict(set)
            for policy in self.of_type("AWS::IAM::Policy"):
                props = self.props(policy)
                if not roles & set(refs(props.get("Roles"))):
                    continue
                for statement in (props.get("PolicyDocument") or {}).get("Statement") or []:
                    if statement.get("Effect") != "Allow":
                        continue
                    actions = statement.get("Action")
                    actions = actions if isinstance(actions, list) else [actions]
                    for target in _resource_targets(statement.get("Resource")):
                        allowed[target].update(str(a) for a in actions)
            for (target, secret), actions in sorted(allowed.items()):
                if self._connected(user, target):
                    continue  # already drawn by what it does (a queue the workers poll)
                if secret:  # RDS's own secret of the database, not the data: said on the database
                    self._relabel(
                        target, "master secret managed by RDS,\nread by the instances (IAM grant)"
                    )
                elif self.type_of(target) in _DATA_TYPES:
                    self.connect(user, target, f"{_access(actions)} (IAM grant)")

    def _relabel(self, lid: str, line: str) -> None:
        """Add ``line`` to the label of every node of ``lid`` (once)."""
        for nid in self.nodes_of.get(lid, []):
            node = self.topo.nodes[nid]
            if line not in node.label:
                self.topo.nodes[nid] = Node(nid, node.icon, f"{node.label}\n{line}", node.parent)

    def _connected(self, a: str, b: str) -> bool:
        """Some edge already joins a node of ``a`` and a node of ``b``, either way."""
        ends = {*self.nodes_of.get(a, [])}, {*self.nodes_of.get(b, [])}
        return any(
            (e.src in ends[0] and e.dst in ends[1]) or (e.src in ends[1] and e.dst in ends[0])
            for e in self.topo.edges
            if e.kind in ("traffic", "control")  # a rule only allows; it draws no use
        )

    def _secret_behind(self, lid: str | None) -> str | None:
        if self.type_of(lid) == "AWS::SecretsManager::SecretTargetAttachment":
            return next(refs(self.props(lid).get("SecretId")), None)
        return lid

    def _cloudfront(self) -> None:
        grants = self._bucket_grants()
        for dist in self.of_type("AWS::CloudFront::Distribution"):
            config = self.props(dist).get("DistributionConfig") or {}
            self._internet()
            viewer = (config.get("DefaultCacheBehavior") or {}).get("ViewerProtocolPolicy", "")
            tls = (config.get("ViewerCertificate") or {}).get("MinimumProtocolVersion")
            label = "HTTPS" + (f" ({viewer})" if viewer else "") + (f", {tls}" if tls else "")
            for nid in self.nodes_of[dist]:
                self.edge(INTERNET, nid, label)
            for origin in config.get("Origins") or []:
                target = next(refs(origin.get("DomainName")), None)
                oai = next(
                    refs((origin.get("S3OriginConfig") or {}).get("OriginAccessIdentity")), None
                )
                oac = next(refs(origin.get("OriginAccessControlId")), None)
                if oai:
                    nid = self.node(
                        oai,
                        "aws.security.IdentityAndAccessManagementIamAWSSts",
                        "origin access identity (OAI, legacy)\nCloudFront signs in as it",
                        self.outside(),
                    )
                    self.connect(dist, oai, "origin request", "traffic")
                    grant = grants.get((target, "oai", oai), "no grant in the bucket policy")
                    for dst in self.nodes_of.get(target, []):
                        self.edge(nid, dst, grant)
                elif oac:
                    signing = self.props(oac).get("OriginAccessControlConfig") or {}
                    nid = self.node(
                        oac,
                        "aws.security.IdentityAndAccessManagementIamAWSSts",
                        f"origin access control (OAC)\n{signing.get('SigningProtocol', '')} "
                        f"signing: {signing.get('SigningBehavior', '')}",
                        self.outside(),
                    )
                    self.connect(dist, oac, "origin request", "traffic")
                    grant = grants.get((target, "oac", dist), "no grant in the bucket policy")
                    for dst in self.nodes_of.get(target, []):
                        self.edge(nid, dst, grant)
                elif target:
                    self.connect(dist, target, "origin", "traffic")
            logging = config.get("Logging") or {}
            bucket = next(refs(logging.get("Bucket")), None)
            if bucket:
                self.connect(dist, bucket, "access logs", "control")
        for lid in self.of_type("AWS::S3::Bucket"):
            logging = self.props(lid).get("LoggingConfiguration") or {}
            target = next(refs(logging.get("DestinationBucketName")), None)
            if target:
                self.connect(lid, target, "server access logs", "control")

    def _bucket_grants(self) -> dict[tuple[str, str, str], str]:
        """(bucket, oai|oac, OAI or distribution) -> what the bucket policy allows it."""
        grants = {}
        for policy in self.of_type("AWS::S3::BucketPolicy"):
            props = self.props(policy)
            bucket = next(refs(props.get("Bucket")), None)
            statements = (props.get("PolicyDocument") or {}).get("Statement") or []
            for statement in statements:
                if statement.get("Effect") != "Allow":
                    continue
                actions = statement.get("Action")
                actions = ", ".join(actions) if isinstance(actions, list) else str(actions)
                principal = statement.get("Principal") or {}
                canonical = principal.get("CanonicalUser") if isinstance(principal, dict) else None
                if canonical:
                    for oai in refs(canonical):
                        grants[(bucket, "oai", oai)] = f"{actions} (bucket policy: this OAI)"
                service = principal.get("Service") if isinstance(principal, dict) else None
                if service == "cloudfront.amazonaws.com":
                    for dist in refs(statement.get("Condition")):
                        grants[(bucket, "oac", dist)] = (
                            f"{actions} (bucket policy: CloudFront,\nSourceArn = this distribution)"
                        )
        return grants

    def _api_integrations(self) -> None:
        for method in self.of_type("AWS::ApiGateway::Method"):
            props = self.props(method)
            api = next(refs(props.get("RestApiId")), None)
            integration = props.get("Integration") or {}
            for target in refs(integration.get("Uri")):
                if self.type_of(target) == "AWS::Lambda::Function":
                    self.connect(api, target, f"invokes ({integration.get('Type', '')})")
            for authorizer in refs(props.get("AuthorizerId")):
                for pool in refs(self.props(authorizer).get("ProviderARNs")):
                    self.connect(pool, api, "authorizer: user pool tokens", "control")
        for route in self.of_type("AWS::ApiGatewayV2::Integration"):
            props = self.props(route)
            api = next(refs(props.get("ApiId")), None)
            for target in refs(props.get("IntegrationUri")):
                self.connect(api, target, "invokes")

    def _target_groups(self) -> None:
        for tg in self.of_type("AWS::ElasticLoadBalancingV2::TargetGroup"):
            props = self.props(tg)
            health = props.get("HealthCheckPath")
            label = f"{props.get('Protocol', '')} {props.get('Port', '')}".strip()
            if health:
                label += f", health check {health}"
            balancers = {
                lb
                for listener in self.of_type("AWS::ElasticLoadBalancingV2::Listener")
                if tg in refs(self.props(listener).get("DefaultActions"))
                for lb in refs(self.props(listener).get("LoadBalancerArn"))
            }
            groups = [
                g
                for g in self.of_type("AWS::AutoScaling::AutoScalingGroup")
                if tg in refs(self.props(g).get("TargetGroupARNs"))
            ]
            instances = [
                t
                for target in props.get("Targets") or []
                for t in refs(target.get("Id"))
                if self.type_of(t) == "AWS::EC2::Instance"
            ]
            for lb in sorted(balancers):
                for group in groups + instances:
                    self.connect(lb, group, f"forwards {label}")
        for lb in self.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
            for attribute in self.props(lb).get("LoadBalancerAttributes") or []:
                if attribute.get("Key") == "access_logs.s3.bucket":
                    for bucket in refs(attribute.get("Value")):
                        self.connect(lb, bucket, "access logs", "control")

    def _messaging(self) -> None:
        """Topic -> queue subscriptions, queue -> DLQ redrive, queue -> function polling, bucket
        -> topic notifications."""
        for sub in self.of_type("AWS::SNS::Subscription"):
            props = self.props(sub)
            topic = next(refs(props.get("TopicArn")), None)
            label = f"delivers ({props.get('Protocol', '')})"
            if props.get("FilterPolicy"):
                scope = str(props.get("FilterPolicyScope") or "MessageAttributes")
                label += f"\nfilter on {'body' if scope == 'MessageBody' else 'attributes'}"
            if props.get("RawMessageDelivery") in (True, "true"):
                label += ", raw"
            for target in refs(props.get("Endpoint")):
                self.connect(topic, target, label)
        for queue in self.of_type("AWS::SQS::Queue"):
            redrive = self.props(queue).get("RedrivePolicy") or {}
            for dlq in refs(redrive.get("deadLetterTargetArn")):
                receives = redrive.get("maxReceiveCount", "?")
                self.connect(queue, dlq, f"after {receives} receives (redrive)", "control")
        for asg in self.of_type("AWS::AutoScaling::AutoScalingGroup"):
            # workers whose launch template names a queue poll it
            template = (self.props(asg).get("LaunchTemplate") or {}).get("LaunchTemplateId")
            for lt in refs(template):
                for queue in sorted(set(refs(self.props(lt)))):
                    if self.type_of(queue) == "AWS::SQS::Queue":
                        self.connect(queue, asg, "polled by the workers (long polling)")
        for mapping in self.of_type("AWS::Lambda::EventSourceMapping"):
            props = self.props(mapping)
            source = next(refs(props.get("EventSourceArn")), None)
            label = f"polled, batches of {props.get('BatchSize', 'default')}"
            if "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []):
                label += "\npartial batch failures"
            for fn in refs(props.get("FunctionName")):
                self.connect(source, fn, label)
        for notification in self.of_type("Custom::S3BucketNotifications"):
            props = self.props(notification)
            bucket = next(refs(props.get("BucketName")), None)
            config = props.get("NotificationConfiguration") or {}
            for kind, key in (
                ("TopicConfigurations", "TopicArn"),
                ("QueueConfigurations", "QueueArn"),
                ("LambdaFunctionConfigurations", "LambdaFunctionArn"),
            ):
                for entry in config.get(kind) or []:
                    events = ", ".join(map(str, entry.get("Events") or []))
                    for target in refs(entry.get(key)):
                        self.connect(bucket, target, f"event notifications\n{events}")

    def _streaming(self) -> None:
        """Stream -> Firehose -> bucket; Glue table -> its data; work group -> its results."""
        for delivery in self.of_type("AWS::KinesisFirehose::DeliveryStream"):
            props = self.props(delivery)
            source = props.get("KinesisStreamSourceConfiguration") or {}
            for stream in refs(source.get("KinesisStreamARN")):
                self.connect(stream, delivery, "reads records")
            s3 = props.get("ExtendedS3DestinationConfiguration") or {}
            buffering = s3.get("BufferingHints") or {}
            label = f"delivers {s3.get('CompressionFormat', 'UNCOMPRESSED')}".rstrip()
            if buffering:
                label += (
                    f"\nbuffer {buffering.get('SizeInMBs', '?')} MB / "
                    f"{buffering.get('IntervalInSeconds', '?')} s"
                )
            for bucket in refs(s3.get("BucketARN")):
                self.connect(delivery, bucket, label)
        for table in self.of_type("AWS::Glue::Table"):
            props = self.props(table)
            for database in refs(props.get("DatabaseName")):
                self.connect(database, table, "holds", "control")
            storage = (props.get("TableInput") or {}).get("StorageDescriptor") or {}
            for bucket in refs(storage.get("Location")):
                self.connect(table, bucket, "location (schema on read)", "control")
        for group in self.of_type("AWS::Athena::WorkGroup"):
            config = self.props(group).get("WorkGroupConfiguration") or {}
            results = (config.get("ResultConfiguration") or {}).get("OutputLocation")
            for bucket in refs(results):
                self.connect(group, bucket, "query results")
            for table in self.of_type("AWS::Glue::Table"):
                self.connect(group, table, "queries", "traffic")

    def _replication(self) -> None:
        """A bucket's replication rules -> the destination, drawn outside this region; and the
        source of a bucket another stack replicates into."""
        for bucket, source in sorted(self.replicated_from.items()):
            elsewhere = self.cluster(
                "region_of_the_source", "Another region (the source's own stack)", None, "region"
            )
            nid = self.extra(
                f"source_{_slug(source)}",
                "aws.storage.SimpleStorageServiceS3Bucket",
                f"source bucket\n{source}",
                elsewhere,
            )
            for dst in self.nodes_of.get(bucket, []):
                self.edge(nid, dst, "replicates new objects into")
        for bucket in self.of_type("AWS::S3::Bucket"):
            config = self.props(bucket).get("ReplicationConfiguration") or {}
            for rule in config.get("Rules") or []:
                destination = (rule.get("Destination") or {}).get("Bucket")
                markers = (rule.get("DeleteMarkerReplication") or {}).get("Status", "Disabled")
                label = f"replicates new objects\ndelete markers: {markers.lower()}"
                targets = [t for t in refs(destination) if t in self.nodes_of]
                if targets:
                    for target in targets:
                        self.connect(bucket, target, label)
                    continue
                name = json.dumps(destination, sort_keys=True)
                readable = "".join(
                    part
                    for part in re.findall(r'"([a-z0-9][a-z0-9.-]+)"', name)
                    if part not in ("Ref", "Fn::Join")
                )
                elsewhere = self.cluster(
                    "region_of_the_replica",
                    "Another region (the replica's own stack)",
                    None,
                    "region",
                )
                nid = self.extra(
                    f"replica_{_slug(readable or name)}",
                    "aws.storage.SimpleStorageServiceS3Bucket",
                    f"replica bucket\n{readable or 'another bucket'}-<account>",
                    elsewhere,
                )
                for src in self.nodes_of.get(bucket, []):
                    self.edge(src, nid, label)

    def _data_access(self) -> None:
        """Lambda -> the data stores its environment names (the IAM policy grants the access)."""
        for fn in self.of_type("AWS::Lambda::Function"):
            if fn not in self.drawn:
                continue
            env = ((self.props(fn).get("Environment") or {}).get("Variables")) or {}
            for target in sorted(set(refs(env))):
                if self.type_of(target) in _DATA_TYPES:
                    self.connect(fn, target, "reads/writes")

    def finish(self) -> Topology:
        for lid, resource in sorted(self.res.items()):
            rtype = resource.get("Type", "")
            if lid in self.drawn or rtype in _FOLDED_INTO_NODES:
                continue
            # what is left of these types: CDK's provider functions, rotation not hosted
            leftover = ("AWS::Lambda::Function", "AWS::SecretsManager::RotationSchedule")
            if (
                rtype in _NOT_DRAWN
                or rtype in leftover
                or rtype.startswith(("AWS::IAM::", "Custom::"))
            ):
                self.topo.not_drawn[rtype] += 1
                continue
            self.node(
                lid, "aws.general.General", f"{rtype}\n{_path_name(resource)}", self.in_region()
            )
        return self.topo


def replication_sources(templates: Mapping[str, dict], regions: Mapping[str, str]) -> dict:
    """``{stack: {bucket logical id: "<source stack> (<region>)"}}``: the buckets of one
    synthesis that another stack's bucket replicates into, matched by the name its rule uses."""
    named = {
        json.dumps((resource.get("Properties") or {}).get("BucketName"), sort_keys=True): (
            stack,
            lid,
        )
        for stack, template in templates.items()
        for lid, resource in (template.get("Resources") or {}).items()
        if resource.get("Type") == "AWS::S3::Bucket"
        and (resource.get("Properties") or {}).get("BucketName") is not None
    }
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for stack, template in templates.items():
        for resource in (template.get("Resources") or {}).values():
            if resource.get("Type") != "AWS::S3::Bucket":
                continue
            config = (resource.get("Properties") or {}).get("ReplicationConfiguration") or {}
            for rule in config.get("Rules") or []:
                arn = (rule.get("Destination") or {}).get("Bucket")
                parts = (arn or {}).get("Fn::Join", [None, []])[1] if isinstance(arn, dict) else []
                if len(parts) == 2 and parts[0] == "arn:aws:s3:::":
                    target = named.get(json.dumps(parts[1], sort_keys=True))
                    if target and target[0] != stack:
                        found[target[0]][target[1]] = f"{stack} ({regions.get(stack, '?')})"
    return dict(found)


def topology(
    template: dict,
    *,
    stack: str,
    region: str,
    replicated_from: Mapping[str, str] | None = None,
) -> Topology:
    """The drawable architecture of one synthesized template (see the module docstring);
    ``replicated_from`` (``replication_sources``) draws where its buckets' copies come from."""
    builder = _Builder(template, stack, region, replicated_from)
    builder.network()
    builder.compute()
    builder.load_balancers()
    builder.databases()
    builder.services()
    builder.security_rules()
    builder.relations()
    builder.routes_edges()
    return builder.finish()


_VERSION = re.compile(r"^(?P<series>.+?)V(?P<number>\d+)$")


def _series(stack: str, templates: dict[str, dict]) -> str | None:
    """``WhatIsTheTime`` for ``WhatIsTheTimeV3`` when a ``WhatIsTheTimeV<n>`` sibling exists."""
    match = _VERSION.match(stack)
    if not match:
        return None
    siblings = [s for s in templates if s != stack and _VERSION.match(s)]
    same = [s for s in siblings if _VERSION.match(s).group("series") == match.group("series")]
    return match.group("series") if same else None


def _series_cluster(
    topo: Topology, templates: dict[str, dict], regions: dict[str, str], stack: str, region: str
) -> str:
    """The cluster a stack's node goes in: its versioned series' box, else its region's."""
    series = _series(stack, templates)
    if series is None:
        return region
    cid = f"{region}_series_{_slug(series)}"
    count = sum(1 for s in templates if _series(s, templates) == series)
    topo.clusters.setdefault(cid, Cluster(cid, f"{series} v1-v{count}", region, "series"))
    return cid


def _stack_series_in_order(topo: Topology, templates: dict[str, dict]) -> None:
    """A series' versions one under the other (v1 on top), not side by side: a row of every
    version would make the picture a strip."""
    by_series: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for stack in templates:
        series = _series(stack, templates)
        if series is not None:
            by_series[series].append((int(_VERSION.match(stack).group("number")), stack))
    for versions in by_series.values():
        ordered = [f"stack_{_slug(stack)}" for _, stack in sorted(versions)]
        for upper, lower in zip(ordered, ordered[1:], strict=False):
            topo.edges.add(Edge(upper, lower, "", "order"))


def composition(templates: dict[str, dict], regions: dict[str, str], *, title: str) -> Topology:
    """The stacks of one synthesis, by region, and what each reads from another's outputs.

    Edges run from the stack that reads (``Fn::GetStackOutput`` or ``Fn::ImportValue`` of an
    export) to the stack that provides, labelled with what the outputs point at.
    """
    topo = Topology(title=title)
    exports = {
        str(out["Export"]["Name"]): (stack, name)
        for stack, template in templates.items()
        for name, out in (template.get("Outputs") or {}).items()
        if isinstance((out.get("Export") or {}).get("Name"), str)
    }
    for stack in sorted(templates):
        region = regions.get(stack, "?")
        cid = f"region_{_slug(region)}"
        topo.clusters.setdefault(cid, Cluster(cid, f"Region {region}", None, "region"))
        types = Counter(r.get("Type") for r in (templates[stack].get("Resources") or {}).values())
        kinds = [
            f"{types[t]} {label}"
            for t, label in (
                ("AWS::EC2::VPC", "VPC"),
                ("AWS::EC2::Subnet", "subnets"),
                ("AWS::EC2::NatGateway", "NAT"),
                ("AWS::ElasticLoadBalancingV2::LoadBalancer", "ALB"),
                ("AWS::AutoScaling::AutoScalingGroup", "ASG"),
                ("AWS::RDS::DBCluster", "Aurora cluster"),
                ("AWS::CloudFront::Distribution", "CloudFront"),
                ("AWS::ApiGateway::RestApi", "REST API"),
            )
            if types[t]
        ]
        label = stack + (f"\n{', '.join(kinds)}" if kinds else "")
        nid = f"stack_{_slug(stack)}"
        parent = _series_cluster(topo, templates, regions, stack, cid)
        topo.nodes[nid] = Node(nid, "aws.management.CloudformationStack", label, parent)
    _stack_series_in_order(topo, templates)
    for stack in sorted(templates):
        reads: dict[str, Counter] = defaultdict(Counter)
        for producer, output in sorted(_imports(templates[stack], exports)):
            value = ((templates.get(producer) or {}).get("Outputs") or {}).get(output, {})
            for lid in set(refs(value.get("Value"))):
                resource = (templates[producer].get("Resources") or {}).get(lid, {})
                reads[producer][_what(resource)] += 1
        for producer, what in sorted(reads.items()):
            parts = [f"{n} {w}s" if n > 1 else w for w, n in sorted(what.items()) if w]
            text = "reads (Fn::GetStackOutput):\n" + "\n".join(parts)
            topo.edges.add(Edge(f"stack_{_slug(stack)}", f"stack_{_slug(producer)}", text))
    global_owner = {
        str(props.get("GlobalClusterIdentifier")): stack
        for stack, template in templates.items()
        for r in (template.get("Resources") or {}).values()
        if r.get("Type") == "AWS::RDS::GlobalCluster"
        for props in [r.get("Properties") or {}]
    }
    for stack, template in sorted(templates.items()):
        for r in (template.get("Resources") or {}).values():
            ident = (r.get("Properties") or {}).get("GlobalClusterIdentifier")
            owner = global_owner.get(ident) if isinstance(ident, str) else None
            if r.get("Type") == "AWS::RDS::DBCluster" and owner and owner != stack:
                topo.edges.add(
                    Edge(
                        f"stack_{_slug(stack)}",
                        f"stack_{_slug(owner)}",
                        f"joins its Aurora global database\n{ident}",
                        "control",
                    )
                )
    return topo


def _imports(template: dict, exports: dict[str, tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(producer stack, output name) of every cross-stack reference in ``template``."""

    def walk(value: Any) -> Iterator[tuple[str, str]]:
        if isinstance(value, dict):
            found = value.get("Fn::GetStackOutput")
            if isinstance(found, dict) and isinstance(found.get("StackName"), str):
                yield found["StackName"], str(found.get("OutputName"))
            imported = value.get("Fn::ImportValue")
            if isinstance(imported, str) and imported in exports:
                yield exports[imported]
            for child in value.values():
                yield from walk(child)
        elif isinstance(value, list):
            for child in value:
                yield from walk(child)

    yield from set(walk(template.get("Resources") or {}))


def _what(resource: dict) -> str:
    rtype = resource.get("Type", "")
    if rtype == "AWS::EC2::Subnet":
        return f"{tag(resource, 'aws-cdk:subnet-name') or ''} subnet".strip()
    if rtype == "AWS::EC2::SecurityGroup":
        return f"security group {_path_name(resource)}"
    return {"AWS::EC2::VPC": "VPC"}.get(rtype, rtype.rsplit("::", 1)[-1])
