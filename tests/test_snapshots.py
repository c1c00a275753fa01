"""A snapshot of every stack's template per profile: a change to an architecture shows in review.

Update after an intended change with `make snapshot-update` (pytest --snapshot-update); asset
hashes are normalised so that a library upgrade alone does not churn them, and stack-lease times
so that the hour of the run does not.
"""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from tests.template_queries import normalise_for_snapshot


@pytest.fixture()
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("profile", ["sandbox", "production"])
def test_every_template_matches_its_snapshot(synthesized, snapshot_json, profile):
    templates = synthesized(profile).templates
    assert templates, "the app synthesized no stack"
    for stack_name, template in sorted(templates.items()):
        assert normalise_for_snapshot(template) == snapshot_json(name=stack_name), stack_name
