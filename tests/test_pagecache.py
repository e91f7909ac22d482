"""The page cache never serves a stale chat page (pagecache.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build.generate import generate_site

EPISODE = "episodes/2026-03-05-first-jobs.md"


def docs(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site / "docs").as_posix(): p.read_bytes() for p in sorted((site / "docs").rglob("*.md"))}


def fresh(site: Path) -> dict[str, bytes]:
    """What generate gives for the same data with no cache at all."""
    shutil.rmtree(site / ".cache", ignore_errors=True)
    for folder in ("episodes", "people", "topics", "archive", "upcoming"):
        shutil.rmtree(site / "docs" / folder, ignore_errors=True)
    generate_site(site)
    return docs(site)


def test_unchanged_pages_are_not_rendered_again(fixture_site: Path):
    generate_site(fixture_site)
    report = generate_site(fixture_site)
    assert report.written == []


def test_cached_output_equals_uncached_after_each_kind_of_change(fixture_site: Path, tmp_path: Path):
    edits = [  # (file, old, new, what the chat page must now show or not)
        ("data/people.yml", "name: Gus Guest", "name: Gustav Guest", "Gustav Guest"),  # an author's name
        ("data/episodes/2026-03-05-first-jobs/transcript.jsonl", "Paper round", "Milk round", "Milk round"),  # a message
        ("data/episodes/2026-03-05-first-jobs/episode.yml", "First jobs", "First paid jobs", "First paid jobs"),
        ("data/privacy.yml", "@gone_gary", "@zed", "lifeguard"),  # who is redacted: gone_gary is back
    ]
    generate_site(fixture_site)
    for rel, old, new, shown in edits:
        path = fixture_site / rel
        path.write_text(path.read_text().replace(old, new))
        generate_site(fixture_site)
        cached = docs(fixture_site)
        uncached_site = tmp_path / rel.replace("/", "_")
        shutil.copytree(fixture_site, uncached_site)
        assert cached == fresh(uncached_site), rel
        assert shown in cached[EPISODE].decode()


def test_a_page_changed_behind_the_cache_is_rendered_again(fixture_site: Path):
    generate_site(fixture_site)
    page = fixture_site / "docs" / EPISODE
    good = page.read_bytes()
    page.write_text("half-written by a killed run")
    generate_site(fixture_site)
    assert page.read_bytes() == good


def test_cache_is_safe_to_delete(fixture_site: Path):
    generate_site(fixture_site)
    before = docs(fixture_site)
    shutil.rmtree(fixture_site / ".cache")
    generate_site(fixture_site)
    assert docs(fixture_site) == before


def test_kept_charts_are_used_only_from_the_same_drawing_code(fixture_site: Path, tmp_path: Path):
    """charts.json (chartcache.py) from other drawing code, or half-written, is not used."""
    import json

    from generator.build.chartcache import CACHE_FILE

    generate_site(fixture_site)
    charts = fixture_site / ".cache" / "chatdigest" / CACHE_FILE
    kept = json.loads(charts.read_text())
    assert kept["charts"], "people pages' charts are kept"
    uncached = fresh(shutil.copytree(fixture_site, tmp_path / "uncached"))
    bogus = {key: "<svg>other drawing code</svg>" for key in kept["charts"]}
    for text in (json.dumps({"version": "other", "charts": bogus}), json.dumps({"version": kept["version"]})[:20], "[]"):
        charts.write_text(text)
        shutil.rmtree(fixture_site / "docs" / "people")
        generate_site(fixture_site)
        assert docs(fixture_site) == uncached
    assert json.loads(charts.read_text()) == kept  # rewritten whole by a finished generate


def test_chat_pages_rendered_by_a_forked_helper_are_the_same(fixture_site: Path, tmp_path: Path, monkeypatch):
    from generator.build import generate, jobs

    if not jobs.can_fork():
        pytest.skip("a helper process needs fork and a second core")
    serial = tmp_path / "serial"
    shutil.copytree(fixture_site, serial)

    def written(report, root):
        return sorted(p.relative_to(root).as_posix() for p in report.written)

    serial_written = written(generate_site(serial), serial.resolve())
    monkeypatch.setattr(generate, "PARALLEL_FROM", 1)  # the fixture has two chats: one each
    report = generate_site(fixture_site, parallel=True)
    assert docs(fixture_site) == docs(serial) and written(report, fixture_site.resolve()) == serial_written
    cache = ".cache/chatdigest/pages.json"
    assert (fixture_site / cache).read_text().count('"episodes/') == (serial / cache).read_text().count('"episodes/') == 2
    assert generate_site(fixture_site, parallel=True).written == []  # what the helper wrote is kept

    def fails(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(jobs, "write_atomic", fails)  # the helper's last step: the fork inherits it
    shutil.rmtree(fixture_site / "docs" / "episodes")
    generate_site(fixture_site, parallel=True)  # so generate renders the helper's share itself
    assert docs(fixture_site) == docs(serial)
