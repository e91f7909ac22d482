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
from pathlib import Path

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


def test_an_edit_rebuilds_only_the_pages_it_changes(tmp_path: Path):
    root = copy_site(FIXTURE_SITE, tmp_path / "site")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    log = tmp_path / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "serve", "--root", str(root), "--dev-addr", address],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        url = f"http://{address}/episodes/{EPISODE}/"
        _wait_until(lambda: "Finding a mentor" in _fetch(url) and "Serving on" in log.read_text(), server)
        time.sleep(1)  # the first look of the watcher
        episode = root / "data" / "episodes" / EPISODE / "episode.yml"
        episode.write_text(re.sub(r"(?m)^title: .*$", "title: Finding a mentor, edited while serving", episode.read_text()))
        _wait_until(lambda: "Finding a mentor, edited while serving" in _fetch(url), server)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    first, *rebuilds = re.findall(r"building (\d+) of (\d+) pages", text)
    assert first[0] == first[1]  # the first build builds everything
    assert rebuilds, text
    built, every = map(int, rebuilds[0])
    assert 0 < built < every  # the chat, its neighbours and the lists that name it, not the rest
    assert "dirty' build" not in text  # MkDocs' notice about its dirty builds is not for us
