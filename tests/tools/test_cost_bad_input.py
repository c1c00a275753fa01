"""`python -m tools.cost` on bad input: a clear message, a non-zero exit code."""

from __future__ import annotations

import json

import pytest

from tools import cost


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cost.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("make_dir", [False, True], ids=["missing", "empty"])
def test_missing_or_empty_cdk_out_says_run_make_synth(tmp_path, capsys, make_dir):
    cdk_out = tmp_path / "cdk.out"
    if make_dir:
        (cdk_out / "sandbox").mkdir(parents=True)
    code, out, err = _run(capsys, "--cdk-out", str(cdk_out))
    assert code != 0 and out == ""
    assert "run `make synth`" in err and str(cdk_out) in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable JSON template"),
        ('{"Resources": []}', "not a CloudFormation template"),
        ("[1, 2]", "not a CloudFormation template"),
    ],
)
def test_malformed_template_names_the_file(tmp_path, capsys, content, message):
    (tmp_path / "sandbox").mkdir()
    bad = tmp_path / "sandbox" / "Broken.template.json"
    bad.write_text(content)
    code, _, err = _run(capsys, "--cdk-out", str(tmp_path))
    assert code != 0
    assert str(bad) in err and message in err


def test_json_output_on_a_small_cdk_out(tmp_path, capsys):
    (tmp_path / "production").mkdir()
    (tmp_path / "sandbox").mkdir()
    nat = {"Resources": {"Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}}}}
    for profile in ("sandbox", "production"):
        (tmp_path / profile / "Net.template.json").write_text(json.dumps(nat))
    (tmp_path / "sandbox" / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "Net": {
                        "type": "aws:cloudformation:stack",
                        "environment": "aws://123456789012/us-west-2",
                    }
                }
            }
        )
    )
    code, out, _ = _run(capsys, "--cdk-out", str(tmp_path), "--json")
    assert code == 0
    data = json.loads(out)
    rows = [
        (e["stack"], e["profile"], e["region"], e["idle_monthly_usd"]) for e in data["estimates"]
    ]
    assert rows == [
        ("Net", "sandbox", "us-west-2", 32.85),
        ("Net", "production", "us-east-1", 32.85),
    ]
    assert data["prices"]["hours_per_month"] == 730

    code, out, _ = _run(capsys, "--cdk-out", str(tmp_path))
    assert code == 0 and "Net" in out and "32.85" in out and "NAT gateway x1 $32.85" in out
