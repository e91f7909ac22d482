"""Charts drawn at build time as inline SVG (with leather): readable without JavaScript, and in
dark mode because text and axes use the page's own colour (currentColor). Each chart has a title,
and its numbers come as a table too (chart_table), for screen readers and anyone who wants them.

Pure: data in, an SVG string out. The numbers and dates here come from counting, never from
message text, so nothing untrusted reaches the SVG.
"""

from __future__ import annotations

import datetime as dt
import re

import leather

# Blue and orange, told apart with any common colour blindness; each has 3:1 contrast or more both
# on white (4.1, 3.9) and on Material's slate (3.9, 4.1), as lines and legend swatches need.
SERIES = ("#3d7be0", "#c46a00")
_SIZE = re.compile(r'^<svg width="(\d+)" height="(\d+)"')
_NUMBER = re.compile(r"(\d+\.\d)\d+")


def _theme() -> None:
    # leather reads its theme from module globals at draw time.
    theme = leather.theme
    theme.background_color = "none"
    for name in ("axis_title_color", "label_color", "legend_color", "tick_color", "title_color"):
        setattr(theme, name, "currentColor")
    theme.zero_color = "currentColor"
    for name in ("tick_font_family", "legend_font_family", "axis_title_font_family", "title_font_family"):
        setattr(theme, name, "inherit")
    theme.tick_font_size = "12"
    theme.legend_font_size = "12"


def _finish(svg: str, label: str, fill: bool = True) -> str:
    """Scale to the column width (or, with `fill` false, at most its own width), round
    coordinates, title it and name it for screen readers."""
    match = _SIZE.match(svg)
    if match:
        width, height = match.groups()
        size = 'width="100%"' if fill else f'width="{width}"'
        svg = _SIZE.sub(f'<svg viewBox="0 0 {width} {height}" {size} role="img" aria-label="{label}"', svg, count=1)
        svg = svg.replace(">", f"><title>{label}</title>", 1)
    svg = _NUMBER.sub(r"\1", svg)
    return svg.replace(' version="1.1"', "")


def count_ticks(most: int, at_most: int = 5) -> list[int]:
    """Whole-number ticks from 0 to at least `most`, a round step apart (1, 2, 5, 10, 20, 50…):
    one chat gives 0 and 1, not quarter chats; 500 gives 0, 100 … 500."""
    most = max(most, 1)
    step = 1
    while most / step > at_most:
        for factor in (2, 5, 10):
            if most / (step * factor) <= at_most or factor == 10:
                step *= factor
                break
    top = -(-most // step) * step
    return list(range(0, top + 1, step))


def month_ticks(first: dt.date, last: dt.date, at_most: int = 7) -> list[dt.date]:
    """The first days of months, evenly spaced in time (every 1, 2, 3, 6, 12, 24… months)."""
    months = (last.year - first.year) * 12 + last.month - first.month
    step = next((s for s in (1, 2, 3, 6, 12) if months / s < at_most), 12 * (months // (12 * at_most) + 1))
    index = first.year * 12 + first.month  # the month after the first chat's
    index += -index % step  # a multiple of the step: January, April, July… for three months
    ticks = []
    while index <= last.year * 12 + last.month - 1:
        ticks.append(dt.date(index // 12, index % 12 + 1, 1))
        index += step
    return ticks or [dt.date(first.year, first.month, 1)]


def _segments(weeks: list[tuple[dt.date, int, int]], gap_days: int = 35) -> list[list[tuple[dt.date, int, int]]]:
    """Runs of chats without a break longer than `gap_days`: a line is not drawn across a break."""
    runs: list[list[tuple[dt.date, int, int]]] = []
    for week in weeks:
        if runs and (week[0] - runs[-1][-1][0]).days <= gap_days:
            runs[-1].append(week)
        else:
            runs.append([week])
    return runs


def _with_gaps(weeks: list[tuple[dt.date, int, int]], column: int) -> list[tuple[dt.date, int | None]]:
    """One column's points, with a gap (None, which leather leaves undrawn) at each break; a chat
    alone between breaks is a short dash at its value, since a line of one point is invisible."""
    points: list[tuple[dt.date, int | None]] = []
    for run in _segments(weeks):
        if points:
            points.append((run[0][0], None))
        if len(run) == 1:
            day, value = run[0][0], run[0][column]
            points += [(day - dt.timedelta(days=2), value), (day + dt.timedelta(days=2), value)]
        else:
            points += [(week[0], week[column]) for week in run]
    return points


def participation_svg(weeks: list[tuple[dt.date, int, int]]) -> str:
    """Messages and participants per chat, over the whole archive, on a time axis."""
    _theme()
    chart = leather.Chart()
    days = [day for day, _, _ in weeks]
    first, last = min(days), max(days)
    ticks = month_ticks(first, last)
    start, end = min(first, ticks[0]) - dt.timedelta(days=2), max(last, ticks[-1]) + dt.timedelta(days=2)
    chart.add_x_scale(start, end)
    chart.add_x_axis(ticks=ticks, tick_formatter=lambda value, index, count: f"{value:%b %Y}")
    chart.add_y_scale(0, count_ticks(max(m for _, m, _ in weeks))[-1])
    chart.add_y_axis(ticks=count_ticks(max(m for _, m, _ in weeks)))
    messages, people = _with_gaps(weeks, 1), _with_gaps(weeks, 2)
    chart.add_line(messages, name="messages", stroke_color=SERIES[0], width=2)
    chart.add_line(people, name="participants", stroke_color=SERIES[1], width=2)
    return _finish(chart.to_svg(width=720, height=220), "Messages and participants per chat")


def attendance_svg(attended: tuple[tuple[int, int], ...], most_held: int) -> str:
    """Chats a person attended each year (year, chats), as bars on a scale up to the most chats
    held in a year, so a full bar means they came to every chat. Takes only what it draws, so
    that a drawing can be kept for everyone with the same (chartcache.py): a new chat changes the
    chats held this year, but rarely the most held. Whole-number ticks; a chart of few years is
    drawn narrower, so one year is not one bar the width of the page."""
    _theme()
    chart = leather.Chart()
    ticks = count_ticks(most_held, 4)
    chart.add_y_scale(0, ticks[-1])
    chart.add_y_axis(ticks=ticks)
    chart.add_columns([(str(year), count) for year, count in attended], name="attended", fill_color=SERIES[0])
    width = min(720, 160 + 90 * len(attended))
    return _finish(chart.to_svg(width=width, height=160), "Chats attended each year", fill=width == 720)


def chart_table(summary: str, headers: tuple[str, ...], rows: list[tuple]) -> str:
    """A chart's numbers as a table, folded under the chart (a <details> whose summary says what
    it holds). Cells are dates and counts, never message text."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<details><summary>{summary}</summary><table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table></details>"


def participation_table(weeks: list[tuple[dt.date, int, int]]) -> str:
    rows = [(f"{day:%-d %b %Y}", messages, people) for day, messages, people in reversed(weeks)]
    return chart_table("The numbers: messages and participants per chat", ("Chat", "Messages", "Participants"), rows)


def attendance_table(attended: tuple[tuple[int, int], ...]) -> str:
    return chart_table("The numbers: chats attended each year", ("Year", "Chats attended"), list(reversed(attended)))
