"""Shared fixtures: fixture community copies, built sites, a local HTTP server, a browser."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests on fixed examples, so whether a change lands never depends on which
# random inputs one run happens to try; local runs keep exploring, and a failure found there is
# pinned as an @example.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

TESTS = Path(__file__).parent
REPO = TESTS.parent
FIXTURE_SITE = TESTS / "fixtures" / "site"
SHARED_SAMPLES = REPO.parent / "shared" / "samples"
CHROMIUM = Path("/usr/bin/chromium")


def copy_site(source: Path, target: Path) -> Path:
    """A copy of a community site without its generated output."""
    ignore = shutil.ignore_patterns("site", "__pycache__", ".cache")
    shutil.copytree(source, target, ignore=ignore)
    for folder in ("episodes", "people", "topics", "archive", "upcoming"):
        shutil.rmtree(target / "docs" / folder, ignore_errors=True)
    (target / "docs" / "index.md").unlink(missing_ok=True)
    return target


@pytest.fixture
def fixture_site(tmp_path: Path) -> Path:
    """A fresh, writable copy of the small fixture community."""
    return copy_site(FIXTURE_SITE, tmp_path / "site")


def copy_demo(target: Path) -> Path:
    """A copy of the demo community shipped in the repository, without generated output."""
    target.mkdir(parents=True)
    shutil.copytree(REPO / "data", target / "data")
    shutil.copytree(
        REPO / "docs", target / "docs", ignore=shutil.ignore_patterns("episodes", "people", "topics", "archive", "upcoming", "media")
    )
    (target / "docs" / "index.md").unlink(missing_ok=True)
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target


@pytest.fixture
def demo_site(tmp_path: Path) -> Path:
    """A fresh, writable copy of the demo community."""
    return copy_demo(tmp_path / "demo")


def build(root: Path, strict: bool = True) -> Path:
    from generator.build.commands import build_site

    return build_site(root, strict=strict)


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory) -> Path:
    """The demo community built once per test session; returns the site root folder."""
    target = copy_demo(tmp_path_factory.mktemp("built") / "demo")
    build(target)
    return target


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@pytest.fixture
def serve():
    """serve(folder) -> base URL of a local HTTP server for that folder, stopped after the test."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: the system picks a free one
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by playwright; skips with the reason when none is installed."""
    if not CHROMIUM.exists():
        reason = f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
        if os.environ.get("CHATDIGEST_REQUIRE_BROWSER"):
            pytest.fail(reason)  # CI sets this: there the browser tests must run
        pytest.skip(reason)
    playwright_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def shared_samples(*parts: str) -> Path:
    """A folder of real exports from ../shared/samples, or a skip naming what is missing."""
    path = SHARED_SAMPLES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real samples not found at {path} (they live beside the repository in ../shared/samples)")
    return path
