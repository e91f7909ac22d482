"""Index the archive for search in a second process while MkDocs renders the pages.

At archive scale, indexing takes a couple of seconds of Python and MkDocs' rendering longer;
on a machine with two cores or more they can overlap. The job is a forked copy of the build
process: it has the model the pages were made from without copying it, and indexes and writes
the chats and people (search.write_archive_part). What meta.json needs of that comes back
through a file in the cache folder, as marshal (data only, nothing to execute). The build adds
the hand-written pages once MkDocs has built them (search.build_search_index).

If the job cannot start or fails, the build indexes in its own process, so the output is the
same either way. Not used under `mkdocs serve`: forking a process that runs a web server's
threads is not safe.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import signal
import sys
from dataclasses import astuple
from pathlib import Path

from .incremental import CACHE_DIR
from .writer import write_atomic

_JOB_PREFIX = "search-job-"
_jobs: dict[Path, SearchJob] = {}


class SearchJob:
    def __init__(self, site, config):
        self.config = config
        folder = Path(config.config_file_path).parent / CACHE_DIR
        for stale in folder.glob(f"{_JOB_PREFIX}*"):  # left by a build that was killed
            stale.unlink(missing_ok=True)
        self.result_path = folder / f"{_JOB_PREFIX}{os.getpid()}.marshal"
        self.process = multiprocessing.get_context("fork").Process(
            target=_run, args=(site, config, self.result_path, os.getpid()), daemon=True)
        self.process.start()

    def result(self):
        """The search.Part the job wrote, or None if it failed."""
        from .search import Part

        self.process.join()
        try:
            if self.process.exitcode != 0:
                return None
            return Part(*marshal.loads(self.result_path.read_bytes()))
        except (OSError, ValueError, EOFError, TypeError):
            return None
        finally:
            self.result_path.unlink(missing_ok=True)

    def cancel(self) -> None:
        self.process.kill()
        self.process.join()
        self.result_path.unlink(missing_ok=True)


def start_job(site, config) -> None:
    """Start indexing `site` for the build into config.site_dir (after MkDocs has emptied it)."""
    if "fork" in multiprocessing.get_all_start_methods():
        _jobs[Path(config.site_dir)] = SearchJob(site, config)


def take_job(site_dir: Path) -> SearchJob | None:
    return _jobs.pop(site_dir, None)


def _run(site, config, result_path: Path, parent: int) -> None:
    # In the forked process: no logging and no printing (another thread of the build may have
    # held their locks at the fork). On any error the build indexes in its own process instead.
    from .search import write_archive_part

    _die_with(parent)
    try:
        write_atomic(result_path, marshal.dumps(astuple(write_archive_part(site, config))), durable=False)
    except Exception:
        sys.exit(1)  # an exit code, without the traceback multiprocessing would print


def _die_with(parent: int) -> None:
    """Be killed with the build: a killed build's job must not go on writing into site/ while
    the next build writes there."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the build was gone before that took effect
        os._exit(1)
