"""Compliance gates on every template of both profiles: cdk-nag AwsSolutions and cfn-lint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import App, Stack, Stage
from aws_cdk import aws_s3 as s3

from stacks.catalog import add_nag
from tests import lint_pool
from tests.conftest import cdk_context
from tests.lint_pool import stack_regions
from tests.template_queries import nag_failures

PROFILES = ("sandbox", "production")
NAG_PREFIX = "Annotation::AwsSolutions-"
MIN_REASON_LENGTH = 60


def acknowledgements(outdir: Path) -> list[tuple[str, str, str]]:
    """(construct path, rule, reason) for every AwsSolutions acknowledgement in the assembly."""
    found = []
    for metadata_file in outdir.glob("*.metadata.json"):
        for path, entries in json.loads(metadata_file.read_text()).items():
            for entry in entries:
                if entry["type"] == "aws:cdk:acknowledged-rules":
                    for rule, reason in entry["data"].items():
                        if rule.startswith(NAG_PREFIX):
                            found.append((path, rule.removeprefix("Annotation::"), reason))
    return found


@pytest.mark.parametrize("profile", PROFILES)
def test_no_unacknowledged_cdk_nag_findings(synthesized, profile):
    assert nag_failures(synthesized(profile).validation_report) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_every_acknowledgement_carries_a_real_reason(synthesized, profile):
    found = acknowledgements(synthesized(profile).outdir)
    assert found, "expected acknowledgements (the bastion's SSM wildcards at least)"
    short = [(path, rule) for path, rule, reason in found if len(reason) < MIN_REASON_LENGTH]
    assert short == []


def test_the_nag_gate_reports_a_finding(tmp_path):
    """The gate can fail: a bare bucket breaks AwsSolutions-S1/S10 and the report says so."""
    app = App(context=cdk_context("sandbox"), outdir=str(tmp_path))
    add_nag(app)
    s3.Bucket(Stack(app, "Canary"), "Bucket")
    app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {
        violation["ruleName"]
        for plugin in report["pluginReports"]
        if plugin["pluginName"] == "AwsSolutions"
        for violation in plugin["violations"]
    }
    assert {"AwsSolutions-S1", "AwsSolutions-S10"} <= rules


def test_the_nag_gate_reports_a_finding_inside_a_stage(tmp_path):
    """add_stacks(stage) puts the gate on the stage: a pipeline's stacks are checked too."""
    app = App(context=cdk_context("sandbox"), outdir=str(tmp_path))
    stage = Stage(app, "Dev")
    add_nag(stage)
    s3.Bucket(Stack(stage, "Canary"), "Bucket")
    app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for plugin in report["pluginReports"] for v in plugin["violations"]}
    assert "AwsSolutions-S10" in rules


@pytest.mark.parametrize("profile", PROFILES)
def test_cfn_lint_finds_no_errors_or_warnings(synthesized, profile):
    """cfn-lint (the repository's .cfnlintrc.yaml) over every template, each for its region:
    linted in the background since the synthesis (tests/lint_pool.py)."""
    synthesis = synthesized(profile)
    assert set(stack_regions(synthesis.outdir)) == set(synthesis.templates)
    assert lint_pool.findings(lint_pool.synthesis_jobs(synthesis)) == []


def test_cfn_lint_finds_nothing_in_a_shared_network_either(shared):
    """Cross-stack references (Fn::GetStackOutput) and imported groups lint clean too."""
    assert lint_pool.findings(lint_pool.synthesis_jobs(shared)) == []


def test_the_lint_gate_reports_a_finding():
    """The gate can fail: an unknown property is an E3002 error, named by its template."""
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"Nope": 1}}}}
    found = lint_pool.findings([("Canary", json.dumps(template), "us-east-1")])
    assert len(found) == 1 and found[0].startswith("Canary: [E3002")
