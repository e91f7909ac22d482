"""A warm build equals a clean one: random sequences of an editor's edits, each followed by a warm
build of the same folder and compared byte for byte with a clean build of a copy.

Every input a build reads is edited here: chats (added, changed, removed), people, privacy, the
community, a hand-written page, mkdocs.yml, and a value the configuration reads from the
environment. A cache key that misses one of them shows up as a difference.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURE_SITE, build, copy_site
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.archive.privacy import digest_of_name

SITE_URL_VARIABLE = "CHATDIGEST_TEST_SITE_URL"
EPISODES = Path("data/episodes")
FIRST_CHAT = EPISODES / "2026-03-05-first-jobs"


def built_files(root: Path) -> dict[str, bytes]:
    """docs/ and site/ as bytes; sitemap.xml.gz is left out because gzip stamps the time."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for folder in ("docs", "site")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file() and p.name != "sitemap.xml.gz"
    }


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1) if old in text else text + new, encoding="utf-8")


# --- the edits: each changes one input, differently every time it is applied -----------------


def add_chat(root: Path, n: int) -> None:
    date = f"2026-04-{n % 28 + 1:02d}"
    if any((root / EPISODES).glob(f"{date}-*")):
        return  # one chat per date
    folder = root / EPISODES / f"{date}-week-{n}"
    folder.mkdir(parents=True)
    starts = f"{date}T18:00:00+00:00"
    (folder / "episode.yml").write_text(f"title: Week {n}\nstarts_at: {starts}\nstatus: published\ntags: [week{n % 3}]\n")
    lines = [
        f'{{"id": "9{n}01", "platform": "x", "author": "@hana", "at": "{starts[:11]}18:00:05Z", "text": "Q1: How was week {n}?"}}',
        f'{{"id": "9{n}02", "platform": "x", "author": "@newbie{n}", "author_name": "Newbie {n}", "at": "{starts[:11]}18:01:00Z", '
        f'"text": "A1: fine, thanks @gus", "reply_to": "9{n}01"}}',
        f'{{"id": "9{n}03", "platform": "x", "author": "@gone_gary", "at": "{starts[:11]}18:02:00Z", "text": "A1: me too"}}',
        # @zed's second chat: a page for @zed, and links to it from the first chat's page
        f'{{"id": "9{n}04", "platform": "x", "author": "@zed", "at": "{starts[:11]}18:03:00Z", "text": "A1: same here"}}',
    ]
    (folder / "transcript.jsonl").write_text("".join(line + "\n" for line in lines))


def change_chat(root: Path, n: int) -> None:
    chats = sorted((root / EPISODES).glob("*/transcript.jsonl"))
    replace_in(chats[n % len(chats)], "A1:", f"A1 ({n}):")


def remove_chat(root: Path, n: int) -> None:
    added = sorted(p for p in (root / EPISODES).iterdir() if "-week-" in p.name)
    if added:
        shutil.rmtree(added[n % len(added)])


def edit_people(root: Path, n: int) -> None:
    replace_in(root / "data" / "people.yml", "name: Gus Guest", f"name: Gus Guest {n}")


def edit_privacy(root: Path, n: int) -> None:
    mode = "anonymise" if n % 2 else "remove"
    (root / "data" / "privacy.yml").write_text(f'optouts:\n  - handle: "@gone_gary"\n    mode: {mode}\n    since: 2026-03-01\n')


def edit_name_digests(root: Path, n: int) -> None:
    """Names known by digest only, as a purge leaves them: words of the chats, and a display name."""
    salt = f"{n:032x}"
    names = ["Paper round", f"Newbie {n - 1}"] if n % 2 else ["washing dishes"]
    digests = ", ".join(f'"{digest_of_name(salt, name)}"' for name in names)
    (root / "data" / "privacy.yml").write_text(
        f'optouts:\n  - handle: "@gone_gary"\n    purged: 2026-03-02\n    name_salt: "{salt}"\n    name_digests: [{digests}]\n'
    )


def edit_community(root: Path, n: int) -> None:
    replace_in(root / "data" / "community.yml", "description: A tiny community", f"description: A tiny ({n}) community")


def edit_hand_written_page(root: Path, n: int) -> None:
    page = root / "docs" / "about.md"
    page.write_text(f"# About us, take {n}\n\nWe meet on Thursdays.\n")


def edit_mkdocs_yml(root: Path, n: int) -> None:
    config = root / "mkdocs.yml"
    data = config.read_text(encoding="utf-8").replace("site_name: Fixture chat", f"site_name: Fixture chat {n}")
    config.write_text(data if f"chat {n}" in data else data.replace("\nsite_name: ", f"\ncopyright: take {n}\nsite_name: ", 1))


def edit_environment(root: Path, n: int, monkeypatch) -> None:
    monkeypatch.setenv(SITE_URL_VARIABLE, f"https://take{n}.example/archive/")


EDITS = [
    add_chat,
    change_chat,
    remove_chat,
    edit_people,
    edit_privacy,
    edit_name_digests,
    edit_community,
    edit_hand_written_page,
    edit_mkdocs_yml,
]


@pytest.fixture(scope="module")
def env_site(tmp_path_factory) -> Path:
    """The fixture community with its site_url read from the environment, as CI setups do."""
    root = copy_site(FIXTURE_SITE, tmp_path_factory.mktemp("warm") / "template")
    config = root / "mkdocs.yml"
    data = yaml.safe_load(config.read_text())
    assert data["site_url"]
    text = config.read_text().replace(f"site_url: {data['site_url']}", f"site_url: !ENV [{SITE_URL_VARIABLE}, 'https://fixture.example/']")
    config.write_text(text)
    return root


counter = itertools.count()


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.sampled_from([*EDITS, edit_environment]), min_size=2, max_size=4))
@example(edits=[edit_environment, edit_privacy, add_chat, change_chat])  # every input, whatever is drawn
@example(edits=[edit_people, remove_chat, edit_community, edit_hand_written_page, edit_mkdocs_yml])
@example(edits=[add_chat, edit_name_digests, add_chat, edit_name_digests, edit_privacy])
def test_a_warm_build_after_any_edits_equals_a_clean_build(env_site: Path, tmp_path_factory, monkeypatch, edits):
    work = tmp_path_factory.mktemp("edits")
    root = shutil.copytree(env_site, work / "site")
    with monkeypatch.context() as env:
        env.delenv(SITE_URL_VARIABLE, raising=False)
        build(root)
        for edit in edits:
            n = next(counter)
            if edit is edit_environment:
                edit(root, n, env)
            else:
                edit(root, n)
            build(root)  # warm: the site, docs/ and .cache/ of the build before
            clean = copy_site(root, work / f"clean-{n}")
            build(clean)
            assert built_files(root) == built_files(clean), f"after {[e.__name__ for e in edits]}"
