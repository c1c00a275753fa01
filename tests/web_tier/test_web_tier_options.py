"""Facts shown by WebTier options no profile uses, asserted on the templates of options.py."""

from __future__ import annotations

import pytest

from tests.template_queries import props, ref, resources
from tests.web_tier import options

LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
POLICY = "AWS::AutoScaling::ScalingPolicy"


@pytest.fixture(scope="module")
def templates() -> dict[str, dict]:
    """Each option template, synthesized once for the module."""
    return {name: build() for name, build in options.TEMPLATES.items()}


def _one(template: dict, resource_type: str, **where: object) -> tuple[str, dict]:
    found = {
        logical_id: resource
        for logical_id, resource in resources(template, resource_type).items()
        if all(props(resource).get(key) == value for key, value in where.items())
    }
    assert len(found) == 1, list(found)
    return next(iter(found.items()))


def _rules(template: dict) -> dict[int, dict]:
    return {props(rule)["Priority"]: props(rule) for rule in resources(template, RULE).values()}


def _serving_listener(template: dict, port: int) -> str:
    listener_id, _ = _one(template, LISTENER, Port=port)
    return listener_id


def _forwarded_to(template: dict, target_group_id: str) -> list[str]:
    """Who forwards to the target group: ``rule <priority>`` / ``listener <port>``."""
    found = []
    for rule in resources(template, RULE).values():
        for action in props(rule)["Actions"]:
            if action["Type"] == "forward" and ref(action["TargetGroupArn"]) == target_group_id:
                found.append(f"rule {props(rule)['Priority']}")
    for listener in resources(template, LISTENER).values():
        for action in props(listener)["DefaultActions"]:
            if ref(action.get("TargetGroupArn")) == target_group_id:
                found.append(f"listener {props(listener)['Port']}")
    return found


def _condition(template: dict, priority: int) -> list[dict]:
    return _rules(template)[priority]["Conditions"]


# --- Routing conditions: path, host, HTTP header, query string, source IP ---------------------


@pytest.mark.fact("WEB-02")
def test_alb_routes_on_the_url_path(templates):
    template = templates["routing"]
    assert _condition(template, 10) == [
        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}
    ]


@pytest.mark.fact("WEB-03")
def test_alb_routes_on_the_host_header(templates):
    template = templates["routing"]
    assert _condition(template, 20) == [
        {"Field": "host-header", "HostHeaderConfig": {"Values": ["legacy.example.com"]}}
    ]


@pytest.mark.fact("WEB-04")
def test_alb_routes_on_an_http_header_and_its_values(templates):
    template = templates["routing"]
    assert _condition(template, 30) == [
        {
            "Field": "http-header",
            "HttpHeaderConfig": {"HttpHeaderName": "X-Canary", "Values": ["on", "yes"]},
        }
    ]


@pytest.mark.fact("WEB-05")
def test_alb_routes_on_a_query_string_key_and_value(templates):
    template = templates["routing"]
    assert _condition(template, 40) == [
        {
            "Field": "query-string",
            "QueryStringConfig": {"Values": [{"Key": "version", "Value": "v1"}]},
        }
    ]


@pytest.mark.fact("WEB-06")
def test_alb_routes_on_the_source_ip_together_with_the_path(templates):
    template = templates["routing"]
    conditions = sorted(_condition(template, 50), key=lambda c: c["Field"])
    assert conditions == [
        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/admin/*"]}},
        {"Field": "source-ip", "SourceIpConfig": {"Values": ["198.51.100.0/24"]}},
    ]
    (action,) = _rules(template)[50]["Actions"]
    assert action["Type"] == "fixed-response"
    assert action["FixedResponseConfig"]["StatusCode"] == "403"


@pytest.mark.fact("WEB-02", "WEB-03", "WEB-04", "WEB-05", "WEB-06")
def test_routing_rules_sit_on_the_https_listener_when_there_is_a_certificate(templates):
    template = templates["routing"]
    https = _serving_listener(template, 443)
    assert props(template["Resources"][https])["Protocol"] == "HTTPS"
    rules = _rules(template)
    # The fixed response at 1, then the six routing rules in their order.
    assert sorted(rules) == [1, 10, 20, 30, 40, 50, 60]
    assert {ref(rule["ListenerArn"]) for rule in rules.values()} == {https}


@pytest.mark.fact("WEB-02", "WEB-03")
def test_routing_rules_sit_on_the_http_listener_without_a_certificate(templates):
    template = templates["http_routing"]
    http = _serving_listener(template, 80)
    assert props(template["Resources"][http])["Protocol"] == "HTTP"
    assert len(resources(template, LISTENER)) == 1
    rules = _rules(template)
    assert sorted(rules) == [5, 6]
    assert {ref(rule["ListenerArn"]) for rule in rules.values()} == {http}


# --- Rule actions: fixed responses and redirects ----------------------------------------------


@pytest.mark.fact("WEB-07")
def test_rules_answer_with_a_fixed_response_or_redirect_without_a_target(templates):
    rules = _rules(templates["routing"])
    (gone,) = rules[40]["Actions"]
    assert gone == {
        "Type": "fixed-response",
        "FixedResponseConfig": {
            "ContentType": "text/plain",
            "MessageBody": "v1 is gone",
            "StatusCode": "410",
        },
    }
    (to_www,) = rules[60]["Actions"]
    assert to_www == {
        "Type": "redirect",
        "RedirectConfig": {"Host": "www.example.com", "StatusCode": "HTTP_301"},
    }
    (moved,) = _rules(templates["http_routing"])[5]["Actions"]
    assert moved == {
        "Type": "redirect",
        "RedirectConfig": {"Path": "/new", "StatusCode": "HTTP_301"},
    }


# --- Target groups of IP addresses and of a Lambda function -----------------------------------


@pytest.mark.fact("WEB-11")
def test_ip_target_group_holds_private_addresses_reached_only_by_its_rule(templates):
    template = templates["routing"]
    group_id, group = _one(template, TARGET_GROUP, TargetType="ip")
    assert props(group)["Port"] == options.IP_TARGET_PORT
    assert props(group)["HealthCheckPath"] == "/health"
    # Inside the VPC the AZ is the subnet's; on premises (over VPN / Direct Connect): "all".
    assert sorted(props(group)["Targets"], key=lambda t: t["Id"]) == [
        {"Id": options.IN_VPC_TARGET, "Port": options.IP_TARGET_PORT},
        {"AvailabilityZone": "all", "Id": options.ON_PREMISES_TARGET, "Port": 8080},
    ]
    assert _forwarded_to(template, group_id) == ["rule 20"]
    # The load balancer's group may reach exactly these addresses on that port.
    (alb,) = [r for r in resources(template, "AWS::EC2::SecurityGroup") if r.startswith("WebAlb")]
    egress = props(template["Resources"][alb])["SecurityGroupEgress"]
    assert sorted((e["CidrIp"], e["FromPort"], e["ToPort"]) for e in egress) == [
        (f"{options.IN_VPC_TARGET}/32", 8080, 8080),
        (f"{options.ON_PREMISES_TARGET}/32", 8080, 8080),
    ]


@pytest.mark.fact("WEB-12")
def test_lambda_target_group_invokes_the_function_only_for_that_target_group(templates):
    template = templates["routing"]
    group_id, group = _one(template, TARGET_GROUP, TargetType="lambda")
    assert props(group)["Targets"] == [{"Id": options.FUNCTION_ARN}]
    assert _forwarded_to(template, group_id) == ["rule 10"]
    permission_id, permission = _one(template, "AWS::Lambda::Permission")
    assert props(permission)["Principal"] == "elasticloadbalancing.amazonaws.com"
    assert props(permission)["Action"] == "lambda:InvokeFunction"
    assert props(permission)["FunctionName"] == options.FUNCTION_ARN
    # Only this target group (by its name; its ARN would be a cycle) of this account.
    name = props(group)["Name"]
    assert props(permission)["SourceArn"] == (
        f"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{name}/*"
    )
    assert props(permission)["SourceAccount"] == "123456789012"
    # The function is registered only once it may be invoked.
    assert permission_id in template["Resources"][group_id]["DependsOn"]


@pytest.mark.fact("WEB-10", "WEB-26")
def test_the_instances_target_group_is_the_default_and_a_rule_may_forward_to_it(templates):
    template = templates["routing"]
    group_id, _ = _one(template, TARGET_GROUP, TargetType="instance")
    assert sorted(_forwarded_to(template, group_id)) == ["listener 443", "rule 30"]
    _, asg = _one(template, "AWS::AutoScaling::AutoScalingGroup")
    assert [ref(arn) for arn in props(asg)["TargetGroupARNs"]] == [group_id]


# --- SNI: more certificates on the HTTPS listener ---------------------------------------------


@pytest.mark.fact("WEB-15")
def test_https_listener_serves_more_certificates_by_sni_and_keeps_its_default(templates):
    template = templates["routing"]
    https = _serving_listener(template, 443)
    assert props(template["Resources"][https])["Certificates"] == [{"CertificateArn": options.CERT}]
    extra = resources(template, "AWS::ElasticLoadBalancingV2::ListenerCertificate")
    assert {ref(props(c)["ListenerArn"]) for c in extra.values()} == {https}
    arns = sorted(
        certificate["CertificateArn"]
        for c in extra.values()
        for certificate in props(c)["Certificates"]
    )
    assert arns == sorted(options.SNI_CERTS) and options.CERT not in arns


# --- Cross-zone load balancing, per target group -----------------------------------------------


@pytest.mark.fact("WEB-23")
def test_cross_zone_load_balancing_can_be_turned_off_per_target_group(templates):
    template = templates["http_routing"]
    groups = resources(template, TARGET_GROUP)
    assert sorted(props(g)["TargetType"] for g in groups.values()) == ["instance", "ip"]
    for group in groups.values():
        attributes = {a["Key"]: a["Value"] for a in props(group)["TargetGroupAttributes"]}
        assert attributes["load_balancing.cross_zone.enabled"] == "false"
    (alb,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    assert all("cross_zone" not in a["Key"] for a in props(alb)["LoadBalancerAttributes"])


# --- Step scaling and predictive scaling ------------------------------------------------------


@pytest.mark.fact("WEB-30")
def test_step_scaling_adds_2_instances_above_70_percent_cpu_and_removes_1_below_30(templates):
    template = templates["scaling"]
    asg_id, _ = _one(template, "AWS::AutoScaling::AutoScalingGroup")
    steps = {}
    for alarm in resources(template, "AWS::CloudWatch::Alarm").values():
        alarm = props(alarm)
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
            "AWS/EC2",
            "CPUUtilization",
            "Average",
        )
        assert [(d["Name"], ref(d["Value"])) for d in alarm["Dimensions"]] == [
            ("AutoScalingGroupName", asg_id)
        ]
        (action,) = alarm["AlarmActions"]
        policy = props(template["Resources"][ref(action)])
        assert policy["PolicyType"] == "StepScaling"
        assert policy["AdjustmentType"] == "ChangeInCapacity"
        assert ref(policy["AutoScalingGroupName"]) == asg_id
        assert policy["EstimatedInstanceWarmup"] == 300
        steps[(alarm["ComparisonOperator"], alarm["Threshold"])] = policy["StepAdjustments"]
    assert steps == {
        ("GreaterThanThreshold", 70): [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 2}],
        ("LessThanThreshold", 30): [{"MetricIntervalUpperBound": 0, "ScalingAdjustment": -1}],
    }
    # Beside target tracking, not instead of it.
    _one(template, POLICY, PolicyType="TargetTrackingScaling")


@pytest.mark.fact("WEB-32")
@pytest.mark.parametrize(
    ("name", "mode", "target"),
    [("scaling", "ForecastAndScale", 40), ("forecast_only", "ForecastOnly", 50)],
)
def test_predictive_scaling_forecasts_cpu_toward_the_target_tracking_target(
    templates, name, mode, target
):
    template = templates[name]
    asg_id, _ = _one(template, "AWS::AutoScaling::AutoScalingGroup")
    _, tracking = _one(template, POLICY, PolicyType="TargetTrackingScaling")
    _, predictive = _one(template, POLICY, PolicyType="PredictiveScaling")
    assert ref(props(predictive)["AutoScalingGroupName"]) == asg_id
    config = props(predictive)["PredictiveScalingConfiguration"]
    assert config["Mode"] == mode
    assert config["MaxCapacityBreachBehavior"] == "HonorMaxCapacity"
    (metric,) = config["MetricSpecifications"]
    assert metric["PredefinedMetricPairSpecification"] == {
        "PredefinedMetricType": "ASGCPUUtilization"
    }
    assert metric["TargetValue"] == target
    assert props(tracking)["TargetTrackingConfiguration"]["TargetValue"] == target
