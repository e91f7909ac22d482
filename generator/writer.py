"""The only module that writes files.

Every write goes to a temporary file in the same folder and is renamed over the target, so a
process killed mid-write leaves the old file or the new one, never half of either. A file whose
bytes would not change is not touched: its mtime stays, so `mkdocs serve` does not reload and
make does not rebuild.
"""

from __future__ import annotations

import errno
import itertools
import os
import re
from pathlib import Path

from generator.errors import ChatdigestError

# Temporary names: the target's, this process's id and a count, so no two writers (a forked job
# beside the build, say) ever pick the same one, and no random name has to be made and retried.
_temporary_count = itertools.count()


def _temporary_prefix(name: str) -> str:
    """How the temporary files of a target named `name` begin (hidden, a short form of it)."""
    return f".{name[:40]}."


def _create_temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new empty file beside the target, open for writing: (its descriptor, its path).

    Created with the mode a plain open() gives (0666 less the umask): a published site must be
    readable by the web server. A name a killed run left behind is skipped, never reused.
    """
    made_folder = False
    while True:
        tmp = folder / f"{_temporary_prefix(name)}{os.getpid()}-{next(_temporary_count)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), tmp
        except FileExistsError:
            continue
        except FileNotFoundError:
            if made_folder:
                raise
            folder.mkdir(parents=True, exist_ok=True)  # the first file of a new folder
            made_folder = True


def is_temporary_of_this_process(path: Path) -> bool:
    """True for the name of a temporary file this process makes (_create_temporary)."""
    return re.fullmatch(rf"\..*\.{os.getpid()}-[0-9]+\.tmp", path.name, re.DOTALL) is not None


def write_atomic(path: Path, content: str | bytes, durable: bool = True) -> bool:
    """Write `content` to `path` unless it already holds exactly those bytes.

    `durable` flushes the bytes to disk before the rename, so even a power cut leaves the old file
    or the new one. Generated trees skip it: the rename alone is safe against a killed process,
    a power cut only costs a rerun, and a sync per page costs seconds on a big archive.
    Returns True when the file was (re)written.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        fd, tmp = _create_temporary(path.parent, path.name)
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        with open(fd, "wb", closefd=True) as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise write_error(path, exc) from None
        raise
    return True


_WRITE_FIXES = {
    errno.ENOSPC: "free some disk space and run the command again",
    errno.EDQUOT: "free some disk space (you are over your quota) and run the command again",
    errno.EACCES: "make the folder writable for you, or run where you may write",
    errno.EPERM: "make the folder writable for you, or run where you may write",
    errno.EROFS: "the disk is mounted read-only; run where you may write",
    errno.ENAMETOOLONG: "use a shorter name",
}


def write_error(path: Path, exc: OSError) -> ChatdigestError:
    """A failed write as one line naming the file, what the system said, and what to do."""
    fix = _WRITE_FIXES.get(exc.errno or 0, "check the folder and the disk, then run the command again")
    return ChatdigestError(f"{path}: cannot write: {exc.strerror or exc} (fix: {fix}); files written before it are complete")


def file_state(path: Path) -> tuple[int, int]:
    """A file's size and modification time, (-1, -1) when missing: caches note a file as they
    left it, so one changed since by anyone else is not trusted."""
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)


class TreeWriter:
    """Writes the files of one generated tree and removes the ones no longer produced.

    `owned` are the folders (relative to `root`) that belong entirely to the generator, plus
    single owned files. Nothing outside them is ever written or deleted.
    """

    def __init__(self, root: Path, owned_dirs: tuple[str, ...], owned_files: tuple[str, ...] = ()):
        self.root = root.resolve()
        self.owned_dirs = owned_dirs
        self.owned_files = owned_files
        self.produced: set[Path] = set()
        self.written: list[Path] = []

    def keep(self, relpath: str) -> None:
        """Count a file as produced by this run without rewriting it."""
        self.produced.add(self._inside(relpath))

    def adopt(self, relpath: str, written: bool) -> None:
        """Count a file another process produced for this run (and wrote, or kept)."""
        self.produced.add(self._inside(relpath))
        if written:
            self.written.append(self._inside(relpath))

    def write(self, relpath: str, content: str | bytes) -> None:
        target = self._inside(relpath)
        self.produced.add(target)
        if write_atomic(target, content, durable=False):  # generated: rebuilt from data/ by a rerun
            self.written.append(target)

    def remove_stale(self) -> list[Path]:
        """Delete files in owned folders that this run did not produce (a deleted episode)."""
        removed = []
        for folder in self.owned_dirs:
            base = self.root / folder
            # A symlink leads outside the tree: what it points at is not ours to delete.
            if base.is_symlink() or not base.is_dir():
                continue
            for dirpath, _, filenames in os.walk(base, topdown=False):  # does not follow symlinks
                for name in filenames:
                    path = Path(dirpath) / name
                    if path not in self.produced:
                        path.unlink()
                        removed.append(path)
                if dirpath != str(base) and not any(Path(dirpath).iterdir()):
                    Path(dirpath).rmdir()
        for name in self.owned_files:  # temporary files a killed run left beside an owned file
            for leftover in self.root.glob(f"{_temporary_prefix(name)}*.tmp"):
                leftover.unlink()
        return removed

    def _inside(self, relpath: str) -> Path:
        target = (self.root / relpath).resolve()
        allowed = any(target.is_relative_to(self.root / d) and target != self.root / d for d in self.owned_dirs) or any(
            target == self.root / f for f in self.owned_files
        )
        if not allowed:
            raise ChatdigestError(f"refusing to write {relpath!r}: outside the generated folders of {self.root}")
        return target
