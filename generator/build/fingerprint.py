"""Warm rebuilds: let MkDocs skip the pages whose source did not change.

MkDocs' "dirty" build skips every page whose .md file is older than its built HTML. The
generator rewrites only the pages whose bytes change, so after adding one chat only that chat,
its neighbours and the index pages that list it are rebuilt.

A dirty build is only correct when nothing *else* that goes into every page changed: the
configuration as resolved (values set from the environment, such as `site_url: !ENV SITE_URL`,
included), the navigation, the theme and its overrides, the code and library versions, the set
of hand-written pages, or a generated page that was removed. All of that is summed up in a
fingerprint kept in the cache; when it differs, the site folder is emptied first so the build is
a full one. The fingerprint is taken out of the cache while a build runs, so an interrupted
build is followed by a full one.

A build that finds nothing at all changed since the last finished one (the same fingerprint and
every file of data/, docs/ and site/ as that build left it) is not run: `unchanged_since_last_build`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from generator import cache
from generator.render import urls

CACHE_NAME = "build-fingerprint"
# Plugins known to be correct in a dirty build. Material's lunr `search` is not: it would index
# only the rebuilt pages.
DIRTY_SAFE_PLUGINS = {"chatdigest"}


def fingerprint(config, root: Path) -> str:
    """What every page of the build depends on besides its own source."""
    parts = {
        "config": Path(config.config_file_path).read_bytes().decode("utf-8", "replace"),
        "resolved": _plain(dict(config)),  # what the file says once !ENV and defaults are applied
        "site_dir": str(Path(config.site_dir).resolve()),  # `mkdocs serve` builds elsewhere
        "nav": json.dumps(config.nav, sort_keys=True, default=str),
        "plugins": {name: _plain(dict(plugin.config)) for name, plugin in config.plugins.items()},
        "code": cache.stamp(),
        "theme": _tree_state(_editable_theme_dirs(config)),
        "hand_written": _hand_written(Path(config.docs_dir)),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _plain(value):
    """A configuration value as plain data: objects that hold settings (the theme, plugins) by
    their settings, any other object by its type only (never its address, which changes)."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if hasattr(value, "name") and hasattr(value, "dirs"):  # the theme: its name and options
        return {"theme": value.name, "options": _plain(dict(value))}
    if hasattr(value, "config") and isinstance(value.config, Mapping):  # a plugin
        return _plain(dict(value.config))
    return type(value).__name__


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
        if path.is_file() and not urls.is_generated(rel):
            names.append(rel)
    return names


def prepare_site_dir(config, root: Path, removed_pages: bool) -> bool:
    """Empty site/ unless a dirty build of it would be exact. True when the build can be warm."""
    from mkdocs import utils

    current = fingerprint(config, root)
    previous = cache.load(root, CACHE_NAME, take=True)  # an interrupted build must not look finished
    warm = previous == current and not removed_pages and set(config.plugins) <= DIRTY_SAFE_PLUGINS
    if not warm and Path(config.site_dir).is_dir():
        utils.clean_directory(config.site_dir)
    return warm


def record_finished_build(config, root: Path) -> None:
    cache.save(root, CACHE_NAME, fingerprint(config, root))


FINISHED_NAME = "finished-build"


def build_settings(config, root: Path, data_dir: str) -> str:
    """What a build reads, taken before it starts: the fingerprint of the configuration as loaded
    (before the plugin sets the nav) and the names, sizes and mtimes of every file in data/.
    Taken before, so that an edit saved while the build runs makes the next build run."""
    return hashlib.sha256(json.dumps([fingerprint(config, root), _file_states(root / data_dir)]).encode()).hexdigest()


def build_inputs(settings: str, config, root: Path) -> str:
    """`settings` and what a build leaves: the names, sizes and mtimes of every file in docs/,
    site/ and the cache (a cache file changed by hand is read again)."""
    folders = (Path(config.docs_dir), Path(config.site_dir), root / cache.CACHE_DIR)
    finished = cache.path_of(root, FINISHED_NAME).name
    trees = [[f for f in _file_states(folder) if f[0] != finished] for folder in folders]
    return hashlib.sha256(json.dumps([settings, trees]).encode()).hexdigest()


def _file_states(folder: Path | str, prefix: str = "") -> list:
    """(path under folder, size, mtime) of every file below it, in name order."""
    found = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:  # no such folder (yet)
        return found
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                found += _file_states(entry.path, prefix + entry.name + "/")
            else:
                stat = entry.stat()
                found.append((prefix + entry.name, stat.st_size, stat.st_mtime_ns))
        except OSError:
            continue
    return found


def unchanged_since_last_build(settings: str, config, root: Path) -> bool:
    """True when the last build finished with these very inputs and site/ is as it left it, so
    building again would write the same bytes. The entry is taken: the build that follows a
    False changes what it describes. Only for sites whose plugins are all known (another plugin
    may read what this does not look at)."""
    last = cache.load(root, FINISHED_NAME, take=True)
    if not set(config.plugins) <= DIRTY_SAFE_PLUGINS or last is None:
        return False
    if last != build_inputs(settings, config, root):
        return False
    cache.save(root, FINISHED_NAME, last)
    return True


def record_unchanged_inputs(settings: str, config, root: Path) -> None:
    """After a build that finished without a warning: what it read and left, for the next build
    to compare with."""
    cache.save(root, FINISHED_NAME, build_inputs(settings, config, root))
