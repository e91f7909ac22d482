"""Progress on long work: which phases generate, build and import report, and that the display
appears on a terminal only."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console
from test_import_cli import COMMUNITY, PEOPLE

from generator.build.commands import build_site
from generator.ingest.importing import ImportRequest, import_chat
from generator.progress import PhaseProgress


class Recorder:
    def __init__(self):
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, phase: str, done: int = 0, total: int | None = None) -> None:
        self.calls.append((phase, done, total))

    def phases(self) -> list[str]:
        return list(dict.fromkeys(phase for phase, _, _ in self.calls))

    def last(self, phase: str) -> tuple[int, int | None]:
        return [(done, total) for name, done, total in self.calls if name == phase][-1]


def test_build_reports_each_phase_to_its_end(fixture_site: Path):
    progress = Recorder()
    build_site(fixture_site, progress=progress)
    assert progress.phases() == [
        "reading data/",
        "writing chat pages",
        "writing topic and people pages",
        "building pages",
        "indexing for search",
        "writing feeds and calendar",
    ]
    chats, total = progress.last("writing chat pages")
    assert chats == total == 2
    done, steps = progress.last("building pages")
    assert done == steps > 0


def test_a_warm_build_counts_only_the_pages_it_renders(fixture_site: Path):
    build_site(fixture_site)
    (fixture_site / "docs" / "about.md").write_text("# About\n\nChanged.\n", encoding="utf-8")
    progress = Recorder()
    build_site(fixture_site, progress=progress)
    assert progress.last("building pages") == (2, 2)  # about.md: converted, then rendered


def test_a_large_import_reports_reading(tmp_path: Path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "community.yml").write_text(COMMUNITY, encoding="utf-8")
    (tmp_path / "data" / "people.yml").write_text(PEOPLE, encoding="utf-8")
    export = tmp_path / "big.jsonl"
    lines = [
        {"id": str(i), "platform": "x", "author": f"@p{i % 50}", "at": f"2026-01-08T19:{i % 60:02d}:00Z", "text": f"A1 {i} #careerclub"}
        for i in range(6000)
    ]
    export.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    progress = Recorder()
    import_chat(ImportRequest(root=tmp_path, path=export, episode="2026-01-08"), progress)
    assert progress.phases() == ["reading messages"]
    assert progress.last("reading messages")[1] == 6000


def test_progress_is_drawn_on_a_terminal_only():
    for terminal in (False, True):
        stream = io.StringIO()
        with PhaseProgress(Console(file=stream, force_terminal=terminal, width=100)) as progress:
            progress("writing chat pages", 3, 10)
        assert ("writing chat pages" in stream.getvalue()) is terminal
