"""Telegram Desktop export: result.json of one chat, or of the whole account (`chats.list`).

`--channel` picks one chat by name or id in an account export; when several chats are read,
ids are prefixed by the chat id (Telegram numbers messages per chat). `text` is a string or a
list of strings and entity objects; the author is `from_id` ("user123…"), shown as `from`.
Service messages (joins, pins, calls) are left out. `date_unixtime` is UTC; the older `date`
is the exporting computer's local time, read in the community's timezone.

Private chats (personal and bot chats, saved messages, private groups, supergroups and
channels) are imported only when the editor names them with --include-private (the chat's name
or id): a lone private chat is refused, and in an account export they are left out and counted.
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
    find_hashtags,
    find_links,
    find_mentions,
    load_json,
    media_kind,
    message,
    message_place,
    parse_epoch,
    parse_iso,
    private_skip,
    reactions_of,
    refuse,
    refuse_private,
)

EXPECTED = "a Telegram Desktop export (result.json)"
NOT_INCLUDED = "(File not included"
PRIVATE_TYPES = {
    "personal_chat": "personal chat",
    "bot_chat": "chat with a bot",
    "saved_messages": "saved messages",
    "private_group": "private group",
    "private_supergroup": "private supergroup",
    "private_channel": "private channel",
}


def read(path: Path, options: ImportOptions) -> ImportResult:
    source = Source(path)
    collector = Collector(options)
    names = source.find(r"(^|/)result\.json$") or source.json_names()
    label = source.label(names[0])
    data = expect(load_json(source.read_bytes(names[0]), label, EXPECTED), dict, label, "top level", EXPECTED)
    chats = chats_of(data, label)
    if options.channel:
        chats = [c for c in chats if options.channel in (str(c.get("name")), str(c.get("id")))]
        if not chats:
            raise refuse(label, f"no chat named {options.channel!r} in this export", "use --channel with a chat's name or id")
    chats = public_or_named(chats, options, collector, label)
    prefix = len(chats) > 1
    for chat in chats:
        chat_id = str(chat.get("id", ""))
        messages = chat.get("messages")
        if not isinstance(messages, list):
            collector.problem(label, "chat has no messages list", where=f"chat {chat.get('name') or chat_id}")
            continue
        chat_prefix = chat_id if prefix else ""
        collector.each(
            messages,
            label,
            lambda item, chat_prefix=chat_prefix: read_message(item, options, chat_prefix, source, names[0]),
            where=message_place,
        )
    return collector.finish(str(path), EXPECTED)


def public_or_named(chats: list[dict], options: ImportOptions, collector: Collector, label: str) -> list[dict]:
    """The chats that may be published: public ones, and private ones the editor named."""
    kept = []
    for chat in chats:
        kind = PRIVATE_TYPES.get(str(chat.get("type")))
        if kind is None or options.names_private(chat.get("name"), chat.get("id")):
            kept.append(chat)
            continue
        name = str(chat.get("name") or chat.get("id") or "")
        what = f"the {kind} {name!r} ({chat.get('type')})"
        if len(chats) == 1:
            raise refuse_private(label, what, name)
        messages = chat.get("messages") if isinstance(chat.get("messages"), list) else []
        collector.skip(
            private_skip(f"messages in {what}", name),
            sum(1 for m in messages if isinstance(m, dict) and m.get("type", "message") == "message"),
        )
    return kept


def chats_of(data: dict, label: str) -> list[dict]:
    if isinstance(data.get("messages"), list):
        return [data]
    listing = (data.get("chats") or {}).get("list") if isinstance(data.get("chats"), dict) else None
    if isinstance(listing, list):
        return [c for c in listing if isinstance(c, dict)]
    raise refuse(
        label,
        "no `messages` and no `chats.list`: not a Telegram export",
        "export the chat from Telegram Desktop as JSON (machine-readable)",
    )


def flatten(text) -> tuple[markup.Converted, list[str], list[str], list[str]]:
    """Telegram's text (string or list of parts) → converted text, links, mentions, hashtags."""
    if isinstance(text, str):
        return markup.Converted(text), [], [], []
    if not isinstance(text, list):
        raise BadRecord("text is neither a string nor a list")
    links, mentions, hashtags = [], [], []
    for part in text:
        if not isinstance(part, dict):
            continue
        piece = str(part.get("text") or "")
        kind = part.get("type")
        if kind == "link":
            links.append(piece)
        elif kind == "text_link" and part.get("href"):
            links.append(part["href"])
        elif kind in ("mention", "mention_name"):
            mentions.append(piece)
        elif kind == "hashtag":
            hashtags.append(piece.lstrip("#"))
    return markup.telegram(text), links, mentions, hashtags


def read_message(item, options: ImportOptions, prefix: str, source: Source | None = None, near: str = "") -> Message | None:
    if not isinstance(item, dict):
        raise BadRecord("not a message object")
    if item.get("type", "message") != "message":
        raise Skip("service messages (joins, pins, calls, group changes)")
    at = parse_epoch(item["date_unixtime"]) if item.get("date_unixtime") else parse_iso(item.get("date"), options.zone)
    raw_id = item.get("id")
    if raw_id is None:  # minimal exports have no ids: make a stable one from what is there
        from ._common import short_hash

        raw_id = short_hash(at.isoformat(), item.get("from"), str(item.get("text")))
    author = str(item.get("from_id") or item.get("from") or item.get("author") or "")
    if not author:
        raise BadRecord("message has no from_id or from")
    converted, links, mentions, hashtags = flatten(item.get("text", ""))
    text, body = converted.text, converted.body
    media = [m for key in ("photo", "file") if (m := attachment(item, key, source, near))]
    poll = item.get("poll") or {}
    if isinstance(poll, dict) and poll.get("question"):
        text = (
            (text + "\n\n" if text else "")
            + f"Poll: {poll['question']}\n"
            + "\n".join(f"○ {a.get('text', '')}" for a in poll.get("answers") or [] if isinstance(a, dict))
        )
        body = ()
    edited = item.get("edited_unixtime") or item.get("edited")
    reply = item.get("reply_to_message_id")
    with_prefix = (lambda value: f"{prefix}-{value}") if prefix else str
    return message(
        id=with_prefix(raw_id),
        platform="telegram",
        author=author,
        author_name=str(item.get("from") or ""),
        at=at,
        text=text,
        body=body,
        reply_to=with_prefix(reply) if reply is not None else None,
        links=links or find_links(text),
        mentions=mentions or find_mentions(text),
        hashtags=hashtags or find_hashtags(text),
        media=media,
        likes=sum(count_of(r.get("count")) for r in item.get("reactions") or [] if isinstance(r, dict)),
        reactions=reactions_of(
            {}, ((r.get("emoji") or r.get("type"), r.get("count")) for r in item.get("reactions") or [] if isinstance(r, dict))
        ),
        edited_at=(parse_epoch(edited) if str(edited).isdigit() else parse_iso(edited, options.zone)) if edited else None,
    )


def attachment(item: dict, key: str, source: Source | None, near: str) -> Media | None:
    """The message's photo or file: a file of the export when it was downloaded, else only the
    fact that one was attached (Telegram writes a placeholder sentence instead of the path)."""
    value = item.get(key)
    if not isinstance(value, str) or not value:
        return None
    kind = media_kind("image" if key == "photo" else item.get("media_type") or item.get("mime_type") or value)
    if value.startswith(NOT_INCLUDED):
        return Media(kind=kind, alt="not included in the export")
    size = item.get("photo_file_size") or item.get("file_size")
    width, height = item.get("width"), item.get("height")
    return Media(
        file=source.file_name(value, near) if source else "",
        kind=kind,
        name=str(item.get("file_name") or value.rsplit("/", 1)[-1]),
        size=size if isinstance(size, int) and size >= 0 else None,
        width=width if isinstance(width, int) and width > 0 else None,
        height=height if isinstance(height, int) and height > 0 else None,
    )
