"""Small queries over synthesized CloudFormation templates (plain dicts)."""

from __future__ import annotations

import json
import re
from typing import Any

_ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def resources(template: dict, resource_type: str) -> dict[str, dict]:
    """Logical id -> resource, for every resource of ``resource_type``."""
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def props(resource: dict) -> dict:
    return resource.get("Properties", {})


def ref(value: Any) -> str | None:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` points at, else None."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            return value["Fn::GetAtt"][0]
    return None


def cdk_path(resource: dict) -> str:
    return resource.get("Metadata", {}).get("aws:cdk:path", "")


def normalise_asset_hashes(template: dict) -> dict:
    """The template with asset hashes replaced, so snapshots change only with the architecture."""
    return json.loads(_ASSET_HASH.sub("0" * 8 + "-asset-hash", json.dumps(template)))


# A stack lease's end (stacks/leases.py) as it appears in the schedule (at(2026-12-02T21:31:00)),
# its description (2026-12-02 21:31 UTC) and the output (2026-12-02T21:31:00Z).
_LEASE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?Z?")


def normalise_for_snapshot(template: dict) -> dict:
    """Asset hashes and stack-lease times replaced: a snapshot changes with the architecture,
    not with a library upgrade or the hour it was synthesized."""
    text = json.dumps(normalise_asset_hashes(template))
    return json.loads(_LEASE_TIME.sub("<lease end>", text))


def under(template: dict, path_prefix: str) -> dict:
    """The template restricted to resources whose construct path starts with ``path_prefix``."""
    return {
        **template,
        "Resources": {
            logical_id: resource
            for logical_id, resource in template["Resources"].items()
            if cdk_path(resource).startswith(path_prefix)
        },
    }


def ingress_rules(template: dict, group_id: str) -> list[dict]:
    """Every ingress rule of a security group: inline ones and AWS::EC2::SecurityGroupIngress."""
    inline = props(template["Resources"][group_id]).get("SecurityGroupIngress", [])
    separate = [
        props(rule)
        for rule in resources(template, "AWS::EC2::SecurityGroupIngress").values()
        if ref(props(rule)["GroupId"]) == group_id
    ]
    return inline + separate


def nag_failures(report: dict, stacks: set[str] | None = None) -> list[str]:
    """``rule at construct path`` for every cdk-nag violation in a validation report (of the
    given stacks only, when named)."""
    return [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in report.get("pluginReports", [])
        if plugin["conclusion"] != "success"
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
        if stacks is None or construct["constructPath"].split("/")[0] in stacks
    ]


def one(template: dict, resource_type: str) -> tuple[str, dict]:
    """The one resource of ``resource_type`` in ``template`` (logical id, resource)."""
    (found,) = resources(template, resource_type).items()
    return found


def api_methods(template: dict) -> dict[tuple[str, str], dict]:
    """(resource path, HTTP method) -> the properties of each API Gateway method."""
    paths = {
        logical_id: props(resource)["PathPart"]
        for logical_id, resource in resources(template, "AWS::ApiGateway::Resource").items()
    }

    def full_path(resource_id: str) -> str:
        parent = ref(props(template["Resources"][resource_id])["ParentId"])
        prefix = full_path(parent) if parent in paths else ""
        return f"{prefix}/{paths[resource_id]}"

    return {
        (full_path(ref(props(m)["ResourceId"])), props(m)["HttpMethod"]): props(m)
        for m in resources(template, "AWS::ApiGateway::Method").values()
    }


LISTENER = "AWS::ElasticLoadBalancingV2::Listener"


def listeners_by_port(template: dict) -> dict[int, dict]:
    """Port -> properties of each listener, all of the template's one load balancer."""
    balancer, _ = one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    found = {}
    for listener in resources(template, LISTENER).values():
        assert ref(props(listener)["LoadBalancerArn"]) == balancer
        found[props(listener)["Port"]] = props(listener)
    return found


def forwarded_to(listener: dict) -> str:
    """The target group a listener's one default action forwards to."""
    (action,) = listener["DefaultActions"]
    assert action["Type"] == "forward", action
    return ref(action["TargetGroupArn"])


def assert_https_only_behind_the_certificate_parameter(https: dict, plain: dict) -> None:
    """``https`` (a production template) asks for its certificate as a parameter, serves HTTPS
    on 443 with it and a TLS 1.3 policy, forwards to its one target group and redirects 80 to
    443, and tells an https:// URL; ``plain`` (the sandbox's) serves HTTP alone, no parameter."""
    parameter = https["Parameters"]["CertificateArn"]
    assert parameter["Type"] == "String" and parameter["AllowedPattern"].startswith("arn:aws")
    listeners = listeners_by_port(https)
    assert sorted(listeners) == [80, 443]
    secure = listeners[443]
    target_group, _ = one(https, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert secure["Protocol"] == "HTTPS"
    assert secure["Certificates"] == [{"CertificateArn": {"Ref": "CertificateArn"}}]
    assert secure["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    assert forwarded_to(secure) == target_group
    (redirect,) = listeners[80]["DefaultActions"]
    assert redirect == {
        "RedirectConfig": {"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"},
        "Type": "redirect",
    }
    assert https["Outputs"]["Url"]["Value"]["Fn::Join"][1][0] == "https://"
    assert "CertificateArn" not in plain.get("Parameters", {})
    (only,) = listeners_by_port(plain).values()
    assert only["Protocol"] == "HTTP"
    assert forwarded_to(only) == one(plain, "AWS::ElasticLoadBalancingV2::TargetGroup")[0]
