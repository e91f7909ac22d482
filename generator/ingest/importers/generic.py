"""The generic layout, for any chat that has no importer of its own (`--format csv` or `jsonl`).

One message per CSV row (with a header row) or per JSONL line (one JSON object). Fields:

| field | required | value |
|---|---|---|
| `author` | yes | the handle as the platform shows it (`@maya`, `maya@example.social`, `maya`) |
| `at` | yes | ISO 8601 time, e.g. `2026-01-08T19:02:11Z` or `2026-01-08T14:02:11-05:00`; a time without offset is read in the community's timezone; a number is a Unix epoch (seconds) |
| `text` | no | the message text, plain (not HTML) |
| `id` | no | unique within the export; made from `at`, `author` and `text` when missing |
| `platform` | no | x, mastodon, slack, discord, telegram, whatsapp, irc, zulip or other (default `other`) |
| `author_name` | no | display name |
| `reply_to`, `quote_of` | no | the `id` of the message replied to / quoted |
| `links`, `mentions`, `hashtags` | no | JSONL: lists of strings. CSV: separated by spaces. Found in `text` when absent |
| `media` | no | JSONL: list of `{"url", "kind" (image, video, audio, file, link, other), "alt"}` or of URLs. CSV: URLs separated by spaces |
| `likes` | no | a whole number |
| `edited_at` | no | ISO 8601 time of the last edit (the text is the edited text) |
| `deleted` | no | `true`/`false` (CSV also `1`/`0`, `yes`/`no`); a deleted message keeps no text |
| `permalink` | no | the message's URL on its platform |

Unknown columns/keys are ignored. CSV is UTF-8 with a header row, comma-separated, quoted
as spreadsheets write it (cells may hold line breaks).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from generator.archive.model import PLATFORMS, Media, Message

from ._common import (
    MAX_LINE_BYTES,
    BadRecord,
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
    parse_epoch,
    parse_iso,
    refuse,
    short_hash,
    split_lines,
)

FIELDS = (
    "id",
    "platform",
    "author",
    "author_name",
    "at",
    "text",
    "reply_to",
    "quote_of",
    "links",
    "mentions",
    "hashtags",
    "media",
    "likes",
    "edited_at",
    "deleted",
    "permalink",
)


def read_csv(path: Path, options: ImportOptions) -> ImportResult:
    return _read(path, options, "csv")


def read_jsonl(path: Path, options: ImportOptions) -> ImportResult:
    return _read(path, options, "jsonl")


def _read(path: Path, options: ImportOptions, kind: str) -> ImportResult:
    expected = f"a chatdigest generic {kind.upper()} file (see README: generic layout)"
    source = Source(path)
    collector = Collector(options)
    suffixes = (".csv",) if kind == "csv" else (".jsonl", ".ndjson", ".json")
    names = [n for n in source.names() if n.lower().endswith(suffixes)] or source.names()
    for name in names:
        label = source.label(name)
        text = decode_text(source.read_bytes(name, max_line=MAX_LINE_BYTES if kind != "csv" else None), label, expected)
        records = csv_records(text, label) if kind == "csv" else jsonl_records(text, label, collector)
        collector.each(records, label, lambda r: read_record(r[1], options), where=lambda i, r: f"record {i + 1}", line=lambda i, r: r[0])
    return collector.finish(str(path), expected)


def csv_records(text: str, label: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [f for f in ("author", "at") if f not in header]
    if missing:
        raise refuse(
            label,
            f"the header row lacks {', '.join(missing)}",
            "the first row must name the columns: author,at,text,… (see the generic layout in README.md)",
            1,
        )
    reader.fieldnames = header
    records = []
    try:
        start = 2
        for row in reader:
            records.append((start, {k: v for k, v in row.items() if k}))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise refuse(label, f"broken CSV: {exc}", "save the file again as CSV (UTF-8)", reader.line_num) from None
    return records


def jsonl_records(text: str, label: str, collector: Collector) -> list[tuple[int, Any]]:
    records = []
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except (json.JSONDecodeError, RecursionError) as exc:
            collector.problem(
                label,
                f"skipped a line that is not one JSON object ({getattr(exc, 'msg', exc)})",
                number,
                fix="each line must be one complete JSON object",
            )
    return records


def read_record(record: Any, options: ImportOptions) -> Message:
    if not isinstance(record, dict):
        raise BadRecord("not a JSON object")
    value = {k: record.get(k) for k in FIELDS}
    author = str(value["author"] or "").strip()
    if not author:
        raise BadRecord("author is empty")
    at = read_time(value["at"], options.zone)
    text = str(value["text"] or "")
    platform = str(value["platform"] or "other").strip().lower()
    if platform not in PLATFORMS:
        raise BadRecord(f"platform {platform!r} is not one of {', '.join(PLATFORMS)}")
    return message(
        id=str(value["id"] or "").strip() or short_hash(at.isoformat(), author, text),
        platform=platform,
        author=author,
        author_name=str(value["author_name"] or ""),
        at=at,
        text=text,
        reply_to=str(value["reply_to"]).strip() or None if value["reply_to"] not in (None, "") else None,
        quote_of=str(value["quote_of"]).strip() or None if value["quote_of"] not in (None, "") else None,
        links=read_list(value["links"]) or find_links(text),
        mentions=read_list(value["mentions"]) or find_mentions(text),
        hashtags=[h.lstrip("#") for h in read_list(value["hashtags"])] or find_hashtags(text),
        media=read_media(value["media"]),
        likes=int(value["likes"] or 0),
        edited_at=read_time(value["edited_at"], options.zone) if value["edited_at"] not in (None, "") else None,
        deleted=read_bool(value["deleted"]),
        permalink=str(value["permalink"] or "") or None,
    )


def read_time(value: Any, zone: dt.tzinfo) -> dt.datetime:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return parse_epoch(value)
    if isinstance(value, str) and value.strip().replace(".", "", 1).isdigit():
        return parse_epoch(value.strip())
    return parse_iso(value, zone)


def read_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                return stripped.split()
        else:
            return stripped.split()
    if not isinstance(value, list):
        raise BadRecord(f"expected a list, found {type(value).__name__}")
    return [str(v) for v in value if v not in (None, "")]


def read_media(value: Any) -> list[Media]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else read_list(value)
    media = []
    for item in items:
        if isinstance(item, str):
            media.append(Media(url=item, kind=media_kind(item.rsplit("?", 1)[0])))
        elif isinstance(item, dict):
            media.append(
                Media(
                    url=str(item.get("url") or ""),
                    kind=item.get("kind") or media_kind(str(item.get("url") or "")),
                    alt=str(item.get("alt") or ""),
                )
            )
        else:
            raise BadRecord("a media entry is neither a URL nor an object")
    return media


def read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return False
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y"):
        return True
    if text in ("false", "0", "no", "n"):
        return False
    raise BadRecord(f"deleted must be true or false, not {value!r}")
