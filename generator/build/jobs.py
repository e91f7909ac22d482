"""Work done in forked processes beside the build's own: post-build steps while MkDocs renders
the pages, and most chat pages while generate renders the rest.

At archive scale, indexing for search and writing the feeds take a couple of seconds of Python,
and MkDocs' rendering longer; on a machine with two cores or more they can overlap. Each job is
a forked copy of the build process, started once MkDocs has emptied site/ (plugin.on_files): it
has the model the pages were made from without copying it, does its work (writing into site/),
and hands back what the build needs through a file in the cache folder, as marshal (data only,
nothing to execute). The post-build step then takes the job's result (`finished`).

If a job cannot start or fails, the step does the work in the build's own process, so the
output is the same either way, and a user's error (no site_url, say) is reported from there.
Not used under `mkdocs serve`: forking a process that runs a web server's threads is not safe.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import signal
import sys
from pathlib import Path

from generator.cache import CACHE_DIR
from generator.writer import write_atomic

_PREFIX = "job-"
_jobs: dict[tuple[str, Path], Job] = {}


class Job:
    """`work(*args)` in a forked process; what it returns (plain data) comes back through a file
    in `folder`."""

    def __init__(self, name: str, work, args: tuple, folder: Path):
        for stale in folder.glob(f"{_PREFIX}{name}-*"):  # left by a run that was killed
            stale.unlink(missing_ok=True)
        self.result_path = folder / f"{_PREFIX}{name}-{os.getpid()}.marshal"
        self.process = multiprocessing.get_context("fork").Process(
            target=_run, args=(work, args, self.result_path, os.getpid()), daemon=True
        )
        self.process.start()

    def result(self) -> tuple[bool, object]:
        """(True, what the work returned), or (False, None) if the job failed."""
        self.process.join()
        try:
            if self.process.exitcode == 0:
                return True, marshal.loads(self.result_path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            pass
        finally:
            self.result_path.unlink(missing_ok=True)
        return False, None

    def cancel(self) -> None:
        self.process.kill()
        self.process.join()
        self.result_path.unlink(missing_ok=True)


def can_fork() -> bool:
    """Linux (where forking a Python process is safe and the job can be made to die with the
    build), and a second core to run on."""
    return sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1


def start(name: str, work, site, config) -> None:
    """Start the post-build step `work(site, config)` in a forked process."""
    if not can_fork():
        return
    older = _jobs.pop((name, Path(config.site_dir)), None)
    if older:  # from a build that failed before its post-build steps
        older.cancel()
    folder = Path(config.config_file_path).parent / CACHE_DIR
    _jobs[name, Path(config.site_dir)] = Job(name, work, (site, config), folder)


def take(name: str, config) -> Job | None:
    return _jobs.pop((name, Path(config.site_dir)), None)


def finished(name: str, work, site, config):
    """What `work(site, config)` returns: from its job if it ran and succeeded, else done here."""
    job = take(name, config)
    if job:
        ok, value = job.result()
        if ok:
            return value
    return work(site, config)


def _run(work, args: tuple, result_path: Path, parent: int) -> None:
    # In the forked process: no logging and no printing (another thread of the build may have
    # held their locks at the fork). On any error the build does the work itself instead.
    _die_with(parent)
    try:
        write_atomic(result_path, marshal.dumps(work(*args)), durable=False)
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
