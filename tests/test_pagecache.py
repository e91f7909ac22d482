"""The page cache never serves a stale chat page (pagecache.py)."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from generator import cache
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


def test_a_second_chat_gives_a_page_and_links_to_it_from_the_first(fixture_site: Path, tmp_path: Path):
    generate_site(fixture_site)
    first = (fixture_site / "docs" / EPISODE).read_text()
    assert '<span class="cd-person">@zed</span>' in first and "people/zed/" not in first
    assert not (fixture_site / "docs" / "people" / "zed.md").exists()
    index = (fixture_site / "docs" / "people" / "index.md").read_text()
    assert '<a href="../episodes/2026-03-05-first-jobs/#m-1009">@zed</a>' in index  # listed, linking to their message

    second = fixture_site / "data" / "episodes" / "2026-03-12-mentors"
    yml = second / "episode.yml"
    yml.write_text(yml.read_text().replace("status: upcoming", "status: published"))
    (second / "transcript.jsonl").write_text(
        '{"id": "2001", "platform": "x", "author": "@zed", "at": "2026-03-12T19:05:00Z", "text": "A1: my aunt"}\n'
    )
    generate_site(fixture_site)
    cached = docs(fixture_site)
    assert '<a class="cd-person" href="../../people/zed/">@zed</a>' in cached[EPISODE].decode()
    assert "people/zed.md" in cached
    shutil.copytree(fixture_site, tmp_path / "second")
    assert cached == fresh(tmp_path / "second")

    (second / "transcript.jsonl").unlink()  # one chat again: the page goes, and the links to it
    generate_site(fixture_site)
    cached = docs(fixture_site)
    assert "people/zed.md" not in cached and "people/zed/" not in cached[EPISODE].decode()
    shutil.copytree(fixture_site, tmp_path / "first")
    assert cached == fresh(tmp_path / "first")


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


def test_chat_pages_rendered_by_a_forked_helper_are_the_same(fixture_site: Path, tmp_path: Path, monkeypatch, caplog):
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
    for root in (fixture_site, serial):
        assert len([path for path in cache.load(root, "pages") if path.startswith("episodes/")]) == 2
    assert generate_site(fixture_site, parallel=True).written == []  # what the helper wrote is kept

    fail_in_helper(monkeypatch, generate.write_chat_pages.__globals__, "render_chats")
    shutil.rmtree(fixture_site / "docs" / "episodes")
    with caplog.at_level(logging.WARNING):
        generate_site(fixture_site, parallel=True)  # so generate renders the helper's share itself
    assert docs(fixture_site) == docs(serial)
    assert any("chat pages: the work beside the build failed (OSError: disk full)" in r.getMessage() for r in caplog.records)


def fail_in_helper(monkeypatch, namespace: dict, name: str) -> None:
    """Make `name` in a module's `namespace` fail in a forked job only; the build's own process
    goes on working (jobs.py redoes a failed job's work there)."""
    build_process, real = os.getpid(), namespace[name]

    def fails_when_forked(*args, **kwargs):
        if os.getpid() != build_process:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setitem(namespace, name, fails_when_forked)
