"""Skip rendering a chat page whose inputs did not change since the last generate.

Rendering the messages is most of generate's time at archive scale, and an editor adding one chat
changes only a few chat pages (the new one and its neighbour). A page's key covers everything its
Markdown is made from: the chat's own files as read, its neighbours' ids and titles, its authors'
names, page slugs and whether they have a page (a second chat gives someone one), its
first-timers, the community, people and privacy files, and the source of the code that renders it. A page whose key is unchanged and whose file still exists is left
as it is — if the file is also exactly as generate left it (same size and modification time), so
a file that a killed run or a person changed since is rendered again. The cache lives in
.cache/chatdigest/ and is safe to delete.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from generator import cache
from generator.cache import code_version
from generator.render.pages import EpisodePage, Site, has_people_page
from generator.writer import file_state

CACHE_NAME = "pages"


def site_key(site: Site) -> str:
    """What every chat page depends on."""
    archive = site.archive
    parts = [
        code_version(),
        archive.community.model_dump_json(),
        json.dumps([p.model_dump(mode="json") for p in archive.people], sort_keys=True),
        str(site.directory_urls),
    ]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def page_key(site: Site, base: str, page: EpisodePage) -> str:
    content = page.content
    # Each handle once (from the chat's summary, so the transcript need not be read), then who it
    # is and whether their name links to a page (which depends on the chats they took part in).
    authors = site.summaries[content.episode.id].authors
    people = sorted({(p.key, p.name, p.slug, p.known, has_people_page(site, p)) for p in (site.directory.register(*a) for a in authors)})
    neighbours = [(c.episode.id, c.episode.title) if c else None for c in (page.previous, page.following)]
    parts = [
        base,
        content.episode.model_dump_json(),
        content.preview_markdown,
        content.transcript_digest,
        site.chat_redactions[content.episode.id],  # the opt-outs as applied to this chat
        json.dumps([people, neighbours, sorted(site.firsts.get(content.episode.id, ()))]),
    ]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


class PageCache:
    """Keys and file states of the chat pages of the last complete generate."""

    def __init__(self, root: Path, site: Site, docs_dir: Path):
        self.root = root
        self.site = site
        self.docs_dir = docs_dir
        self.base = site_key(site)
        # Taken out of the cache and saved again only when generate completes: a killed run must
        # not leave the previous entries, which no longer match the files it rewrote.
        self.previous: dict[str, list] = cache.load(root, CACHE_NAME, take=True) or {}
        self.keys: dict[str, str] = {}
        self.entries: dict[str, list] = {}

    def current(self, page: EpisodePage) -> bool:
        """True when the page's file is what rendering it now would give."""
        key = self.keys[page.path] = page_key(self.site, self.base, page)
        return self.previous.get(page.path) == [key, *file_state(self.docs_dir / page.path)]

    def record(self, path: str) -> None:
        """Note the page's file as it is now on disk (after writing or keeping it)."""
        if path in self.keys:
            self.entries[path] = [self.keys[path], *file_state(self.docs_dir / path)]

    def save(self) -> None:
        cache.save(self.root, CACHE_NAME, self.entries)
