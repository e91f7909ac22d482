"""Keep the people pages' attendance charts between runs.

Drawing a chart with leather takes about a millisecond and a half, and a large archive has one
per participant: most of the time of rendering people pages. A chart is a pure function of what
it shows and of the drawing code, so it is kept under exactly that: a key naming what it shows,
in a file stamped with the version of charts.py and leather. A stale or half-written file can
then only miss, never give a wrong chart; the file is replaced whole at the end of a generate,
holding the charts that generate used. It lives in .cache/chatdigest/ and is safe to delete.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from generator.cache import code_version
from generator.writer import write_atomic

CACHE_FILE = "charts.json"


def _code_version() -> str:
    try:
        leather = metadata.version("leather")
    except metadata.PackageNotFoundError:  # leather not installed as a distribution: no caching
        return ""
    return f"{code_version()}-{leather}"


class ChartCache:
    """Charts (SVG) by what they show; with a path, also those of the last generate."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self.version = _code_version() if path else ""
        self.previous: dict[str, str] = {}
        self.used: dict[str, str] = {}
        if self.version:
            try:
                kept = json.loads(path.read_text(encoding="utf-8"))
                if kept.get("version") == self.version and isinstance(kept.get("charts"), dict):
                    self.previous = kept["charts"]
            except (OSError, ValueError, AttributeError):
                pass

    def get(self, key: str, draw: Callable[[], str]) -> str:
        chart = self.used.get(key) or self.previous.get(key)
        if not isinstance(chart, str):
            chart = draw()
        self.used[key] = chart
        return chart

    def save(self) -> None:
        if self.path is not None and self.version:
            data = json.dumps({"version": self.version, "charts": self.used}, sort_keys=True)
            write_atomic(self.path, data + "\n", durable=False)
