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

from generator.archive.model import Archive, handle_key
from generator.archive.read import DATA, EPISODES, line_in_yaml, read_archive
from generator.archive.schedule import is_chat_day, start_on, zone
from generator.errors import Problem, ProblemsFound, relative
from generator.render import urls

# What data/ may hold: config.py reads exactly these.
DATA_ENTRIES = {"community.yml", "people.yml", "privacy.yml", "episodes", "media"}


def check_site(root: Path) -> Archive:
    """Validate all of data/. Raises ProblemsFound (exit 1) listing every problem at once."""
    problems = check_data_folder(root)
    try:
        archive = read_archive(root, exit_code=1, checks=(check_schedule,))
    except ProblemsFound as exc:
        raise ProblemsFound(problems + exc.problems, exit_code=1) from None
    # Only a complete archive can tell that an opt-out matches no one: a transcript that failed
    # to read would make every opt-out of its authors look unmatched.
    problems += check_privacy(archive, root)
    problems += check_media(archive, root)
    if problems:
        raise ProblemsFound(problems, exit_code=1)
    return archive


def check_media(archive: Archive, root: Path) -> list[Problem]:
    """Every kept image a message shows is in data/media/ under its content-hash name, and that
    folder holds nothing else."""
    problems = []
    for content in archive.episodes:
        transcript = relative(root / EPISODES / content.episode.id / "transcript.jsonl", root)
        for message in content.messages:
            for media in message.media:
                if not media.file:
                    continue
                if urls.media_name(media.file) is None:
                    fix = "a kept file is media/<32 hex digits>.jpg|png|gif|webp; import the export again"
                    problems.append(
                        Problem(transcript, None, f"media file {media.file!r} is not a kept image's name", f"message {message.id}", fix)
                    )
                elif not (root / DATA / media.file).is_file():
                    fix = "import the export again to restore it, or remove `file` from the record"
                    problems.append(Problem(transcript, None, f"data/{media.file} is missing", f"message {message.id}", fix))
    folder = root / DATA / "media"
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if not path.name.startswith(".") and urls.media_name(f"media/{path.name}") is None:
                fix = "data/media/ holds only images that `chatdigest import` kept; remove it"
                problems.append(Problem(relative(path, root), None, "file not made by chatdigest import", fix=fix))
    return problems


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


def check_schedule(archive: Archive, root: Path) -> list[Problem]:
    """Each episode starts on the scheduled weekday at the scheduled local time, or off it by less
    than the chat's length: a chat that started late or early, as its messages show (import
    records that), is still the chat of its slot; an hour off is a wrong time or offset."""
    schedule = archive.community.schedule
    slot = dt.timedelta(minutes=schedule.duration_minutes)
    problems = []
    for content in archive.episodes:
        episode = content.episode
        local = episode.starts_at.astimezone(zone(schedule))
        if is_chat_day(schedule, local.date()) and abs(local - start_on(schedule, local.date())) < slot:
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
        if handle_key(optout.handle) not in known
    ]


def _everyone(archive: Archive) -> set[str]:
    """Every person id and handle key the archive knows, from people.yml and the transcripts."""
    known = {person.id for person in archive.people}
    known |= {handle_key(h) for person in archive.people for hs in person.handles.values() for h in hs}
    for content in archive.episodes:
        for message in content.messages:
            known.add(handle_key(message.author))
            known.update(handle_key(m) for m in message.mentions)
    return known


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
    where = f"{problem.where}: " if problem.where else ""
    fix = f" (fix: {problem.fix})" if problem.fix else ""
    return f"{where}{problem.message}{fix}"


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
