"""build and serve: run MkDocs on a community site. The chatdigest plugin named in mkdocs.yml
generates the pages, so these are thin wrappers that add clear errors."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

from generator.build.lock import build_lock
from generator.errors import ChatdigestError, ProblemsFound, StrictFailure
from generator.progress import Progress, StderrHandler, no_progress


def _config_file(root: Path) -> Path:
    config_file = root / "mkdocs.yml"
    if not config_file.is_file():
        raise ChatdigestError(
            f"{config_file}: no mkdocs.yml here (fix: run in a site folder, pass --root, or create one with `chatdigest init`)"
        )
    return config_file


def _load_config(root: Path, **options):
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    try:
        config = load_config(config_file=str(_config_file(root)), **options)
    except (ConfigurationError, Abort) as exc:
        raise ChatdigestError(f"{root / 'mkdocs.yml'}: {exc}") from None
    if "chatdigest" not in config.plugins:
        raise ChatdigestError(f"{root / 'mkdocs.yml'}: the chatdigest plugin is not enabled (fix: add `- chatdigest` under `plugins:`)")
    return config


def build_site(root: Path, strict: bool = False, progress: Progress = no_progress) -> Path:
    """Generate docs/ and build site/ with MkDocs. Warnings fail the build when strict (exit 1)."""

    from generator.build.fingerprint import build_settings, unchanged_since_last_build

    _setup_logging()
    config = _load_config(root, strict=strict)
    plugin = config.plugins["chatdigest"]
    settings = build_settings(config, root, plugin.config.data_dir)
    # One lock for the comparison and the build: another build may be writing what is compared.
    with build_lock(root, logging.getLogger("mkdocs").info):
        if unchanged_since_last_build(settings, config, root):
            logging.getLogger("mkdocs.commands.build").info("nothing changed since the last build")
            return Path(config.site_dir)
        return _build(config, root, settings, strict, progress)


def _build(config, root: Path, settings, strict: bool, progress: Progress) -> Path:
    """MkDocs' dirty build, with the plugin's problems reported one per line."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, PluginError

    from generator.build.fingerprint import record_unchanged_inputs

    plugin = config.plugins["chatdigest"]
    # MkDocs keeps one plugin object per process, across builds and serves: set every field.
    plugin.progress, plugin.dirty, plugin.serving = progress, True, False
    plugin.failure = None  # a failure kept from an earlier build in this process is not this one's
    build_log = logging.getLogger("mkdocs.commands.build")
    build_log.addFilter(_dirty_notice)
    build_log.addFilter(_reported_by_us)
    warnings = _WarningCount()
    logging.getLogger("mkdocs").addHandler(warnings)
    try:
        # Dirty: MkDocs skips pages whose source is older than their output; the plugin empties
        # site/ first whenever that would not give exactly a full build (fingerprint.py).
        build(config, dirty=True)
        if not warnings.count:  # a build that warned warns again rather than being skipped
            record_unchanged_inputs(settings, config, root)
    except (Abort, PluginError) as exc:
        # The plugin keeps its own error so problems are listed one per line, not as "BuildError".
        failure = getattr(plugin, "failure", None)
        if failure is not None:
            if strict and isinstance(failure, ProblemsFound):
                failure.exit_code = 1  # problems found in data/: a strict build says so as check does
            raise failure from None
        raise (StrictFailure if strict else ChatdigestError)(str(exc)) from None
    finally:
        build_log.removeFilter(_dirty_notice)
        build_log.removeFilter(_reported_by_us)
        logging.getLogger("mkdocs").removeHandler(warnings)
    return Path(config.site_dir)


def _reported_by_us(record: logging.LogRecord) -> bool:
    """Drop MkDocs' log of the plugin's own error: `chatdigest build` prints its problems
    itself, one per line, and they would otherwise be printed twice."""
    return not (record.levelno >= logging.ERROR and record.getMessage().startswith("chatdigest: "))


class _WarningCount(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _dirty_notice(record: logging.LogRecord) -> bool:
    """Drop MkDocs' notices about dirty builds: ours are checked to be exact (fingerprint.py),
    the warning would fail every --strict build, and "use --clean" is advice for another tool."""
    message = record.getMessage()
    return not message.startswith(("A 'dirty' build is being performed", "The directory contains stale files"))


def serve_site(root: Path, dev_addr: str) -> None:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import Abort, ConfigurationError

    _setup_logging()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    build_log = logging.getLogger("mkdocs.commands.build")
    build_log.addFilter(_dirty_notice)
    try:
        # Dirty: after an edit MkDocs renders only the pages whose source changed (the generator
        # rewrites only those); the plugin empties the served folder first whenever that would not
        # give exactly a full build (fingerprint.py), as for `chatdigest build`.
        serve(config_file=str(_config_file(root)), dev_addr=dev_addr, livereload=True, build_type="dirty")
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ChatdigestError(
                f"{dev_addr} is already in use (fix: stop the other server or pass another --dev-addr, e.g. 127.0.0.1:8001)"
            ) from None
        raise
    except (ConfigurationError, Abort) as exc:
        raise ChatdigestError(f"{root / 'mkdocs.yml'}: {exc}") from None
    finally:
        build_log.removeFilter(_dirty_notice)


def _setup_logging() -> None:
    # MkDocs logs through "mkdocs"; show its warnings and info like the mkdocs command does.
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
