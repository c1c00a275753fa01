"""cfn-lint in the background: each template goes to a worker process as soon as it is
synthesized, and the compliance tests collect the findings.

cfn-lint takes one to three seconds a template, and there are about 140 (both profiles,
the shared network, the option templates); the rest of the suite is serial, so one worker of its
own lints them on the other core meanwhile. conftest.py turns it on (``start``) only for a run that
has compliance tests, and every synthesis fixture hands its templates over (``submit``); a
template met twice (the shared network's synthesis repeats every stack without a network) is
linted once.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import threading
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (name, template JSON, region): one template, for the region it deploys to
LintJob = tuple[str, str, str]
_Key = tuple[str, str]  # (template JSON, region)

_lock = threading.Lock()
_queued: list[_Key] = []  # submitted, not yet given to the worker
_running: dict[_Key, AsyncResult] = {}  # with the worker
_done: dict[_Key, list[str]] = {}
_pool: Pool | None = None
_enabled = False


@functools.cache
def ignored_checks() -> tuple[str, ...]:
    """The repository's .cfnlintrc.yaml ignores, the same file the cfn-lint CLI reads."""
    import yaml

    config = yaml.safe_load((ROOT / ".cfnlintrc.yaml").read_text())
    return tuple(config.get("ignore_checks", []))


# the region the rules are loaded for; each template is linted for its own region
REGION_PRIMARY = "us-east-1"


@functools.cache
def _rules():
    """cfn-lint's rules, loaded once per process: ``cfnlint.api.lint`` loads them from their
    modules again for every template (about half a second each, as long as linting a small
    template); the rules carry no state from one template to the next."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn(regions=[REGION_PRIMARY])).rules


def lint_one(template_json: str, region: str, ignores: tuple[str, ...] = ()) -> list[str]:
    """cfn-lint's findings for one template in ``region``: what ``cfnlint.api.lint`` finds,
    with the rules loaded once."""
    from cfnlint.api import ManualArgs
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import run_template_by_data

    template, errors = decode_str(template_json)
    if errors:
        return [str(error) for error in errors]
    config = ConfigMixIn(**ManualArgs(ignore_checks=list(ignores), regions=[region]))
    return [str(match) for match in run_template_by_data(template, config, _rules())]


def _lint_key(key: _Key) -> list[str]:
    return lint_one(*key, ignored_checks())


def stack_regions(outdir: Path) -> dict[str, str]:
    """Stack name -> the region its environment names in the assembly's manifest."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    return {
        artifact["properties"].get("stackName", name): artifact["environment"].rsplit("/", 1)[1]
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }


def synthesis_jobs(synthesis) -> list[LintJob]:
    """A job per template of a synthesis (``tools.synthesis.Synthesis``), for its region."""
    regions = stack_regions(synthesis.outdir)
    missing = set(synthesis.templates) - set(regions)
    assert not missing, f"stacks without a region in the manifest: {sorted(missing)}"
    return [
        (name, json.dumps(template), regions[name])
        for name, template in sorted(synthesis.templates.items())
    ]


def start() -> None:
    """Lint from now on what is submitted (conftest: the run has compliance tests)."""
    global _enabled
    _enabled = True


def submit(jobs: list[LintJob]) -> None:
    """Queue each template not met before; nothing unless started."""
    if not _enabled:
        return
    with _lock:
        for _, template, region in jobs:
            key = (template, region)
            if key not in _done and key not in _running and key not in _queued:
                _queued.append(key)
    _feed()


def _feed() -> None:
    """Give the worker its next template when it has none (it lints one at a time)."""
    global _pool
    with _lock:
        if _running or not _queued:
            return
        if _pool is None:
            _pool = multiprocessing.get_context("fork").Pool(1)
        key = _queued.pop(0)
        _running[key] = _pool.apply_async(
            _lint_key,
            (key,),
            callback=functools.partial(_finish, key),
            error_callback=lambda error, key=key: _finish(key, [f"cfn-lint failed: {error!r}"]),
        )


def _finish(key: _Key, found: list[str]) -> None:
    with _lock:
        _done[key] = found
        _running.pop(key, None)
    _feed()


def findings(jobs: list[LintJob]) -> list[str]:
    """Every finding of the jobs' templates, each named by its job. While the worker is busy,
    this process lints the jobs' templates still queued itself: both cores work."""
    start()
    submit(jobs)
    wanted = {(template, region) for _, template, region in jobs}
    while True:
        with _lock:
            if wanted <= set(_done):
                break
            mine = next((key for key in _queued if key in wanted), None)
            if mine is not None:
                _queued.remove(mine)
            waiting = [_running[key] for key in wanted & set(_running)]
        if mine is not None:
            found = _lint_key(mine)
            with _lock:
                _done[mine] = found
        elif waiting:
            waiting[0].wait(0.1)
        else:
            _feed()
    return [
        f"{name}: {finding}"
        for name, template, region in jobs
        for finding in _done[(template, region)]
    ]


def stop() -> None:
    """End the worker (the session is over)."""
    global _pool
    if _pool is not None:
        _pool.terminate()
        _pool = None
