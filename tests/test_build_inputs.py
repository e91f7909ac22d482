"""A build follows everything that shapes its output: after any input changes, a warm build
writes exactly what a clean build of the changed site writes (docs/ and site/, byte for byte)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, build, copy_site

from generator import cache

SITE_URL_LINE = "site_url: https://fixture.example/"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _config(root: Path, old: str, new: str) -> None:
    _edit(root / "mkdocs.yml", old, new)


def _site_url_from_env(root: Path) -> None:
    _config(root, SITE_URL_LINE, 'site_url: !ENV [SITE_URL, "http://127.0.0.1:8000/"]')


def _overrides(root: Path, text: str) -> None:
    (root / "overrides").mkdir(exist_ok=True)
    (root / "overrides" / "main.html").write_text('{% extends "base.html" %}\n{% block announce %}' + text + "{% endblock %}\n")


def _with_overrides(root: Path) -> None:
    _config(root, "  name: material\n", "  name: material\n  custom_dir: overrides\n")
    _overrides(root, "Old notice")


# name → (how the site is before, the change); both take the site's root folder.
CHANGES: dict[str, tuple[Callable[[Path], None] | None, Callable[[Path], None]]] = {
    "site_url": (None, lambda root: _config(root, SITE_URL_LINE, "site_url: https://moved.example/archive/")),
    "site_name": (None, lambda root: _config(root, "site_name: Fixture chat", "site_name: Renamed chat")),
    "plugin option": (None, lambda root: _config(root, "  - chatdigest\n", "  - chatdigest:\n      feed_items: 1\n")),
    "theme option": (None, lambda root: _config(root, "  name: material\n", "  name: material\n  features: [navigation.tabs]\n")),
    "theme override": (_with_overrides, lambda root: _overrides(root, "New notice")),
    "markdown extension": (None, lambda root: _config(root, "      permalink: true", "      permalink: false")),
    "copyright": (None, lambda root: _config(root, "site_name: Fixture chat\n", "site_name: Fixture chat\ncopyright: Fixture people\n")),
    "community": (None, lambda root: _edit(root / "data" / "community.yml", "name: FixtureChat", "name: RenamedChat")),
    "person": (None, lambda root: _edit(root / "data" / "people.yml", "name: Gus Guest", "name: Gustav Guest")),
    "opt-out": (
        None,
        lambda root: _edit(
            root / "data" / "privacy.yml",
            '  - handle: "@gone_gary"',
            '  - handle: "@gus"\n    mode: anonymise\n    since: 2026-01-01\n    reason: asked\n  - handle: "@gone_gary"',
        ),
    ),
}


def _output(root: Path) -> dict[str, bytes]:
    """docs/ and site/ as bytes; not sitemap.xml.gz, whose gzip header holds the time it was made."""
    files = {}
    for folder in ("docs", "site"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.name != "sitemap.xml.gz":
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def _assert_same(warm: Path, cold: Path) -> None:
    warm_files, cold_files = _output(warm), _output(cold)
    assert sorted(warm_files) == sorted(cold_files)
    assert [name for name in warm_files if warm_files[name] != cold_files[name]] == []


@pytest.mark.parametrize("name", CHANGES)
def test_a_warm_build_after_a_change_equals_a_clean_one(tmp_path: Path, name: str):
    before, change = CHANGES[name]
    warm = copy_site(FIXTURE_SITE, tmp_path / "warm")
    if before:
        before(warm)
    build(warm)
    change(warm)
    build(warm)

    cold = copy_site(FIXTURE_SITE, tmp_path / "cold")
    if before:
        before(cold)
    change(cold)
    build(cold)
    # The folders' names are in no output: compare as if both were built in one place.
    _assert_same(warm, cold)


def test_site_url_from_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    warm = copy_site(FIXTURE_SITE, tmp_path / "warm")
    _site_url_from_env(warm)
    build(warm, strict=False)  # a local address: a warning, not an error
    assert "127.0.0.1:8000" in (warm / "site" / "calendar.ics").read_text()

    monkeypatch.setenv("SITE_URL", "https://moved.example/archive/")
    build(warm)
    cold = copy_site(FIXTURE_SITE, tmp_path / "cold")
    _site_url_from_env(cold)
    build(cold)
    _assert_same(warm, cold)
    # (Material's own scripts mention 127.0.0.1 in their source maps.)
    assert not [name for name, data in _output(warm).items() if b"127.0.0.1" in data and not name.startswith("site/assets/")]


def test_a_library_upgrade_rebuilds_everything(tmp_path: Path, monkeypatch):
    warm = copy_site(FIXTURE_SITE, tmp_path / "warm")
    build(warm)
    page = warm / "site" / "about" / "index.html"
    before = page.stat().st_mtime_ns
    real_version = cache._version
    monkeypatch.setattr(cache, "_version", lambda name: "99.0" if name == "mkdocs-material" else real_version(name))
    cache.stamp.cache_clear()
    try:
        build(warm)
        assert page.stat().st_mtime_ns != before  # an unchanged page, rebuilt all the same
        cold = copy_site(FIXTURE_SITE, tmp_path / "cold")
        build(cold)
        _assert_same(warm, cold)
    finally:
        monkeypatch.undo()
        cache.stamp.cache_clear()


def test_nothing_changed_builds_nothing(tmp_path: Path):
    site = copy_site(FIXTURE_SITE, tmp_path / "site")
    build(site)
    built = {p: p.stat().st_mtime_ns for p in (site / "site").rglob("*") if p.is_file()}
    build(site)
    assert {p: p.stat().st_mtime_ns for p in (site / "site").rglob("*") if p.is_file()} == built  # not even sitemap.xml
    (site / "site" / "about" / "index.html").unlink()  # what the last build left is checked too
    build(site)
    assert (site / "site" / "about" / "index.html").is_file()


@pytest.mark.parametrize(
    "site_url, warns",
    [
        ('"http://127.0.0.1:8000/"', True),
        ("http://localhost:8000/archive/", True),
        ("http://[::1]:8000/", True),
        ("https://fixture.example/", False),
    ],
)
def test_build_warns_of_a_local_site_url(tmp_path: Path, caplog, site_url: str, warns: bool):
    site = copy_site(FIXTURE_SITE, tmp_path / "site")
    _config(site, SITE_URL_LINE, f"site_url: {site_url}")
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        build(site, strict=False)
    local = [r.getMessage() for r in caplog.records if "local address" in r.getMessage()]
    assert bool(local) == warns, local


def test_an_edit_saved_while_a_build_runs_is_built_next_time(tmp_path: Path, monkeypatch):
    import generator.build.generate as plugin  # the plugin imports generate_site from there when it builds

    site = copy_site(FIXTURE_SITE, tmp_path / "site")
    build(site)
    episode = site / "data" / "episodes" / "2026-03-12-mentors" / "episode.yml"
    generate = plugin.generate_site

    def generate_then_edit(*args, **kwargs):
        report = generate(*args, **kwargs)
        _edit(episode, "title: Finding a mentor", "title: Saved mid-build")  # after data/ was read
        return report

    monkeypatch.setattr(plugin, "generate_site", generate_then_edit)
    episode.touch()  # saved as it was: a build runs
    build(site)
    monkeypatch.undo()
    page = site / "site" / "episodes" / "2026-03-12-mentors" / "index.html"
    assert "Saved mid-build" not in page.read_text()
    build(site)
    assert "Saved mid-build" in page.read_text()
