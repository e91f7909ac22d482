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


def _finish(svg: str, label: str) -> str:
    """Scale to the column width, round coordinates, title it and name it for screen readers."""
    match = _SIZE.match(svg)
    if match:
        width, height = match.groups()
        svg = _SIZE.sub(f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{label}"', svg, count=1)
        svg = svg.replace(">", f"><title>{label}</title>", 1)
    svg = _NUMBER.sub(r"\1", svg)
    return svg.replace(' version="1.1"', "")


def _timeline(chart, days: list[dt.date]) -> None:
    """Chats are evenly spaced along x (one step per chat, breaks closed up); about six ticks
    name the month of the chat under them."""
    last = max(len(days) - 1, 1)
    chart.add_x_scale(0, last)
    step = max(1, round(last / 5))
    ticks = list(range(0, last + 1, step))
    chart.add_x_axis(ticks=ticks, tick_formatter=lambda value, index, count: f"{days[min(int(value), len(days) - 1)]:%b %Y}")


def participation_svg(weeks: list[tuple[dt.date, int, int]]) -> str:
    """Messages and participants per chat, over the whole archive."""
    _theme()
    chart = leather.Chart()
    _timeline(chart, [day for day, _, _ in weeks])
    chart.add_line([(i, messages) for i, (_, messages, _) in enumerate(weeks)], name="messages", stroke_color=SERIES[0], width=2)
    chart.add_line([(i, people) for i, (_, _, people) in enumerate(weeks)], name="participants", stroke_color=SERIES[1], width=2)
    return _finish(chart.to_svg(width=720, height=220), "Messages and participants per chat")


def attendance_svg(attended: tuple[tuple[int, int], ...], most_held: int) -> str:
    """Chats a person attended each year (year, chats), as bars on a scale up to the most chats
    held in a year, so a full bar means they came to every chat. Takes only what it draws, so
    that a drawing can be kept for everyone with the same (chartcache.py): a new chat changes the
    chats held this year, but rarely the most held."""
    _theme()
    chart = leather.Chart()
    chart.add_y_scale(0, max(most_held, 1))
    chart.add_columns([(str(year), count) for year, count in attended], name="attended", fill_color=SERIES[0])
    return _finish(chart.to_svg(width=720, height=160), "Chats attended each year")


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
