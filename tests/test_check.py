"""`chatdigest check`: every seeded problem is found at its FILE:LINE with exit code 1, all of them
in one run, and `--format github` turns them into GitHub Actions annotations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from generator.archive import model
from generator.archive.checks import render_github
from generator.cli import main
from generator.errors import Problem

REPO = Path(__file__).parent.parent
EPISODES = "data/episodes"
FIRST = f"{EPISODES}/2026-03-05-first-jobs"
SECOND = f"{EPISODES}/2026-03-12-mentors"
MESSAGE = '{"id": "%s", "platform": "x", "author": "@hana", "at": "2026-03-05T19:0%d:00Z"}\n'


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(site: Path, rel: str, text: str) -> None:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def append(site: Path, rel: str, text: str) -> None:
    with (site / rel).open("a", encoding="utf-8") as handle:
        handle.write(text)


# Each case: what it seeds into the fixture site, and the FILE:LINE: text check must print.
# Line numbers are those of the seeded text.
SEEDED = {
    "bad YAML": (
        lambda s: write(s, f"{SECOND}/episode.yml", "title: ok\nstarts_at: 2026-03-12T19:00:00+00:00\ntags: [a, b\nhosts: []\n"),
        f"{SECOND}/episode.yml:4: not valid YAML",
    ),
    "wrong type": (
        lambda s: write(s, f"{SECOND}/episode.yml", "title: ok\nstarts_at: 2026-03-12T19:00:00+00:00\nquestions: {q1: x}\n"),
        f"{SECOND}/episode.yml:3: questions: Input should be a valid list",
    ),
    "unknown person": (
        lambda s: write(s, f"{SECOND}/episode.yml", "title: ok\nstarts_at: 2026-03-12T19:00:00+00:00\nhosts:\n  - hana-host\n  - nobody\n"),
        f"{SECOND}/episode.yml:5: hosts: 'nobody' is not in data/people.yml",
    ),
    "highlight not in transcript": (
        lambda s: _replace(s, f"{FIRST}/episode.yml", 'highlights: ["1003", "1005"]', 'highlights:\n  - "1003"\n  - "9999"'),
        f"{FIRST}/episode.yml:13: highlight 9999 is not a message in transcript.jsonl",
    ),
    "two episodes on one date": (
        lambda s: write(s, f"{EPISODES}/2026-03-12-twin/episode.yml", "title: Twin\n\nstarts_at: 2026-03-12T19:00:00+00:00\n"),
        f"{EPISODES}/2026-03-12-twin/episode.yml:3: another episode has the same date 2026-03-12",
    ),
    "transcript line not JSON": (
        lambda s: write(s, f"{FIRST}/transcript.jsonl", MESSAGE % ("1003", 1) + MESSAGE % ("1005", 2) + "{not json\n"),
        f"{FIRST}/transcript.jsonl:3: not a JSON object",
    ),
    "duplicate message id": (
        lambda s: write(s, f"{FIRST}/transcript.jsonl", MESSAGE % ("1003", 1) + MESSAGE % ("1005", 2) + MESSAGE % ("1003", 3)),
        f"{FIRST}/transcript.jsonl:3: message id 1003 also on line 1",
    ),
    "episode folder without episode.yml": (
        lambda s: write(s, f"{EPISODES}/2026-03-19-empty/preview.md", "Coming soon\n"),
        f"{EPISODES}/2026-03-19-empty/episode.yml: file is missing",
    ),
    "unknown file in data/": (
        lambda s: write(s, "data/peoples.yml", "people: []\n"),
        "data/peoples.yml: file not known to chatdigest",
    ),
    "typo in the one schedule": (
        lambda s: _replace(s, "data/community.yml", "weekday: thursday", "weekday: thursdy"),
        "data/community.yml:6: schedule.weekday: Input should be 'monday'",
    ),
    "typo in a schedule history": (
        lambda s: _replace(
            s,
            "data/community.yml",
            'schedule:\n  weekday: thursday\n  time: "19:00"\n  timezone: Europe/London\n  duration_minutes: 60\n',
            "schedule:\n  - weekday: thursday\n    time: '19:00'\n    timezone: Europe/London\n  - since: 2026-03-01\n    tiem: '20:00'\n",
        ),
        "data/community.yml:10: schedule.1.tiem: unknown field",
    ),
    "unknown file in an episode": (
        lambda s: write(s, f"{FIRST}/notes.txt", "draft\n"),
        f"{FIRST}/notes.txt: file not known to chatdigest",
    ),
    "privacy entry matching no one": (
        lambda s: append(s, "data/privacy.yml", '  - handle: "@gone_garry"\n    mode: remove\n'),
        "data/privacy.yml:6: optouts.1.handle: opt-out '@gone_garry' matches no person id, handle, author or mention",
    ),
}

# Chats off the schedule that say nothing about it: a warning, an error only with --strict.
OFF_SCHEDULE = {
    "date off the schedule": (
        lambda s: _replace(s, f"{SECOND}/episode.yml", "2026-03-12T19:00:00+00:00", "2026-03-12T20:30:00+00:00"),
        f"{SECOND}/episode.yml:2: starts_at: starts_at is Thursday 20:30 in Europe/London",
    ),
    "wrong offset after the clocks change": (
        # 19:00 UTC is 20:00 in London once summer time starts on 29 March.
        lambda s: write(s, f"{EPISODES}/2026-04-02-spring/episode.yml", "title: Spring\nstarts_at: 2026-04-02T19:00:00+00:00\n"),
        f"{EPISODES}/2026-04-02-spring/episode.yml:2: starts_at: starts_at is Thursday 20:00 in Europe/London",
    ),
}


def _replace(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_fixture_site_is_clean(fixture_site: Path):
    result = run("check", "--root", str(fixture_site))
    assert result.exit_code == 0, result.output


def test_demo_site_is_clean(demo_site: Path):
    result = run("check", "--root", str(demo_site))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", SEEDED)
def test_check_finds_seeded_problem(fixture_site: Path, name: str):
    seed, expected = SEEDED[name]
    seed(fixture_site)
    result = run("check", "--root", str(fixture_site))
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", OFF_SCHEDULE)
def test_off_schedule_is_a_warning_and_an_error_when_strict(fixture_site: Path, name: str):
    seed, expected = OFF_SCHEDULE[name]
    seed(fixture_site)
    result = run("check", "--root", str(fixture_site))
    assert result.exit_code == 0, result.output
    assert f"warning: {expected}" in result.output and "1 warning" in result.output
    strict = run("check", "--strict", "--root", str(fixture_site))
    assert strict.exit_code == 1, strict.output
    assert expected in strict.output and "warning:" not in strict.output


def test_off_schedule_is_a_github_warning(fixture_site: Path, monkeypatch):
    OFF_SCHEDULE["date off the schedule"][0](fixture_site)
    monkeypatch.chdir(fixture_site)
    result = run("check", "--format", "github")
    assert result.exit_code == 0, result.output
    assert f"::warning file={SECOND}/episode.yml,line=2,title=chatdigest check::starts_at: starts_at is Thursday 20:30" in result.output
    assert "::error" not in result.output


def test_all_problems_in_one_run(fixture_site: Path):
    # Cases that rewrite the same file as another case are left out: they would overwrite it.
    overwriting = {"bad YAML", "wrong type", "duplicate message id", "typo in a schedule history"}
    together = [name for name in SEEDED if name not in overwriting]
    for name in together:
        SEEDED[name][0](fixture_site)
    result = run("check", "--root", str(fixture_site))
    assert result.exit_code == 1
    missing = [name for name in together if SEEDED[name][1] not in result.output]
    assert not missing, result.output


def test_a_typo_hides_no_other_problem(fixture_site: Path):
    # A typo'd field makes episode.yml invalid and an unknown file sits beside it; every other
    # problem of that folder and of the other files still shows in the same run.
    _replace(fixture_site, f"{FIRST}/episode.yml", "summary:", "sumary:")
    _replace(fixture_site, f"{FIRST}/episode.yml", "hosts: [hana-host]", "hosts: [hana-host, nobody]")
    _replace(fixture_site, f"{FIRST}/episode.yml", '"1005"]', '"9999"]')
    write(fixture_site, f"{FIRST}/notes.txt", "draft\n")
    append(fixture_site, f"{FIRST}/transcript.jsonl", "{not json\n")
    append(fixture_site, "data/privacy.yml", '  - handle: "@gone_garry"\n')
    append(fixture_site, "data/community.yml", "langauge: en\n")
    _replace(fixture_site, f"{SECOND}/episode.yml", "2026-03-12T19:00:00+00:00", "2026-03-12T20:30:00+00:00")
    result = run("check", "--root", str(fixture_site))
    assert result.exit_code == 1
    expected = [
        f"{FIRST}/episode.yml:7: sumary: unknown field",
        f"{FIRST}/notes.txt: file not known",
        f"{FIRST}/episode.yml:5: hosts: 'nobody' is not in data/people.yml",
        f"{FIRST}/episode.yml:11: highlight 9999 is not a message",
        f"{FIRST}/transcript.jsonl:13: not a JSON object",
        "data/privacy.yml:6: optouts.1.handle: opt-out '@gone_garry' matches no person id",
        "data/community.yml:10: langauge: unknown field",
        f"warning: {SECOND}/episode.yml:2: starts_at: starts_at is Thursday 20:30",
    ]
    missing = [line for line in expected if line not in result.output]
    assert not missing, result.output
    assert "7 problems found" in result.output


def test_schedule_accepts_summer_time(fixture_site: Path):
    write(fixture_site, f"{EPISODES}/2026-04-02-spring/episode.yml", "title: Spring\nstarts_at: 2026-04-02T19:00:00+01:00\n")
    result = run("check", "--root", str(fixture_site))
    assert result.exit_code == 0, result.output


def test_optout_by_person_id_matches(fixture_site: Path):
    append(fixture_site, "data/privacy.yml", "  - handle: gus-guest\n    mode: anonymise\n")
    result = run("check", "--root", str(fixture_site))
    assert result.exit_code == 0, result.output


def test_github_format(fixture_site: Path, monkeypatch):
    SEEDED["unknown person"][0](fixture_site)
    SEEDED["unknown file in data/"][0](fixture_site)
    monkeypatch.chdir(fixture_site)
    result = run("check", "--format", "github")
    assert result.exit_code == 1
    annotations = [line for line in result.output.splitlines() if line.startswith("::error ")]
    assert (
        f"::error file={SECOND}/episode.yml,line=5,title=chatdigest check::hosts: 'nobody' is not in data/people.yml (fix: add the person to people.yml or fix the id)"
        in annotations
    )
    assert any(a.startswith("::error file=data/peoples.yml,title=chatdigest check::file not known") for a in annotations)
    # The plain lines still go to the log for people reading it.
    assert f"{SECOND}/episode.yml:5: hosts:" in result.output


def test_github_paths_from_a_subfolder_site(fixture_site: Path, monkeypatch):
    SEEDED["unknown file in data/"][0](fixture_site)
    monkeypatch.chdir(fixture_site.parent)
    result = run("check", "--format", "github", "--root", fixture_site.name)
    assert f"::error file={fixture_site.name}/data/peoples.yml," in result.output


def test_github_escaping(tmp_path: Path):
    problem = Problem("data/a,b:c.yml", 3, "100% wrong\nreally", where="x", fix="")
    line = render_github([problem], tmp_path, cwd=tmp_path)
    assert line == "::error file=data/a%2Cb%3Ac.yml,line=3,title=chatdigest check::x: 100%25 wrong%0Areally"


def test_valid_site_prints_summary_and_no_annotations(fixture_site: Path):
    result = run("check", "--format", "github", "--root", str(fixture_site))
    assert result.exit_code == 0
    assert "::error" not in result.output and "data/ is valid" in result.output


# --- the editors' data reference stays accurate ------------------------------------------------

DATA_FORMAT = REPO / "docs" / "editors" / "data-format.md"


def _models_in(cls, found: dict) -> dict:
    """`cls` and every model nested in its fields (Community → Schedule, Feed, …)."""
    found[cls.__name__] = cls
    for info in cls.model_fields.values():
        for inner in _types_in(info.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel) and inner.__name__ not in found:
                _models_in(inner, found)
    return found


def _types_in(annotation) -> list:
    return [annotation, *(t for arg in get_args(annotation) for t in _types_in(arg))]


DOCUMENTED = list(
    (
        _models_in(model.Community, {})
        | _models_in(model.Person, {})
        | _models_in(model.OptOut, {})
        | _models_in(model.Episode, {})
        | _models_in(model.Message, {})
    ).values()
)


def test_every_model_is_documented():
    assert {"Community", "ScheduleChange", "Feed", "Person", "OptOut", "Episode", "Link", "Message", "Media"} <= {
        c.__name__ for c in DOCUMENTED
    }


@pytest.mark.parametrize("cls", DOCUMENTED, ids=lambda c: c.__name__)
def test_data_format_page_names_every_field(cls):
    text = DATA_FORMAT.read_text(encoding="utf-8")
    fields = (set(cls.model_fields) - {"id"} if cls is model.Episode else set(cls.model_fields)) - {"root"}
    missing = [name for name in fields if not re.search(rf"`{name}`", text)]
    assert not missing, f"{DATA_FORMAT.name} does not document {cls.__name__}.{missing}"


def test_an_unreadable_line_does_not_make_its_authors_opt_out_look_unmatched(fixture_site: Path):
    # @gone_gary's only message is on a line that is not valid JSON: the line is the problem.
    transcript = fixture_site / FIRST / "transcript.jsonl"
    lines = [line for line in transcript.read_text().splitlines(keepends=True) if "gone_gary" not in line]
    transcript.write_text("".join(lines) + '{"id": "7", "platform": "x", "author": "@gone_gary", "at": \n')
    result = run("check", "--root", str(fixture_site))
    assert result.exit_code == 1 and f"{FIRST}/transcript.jsonl:" in result.output
    assert "'@gone_gary' matches no" not in result.output, result.output
