"""Progress on long work, for the command line.

Long work reports itself through a plain callback, `progress(phase, done=0, total=None)`, so the
pipeline stays free of any display: generate_site, the MkDocs plugin and the importers call it,
and only the command line draws it. `PhaseProgress` draws it with rich on stderr: one line per
phase (a bar when the total is known, a spinner otherwise), shown only on a terminal and gone when
the command ends. Callers skip reporting work too small to watch (importers: PROGRESS_FROM).
"""

from __future__ import annotations

import logging
import sys
from typing import Protocol


class Progress(Protocol):
    def __call__(self, phase: str, done: int = 0, total: int | None = None) -> None: ...


def no_progress(phase: str, done: int = 0, total: int | None = None) -> None:
    """The callback when nobody is watching (tests, plain `mkdocs build`)."""


class PhaseProgress:
    """A rich progress display fed by the `Progress` callback; a context manager."""

    def __init__(self, console):
        self.console = console
        self.display = None
        self.phase: str | None = None
        self.task = None

    def __enter__(self) -> PhaseProgress:
        return self

    def __call__(self, phase: str, done: int = 0, total: int | None = None) -> None:
        if self.display is None:
            if not self.console.is_terminal:
                return
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.display = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                _count_column(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.display.start()
        if phase != self.phase:
            if self.task is not None:
                self.display.remove_task(self.task)
            self.phase, self.task = phase, self.display.add_task(phase, total=total)
        self.display.update(self.task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.display is not None:
            self.display.stop()


def _count_column():
    """ "12/520" when the phase has a total; nothing (not "0/?") when it has none."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Count(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{int(task.completed)}/{int(task.total)}" if task.total else "", style="progress.download")

    return Count()


class StderrHandler(logging.StreamHandler):
    """A log handler writing to sys.stderr as it is at each record, not as it was when the handler
    was made: while a progress display runs, rich routes stderr so log lines print above it."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)
