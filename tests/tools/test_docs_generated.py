"""The generated parts of docs/ are true: regenerated from this session's templates, they match
the committed pages. Diagram edges are checked on the synthesized Network."""

from __future__ import annotations

import pytest

from tools import cost, docs
from tools.diagram import mermaid
from tools.synthesis import ROOT

DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def profiles(sandbox, production) -> docs.Profiles:
    return docs.Profiles(
        templates={"sandbox": sandbox.templates, "production": production.templates},
        regions={
            "sandbox": cost.manifest_regions(sandbox.outdir),
            "production": cost.manifest_regions(production.outdir),
        },
    )


def test_generated_docs_are_current(profiles):
    pages = docs.render_docs(DOCS, profiles)
    assert DOCS / "network.md" in pages
    stale = [page.name for page, text in pages.items() if page.read_text() != text]
    assert stale == [], f"docs out of date: {stale}; run `make docs`"


def test_every_stack_has_a_generated_cost_table_and_diagram(profiles):
    covered = docs.covered_stacks(DOCS)
    for kind in ("cost", "diagram"):
        missing = sorted(set(profiles.stacks()) - covered[kind])
        assert missing == [], f"no docs page has a generated {kind} block for {missing}"


def test_a_block_naming_an_unknown_stack_fails(profiles):
    text = "<!-- BEGIN GENERATED cost: Nope -->\n<!-- END GENERATED cost -->\n"
    with pytest.raises(docs.DocsError, match="unknown stack"):
        docs.render_page(text, profiles, cost.load_prices())


def test_network_diagram_draws_tiers_routes_and_security_group_chain(sandbox):
    diagram = mermaid(sandbox.template("Network"))
    assert 'subgraph tier_public["Public tier: 2 subnets /24 (Public)"]' in diagram
    assert 'tier_application -- "0.0.0.0/0" --> n_tier_public_nat_gateway' in diagram
    assert 'tier_public -- "0.0.0.0/0" --> n_vpc_internet_gateway' in diagram
    assert '-- "tcp 22" --> n_vpc_security_group_appsecuritygroup' in diagram
    assert (
        'n_vpc_security_group_appsecuritygroup -- "tcp 5432" --> '
        "n_vpc_security_group_datasecuritygroup"
    ) in diagram
    assert mermaid(sandbox.template("Network")) == diagram  # deterministic


def test_diagram_edges_api_lambda_table_origin_bucket_and_global_cluster():
    template = {
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {}},
            "Method": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "Integration": {"Uri": {"Fn::Join": ["", [{"Fn::GetAtt": ["Fn", "Arn"]}]]}},
                },
            },
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Environment": {"Variables": {"TABLE": {"Ref": "Table"}}}},
            },
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
            "Cdn": {
                "Type": "AWS::CloudFront::Distribution",
                "Properties": {
                    "DistributionConfig": {
                        "Origins": [
                            {"DomainName": {"Fn::GetAtt": ["Bucket", "RegionalDomainName"]}}
                        ]
                    }
                },
            },
            "Global": {"Type": "AWS::RDS::GlobalCluster", "Properties": {}},
            "Cluster": {
                "Type": "AWS::RDS::DBCluster",
                "Properties": {"GlobalClusterIdentifier": {"Ref": "Global"}},
            },
        }
    }
    diagram = mermaid(template)
    assert 'n_api_api_gateway_rest_api -- "invokes" --> n_compute_lambda_function' in diagram
    assert 'n_compute_lambda_function -- "reads/writes" --> n_data_dynamodb_table' in diagram
    assert 'n_edge_cloudfront_distribution -- "origin" --> n_storage_s3_bucket' in diagram
    assert 'n_data_aurora_cluster -- "member of" --> n_data_aurora_global_database' in diagram
