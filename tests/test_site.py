"""The built site: Markdown around the raw HTML blocks is really converted, on every page."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import build
from lxml import html as lxml_html

LEFTOVER_ESCAPE = re.compile(r"\\[-.#*()\[\]!_`{}+>|]")  # Markdown that was never converted


def article_text(page: Path) -> str:
    tree = lxml_html.fromstring(page.read_bytes())
    return " ".join(tree.xpath("//article//text()[not(ancestor::code) and not(ancestor::pre)]"))


def test_no_unconverted_markdown_on_any_page(fixture_site: Path, built_demo: Path):
    build(fixture_site)
    for root in (fixture_site, built_demo):
        for page in (root / "site").rglob("*.html"):
            found = LEFTOVER_ESCAPE.search(article_text(page))
            assert found is None, f"{page}: {found.group(0)!r} shown as text"


def test_summary_and_description_are_paragraphs(built_demo: Path):
    episode = (built_demo / "site" / "episodes" / "2026-09-17-interviews-from-both-sides" / "index.html").read_text()
    assert "<p>Hiring manager Sofia Alvarez shared" in episode
    home = (built_demo / "site" / "index.html").read_text()
    assert "hashtag #CareerClub." in home
