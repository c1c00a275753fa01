"""Profiles are read in one place; an unknown name fails clearly; synth needs no credentials."""

from __future__ import annotations

import pytest
from aws_cdk import App, RemovalPolicy

from stacks.catalog import add_stacks, default_environment
from stacks.profiles import PROFILES, profile_from_context, profile_named


def test_sandbox_is_the_default_profile():
    assert profile_from_context(App().node).name == "sandbox"


def test_profile_is_chosen_by_context():
    assert profile_from_context(App(context={"profile": "production"}).node).is_production


def test_unknown_profile_fails_naming_the_allowed_ones():
    with pytest.raises(ValueError, match=r"unknown profile 'prod'; allowed: sandbox, production"):
        add_stacks(App(context={"profile": "prod"}), nag=False)


def test_sandbox_tears_down_and_production_keeps_its_data():
    sandbox, production = profile_named("sandbox"), profile_named("production")
    assert sandbox.removal_policy == RemovalPolicy.DESTROY and sandbox.auto_delete_objects
    assert production.removal_policy == RemovalPolicy.RETAIN and production.deletion_protection
    assert production.max_azs >= 2 and production.nat_gateways == production.max_azs
    assert set(PROFILES) == {"sandbox", "production"}


def test_environment_defaults_to_the_documentation_placeholders(monkeypatch):
    monkeypatch.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
    monkeypatch.delenv("CDK_DEFAULT_REGION", raising=False)
    env = default_environment()
    assert (env.account, env.region) == ("123456789012", "us-east-1")


def test_environment_follows_the_cli_when_it_provides_one(monkeypatch):
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "account-from-the-cli")
    monkeypatch.setenv("CDK_DEFAULT_REGION", "eu-west-1")
    env = default_environment()
    assert (env.account, env.region) == ("account-from-the-cli", "eu-west-1")


@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_templates_use_real_availability_zones_from_the_committed_context(synthesized, profile):
    text = str(synthesized(profile).templates)
    assert "us-east-1a" in text and "dummy" not in text
