"""Opening files that came from someone else (data/ in a pull request, an export) without being
led elsewhere: a symbolic link to /proc/self/environ or /etc/passwd would publish a secret, a FIFO
or a device would hang or never end. Only regular files are read, and that is decided on the open
file itself, before a byte is read, so nothing can be swapped in between the check and the read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

FIX = "replace it with the file itself; chatdigest reads only plain files"


class NotRegularFile(OSError):
    """A path that is not a plain file: a symbolic link, a folder, a FIFO, a device, a socket."""

    def __init__(self, path: Path, kind: str):
        super().__init__(errno.EINVAL, f"is {kind}, not a plain file", str(path))
        self.kind = kind


def kind_of(mode: int) -> str:
    for test, kind in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file" if not stat.S_ISREG(mode) else "a file"


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading in binary, if it is a regular file and not a symbolic link.

    Raises NotRegularFile otherwise, FileNotFoundError and the like as open() would."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno in (errno.ENXIO, errno.EACCES) and Path(path).is_symlink()):
            raise NotRegularFile(path, "a symbolic link") from None
        if exc.errno == errno.ENXIO:  # a FIFO or socket nobody writes to
            raise NotRegularFile(path, kind_of(os.lstat(path).st_mode)) from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotRegularFile(path, kind_of(mode))
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def regular_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a data file (a link, a FIFO, a folder…), None if it can or is absent."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else f"is {kind_of(mode)}, not a plain file"
