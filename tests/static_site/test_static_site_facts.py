"""The facts the static site exists for (FACTS.md section 4), asserted on the templates."""

from __future__ import annotations

import fnmatch
import re

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from constructs_lib.static_site import SAMPLE_SITE, StaticSite
from stacks.catalog import add_stacks
from tests.conftest import PINNED_ENV, cdk_context
from tests.static_site.options import CERTIFICATE, TEMPLATES, WEB_ACL
from tests.template_queries import cdk_path, nag_failures, props, ref, resources, under
from tests.test_compliance import acknowledgements

STACKS = ("StaticSite", "StaticSiteOac")
MODES = {"StaticSite": "oai", "StaticSiteOac": "oac"}
BOTH = [(stack, profile) for stack in STACKS for profile in ("sandbox", "production")]
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


@pytest.fixture(scope="module")
def variants() -> dict:
    """One extra synthesis holding the construct options the stacks don't use (stack
    ``Variants``: a single-page app ``Spa`` and a custom-domain ``Custom``), the template
    ``options:site_variants`` of tests/static_site/options.py."""
    return TEMPLATES["site_variants"]()


def _template(synthesized, stack: str, profile: str) -> dict:
    return synthesized(profile).template(stack)


def _distribution(template: dict) -> dict:
    (distribution,) = resources(template, "AWS::CloudFront::Distribution").values()
    return props(distribution)["DistributionConfig"]


def _site_bucket_id(template: dict) -> str:
    (origin,) = _distribution(template)["Origins"]
    return ref(origin["DomainName"])


def _bucket_policy(template: dict, bucket_id: str) -> list[dict]:
    (policy,) = [
        props(policy)
        for policy in resources(template, "AWS::S3::BucketPolicy").values()
        if ref(props(policy)["Bucket"]) == bucket_id
    ]
    return policy["PolicyDocument"]["Statement"]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _bucket_of(resource) -> str | None:
    """The bucket logical id an ARN resource (``bucket`` or ``bucket/*``) points at."""
    if isinstance(resource, dict) and "Fn::Join" in resource:
        return ref(resource["Fn::Join"][1][0])
    return ref(resource)


def _grants(statement: dict, action: str) -> bool:
    return statement["Effect"] == "Allow" and any(
        fnmatch.fnmatchcase(action, pattern) for pattern in _as_list(statement["Action"])
    )


@pytest.mark.fact("SITE-01", "SITE-02", "SITE-13", "SITE-15")
@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_only_the_distribution_can_read_the_bucket(synthesized, stack, profile):
    template = _template(synthesized, stack, profile)
    statements = _bucket_policy(template, _site_bucket_id(template))
    (reader,) = [s for s in statements if _grants(s, "s3:GetObject")]
    assert "Condition" not in reader or MODES[stack] == "oac"
    if MODES[stack] == "oai":
        (oai_id,) = resources(template, "AWS::CloudFront::CloudFrontOriginAccessIdentity")
        assert reader["Principal"] == {
            "CanonicalUser": {"Fn::GetAtt": [oai_id, "S3CanonicalUserId"]}
        }
    else:
        (distribution_id,) = resources(template, "AWS::CloudFront::Distribution")
        assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        (source_arn,) = reader["Condition"]["StringEquals"].values()
        assert list(reader["Condition"]["StringEquals"]) == ["AWS:SourceArn"]
        assert source_arn["Fn::Join"][1][-2:] == [":distribution/", {"Ref": distribution_id}]


@pytest.mark.fact("SITE-01", "SITE-13")
@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_no_bucket_policy_allows_anyone(synthesized, stack, profile):
    template = _template(synthesized, stack, profile)
    for policy in resources(template, "AWS::S3::BucketPolicy").values():
        for statement in props(policy)["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Allow":
                assert statement["Principal"] not in ("*", {"AWS": "*"})


@pytest.mark.fact("SITE-12", "SITE-14")
@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_the_origin_uses_the_chosen_origin_access(synthesized, stack, profile):
    template = _template(synthesized, stack, profile)
    (origin,) = _distribution(template)["Origins"]
    oais = resources(template, "AWS::CloudFront::CloudFrontOriginAccessIdentity")
    oacs = resources(template, "AWS::CloudFront::OriginAccessControl")
    if MODES[stack] == "oai":
        (oai_id,) = oais
        assert oacs == {} and "OriginAccessControlId" not in origin
        assert origin["S3OriginConfig"]["OriginAccessIdentity"]["Fn::Join"][1][1] == {"Ref": oai_id}
    else:
        (oac_id,) = oacs
        assert oais == {} and origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
        assert ref(origin["OriginAccessControlId"]) == oac_id
        config = props(oacs[oac_id])["OriginAccessControlConfig"]
        assert (config["SigningBehavior"], config["SigningProtocol"]) == ("always", "sigv4")


@pytest.mark.fact("SITE-04", "SITE-19")
@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_every_bucket_blocks_all_public_access_and_hosts_no_website(synthesized, stack, profile):
    template = _template(synthesized, stack, profile)
    buckets = resources(template, "AWS::S3::Bucket")
    assert len(buckets) == (2 if profile == "production" else 1)
    for bucket in buckets.values():
        assert props(bucket)["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert "WebsiteConfiguration" not in props(bucket)
    # The origin is the bucket's REST endpoint (read with the OAI/OAC), not a website endpoint
    # (a custom HTTP origin that needs a public bucket) [004:3273, 004:3314].
    (origin,) = _distribution(template)["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": [_site_bucket_id(template), "RegionalDomainName"]}
    assert "S3OriginConfig" in origin and "CustomOriginConfig" not in origin


@pytest.mark.fact("SITE-08", "SITE-09")
@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_every_bucket_denies_requests_without_tls(synthesized, stack, profile):
    template = _template(synthesized, stack, profile)
    for bucket_id in resources(template, "AWS::S3::Bucket"):
        (deny,) = [s for s in _bucket_policy(template, bucket_id) if s["Effect"] == "Deny"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert (deny["Action"], deny["Principal"]) == ("s3:*", {"AWS": "*"})
        assert [_bucket_of(r) for r in deny["Resource"]] == [bucket_id] * 2


@pytest.mark.fact("SITE-03", "SITE-06", "SITE-07", "SITE-08")
@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_site_bucket_is_owner_enforced_encrypted_and_versioned(synthesized, stack, profile):
    template = _template(synthesized, stack, profile)
    bucket = props(template["Resources"][_site_bucket_id(template)])
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    # Versions of replaced content are kept 30 days, unfinished uploads 7 [004:2996-2999].
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert "ExpirationInDays" not in rule  # current content never expires


@pytest.mark.fact("SITE-20", "SITE-22", "SITE-26")
@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_viewers_are_redirected_to_https_and_served_index_html(synthesized, stack, profile):
    config = _distribution(_template(synthesized, stack, profile))
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]


@pytest.mark.fact("SITE-24", "SITE-25")
@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_responses_are_cached_optimized_and_compressed(synthesized, stack, profile):
    behavior = _distribution(_template(synthesized, stack, profile))["DefaultCacheBehavior"]
    assert behavior["CachePolicyId"] == CACHING_OPTIMIZED
    assert behavior["Compress"] is True


@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_responses_carry_the_security_headers(synthesized, stack, profile):
    template = _template(synthesized, stack, profile)
    behavior = _distribution(template)["DefaultCacheBehavior"]
    policy = props(template["Resources"][ref(behavior["ResponseHeadersPolicyId"])])
    headers = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"


@pytest.mark.fact("SITE-21")
@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_missing_paths_show_the_error_page_with_status_404(synthesized, stack, profile):
    responses = _distribution(_template(synthesized, stack, profile))["CustomErrorResponses"]
    assert {(r["ErrorCode"], r["ResponseCode"], r["ResponsePagePath"]) for r in responses} == {
        (403, 404, "/error.html"),
        (404, 404, "/error.html"),
    }
    assert (SAMPLE_SITE / "error.html").is_file() and (SAMPLE_SITE / "index.html").is_file()


@pytest.mark.fact("SITE-28")
@pytest.mark.parametrize("stack", STACKS)
def test_price_class_is_cheapest_in_sandbox_and_all_edges_in_production(synthesized, stack):
    assert _distribution(_template(synthesized, stack, "sandbox"))["PriceClass"] == "PriceClass_100"
    production = _distribution(_template(synthesized, stack, "production"))
    assert production["PriceClass"] == "PriceClass_All"


@pytest.mark.fact("SITE-03", "SITE-10", "SITE-11")
@pytest.mark.parametrize("stack", STACKS)
def test_production_logs_bucket_and_distribution_access_to_an_acl_enabled_log_bucket(
    synthesized, stack
):
    template = _template(synthesized, stack, "production")
    site_id = _site_bucket_id(template)
    (log_id,) = set(resources(template, "AWS::S3::Bucket")) - {site_id}
    log_bucket = props(template["Resources"][log_id])
    assert log_bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    assert log_bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 365
    assert "LoggingConfiguration" not in log_bucket  # it does not log into itself
    logging = props(template["Resources"][site_id])["LoggingConfiguration"]
    assert logging == {"DestinationBucketName": {"Ref": log_id}, "LogFilePrefix": "s3-access/"}
    distribution_logs = _distribution(template)["Logging"]
    assert distribution_logs["Bucket"] == {"Fn::GetAtt": [log_id, "RegionalDomainName"]}
    assert distribution_logs["Prefix"] == "cloudfront/"


@pytest.mark.parametrize("stack", STACKS)
def test_sandbox_has_no_access_logs(synthesized, stack):
    template = _template(synthesized, stack, "sandbox")
    assert "Logging" not in _distribution(template)
    assert "LoggingConfiguration" not in props(template["Resources"][_site_bucket_id(template)])


@pytest.mark.parametrize("stack", STACKS)
def test_buckets_are_emptied_and_deleted_in_sandbox_and_retained_in_production(synthesized, stack):
    def buckets(profile: str) -> set[tuple[str, bool]]:
        template = _template(synthesized, stack, profile)
        emptied = {
            ref(props(r)["BucketName"])
            for r in resources(template, "Custom::S3AutoDeleteObjects").values()
        }
        return {
            (bucket["DeletionPolicy"], logical_id in emptied)
            for logical_id, bucket in resources(template, "AWS::S3::Bucket").items()
        }

    assert buckets("sandbox") == {("Delete", True)}
    assert buckets("production") == {("Retain", False)}


@pytest.mark.fact("SITE-26", "SITE-27")
@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_content_is_deployed_with_an_invalidation_by_a_role_that_writes(
    synthesized, stack, profile
):
    template = _template(synthesized, stack, profile)
    site_id = _site_bucket_id(template)
    (deployment,) = resources(template, "Custom::CDKBucketDeployment").values()
    assert ref(props(deployment)["DestinationBucketName"]) == site_id
    assert ref(props(deployment)["DistributionId"]) in resources(
        template, "AWS::CloudFront::Distribution"
    )
    assert props(deployment)["DistributionPaths"] == ["/*"]
    (policy,) = resources(template, "AWS::IAM::Policy").values()
    site_statements = [
        s
        for s in props(policy)["PolicyDocument"]["Statement"]
        if site_id in [_bucket_of(r) for r in _as_list(s["Resource"])]
    ]
    (writer,) = site_statements
    assert "s3:PutObject" in writer["Action"] and "s3:DeleteObject*" in writer["Action"]
    (invalidator,) = [
        s
        for s in props(policy)["PolicyDocument"]["Statement"]
        if "cloudfront:CreateInvalidation" in _as_list(s["Action"])
    ]
    assert invalidator["Effect"] == "Allow"
    # The policy belongs to the role of the very function that runs the deployment.
    handler = template["Resources"][ref(props(deployment)["ServiceToken"])]
    assert props(policy)["Roles"] == [{"Ref": ref(props(handler)["Role"])}]


@pytest.mark.parametrize(("stack", "profile"), BOTH)
def test_outputs_give_the_url_the_domain_name_and_the_bucket(synthesized, stack, profile):
    template = _template(synthesized, stack, profile)
    outputs = template["Outputs"]
    (distribution_id,) = resources(template, "AWS::CloudFront::Distribution")
    assert outputs["DistributionDomainName"]["Value"] == {
        "Fn::GetAtt": [distribution_id, "DomainName"]
    }
    assert outputs["DistributionUrl"]["Value"]["Fn::Join"][1] == [
        "https://",
        {"Fn::GetAtt": [distribution_id, "DomainName"]},
    ]
    assert ref(outputs["BucketName"]["Value"]) == _site_bucket_id(template)


@pytest.mark.fact("SITE-18")
@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_only_the_oai_mode_acknowledges_cfr7(synthesized, profile):
    found = acknowledgements(synthesized(profile).architecture("static-site").outdir)
    cfr7 = [path for path, rule, _ in found if rule == "AwsSolutions-CFR7"]
    assert cfr7 == ["/StaticSite/Site/Distribution"]
    (reason,) = [r for path, rule, r in found if rule == "AwsSolutions-CFR7"]
    assert "001:860" in reason and "origin_access='oac'" in reason


def test_single_page_app_answers_403_and_404_with_index_html(variants):
    config = _distribution(under(variants, "Variants/Spa/"))
    assert {
        (r["ErrorCode"], r["ResponseCode"], r["ResponsePagePath"])
        for r in config["CustomErrorResponses"]
    } == {(403, 200, "/index.html"), (404, 200, "/index.html")}


@pytest.mark.fact("SITE-29")
def test_geo_allowlist_serves_only_the_listed_countries(variants):
    config = _distribution(under(variants, "Variants/Spa/"))
    assert config["Restrictions"]["GeoRestriction"] == {
        "Locations": ["DE", "FR"],
        "RestrictionType": "whitelist",
    }


@pytest.mark.fact("SITE-29")
def test_geo_denylist_refuses_the_listed_countries(variants):
    config = _distribution(under(variants, "Variants/Custom/"))
    assert config["Restrictions"]["GeoRestriction"] == {
        "Locations": ["KP"],
        "RestrictionType": "blacklist",
    }


@pytest.mark.fact("SITE-23", "SITE-30")
def test_custom_domain_uses_the_certificate_with_sni_and_tls_1_2(variants):
    config = _distribution(under(variants, "Variants/Custom/"))
    assert config["Aliases"] == ["www.example.com"]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": CERTIFICATE,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    assert config["WebACLId"] == WEB_ACL
    assert config["PriceClass"] == "PriceClass_200"


def test_custom_domain_gets_ipv4_and_ipv6_alias_records_to_the_distribution(variants):
    template = under(variants, "Variants/Custom/")
    (distribution_id,) = resources(template, "AWS::CloudFront::Distribution")
    records = resources(template, "AWS::Route53::RecordSet")
    assert sorted(props(r)["Type"] for r in records.values()) == ["A", "AAAA"]
    for record in records.values():
        assert props(record)["Name"] == "www.example.com."
        assert props(record)["HostedZoneId"] == "Z0123456789ABCDEFGHIJ"
        target = props(record)["AliasTarget"]
        assert target["DNSName"] == {"Fn::GetAtt": [distribution_id, "DomainName"]}


@pytest.mark.parametrize("stack", STACKS)
def test_sandbox_keeps_the_default_certificate_and_takes_no_parameters(sandbox, stack):
    template = sandbox.template(stack)
    config = _distribution(template)
    assert "Aliases" not in config
    assert config.get("ViewerCertificate", {"CloudFrontDefaultCertificate": True}) == {
        "CloudFrontDefaultCertificate": True
    }
    assert set(template.get("Parameters", {})) <= {"BootstrapVersion"}
    assert "SiteUrl" not in template["Outputs"]


@pytest.mark.parametrize("stack", STACKS)
def test_production_requires_a_domain_and_a_us_east_1_certificate_as_parameters(production, stack):
    parameters = production.template(stack)["Parameters"]
    assert set(parameters) == {"SiteDomain", "SiteCertificateArn", "BootstrapVersion"}
    for name in ("SiteDomain", "SiteCertificateArn"):
        assert parameters[name]["Type"] == "String"
        assert "Default" not in parameters[name]  # cdk deploy without a value stops before it
        assert parameters[name]["AllowedPattern"]
    domain = parameters["SiteDomain"]["AllowedPattern"]
    assert parameters["SiteDomain"]["MaxLength"] == 253
    for good in ("www.example.com", "example.co.uk", "a-b.example.org"):
        assert re.fullmatch(domain, good), good
    for bad in ("WWW.Example.com", "example", "-a.example.com", "a..example.com", "*.example.com"):
        assert not re.fullmatch(domain, bad), bad
    certificate = parameters["SiteCertificateArn"]["AllowedPattern"]
    assert re.fullmatch(certificate, CERTIFICATE)
    for bad in (
        CERTIFICATE.replace("us-east-1", "eu-west-1"),
        CERTIFICATE.replace(":acm:", ":iam:"),
        CERTIFICATE[:-1],
        "arn:aws:iam::123456789012:server-certificate/site",
    ):
        assert not re.fullmatch(certificate, bad), bad


@pytest.mark.fact("SITE-23")
@pytest.mark.parametrize("stack", STACKS)
def test_production_serves_the_domain_parameter_with_its_certificate_sni_and_tls_1_2(
    production, stack
):
    template = production.template(stack)
    config = _distribution(template)
    assert config["Aliases"] == [{"Ref": "SiteDomain"}]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": {"Ref": "SiteCertificateArn"},
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    assert resources(template, "AWS::Route53::RecordSet") == {}  # no hosted zone: your DNS
    site_url = template["Outputs"]["SiteUrl"]["Value"]
    assert site_url == {"Fn::Join": ["", ["https://", {"Ref": "SiteDomain"}]]}


def test_context_keys_give_production_a_literal_domain_and_certificate(tmp_path):
    app = App(
        context=cdk_context(
            "production",
            arch="static-site",
            site_domain="www.example.com",
            site_certificate_arn=CERTIFICATE,
        ),
        outdir=str(tmp_path),
    )
    add_stacks(app, env=PINNED_ENV, nag=False)
    assembly = app.synth()
    assert {s.stack_name for s in assembly.stacks} == set(STACKS)
    for stack in assembly.stacks:
        template = stack.template
        assert set(template.get("Parameters", {})) <= {"BootstrapVersion"}, stack.stack_name
        config = _distribution(template)
        assert config["Aliases"] == ["www.example.com"]
        assert config["ViewerCertificate"] == {
            "AcmCertificateArn": CERTIFICATE,
            "MinimumProtocolVersion": "TLSv1.2_2021",
            "SslSupportMethod": "sni-only",
        }
        assert template["Outputs"]["SiteUrl"]["Value"] == "https://www.example.com"


def test_context_keys_give_the_sandbox_a_custom_domain_too(tmp_path):
    app = App(
        context=cdk_context(
            "sandbox",
            arch="static-site",
            site_domain="dev.example.com",
            site_certificate_arn=CERTIFICATE,
        ),
        outdir=str(tmp_path),
    )
    stacks = add_stacks(app, env=PINNED_ENV, nag=False)
    template = Template.from_stack(stacks["StaticSite"]).to_json()
    assert set(template.get("Parameters", {})) <= {"BootstrapVersion"}
    config = _distribution(template)
    assert config["Aliases"] == ["dev.example.com"]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == CERTIFICATE


@pytest.mark.parametrize(
    ("profile", "acknowledged"), [("sandbox", set(STACKS)), ("production", set())]
)
def test_cfr4_is_acknowledged_only_where_the_default_certificate_is_used(
    synthesized, profile, acknowledged
):
    found = acknowledgements(synthesized(profile).architecture("static-site").outdir)
    cfr4 = {path for path, rule, _ in found if rule == "AwsSolutions-CFR4"}
    assert cfr4 == {f"/{stack}/Site/Distribution" for stack in acknowledged}


@pytest.mark.fact("SITE-18")
@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_both_profiles_pass_cdk_nag(synthesized, profile):
    report = synthesized(profile).architecture("static-site").validation_report
    assert report["title"] == "Validation Report"  # written only when cdk-nag ran
    assert nag_failures(report) == []


@pytest.mark.parametrize("stack", STACKS)
def test_deployment_logs_follow_the_profile_instead_of_being_kept_forever(synthesized, stack):
    def log_group(profile: str) -> tuple:
        template = _template(synthesized, stack, profile)
        (function,) = [
            f
            for f in resources(template, "AWS::Lambda::Function").values()
            if "LoggingConfig" in props(f)
        ]
        group_id = ref(props(function)["LoggingConfig"]["LogGroup"])
        group = resources(template, "AWS::Logs::LogGroup")[group_id]
        assert cdk_path(group) == f"{stack}/StaticSiteDeploymentLogs/Resource"
        return group["DeletionPolicy"], props(group)["RetentionInDays"]

    assert log_group("sandbox") == ("Delete", 7)
    assert log_group("production") == ("Retain", 365)


def test_an_error_page_in_a_subfolder_is_served_from_its_path(tmp_path):
    content = tmp_path / "site"
    (content / "errors").mkdir(parents=True)
    (content / "index.html").write_text("<h1>home</h1>")
    (content / "errors" / "404.html").write_text("<h1>not here</h1>")
    stack = Stack(App(), "ErrorPage")
    StaticSite(stack, "Site", content_path=content, error_page="errors/404.html")
    config = _distribution(Template.from_stack(stack).to_json())
    assert {(r["ErrorCode"], r["ResponsePagePath"]) for r in config["CustomErrorResponses"]} == {
        (403, "/errors/404.html"),
        (404, "/errors/404.html"),
    }
