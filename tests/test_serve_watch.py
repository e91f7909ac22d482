"""The serve's watcher of docs/ passes over the files generate wrote or removed there, and only those."""

from __future__ import annotations

import time
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers.polling import PollingObserver

from generator.build.watch import GeneratedWrites, _Filtered
from generator.writer import TreeWriter


class Recorder(FileSystemEventHandler):
    def __init__(self):
        self.paths: set[str] = set()

    def on_any_event(self, event):
        if not event.is_directory:
            self.paths.update(Path(p).name for p in (event.src_path, event.dest_path) if p)


def _watching(docs: Path, writes: GeneratedWrites):
    recorder = Recorder()
    observer = PollingObserver(timeout=0.05)
    observer.schedule(_Filtered(recorder, writes), str(docs), recursive=True)
    observer.start()
    time.sleep(0.2)  # its first snapshot
    return observer, recorder


def _settle() -> None:
    time.sleep(0.4)  # several looks of the watcher


def test_generated_writes_pass_unnoticed_and_hand_edits_do_not(tmp_path: Path):
    docs = tmp_path / "docs"
    (docs / "episodes").mkdir(parents=True)
    (docs / "about.md").write_text("# About\n")
    (docs / "episodes" / "old.md").write_text("# Old\n")
    writes = GeneratedWrites()
    observer, recorder = _watching(docs, writes)
    try:
        # A build: generate writes pages (the watcher looks meanwhile) and removes a stale one,
        # while an editor saves a page of theirs.
        writes.start()
        writer = TreeWriter(docs, ("episodes",), ("index.md",))
        for number in range(20):
            writer.write(f"episodes/chat-{number}.md", f"# Chat {number}\n")
            time.sleep(0.01)
        writer.write("index.md", "# Home\n")
        (docs / "about.md").write_text("# About, edited\n")
        removed = writer.remove_stale()
        _settle()
        assert recorder.paths == set()  # nothing is decided before generate has finished
        writes.generated(writer.written, removed)
        _settle()
        assert recorder.paths == {"about.md"}

        # Hand edits of a generated page, and a page added where generate removed one, are edits.
        recorder.paths.clear()
        (docs / "episodes" / "chat-3.md").write_text("# Chat 3, edited by hand\n")
        (docs / "episodes" / "old.md").write_text("# Old, back\n")
        _settle()
        assert recorder.paths == {"chat-3.md", "old.md"}
    finally:
        observer.stop()
        observer.join()


def test_what_generate_saw_is_passed_on_when_it_fails(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    writes = GeneratedWrites()
    observer, recorder = _watching(docs, writes)
    try:
        writes.start()
        (docs / "about.md").write_text("# About\n")
        _settle()
        assert recorder.paths == set()
        writes.failed()
        assert recorder.paths == {"about.md"}
    finally:
        observer.stop()
        observer.join()
