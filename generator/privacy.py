"""Apply the opt-out ledger (data/privacy.yml) to an archive before anything is rendered.

Applied once, right after loading, so every surface built from the result (pages, stats,
people, feeds, search) is redacted by construction.
"""

from __future__ import annotations

import re

from .model import Archive, EpisodeContent, Message, OptOut, Person, handle_key

REMOVED_TEXT = "[removed at the participant's request]"
ANONYMOUS = "anonymous"
REMOVED_MENTION = "@[removed]"


def _handles_of(optout: OptOut, people: tuple[Person, ...]) -> set[str]:
    """An opt-out names a handle or a person id; a person's opt-out covers all their handles."""
    key = handle_key(optout.handle)
    for person in people:
        handles = {handle_key(h) for hs in person.handles.values() for h in hs}
        if person.id == key or key in handles:
            return handles | {person.id}
    return {key}


def _mention_pattern(handles: set[str]) -> re.Pattern[str] | None:
    if not handles:
        return None
    names = sorted((re.escape(h) for h in handles), key=len, reverse=True)
    return re.compile(r"@?\b(?:" + "|".join(names) + r")\b(?![\w@.-]*\w)", re.IGNORECASE)


def apply_optouts(archive: Archive) -> Archive:
    if not archive.optouts:
        return archive
    removed: set[str] = set()
    anonymised: set[str] = set()
    for optout in archive.optouts:
        (removed if optout.mode == "remove" else anonymised).update(_handles_of(optout, archive.people))
    pattern = _mention_pattern(removed | anonymised)
    episodes = tuple(_redact_episode(c, removed, anonymised, pattern) for c in archive.episodes)
    people = tuple(p for p in archive.people if p.id not in removed | anonymised)
    return archive.model_copy(update={"episodes": episodes, "people": people})


def _redact_episode(content: EpisodeContent, removed: set[str], anonymised: set[str], pattern) -> EpisodeContent:
    messages: list[Message] = []
    gone: set[str] = set()
    labels: dict[str, str] = {}
    for message in content.messages:
        author = handle_key(message.author)
        if author in removed:
            gone.add(message.id)
            continue
        update: dict = {}
        if author in anonymised:
            label = labels.setdefault(author, f"{ANONYMOUS}-{len(labels) + 1}")
            update.update(author=label, author_name="", permalink=None)
        if pattern and pattern.search(message.text):
            update["text"] = pattern.sub(REMOVED_MENTION, message.text)
        if message.mentions and any(handle_key(m) in removed | anonymised for m in message.mentions):
            update["mentions"] = tuple(m for m in message.mentions if handle_key(m) not in removed | anonymised)
        messages.append(message.model_copy(update=update) if update else message)
    # Replies and quotes of removed messages must not point at (or reveal) them.
    messages = [
        m.model_copy(update={"reply_to": None if m.reply_to in gone else m.reply_to, "quote_of": None if m.quote_of in gone else m.quote_of})
        if (m.reply_to in gone or m.quote_of in gone) else m
        for m in messages
    ]
    episode = content.episode
    episode = episode.model_copy(
        update={
            "highlights": [h for h in episode.highlights if h not in gone],
            "hosts": [h for h in episode.hosts if h not in removed | anonymised],
            "guests": [g for g in episode.guests if g not in removed | anonymised],
        }
    )
    return content.model_copy(update={"episode": episode, "messages": tuple(messages)})
