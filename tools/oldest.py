"""The oldest aws-cdk-lib a copied construct supports, from pyproject.toml (`[tool.refarch]`).

``python -m tools.oldest --requirements`` prints what `make` installs into
.venv/oldest-aws-cdk-lib/: that aws-cdk-lib and the project's own pinned constructs.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OLDEST_VENV = ROOT / ".venv" / "oldest-aws-cdk-lib"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def oldest_aws_cdk_lib() -> str:
    return _pyproject()["tool"]["refarch"]["oldest-aws-cdk-lib"]


def requirements() -> list[str]:
    pinned = [d for d in _pyproject()["project"]["dependencies"] if d.startswith("constructs==")]
    return [f"aws-cdk-lib=={oldest_aws_cdk_lib()}", *pinned]


if __name__ == "__main__":
    print("\n".join(requirements() if "--requirements" in sys.argv else [oldest_aws_cdk_lib()]))
