"""X/Twitter personal archive: the folder (or its zip) or one of its tweet files.

Reads data/tweets.js (2022+, also tweets-partN.js), data/tweet.js (2019–2021),
data/community-tweet.js (posts in X Communities, which tweets.js leaves out),
data/deleted-tweets.js (kept as deletions, without their text) and the legacy "Grailbird"
data/js/tweets/YYYY_MM.js. Files are JavaScript: everything up to the first `=` is dropped.
The archive's tweets do not name their author; it comes from data/account.js.

Tweets the owner posted while the account was protected (data/protected-history.js) are left
out and counted unless the editor names the owner's handle with --include-private.

Direct messages (data/direct-messages.js, direct-messages-group.js) are left out and counted,
one conversation at a time; the editor imports one by naming its conversation id with
--include-private. A DM names its sender by account id only: the archive's owner gets their
handle from account.js, everybody else their numeric id.
"""

from __future__ import annotations

import datetime as dt
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
    decode_text,
    expect,
    find_hashtags,
    find_mentions,
    load_json,
    message,
    parse_iso,
    private_skip,
    refuse,
    unescape,
)
from ._x import collapse_edits, read_v1_tweet

EXPECTED = "an X archive (data/tweets.js)"
TWEETS = r"(^|/)(tweets?|tweets?-part\d+|community-tweets?(-part\d+)?)\.js$"
DELETED = r"(^|/)deleted-tweets?(-part\d+)?\.js$"
DMS = r"(^|/)direct-messages?(-group)?(-part\d+)?\.js$"
GRAILBIRD = r"(^|/)data/js/tweets/\d{4}_\d{2}\.js$|^\d{4}_\d{2}\.js$"


def read(path: Path, options: ImportOptions) -> ImportResult:
    source = Source(path)
    collector = Collector(options)
    tweets_files = source.find(TWEETS) + [n for n in source.find(GRAILBIRD) if n not in source.find(TWEETS)]
    deleted_files = source.find(DELETED)
    dm_files = source.find(DMS)
    if source.is_single_file and not deleted_files and not dm_files:
        tweets_files = source.names()  # the user named the file: trust it, whatever its name
    if not tweets_files and not deleted_files and not dm_files:
        raise refuse(
            str(path),
            "no tweets.js, tweet.js or data/js/tweets/*.js in this folder or zip",
            "pass the unzipped X archive folder, its zip, or its data/tweets.js",
        )
    account = read_account(source, path)
    author = (account["handle"], account["name"]) if account else None
    protected = read_protected_history(source)
    owner = author[0] if author else "@archive-owner"
    if protected and options.names_private(owner, (account or {}).get("id")):
        protected = []
    initial_of: dict[str, str] = {}
    for name, deleted in [(n, False) for n in tweets_files] + [(n, True) for n in deleted_files]:
        label = source.label(name)
        items = expect(read_js(source.read_bytes(name), label), list, label, "top level", EXPECTED)
        first = items[0].get("tweet", items[0]) if items and isinstance(items[0], dict) else None
        if author is None and isinstance(first, dict) and not first.get("user"):
            collector.problem(
                label,
                "the archive's account.js is missing: its tweets are attributed to @archive-owner",
                fix="import the whole archive folder or zip",
            )
            author = ("@archive-owner", "")

        def convert(item, deleted=deleted):
            tweet = item.get("tweet", item) if isinstance(item, dict) else None
            if not isinstance(tweet, dict):
                raise BadRecord("not a tweet object")
            edit = (tweet.get("edit_info") or {}).get("edit") or {}
            if edit.get("initialTweetId"):
                initial_of[str(tweet.get("id_str"))] = str(edit["initialTweetId"])
            handle, name = author if author and not tweet.get("user") else (None, "")  # noqa: B023 (called within this iteration)
            made = read_v1_tweet(tweet, handle, name, deleted=deleted, options=options)
            if not tweet.get("user") and was_protected(protected, made.at):
                raise Skip(private_skip(f"tweets posted while the account {owner} was protected", owner))
            return with_media_files(made, source)

        collector.each(items, label, convert, where=lambda i, item: f"tweet {i + 1}")
    for name in dm_files:
        read_direct_messages(source, name, account or {}, collector)
    collector.result.messages = collapse_edits(collector.result.messages, initial_of)
    return collector.finish(str(path), EXPECTED)


def read_protected_history(source: Source) -> list[tuple[dt.datetime, bool]]:
    """When the owner protected and unprotected their tweets (the archive keeps six months)."""
    changes = []
    for name in source.find(r"(^|/)protected-history\.js$"):
        label = source.label(name)
        for item in expect(read_js(source.read_bytes(name), label), list, label, "top level", "an X archive's protected-history.js"):
            event = item.get("protectedHistory") if isinstance(item, dict) else None
            if isinstance(event, dict) and event.get("action") in ("Protect", "Unprotect"):
                try:
                    changes.append((parse_iso(event.get("protectedAt")), event["action"] == "Protect"))
                except (BadRecord, ValueError):
                    continue
    return sorted(changes)


def was_protected(changes: list[tuple[dt.datetime, bool]], at: dt.datetime) -> bool:
    """Protected at `at`: the last change before it says so; before the first change, the
    opposite of it held (each change flips the setting)."""
    if not changes:
        return False
    before = [protect for when, protect in changes if when <= at]
    return before[-1] if before else not changes[0][1]


def read_direct_messages(source: Source, name: str, account: dict, collector: Collector) -> None:
    """Each conversation the editor named is imported; the others are counted as left out."""
    label = source.label(name)
    conversations = expect(read_js(source.read_bytes(name), label), list, label, "top level", "an X archive's direct-messages.js")
    for item in conversations:
        conversation = item.get("dmConversation") if isinstance(item, dict) else None
        if not isinstance(conversation, dict):
            continue
        ident = str(conversation.get("conversationId") or "")
        events = [e for e in conversation.get("messages") or [] if isinstance(e, dict) and isinstance(e.get("messageCreate"), dict)]
        if not collector.options.names_private(ident, conversation.get("name")):
            what = f"X {'group ' if 'group' in name else ''}direct messages in conversation {ident}"
            collector.skip(private_skip(what, ident), len(events))
            continue
        collector.each(
            [e["messageCreate"] for e in events],
            label,
            lambda dm: read_direct_message(dm, account),
            where=lambda i, dm: f"conversation {ident}, message {i + 1}",  # noqa: B023 (called within this iteration)
        )


def read_direct_message(dm: dict, account: dict):
    sender = str(dm.get("senderId") or "")
    if not dm.get("id") or not sender:
        raise BadRecord("direct message has no id or senderId")
    text = unescape(str(dm.get("text") or ""))
    links = []
    for url in dm.get("urls") or []:
        if isinstance(url, dict) and url.get("url") and url.get("expanded"):
            text = text.replace(url["url"], url["expanded"])
            links.append(url["expanded"])
    own = sender == account.get("id")
    return message(
        id=str(dm["id"]),
        platform="x",
        author=account["handle"] if own else sender,
        author_name=account.get("name", "") if own else "",
        at=parse_iso(dm.get("createdAt")),
        text=text,
        links=links,
        mentions=find_mentions(text),
        hashtags=find_hashtags(text),
    )


def read_js(data: bytes, label: str):
    """`window.YTD.tweets.part0 = [...]` or `Grailbird.data.tweets_2009_06 = \\n [...]` → JSON."""
    text = decode_text(data, label, EXPECTED)
    match = re.match(r"\s*[A-Za-z_$][\w$.]*\s*=\s*", text)
    if not match:
        if text.lstrip().startswith("["):
            return load_json(text, label, EXPECTED)
        raise refuse(label, "not an X archive file: expected `window.YTD.… = [` at the start", "pass the archive's data/tweets.js", 1)
    return load_json(text[match.end() :].rstrip().rstrip(";"), label, EXPECTED)


def read_account(source: Source, path: Path) -> dict | None:
    """The archive owner's handle, display name and account id, from data/account.js."""
    names = source.find(r"(^|/)account\.js$")
    if names:
        data, label = source.read_bytes(names[0]), source.label(names[0])
    elif source.is_single_file and (path.parent / "account.js").is_file():
        data, label = (path.parent / "account.js").read_bytes(), str(path.parent / "account.js")
    else:
        return None
    try:
        items = read_js(data, label)
        account = items[0]["account"]
        return {
            "handle": f"@{account['username']}",
            "name": account.get("accountDisplayName", ""),
            "id": str(account.get("accountId") or ""),
        }
    except Exception:  # a broken account.js only costs the author's name
        return None


def with_media_files(message: Message, source: Source) -> Message:
    """The archive keeps each tweet's photos as data/tweets_media/<tweet id>-<file name>."""
    if not message.media:
        return message
    media = tuple(
        m.model_copy(update={"file": found})
        if m.name
        and (
            found := source.file_name(f"data/tweets_media/{message.id}-{m.name}") or source.file_name(f"tweets_media/{message.id}-{m.name}")
        )
        else m
        for m in message.media
    )
    return message.model_copy(update={"media": media})
