"""One build of a site at a time.

Two builds of one site (two terminals, an editor's save during `serve`, CI steps run at once)
would write the same docs/, site/ and cache files: one of them crashes or leaves a mix. The
first takes an exclusive lock on a file in the cache folder; the second waits for it, saying
so, and gives up with a clear error after WAIT_SECONDS. The lock is the kernel's (flock), so a
build that dies releases it with its process. It is re-entrant within a process: `chatdigest
build` holds it around MkDocs, whose plugin takes it again for plain `mkdocs build`.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.cache import CACHE_DIR
from generator.errors import ChatdigestError

LOCK_FILE = "build.lock"
WAIT_SECONDS = 600.0
POLL_SECONDS = 0.2

_held: dict[Path, tuple[int, int]] = {}  # lock file -> (descriptor, depth) in this process


def lock_path(root: Path) -> Path:
    return root.resolve() / CACHE_DIR / LOCK_FILE


def acquire(root: Path, notify: Callable[[str], None] = lambda message: None, wait: float = WAIT_SECONDS) -> None:
    """Hold the site's build lock, waiting up to `wait` seconds for another build to finish."""
    path = lock_path(root)
    if path in _held:
        fd, depth = _held[path]
        _held[path] = (fd, depth + 1)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        raise ChatdigestError(f"{path}: cannot create the build lock: {exc.strerror} (fix: make {path.parent} writable)") from None
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if not told:
                notify(f"another build of {root} is running; waiting for it to finish")
                told = True
            if time.monotonic() >= deadline:
                os.close(fd)
                raise ChatdigestError(
                    f"{root}: another build of this site is still running after {wait:.0f} s "
                    "(fix: wait for it to finish, or stop it, then build again)"
                ) from None
            time.sleep(POLL_SECONDS)
    _held[path] = (fd, 1)


def release(root: Path) -> None:
    path = lock_path(root)
    if path not in _held:
        return
    fd, depth = _held.pop(path)
    if depth > 1:
        _held[path] = (fd, depth - 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


@contextmanager
def build_lock(root: Path, notify: Callable[[str], None] = lambda message: None) -> Iterator[None]:
    acquire(root, notify)
    try:
        yield
    finally:
        release(root)
