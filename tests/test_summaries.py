"""Chat summaries (summaries.py): a warm generate reads only the transcripts that changed, and
gives exactly what a run without any cache gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_pagecache import EPISODE, docs, fresh

from generator.archive import read as config
from generator.build.generate import generate_site

TRANSCRIPT = "data/episodes/2026-03-05-first-jobs/transcript.jsonl"


SECOND = "data/episodes/2026-03-19-second"


def add_second_chat(root: Path, lines: list[str]) -> None:
    """A second published chat with its own transcript (the fixture has one)."""
    folder = root / SECOND
    folder.mkdir(parents=True)
    (folder / "episode.yml").write_text("title: Second\nstarts_at: 2026-03-19T19:00:00+00:00\nstatus: published\n")
    (folder / "transcript.jsonl").write_text("".join(line + "\n" for line in lines))


def message(number: int, author: str, text: str, name: str = "") -> str:
    named = f', "author_name": "{name}"' if name else ""
    return (
        f'{{"id": "2{number:03}", "platform": "x", "author": "{author}"{named}, "at": "2026-03-19T19:{number:02}:00Z", "text": "{text}"}}'
    )


def test_unchanged_transcripts_are_not_read_again_even_with_optouts(fixture_site: Path, monkeypatch):
    assert "@gone_gary" in (fixture_site / "data" / "privacy.yml").read_text()  # an opt-out applies
    add_second_chat(fixture_site, [message(1, "@hana", "Welcome back"), message(2, "@gone_gary", "me again")])
    generate_site(fixture_site)
    parsed = []
    valid_messages = config._valid_messages
    monkeypatch.setattr(config, "_valid_messages", lambda data: parsed.append(len(data)) or valid_messages(data))
    generate_site(fixture_site)
    assert parsed == []
    path = fixture_site / TRANSCRIPT
    path.write_text(path.read_text().replace("Paper round", "Milk round"))
    generate_site(fixture_site)
    assert len(parsed) == 1  # the edited chat, read and rendered again
    assert "Milk round" in docs(fixture_site)[EPISODE].decode()


@pytest.mark.parametrize(
    "rel, old, new",
    [
        ("data/people.yml", "name: Gus Guest", "name: Gustav Guest"),  # an author's name
        (TRANSCRIPT, "Paper round", "Milk round"),  # a message
        (TRANSCRIPT, '"author": "@gus"', '"author": "@newcomer"'),  # who posted: people pages, first-timers
        ("data/episodes/2026-03-05-first-jobs/episode.yml", "First jobs", "First paid jobs"),
        ("data/episodes/2026-03-05-first-jobs/episode.yml", 'highlights: ["1003", "1005"]', 'highlights: ["1005"]'),
        ("data/episodes/2026-03-05-first-jobs/episode.yml", 'highlights: ["1003", "1005"]', 'highlights: ["1003", "1005", "1006"]'),
        ("data/privacy.yml", "mode: remove", "mode: anonymise"),
        ("data/privacy.yml", '"@gone_gary"', '"@zed"'),  # another person opts out; Gary is back
        # The opted-out handle shows a new display name in the second chat: it is scrubbed from
        # the first chat's text too, though that chat's files did not change.
        (SECOND + "/transcript.jsonl", '"author": "@gone_gary"', '"author": "@gone_gary", "author_name": "Paper round"'),
    ],
)
def test_cached_output_equals_uncached_after_a_change(fixture_site: Path, tmp_path: Path, rel, old, new):
    add_second_chat(fixture_site, [message(1, "@hana", "Welcome back"), message(2, "@gone_gary", "me again")])
    generate_site(fixture_site)
    path = fixture_site / rel
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    generate_site(fixture_site)
    uncached = tmp_path / "uncached"
    shutil.copytree(fixture_site, uncached)
    assert docs(fixture_site) == fresh(uncached)
