"""Charts drawn at build time as inline SVG (with leather): readable without JavaScript, and in
dark mode because text and axes use the page's own colour (currentColor).

Pure: data in, an SVG string out. The numbers and dates here come from counting, never from
message text, so nothing untrusted reaches the SVG.
"""

from __future__ import annotations

import datetime as dt
import re

import leather

SERIES = ("#3f51b5", "#ffa000")  # Material indigo and amber: legible on white and on slate
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
    """Scale to the column width, round coordinates, label it for screen readers."""
    match = _SIZE.match(svg)
    if match:
        width, height = match.groups()
        svg = _SIZE.sub(f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{label}"', svg, count=1)
    svg = _NUMBER.sub(r"\1", svg)
    return svg.replace(' version="1.1"', "")


def participation_svg(weeks: list[tuple[dt.date, int, int]]) -> str:
    """Messages and participants per chat, over the whole archive."""
    _theme()
    chart = leather.Chart()
    chart.add_x_scale(weeks[0][0], weeks[-1][0] if len(weeks) > 1 else weeks[0][0] + dt.timedelta(days=7))
    chart.add_line([(day, messages) for day, messages, _ in weeks], name="messages", stroke_color=SERIES[0], width=2)
    chart.add_line([(day, people) for day, _, people in weeks], name="participants", stroke_color=SERIES[1], width=2)
    return _finish(chart.to_svg(width=720, height=220), "Messages and participants per chat")


def attendance_svg(chats: list[tuple[dt.date, int]], name_label: str = "Messages per chat attended") -> str:
    """A person's messages in each chat they took part in (0 where they were absent)."""
    _theme()
    chart = leather.Chart()
    if len(chats) > 1:
        chart.add_x_scale(chats[0][0], chats[-1][0])
    else:
        chart.add_x_scale(chats[0][0] - dt.timedelta(days=7), chats[0][0] + dt.timedelta(days=7))
    chart.add_dots([(day, n) for day, n in chats if n], fill_color=SERIES[0], radius=3)
    return _finish(chart.to_svg(width=720, height=160), name_label)
