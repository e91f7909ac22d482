"""`chatdigest check`: everything read.read_data validates, plus the editorial checks that a
build does not need but a reviewer wants before merging a week:

* an episode that does not start on the schedule in force on its date (weekday, cadence and
  local time in the community's timezone, give or take less than the chat's length: a late or
  early start, as import records it) and does not say why (`off_schedule:`) or when it really
  was (`ends_at:`): usually a wrong UTC offset around a daylight-saving change, or a typo in the
  date. A warning, since a chat can move; an error with `--strict`;
* a file in data/ that chatdigest does not read (a typo'd name is silently ignored otherwise);
* a privacy entry that matches no one: a mistyped handle would leave the person published,
  unless it is recorded ahead (`ahead: true`) for someone who has not posted yet.

Every check runs on whatever could be read, so one broken file never hides another's problems.
Schema, unknown people, highlight ids, duplicate message ids, missing episode.yml and two
episodes on one date are read_data's own problems and are not repeated here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.archive.model import Archive, Community, EpisodeContent, OptOut, Person
from generator.archive.privacy import match_key
from generator.archive.read import DATA, EPISODES, MAX_TRANSCRIPT_BYTES, line_in_yaml, read_data
from generator.archive.schedule import describe, in_force, is_chat_day, is_on_schedule, start_on, zone
from generator.errors import Problem, ProblemsFound, printable, relative
from generator.render import urls

# What data/ may hold: read.py reads exactly these.
DATA_ENTRIES = {"community.yml", "people.yml", "privacy.yml", "episodes", "media"}


@dataclass
class CheckResult:
    archive: Archive
    warnings: list[Problem] = field(default_factory=list)


def check_site(root: Path, strict: bool = False) -> CheckResult:
    """Validate all of data/ in one pass. Raises ProblemsFound (exit 1) listing every problem;
    warnings (off-schedule chats) are returned, or are problems too when `strict`."""
    problems = check_data_folder(root) + check_interrupted(root)
    data = read_data(root)
    problems += data.problems
    everything = data.episodes + data.salvaged
    community = data.community or data.salvaged_community
    warnings = check_schedule(community, everything, root) if community is not None else []
    problems += check_privacy(data.optouts, data.people, everything, root, _unread_text(root, data.problems))
    problems += check_media(everything, root)
    if strict:
        problems, warnings = problems + warnings, []
    archive = data.archive()
    if problems or archive is None:
        raise ProblemsFound(problems, exit_code=1, warnings=warnings)
    return CheckResult(archive, sorted(warnings, key=lambda p: (p.file, p.line or 0)))


def check_media(episodes: list[EpisodeContent], root: Path) -> list[Problem]:
    """Every kept image a message shows is in data/media/ under its content-hash name, and that
    folder holds nothing else."""
    problems = []
    for content in episodes:
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


def check_schedule(community: Community, episodes: list[EpisodeContent], root: Path) -> list[Problem]:
    """Each episode starts as the schedule in force on its date says, or declares its own time."""
    problems = []
    for content in episodes:
        episode = content.episode
        if episode.declares_own_time or is_on_schedule(community.schedule, episode.starts_at):
            continue
        schedule = in_force(community.schedule, episode.date)
        local = episode.starts_at.astimezone(zone(schedule))
        path = root / DATA / "episodes" / episode.id / "episode.yml"
        since = f" since {schedule.since}" if schedule.since else ""
        problems.append(
            Problem(
                relative(path, root),
                line_in_yaml(path, ("starts_at",)),
                f"starts_at is {local:%A %H:%M} in {schedule.timezone} ({local:%Y-%m-%d %H:%M%z}), off the schedule "
                f"({describe(schedule)}{since})",
                where="starts_at",
                fix=f'if the chat really was then, say why with `off_schedule: "…"` or give its `ends_at`; if the schedule '
                f"changed, add the change to data/community.yml; else use the local time with its offset, e.g. {_suggest(community, local)}",
            )
        )
    return problems


def _suggest(community: Community, local: dt.datetime) -> str:
    """The scheduled start on the same local day, or on the nearest chat day after it."""
    day = local.date()
    for _ in range(400):
        if is_chat_day(community.schedule, day):
            return start_on(community.schedule, day).isoformat()
        day += dt.timedelta(days=1)
    return start_on(community.schedule, local.date()).isoformat()


def _unread_text(root: Path, problems: list[Problem]) -> str:
    """The text of the transcripts that had problems, case-folded: a line that could not be read
    may hold an author, and an opt-out for them must not be reported as matching no one."""
    names = {p.file for p in problems if p.file.endswith("transcript.jsonl")}
    texts = []
    for name in sorted(names):
        path = root / name
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_TRANSCRIPT_BYTES:
            texts.append(path.read_bytes().decode("utf-8", errors="replace").casefold())
    return "\n".join(texts)


def check_privacy(
    optouts: list[OptOut], people: list[Person], episodes: list[EpisodeContent], root: Path, unread: str = ""
) -> list[Problem]:
    """Each opt-out names a person id or a handle that appears in people.yml or a transcript,
    unless it was recorded ahead of the person's first message or purged from data/. `unread` is
    text that could not be read as messages, where a handle may still be."""
    known = everyone(people, episodes)
    path = root / DATA / "privacy.yml"
    return [
        Problem(
            relative(path, root),
            line_in_yaml(path, ("optouts", index, "handle")),
            f"opt-out {optout.handle!r} matches no person id, handle, author or mention",
            where=f"optouts.{index}.handle",
            fix="copy the handle exactly as the platform shows it, or use the person's id from people.yml; "
            "for someone who has not posted yet, add `ahead: true`",
        )
        for index, optout in enumerate(optouts)
        if not optout.ahead
        and optout.purged is None
        and not ({match_key(optout.handle), match_key(optout.handle).split("@", 1)[0]} & known)
        and match_key(optout.handle) not in unread
    ]


def everyone(people: list[Person] | tuple[Person, ...], episodes) -> set[str]:
    """Every person id and handle key the archive knows, from people.yml and the transcripts."""
    handles = [h for person in people for hs in person.handles.values() for h in hs]
    for content in episodes:
        for message in content.messages:
            handles += [message.author, *message.mentions]
    keys = {match_key(h) for h in handles} | {match_key(person.id) for person in people}
    # A handle opt-out without a server covers that name on every server (privacy.py).
    return keys | {key.split("@", 1)[0] for key in keys}


# --- output ------------------------------------------------------------------------------------


def render_github(problems: list[Problem], root: Path, cwd: Path | None = None, level: str = "error") -> str:
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
        lines.append(f"::{level} {props}::{_escape_data(_annotation_text(problem))}")
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
