"""Build the study site: ``mkdocs build --strict`` of ``docs/`` with the Material theme.

``python -m tools.site`` (``make site``) builds into ``cdk.out/site/`` and prints the path of its
``index.html``: open it in a browser (the site works from ``file://``: the offline plugin), or run
``.venv/bin/mkdocs serve`` for live reload on http://127.0.0.1:8000. ``--strict`` makes every
warning fatal: a link to a missing page or anchor, a page left out of the nav (``mkdocs.yml``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE_DIR = ROOT / "cdk.out" / "site"


def build_site(outdir: Path | None = None) -> Path:
    """Build the site into ``outdir`` (default ``cdk.out/site``); the directory built.

    Raises ``subprocess.CalledProcessError`` (with MkDocs' output) when the strict build fails.
    """
    outdir = Path(outdir) if outdir is not None else SITE_DIR
    outdir = outdir if outdir.is_absolute() else ROOT / outdir
    # Material's banner about MkDocs 2.0 on every build says nothing about this site.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(outdir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise subprocess.CalledProcessError(
            result.returncode, result.args, output=result.stdout, stderr=result.stderr
        )
    return outdir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-dir", type=Path, default=SITE_DIR, help="default cdk.out/site")
    args = parser.parse_args(argv)
    try:
        outdir = build_site(args.site_dir)
    except subprocess.CalledProcessError as error:
        sys.stderr.write(error.stdout + error.stderr)
        print(f"mkdocs build --strict failed (exit {error.returncode})", file=sys.stderr)
        return 1
    print(outdir / "index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
