"""The import use case: a platform's export → one episode's transcript in data/.

Steps, in this order because nothing may be written until everything has been checked:

1. read data/community.yml, people.yml and the target episode (if it exists);
2. read the export (format given or detected) into messages;
3. keep the episode's window (schedule start and duration, ± a margin) and, for hashtag chats on
   X and Mastodon, the messages carrying a hashtag plus the replies and quotes hanging from them;
4. merge with the transcript already there, by message id (with --replace, first drop what an
   earlier import in the same format put there: each message records its import's format);
5. resolve authors against people.yml and list the unknown ones;
6. only then write: episode.yml (when the episode is new, or still `upcoming` as `new` or
   `previews` made it: it becomes published, with the real start and end when the messages show
   the chat ran off its schedule; a published one holds the editor's highlights, summary and
   questions and is never rewritten), transcript.jsonl, and people.yml with --add-people. Every
   write is atomic, and an unchanged file is not touched.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from generator.archive.edit import edit_yaml_text
from generator.archive.model import Community, Episode, Message, OptOut, Person, Status, handle_key
from generator.archive.privacy import build_redaction, is_dropped
from generator.archive.read import EPISODE_DIR, EPISODES, _Reader, read_community, read_episode, read_optouts, read_people
from generator.archive.schedule import in_force, start_on
from generator.archive.write import render_episode_yml, render_transcript
from generator.errors import ChatdigestError, Problem, ProblemsFound, printable, relative
from generator.ingest.importers import ImportOptions, read_export
from generator.ingest.importers._common import newer
from generator.ingest.media import keep_media
from generator.progress import Progress, no_progress
from generator.writer import write_atomic

HASHTAG_PLATFORMS = ("x", "mastodon")
IMPORT_PENDING = ".import-pending"  # in an episode folder while an import writes into it
MAX_FOLDER_NAME = 100  # characters of an episode folder's name; file systems allow 255 bytes


@dataclass
class ImportRequest:
    root: Path
    path: Path
    episode: str
    format: str = "auto"
    channel: str | None = None
    date: dt.date | None = None
    date_order: str = "auto"
    margin_minutes: int = 30
    keep_all: bool = False
    hashtags: tuple[str, ...] = ()  # overrides community.yml's hashtags
    hashtag_filter: bool = True
    add_people: bool = False
    include_private: tuple[str, ...] = ()  # private chats and protected accounts the editor named
    include_unlisted: bool = False
    replace: bool = False  # drop what an earlier import in the same format put into the chat


@dataclass
class ImportReport:
    format: str
    detected: bool
    source: str
    episode_file: str
    transcript_file: str
    created_episode: bool = False
    published_episode: bool = False
    times: str = ""  # the real start and end recorded in episode.yml, when they differ from the schedule
    read: int = 0
    kept: int = 0
    window: str = ""
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    renamed: int = 0
    media_kept: int = 0
    replaced: int = 0
    removed: int = 0
    lost_highlights: list[str] = field(default_factory=list)
    total: int = 0
    written: bool = False
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    unknown: list[tuple[str, int]] = field(default_factory=list)
    people_added: list[str] = field(default_factory=list)
    people_file: str = ""
    opted_out: int = 0  # messages left out because their authors opted out (data/privacy.yml)

    def lines(self, max_problems: int = 20) -> list[str]:
        how = "detected" if self.detected else "given"
        out = [f"format: {self.format} ({how})", f"read {self.read} messages from {self.source}"]
        out += [f"warning: {p}" for p in self.problems[:max_problems]]
        if len(self.problems) > max_problems:
            out.append(f"warning: … and {len(self.problems) - max_problems} more records skipped")
        if self.skipped:
            out.append(f"left out {sum(self.skipped.values())} messages on purpose:")
            out += [f"  {n} {why}" for why, n in sorted(self.skipped.items(), key=lambda item: (-item[1], item[0]))]
        out.append(f"kept {self.kept} {self.window}")
        if self.opted_out:
            out.append(f"left out {self.opted_out} messages of people who opted out (data/privacy.yml)")
        if self.created_episode:
            out.append(f"created {self.episode_file} (title is a placeholder: edit it)")
        if self.published_episode:
            out.append(f"{self.episode_file}: status upcoming → published")
        if self.times:
            out.append(f"{self.episode_file}: {self.times}")
        if self.replaced:
            out.append(
                f"--replace: dropped the {self.replaced} messages an earlier {self.format} import put here first"
                f" ({self.removed} of them are not in this export)"
            )
        if self.lost_highlights:
            out.append(
                f"warning: {self.episode_file} highlights messages that are gone: {', '.join(self.lost_highlights)} (fix: edit its highlights)"
            )
        renamed = f", {self.renamed} renamed to keep ids unique" if self.renamed else ""
        state = "written" if self.written else "unchanged"
        out.append(
            f"{self.transcript_file}: {self.total} messages ({self.added} new, {self.updated} updated, {self.unchanged} unchanged{renamed}) — {state}"
        )
        if self.media_kept:
            out.append(f"kept {self.media_kept} images in data/media/ (metadata removed)")
        if self.people_added:
            out.append(f"added {len(self.people_added)} people to {self.people_file}: {', '.join(self.people_added)}")
        elif self.unknown:
            listed = ", ".join(f"{printable(h)} ({n})" for h, n in self.unknown[:30]) + (" …" if len(self.unknown) > 30 else "")
            out.append(f"{len(self.unknown)} handles not in {self.people_file} (add them, or re-run with --add-people): {listed}")
        return out


def import_chat(request: ImportRequest, progress: Progress = no_progress) -> ImportReport:
    """Import one export into one episode. Raises ChatdigestError/ProblemsFound before any write."""
    root = request.root
    reader = _Reader(root)
    community = read_community(reader)
    people = read_people(reader)
    optouts = read_optouts(reader)
    if reader.problems or community is None:
        raise ProblemsFound(reader.problems)
    folder, episode, existing = find_episode(reader, root, request.episode, community)
    options = ImportOptions(
        channel=request.channel,
        date=request.date,
        default_date=episode.date,
        timezone=community.schedule.timezone,
        date_order=request.date_order,
        progress=progress,
        include_private=request.include_private,
        include_unlisted=request.include_unlisted,
    )
    fmt, result = read_export(request.path, request.format, options)
    report = ImportReport(
        format=fmt,
        detected=request.format == "auto",
        source=str(request.path),
        episode_file=relative(folder / "episode.yml", root),
        transcript_file=relative(folder / "transcript.jsonl", root),
        created_episode=not (folder / "episode.yml").exists(),
        read=len(result.messages),
        problems=result.problems,
        skipped=result.skipped,
        people_file="data/people.yml",
    )
    kept, report.window = select_messages(result.messages, episode, community, request, str(request.path))
    report.kept = len(kept)
    kept = [m.model_copy(update={"source": fmt}) for m in kept]
    if request.replace:
        existing = drop_source(existing, fmt, kept, report)
    # The export's messages of people who opted out are left out (their images are not kept);
    # what data/ already holds is the editor's, which `redact --purge` rewrites.
    kept, report.opted_out = leave_out_optouts(kept, optouts, people)
    media = keep_media(kept, request.path, community.media, kept_before=media_bytes(existing))
    kept = media.messages
    report.problems = report.problems + media.problems
    report.media_kept = len(media.files)
    merged = merge_messages(existing, kept, report)
    report.total = len(merged)
    report.lost_highlights = [h for h in episode.highlights if h not in {m.id for m in merged}] if request.replace else []
    settled = settle_episode(episode, merged, community, report, timed=not request.keep_all)
    report.unknown = find_unknown(merged, people)
    people_text = None
    if request.add_people and report.unknown:
        people_text, report.people_added = render_people_with(root, people, merged, [h for h, _ in report.unknown])
    # Everything is checked: now write. The marker says an import is under way until every file
    # is written; the transcript goes before episode.yml, so a chat is never left looking
    # complete without its messages. `check` reports a marker left by an interrupted import, and
    # importing again completes it.
    pending = folder / IMPORT_PENDING
    had_folder = folder.exists()
    write_atomic(pending, f"{request.path}\n")
    try:
        for name, data in media.files.items():  # the images before the transcript that shows them
            if not (root / "data" / name).exists():
                write_atomic(root / "data" / name, data)
        report.written = write_atomic(folder / "transcript.jsonl", render_transcript(merged))
    except ChatdigestError:
        # Nothing was written (the write is atomic): leave data/ as it was.
        pending.unlink(missing_ok=True)
        if not had_folder and not any(folder.iterdir()):
            folder.rmdir()
        raise
    if report.created_episode or settled != episode:
        write_atomic(folder / "episode.yml", render_episode_yml(settled))
    if people_text is not None:
        write_atomic(root / "data" / "people.yml", people_text)
    pending.unlink()
    return report


def leave_out_optouts(messages: list[Message], optouts: list[OptOut], people: list[Person]) -> tuple[list[Message], int]:
    """The messages without those of people who asked to be removed (and retweets of them), so a
    re-import after a purge does not bring them back; replies to them lose the link."""
    removals = [o for o in optouts if o.mode == "remove"]
    if not removals:
        return messages, 0
    redaction = build_redaction(removals, tuple(people))
    kept = [m for m in messages if not is_dropped(m, redaction)]
    gone = {m.id for m in messages} - {m.id for m in kept}
    if not gone:
        return messages, 0
    unlinked = [
        m.model_copy(
            update={"reply_to": None if m.reply_to in gone else m.reply_to, "quote_of": None if m.quote_of in gone else m.quote_of}
        )
        for m in kept
    ]
    return unlinked, len(gone)


# --- the episode -----------------------------------------------------------------------------


def find_episode(reader: _Reader, root: Path, ident: str, community: Community) -> tuple[Path, Episode, list[Message]]:
    """The episode folder for an id or a date, read if it exists, planned if not."""
    episodes = root / EPISODES
    ident = ident.strip().rstrip("/").rsplit("/", 1)[-1]
    if len(ident) > MAX_FOLDER_NAME:
        raise ChatdigestError(
            f"--episode: the name is {len(ident)} characters long, over the {MAX_FOLDER_NAME} an episode folder may have "
            "(fix: pass the date, YYYY-MM-DD, or a shorter folder name)"
        )
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", ident):
        date = parse_date(ident)
        matches = sorted(p for p in episodes.glob(f"{ident}-*") if p.is_dir()) if episodes.is_dir() else []
        if len(matches) > 1:
            raise ChatdigestError(
                f"{relative(episodes, root)}: {len(matches)} episodes on {ident}: {', '.join(p.name for p in matches)} (fix: pass --episode with the folder name)"
            )
        folder = matches[0] if matches else episodes / f"{ident}-chat"
    else:
        match = EPISODE_DIR.match(ident)
        if not match:
            raise ChatdigestError(f"--episode {ident!r} is neither a date (YYYY-MM-DD) nor an episode folder name (YYYY-MM-DD-slug)")
        date = parse_date(match.group(1))
        folder = episodes / ident
    if (folder / "episode.yml").exists():
        content = read_episode(reader, folder)
        if reader.problems or content is None:
            raise ProblemsFound(reader.problems)
        return folder, content.episode, list(content.messages)
    if folder.exists() and any(folder.iterdir()) and not (folder / IMPORT_PENDING).exists():
        raise ChatdigestError(f"{relative(folder, root)}: folder exists without episode.yml (fix: add episode.yml or remove the folder)")
    return folder, new_episode(folder.name, date, community), []


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ChatdigestError(f"--episode: {text!r} is not a real date (fix: use YYYY-MM-DD)") from None


def new_episode(folder_name: str, date: dt.date, community: Community) -> Episode:
    starts_at = start_on(community.schedule, date)  # the schedule in force on that date
    return Episode(id=folder_name, title=f"Chat of {date.day} {date:%B %Y}", starts_at=starts_at, status="published")


# --- which messages belong to the episode ------------------------------------------------------


def select_messages(
    messages: list[Message], episode: Episode, community: Community, request: ImportRequest, source: str
) -> tuple[list[Message], str]:
    if request.keep_all:
        return list(messages), "(--all: every message of the export)"
    margin = dt.timedelta(minutes=max(0, request.margin_minutes))
    start, end = chat_span(episode, community)
    window = f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC ± {request.margin_minutes} min"
    inside = [m for m in messages if start - margin <= m.at <= end + margin]
    if not inside:
        span = (
            f"; the export runs from {min(m.at for m in messages):%Y-%m-%d %H:%M} to {max(m.at for m in messages):%Y-%m-%d %H:%M} UTC"
            if messages
            else ""
        )
        raise ChatdigestError(
            f"{source}: no message in the episode's window {window}{span} (fix: check --episode, widen with --margin MINUTES, or keep everything with --all)"
        )
    tags = {t.lstrip("#").casefold() for t in (request.hashtags or community.hashtags) if t.strip("#")}
    if not (request.hashtag_filter and tags and any(m.platform in HASHTAG_PLATFORMS for m in inside)):
        return inside, f"in the episode's window {window}"
    threads = hashtag_threads(inside, tags)
    if not threads:
        raise ChatdigestError(
            f"{source}: {len(inside)} messages in the window {window} but none carries #{', #'.join(sorted(tags))} (fix: name the chat's hashtag with --hashtag TAG, or keep the whole window with --no-hashtag-filter)"
        )
    return threads, f"in the episode's window {window} carrying #{', #'.join(sorted(tags))} or replying to one"


def chat_span(episode: Episode, community: Community) -> tuple[dt.datetime, dt.datetime]:
    """The chat's time in UTC: from its start for the schedule's duration, or to the end an earlier
    import recorded when that is later. Never shorter: an ends_at recorded from one platform's
    export must not cut off another platform's messages."""
    start = episode.starts_at
    end = start + dt.timedelta(minutes=in_force(community.schedule, episode.date).duration_minutes)  # as scheduled then
    return start.astimezone(dt.UTC), max(end, episode.ends_at or end).astimezone(dt.UTC)


def hashtag_threads(messages: list[Message], tags: set[str]) -> list[Message]:
    """Messages with a hashtag, and every reply or quote hanging from them, however deep."""
    kept = {m.id for m in messages if tags & {h.casefold() for h in m.hashtags} or any(f"#{t}" in m.text.casefold() for t in tags)}
    children: dict[str, list[str]] = {}
    for m in messages:
        for parent in (m.reply_to, m.quote_of):
            if parent:
                children.setdefault(parent, []).append(m.id)
    queue = list(kept)
    while queue:
        for child in children.get(queue.pop(), []):
            if child not in kept:
                kept.add(child)
                queue.append(child)
    return [m for m in messages if m.id in kept]


# --- the episode, once it has its messages ---------------------------------------------------------

OFF_SCHEDULE = dt.timedelta(minutes=5)  # closer than this to the schedule, a chat ran on time


def settle_episode(episode: Episode, messages: list[Message], community: Community, report: ImportReport, timed: bool) -> Episode:
    """A chat still planned from the schedule (new, or `upcoming`) is published once it has its
    messages, with the start and end they show when the chat ran off its schedule.

    A published chat is the editor's and is left as it is. Without `timed` (--all: the export's
    span is not the chat's) only the status changes.
    """
    if not (report.created_episode or episode.status == Status.upcoming) or not messages:
        return episode
    update: dict = {"status": Status.published}
    report.published_episode = episode.status == Status.upcoming
    if timed:
        update |= real_times(episode, messages, community)
        report.times = describe_times(update)
    return episode.model_copy(update=update)


def real_times(episode: Episode, messages: list[Message], community: Community) -> dict:
    """starts_at and ends_at from the first and last message (to the minute), where they differ
    from the schedule by more than OFF_SCHEDULE. The start stays on the folder's date and less
    than the chat's length from its slot (what `check` takes for a late or early start): a first
    message further off is a straggler, not the start."""
    duration = dt.timedelta(minutes=in_force(community.schedule, episode.date).duration_minutes)
    slot = start_on(community.schedule, episode.date)
    said = [m.at for m in messages if not m.deleted] or [m.at for m in messages]
    zone = episode.starts_at.tzinfo
    first = min(said).astimezone(zone).replace(second=0, microsecond=0)
    last = max(said).astimezone(zone)
    last = last.replace(second=0, microsecond=0) + (dt.timedelta(minutes=1) if (last.second or last.microsecond) else dt.timedelta())
    update: dict = {}
    if abs(first - episode.starts_at) > OFF_SCHEDULE and first.date() == episode.starts_at.date() and abs(first - slot) < duration:
        update["starts_at"] = first
    start = update.get("starts_at", episode.starts_at)
    if abs(last - (start + duration)) > OFF_SCHEDULE and last > start:
        update["ends_at"] = last
    return update


def describe_times(update: dict) -> str:
    said = [f"{name} {update[name].isoformat()}" for name in ("starts_at", "ends_at") if name in update]
    return ("the messages run off the schedule: recorded " + ", ".join(said)) if said else ""


# --- merging -------------------------------------------------------------------------------------


def drop_source(existing: list[Message], source: str, imported: list[Message], report: ImportReport) -> list[Message]:
    """--replace: the transcript without what an earlier import in this format put there.

    Messages written by hand or by an import that recorded no source are kept.
    """
    dropped = {m.id for m in existing if m.source == source}
    report.replaced = len(dropped)
    report.removed = len(dropped - {m.id for m in imported})
    return [m for m in existing if m.id not in dropped]


def merge_messages(existing: list[Message], imported: list[Message], report: ImportReport) -> list[Message]:
    """Add what is new, update what changed (a later edit or a deletion), keep the rest.

    An imported id that already belongs to a different message (another platform or author)
    is prefixed with the platform, so two sources in one episode never collide.
    """
    merged = {m.id: m for m in existing}
    renames: dict[str, str] = {}
    for m in imported:
        old = merged.get(m.id)
        if old is not None and not same_message(old, m):
            candidate, n = f"{m.platform}-{m.id}", 2
            while candidate in merged and not same_message(merged[candidate], m):
                candidate, n = f"{m.platform}-{m.id}-{n}", n + 1
            renames[m.id] = candidate
    for m in imported:
        if renames:
            m = m.model_copy(
                update={
                    "id": renames.get(m.id, m.id),
                    "reply_to": renames.get(m.reply_to, m.reply_to) if m.reply_to else None,
                    "quote_of": renames.get(m.quote_of, m.quote_of) if m.quote_of else None,
                }
            )
        old = merged.get(m.id)
        if old is None:
            merged[m.id] = m
            report.added += 1
        elif old == m:
            report.unchanged += 1
        elif newer(m, old) or (m.at == old.at and (m.edited_at or m.at) == (old.edited_at or old.at) and m.deleted == old.deleted):
            merged[m.id] = m  # the same state read again: the export wins (it is the source)
            report.updated += 1
        else:
            report.unchanged += 1  # the transcript already holds a later state
    report.renamed = len(renames)
    return list(merged.values())


def media_bytes(messages: list[Message]) -> int:
    """What the chat's images kept in data/media/ weigh already (for the per-chat cap)."""
    return sum({m.file: m.size or 0 for message in messages for m in message.media if m.file}.values())


def same_message(a: Message, b: Message) -> bool:
    return a.platform == b.platform and handle_key(a.author) == handle_key(b.author)


# --- people ------------------------------------------------------------------------------------


def known_handles(people: list[Person]) -> set[tuple[str, str]]:
    return {(platform, handle_key(h)) for p in people for platform, handles in p.handles.items() for h in handles}


def find_unknown(messages: list[Message], people: list[Person]) -> list[tuple[str, int]]:
    """Authors missing from people.yml, one per handle however its case is written (`Alice`,
    `alice` and `ALICE` are one person, shown as the spelling used most), most active first."""
    known = known_handles(people)
    unknown = [m for m in messages if (m.platform, handle_key(m.author)) not in known]
    spellings: dict[tuple[str, str], Counter] = {}
    for m in unknown:
        spellings.setdefault((m.platform, handle_key(m.author)), Counter())[m.author] += 1
    counts = [(c.most_common(1)[0][0], sum(c.values())) for c in spellings.values()]
    return sorted(counts, key=lambda item: (-item[1], item[0].casefold()))


def person_id(handle: str, taken: set[str]) -> str:
    from slugify import slugify

    base = slugify(handle_key(handle)) or "person"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def render_people_with(root: Path, people: list[Person], messages: list[Message], handles: list[str]) -> tuple[str, list[str]]:
    """people.yml with a new entry per unknown handle, appended: the rest stays byte for byte."""
    path = root / "data" / "people.yml"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    taken = {p.id for p in people}
    names = {m.author: (m.platform, m.author_name) for m in messages}
    entries = []
    for handle in handles:
        platform, name = names[handle]
        entries.append({"id": person_id(handle, taken), "name": name or handle, "handles": {platform: handle}})

    def append(document):
        if not isinstance(document, dict) or not isinstance(document.get("people"), list):
            document = document if isinstance(document, dict) else {}
            document["people"] = []
        document["people"].extend(entries)
        return document

    appended = edit_yaml_text(text, append, relative(path, root))
    return appended, [e["id"] for e in entries]
