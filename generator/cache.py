"""The cache folder: what builds keep between runs so that a warm build does only what changed.

Every entry is keyed by all of its inputs, and every file is stamped with `code_version()`, a
hash of the whole package's source: an edit to any module makes every entry miss, so no
hand-kept list of "the modules this depends on" can go stale. Deleting the folder is always safe;
the next build is a cold one.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

CACHE_DIR = ".cache/chatdigest"
PACKAGE = Path(__file__).parent


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
