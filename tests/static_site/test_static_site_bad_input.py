"""Bad props are refused with a ValueError naming the prop and what is allowed, before synth."""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnParameter, Duration, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3

from constructs_lib.static_site import StaticSite
from stacks.profiles import profile_named
from stacks.static_site_stack import StaticSiteStack
from tests.conftest import PINNED_ENV, cdk_context
from tests.static_site.options import SIGNING_KEY

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
DOMAIN = {"domain_name": "www.example.com", "certificate_arn": CERTIFICATE}
ACL_ID = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
CLOUDFRONT_ACL = f"arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/{ACL_ID}"
REGIONAL_ACL = f"arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/{ACL_ID}"
ERROR_PAGE_ALLOWED = r"allowed: a file in content_path \(.*\) named by a path relative to it"
PEM = SIGNING_KEY.read_text()
# Throwaway public keys (private halves discarded): sizes and curves CloudFront refuses or takes.
RSA_1024 = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDmN4vYR4A1NuQ0yuDyvvyDQg7K
L9IqaczlxvPzS6Gmyap+2X15VppdPGbpsPcl+GRzn7lV8R0qkbM+o4Wn2EASGCeA
XEen/tJ5/dPyLmMT5lrMbXMZPaWDr9jAsGZHmBKgqxOVOL3COWqQInHOIHX1/eqr
LKDrVtd4U7jodDq90wIDAQAB
-----END PUBLIC KEY-----
"""
EC_P256 = """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsY/mhycg5QizCUCV2Gs3UBQBt746
ZxWUT/7HC8A9PsEMeZQQ9cYOKUueVieKiNBP5WS0yd5cDJTudowbNkm8kQ==
-----END PUBLIC KEY-----
"""
EC_P384 = """-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEogxUhUpjJbB7Gv/EnH///GXadaEim7as
J/9vwMoifbkUQ9hEsJ8BncjrKSaxk7eRccS/VQlu42kXYBEO/AlokmSqDwV/ZDBD
6cc7DSW+VYPcgQsCaXFNTn2+kKIKDwQs
-----END PUBLIC KEY-----
"""
SIGNED = {"signed_paths": ["/private/*"], "signing_public_key_pem": PEM}
PATTERN_ALLOWED = r"allowed: a CloudFront path pattern such as '/assets/\*'"
PEM_ALLOWED = r"allowed: a PEM public key, '-----BEGIN PUBLIC KEY-----'"
TTL_ALLOWED = r"allowed: a Duration from 0 seconds to 365 days, in whole seconds"


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "BadInput")


@pytest.mark.fact("SITE-31", "SITE-39", "SITE-43")
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
            {"web_acl_arn": REGIONAL_ACL},
            r"web_acl_arn is '.*:regional/webacl/api/.*', a web ACL with scope REGIONAL "
            r"\(regional/webacl\), which CloudFront cannot use; allowed: the ARN of a WAFv2 web "
            r"ACL with scope CLOUDFRONT .*: create the web ACL with scope CLOUDFRONT, in us-east-1",
        ),
        (
            {"web_acl_arn": CLOUDFRONT_ACL.replace("us-east-1", "eu-west-1")},
            r"web_acl_arn is in eu-west-1; allowed: the ARN of a WAFv2 web ACL with scope "
            r"CLOUDFRONT .*\(CLOUDFRONT-scope web ACLs live in us-east-1\)",
        ),
        (
            {"web_acl_arn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/a/0a1b"},
            r"web_acl_arn is .*; allowed: the ARN of a WAFv2 web ACL with scope CLOUDFRONT",
        ),
        ({"web_acl_arn": ""}, r"web_acl_arn is ''; allowed: the ARN of a WAFv2 web ACL"),
        (
            {"access_log_retention_days": 0},
            r"access_log_retention_days is 0; allowed: 1 or more",
        ),
        (
            {"access_log_retention_days": "365"},
            r"access_log_retention_days is '365'; allowed: a whole number, 1 or more",
        ),
        (
            {"access_log_retention_days": 1.5},
            r"access_log_retention_days is 1\.5; allowed: a whole number, 1 or more",
        ),
        (
            {"geo_allowlist": "DE"},
            r"geo_allowlist is 'DE'; allowed: a list of ISO 3166-1 alpha-2 country codes",
        ),
        (
            {"geo_denylist": "KP"},
            r"geo_denylist is 'KP'; allowed: a list of ISO 3166-1 alpha-2 country codes",
        ),
        (
            {"geo_allowlist": {"DE", "FR"}},
            r"geo_allowlist is \{.*\}; allowed: a list of ISO 3166-1 alpha-2 country codes",
        ),
        (
            {"geo_denylist": ["KP", 1]},
            r"geo_denylist contains 1; allowed: a list of ISO 3166-1 alpha-2 country codes",
        ),
        (
            {**DOMAIN, "domain_name": 42},
            r"domain_name is 42; allowed: a lowercase DNS name",
        ),
        (
            {"error_page": "404.html"},
            r"error_page is '404\.html', not a file; " + ERROR_PAGE_ALLOWED,
        ),
        ({"error_page": ""}, r"error_page is ''; " + ERROR_PAGE_ALLOWED),
        ({"error_page": None}, r"error_page is None; " + ERROR_PAGE_ALLOWED),
        (
            {"error_page": "/error.html"},
            r"error_page is '/error\.html', an absolute path; " + ERROR_PAGE_ALLOWED,
        ),
        (
            {"error_page": "/etc/passwd"},
            r"error_page is '/etc/passwd', an absolute path; " + ERROR_PAGE_ALLOWED,
        ),
        (
            {"error_page": "../static_site_runtime/error.html"},
            r"error_page is '\.\./static_site_runtime/error\.html', with an empty, '\.' or "
            r"'\.\.' segment; " + ERROR_PAGE_ALLOWED,
        ),
        (
            {"error_page": "sub/../error.html"},
            r"error_page is 'sub/\.\./error\.html', with an empty, '\.' or '\.\.' segment",
        ),
        (
            {"error_page": "./error.html"},
            r"error_page is '\./error\.html', with an empty, '\.' or '\.\.' segment",
        ),
        (
            {"error_page": "..\\error.html"},
            r"error_page is '\.\.\\\\error\.html', with an empty, '\.' or '\.\.' segment",
        ),
        ({"error_page": "errors/"}, r"error_page is 'errors/', with an empty, '\.' or '\.\.'"),
        ({"content_path": "/nonexistent"}, r"content_path is '/nonexistent'; allowed: a folder"),
        (
            {"failover_bucket": "site-replica"},
            r"failover_bucket is 'site-replica'; allowed: an s3.IBucket \(a Bucket of this stack, "
            r"or one imported with s3.Bucket.from_bucket_attributes\), or None",
        ),
        (
            {"path_cache_ttls": "/assets/*"},
            r"path_cache_ttls is '/assets/\*'; allowed: a mapping of path pattern to Duration",
        ),
        (
            {"path_cache_ttls": [("/assets/*", Duration.days(1))]},
            r"path_cache_ttls is \[.*\]; allowed: a mapping of path pattern to Duration",
        ),
        (
            {"path_cache_ttls": {"": Duration.days(1)}},
            r"path_cache_ttls contains ''; " + PATTERN_ALLOWED,
        ),
        (
            {"path_cache_ttls": {"/a b/*": Duration.days(1)}},
            r"path_cache_ttls contains '/a b/\*'; " + PATTERN_ALLOWED,
        ),
        (
            {"path_cache_ttls": {"/" + "a" * 255: Duration.days(1)}},
            r"path_cache_ttls contains '/a{255}'; " + PATTERN_ALLOWED,
        ),
        (
            {"path_cache_ttls": {"*": Duration.days(1)}},
            r"path_cache_ttls contains '\*', the default behaviour's pattern; " + PATTERN_ALLOWED,
        ),
        (
            {"path_cache_ttls": {"/*": Duration.days(1)}},
            r"path_cache_ttls contains '/\*', the default behaviour's pattern",
        ),
        (
            {"path_cache_ttls": {42: Duration.days(1)}},
            r"path_cache_ttls contains 42; " + PATTERN_ALLOWED,
        ),
        (
            {"path_cache_ttls": {"/assets/*": 86400}},
            r"path_cache_ttls\['/assets/\*'\] is 86400; " + TTL_ALLOWED,
        ),
        (
            {"path_cache_ttls": {"/assets/*": Duration.days(366)}},
            r"path_cache_ttls\['/assets/\*'\] is 366 days; " + TTL_ALLOWED,
        ),
        (
            {"path_cache_ttls": {"/assets/*": Duration.millis(1500)}},
            r"path_cache_ttls\['/assets/\*'\] is 1 second 500 millis; " + TTL_ALLOWED,
        ),
        (
            {"path_cache_ttls": {"/assets/*": Duration.days(1), "assets/*": Duration.days(2)}},
            r"path_cache_ttls repeats the path pattern 'assets/\*' \(already in path_cache_ttls; a "
            r"leading '/' makes no difference\); allowed: each pattern once",
        ),
        (
            {**SIGNED, "path_cache_ttls": {"private/*": Duration.days(1)}},
            r"path_cache_ttls repeats the path pattern 'private/\*' \(already in signed_paths",
        ),
        (
            {"path_cache_ttls": {f"/p{n}/*": Duration.days(1) for n in range(26)}},
            r"signed_paths and path_cache_ttls make 26 behaviours; allowed: at most 25 together",
        ),
        (
            {
                **SIGNED,
                "signed_paths": [f"/s{n}/*" for n in range(5)],
                "path_cache_ttls": {f"/p{n}/*": Duration.days(1) for n in range(21)},
            },
            r"signed_paths and path_cache_ttls make 26 behaviours; allowed: at most 25 together",
        ),
        (
            {"signed_paths": ["/private/*"]},
            r"signed_paths is \['/private/\*'\] but signing_public_key_pem is None; allowed: both "
            r"or neither",
        ),
        (
            {"signing_public_key_pem": PEM},
            r"signing_public_key_pem is set but signed_paths is empty; allowed: both or neither",
        ),
        (
            {**SIGNED, "signed_paths": "/private/*"},
            r"signed_paths is '/private/\*'; allowed: a list of CloudFront path patterns",
        ),
        ({**SIGNED, "signed_paths": ["*"]}, r"signed_paths contains '\*', the default behaviour's"),
        (
            {**SIGNED, "signed_paths": ["/private/*", "private/*"]},
            r"signed_paths repeats the path pattern 'private/\*' \(already in signed_paths",
        ),
        (
            {**SIGNED, "signing_public_key_pem": "-----BEGIN PRIVATE KEY-----\nMIIE\n"},
            r"signing_public_key_pem is a private key; allowed: only its public half",
        ),
        (
            {**SIGNED, "signing_public_key_pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"},
            r"signing_public_key_pem is a private key",
        ),
        (
            {**SIGNED, "signing_public_key_pem": PEM.replace("PUBLIC KEY", "RSA PUBLIC KEY")},
            r"signing_public_key_pem has no PUBLIC KEY armour; " + PEM_ALLOWED,
        ),
        (
            {**SIGNED, "signing_public_key_pem": PEM.splitlines()[1]},
            r"signing_public_key_pem has no PUBLIC KEY armour; " + PEM_ALLOWED,
        ),
        (
            {**SIGNED, "signing_public_key_pem": PEM.replace("A", "!", 1)},
            r"signing_public_key_pem is not a readable public key \(.*\); " + PEM_ALLOWED,
        ),
        (
            {**SIGNED, "signing_public_key_pem": PEM.replace("MIIB", "MIIBA", 1)},
            r"signing_public_key_pem is not a readable public key \(.*\); " + PEM_ALLOWED,
        ),
        (
            {
                **SIGNED,
                "signing_public_key_pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n"
                "-----END PUBLIC KEY-----\n",
            },
            r"signing_public_key_pem is not a readable public key",
        ),
        (
            {**SIGNED, "signing_public_key_pem": RSA_1024},
            r"signing_public_key_pem is RSA 1024; " + PEM_ALLOWED + r".*RSA 2048 or ECDSA P-256",
        ),
        (
            {**SIGNED, "signing_public_key_pem": EC_P384},
            r"signing_public_key_pem is ECDSA \(not P-256\); " + PEM_ALLOWED,
        ),
        ({**SIGNED, "signing_public_key_pem": 42}, r"signing_public_key_pem is 42; " + PEM_ALLOWED),
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


def test_an_error_page_linked_to_a_file_outside_content_path_is_refused(stack, tmp_path):
    content = tmp_path / "site"
    content.mkdir()
    (content / "index.html").write_text("<h1>home</h1>")
    secret = tmp_path / "secret.html"
    secret.write_text("not for the bucket")
    (content / "error.html").symlink_to(secret)
    with pytest.raises(
        ValueError,
        match=r"error_page is 'error\.html', outside content_path; " + ERROR_PAGE_ALLOWED,
    ):
        StaticSite(stack, "Site", content_path=content)
    assert stack.node.find_child("Site").node.children == []


def test_an_error_page_that_is_a_folder_is_refused(stack, tmp_path):
    content = tmp_path / "site"
    (content / "errors").mkdir(parents=True)
    (content / "index.html").write_text("<h1>home</h1>")
    with pytest.raises(ValueError, match=r"error_page is 'errors', not a file; "):
        StaticSite(stack, "Site", content_path=content, error_page="errors")


def test_a_single_page_app_needs_no_error_page(stack, tmp_path):
    content = tmp_path / "spa"
    content.mkdir()
    (content / "index.html").write_text("<div id=app></div>")
    site = StaticSite(stack, "Site", content_path=content, single_page_app=True, error_page="")
    assert site.distribution is not None


@pytest.mark.parametrize(
    "props",
    [
        {"geo_allowlist": "DE"},
        {"web_acl_arn": REGIONAL_ACL},
        {"access_log_retention_days": "365"},
        {"error_page": "../error.html"},
        {"failover_bucket": "site-replica"},
        {"path_cache_ttls": {"/assets/*": Duration.days(366)}},
        {"signed_paths": ["/private/*"]},
        {**SIGNED, "signing_public_key_pem": RSA_1024},
    ],
)
def test_new_checks_also_refuse_before_any_resource_is_created(stack, props):
    with pytest.raises(ValueError):
        StaticSite(stack, "Site", **props)
    assert [child.node.id for child in stack.node.children] == ["Site"]
    assert stack.node.find_child("Site").node.children == []


@pytest.mark.parametrize("profile", ["sandbox", "production"])
@pytest.mark.parametrize(
    ("context", "message"),
    [
        (
            {"site_domain": "WWW.Example.com"},
            r"site_domain is 'WWW\.Example\.com'; allowed: a lowercase DNS name",
        ),
        ({"site_domain": "localhost"}, r"site_domain is 'localhost'; allowed: a lowercase DNS"),
        ({"site_domain": ""}, r"site_domain is ''; allowed: a lowercase DNS name"),
        (
            {"site_domain": ".".join(["a" * 63] * 4) + ".com"},  # 259 characters, each label valid
            r"site_domain is '(a{63}\.){4}com'; allowed: a lowercase DNS name of at most 253",
        ),
        (
            {"site_certificate_arn": CERTIFICATE.replace("us-east-1", "eu-west-1")},
            r"site_certificate_arn is 'arn:aws:acm:eu-west-1:.*'; allowed: an ACM certificate "
            r"ARN in us-east-1",
        ),
        (
            {"site_certificate_arn": "arn:aws:iam::123456789012:server-certificate/site"},
            r"site_certificate_arn is 'arn:aws:iam::.*'; allowed: an ACM certificate ARN in us-e",
        ),
    ],
)
def test_an_invalid_context_value_raises_naming_the_key(profile, context, message):
    good = {"site_domain": "www.example.com", "site_certificate_arn": CERTIFICATE}
    app = App(context=cdk_context(profile, **{**good, **context}))
    with pytest.raises(ValueError, match=message):
        StaticSiteStack(app, "StaticSite", profile=profile_named(profile), env=PINNED_ENV)


@pytest.mark.parametrize(
    ("context", "missing"),
    [
        ({"site_domain": "www.example.com"}, "site_certificate_arn"),
        ({"site_certificate_arn": CERTIFICATE}, "site_domain"),
    ],
)
def test_one_context_key_without_the_other_is_refused(context, missing):
    app = App(context=cdk_context("production", **context))
    with pytest.raises(
        ValueError, match=rf"{missing} is not set but .* is; allowed: both context keys"
    ):
        StaticSiteStack(app, "StaticSite", profile=profile_named("production"), env=PINNED_ENV)


def test_an_invalid_context_value_is_refused_before_any_resource_is_created():
    app = App(context=cdk_context("production", site_domain="x", site_certificate_arn=CERTIFICATE))
    with pytest.raises(ValueError, match=r"site_domain is 'x'"):
        StaticSiteStack(app, "StaticSite", profile=profile_named("production"), env=PINNED_ENV)
    assert app.node.find_child("StaticSite").node.children == []


@pytest.mark.fact("SITE-37")
def test_a_failover_bucket_of_another_stack_is_refused(stack):
    other = Stack(stack.node.root, "Storage")
    bucket = s3.Bucket(other, "Replica")
    with pytest.raises(
        ValueError,
        match=r"failover_bucket is 'Storage/Replica', a Bucket of another stack; allowed: a "
        r"Bucket of this stack, or the bucket imported into this stack",
    ):
        StaticSite(stack, "Site", failover_bucket=bucket)
    assert stack.node.find_child("Site").node.children == []


@pytest.mark.fact("SITE-16")
@pytest.mark.parametrize("imported", [False, True])
def test_a_kms_encrypted_failover_bucket_is_refused_for_an_origin_access_identity(stack, imported):
    if imported:
        key = kms.Key.from_key_arn(
            stack,
            "Key",
            "arn:aws:kms:us-west-2:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        )
        bucket = s3.Bucket.from_bucket_attributes(
            stack, "Replica", bucket_name="site-replica", encryption_key=key
        )
    else:
        bucket = s3.Bucket(stack, "Replica", encryption=s3.BucketEncryption.KMS)
    with pytest.raises(
        ValueError,
        match=r"failover_bucket is encrypted with a KMS key, which an origin access identity "
        r"cannot read; allowed: an SSE-S3 bucket, or origin_access='oac'",
    ):
        StaticSite(stack, "Site", failover_bucket=bucket)
    # an origin access control signs with SigV4 and can read it (given the key policy)
    site = StaticSite(stack, "Oac", origin_access="oac", failover_bucket=bucket)
    assert site.failover_bucket is bucket


@pytest.mark.fact("SITE-43")
def test_an_ecdsa_p256_key_and_tokens_pass(stack):
    site = StaticSite(stack, "Ec", signed_paths=["/private/*"], signing_public_key_pem=EC_P256)
    assert site.public_key is not None and site.key_group is not None
    key = CfnParameter(stack, "SigningKey").value_as_string
    ttl = Duration.seconds(CfnParameter(stack, "Ttl", type="Number").value_as_number)
    site = StaticSite(
        stack,
        "Tokens",
        signed_paths=["/private/*"],
        signing_public_key_pem=key,
        path_cache_ttls={"/assets/*": ttl},
    )
    assert site.key_group is not None


@pytest.mark.fact("SITE-39")
def test_twenty_five_behaviours_and_a_zero_ttl_are_accepted(stack):
    site = StaticSite(
        stack,
        "Site",
        signed_paths=[f"/s{n}/*" for n in range(5)],
        signing_public_key_pem=PEM,
        path_cache_ttls={
            **{f"/p{n}/*": Duration.days(365) for n in range(19)},
            "/feed.xml": Duration.seconds(0),
        },
    )
    assert site.key_group is not None
