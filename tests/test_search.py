"""The Pagefind search index: what goes in, what stays out, and that every build makes it."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURE_SITE, build, copy_site
from generator.errors import StrictFailure
from generator.search import BUNDLE_DIR, lunr_index_bytes

FIRST_JOBS = "/episodes/2026-03-05-first-jobs/"


@pytest.fixture(scope="module")
def built_fixture(tmp_path_factory) -> Path:
    root = copy_site(FIXTURE_SITE, tmp_path_factory.mktemp("search") / "site")
    build(root)
    return root / "site"


def bundle_files(site_dir: Path) -> dict[str, bytes]:
    """Every file of the Pagefind bundle, gzip-compressed ones decompressed."""
    files = {}
    for path in (site_dir / BUNDLE_DIR).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            files[path.relative_to(site_dir).as_posix()] = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    return files


def fragments(site_dir: Path) -> dict[str, dict]:
    """Pagefind's per-page records (what a result shows), keyed by page URL."""
    out = {}
    for name, data in bundle_files(site_dir).items():
        if name.startswith(f"{BUNDLE_DIR}/fragment/"):
            record = json.loads(data[data.index(b"{"):])
            out[record["url"]] = record
    return out


def test_build_writes_a_chunked_index_and_no_lunr_index(built_fixture):
    assert (built_fixture / BUNDLE_DIR / "pagefind.js").is_file()
    assert list((built_fixture / BUNDLE_DIR / "index").iterdir()), "no index chunks"
    assert not (built_fixture / "search" / "search_index.json").exists()


def test_index_holds_chat_and_person_pages_not_listings(built_fixture):
    urls = set(fragments(built_fixture))
    assert FIRST_JOBS in urls and "/people/gus-guest/" in urls and "/about/" in urls
    assert not urls & {"/", "/archive/", "/topics/", "/people/", "/upcoming/", "/topics/careers/"}


def test_every_transcript_message_is_a_result_target(built_fixture):
    record = fragments(built_fixture)[FIRST_JOBS]
    anchors = {a["id"] for a in record["anchors"]}
    assert {"m-1001", "m-1003", "m-1006", "m-1012"} <= anchors
    assert 'id="m-1003"' in (built_fixture / "episodes/2026-03-05-first-jobs/index.html").read_text()


def test_episode_pages_carry_year_topic_and_person_filters(built_fixture):
    filters = fragments(built_fixture)[FIRST_JOBS]["filters"]
    assert filters["year"] == ["2026"]
    assert set(filters["topic"]) == {"careers", "first job"}
    assert {"Hana Host", "Gus Guest", "@zed"} <= set(filters["person"])
    assert fragments(built_fixture)[FIRST_JOBS]["meta"]["date"] == "2026-03-05"


def test_highlight_and_answer_copies_are_indexed_once(built_fixture):
    # 1003 is a highlight and a Q1 answer: only its transcript copy (with the anchor) counts.
    assert fragments(built_fixture)[FIRST_JOBS]["content"].count("Paper round") == 1


def test_redacted_person_and_deleted_messages_are_not_in_the_index(built_fixture):
    everything = b"\n".join(bundle_files(built_fixture).values())
    assert b"lifeguard" in everything and b"Paper round" in everything  # the search can see text
    for gone in (b"marmalade", b"gone_gary", b"Gone", b"message deleted"):
        assert gone not in everything, gone


def test_noise_is_not_indexed(built_fixture):
    content = fragments(built_fixture)[FIRST_JOBS]["content"]
    assert "19:03" not in content.split("Transcript", 1)[1]  # message clock times
    assert "on X" not in content and "♥" not in content


def test_plain_mkdocs_build_makes_the_index_too(tmp_path):
    root = copy_site(FIXTURE_SITE, tmp_path / "site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (root / "site" / BUNDLE_DIR / "pagefind-entry.json").is_file()


def test_a_theme_without_the_search_box_fails_a_strict_build_with_the_fix(tmp_path, caplog):
    root = copy_site(FIXTURE_SITE, tmp_path / "site")
    config = root / "mkdocs.yml"
    # A site's own custom_dir wins over chatdigest's templates: here it replaces the header.
    (root / "custom" / "partials").mkdir(parents=True)
    (root / "custom" / "partials" / "header.html").write_text("<header></header>\n")
    config.write_text(config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: custom\n"))
    with pytest.raises(StrictFailure):
        build(root, strict=True)
    warning = next(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "mkdocs.yml" in warning and "custom_dir must not replace" in warning
    assert not (root / "site" / BUNDLE_DIR).exists()


def test_lunr_index_bytes_matches_what_material_search_writes(tmp_path):
    # A plain Material site, so the search plugin sees every page exactly as it is built.
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nWelcome to the chat archive.\n")
    for n in range(5):
        body = "\n\n".join(f"## Question {q}\n\n" + " ".join(f"answer{n}{q}{w} about careers" for w in range(40)) for q in range(5))
        (tmp_path / "docs" / f"week-{n}.md").write_text(f"# Week {n}\n\n{body}\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: Plain\ntheme:\n  name: material\nplugins:\n  - search\n")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    real = (tmp_path / "site" / "search" / "search_index.json").stat().st_size
    estimate = lunr_index_bytes(tmp_path / "site")
    assert 0.9 * real <= estimate <= 1.1 * real, (estimate, real)
