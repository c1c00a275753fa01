"""`python -m tools.cost` over a cdk.out holding the sandbox twice (one network per
architecture, one shared network per region): network per estimate, totals per collection."""

from __future__ import annotations

import json

import pytest

from tools import cost

NAT = {"Type": "AWS::EC2::NatGateway", "Properties": {}}  # 0.045 x 730 = 32.85
KEY = {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {}}  # $1, kept


def _write(root, directory: str, stacks: dict[str, dict]) -> None:
    (root / directory).mkdir()
    for name, resources in stacks.items():
        (root / directory / f"{name}.template.json").write_text(
            json.dumps({"Resources": resources})
        )


@pytest.fixture
def cdk_out(tmp_path):
    # own: Network and App each build a VPC with a NAT; shared: only Network has one.
    _write(tmp_path, "sandbox", {"Network": {"Nat": NAT}, "App": {"Nat": NAT, "Key": KEY}})
    _write(tmp_path, "sandbox+shared-network", {"Network": {"Nat": NAT}, "App": {"Key": KEY}})
    _write(tmp_path, "production", {"Network": {"Nat": NAT}})
    return tmp_path


def _run(capsys, *args: str) -> str:
    assert cost.main(list(args)) == 0
    return capsys.readouterr().out


def test_a_plus_network_directory_is_that_profile_with_that_network():
    assert cost.profile_and_network("sandbox+shared-network") == ("sandbox", "shared")
    assert cost.profile_and_network("sandbox") == ("sandbox", "own")
    assert cost.profile_and_network("production") == ("production", "own")


def test_json_gives_each_estimate_its_network_and_ends_with_totals(cdk_out, capsys):
    data = json.loads(_run(capsys, "--cdk-out", str(cdk_out), "--json"))
    rows = [
        (e["stack"], e["profile"], e["network"], e["idle_monthly_usd"]) for e in data["estimates"]
    ]
    assert rows == [
        ("App", "sandbox", "own", 33.85),
        ("App", "sandbox", "shared", 1.0),
        ("Network", "sandbox", "own", 32.85),
        ("Network", "sandbox", "shared", 32.85),
        ("Network", "production", "own", 32.85),
    ]
    assert list(data)[-1] == "totals"
    assert data["totals"] == [
        {
            "profile": "sandbox",
            "network": "own",
            "stacks": 2,
            "idle_monthly_usd": 66.70,  # 2 NATs 65.70 + the key 1.00
            "left_after_destroy_monthly_usd": 1.0,  # the retained key
        },
        {
            "profile": "sandbox",
            "network": "shared",
            "stacks": 2,
            "idle_monthly_usd": 33.85,
            "left_after_destroy_monthly_usd": 1.0,
        },
        {
            "profile": "production",
            "network": "own",
            "stacks": 1,
            "idle_monthly_usd": 32.85,
            "left_after_destroy_monthly_usd": 0.0,
        },
    ]


def test_text_ends_with_what_one_shared_network_saves(cdk_out, capsys):
    out = _run(capsys, "--cdk-out", str(cdk_out))
    last = out.rstrip("\n").splitlines()[-1]
    # 66.70 - 33.85 = 32.85: one NAT gateway fewer
    assert last == (
        "whole sandbox collection idle: one network per architecture $66.70, "
        "one shared network per region $33.85 (saves $32.85)"
    )
    assert "== App (sandbox, network shared, us-east-1): idle $1.00/month" in out
    assert "production, one network per architecture (1 stack): idle $32.85/month" in out
    assert "whole production collection" not in out  # production has one layout only


def test_a_layout_without_shared_directories_keeps_working(tmp_path, capsys):
    _write(tmp_path, "sandbox", {"Network": {"Nat": NAT}})
    out = _run(capsys, "--cdk-out", str(tmp_path))
    assert "sandbox, one network per architecture (1 stack): idle $32.85/month" in out
    assert "whole sandbox collection" not in out


def test_folders_that_are_no_profile_such_as_the_deploy_proofs_are_left_out(tmp_path, capsys):
    _write(tmp_path, "sandbox", {"Network": {"Nat": NAT}})
    _write(tmp_path, "deploy-local", {"Network": {"Nat": NAT}, "App": {"Nat": NAT}})
    out = _run(capsys, "--cdk-out", str(tmp_path))
    assert "deploy-local" not in out
    assert [s.profile for s in cost.load_cdk_out(tmp_path)] == ["sandbox"]
