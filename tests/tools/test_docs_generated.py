"""The generated parts of docs/ are true: regenerated from this session's templates, they match
the committed pages. The teardown table is checked on hand-written templates; the pictures in
tests/tools/test_pictures.py."""

from __future__ import annotations

import pytest

from tools import cost, docs
from tools.synthesis import ROOT

DOCS = ROOT / "docs"


def test_generated_docs_are_current(profiles, found_pictures):
    pages = docs.render_docs(DOCS, profiles, found=found_pictures)
    assert DOCS / "network.md" in pages
    stale = [page.name for page, text in pages.items() if page.read_text() != text]
    assert stale == [], f"docs out of date: {stale}; run `make docs`"


def test_every_stack_has_a_generated_cost_table_diagram_and_teardown(profiles):
    covered = docs.covered_stacks(DOCS)
    for kind in ("cost", "diagram", "teardown"):
        missing = sorted(set(profiles.stacks()) - covered[kind])
        assert missing == [], f"no docs page has a generated {kind} block for {missing}"


@pytest.mark.parametrize("kind", ["cost", "diagram", "teardown"])
def test_a_block_naming_an_unknown_stack_fails(profiles, kind):
    text = f"<!-- BEGIN GENERATED {kind}: Nope -->\n<!-- END GENERATED {kind} -->\n"
    with pytest.raises(docs.DocsError, match=f"generated {kind} block names unknown stack"):
        docs.render_page(text, profiles, cost.load_prices())


def test_every_page_with_a_cost_block_has_a_teardown_block_for_the_same_stacks():
    for page in sorted(DOCS.glob("*.md")):
        blocks = {m["kind"]: m["stacks"].split() for m in docs._BLOCK.finditer(page.read_text())}
        if "cost" in blocks:
            assert blocks.get("teardown") == blocks["cost"], page.name


def test_teardown_block_lists_what_destroy_leaves_or_says_nothing_per_profile():
    def stack(policy: str) -> dict:
        return {
            "Resources": {
                "Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": policy},
                "Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": policy},
            }
        }

    profiles = docs.Profiles(
        templates={"sandbox": {"App": {"Resources": {}}}, "production": {"App": stack("Retain")}},
        regions={},
    )
    text = "<!-- BEGIN GENERATED teardown: App -->\nstale\n<!-- END GENERATED teardown -->"
    page = docs.render_page(text, profiles, cost.load_prices())
    assert "stale" not in page
    assert "`App`, sandbox: `cdk destroy` leaves nothing." in page
    # the retained key keeps its $1.00 a month; the bucket bills its objects' storage only
    assert "`App`, production: `cdk destroy` leaves 2 resources, $1.00/month fixed plus usage:" in (
        page
    )
    assert "| `Key` | `AWS::KMS::Key` | DeletionPolicy Retain | data encrypted under it" in page
    assert "| `Bucket` | `AWS::S3::Bucket` | DeletionPolicy Retain | its objects | $0.00 + S3" in (
        page
    )
    assert docs.render_page(page, profiles, cost.load_prices()) == page  # stable
