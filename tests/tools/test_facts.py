"""The facts index (``facts/*.toml`` -> ``docs/facts.md``): current, and every row traceable.

A row's tests exist and claim its id; every id a test claims is in the index; every template
path finds what it names in the template it names; notes references lie inside the notes.
"""

from __future__ import annotations

import ast
import os
from functools import cache
from pathlib import Path

import pytest

from tests import option_templates
from tools import facts
from tools.facts import TemplatePath, load, parse_template_path, render_facts, write_facts

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
NOTES = Path(os.environ.get("REFARCH_NOTES", ROOT.parent / "shared" / "notes"))
ARCHITECTURES = load()
EVERY_FACT = [fact for arch in ARCHITECTURES for fact in arch.facts]
IDS = {fact.id for fact in EVERY_FACT}


def _is_fact_marker(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.mark.fact"


def _marker_ids(nodes: list[ast.expr]) -> set[str]:
    ids: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.List | ast.Tuple):
            ids |= _marker_ids(list(node.elts))
        elif _is_fact_marker(node):
            for arg in node.args:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    raise AssertionError(
                        f"a fact marker's id is not a string literal: {ast.unparse(arg)}"
                    )
                ids.add(arg.value)
    return ids


@cache
def claims(path: Path) -> dict[str, set[str]]:
    """``{"test_x": ids, "Class::test_y": ids}`` of one test file; module ``pytestmark`` counts."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_ids: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            module_ids |= _marker_ids([node.value])
    found: dict[str, set[str]] = {}

    def visit(body: list[ast.stmt], prefix: str, inherited: set[str]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if node.name.startswith("test"):
                    found[prefix + node.name] = inherited | _marker_ids(node.decorator_list)
            elif isinstance(node, ast.ClassDef):
                visit(
                    node.body,
                    f"{prefix}{node.name}::",
                    inherited | _marker_ids(node.decorator_list),
                )

    visit(tree.body, "", module_ids)
    return found


def _test_files() -> list[Path]:
    """The suite's test files: tests/, and the runtime tests beside their constructs."""
    found = [*(ROOT / "tests").rglob("*.py"), *(ROOT / "constructs_lib").rglob("test_*.py")]
    return sorted(path for path in found if "__snapshots__" not in path.parts)


def test_committed_facts_page_is_current():
    committed = (DOCS / "facts.md").read_text(encoding="utf-8")
    assert committed == render_facts(), "docs/facts.md is stale: run `make docs`"


def test_every_architecture_page_has_a_facts_file_and_every_file_a_page():
    assert [arch.name for arch in ARCHITECTURES][: len(facts.NAV_ORDER)] == list(facts.NAV_ORDER)
    for arch in ARCHITECTURES:
        assert (DOCS / arch.page).is_file(), f"facts/{arch.name}.toml names {arch.page}"


@pytest.mark.parametrize("fact", EVERY_FACT, ids=lambda fact: fact.id)
def test_every_named_test_exists_and_claims_the_rows_id(fact):
    for test in fact.tests:
        path, _, name = test.partition("::")
        assert (ROOT / path).is_file(), f"{fact.id}: {path} does not exist"
        tests = claims(ROOT / path)
        assert name in tests, f"{fact.id}: {path} has no test {name}"
        assert fact.id in tests[name], (
            f"{fact.id}: {test} does not claim it: add @pytest.mark.fact({fact.id!r})"
        )


def test_every_fact_id_a_test_claims_is_in_the_index():
    unknown = {
        f"{path.relative_to(ROOT)}::{name}": sorted(ids - IDS)
        for path in _test_files()
        for name, ids in claims(path).items()
        if ids - IDS
    }
    assert not unknown, f"tests claim fact ids that facts/*.toml does not have: {unknown}"


def test_a_test_claiming_an_id_is_named_by_its_row():
    named = {(test, fact.id) for fact in EVERY_FACT for test in fact.tests}
    unnamed = sorted(
        f"{path.relative_to(ROOT)}::{name} claims {fact_id}"
        for path in _test_files()
        for name, ids in claims(path).items()
        for fact_id in ids
        if (f"{path.relative_to(ROOT)}::{name}", fact_id) not in named
    )
    assert not unnamed, unnamed


def _options_templates(source: str) -> dict:
    name = source.removeprefix("options:")
    for module in option_templates.modules().values():
        if name in module.TEMPLATES:
            return module.TEMPLATES[name]()
    raise AssertionError(f"no tests/<architecture>/options.py has TEMPLATES[{name!r}]")


def test_option_template_names_are_unique_across_architectures():
    seen: dict[str, str] = {}
    for folder, module in option_templates.modules().items():
        for name in module.TEMPLATES:
            assert name not in seen, f"options:{name} is built by tests/{seen[name]} and {folder}"
            seen[name] = folder
    assert seen, "no tests/<architecture>/options.py found"


_PATHS = [fact for fact in EVERY_FACT if fact.template is not None]


@pytest.mark.parametrize("fact", _PATHS, ids=lambda fact: fact.id)
def test_every_template_path_finds_what_it_names(fact, synthesized):
    path = fact.template
    if path.is_options:
        template = _options_templates(path.source)
    else:
        stack, profile = path.stack_and_profile
        templates = synthesized(profile).templates
        assert stack in templates, f"{fact.id}: no stack {stack} in the {profile} app"
        template = templates[stack]
    assert path.matches(template), f"{fact.id}: {fact.template_text} finds nothing"


def test_notes_references_lie_inside_the_notes_files():
    if not NOTES.is_dir():
        pytest.skip(f"the study notes are not at {NOTES} (set REFARCH_NOTES)")
    lengths = {
        path.name[:3]: len(path.read_text(encoding="utf-8").splitlines())
        for path in NOTES.glob("*.txt")
    }
    for fact in EVERY_FACT:
        for note in fact.notes:
            file, _, lines = note.partition(":")
            assert file in lengths, f"{fact.id}: no notes file {file}"
            assert int(lines.split("-")[-1]) <= lengths[file], f"{fact.id}: {note} is past the end"


def test_domains_group_every_fact_and_each_domain_has_facts():
    text = (DOCS / "facts.md").read_text(encoding="utf-8")
    by_domain = text.split("## By exam domain", 1)[1]
    for fact in EVERY_FACT:
        assert by_domain.count(f"| {fact.id} |") == len(fact.domains), fact.id
    for domain in facts.DOMAINS.values():
        assert f"### {domain}" in by_domain
        assert any(
            domain_key in fact.domains
            for fact in EVERY_FACT
            for domain_key, title in facts.DOMAINS.items()
            if title == domain
        ), f"no fact in {domain}"


# --- the loader and the template paths, on hand-written input ---------------------------------

_GOOD = """
architecture = "sample"
title = "Sample"
page = "sample.md"
prefix = "SMP"

[[fact]]
id = "SMP-01"
fact = "A VPC has a range."
notes = ["004:1-2"]
domains = ["secure", "cost"]
tests = ["tests/x/test_x.py::test_range"]
template = "Network@sandbox: AWS::EC2::VPC.CidrBlock"

[[fact]]
id = "SMP-02"
fact = "Storage copies are internal."
notes = ["004:3"]
domains = ["resilient"]
shown_by = "docs"
why = "nothing to configure"
"""


def _write(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sample.toml").write_text(text, encoding="utf-8")
    return directory


def test_a_hand_written_file_renders_in_both_groupings(tmp_path: Path):
    text = render_facts(_write(tmp_path / "facts", _GOOD))
    rows = [line for line in text.splitlines() if line.startswith("| SMP-")]
    assert rows[0] == (
        "| SMP-01 | A VPC has a range. | 004:1-2 | secure, cost "
        "| `tests/x/test_x.py::test_range` | `Network@sandbox: AWS::EC2::VPC.CidrBlock` |"
    )
    assert rows[1].endswith("| none | docs only: nothing to configure |")
    # By domain: SMP-01 under Secure and Cost, SMP-02 under Resilient.
    assert len(rows) == 2 + 3
    assert "2 facts: 1 shown by a template, 0 by the construct's validation, 1 by the docs" in text


def test_check_mode_writes_nothing_and_fails_when_stale(tmp_path: Path):
    source = _write(tmp_path / "facts", _GOOD)
    docs = tmp_path / "docs"
    docs.mkdir()
    args = ["--docs", str(docs), "--facts", str(source)]
    assert facts.main(["--check", *args]) == 1
    assert not (docs / "facts.md").exists()
    assert write_facts(docs, source) is True
    assert write_facts(docs, source) is False
    assert facts.main(["--check", *args]) == 0


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "SMP-01"', 'id = "NET-01"', r"id is 'NET-01'; allowed: 'SMP-NN'"),
        ('id = "SMP-02"', 'id = "SMP-01"', r"duplicate ids \['SMP-01'\]"),
        ('notes = ["004:1-2"]', 'notes = ["4:1"]', r"allowed: one or more 'NNN:line"),
        ('notes = ["004:1-2"]', 'notes = ["004:9-2"]', r"ends before it starts"),
        ('notes = ["004:1-2"]', "notes = []", r"notes is \(\); allowed"),
        ('domains = ["resilient"]', 'domains = ["fast"]', r"domains is \('fast',\); allowed"),
        ('shown_by = "docs"', 'shown_by = "magic"', r"shown_by is 'magic'"),
        ('why = "nothing to configure"', "", r"shown_by 'docs' needs why"),
        ('tests = ["tests/x/test_x.py::test_range"]\n', "", r"shown_by 'template' needs tests"),
        ('template = "Network@sandbox: AWS::EC2::VPC.CidrBlock"\n', "", r"needs a template path"),
        ("Network@sandbox", "Network@staging", r"expected '<Stack>@<sandbox\|production>"),
        ("test_x.py::test_range", "test_x.py", r"allowed: 'tests/<path>.py::"),
        ("tests/x/test_x.py", "docs/x/test_x.py", r"allowed: 'tests/<path>.py::"),
        ('fact = "A VPC has a range."', 'fact = "a | b"', r"fact must be a non-empty sentence"),
        ('prefix = "SMP"', 'prefix = "smp"', r"prefix is 'smp'"),
        ('architecture = "sample"', 'architecture = "other"', r"must be 'sample'"),
        ('why = "nothing to configure"', 'why = "x"\nowner = "me"', r"unknown fields \['owner'\]"),
    ],
)
def test_a_bad_facts_file_is_refused_naming_the_field(tmp_path: Path, old, new, message):
    assert old in _GOOD
    source = _write(tmp_path / "facts", _GOOD.replace(old, new, 1))
    with pytest.raises(ValueError, match=message):
        load(source)


def test_two_files_sharing_a_prefix_are_refused(tmp_path: Path):
    source = _write(tmp_path / "facts", _GOOD)
    (source / "other.toml").write_text(_GOOD.replace('"sample"', '"other"'), encoding="utf-8")
    with pytest.raises(ValueError, match="share a prefix"):
        load(source)


_TEMPLATE = {
    "Resources": {
        "Rule": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "SecurityGroupIngress": [
                    {"FromPort": 22, "SourceSecurityGroupId": {"Ref": "Bastion"}},
                    {"FromPort": 443, "CidrIp": "0.0.0.0/0"},
                ]
            },
        },
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"EnableDnsSupport": True}},
    },
    "Outputs": {"Url": {"Value": "https://example.com"}},
}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("S@sandbox: AWS::EC2::SecurityGroup.SecurityGroupIngress.FromPort", [22, 443]),
        ("S@sandbox: AWS::EC2::SecurityGroup.SecurityGroupIngress.FromPort = 22", [22]),
        ("S@sandbox: AWS::EC2::SecurityGroup.SecurityGroupIngress.FromPort = 23", []),
        (
            "S@sandbox: AWS::EC2::SecurityGroup.SecurityGroupIngress.SourceSecurityGroupId.Ref",
            ["Bastion"],
        ),
        (
            'S@sandbox: AWS::EC2::SecurityGroup.SecurityGroupIngress.CidrIp = "0.0.0.0/0"',
            ["0.0.0.0/0"],
        ),
        ("S@sandbox: AWS::EC2::VPC.EnableDnsSupport = true", [True]),
        ("S@sandbox: AWS::EC2::VPC.EnableDnsHostnames", []),
        ("S@sandbox: AWS::EC2::Subnet", []),
        ("options:x: AWS::EC2::VPC", [{"EnableDnsSupport": True}]),
        ("S@production: Outputs.Url.Value", ["https://example.com"]),
        ("S@production: Outputs.Missing", []),
    ],
)
def test_a_template_path_walks_properties_and_list_elements(text, found):
    path = parse_template_path(text)
    assert isinstance(path, TemplatePath)
    assert path.matches(_TEMPLATE) == found
