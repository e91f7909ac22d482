"""Slack workspace export, as the zip Slack sends or its unzipped folder.

channels.json (+ groups.json, dms.json, mpims.json) names the channels, users.json the people,
and CHANNEL/YYYY-MM-DD.json holds each day's messages; an export unzipped by hand may have lost
the listings and keep only the channel folders. One chat is one channel: `--channel` picks it by
name or id, and an export with several channels is refused without it (their messages would
mix). Private channels (groups.json), DMs (dms.json, or a folder named by a D… id) and group
DMs (mpims.json, or a folder named mpdm-…) are imported only when the editor names them with
--include-private; otherwise they are left out and counted. A message's id is its `ts`; threads
come from `thread_ts` (never from the parent's `replies` list, which newer exports drop). Joins,
topic changes and other channel events are left out. A deleted thread parent (`tombstone`) is
kept as deleted.
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
    Skip,
    Source,
    count_of,
    expect,
    find_links,
    load_json,
    media_kind,
    message,
    parse_epoch,
    private_skip,
    reactions_of,
    refuse,
    refuse_private,
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
# What each listing holds, as the import report and its errors name it.
KINDS = {"channels": "channel", "groups": "private channel", "dms": "direct message", "mpims": "group DM"}
DM_FOLDER = re.compile(r"^D[A-Z0-9]{6,}$")  # a DM's folder is named by its id


def read(path: Path, options: ImportOptions) -> ImportResult:
    source = Source(path)
    collector = Collector(options)
    prefix, channels = read_channels(source)
    users = read_users(source, prefix)
    days = [(m.group(2), n) for n in source.names() if (m := DAY_FILE.match(n)) and (m.group(1) or "") == prefix.rstrip("/")]
    if not days and not channels:
        raise refuse(
            str(path),
            "neither channels.json nor CHANNEL/YYYY-MM-DD.json day files: this is not a Slack export",
            "pass the zip Slack sent, or its unzipped folder",
        )
    if not days:
        raise refuse(str(path), "no CHANNEL/YYYY-MM-DD.json day files in this export", "export the workspace again with message history")
    folders: dict[str, list[str]] = {}
    for folder, name in sorted(days):
        folders.setdefault(folder, []).append(name)
    picked = pick_channel(options, channels, folders, source, collector, path)
    for name in folders[picked]:
        label = source.label(name)
        collector.each(
            read_day(source, name),
            label,
            lambda item: read_message(item, users, lambda file: downloaded(source, prefix, picked, file)),
            where=lambda i, item: f"message {i + 1} (ts {item.get('ts') if isinstance(item, dict) else '?'})",
        )
    return collector.finish(str(path), EXPECTED)


def read_day(source: Source, name: str) -> list:
    label = source.label(name)
    return expect(load_json(source.read_bytes(name), label, EXPECTED), list, label, "top level", "a Slack day file")


def read_channels(source: Source) -> tuple[str, dict[str, dict]]:
    """The folder that holds the export (often none) and its channels by name and by id.

    Each channel carries `kind`: channel, private channel, direct message or group DM. An export
    without listings (unzipped by hand, channels.json lost) has an empty table: the folders are
    then all there is to go by.
    """
    found = source.find(r"(^|/)(channels|groups|dms|mpims)\.json$")
    if not found:
        day = next((n for n in source.names() if DAY_FILE.match(n)), None)
        match = DAY_FILE.match(day) if day else None
        return ((match.group(1) + "/") if match and match.group(1) else ""), {}
    prefix = found[0].rsplit("/", 1)[0] + "/" if "/" in found[0] else ""
    channels: dict[str, dict] = {}
    for name in found:
        kind = KINDS[name.rsplit("/", 1)[-1].removesuffix(".json").lower()]
        listing = load_json(source.read_bytes(name), source.label(name), EXPECTED)
        for channel in listing if isinstance(listing, list) else []:
            if isinstance(channel, dict) and channel.get("id"):
                channel = {**channel, "kind": listed_kind(channel, kind)}
                channels[channel.get("name") or channel["id"]] = channel
                channels.setdefault(channel["id"], channel)
    return prefix, channels


def listed_kind(channel: dict, listing: str) -> str:
    """The listing a channel is in decides, unless its flags say more (slackdump lists every
    conversation in channels.json, flagged)."""
    if listing != "channel":
        return listing
    if channel.get("is_im"):
        return "direct message"
    if channel.get("is_mpim"):
        return "group DM"
    return "private channel" if channel.get("is_private") or channel.get("is_group") else "channel"


def read_users(source: Source, prefix: str) -> dict[str, dict]:
    names = source.find(rf"^{re.escape(prefix)}users\.json$")
    if not names:
        return {}
    listing = load_json(source.read_bytes(names[0]), source.label(names[0]), EXPECTED)
    return {u["id"]: u for u in listing if isinstance(u, dict) and u.get("id")} if isinstance(listing, list) else {}


def channel_kind(folder: str, channels: dict[str, dict]) -> str:
    """channel, private channel, direct message or group DM: from the listings, else the name."""
    info = channels.get(folder)
    if info:
        return info["kind"]
    if folder.startswith("mpdm-"):
        return "group DM"
    if DM_FOLDER.match(folder):
        return "direct message"
    return "channel"


def pick_channel(
    options: ImportOptions, channels: dict[str, dict], folders: dict[str, list[str]], source: Source, collector: Collector, path: Path
) -> str:
    """The one channel folder to import; private ones left out are counted in the report."""
    kinds = {folder: channel_kind(folder, channels) for folder in folders}

    def allowed(folder: str) -> bool:
        info = channels.get(folder) or {}
        return kinds[folder] == "channel" or options.names_private(folder, info.get("name"), info.get("id"))

    if options.channel:
        wanted = options.channel.lstrip("#")
        info = channels.get(wanted) or {}
        picked = [f for f in folders if f in {wanted, info.get("name"), info.get("id")}]
        if not picked:
            raise refuse(
                str(path),
                f"no channel {options.channel!r} with messages in this export",
                f"use --channel with one of: {', '.join(sorted(folders))}",
            )
        if not allowed(picked[0]):
            raise refuse_private(str(path), f"{kinds[picked[0]]} {picked[0]}", picked[0])
        return picked[0]
    candidates = [f for f in folders if allowed(f)]
    for folder in folders:
        if folder not in candidates:
            collector.skip(private_skip(f"messages in the {kinds[folder]} {folder}", folder), count_messages(source, folders[folder]))
    if not candidates:
        only = next(iter(folders))
        if len(folders) == 1:
            raise refuse_private(str(path), f"{kinds[only]} {only}", only)
        raise refuse(
            str(path),
            f"every chat in this export is private: {', '.join(f'{kinds[f]} {f}' for f in sorted(folders))}",
            "if everyone in one agreed to be published, name it with --include-private NAME and --channel NAME",
        )
    if len(candidates) > 1:
        counts = ", ".join(f"{f} ({count_messages(source, folders[f])} messages)" for f in sorted(candidates))
        raise refuse(
            str(path),
            f"{len(candidates)} channels with messages, which would mix into one chat: {counts}",
            "pick the chat's channel with --channel NAME",
        )
    return candidates[0]


def count_messages(source: Source, names: list[str]) -> int:
    """Messages (not channel events) in a channel's day files, for the report and for errors."""
    return sum(
        1 for name in names for item in read_day(source, name) if isinstance(item, dict) and item.get("subtype") not in SKIPPED_SUBTYPES
    )


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
        raise Skip("channel events (joins, topic and purpose changes, apps added)")
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
        likes=sum(count_of(r.get("count")) for r in item.get("reactions") or [] if isinstance(r, dict)),
        reactions=reactions_of(
            {"replies": item.get("reply_count")},
            ((f":{r.get('name')}:", r.get("count")) for r in item.get("reactions") or [] if isinstance(r, dict) and r.get("name")),
        ),
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
