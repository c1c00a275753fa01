"""The facts index, ``docs/facts.md``: every fact the notes teach, its test and its template path.

The source is one TOML file per architecture under ``facts/`` (the schema: ``facts/README.md``).
This module reads and validates them and renders the page twice over: by architecture (every
row whole) and by the exam's four domains (which facts each domain draws on).

``python -m tools.facts`` (called by ``make docs``) writes ``docs/facts.md``; ``--check`` writes
nothing and exits 1 when the file is stale. Whether a row's test exists and claims the row's id,
and whether its template path finds something, is checked by ``tests/tools/test_facts.py``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FACTS_DIR = ROOT / "facts"
FACTS_PAGE = "facts.md"
# The architectures in the site's nav order (mkdocs.yml); any other facts file follows, by name.
NAV_ORDER = (
    "network",
    "web-tier",
    "serverless-api",
    "static-site",
    "aurora-global",
    "queue-worker",
    "fan-out",
    "streaming-ingestion",
    "data-protection",
    "what-is-the-time",
    "my-clothes",
    "my-word-press",
)
# The AWS Certified Solutions Architect - Associate (SAA-C03) exam guide's four content domains.
DOMAINS = {
    "secure": "Design Secure Architectures",
    "resilient": "Design Resilient Architectures",
    "performant": "Design High-Performing Architectures",
    "cost": "Design Cost-Optimized Architectures",
}
SHOWN_BY = {
    "template": "a template",
    "validation": "the construct's validation",
    "docs": "the docs only",
}
_NOTES_REF = re.compile(r"^(?P<file>\d{3}):(?P<start>\d+)(?:-(?P<end>\d+))?$")
_TEST = re.compile(r"^(?:tests|constructs_lib)/[\w/]+\.py::(?:\w+::)?\w+$")
_TEMPLATE = re.compile(
    r"^(?P<source>options:[\w-]+|[\w-]+@(?:sandbox|production)):\s+"
    r"(?P<type>\w+::\w+::\w+|Outputs)(?P<path>(?:\.\w+)*)(?:\s*=\s*(?P<value>.+))?$"
)
_FIELDS = {"id", "fact", "notes", "domains", "shown_by", "tests", "template", "now", "why"}


@dataclass(frozen=True)
class TemplatePath:
    """Where a template shows a fact: ``Network@sandbox: AWS::EC2::VPC.CidrBlock = "10.0.0.0/16"``.

    The type ``Outputs`` names an output instead: ``WebTier@sandbox: Outputs.LoadBalancerUrl``.
    """

    source: str  # "Network@sandbox" or "options:<name>"
    resource_type: str
    path: tuple[str, ...]  # keys under Properties
    value: object | None  # the JSON value some match must equal, or None

    @property
    def is_options(self) -> bool:
        return self.source.startswith("options:")

    @property
    def stack_and_profile(self) -> tuple[str, str]:
        stack, _, profile = self.source.partition("@")
        return stack, profile

    def matches(self, template: dict) -> list[object]:
        """Every value the path reaches in resources of its type (lists: any element)."""
        found: list[object] = []
        if self.resource_type == "Outputs":
            outputs = template.get("Outputs", {})
            found = [outputs[self.path[0]]] if self.path and self.path[0] in outputs else []
            for key in self.path[1:]:
                found = [v[key] for v in _flatten(found) if isinstance(v, dict) and key in v]
            found = [v for v in _flatten(found) if v is not None]
            return found if self.value is None else [v for v in found if v == self.value]
        for resource in template.get("Resources", {}).values():
            if resource.get("Type") != self.resource_type:
                continue
            values: list[object] = [resource.get("Properties", {})]
            for key in self.path:
                values = [v[key] for v in _flatten(values) if isinstance(v, dict) and key in v]
            found += [v for v in _flatten(values) if v is not None]
        if self.value is None:
            return found
        return [v for v in found if v == self.value]


def _flatten(values: Iterable[object]) -> list[object]:
    out: list[object] = []
    for value in values:
        out += value if isinstance(value, list) else [value]
    return out


def parse_template_path(text: str) -> TemplatePath:
    match = _TEMPLATE.match(text.strip())
    if not match:
        raise ValueError(
            f"template {text!r}: expected '<Stack>@<sandbox|production>: <Type>[.Key...][ = json]' "
            "or 'options:<name>: <Type>[.Key...][ = json]'"
        )
    value = match.group("value")
    try:
        parsed = json.loads(value) if value is not None else None
    except json.JSONDecodeError as error:
        raise ValueError(f"template {text!r}: the value is not JSON ({error})") from None
    path = tuple(key for key in match.group("path").split(".") if key)
    return TemplatePath(match.group("source"), match.group("type"), path, parsed)


@dataclass(frozen=True)
class Fact:
    id: str
    fact: str
    notes: tuple[str, ...]
    domains: tuple[str, ...]
    shown_by: str
    tests: tuple[str, ...]
    template: TemplatePath | None
    template_text: str
    now: str
    why: str


@dataclass(frozen=True)
class Architecture:
    name: str  # the file's stem, e.g. "network"
    title: str
    page: str
    prefix: str
    facts: tuple[Fact, ...]


def _fact(entry: dict, prefix: str, where: str) -> Fact:
    unknown = set(entry) - _FIELDS
    if unknown:
        raise ValueError(f"{where}: unknown fields {sorted(unknown)}; allowed: {sorted(_FIELDS)}")
    fact_id = entry.get("id")
    if not isinstance(fact_id, str) or not re.fullmatch(rf"{re.escape(prefix)}-\d{{2,3}}", fact_id):
        raise ValueError(f"{where}: id is {fact_id!r}; allowed: '{prefix}-NN'")
    where = f"{where} {fact_id}"
    text = entry.get("fact")
    if not isinstance(text, str) or not text.strip() or "|" in text:
        raise ValueError(f"{where}: fact must be a non-empty sentence without '|'")
    notes = tuple(entry.get("notes", ()))
    if not notes or not all(isinstance(n, str) and _NOTES_REF.match(n) for n in notes):
        raise ValueError(f"{where}: notes is {notes!r}; allowed: one or more 'NNN:line[-line]'")
    for note in notes:
        match = _NOTES_REF.match(note)
        if match.group("end") and int(match.group("end")) < int(match.group("start")):
            raise ValueError(f"{where}: notes {note!r} ends before it starts")
    domains = tuple(entry.get("domains", ()))
    if not domains or not set(domains) <= set(DOMAINS) or len(set(domains)) != len(domains):
        raise ValueError(f"{where}: domains is {domains!r}; allowed: some of {sorted(DOMAINS)}")
    shown_by = entry.get("shown_by", "template")
    if shown_by not in SHOWN_BY:
        raise ValueError(f"{where}: shown_by is {shown_by!r}; allowed: {sorted(SHOWN_BY)}")
    tests = tuple(entry.get("tests", ()))
    for test in tests:
        if not isinstance(test, str) or not _TEST.match(test):
            raise ValueError(
                f"{where}: test {test!r}; allowed: 'tests/<path>.py::[Class::]test' "
                "(or a runtime's test under constructs_lib/)"
            )
    if len(set(tests)) != len(tests):
        raise ValueError(f"{where}: a test is named twice")
    template_text = entry.get("template", "")
    template = parse_template_path(template_text) if template_text else None
    why = entry.get("why", "")
    if shown_by in ("template", "validation") and not tests:
        raise ValueError(f"{where}: shown_by {shown_by!r} needs tests")
    if shown_by == "template" and template is None:
        raise ValueError(f"{where}: shown_by 'template' needs a template path")
    if shown_by == "docs" and not why:
        raise ValueError(f"{where}: shown_by 'docs' needs why (what keeps it out of a template)")
    return Fact(
        id=fact_id,
        fact=text.strip(),
        notes=notes,
        domains=domains,
        shown_by=shown_by,
        tests=tests,
        template=template,
        template_text=template_text.strip(),
        now=entry.get("now", "").strip(),
        why=why.strip(),
    )


def load_file(path: Path) -> Architecture:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    where = path.name
    if data.get("architecture") != path.stem:
        raise ValueError(
            f"{where}: architecture is {data.get('architecture')!r}; must be {path.stem!r}"
        )
    for key in ("title", "page", "prefix"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ValueError(f"{where}: {key} is missing")
    if not re.fullmatch(r"[A-Z]{2,5}", data["prefix"]):
        raise ValueError(f"{where}: prefix is {data['prefix']!r}; allowed: 2-5 capital letters")
    facts = tuple(_fact(entry, data["prefix"], where) for entry in data.get("fact", ()))
    if not facts:
        raise ValueError(f"{where}: no [[fact]]")
    ids = [fact.id for fact in facts]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{where}: duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}")
    return Architecture(path.stem, data["title"], data["page"], data["prefix"], facts)


def load(facts_dir: Path = FACTS_DIR) -> list[Architecture]:
    """Every architecture's facts, in nav order; prefixes are unique across files."""
    paths = {path.stem: path for path in Path(facts_dir).glob("*.toml")}
    order = [name for name in NAV_ORDER if name in paths] + sorted(set(paths) - set(NAV_ORDER))
    architectures = [load_file(paths[name]) for name in order]
    prefixes = [arch.prefix for arch in architectures]
    if len(set(prefixes)) != len(prefixes):
        raise ValueError(f"facts: two files share a prefix: {prefixes}")
    return architectures


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


def _shown(fact: Fact) -> str:
    if fact.shown_by == "docs":
        return f"docs only: {_cell(fact.why)}"
    if fact.template is not None:
        return _code(fact.template_text)
    return "validation (before synthesis)"


def render_facts(facts_dir: Path = FACTS_DIR) -> str:
    """The whole text of ``docs/facts.md``."""
    architectures = load(facts_dir)
    every = [fact for arch in architectures for fact in arch.facts]
    counts = {kind: sum(fact.shown_by == kind for fact in every) for kind in SHOWN_BY}
    out = [
        "# Facts index: what the notes teach, its test and its template",
        "",
        "Generated by `make docs` (`python -m tools.facts`) from `facts/*.toml`: do not edit by "
        "hand. One row per fact, in the collection's own words; the notes references are "
        "`file:line` in the study notes (`../shared/notes/`, file = the first three digits of the "
        "`.txt` name). A test named here exists, claims the row's id with "
        '`@pytest.mark.fact("<id>")`, and the template path finds what it names '
        "(`tests/tools/test_facts.py`). Template paths read "
        "`<Stack>@<profile>: <Type>.<Property>...`, or `options:<name>` for a template of "
        "construct options no profile uses (built in `tests/<architecture>/options.py`).",
        "",
        f"{len(every)} facts: {counts['template']} shown by a template, "
        f"{counts['validation']} by the construct's validation, "
        f"{counts['docs']} by the docs only (no template can show them; each says why).",
        "",
        "## By architecture",
        "",
    ]
    for arch in architectures:
        out += [
            f"### {arch.title}",
            "",
            f"[The architecture's page]({arch.page}): {len(arch.facts)} facts.",
            "",
            "| Id | Fact | Notes | Domains | Tests | Shown in |",
            "|---|---|---|---|---|---|",
        ]
        for fact in arch.facts:
            text = _cell(fact.fact) + (f" **Now:** {_cell(fact.now)}" if fact.now else "")
            tests = "<br>".join(_code(test) for test in fact.tests) or "none"
            out.append(
                f"| {fact.id} | {text} | {', '.join(fact.notes)} | {', '.join(fact.domains)} "
                f"| {tests} | {_shown(fact)} |"
            )
        out.append("")
    out += ["## By exam domain", ""]
    titles = {fact.id: arch.title for arch in architectures for fact in arch.facts}
    for key, domain in DOMAINS.items():
        members = [fact for fact in every if key in fact.domains]
        out += [
            f"### {domain}",
            "",
            f"{len(members)} facts.",
            "",
            "| Id | Fact | Architecture |",
            "|---|---|---|",
        ]
        out += [f"| {fact.id} | {_cell(fact.fact)} | {titles[fact.id]} |" for fact in members]
        out.append("")
    return "\n".join(out)


def write_facts(docs_dir: Path = DOCS, facts_dir: Path = FACTS_DIR) -> bool:
    """Write ``docs_dir/facts.md``; True when that changed the file."""
    target = Path(docs_dir) / FACTS_PAGE
    text = render_facts(facts_dir)
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when stale")
    parser.add_argument("--docs", type=Path, default=DOCS, help="the docs folder (default docs/)")
    parser.add_argument("--facts", type=Path, default=FACTS_DIR, help="the source (default facts/)")
    args = parser.parse_args(argv)
    target = args.docs / FACTS_PAGE
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != render_facts(args.facts):
            print(f"{target} is stale: run `make docs` (or `python -m tools.facts`)")
            return 1
        print(f"{target} is current")
        return 0
    changed = write_facts(args.docs, args.facts)
    print(f"{'wrote' if changed else 'unchanged:'} {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
