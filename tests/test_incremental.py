"""Warm rebuilds give exactly the site a full build gives (incremental.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURE_SITE, build, copy_site

from generator.build.generate import generate_site

NEW_EPISODE = "2026-03-19-new-week"


def add_episode(root: Path) -> None:
    source = root / "data" / "episodes" / "2026-03-05-first-jobs"
    target = root / "data" / "episodes" / NEW_EPISODE
    shutil.copytree(source, target)
    episode = (target / "episode.yml").read_text().replace("2026-03-05T19:00", "2026-03-19T19:00").replace("First jobs", "Second jobs")
    (target / "episode.yml").write_text(episode)
    lines = [
        line.replace('"id": "10', '"id": "20').replace('"reply_to": "10', '"reply_to": "20').replace("2026-03-05T", "2026-03-19T")
        for line in (target / "transcript.jsonl").read_text().splitlines()
    ]
    (target / "transcript.jsonl").write_text("\n".join(lines) + "\n")
    (target / "episode.yml").write_text((target / "episode.yml").read_text().replace('"1003"', '"2003"').replace('"1005"', '"2005"'))


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_warm_rebuild_equals_a_full_build(tmp_path: Path):
    warm = copy_site(FIXTURE_SITE, tmp_path / "warm")
    build(warm)
    untouched = warm / "site" / "people" / "gus-guest" / "index.html"
    add_episode(warm)
    episode_page = warm / "site" / "episodes" / "2026-03-05-first-jobs" / "index.html"
    before = episode_page.stat().st_mtime_ns
    build(warm)
    assert (warm / "site" / "episodes" / NEW_EPISODE / "index.html").is_file()
    assert episode_page.stat().st_mtime_ns != before  # its "Next:" link changed, so it was rebuilt

    cold = copy_site(FIXTURE_SITE, tmp_path / "cold")
    add_episode(cold)
    build(cold)
    warm_tree, cold_tree = tree(warm / "site"), tree(cold / "site")
    assert any(name.startswith("search/chunks/") for name in warm_tree)  # the search index is compared too
    assert sorted(warm_tree) == sorted(cold_tree)
    different = [name for name in warm_tree if warm_tree[name] != cold_tree[name]]
    assert different == []
    assert untouched.exists()


def test_pages_not_affected_are_not_rebuilt(tmp_path: Path):
    site = copy_site(FIXTURE_SITE, tmp_path / "site")
    build(site)
    about = site / "site" / "about" / "index.html"
    before = about.stat().st_mtime_ns
    build(site)
    assert about.stat().st_mtime_ns == before


def test_config_change_forces_a_full_build(tmp_path: Path):
    site = copy_site(FIXTURE_SITE, tmp_path / "site")
    build(site)
    stale = site / "site" / "stale.html"
    stale.write_text("left over")
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_name: Fixture chat", "site_name: Renamed chat"))
    build(site)
    assert not stale.exists()
    assert "Renamed chat" in (site / "site" / "about" / "index.html").read_text()


def test_second_build_rewrites_nothing_but_what_mkdocs_always_writes(tmp_path: Path):
    site = copy_site(FIXTURE_SITE, tmp_path / "site")
    build(site)
    before = {p: p.stat().st_mtime_ns for p in [*(site / "site").rglob("*"), *(site / "docs").rglob("*")] if p.is_file()}
    (site / "data" / "community.yml").touch()  # saved again as it was: a build runs, and finds nothing to do
    build(site)
    after = {p: p.stat().st_mtime_ns for p in [*(site / "site").rglob("*"), *(site / "docs").rglob("*")] if p.is_file()}
    assert sorted(after) == sorted(before)
    rewritten = sorted(p.relative_to(site).as_posix() for p in after if after[p] != before[p])
    # MkDocs renders its sitemap and 404 page on every build, whatever changed.
    assert rewritten == ["site/404.html", "site/sitemap.xml", "site/sitemap.xml.gz"]


def test_a_language_change_restems_the_index_as_a_cold_build_would(tmp_path: Path):
    def set_language(root: Path, language: str) -> None:
        config = root / "data" / "community.yml"
        text = "\n".join(line for line in config.read_text().splitlines() if not line.startswith("language:"))
        config.write_text(f"{text}\nlanguage: {language}\n")

    warm = copy_site(FIXTURE_SITE, tmp_path / "warm")
    build(warm)
    set_language(warm, "de")
    build(warm)
    cold = copy_site(FIXTURE_SITE, tmp_path / "cold")
    set_language(cold, "de")
    build(cold)
    warm_index = {k: v for k, v in tree(warm / "site").items() if k.startswith("search/")}
    cold_index = {k: v for k, v in tree(cold / "site").items() if k.startswith("search/")}
    assert warm_index == cold_index
    assert b'"language":"german"' in warm_index["search/meta.json"]


# --- opt-outs: a chat is redacted again only when new words or posts of theirs touch it ----------

THEIR_SENTENCE = "my first mentor made me write every plan down before lunch"


def add_chat(root: Path, name: str, prefix: str, extra: list[dict]) -> None:
    """A copy of the first chat on another day, with other message ids, and `extra` messages."""
    source = root / "data" / "episodes" / "2026-03-05-first-jobs"
    target = root / "data" / "episodes" / f"2026-{name}"
    shutil.copytree(source, target)
    date = f"2026-{name[:5]}"
    episode = (target / "episode.yml").read_text().replace("2026-03-05T19:00", f"{date}T19:00")
    (target / "episode.yml").write_text(episode.replace('"1003"', f'"{prefix}03"').replace('"1005"', f'"{prefix}05"'))
    lines = [
        line.replace('"id": "10', f'"id": "{prefix}')
        .replace('"reply_to": "10', f'"reply_to": "{prefix}')
        .replace("2026-03-05T", f"{date}T")
        for line in (target / "transcript.jsonl").read_text().splitlines()
    ]
    lines += [json.dumps({"platform": "x", "at": f"{date}T19:{50 + i}:00Z", **m}) for i, m in enumerate(extra)]
    (target / "transcript.jsonl").write_text("\n".join(lines) + "\n")


def chat_page(root: Path, chat: str) -> str:
    return (root / "docs" / "episodes" / f"2026-{chat}.md").read_text()


def test_a_chat_that_quotes_what_an_opted_out_person_posts_later_loses_the_quote_in_a_warm_build(tmp_path: Path):
    site = copy_site(FIXTURE_SITE, tmp_path / "warm")
    add_chat(site, "03-19-quoting", "20", [{"id": "2090", "author": "@gus", "text": f'Someone told me: "{THEIR_SENTENCE}"'}])
    add_chat(site, "03-26-unrelated", "30", [])
    add_chat(site, "04-02-neighbour", "50", [])  # the new chat's neighbour: its "Next:" link changes
    before = generate_site(site)
    assert "write every plan down" in chat_page(site, "03-19-quoting")  # nobody opted out wrote it yet

    # @gone_gary (removed) posts the sentence in a new chat: the older chat quoting it must lose it.
    add_chat(site, "04-09-new", "40", [{"id": "4090", "author": "@gone_gary", "text": THEIR_SENTENCE}])
    after = generate_site(site)
    assert "write every plan down" not in chat_page(site, "03-19-quoting")
    assert "Someone told me: &quot;[removed at the participant" in chat_page(site, "03-19-quoting")

    cold = copy_site(site, tmp_path / "cold")  # without the cache and the generated pages
    generate_site(cold)
    assert tree(site / "docs") == tree(cold / "docs")

    # The chat that quotes the new words was rendered again; the unrelated one, whose neighbours,
    # authors and share of the redaction are as they were, kept its page as it was.
    quoting, unrelated = "episodes/2026-03-19-quoting.md", "episodes/2026-03-26-unrelated.md"
    assert after.page_keys[quoting] != before.page_keys[quoting]
    assert after.page_keys[unrelated] == before.page_keys[unrelated]


def test_a_new_link_to_an_opted_out_persons_post_is_removed_and_other_chats_keep_their_pages(tmp_path: Path):
    site = copy_site(FIXTURE_SITE, tmp_path / "warm")
    link = "https://x.com/i/status/4091234"  # their post, by its id alone
    add_chat(site, "03-19-linking", "20", [{"id": "2090", "author": "@gus", "text": f"worth reading {link} again"}])
    add_chat(site, "03-26-unrelated", "30", [])
    add_chat(site, "04-02-neighbour", "50", [])
    before = generate_site(site)
    assert link in chat_page(site, "03-19-linking")

    add_chat(site, "04-09-new", "40", [{"id": "4091234", "author": "@gone_gary", "text": "a short one"}])
    after = generate_site(site)
    assert link not in chat_page(site, "03-19-linking")
    assert "worth reading [link removed] again" in chat_page(site, "03-19-linking")
    cold = copy_site(site, tmp_path / "cold")  # without the cache and the generated pages
    generate_site(cold)
    assert tree(site / "docs") == tree(cold / "docs")
    unrelated = "episodes/2026-03-26-unrelated.md"
    assert after.page_keys[unrelated] == before.page_keys[unrelated]
