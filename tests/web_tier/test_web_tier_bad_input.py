"""Bad props are refused with a ValueError naming the prop and what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, Duration, Environment, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_

from constructs_lib.web_tier import FixedResponse, Redirect, RoutingRule, WebTier

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput")


@pytest.fixture()
def vpc(stack) -> ec2.IVpc:
    return ec2.Vpc(stack, "Vpc")


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"min_capacity": 3, "max_capacity": 2},
            r"min_capacity is 3; allowed: at most max_capacity \(2\)",
        ),
        ({"min_capacity": -1}, r"min_capacity is -1; allowed: 0 or more"),
        ({"max_capacity": 0, "min_capacity": 0}, r"max_capacity is 0; allowed: 1 or more"),
        (
            {"desired_capacity": 3},
            r"desired_capacity is 3; allowed: min_capacity to max_capacity \(1 to 2\)",
        ),
        (
            {"min_capacity": 2, "max_capacity": 4, "desired_capacity": 1},
            r"desired_capacity is 1; .*\(2 to 4\)",
        ),
        ({"cpu_target_percent": 0}, r"cpu_target_percent is 0; allowed: above 0 up to 100"),
        (
            {"cpu_target_percent": 100.5},
            r"cpu_target_percent is 100\.5; allowed: 0 to 100",
        ),
        ({"requests_per_target": 0}, r"requests_per_target is 0; allowed: 1 or more"),
        ({"peak_min_capacity": 3}, r"peak_min_capacity is 3; allowed: 1 to max_capacity \(2\)"),
        (
            {"health_check_path": "health"},
            r"health_check_path is 'health'; allowed: a URL path starting with '/'",
        ),
        ({"health_check_path": "/he alth"}, r"health_check_path is '/he alth'"),
        ({"certificate_arn": CERT, "https_port": 80}, r"https_port is 80, the same as http_port"),
        ({"certificate_arn": CERT, "http_port": 443}, r"https_port is 443, the same as http_port"),
        ({"http_port": 0}, r"http_port is 0; allowed: 1 to 65535"),
        ({"app_port": 70000}, r"app_port is 70000; allowed: 1 to 65535"),
        (
            {"certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"},
            r"certificate_arn is 'arn:aws:iam::.*/x'; allowed: an ACM certificate ARN",
        ),
        (
            {"certificate_arn": CERT + "x"},
            r"certificate_arn is .*; allowed: an ACM certificate ARN",
        ),
        (
            {"certificate_arn": "my-cert"},
            r"certificate_arn is 'my-cert'; allowed: an ACM certificate ARN",
        ),
        (
            {"ingress_cidr": "10.0.0.1/8"},
            r"ingress_cidr is '10\.0\.0\.1/8' .*; allowed: one CIDR block",
        ),
        (
            {"fixed_responses": {"ping": "pong"}},
            r"fixed_responses path is 'ping'; allowed: a path pattern starting with '/'",
        ),
        (
            {"fixed_responses": {f"/p{i}": "x" for i in range(11)}},
            r"fixed_responses has 11 paths; allowed: at most 10",
        ),
        (
            {"fixed_responses": {"/big": "x" * 1025}},
            r"fixed_responses\['/big'\] is 1025 bytes; allowed: a text of at most 1024 bytes",
        ),
        ({"fixed_responses": {"/n": 42}}, r"fixed_responses\['/n'\] is 42; allowed: a text"),
        ({"fixed_responses": "/ping"}, r"fixed_responses is '/ping'; allowed: a mapping"),
        ({"peak_min_capacity": 2, "peak_start": "every friday"}, r"peak_start is 'every friday'"),
        ({"peak_start": "0 17 * *"}, r"peak_start is '0 17 \* \*'; allowed: five-field Unix cron"),
        ({"peak_start": "0 25 * * FRI"}, r"peak_start is '0 25 \* \* FRI': its hour field '25'"),
        ({"peak_end": "61 23 * * FRI"}, r"peak_end is .*: its minute field '61' is not 0-59"),
        ({"peak_end": "0 23 * * FUNDAY"}, r"its day of week field 'FUNDAY'"),
        ({"peak_end": "0 23 * 13 *"}, r"its month field '13' is not 1-12"),
        ({"peak_start": "0 17 * * FRI *"}, r"peak_start is .*; allowed: five-field"),
        ({"peak_time_zone": "Mars/Olympus"}, r"peak_time_zone is 'Mars/Olympus'; allowed: an IANA"),
        ({"peak_time_zone": "UTC+2"}, r"peak_time_zone is 'UTC\+2'; allowed"),
        ({"peak_time_zone": ""}, r"peak_time_zone is ''; allowed"),
        ({"instance_type": "t4g.micro2"}, r"instance_type is 't4g\.micro2'; allowed: an EC2"),
        ({"instance_type": "micro"}, r"instance_type is 'micro'; allowed: an EC2 instance type"),
        ({"ingress_cidr": "::/0"}, r"ingress_cidr is '::/0', an IPv6 range; .*IPv4-only"),
        ({"ingress_cidr": "2001:db8::/32"}, r"ingress_cidr is '2001:db8::/32', an IPv6 range"),
        ({"ingress_cidr": "::ffff:0.0.0.0/96"}, r"ingress_cidr is .*an IPv4-mapped IPv6 range"),
        ({"ingress_cidr": "203.0.113.7"}, r"ingress_cidr is '203\.0\.113\.7'; allowed: one CIDR"),
        ({"instance_security_groups": "sg-123"}, r"instance_security_groups is 'sg-123'"),
    ],
)
def test_bad_props_raise_a_clear_value_error(stack, vpc, props, message):
    with pytest.raises(ValueError, match=message):
        WebTier(stack, "Web", vpc=vpc, **props)


def test_bad_props_are_refused_before_any_resource_is_created(stack, vpc):
    with pytest.raises(ValueError):
        WebTier(stack, "Web", vpc=vpc, min_capacity=5)
    assert stack.node.find_child("Web").node.children == []


def test_a_valid_acm_arn_in_another_partition_is_accepted(stack, vpc):
    arn = CERT.replace("arn:aws:", "arn:aws-us-gov:").replace("us-east-1", "us-gov-west-1")
    web = WebTier(stack, "Web", vpc=vpc, certificate_arn=arn, access_logs=False)
    assert web.redirect_listener is not None


def test_a_certificate_from_another_region_is_refused():
    stack = Stack(App(), "Pinned", env=Environment(account="123456789012", region="eu-west-1"))
    with pytest.raises(ValueError, match=r"certificate_arn is in us-east-1; allowed: .*eu-west-1"):
        WebTier(stack, "Web", vpc=ec2.Vpc(stack, "Vpc"), certificate_arn=CERT)


@pytest.mark.parametrize(
    ("start", "end", "zone"),
    [
        ("0 17 * * 5", "0 23 * * 5", "Europe/Berlin"),
        ("*/15 8-18 * JAN-MAR MON-FRI", "0 0 1 * *", "UTC"),
    ],
)
def test_valid_schedules_and_time_zones_are_accepted(stack, vpc, start, end, zone):
    WebTier(
        stack,
        "Web",
        vpc=vpc,
        peak_min_capacity=2,
        peak_start=start,
        peak_end=end,
        peak_time_zone=zone,
        access_logs=False,
    )


def test_deploy_time_values_pass_through_unchecked(stack, vpc):
    from aws_cdk import CfnParameter

    cert = CfnParameter(stack, "Cert").value_as_string
    zone = CfnParameter(stack, "Zone").value_as_string
    WebTier(
        stack,
        "Web",
        vpc=vpc,
        certificate_arn=cert,
        peak_min_capacity=2,
        peak_time_zone=zone,
        access_logs=False,
    )


@pytest.mark.fact("WEB-18")
@pytest.mark.parametrize(
    ("seconds", "message"),
    [
        (-1, r"deregistration_delay_seconds is -1; allowed: 0 to 3600 \(0 turns draining off\)"),
        (3601, r"deregistration_delay_seconds is 3601; allowed: 0 to 3600"),
        (30.5, r"deregistration_delay_seconds is 30\.5; allowed: a whole number, 0 to 3600"),
    ],
)
def test_deregistration_delay_outside_0_to_3600_seconds_is_refused(stack, vpc, seconds, message):
    with pytest.raises(ValueError, match=message):
        WebTier(stack, "Web", vpc=vpc, deregistration_delay_seconds=seconds)


@pytest.mark.fact("WEB-18")
@pytest.mark.parametrize("seconds", [0, 1, 3600])
def test_deregistration_delay_of_0_1_and_3600_seconds_is_accepted(stack, vpc, seconds):
    WebTier(stack, "Web", vpc=vpc, deregistration_delay_seconds=seconds, access_logs=False)


@pytest.mark.fact("WEB-20")
@pytest.mark.parametrize(
    ("duration", "message"),
    [
        (
            Duration.days(8),
            r"stickiness_duration is 691200 s; allowed: whole seconds, 1 s to 7 days",
        ),
        (
            Duration.seconds(604801),
            r"stickiness_duration is 604801 s; allowed: whole seconds, 1 s to 7 days",
        ),
        (Duration.millis(500), r"stickiness_duration is 0\.5 s; allowed: whole seconds"),
        (Duration.seconds(0), r"stickiness_duration is 0 s; allowed: whole seconds, 1 s"),
    ],
)
def test_stickiness_outside_1_second_to_7_days_is_refused(stack, vpc, duration, message):
    with pytest.raises(ValueError, match=message):
        WebTier(stack, "Web", vpc=vpc, stickiness_duration=duration)


@pytest.mark.fact("WEB-20")
@pytest.mark.parametrize("duration", [Duration.seconds(1), Duration.days(7)])
def test_stickiness_of_1_second_and_of_7_days_is_accepted(stack, vpc, duration):
    web = WebTier(stack, "Web", vpc=vpc, stickiness_duration=duration, access_logs=False)
    assert web.target_group is not None


def _rule(**fields) -> RoutingRule:
    return RoutingRule(
        **{"priority": 10, "path_patterns": ["/x"], "forward_to": "instances", **fields}
    )


@pytest.mark.fact("WEB-09")
@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"routing_rules": "rule"}, r"routing_rules is 'rule'; allowed: a list of RoutingRule"),
        ({"routing_rules": [{"priority": 1}]}, r"routing_rules\[0\] is .*; allowed: a RoutingRule"),
        (
            {"routing_rules": [_rule(priority=0)]},
            r"routing_rules\[0\]\.priority is 0; allowed: 1 to 50000",
        ),
        (
            {"routing_rules": [_rule(priority=50001)]},
            r"routing_rules\[0\]\.priority is 50001; allowed: 1 to 50000",
        ),
        (
            {"routing_rules": [_rule(), _rule(host_headers=["a.example.com"], path_patterns=())]},
            r"routing_rules\[1\]\.priority is 10, taken by routing_rules\[0\]",
        ),
        (
            {"fixed_responses": {"/ping": "pong"}, "routing_rules": [_rule(priority=1)]},
            r"routing_rules\[0\]\.priority is 1, taken by fixed_responses",
        ),
        (
            {"routing_rules": [_rule(path_patterns=())]},
            r"routing_rules\[0\] has no condition; allowed: at least one of path_patterns",
        ),
        (
            {"routing_rules": [_rule(forward_to=None)]},
            r"routing_rules\[0\] has 0 actions; allowed: exactly one of forward_to, "
            "fixed_response, redirect",
        ),
        (
            {"routing_rules": [_rule(fixed_response=FixedResponse())]},
            r"routing_rules\[0\] has 2 actions; allowed: exactly one",
        ),
        (
            {"routing_rules": [_rule(forward_to="elsewhere")]},
            r"routing_rules\[0\]\.forward_to is 'elsewhere'; allowed: one of 'instances', "
            "'ip_targets', 'lambda_target'",
        ),
        (
            {"routing_rules": [_rule(forward_to="ip_targets")]},
            r"routing_rules\[0\]\.forward_to is 'ip_targets', but the construct has no ip_targets",
        ),
        (
            {"routing_rules": [_rule(forward_to="lambda_target")]},
            r"forward_to is 'lambda_target', but the construct has no lambda_target",
        ),
        (
            {"routing_rules": [_rule(path_patterns=["/a", "/b", "/c", "/d"])]},
            r"routing_rules\[0\]\.path_patterns has 4 values; allowed: at most 3 per condition",
        ),
        (
            {
                "routing_rules": [
                    _rule(
                        path_patterns=["/a", "/b", "/c"],
                        host_headers=["a.example.com", "b.example.com", "c.example.com"],
                    )
                ]
            },
            r"routing_rules\[0\] has 6 condition values; allowed: at most 5 per rule",
        ),
        (
            {"routing_rules": [_rule(path_patterns=["api/*"])]},
            r"routing_rules\[0\]\.path_patterns is 'api/\*'; allowed: URL path patterns starting "
            "with '/'",
        ),
        (
            {"routing_rules": [_rule(path_patterns=["/" + "a" * 128])]},
            r"routing_rules\[0\]\.path_patterns value is 129 characters; allowed: 1 to 128",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), host_headers=["bad host"])]},
            r"routing_rules\[0\]\.host_headers is 'bad host'; allowed: host names",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), http_header=("X Bad", ["1"]))]},
            r"routing_rules\[0\]\.http_header name is 'X Bad'; allowed: an HTTP header name",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), http_header=("X-A" + "a" * 40, ["1"]))]},
            r"http_header name is 'X-Aa+'; allowed: an HTTP header name of 1 to 40 characters",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), http_header=("X-Canary", []))]},
            r"routing_rules\[0\]\.http_header has no values",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), http_header="X-Canary")]},
            r"routing_rules\[0\]\.http_header is 'X-Canary'; allowed: \(name, \[values\]\)",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), query_strings=[("a", "b")])]},
            r"routing_rules\[0\]\.query_strings is .*; allowed: a mapping of key -> value",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), query_strings={"a": "x y"})]},
            r"routing_rules\[0\]\.query_strings value is 'x y'; allowed: 1 to 128 characters",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), query_strings={"": "v"})]},
            r"routing_rules\[0\]\.query_strings key is ''",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), source_ips=["198.51.100.7"])]},
            r"routing_rules\[0\]\.source_ips is '198\.51\.100\.7'; allowed: one CIDR block",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), source_ips=["198.51.100.7/24"])]},
            r"routing_rules\[0\]\.source_ips is '198\.51\.100\.7/24' .*at a network address",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), source_ips=["2001:db8::/32"])]},
            r"routing_rules\[0\]\.source_ips has '2001:db8::/32', an IPv6 range; allowed: IPv4",
        ),
        (
            {"routing_rules": [_rule(path_patterns=(), source_ips="10.0.0.0/8")]},
            r"routing_rules\[0\]\.source_ips is '10\.0\.0\.0/8'; allowed: a list of IPv4 CIDR",
        ),
        (
            {
                "routing_rules": [
                    _rule(forward_to=None, fixed_response=FixedResponse(status_code=302))
                ]
            },
            r"fixed_response\.status_code is 302; allowed: a 2XX, 4XX or 5XX status",
        ),
        (
            {
                "routing_rules": [
                    _rule(forward_to=None, fixed_response=FixedResponse(status_code=99))
                ]
            },
            r"fixed_response\.status_code is 99; allowed: 200 to 599",
        ),
        (
            {
                "routing_rules": [
                    _rule(forward_to=None, fixed_response=FixedResponse(content_type="text/xml"))
                ]
            },
            r"fixed_response\.content_type is 'text/xml'; allowed: one of text/plain",
        ),
        (
            {
                "routing_rules": [
                    _rule(forward_to=None, fixed_response=FixedResponse(message_body="x" * 1025))
                ]
            },
            r"fixed_response\.message_body is 1025 bytes; allowed: a text of at most 1024 bytes",
        ),
        (
            {"routing_rules": [_rule(forward_to=None, fixed_response=(200, "ok"))]},
            r"routing_rules\[0\]\.fixed_response is \(200, 'ok'\); allowed: a FixedResponse",
        ),
        (
            {"routing_rules": [_rule(forward_to=None, redirect=Redirect())]},
            r"routing_rules\[0\]\.redirect changes nothing; allowed: a redirect with at least one",
        ),
        (
            {"routing_rules": [_rule(forward_to=None, redirect=Redirect(protocol="FTP"))]},
            r"redirect\.protocol is 'FTP'; allowed: 'HTTP' or 'HTTPS'",
        ),
        (
            {
                "certificate_arn": CERT,
                "routing_rules": [_rule(forward_to=None, redirect=Redirect(protocol="HTTP"))],
            },
            r"redirect\.protocol is 'HTTP' on the HTTPS listener; allowed: 'HTTPS' or None",
        ),
        (
            {"routing_rules": [_rule(forward_to=None, redirect=Redirect(protocol="HTTPS"))]},
            r"redirect\.port is None with protocol 'HTTPS' on the HTTP listener; allowed: the "
            "HTTPS port",
        ),
        (
            {"routing_rules": [_rule(forward_to=None, redirect=Redirect(port=0))]},
            r"redirect\.port is 0; allowed: 1 to 65535",
        ),
        (
            {"routing_rules": [_rule(forward_to=None, redirect=Redirect(path="new"))]},
            r"redirect\.path is 'new'; allowed: a path starting with '/'",
        ),
        (
            {"routing_rules": [_rule(forward_to=None, redirect=Redirect(host="a b"))]},
            r"redirect\.host is 'a b'; allowed: a host name",
        ),
        (
            {"routing_rules": [_rule(forward_to=None, redirect=Redirect(query="?a=1"))]},
            r"redirect\.query is '\?a=1'; allowed: a query without the leading '\?'",
        ),
        (
            {"routing_rules": [_rule(forward_to=None, redirect="https://example.com")]},
            r"routing_rules\[0\]\.redirect is 'https://example.com'; allowed: a Redirect",
        ),
    ],
)
def test_bad_routing_rules_are_refused_one_action_unique_priority_alb_limits(
    stack, vpc, props, message
):
    with pytest.raises(ValueError, match=message):
        WebTier(stack, "Web", vpc=vpc, **props)


@pytest.mark.fact("WEB-11")
@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"ip_targets": ["203.0.113.10"]},
            r"ip_targets has '203\.0\.113\.10'; allowed: a private IPv4 address \(10/8, "
            r"172\.16/12, 192\.168/16, 100\.64/10, or the VPC's range\)",
        ),
        ({"ip_targets": ["8.8.8.8"]}, r"ip_targets has '8\.8\.8\.8'; allowed: a private IPv4"),
        ({"ip_targets": ["10.0.0.0/24"]}, r"ip_targets has '10\.0\.0\.0/24'; allowed: a private"),
        ({"ip_targets": ["fd00::1"]}, r"ip_targets has 'fd00::1'; allowed: a private IPv4"),
        ({"ip_targets": ["server-1"]}, r"ip_targets has 'server-1'; allowed"),
        ({"ip_targets": "10.1.2.3"}, r"ip_targets is '10\.1\.2\.3'; allowed: a list of IPv4"),
        (
            {"ip_targets": ["10.1.2.3", "10.1.2.3"]},
            r"ip_targets has '10\.1\.2\.3' twice; allowed: each address once",
        ),
        ({"ip_targets": ["10.1.2.3"], "ip_target_port": 0}, r"ip_target_port is 0; allowed: 1 to"),
        (
            {"ip_targets": ["10.1.2.3"]},
            r"ip_targets is given but no routing rule forwards to it; allowed: add a "
            r"RoutingRule\(forward_to='ip_targets'",
        ),
    ],
)
def test_ip_targets_must_be_private_ipv4_addresses_reached_by_a_rule(stack, vpc, props, message):
    rules = [] if "routing rule" in message else [_rule(forward_to="ip_targets")]
    with pytest.raises(ValueError, match=message):
        WebTier(stack, "Web", vpc=vpc, routing_rules=rules, **props)


@pytest.mark.fact("WEB-11")
def test_an_ip_target_in_a_vpc_with_a_public_range_is_accepted():
    """IP targets may lie in the VPC's own range, even a non-RFC 1918 one, when it is known."""
    stack = Stack(App(), "PublicRange")
    vpc = ec2.Vpc(stack, "Vpc", ip_addresses=ec2.IpAddresses.cidr("198.18.0.0/16"))
    web = WebTier(
        stack,
        "Web",
        vpc=vpc,
        ip_targets=["198.18.200.5"],
        routing_rules=[_rule(forward_to="ip_targets")],
        access_logs=False,
    )
    assert web.ip_target_group is not None
    with pytest.raises(ValueError, match=r"allowed: a private IPv4 address .*or the VPC's range"):
        WebTier(
            stack,
            "Web2",
            vpc=vpc,
            ip_targets=["198.19.0.5"],
            routing_rules=[_rule(forward_to="ip_targets")],
        )


@pytest.mark.fact("WEB-12")
@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"lambda_target": "arn:aws:lambda:us-east-1:123456789012:function:f"},
            r"lambda_target is 'arn:aws:lambda:.*'; allowed: an aws_lambda\.IFunction",
        ),
        (
            {"lambda_target": "function"},
            r"lambda_target is given but no routing rule forwards to it",
        ),
    ],
)
def test_a_lambda_target_is_a_function_reached_by_a_rule(stack, vpc, props, message):
    rules = [] if "routing rule" in message else [_rule(forward_to="lambda_target")]
    if props["lambda_target"] == "function":
        props = {"lambda_target": _function(stack)}
    with pytest.raises(ValueError, match=message):
        WebTier(stack, "Web", vpc=vpc, routing_rules=rules, **props)


def _function(stack: Stack) -> lambda_.IFunction:
    return lambda_.Function.from_function_arn(
        stack, "Fn", "arn:aws:lambda:us-east-1:123456789012:function:f"
    )


def _certificate(stack: Stack, arn: str, name: str = "Sni") -> acm.ICertificate:
    return acm.Certificate.from_certificate_arn(stack, name, arn)


SNI = "arn:aws:acm:us-east-1:123456789012:certificate/22222222-2222-2222-2222-222222222222"


@pytest.mark.fact("WEB-15")
def test_sni_certificates_need_the_default_certificate(stack, vpc):
    with pytest.raises(
        ValueError,
        match=r"additional_certificates is given without certificate_arn; allowed: only with "
        r"certificate_arn",
    ):
        WebTier(stack, "Web", vpc=vpc, additional_certificates=[_certificate(stack, SNI)])


@pytest.mark.fact("WEB-15")
@pytest.mark.parametrize(
    ("certificates", "message"),
    [
        ("sni", r"additional_certificates is 'sni'; allowed: a list of certificatemanager"),
        ([SNI], r"additional_certificates\[0\] is '.*'; allowed: a certificatemanager\.ICert"),
        ("again", r"additional_certificates\[1\] is '.*' again; allowed: each certificate once"),
        ("default", r"additional_certificates\[0\] is '.*' again; allowed: .*none of them"),
        ("iam", r"additional_certificates\[0\] is 'arn:aws:iam::.*'; allowed: an ACM certificate"),
    ],
)
def test_bad_sni_certificates_are_refused(stack, vpc, certificates, message):
    if certificates == "again":
        certificates = [_certificate(stack, SNI, "A"), _certificate(stack, SNI, "B")]
    elif certificates == "default":
        certificates = [_certificate(stack, CERT)]
    elif certificates == "iam":
        certificates = [_certificate(stack, "arn:aws:iam::123456789012:server-certificate/x")]
    with pytest.raises(ValueError, match=message):
        WebTier(stack, "Web", vpc=vpc, certificate_arn=CERT, additional_certificates=certificates)


def test_an_sni_certificate_from_another_region_is_refused():
    stack = Stack(App(), "Pinned", env=Environment(account="123456789012", region="eu-west-1"))
    cert = CERT.replace("us-east-1", "eu-west-1")
    with pytest.raises(
        ValueError, match=r"additional_certificates\[0\] is in us-east-1; allowed: .*eu-west-1"
    ):
        WebTier(
            stack,
            "Web",
            vpc=ec2.Vpc(stack, "Vpc"),
            certificate_arn=cert,
            additional_certificates=[_certificate(stack, SNI)],
        )


@pytest.mark.fact("WEB-30")
@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ((70, 30), r"cpu_step_scaling is \(70, 30\); allowed: 0 < low < high < 100"),
        ((0, 70), r"cpu_step_scaling is \(0, 70\); allowed: 0 < low < high < 100"),
        ((30, 100), r"cpu_step_scaling is \(30, 100\); allowed: 0 < low < high < 100"),
        ((50, 50), r"cpu_step_scaling is \(50, 50\); allowed"),
        ((30, 170), r"cpu_step_scaling high is 170; allowed: 0 to 100"),
        ((30,), r"cpu_step_scaling is \(30,\); allowed: \(low, high\) percentages"),
        (70, r"cpu_step_scaling is 70; allowed: \(low, high\) percentages"),
        (("30", 70), r"cpu_step_scaling low is '30'; allowed: a number"),
    ],
)
def test_step_scaling_needs_0_below_low_below_high_below_100(stack, vpc, thresholds, message):
    with pytest.raises(ValueError, match=message):
        WebTier(stack, "Web", vpc=vpc, cpu_step_scaling=thresholds)


@pytest.mark.fact("WEB-32")
@pytest.mark.parametrize("mode", ["ForecastOnly", "forecast", True])
def test_predictive_scaling_is_forecast_only_or_forecast_and_scale(stack, vpc, mode):
    with pytest.raises(
        ValueError,
        match=r"predictive_scaling is .*; allowed: None, 'forecast_only' or 'forecast_and_scale'",
    ):
        WebTier(stack, "Web", vpc=vpc, predictive_scaling=mode)


@pytest.mark.fact("WEB-23")
def test_cross_zone_is_a_bool(stack, vpc):
    with pytest.raises(ValueError, match=r"cross_zone is 'off'; allowed: True or False"):
        WebTier(stack, "Web", vpc=vpc, cross_zone="off")


def test_new_options_are_refused_before_any_resource_is_created(stack, vpc):
    with pytest.raises(ValueError):
        WebTier(stack, "Web", vpc=vpc, routing_rules=[_rule(priority=0)])
    assert stack.node.find_child("Web").node.children == []


def test_deploy_time_values_in_the_new_options_pass_through_unchecked(stack, vpc):
    from aws_cdk import CfnParameter

    priority = CfnParameter(stack, "Priority", type="Number").value_as_number
    address = CfnParameter(stack, "Address").value_as_string
    low = CfnParameter(stack, "Low", type="Number").value_as_number
    WebTier(
        stack,
        "Web",
        vpc=vpc,
        routing_rules=[_rule(priority=priority, forward_to="ip_targets")],
        ip_targets=[address],
        cpu_step_scaling=(low, 70),
        access_logs=False,
    )


def test_user_data_that_is_not_ec2_user_data_is_refused(stack, vpc):
    with pytest.raises(ValueError, match=r"user_data is 'echo hi'; allowed: an aws_ec2\.UserData"):
        WebTier(stack, "Web", vpc=vpc, user_data="echo hi")
