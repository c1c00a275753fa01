"""The deploy proof runs once per session (marker ``deploy``; ``-m "not deploy"`` skips it)."""

from __future__ import annotations

import pytest

from tests.conftest import BACKGROUND_PROOF
from tests.emulator import flow
from tests.emulator.background import BackgroundProof

_REPORT: list[str] = []


@pytest.fixture(scope="session")
def deploy_proof(request, sandbox, tmp_path_factory: pytest.TempPathFactory) -> flow.DeployProof:
    """Every sandbox stack deployed by the CLI into moto, checked, destroyed: the session's
    already-synthesized sandbox assembly, so nothing is synthesized twice. It has run in its
    own process since the session's first test (tests/conftest.py); this waits for it."""
    background = request.config.stash.get(BACKGROUND_PROOF, None)
    if background is None:
        background = BackgroundProof.start(sandbox.outdir, tmp_path_factory.mktemp("deploy-local"))
        request.addfinalizer(background.stop)
    proof = background.result()
    _REPORT.append(proof.coverage_report())
    _REPORT.append(
        "  deploy proof time: " + ", ".join(f"{k} {v:.1f} s" for k, v in proof.seconds.items())
    )
    return proof


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _REPORT:
        terminalreporter.section("deploy coverage")
        for block in _REPORT:
            terminalreporter.write_line(block)
