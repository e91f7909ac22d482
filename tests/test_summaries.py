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


@pytest.fixture
def site_without_optouts(fixture_site: Path) -> Path:
    # Opt-outs redact every chat, which reads every transcript: summaries cannot spare that.
    (fixture_site / "data" / "privacy.yml").write_text("optouts: []\n")
    return fixture_site


def test_unchanged_transcripts_are_not_read_again(site_without_optouts: Path, monkeypatch):
    generate_site(site_without_optouts)
    parsed = []
    valid_messages = config._valid_messages
    monkeypatch.setattr(config, "_valid_messages", lambda data: parsed.append(len(data)) or valid_messages(data))
    generate_site(site_without_optouts)
    assert parsed == []
    path = site_without_optouts / TRANSCRIPT
    path.write_text(path.read_text().replace("Paper round", "Milk round"))
    generate_site(site_without_optouts)
    assert len(parsed) == 1  # the edited chat, read and rendered again
    assert "Milk round" in docs(site_without_optouts)[EPISODE].decode()


@pytest.mark.parametrize(
    "rel, old, new",
    [
        ("data/people.yml", "name: Gus Guest", "name: Gustav Guest"),  # an author's name
        (TRANSCRIPT, "Paper round", "Milk round"),  # a message
        (TRANSCRIPT, '"author": "@gus"', '"author": "@newcomer"'),  # who posted: people pages, first-timers
        ("data/episodes/2026-03-05-first-jobs/episode.yml", "First jobs", "First paid jobs"),
        ("data/episodes/2026-03-05-first-jobs/episode.yml", 'highlights: ["1003", "1005"]', 'highlights: ["1005"]'),
        ("data/episodes/2026-03-05-first-jobs/episode.yml", 'highlights: ["1003", "1005"]', 'highlights: ["1003", "1005", "1006"]'),
    ],
)
def test_cached_output_equals_uncached_after_a_change(site_without_optouts: Path, tmp_path: Path, rel, old, new):
    generate_site(site_without_optouts)
    path = site_without_optouts / rel
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    generate_site(site_without_optouts)
    uncached = tmp_path / "uncached"
    shutil.copytree(site_without_optouts, uncached)
    assert docs(site_without_optouts) == fresh(uncached)
