"""X API JSON: v2 search/stream pages (as twarc writes them, one page per line, or one page) and
v1.1 statuses (an array, or a search response `{"statuses": [...]}`).

v2 joins authors from `includes.users`, media from `includes.media`, retweeted full text and
earlier versions of edited tweets from `includes.tweets`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.archive.model import Media, Message

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
    load_json,
    message,
    parse_iso,
    refuse,
    unescape,
)
from ._x import check_not_protected, collapse_edits, expand_urls, number, read_v1_tweet, x_permalink

EXPECTED = "X API JSON (v2 pages or v1.1 statuses)"


def read(path: Path, options: ImportOptions) -> ImportResult:
    source = Source(path)
    collector = Collector(options)
    names = [n for n in source.names() if n.lower().endswith((".json", ".jsonl", ".ndjson"))] or source.names()
    initial_of: dict[str, str] = {}
    for name in names:
        label = source.label(name)
        for line, document in read_documents(source.read_bytes(name), label, collector):
            read_document(document, label, line, collector, initial_of, options)
    collector.result.messages = collapse_edits(collector.result.messages, initial_of)
    return collector.finish(str(path), EXPECTED)


def read_documents(data: bytes, label: str, collector: Collector):
    """One JSON document, or one per line (twarc); a bad line is a problem, not the end."""
    text = decode_text(data, label, EXPECTED)
    stripped = text.strip()
    if stripped.startswith("[") or "\n" not in stripped:
        yield None, load_json(text, label, EXPECTED)
        return
    try:
        yield None, json.loads(text)
        return
    except json.JSONDecodeError:
        pass
    for number_, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number_, json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            collector.problem(
                label,
                f"skipped a line that is not complete JSON ({getattr(exc, 'msg', exc)})",
                number_,
                fix="the line was probably cut off; export again to get it",
            )


def read_document(
    document: Any, label: str, line: int | None, collector: Collector, initial_of: dict[str, str], options: ImportOptions
) -> None:
    def v1(tweet):
        return read_v1_tweet(tweet, options=options)

    if isinstance(document, list):
        collector.each(document, label, v1, where=lambda i, t: f"status {i + 1}", line=lambda i, t: line)
    elif isinstance(document, dict) and isinstance(document.get("statuses"), list):
        collector.each(document["statuses"], label, v1, where=lambda i, t: f"status {i + 1}", line=lambda i, t: line)
    elif isinstance(document, dict) and "data" in document:
        read_v2_page(document, label, line, collector, initial_of, options)
    elif isinstance(document, dict) and "id_str" in document:
        collector.each([document], label, v1, line=lambda i, t: line)
    elif isinstance(document, dict) and ("errors" in document or "title" in document):
        collector.problem(
            label, f"the API returned an error, not tweets: {str(document.get('errors') or document.get('title'))[:120]}", line
        )
    else:
        raise refuse(label, "neither an API v2 page (`data`) nor v1.1 statuses", "name the right format with --format", line)


def read_v2_page(
    page: dict, label: str, line: int | None, collector: Collector, initial_of: dict[str, str], options: ImportOptions
) -> None:
    includes = page.get("includes") or {}
    users = {u.get("id"): u for u in includes.get("users") or [] if isinstance(u, dict)}
    media = {m.get("media_key"): m for m in includes.get("media") or [] if isinstance(m, dict)}
    referenced = {t.get("id"): t for t in includes.get("tweets") or [] if isinstance(t, dict)}
    data = page.get("data")
    tweets = [data] if isinstance(data, dict) else data if isinstance(data, list) else []
    ids = {t.get("id") for t in tweets if isinstance(t, dict)}

    def convert(tweet):
        if isinstance(tweet, dict):
            check_not_protected(users.get(tweet.get("author_id")) or {}, options)
        made = [read_v2_tweet(tweet, users, media, referenced)]
        history = tweet.get("edit_history_tweet_ids") or []
        for version in history:
            initial_of[str(version)] = str(history[0])
            if version in referenced and version not in ids:  # an earlier version, for its time
                made.append(read_v2_tweet(referenced[version], users, media, referenced))
        return made

    collector.each(tweets, label, convert, where=lambda i, t: f"data[{i}]", line=lambda i, t: line)


def read_v2_tweet(tweet: dict, users: dict, media: dict, referenced: dict) -> Message:
    if not isinstance(tweet, dict) or not tweet.get("id"):
        raise BadRecord("tweet has no id")
    user = users.get(tweet.get("author_id")) or {}
    handle = f"@{user['username']}" if user.get("username") else None
    if handle is None:
        raise BadRecord(f"author {tweet.get('author_id')!r} is not in includes.users")
    refs = {r.get("type"): str(r.get("id")) for r in tweet.get("referenced_tweets") or [] if isinstance(r, dict)}
    source = tweet
    if "retweeted" in refs and refs["retweeted"] in referenced:
        source = referenced[refs["retweeted"]]
    entities = source.get("entities") or {}
    keys = (source.get("attachments") or {}).get("media_keys") or []
    items = [media[k] for k in keys if k in media]
    attached = [
        Media(
            url=m.get("url") or m.get("preview_image_url") or "",
            kind={"photo": "image"}.get(m.get("type"), "video" if m.get("type") in ("video", "animated_gif") else "other"),
            alt=m.get("alt_text") or "",
        )
        for m in items
    ]
    text, links = expand_urls((source.get("note_tweet") or {}).get("text") or source.get("text") or "", entities, set())
    text = unescape(text)
    if source is not tweet:
        author = (users.get(source.get("author_id")) or {}).get("username", "")
        text = f"RT @{author}: {text}"
    mentions = [f"@{m['username']}" for m in entities.get("mentions") or [] if m.get("username")]
    hashtags = [h.get("tag", "") for h in entities.get("hashtags") or []]
    return message(
        id=str(tweet["id"]),
        platform="x",
        author=handle,
        author_name=user.get("name", ""),
        at=parse_iso(tweet.get("created_at")),
        text=text,
        reply_to=refs.get("replied_to"),
        quote_of=refs.get("quoted"),
        links=links or find_links(text),
        mentions=mentions or find_mentions(text),
        hashtags=hashtags or find_hashtags(text),
        media=[m for m in attached if m.url],
        likes=number((tweet.get("public_metrics") or {}).get("like_count")),
        permalink=x_permalink(handle, str(tweet["id"])),
    )
