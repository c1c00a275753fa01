"""The facts the ALB + Auto Scaling group exists for (FACTS.md section 2), asserted on templates."""

from __future__ import annotations

import re

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

from constructs_lib.web_tier import WebTier
from stacks.profiles import profile_named
from stacks.web_tier_stack import WebTierStack
from tests.conftest import PINNED_ENV, cdk_context
from tests.template_queries import cdk_path, ingress_rules, props, ref, resources, under
from tests.web_tier import options

STACK = "WebTier"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
PROFILES = ["sandbox", "production"]


@pytest.fixture(scope="module")
def variants() -> dict[str, dict]:
    """Construct options the stacks don't use (options.py), and the stack with a certificate."""
    app = App(context={**cdk_context("sandbox"), "certificate_arn": CERT})
    with_cert = WebTierStack(
        app, "WebTierWithCert", profile=profile_named("sandbox"), env=PINNED_ENV
    )
    return {
        "Variants": options.TEMPLATES["variants"](),
        "WebTierWithCert": Template.from_stack(with_cert).to_json(),
    }


def _web(template: dict, prefix: str = "WebTier/Web/") -> dict:
    return under(template, prefix)


def _one(template: dict, resource_type: str) -> tuple[str, dict]:
    found = resources(template, resource_type)
    assert len(found) == 1, list(found)
    return next(iter(found.items()))


def _group(template: dict, path_part: str) -> str:
    matches = [
        logical_id
        for logical_id, group in resources(template, "AWS::EC2::SecurityGroup").items()
        if path_part in cdk_path(group)
    ]
    assert len(matches) == 1, matches
    return matches[0]


def _subnets(template: dict, tier: str) -> set[str]:
    return {
        logical_id
        for logical_id, subnet in resources(template, "AWS::EC2::Subnet").items()
        if {"Key": "aws-cdk:subnet-name", "Value": tier} in props(subnet)["Tags"]
    }


def _listeners(template: dict) -> dict[int, dict]:
    return {
        props(listener)["Port"]: props(listener)
        for listener in resources(template, "AWS::ElasticLoadBalancingV2::Listener").values()
    }


def _attributes(resource: dict, key: str = "TargetGroupAttributes") -> dict[str, str]:
    return {a["Key"]: a["Value"] for a in props(resource)[key]}


def _launch_data(template: dict) -> dict:
    return props(_one(template, "AWS::EC2::LaunchTemplate")[1])["LaunchTemplateData"]


@pytest.mark.fact("WEB-28")
@pytest.mark.parametrize("profile", PROFILES)
def test_instances_come_from_a_launch_template_never_a_launch_configuration(synthesized, profile):
    template = synthesized(profile).template(STACK)
    assert resources(template, "AWS::AutoScaling::LaunchConfiguration") == {}
    web = _web(template)
    launch_template_id, _ = _one(web, "AWS::EC2::LaunchTemplate")
    _, group = _one(web, "AWS::AutoScaling::AutoScalingGroup")
    assert ref(props(group)["LaunchTemplate"]["LaunchTemplateId"]) == launch_template_id


@pytest.mark.parametrize("profile", PROFILES)
def test_instances_require_imdsv2_and_boot_from_an_encrypted_gp3_volume(synthesized, profile):
    data = _launch_data(_web(synthesized(profile).template(STACK)))
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    (device,) = data["BlockDeviceMappings"]
    assert device["Ebs"]["Encrypted"] is True
    assert device["Ebs"]["VolumeType"] == "gp3"


def test_instances_run_amazon_linux_2023_for_the_graviton_instance_type(sandbox):
    template = sandbox.template(STACK)
    data = _launch_data(_web(template))
    assert data["InstanceType"] == "t4g.micro"
    image_parameter = data["ImageId"]["Ref"]
    assert "al2023" in image_parameter and "arm64" in image_parameter
    assert "al2023" in template["Parameters"][image_parameter]["Default"]


def test_an_x86_instance_type_gets_the_x86_image(variants):
    data = _launch_data(_web(variants["Variants"], "Variants/Options/"))
    assert data["InstanceType"] == "t3.micro"
    assert "x8664" in data["ImageId"]["Ref"] and "al2023" in data["ImageId"]["Ref"]


@pytest.mark.fact("WEB-39")
def test_instances_use_session_manager_and_no_key_pair(sandbox):
    web = _web(sandbox.template(STACK))
    assert "KeyName" not in _launch_data(web)
    role_id, role = _one(web, "AWS::IAM::Role")
    assert "ManagedPolicyArns" not in props(role)
    # The instances get their credentials from this role, through the template's profile.
    assert props(role)["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }
    profile_id = ref(_launch_data(web)["IamInstanceProfile"]["Arn"])
    profile = web["Resources"][profile_id]
    assert profile["Type"] == "AWS::IAM::InstanceProfile"
    assert [ref(r) for r in props(profile)["Roles"]] == [role_id]
    (policy,) = [
        props(p)
        for p in resources(web, "AWS::IAM::Policy").values()
        if ref(props(p)["Roles"][0]) == role_id
    ]
    (statement,) = policy["PolicyDocument"]["Statement"]
    # The Session Manager statement aws-cdk-lib's bastion gets too: nothing beyond the agent.
    assert sorted(statement["Action"]) == sorted(
        ["ssmmessages:*", "ssm:UpdateInstanceInformation", "ec2messages:*"]
    )
    assert statement["Resource"] == "*" and statement["Effect"] == "Allow"


@pytest.mark.fact("WEB-13", "WEB-36")
def test_user_data_serves_the_instance_and_its_az_and_a_health_page(sandbox):
    script = _launch_data(_web(sandbox.template(STACK)))["UserData"]["Fn::Base64"]
    assert "dnf install -y httpd" in script
    assert 'curl -sf -X PUT "http://169.254.169.254/latest/api/token"' in script
    assert "X-aws-ec2-metadata-token: $TOKEN" in script
    assert "$(imds instance-id)" in script and "$(imds placement/availability-zone)" in script
    assert "${INSTANCE_ID} in ${AZ}" in script
    assert "echo ok > /var/www/html/health" in script
    assert "systemctl enable --now httpd" in script


@pytest.mark.fact("WEB-25")
@pytest.mark.parametrize(("profile", "azs"), [("sandbox", 2), ("production", 3)])
def test_instances_span_every_app_subnet_and_the_alb_every_public_subnet(synthesized, profile, azs):
    template = synthesized(profile).template(STACK)
    _, group = _one(template, "AWS::AutoScaling::AutoScalingGroup")
    app_subnets = {ref(subnet) for subnet in props(group)["VPCZoneIdentifier"]}
    assert app_subnets == _subnets(template, "Application") and len(app_subnets) == azs
    _, alb = _one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert props(alb)["Scheme"] == "internet-facing"
    assert {ref(subnet) for subnet in props(alb)["Subnets"]} == _subnets(template, "Public")


@pytest.mark.fact("WEB-26", "WEB-27")
@pytest.mark.parametrize("profile", PROFILES)
def test_unhealthy_instances_are_replaced_on_elb_health_checks_after_a_grace_period(
    synthesized, profile
):
    template = synthesized(profile).template(STACK)
    group_id, group = _one(template, "AWS::AutoScaling::AutoScalingGroup")
    assert props(group)["HealthCheckType"] == "ELB"
    assert props(group)["HealthCheckGracePeriod"] == 300
    target_group_id, _ = _one(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert [ref(arn) for arn in props(group)["TargetGroupARNs"]] == [target_group_id]


@pytest.mark.fact("WEB-24")
@pytest.mark.parametrize(
    ("profile", "sizes"), [("sandbox", ("1", "2")), ("production", ("2", "6"))]
)
def test_capacity_is_min_desired_max_per_profile(synthesized, profile, sizes):
    _, group = _one(synthesized(profile).template(STACK), "AWS::AutoScaling::AutoScalingGroup")
    assert (props(group)["MinSize"], props(group)["MaxSize"]) == sizes
    # desired equals min in both profiles: left out, CloudFormation starts the group at min and
    # a later deployment does not reset a group that scaling has grown.
    assert "DesiredCapacity" not in props(group)


@pytest.mark.fact("WEB-24")
def test_desired_capacity_is_set_when_it_differs_from_the_minimum(variants):
    _, group = _one(
        _web(variants["Variants"], "Variants/Options/"), "AWS::AutoScaling::AutoScalingGroup"
    )
    assert (props(group)["MinSize"], props(group)["DesiredCapacity"], props(group)["MaxSize"]) == (
        "1",
        "2",
        "3",
    )


@pytest.mark.fact("WEB-29", "WEB-34", "WEB-35")
@pytest.mark.parametrize("profile", PROFILES)
def test_target_tracking_keeps_average_cpu_at_40_percent_with_warmup_and_cooldown(
    synthesized, profile
):
    template = synthesized(profile).template(STACK)
    group_id, group = _one(template, "AWS::AutoScaling::AutoScalingGroup")
    assert props(group)["Cooldown"] == "300"
    assert props(group)["DefaultInstanceWarmup"] == 300
    (policy,) = resources(template, "AWS::AutoScaling::ScalingPolicy").values()
    assert props(policy)["PolicyType"] == "TargetTrackingScaling"
    assert ref(props(policy)["AutoScalingGroupName"]) == group_id
    config = props(policy)["TargetTrackingConfiguration"]
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "ASGAverageCPUUtilization"
    )
    assert config["TargetValue"] == 40
    assert props(policy)["EstimatedInstanceWarmup"] == 300


@pytest.mark.fact("WEB-33")
def test_request_count_per_target_tracking_is_an_option(variants):
    web = _web(variants["Variants"], "Variants/Options/")
    targets = {
        props(p)["TargetTrackingConfiguration"]["PredefinedMetricSpecification"][
            "PredefinedMetricType"
        ]: props(p)["TargetTrackingConfiguration"]["TargetValue"]
        for p in resources(web, "AWS::AutoScaling::ScalingPolicy").values()
    }
    assert targets == {"ASGAverageCPUUtilization": 55, "ALBRequestCountPerTarget": 1000}


@pytest.mark.fact("WEB-31")
def test_production_raises_its_minimum_on_friday_evenings(synthesized):
    assert (
        resources(synthesized("sandbox").template(STACK), "AWS::AutoScaling::ScheduledAction") == {}
    )
    actions = resources(
        synthesized("production").template(STACK), "AWS::AutoScaling::ScheduledAction"
    )
    schedule = sorted(
        (props(a)["Recurrence"], props(a)["MinSize"], props(a)["TimeZone"])
        for a in actions.values()
    )
    assert schedule == [("0 17 * * FRI", 4, "UTC"), ("0 23 * * FRI", 2, "UTC")]


@pytest.mark.fact("WEB-10", "WEB-13")
@pytest.mark.parametrize("profile", PROFILES)
def test_target_group_checks_the_health_path_expecting_200(synthesized, profile):
    _, target_group = _one(
        synthesized(profile).template(STACK), "AWS::ElasticLoadBalancingV2::TargetGroup"
    )
    assert props(target_group)["HealthCheckPath"] == "/health"
    assert props(target_group)["Matcher"] == {"HttpCode": "200"}
    assert (props(target_group)["Port"], props(target_group)["TargetType"]) == (80, "instance")
    # Checked on the port the traffic goes to (no HealthCheckPort: "traffic-port").
    assert props(target_group).get("HealthCheckPort", "traffic-port") == "traffic-port"


@pytest.mark.fact("WEB-17")
@pytest.mark.parametrize(("profile", "seconds"), [("sandbox", "30"), ("production", "300")])
def test_deregistration_delay_drains_in_flight_requests(synthesized, profile, seconds):
    _, target_group = _one(
        synthesized(profile).template(STACK), "AWS::ElasticLoadBalancingV2::TargetGroup"
    )
    attributes = _attributes(target_group)
    assert attributes["deregistration_delay.timeout_seconds"] == seconds
    assert attributes["stickiness.enabled"] == "false"


@pytest.mark.fact("WEB-21")
@pytest.mark.parametrize("profile", PROFILES)
def test_stickiness_is_off_by_default_sessions_belong_off_the_instances(synthesized, profile):
    template = synthesized(profile).template(STACK)
    _, target_group = _one(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
    attributes = _attributes(target_group)
    assert attributes["stickiness.enabled"] == "false"
    assert not any(
        key.startswith("stickiness.") and key != "stickiness.enabled" for key in attributes
    )


@pytest.mark.fact("WEB-22")
@pytest.mark.parametrize("profile", PROFILES)
def test_cross_zone_load_balancing_stays_on_in_both_profiles(synthesized, profile):
    """The ALB's default: no target group or load balancer attribute turns it off."""
    template = synthesized(profile).template(STACK)
    groups = resources(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert groups
    for group in groups.values():
        assert _attributes(group).get("load_balancing.cross_zone.enabled", "true") != "false"
    _, alb = _one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert "load_balancing.cross_zone.enabled" not in _attributes(alb, "LoadBalancerAttributes")


@pytest.mark.fact("WEB-19")
def test_stickiness_with_a_duration_is_an_option(variants):
    _, target_group = _one(
        _web(variants["Variants"], "Variants/Options/"), "AWS::ElasticLoadBalancingV2::TargetGroup"
    )
    attributes = _attributes(target_group)
    assert attributes["stickiness.enabled"] == "true"
    assert attributes["stickiness.type"] == "lb_cookie"
    assert attributes["stickiness.lb_cookie.duration_seconds"] == "3600"


@pytest.mark.fact("WEB-40")
@pytest.mark.parametrize("profile", PROFILES)
def test_instances_accept_traffic_only_from_the_alb(synthesized, profile):
    template = synthesized(profile).template(STACK)
    instances = _group(template, "WebTier/Web/InstanceSecurityGroup")
    alb = _group(template, "WebTier/Web/AlbSecurityGroup")
    bastion = _group(template, "WebTier/Network/Bastion")
    rules = sorted(
        (r["FromPort"], r["ToPort"], ref(r.get("SourceSecurityGroupId")), r.get("CidrIp"))
        for r in ingress_rules(template, instances)
    )
    assert rules == [(22, 22, bastion, None), (80, 80, alb, None)]


@pytest.mark.fact("WEB-40")
def test_instances_without_a_bastion_accept_only_the_app_port_from_the_alb(variants):
    web = _web(variants["Variants"], "Variants/Options/")
    (rule,) = ingress_rules(web, _group(web, "Options/InstanceSecurityGroup"))
    assert (rule["FromPort"], rule["ToPort"]) == (8080, 8080)
    assert ref(rule["SourceSecurityGroupId"]) == _group(web, "Options/AlbSecurityGroup")


@pytest.mark.fact("WEB-40")
@pytest.mark.parametrize(("profile", "ports"), [("sandbox", [80]), ("production", [80, 443])])
def test_alb_is_open_only_on_its_listener_port_and_talks_only_to_the_instances(
    synthesized, profile, ports
):
    template = synthesized(profile).template(STACK)
    alb = _group(template, "WebTier/Web/AlbSecurityGroup")
    rules = ingress_rules(template, alb)
    assert sorted((r["IpProtocol"], r["FromPort"], r["CidrIp"]) for r in rules) == [
        ("tcp", port, "0.0.0.0/0") for port in ports
    ]
    egress = [
        props(e)
        for e in resources(template, "AWS::EC2::SecurityGroupEgress").values()
        if ref(props(e)["GroupId"]) == alb
    ]
    instances = _group(template, "WebTier/Web/InstanceSecurityGroup")
    assert [(ref(e["DestinationSecurityGroupId"]), e["FromPort"]) for e in egress] == [
        (instances, 80)
    ]


def test_alb_ingress_cidr_is_configurable(variants):
    web = _web(variants["Variants"], "Variants/Options/")
    (rule,) = ingress_rules(web, _group(web, "Options/AlbSecurityGroup"))
    assert rule["CidrIp"] == "203.0.113.0/24"


@pytest.mark.fact("WEB-01")
def test_sandbox_without_a_certificate_http_forwards_to_the_target_group(sandbox):
    template = sandbox.template(STACK)
    listeners = _listeners(template)
    assert list(listeners) == [80]
    (action,) = listeners[80]["DefaultActions"]
    target_group_id, _ = _one(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert (action["Type"], ref(action["TargetGroupArn"])) == ("forward", target_group_id)
    assert listeners[80]["Protocol"] == "HTTP"
    # A layer-7 load balancer: an ALB, whose listener this is.
    alb_id, alb = _one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert props(alb)["Type"] == "application"
    assert ref(listeners[80]["LoadBalancerArn"]) == alb_id


@pytest.mark.fact("WEB-01", "WEB-08", "WEB-14", "WEB-16")
def test_with_a_certificate_https_forwards_and_http_redirects_with_301(variants):
    template = variants["WebTierWithCert"]
    listeners = _listeners(template)
    assert sorted(listeners) == [80, 443]
    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert https["Certificates"] == [{"CertificateArn": CERT}]
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    (forward,) = https["DefaultActions"]
    assert forward["Type"] == "forward"
    (redirect,) = listeners[80]["DefaultActions"]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"] == {
        "Protocol": "HTTPS",
        "Port": "443",
        "StatusCode": "HTTP_301",
    }
    alb = _group(template, "WebTierWithCert/Web/AlbSecurityGroup")
    ports = sorted(rule["FromPort"] for rule in ingress_rules(template, alb))
    assert ports == [80, 443]
    url = template["Outputs"]["AlbUrl"]["Value"]["Fn::Join"][1]
    assert url[0] == "https://"


@pytest.mark.fact("WEB-02", "WEB-07")
def test_fixed_response_listener_rules_are_an_option(variants):
    web = _web(variants["Variants"], "Variants/Options/")
    (rule,) = resources(web, "AWS::ElasticLoadBalancingV2::ListenerRule").values()
    assert props(rule)["Conditions"] == [
        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/ping"]}}
    ]
    (action,) = props(rule)["Actions"]
    assert action["FixedResponseConfig"] == {
        "ContentType": "text/plain",
        "MessageBody": "pong",
        "StatusCode": "200",
    }


def test_production_alb_logs_to_an_encrypted_tls_only_bucket_and_is_protected(production):
    template = production.template(STACK)
    _, alb = _one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = _attributes(alb, "LoadBalancerAttributes")
    assert attributes["deletion_protection.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"
    bucket_id = ref(attributes["access_logs.s3.bucket"])
    bucket = template["Resources"][bucket_id]
    assert bucket["DeletionPolicy"] == "Retain"
    (encryption,) = props(bucket)["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert props(bucket)["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(props(bucket)["PublicAccessBlockConfiguration"].values())
    (policy,) = [
        props(p)["PolicyDocument"]["Statement"]
        for p in resources(template, "AWS::S3::BucketPolicy").values()
        if ref(props(p)["Bucket"]) == bucket_id
    ]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in policy
    )


def test_sandbox_alb_keeps_no_logs_and_can_be_deleted(sandbox):
    template = sandbox.template(STACK)
    _, alb = _one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = _attributes(alb, "LoadBalancerAttributes")
    assert attributes["deletion_protection.enabled"] == "false"
    assert "access_logs.s3.enabled" not in attributes
    assert resources(_web(template), "AWS::S3::Bucket") == {}


@pytest.mark.parametrize(("profile", "scheme"), [("sandbox", "http"), ("production", "https")])
def test_outputs_give_the_alb_url_and_the_group_name(synthesized, profile, scheme):
    template = synthesized(profile).template(STACK)
    outputs = template["Outputs"]
    alb_id, _ = _one(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    group_id, _ = _one(template, "AWS::AutoScaling::AutoScalingGroup")
    assert outputs["AlbDnsName"]["Value"] == {"Fn::GetAtt": [alb_id, "DNSName"]}
    assert outputs["AlbUrl"]["Value"]["Fn::Join"][1] == [
        f"{scheme}://",
        {"Fn::GetAtt": [alb_id, "DNSName"]},
    ]
    assert outputs["AsgName"]["Value"] == {"Ref": group_id}
    assert "BastionInstanceId" in outputs


def test_access_logs_in_an_agnostic_stack_choose_the_regions_log_writer_at_deploy_time():
    """`cdk init` stacks have no region: the template picks the ELB account or the service."""
    from aws_cdk import region_info

    app = App()
    stack = Stack(app, "Agnostic")
    WebTier(stack, "Web", vpc=ec2.Vpc(stack, "Vpc"))
    template = app.synth().get_stack_by_name("Agnostic").template
    (mapping,) = template["Mappings"].values()
    accounts = {region: entry["account"] for region, entry in mapping.items()}
    known = {r.name: r.elbv2_account or "none" for r in region_info.RegionInfo.regions}
    assert accounts == known
    # A region launched before August 2022 names its ELB account, a 12-digit id.
    assert re.fullmatch(r"\d{12}", accounts["us-east-1"])
    assert "none" in accounts.values()  # regions launched since August 2022
    (condition_id, condition), *_ = template["Conditions"].items()
    assert condition["Fn::Not"][0]["Fn::Equals"][1] == "none"
    (policy,) = resources(template, "AWS::S3::BucketPolicy").values()
    writers = [
        s
        for s in props(policy)["PolicyDocument"]["Statement"]
        if s["Action"] == "s3:PutObject" and "Condition" not in s
    ]
    (principal,) = [s["Principal"] for s in writers]
    no_value = {"Ref": "AWS::NoValue"}
    assert principal["AWS"]["Fn::If"][0] == condition_id
    assert principal["AWS"]["Fn::If"][2] == no_value
    assert principal["Service"]["Fn::If"] == [
        condition_id,
        no_value,
        "logdelivery.elasticloadbalancing.amazonaws.com",
    ]
    (alb,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = {a["Key"]: a["Value"] for a in props(alb)["LoadBalancerAttributes"]}
    assert attributes["access_logs.s3.enabled"] == "true"
    assert ref(props(policy)["Bucket"]) == ref(attributes["access_logs.s3.bucket"])


@pytest.mark.fact("WEB-08", "WEB-14")
def test_production_never_serves_plain_http_it_asks_for_a_certificate_at_deploy(production):
    """No -c certificate_arn: a required parameter, so deploy fails before any resource."""
    template = production.template(STACK)
    parameter = template["Parameters"]["CertificateArn"]
    assert parameter["Type"] == "String" and "Default" not in parameter
    assert re.fullmatch(parameter["AllowedPattern"], CERT)
    assert not re.fullmatch(parameter["AllowedPattern"], "not-a-certificate")
    listeners = _listeners(template)
    assert listeners[443]["Certificates"] == [{"CertificateArn": {"Ref": "CertificateArn"}}]
    (redirect,) = listeners[80]["DefaultActions"]
    assert redirect["Type"] == "redirect" and redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    forwarding = [
        port
        for port, listener in listeners.items()
        for action in listener["DefaultActions"]
        if action["Type"] == "forward"
    ]
    assert forwarding == [443]


def test_production_with_a_certificate_in_context_needs_no_parameter():
    app = App(context={**cdk_context("production"), "certificate_arn": CERT})
    stack = WebTierStack(app, "WebTierProd", profile=profile_named("production"), env=PINNED_ENV)
    template = app.synth().get_stack_by_name(stack.stack_name).template
    assert "Parameters" not in template or "CertificateArn" not in template["Parameters"]
    assert _listeners(template)[443]["Certificates"] == [{"CertificateArn": CERT}]


def test_sandbox_has_no_certificate_parameter(sandbox):
    assert "CertificateArn" not in sandbox.template(STACK).get("Parameters", {})
