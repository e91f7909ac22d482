"""The cache folder: what builds keep between runs so that a warm build does only what changed.

This module is the only one that reads or writes it. Every entry is data (marshal: loading it
cannot run code), saved whole under a name, and stamped with `stamp()`: a hash of the whole
package's source and the versions of the libraries that shape the output. An edit to any module
or an upgrade makes every entry miss, so no hand-kept list of "the code this depends on" can go
stale. What an entry holds is keyed by all its inputs by the module that owns it (pages by the
chat's files and the site-wide inputs, summaries by the transcript's bytes, ...).

A discarded file is logged with the reason. Deleting the folder is always safe: the next build
is a cold one.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from generator.writer import write_atomic

CACHE_DIR = ".cache/chatdigest"
FORMAT = 1  # of the files: (FORMAT, stamp, data)
PACKAGE = Path(__file__).parent
# Libraries whose output ends up in the built files: a new version may change it.
SHAPING_LIBRARIES = (
    "mkdocs",
    "mkdocs-material",
    "markdown",
    "pymdown-extensions",
    "leather",
    "feedgen",
    "icalendar",
    "pydantic",
    "snowballstemmer",
    "pillow",
)

log = logging.getLogger("mkdocs.plugins.chatdigest.cache")


@cache
def code_version() -> str:
    """A hash of the source of every module and template the site build runs (the benchmark is
    not part of a build)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(PACKAGE.rglob("*")):
        rel = path.relative_to(PACKAGE)
        if path.is_file() and rel.parts[0] != "bench" and path.suffix in (".py", ".html", ".js", ".css"):
            digest.update(rel.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@cache
def stamp() -> str:
    """What made a cache file: this code and the libraries that shape the output."""
    return code_version() + "".join(f";{name}={_version(name)}" for name in SHAPING_LIBRARIES)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def path_of(root: Path, name: str) -> Path:
    return root / CACHE_DIR / f"{name}.marshal"


def load(root: Path, name: str, take: bool = False) -> Any | None:
    """What the last run of this same code saved as `name`, or None.

    `take` removes the file as it is read: an entry that describes files a run rewrites must not
    outlive a run that is killed before it saves the new one."""
    path = path_of(root, name)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _discard(root, name, f"unreadable ({exc.strerror})")
    if take:
        path.unlink(missing_ok=True)
    try:
        file_format, made_by, data = marshal.loads(raw)
    except (ValueError, EOFError, TypeError):
        return _discard(root, name, "not a cache file of this format")
    if (file_format, made_by) != (FORMAT, stamp()):
        return _discard(root, name, "made by another version of chatdigest or of a library it uses")
    return data


def save(root: Path, name: str, data: Any) -> None:
    """Keep `data` (dicts, lists, tuples, str, bytes, numbers) as `name` for the next run."""
    write_atomic(path_of(root, name), marshal.dumps((FORMAT, stamp(), data)), durable=False)


def _discard(root: Path, name: str, reason: str) -> None:
    """Remove a file that must not be used, saying why."""
    path = path_of(root, name)
    log.info("cache: %s discarded: %s", path.relative_to(root).as_posix(), reason)
    path.unlink(missing_ok=True)
