"""Compliance gates on every template of both profiles: cdk-nag AwsSolutions and cfn-lint."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest
from aws_cdk import App, Stack, Stage
from aws_cdk import aws_s3 as s3

from stacks.catalog import add_nag
from tests.conftest import cdk_context
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


def stack_regions(outdir: Path) -> dict[str, str]:
    """Stack name -> the region its environment names in the assembly's manifest."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    return {
        artifact["properties"].get("stackName", name): artifact["environment"].rsplit("/", 1)[1]
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }


def _lint(job: tuple[str, str, str, list[str]]) -> list[str]:
    from cfnlint.api import ManualArgs, lint

    stack_name, template_json, region, ignores = job
    config = ManualArgs(ignore_checks=ignores, regions=[region])
    return [f"{stack_name}: {match}" for match in lint(template_json, config=config)]


def lint_problems(synthesis, ignores: list[str]) -> list[str]:
    """cfn-lint over every template, each for the region it deploys to.

    cfn-lint takes about a second per template: two forked workers use both cores.
    """
    regions = stack_regions(synthesis.outdir)
    assert set(synthesis.templates) <= set(regions)
    jobs = [
        (name, json.dumps(template), regions[name], ignores)
        for name, template in sorted(synthesis.templates.items())
    ]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        return [problem for found in pool.map(_lint, jobs) for problem in found]


@pytest.mark.parametrize("profile", PROFILES)
def test_cfn_lint_finds_no_errors_or_warnings(synthesized, cfn_lint_ignores, profile):
    synthesis = synthesized(profile)
    assert set(stack_regions(synthesis.outdir)) == set(synthesis.templates)
    assert lint_problems(synthesis, cfn_lint_ignores) == []


def test_cfn_lint_finds_nothing_in_a_shared_network_either(shared, cfn_lint_ignores):
    """Cross-stack references (Fn::GetStackOutput) and imported groups lint clean too."""
    assert lint_problems(shared, cfn_lint_ignores) == []
