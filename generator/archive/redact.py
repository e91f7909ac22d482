"""redact: record a participant's opt-out in data/privacy.yml, and optionally purge data/.

The ledger is the source of truth: every build applies it (privacy.apply_optouts), so recording
an entry is enough to take someone off the site. `purge` also rewrites data/ so their words are
gone from the working tree; removing them from git history is the editor's job (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.archive.model import Archive, OptOut, Person, handle_key
from generator.archive.privacy import build_redaction, message_authors, person_of, redact_episode
from generator.archive.read import DATA, EPISODES, _Reader, read_archive, read_optouts, read_people
from generator.archive.write import write_episode_yml, write_transcript
from generator.errors import ChatdigestError, ProblemsFound
from generator.render import urls
from generator.writer import write_atomic

PRIVACY_FILE = "privacy.yml"
MODES = ("remove", "anonymise")
HEADER = """\
# Opt-outs: people who asked to be left out of the archive. Applied on every build.
# handle: a handle (@name, name@server) or a person id from people.yml (covers all their handles)
# mode:   remove (their messages are dropped) or anonymise (kept without their name)
# since:  the date of the request; reason: a note for the editors (not published)
# Record one with: chatdigest redact HANDLE --reason "asked by email"
"""


@dataclass
class RedactReport:
    optout: OptOut
    person: Person | None
    replaced: bool  # an entry for this handle existed and was updated
    messages_found: int = 0
    purged: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        who = f"{self.optout.handle} ({self.person.name}, all their handles)" if self.person else self.optout.handle
        verb = "updated" if self.replaced else "recorded"
        lines = [f"{verb} opt-out for {who} in data/{PRIVACY_FILE}: mode {self.optout.mode}"]
        if not self.person and not self.messages_found:
            lines.append(f"note: no person or message in data/ matches {self.optout.handle}; check the spelling")
        if self.purged:
            lines.append(f"purged data/: rewrote {len(self.purged)} files; see docs/privacy.md to purge git history")
        return "\n".join(lines)


def redact(
    root: Path, handle: str, reason: str = "", mode: str = "remove", purge: bool = False, today: dt.date | None = None
) -> RedactReport:
    """Record (or update) an opt-out for `handle`; with `purge`, also rewrite data/ without them."""
    optout = _new_optout(handle, reason, mode, today or dt.date.today())
    optouts, people = _read_ledger(root)
    index = next((i for i, o in enumerate(optouts) if handle_key(o.handle) == handle_key(optout.handle)), None)
    if index is None:
        optouts.append(optout)
    else:
        # Keep the original request date: it is the record of when they asked.
        old = optouts[index]
        optout = optout.model_copy(update={"handle": old.handle, "since": old.since or optout.since, "reason": optout.reason or old.reason})
        optouts[index] = optout
    ledger = root / DATA / PRIVACY_FILE
    write_atomic(ledger, render_privacy_yml(optouts, _leading_comment(ledger)))
    report = RedactReport(optout, person_of(optout, tuple(people)), index is not None)
    report.messages_found = _count_messages(root, optout, tuple(people))
    if purge:
        report.purged = purge_data(root)
    return report


def _new_optout(handle: str, reason: str, mode: str, today: dt.date) -> OptOut:
    handle = handle.strip()
    if not handle or any(ch.isspace() for ch in handle):
        raise ChatdigestError(f"redact: {handle!r} is not a handle (fix: pass one handle like @name, name@server or a person id)")
    if mode not in MODES:
        raise ChatdigestError(f"redact: unknown mode {mode!r} (fix: use --mode remove or --mode anonymise)")
    return OptOut(handle=handle, mode=mode, since=today, reason=" ".join(reason.split()))


def _read_ledger(root: Path) -> tuple[list[OptOut], list[Person]]:
    if not (root / DATA).is_dir():
        raise ChatdigestError(f"{root / DATA}: no data/ folder here (fix: run in a site folder or pass --root)")
    reader = _Reader(root)
    optouts = read_optouts(reader)
    people = read_people(reader)
    if reader.problems:
        # Rewriting a ledger we could not fully read would drop someone's opt-out.
        raise ProblemsFound(reader.problems)
    return optouts, people


def _leading_comment(path: Path) -> str:
    """The editors' comment block at the top of the ledger, kept when it is rewritten."""
    if not path.is_file():
        return HEADER
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    head = "".join(itertools.takewhile(lambda line: line.startswith("#") or not line.strip(), lines))
    return head.rstrip("\n") + "\n" if head.strip() else HEADER


def render_privacy_yml(optouts: list[OptOut], header: str = HEADER) -> str:
    """The ledger in one stable form: same entries, same bytes."""
    entries = []
    for optout in optouts:
        data = optout.model_dump(exclude_defaults=True)
        data["mode"] = optout.mode  # always explicit, even when it is the default
        entries.append({k: data[k] for k in ("handle", "mode", "since", "reason") if k in data})
    body = yaml.safe_dump({"optouts": entries}, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    return header + body


def _count_messages(root: Path, optout: OptOut, people: tuple[Person, ...]) -> int:
    """How many transcript lines name this person: a zero usually means a typo."""
    redaction = build_redaction([optout], people)
    folder = root / EPISODES
    if not folder.is_dir():
        return 0
    count = 0
    for transcript in folder.glob("*/transcript.jsonl"):
        with transcript.open(encoding="utf-8", errors="replace") as lines:
            count += sum(1 for line in lines if redaction.mentions(line))
    return count


def purge_data(root: Path) -> list[Path]:
    """Rewrite transcripts, episode.yml and preview.md with every opt-out applied, and delete the
    kept images that only their messages showed."""
    archive: Archive = read_archive(root)
    redaction = build_redaction(archive.optouts, archive.people, message_authors(m for c in archive.episodes for m in c.messages))
    written: list[Path] = []
    shown_before, shown_after = set(), set()
    for content in archive.episodes:
        folder = root / EPISODES / content.episode.id
        clean = redact_episode(content, redaction)
        shown_before |= {m.file for message in content.messages for m in message.media if m.file}
        shown_after |= {m.file for message in clean.messages for m in message.media if m.file}
        if clean.messages != content.messages and write_transcript(folder / "transcript.jsonl", clean.messages):
            written.append(folder / "transcript.jsonl")
        if clean.episode != content.episode and write_episode_yml(folder / "episode.yml", clean.episode):
            written.append(folder / "episode.yml")
        if clean.preview_markdown != content.preview_markdown and write_atomic(folder / "preview.md", clean.preview_markdown):
            written.append(folder / "preview.md")
    for file in sorted(shown_before - shown_after):
        path = root / DATA / file
        if urls.media_name(file) and path.is_file():
            path.unlink()
            written.append(path)
    return written
