"""IRC logs: irssi, WeeChat, ZNC, Supybot/Limnoria, Textual, and the plain `[HH:MM] <nick> text`.

Lines understood (after mIRC colour/bold codes are removed):

    [HH:MM(:SS)] <nick> text           ZNC, colabti, plain; `* nick action`, `-nick- notice`
    HH:MM <@nick> text                 irssi (with `--- Log opened …` / `--- Day changed …`)
    YYYY-MM-DD HH:MM:SS<TAB>nick<TAB>text   WeeChat
    YYYY-MM-DDTHH:MM:SS  <nick> text   Supybot/Limnoria
    [YYYY-MM-DDTHH:MM:SS+0200] <nick> text   Textual; actions as `• nick: text`
    [DD Mon HH:MM] <nick!ident@host> +text   dircproxy; `+`/`-` (identified or not) glued to the text

Joins, parts, quits, nick and mode changes and server lines (`*** You connected`) are left out.
Most formats carry no date: it comes from the line, an irssi day marker, the file name
(2021-04-22, 20160603), `--date`, or the episode's date, in that order. dircproxy's lines carry
a day and month but no year: the year is the one that puts the line nearest that date. Times are the logger's local time, read in the community's
timezone. Logs mix encodings: each line is UTF-8, or cp1252 when it is not.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from generator.archive.model import Message

from ._common import Collector, ImportOptions, ImportResult, Skip, Source, check_not_binary, find_links, message, refuse, short_hash

EXPECTED = "an IRC log"
CODES = re.compile(r"\x03(?:\d{1,2}(?:,\d{1,2})?)?|[\x02\x0f\x16\x1d\x1f\x11\x1e]")
TEXTUAL = re.compile(r"^\[(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})([+-]\d{2}:?\d{2}|Z)\] (.*)$")
SUPYBOT = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})\s+(.*)$")
WEECHAT = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\t([^\t]*)\t(.*)$")
BRACKET = re.compile(r"^\[(\d{1,2}:\d{2}(?::\d{2})?)\] ?(.*)$")
IRSSI = re.compile(r"^(\d{2}:\d{2}(?::\d{2})?) (.*)$")
DIRCPROXY = re.compile(r"^\[(\d{1,2}) ([A-Z][a-z]{2}) (\d{2}:\d{2}(?::\d{2})?)\] (.*)$")
IRSSI_DAY = re.compile(r"^--- (?:Log opened|Day changed) \w{3} (\w{3}) (\d{1,2})(?: [\d:]+)? (\d{4})")
SAY = re.compile(r"^<[@+%~& ]?([^>\s!]+)(?:![^>\s]*)?> ?(.*)$")  # dircproxy writes <nick!ident@host>
ACTION = re.compile(r"^\s?\* (\S+) (.*)$")
TEXTUAL_ACTION = re.compile(r"^• ([^\s:]+): (.*)$")
NOTICE = re.compile(r"^-([^-\s!]+)- (.*)$")
FILE_DATE = re.compile(r"(\d{4})[-_]?(\d{2})[-_]?(\d{2})")


def read(path: Path, options: ImportOptions) -> ImportResult:
    source = Source(path)
    collector = Collector(options)
    names = [n for n in source.names() if n.lower().endswith((".log", ".txt", ".weechatlog"))] or source.names()
    for name in names:
        label = source.label(name)
        data = source.read_bytes(name)
        check_not_binary(data, label, EXPECTED)
        read_log(decode_lines(data), label, file_date(name, options), options, collector)
    return collector.finish(str(path), EXPECTED)


def decode_lines(data: bytes) -> list[str]:
    lines = []
    for raw in data.removeprefix(b"\xef\xbb\xbf").split(b"\n"):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = raw.decode("cp1252", errors="replace")
        lines.append(CODES.sub("", line.rstrip("\r")))
    return lines


def file_date(name: str, options: ImportOptions) -> dt.date | None:
    if options.date:
        return options.date
    found = FILE_DATE.search(name.rsplit("/", 1)[-1])
    if found:
        try:
            return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        except ValueError:
            pass
    return options.default_date


def read_log(lines: list[str], label: str, day: dt.date | None, options: ImportOptions, collector: Collector) -> None:
    zone = options.zone
    events = []
    recognised = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        when, body, nick_column = None, None, None
        try:
            if m := IRSSI_DAY.match(line):
                day = dt.datetime.strptime(f"{m.group(1)} {m.group(2)} {m.group(3)}", "%b %d %Y").date()
                recognised += 1
                continue
            if m := TEXTUAL.match(line):
                when = dt.datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{fix_offset(m.group(3))}")
                body = m.group(4)
            elif m := DIRCPROXY.match(line):
                if day is None:
                    raise refuse(
                        label,
                        "the log's lines have a day and month but no year, and the file name has no date",
                        "re-run with --date YYYY-MM-DD (the chat's date), or name the file with its date",
                        number,
                    )
                on = nearest_year(int(m.group(1)), m.group(2), day)
                when, body = local(on.isoformat(), m.group(3), zone), strip_identify(m.group(4))
            elif m := WEECHAT.match(line):
                when = local(m.group(1), m.group(2), zone)
                nick_column, body = m.group(3), m.group(4)
            elif m := SUPYBOT.match(line):
                when, body = local(m.group(1), m.group(2), zone), m.group(3)
            elif (m := BRACKET.match(line)) or (m := IRSSI.match(line)):
                if day is None:
                    raise refuse(
                        label,
                        "the log's lines have no date and the file name has none",
                        "re-run with --date YYYY-MM-DD, or name the file with its date",
                        number,
                    )
                when, body = local(day.isoformat(), m.group(1), zone), m.group(2)
            else:
                continue
        except ValueError as exc:  # a date or time that matches the layout but does not exist (month 21, 25:00)
            collector.problem(
                label, f"skipped: not a real date or time ({exc})", number, fix="correct the line's date or time, or remove the line"
            )
            recognised += 1  # a log line all the same
            continue
        recognised += 1
        events.append((number, when, nick_column, body))
    if not recognised:
        raise refuse(
            label,
            "no line looks like an IRC log line (`[HH:MM] <nick> text`)",
            "pass an irssi, WeeChat, ZNC or plain IRC log, or name the format with --format",
            1,
        )
    seen: dict[str, int] = {}

    def convert(event):
        _number, when, nick_column, body = event
        made = read_event(when, nick_column, body)
        if made is None:
            raise Skip("joins, parts, quits, nick and mode changes and server lines")
        if not made.text.strip():
            raise Skip("empty lines")
        count = seen.get(made.id, 0)
        seen[made.id] = count + 1
        return made.model_copy(update={"id": f"{made.id}-{count + 1}"}) if count else made

    collector.each(events, label, convert, where=lambda i, e: "", line=lambda i, e: e[0])


def nearest_year(day: int, month: str, near: dt.date) -> dt.date:
    """`15 Jan` as the date of that day and month nearest `near` (a log of 31 Dec read for 1 Jan)."""
    candidates = []
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            candidates.append(dt.datetime.strptime(f"{day} {month} {year}", "%d %b %Y").date())
        except ValueError:  # 29 Feb of a year without it
            continue
    if not candidates:
        raise ValueError(f"{day} {month} is not a day of any year near {near.year}")
    return min(candidates, key=lambda d: abs(d - near))


def strip_identify(body: str) -> str:
    """dircproxy glues the identify-msg flag (+ identified, - not) to the text of a message."""
    if m := SAY.match(body):
        text = m.group(2)
        if text[:1] in ("+", "-"):
            return body[: len(body) - len(text)] + text[1:]
    return body


def fix_offset(offset: str) -> str:
    return "+00:00" if offset == "Z" else offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"


def local(date: str, time: str, zone: dt.tzinfo) -> dt.datetime:
    pieces = [int(p) for p in time.split(":")] + [0]
    day = dt.date.fromisoformat(date)
    return dt.datetime(day.year, day.month, day.day, pieces[0], pieces[1], pieces[2], tzinfo=zone)


def read_event(when: dt.datetime, nick_column: str | None, body: str) -> Message | None:
    if nick_column is not None:  # WeeChat: the nick column also carries event arrows
        column = nick_column.strip()
        if column in ("-->", "<--", "--", "-!-", "=!=", ""):
            return None
        if column == "*":
            nick, _, rest = body.partition(" ")
            return said(when, nick, f"* {nick} {rest}")
        return said(when, column.lstrip("@+%~&"), body)
    if m := SAY.match(body):
        return said(when, m.group(1), m.group(2))
    if m := ACTION.match(body):
        return said(when, m.group(1), f"* {m.group(1)} {m.group(2)}")
    if m := TEXTUAL_ACTION.match(body):
        return said(when, m.group(1), f"* {m.group(1)} {m.group(2)}")
    if m := NOTICE.match(body):
        return said(when, m.group(1), m.group(2))
    return None  # *** joins, parts, quits, nick and mode changes, -!- server lines


def said(when: dt.datetime, nick: str, text: str) -> Message:
    at = when.astimezone(dt.UTC)
    return message(
        id=short_hash(at.isoformat(), nick, text),
        platform="irc",
        author=nick,
        at=at,
        text=text,
        links=find_links(text),
    )
