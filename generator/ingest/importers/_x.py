"""Tweets in the v1.1 shape, shared by the X archive, API v1.1 and TAGS importers.

Text is normalised once: t.co links replaced by their expanded URL from `entities.urls`, the
t.co link of attached media removed (the media becomes a Media entry), entities decoded.

A protected account's tweets were seen only by its approved followers: they are skipped unless
the editor names the account with --include-private.
"""

from __future__ import annotations

from typing import Any

from generator.archive.model import Media, Message

from ._common import (
    BadRecord,
    ImportOptions,
    Skip,
    find_hashtags,
    find_links,
    find_mentions,
    message,
    parse_twitter_time,
    private_skip,
    reactions_of,
    unescape,
)
from .markup import plain_with_mentions


def check_not_protected(user: dict, options: ImportOptions | None) -> None:
    """Raise Skip for a protected account's tweet, unless the editor named the account."""
    if not user.get("protected"):
        return
    handle = f"@{user.get('screen_name') or user.get('username') or ''}"
    if options is not None and options.names_private(handle, user.get("id_str"), user.get("id")):
        return
    raise Skip(private_skip(f"tweets of the protected account {handle}", handle))


def x_permalink(handle: str, tweet_id: str) -> str:
    return f"https://x.com/{handle.lstrip('@')}/status/{tweet_id}"


def number(value: Any) -> int:
    """Counts come as numbers or as strings ("12") depending on the export."""
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def expand_urls(text: str, entities: dict, media_urls: set[str]) -> tuple[str, list[str]]:
    links = []
    for url in (entities or {}).get("urls") or []:
        short = url.get("url") or ""
        full = url.get("unwound_url") or url.get("expanded_url") or short
        if url.get("media_key") or short in media_urls:
            text = text.replace(short, "")
            continue
        if short and full:
            text = text.replace(short, full)
            links.append(full)
    for short in media_urls:
        text = text.replace(short, "")
    return text.strip(), links


def v1_media(tweet: dict) -> tuple[list[Media], set[str]]:
    extended = (tweet.get("extended_entities") or {}).get("media") or (tweet.get("entities") or {}).get("media") or []
    media, short_urls = [], set()
    for item in extended:
        kind = {"photo": "image", "video": "video", "animated_gif": "video"}.get(item.get("type", ""), "other")
        url = item.get("media_url_https") or item.get("media_url") or item.get("expanded_url") or ""
        if kind == "video":
            variants = [v for v in ((item.get("video_info") or {}).get("variants") or []) if v.get("content_type") == "video/mp4"]
            if variants:
                url = max(variants, key=lambda v: int(v.get("bitrate") or 0))["url"]
        if url:
            name = url.split("?", 1)[0].rsplit("/", 1)[-1]
            media.append(Media(url=url, kind=kind, alt=item.get("ext_alt_text") or "", name=name))
        if item.get("url"):
            short_urls.add(item["url"])
    return media, short_urls


def read_v1_tweet(
    tweet: dict, author: str | None = None, author_name: str = "", deleted: bool = False, options: ImportOptions | None = None
) -> Message:
    """One tweet object (archive, Grailbird or API v1.1) → Message."""
    if not isinstance(tweet, dict):
        raise BadRecord("not a tweet object")
    tweet_id = str(tweet.get("id_str") or tweet.get("id") or "")
    if not tweet_id:
        raise BadRecord("tweet has no id_str")
    user = tweet.get("user") or {}
    check_not_protected(user, options)
    handle = author or (f"@{user['screen_name']}" if user.get("screen_name") else None)
    if not handle:
        raise BadRecord("tweet has no author (user.screen_name)")
    name = author_name or user.get("name") or ""
    retweeted = tweet.get("retweeted_status")
    source = retweeted if isinstance(retweeted, dict) else tweet
    full = (source.get("extended_tweet") or {}).get("full_text") or source.get("full_text") or source.get("text") or ""
    entities = (source.get("extended_tweet") or {}).get("entities") or source.get("entities") or {}
    media, media_urls = v1_media(source.get("extended_tweet") or source)
    text, links = expand_urls(full, entities, media_urls)
    text = unescape(text)
    if source is not tweet:
        text = f"RT @{(source.get('user') or {}).get('screen_name', '')}: {text}"
    mentions = [f"@{m['screen_name']}" for m in entities.get("user_mentions") or [] if m.get("screen_name")] or find_mentions(text)
    hashtags = [h.get("text", "") for h in entities.get("hashtags") or []]
    quoted = tweet.get("quoted_status_id_str") or (tweet.get("quoted_status") or {}).get("id_str")
    return message(
        id=tweet_id,
        platform="x",
        author=handle,
        author_name=name,
        at=parse_twitter_time(tweet.get("created_at")),
        text="" if deleted else text,
        body=plain_with_mentions(text, mentions),
        reply_to=tweet.get("in_reply_to_status_id_str")
        or (str(tweet["in_reply_to_status_id"]) if tweet.get("in_reply_to_status_id") else None),
        quote_of=quoted,
        links=links or find_links(text),
        mentions=mentions,
        hashtags=hashtags or find_hashtags(text),
        media=media,
        likes=number(tweet.get("favorite_count")),
        # A retweet's own retweet_count is the original's: it says nothing of the retweet.
        reactions={}
        if source is not tweet
        else reactions_of({"reposts": tweet.get("retweet_count"), "quotes": tweet.get("quote_count"), "replies": tweet.get("reply_count")}),
        deleted=deleted,
        permalink=x_permalink(handle, tweet_id),
    )


def collapse_edits(messages: list[Message], initial_of: dict[str, str]) -> list[Message]:
    """Each edited tweet is several tweets (one per version): keep one message per edit chain.

    It keeps the id and time of the first version, so exports fetched before and after an edit
    merge into one message, and the latest text with `edited_at` set to the latest version's time.
    Replies and quotes that point at any version are pointed at the kept id.
    """
    if not initial_of:
        return messages
    chains: dict[str, list[Message]] = {}
    for m in messages:
        chains.setdefault(initial_of.get(m.id, m.id), []).append(m)
    kept = []
    for initial, versions in chains.items():
        versions.sort(key=lambda m: (m.at, int(m.id) if m.id.isdigit() else 0))
        first, last = versions[0], versions[-1]
        # a lone later version still says "edited", at the only time known
        edited = last.at if (last is not first or initial != last.id) else last.edited_at
        kept.append(last.model_copy(update={"id": initial, "at": first.at, "edited_at": edited, "permalink": first.permalink}))
    return [
        m.model_copy(update={"reply_to": initial_of.get(m.reply_to, m.reply_to), "quote_of": initial_of.get(m.quote_of, m.quote_of)})
        if (m.reply_to in initial_of or m.quote_of in initial_of)
        else m
        for m in kept
    ]
