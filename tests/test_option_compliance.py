"""Compliance gates on the option templates (construct options no profile uses) of every
architecture: cdk-nag AwsSolutions and cfn-lint, as tests/test_compliance.py does for the profiles.

Each ``tests/<architecture>/options.py`` (the contract: tests/option_templates.py) is synthesized
once, all its stacks in one app with the cdk-nag gate on; the facts tests read their templates
from that same synthesis (``TEMPLATES[name]()``), so the gate checks what those tests assert on.
"""

from __future__ import annotations

import json

import pytest

from tests import lint_pool
from tests.option_templates import modules, synthesis_of
from tests.template_queries import nag_failures

MODULES = modules()
TEMPLATE_NAMES = [(folder, name) for folder, module in MODULES.items() for name in module.STACKS]
# aws-cdk-lib warnings a construct answers (acknowledges with what it does instead): none may be
# left in a validation report. CDK cannot update an imported failover bucket's policy; StaticSite
# outputs the statement to add.
ANSWERED_WARNINGS = ("updateImportedBucketPolicy",)


def nagged(folder: str):
    """(validation report, {name: (template, region)}) of ``tests/<folder>/options.py``."""
    return synthesis_of(MODULES[folder].STACKS)


def test_every_architecture_has_option_templates_with_unique_names():
    assert {"network", "web_tier", "serverless_api", "static_site"} <= set(MODULES)
    for folder, module in MODULES.items():
        assert list(module.TEMPLATES) == list(module.STACKS), folder
    names = [name for _, name in TEMPLATE_NAMES]
    assert len(names) == len(set(names)), "options:<name> is looked up across every module"


@pytest.mark.parametrize("folder", sorted(MODULES))
def test_option_templates_pass_cdk_nag(folder):
    report, templates = nagged(folder)
    assert report.get("title") == "Validation Report", "the validation plugins did not run"
    assert set(templates) == set(MODULES[folder].STACKS)
    assert nag_failures(report) == []


def test_the_facts_tests_read_the_gated_templates():
    for folder, module in MODULES.items():
        _, templates = nagged(folder)
        for name, (template, _) in templates.items():
            assert module.TEMPLATES[name]() is template, f"{folder}: {name}"


@pytest.mark.parametrize("folder", sorted(MODULES))
def test_no_answered_aws_cdk_lib_warning_remains(folder):
    report, _ = nagged(folder)
    rules = [
        violation["ruleName"]
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
    ]
    assert [rule for rule in rules if any(w in rule for w in ANSWERED_WARNINGS)] == []


@pytest.mark.parametrize("folder", sorted(MODULES))
def test_option_templates_pass_cfn_lint(folder):
    """cfn-lint over every option template of the module, each for its stack's region: linted
    in the background since the module's synthesis (tests/lint_pool.py)."""
    jobs = [
        (name, json.dumps(template), region)
        for name, (template, region) in sorted(nagged(folder)[1].items())
    ]
    assert lint_pool.findings(jobs) == []
