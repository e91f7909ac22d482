"""Keep the people pages' attendance charts between runs.

Drawing a chart with leather takes about a millisecond and a half, and a large archive has one
per participant: most of the time of rendering people pages. A chart is a pure function of what
it shows and of the drawing code, so it is kept under exactly that: a key naming what it shows,
in the cache (whose files are stamped with the code and leather's version). A stale file can
then only miss, never give a wrong chart; the entry is replaced whole at the end of a generate,
holding the charts that generate used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator import cache

CACHE_NAME = "charts"


class ChartCache:
    """Charts (SVG) by what they show; with a site root, also those of the last generate."""

    def __init__(self, root: Path | None = None):
        self.root = root
        self.previous: dict[str, str] = (cache.load(root, CACHE_NAME) or {}) if root else {}
        self.used: dict[str, str] = {}

    def get(self, key: str, draw: Callable[[], str]) -> str:
        chart = self.used.get(key) or self.previous.get(key)
        if not isinstance(chart, str):
            chart = draw()
        self.used[key] = chart
        return chart

    def save(self) -> None:
        if self.root is not None:
            cache.save(self.root, CACHE_NAME, self.used)
