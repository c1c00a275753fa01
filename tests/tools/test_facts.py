"""The facts index (``docs/facts.md``, ``tools/facts.py``): current, complete, and parsed right."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import facts
from tools.facts import SECTION, render_facts, split_cells, write_facts

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _notes_rows(page: Path) -> list[list[str]]:
    """The rows of a page's notes table, read here independently of tools.facts."""
    lines = page.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"## {SECTION}")
    rows, table = [], False
    for line in lines[start + 1 :]:
        if line.startswith("| The notes | In the template |"):
            table = True
            continue
        if table and line.startswith("|---"):
            continue
        if table and line.startswith("|"):
            rows.append(split_cells(line))
        elif table:
            break
    return rows


def _pages_with_notes() -> list[Path]:
    return [
        page
        for page in sorted(DOCS.glob("*.md"))
        if f"## {SECTION}" in page.read_text(encoding="utf-8")
    ]


def test_committed_facts_page_is_current():
    committed = (DOCS / "facts.md").read_text(encoding="utf-8")
    assert committed == render_facts(DOCS), "docs/facts.md is stale: run `make docs`"


def test_check_mode_writes_nothing_and_fails_when_stale(tmp_path: Path):
    (tmp_path / "network.md").write_text(_SAMPLE, encoding="utf-8")
    assert facts.main(["--check", "--docs", str(tmp_path)]) == 1
    assert not (tmp_path / "facts.md").exists()
    assert write_facts(tmp_path) is True
    assert write_facts(tmp_path) is False
    assert facts.main(["--check", "--docs", str(tmp_path)]) == 0


@pytest.mark.parametrize("page", _pages_with_notes(), ids=lambda page: page.name)
def test_every_notes_row_appears_once(page: Path):
    index = (DOCS / "facts.md").read_text(encoding="utf-8")
    rows = _notes_rows(page)
    assert rows, f"{page.name}: no notes rows found"
    index_rows = [line for line in index.splitlines() if line.startswith(f"| {page.stem}-")]
    assert len(index_rows) == len(rows), f"{page.name}: {len(rows)} rows, {len(index_rows)} indexed"
    for number, (notes, template) in enumerate(rows, start=1):
        words, references = facts.split_references(notes)
        expected = f"| {page.stem}-{number} | {words} | {' '.join(references)} | "
        matching = [line for line in index_rows if line.startswith(expected)]
        assert len(matching) == 1, f"{page.name} row {number} ({notes!r}) indexed {matching}"
        assert template.replace("](#", f"]({page.name}#") in matching[0]
        assert references, f"{page.name} row {number} has no reference: {notes!r}"


def test_every_architecture_page_is_indexed_in_nav_order():
    index = (DOCS / "facts.md").read_text(encoding="utf-8")
    headings = [line[3:] for line in index.splitlines() if line.startswith("## ")]
    titles = [facts.parse_page(DOCS / name).title for name in facts.NAV_ORDER]
    assert headings == titles


_SAMPLE = f"""# Sample architecture

Intro with a [link](#monthly-idle-cost).

## {SECTION}

References are `[file:line]` in the study notes.

| The notes | In the template |
|---|---|
| Bastion in public subnets [002:982-986]; port 22 only from your IP [004:7141] | SSH: `ssh_cidr` |
| Global database, storage copies [001:769-778, 002:2030-2045] | the [runbook](#runbook) below |
| Least privilege [FACTS §3] | an inline policy, see [network](network.md#props) |
| A [markdown link](other.md) is not a reference [004:1] | `a \\| b` stays one cell |

### Where the notes are outdated

| Not | This table |
|---|---|
| ignored [004:9] | ignored |

## Monthly idle cost
"""


def test_references_are_extracted_from_a_hand_written_table(tmp_path: Path):
    (tmp_path / "network.md").write_text(_SAMPLE, encoding="utf-8")
    text = render_facts(tmp_path)
    rows = [line for line in text.splitlines() if line.startswith("| network-")]
    assert rows == [
        "| network-1 | Bastion in public subnets; port 22 only from your IP "
        "| [002:982-986] [004:7141] | SSH: `ssh_cidr` |",
        "| network-2 | Global database, storage copies | [001:769-778, 002:2030-2045] "
        "| the [runbook](network.md#runbook) below |",
        "| network-3 | Least privilege | [FACTS §3] "
        "| an inline policy, see [network](network.md#props) |",
        "| network-4 | A [markdown link](other.md) is not a reference | [004:1] "
        "| `a \\| b` stays one cell |",
    ]
    assert "## Sample architecture" in text
    assert f"(network.md#{facts.slugify(SECTION)})" in text
    assert facts.slugify(SECTION) == "what-the-notes-teach-and-where-the-template-does-it"


def test_a_page_without_the_section_is_skipped(tmp_path: Path):
    (tmp_path / "web-tier.md").write_text(_SAMPLE.replace("Sample", "Web"), encoding="utf-8")
    (tmp_path / "composition.md").write_text(
        "# Composition\n\n| The notes | In the template |\n|---|---|\n| a [004:1] | b |\n",
        encoding="utf-8",
    )
    text = render_facts(tmp_path)
    assert "## Web architecture" in text
    assert "Composition" not in text and "composition-" not in text
    assert [page.page for page in facts.collect(tmp_path)] == ["web-tier.md"]


def test_a_section_without_its_table_fails_loudly(tmp_path: Path):
    (tmp_path / "network.md").write_text(f"# N\n\n## {SECTION}\n\nNo table.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has no table"):
        render_facts(tmp_path)
