"""Commands that change a YAML file in data/ change only the lines they must: the editor's
comments, key order, quoting and blank lines survive (generator/archive/edit.py)."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from pathlib import Path

from click.testing import CliRunner

from generator.archive.edit import edit_yaml_text
from generator.archive.read import read_archive
from generator.cli import main
from generator.ingest.previews import import_previews

SAMPLES = Path(__file__).parent / "samples"
MARCH_8 = dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)
MENTORS = "data/episodes/2026-03-12-mentors/episode.yml"

COMMENTED_EPISODE = """\
# Finding a mentor: Hana hosts; Gus may join late.
title: "Finding a mentor"
starts_at: 2026-03-12T19:00:00+00:00   # 19:00 London
status: upcoming   # keep: announced on the blog

tags: [mentoring]
hosts:
  - hana-host   # confirmed
summary: >-
  A chat about mentors,
  kept folded the way the editor wrote it.
"""


def diff(before: str, after: str) -> list[str]:
    """The changed lines, as +/- lines without the unified diff's headers."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in lines if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_previews_adds_to_a_commented_episode_and_changes_nothing_else(fixture_site: Path):
    path = fixture_site / MENTORS
    path.write_text(COMMENTED_EPISODE)
    report = import_previews(fixture_site, [str(SAMPLES / "feeds" / "rss20.xml")], now=MARCH_8)
    assert not report.errors, report.lines()
    after = path.read_text()
    changes = diff(COMMENTED_EPISODE, after)
    assert changes and all(line.startswith("+") for line in changes), changes  # only additions
    # The questions go where the data reference puts them, in the file's own list indentation;
    # the preview link at the end. Every line the editor wrote stays, byte for byte, in order.
    assert "hosts:\n  - hana-host   # confirmed\nquestions:\n  - 'Q1: Who was your first mentor?'\n" in after
    assert after.endswith(
        "preview:\n  url: https://blog.fixture.example/2026/03/mentors\n  title: 'Preview: Finding a mentor'\n  author: Hana Host\n  published: '2026-03-09'\n"
    )
    added = iter(line[1:] for line in changes)
    kept, pending = [], next(added, None)
    for line in after.splitlines():
        if line == pending:
            pending = next(added, None)
        else:
            kept.append(line)
    assert kept == COMMENTED_EPISODE.splitlines()
    mentors = {c.episode.id: c.episode for c in read_archive(fixture_site).episodes}["2026-03-12-mentors"]
    assert mentors.status.value == "upcoming" and mentors.summary.startswith("A chat about mentors, kept folded")


def test_previews_keeps_its_state_in_the_cache_with_site_relative_paths(fixture_site: Path):
    feed = fixture_site / "blog-feed.xml"
    feed.write_bytes((SAMPLES / "feeds" / "rss20.xml").read_bytes())
    import_previews(fixture_site, [str(feed.resolve())], now=MARCH_8)
    assert not list((fixture_site / "data").rglob(".preview-import.json"))
    assert not [p for p in (fixture_site / "data").rglob("*") if p.name.startswith(".")]
    state = (fixture_site / ".cache" / "previews.json").read_text()
    assert str(fixture_site) not in state and str(fixture_site.resolve()) not in state
    assert json.loads(state)["2026-03-12-mentors"]["feed"] == "blog-feed.xml"


def test_an_older_record_in_the_episode_folder_moves_to_the_cache(fixture_site: Path):
    # A record written by an older version: the post's questions as imported then.
    old = fixture_site / "data/episodes/2026-03-12-mentors/.preview-import.json"
    old.write_text(json.dumps({"feed": "/home/someone/feed.xml", "link": "x"}))
    import_previews(fixture_site, [str(SAMPLES / "feeds" / "rss20.xml")], now=MARCH_8)
    assert not old.exists()
    assert "2026-03-12-mentors" in json.loads((fixture_site / ".cache" / "previews.json").read_text())


def test_import_add_people_appends_and_keeps_the_file(fixture_site: Path):
    people = fixture_site / "data" / "people.yml"
    before = "# Who is who.\n\npeople:\n    # the hosts first\n    - id: hana-host\n      name: 'Hana Host'   # spelt as she likes\n      role: host\n      handles: {x: '@hana', mastodon: '@hana@social.example'}\n\n    - id: gus-guest\n      name: Gus Guest\n      handles:\n        x: \"@gus\"\n"
    people.write_text(before)
    export = fixture_site.parent / "export.jsonl"
    export.write_text('{"author": "@newcomer", "author_name": "New Comer", "at": "2026-03-12T19:05:00Z", "text": "hello #FixtureChat"}\n')
    result = CliRunner().invoke(
        main, ["import", str(export), "--episode", "2026-03-12", "--format", "jsonl", "--add-people", "--root", str(fixture_site)]
    )
    assert result.exit_code == 0, result.output
    after = people.read_text()
    assert after.startswith(before)
    assert diff(before, after) == ["+    - id: newcomer", "+      name: New Comer", "+      handles:", "+        other: '@newcomer'"]


def test_redact_adds_an_entry_and_keeps_the_ledger_as_written(fixture_site: Path):
    ledger = fixture_site / "data" / "privacy.yml"
    before = '# Requests, newest last.\noptouts:\n  - handle: "@gone_gary"   # by email\n    mode: remove\n    since: 2026-03-01\n\n    reason: "asked by email"\n'
    ledger.write_text(before)
    result = CliRunner().invoke(main, ["redact", "@gus", "--reason", "asked by DM", "--root", str(fixture_site)])
    assert result.exit_code == 0, result.output
    after = ledger.read_text()
    assert after.startswith(before)
    today = dt.date.today().isoformat()
    assert diff(before, after) == ["+  - handle: '@gus'", "+    mode: remove", f"+    since: {today}", "+    reason: asked by DM"]
    # Updating an entry changes its own changed line only.
    again = CliRunner().invoke(main, ["redact", "@gone_gary", "--mode", "anonymise", "--root", str(fixture_site)])
    assert again.exit_code == 0, again.output
    assert diff(after, ledger.read_text()) == ["-    mode: remove", "+    mode: anonymise"]


def test_an_edit_of_one_list_item_keeps_the_others_and_their_comments():
    text = "items:\n  # first\n  - a: 1\n    b: 'x'   # note\n\n  - a: 2\n    b: \"y\"\n  - a: 3\n"

    def change(document):
        document["items"][1]["b"] = "z"
        del document["items"][2]

    after = edit_yaml_text(text, change)
    assert diff(text, after) == ['-    b: "y"', "-  - a: 3", '+    b: "z"'], after


def test_an_invalid_file_is_refused_not_rewritten():
    import pytest

    from generator.errors import ChatdigestError

    with pytest.raises(ChatdigestError, match="not valid YAML"):
        edit_yaml_text("a: [1, 2\n", lambda d: d)


def test_a_file_of_comments_only_keeps_them():
    after = edit_yaml_text("# Who is who.\n", lambda document: {"people": [{"id": "a", "name": "A"}]})
    assert after == "# Who is who.\npeople:\n- id: a\n  name: A\n"


def test_a_one_line_flow_document_is_rewritten_whole():
    assert edit_yaml_text("{a: 1, b: 2}\n", lambda d: d.update(b=3)) == "{a: 1, b: 3}\n"


def test_keys_added_together_keep_their_order():
    text = "optouts:\n  - handle: '@a'   # asked by email\n    mode: remove\n"

    def change(document):
        document["optouts"][0].update(purged="2026-03-01", name_salt="s", name_digests=["2:d"])

    after = edit_yaml_text(text, change)
    assert after == text + "    purged: '2026-03-01'\n    name_salt: s\n    name_digests:\n      - 2:d\n"
