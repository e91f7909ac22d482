"""Chat summaries: what the rest of the archive needs of a chat, so a warm generate need not read
the transcripts that did not change.

Reading, validating and analysing 156,000 messages is most of a warm generate at archive scale,
yet of a chat whose page is not rendered again the other pages need only a little: who posted
(for the people directory and activity), which messages were answers, how many messages and
people, the highlighted messages. That is a ChatSummary. Summaries are kept in the cache folder
keyed by everything they are made from: the transcript's bytes, episode.yml, the community,
people and privacy files, and the code that reads and analyses chats.

A chat found in the cache gets LazyMessages: its transcript is read again only if something asks
for its messages (its page is rendered again, its search entry is missing). So code that does
not know about summaries is still right, only slower. Deleting the cache is always safe.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator import cache
from generator.archive.model import Message

CACHE_NAME = "summaries"
MEMO_NAME = "summary-memos"  # what `remember` and `keep` hold


@dataclass(frozen=True)
class ChatSummary:
    count: int  # messages in the transcript, deleted ones too
    authors: tuple  # (platform, author, author_name) of each raw handle, in order of first message
    live: tuple  # (message id, platform, author) of each message not deleted, in order
    answer_ids: tuple  # messages placed under a question
    shown: int  # the chat's stats: messages not deleted,
    participants: int  # and the people who wrote them
    media: tuple  # (file, width, height) of each kept image its messages show, for generate to publish
    highlights: tuple  # the highlighted messages (Message), for people pages and feeds
    questions: tuple = ()  # (number, text, id of its top answer or "") of every question, for feeds
    top_answers: tuple = ()  # those top answers (Message)

    @property
    def by_id(self) -> dict[str, Message]:
        return {m.id: m for m in (*self.highlights, *self.top_answers)}

    def as_data(self) -> tuple:
        """Plain data for marshal: the highlighted messages as JSON."""
        return (
            self.count,
            self.authors,
            self.live,
            self.answer_ids,
            self.shown,
            self.participants,
            self.media,
            tuple(m.model_dump_json() for m in self.highlights),
            self.questions,
            tuple(m.model_dump_json() for m in self.top_answers),
        )

    @classmethod
    def from_data(cls, data: tuple) -> ChatSummary:
        *fields, highlights, questions, tops = data
        load = Message.model_validate_json
        return cls(*fields, tuple(load(h) for h in highlights), questions, tuple(load(t) for t in tops))


def summarise(content, digest) -> ChatSummary:
    from generator.digest.questions import ranked_answers

    best = {q.number: ranked_answers(q)[0].message for q in digest.questions if q.answers}
    authors: dict[tuple[str, str], str] = {}
    for m in content.messages:
        authors.setdefault((m.platform, m.author), m.author_name)
    live = tuple((m.id, m.platform, m.author) for m in content.messages if not m.deleted)
    highlighted = set(content.episode.highlights)
    return ChatSummary(
        count=len(content.messages),
        authors=tuple((platform, author, name) for (platform, author), name in authors.items()),
        live=live,
        answer_ids=tuple(sorted(digest.answer_ids)),
        shown=digest.stats.messages,
        participants=digest.stats.participants,
        media=shown_images(content.messages),
        highlights=tuple(m for m in content.messages if m.id in highlighted),
        questions=tuple((q.number, q.text, best[q.number].id if q.number in best else "") for q in digest.questions),
        top_answers=tuple({m.id: m for m in best.values()}.values()),
    )


def shown_images(messages) -> tuple:
    """The kept images that the chat's page shows: (file, width, height), each once, in order."""
    found: dict[str, tuple] = {}
    for m in messages:
        if not m.deleted:
            for media in m.media:
                if media.file and media.kind == "image":
                    found.setdefault(media.file, (media.file, media.width or 0, media.height or 0))
    return tuple(found.values())


class LazyMessages(Sequence):
    """A chat's messages, read from its transcript the first time they are asked for."""

    def __init__(self, load):
        self._load, self._messages = load, None

    def _all(self) -> tuple:
        if self._messages is None:
            self._messages = tuple(self._load())
        return self._messages

    def __getitem__(self, index):
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self):
        return iter(self._all())


class SummaryCache:
    """What the last generate knew of each chat, in the cache folder (marshal: data only).

    Three layers, because a chat's summary depends on the redaction and the redaction on what
    every chat holds of the people it covers:
    - per transcript (by the digest of its bytes): its message ids, enough to check highlights
      without reading it;
    - per transcript and ledger (`remember`, `keep`): what redaction needs of it
      (shares.redaction_and_shares);
    - per chat (by a key of its transcript, episode.yml, the community, people and its share of
      the redaction): its summary.
    """

    def __init__(self, root: Path):
        self.root = root
        transcripts, entries = cache.load(root, CACHE_NAME) or ({}, {})
        memos = cache.load(root, MEMO_NAME) or {}
        self.previous: dict = entries
        self.previous_memos: dict[str, dict] = memos  # kind → key → data (remember)
        self.memos: dict[str, dict] | None = {}
        self.known: dict[str, tuple] = transcripts  # transcript digest → message ids
        self.transcripts: dict[str, tuple] = {}  # the same, for this run's transcripts
        self.base = ""
        self.keys: dict[str, str] = {}  # episode id → its key in this run
        self.found: dict[str, ChatSummary] = {}  # episode id → summary from the cache

    # --- transcripts ---

    def known_ids(self, digest: str) -> frozenset[str] | None:
        """The message ids of a transcript read without problems by the last run, or None."""
        facts = self.known.get(digest)
        if facts is None:
            return None
        self.transcripts[digest] = facts
        return frozenset(facts)

    def note_transcript(self, digest: str, messages: Sequence[Message]) -> None:
        """Remember a transcript that was read without problems."""
        self.transcripts[digest] = tuple(m.id for m in messages)

    def remember(self, kind: str, key: str, make):
        """What `make()` gives for `key` (a transcript's digest and the other inputs), from the
        last run when it made the same: plain data only (marshal)."""
        found = self.previous_memos.get(kind, {}).get(key)
        if found is None:
            found = make()
        self.memos.setdefault(kind, {})[key] = found
        return found

    def recall(self, kind: str, key: str):
        """What the last run kept (`keep`, `remember`) for `key`, or None."""
        return self.previous_memos.get(kind, {}).get(key)

    def keep(self, kind: str, key: str, data) -> None:
        """Keep plain data for the next run under `key`."""
        self.memos.setdefault(kind, {})[key] = data

    # --- summaries ---

    def set_base(self, community, people) -> None:
        """What every chat's summary depends on besides the chat itself (its share of the
        redaction is given to lookup)."""
        parts = [
            community.model_dump_json(),
            json.dumps([p.model_dump(mode="json") for p in people], sort_keys=True),
        ]
        self.base = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()

    def lookup(self, content, redaction: str = "") -> ChatSummary | None:
        """The chat's summary from the last run, if nothing it is made from changed; notes the
        chat's key for the next run either way. `content` is the chat as read, before redaction;
        `redaction` the fingerprint of the redaction it gets (its share, privacy.chat_share)."""
        episode = content.episode
        key = self.keys[episode.id] = hashlib.blake2b(
            f"{self.base}\n{redaction}\n{episode.model_dump_json()}\n{content.transcript_digest}".encode(), digest_size=16
        ).hexdigest()
        entry = self.previous.get(key)
        if entry is None:
            return None
        summary = self.found[episode.id] = ChatSummary.from_data(entry)
        return summary

    def kept_highlights(self, content) -> tuple[str, ...] | None:
        """A summarised chat's highlights that survived the redaction, in the editor's order."""
        summary = self.found.get(content.episode.id)
        if summary is None:
            return None
        kept = {m.id for m in summary.highlights}
        return tuple(h for h in content.episode.highlights if h in kept)

    def save(self, summaries: dict[str, ChatSummary]) -> None:
        entries = {}
        for episode_id, summary in summaries.items():
            key = self.keys.get(episode_id)
            if key is not None:
                entries[key] = summary.as_data()
        if self.memos is not None:
            self.save_memos()
        cache.save(self.root, CACHE_NAME, (self.transcripts, entries))

    def save_memos(self) -> None:
        """Save what `remember` and `keep` hold, and let go of it and of the last run's: called
        once the redaction is made, the last thing that needs them, so that neither is in memory
        while pages are rendered. (Each memo is keyed by what it was made from: saving them before
        the run ends is safe even if it fails later.)"""
        cache.save(self.root, MEMO_NAME, self.memos)
        self.memos = self.previous_memos = None
