"""Next chat times from the schedule, across daylight-saving changes; `chatdigest new`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from generator.archive.model import Schedule
from generator.archive.read import read_archive
from generator.archive.schedule import next_start, start_on, starts_after
from generator.cli import main
from generator.errors import ChatdigestError
from generator.ingest.previews import scaffold_episode

UTC = dt.UTC
NEW_YORK = Schedule(weekday="thursday", time="20:00", timezone="America/New_York")


def test_start_is_local_wall_clock_on_both_sides_of_the_november_change():
    # US daylight saving ended on Sunday 1 November 2026: 20:00 EDT is 00:00 UTC, 20:00 EST is 01:00 UTC.
    before = start_on(NEW_YORK, dt.date(2026, 10, 29))
    after = start_on(NEW_YORK, dt.date(2026, 11, 5))
    assert before.astimezone(UTC) == dt.datetime(2026, 10, 30, 0, 0, tzinfo=UTC)
    assert after.astimezone(UTC) == dt.datetime(2026, 11, 6, 1, 0, tzinfo=UTC)
    assert (before.hour, after.hour) == (20, 20)
    assert (before.tzname(), after.tzname()) == ("EDT", "EST")


def test_weekly_starts_keep_local_time_across_the_change():
    starts = starts_after(NEW_YORK, dt.datetime(2026, 10, 20, tzinfo=UTC), 4)
    assert [s.date() for s in starts] == [dt.date(2026, 10, 22), dt.date(2026, 10, 29), dt.date(2026, 11, 5), dt.date(2026, 11, 12)]
    assert {s.strftime("%H:%M") for s in starts} == {"20:00"}
    assert [s.astimezone(UTC).hour for s in starts] == [0, 0, 1, 1]


def test_next_start_is_strictly_after_and_on_the_weekday():
    start = start_on(NEW_YORK, dt.date(2026, 11, 5))
    assert next_start(NEW_YORK, start - dt.timedelta(minutes=1)) == start
    assert next_start(NEW_YORK, start) == start_on(NEW_YORK, dt.date(2026, 11, 12))
    # Thursday 21:00 in New York is already Friday in UTC: the local day decides.
    late = dt.datetime(2026, 11, 6, 2, 0, tzinfo=UTC)
    assert next_start(NEW_YORK, late).date() == dt.date(2026, 11, 12)


def test_a_time_inside_the_spring_gap_moves_to_a_real_wall_clock_time():
    schedule = Schedule(weekday="sunday", time="02:30", timezone="America/New_York")
    start = start_on(schedule, dt.date(2026, 3, 8))  # clocks jump from 02:00 to 03:00
    assert start.strftime("%H:%M %Z") == "03:30 EDT"


def _write_new_york(site):
    path = site / "data" / "community.yml"
    data = yaml.safe_load(path.read_text())
    data["schedule"] = {"weekday": "thursday", "time": "20:00", "timezone": "America/New_York"}
    path.write_text(yaml.safe_dump(data))


def test_new_scaffolds_the_next_free_week_as_upcoming(fixture_site):
    _write_new_york(fixture_site)
    now = dt.datetime(2026, 10, 30, 12, 0, tzinfo=UTC)
    folder = scaffold_episode(fixture_site, title="Changing careers", now=now)
    assert folder.name == "2026-11-05-changing-careers"
    episode = {c.episode.id: c.episode for c in read_archive(fixture_site).episodes}[folder.name]
    assert episode.status.value == "upcoming"
    assert episode.starts_at.astimezone(UTC) == dt.datetime(2026, 11, 6, 1, 0, tzinfo=UTC)
    assert episode.starts_at.astimezone(ZoneInfo("America/New_York")).hour == 20
    # The next call takes the week after, since that date now has an episode.
    second = scaffold_episode(fixture_site, now=now)
    assert second.name.startswith("2026-11-12-")


def test_new_with_a_date_before_the_change(fixture_site):
    _write_new_york(fixture_site)
    folder = scaffold_episode(fixture_site, day=dt.date(2026, 10, 29), title="Before")
    text = (folder / "episode.yml").read_text()
    assert "starts_at: '2026-10-29T20:00:00-04:00'" in text or "starts_at: 2026-10-29T20:00:00-04:00" in text


def test_new_refuses_a_date_that_has_an_episode(fixture_site):
    with pytest.raises(ChatdigestError, match=r"data/episodes/2026-03-12-mentors already holds the chat of 2026-03-12"):
        scaffold_episode(fixture_site, day=dt.date(2026, 3, 12))


def test_new_command_reports_existing_date_without_traceback(fixture_site):
    result = CliRunner().invoke(main, ["new", "--date", "2026-03-12", "--root", str(fixture_site)])
    assert result.exit_code == 2
    assert "error:" in result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in result.output


def test_new_command_creates_the_folder(fixture_site):
    result = CliRunner().invoke(main, ["new", "--date", "2026-03-19", "--title", "Side projects", "--root", str(fixture_site)])
    assert result.exit_code == 0, result.output
    assert (fixture_site / "data" / "episodes" / "2026-03-19-side-projects" / "episode.yml").is_file()
    read_archive(fixture_site)  # still valid data


def test_new_command_rejects_a_malformed_date(fixture_site):
    result = CliRunner().invoke(main, ["new", "--date", "19/03/2026", "--root", str(fixture_site)])
    assert result.exit_code == 2


def test_upcoming_page_shows_community_time_and_utc_day(fixture_site):
    from generator.build.generate import generate_site

    _write_new_york(fixture_site)
    scaffold_episode(fixture_site, day=dt.date(2026, 11, 5), title="Changing careers")
    generate_site(fixture_site)
    upcoming = (fixture_site / "docs" / "upcoming" / "index.md").read_text()
    # 20:00 in New York after the change is 01:00 the next day in UTC.
    assert "Thursday 5 November 2026, 20:00 EST \\(01:00 Fri 6 Nov UTC\\)" in upcoming


# --- schedule history: reschedules, a hiatus, cadence; chats that declare their own time ---------

HISTORY = """\
name: FixtureChat
description: A tiny community used by the tests.
hashtags: ["#FixtureChat"]
platforms: [x, mastodon]
schedule:
  - weekday: wednesday                 # how it started
    time: "13:00"
    timezone: Europe/London
  - since: 2026-03-01                  # moved to Thursday evenings
    weekday: thursday
    time: "19:00"
  - since: 2026-07-01                  # summer break
    hiatus: true
    note: Summer break
  - since: 2026-09-01                  # back, every other week
    cadence: fortnightly
"""


def _write_history(site):
    (site / "data" / "community.yml").write_text(HISTORY)


def _episode(site, date: str, start: str, extra: str = "") -> str:
    folder = f"data/episodes/{date}-chat"
    (site / folder).mkdir(parents=True)
    (site / folder / "episode.yml").write_text(f"title: A chat\nstarts_at: {date}T{start}\n{extra}")
    return f"{folder}/episode.yml"


def _check(site, *options):
    return CliRunner().invoke(main, ["check", *options, "--root", str(site)])


def test_history_reads_as_the_schedule_in_force_on_each_date():
    from generator.archive.model import Community

    history = Community.model_validate(yaml.safe_load(HISTORY)).schedule
    assert history.on(dt.date(2025, 6, 4)).weekday == "wednesday"
    assert (history.on(dt.date(2026, 3, 5)).weekday, history.on(dt.date(2026, 3, 5)).time) == ("thursday", "19:00")
    assert history.on(dt.date(2026, 8, 6)).hiatus
    resumed = history.on(dt.date(2026, 9, 3))
    assert (resumed.weekday, resumed.time, resumed.timezone, resumed.cadence, resumed.hiatus) == (
        "thursday",
        "19:00",
        "Europe/London",
        "fortnightly",
        False,
    )
    assert history.timezone == "Europe/London" and history.cadence == "fortnightly"  # the schedule now


def test_the_old_single_schedule_stays_valid(fixture_site):
    assert _check(fixture_site).exit_code == 0
    assert read_archive(fixture_site).community.schedule.weekday == "thursday"


def test_check_follows_the_schedule_in_force_on_each_date(fixture_site):
    _write_history(fixture_site)
    _episode(fixture_site, "2026-02-18", "13:00:00+00:00")  # a Wednesday, before the move
    result = _check(fixture_site, "--strict")
    assert result.exit_code == 0, result.output
    late = _episode(fixture_site, "2026-02-25", "19:00:00+00:00")  # the new time, a week too early
    result = _check(fixture_site)
    assert result.exit_code == 0 and f"warning: {late}:2: starts_at: starts_at is Wednesday 19:00" in result.output
    assert "off the schedule (Wednesdays at 13:00 Europe/London)" in result.output
    assert _check(fixture_site, "--strict").exit_code == 1


def test_a_chat_in_a_hiatus_or_an_off_week_is_off_the_schedule(fixture_site):
    _write_history(fixture_site)
    summer = _episode(fixture_site, "2026-08-06", "19:00:00+01:00")
    first = _episode(fixture_site, "2026-09-03", "19:00:00+01:00")  # the first fortnightly Thursday
    off_week = _episode(fixture_site, "2026-09-10", "19:00:00+01:00")
    result = _check(fixture_site)
    assert result.exit_code == 0, result.output
    assert f"warning: {summer}:2:" in result.output and "(a hiatus (Summer break) since 2026-07-01)" in result.output
    assert f"warning: {off_week}:2:" in result.output and "every other Thursday at 19:00 Europe/London since 2026-09-01" in result.output
    assert first not in result.output


@pytest.mark.parametrize(
    "declaration",
    ['off_schedule: "Thanksgiving: moved to Friday"\n', "ends_at: 2026-03-20T20:10:00+00:00\n"],
    ids=["off_schedule", "ends_at"],
)
def test_a_chat_that_declares_its_own_time_is_not_questioned(fixture_site, declaration):
    _episode(fixture_site, "2026-03-20", "19:00:00+00:00", declaration)  # a Friday
    result = _check(fixture_site, "--strict")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


def test_ends_at_must_come_after_the_start(fixture_site):
    path = _episode(fixture_site, "2026-03-19", "19:00:00+00:00", "ends_at: 2026-03-19T18:00:00+00:00\n")
    result = _check(fixture_site)
    assert result.exit_code == 1 and f"{path}:" in result.output and "is not after starts_at" in result.output


@pytest.mark.parametrize(
    "schedule, message",
    [
        ("  - weekday: thursday\n    time: '19:00'\n    timezone: UTC\n  - weekday: friday\n", "schedule entry 2 has no `since:` date"),
        ("  - since: 2026-01-01\n    hiatus: true\n", "the schedule needs weekday, time, timezone"),
        (
            "  - weekday: thursday\n    time: '19:00'\n    timezone: UTC\n  - since: 2026-05-01\n    hiatus: true\n  - since: 2026-04-01\n",
            "schedule entry 3 starts on 2026-04-01, not after the entry before it",
        ),
        ("  - weekday: thursday\n    time: '19:00'\n    timezone: UTC\n    cadence: fortnightly\n", "has no `since:` date to count"),
    ],
    ids=["no since", "no times", "out of order", "fortnightly without since"],
)
def test_a_bad_history_is_one_clear_problem(fixture_site, schedule, message):
    text = (fixture_site / "data" / "community.yml").read_text()
    head = text[: text.index("schedule:")]
    (fixture_site / "data" / "community.yml").write_text(head + "schedule:\n" + schedule)
    result = _check(fixture_site)
    assert result.exit_code == 1 and "data/community.yml:" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output


def test_new_follows_the_schedule_in_force(fixture_site):
    _write_history(fixture_site)
    # In June the chats are on Thursdays at 19:00; July and August are a break; from September
    # every other Thursday, counted from the first one (3 September).
    june = scaffold_episode(fixture_site, now=dt.datetime(2026, 6, 20, tzinfo=UTC))
    assert june.name.startswith("2026-06-25-")
    after_break = scaffold_episode(fixture_site, now=dt.datetime(2026, 6, 26, tzinfo=UTC))
    assert after_break.name.startswith("2026-09-03-")
    following = scaffold_episode(fixture_site, now=dt.datetime(2026, 6, 26, tzinfo=UTC))
    assert following.name.startswith("2026-09-17-")
    early = scaffold_episode(fixture_site, day=dt.date(2026, 2, 18))  # before the move: Wednesdays 13:00
    assert "starts_at: '2026-02-18T13:00:00+00:00'" in (early / "episode.yml").read_text()
    assert _check(fixture_site, "--strict").exit_code == 0


def test_new_when_the_schedule_ends_in_a_hiatus(fixture_site):
    (fixture_site / "data" / "community.yml").write_text(HISTORY[: HISTORY.index("  - since: 2026-09-01")])
    result = CliRunner().invoke(main, ["new", "--root", str(fixture_site)])
    assert result.exit_code == 2 and "ends in a hiatus since 2026-07-01" in result.output and "--date" in result.output


def test_new_off_the_schedule_says_check_will_ask(fixture_site):
    result = CliRunner().invoke(main, ["new", "--date", "2026-03-20", "--root", str(fixture_site)])
    assert result.exit_code == 0 and "note: Friday 20 March is off the schedule" in result.output


def test_import_of_an_old_chat_uses_the_schedule_of_its_date(fixture_site, tmp_path):
    _write_history(fixture_site)
    export = tmp_path / "old.jsonl"
    export.write_text('{"id": "o1", "platform": "x", "author": "@hana", "at": "2026-02-18T13:05:00Z", "text": "Q1: hi #FixtureChat"}\n')
    result = CliRunner().invoke(main, ["import", str(export), "--episode", "2026-02-18", "--format", "jsonl", "--root", str(fixture_site)])
    assert result.exit_code == 0, result.output
    episode = {c.episode.id: c.episode for c in read_archive(fixture_site).episodes}["2026-02-18-chat"]
    assert episode.starts_at == dt.datetime(2026, 2, 18, 13, 0, tzinfo=UTC)  # Wednesdays at 13:00 then
    assert _check(fixture_site, "--strict").exit_code == 0
