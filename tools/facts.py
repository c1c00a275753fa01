"""The facts index, ``docs/facts.md``: every row of every architecture page's notes table.

Each architecture page has a section ``## What the notes teach, and where the template does it``
holding a table ``| The notes | In the template |``. This module collects those rows, page by page
in the site's nav order, numbers them (``network-1``, ...) and splits each notes cell into its
words and its references (``[004:7140]``, ``[002:982-986, 004:7141]``, ``[FACTS §3]``).

``python -m tools.facts`` (called by ``make docs``) writes ``docs/facts.md``; ``--check`` writes
nothing and exits 1 when the file is stale. A page without the section is left out.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FACTS_PAGE = "facts.md"
SECTION = "What the notes teach, and where the template does it"
# The architecture pages in the site's nav order (mkdocs.yml); any other page having the
# section follows them, by name.
NAV_ORDER = ("network.md", "web-tier.md", "serverless-api.md", "static-site.md", "aurora-global.md")
HEADER = ("The notes", "In the template")

# [004:7140], [002:982-986, 004:7141], [FACTS §3]; never a Markdown link's text ("[x](...)").
_REFERENCE = re.compile(
    r"\[(?:\d{3}:\d+(?:-\d+)?(?:\s*,\s*\d{3}:\d+(?:-\d+)?)*|FACTS\b[^\]]*)\](?!\()"
)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# A link to an anchor of the page itself: it must name the page once the row moves here.
_SAME_PAGE_LINK = re.compile(r"\]\(#")


@dataclass(frozen=True)
class Row:
    notes: str
    references: tuple[str, ...]
    template: str


@dataclass(frozen=True)
class PageFacts:
    page: str  # file name under docs/, e.g. "network.md"
    title: str
    rows: tuple[Row, ...]

    @property
    def stem(self) -> str:
        return Path(self.page).stem


def slugify(text: str) -> str:
    """The heading id GitHub and the site (pymdownx.slugs, case lower) give ``text``."""
    text = re.sub(r"</?[^>]*>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def split_cells(line: str) -> list[str]:
    """The cells of a Markdown table row; ``\\|`` and pipes inside code spans do not split."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells, current, in_code, i = [], [], False, 0
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line) and line[i + 1] == "|":
            current.append("\\|")
            i += 2
            continue
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        i += 1
    cells.append("".join(current).strip())
    return cells


def split_references(cell: str) -> tuple[str, tuple[str, ...]]:
    """The notes cell's words without its bracketed references, and the references."""
    references = tuple(match.group(0) for match in _REFERENCE.finditer(cell))
    words = _REFERENCE.sub("", cell)
    words = re.sub(r"\s+([,;.:)])", r"\1", words)
    words = re.sub(r"\s{2,}", " ", words).strip()
    return words, references


def _title(text: str, page: str) -> str:
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1:
            return match.group(2)
    return Path(page).stem


def _section_lines(text: str) -> list[str] | None:
    """The lines of the notes section up to the next heading (fenced code skipped), or None."""
    lines = text.splitlines()
    start = None
    for index, line in enumerate(lines):
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 2 and match.group(2) == SECTION:
            start = index + 1
            break
    if start is None:
        return None
    body: list[str] = []
    fenced = False
    for line in lines[start:]:
        if _FENCE.match(line):
            fenced = not fenced
        if not fenced and _HEADING.match(line):
            break
        body.append(line)
    return body


def parse_page(path: Path) -> PageFacts | None:
    """The notes table of one page, or None when the page has no notes section."""
    text = path.read_text(encoding="utf-8")
    body = _section_lines(text)
    if body is None:
        return None
    rows: list[Row] = []
    table: list[str] = []
    for line in body:
        if line.lstrip().startswith("|"):
            table.append(line)
        elif table:
            break
    if len(table) < 2 or tuple(split_cells(table[0])) != HEADER:
        raise ValueError(
            f"{path.name}: the section {SECTION!r} has no table "
            f"'| {HEADER[0]} | {HEADER[1]} |' right after its introduction"
        )
    for line in table[2:]:
        cells = split_cells(line)
        if len(cells) != 2:
            raise ValueError(f"{path.name}: a notes row without exactly two cells: {line}")
        words, references = split_references(cells[0])
        template = _SAME_PAGE_LINK.sub(f"]({path.name}#", cells[1])
        rows.append(Row(notes=words, references=references, template=template))
    return PageFacts(page=path.name, title=_title(text, path.name), rows=tuple(rows))


def pages(docs_dir: Path) -> list[Path]:
    """The pages to read: the nav's architecture pages first, then any other, by name."""
    others = sorted(
        path.name
        for path in docs_dir.glob("*.md")
        if path.name not in NAV_ORDER and path.name not in (FACTS_PAGE, "index.md")
    )
    return [docs_dir / name for name in (*NAV_ORDER, *others) if (docs_dir / name).is_file()]


def collect(docs_dir: Path) -> list[PageFacts]:
    return [facts for path in pages(docs_dir) if (facts := parse_page(path)) is not None]


def render_facts(docs_dir: Path) -> str:
    """The whole text of ``docs/facts.md``."""
    docs_dir = Path(docs_dir)
    out = [
        "# Facts index: what the notes teach, and where the template does it",
        "",
        "Generated by `make docs` (`python -m tools.facts`) from each architecture page's table "
        f'"{SECTION}": do not edit by hand. One row per fact, numbered per page; the references '
        "are `[file:line]` in the study notes (`../shared/notes/`, file = first three digits) "
        "and `[FACTS §n]`, a section of the notes' `FACTS.md`.",
        "",
    ]
    anchor = slugify(SECTION)
    for facts in collect(docs_dir):
        out += [
            f"## {facts.title}",
            "",
            f"From [the notes table of `{facts.page}`]({facts.page}#{anchor}): "
            f"{len(facts.rows)} facts.",
            "",
            "| # | The notes | References | In the template |",
            "|---|---|---|---|",
        ]
        for number, row in enumerate(facts.rows, start=1):
            references = " ".join(row.references)
            out.append(f"| {facts.stem}-{number} | {row.notes} | {references} | {row.template} |")
        out.append("")
    return "\n".join(out)


def write_facts(docs_dir: Path = DOCS) -> bool:
    """Write ``docs_dir/facts.md``; True when that changed the file."""
    target = Path(docs_dir) / FACTS_PAGE
    text = render_facts(docs_dir)
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when stale")
    parser.add_argument("--docs", type=Path, default=DOCS, help="the docs folder (default docs/)")
    args = parser.parse_args(argv)
    target = args.docs / FACTS_PAGE
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != render_facts(args.docs):
            print(f"{target} is stale: run `make docs` (or `python -m tools.facts`)")
            return 1
        print(f"{target} is current")
        return 0
    changed = write_facts(args.docs)
    print(f"{'wrote' if changed else 'unchanged:'} {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
