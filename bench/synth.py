"""Synthesis cost, measured with the real CLI, against the floor of an empty app.

Targets (docs: README "Benchmarks"):
- one architecture, ``npx cdk synth -c arch=network``: at most 1.5x the floor, aws-cdk-lib's
  built-in validation on in both (as plain ``npx cdk synth`` runs);
- the whole app, per profile: at most 2x the floor, validation off in both (as ``make synth``
  runs; cfn-lint covers it in ``make test``), and for the record with validation on;
- the test suite, whole and per architecture folder (``pytest tests/<arch>``), in seconds.

Each figure is the best of ``--runs`` runs (one for the suites). ``make bench`` runs it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools.facts import NAV_ORDER  # noqa: E402

BIN = Path(sys.executable).parent
CDK = ["npx", "--no-install", "cdk", "synth", "--quiet"]
FLOOR_APP = ["--app", f"{sys.executable} bench/empty_app.py"]
# Each architecture's test folder: its docs page name (the site's nav order), with underscores.
ARCH_FOLDERS = tuple(name.replace("-", "_") for name in NAV_ORDER)
ONE_ARCH_TARGET = 1.5
WHOLE_APP_TARGET = 2.0


def best_of(runs: int, command: list[str], validation: bool = False) -> float:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env["CDK_VALIDATION"] = "true" if validation else "false"
    best = float("inf")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as outdir:
            full = [*command, "-o", outdir] if command[0] == "npx" else command
            started = time.perf_counter()
            subprocess.run(full, cwd=ROOT, env=env, check=True, capture_output=True)
            best = min(best, time.perf_counter() - started)
    return best


def _line(label: str, seconds: float, floor: float | None = None, target: float | None = None):
    text = f"{label:<58} {seconds:6.1f} s"
    if floor:
        ratio = seconds / floor
        text += f"   x{ratio:.2f} of the floor"
        if target:
            text += f" (target <= {target}: {'met' if ratio <= target else 'NOT met'})"
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-suite", action="store_true", help="skip the test-suite timings")
    args = parser.parse_args()
    runs = args.runs

    floor_on = best_of(runs, [*CDK, *FLOOR_APP], validation=True)
    floor_off = best_of(runs, [*CDK, *FLOOR_APP])
    _line("(a) floor, one empty stack, validation on", floor_on)
    _line("(a) floor, one empty stack, validation off", floor_off)
    network = best_of(runs, [*CDK, "-c", "arch=network"], validation=True)
    _line("(b) -c arch=network, validation on", network, floor_on, ONE_ARCH_TARGET)
    for profile in ("sandbox", "production"):
        whole = best_of(runs, [*CDK, "-c", f"profile={profile}"])
        _line(f"(c) whole app, {profile}, validation off", whole, floor_off, WHOLE_APP_TARGET)
    validated = best_of(runs, [*CDK, "-c", "profile=sandbox"], validation=True)
    _line("(c) whole app, sandbox, validation on", validated, floor_on)
    if args.no_suite:
        return
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    _line("(d) whole test suite", best_of(1, pytest))
    for folder in ARCH_FOLDERS:
        _line(f"(d) pytest tests/{folder}", best_of(1, [*pytest, f"tests/{folder}"]))


if __name__ == "__main__":
    main()
