"""No id, handle, tag or title can make a path outside its folder: slugs are safe and unique,
and the writer refuses (and never deletes) anything outside the generated folders."""

from __future__ import annotations

import json
import os
import posixpath
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build.generate import generate_site
from generator.errors import ChatdigestError
from generator.render import urls
from generator.writer import TreeWriter

CORPUS = list(json.loads((Path(__file__).parent / "hostile" / "corpus.json").read_text(encoding="utf-8")).values())
NASTY = [
    "../../etc/passwd",
    "..",
    ".",
    "/etc/passwd",
    "C:\\Windows\\system32",
    "\\\\server\\share",
    "~root",
    "CON",
    "con",
    "Con.txt",
    "NUL",
    "aux",
    "COM1",
    "lpt9",
    "PRN.md",
    "index",
    "INDEX",
    "a/b/c",
    "a\x00b",
    "x" * 5000,
    "ü" * 300,
    "😀" * 100,
    "",
    " ",
    "-",
    "---",
    "a" + "-" * 200 + "b",
    ".hidden",
    "episode.md",
]
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
any_text = st.one_of(st.sampled_from(NASTY + CORPUS), st.text())


def assert_safe_file_name(name: str) -> None:
    stem = name.removesuffix(".md")
    assert SLUG.match(stem), name
    assert stem not in WINDOWS_RESERVED
    assert len(name.encode()) < 100  # far below every file system's 255-byte limit


@settings(max_examples=500, deadline=None)
@given(any_text, st.sampled_from(["item", "topic", "person", "episode"]))
def test_slug_is_a_safe_file_name(text: str, fallback: str):
    value = urls.slug(text, fallback)
    assert_safe_file_name(value)
    assert value != "index"  # people/index.md and topics/index.md are the index pages


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_generated_paths_stay_in_their_folder(text: str):
    for folder, path in (
        ("topics", urls.topic_path(text)),
        ("episodes", urls.episode_path(text)),
        ("people", urls.person_path(urls.slug(text, "person"))),
    ):
        assert posixpath.normpath(path) == path and posixpath.dirname(path) == folder, path
        assert_safe_file_name(posixpath.basename(path))


@settings(max_examples=200, deadline=None)
@given(st.lists(any_text, max_size=40))
def test_registry_slugs_are_unique_ignoring_case(texts: list[str]):
    registry = urls.SlugRegistry(taken=("index",))
    slugs = [registry.get(str(i), text) for i, text in enumerate(texts)]
    assert len({s.casefold() for s in slugs}) == len(slugs)
    assert "index" not in slugs
    assert registry.get("0", "something else") == (slugs[0] if slugs else registry.get("0", "something else"))


def test_case_variants_get_distinct_pages():
    registry = urls.SlugRegistry()
    slugs = [registry.get(key, key) for key in ("Maya", "maya", "MAYA", "máya", "maya-2")]
    assert len(set(slugs)) == 5 and all(s == s.lower() for s in slugs)


def test_very_long_names_are_cut_to_a_short_slug():
    assert len(urls.slug("word " * 2000)) <= 60
    registry = urls.SlugRegistry()
    long = [registry.get(str(i), "word " * 2000) for i in range(20)]
    assert len(set(long)) == 20 and max(len(s) for s in long) <= 64


# --- the writer -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "relpath",
    [
        "../outside.md",
        "episodes/../../outside.md",
        "/tmp/outside.md",
        "episodes/../about.md",
        "about.md",
        "",
        ".",
        "episodes",
        "people/../../../etc/passwd",
        "episodesX/a.md",
        "index.md/../../x",
    ],
)
def test_writer_refuses_paths_outside_its_folders(tmp_path: Path, relpath: str):
    docs = tmp_path / "docs"
    docs.mkdir()
    writer = TreeWriter(docs, urls.GENERATED_DIRS, urls.GENERATED_FILES)
    with pytest.raises(ChatdigestError, match="refusing to write"):
        writer.write(relpath, "x")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["docs"]


def test_writer_does_not_follow_a_symlink_out_of_its_folder(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.md").write_text("precious")
    docs = tmp_path / "docs"
    (docs / "episodes").mkdir(parents=True)
    (docs / "episodes" / "linked").symlink_to(outside, target_is_directory=True)
    (docs / "topics").symlink_to(outside, target_is_directory=True)
    writer = TreeWriter(docs, urls.GENERATED_DIRS, urls.GENERATED_FILES)
    for relpath in ("episodes/linked/keep.md", "topics/new.md"):
        with pytest.raises(ChatdigestError):
            writer.write(relpath, "overwritten")
    writer.write("episodes/a.md", "a")
    writer.remove_stale()  # nothing produced under the links: stale, but not ours to delete
    assert (outside / "keep.md").read_text() == "precious" and sorted(p.name for p in outside.iterdir()) == ["keep.md"]


def test_hostile_ids_tags_and_handles_only_write_inside_docs(fixture_site: Path):
    """End to end: tags and handles made of traversal strings and reserved names."""
    episode = fixture_site / "data" / "episodes" / "2026-03-05-first-jobs" / "episode.yml"
    data = yaml.safe_load(episode.read_text())
    data["tags"] = ["../../../../tmp/evil", "/etc/passwd", "CON", "con", "Careers", "careers", "index", "x" * 400, "C++", "C"]
    episode.write_text(yaml.safe_dump(data))
    transcript = episode.parent / "transcript.jsonl"
    extra = [
        {"id": f"h{i}", "platform": "x", "author": handle, "at": "2026-03-05T19:30:00Z", "text": "hi"}
        for i, handle in enumerate(["../../../x", "/abs", "CON", "Index", "MAYA", "maya", "y" * 300])
    ]
    transcript.write_text(transcript.read_text() + "".join(json.dumps(m) + "\n" for m in extra))
    # docs/ and the cache folder (pagecache.py) are the only places generate writes to.
    ours = (fixture_site / "docs", fixture_site / ".cache")
    before = {p for p in fixture_site.parent.rglob("*") if not any(p.is_relative_to(o) for o in ours)}
    report = generate_site(fixture_site)
    after = {p for p in fixture_site.parent.rglob("*") if not any(p.is_relative_to(o) for o in ours)}
    assert after == before
    docs = (fixture_site / "docs").resolve()
    for path in report.written:
        relative = path.resolve().relative_to(docs)
        assert relative.parts[0] in urls.GENERATED_DIRS or relative.as_posix() in urls.GENERATED_FILES
        assert_safe_file_name(relative.name)
    names = [p.name.casefold() for p in (docs / "people").iterdir()]
    assert len(names) == len(set(names)) and "index.md" in names  # the index page is not overwritten
    topics = (docs / "topics" / "careers.md").read_text()
    assert topics.count("First jobs") == 1  # "Careers" and "careers" are one topic, listed once
    assert os.listdir(docs / "topics").count("con-topic.md") == 1


def test_written_files_are_readable_by_a_web_server(tmp_path: Path):
    from generator.writer import write_atomic

    target, plain = tmp_path / "page.html", tmp_path / "plain.html"
    write_atomic(target, "<p>hi</p>")
    plain.write_text("<p>hi</p>")
    # The same mode as any file the user's tools create (0644 with the usual umask), not
    # mkstemp's private 0600 that a web server running as another user could not read.
    assert target.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
