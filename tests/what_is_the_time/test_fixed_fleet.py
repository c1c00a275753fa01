"""What the fixed fleet is for (WhatIsTheTime.com v1-v5, notes 004:2338-2372), asserted as
relations on templates synthesized here: Elastic IPs each on their own instance, instances spread
round-robin over the AZs, private instances that admit the ALB's security group alone, the ALB's
health check on the path the instances answer, and the secure defaults of every instance."""

from __future__ import annotations

import http.server
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from aws_cdk import App, Environment, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk.assertions import Template

from constructs_lib.fixed_fleet import FixedFleet, time_page_user_data
from tests.conftest import PINNED_ENV
from tests.template_queries import ingress_rules, props, ref, resources

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
CONTEXT = {f"availability-zones:account={PINNED_ENV.account}:region={PINNED_ENV.region}": ZONES}
APP_PORT = 8080
HEALTH = "/healthz"
SSM_ACTIONS = {"ssmmessages:*", "ssm:UpdateInstanceInformation", "ec2messages:*"}
INSTANCE = "AWS::EC2::Instance"
GROUP = "AWS::EC2::SecurityGroup"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a1b-8c2d-3e4f5a6b7c8d"
OFFICE = "198.51.100.0/24"


def _vpc(stack: Stack, *, private: bool) -> ec2.Vpc:
    tiers = [ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)]
    if private:
        tiers.append(
            ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        )
    return ec2.Vpc(
        stack, "Vpc", max_azs=3, nat_gateways=1 if private else 0, subnet_configuration=tiers
    )


def _build(app: App, name: str, private: bool, env: Environment | None = PINNED_ENV, **kw):
    stack = Stack(app, name, env=env)
    fleet = FixedFleet(stack, "Fleet", vpc=_vpc(stack, private=private), **kw)
    return stack, fleet


@pytest.fixture(scope="module")
def built() -> dict[str, tuple[Stack, FixedFleet, dict]]:
    """Each case synthesized once: name -> (stack, fleet, template)."""
    app = App(context=CONTEXT)
    cases = {
        # v3: four public instances over three AZs, an Elastic IP each.
        "eip": _build(
            app, "Eip", False, count=4, elastic_ips=True, removal_policy=RemovalPolicy.DESTROY
        ),
        # v4: the defaults: one public instance with its own address.
        "default": _build(app, "Default", False),
        # v5: private instances behind the ALB on their own port and health path.
        "alb": _build(
            app,
            "Alb",
            True,
            count=3,
            public=False,
            load_balancer=True,
            app_port=APP_PORT,
            health_check_path=HEALTH,
        ),
        # Production-like: x86, monitored every minute, protected from termination.
        "protected": _build(
            app,
            "Protected",
            False,
            count=2,
            instance_type="t3.small",
            detailed_monitoring=True,
            termination_protection=True,
        ),
        # v5 over HTTPS, from one range only, with a policy of its own.
        "https": _build(
            app,
            "Https",
            True,
            count=2,
            public=False,
            load_balancer=True,
            app_port=APP_PORT,
            ingress_cidr=OFFICE,
            certificate_arn=CERTIFICATE,
            ssl_policy=elbv2.SslPolicy.TLS13_RES,
        ),
        # As `cdk init` writes it: no environment, the region a token.
        "agnostic": _build(
            app,
            "Agnostic",
            True,
            env=None,
            count=2,
            public=False,
            load_balancer=True,
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        ),
    }
    return {
        name: (stack, fleet, Template.from_stack(stack).to_json())
        for name, (stack, fleet) in cases.items()
    }


def _instances(template: dict) -> dict[str, dict]:
    return resources(template, INSTANCE)


def _subnet_of(instance: dict) -> str:
    """The logical id of the subnet an instance runs in (its own or its interface's)."""
    interfaces = props(instance).get("NetworkInterfaces")
    return ref(interfaces[0]["SubnetId"] if interfaces else props(instance)["SubnetId"])


def _groups_of(instance: dict) -> list[str]:
    interfaces = props(instance).get("NetworkInterfaces")
    groups = interfaces[0]["GroupSet"] if interfaces else props(instance)["SecurityGroupIds"]
    return [ref(group) for group in groups]


def _public_subnets(template: dict) -> set[str]:
    return {
        logical_id
        for logical_id, subnet in resources(template, "AWS::EC2::Subnet").items()
        if props(subnet)["MapPublicIpOnLaunch"]
    }


def _in_order(stack: Stack, fleet: FixedFleet, template: dict) -> list[dict]:
    """The instances' resources in the order the construct made them (Instance1, 2, ...)."""
    return [
        template["Resources"][stack.get_logical_id(i.node.default_child)] for i in fleet.instances
    ]


def _acknowledged(construct) -> set[str]:
    return {
        rule.removeprefix("Annotation::")
        for entry in construct.node.metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for rule in entry.data
    }


# --- v1-v3: Elastic IPs ------------------------------------------------------------------------


@pytest.mark.fact("WIT-03")
def test_each_elastic_ip_associates_with_its_own_instance(built):
    _, _, template = built["eip"]
    eips = resources(template, "AWS::EC2::EIP")
    associations = resources(template, "AWS::EC2::EIPAssociation").values()
    pairs = [(ref(props(a)["AllocationId"]), ref(props(a)["InstanceId"])) for a in associations]
    assert len(eips) == len(_instances(template)) == len(pairs) == 4
    assert {eip for eip, _ in pairs} == set(eips)
    assert {instance for _, instance in pairs} == set(_instances(template))
    for association in associations:
        assert props(association)["AllocationId"]["Fn::GetAtt"][1] == "AllocationId"


def test_elastic_ips_are_vpc_addresses_that_follow_removal_policy(built):
    _, _, template = built["eip"]
    for eip in resources(template, "AWS::EC2::EIP").values():
        assert props(eip)["Domain"] == "vpc"
        assert eip["DeletionPolicy"] == eip["UpdateReplacePolicy"] == "Delete"


def test_public_addresses_are_the_elastic_ips_in_instance_order(built):
    stack, fleet, _ = built["eip"]
    assert [stack.resolve(address) for address in fleet.public_addresses] == [
        {"Fn::GetAtt": [stack.get_logical_id(eip), "PublicIp"]} for eip in fleet.elastic_ips
    ]
    assert stack.resolve(fleet.url) == {
        "Fn::Join": [
            "",
            ["http://", {"Fn::GetAtt": [stack.get_logical_id(fleet.elastic_ips[0]), "PublicIp"]}],
        ]
    }


# --- v4: public instances ----------------------------------------------------------------------


@pytest.mark.parametrize("case", ["eip", "default", "protected"])
def test_public_instances_get_a_public_ipv4_in_a_public_subnet(built, case):
    _, _, template = built[case]
    for instance in _instances(template).values():
        (interface,) = props(instance)["NetworkInterfaces"]
        assert interface["AssociatePublicIpAddress"] is True
        assert _subnet_of(instance) in _public_subnets(template)


def test_without_elastic_ips_the_public_address_is_the_instance_s_own(built):
    stack, fleet, template = built["default"]
    (instance_id,) = _instances(template)
    assert fleet.elastic_ips == [] and resources(template, "AWS::EC2::EIP") == {}
    assert stack.resolve(fleet.public_addresses) == [{"Fn::GetAtt": [instance_id, "PublicIp"]}]
    assert stack.resolve(fleet.url)["Fn::Join"][1][0] == "http://"
    assert fleet.load_balancer is fleet.target_group is fleet.listener is None


def test_public_instances_admit_ingress_cidr_on_app_port_only_and_no_ssh(built):
    _, _, template = built["default"]
    (instance,) = _instances(template).values()
    (group_id,) = _groups_of(instance)
    assert ingress_rules(template, group_id) == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "Web traffic from 0.0.0.0/0",
            "FromPort": 80,
            "IpProtocol": "tcp",
            "ToPort": 80,
        }
    ]


@pytest.mark.parametrize("case", ["default", "alb"])
def test_instances_may_only_send_https(built, case):
    stack, fleet, template = built[case]
    group = template["Resources"][stack.get_logical_id(fleet.security_group.node.default_child)]
    assert props(group)["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "HTTPS to SSM and the package repositories",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]


def test_instances_go_round_robin_over_the_availability_zones(built):
    stack, fleet, template = built["eip"]
    subnets = template["Resources"]
    zones = [
        props(subnets[_subnet_of(instance)])["AvailabilityZone"]
        for instance in _in_order(stack, fleet, template)
    ]
    assert zones == [*ZONES, ZONES[0]]


# --- v5: private instances behind the ALB ------------------------------------------------------


def test_private_instances_have_no_public_address_and_sit_in_private_subnets(built):
    _, fleet, template = built["alb"]
    assert len(_instances(template)) == 3
    for instance in _instances(template).values():
        assert "NetworkInterfaces" not in props(instance)
        assert _subnet_of(instance) not in _public_subnets(template)
    assert fleet.public_addresses == [] and fleet.elastic_ips == []


@pytest.mark.fact("WIT-08")
def test_private_instances_admit_only_the_alb_security_group_on_app_port(built):
    stack, fleet, template = built["alb"]
    alb_group = stack.get_logical_id(fleet.alb_security_group.node.default_child)
    for instance in _instances(template).values():
        (group_id,) = _groups_of(instance)
        rules = ingress_rules(template, group_id)
        assert [(ref(r["SourceSecurityGroupId"]), r["FromPort"], r["ToPort"]) for r in rules] == [
            (alb_group, APP_PORT, APP_PORT)
        ]
        assert all("CidrIp" not in rule for rule in rules)


def test_the_alb_security_group_admits_port_80_and_reaches_only_the_instances(built):
    stack, fleet, template = built["alb"]
    alb_group = stack.get_logical_id(fleet.alb_security_group.node.default_child)
    instance_group = stack.get_logical_id(fleet.security_group.node.default_child)
    assert [(r["CidrIp"], r["FromPort"]) for r in ingress_rules(template, alb_group)] == [
        ("0.0.0.0/0", 80)
    ]
    egress = [
        props(rule)
        for rule in resources(template, "AWS::EC2::SecurityGroupEgress").values()
        if ref(props(rule)["GroupId"]) == alb_group
    ]
    assert [(ref(e["DestinationSecurityGroupId"]), e["FromPort"]) for e in egress] == [
        (instance_group, APP_PORT)
    ]
    # No "allow all" egress rule inline either.
    assert props(template["Resources"][alb_group]).get("SecurityGroupEgress") in (None, [])


def test_the_alb_is_internet_facing_in_public_subnets_and_drops_invalid_headers(built):
    _, _, template = built["alb"]
    (alb,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = {a["Key"]: a["Value"] for a in props(alb)["LoadBalancerAttributes"]}
    assert props(alb)["Scheme"] == "internet-facing"
    assert {ref(subnet) for subnet in props(alb)["Subnets"]} == _public_subnets(template)
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == "true"


def test_the_http_listener_forwards_to_a_target_group_of_every_instance(built):
    _, _, template = built["alb"]
    (listener,) = resources(template, "AWS::ElasticLoadBalancingV2::Listener").values()
    ((group_id, group),) = resources(template, "AWS::ElasticLoadBalancingV2::TargetGroup").items()
    assert (props(listener)["Port"], props(listener)["Protocol"]) == (80, "HTTP")
    assert [ref(a["TargetGroupArn"]) for a in props(listener)["DefaultActions"]] == [group_id]
    assert props(group)["TargetType"] == "instance"
    assert (props(group)["Port"], props(group)["Protocol"]) == (APP_PORT, "HTTP")
    assert {ref(target["Id"]) for target in props(group)["Targets"]} == set(_instances(template))


@pytest.mark.fact("WIT-09")
def test_the_health_check_asks_the_path_the_page_answers(built):
    _, _, template = built["alb"]
    (group,) = resources(template, "AWS::ElasticLoadBalancingV2::TargetGroup").values()
    check = {key: value for key, value in props(group).items() if key.startswith("Health")}
    assert check == {
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckPath": HEALTH,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 2,
    }
    assert props(group)["UnhealthyThresholdCount"] == 3
    assert props(group)["Matcher"] == {"HttpCode": "200"}
    for instance in _instances(template).values():
        script = props(instance)["UserData"]["Fn::Base64"]
        assert f"server.py {APP_PORT} {HEALTH}\n" in script


def test_access_logs_go_to_the_construct_s_log_bucket(built):
    stack, fleet, template = built["alb"]
    (alb,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = {a["Key"]: a["Value"] for a in props(alb)["LoadBalancerAttributes"]}
    bucket_id = stack.get_logical_id(fleet.access_log_bucket.node.default_child)
    assert attributes["access_logs.s3.enabled"] == "true"
    assert ref(attributes["access_logs.s3.bucket"]) == bucket_id
    bucket = template["Resources"][bucket_id]
    assert bucket["DeletionPolicy"] == "Retain"
    (rule,) = props(bucket)["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 365


def test_an_environment_agnostic_stack_decides_the_log_writer_at_deploy_time(built):
    stack, fleet, template = built["agnostic"]
    assert "ElbLogDeliveryAccounts" in "".join(template["Mappings"])
    assert any(name.startswith("FleetRegionHasElbAccount") for name in template["Conditions"])
    (alb_id,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    policy_id = stack.get_logical_id(fleet.access_log_bucket.policy.node.default_child)
    assert policy_id in template["Resources"][alb_id]["DependsOn"]


def test_the_url_is_the_load_balancer_s_name(built):
    stack, fleet, _ = built["alb"]
    alb_id = stack.get_logical_id(fleet.load_balancer.node.default_child)
    assert stack.resolve(fleet.url) == {
        "Fn::Join": ["", ["http://", {"Fn::GetAtt": [alb_id, "DNSName"]}]]
    }


def test_connections_are_the_instances_group_on_app_port(built):
    stack, fleet, _ = built["alb"]
    (group,) = fleet.connections.security_groups
    assert group is fleet.security_group
    assert stack.resolve(fleet.connections.default_port.to_string()) == str(APP_PORT)


# --- v5 over HTTPS ------------------------------------------------------------------------------


def _listeners_by_port(template: dict) -> dict[int, dict]:
    return {
        props(listener)["Port"]: props(listener)
        for listener in resources(template, LISTENER).values()
    }


def test_the_https_listener_forwards_to_the_target_group_with_the_certificate_and_policy(built):
    stack, fleet, template = built["https"]
    https = _listeners_by_port(template)[443]
    group_id = stack.get_logical_id(fleet.target_group.node.default_child)
    assert https["Protocol"] == "HTTPS"
    assert https["Certificates"] == [{"CertificateArn": CERTIFICATE}]
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    assert [(a["Type"], ref(a["TargetGroupArn"])) for a in https["DefaultActions"]] == [
        ("forward", group_id)
    ]
    assert ref(https["LoadBalancerArn"]) == stack.get_logical_id(
        fleet.load_balancer.node.default_child
    )


def test_with_a_certificate_port_80_only_redirects_to_https_permanently(built):
    _, _, template = built["https"]
    listeners = _listeners_by_port(template)
    assert set(listeners) == {80, 443}
    http = listeners[80]
    assert http["Protocol"] == "HTTP"
    assert http["DefaultActions"] == [
        {
            "Type": "redirect",
            "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
        }
    ]


def test_with_a_certificate_the_alb_group_admits_80_and_443_from_ingress_cidr_only(built):
    stack, fleet, template = built["https"]
    alb_group = stack.get_logical_id(fleet.alb_security_group.node.default_child)
    rules = ingress_rules(template, alb_group)
    assert [(r["CidrIp"], r["FromPort"], r["ToPort"]) for r in rules] == [
        (OFFICE, 80, 80),
        (OFFICE, 443, 443),
    ]
    assert "AwsSolutions-EC23" not in _acknowledged(fleet.alb_security_group)


def test_with_a_certificate_the_instances_still_admit_only_the_alb_on_app_port(built):
    stack, fleet, template = built["https"]
    alb_group = stack.get_logical_id(fleet.alb_security_group.node.default_child)
    for instance in _instances(template).values():
        (group_id,) = _groups_of(instance)
        rules = ingress_rules(template, group_id)
        assert [(ref(r["SourceSecurityGroupId"]), r["FromPort"]) for r in rules] == [
            (alb_group, APP_PORT)
        ]


def test_with_a_certificate_listener_is_https_and_the_url_says_https(built):
    stack, fleet, _ = built["https"]
    assert fleet.listener.node.id == "Https" and fleet.redirect_listener.node.id == "Http"
    alb_id = stack.get_logical_id(fleet.load_balancer.node.default_child)
    assert stack.resolve(fleet.url) == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [alb_id, "DNSName"]}]]
    }


def test_without_a_certificate_there_is_no_redirect_listener(built):
    _, fleet, template = built["alb"]
    assert fleet.redirect_listener is None and fleet.listener.node.id == "Http"
    assert set(_listeners_by_port(template)) == {80}


def test_the_default_ssl_policy_is_recommended_tls():
    stack = Stack(App(context=CONTEXT), "Policy", env=PINNED_ENV)
    fleet = FixedFleet(
        stack,
        "Fleet",
        vpc=_vpc(stack, private=True),
        public=False,
        load_balancer=True,
        certificate_arn=CERTIFICATE,
    )
    listener = fleet.listener.node.default_child
    assert listener.ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06"


# --- every instance ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["eip", "alb", "protected"])
def test_every_instance_requires_imdsv2_and_boots_from_an_encrypted_gp3_root(built, case):
    _, _, template = built[case]
    for instance in _instances(template).values():
        assert props(instance)["MetadataOptions"] == {"HttpTokens": "required"}
        (root,) = props(instance)["BlockDeviceMappings"]
        assert root["DeviceName"] == "/dev/xvda"
        assert root["Ebs"] == {
            "DeleteOnTermination": True,
            "Encrypted": True,
            "VolumeSize": 8,
            "VolumeType": "gp3",
        }
        assert "KeyName" not in props(instance)


def test_the_instances_share_one_role_that_grants_session_manager_only(built):
    _, _, template = built["alb"]
    ((profile_id, profile),) = resources(template, "AWS::IAM::InstanceProfile").items()
    (role_id,) = resources(template, "AWS::IAM::Role")
    assert [ref(role) for role in props(profile)["Roles"]] == [role_id]
    for instance in _instances(template).values():
        assert ref(props(instance)["IamInstanceProfile"]) == profile_id
    (policy,) = resources(template, "AWS::IAM::Policy").values()
    (statement,) = props(policy)["PolicyDocument"]["Statement"]
    assert set(statement["Action"]) == SSM_ACTIONS
    assert "ManagedPolicyArns" not in props(template["Resources"][role_id])


@pytest.mark.parametrize(("case", "arch"), [("alb", "arm64"), ("protected", "x86_64")])
def test_the_image_is_amazon_linux_2023_for_the_type_s_architecture(built, case, arch):
    _, _, template = built[case]
    for instance in _instances(template).values():
        parameter = ref(props(instance)["ImageId"])
        assert template["Parameters"][parameter]["Default"].endswith(
            f"al2023-ami-kernel-6.1-{arch}"
        )


def test_monitoring_and_termination_protection_follow_their_props(built):
    for case, on in (("default", False), ("protected", True)):
        _, fleet, template = built[case]
        for instance in _instances(template).values():
            assert props(instance)["Monitoring"] is on
            assert props(instance)["DisableApiTermination"] is on
        for instance in fleet.instances:
            acknowledged = _acknowledged(instance) & {"AwsSolutions-EC28", "AwsSolutions-EC29"}
            assert acknowledged == (set() if on else {"AwsSolutions-EC28", "AwsSolutions-EC29"})


def test_the_alb_acknowledges_no_access_log_finding_while_it_writes_logs(built):
    _, fleet, _ = built["alb"]
    assert "AwsSolutions-ELB2" not in _acknowledged(fleet.load_balancer)


# --- the default page --------------------------------------------------------------------------


class _FakeMetadata(http.server.BaseHTTPRequestHandler):
    """IMDSv2 as the page uses it: a token for a PUT, the value only with that token."""

    values = {"instance-id": "i-0123456789abcdef0", "placement/availability-zone": "us-east-1b"}

    def do_PUT(self):  # noqa: N802 - http.server's name
        self._answer(200, "token-1")

    def do_GET(self):  # noqa: N802
        key = self.path.removeprefix("/latest/meta-data/")
        if self.headers.get("X-aws-ec2-metadata-token") != "token-1" or key not in self.values:
            self._answer(401, "")
        else:
            self._answer(200, self.values[key])

    def _answer(self, status: int, body: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_the_default_page_tells_the_time_the_instance_and_its_az_and_answers_health(tmp_path):
    stack = Stack(App(), "Page")
    rendered = stack.resolve(time_page_user_data(8080, "/ping").render())
    script = re.search(r"<<'PAGE'\n(.*?)PAGE\n", rendered, re.DOTALL).group(1)
    metadata = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeMetadata)
    threading.Thread(target=metadata.serve_forever, daemon=True).start()
    fake = f"http://127.0.0.1:{metadata.server_address[1]}/latest"
    server = Path(tmp_path / "server.py")
    server.write_text(script.replace("http://169.254.169.254/latest", fake))
    port = _free_port()
    page = subprocess.Popen([sys.executable, str(server), str(port), "/ping"])
    try:
        for _ in range(50):
            try:
                status, body = _get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                time.sleep(0.05)
        assert status == 200
        assert "i-0123456789abcdef0 in us-east-1b" in body
        assert re.search(r"It is \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", body)
        assert _get(f"http://127.0.0.1:{port}/ping") == (200, "ok\n")
        assert _get(f"http://127.0.0.1:{port}/other")[0] == 404
    finally:
        page.terminate()
        page.wait(timeout=5)
        metadata.shutdown()
