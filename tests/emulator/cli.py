"""The pinned aws-cdk CLI, run against the emulator with a hard timeout."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.emulator.server import ROOT, EmulatorError

CDK = ROOT / "node_modules" / ".bin" / "cdk"
ACCOUNT = "123456789012"


def cli_environment(endpoint: str, ca_bundle: Path, region: str = "us-east-1") -> dict[str, str]:
    """Fake credentials and the emulator's endpoint; nothing of the caller's AWS set-up."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "CDK_")) or key == "CDK_VALIDATION"
    }
    venv_bin = ROOT / ".venv" / "bin"
    env.update(
        PATH=os.pathsep.join([str(venv_bin), env.get("PATH", "")]),
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=region,
        AWS_REGION=region,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CA_BUNDLE=str(ca_bundle),
        NODE_EXTRA_CA_CERTS=str(ca_bundle),
        CDK_DEFAULT_ACCOUNT=ACCOUNT,
        CDK_DEFAULT_REGION=region,
        CDK_DISABLE_CLI_TELEMETRY="true",
        CI="true",
        FORCE_COLOR="0",
    )
    return env


@dataclass
class CliRun:
    args: list[str]
    returncode: int
    output: str
    seconds: float


def run_cdk(
    args: list[str],
    *,
    endpoint: str,
    ca_bundle: Path,
    cwd: Path,
    timeout_s: float,
    log: Path | None = None,
) -> CliRun:
    """Run ``cdk <args>``; on timeout kill its whole process group and raise EmulatorError."""
    command = [str(CDK), *args, "--no-notices"]
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=cli_environment(endpoint, ca_bundle),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except BaseException as interrupted:  # a timeout, Ctrl-C, ...: no CLI process survives
        if not isinstance(interrupted, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        text = output.decode(errors="replace")
        if log:
            log.write_text(text)
        tail = "\n".join(text.splitlines()[-15:])
        raise EmulatorError(
            f"`cdk {' '.join(args[:2])}` did not finish within {timeout_s:.0f} s and was "
            f"killed; last output:\n{tail}"
        ) from None
    text = output.decode(errors="replace")
    if log:
        log.write_text(text)
    return CliRun(command, process.returncode, text, time.monotonic() - started)
