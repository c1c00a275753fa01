"""The deploy proof runs once per session (marker ``deploy``; ``-m "not deploy"`` skips it)."""

from __future__ import annotations

import pytest

from tests.emulator import flow

_REPORT: list[str] = []


@pytest.fixture(scope="session")
def deploy_proof(sandbox, tmp_path_factory: pytest.TempPathFactory) -> flow.DeployProof:
    """Every sandbox stack deployed by the CLI into moto, checked, destroyed: the session's
    already-synthesized sandbox assembly, so nothing is synthesized twice."""
    workdir = tmp_path_factory.mktemp("deploy-local")
    proof = flow.run(sandbox.outdir, workdir, log=lambda line: None)
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
