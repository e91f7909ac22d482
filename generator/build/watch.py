"""Serving: the watcher of docs/ takes no notice of the pages generate itself writes there.

`mkdocs serve` watches docs/ and builds again on any change in it. The plugin's build begins by
generating the chat pages into docs/, so every build would see its own writes and set off one
more build (and reload the browser twice) for each edit. MkDocs has no setting that leaves some
files out of its watch, and no hook between the watcher and the rebuild it requests; so the
plugin gives the handler MkDocs schedules for docs/ a filter in front (watch_docs_skipping): an
event passes unless every file it names is as generate left it (the same path and mtime; or
removed by generate, or one of its temporary files). A hand edit to any page, a generated one
too, changes the mtime and rebuilds as before; mkdocs.yml and data/ are watched as they were.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from generator.writer import is_temporary_of_this_process


class GeneratedWrites:
    """The files generate wrote or removed in docs/ while serving, as it left them.

    Events seen while generate runs wait until it has finished (`generated`): only then are its
    files' mtimes known. Called from the build (start, generated) and from the watcher's thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generating = False
        self._pending: list[tuple[FileSystemEventHandler, FileSystemEvent]] = []
        self._mtimes: dict[str, int] = {}  # real path → mtime (ns) generate left it with
        self._removed: set[str] = set()  # real paths generate removed

    def start(self) -> None:
        with self._lock:
            self._generating = True

    def generated(self, written: Iterable[Path], removed: Iterable[Path]) -> None:
        """Note what generate wrote and removed, then pass on the events that were not its own."""
        with self._lock:
            for path in written:
                key = os.path.realpath(path)
                self._removed.discard(key)
                try:
                    self._mtimes[key] = os.stat(key).st_mtime_ns
                except FileNotFoundError:
                    self._mtimes.pop(key, None)
            for path in removed:
                key = os.path.realpath(path)
                self._mtimes.pop(key, None)
                self._removed.add(key)
            self._generating = False
            pending, self._pending = self._pending, []
            passed = [(handler, event) for handler, event in pending if not self._own(event)]
        for handler, event in passed:
            handler.dispatch(event)

    def failed(self) -> None:
        """Generate stopped with an error: pass on what it saw meanwhile, so nothing is lost."""
        with self._lock:
            self._generating = False
            pending, self._pending = self._pending, []
        for handler, event in pending:
            handler.dispatch(event)

    def offer(self, handler: FileSystemEventHandler, event: FileSystemEvent) -> None:
        """Pass `event` on to `handler` unless generate made it (or decide once generate has run)."""
        with self._lock:
            if self._generating:
                self._pending.append((handler, event))
                return
            if self._own(event):
                return
        handler.dispatch(event)

    def _own(self, event: FileSystemEvent) -> bool:
        if event.is_directory:  # a folder's own change (MkDocs ignores these) comes with its files'
            return True
        paths = [event.src_path, event.dest_path] if event.dest_path else [event.src_path]
        return all(self._left_by_generate(os.fsdecode(path)) for path in paths)

    def _left_by_generate(self, path: str) -> bool:
        key = os.path.realpath(path)
        try:
            mtime = os.stat(key).st_mtime_ns
        except FileNotFoundError:
            return key in self._removed or is_temporary_of_this_process(Path(key))
        return self._mtimes.get(key) == mtime


class _Filtered(FileSystemEventHandler):
    """MkDocs' handler for docs/, behind GeneratedWrites."""

    def __init__(self, handler: FileSystemEventHandler, writes: GeneratedWrites):
        self.handler, self.writes = handler, writes

    def dispatch(self, event: FileSystemEvent) -> None:
        self.writes.offer(self.handler, event)


def watch_docs_skipping(server, docs_dir: str, writes: GeneratedWrites) -> None:
    """Have `server` (MkDocs' LiveReloadServer) watch docs_dir as it does, through `writes`.

    The server makes its handler inside watch() and hands it to its observer's schedule(); it
    keeps no public way to reach it. So its watch of docs/ is taken back and made again with
    schedule() wrapping that handler, for this one call on this one server only.
    """
    server.unwatch(docs_dir)
    observer = server.observer
    schedule = observer.schedule

    def schedule_filtered(handler, path, **options):
        return schedule(_Filtered(handler, writes), path, **options)

    observer.schedule = schedule_filtered
    try:
        server.watch(docs_dir)
    finally:
        del observer.schedule  # the class's own method again
