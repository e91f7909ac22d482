"""X/Twitter personal archive: the folder (or its zip) or one of its tweet files.

Reads data/tweets.js (2022+, also tweets-partN.js), data/tweet.js (2019–2021),
data/deleted-tweets.js (kept as deletions, without their text) and the legacy "Grailbird"
data/js/tweets/YYYY_MM.js. Files are JavaScript: everything up to the first `=` is dropped.
The archive's tweets do not name their author; it comes from data/account.js.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.archive.model import Message

from ._common import BadRecord, Collector, ImportOptions, ImportResult, Source, decode_text, expect, load_json, refuse
from ._x import collapse_edits, read_v1_tweet

EXPECTED = "an X archive (data/tweets.js)"
TWEETS = r"(^|/)(tweets?|tweets?-part\d+)\.js$"
DELETED = r"(^|/)deleted-tweets?(-part\d+)?\.js$"
GRAILBIRD = r"(^|/)data/js/tweets/\d{4}_\d{2}\.js$|^\d{4}_\d{2}\.js$"


def read(path: Path, options: ImportOptions) -> ImportResult:
    source = Source(path)
    collector = Collector(options)
    tweets_files = source.find(TWEETS) + [n for n in source.find(GRAILBIRD) if n not in source.find(TWEETS)]
    deleted_files = source.find(DELETED)
    if source.is_single_file and not deleted_files:
        tweets_files = source.names()  # the user named the file: trust it, whatever its name
    if not tweets_files and not deleted_files:
        raise refuse(
            str(path),
            "no tweets.js, tweet.js or data/js/tweets/*.js in this folder or zip",
            "pass the unzipped X archive folder, its zip, or its data/tweets.js",
        )
    author = read_account(source, path)
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
            return with_media_files(read_v1_tweet(tweet, handle, name, deleted=deleted), source)

        collector.each(items, label, convert, where=lambda i, item: f"tweet {i + 1}")
    collector.result.messages = collapse_edits(collector.result.messages, initial_of)
    return collector.finish(str(path), EXPECTED)


def read_js(data: bytes, label: str):
    """`window.YTD.tweets.part0 = [...]` or `Grailbird.data.tweets_2009_06 = \\n [...]` → JSON."""
    text = decode_text(data, label, EXPECTED)
    match = re.match(r"\s*[A-Za-z_$][\w$.]*\s*=\s*", text)
    if not match:
        if text.lstrip().startswith("["):
            return load_json(text, label, EXPECTED)
        raise refuse(label, "not an X archive file: expected `window.YTD.… = [` at the start", "pass the archive's data/tweets.js", 1)
    return load_json(text[match.end() :].rstrip().rstrip(";"), label, EXPECTED)


def read_account(source: Source, path: Path) -> tuple[str, str] | None:
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
        return f"@{account['username']}", account.get("accountDisplayName", "")
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
