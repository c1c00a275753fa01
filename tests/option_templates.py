"""The one contract of the option templates: construct options no profile uses.

Each ``tests/<architecture>/options.py`` exports

* ``STACKS``: template name -> a function that adds that option's stack to the given ``App`` and
  returns it (stack names unique within the module; template names unique across modules,
  since facts/*.toml name them ``options:<name>``);
* ``TEMPLATES = templates_of(STACKS)``: template name -> a zero-arg function returning the
  template of that stack.

The first template asked for synthesizes every stack of its module once, in one sandbox app with
the cdk-nag gate on (``synthesis_of``): the facts tests read the very templates that
tests/test_option_compliance.py gates with cdk-nag and cfn-lint. tests/tools/test_facts.py finds
``options:<name>`` through ``modules()``.
"""

from __future__ import annotations

import functools
import importlib
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from aws_cdk import App, Environment, Stack

from stacks.catalog import add_nag
from tests import lint_pool
from tests.conftest import PINNED_ENV, ROOT, cdk_context

AddStack = Callable[[App], Stack]


def option_stack(
    stack_name: str, build: Callable[[Stack], object], env: Environment = PINNED_ENV
) -> AddStack:
    """A ``STACKS`` entry: a stack ``stack_name`` in ``env``, ``build(stack)`` adding the rest."""

    def add(app: App) -> Stack:
        stack = Stack(app, stack_name, env=env)
        build(stack)
        return stack

    return add


Synthesis = tuple[dict, dict[str, tuple[dict, str]]]
_SYNTHESES: dict[int, Synthesis] = {}


def synthesis_of(stacks: dict[str, AddStack]) -> Synthesis:
    """``nag_and_templates(stacks)``, once per session: (report, {name: (template, region)})."""
    if id(stacks) not in _SYNTHESES:
        with tempfile.TemporaryDirectory(prefix="refarch-options-") as outdir:
            _SYNTHESES[id(stacks)] = nag_and_templates(stacks, Path(outdir))
        # cfn-lint starts on them now, in the background (tests/test_option_compliance.py)
        lint_pool.submit(
            [
                (name, json.dumps(template), region)
                for name, (template, region) in _SYNTHESES[id(stacks)][1].items()
            ]
        )
    return _SYNTHESES[id(stacks)]


def templates_of(stacks: dict[str, AddStack]) -> dict[str, Callable[[], dict]]:
    """``TEMPLATES``: name -> the template of ``stacks[name]`` from the module's one synthesis."""

    def template_of(name: str) -> Callable[[], dict]:
        def template() -> dict:
            return synthesis_of(stacks)[1][name][0]

        template.__name__ = template.__qualname__ = name
        return template

    return {name: template_of(name) for name in stacks}


@functools.cache
def modules() -> dict[str, ModuleType]:
    """``{folder: module}`` of every ``tests/<folder>/options.py``."""
    return {
        path.parent.name: importlib.import_module(f"tests.{path.parent.name}.options")
        for path in sorted((ROOT / "tests").glob("*/options.py"))
    }


def nag_and_templates(stacks: dict[str, AddStack], outdir: Path) -> Synthesis:
    """Every stack of ``stacks`` in ONE sandbox app with the cdk-nag AwsSolutions gate on,
    synthesized into ``outdir``: (the validation report, or {} when there is none,
    {name: (template, the stack's region)})."""
    app = App(context=cdk_context("sandbox"), outdir=str(outdir))
    add_nag(app)
    added = {name: add_stack(app) for name, add_stack in stacks.items()}
    assembly = app.synth()
    report = outdir / "validation-report.json"
    return (
        json.loads(report.read_text()) if report.exists() else {},
        {
            name: (assembly.get_stack_by_name(stack.stack_name).template, stack.region)
            for name, stack in added.items()
        },
    )
