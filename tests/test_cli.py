"""The CLI contract: exit codes, one line per problem naming file and place, no tracebacks,
and nothing in docs/ touched when data/ is broken."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

EPISODE = "data/episodes/2026-03-05-first-jobs"


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def test_check_valid_site(fixture_site: Path):
    result = run("check", "--root", str(fixture_site))
    assert result.exit_code == 0, result.output
    assert "2 episodes" in result.output


def test_generate_then_build(fixture_site: Path):
    result = run("build", "--strict", "--root", str(fixture_site))
    assert result.exit_code == 0, result.output
    assert (fixture_site / "site" / "episodes" / "2026-03-05-first-jobs" / "index.html").is_file()


def _break(site: Path, rel: str, text: str) -> None:
    (site / rel).write_text(text, encoding="utf-8")


BROKEN = [
    ("data/community.yml", "name: [unclosed\n", "data/community.yml:2: not valid YAML"),
    (f"{EPISODE}/episode.yml", "title: ok\nstarts_at: 2026-03-05T19:00:00+00:00\ntags: 7\n", f"{EPISODE}/episode.yml:3: tags:"),
    (
        f"{EPISODE}/episode.yml",
        "title: ok\nstarts_at: 2026-03-05T19:00:00+00:00\nhosts: [nobody]\n",
        "hosts: 'nobody' is not in data/people.yml",
    ),
    (
        f"{EPISODE}/episode.yml",
        "title: ok\nstarts_at: 2026-03-05T19:00:00+00:00\nhighlights: ['999']\n",
        f"{EPISODE}/episode.yml:3: highlight 999 is not a message",
    ),
    (f"{EPISODE}/episode.yml", "title: ok\nstarts_at: 2026-03-05T19:00:00\n", "starts_at: needs a timezone"),
    (
        f"{EPISODE}/episode.yml",
        "title: ok\nstarts_at: 2026-03-05T19:00:00+00:00\ntitel: typo\n",
        f"{EPISODE}/episode.yml:3: titel: unknown field",
    ),
    (
        f"{EPISODE}/transcript.jsonl",
        '{"id": "1", "platform": "x", "author": "a", "at": "2026-03-05T19:00:00Z"}\nnot json\n',
        f"{EPISODE}/transcript.jsonl:2: not a JSON object",
    ),
    (
        f"{EPISODE}/transcript.jsonl",
        '{"id": "1", "platform": "x", "author": "a", "at": "2026-03-05T19:00:00Z"}\n{"id": "1", "platform": "x", "author": "b", "at": "2026-03-05T19:01:00Z"}\n',
        "transcript.jsonl:2: message id 1 also on line 1",
    ),
    ("data/people.yml", "people:\n  - id: Bad Id\n    name: x\n", "data/people.yml:2: people.0.id:"),
]


@pytest.mark.parametrize("rel,text,expected", BROKEN, ids=[b[2][:40] for b in BROKEN])
def test_bad_data_is_reported_with_file_and_line(fixture_site: Path, rel: str, text: str, expected: str):
    run("generate", "--root", str(fixture_site))
    docs_before = {p: p.read_bytes() for p in (fixture_site / "docs").rglob("*") if p.is_file()}
    _break(fixture_site, rel, text)
    for command, code in (("check", 1), ("generate", 2), ("build", 2)):
        result = run(command, "--root", str(fixture_site))
        assert result.exit_code == code, (command, result.output)
        assert expected in result.output, result.output
        assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in (fixture_site / "docs").rglob("*") if p.is_file()} == docs_before


def test_two_episodes_on_one_date(fixture_site: Path):
    twin = fixture_site / "data" / "episodes" / "2026-03-05-twin"
    twin.mkdir()
    (twin / "episode.yml").write_text("title: Twin\nstarts_at: 2026-03-05T20:00:00+00:00\n")
    result = run("check", "--root", str(fixture_site))
    assert result.exit_code == 1
    assert "another episode has the same date 2026-03-05" in result.output


def test_all_problems_reported_at_once(fixture_site: Path):
    _break(fixture_site, f"{EPISODE}/episode.yml", "title: ok\nstarts_at: 2026-03-05T19:00:00+00:00\nhosts: [nobody]\ntitel: x\n")
    _break(fixture_site, "data/people.yml", "people:\n  - id: Bad Id\n    name: x\n")
    result = run("check", "--root", str(fixture_site))
    assert result.exit_code == 1
    # The misspelt `titel` does not hide that episode's unknown host.
    assert "4 problems found" in result.output and "hosts: 'nobody' is not in data/people.yml" in result.output


def test_missing_site(tmp_path: Path):
    result = run("build", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert "mkdocs.yml" in result.output and "Traceback" not in result.output
    result = run("check", "--root", str(tmp_path))
    assert result.exit_code == 1
    assert "data/community.yml: file is missing" in result.output


def test_strict_build_fails_on_warning(fixture_site: Path):
    (fixture_site / "docs" / "about.md").write_text("# About\n\n[broken](missing.md)\n")
    result = run("build", "--strict", "--root", str(fixture_site))
    assert result.exit_code == 1
    assert "strict" in result.output


def test_serve_on_a_busy_port_says_so(fixture_site: Path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        address = f"127.0.0.1:{busy.getsockname()[1]}"
        result = run("serve", "--root", str(fixture_site), "--dev-addr", address)
    assert result.exit_code == 2
    assert f"{address} is already in use" in result.output and "Traceback" not in result.output


def test_build_says_nothing_an_editor_cannot_act_on(fixture_site: Path, caplog):
    """No chat scheduled: the Upcoming page stays out of the nav without MkDocs listing it as
    missing; a warm build is exact, so no "use --clean" advice either."""
    episode = fixture_site / "data" / "episodes" / "2026-03-12-mentors"
    shutil.rmtree(episode)
    for _ in range(2):
        assert run("build", "--strict", "--root", str(fixture_site)).exit_code == 0
    messages = [record.getMessage() for record in caplog.records]
    assert any("Documentation built" in m for m in messages)  # the log was captured
    assert not [m for m in messages if "not included in the" in m or "--clean" in m]
    assert (fixture_site / "site" / "upcoming" / "index.html").is_file()
