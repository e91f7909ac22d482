"""redact: record a participant's opt-out in data/privacy.yml, and optionally purge data/.

The ledger is the source of truth: every build applies it (privacy.apply_optouts), so recording
an entry is enough to take someone off the site. A handle or name that matches no one in data/
is refused with the closest matches (a typo would leave the person published), unless it is
recorded `ahead` of the person's first message. `purge` also rewrites data/ so their words are
gone from the working tree, takes them out of people.yml, and says how to rewrite git history.
Their names, which data/ no longer holds after that, stay in the ledger as keyed digests only
(`name_salt`, `name_digests`; privacy.HiddenNames): the public ledger must not spell them.

The ledger and people.yml are edited in place (archive/edit.py): the editors' comments, order
and quoting stay.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.archive.checks import everyone
from generator.archive.edit import edit_yaml
from generator.archive.model import Archive, EpisodeContent, OptOut, Person, handle_key
from generator.archive.privacy import build_redaction, chat_traces, digest_of_name, ledger_redaction, person_of, redact_episode
from generator.archive.read import DATA, EPISODES, _Reader, read_archive, read_optouts, read_people
from generator.archive.write import update_episode_yml, write_transcript
from generator.errors import ChatdigestError, ProblemsFound, printable, relative
from generator.render import urls
from generator.safe_files import open_regular
from generator.writer import write_atomic

PRIVACY_FILE = "privacy.yml"
PEOPLE_FILE = "people.yml"
HISTORY_REPLACEMENTS = ".cache/redact-replacements.txt"
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
# ahead:  true for someone who has not posted yet; purged: when their words were deleted from data/
# name_salt, name_digests: their names after a purge, as keyed digests only (WORDS:DIGEST)
# Record one with: chatdigest redact HANDLE --reason "asked by email"
"""


@dataclass
class RedactReport:
    optout: OptOut
    person: Person | None
    replaced: bool  # an entry for this handle existed and was updated
    messages_found: int = 0
    purged: list[Path] = field(default_factory=list)
    removed_person: bool = False  # taken out of people.yml
    replacements: Path | None = None  # what a history rewrite should replace, for git filter-repo
    unconfirmed: list[str] = field(default_factory=list)  # name replacements a purge left for --yes

    def summary(self) -> str:
        who = f"{self.optout.handle} ({printable(self.person.name)}, all their handles)" if self.person else self.optout.handle
        verb = "updated" if self.replaced else "recorded"
        ahead = ", ahead of their first message" if self.optout.ahead else ""
        lines = [f"{verb} opt-out for {who} in data/{PRIVACY_FILE}: mode {self.optout.mode}{ahead}"]
        if self.purged:
            lines.append(f"purged data/: rewrote {len(self.purged)} files")
        if self.removed_person:
            lines.append(f"removed {self.person.id} from data/{PEOPLE_FILE}; the ledger keeps their handles")
        if self.replacements is not None:
            lines += [
                "their words are still in the git history. To rewrite it (every commit changes: tell everyone with a clone,",
                "and ask the repository's owner), with git-filter-repo (pip install git-filter-repo):",
                f"  git filter-repo --sensitive-data-removal --replace-text {self.replacements.as_posix()}",
                "  git push --force --mirror origin",
                f"then delete {self.replacements.as_posix()}; see docs/editors/privacy.md",
            ]
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
    ahead: bool = False,
    yes: bool = False,
) -> RedactReport:
    """Record (or update) an opt-out for `handle` (or a person's name); with `purge`, also
    rewrite data/ without them and take them out of people.yml.

    A purge removes their messages, their handles and their full names; a one-word name in other
    people's words is replaced only with `yes` (it may be an ordinary word), and listed otherwise."""
    today = today or dt.date.today()
    optouts, people = _read_ledger(root)
    handle = _person_id_for_name(handle, people) or handle
    if handle.strip() and any(ch.isspace() for ch in handle.strip()) and not ahead:
        raise ChatdigestError(_no_match(root, handle.strip(), people))  # a name that is nobody's
    optout = _new_optout(handle, reason, mode, today)
    index = next((i for i, o in enumerate(optouts) if handle_key(o.handle) == handle_key(optout.handle)), None)
    person = person_of(optout, tuple(people))
    found = _count_messages(root, optout, tuple(people))
    if index is None and person is None and not found:
        if not ahead:
            raise ChatdigestError(_no_match(root, optout.handle, people))
        optout = optout.model_copy(update={"ahead": True})
    if index is not None:
        # Keep the original request date: it is the record of when they asked.
        old = optouts[index]
        optout = optout.model_copy(
            update={
                "handle": old.handle,
                "since": old.since or optout.since,
                "reason": optout.reason or old.reason,
                "ahead": old.ahead and not (person or found),
                "purged": old.purged,
                # Their names, which data/ may no longer hold anywhere else.
                "name_salt": old.name_salt,
                "name_digests": old.name_digests,
            }
        )
    ledger = root / DATA / PRIVACY_FILE
    pending = root / DATA / PURGE_PENDING
    if purge:
        write_atomic(pending, f"{optout.handle}\n")
    _write_optout(ledger, index, optout)
    report = RedactReport(optout, person, index is not None, found)
    if purge:
        matched = _matched_optouts(root)
        names = _names_by_entry(root)  # before the purge deletes the messages that show them
        report.purged, report.unconfirmed = purge_data(root, names=yes)
        _record_purge(root, report, today, matched, names)
        pending.unlink(missing_ok=True)
    return report


def _matched_optouts(root: Path) -> set[str]:
    """The handle keys of the opt-outs that match someone in data/ now."""
    archive = read_archive(root)
    known = everyone(archive.people, archive.episodes)
    return {handle_key(o.handle) for o in archive.optouts if handle_key(o.handle) in known}


def _names_by_entry(root: Path) -> dict[str, frozenset[str]]:
    """The names each opt-out knows (people.yml's, and the display names of their messages), by
    handle key: what the ledger must go on knowing once they are purged from data/."""
    archive = read_archive(root)
    every = [m for c in archive.episodes for m in c.messages]
    names = {}
    for optout in archive.optouts:
        ledger = ledger_redaction([optout], archive.people)
        names[handle_key(optout.handle)] = ledger.names | chat_traces(every, ledger).names
    return names


def _person_id_for_name(text: str, people: list[Person]) -> str | None:
    """A person's id when `text` is their name as people.yml gives it (any case and spacing)."""
    wanted = " ".join(text.split()).casefold()
    return next((p.id for p in people if " ".join(p.name.split()).casefold() == wanted), None)


def _new_optout(handle: str, reason: str, mode: str, today: dt.date) -> OptOut:
    handle = handle.strip()
    if not handle or any(ch.isspace() for ch in handle):
        raise ChatdigestError(
            f"redact: {handle!r} is not a handle, nor a name in data/{PEOPLE_FILE} "
            "(fix: pass one handle like @name or name@server, a person id, or a name as people.yml spells it)"
        )
    if mode not in MODES:
        raise ChatdigestError(f"redact: unknown mode {mode!r} (fix: use --mode remove or --mode anonymise)")
    return OptOut(handle=handle, mode=mode, since=today, reason=" ".join(reason.split()))


def _no_match(root: Path, handle: str, people: list[Person]) -> str:
    """Why `handle` is refused, with the closest handles, ids and names the archive knows."""
    candidates = _known_names(root, people)
    by_key = {handle_key(c): c for c in sorted(candidates)}
    close = difflib.get_close_matches(handle_key(handle), list(by_key), n=3, cutoff=0.6)
    close = [c for c in close if c != handle_key(handle)]
    hint = f"did you mean {', '.join(by_key[c] for c in close)}? " if close else ""
    return (
        f"redact: {handle!r} matches no person id, name or handle in data/{PEOPLE_FILE} and no author or mention in a transcript "
        f"(fix: {hint}copy it exactly as the platform shows it; for someone who has not posted yet, add --ahead)"
    )


def _known_names(root: Path, people: list[Person]) -> set[str]:
    """Every id, name and handle in people.yml, and every author and mention in the transcripts."""
    known = {p.id for p in people} | {p.name for p in people}
    known |= {h for p in people for hs in p.handles.values() for h in hs}
    folder = root / EPISODES
    for transcript in sorted(folder.glob("*/transcript.jsonl")) if folder.is_dir() else []:
        with transcript.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if isinstance(message, dict):
                    known.update(str(m) for m in [message.get("author"), *(message.get("mentions") or [])] if m)
    return known


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


def _ledger_entry(optout: OptOut) -> dict:
    data = optout.model_dump(exclude_defaults=True)
    data["mode"] = optout.mode  # always explicit, even when it is the default
    if "name_digests" in data:
        data["name_digests"] = list(data["name_digests"])
    fields = ("handle", "platform", "mode", "since", "reason", "ahead", "purged", "name_salt", "name_digests")
    return {k: data[k] for k in fields if k in data}


def _write_optout(ledger: Path, index: int | None, optout: OptOut) -> None:
    """Add the entry (or change entry `index`), leaving every other line of the ledger as it is."""
    entry = _ledger_entry(optout)

    def change(document):
        if not isinstance(document, dict):
            document = {}
        entries = document.get("optouts")
        if not isinstance(entries, list):
            document["optouts"] = entries = []
        if index is None:
            entries.append(entry)
            return document
        current = entries[index]
        for key in [k for k in current if k not in entry]:
            del current[key]
        for key, value in entry.items():
            if key not in current or _value(current[key]) != _value(value):
                current[key] = value
        return document

    if not ledger.exists() or not ledger.read_text(encoding="utf-8").strip():
        write_atomic(ledger, HEADER)
    edit_yaml(ledger, change)


def _value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def render_privacy_yml(optouts: list[OptOut], header: str = HEADER) -> str:
    """The ledger in one stable form: same entries, same bytes."""
    body = yaml.safe_dump({"optouts": [_ledger_entry(o) for o in optouts]}, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def _record_purge(root: Path, report: RedactReport, today: dt.date, matched: set[str], names: dict[str, frozenset[str]]) -> None:
    """After a purge: the ledger keeps every handle of the person (people.yml will no longer say
    them) and the digests of their names (`names`, by handle key, from before the purge), the
    person leaves people.yml, and the replacements for a history rewrite are listed. Every entry
    whose words the purge deleted is marked `purged`, so `check` knows why it now matches no one."""
    optouts, people = _read_ledger(root)
    person = report.person
    handles = [h for hs in person.handles.values() for h in hs] if person else [report.optout.handle]
    ledger = root / DATA / PRIVACY_FILE
    keys = [handle_key(o.handle) for o in optouts]
    known = everyone([p for p in people if person is None or p.id != person.id], read_archive(root).episodes)
    emptied = [o.handle for o in optouts if handle_key(o.handle) in matched and handle_key(o.handle) not in known]
    digested: set[str] = set()  # names already kept by an entry written before
    for handle in dict.fromkeys([report.optout.handle, *handles, *emptied]):
        index = keys.index(handle_key(handle)) if handle_key(handle) in keys else None
        base = optouts[index] if index is not None else report.optout.model_copy(update={"handle": handle})
        # Purged: their words are gone from data/, so the entry may match no one from now on.
        update = {"purged": base.purged or today, "ahead": False}
        own = names.get(handle_key(handle), names.get(handle_key(report.optout.handle), frozenset()))
        update |= _with_name_digests(base, own - digested)
        digested |= own
        _write_optout(ledger, index, base.model_copy(update=update))
        optouts, _ = _read_ledger(root)
        keys = [handle_key(o.handle) for o in optouts]
    if person is not None and any(p.id == person.id for p in people):
        edit_yaml(root / DATA / PEOPLE_FILE, lambda document: _without_person(document, person.id))
        report.removed_person = True
    names = [person.name] if person else []
    replacements = root / HISTORY_REPLACEMENTS
    write_atomic(replacements, render_replacements([*handles, *names]))
    report.replacements = replacements.relative_to(root)


def _with_name_digests(optout: OptOut, names: Iterable[str]) -> dict:
    """The entry's `name_salt` and `name_digests` with those of `names` added (none if it needs
    none). The salt is made once per entry and kept: a digest is only ever compared with the
    digests of text made with the same salt."""
    salt = optout.name_salt or secrets.token_hex(16)
    digests = {d for d in (digest_of_name(salt, name) for name in names) if d}
    if not digests - set(optout.name_digests):
        return {}
    return {"name_salt": salt, "name_digests": tuple(sorted(digests | set(optout.name_digests)))}


def render_replacements(texts: list[str]) -> str:
    """git filter-repo --replace-text lines: each handle (with or without its @) and name, as a
    whole word in any case, becomes [removed]; a bare substring would also cut "August" for @gus."""
    words = sorted({t.strip().lstrip("@") for t in texts if t.strip().lstrip("@")}, key=len, reverse=True)
    return "".join(f"regex:(?i)(?<![\\w@])@?{re.escape(word)}(?!\\w)==>[removed]\n" for word in words)


def _without_person(document, person_id: str):
    document["people"] = [p for p in document.get("people") or [] if not (isinstance(p, dict) and p.get("id") == person_id)]
    return document


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
                count += sum(1 for line in lines if _names_them(line.decode("utf-8", "replace"), redaction))
        except OSError:
            continue  # a link or a FIFO is not read; `check` reports it
    return count


def _names_them(line: str, redaction) -> bool:
    """A transcript line written by them (its author, however bare the handle) or naming them."""
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if isinstance(record, dict) and isinstance(author := record.get("author"), str):
        platform = record.get("platform")
        if redaction.covers(author, platform if isinstance(platform, str) else None):
            return True
    return redaction.mentions(line)


def purge_data(root: Path, names: bool = False) -> tuple[list[Path], list[str]]:
    """Rewrite transcripts, episode.yml and preview.md with every opt-out applied.

    Their messages, handles and full names always go. Their one-word names in other people's
    words go only with `names`; otherwise the places they would be replaced are returned, for
    the editor to check. The kept images that only their messages showed are deleted."""
    archive: Archive = read_archive(root)
    every = [m for c in archive.episodes for m in c.messages]
    redaction = build_redaction(archive.optouts, archive.people, every, single_names=names)
    with_names = build_redaction(archive.optouts, archive.people, every) if not names else redaction
    written: list[Path] = []
    unconfirmed: list[str] = []
    shown_before, shown_after = set(), set()
    for content in archive.episodes:
        folder = root / EPISODES / content.episode.id
        clean = redact_episode(content, redaction)
        shown_before |= {m.file for message in content.messages for m in message.media if m.file}
        shown_after |= {m.file for message in clean.messages for m in message.media if m.file}
        if not names:
            unconfirmed += _name_changes(relative(folder, root), clean, redact_episode(content, with_names))
        if clean.messages != content.messages and write_transcript(folder / "transcript.jsonl", clean.messages):
            written.append(folder / "transcript.jsonl")
        if clean.episode != content.episode and update_episode_yml(folder / "episode.yml", content.episode, clean.episode):
            written.append(folder / "episode.yml")
        if clean.preview_markdown != content.preview_markdown and write_atomic(folder / "preview.md", clean.preview_markdown):
            written.append(folder / "preview.md")
    for file in sorted(shown_before - shown_after):
        path = root / DATA / file
        if urls.media_name(file) and path.is_file():
            path.unlink()
            written.append(path)
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
