"""When the community's chats take place, from community.yml's schedule.

A schedule is a weekday, a local wall-clock time and an IANA timezone. The chat starts at that
wall-clock time all year, so its UTC time moves when daylight saving starts or ends; every
moment here is computed in the community's zone with zoneinfo and returned timezone-aware.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from generator.archive.model import Schedule

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def zone(schedule: Schedule) -> ZoneInfo:
    return ZoneInfo(schedule.timezone)


def start_on(schedule: Schedule, day: dt.date) -> dt.datetime:
    """The chat's start on `day` at the scheduled local time, aware in the community's zone."""
    hour, minute = (int(part) for part in schedule.time.split(":"))
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone(schedule))
    # A time inside a spring-forward gap (02:30 on the night clocks jump) does not exist;
    # a round trip through UTC moves it to the wall-clock time people will actually see.
    return local.astimezone(dt.UTC).astimezone(local.tzinfo)


def is_chat_day(schedule: Schedule, day: dt.date) -> bool:
    return WEEKDAYS[day.weekday()] == schedule.weekday


def next_start(schedule: Schedule, after: dt.datetime) -> dt.datetime:
    """The first scheduled start strictly after `after` (an aware datetime)."""
    local_day = after.astimezone(zone(schedule)).date()
    days_ahead = (WEEKDAYS.index(schedule.weekday) - local_day.weekday()) % 7
    candidate = start_on(schedule, local_day + dt.timedelta(days=days_ahead))
    if candidate <= after:
        candidate = start_on(schedule, local_day + dt.timedelta(days=days_ahead + 7))
    return candidate


def starts_after(schedule: Schedule, after: dt.datetime, count: int) -> list[dt.datetime]:
    """The next `count` scheduled starts after `after`, one week apart in local time."""
    first = next_start(schedule, after)
    local_day = first.astimezone(zone(schedule)).date()
    return [start_on(schedule, local_day + dt.timedelta(weeks=n)) for n in range(count)]
