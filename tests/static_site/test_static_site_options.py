"""StaticSite options no profile uses: origin-group failover, cache TTLs by path, signed paths.

Each template is built once by ``tests/static_site/options.py`` (template paths
``options:<name>``). References are ``[file:line]`` in the study notes (../shared/notes/).
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import PINNED_ENV
from tests.static_site.options import (
    PATH_TTLS,
    REPLICA_NAME,
    REPLICA_REGION,
    SIGNED_PATHS,
    SIGNING_KEY,
    TEMPLATES,
)
from tests.template_queries import props, ref, resources

FAILOVER = (
    "site_failover_oai",
    "site_failover_oac",
    "site_failover_imported_oac",
    "site_failover_imported_oai",
)
OWNED = ("site_failover_oai", "site_failover_oac")
IMPORTED = ("site_failover_imported_oac", "site_failover_imported_oai")
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


@pytest.fixture(scope="module")
def option():
    """``option(name)``: the template of ``TEMPLATES[name]``, synthesized once per session."""
    return lambda name: TEMPLATES[name]()


def _distribution(template: dict) -> tuple[str, dict]:
    ((logical_id, distribution),) = resources(template, "AWS::CloudFront::Distribution").items()
    return logical_id, props(distribution)["DistributionConfig"]


def _site_bucket_id(template: dict) -> str:
    (site_id,) = [
        lid
        for lid, bucket in resources(template, "AWS::S3::Bucket").items()
        if bucket["Metadata"]["aws:cdk:path"].endswith("/Site/Bucket/Resource")
    ]
    return site_id


def _replica_id(template: dict) -> str:
    (replica_id,) = [
        lid
        for lid, bucket in resources(template, "AWS::S3::Bucket").items()
        if bucket["Metadata"]["aws:cdk:path"].endswith("/Replica/Resource")
    ]
    return replica_id


def _reader(template: dict, bucket_id: str) -> dict:
    """The one Allow statement of ``bucket_id``'s policy (the rest is the TLS-only Deny)."""
    (policy,) = [
        props(p)["PolicyDocument"]["Statement"]
        for p in resources(template, "AWS::S3::BucketPolicy").values()
        if ref(props(p)["Bucket"]) == bucket_id
    ]
    (reader,) = [s for s in policy if s["Effect"] == "Allow"]
    return reader


def _behaviour(config: dict, pattern: str) -> dict:
    (behaviour,) = [b for b in config.get("CacheBehaviors", []) if b["PathPattern"] == pattern]
    return behaviour


def _rendered(value) -> str:
    """A Fn::Join of strings and references as text, each reference written ``<logical id>``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_rendered(part) for part in parts)
    return f"<{ref(value)}>"


# -- origin groups: failover to a second bucket [004:3380-3385] ---------------------------------
@pytest.mark.fact("SITE-33", "SITE-37")
@pytest.mark.parametrize("name", FAILOVER)
def test_origin_group_fails_over_from_the_site_bucket_to_the_failover_bucket(option, name):
    template = option(name)
    _, config = _distribution(template)
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    assert config["OriginGroups"]["Quantity"] == 1
    (group,) = config["OriginGroups"]["Items"]
    members = [member["OriginId"] for member in group["Members"]["Items"]]
    assert group["Members"]["Quantity"] == 2 and sorted(members) == sorted(origins)
    primary, secondary = (origins[member]["DomainName"] for member in members)
    assert primary == {"Fn::GetAtt": [_site_bucket_id(template), "RegionalDomainName"]}
    if name in OWNED:
        assert secondary == {"Fn::GetAtt": [_replica_id(template), "RegionalDomainName"]}
    else:
        assert secondary == f"{REPLICA_NAME}.s3.{REPLICA_REGION}.amazonaws.com"
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == group["Id"]


@pytest.mark.fact("SITE-34")
@pytest.mark.parametrize("name", FAILOVER)
def test_origin_group_fails_over_on_server_errors_only(option, name):
    (group,) = _distribution(option(name))[1]["OriginGroups"]["Items"]
    assert group["FailoverCriteria"]["StatusCodes"] == {
        "Items": [500, 502, 503, 504],
        "Quantity": 4,
    }


@pytest.mark.fact("SITE-35")
@pytest.mark.parametrize("name", FAILOVER)
def test_both_failover_members_are_read_through_the_same_origin_access(option, name):
    template = option(name)
    origins = _distribution(template)[1]["Origins"]
    assert len(origins) == 2
    oais = resources(template, "AWS::CloudFront::CloudFrontOriginAccessIdentity")
    oacs = resources(template, "AWS::CloudFront::OriginAccessControl")
    if name.endswith("oai"):
        (oai_id,) = oais
        assert oacs == {}
        for origin in origins:
            assert "OriginAccessControlId" not in origin
            identity = origin["S3OriginConfig"]["OriginAccessIdentity"]
            assert identity["Fn::Join"][1] == [
                "origin-access-identity/cloudfront/",
                {"Ref": oai_id},
            ]
    else:
        (oac_id,) = oacs
        assert oais == {}
        for origin in origins:
            assert ref(origin["OriginAccessControlId"]) == oac_id
            assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
        config = props(oacs[oac_id])["OriginAccessControlConfig"]
        assert (config["SigningBehavior"], config["SigningProtocol"]) == ("always", "sigv4")


@pytest.mark.fact("SITE-36")
@pytest.mark.parametrize("name", OWNED)
def test_a_failover_bucket_of_the_stack_lets_only_the_same_origin_access_read(option, name):
    template = option(name)
    replica_id = _replica_id(template)
    reader, site_reader = (
        _reader(template, replica_id),
        _reader(template, _site_bucket_id(template)),
    )
    assert reader["Action"] == "s3:GetObject"
    assert reader["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [replica_id, "Arn"]}, "/*"]]}
    # the very principal (and condition) the site bucket grants, nothing wider
    assert reader["Principal"] == site_reader["Principal"]
    assert reader.get("Condition") == site_reader.get("Condition")
    if name == "site_failover_oai":
        (oai_id,) = resources(template, "AWS::CloudFront::CloudFrontOriginAccessIdentity")
        assert reader["Principal"] == {
            "CanonicalUser": {"Fn::GetAtt": [oai_id, "S3CanonicalUserId"]}
        }
        assert "Condition" not in reader
    else:
        distribution_id, _ = _distribution(template)
        assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        (source_arn,) = reader["Condition"]["StringEquals"].values()
        assert list(reader["Condition"]["StringEquals"]) == ["AWS:SourceArn"]
        assert source_arn["Fn::Join"][1][-2:] == [":distribution/", {"Ref": distribution_id}]


@pytest.mark.fact("SITE-37")
@pytest.mark.parametrize("name", IMPORTED)
def test_an_imported_failover_bucket_gets_its_policy_statement_as_an_output(option, name):
    template = option(name)
    assert resources(template, "AWS::S3::Bucket").keys() == {_site_bucket_id(template)}
    (policy,) = resources(template, "AWS::S3::BucketPolicy").values()  # the site bucket's only
    (output,) = [o for lid, o in template["Outputs"].items() if "FailoverBucketPolicy" in lid]
    statement = json.loads(_rendered(output["Value"]))
    assert statement["Effect"] == "Allow" and statement["Action"] == "s3:GetObject"
    assert statement["Resource"] == f"arn:aws:s3:::{REPLICA_NAME}/*"
    if name.endswith("oai"):
        (oai_id,) = resources(template, "AWS::CloudFront::CloudFrontOriginAccessIdentity")
        assert statement["Principal"] == {"CanonicalUser": f"<{oai_id}>"}
        assert "Condition" not in statement
    else:
        distribution_id, _ = _distribution(template)
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert statement["Condition"] == {
            "StringEquals": {
                "AWS:SourceArn": f"arn:aws:cloudfront::{PINNED_ENV.account}:distribution/"
                f"<{distribution_id}>"
            }
        }


@pytest.mark.fact("SITE-33")
def test_behaviours_of_a_failover_site_all_read_through_the_origin_group(option):
    _, config = _distribution(option("site_failover_oai"))
    (group,) = config["OriginGroups"]["Items"]
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert len(behaviours) == 2
    assert {b["TargetOriginId"] for b in behaviours} == {group["Id"]}


# -- cache behaviours by path [004:3371-3373], files cached for a TTL [004:3281] ---------------
@pytest.mark.fact("SITE-25", "SITE-38")
def test_each_path_pattern_is_cached_for_its_own_default_ttl(option):
    template = option("site_behaviours")
    _, config = _distribution(template)
    policies = resources(template, "AWS::CloudFront::CachePolicy")
    for pattern, ttl in PATH_TTLS.items():
        policy_id = ref(_behaviour(config, pattern)["CachePolicyId"])
        policy = props(policies[policy_id])["CachePolicyConfig"]
        assert policy["DefaultTTL"] == ttl.to_seconds(), pattern
        assert policy["MinTTL"] == 0 and policy["MaxTTL"] == 365 * 86400, pattern
        key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
        assert key["QueryStringsConfig"] == {"QueryStringBehavior": "none"}
        assert key["CookiesConfig"] == {"CookieBehavior": "none"}
        assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
        assert key["EnableAcceptEncodingGzip"] is key["EnableAcceptEncodingBrotli"] is True
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_OPTIMIZED


@pytest.mark.fact("SITE-38")
def test_patterns_with_the_same_ttl_share_one_cache_policy(option):
    template = option("site_behaviours")
    _, config = _distribution(template)
    by_ttl: dict[float, set[str]] = {}
    for pattern, ttl in PATH_TTLS.items():
        by_ttl.setdefault(ttl.to_seconds(), set()).add(
            ref(_behaviour(config, pattern)["CachePolicyId"])
        )
    assert all(len(ids) == 1 for ids in by_ttl.values())
    assert len(resources(template, "AWS::CloudFront::CachePolicy")) == len(by_ttl) == 3


@pytest.mark.fact("SITE-38")
def test_path_behaviours_use_the_default_origin_https_compression_and_headers(option):
    _, config = _distribution(option("site_behaviours"))
    default = config["DefaultCacheBehavior"]
    assert [b["PathPattern"] for b in config["CacheBehaviors"]] == [*SIGNED_PATHS, *PATH_TTLS]
    for behaviour in config["CacheBehaviors"]:
        signed = behaviour["PathPattern"] in SIGNED_PATHS
        assert behaviour["TargetOriginId"] == default["TargetOriginId"]
        assert behaviour["ViewerProtocolPolicy"] == (
            "https-only" if signed else "redirect-to-https"
        )
        assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
        assert behaviour["Compress"] is True
        assert behaviour["ResponseHeadersPolicyId"] == default["ResponseHeadersPolicyId"]


# -- signed URLs [004:3354-3361] ----------------------------------------------------------------
@pytest.mark.fact("SITE-40", "SITE-41")
def test_signed_paths_trust_only_the_key_group_of_the_public_key(option):
    template = option("site_behaviours")
    _, config = _distribution(template)
    (group_id,) = resources(template, "AWS::CloudFront::KeyGroup")
    ((key_id, key),) = resources(template, "AWS::CloudFront::PublicKey").items()
    group = props(template["Resources"][group_id])["KeyGroupConfig"]
    assert group["Items"] == [{"Ref": key_id}]
    assert props(key)["PublicKeyConfig"]["EncodedKey"] == SIGNING_KEY.read_text()
    for pattern in SIGNED_PATHS:
        behaviour = _behaviour(config, pattern)
        assert behaviour["TrustedKeyGroups"] == [{"Ref": group_id}]
        assert "TrustedSigners" not in behaviour  # no root-account key pair
        assert behaviour["CachePolicyId"] == CACHING_OPTIMIZED


@pytest.mark.fact("SITE-40")
def test_unsigned_paths_trust_no_key_group(option):
    for name in TEMPLATES:
        for distribution in resources(option(name), "AWS::CloudFront::Distribution").values():
            config = props(distribution)["DistributionConfig"]
            for behaviour in [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]:
                pattern = behaviour.get("PathPattern", "*")
                if name == "site_behaviours" and pattern in SIGNED_PATHS:
                    continue
                assert "TrustedKeyGroups" not in behaviour, (name, pattern)
                assert "TrustedSigners" not in behaviour, (name, pattern)


@pytest.mark.fact("SITE-42")
def test_signed_paths_come_before_every_ttl_pattern_and_are_https_only(option):
    _, config = _distribution(option("site_behaviours"))
    behaviours = config["CacheBehaviors"]
    signed = [i for i, b in enumerate(behaviours) if "TrustedKeyGroups" in b]
    assert signed == list(range(len(SIGNED_PATHS)))  # CloudFront takes the first match
    assert {behaviours[i]["ViewerProtocolPolicy"] for i in signed} == {"https-only"}
