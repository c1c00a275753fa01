"""Secure defaults are written once, in constructs_lib/_kernel.py, and vendored into each module.

``make vendor`` writes the copies; these tests fail while one is stale, and when a module writes
a kernel default again outside its vendored block.
"""

from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import ROOT
from tests.test_copyable import LIBRARY, construct_modules
from tools import vendor

# What only the kernel may write: each of these stands for a default that drifted when copied.
KERNEL_ONLY = {
    "s3.Bucket(": "_hardened_bucket / _log_bucket",
    "logs.LogGroup(": "_managed_log_group",
    "BlockDeviceVolume.ebs(": "_encrypted_root_volume",
    "ec2.Peer.ipv4(": "_peer",
    "ec2.Peer.ipv6(": "_peer",
    "AmazonSSMManagedInstanceCore": "_allow_ssm_session",
    '"cfn-lint"': "_lint_exception",
    "acm:": "_check_certificate_arn",
}


def _outside_vendored_block(module: str) -> str:
    text = (LIBRARY / f"{module}.py").read_text()
    start = text.index(vendor.BEGIN)
    end = text.index(vendor.END, start)
    return text[:start] + text[end:]


def test_vendored_kernel_copies_are_current():
    stale = vendor.stale_modules(write=False)
    assert stale == [], f"stale vendored kernel copies in {stale}: run `make vendor`"


@pytest.mark.parametrize("module", construct_modules())
def test_each_module_takes_its_shared_defaults_from_the_kernel(module):
    outside = _outside_vendored_block(module)
    written_again = {text: piece for text, piece in KERNEL_ONLY.items() if text in outside}
    assert written_again == {}, f"{module}.py: use the kernel's pieces instead"
    pieces = set(vendor.read_kernel().pieces)
    defined = {
        node.name
        for node in ast.parse(outside).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    }
    assert defined & pieces == set(), f"{module}.py redefines kernel pieces"


def test_a_stale_copy_is_rewritten_from_the_kernel():
    kernel = vendor.read_kernel()
    module = (LIBRARY / "network.py").read_text()
    tampered = module.replace("CloudFormation checks it, not us", "tampered", 1)
    assert tampered != module
    assert vendor.render(tampered, kernel, "network.py") == module


def test_vendoring_brings_the_pieces_a_piece_needs_in_kernel_order():
    kernel = vendor.read_kernel()
    chosen = kernel.closure(["_log_bucket"])
    assert chosen == [name for name in kernel.pieces if name in chosen]
    assert {"_log_bucket", "_hardened_bucket"} <= set(chosen)
    assert "_check_int" not in chosen
    assert kernel.closure(["_check_int"]) == ["_is_token", "_check_int"]


def test_vendoring_refuses_a_module_that_lacks_an_import_its_pieces_use():
    kernel = vendor.read_kernel()
    block = f"{vendor.BEGIN}\n{vendor.NAMES} _parse_cidr\n{vendor.END}\n"
    module = f"from aws_cdk import Token\n\n{block}"
    with pytest.raises(SystemExit, match=r"use ipaddress; import them"):
        vendor.render(module, kernel, "example.py")


def test_vendoring_refuses_an_unknown_piece():
    module = f"{vendor.BEGIN}\n{vendor.NAMES} _no_such_piece\n{vendor.END}\n"
    with pytest.raises(SystemExit, match=r"unknown kernel piece\(s\) \['_no_such_piece'\]"):
        vendor.render(module, vendor.read_kernel(), "example.py")


def test_the_kernel_is_private_and_no_module_imports_it():
    for module in construct_modules():
        text = (LIBRARY / f"{module}.py").read_text()
        assert not re.search(r"^\s*(from|import)\s+\S*_kernel", text, re.MULTILINE), module
    assert (ROOT / "constructs_lib" / "_kernel.py").is_file()
