"""How a moment is shown to readers, in one place for pages, feeds and the calendar's texts.

Moments are aware UTC datetimes from the importers on; they are shown in the community's
timezone, with UTC beside them where a reader elsewhere needs it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def when(moment: dt.datetime, timezone: ZoneInfo, with_utc: bool = False) -> str:
    """ "Thursday 3 December 2026, 19:00 EST", with " (00:00 Fri 4 Dec UTC)" when asked."""
    local = moment.astimezone(timezone)
    text = f"{local:%A %-d %B %Y, %H:%M} {local.tzname()}"
    if with_utc:
        utc = moment.astimezone(dt.UTC)
        # West of Greenwich an evening chat is already tomorrow in UTC: say which day.
        day = "" if utc.date() == local.date() else f" {utc:%a %-d %b}"
        text += f" ({utc:%H:%M}{day} UTC)"
    return text
