"""Zulip messages JSON: an API response `{"messages": [...]}`, a bare list of messages (as
zulip-archive stores each topic), or a folder/zip of such files.

`content` is HTML when fetched with apply_markdown (the default) and Zulip markdown otherwise.
The author is the sender's full name (what `@**Name**` mentions use); `--channel` picks a stream.
Direct messages (`type: private`) are left out and counted unless the editor names the
conversation with --include-private (its people's full names, comma-separated, as the report
shows them).
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.archive.model import Message

from ._common import (
    BadRecord,
    Collector,
    ImportOptions,
    ImportResult,
    Skip,
    Source,
    find_links,
    html_to_text,
    message,
    message_lists,
    message_place,
    parse_epoch,
    private_skip,
)

EXPECTED = "Zulip messages JSON"
FIX = "save the response of GET /api/v1/messages, or name the format with --format"
MENTION = re.compile(r"@_?\*\*([^*|]+)(?:\|\d+)?\*\*")


def read(path: Path, options: ImportOptions) -> ImportResult:
    collector = Collector(options)
    for label, _, items in message_lists(Source(path), EXPECTED, _message_list, FIX, where="top level"):
        if options.channel:
            items = [
                i
                for i in items
                if isinstance(i, dict) and options.channel.lstrip("#") in (str(i.get("display_recipient")), str(i.get("stream_id")))
            ]
        collector.each(items, label, lambda item: read_message(item, options), where=message_place)
    return collector.finish(str(path), EXPECTED)


def _message_list(document, label: str):
    """The API's response object, or zulip-archive's bare list."""
    return document.get("messages") if isinstance(document, dict) else document


def read_message(item, options: ImportOptions) -> Message:
    if not isinstance(item, dict):
        raise BadRecord("not a message object")
    if item.get("id") is None:
        raise BadRecord("message has no id")
    if item.get("type") == "private":
        people = ", ".join(sorted(str(r.get("full_name", "")) for r in item.get("display_recipient") or [] if isinstance(r, dict)))
        if not options.names_private(people):
            raise Skip(private_skip(f"direct messages between {people}", people))
    author = item.get("sender_full_name") or item.get("sender_email")
    if not author:
        raise BadRecord("message has no sender_full_name")
    content = item.get("content") or ""
    mentions = [m.strip() for m in MENTION.findall(content)]
    if content.lstrip().startswith("<"):
        text, links = html_to_text(content)
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(content, "html.parser")
        mentions += [s.get_text().lstrip("@").strip() for s in soup.select(".user-mention")]
    else:
        text, links = MENTION.sub(lambda m: f"@{m.group(1)}", content), []
    edited = item.get("last_edit_timestamp")
    return message(
        id=str(item["id"]),
        platform="zulip",
        author=author,
        at=parse_epoch(item.get("timestamp")),
        text=text,
        links=links or find_links(text),
        mentions=mentions,
        likes=len(item.get("reactions") or []),
        edited_at=parse_epoch(edited) if edited else None,
    )
