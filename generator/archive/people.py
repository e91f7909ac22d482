"""Who is who: resolve message authors (platform + handle) to people.

A person in people.yml may have several handles on several platforms; everyone else is known by
their handle alone. Both become a `Participant` with a unique page slug.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.archive.model import Archive, Message, Person, Role, handle_key
from generator.render.urls import SlugRegistry


@dataclass(frozen=True)
class Participant:
    key: str  # person id for people.yml entries, "platform:handle" for everyone else
    name: str
    handles: tuple[str, ...]
    slug: str
    role: Role = Role.regular
    known: bool = False  # listed in people.yml


class Directory:
    """Maps (platform, handle) to a Participant, handing out slugs deterministically."""

    def __init__(self, people: tuple[Person, ...]):
        self._slugs = SlugRegistry(taken=("index",))
        self._by_handle: dict[tuple[str, str], Participant] = {}
        self._by_key: dict[str, Participant] = {}
        self._by_raw: dict[tuple[str, str], Participant] = {}
        for person in people:
            handles = tuple(h for hs in person.handles.values() for h in hs)
            participant = Participant(person.id, person.name, handles, self._slugs.get(person.id, person.id), person.role, True)
            self._by_key[person.id] = participant
            for platform, hs in person.handles.items():
                for handle in hs:
                    self._by_handle[(platform, handle_key(handle))] = participant

    def author(self, message: Message) -> Participant:
        return self.register(message.platform, message.author, message.author_name)

    def register(self, platform: str, author: str, author_name: str = "") -> Participant:
        """Who posted as `author` on `platform` (a message's author fields); the first call for a
        handle decides its page's slug. Called for every message card: a lookup by the raw handle
        skips normalising it again."""
        raw = (platform, author)
        found = self._by_raw.get(raw)
        if found is None:
            found = self._by_raw[raw] = self.resolve(platform, author, author_name)
        return found

    def resolve(self, platform: str, handle: str, display_name: str = "") -> Participant:
        key = (platform, handle_key(handle))
        found = self._by_handle.get(key)
        if found is None:
            pkey = f"{platform}:{handle_key(handle)}"
            found = Participant(pkey, display_name or handle, (handle,), self._slugs.get(pkey, handle, "person"))
            self._by_handle[key] = found
            self._by_key[pkey] = found
        return found

    def known(self, platform: str, handle: str) -> Participant | None:
        """The person in people.yml with this handle on this platform, if any."""
        found = self._by_handle.get((platform, handle_key(handle)))
        return found if found is not None and found.known else None

    def person(self, person_id: str) -> Participant | None:
        return self._by_key.get(person_id)

    def participants(self) -> list[Participant]:
        return sorted(self._by_key.values(), key=lambda p: (p.name.casefold(), p.key))


def build_directory(archive: Archive, summaries: dict | None = None) -> Directory:
    """Register every author in archive order, so slugs do not depend on dict ordering.

    A chat with a summary (summaries.py) is registered from it, in the same order, unread."""
    directory = Directory(archive.people)
    for content in archive.episodes:
        summary = summaries.get(content.episode.id) if summaries else None
        if summary is not None:
            for platform, author, author_name in summary.authors:
                directory.register(platform, author, author_name)
        else:
            for message in content.messages:
                directory.author(message)
    return directory
