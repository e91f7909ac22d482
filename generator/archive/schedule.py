"""When the community's chats take place, from community.yml's schedule.

A schedule is a weekday, a local wall-clock time and an IANA timezone, with a cadence (weekly,
fortnightly, monthly). The chat starts at that wall-clock time all year, so its UTC time moves
when daylight saving starts or ends; every moment here is computed in the community's zone with
zoneinfo and returned timezone-aware.

Over the years a schedule changes: community.yml may list the changes with the date each took
effect, and a hiatus. Functions that take a `ScheduleHistory` use, for each day, the schedule in
force on that day; given one `Schedule` they use it for every day.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from generator.archive.model import Schedule, ScheduleHistory

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Monthly chats are at most five weeks apart; a hiatus may be long. Searching further than this
# for the next chat means there is none (the schedule ends in a hiatus).
_SEARCH_DAYS = 3 * 366


def in_force(schedule: Schedule | ScheduleHistory, day: dt.date) -> Schedule:
    return schedule.on(day) if isinstance(schedule, ScheduleHistory) else schedule


def zone(schedule: Schedule | ScheduleHistory) -> ZoneInfo:
    return ZoneInfo(schedule.timezone)


def start_on(schedule: Schedule | ScheduleHistory, day: dt.date) -> dt.datetime:
    """The chat's start on `day` at the local time in force that day, aware in its zone."""
    schedule = in_force(schedule, day)
    hour, minute = (int(part) for part in schedule.time.split(":"))
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone(schedule))
    # A time inside a spring-forward gap (02:30 on the night clocks jump) does not exist;
    # a round trip through UTC moves it to the wall-clock time people will actually see.
    return local.astimezone(dt.UTC).astimezone(local.tzinfo)


def is_chat_day(schedule: Schedule | ScheduleHistory, day: dt.date) -> bool:
    """Whether the schedule in force on `day` holds a chat that day (never during a hiatus)."""
    schedule = in_force(schedule, day)
    if schedule.hiatus or WEEKDAYS[day.weekday()] != schedule.weekday:
        return False
    if schedule.cadence == "monthly":
        return day.day <= 7
    if schedule.cadence == "fortnightly" and schedule.since is not None:
        first = schedule.since + dt.timedelta(days=(WEEKDAYS.index(schedule.weekday) - schedule.since.weekday()) % 7)
        return (day - first).days // 7 % 2 == 0
    return True


def is_on_schedule(schedule: Schedule | ScheduleHistory, moment: dt.datetime) -> bool:
    """Whether `moment` starts a scheduled chat: on a chat day, less than the chat's length from
    the local time in force that day (a chat that started late or early is still that slot's)."""
    day = moment.astimezone(zone(in_force(schedule, moment.date()))).date()
    slot = dt.timedelta(minutes=in_force(schedule, day).duration_minutes)
    return is_chat_day(schedule, day) and abs(moment - start_on(schedule, day)) < slot


def describe(schedule: Schedule) -> str:
    """'Thursdays at 19:00 America/New_York', as an editor would say it."""
    if schedule.hiatus:
        return "a hiatus" + (f" ({schedule.note})" if schedule.note else "")
    every = {"weekly": "", "fortnightly": "every other ", "monthly": "the first "}[schedule.cadence]
    day = schedule.weekday.capitalize() + ("" if schedule.cadence == "fortnightly" else "s")
    month = " of the month" if schedule.cadence == "monthly" else ""
    return f"{every}{day}{month} at {schedule.time} {schedule.timezone}"


def next_start(schedule: Schedule | ScheduleHistory, after: dt.datetime) -> dt.datetime:
    """The first scheduled start strictly after `after` (an aware datetime)."""
    found = starts_after(schedule, after, 1)
    if not found:
        raise ValueError("no scheduled chat: the schedule ends in a hiatus")
    return found[0]


def starts_after(schedule: Schedule | ScheduleHistory, after: dt.datetime, count: int) -> list[dt.datetime]:
    """The next `count` scheduled starts after `after`, each at the local time in force that day.

    Fewer when the schedule ends in a hiatus."""
    day = after.astimezone(zone(in_force(schedule, after.date()))).date() - dt.timedelta(days=1)
    starts: list[dt.datetime] = []
    quiet = 0  # days searched since the last chat found
    while len(starts) < count and quiet < _SEARCH_DAYS:
        day += dt.timedelta(days=1)
        quiet += 1
        if is_chat_day(schedule, day) and (start := start_on(schedule, day)) > after:
            starts.append(start)
            quiet = 0
    return starts
