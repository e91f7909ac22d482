"""The cache folder (cache.py): an entry from other code, or damaged, is discarded with a reason
and the output is what a build without any cache gives."""

from __future__ import annotations

import logging
import marshal
import shutil
from pathlib import Path

import pytest
from conftest import build

from generator import cache


def built_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for folder in ("docs", "site")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file() and p.name not in ("sitemap.xml.gz",)  # gzip stamps the time
    }


def test_every_build_cache_is_one_kind_of_file(fixture_site: Path):
    build(fixture_site)
    names = sorted(p.name for p in (fixture_site / cache.CACHE_DIR).iterdir() if p.name != "build.lock")  # lock.py's
    assert names == [
        "build-fingerprint.marshal",
        "charts.marshal",
        "finished-build.marshal",
        "pages.marshal",
        "search-chats.marshal",
        "summaries.marshal",
        "summary-memos.marshal",
        "templates.marshal",
    ]
    for name in names:
        assert cache.load(fixture_site, name.removesuffix(".marshal")) is not None


@pytest.mark.parametrize("name", ["build-fingerprint", "charts", "pages", "search-chats", "summaries", "summary-memos", "templates"])
@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda raw: marshal.dumps((cache.FORMAT, "other code", marshal.loads(raw)[2])), "another version"),
        (lambda raw: raw[: len(raw) // 2], "not a cache file"),
        (lambda raw: b"\x00garbage", "not a cache file"),
    ],
)
def test_a_cache_file_from_other_code_or_damaged_is_discarded(fixture_site: Path, tmp_path: Path, caplog, name, damage, reason):
    clean = shutil.copytree(fixture_site, tmp_path / "clean")
    build(clean)
    build(fixture_site)
    path = cache.path_of(fixture_site, name)
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.chatdigest.cache"):
        build(fixture_site)
    assert any(f"{name}.marshal discarded" in r.getMessage() and reason in r.getMessage() for r in caplog.records)
    assert built_files(fixture_site) == built_files(clean)
    assert cache.load(fixture_site, name) is not None  # saved afresh


def test_the_stamp_covers_every_module_of_the_build():
    sources = {p.relative_to(cache.PACKAGE).parts[0] for p in cache.PACKAGE.rglob("*.py")}
    assert {"archive", "build", "digest", "render", "search", "ingest"} <= sources
    assert cache.code_version() == cache.code_version.__wrapped__()
