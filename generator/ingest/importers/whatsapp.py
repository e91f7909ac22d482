"""WhatsApp "Export chat": the .txt (or the zip holding _chat.txt).

Every message starts with a date/time header; any other line continues the message before it.
Headers of the common locales are understood: `12/24/19, 11:23 - `, `15.04.2016, 15:04 - `,
`2022/12/14, 13:34. - `, `9/24/2019 11:30 p.m. - `, `01/30/2019, 08:49 p. m. - ` (also with
no-break spaces), `[01/20/19 11:23] `, `[10.21.21, 15:21:45] `, `[15-01-20 02:22:56] `.
Whether 01/02 is the 1st of February or January 2nd is decided from the whole file (a day over
12 settles it); when no line settles it, day first is assumed unless `--date-order mdy`.
Times are local without a zone and are read in the community's timezone. There are no ids:
each message gets a stable id made from its time, author and text, so re-imports merge.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from generator.archive.model import Media, Message

from . import markup
from ._common import (
    MAX_LINE_BYTES,
    Collector,
    ImportOptions,
    ImportResult,
    Source,
    decode_text,
    find_hashtags,
    find_links,
    find_mentions,
    media_kind,
    message,
    refuse,
    short_hash,
    split_lines,
)

EXPECTED = "a WhatsApp chat export (.txt)"
SPACE = r"[\s\u00a0\u202f]"
HEADER = re.compile(
    r"^[\u200e\u200f]?(?P<open>\[)?(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}),?" + SPACE + r"+"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\.?"
    r"(?:" + SPACE + r"*(?P<ampm>[aApP])\.?" + SPACE + r"?[mM]\.?)?"
    r"(?(open)\]" + SPACE + r"*|" + SPACE + r"+[-–]" + SPACE + r"+)"
    r"(?P<rest>.*)$"
)
SYSTEM = re.compile(
    r"end-to-end encrypt|now secured with end-to-end|created group|created this group|^You were added|added you|"
    r" added | left$| removed |changed the subject|changed this group's|changed the group|joined using this group|"
    r"security code (with .* )?changed|changed their phone number|^Missed (voice|video) call|pinned a message",
    re.IGNORECASE,
)
OMITTED = re.compile(r"^<?(?:(?P<kind>media|image|video|audio|sticker|GIF|document|Contact card)\s+omitted)>?$", re.IGNORECASE)
ATTACHED = re.compile(r"<attached: (?P<file>[^>]+)>|^(?P<file2>\S+\.\w{2,4}) \(file attached\)", re.IGNORECASE)
DELETED = re.compile(r"^(This message was deleted|You deleted this message)\.?$", re.IGNORECASE)
EDITED = "<This message was edited>"


def read(path: Path, options: ImportOptions) -> ImportResult:
    source = Source(path)
    names = (
        source.find(r"(^|/)_chat\.txt$")
        or [n for n in source.names() if n.lower().endswith(".txt")]
        or (source.names() if source.is_single_file else [])
    )
    if not names:
        raise refuse(str(path), "no chat .txt in this zip or folder", "pass the zip WhatsApp made with Export chat, or its .txt")
    collector = Collector(options)
    for name in names:
        label = source.label(name)
        text = decode_text(source.read_bytes(name, max_line=MAX_LINE_BYTES), label, EXPECTED)
        read_chat(text, label, options, collector, lambda file, near=name: source.file_name(file, near))
    return collector.finish(str(path), EXPECTED)


def read_chat(text: str, label: str, options: ImportOptions, collector: Collector, locate=lambda file: "") -> None:
    entries: list[tuple[int, re.Match, list[str]]] = []
    for number, line in enumerate(split_lines(text), start=1):
        match = HEADER.match(line)
        if match:
            entries.append((number, match, [match.group("rest")]))
        elif entries:
            entries[-1][2].append(line.lstrip("\u200e"))
        elif line.strip():
            raise refuse(
                label,
                "not a WhatsApp chat: the first line has no date and time",
                "pass the .txt from WhatsApp's Export chat, or name the format with --format",
                number,
            )
    if not entries:
        raise refuse(
            label,
            "no WhatsApp message header (date, time, name) in this file",
            "pass the .txt from WhatsApp's Export chat, or name the format with --format",
        )
    day_first = decide_day_first([m.group("date") for _, m, _ in entries], options, label, collector)
    seen: dict[str, int] = {}

    def convert(entry):
        _number, match, lines = entry
        made = read_entry(match, "\n".join(lines).rstrip(), day_first, options, locate)
        if made is None:
            return None
        count = seen.get(made.id, 0)
        seen[made.id] = count + 1
        return made.model_copy(update={"id": f"{made.id}-{count + 1}"}) if count else made

    collector.each(entries, label, convert, where=lambda i, e: f"message {i + 1}", line=lambda i, e: e[0])


def decide_day_first(dates: list[str], options: ImportOptions, label: str, collector: Collector) -> bool:
    if options.date_order in ("dmy", "mdy"):
        return options.date_order == "dmy"
    firsts, seconds = set(), set()
    for value in dates:
        parts = re.split(r"[./-]", value)
        if len(parts[0]) == 4:
            continue
        firsts.add(int(parts[0]))
        seconds.add(int(parts[1]))
    if any(v > 12 for v in firsts):
        return True
    if any(v > 12 for v in seconds):
        return False
    if firsts:
        collector.problem(
            label,
            "dates are ambiguous (no day is over 12): read as day/month",
            fix="re-run with --date-order mdy if the phone showed month first",
        )
    return True


def read_when(match: re.Match, day_first: bool, zone: dt.tzinfo) -> dt.datetime:
    texts = re.split(r"[./-]", match.group("date"))
    parts = [int(p) for p in texts]
    if len(texts[0]) == 4:
        year, month, day = parts
    else:
        day, month, year = parts if day_first else (parts[1], parts[0], parts[2])
    if year < 100:
        year += 2000
    pieces = [int(p) for p in match.group("time").split(":")]
    hour, minute, second = pieces[0], pieces[1], pieces[2] if len(pieces) > 2 else 0
    ampm = (match.group("ampm") or "").lower()
    if ampm and hour <= 12:  # "00:08 a. m." and "23:37 p.m." both occur: only 1–12 are 12-hour
        hour = hour % 12 + (12 if ampm == "p" else 0)
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=zone).astimezone(dt.UTC)


def read_entry(match: re.Match, rest: str, day_first: bool, options: ImportOptions, locate=lambda file: "") -> Message | None:
    at = read_when(match, day_first, options.zone)
    author, sep, text = rest.partition(": ")
    if not sep:
        colon = re.match(r"^([^:\n]{1,80}):(\S.*)?$", rest, re.DOTALL)
        if not colon or SYSTEM.search(rest):
            return None  # a system line: "Alice added Bob", "You created group …"
        author, text = colon.group(1), colon.group(2) or ""
    author = author.strip().lstrip("\u200e")
    if SYSTEM.search(author):
        return None  # 'Alice changed the subject to "a: b"' splits at the wrong colon
    text = text.replace("\u200e", "")
    if SYSTEM.search(text) and "end-to-end" in text:
        return None  # "Group name: Messages and calls are end-to-end encrypted"
    deleted = bool(DELETED.match(text.strip()))
    text = text.replace(EDITED, "").rstrip()
    media = []
    omitted = OMITTED.match(text.strip())
    if omitted:
        media.append(Media(url="", kind=media_kind(omitted.group("kind")), alt="not included in the export"))
        text = ""
    for found in ATTACHED.finditer(text):
        file = found.group("file") or found.group("file2")
        media.append(Media(file=locate(file.strip()), kind=media_kind(file), name=file.strip()))
    if media and not omitted:
        text = ATTACHED.sub("", text).strip()
    mentions = find_mentions(text)
    converted = markup.whatsapp(text, mentions)
    return message(
        id=short_hash(at.isoformat(), author, text),
        platform="whatsapp",
        author=author,
        at=at,
        text="" if deleted else converted.text,
        body=() if deleted else converted.body,
        links=find_links(text),
        mentions=mentions,
        hashtags=find_hashtags(text),
        media=media,
        deleted=deleted,
    )
