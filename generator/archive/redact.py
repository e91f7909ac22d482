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

from generator.archive.model import Archive, EpisodeContent, OptOut, Person, handle_key
from generator.archive.privacy import build_redaction, person_of, redact_episode
from generator.archive.read import DATA, EPISODES, _Reader, read_archive, read_optouts, read_people
from generator.archive.write import write_episode_yml, write_transcript
from generator.errors import ChatdigestError, ProblemsFound, printable, relative
from generator.safe_files import open_regular
from generator.writer import write_atomic

PRIVACY_FILE = "privacy.yml"
# Written before a purge starts and removed when every file is rewritten: a purge that was
# interrupted leaves it, `check` reports it, and the next `redact --purge` completes the work.
PURGE_PENDING = ".purge-pending"
MAX_SHOWN = 20
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
    unconfirmed: list[str] = field(default_factory=list)  # name replacements a purge left for --yes

    def summary(self) -> str:
        who = f"{self.optout.handle} ({printable(self.person.name)}, all their handles)" if self.person else self.optout.handle
        verb = "updated" if self.replaced else "recorded"
        lines = [f"{verb} opt-out for {who} in data/{PRIVACY_FILE}: mode {self.optout.mode}"]
        if not self.person and not self.messages_found:
            lines.append(f"note: no person or message in data/ matches {self.optout.handle}; check the spelling")
        if self.purged:
            lines.append(f"purged data/: rewrote {len(self.purged)} files; see docs/privacy.md to purge git history")
        if self.unconfirmed:
            lines.append(
                f"not applied: their names in {len(self.unconfirmed)} places of other people's words (a name may be an ordinary word):"
            )
            lines += [f"  {change}" for change in self.unconfirmed[:MAX_SHOWN]]
            if len(self.unconfirmed) > MAX_SHOWN:
                lines.append(f"  … and {len(self.unconfirmed) - MAX_SHOWN} more")
            lines.append("check them, then re-run with --purge --yes to apply them; the site hides them on every build either way")
        return "\n".join(lines)


def redact(
    root: Path,
    handle: str,
    reason: str = "",
    mode: str = "remove",
    purge: bool = False,
    today: dt.date | None = None,
    yes: bool = False,
) -> RedactReport:
    """Record (or update) an opt-out for `handle`; with `purge`, also rewrite data/ without them.

    A purge removes their messages, their handles and their full names; a one-word name in other
    people's words is replaced only with `yes` (it may be an ordinary word), and listed otherwise."""
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
    pending = root / DATA / PURGE_PENDING
    if purge:
        write_atomic(pending, f"{optout.handle}\n")
    write_atomic(ledger, render_privacy_yml(optouts, _leading_comment(ledger)))
    report = RedactReport(optout, person_of(optout, tuple(people)), index is not None)
    report.messages_found = _count_messages(root, optout, tuple(people))
    if purge:
        report.purged, report.unconfirmed = purge_data(root, names=yes)
        pending.unlink(missing_ok=True)
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
        entries.append({k: data[k] for k in ("handle", "platform", "mode", "since", "reason") if k in data})
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
        try:
            with open_regular(transcript) as lines:
                count += sum(1 for line in lines if redaction.mentions(line.decode("utf-8", "replace")))
        except OSError:
            continue  # a link or a FIFO is not read; `check` reports it
    return count


def purge_data(root: Path, names: bool = False) -> tuple[list[Path], list[str]]:
    """Rewrite transcripts, episode.yml and preview.md with every opt-out applied.

    Their messages, handles and full names always go. Their one-word names in other people's
    words go only with `names`; otherwise the places they would be replaced are returned, for
    the editor to check."""
    archive: Archive = read_archive(root)
    every = [m for c in archive.episodes for m in c.messages]
    redaction = build_redaction(archive.optouts, archive.people, every, single_names=names)
    with_names = build_redaction(archive.optouts, archive.people, every) if not names else redaction
    written: list[Path] = []
    unconfirmed: list[str] = []
    for content in archive.episodes:
        folder = root / EPISODES / content.episode.id
        clean = redact_episode(content, redaction)
        if not names:
            unconfirmed += _name_changes(relative(folder, root), clean, redact_episode(content, with_names))
        if clean.messages != content.messages and write_transcript(folder / "transcript.jsonl", clean.messages):
            written.append(folder / "transcript.jsonl")
        if clean.episode != content.episode and write_episode_yml(folder / "episode.yml", clean.episode):
            written.append(folder / "episode.yml")
        if clean.preview_markdown != content.preview_markdown and write_atomic(folder / "preview.md", clean.preview_markdown):
            written.append(folder / "preview.md")
    return written, unconfirmed


def _name_changes(folder: str, applied: EpisodeContent, proposed: EpisodeContent) -> list[str]:
    """Where replacing their names too would change other people's words, before → after."""
    changes = []
    for now, then in zip(applied.messages, proposed.messages, strict=True):
        if now.text != then.text:
            changes.append(f"{folder}/transcript.jsonl message {now.id}: {_shorten(now.text)!r} → {_shorten(then.text)!r}")
    for field_name in ("title", "summary", "questions"):
        now, then = getattr(applied.episode, field_name), getattr(proposed.episode, field_name)
        if now != then:
            changes.append(f"{folder}/episode.yml {field_name}: {_shorten(str(now))!r} → {_shorten(str(then))!r}")
    if applied.preview_markdown != proposed.preview_markdown:
        changes.append(f"{folder}/preview.md: their name in the preview")
    return changes


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
