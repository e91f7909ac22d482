"""What every importer shares: reading files out of a folder or zip, decoding JSON with errors
that name the place, turning times into aware UTC, HTML into text, and one record into a `Message`
without letting a bad record stop the others (tolerate, record, continue).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import json
import os
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from generator.archive.model import Media, Message
from generator.archive.read import MAX_MESSAGE_BYTES
from generator.errors import ChatdigestError, Problem
from generator.progress import Progress, no_progress
from generator.safe_files import NotRegularFile, open_regular, regular_problem

PROGRESS_FROM = 5000  # records; smaller exports import faster than a progress bar draws

UTC = dt.UTC


# --- what an importer gets and gives ---------------------------------------------------------


@dataclass
class ImportOptions:
    """Choices that the export itself cannot answer.

    `timezone` is used for formats whose times carry no zone (WhatsApp, IRC, Telegram's `date`,
    naive times in csv/jsonl): the community's schedule timezone by default.
    """

    channel: str | None = None
    date: dt.date | None = None  # the day of a log whose lines carry no date (IRC), given by the user
    default_date: dt.date | None = None  # the same, when neither the user nor the file name says: the episode's
    timezone: str = "UTC"
    date_order: str = "auto"  # WhatsApp: auto | dmy | mdy
    progress: Progress = no_progress  # called now and then while a large export is read
    # Private chats (DMs, group DMs, private channels and groups, saved messages) and protected
    # accounts are imported only when the editor names them here: by name, id or handle.
    include_private: tuple[str, ...] = ()
    include_unlisted: bool = False  # Mastodon: also posts that are public but kept off timelines

    def names_private(self, *names: object) -> bool:
        """Did the editor name this private chat (or protected account) with --include-private?"""
        named = {private_key(n) for n in self.include_private}
        return any(private_key(str(n)) in named for n in names if n not in (None, ""))

    @property
    def zone(self) -> dt.tzinfo:
        try:
            return ZoneInfo(self.timezone)
        except Exception:  # an invalid name was already reported by config validation
            return UTC


def private_key(name: str) -> str:
    """How a chat's name is compared with --include-private: no leading #/@, case-folded."""
    return name.strip().lstrip("#@").casefold()


@dataclass
class ImportResult:
    messages: list[Message] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # why → how many messages were left out


class BadRecord(Exception):
    """One record cannot be used; the importer records it and goes on."""


class Skip(Exception):
    """A readable record that is deliberately not imported (private, a channel event…).

    The reason is said in the import report with how many messages it covers, so it is a
    phrase that reads after a count: "followers-only posts (never imported)".
    """


# Errors that malformed records raise while being picked apart; they become problems.
RECORD_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, BadRecord, ValidationError)


def refuse(file: str, message: str, fix: str = "", line: int | None = None, where: str = "") -> ChatdigestError:
    """The error for input that cannot be imported at all: one line naming file, place and fix."""
    return ChatdigestError(str(Problem(file, line, message, where, fix)))


def refuse_private(file: str, what: str, name: str) -> ChatdigestError:
    """A private chat that the editor did not name: refused, saying how to name it."""
    return refuse(
        file,
        f"{what} is private; private chats are never published unless you name them",
        f"if everyone in it agreed to be published, re-run with --include-private {quote_arg(name)}",
    )


def private_skip(what: str, name: str) -> str:
    """The import report's reason for a private chat left out: `what` reads after a count."""
    return f"{what} (private; to import it, name it with --include-private {quote_arg(name)})"


def quote_arg(value: str) -> str:
    """A value as the editor would type it in a shell."""
    import shlex

    return shlex.quote(value)


# --- sources: a file, a folder or a zip --------------------------------------------------------

# Limits far above any real chat export, far below what exhausts memory (see archive/read.py).
MAX_EXPORT_FILE_BYTES = 2**30
MAX_EXPORT_TOTAL_BYTES = 4 * 2**30  # everything read out of one zip
# A zip member this much bigger than its compressed bytes is a zip bomb, not chat text (real
# exports compress 5–20 times); small members are let through, however well they compress.
MAX_ZIP_RATIO = 100
ZIP_RATIO_FROM = 16 * 2**20
MAX_LINE_BYTES = MAX_MESSAGE_BYTES  # one line of a line-based export (WhatsApp, IRC, JSONL)
MAX_MESSAGE_TEXT = MAX_MESSAGE_BYTES // 4  # characters; a transcript line must stay under config's limit
CHUNK = 2**20
_SURROGATE = re.compile("[\ud800-\udfff]")
_ZIP_MAGIC = b"PK\x03\x04"


class Source:
    """The files of an export, whether the user gave a folder, a zip or a single file.

    Names are relative POSIX paths; `label(name)` is how errors name a file to the user. Only
    regular files are read (no symbolic link, FIFO or device inside an export), in bounded
    pieces, and refused as soon as they pass a limit.
    """

    def __init__(self, path: Path):
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._unpacked = 0
        if not path.exists():
            raise refuse(str(path), "no such file or folder", "check the path")
        if path.is_dir():
            self._names = sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file() or p.is_symlink())
            return
        wrong = regular_problem(path.resolve())
        if wrong:
            raise refuse(str(path), wrong, "pass the export file (or its folder or zip) itself")
        if zipfile.is_zipfile(path):
            try:
                self._zip = zipfile.ZipFile(path)
                self._names = sorted(i.filename for i in self._zip.infolist() if not i.is_dir())
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise refuse(str(path), f"damaged zip file: {exc}", "export the chat again") from None
        elif _starts_like_zip(path):
            raise refuse(str(path), "a damaged or incomplete zip file (cut off while downloading?)", "download or export it again")
        else:
            self._names = [path.name]

    @property
    def is_single_file(self) -> bool:
        return not self.path.is_dir() and self._zip is None

    def names(self) -> list[str]:
        return self._names

    def json_names(self) -> list[str]:
        """The export's .json files; all its files when none is named so (a renamed export)."""
        return [n for n in self.names() if n.lower().endswith(".json")] or self.names()

    def label(self, name: str) -> str:
        if self.is_single_file:
            return str(self.path)
        return f"{self.path}!/{name}" if self._zip else str(self.path / name)

    def read_bytes(self, name: str, max_line: int | None = None, limit: int | None = None, text: bool = True) -> bytes:
        """The file's bytes, read in pieces and refused as soon as it passes a limit: its size,
        a zip bomb's ratio, or `max_line` bytes without a line end (a line-based format).
        `text`: refuse binary data (checked on the first piece, before reading the rest)."""
        label = self.label(name)
        try:
            with self._open(name) as stream:
                if limit is None:
                    self._check_declared_size(name, label, stream)
                return self._read_capped(stream, name, label, max_line, limit, text)
        except NotRegularFile as exc:
            raise refuse(label, exc.strerror, "pass the export's own files; links, FIFOs and devices are not read") from None
        except (OSError, KeyError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, zlib.error) as exc:
            what = (
                "the zip is damaged or incomplete" if isinstance(exc, (zipfile.BadZipFile, EOFError, zlib.error)) else f"cannot read: {exc}"
            )
            raise refuse(label, what, "export the chat again") from None

    def read_head(self, name: str, size: int = 65536) -> bytes:
        """The first `size` bytes, to recognise a format without reading the whole file."""
        return self.read_bytes(name, limit=size, text=False)

    def _check_declared_size(self, name: str, label: str, stream: BinaryIO) -> None:
        """Refuse before reading when the file (or the zip's header) says it is too big."""
        size = self._zip.getinfo(name).file_size if self._zip is not None else os.fstat(stream.fileno()).st_size
        if size > MAX_EXPORT_FILE_BYTES:
            raise refuse(
                label,
                f"file is {size / 2**30:.1f} GB, over the {MAX_EXPORT_FILE_BYTES / 2**30:.0f} GB chatdigest reads at once",
                "export only the chat's channel and dates, or split the export",
            )

    def _open(self, name: str) -> BinaryIO:
        if self._zip is not None:
            return self._zip.open(name)
        return open_regular(self.path.resolve() if self.is_single_file else self.path / name)

    def _read_capped(self, stream: BinaryIO, name: str, label: str, max_line: int | None, limit: int | None, text: bool) -> bytes:
        compressed = self._zip.getinfo(name).compress_size if self._zip is not None else None
        pieces: list[bytes] = []
        size = 0
        since_line_end = 0
        while chunk := stream.read(CHUNK if limit is None else min(CHUNK, limit - size)):
            if not pieces and text:
                check_not_binary(chunk, label, "a chat export")
            size += len(chunk)
            self._check_size(label, size, len(chunk), compressed)
            if max_line is not None:
                end = chunk.rfind(b"\n")
                since_line_end = since_line_end + len(chunk) if end < 0 else len(chunk) - end - 1
                if since_line_end > max_line:
                    line = sum(p.count(b"\n") for p in pieces) + chunk.count(b"\n") + 1
                    raise refuse(
                        label,
                        f"a line longer than {max_line // 2**20} MB: this is not a chat log",
                        "check that this is the right file",
                        line,
                    )
            pieces.append(chunk)
            if limit is not None and size >= limit:
                break
        return b"".join(pieces)

    def _check_size(self, label: str, size: int, read: int, compressed: int | None) -> None:
        """Refuse while reading: a file this big is a wrong file or a runaway export, not a chat."""
        if size > MAX_EXPORT_FILE_BYTES:
            raise refuse(
                label,
                f"file is over the {MAX_EXPORT_FILE_BYTES / 2**30:.0f} GB chatdigest reads at once",
                "export only the chat's channel and dates, or split the export",
            )
        if compressed is None:
            return
        self._unpacked += read
        if size > ZIP_RATIO_FROM and size > MAX_ZIP_RATIO * max(compressed, 1):
            raise refuse(
                label,
                f"unpacks to over {MAX_ZIP_RATIO} times its packed size: a zip bomb, not a chat export",
                "export the chat again",
            )
        if self._unpacked > MAX_EXPORT_TOTAL_BYTES:
            raise refuse(
                str(self.path),
                f"the zip unpacks to over {MAX_EXPORT_TOTAL_BYTES / 2**30:.0f} GB",
                "export only the chat's channel and dates",
            )

    def file_name(self, reference: str, near: str = "") -> str:
        """The export's file that a message's attachment names (a path relative to the export,
        or to the folder of the file `near` that names it; Windows backslashes too), as a name
        `read_file` takes; "" when the export does not hold it."""
        parts = [p for p in reference.replace("\\", "/").split("/") if p not in ("", ".")]
        if not parts or ".." in parts or ":" in parts[0]:
            return ""
        relative = "/".join(parts)
        folder = near.rsplit("/", 1)[0] + "/" if "/" in near else ""
        for candidate in dict.fromkeys((folder + relative, relative)):
            if self._holds(candidate):
                return candidate
        return ""

    def _holds(self, name: str) -> bool:
        if self.is_single_file:  # a lone JSON file: its attachments lie in the folder beside it
            return (self.path.parent / name).is_file()
        return name in self._name_set

    @functools.cached_property
    def _name_set(self) -> set[str]:
        return set(self._names)

    def read_file(self, name: str) -> bytes:
        """An attachment named by `file_name`."""
        if self.is_single_file:
            with open_regular(self.path.parent / name) as file:
                return file.read(MAX_EXPORT_FILE_BYTES + 1)
        return self.read_bytes(name, text=False)  # an image: binary by nature

    def find(self, pattern: str) -> list[str]:
        """Names whose path matches the regular expression `pattern` (searched, case-insensitive)."""
        rx = re.compile(pattern, re.IGNORECASE)
        return [n for n in self._names if rx.search(n) and not _is_junk(n)]


def _starts_like_zip(path: Path) -> bool:
    try:
        with open_regular(path.resolve()) as handle:
            return handle.read(4) == _ZIP_MAGIC
    except OSError:
        return False


def split_lines(text: str) -> list[str]:
    """Lines on "\\n" only (a trailing "\\r" dropped): U+2028, U+2029, U+0085, form feeds and the
    like are characters inside a message, not line ends that forge a new one."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _is_junk(name: str) -> bool:
    return name.startswith("__MACOSX/") or "/." in f"/{name}"


# --- decoding --------------------------------------------------------------------------------


def check_not_binary(data: bytes, label: str, expected: str) -> None:
    if not data.strip():
        raise refuse(label, "the file is empty", f"export the chat again as {expected}")
    head = data[:4096]
    # A NUL in a chat's text is possible (a pasted control character); many of them are a binary
    # file (an image, a sparse or zeroed file, a database).
    if head.count(b"\x00") > len(head) // 100 and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(label, f"binary data, not {expected}", "pass the export's text file itself, or name its format with --format")


def decode_text(data: bytes, label: str, expected: str) -> str:
    """Strict UTF-8 (with or without BOM; UTF-16 with BOM); a bad byte is refused with its line."""
    check_not_binary(data, label, expected)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise refuse(label, "damaged UTF-16 text", "save the file as UTF-8") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise refuse(label, f"not UTF-8 text (byte 0x{data[exc.start]:02x})", "save the file as UTF-8 and import again", line) from None


def load_json(data: bytes | str, label: str, expected: str) -> Any:
    text = decode_text(data, label, expected) if isinstance(data, bytes) else data
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) - 1
        what = "the file ends in the middle of the JSON (truncated?)" if truncated else f"not valid JSON: {exc.msg}"
        raise refuse(label, what, f"export {expected} again; the file must be complete JSON", exc.lineno, f"column {exc.colno}") from None
    except RecursionError:
        raise refuse(label, "JSON nested too deeply", f"export {expected} again") from None


def message_lists(
    source: Source, expected: str, pick: Callable[[Any, str], Any], fix: str, where: str = ""
) -> Iterator[tuple[str, Any, list]]:
    """(label, document, its message list) for each JSON file of an export.

    `pick(document, label)` finds the list. In an export of several files, one without a list (a
    metadata file) is passed over; a lone file without one is refused with `fix`.
    """
    names = source.json_names()
    for name in names:
        label = source.label(name)
        document = load_json(source.read_bytes(name), label, expected)
        messages = pick(document, label)
        if isinstance(messages, list):
            yield label, document, messages
        elif len(names) == 1:
            raise refuse(label, f"no `messages` list: not {expected}", fix, where=where)


def expect(value: Any, kind: type | tuple[type, ...], label: str, where: str, expected: str) -> Any:
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        found = "nothing" if value is None else type(value).__name__
        raise refuse(label, f"expected {names}, found {found}: this is not {expected}", "name the right format with --format", where=where)
    return value


# --- times -----------------------------------------------------------------------------------


def parse_iso(value: Any, zone: dt.tzinfo = UTC) -> dt.datetime:
    """ISO 8601 with any number of fractional digits; a naive time is read in `zone`."""
    if not isinstance(value, str) or not value:
        raise BadRecord(f"time missing or not text: {value!r}")
    text = value.strip()
    match = re.match(r"^(.*?\.\d{6})\d+(.*)$", text)  # .NET writes 7 fractional digits
    if match:
        text = match.group(1) + match.group(2)
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def parse_epoch(value: Any) -> dt.datetime:
    seconds = float(value)
    if not (0 <= seconds < 32503680000):  # year 3000
        raise BadRecord(f"time {value!r} is out of range")
    return dt.datetime.fromtimestamp(seconds, UTC)


def parse_twitter_time(value: Any) -> dt.datetime:
    """'Wed Mar 22 07:41:49 +0000 2017' (X archives, API v1.1, TAGS)."""
    if not isinstance(value, str):
        raise BadRecord(f"time missing: {value!r}")
    return dt.datetime.strptime(value.strip(), "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)


# --- text --------------------------------------------------------------------------------------

URL_RE = re.compile(r"""https?://[^\s<>"'\])]+[^\s<>"'\]).,;:!?]""", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_][A-Za-z0-9_.\-]*(?:@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})?)")
HASHTAG_RE = re.compile(r"(?<![\w#&/])#(\w*[^\W\d_]\w*)")


def find_links(text: str) -> list[str]:
    return unique(URL_RE.findall(text))


def find_mentions(text: str, prefix: str = "@") -> list[str]:
    return unique(prefix + m.rstrip(".-") for m in MENTION_RE.findall(URL_RE.sub(" ", text)))


def find_hashtags(text: str) -> list[str]:
    return unique(HASHTAG_RE.findall(URL_RE.sub(" ", text)))


def unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)


def count_of(value: Any) -> int:
    """A count as exports write it: a number, a numeric string ("12"), or missing."""
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def reactions_of(counts: dict[str, Any], emoji: Iterable[tuple[Any, Any]] = ()) -> dict[str, int]:
    """A message's `reactions`: the platform's counts by kind (reposts, quotes, replies) and
    (emoji, count) pairs, without those counted zero."""
    found: dict[str, int] = {}
    for kind, value in [*counts.items(), *emoji]:
        count = count_of(value)
        if kind and count:
            found[str(kind)] = found.get(str(kind), 0) + count
    return found


def unescape(text: str) -> str:
    """Decode HTML entities once; X escapes some texts and not others, so never decode twice."""
    return html.unescape(text) if "&" in text else text


def html_to_text(markup: str) -> tuple[str, list[str]]:
    """Mastodon/Zulip HTML → plain text (paragraphs and line breaks kept) and its link targets.

    Mention and hashtag links are not returned as links: they are recorded as mentions/hashtags.
    """
    from bs4 import BeautifulSoup

    if not markup or "<" not in markup:
        return unescape(markup or "").strip(), []
    soup = BeautifulSoup(markup, "html.parser")
    links = []
    for anchor in soup.find_all("a"):
        classes = anchor.get("class") or []
        href = anchor.get("href") or ""
        if "mention" not in classes and "hashtag" not in classes and href.startswith(("http://", "https://")):
            links.append(href)
    for br in soup.find_all("br"):
        br.replace_with("\n")
    blocks = soup.find_all("p")
    if blocks:
        for p in blocks:
            p.insert_after("\n\n")
    text = soup.get_text()
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, unique(links)


def media_kind(hint: str | None) -> str:
    """'image/png', 'photo', 'gifv', 'mp4', 'voice_message' … → one of Media's kinds."""
    value = (hint or "").lower()
    ext = value.rsplit(".", 1)[-1] if "." in value and "/" not in value else value
    if (
        value.startswith("image")
        or value in ("photo", "sticker", "gif")
        or ext in ("png", "jpg", "jpeg", "gif", "webp", "bmp", "heic", "svg")
    ):
        return "image"
    if (
        value.startswith("video")
        or value in ("gifv", "animated_gif", "animation", "video_file", "video_message")
        or ext in ("mp4", "mov", "webm", "mkv", "avi")
    ):
        return "video"
    if value.startswith("audio") or value in ("voice_message", "audio_file") or ext in ("mp3", "ogg", "opus", "m4a", "wav", "flac"):
        return "audio"
    if value.startswith(("application", "text")) or ext in ("pdf", "zip", "txt", "doc", "docx", "js", "py", "csv"):
        return "file"
    return "other"


def short_hash(*parts: Any) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]


# --- building messages -------------------------------------------------------------------------


class Collector:
    """Gathers the messages and problems of one import; bad records become problems."""

    def __init__(self, options: ImportOptions):
        self.options = options
        self.result = ImportResult()
        self._ids: dict[str, int] = {}

    def problem(self, file: str, message: str, line: int | None = None, where: str = "", fix: str = "") -> None:
        self.result.problems.append(Problem(file, line, message, where, fix))

    def each(
        self,
        items: list,
        label: str,
        convert: Callable[[Any], Iterable[Message] | Message | None],
        where: Callable[[int, Any], str] | None = None,
        line: Callable[[int, Any], int | None] | None = None,
    ) -> None:
        """Convert every record; a record that raises becomes a problem naming its place."""
        total = len(items)
        report = self.options.progress if total >= PROGRESS_FROM else no_progress
        for index, item in enumerate(items):
            if index % 2000 == 0:
                report("reading messages", index, total)
            try:
                made = convert(item)
            except Skip as skip:
                self.skip(str(skip))
                continue
            except RECORD_ERRORS as exc:
                place = where(index, item) if where else f"message {index + 1}"
                self.problem(
                    label,
                    f"skipped: {describe(exc)}",
                    line(index, item) if line else None,
                    place,
                    "fix or remove this record, or export again",
                )
                continue
            except RecursionError:
                self.problem(label, "skipped: nested too deeply", None, f"message {index + 1}")
                continue
            if made is None:
                continue
            for message in [made] if isinstance(made, Message) else made:
                if len(message.text) > MAX_MESSAGE_TEXT:
                    self.problem(
                        label,
                        f"skipped: the message is {len(message.text) // 1024} KB of text, over the {MAX_MESSAGE_TEXT // 1024} KB"
                        " limit (a chat message is never this long)",
                        None,
                        f"message {message.id}",
                        "check that this is the right export",
                    )
                    continue
                self.add(_encodable(message))
        report("reading messages", total, total)

    def add(self, message: Message) -> None:
        self.result.messages.append(message)

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.result.skipped[reason] += count

    def finish(self, label: str, expected: str) -> ImportResult:
        """Refuse when nothing could be read; otherwise the messages with unique ids."""
        if not self.result.messages:
            if self.result.skipped and not self.result.problems:
                reasons = "; ".join(f"{n} {why}" for why, n in self.result.skipped.most_common())
                raise refuse(
                    label,
                    f"nothing to import: every message was left out ({reasons})",
                    "export the chat itself; where a reason names a flag, it imports those messages",
                )
            if self.result.problems:
                first = self.result.problems[0]
                more = len(self.result.problems) - 1
                tail = f" (and {more} more bad records)" if more else ""
                raise refuse(
                    first.file,
                    f"no message could be read: {first.message}{tail}",
                    f"check that this is {expected}",
                    first.line,
                    first.where,
                )
            raise refuse(
                label, f"no messages found in this {expected}", "check that you exported the right chat, or name the format with --format"
            )
        self.result.messages = dedupe_ids(self.result.messages, self.result.problems, label)
        return self.result


def _encodable(message: Message) -> Message:
    """Unpaired surrogates (JSON's "\\ud800") cannot be written as UTF-8: show them as U+FFFD."""
    spans = "".join(f"{s.text}{s.link or ''}{s.mention or ''}" for s in message.body)
    media = "".join(f"{m.alt}{m.name}{m.url}{m.file}" for m in message.media)
    if not _SURROGATE.search(
        message.text + message.author + message.author_name + "".join(message.links + message.mentions + message.hashtags) + spans + media
    ):
        return message
    fix = lambda s: _SURROGATE.sub("\ufffd", s)  # noqa: E731
    return message.model_copy(
        update={
            "text": fix(message.text),
            "author": fix(message.author),
            "author_name": fix(message.author_name),
            "links": tuple(map(fix, message.links)),
            "mentions": tuple(map(fix, message.mentions)),
            "hashtags": tuple(map(fix, message.hashtags)),
            "body": tuple(
                s.model_copy(update={"text": fix(s.text), "link": s.link and fix(s.link), "mention": s.mention and fix(s.mention)})
                for s in message.body
            ),
            "media": tuple(m.model_copy(update={k: fix(getattr(m, k)) for k in ("alt", "name", "url", "file")}) for m in message.media),
        }
    )


def describe(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        loc = ".".join(str(p) for p in error["loc"])
        return f"{loc}: {error['msg']}"
    if isinstance(exc, KeyError):
        return f"field {exc.args[0]!r} is missing"
    if isinstance(exc, TypeError):
        return f"a field has the wrong type ({exc})"
    return str(exc) or type(exc).__name__


def dedupe_ids(messages: list[Message], problems: list[Problem], label: str) -> list[Message]:
    """The same id twice: keep the later edit (exports repeat a message across pages/parts)."""
    by_id: dict[str, Message] = {}
    for message in messages:
        old = by_id.get(message.id)
        if old is None or newer(message, old):
            by_id[message.id] = message
    return list(by_id.values())


def newer(a: Message, b: Message) -> bool:
    """Is `a` a later state of the same message than `b`?"""
    if a.deleted != b.deleted:
        return a.deleted
    return (a.edited_at or a.at) > (b.edited_at or b.at)


def message(**fields: Any) -> Message:
    """A Message from fields; drops empty optional values so defaults stay defaults."""
    clean = {k: v for k, v in fields.items() if v not in (None, "", (), [], {}) or k in ("text",)}
    for key in ("links", "mentions", "hashtags"):
        if key in clean:
            clean[key] = tuple(unique(clean[key]))
    if "media" in clean:
        clean["media"] = tuple(m if isinstance(m, Media) else Media(**m) for m in clean["media"])
    if clean.get("deleted"):
        for key in ("text", "body", "links", "mentions", "hashtags", "media", "reactions"):
            clean.pop(key, None)  # keep the fact of a deletion, not the text
    return Message(**clean)


def message_place(index: int, item) -> str:
    """Where a bad record sits in a JSON export's `messages` list, with its id when it has one."""
    return f"messages[{index}]" + (f" (id {item.get('id')})" if isinstance(item, dict) else "")
