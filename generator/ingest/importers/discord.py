"""DiscordChatExporter JSON: one file per channel, thread or partition (or a folder/zip of them).

Replies come from `reference.messageId`; system events (joins, pins, "started a thread", calls)
are left out. Times carry the exporting machine's offset and 0–7 fractional digits.
Attachments that were downloaded are relative paths with Windows backslashes.

DMs, group DMs and private threads are imported only when the editor names them with
--include-private (the channel's name or id): a lone one is refused, and in a folder of
exports they are left out and counted.
"""

from __future__ import annotations

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
    media_kind,
    message,
    message_lists,
    message_place,
    parse_iso,
    private_skip,
    reactions_of,
    refuse_private,
)

EXPECTED = "a DiscordChatExporter JSON export"
FIX = "export with DiscordChatExporter in JSON format, or name the format with --format"
KEPT_TYPES = {"Default", "Reply", "ChatInputCommand", "ContextMenuCommand", "ThreadStarterMessage", ""}
PRIVATE_TYPES = {"DirectTextChat": "direct message", "DirectGroupTextChat": "group DM", "GuildPrivateThread": "private thread"}


def read(path: Path, options: ImportOptions) -> ImportResult:
    collector = Collector(options)
    source = Source(path)
    for label, data, messages in message_lists(source, EXPECTED, _message_list, FIX):
        guild = (data.get("guild") or {}).get("id") or "@me"
        info = data.get("channel") or {}
        channel = info.get("id") or ""
        if options.channel and options.channel.lstrip("#") not in (info.get("name"), channel):
            continue
        kind = PRIVATE_TYPES.get(info.get("type"))
        if kind and not options.names_private(info.get("name"), channel):
            name = str(info.get("name") or channel)
            if len(source.json_names()) == 1:
                raise refuse_private(label, f"the {kind} {name!r} ({info.get('type')})", name)
            collector.skip(private_skip(f"messages in the {kind} {name!r}", name), sum(1 for m in messages if isinstance(m, dict)))
            continue
        collector.each(messages, label, lambda item: read_message(item, guild, channel, source, label), where=message_place)  # noqa: B023 (called within this iteration)
    return collector.finish(str(path), EXPECTED)


def _message_list(document, label: str):
    return expect(document, dict, label, "top level", EXPECTED).get("messages")


def read_message(item, guild: str, channel: str, source: Source | None = None, label: str = "") -> Message | None:
    if not isinstance(item, dict):
        raise BadRecord("not a message object")
    if item.get("type", "") not in KEPT_TYPES:
        raise Skip("system messages (joins, pins, threads started, calls)")
    if not item.get("id"):
        raise BadRecord("message has no id")
    author = item.get("author") or {}
    handle = author.get("name") or author.get("id")
    if not handle:
        raise BadRecord("message has no author")
    mentioned = {}
    for m in item.get("mentions") or []:
        if isinstance(m, dict) and m.get("name"):
            for key in (m.get("id"), m.get("name"), m.get("nickname")):
                if key:
                    mentioned[str(key)] = m["name"]
    converted = markup.discord(item.get("content") or "", mentioned)
    text = converted.text
    media = [attachment(a, source, label) for a in item.get("attachments") or [] if isinstance(a, dict) and a.get("url")] + [
        Media(url=s.get("sourceUrl", "").replace("\\", "/"), kind="image", alt=f"sticker: {s.get('name', '')}")
        for s in item.get("stickers") or []
        if isinstance(s, dict) and s.get("sourceUrl")
    ]
    embeds = [e.get("url") for e in item.get("embeds") or [] if isinstance(e, dict) and e.get("url")]
    reference = item.get("reference") or {}
    reply_to = reference.get("messageId") if item.get("type") == "Reply" or reference.get("type") == "Default" else None
    nickname = author.get("nickname") or ""
    return message(
        id=str(item["id"]),
        platform="discord",
        author=handle,
        author_name=nickname if nickname != handle else "",
        at=parse_iso(item.get("timestamp")),
        text=text,
        body=converted.body,
        reply_to=str(reply_to) if reply_to else None,
        links=converted.links + find_links(text) + embeds,
        mentions=[m.get("name") for m in item.get("mentions") or [] if isinstance(m, dict) and m.get("name")],
        media=media,
        likes=sum(count_of(r.get("count")) for r in item.get("reactions") or [] if isinstance(r, dict)),
        reactions=reactions_of(
            {},
            (((r.get("emoji") or {}).get("name"), r.get("count")) for r in item.get("reactions") or [] if isinstance(r, dict)),
        ),
        edited_at=parse_iso(item["timestampEdited"]) if item.get("timestampEdited") else None,
        permalink=f"https://discord.com/channels/{'@me' if guild == '0' else guild}/{channel}/{item['id']}" if channel else None,
    )


def attachment(item: dict, source: Source | None, label: str) -> Media:
    """A downloaded attachment (a relative path) names a file of the export; otherwise its
    CDN URL is kept, to be shown as a link."""
    url, name = str(item["url"]), str(item.get("fileName") or "")
    file = source.file_name(url, source.names()[0] if source.is_single_file else _name_in(source, label)) if source else ""
    size = item.get("fileSizeBytes")
    return Media(
        url="" if file or not url.startswith(("http://", "https://")) else url,
        file=file,
        kind=media_kind(name or url),
        name=name.removeprefix("SPOILER_"),
        size=size if isinstance(size, int) and size >= 0 else None,
    )


def _name_in(source: Source, label: str) -> str:
    """The export's name for the JSON file shown to the user as `label`."""
    return next((n for n in source.names() if source.label(n) == label), "")
