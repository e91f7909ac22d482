"""`chatdigest serve`: an edit rebuilds only the pages it changes, and the served page shows it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, copy_site

EPISODE = "2026-03-12-mentors"


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def _wait_until(check, server: subprocess.Popen, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "chatdigest serve stopped"
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("not within the time allowed")


def _free_address() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


SERVE_COMMANDS = {
    "chatdigest serve": lambda root, address: ["-m", "generator.cli", "serve", "--root", str(root), "--dev-addr", address],
    "mkdocs serve": lambda root, address: ["-m", "mkdocs", "serve", "-f", str(root / "mkdocs.yml"), "--dev-addr", address],
}


@contextmanager
def _serving(root: Path, log: Path, command: str = "chatdigest serve"):
    """The site served by `command`, its log in `log`: yields the server's address once it
    serves the chat page and watches for changes."""
    address = _free_address()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, *SERVE_COMMANDS[command](root, address)], stdout=output, stderr=subprocess.STDOUT, env=env
        )
    try:
        _wait_until(lambda: "Finding a mentor" in _fetch(_page(address)) and "Serving on" in log.read_text(), server)
        time.sleep(1)  # the first look of the watcher
        yield address, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def _page(address: str, path: str = f"episodes/{EPISODE}/") -> str:
    return f"http://{address}/{path}"


def _retitle(root: Path, title: str) -> None:
    episode = root / "data" / "episodes" / EPISODE / "episode.yml"
    episode.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", episode.read_text()))


def _builds(log: Path) -> int:
    return log.read_text().count("Building documentation")


def _builds_after_settling(log: Path, server: subprocess.Popen) -> int:
    """The builds so far, once the watcher has had time to see whatever the last build wrote
    (it looks every half second) and a build it set off would have begun."""
    time.sleep(3)
    assert server.poll() is None, "the server stopped"
    return _builds(log)


def test_an_edit_rebuilds_only_the_pages_it_changes(tmp_path: Path):
    root = copy_site(FIXTURE_SITE, tmp_path / "site")
    log = tmp_path / "serve.log"
    with _serving(root, log) as (address, server):
        _retitle(root, "Finding a mentor, edited while serving")
        _wait_until(lambda: "Finding a mentor, edited while serving" in _fetch(_page(address)), server)
        assert _builds_after_settling(log, server) == 2, log.read_text()  # the first build and one for the edit
    text = log.read_text()
    first, *rebuilds = re.findall(r"building (\d+) of (\d+) pages", text)
    assert first[0] == first[1]  # the first build builds everything
    assert rebuilds, text
    built, every = map(int, rebuilds[0])
    assert 0 < built < every  # the chat, its neighbours and the lists that name it, not the rest
    assert "dirty' build" not in text  # MkDocs' notice about its dirty builds is not for us


@pytest.mark.parametrize("command", SERVE_COMMANDS)
def test_each_edit_builds_once(tmp_path: Path, command: str):
    """The pages generate writes into docs/ set off no build of their own; edits of data/, of a
    hand-written page and of mkdocs.yml each build once and show."""
    root = copy_site(FIXTURE_SITE, tmp_path / "site")
    log = tmp_path / "serve.log"
    with _serving(root, log, command) as (address, server):
        assert _builds(log) == 1
        _retitle(root, "Mentors, edited once")
        _wait_until(lambda: "Mentors, edited once" in _fetch(_page(address)), server)
        assert _builds_after_settling(log, server) == 2, log.read_text()

        # An editor saving twice in quick succession: one build, or two when the second save
        # comes while the first one's build runs; never one more for what either build wrote.
        _retitle(root, "Mentors, first save")
        time.sleep(0.3)
        _retitle(root, "Mentors, second save")
        _wait_until(lambda: "Mentors, second save" in _fetch(_page(address)), server)
        assert _builds_after_settling(log, server) in (3, 4), log.read_text()
        builds = _builds(log)

        about = root / "docs" / "about.md"
        about.write_text(about.read_text() + "\nEdited by hand while serving.\n")
        _wait_until(lambda: "Edited by hand while serving." in _fetch(_page(address, "about/")), server)
        assert _builds_after_settling(log, server) == builds + 1, log.read_text()

        config = root / "mkdocs.yml"
        config.write_text(config.read_text() + "copyright: Edited in mkdocs.yml while serving\n")
        _wait_until(lambda: "Edited in mkdocs.yml while serving" in _fetch(_page(address)), server)
        assert _builds_after_settling(log, server) == builds + 2, log.read_text()
