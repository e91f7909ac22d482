"""`chatdigest import` end to end on a throwaway site: exit codes, one-line errors, data/ left
byte-identical after a failed import, idempotent re-import, merging of overlapping exports,
editor-curated fields kept, unknown people listed and added."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main

SAMPLES = Path(__file__).parent / "samples"

COMMUNITY = """\
name: Career Club
hashtags: ["#CareerClub"]
schedule:
  weekday: thursday
  time: "20:00"
  timezone: Europe/Berlin
  duration_minutes: 60
"""
PEOPLE = """\
# people who take part
people:
  - id: maya
    name: Maya Okafor
    role: host
    handles:
      slack: maya
      x: "@maya_o"
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "community.yml").write_text(COMMUNITY, encoding="utf-8")
    (tmp_path / "data" / "people.yml").write_text(PEOPLE, encoding="utf-8")
    return tmp_path


def run(site: Path, *args: str):
    return CliRunner().invoke(main, ["import", *map(str, args), "--root", str(site)], catch_exceptions=False)


def snapshot(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted((site / "data").rglob("*")) if p.is_file()}


def transcript(site: Path, folder: str = "2026-01-08-chat") -> list[dict]:
    path = site / "data" / "episodes" / folder / "transcript.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_import_creates_episode_and_reports_format(site: Path) -> None:
    result = run(site, SAMPLES / "slack" / "workspace", "--episode", "2026-01-08", "--channel", "careerclub")
    assert result.exit_code == 0, result.output
    assert "format: slack (detected)" in result.output
    episode = yaml.safe_load((site / "data/episodes/2026-01-08-chat/episode.yml").read_text())
    assert episode["title"] == "Chat of 8 January 2026"
    assert episode["starts_at"] == "2026-01-08T20:00:00+01:00"
    assert len(transcript(site)) == 5
    assert "sam.k" in result.output and "--add-people" in result.output  # unknown handle listed
    check = CliRunner().invoke(main, ["check", "--root", str(site)])
    assert check.exit_code == 0, check.output


def test_reimport_is_idempotent(site: Path) -> None:
    assert run(site, SAMPLES / "x-archive" / "careerclub", "--episode", "2026-01-08").exit_code == 0
    before = snapshot(site)
    again = run(site, SAMPLES / "x-archive" / "careerclub", "--episode", "2026-01-08")
    assert again.exit_code == 0 and "0 new" in again.output and "unchanged" in again.output
    assert snapshot(site) == before


def test_reimport_leaves_git_status_clean(site: Path) -> None:
    """The editor's view of idempotence: importing the same export again shows no diff."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("needs git")

    def in_repo(*args: str) -> str:
        done = subprocess.run([git, "-C", str(site), *args], capture_output=True, text=True, check=True)
        return done.stdout

    in_repo("init", "-q")
    assert run(site, SAMPLES / "slack" / "workspace", "--episode", "2026-01-08", "--channel", "careerclub", "--add-people").exit_code == 0
    in_repo("add", "-A")
    in_repo("-c", "user.name=Editor", "-c", "user.email=editor@example.org", "commit", "-qm", "week 1")
    assert run(site, SAMPLES / "slack" / "workspace", "--episode", "2026-01-08", "--channel", "careerclub", "--add-people").exit_code == 0
    assert in_repo("status", "--porcelain") == ""


def test_overlapping_exports_merge_by_id(site: Path, tmp_path: Path) -> None:
    lines = (SAMPLES / "jsonl" / "generic.jsonl").read_text().splitlines()[:3]
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("\n".join(lines[:2]) + "\n")
    second.write_text("\n".join(lines[1:3]) + "\n")
    assert run(site, first, "--episode", "2026-01-08").exit_code == 0
    result = run(site, second, "--episode", "2026-01-08")
    assert result.exit_code == 0 and "1 new" in result.output and "1 unchanged" in result.output
    assert [m["id"] for m in transcript(site)] == ["j1", "j2", "f65feb3a52e5"]


def test_colliding_ids_from_two_sources_are_prefixed(site: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "j1", "platform": "irc", "author": "zed", "at": "2026-01-08T19:10:00Z", "text": "same id, other chat"}\n')
    assert run(site, SAMPLES / "jsonl" / "generic.jsonl", "--episode", "2026-01-08").exit_code == 0
    assert run(site, other, "--episode", "2026-01-08").exit_code == 0
    ids = [m["id"] for m in transcript(site)]
    assert "j1" in ids and "irc-j1" in ids and len(ids) == len(set(ids))


def test_curated_fields_are_never_overwritten(site: Path) -> None:
    assert run(site, SAMPLES / "jsonl" / "generic.jsonl", "--episode", "2026-01-08").exit_code == 0
    path = site / "data/episodes/2026-01-08-chat/episode.yml"
    curated = path.read_text() + "summary: Hand written.\nhighlights:\n- j2\nquestions:\n- What was your first job?\n"
    path.write_text(curated)
    assert run(site, SAMPLES / "jsonl" / "generic.jsonl", "--episode", "2026-01-08-chat").exit_code == 0
    assert path.read_text() == curated


def test_add_people_appends_and_keeps_comments(site: Path) -> None:
    result = run(site, SAMPLES / "slack" / "workspace", "--episode", "2026-01-08", "--channel", "careerclub", "--add-people")
    assert result.exit_code == 0, result.output
    text = (site / "data/people.yml").read_text()
    assert text.startswith(PEOPLE)  # appended: the editor's comments and order survive
    people = yaml.safe_load(text)["people"]
    assert {"sam-k", "uslackbot", "pollbot"} <= {p["id"] for p in people}
    assert CliRunner().invoke(main, ["check", "--root", str(site)]).exit_code == 0


def test_hashtag_window_and_all(site: Path) -> None:
    # the x-archive sample: 4 tweets 19:00–19:30 UTC; the chat is 19:00–20:00 UTC (20:00 Berlin)
    assert run(site, SAMPLES / "x-archive" / "careerclub", "--episode", "2026-01-08").exit_code == 0
    ids = [m["id"] for m in transcript(site)]
    assert "1880000000000000003" in ids  # no hashtag, but quotes a hashtag tweet: kept
    result = run(site, SAMPLES / "x-archive" / "careerclub", "--episode", "2026-01-15")
    assert result.exit_code == 2 and "no message in the episode's window" in result.output and "--all" in result.output
    assert run(site, SAMPLES / "x-archive" / "careerclub", "--episode", "2026-01-15", "--all").exit_code == 0


def test_hashtag_filter_drops_unrelated(site: Path, tmp_path: Path) -> None:
    export = tmp_path / "x.jsonl"
    export.write_text(
        '{"id": "1", "platform": "x", "author": "@a", "at": "2026-01-08T19:05:00Z", "text": "Q1 #careerclub"}\n'
        '{"id": "2", "platform": "x", "author": "@b", "at": "2026-01-08T19:06:00Z", "text": "A1", "reply_to": "1"}\n'
        '{"id": "3", "platform": "x", "author": "@c", "at": "2026-01-08T19:07:00Z", "text": "unrelated", "reply_to": "9"}\n'
    )
    assert run(site, export, "--episode", "2026-01-08").exit_code == 0
    assert [m["id"] for m in transcript(site)] == ["1", "2"]
    assert run(site, export, "--episode", "2026-01-08", "--no-hashtag-filter").exit_code == 0
    assert [m["id"] for m in transcript(site)] == ["1", "2", "3"]


BAD_INPUTS = {
    "empty.json": b"",
    "binary.json": bytes(range(256)) * 4,
    "latin1.txt": "08/01/2026, 20:00 - Zo\xeb: caf\xe9\n".encode("latin-1"),
    "truncated.json": (SAMPLES / "discord" / "careerclub.json").read_bytes()[:700],
    "unknown.txt": b"hello, this is just a letter\nnothing else\n",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line_and_leaves_data_alone(site: Path, tmp_path: Path, name: str) -> None:
    assert run(site, SAMPLES / "jsonl" / "generic.jsonl", "--episode", "2026-01-08").exit_code == 0
    before = snapshot(site)
    bad = tmp_path / name
    bad.write_bytes(BAD_INPUTS[name])
    fmt = {"latin1.txt": "whatsapp", "truncated.json": "discord"}.get(name, "auto")
    result = run(site, bad, "--episode", "2026-01-08", "--format", fmt)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(bad) in lines[0] and "Traceback" not in result.output
    assert snapshot(site) == before


def test_zip_without_export_and_wrong_format(site: Path, tmp_path: Path) -> None:
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("IMG_0001.jpg", b"\xff\xd8\xff")
    result = run(site, archive, "--episode", "2026-01-08")
    assert result.exit_code == 2 and "cannot tell which chat export" in result.output and "--format" in result.output
    result = run(site, archive, "--episode", "2026-01-08", "--format", "slack")
    assert result.exit_code == 2 and "channels.json" in result.output
    result = run(site, SAMPLES / "telegram" / "result.json", "--episode", "2026-01-08", "--format", "slack")
    assert result.exit_code == 2 and not (site / "data" / "episodes").exists()


def test_bad_episode_and_missing_file(site: Path) -> None:
    assert run(site, SAMPLES / "csv" / "generic.csv", "--episode", "next week").exit_code == 2
    assert run(site, SAMPLES / "csv" / "generic.csv", "--episode", "2026-02-30").exit_code == 2
    result = run(site, site / "nope.zip", "--episode", "2026-01-08")
    assert result.exit_code == 2 and "no such file" in result.output


def test_whatsapp_zip_with_crlf(site: Path, tmp_path: Path) -> None:
    archive = tmp_path / "WhatsApp Chat.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("_chat.txt", (SAMPLES / "whatsapp" / "android_dmy.txt").read_bytes().replace(b"\n", b"\r\n"))
    result = run(site, archive, "--episode", "2026-01-08")
    assert result.exit_code == 0, result.output
    assert "format: whatsapp (detected)" in result.output
    assert len(transcript(site)) == 4  # the 13 January message is outside the window


def test_slack_zip_channel_pick(site: Path, tmp_path: Path) -> None:
    archive = tmp_path / "slack.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", SAMPLES / "slack" / "workspace")
    assert run(site, archive, "--episode", "2026-01-08", "--channel", "random").exit_code == 0
    assert [m["text"] for m in transcript(site)] == ["same ts in another channel"]
    result = run(site, archive, "--episode", "2026-01-08", "--channel", "nope")
    assert result.exit_code == 2 and "careerclub" in result.output


# --- nothing private is published by default ---------------------------------------------------


def test_private_slack_chats_are_left_out_and_counted(site: Path) -> None:
    export = SAMPLES / "slack" / "private_workspace"
    result = run(site, export, "--episode", "2026-01-08")
    assert result.exit_code == 0, result.output
    assert [m["text"] for m in transcript(site)] == ["Q1: what was your first job?", "A1: lifeguard, summers"]
    assert "left out 5 messages on purpose:" in result.output
    assert "2 messages in the private channel mods (private; to import it, name it with --include-private mods)" in result.output
    assert "1 messages in the direct message D0AB12CD34" in result.output
    assert "2 messages in the group DM mpdm-maya--sam.k--lee-1" in result.output


def test_a_private_slack_channel_is_imported_only_when_named(site: Path) -> None:
    export = SAMPLES / "slack" / "private_workspace"
    refused = run(site, export, "--episode", "2026-01-08", "--channel", "mods")
    assert refused.exit_code == 2 and "--include-private mods" in refused.output
    assert not (site / "data" / "episodes").exists()
    named = run(site, export, "--episode", "2026-01-08", "--channel", "mods", "--include-private", "#mods")
    assert named.exit_code == 0, named.output
    assert [m["text"] for m in transcript(site)] == ["Sam, can you pin Q1 when I post it?", "on it"]


def test_mastodon_imports_public_posts_and_unlisted_only_when_asked(site: Path) -> None:
    export = SAMPLES / "mastodon" / "statuses.json"
    result = run(site, export, "--episode", "2026-01-08")
    assert result.exit_code == 0, result.output
    texts = " ".join(m.get("text", "") for m in transcript(site))
    assert "unlisted" not in texts and "followers only" not in texts and "address" not in texts
    for line in (
        "1 unlisted posts (import them with --include-unlisted)",
        "1 followers-only posts (never imported)",
        "1 direct messages (never imported)",
    ):
        assert line in result.output
    result = run(site, export, "--episode", "2026-01-08", "--include-unlisted", "--include-private", "lee")
    assert result.exit_code == 0, result.output
    texts = " ".join(m.get("text", "") for m in transcript(site))
    assert "A2 unlisted, still on topic" in texts and "followers only" not in texts and "address" not in texts


def test_telegram_account_export_keeps_public_chat_only(site: Path) -> None:
    result = run(site, SAMPLES / "telegram" / "account_export.json", "--episode", "2026-01-08")
    assert result.exit_code == 0, result.output
    assert [m["text"] for m in transcript(site)] == ["Q1 #CareerClub: your first job?", "A1: paper round"]
    assert "2 messages in the personal chat 'Sam'" in result.output and "saved messages" in result.output


def test_discord_dm_is_refused_until_named(site: Path) -> None:
    export = SAMPLES / "discord" / "dm.json"
    refused = run(site, export, "--episode", "2026-01-08")
    assert refused.exit_code == 2 and "direct message 'sam.k'" in refused.output and "--include-private sam.k" in refused.output
    assert not (site / "data" / "episodes").exists()
    assert run(site, export, "--episode", "2026-01-08", "--include-private", "sam.k").exit_code == 0
    assert [m["author"] for m in transcript(site)] == ["sam.k", "maya"]


# --- IRC logs that carry no year -------------------------------------------------------------------


def test_dircproxy_log_takes_its_year_from_the_chat(site: Path, tmp_path: Path) -> None:
    result = run(site, SAMPLES / "irc" / "dircproxy_careerclub.log", "--episode", "2026-01-08")
    assert result.exit_code == 0, result.output
    assert "format: irc (detected)" in result.output
    messages = transcript(site)
    assert [m["at"][:16] for m in messages][:2] == ["2026-01-08T19:00", "2026-01-08T19:00"]
    assert messages[1]["text"] == "A1: paper round, 6am, every day"  # the `-` identify flag is not text
    assert "1 empty lines" in result.output and "server lines" in result.output
    # a log that runs over New Year, imported for the chat of 1 January: 31 Dec is the year before
    log = tmp_path / "newyear.log"
    log.write_text(
        "[31 Dec 19:50] <maya!n=maya@careerclub/host/maya> +early hello #CareerClub\n"
        "[01 Jan 20:00] <maya!n=maya@careerclub/host/maya> +Q1: resolutions? #CareerClub\n"
    )
    assert run(site, log, "--episode", "2026-01-01", "--all").exit_code == 0
    assert [m["at"] for m in transcript(site, "2026-01-01-chat")] == ["2025-12-31T18:50:00Z", "2026-01-01T19:00:00Z"]


# --- --replace ---------------------------------------------------------------------------------------


def test_replace_undoes_a_wrong_import_from_the_same_format(site: Path) -> None:
    workspace = SAMPLES / "slack" / "workspace"
    assert run(site, SAMPLES / "jsonl" / "generic.jsonl", "--episode", "2026-01-08").exit_code == 0  # another source
    others = [m for m in transcript(site)]
    assert run(site, workspace, "--episode", "2026-01-08", "--channel", "random").exit_code == 0  # the wrong channel
    assert any(m.get("text") == "same ts in another channel" for m in transcript(site))
    assert {m["source"] for m in transcript(site)} == {"jsonl", "slack"}
    path = site / "data/episodes/2026-01-08-chat/episode.yml"
    path.write_text(path.read_text() + "highlights:\n- '1767898800.000200'\n")

    result = run(site, workspace, "--episode", "2026-01-08", "--channel", "careerclub", "--replace")
    assert result.exit_code == 0, result.output
    assert "--replace: dropped the 1 messages an earlier slack import put here first" in result.output
    after = transcript(site)
    assert not any(m.get("text") == "same ts in another channel" for m in after)
    assert [m for m in after if m["source"] == "jsonl"] == others  # the other import is untouched
    assert len([m for m in after if m["source"] == "slack"]) == 5
    # the highlighted id now belongs to careerclub's Q1: still there, so no warning
    assert "highlights messages that are gone" not in result.output

    again = run(site, workspace, "--episode", "2026-01-08", "--channel", "careerclub", "--replace")
    assert again.exit_code == 0 and "(0 of them are not in this export)" in again.output
    assert transcript(site) == after


def test_replace_warns_about_highlights_it_removes(site: Path) -> None:
    workspace = SAMPLES / "slack" / "workspace"
    assert run(site, workspace, "--episode", "2026-01-08", "--channel", "careerclub").exit_code == 0
    path = site / "data/episodes/2026-01-08-chat/episode.yml"
    path.write_text(path.read_text() + "highlights:\n- '1767898860.000300'\n")
    result = run(site, workspace, "--episode", "2026-01-08", "--channel", "random", "--replace")
    assert result.exit_code == 0, result.output
    assert "highlights messages that are gone: 1767898860.000300" in result.output
    assert [m["text"] for m in transcript(site)] == ["same ts in another channel"]


# --- a chat that `new` planned ------------------------------------------------------------------------


def test_import_publishes_an_upcoming_chat_with_its_real_times(site: Path, tmp_path: Path) -> None:
    created = CliRunner().invoke(main, ["new", "--date", "2026-01-08", "--title", "First jobs", "--root", str(site)])
    assert created.exit_code == 0, created.output
    path = site / "data/episodes/2026-01-08-first-jobs/episode.yml"
    assert yaml.safe_load(path.read_text())["status"] == "upcoming"
    export = tmp_path / "late.jsonl"  # the chat started 20 minutes late and ran 70 minutes
    export.write_text(
        '{"id": "1", "platform": "irc", "author": "maya", "at": "2026-01-08T19:20:10Z", "text": "Q1: first job?"}\n'
        '{"id": "2", "platform": "irc", "author": "sam", "at": "2026-01-08T19:45:00Z", "text": "A1: paper round", "reply_to": "1"}\n'
        '{"id": "3", "platform": "irc", "author": "lee", "at": "2026-01-08T20:29:30Z", "text": "A1: lifeguard", "reply_to": "1"}\n'
    )
    result = run(site, export, "--episode", "2026-01-08", "--margin", "45")
    assert result.exit_code == 0, result.output
    assert "status upcoming → published" in result.output
    episode = yaml.safe_load(path.read_text())
    assert episode.get("status", "published") == "published" and episode["title"] == "First jobs"
    assert episode["starts_at"] == "2026-01-08T20:20:00+01:00"  # Berlin time, to the minute
    assert episode["ends_at"] == "2026-01-08T21:30:00+01:00"  # the last message's minute, rounded up
    assert CliRunner().invoke(main, ["check", "--root", str(site)]).exit_code == 0
    # the chat page counts first-timers, not "everybody returning"
    assert CliRunner().invoke(main, ["generate", "--root", str(site)]).exit_code == 0
    page = (site / "docs/episodes/2026-01-08-first-jobs.md").read_text()
    assert "3 first-timers, 0 returning" in page
    # imported again, a published chat is the editor's: episode.yml is not rewritten
    before = path.read_text()
    assert run(site, export, "--episode", "2026-01-08").exit_code == 0
    assert path.read_text() == before


def test_a_chat_on_schedule_keeps_its_scheduled_times(site: Path, tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["new", "--date", "2026-01-08", "--root", str(site)]).exit_code == 0
    export = tmp_path / "on-time.jsonl"
    export.write_text(
        '{"id": "1", "platform": "irc", "author": "maya", "at": "2026-01-08T19:00:40Z", "text": "Q1: first job?"}\n'
        '{"id": "2", "platform": "irc", "author": "sam", "at": "2026-01-08T19:58:00Z", "text": "A1: paper round"}\n'
    )
    assert run(site, export, "--episode", "2026-01-08").exit_code == 0
    (folder,) = (site / "data/episodes").iterdir()
    episode = yaml.safe_load((folder / "episode.yml").read_text())
    assert "status" not in episode and episode["starts_at"] == "2026-01-08T20:00:00+01:00" and "ends_at" not in episode


def test_a_recorded_early_end_does_not_cut_a_second_platforms_messages(site: Path, tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["new", "--date", "2026-01-08", "--root", str(site)]).exit_code == 0
    assert run(site, SAMPLES / "slack" / "private_workspace", "--episode", "2026-01-08").exit_code == 0
    (folder,) = (site / "data/episodes").iterdir()
    assert yaml.safe_load((folder / "episode.yml").read_text())["ends_at"] == "2026-01-08T20:02:00+01:00"  # Slack went quiet early
    irc = tmp_path / "irc.jsonl"
    irc.write_text('{"id": "i1", "platform": "irc", "author": "zed", "at": "2026-01-08T19:40:00Z", "text": "A2 from IRC"}\n')
    assert run(site, irc, "--episode", "2026-01-08").exit_code == 0
    assert "A2 from IRC" in [m.get("text") for m in transcript(site, folder.name)]


def test_private_flags_in_channels_json_count_too(site: Path, tmp_path: Path) -> None:
    """slackdump lists every conversation in channels.json, flagged is_private / is_mpim / is_im."""
    export = tmp_path / "export"
    shutil.copytree(SAMPLES / "slack" / "private_workspace", export)
    listed = json.loads((export / "channels.json").read_text())
    for name, flag in (("groups.json", "is_private"), ("mpims.json", "is_mpim"), ("dms.json", "is_im")):
        listed += [{**c, flag: True} for c in json.loads((export / name).read_text())]
        (export / name).unlink()
    (export / "channels.json").write_text(json.dumps(listed))
    result = run(site, export, "--episode", "2026-01-08")
    assert result.exit_code == 0, result.output
    assert "left out 5 messages on purpose:" in result.output and "private channel mods" in result.output
    assert [m["text"] for m in transcript(site)] == ["Q1: what was your first job?", "A1: lifeguard, summers"]


def test_a_straggler_is_not_taken_for_the_start(site: Path, tmp_path: Path) -> None:
    """Only late replies in the export, more than the chat's length after its slot: the start
    stays as scheduled (check would take an hour off for a wrong time), the end is recorded."""
    assert CliRunner().invoke(main, ["new", "--date", "2026-01-08", "--root", str(site)]).exit_code == 0
    export = tmp_path / "late-replies.jsonl"
    export.write_text('{"id": "1", "platform": "irc", "author": "zed", "at": "2026-01-08T20:20:00Z", "text": "A5: sorry, late"}\n')
    assert run(site, export, "--episode", "2026-01-08", "--margin", "90").exit_code == 0
    (folder,) = (site / "data/episodes").iterdir()
    episode = yaml.safe_load((folder / "episode.yml").read_text())
    assert episode["starts_at"] == "2026-01-08T20:00:00+01:00" and episode["ends_at"] == "2026-01-08T21:20:00+01:00"
    assert CliRunner().invoke(main, ["check", "--root", str(site)]).exit_code == 0
