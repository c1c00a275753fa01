"""Synthesis cost, measured with the real CLI: floor, whole app per profile, whole test suite.

Prints seconds and the ratios app/floor (target <= 2) and suite/app (suite target < 60 s).
Floor and app run as `make synth` runs them (CDK_VALIDATION=false); the app is also timed with
aws-cdk-lib's built-in validation on, as plain `npx cdk synth` runs it, for the record.
Run with `make bench`; each figure is the best of --runs runs.
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
BIN = Path(sys.executable).parent
CDK = ["npx", "--no-install", "cdk", "synth", "--quiet"]


def best_of(runs: int, command: list[str], validation: bool = False) -> float:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env["CDK_VALIDATION"] = "true" if validation else "false"
    best = float("inf")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as outdir:
            started = time.perf_counter()
            full = [*command, "-o", outdir] if command[0] == "npx" else command
            subprocess.run(full, cwd=ROOT, env=env, check=True, capture_output=True)
            best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    floor = best_of(args.runs, [*CDK, "--app", f"{sys.executable} bench/empty_app.py"])
    apps = {p: best_of(args.runs, [*CDK, "-c", f"profile={p}"]) for p in ("sandbox", "production")}
    validated = best_of(args.runs, [*CDK, "-c", "profile=sandbox"], validation=True)
    suite = best_of(1, [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"])

    print(f"(a) floor, one empty stack:      {floor:6.1f} s")
    for profile, seconds in apps.items():
        print(f"(b) whole app, {profile:<10}:      {seconds:6.1f} s   b/a = {seconds / floor:.2f}")
    print(f"    whole app, sandbox, with aws-cdk-lib's validation: {validated:6.1f} s")
    slowest = max(apps.values())
    print(f"(c) whole test suite:            {suite:6.1f} s   c/b = {suite / slowest:.2f}")


if __name__ == "__main__":
    main()
