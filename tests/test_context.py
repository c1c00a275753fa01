"""Every context key the collection reads is known; a mistyped one fails loudly, naming them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from stacks.context import KNOWN_KEYS, refuse_unknown_context_keys
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("key", "hint"),
    [("profle", "profile"), ("ssh-cidr", "ssh_cidr"), ("certificate", "certificate_arn")],
)
def test_a_mistyped_key_fails_naming_the_nearest_known_key(key, hint):
    with pytest.raises(
        ValueError, match=rf"unknown context key '{key}' \(did you mean '{hint}'\?\)"
    ):
        refuse_unknown_context_keys([key, "profile"])


def test_an_unknown_key_fails_naming_every_known_key():
    with pytest.raises(ValueError) as error:
        refuse_unknown_context_keys(["colour"])
    assert all(key in str(error.value) for key in KNOWN_KEYS)


def test_aws_cdk_libs_own_keys_and_feature_flags_are_left_alone():
    refuse_unknown_context_keys(
        [
            "@aws-cdk/core:enablePartitionLiterals",
            "availability-zones:account=123456789012:region=us-east-1",
            "aws:cdk:enable-path-metadata",
            *KNOWN_KEYS,
        ]
    )


def test_the_app_refuses_a_mistyped_key_before_synthesizing(tmp_path):
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps({"profle": "production"})}
    env["CDK_OUTDIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "unknown context key 'profle' (did you mean 'profile'?)" in result.stderr
    assert not list(tmp_path.iterdir())


def test_the_readme_documents_exactly_the_known_keys():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Context keys", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.MULTILINE))
    assert documented == set(KNOWN_KEYS)


@pytest.mark.parametrize("key", sorted(KNOWN_KEYS))
def test_every_known_key_is_read_by_the_collection(key):
    sources = "".join(
        p.read_text() for p in (ROOT / "stacks").glob("*.py") if p.name != "context.py"
    )
    assert f'"{key}"' in sources, f"{key} is documented but nothing reads it"
