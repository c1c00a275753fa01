"""Template mutation score: do the fact tests catch a wrong template?

``python -m tools.mutation`` (``make mutation``) synthesizes both profiles once, then makes
targeted mutants of each stack's template, one change each, the kind of mistake a fact test
exists to catch:

- ``cidr-widen``: a VPC's or subnet's CIDR one bit wider, a security-group rule from a CIDR
  opened to 0.0.0.0/0;
- ``source-group-dropped``: a rule from a security group opened to 0.0.0.0/0 instead;
- ``port``: a rule's port range, a listener's, a target group's or a cluster's port moved by one;
- ``route-target``: a default route sent to another NAT gateway, or to the internet gateway;
- ``endpoint-route-tables``: a gateway endpoint losing one of its route tables;
- ``property-dropped``: a protective property removed (encryption, public access block, PITR,
  versioning, IMDSv2, TLS-only viewer policy, a queue's redrive, long polling or encryption, a
  subscription's filter, partial batch responses, a bucket's lifecycle, logging, replication or
  lock, a delivery stream's prefixes and error logging, a work group's enforced settings, ...);
- ``flag-flipped``: a flag that is a fact either way flipped (public IPs on launch, public access
  to a database, deletion protection, storage encryption, key rotation, DNS support, FIFO,
  content-based deduplication, raw message delivery);
- ``principal``: an Allow statement's principal widened to everyone;
- ``action``: an Allow statement's actions widened to ``*``;
- ``image``: an instance's or launch template's image parameter swapped for another one;
- ``subnet-tier``: a resource moved into the subnets of another tier;
- ``retargeted``: a reference moved to a sibling of the same type (a redrive to another queue, a
  subscription to another queue or topic, an event source, a log or delivery bucket, a stream,
  a work group's results, a table's location).

For each mutant of a profile's stack it runs that architecture's fact tests
(``tests/<arch>/test_*_facts.py``) and the collection's (``tests/test_collection_facts.py``), not
the snapshots, in process, with the session fixtures answering from the mutated templates
(``tools.synthesis.PRELOADED``); tests that synthesize variants of their own are left out, since
no mutant reaches them. The option templates (construct options no profile uses,
``tests/<arch>/options.py``) are mutated too, each mutant run against that architecture's option
tests (``tests/<arch>/test_*_options.py``), its fact tests and the collection's (which hold on
every option template as well), with ``TEMPLATES`` answering from it. A failing run
kills the mutant. It prints ``mutation score: K/N killed (P %)`` for the profiles' templates,
for the option templates and for both, the survivors, and its time; ``--json`` writes the same;
``--no-options`` mutates the profiles' templates only. It is not part of ``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tools.topology import refs, tag

ROOT = Path(__file__).resolve().parents[1]
Template = dict[str, Any]
Operator = Callable[[Template], Iterator[tuple[str, Template]]]


@dataclass(frozen=True)
class Mutant:
    operator: str
    profile: str
    stack: str
    what: str

    @property
    def id(self) -> str:
        return f"{self.profile}/{self.stack}/{self.operator}: {self.what}"


@dataclass
class Outcome:
    mutant: Mutant
    killed: bool
    by: str = ""  # the first test that failed


# -- operators ----------------------------------------------------------------------------------
def _resources(template: Template, *types: str) -> Iterator[tuple[str, dict]]:
    for lid, resource in sorted((template.get("Resources") or {}).items()):
        if resource.get("Type") in types:
            yield lid, resource


def _mutate(template: Template, change: Callable[[Template], None]) -> Template:
    mutant = copy.deepcopy(template)
    change(mutant)
    return mutant


def _rules(template: Template) -> Iterator[tuple[str, str, int | None]]:
    """(logical id, kind, index of an inline rule or None) of every ingress rule."""
    for lid, resource in _resources(template, "AWS::EC2::SecurityGroup"):
        for i, _rule in enumerate(
            (resource.get("Properties") or {}).get("SecurityGroupIngress") or []
        ):
            yield lid, "inline", i
    for lid, _resource in _resources(template, "AWS::EC2::SecurityGroupIngress"):
        yield lid, "standalone", None


def _rule_of(template: Template, lid: str, index: int | None) -> dict:
    props = template["Resources"][lid].setdefault("Properties", {})
    return props if index is None else props["SecurityGroupIngress"][index]


def _wider(cidr: str) -> str:
    """``10.0.1.0/24`` -> ``10.0.0.0/23``: one bit shorter, the network it then falls in."""
    import ipaddress

    network = ipaddress.ip_network(cidr)
    return str(network.supernet())


def cidr_widen(template: Template) -> Iterator[tuple[str, Template]]:
    for lid, resource in _resources(template, "AWS::EC2::VPC", "AWS::EC2::Subnet"):
        cidr = (resource.get("Properties") or {}).get("CidrBlock")
        if isinstance(cidr, str):
            yield (
                f"{lid} {cidr} -> {_wider(cidr)}",
                _mutate(
                    template,
                    lambda t, lid=lid, c=cidr: t["Resources"][lid]["Properties"].update(
                        CidrBlock=_wider(c)
                    ),
                ),
            )
    for lid, _kind, index in _rules(template):
        rule = _rule_of(template, lid, index)
        if isinstance(rule.get("CidrIp"), str) and rule["CidrIp"] != "0.0.0.0/0":
            yield (
                f"{lid}[{index}] {rule['CidrIp']} -> 0.0.0.0/0",
                _mutate(
                    template,
                    lambda t, lid=lid, i=index: _rule_of(t, lid, i).update(CidrIp="0.0.0.0/0"),
                ),
            )


def source_group_dropped(template: Template) -> Iterator[tuple[str, Template]]:
    def change(t: Template, lid: str, index: int | None) -> None:
        rule = _rule_of(t, lid, index)
        rule.pop("SourceSecurityGroupId", None)
        rule["CidrIp"] = "0.0.0.0/0"

    for lid, _kind, index in _rules(template):
        if "SourceSecurityGroupId" in _rule_of(template, lid, index):
            yield (
                f"{lid} from its source group -> from 0.0.0.0/0",
                _mutate(template, lambda t, lid=lid, i=index: change(t, lid, i)),
            )


def port(template: Template) -> Iterator[tuple[str, Template]]:
    def shift(t: Template, lid: str, index: int | None, keys: tuple[str, ...]) -> None:
        target = _rule_of(t, lid, index)
        for key in keys:
            if isinstance(target.get(key), int):
                target[key] += 1

    for lid, _kind, index in _rules(template):
        rule = _rule_of(template, lid, index)
        if isinstance(rule.get("FromPort"), int) and rule.get("IpProtocol") != "-1":
            yield (
                f"{lid}[{index}] port {rule['FromPort']} + 1",
                _mutate(
                    template, lambda t, lid=lid, i=index: shift(t, lid, i, ("FromPort", "ToPort"))
                ),
            )
    for types, key in (
        (("AWS::ElasticLoadBalancingV2::Listener",), "Port"),
        (("AWS::ElasticLoadBalancingV2::TargetGroup",), "Port"),
        (("AWS::RDS::DBCluster",), "Port"),
    ):
        for lid, resource in _resources(template, *types):
            if isinstance((resource.get("Properties") or {}).get(key), int):
                yield (
                    f"{lid} {key} + 1",
                    _mutate(template, lambda t, lid=lid, key=key: shift(t, lid, None, (key,))),
                )


def route_target(template: Template) -> Iterator[tuple[str, Template]]:
    nats = [lid for lid, _ in _resources(template, "AWS::EC2::NatGateway")]
    gateways = [lid for lid, _ in _resources(template, "AWS::EC2::InternetGateway")]
    for lid, resource in _resources(template, "AWS::EC2::Route"):
        props = resource.get("Properties") or {}
        nat = next(refs(props.get("NatGatewayId")), None)
        if nat:
            others = [n for n in nats if n != nat]
            if others:
                yield (
                    f"{lid} -> NAT {others[0]} (another AZ's)",
                    _mutate(
                        template,
                        lambda t, lid=lid, o=others[0]: t["Resources"][lid]["Properties"].update(
                            NatGatewayId={"Ref": o}
                        ),
                    ),
                )
            if gateways:

                def to_igw(t: Template, lid: str = lid) -> None:
                    p = t["Resources"][lid]["Properties"]
                    p.pop("NatGatewayId")
                    p["GatewayId"] = {"Ref": gateways[0]}

                yield f"{lid} -> the internet gateway", _mutate(template, to_igw)
        elif next(refs(props.get("GatewayId")), None) in gateways and nats:

            def to_nat(t: Template, lid: str = lid) -> None:
                p = t["Resources"][lid]["Properties"]
                p.pop("GatewayId")
                p["NatGatewayId"] = {"Ref": nats[0]}

            yield f"{lid} (internet gateway) -> a NAT gateway", _mutate(template, to_nat)


def endpoint_route_tables(template: Template) -> Iterator[tuple[str, Template]]:
    for lid, resource in _resources(template, "AWS::EC2::VPCEndpoint"):
        tables = (resource.get("Properties") or {}).get("RouteTableIds")
        if isinstance(tables, list) and tables:
            yield (
                f"{lid} without route table {tables[-1]}",
                _mutate(
                    template,
                    lambda t, lid=lid: t["Resources"][lid]["Properties"]["RouteTableIds"].pop(),
                ),
            )


# (type, property path): the protective properties a fact test should notice missing
_PROTECTIVE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AWS::S3::Bucket", ("BucketEncryption",)),
    ("AWS::S3::Bucket", ("PublicAccessBlockConfiguration",)),
    ("AWS::S3::Bucket", ("VersioningConfiguration",)),
    ("AWS::DynamoDB::Table", ("PointInTimeRecoverySpecification",)),
    ("AWS::DynamoDB::Table", ("SSESpecification",)),
    ("AWS::RDS::DBCluster", ("BackupRetentionPeriod",)),
    ("AWS::RDS::DBCluster", ("KmsKeyId",)),
    ("AWS::RDS::DBCluster", ("EnableIAMDatabaseAuthentication",)),
    ("AWS::EC2::LaunchTemplate", ("LaunchTemplateData", "MetadataOptions")),
    ("AWS::EC2::LaunchTemplate", ("LaunchTemplateData", "BlockDeviceMappings")),
    ("AWS::EC2::Instance", ("BlockDeviceMappings",)),
    (
        "AWS::CloudFront::Distribution",
        ("DistributionConfig", "DefaultCacheBehavior", "ViewerProtocolPolicy"),
    ),
    ("AWS::CloudFront::Distribution", ("DistributionConfig", "ViewerCertificate")),
    ("AWS::CloudFront::Distribution", ("DistributionConfig", "Logging")),
    ("AWS::ApiGateway::Method", ("AuthorizationType",)),
    ("AWS::ApiGateway::Method", ("RequestValidatorId",)),
    ("AWS::ApiGateway::Stage", ("MethodSettings",)),
    ("AWS::Lambda::Function", ("TracingConfig",)),
    ("AWS::Logs::LogGroup", ("RetentionInDays",)),
    ("AWS::SecretsManager::RotationSchedule", ("RotationRules",)),
    ("AWS::AutoScaling::AutoScalingGroup", ("HealthCheckType",)),
    ("AWS::ElasticLoadBalancingV2::Listener", ("SslPolicy",)),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", ("HealthCheckPath",)),
    ("AWS::EC2::FlowLog", ("TrafficType",)),
    # the decoupling and data architectures (issue #15)
    ("AWS::SQS::Queue", ("RedrivePolicy",)),
    ("AWS::SQS::Queue", ("SqsManagedSseEnabled",)),
    ("AWS::SQS::Queue", ("ReceiveMessageWaitTimeSeconds",)),
    ("AWS::SNS::Topic", ("KmsMasterKeyId",)),
    ("AWS::SNS::Subscription", ("FilterPolicy",)),
    ("AWS::SNS::Subscription", ("RedrivePolicy",)),
    ("AWS::Lambda::EventSourceMapping", ("FunctionResponseTypes",)),
    ("AWS::S3::Bucket", ("LifecycleConfiguration",)),
    ("AWS::S3::Bucket", ("LoggingConfiguration",)),
    ("AWS::S3::Bucket", ("ReplicationConfiguration",)),
    ("AWS::S3::Bucket", ("ObjectLockConfiguration",)),
    ("AWS::Kinesis::Stream", ("StreamEncryption",)),
    ("AWS::KinesisFirehose::DeliveryStream", ("ExtendedS3DestinationConfiguration", "Prefix")),
    (
        "AWS::KinesisFirehose::DeliveryStream",
        ("ExtendedS3DestinationConfiguration", "ErrorOutputPrefix"),
    ),
    (
        "AWS::KinesisFirehose::DeliveryStream",
        ("ExtendedS3DestinationConfiguration", "CloudWatchLoggingOptions"),
    ),
    ("AWS::Athena::WorkGroup", ("WorkGroupConfiguration", "EnforceWorkGroupConfiguration")),
    ("AWS::Athena::WorkGroup", ("WorkGroupConfiguration", "BytesScannedCutoffPerQuery")),
    ("AWS::Glue::Table", ("TableInput", "PartitionKeys")),
)


def property_dropped(template: Template) -> Iterator[tuple[str, Template]]:
    def drop(t: Template, lid: str, path: tuple[str, ...]) -> None:
        node = t["Resources"][lid]["Properties"]
        for key in path[:-1]:
            node = node[key]
        node.pop(path[-1])

    for rtype, path in _PROTECTIVE:
        for lid, resource in _resources(template, rtype):
            node: Any = resource.get("Properties") or {}
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            # dropping a false flag changes nothing (false is each flag's default): no mutant
            if node is not None and node is not False:
                yield (
                    f"{lid} without {'.'.join(path)}",
                    _mutate(template, lambda t, lid=lid, path=path: drop(t, lid, path)),
                )


# Flags whose value is a fact either way: flipped, not dropped.
_FLAGS: tuple[tuple[str, str], ...] = (
    ("AWS::EC2::Subnet", "MapPublicIpOnLaunch"),
    ("AWS::RDS::DBInstance", "PubliclyAccessible"),
    ("AWS::RDS::DBCluster", "DeletionProtection"),
    ("AWS::RDS::DBCluster", "StorageEncrypted"),
    ("AWS::KMS::Key", "EnableKeyRotation"),
    ("AWS::EC2::VPC", "EnableDnsHostnames"),
    ("AWS::EC2::VPC", "EnableDnsSupport"),
    ("AWS::SQS::Queue", "FifoQueue"),
    ("AWS::SQS::Queue", "ContentBasedDeduplication"),
    ("AWS::SNS::Subscription", "RawMessageDelivery"),
)


def flag_flipped(template: Template) -> Iterator[tuple[str, Template]]:
    def flip(t: Template, lid: str, key: str) -> None:
        props = t["Resources"][lid]["Properties"]
        props[key] = not props[key]

    for rtype, key in _FLAGS:
        for lid, resource in _resources(template, rtype):
            value = (resource.get("Properties") or {}).get(key)
            if isinstance(value, bool):
                yield (
                    f"{lid} {key} {value} -> {not value}",
                    _mutate(template, lambda t, lid=lid, key=key: flip(t, lid, key)),
                )


_POLICIES = {
    "AWS::IAM::Policy": "PolicyDocument",
    "AWS::IAM::Role": "AssumeRolePolicyDocument",
    "AWS::S3::BucketPolicy": "PolicyDocument",
    "AWS::KMS::Key": "KeyPolicy",
    "AWS::SecretsManager::ResourcePolicy": "ResourcePolicy",
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
}


def _allow_statements(template: Template) -> Iterator[tuple[str, str, int, dict]]:
    for lid, resource in _resources(template, *_POLICIES):
        key = _POLICIES[resource["Type"]]
        statements = ((resource.get("Properties") or {}).get(key) or {}).get("Statement") or []
        for i, statement in enumerate(statements):
            if isinstance(statement, dict) and statement.get("Effect") == "Allow":
                yield lid, key, i, statement


def principal(template: Template) -> Iterator[tuple[str, Template]]:
    for lid, key, i, statement in _allow_statements(template):
        if "Principal" in statement and statement["Principal"] != {"AWS": "*"}:
            yield (
                f"{lid} statement {i} principal -> everyone",
                _mutate(
                    template,
                    lambda t, lid=lid, key=key, i=i: t["Resources"][lid]["Properties"][key][
                        "Statement"
                    ][i].update(Principal={"AWS": "*"}),
                ),
            )


def action(template: Template) -> Iterator[tuple[str, Template]]:
    for lid, key, i, statement in _allow_statements(template):
        if statement.get("Action") not in ("*", ["*"]) and "Action" in statement:
            yield (
                f"{lid} statement {i} actions -> *",
                _mutate(
                    template,
                    lambda t, lid=lid, key=key, i=i: t["Resources"][lid]["Properties"][key][
                        "Statement"
                    ][i].update(Action="*"),
                ),
            )


def image(template: Template) -> Iterator[tuple[str, Template]]:
    other = "AmazonLinux2ImageId"  # an image parameter that is not Amazon Linux 2023's

    def swap(t: Template, lid: str) -> None:
        props = t["Resources"][lid]["Properties"]
        props = props.get("LaunchTemplateData", props)
        props["ImageId"] = {"Ref": other}
        t.setdefault("Parameters", {})[other] = {
            "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
            "Default": "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
        }

    for lid, resource in _resources(template, "AWS::EC2::Instance", "AWS::EC2::LaunchTemplate"):
        props = resource.get("Properties") or {}
        current = next(refs(props.get("LaunchTemplateData", props).get("ImageId")), None)
        if current is not None:
            yield (
                f"{lid} image {current} -> Amazon Linux 2",
                _mutate(template, lambda t, lid=lid: swap(t, lid)),
            )


def subnet_tier(template: Template) -> Iterator[tuple[str, Template]]:
    tiers: dict[str, list[str]] = {}
    for lid, resource in _resources(template, "AWS::EC2::Subnet"):
        name = tag(resource, "aws-cdk:subnet-name")
        if name:
            tiers.setdefault(name, []).append(lid)
    tier_of = {s: name for name, subnets in tiers.items() for s in subnets}
    keys = ("SubnetId", "Subnets", "VPCZoneIdentifier", "SubnetIds")
    for lid, resource in sorted((template.get("Resources") or {}).items()):
        props = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::EC2::Subnet" or resource.get("Type", "").startswith(
            "AWS::EC2::SubnetRouteTable"
        ):
            continue
        for key in keys:
            used = [s for s in refs(props.get(key)) if s in tier_of]
            if not used:
                continue
            tier = tier_of[used[0]]
            other = next((n for n in sorted(tiers) if n != tier), None)
            if other is None:
                continue
            replacement = [{"Ref": s} for s in tiers[other]]

            def move(t: Template, lid: str = lid, key: str = key, new: list = replacement) -> None:
                p = t["Resources"][lid]["Properties"]
                p[key] = new[0] if isinstance(p[key], dict) else list(new)

            yield f"{lid}.{key} {tier} -> {other} subnets", _mutate(template, move)


# (type, property path): a reference to another resource that a fact test should notice pointing
# at a sibling of the same type instead (the wrong dead-letter queue, subscriber, log bucket...).
_RELATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AWS::SQS::Queue", ("RedrivePolicy", "deadLetterTargetArn")),
    ("AWS::SNS::Subscription", ("Endpoint",)),
    ("AWS::SNS::Subscription", ("TopicArn",)),
    ("AWS::Lambda::EventSourceMapping", ("EventSourceArn",)),
    ("AWS::S3::Bucket", ("LoggingConfiguration", "DestinationBucketName")),
    ("AWS::SQS::QueuePolicy", ("Queues",)),
    ("AWS::KinesisFirehose::DeliveryStream", ("ExtendedS3DestinationConfiguration", "BucketARN")),
    ("AWS::KinesisFirehose::DeliveryStream", ("ExtendedS3DestinationConfiguration", "RoleARN")),
    (
        "AWS::KinesisFirehose::DeliveryStream",
        ("KinesisStreamSourceConfiguration", "KinesisStreamARN"),
    ),
    ("AWS::Athena::WorkGroup", ("WorkGroupConfiguration", "ResultConfiguration")),
    ("AWS::Glue::Table", ("TableInput", "StorageDescriptor", "Location")),
)


def _swap_refs(value: Any, old: str, new: str) -> Any:
    """``value`` with every Ref / Fn::GetAtt of ``old`` made one of ``new``."""
    if isinstance(value, dict):
        if value.get("Ref") == old:
            return {**value, "Ref": new}
        att = value.get("Fn::GetAtt")
        if isinstance(att, list) and att and att[0] == old:
            return {**value, "Fn::GetAtt": [new, *att[1:]]}
        return {k: _swap_refs(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap_refs(v, old, new) for v in value]
    return value


def retargeted(template: Template) -> Iterator[tuple[str, Template]]:
    """A reference moved to another resource of the type it points at."""
    resources = template.get("Resources") or {}
    for rtype, path in _RELATIONS:
        for lid, resource in _resources(template, rtype):
            node: Any = resource.get("Properties") or {}
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            targets = sorted({t for t in _referenced(node) if t in resources and t != lid})
            for target in targets:
                kind = resources[target].get("Type")
                sibling = next(
                    (
                        other
                        for other, r in sorted(resources.items())
                        if r.get("Type") == kind and other not in (target, lid)
                    ),
                    None,
                )
                if sibling is None:
                    continue

                def move(t: Template, lid=lid, path=path, old=target, new=sibling) -> None:
                    node = t["Resources"][lid]["Properties"]
                    for key in path[:-1]:
                        node = node[key]
                    node[path[-1]] = _swap_refs(node[path[-1]], old, new)

                yield f"{lid}.{'.'.join(path)} {target} -> {sibling}", _mutate(template, move)


def _referenced(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("Ref"), str):
            yield value["Ref"]
        att = value.get("Fn::GetAtt")
        if isinstance(att, list) and att:
            yield att[0]
        for child in value.values():
            yield from _referenced(child)
    elif isinstance(value, list):
        for child in value:
            yield from _referenced(child)


OPERATORS: dict[str, Operator] = {
    "cidr-widen": cidr_widen,
    "source-group-dropped": source_group_dropped,
    "port": port,
    "route-target": route_target,
    "endpoint-route-tables": endpoint_route_tables,
    "property-dropped": property_dropped,
    "flag-flipped": flag_flipped,
    "principal": principal,
    "action": action,
    "image": image,
    "subnet-tier": subnet_tier,
    "retargeted": retargeted,
}


def mutants(profile: str, stack: str, template: Template) -> Iterator[tuple[Mutant, Template]]:
    for name, operator in OPERATORS.items():
        for what, mutated in operator(template):
            yield Mutant(name, profile, stack, what), mutated


# -- running the fact tests against a mutant ----------------------------------------------------
_SESSION_FIXTURES = {"synthesized", "sandbox", "production"}


class _OnlySessionTemplates:
    """pytest plugin: keep the tests that read the session's templates (every test, with
    ``every``), note the first failure."""

    def __init__(self, every: bool = False) -> None:
        self.failed: list[str] = []
        self.selected = 0
        self.every = every

    def pytest_collection_modifyitems(self, config, items) -> None:
        keep = [
            i
            for i in items
            if self.every or _SESSION_FIXTURES & set(getattr(i, "fixturenames", ()))
        ]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
        self.selected = len(keep)

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed and not self.failed:
            self.failed.append(report.nodeid)


def fact_tests(arch: str) -> list[str]:
    """The architecture's fact tests and the facts every stack of the collection holds."""
    folder = ROOT / "tests" / arch.replace("-", "_")
    found = sorted(folder.glob("test_*facts*.py")) + [ROOT / "tests" / "test_collection_facts.py"]
    return [str(p) for p in found]


def option_tests(folder: str) -> list[str]:
    """The tests of one architecture's option templates."""
    return [str(p) for p in sorted((ROOT / "tests" / folder).glob("test_*options*.py"))]


def run_facts(files: list[str], every: bool = False) -> tuple[int, _OnlySessionTemplates]:
    import pytest

    plugin = _OnlySessionTemplates(every)
    args = [*files, "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--no-header"]
    args += ["-W", "ignore", "--tb=no", "-o", "addopts="]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = pytest.main(args, plugins=[plugin])
    return int(code), plugin


OPTIONS = "options"  # a Mutant's profile when it mutates an option template


def _mutate_options(arch: str | None, operator: str | None) -> list[Outcome] | None:
    """Mutants of every option template, each run against its architecture's option and fact
    tests and the collection's, with ``TEMPLATES`` answering from the mutant
    (``tests.option_templates._SYNTHESES``)."""
    from tests import option_templates

    outcomes: list[Outcome] = []
    for folder, module in option_templates.modules().items():
        if arch and folder != arch.replace("-", "_"):
            continue
        files = option_tests(folder) + fact_tests(folder.replace("_", "-"))
        real = option_templates.synthesis_of(module.STACKS)
        key = id(module.STACKS)
        try:
            code, plugin = run_facts(files, every=True)
            if code != 0:
                print(
                    f"error: the option tests of {folder} fail on the real templates "
                    f"({plugin.failed or code}): fix them first",
                    file=sys.stderr,
                )
                return None
            print(f"{folder} options: {plugin.selected} tests on {len(real[1])} option templates")
            for name, (template, region) in sorted(real[1].items()):
                for mutant, mutated in mutants(OPTIONS, name, template):
                    if operator and mutant.operator != operator:
                        continue
                    option_templates._SYNTHESES[key] = (
                        real[0],
                        {**real[1], name: (mutated, region)},
                    )
                    code, plugin = run_facts(files, every=True)
                    outcomes.append(Outcome(mutant, code != 0, ", ".join(plugin.failed)))
        finally:
            option_templates._SYNTHESES[key] = real
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.mutation", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--arch", help="only this architecture's stacks (a docs page name)")
    parser.add_argument("--operator", choices=sorted(OPERATORS), help="only this operator")
    parser.add_argument("--json", type=Path, help="also write the outcomes there")
    parser.add_argument(
        "--no-options", action="store_true", help="leave the option templates unmutated"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    os.environ.setdefault("CDK_VALIDATION", "false")  # changes no template, as in the tests
    from stacks.catalog import architecture_of
    from tools.synthesis import PRELOADED, PROFILES, ProfileSyntheses, Synthesis, synthesize

    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        real = {p: synthesize(p, Path(tmp) / p) for p in PROFILES}
        synthesized_s = time.monotonic() - started

        def preload(profile: str | None = None, stack: str = "", template: Template | None = None):
            for p, synthesis in real.items():
                templates = dict(synthesis.templates)
                if p == profile:
                    templates[stack] = template
                PRELOADED[p] = ProfileSyntheses.of(
                    Synthesis(
                        p,
                        synthesis.outdir,
                        templates,
                        synthesis.validation_report,
                        synthesis.lease_clock,
                    )
                )

        try:
            archs = sorted({architecture_of(s) for s in real[PROFILES[0]].templates})
            if args.arch:
                archs = [a for a in archs if a == args.arch]
            for arch in archs:
                files = fact_tests(arch)
                preload()
                code, plugin = run_facts(files)
                if code != 0:
                    print(
                        f"error: the fact tests of {arch} fail on the real templates "
                        f"({plugin.failed or code}): fix them first",
                        file=sys.stderr,
                    )
                    return 2
                print(f"{arch}: {plugin.selected} fact tests on the session templates")
                for profile in PROFILES:
                    for stack, template in sorted(real[profile].templates.items()):
                        if architecture_of(stack) != arch:
                            continue
                        for mutant, mutated in mutants(profile, stack, template):
                            if args.operator and mutant.operator != args.operator:
                                continue
                            preload(profile, stack, mutated)
                            code, plugin = run_facts(files)
                            outcomes.append(Outcome(mutant, code != 0, ", ".join(plugin.failed)))
            if not args.no_options:
                preload()
                option_outcomes = _mutate_options(args.arch, args.operator)
                if option_outcomes is None:
                    return 2
                outcomes += option_outcomes
        finally:
            PRELOADED.clear()
    killed = sum(o.killed for o in outcomes)
    survivors = [o for o in outcomes if not o.killed]
    total = len(outcomes)
    print()
    for outcome in survivors:
        print(f"  survived  {outcome.mutant.id}")
    percent = 100 * killed / total if total else 0.0
    print()
    for label, group in (
        ("profiles' templates", [o for o in outcomes if o.mutant.profile != OPTIONS]),
        ("option templates", [o for o in outcomes if o.mutant.profile == OPTIONS]),
    ):
        share = 100 * sum(o.killed for o in group) / len(group) if group else 0.0
        print(f"  {label:22} {sum(o.killed for o in group)}/{len(group)} killed ({share:.1f} %)")
    by_operator: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_operator.setdefault(outcome.mutant.operator, []).append(outcome)
    for name, group in sorted(by_operator.items()):
        print(f"  {name:22} {sum(o.killed for o in group)}/{len(group)} killed")
    seconds = time.monotonic() - started
    print(f"mutation score: {killed}/{total} killed ({percent:.1f} %)")
    options = "" if args.no_options else "; each options module once more"
    print(
        f"  time: {seconds:.0f} s ({synthesized_s:.0f} s synthesis of both profiles, once{options})"
    )
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
