"""Importers: each reads one platform's export and ends at the one `Message` model.

Every importer is `read(path, options) -> ImportResult(messages, problems)`. It tolerates bad
records (each becomes a Problem naming the file and place) and raises ChatdigestError naming the
file, the place and the fix when nothing can be read. `detect` picks the format of an export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from generator.errors import ChatdigestError

from . import discord, generic, irc, mastodon, slack, tags_csv, telegram, whatsapp, x_api, x_archive, zulip
from ._common import ImportOptions, ImportResult, Source, refuse

__all__ = ["FORMATS", "ImportOptions", "ImportResult", "detect", "read_export"]

Reader = Callable[[Path, ImportOptions], ImportResult]

FORMATS: dict[str, tuple[Reader, str]] = {
    "x-archive": (x_archive.read, "X/Twitter archive: folder, zip, data/tweets.js or data/js/tweets/YYYY_MM.js"),
    "x-api": (x_api.read, "X API v2 pages (twarc .jsonl) or v1.1 statuses JSON"),
    "tags-csv": (tags_csv.read, "TAGS (Twitter Archiving Google Sheet) CSV"),
    "mastodon": (mastodon.read, "Mastodon API statuses JSON or archive outbox.json"),
    "slack": (slack.read, "Slack workspace export (zip or folder); --channel picks one"),
    "discord": (discord.read, "DiscordChatExporter JSON"),
    "telegram": (telegram.read, "Telegram Desktop result.json"),
    "whatsapp": (whatsapp.read, "WhatsApp Export chat .txt or zip"),
    "irc": (irc.read, "IRC log: irssi, WeeChat, ZNC, Supybot, plain [HH:MM] <nick> text"),
    "zulip": (zulip.read, "Zulip messages JSON (API or zulip-archive)"),
    "csv": (generic.read_csv, "generic CSV: author,at,text,… (see README)"),
    "jsonl": (generic.read_jsonl, "generic JSON Lines: {author, at, text, …} per line (see README)"),
}


def format_list() -> str:
    return ", ".join(FORMATS)


def read_export(path: Path, fmt: str, options: ImportOptions) -> tuple[str, ImportResult]:
    """Read `path` as `fmt` ("auto" detects it). Returns the format used and the result."""
    if fmt == "auto":
        fmt = detect(path)
    if fmt not in FORMATS:
        raise ChatdigestError(f"unknown format {fmt!r}; use one of: auto, {format_list()}")
    return fmt, FORMATS[fmt][0](path, options)


# --- detection -----------------------------------------------------------------------------------

WHATSAPP_HEAD = whatsapp.HEADER
IRC_HEADS = (irc.TEXTUAL, irc.DIRCPROXY, irc.WEECHAT, irc.SUPYBOT, irc.BRACKET, irc.IRSSI, irc.IRSSI_DAY)


def detect(path: Path) -> str:
    """Name the format of an export from its layout and first bytes."""
    source = Source(path)
    names = source.names()
    found = detect_by_names(names) if not source.is_single_file else None
    if found:
        return found
    candidates = names if not source.is_single_file else names[:1]
    for name in candidates[:20]:
        head = source.read_bytes(name)[:65536]
        found = detect_by_content(name, head, source.read_bytes(name) if len(head) == 65536 else head)
        if found:
            return found
    raise refuse(str(path), "cannot tell which chat export this is", f"name it with --format, one of: {format_list()}")


def detect_by_names(names: list[str]) -> str | None:
    def has(pattern: str) -> bool:
        rx = re.compile(pattern, re.IGNORECASE)
        return any(rx.search(n) for n in names)

    # Slack: its listings, or (unzipped by hand, listings lost) channel folders of day files
    if has(r"(^|/)(channels|groups|dms|mpims)\.json$") or has(r"(^|/)[^/]+/\d{4}-\d{2}-\d{2}\.json$"):
        return "slack"
    if has(x_archive.TWEETS) or has(r"(^|/)data/js/tweets/\d{4}_\d{2}\.js$"):
        return "x-archive"
    if has(r"(^|/)outbox\.json$"):
        return "mastodon"
    if has(r"(^|/)result\.json$"):
        return "telegram"
    if has(r"(^|/)_chat\.txt$"):
        return "whatsapp"
    return None


def detect_by_content(name: str, head: bytes, data: bytes) -> str | None:
    lower = name.lower()
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if re.match(r"\s*(window\.YTD\.|Grailbird\.data\.)", text):
        return "x-archive"
    if lower.endswith(".csv") or (stripped and stripped[0] not in "[{" and "," in stripped.split("\n", 1)[0]):
        header = [h.strip().strip('"') for h in stripped.split("\n", 1)[0].split(",")]
        if "id_str" in header and "from_user" in header:
            return "tags-csv"
        if "author" in header and "at" in header:
            return "csv"
    if stripped.startswith(("{", "[")):
        found = detect_json(data)
        if found:
            return found
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    if lines and sum(bool(WHATSAPP_HEAD.match(line)) for line in lines) >= max(1, len(lines) // 3):
        return "whatsapp"
    if lines and sum(any(rx.match(line) for rx in IRC_HEADS) for line in lines) >= max(1, len(lines) // 2):
        return "irc"
    return None


def detect_json(data: bytes) -> str | None:
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        first = text.strip().split("\n", 1)[0]
        try:
            document = json.loads(first)
        except (json.JSONDecodeError, RecursionError):
            return None
        if isinstance(document, dict) and "data" in document:
            return "x-api"
        if isinstance(document, dict) and "author" in document and "at" in document:
            return "jsonl"
        return None
    return detect_document(document)


def detect_document(document) -> str | None:
    if isinstance(document, dict):
        keys = set(document)
        if {"guild", "channel", "messages"} <= keys:
            return "discord"
        if "orderedItems" in keys or "@context" in keys:
            return "mastodon"
        if {"ancestors", "descendants"} & keys or {"account", "content"} <= keys:
            return "mastodon"
        if "data" in keys and ("includes" in keys or "meta" in keys or "__twarc" in keys):
            return "x-api"
        if "statuses" in keys:
            return "x-api"
        if "chats" in keys:
            return "telegram"
        if "author" in keys and "at" in keys:
            return "jsonl"
        messages = document.get("messages")
        if isinstance(messages, list):
            sample = next((m for m in messages if isinstance(m, dict)), {})
            if "sender_full_name" in sample or "display_recipient" in sample:
                return "zulip"
            if "from" in sample or "date_unixtime" in sample or "from_id" in sample or document.get("type") in telegram_types:
                return "telegram"
            if not messages and "type" in keys:
                return "telegram"
        return None
    if isinstance(document, list) and document:
        sample = next((d for d in document if isinstance(d, dict)), {})
        if "sender_full_name" in sample:
            return "zulip"
        if "account" in sample and "content" in sample:
            return "mastodon"
        if "id_str" in sample and ("user" in sample or "full_text" in sample or "text" in sample):
            return "x-api"
        if "content" in sample and "created_at" in sample:
            return "mastodon"
        if "tweet" in sample:
            return "x-archive"
    return None


telegram_types = {
    "personal_chat",
    "bot_chat",
    "saved_messages",
    "private_group",
    "private_supergroup",
    "public_supergroup",
    "private_channel",
    "public_channel",
}
