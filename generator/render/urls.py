"""Every slug, docs path and URL of the generated site, in one place.

Glossary:
  slug      a safe file-name part made from untrusted text (a title, tag or handle):
            lower-case ASCII letters, digits and hyphens, never empty, at most 60 characters.
  docs path a page's Markdown file relative to docs/, e.g. ``episodes/2026-09-10-pay.md``.
  page url  where MkDocs publishes a docs path, relative to the site root, e.g.
            ``episodes/2026-09-10-pay/`` (with use_directory_urls, MkDocs' default).
  href      a link from one page to another in raw HTML, relative so the site works under any
            base URL; md_href is the same link between .md files, for Markdown links.
  anchor    an element id inside a page: ``m-<message slug>`` for a message, ``q1`` for Q1.
  media     an attached image kept in data/media/ and published as ``media/<hash>.<ext>``, with
            its thumbnail ``media/<hash>.t<size>.<ext>``; the hash names the content.

Generated pages live only in the folders listed in GENERATED_DIRS plus GENERATED_FILES; the
writer refuses anything else, so no slug can make a path leave its folder.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re

from slugify import slugify

GENERATED_DIRS = ("episodes", "people", "topics", "archive", "upcoming", "media")
GENERATED_FILES = ("index.md",)

MEDIA = "media"
THUMB = 320  # a thumbnail fits in THUMB × THUMB pixels
_MEDIA_FILE = re.compile(r"^media/([0-9a-f]{32})\.(jpg|png|gif|webp)$")


def is_generated(docs_path: str) -> bool:
    """True for a path in docs/ that generate owns (it may write or remove it)."""
    return docs_path in GENERATED_FILES or docs_path.split("/", 1)[0] in GENERATED_DIRS


def base_url(site_url: str) -> str:
    """The site's address as links are made from it: ending in "/"."""
    return site_url if site_url.endswith("/") else site_url + "/"


HOME = "index.md"
ARCHIVE = "archive/index.md"
UPCOMING = "upcoming/index.md"
PEOPLE = "people/index.md"
TOPICS = "topics/index.md"

_MAX_SLUG = 60
# Names Windows refuses as files, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10)), "index"}


def slug(text: str, fallback: str = "item") -> str:
    """The one way untrusted text becomes part of a path."""
    value = slugify(text, max_length=_MAX_SLUG, word_boundary=True, save_order=True) or ""
    if not value:
        # Text with no ASCII letters (emoji, CJK) still needs a stable, distinct slug.
        value = f"{fallback}-{hashlib.sha1(text.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}" if text else fallback
    if value in _RESERVED:
        value = f"{value}-{fallback}"
    return value


class SlugRegistry:
    """Hands out unique slugs, case-insensitively, so no two pages share a file."""

    def __init__(self, taken: tuple[str, ...] = ()):
        self._taken = {t.casefold() for t in taken}
        self._by_key: dict[str, str] = {}

    def get(self, key: str, text: str, fallback: str = "item") -> str:
        if key in self._by_key:
            return self._by_key[key]
        base = slug(text, fallback)
        candidate, n = base, 2
        while candidate.casefold() in self._taken:
            candidate, n = f"{base}-{n}", n + 1
        self._taken.add(candidate.casefold())
        self._by_key[key] = candidate
        return candidate


@functools.cache  # every page that lists a chat asks again: slugify is slow
def episode_path(episode_id: str) -> str:
    return f"episodes/{slug(episode_id, 'episode')}.md"


def year_path(year: int) -> str:
    return f"archive/{year}.md"


def person_path(person_slug: str) -> str:
    return f"people/{person_slug}.md"


def topic_path(tag: str) -> str:
    return f"topics/{slug(tag, 'topic')}.md"


def message_anchor(message_id: str) -> str:
    if message_id.isascii() and message_id.isalnum():  # most ids: nothing to replace
        return "m-" + message_id[:80]
    return "m-" + re.sub(r"[^A-Za-z0-9_-]", "-", message_id)[:80]


def question_anchor(number: int) -> str:
    return f"q{number}"


@functools.cache
def page_url(docs_path: str, directory_urls: bool = True) -> str:
    """The URL MkDocs gives a docs path, relative to the site root."""
    stem = docs_path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/" if directory_urls else f"{stem}.html"


@functools.cache
def root_prefix(docs_path: str, directory_urls: bool = True) -> str:
    """The relative way from a page up to the site root: '', '../', '../../'."""
    return "../" * page_url(docs_path, directory_urls).count("/")


def md_href(from_docs_path: str, to_docs_path: str, anchor: str = "") -> str:
    """A relative link between docs files for Markdown links, which MkDocs resolves and checks."""
    if from_docs_path == to_docs_path and anchor:
        return f"#{anchor}"
    rel = posixpath.relpath(to_docs_path, posixpath.dirname(from_docs_path) or ".")
    return f"{rel}#{anchor}" if anchor else rel


def href(from_docs_path: str, to_docs_path: str, anchor: str = "", directory_urls: bool = True) -> str:
    """A relative link between two generated pages, as it must appear in raw HTML."""
    if from_docs_path == to_docs_path and anchor:
        return f"#{anchor}"
    rel = root_prefix(from_docs_path, directory_urls) + page_url(to_docs_path, directory_urls) or "./"
    return f"{rel}#{anchor}" if anchor else rel


# --- media ----------------------------------------------------------------------------------


def media_name(file: str) -> str | None:
    """A media record's `file` when it is a content-hash name (nothing else is ever published)."""
    return file if _MEDIA_FILE.match(file) else None


def thumb_path(file: str) -> str:
    """The thumbnail's path beside the image: GIF and WebP thumbnails are PNG."""
    digest, ext = _MEDIA_FILE.match(file).groups()
    return f"{MEDIA}/{digest}.t{THUMB}.{'jpg' if ext == 'jpg' else 'png'}"


def thumb_size(width: int, height: int) -> tuple[int, int]:
    """The thumbnail's pixels for an image of width × height: fitted, never enlarged."""
    scale = min(1.0, THUMB / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def media_href(from_docs_path: str, path: str, directory_urls: bool = True) -> str:
    """A link from a page to a published media file."""
    return root_prefix(from_docs_path, directory_urls) + path
