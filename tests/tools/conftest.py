"""The docs' inputs, worked out once a session: both profiles and the shared-network app."""

from __future__ import annotations

import pytest

from tools import cost, docs, pictures


@pytest.fixture(scope="session")
def profiles(sandbox, production, shared) -> docs.Profiles:
    return docs.Profiles(
        templates={"sandbox": sandbox.templates, "production": production.templates},
        regions={
            "sandbox": cost.manifest_regions(sandbox.outdir),
            "production": cost.manifest_regions(production.outdir),
        },
        shared=(shared.templates, cost.manifest_regions(shared.outdir)),
    )


@pytest.fixture(scope="session")
def found_pictures(profiles) -> list[pictures.Picture]:
    return pictures.pictures(profiles.templates, profiles.regions, profiles.shared)
