"""Work done in forked processes beside the build's own: post-build steps while MkDocs renders
the pages, and most chat pages while generate renders the rest.

At archive scale, indexing for search and writing the feeds take a couple of seconds of Python,
and MkDocs' rendering longer; on a machine with two cores or more they can overlap. `Jobs` runs
each piece of work in a process of a standard ProcessPoolExecutor with the fork start method:
the processes are forked when the jobs start, so they have the model the pages were made from
without copying it (the executor's initializer receives it by fork, not by pickling), do their
work (writing into site/ or docs/), and hand back plain data.

Whoever starts jobs owns them (the plugin for one build, generate for its chat pages): no state
outlives its owner. If a job cannot start or fails, `result` logs a warning with the error and
does the work in the build's own process, so the output is the same either way, and a user's
error (no site_url, say) is reported from there. Forking is used only on Linux with a second
core, and never under `mkdocs serve` (forking a process that runs a web server's threads is not
safe).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor

log = logging.getLogger("mkdocs.plugins.chatdigest")

# In a job's process only: each job's arguments by name, received by fork.
_forked_args: dict[str, tuple] = {}


def can_fork() -> bool:
    """Linux (where forking a Python process is safe and a job can be made to die with the
    build), and a second core to run on."""
    return sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1


class Jobs:
    """Each of `work` (name → (function, arguments)) called in its own forked process."""

    def __init__(self, work: dict[str, tuple[Callable, tuple]]):
        self.futures: dict[str, Future] = {}
        self.executor: ProcessPoolExecutor | None = None
        if not work or not can_fork():
            return
        try:
            # With fork, the executor starts all its processes at the first submit, before its
            # own manager thread: the forks copy a process with no other thread of ours.
            self.executor = ProcessPoolExecutor(
                max_workers=len(work),
                mp_context=multiprocessing.get_context("fork"),
                initializer=_enter_job,
                initargs=(os.getpid(), {name: args for name, (_, args) in work.items()}),
            )
            self.futures = {name: self.executor.submit(_call, name, function) for name, (function, _) in work.items()}
        except OSError as exc:  # no process could be started: the build does the work itself
            log.warning(f"could not start work beside the build ({exc}); doing it in the build instead")
            self.close()

    def result(self, name: str, work: Callable, *args):
        """What job `name` returned; if it did not run or failed, `work(*args)` done here."""
        future = self.futures.pop(name, None)
        if future is not None:
            try:
                return future.result()
            except Exception as exc:  # its error, or the pool broken by the process dying
                log.warning(f"{name}: the work beside the build failed ({type(exc).__name__}: {exc}); doing it in the build instead")
        return work(*args)

    def wait(self, name: str) -> None:
        """Let job `name` finish (writing what it writes) without using its result."""
        future = self.futures.pop(name, None)
        if future is not None:
            future.exception()

    def close(self) -> None:
        """Wait for every job still running, so none goes on writing into the next build's files."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor, self.futures = None, {}


def _enter_job(parent: int, args: dict[str, tuple]) -> None:
    global _forked_args
    _die_with(parent)
    # No logging from a job: the parent's handlers (a progress display, say) may hold locks
    # that the fork copied as taken.
    logging.disable(logging.CRITICAL)
    # Everything the fork copied is the build's and outlives the job: kept out of the cycle
    # collector's scans, which walk every object (and write to each one's header, in memory the
    # fork shares with the build until then).
    gc.freeze()
    _forked_args = args


def _call(name: str, work: Callable):
    return work(*_forked_args[name])


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
