"""Warm rebuilds: let MkDocs skip the pages whose source did not change.

MkDocs' "dirty" build skips every page whose .md file is older than its built HTML. The
generator rewrites only the pages whose bytes change, so after adding one chat only that chat,
its neighbours and the index pages that list it are rebuilt.

A dirty build is only correct when nothing *else* that goes into every page changed: the
configuration, the navigation, the theme and its overrides, the installed versions, the set of
hand-written pages, or a generated page that was removed. All of that is summed up in a
fingerprint kept in the cache folder; when it differs, the site folder is emptied first so the
build is a full one. The fingerprint is removed while a build runs, so an interrupted build is
followed by a full one. Deleting the cache folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from generator.cache import CACHE_DIR
from generator.render import urls
from generator.writer import write_atomic

FINGERPRINT = "build-fingerprint.json"
# Plugins known to be correct in a dirty build. Material's lunr `search` is not: it would index
# only the rebuilt pages.
DIRTY_SAFE_PLUGINS = {"chatdigest"}


def fingerprint(config, root: Path) -> str:
    """What every page of the build depends on besides its own source."""
    parts = {
        "config": Path(config.config_file_path).read_bytes().decode("utf-8", "replace"),
        "site_dir": str(Path(config.site_dir).resolve()),  # `mkdocs serve` builds elsewhere
        "nav": json.dumps(config.nav, sort_keys=True, default=str),
        "plugins": sorted(config.plugins),
        "versions": [_version(name) for name in ("chatdigest", "mkdocs", "mkdocs-material", "markdown")],
        "theme": _tree_state(_editable_theme_dirs(config)),
        "hand_written": _hand_written(Path(config.docs_dir)),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _editable_theme_dirs(config) -> list[Path]:
    """Theme folders whose files may change without a version change: a site's custom_dir and
    chatdigest's own templates. Material's and MkDocs' thousands of files are covered by their
    versions, and listing them would cost a third of a second per build."""
    import material
    import mkdocs

    installed = (Path(material.__file__).parent, Path(mkdocs.__file__).parent)
    return [Path(d) for d in config.theme.dirs if not any(Path(d).is_relative_to(p) for p in installed)]


def _tree_state(folders: list[Path]) -> list:
    """Names, sizes and mtimes of theme files: cheap, and any edit changes them."""
    state = []
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file():
                stat = path.stat()
                state.append((str(path), stat.st_size, stat.st_mtime_ns))
    return state


def _hand_written(docs_dir: Path) -> list[str]:
    names = []
    for path in sorted(docs_dir.rglob("*")):
        rel = path.relative_to(docs_dir).as_posix()
        if path.is_file() and rel not in urls.GENERATED_FILES and rel.split("/", 1)[0] not in urls.GENERATED_DIRS:
            names.append(rel)
    return names


def prepare_site_dir(config, root: Path, removed_pages: bool) -> bool:
    """Empty site/ unless a dirty build of it would be exact. True when the build can be warm."""
    from mkdocs import utils

    cache = root / CACHE_DIR / FINGERPRINT
    current = fingerprint(config, root)
    previous = cache.read_text(encoding="utf-8").strip() if cache.is_file() else ""
    cache.unlink(missing_ok=True)  # an interrupted build must not look finished
    warm = previous == current and not removed_pages and set(config.plugins) <= DIRTY_SAFE_PLUGINS
    if not warm and Path(config.site_dir).is_dir():
        utils.clean_directory(config.site_dir)
    return warm


def record_finished_build(config, root: Path) -> None:
    write_atomic(root / CACHE_DIR / FINGERPRINT, fingerprint(config, root) + "\n")
