"""Every sandbox stack, deployed by the real CDK CLI into moto on loopback, read back through
the service APIs, exercised (the handler's CRUD flow) and destroyed without leftovers."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time

import pytest

from tests.emulator import coverage, flow
from tests.emulator.server import HOST, EmulatorError, MotoProcess
from tests.emulator.stubs import STUB_TYPES

pytestmark = pytest.mark.deploy

# 26 stacks since issue #14 (13 before, 90 s budget, about 45 s alone): about 112 s alone on 2
# shared cores (deploy 33 s, checks and coverage 41 s, destroy 20 s; in a `make test` run the
# deploy took 22 s and the destroy 12 s); a budget of 180 s, the headroom of a loaded machine.
DEPLOY_BUDGET_S = 180.0
# Resources verified against moto's own model may not fall below what the verifiers give since
# issue #14, honestly classed (1056/1084; docs/deploy-local.md, "Coverage today"; 345/360 after
# issue #15, 247/271 before it).
MOTO_VERIFIED_FLOOR = 1056
# The only types allowed to be stubs: moto 5.2.5 has no model for them at all.
ALLOWED_STUBS = {
    "AWS::CloudFront::CloudFrontOriginAccessIdentity",
    "AWS::CloudFront::ResponseHeadersPolicy",
}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive: reaped by the Popen that started it
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_every_sandbox_stack_is_deployed(deploy_proof, sandbox):
    assert set(deploy_proof.stacks) | set(deploy_proof.not_deployed) == set(sandbox.templates)
    assert deploy_proof.not_deployed == {}, deploy_proof.not_deployed
    assert deploy_proof.stacks["AuroraGlobalSecondary-us-west-2"] == "us-west-2"


def test_every_stack_wrote_its_outputs(deploy_proof, sandbox):
    for stack in deploy_proof.stacks:
        wanted = set(sandbox.template(stack).get("Outputs", {}))
        assert wanted <= set(deploy_proof.outputs[stack]), stack


def test_cross_stack_and_cross_region_outputs_resolve(deploy_proof):
    primary = deploy_proof.outputs["AuroraGlobalPrimary"]
    secondary = deploy_proof.outputs["AuroraGlobalSecondary-us-west-2"]
    assert primary["GlobalClusterId"] == secondary["GlobalClusterId"]
    assert ".us-west-2." in secondary["ReaderEndpoint"]


@pytest.mark.parametrize("name", list(flow.ARCHITECTURE_CHECKS))
def test_architecture_check_passes_through_the_service_apis(deploy_proof, name):
    check = deploy_proof.check(name)
    assert check.passed, check.detail


def test_every_emulated_resource_is_read_back_and_matches_its_template(deploy_proof):
    bad = [
        f"{r.stack}/{r.logical_id} ({r.type}): {r.status}: {r.detail}"
        for r in deploy_proof.coverage
        if r.status in coverage.FAILURES
    ]
    assert not bad, "\n".join(bad)


def test_every_resource_lands_in_the_class_its_type_declares(deploy_proof):
    """What docs/deploy-local.md's verifier table says of each type (coverage.SOURCES) is what
    the deployed resources got: nothing counts as moto's own model by accident."""
    wrong = [
        f"{r.stack}/{r.logical_id} ({r.type}): {r.status}, declared "
        f"{coverage.expected_class(r.type)}"
        for r in deploy_proof.coverage
        if r.status not in coverage.FAILURES and r.status != coverage.expected_class(r.type)
    ]
    assert not wrong, "\n".join(wrong)
    for row in deploy_proof.coverage:
        if row.status == coverage.VERIFIED_EMULATION:
            assert row.supplied, f"{row.logical_id}: emulation without saying what was supplied"
        if row.status == coverage.VERIFIED_MOTO:
            assert not row.supplied, row


def test_the_report_gives_each_class_moto_first(deploy_proof):
    counts = deploy_proof.coverage_counts()
    assert counts[coverage.VERIFIED_MOTO] >= MOTO_VERIFIED_FLOOR, counts
    last = deploy_proof.coverage_report().splitlines()[-1]
    assert re.fullmatch(
        r"coverage: \d+/\d+ verified against moto's own model \(\d+\.\d %\), \d+ against this "
        r"project's emulation, \d+ existence only, \d+ stubs",
        last,
    ), last
    assert last == "coverage: " + coverage.summary(deploy_proof.coverage)


def test_stubs_are_only_types_moto_cannot_model_and_never_count_as_verified(deploy_proof):
    assert set(STUB_TYPES) == ALLOWED_STUBS
    for row in deploy_proof.coverage:
        if row.type in STUB_TYPES:
            assert row.status == coverage.NOT_EMULATED, row
    assert coverage.NOT_EMULATED in deploy_proof.coverage_report()


def test_destroy_in_reverse_order_leaves_nothing(deploy_proof):
    assert deploy_proof.destroy_error == ""
    assert deploy_proof.leftovers == []


def test_the_server_is_stopped_by_its_pid(deploy_proof):
    assert deploy_proof.server_pid and not _alive(deploy_proof.server_pid)


def test_the_deploy_proof_stays_within_its_time_budget(deploy_proof):
    assert deploy_proof.seconds["total"] < DEPLOY_BUDGET_S, deploy_proof.seconds


# ------------------------------------------------------------------------------ bad input
def test_a_port_in_use_is_refused_with_a_clear_message():
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen()
        port = listener.getsockname()[1]
        server = MotoProcess(port)
        with pytest.raises(EmulatorError, match=rf"port {port} on {HOST} is in use"):
            server.start()
        assert server.process is None
        server.stop()


def test_a_server_that_does_not_come_up_is_stopped():
    server = MotoProcess()
    with pytest.raises(EmulatorError, match=r"did not answer .* within 0 s; it was stopped"):
        server.start(timeout_s=0.05)
    assert server.process is not None and not _alive(server.process.pid)


def test_a_failed_deploy_names_the_failure_and_stops_the_server(sandbox, tmp_path):
    """A stack moto rejects: `cdk deploy` fails, the error says so, no process survives."""
    assembly = tmp_path / "assembly"
    shutil.copytree(sandbox.outdir, assembly, ignore=shutil.ignore_patterns(".cache"))
    manifest = json.loads((assembly / "manifest.json").read_text())
    manifest["artifacts"] = {
        name: artifact
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] != "aws:cloudformation:stack" or name == "ServerlessApi"
    }
    (assembly / "manifest.json").write_text(json.dumps(manifest))
    template_path = assembly / "ServerlessApi.template.json"
    template = json.loads(template_path.read_text())
    template["Resources"]["Broken"] = {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {
            "DBClusterIdentifier": "no-such-cluster",
            "DBInstanceClass": "db.t4g.micro",
            "Engine": "aurora-postgresql",
        },
    }
    template_path.write_text(json.dumps(template))
    started = time.monotonic()
    with pytest.raises(EmulatorError, match=r"`cdk deploy` failed \(see .*deploy\.log\)") as failed:
        flow.run(assembly, tmp_path / "work", log=lambda line: None)
    pid = failed.value.server_pid
    assert pid and not _alive(pid), "the moto server survived a failed deploy"
    assert "Broken" in str(failed.value) or "no-such-cluster" in str(failed.value), failed.value
    assert time.monotonic() - started < DEPLOY_BUDGET_S
