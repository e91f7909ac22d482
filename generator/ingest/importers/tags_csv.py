"""TAGS (Twitter Archiving Google Sheet) CSV export.

Columns used: id_str, from_user, text, created_at (Twitter style, UTC — not `time`, which is
shifted by the sheet's timezone), in_reply_to_status_id_str, status_url, entities_str (JSON with
hashtags/user_mentions/urls). Empty cells may be empty or `NA`. Spreadsheet tools mangle ids
into `1.26426E+18`: the id is then recovered from status_url.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from ._common import (
    BadRecord,
    Collector,
    ImportOptions,
    ImportResult,
    Source,
    decode_text,
    find_hashtags,
    find_links,
    find_mentions,
    message,
    parse_twitter_time,
    refuse,
    unescape,
)
from ._x import expand_urls, x_permalink

EXPECTED = "a TAGS CSV export"
REQUIRED = ("id_str", "from_user", "text", "created_at")


def read(path: Path, options: ImportOptions) -> ImportResult:
    source = Source(path)
    collector = Collector(options)
    names = [n for n in source.names() if n.lower().endswith(".csv")] or source.names()
    for name in names:
        label = source.label(name)
        rows = read_rows(decode_text(source.read_bytes(name), label, EXPECTED), label)
        collector.each(rows, label, read_row, where=lambda i, row: f"row {i + 2}", line=lambda i, row: row.get("__line__"))
    return collector.finish(str(path), EXPECTED)


def read_rows(text: str, label: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise refuse(
            label,
            f"not a TAGS sheet: the header lacks {', '.join(missing)}",
            "export the sheet's Archive tab as CSV, or name the format with --format",
            1,
        )
    rows = []
    try:
        for row in reader:
            row["__line__"] = reader.line_num
            rows.append(row)
    except csv.Error as exc:
        raise refuse(label, f"broken CSV: {exc}", "export the sheet again", reader.line_num) from None
    return rows


def cell(row: dict, key: str) -> str:
    value = row.get(key)
    value = value.strip() if isinstance(value, str) else ""
    return "" if value in ("NA", "NULL", "null") else value


def read_row(row: dict):
    tweet_id = cell(row, "id_str")
    if not tweet_id.isdigit():
        found = re.search(r"/status(?:es)?/(\d+)", cell(row, "status_url"))
        if not found:
            raise BadRecord(f"id_str {tweet_id!r} is not a tweet id (a spreadsheet turned it into a number?)")
        tweet_id = found.group(1)
    author = cell(row, "from_user")
    if not author:
        raise BadRecord("from_user is empty")
    entities = {}
    if cell(row, "entities_str"):
        try:
            entities = json.loads(cell(row, "entities_str"))
        except json.JSONDecodeError:
            entities = {}
    entities = entities if isinstance(entities, dict) else {}
    text, links = expand_urls(cell(row, "text"), entities, set())
    text = unescape(text)
    handle = f"@{author}"
    reply_to = cell(row, "in_reply_to_status_id_str")
    return message(
        id=tweet_id,
        platform="x",
        author=handle,
        at=parse_twitter_time(cell(row, "created_at")),
        text=text,
        reply_to=reply_to if reply_to.isdigit() else None,
        links=links or find_links(text),
        mentions=[f"@{m['screen_name']}" for m in entities.get("user_mentions") or [] if isinstance(m, dict) and m.get("screen_name")]
        or find_mentions(text),
        hashtags=[h.get("text", "") for h in entities.get("hashtags") or [] if isinstance(h, dict)] or find_hashtags(text),
        permalink=x_permalink(handle, tweet_id),
    )
