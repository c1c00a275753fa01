"""The deploy proof in a process of its own, started as soon as the sandbox is synthesized.

The proof spends most of its half minute in the CDK CLI and the moto server, which leaves the
machine's second core idle while pytest waits. Run as ``tests.emulator.flow.main(... --pickle)``
beside the rest of the suite (which runs before the deploy tests), it overlaps them; its own process
also keeps its environment changes (the in-process handler's ``os.environ``) away from the
tests that run meanwhile. The result comes back pickled: the same ``DeployProof`` the in-process
``flow.run`` returns.
"""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.emulator.flow import BOOTSTRAP_TIMEOUT_S, DEPLOY_TIMEOUT_S, DeployProof
from tests.emulator.server import EmulatorError
from tools.synthesis import ROOT

# bootstrap + deploy + checks + destroy, each bounded by the flow itself; then some slack
WAIT_S = BOOTSTRAP_TIMEOUT_S + 2 * DEPLOY_TIMEOUT_S + 120


@dataclass
class BackgroundProof:
    process: subprocess.Popen
    result_file: Path
    log_file: Path

    @classmethod
    def start(cls, assembly: Path, workdir: Path) -> BackgroundProof:
        workdir.mkdir(parents=True, exist_ok=True)
        result_file, log_file = workdir / "proof.pickle", workdir / "flow.log"
        with log_file.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    # not `-m`: the pickled classes must be tests.emulator.flow's, not __main__'s
                    "from tests.emulator.flow import main; raise SystemExit(main())",
                    "--assembly",
                    str(assembly),
                    "--workdir",
                    str(workdir / "run"),
                    "--pickle",
                    str(result_file),
                ],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return cls(process, result_file, log_file)

    def result(self) -> DeployProof:
        """The proof; EmulatorError when it failed (with the flow's log when it crashed)."""
        try:
            self.process.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            self.stop()
            raise EmulatorError(
                f"the deploy proof took over {WAIT_S:.0f} s; see {self.log_file}"
            ) from None
        if not self.result_file.exists():
            log = self.log_file.read_text(errors="replace")[-4000:]
            raise EmulatorError(
                f"the deploy proof exited {self.process.returncode} without a result:\n{log}"
            )
        kind, value = pickle.loads(self.result_file.read_bytes())
        if kind == "error":
            raise EmulatorError(value)
        return value

    def stop(self) -> None:
        """Interrupt a proof still running (the flow stops its moto server on the way out)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
