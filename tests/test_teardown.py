"""Sandbox `cdk destroy` leaves nothing; production keeps its data, versioned."""

from __future__ import annotations

import pytest

from tests.template_queries import props, ref, resources

PROFILES = ("sandbox", "production")


def _function_log_groups(template: dict) -> dict[str, dict | None]:
    """Each Lambda function -> the stack's log group it writes to (None: Lambda would make one)."""
    groups = resources(template, "AWS::Logs::LogGroup")
    by_name = {
        ref(props(group)["LogGroupName"]["Fn::Join"][1][1]): group
        for group in groups.values()
        if isinstance(props(group).get("LogGroupName"), dict)
        and props(group)["LogGroupName"].get("Fn::Join", [None, []])[1][:1] == ["/aws/lambda/"]
    }
    owned = {}
    for logical_id, function in resources(template, "AWS::Lambda::Function").items():
        configured = ref(props(function).get("LoggingConfig", {}).get("LogGroup"))
        owned[logical_id] = groups.get(configured) if configured else by_name.get(logical_id)
    return owned


@pytest.mark.parametrize("profile", PROFILES)
def test_every_function_ours_or_aws_cdk_libs_logs_to_a_group_its_stack_owns(synthesized, profile):
    orphans = [
        f"{stack}/{function}"
        for stack, template in synthesized(profile).templates.items()
        for function, group in _function_log_groups(template).items()
        if group is None
    ]
    assert orphans == []


def test_sandbox_destroy_deletes_every_functions_log_group(sandbox):
    kept = [
        f"{stack}/{function}"
        for stack, template in sandbox.templates.items()
        for function, group in _function_log_groups(template).items()
        if group is not None and group.get("DeletionPolicy") != "Delete"
    ]
    assert kept == []
    assert any(_function_log_groups(t) for t in sandbox.templates.values())


def test_sandbox_destroy_retains_nothing(sandbox):
    retained = [
        f"{stack}/{logical_id}"
        for stack, template in sandbox.templates.items()
        for logical_id, resource in template["Resources"].items()
        if resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate", "Snapshot")
        or resource.get("UpdateReplacePolicy") == "Retain"
    ]
    assert retained == []


def test_every_production_bucket_is_versioned_and_expires_old_versions(production):
    buckets = {
        f"{stack}/{logical_id}": props(bucket)
        for stack, template in production.templates.items()
        for logical_id, bucket in resources(template, "AWS::S3::Bucket").items()
    }
    assert buckets
    unversioned = [
        b for b, p in buckets.items() if p.get("VersioningConfiguration") != {"Status": "Enabled"}
    ]
    assert unversioned == []
    no_expiry = [
        b
        for b, p in buckets.items()
        if not any(
            "NoncurrentVersionExpiration" in rule
            for rule in p.get("LifecycleConfiguration", {}).get("Rules", [])
        )
    ]
    assert no_expiry == []
