"""`chatdigest check`: everything config.read_archive validates, plus the editorial checks that a
build does not need but a reviewer wants before merging a week:

* an episode that does not start on the schedule (weekday and local time in the community's
  timezone): usually a wrong UTC offset around a daylight-saving change, or a typo in the date;
* a file in data/ that chatdigest does not read (a typo'd name is silently ignored otherwise);
* a privacy entry that matches no one: a mistyped handle would leave the person published.

Schema, unknown people, highlight ids, duplicate message ids, missing episode.yml and two
episodes on one date are read_archive's own problems and are not repeated here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.archive.model import Archive
from generator.archive.privacy import match_key
from generator.archive.read import DATA, line_in_yaml, read_archive
from generator.archive.schedule import is_chat_day, start_on, zone
from generator.errors import Problem, ProblemsFound, printable, relative

# What data/ may hold: config.py reads exactly these.
DATA_ENTRIES = {"community.yml", "people.yml", "privacy.yml", "episodes"}


def check_site(root: Path) -> Archive:
    """Validate all of data/. Raises ProblemsFound (exit 1) listing every problem at once."""
    problems = check_data_folder(root) + check_interrupted(root)
    try:
        archive = read_archive(root, exit_code=1, checks=(check_schedule,))
    except ProblemsFound as exc:
        raise ProblemsFound(problems + exc.problems, exit_code=1) from None
    # Only a complete archive can tell that an opt-out matches no one: a transcript that failed
    # to read would make every opt-out of its authors look unmatched.
    problems += check_privacy(archive, root)
    if problems:
        raise ProblemsFound(problems, exit_code=1)
    return archive


def check_data_folder(root: Path) -> list[Problem]:
    folder = root / DATA
    if not folder.is_dir():
        return []
    return [
        Problem(
            relative(path, root),
            None,
            "file not known to chatdigest",
            fix=f"data/ holds only {', '.join(sorted(DATA_ENTRIES))}; rename or remove it",
        )
        for path in sorted(folder.iterdir())
        if path.name not in DATA_ENTRIES and not path.name.startswith(".")
    ]


def check_interrupted(root: Path) -> list[Problem]:
    """What a purge or an import that was interrupted leaves: its marker, and files half done."""
    from generator.archive.redact import PURGE_PENDING
    from generator.ingest.importing import IMPORT_PENDING

    problems = []
    purge = root / DATA / PURGE_PENDING
    if purge.exists():
        problems.append(
            Problem(
                relative(purge, root),
                None,
                "a purge was interrupted: some files of data/ may still hold the person's words",
                fix="run `chatdigest redact HANDLE --purge` again to complete it",
            )
        )
    for marker in sorted((root / DATA / "episodes").glob(f"*/{IMPORT_PENDING}")):
        problems.append(
            Problem(
                relative(marker.parent, root),
                None,
                "an import into this chat was interrupted: its files may be incomplete",
                fix=f"run the import again (chatdigest import … --episode {marker.parent.name})",
            )
        )
    return problems


def check_schedule(archive: Archive, root: Path) -> list[Problem]:
    """Each episode starts on the scheduled weekday at the scheduled local time."""
    schedule = archive.community.schedule
    problems = []
    for content in archive.episodes:
        episode = content.episode
        local = episode.starts_at.astimezone(zone(schedule))
        if is_chat_day(schedule, local.date()) and local == start_on(schedule, local.date()):
            continue
        path = root / DATA / "episodes" / episode.id / "episode.yml"
        expected = f"{schedule.weekday.capitalize()}s at {schedule.time} {schedule.timezone}"
        problems.append(
            Problem(
                relative(path, root),
                line_in_yaml(path, ("starts_at",)),
                f"starts_at is {local:%A %H:%M} in {schedule.timezone} ({local:%Y-%m-%d %H:%M%z}), off the schedule ({expected})",
                where="starts_at",
                fix=f"use the local time with its offset, e.g. {_suggest(archive, local)}, or change the schedule in data/community.yml",
            )
        )
    return problems


def _suggest(archive: Archive, local: dt.datetime) -> str:
    """The scheduled start on the same local day, or on the nearest chat day after it."""
    schedule = archive.community.schedule
    day = local.date()
    while not is_chat_day(schedule, day):
        day += dt.timedelta(days=1)
    return start_on(schedule, day).isoformat()


def check_privacy(archive: Archive, root: Path) -> list[Problem]:
    """Each opt-out names a person id or a handle that appears in people.yml or a transcript."""
    known = _everyone(archive)
    path = root / DATA / "privacy.yml"
    return [
        Problem(
            relative(path, root),
            line_in_yaml(path, ("optouts", index, "handle")),
            f"opt-out {optout.handle!r} matches no person id, handle, author or mention",
            where=f"optouts.{index}.handle",
            fix="copy the handle exactly as the platform shows it, or use the person's id from people.yml",
        )
        for index, optout in enumerate(archive.optouts)
        if not ({match_key(optout.handle), match_key(optout.handle).split("@", 1)[0]} & known)
    ]


def _everyone(archive: Archive) -> set[str]:
    """Every person id and handle key the archive knows, from people.yml and the transcripts."""
    handles = [h for person in archive.people for hs in person.handles.values() for h in hs]
    for content in archive.episodes:
        for message in content.messages:
            handles += [message.author, *message.mentions]
    keys = {match_key(h) for h in handles} | {match_key(person.id) for person in archive.people}
    # A handle opt-out without a server covers that name on every server (privacy.py).
    return keys | {key.split("@", 1)[0] for key in keys}


# --- output ------------------------------------------------------------------------------------


def render_github(problems: list[Problem], root: Path, cwd: Path | None = None) -> str:
    """GitHub Actions annotations, one per problem, so they show on the pull request's lines.

    GitHub resolves `file=` against the repository root, where the workflow runs; the site may
    sit in a sub-folder (--root), so paths are made relative to the working directory.
    """
    lines = []
    for problem in problems:
        file = _from_cwd(root / problem.file, cwd or Path.cwd())
        props = f"file={_escape_property(file)}"
        if problem.line is not None:
            props += f",line={problem.line}"
        props += f",title={_escape_property('chatdigest check')}"
        lines.append(f"::error {props}::{_escape_data(_annotation_text(problem))}")
    return "\n".join(lines)


def _annotation_text(problem: Problem) -> str:
    """The problem without its file and line, which the annotation carries as properties."""
    where = f"{printable(problem.where)}: " if problem.where else ""
    fix = f" (fix: {printable(problem.fix)})" if problem.fix else ""
    return f"{where}{printable(problem.message)}{fix}"


def _from_cwd(path: Path, cwd: Path) -> str:
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# Workflow command escaping as done by @actions/core (toolkit/packages/core/src/command.ts).
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
