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
