"""Slack workspace export, as the zip Slack sends or its unzipped folder.

channels.json (+ groups.json, dms.json, mpims.json) names the channels, users.json the people,
and CHANNEL/YYYY-MM-DD.json holds each day's messages. `--channel` picks one channel by name or
id; without it every channel is read. A message's id is its `ts`; threads come from `thread_ts`
(never from the parent's `replies` list, which newer exports drop). Joins, topic changes and
other channel events are left out. A deleted thread parent (`tombstone`) is kept as deleted.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.archive.model import Media, Message

from . import markup
from ._common import (
    BadRecord,
    Collector,
    ImportOptions,
    ImportResult,
    Source,
    expect,
    find_links,
    load_json,
    media_kind,
    message,
    parse_epoch,
    refuse,
)

EXPECTED = "a Slack export (zip or folder with channels.json)"
SKIPPED_SUBTYPES = {
    "channel_join",
    "channel_leave",
    "channel_topic",
    "channel_purpose",
    "channel_name",
    "channel_archive",
    "channel_unarchive",
    "group_join",
    "group_leave",
    "group_topic",
    "group_purpose",
    "group_name",
    "bot_add",
    "bot_remove",
    "pinned_item",
    "unpinned_item",
    "sh_room_created",
    "reminder_add",
}
DAY_FILE = re.compile(r"^(?:(.*)/)?([^/]+)/(\d{4}-\d{2}-\d{2})\.json$")
TOKEN = re.compile(r"<([^<>]+)>")


def read(path: Path, options: ImportOptions) -> ImportResult:
    source = Source(path)
    collector = Collector(options)
    prefix, channels = read_channels(source, path)
    users = read_users(source, prefix)
    days = [(m.group(2), n) for n in source.names() if (m := DAY_FILE.match(n)) and (m.group(1) or "") == prefix.rstrip("/")]
    if not days:
        raise refuse(str(path), "no CHANNEL/YYYY-MM-DD.json day files in this export", "export the workspace again with message history")
    wanted = pick_channels(options.channel, channels, {c for c, _ in days}, path)
    by_channel: dict[str, list[Message]] = {}
    for folder, name in sorted(days):
        if folder not in wanted:
            continue
        label = source.label(name)
        day = expect(load_json(source.read_bytes(name), label, EXPECTED), list, label, "top level", "a Slack day file")
        before = len(collector.result.messages)
        collector.each(
            day,
            label,
            lambda item: read_message(item, users, lambda file, folder=folder: downloaded(source, prefix, folder, file)),  # noqa: B023
            where=lambda i, item: f"message {i + 1} (ts {item.get('ts') if isinstance(item, dict) else '?'})",
        )
        by_channel.setdefault(folder, []).extend(collector.result.messages[before:])
    collector.result.messages = prefix_colliding(by_channel)
    return collector.finish(str(path), EXPECTED)


def read_channels(source: Source, path: Path) -> tuple[str, dict[str, dict]]:
    """The folder inside the zip that holds the export (often none) and channels by folder name."""
    found = source.find(r"(^|/)(channels|groups|dms|mpims)\.json$")
    if not found:
        raise refuse(str(path), "no channels.json: this is not a Slack export", "pass the zip Slack sent, or its unzipped folder")
    prefix = found[0].rsplit("/", 1)[0] + "/" if "/" in found[0] else ""
    channels: dict[str, dict] = {}
    for name in found:
        listing = load_json(source.read_bytes(name), source.label(name), EXPECTED)
        for channel in listing if isinstance(listing, list) else []:
            if isinstance(channel, dict) and channel.get("id"):
                channels[channel.get("name") or channel["id"]] = channel
                channels.setdefault(channel["id"], channel)
    return prefix, channels


def read_users(source: Source, prefix: str) -> dict[str, dict]:
    names = source.find(rf"^{re.escape(prefix)}users\.json$")
    if not names:
        return {}
    listing = load_json(source.read_bytes(names[0]), source.label(names[0]), EXPECTED)
    return {u["id"]: u for u in listing if isinstance(u, dict) and u.get("id")} if isinstance(listing, list) else {}


def pick_channels(channel: str | None, channels: dict[str, dict], folders: set[str], path: Path) -> set[str]:
    if not channel:
        return folders
    wanted = channel.lstrip("#")
    info = channels.get(wanted)
    names = {wanted} | ({info.get("name"), info.get("id")} if info else set())
    picked = folders & {n for n in names if n}
    if not picked:
        raise refuse(
            str(path), f"no channel {channel!r} with messages in this export", f"use --channel with one of: {', '.join(sorted(folders))}"
        )
    return picked


def user_name(user: dict) -> tuple[str, str]:
    profile = user.get("profile") or {}
    handle = user.get("name") or user.get("id") or ""
    display = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or handle
    return handle, display


def render_text(text: str, users: dict[str, dict]) -> markup.Converted:
    """Slack mrkdwn → text and formatted spans: `<@U1>` → @name, `<url|label>` → label linked."""
    return markup.slack(text or "", users, lambda user: user_name(user)[0])


def read_message(item, users: dict[str, dict], locate=lambda file: "") -> Message | None:
    if not isinstance(item, dict):
        raise BadRecord("not a message object")
    subtype = item.get("subtype") or ""
    if subtype in SKIPPED_SUBTYPES:
        return None
    ts = item.get("ts")
    if not isinstance(ts, str) or not ts:
        raise BadRecord("message has no ts")
    text = item.get("text") or ""
    user_id = item.get("user")
    if subtype == "file_comment" and isinstance(item.get("comment"), dict):
        text = item["comment"].get("comment") or text
        user_id = item["comment"].get("user") or user_id
    if not text and item.get("attachments"):
        text = "\n".join(a.get("fallback") or a.get("text") or "" for a in item["attachments"] if isinstance(a, dict)).strip()
    bot = item.get("bot_profile") or {}
    if item.get("bot_id") and (item.get("username") or bot.get("name")):  # a bot posts under its own name
        handle = display = item.get("username") or bot.get("name")
    elif user_id:
        handle, display = user_name(users.get(user_id) or {"name": user_id})
    else:
        handle = item.get("username") or bot.get("name") or item.get("bot_id") or ""
        display = handle
    if not handle:
        raise BadRecord("message has no user, username or bot_id")
    converted = render_text(text, users)
    files = [f for f in (item.get("files") or []) + ([item["file"]] if isinstance(item.get("file"), dict) else []) if isinstance(f, dict)]
    media = [
        attachment(f, locate)
        for f in files
        if f.get("mode") != "tombstone" and (f.get("permalink") or f.get("url_private") or f.get("name"))
    ]
    thread = item.get("thread_ts")
    edited = item.get("edited") or {}
    return message(
        id=ts,
        platform="slack",
        author=handle,
        author_name=display if display != handle else "",
        at=parse_epoch(ts),
        text=converted.text,
        body=converted.body,
        reply_to=thread if isinstance(thread, str) and thread != ts else None,
        links=[u.removeprefix("mailto:") for u in converted.links] or find_links(converted.text),
        mentions=converted.mentions,
        media=media,
        likes=sum(int(r.get("count") or 0) for r in item.get("reactions") or [] if isinstance(r, dict)),
        edited_at=parse_epoch(edited["ts"]) if isinstance(edited, dict) and edited.get("ts") else None,
        deleted=subtype == "tombstone",
    )


def attachment(file: dict, locate) -> Media:
    """A shared file: the export's copy when the exporter downloaded it, else its Slack URL
    (which needs a login, so it is only ever shown as a link)."""
    name = str(file.get("name") or "")
    title = str(file.get("title") or "")
    size, width, height = file.get("size"), file.get("original_w"), file.get("original_h")
    return Media(
        url=file.get("permalink") or file.get("url_private") or "",
        file=locate(file),
        kind=media_kind(file.get("mimetype") or file.get("filetype") or name),
        alt=str(file.get("alt_txt") or (title if title and title != name else "")),
        name=name or title,
        size=size if isinstance(size, int) and size >= 0 else None,
        width=width if isinstance(width, int) and width > 0 else None,
        height=height if isinstance(height, int) and height > 0 else None,
    )


def downloaded(source: Source, prefix: str, channel: str, file: dict) -> str:
    """Where exporters that download files put them: slackdump's `__uploads/<id>/<name>`, or
    `<channel>/attachments/<id>-<name>`."""
    ident, name = str(file.get("id") or ""), str(file.get("name") or "")
    if not ident or not name:
        return ""
    return source.file_name(f"{prefix}__uploads/{ident}/{name}") or source.file_name(f"{prefix}{channel}/attachments/{ident}-{name}")


def prefix_colliding(by_channel: dict[str, list[Message]]) -> list[Message]:
    """`ts` is unique within a channel only: prefix the channel where two channels share one."""
    owners: dict[str, set[str]] = {}
    for channel, messages in by_channel.items():
        for m in messages:
            owners.setdefault(m.id, set()).add(channel)
    out = []
    for channel, messages in by_channel.items():
        clash = {m.id for m in messages if len(owners[m.id]) > 1}
        for m in messages:
            if clash and (m.id in clash or m.reply_to in clash):
                update = {}
                if m.id in clash:
                    update["id"] = f"{channel}-{m.id}"
                if m.reply_to in clash:
                    update["reply_to"] = f"{channel}-{m.reply_to}"
                m = m.model_copy(update=update)
            out.append(m)
    return out
