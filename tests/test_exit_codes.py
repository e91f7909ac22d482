"""Every command's exit codes, as the README says: 0 ok, 1 problems found (`check`, `check
--strict`, `build --strict`), 2 bad usage or unreadable input; never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

SAMPLES = Path(__file__).parent / "samples"
FIRST = "data/episodes/2026-03-05-first-jobs"
EXPORT = (
    '{"id": "e1", "platform": "x", "author": "@hana", "at": "2026-03-19T19:05:00Z", "text": "Q1: hello #FixtureChat"}\n'
    '{"id": "e2", "platform": "x", "author": "@gus", "at": "2026-03-19T19:06:00Z", "text": "A1: hi #FixtureChat"}\n'
)


def run(site: Path, *args: str):
    result = CliRunner().invoke(main, [*args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def _export(site: Path) -> str:
    path = site.parent / "export.jsonl"
    path.write_text(EXPORT)
    return str(path)


def _busy_port() -> tuple[socket.socket, str]:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    return busy, f"127.0.0.1:{busy.getsockname()[1]}"


def _break_episode(site: Path) -> None:
    path = site / FIRST / "episode.yml"
    path.write_text(path.read_text().replace("summary:", "sumary:"))


# (command, the arguments after it ({root} and {export} filled in), what to do first, exit code)
CASES = {
    "init ok": ("init", ["{tmp}/new-site", "--name", "New"], None, 0),
    "init into a non-empty folder": ("init", ["{root}"], None, 2),
    "init bad option": ("init", ["{tmp}/x", "--weekday", "someday"], None, 2),
    "new ok": ("new", ["--date", "2026-03-19", "--root", "{root}"], None, 0),
    "new on a taken date": ("new", ["--date", "2026-03-12", "--root", "{root}"], None, 2),
    "new bad date": ("new", ["--date", "19/03/2026", "--root", "{root}"], None, 2),
    "previews ok": ("previews", [str(SAMPLES / "feeds" / "rss20.xml"), "--root", "{root}"], None, 0),
    "previews unreadable feed": ("previews", ["{tmp}/no-such-feed.xml", "--root", "{root}"], None, 2),
    "import ok": ("import", ["{export}", "--episode", "2026-03-19", "--format", "jsonl", "--root", "{root}"], None, 0),
    "import missing file": ("import", ["{tmp}/missing.zip", "--episode", "2026-03-19", "--root", "{root}"], None, 2),
    "import without --episode": ("import", ["{export}", "--root", "{root}"], None, 2),
    "highlights ok": ("highlights", ["--suggest", "2026-03-05", "--root", "{root}"], None, 0),
    "highlights unknown episode": ("highlights", ["--suggest", "2027-01-01", "--root", "{root}"], None, 2),
    "check ok": ("check", ["--root", "{root}"], None, 0),
    "check problems": ("check", ["--root", "{root}"], _break_episode, 1),
    "check bad option": ("check", ["--format", "xml", "--root", "{root}"], None, 2),
    "redact ok": ("redact", ["@gus", "--root", "{root}"], None, 0),
    "redact matches no one": ("redact", ["@nobody_here", "--root", "{root}"], None, 2),
    "redact ahead": ("redact", ["@nobody_here", "--ahead", "--root", "{root}"], None, 0),
    "generate ok": ("generate", ["--root", "{root}"], None, 0),
    "generate bad data": ("generate", ["--root", "{root}"], _break_episode, 2),
    "build strict ok": ("build", ["--strict", "--root", "{root}"], None, 0),
    "build strict bad data": ("build", ["--strict", "--root", "{root}"], _break_episode, 1),
    "build bad data": ("build", ["--root", "{root}"], _break_episode, 2),
    "build no site": ("build", ["--root", "{tmp}"], None, 2),
    "serve busy port": ("serve", ["--root", "{root}", "--dev-addr", "{busy}"], None, 2),
    "bench bad usage": ("bench", ["--weeks", "1"], None, 2),
}


@pytest.mark.parametrize("name", CASES)
def test_exit_code(fixture_site: Path, tmp_path: Path, name: str):
    command, args, prepare, expected = CASES[name]
    if prepare is not None:
        prepare(fixture_site)
    busy, address = _busy_port()
    with busy:
        filled = [
            a.format(root=fixture_site, tmp=tmp_path, export=_export(fixture_site) if "{export}" in a else "", busy=address) for a in args
        ]
        result = run(fixture_site, command, *filled)
    assert result.exit_code == expected, result.output
    if expected:
        assert result.output.strip(), "a failure must say why"


def test_every_command_has_an_exit_code_case():
    assert {case[0] for case in CASES.values()} == set(main.commands)


def test_strict_build_lists_the_data_problems(fixture_site: Path):
    _break_episode(fixture_site)
    result = run(fixture_site, "build", "--strict", "--root", str(fixture_site))
    assert result.exit_code == 1 and f"{FIRST}/episode.yml:7: sumary: unknown field" in result.output
