"""Bad props are refused with a ValueError naming the prop and what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_route53 as route53

from constructs_lib.static_site import StaticSite

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
DOMAIN = {"domain_name": "www.example.com", "certificate_arn": CERTIFICATE}


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput")


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"origin_access": "public"}, r"origin_access is 'public'; allowed: oai, oac"),
        ({"origin_access": "OAC"}, r"origin_access is 'OAC'; allowed: oai, oac"),
        (
            {"price_class": "PriceClass_300"},
            r"price_class is 'PriceClass_300'; allowed: PriceClass_100, PriceClass_200, "
            r"PriceClass_All",
        ),
        ({"price_class": "PRICE_CLASS_ALL"}, r"price_class is 'PRICE_CLASS_ALL'; allowed"),
        ({"geo_allowlist": ["de"]}, r"geo_allowlist contains 'de'; allowed: ISO 3166-1 alpha-2"),
        ({"geo_allowlist": ["DEU"]}, r"geo_allowlist contains 'DEU'; allowed: ISO 3166-1"),
        ({"geo_denylist": ["U1"]}, r"geo_denylist contains 'U1'; allowed: ISO 3166-1"),
        ({"geo_denylist": []}, r"geo_denylist is empty; allowed: one or more country codes"),
        (
            {"geo_allowlist": ["DE"], "geo_denylist": ["KP"]},
            r"geo_allowlist and geo_denylist are both set; allowed: one of them",
        ),
        (
            {"domain_name": "www.example.com"},
            r"domain_name is 'www\.example\.com' but certificate_arn is None; allowed: both",
        ),
        (
            {"certificate_arn": CERTIFICATE},
            r"certificate_arn is set but domain_name is None; allowed: both or neither",
        ),
        (
            {**DOMAIN, "certificate_arn": CERTIFICATE.replace("us-east-1", "eu-west-1")},
            r"certificate_arn is in eu-west-1; allowed: a certificate in us-east-1",
        ),
        (
            {**DOMAIN, "certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"},
            r"certificate_arn is 'arn:aws:iam::.*'; allowed: an ACM certificate ARN",
        ),
        (
            {**DOMAIN, "domain_name": "WWW.Example.com"},
            r"domain_name is 'WWW\.Example\.com'; allowed: a lowercase DNS name",
        ),
        (
            {"web_acl_arn": "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/0a1b"},
            r"web_acl_arn is .*; allowed: the ARN of a WAFv2 web ACL with scope CLOUDFRONT",
        ),
        (
            {"access_log_retention_days": 0},
            r"access_log_retention_days is 0; allowed: 1 or more",
        ),
        ({"error_page": "404.html"}, r"error_page is '404\.html'; allowed: a file in content_path"),
        ({"content_path": "/nonexistent"}, r"content_path is '/nonexistent'; allowed: a folder"),
    ],
)
def test_bad_props_raise_a_clear_value_error(stack, props, message):
    with pytest.raises(ValueError, match=message):
        StaticSite(stack, "Site", **props)


def test_hosted_zone_needs_a_domain_in_it(stack):
    zone = route53.HostedZone.from_hosted_zone_attributes(
        stack, "Zone", hosted_zone_id="Z0123456789ABCDEFGHIJ", zone_name="example.com"
    )
    with pytest.raises(ValueError, match=r"hosted_zone is set but domain_name is None"):
        StaticSite(stack, "NoDomain", hosted_zone=zone)
    with pytest.raises(ValueError, match=r"allowed: a name in the hosted zone 'example\.com'"):
        StaticSite(
            stack,
            "OtherZone",
            hosted_zone=zone,
            domain_name="www.example.org",
            certificate_arn=CERTIFICATE,
        )


def test_bad_props_are_refused_before_any_resource_is_created(stack):
    with pytest.raises(ValueError):
        StaticSite(stack, "Site", origin_access="s3-website")
    assert [child.node.id for child in stack.node.children] == ["Site"]
    assert stack.node.find_child("Site").node.children == []
