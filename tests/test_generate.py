"""generate: golden Markdown for the fixture community, determinism, rewrite-only-on-change.

Refresh the golden files after an intended change with:
    UPDATE_GOLDEN=1 pytest tests/test_generate.py
and review the diff of tests/golden/ like code.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from generator.build.generate import generate_site

GOLDEN = Path(__file__).parent / "golden"


def generated_files(site: Path) -> dict[str, str]:
    docs = site / "docs"
    owned = ("episodes", "people", "topics", "archive", "upcoming")
    files = {p.relative_to(docs).as_posix(): p.read_text(encoding="utf-8") for p in docs.rglob("*.md")}
    return {k: v for k, v in files.items() if k == "index.md" or k.split("/")[0] in owned}


def test_fixture_pages_match_golden(fixture_site: Path):
    generate_site(fixture_site)
    actual = generated_files(fixture_site)
    if os.environ.get("UPDATE_GOLDEN"):
        for old in GOLDEN.rglob("*.md"):
            old.unlink()
        for rel, text in actual.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.md")}
    assert sorted(actual) == sorted(expected), "set of generated pages changed (UPDATE_GOLDEN=1 to refresh)"
    for rel in expected:
        assert actual[rel] == expected[rel], f"{rel} differs from tests/golden (UPDATE_GOLDEN=1 to refresh)"


def test_second_generate_writes_nothing(fixture_site: Path):
    first = generate_site(fixture_site)
    mtimes = {p: p.stat().st_mtime_ns for p in (fixture_site / "docs").rglob("*.md")}
    second = generate_site(fixture_site)
    assert first.written and not second.written
    assert {p: p.stat().st_mtime_ns for p in (fixture_site / "docs").rglob("*.md")} == mtimes


def test_hand_written_pages_untouched_and_stale_pages_removed(fixture_site: Path):
    about = fixture_site / "docs" / "about.md"
    before = about.read_bytes()
    generate_site(fixture_site)
    stale = fixture_site / "docs" / "episodes" / "2020-01-01-gone.md"
    stale.write_text("old")
    generate_site(fixture_site)
    assert about.read_bytes() == before
    assert not stale.exists()


def test_redacted_person_is_nowhere_in_generated_pages(fixture_site: Path):
    generate_site(fixture_site)
    for rel, text in generated_files(fixture_site).items():
        assert "gone_gary" not in text and "marmalade" not in text, rel


def test_messages_are_text_not_markup(fixture_site: Path):
    generate_site(fixture_site)
    page = (fixture_site / "docs" / "episodes" / "2026-03-05-first-jobs.md").read_text()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "&#123;&#123; not_a_template &#125;&#125;" in page
    assert 'href="javascript' not in page


@pytest.mark.parametrize("name", ["1003", "1011"])
def test_every_message_has_an_anchor(fixture_site: Path, name: str):
    generate_site(fixture_site)
    page = (fixture_site / "docs" / "episodes" / "2026-03-05-first-jobs.md").read_text()
    assert page.count(f'id="m-{name}"') == 1


def test_each_message_is_shown_once_with_its_anchor_answers_under_their_question(demo_site: Path):
    generate_site(demo_site)
    pages = sorted((demo_site / "docs" / "episodes").glob("*.md"))
    checked = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if "## Transcript" not in text:
            continue  # a chat not held yet
        total = int(re.search(r"## Transcript\n\n(\d+) messages", text).group(1))
        before, transcript = text.split("## Transcript", 1)
        answers = re.findall(r'id="(m-[^"]+)"', before.split("## Questions and answers", 1)[-1])
        rest = re.findall(r'id="(m-[^"]+)"', transcript)
        anchors = answers + rest
        assert len(anchors) == len(set(anchors)) == total, page.name
        assert answers, f"{page.name}: no answer under a question"
        checked += 1
    assert checked >= 12


def test_draft_episode_gets_no_page(fixture_site: Path):
    episode = fixture_site / "data" / "episodes" / "2026-03-12-mentors" / "episode.yml"
    episode.write_text(episode.read_text().replace("status: upcoming", "status: draft"))
    generate_site(fixture_site)
    docs = fixture_site / "docs"
    assert not (docs / "episodes" / "2026-03-12-mentors.md").exists()
    assert "Finding a mentor" not in "".join(p.read_text() for p in docs.rglob("*.md"))
