"""Apply the opt-out ledger (data/privacy.yml) to an archive before anything is rendered.

Applied once, right after loading, so every surface built from the result (pages, stats,
people, feeds, search, calendar, sitemap) is redacted by construction: nothing downstream ever
sees the person's messages, handles or names.

An opt-out names a handle or a person id from people.yml; for a person it covers all their
handles on every platform. Two modes:

* ``remove``     their messages are dropped, and so are retweets of them; replies and quotes
                 lose the link, and their words copied into a quote in the same chat are
                 replaced.
* ``anonymise``  their messages stay, attributed to "(anonymous N)" with no name, handle or
                 permalink; they are left out of stats and people pages.

In both modes their handles and display names are replaced wherever others wrote them
(mentions, quotes, hashtags, links, episode texts, previews, bios), and they are dropped from
hosts, guests and people. `since` is the date of the request, kept for the record: the opt-out
covers every message, before and after it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from generator.archive.model import Archive, Community, EpisodeContent, Link, Media, Message, OptOut, Person, Span, handle_key
from generator.archive.summaries import LazyMessages

# A chat's highlights that survive the redaction, when known without reading it (summaries.py).
KeptHighlights = Callable[[EpisodeContent], "tuple[str, ...] | None"]

REMOVED_TEXT = "[removed at the participant's request]"
REMOVED_MENTION = "@[removed]"
REMOVED_NAME = "[removed]"
# Parentheses and a space: no platform allows them in a handle, so a real author never matches.
ANONYMOUS_PREFIX = "(anonymous "
# Shorter names and quoted texts would blank ordinary words ("Al", "ok") in everyone's messages.
MIN_NAME = 3
MIN_QUOTED = 12
_RETWEET = re.compile(r"^\s*RT\s+@?([^\s:]+)", re.IGNORECASE)


def anonymous_label(number: int) -> str:
    return f"{ANONYMOUS_PREFIX}{number})"


def is_anonymous(author: str) -> bool:
    """True for the label an anonymised author is shown under."""
    return author.startswith(ANONYMOUS_PREFIX)


@dataclass(frozen=True)
class Redaction:
    """Who is opted out and how to scrub them from text; built from the ledger and the data."""

    removed: frozenset[str]  # handle keys and person ids whose messages are dropped
    anonymised: frozenset[str]  # handle keys and person ids whose messages lose their author
    names: frozenset[str]  # display names to replace in other people's text
    owners: dict[str, str] = field(default_factory=dict, compare=False)  # handle key -> person id

    def owner(self, handle: str) -> str:
        """One key per person, so their handles on every platform share one anonymous label."""
        key = handle_key(handle)
        return self.owners.get(key, key)

    @cached_property
    def fingerprint(self) -> str:
        """Everything the redaction does: equal fingerprints redact any text the same way."""
        data = [sorted(self.removed), sorted(self.anonymised), sorted(self.names), sorted(self.owners.items())]
        return hashlib.blake2b(json.dumps(data).encode(), digest_size=16).hexdigest()

    @property
    def everyone(self) -> frozenset[str]:
        return self.removed | self.anonymised

    def covers(self, handle: str) -> bool:
        return handle_key(handle) in self.everyone

    @cached_property
    def _mention(self) -> re.Pattern[str] | None:
        return _alternation(self.everyone, prefix="@?")

    @cached_property
    def _name(self) -> re.Pattern[str] | None:
        return _alternation({n for n in self.names if len(n) >= MIN_NAME})

    def scrub(self, text: str) -> str:
        """Text with the handles and the names replaced."""
        if not text:
            return text
        if self._mention:
            text = self._mention.sub(lambda m: REMOVED_MENTION if m.group(0).startswith("@") else REMOVED_NAME, text)
        if self._name:
            text = self._name.sub(REMOVED_NAME, text)
        return text

    def mentions(self, text: str) -> bool:
        """True when `text` holds one of their handles or names."""
        return bool(text) and any(p is not None and p.search(text) for p in (self._mention, self._name))


def _alternation(texts: Iterable[str], prefix: str = "") -> re.Pattern[str] | None:
    items = sorted({t for t in (x.strip() for x in texts) if t}, key=len, reverse=True)
    if not items:
        return None
    body = "|".join(re.escape(w) for w in items)
    # Not inside a longer word or handle; `@` and URL punctuation around it do not protect it,
    # so x.com/handle and mail@handle are caught too.
    return re.compile(rf"(?<!\w){prefix}(?:{body})(?!\w)", re.IGNORECASE)


# --- building the redaction ------------------------------------------------------------------


def person_of(optout: OptOut, people: tuple[Person, ...]) -> Person | None:
    key = handle_key(optout.handle)
    for person in people:
        if person.id == key or key in {handle_key(h) for hs in person.handles.values() for h in hs}:
            return person
    return None


def _keys_of(optout: OptOut, person: Person | None) -> set[str]:
    """An opt-out names a handle or a person id; a person's opt-out covers all their handles."""
    if person is None:
        return {handle_key(optout.handle)}
    handles = {handle_key(h) for hs in person.handles.values() for h in hs}
    return handles | {person.id, handle_key(optout.handle)}


def build_redaction(optouts: Iterable[OptOut], people: tuple[Person, ...], authors: Iterable[tuple[str, str]] = ()) -> Redaction:
    """The redaction for a ledger. `authors` are the (handle, display name) pairs the transcripts
    hold: an opted-out handle's display names are scrubbed from everyone's text too."""
    removed: set[str] = set()
    anonymised: set[str] = set()
    names: set[str] = set()
    owners: dict[str, str] = {}
    for optout in optouts:
        person = person_of(optout, people)
        keys = _keys_of(optout, person)
        (removed if optout.mode == "remove" else anonymised).update(keys)
        if person is not None:
            names.add(person.name)
            owners.update(dict.fromkeys(keys, person.id))
    # Someone opted out in both modes is removed: the stricter request wins.
    anonymised -= removed
    for author, name in authors:
        if name and handle_key(author) in removed | anonymised:
            names.add(name)  # the display name the platform export showed
    return Redaction(frozenset(removed), frozenset(anonymised), frozenset(names), owners)


def message_authors(messages: Iterable[Message]) -> Iterable[tuple[str, str]]:
    return ((m.author, m.author_name) for m in messages)


def apply_optouts(archive: Archive, redaction: Redaction | None = None, kept_highlights: KeptHighlights | None = None) -> Archive:
    """The archive as it may be published. `redaction` defaults to the archive's own ledger with
    every message's author; `kept_highlights` lets a chat whose messages were not read stay unread
    (redact_episode)."""
    if not archive.optouts:
        return archive
    if redaction is None:
        redaction = build_redaction(archive.optouts, archive.people, message_authors(m for c in archive.episodes for m in c.messages))
    episodes = tuple(redact_episode(c, redaction, kept_highlights(c) if kept_highlights else None) for c in archive.episodes)
    people = tuple(_redact_person(p, redaction) for p in archive.people if p.id not in redaction.everyone)
    community = _redact_community(archive.community, redaction)
    return archive.model_copy(update={"community": community, "episodes": episodes, "people": people})


# --- applying it -----------------------------------------------------------------------------


def redact_messages(messages: Iterable[Message], redaction: Redaction) -> tuple[list[Message], set[str]]:
    """The messages as they may be published, and the ids of the messages that were dropped."""
    messages = list(messages)
    dropped = [m for m in messages if _is_dropped(m, redaction)]
    gone = {m.id for m in dropped}
    # Their words copied into a quote or reply of the same chat. Searched only in messages that
    # point at them or name them, so a large archive is not scanned once per removed message.
    quoted = sorted({t for m in dropped if len(t := m.text.strip()) >= MIN_QUOTED}, key=len, reverse=True)
    kept: list[Message] = []
    labels: dict[str, str] = {}
    for message in messages:
        if message.id in gone:
            continue
        if quoted and (message.quote_of in gone or message.reply_to in gone or redaction.mentions(message.text)):
            message = _unquote(message, quoted)
        kept.append(_redact_message(message, redaction, labels))
    # Replies and quotes of dropped messages must not point at (or reveal) them.
    kept = [_unlink(m, gone) for m in kept]
    return kept, gone


def _unquote(message: Message, quoted: list[str]) -> Message:
    text = message.text
    for words in quoted:
        text = text.replace(words, REMOVED_TEXT)
    return message.model_copy(update={"text": text}) if text != message.text else message


def _is_dropped(message: Message, redaction: Redaction) -> bool:
    if handle_key(message.author) in redaction.removed:
        return True
    retweet = _RETWEET.match(message.text)  # "RT @gone: their words" is their message
    return bool(retweet and handle_key(retweet.group(1)) in redaction.removed)


def _redact_message(message: Message, redaction: Redaction, labels: dict[str, str]) -> Message:
    update: dict = {}
    author = handle_key(message.author)
    if author in redaction.anonymised:
        label = labels.setdefault(redaction.owner(author), anonymous_label(len(labels) + 1))
        update.update(author=label, author_name="", permalink=None)
    text = redaction.scrub(message.text)
    if message.body:
        body, text = _redact_body(message, text, redaction)
        if body != message.body:
            update["body"] = body
    if text != message.text:
        update["text"] = text
    mentions = tuple(m for m in message.mentions if not redaction.covers(m))
    if mentions != message.mentions:
        update["mentions"] = mentions
    hashtags = tuple(h for h in message.hashtags if not redaction.mentions(h))
    if hashtags != message.hashtags:
        update["hashtags"] = hashtags
    links = tuple(url for url in message.links if not redaction.mentions(url))
    if links != message.links:
        update["links"] = links
    media = tuple(_redact_media(m, redaction) for m in message.media if not redaction.mentions(m.url) and not redaction.mentions(m.file))
    if media != message.media:
        update["media"] = media
    if message.permalink and redaction.mentions(message.permalink):
        update["permalink"] = None
    return message.model_copy(update=update) if update else message


def _redact_body(message: Message, text: str, redaction: Redaction) -> tuple[tuple[Span, ...], str]:
    """The formatted spans and the text (already scrubbed) with their handles and names
    replaced; a mention of them becomes the plain "@[removed]", whatever name it showed. No spans
    (the text shown plain) when they no longer spell the text, or when a name split across two
    spans would survive."""
    hidden = [s.text for s in message.body if s.mention and redaction.covers(s.mention) and s.text.strip()]
    if "".join(s.text for s in message.body) != message.text:
        # already out of step (a quote of a removed message was replaced): plain text only
        for shown in sorted(hidden, key=len, reverse=True):
            text = text.replace(shown, REMOVED_MENTION)
        return (), text
    spans = []
    for span in message.body:
        if span.mention and redaction.covers(span.mention):
            span = Span(text=REMOVED_MENTION, marks=span.marks, block=span.block)
        elif redaction.mentions(span.text) or (span.link and redaction.mentions(span.link)):
            link = None if span.link and redaction.mentions(span.link) else span.link
            span = span.model_copy(update={"text": redaction.scrub(span.text), "link": link})
        spans.append(span)
    joined = "".join(s.text for s in spans)
    scrubbed = redaction.scrub(joined)
    return (tuple(spans) if scrubbed == joined else ()), scrubbed


def _redact_media(media: Media, redaction: Redaction) -> Media:
    if not (redaction.mentions(media.alt) or redaction.mentions(media.name)):
        return media
    return media.model_copy(update={"alt": redaction.scrub(media.alt), "name": redaction.scrub(media.name)})


def _unlink(message: Message, gone: set[str]) -> Message:
    if message.reply_to not in gone and message.quote_of not in gone:
        return message
    return message.model_copy(
        update={
            "reply_to": None if message.reply_to in gone else message.reply_to,
            "quote_of": None if message.quote_of in gone else message.quote_of,
        }
    )


def redact_episode(content: EpisodeContent, redaction: Redaction, kept_highlights: tuple[str, ...] | None = None) -> EpisodeContent:
    """The chat as it may be published. A chat whose messages were not read (LazyMessages) and
    whose surviving highlights are known from the last run stays unread: its messages are
    redacted when first asked for."""
    if kept_highlights is not None and isinstance(content.messages, LazyMessages):
        unread = content.messages
        messages: Sequence[Message] = LazyMessages(lambda: redact_messages(unread, redaction)[0])
        highlights = list(kept_highlights)
    else:
        redacted, gone = redact_messages(content.messages, redaction)
        messages = tuple(redacted)
        highlights = [h for h in content.episode.highlights if h not in gone]
    episode = content.episode
    scrub = redaction.scrub
    episode = episode.model_copy(
        update={
            "title": scrub(episode.title) or REMOVED_NAME,
            "summary": scrub(episode.summary),
            "questions": [scrub(q) for q in episode.questions],
            "tags": [t for t in episode.tags if not redaction.mentions(t)],
            "highlights": highlights,
            "hosts": [h for h in episode.hosts if h not in redaction.everyone],
            "guests": [g for g in episode.guests if g not in redaction.everyone],
            "preview": _redact_link(episode.preview, redaction),
            "recap": _redact_link(episode.recap, redaction),
        }
    )
    return content.model_copy(
        update={
            "episode": episode,
            "preview_markdown": scrub(content.preview_markdown),
            "messages": messages,
        }
    )


def _redact_link(link: Link | None, redaction: Redaction) -> Link | None:
    if link is None or redaction.mentions(link.url):
        return None
    return link.model_copy(update={"title": redaction.scrub(link.title), "author": redaction.scrub(link.author)})


def _redact_person(person: Person, redaction: Redaction) -> Person:
    return person.model_copy(update={"bio": redaction.scrub(person.bio)}) if redaction.mentions(person.bio) else person


def _redact_community(community: Community, redaction: Redaction) -> Community:
    return community.model_copy(update={"description": redaction.scrub(community.description)})
