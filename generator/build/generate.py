"""generate: data/ → the generated Markdown pages in docs/. Reads only data/; writes only the
folders of docs/ that the generator owns (urls.GENERATED_DIRS), and only files whose bytes change.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.archive.people import build_directory
from generator.archive.privacy import apply_optouts, build_redaction
from generator.archive.read import read_archive
from generator.archive.shares import redaction_and_shares
from generator.archive.summaries import SummaryCache
from generator.build.chartcache import ChartCache
from generator.build.jobs import Jobs, can_fork
from generator.build.media import publish_media
from generator.build.pagecache import PageCache
from generator.progress import Progress, no_progress
from generator.render import urls
from generator.render.pages import EpisodePage, Site, build_site_model, episode_pages, published_by_year, render_all, render_chats
from generator.render.text import attr
from generator.writer import TreeWriter


@dataclass
class GenerateReport:
    """What generate made: the model, and what it wrote."""

    site: Site
    pages: int
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    page_keys: dict[str, str] = field(default_factory=dict)  # chat page path → its pagecache key: search reuses them

    def summary(self) -> str:
        pages = sum(1 for path in self.written if path.suffix == ".md")  # images are written beside the pages
        return f"generated {self.pages} pages: {pages} written, {self.pages - pages} unchanged, {len(self.removed)} removed"


def load_site(root: Path, directory_urls: bool = True, summaries: SummaryCache | None = None, charts: ChartCache | None = None) -> Site:
    """Read data/, apply opt-outs, and analyse every episode: the model all output is made from.

    With `summaries`, chats unchanged since the last run are summarised, not read (summaries.py)."""
    with _no_cycle_collection():
        archive = read_archive(root, summaries=summaries)
        if summaries is None:
            redaction = build_redaction(archive.optouts, archive.people, (m for c in archive.episodes for m in c.messages))
            archive = apply_optouts(archive, redaction)
            chat_redactions = dict.fromkeys((c.episode.id for c in archive.episodes), redaction.fingerprint)
            return build_site_model(archive, build_directory(archive, None), chat_redactions, directory_urls, None, charts)
        redaction, shares = redaction_and_shares(archive, summaries)
        summaries.save_memos()
        chat_redactions = {c.episode.id: shares[c.episode.id][0].fingerprint if shares else redaction.fingerprint for c in archive.episodes}
        # Chats whose summaries still hold (their transcript, episode.yml and their share of the
        # redaction are as they were) stay unread.
        summaries.set_base(archive.community, archive.people)
        for content in archive.episodes:
            summaries.lookup(content, chat_redactions[content.episode.id])
        archive = apply_optouts(archive, redaction, summaries.kept_highlights, (lambda c: shares[c.episode.id]) if shares else None)
        found = summaries.found
        return build_site_model(archive, build_directory(archive, found), chat_redactions, directory_urls, found, charts)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Build the model with Python's cycle collector paused.

    The model is about a million objects (messages, reply threads) that live as long as the site,
    and building it makes hardly any garbage cycles; yet each automatic collection while it grows
    scans everything made so far again, a sixth of a cold generate. Afterwards what was made
    goes straight to the oldest generation (freeze, then unfreeze), so the next young collections
    do not scan it all once more either; it is collected as usual when it becomes garbage.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def generate_site(
    root: Path, docs_dir: Path | None = None, directory_urls: bool = True, progress: Progress = no_progress, parallel: bool = False
) -> GenerateReport:
    """data/ → docs/. `parallel`: a forked process renders most chat pages of a big archive
    (jobs.py; not where forking is unsafe, such as under `mkdocs serve`)."""
    progress("reading data/")
    summaries = SummaryCache(root)
    charts = ChartCache(root)
    site = load_site(root, directory_urls, summaries, charts)
    docs_dir = docs_dir or root / "docs"
    writer = TreeWriter(docs_dir, urls.GENERATED_DIRS, urls.GENERATED_FILES)
    cache = PageCache(root, site, docs_dir)
    chat_pages = list(episode_pages(site))
    helper, share = Jobs({}), []
    if parallel and len(chat_pages) >= PARALLEL_FROM and can_fork():
        # A quarter here, the rest to the helper: this process renders the people pages after.
        split = len(chat_pages) // 4
        share, chat_pages = chat_pages[split:], chat_pages[:split]
        helper = Jobs({"chat pages": (write_chat_pages, (site, share, writer, cache))})
    count, chats = 0, 0
    for path, markdown in render_all(site, cache.current, chat_pages):
        if markdown is None:
            writer.keep(path)  # unchanged inputs: the file on disk is what rendering would give
        else:
            writer.write(path, markdown)
        cache.record(path)
        count += 1
        if path.startswith("episodes/"):
            chats += 1
            progress("writing chat pages", chats, len(chat_pages))
        elif chats:  # after the chats: topics and people, made all at once
            progress("writing topic and people pages")
    if share:
        for path, written, entry in helper.result("chat pages", write_chat_pages, site, share, writer, cache):
            writer.adopt(path, written)
            cache.entries[path] = entry
            count += 1
    helper.close()
    publish_media(root, shown_media(site), writer)
    removed = writer.remove_stale()
    cache.save()
    charts.save()
    summaries.save(site.summaries)
    page_keys = {path: entry[0] for path, entry in cache.entries.items()}
    return GenerateReport(site, count, writer.written, removed, page_keys)


def shown_media(site: Site) -> list[tuple[str, int, int]]:
    """The kept images shown on the chat pages (from the chats' summaries: no transcript is read)."""
    found: dict[str, tuple[str, int, int]] = {}
    for content in site.public:
        for image in site.summaries[content.episode.id].media:
            found.setdefault(image[0], image)
    return list(found.values())


PARALLEL_FROM = 64  # chat pages: for fewer, forking costs more than it saves


def write_chat_pages(site: Site, pages: list[EpisodePage], writer: TreeWriter, cache: PageCache) -> list:
    """Render and write chat pages (in a forked process, or as its fallback): for each, (docs
    path, whether it was written, its page cache entry)."""
    done = []
    for path, markdown in render_chats(site, pages, cache.current):
        before = len(writer.written)
        if markdown is not None:
            writer.write(path, markdown)
        cache.record(path)
        done.append((path, len(writer.written) > before, cache.entries[path]))
    return done


def build_nav(site: Site, docs_dir: Path) -> list:
    """The site navigation: the archive by year (newest first), then hand-written pages.

    The nav lists years, not chats: each year's page lists its chats, and episode, people and
    topic pages are reached from those index pages. Every page carries the nav in its HTML, so a
    nav of 520 chats would make each page mostly nav and its build mostly nav rendering.
    """
    archive = [{"Archive": urls.ARCHIVE}] + [{str(year): urls.year_path(year)} for year in published_by_year(site)]
    nav: list = [{"Home": urls.HOME}]
    if site.upcoming:
        nav.append({"Upcoming": urls.UPCOMING})
    nav += [{"Archive": archive}, {"Topics": urls.TOPICS}, {"People": urls.PEOPLE}]
    return nav + hand_written_nav(docs_dir)


_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
_FRONT_TITLE = re.compile(r"\A---\n(?:.*\n)*?title:\s*[\"']?(.+?)[\"']?\s*\n(?:.*\n)*?---\n")


def page_title(path: Path) -> str:
    """A hand-written page's title as MkDocs would find it: front matter, else the first heading.

    The nav names every page explicitly because a warm build does not read unchanged pages, and
    MkDocs would otherwise leave their titles out of every rebuilt page's navigation.
    """
    text = path.read_text(encoding="utf-8")
    found = _FRONT_TITLE.match(text) or _HEADING.search(text)
    title = found.group(1) if found else path.stem.replace("-", " ").capitalize()
    return attr(title)


def hand_written_sources(docs_dir: Path) -> list[tuple[str, Path]]:
    """The editor's own Markdown pages as (path in docs/, file), in name order; not the
    generated ones, nor hidden or `_`-prefixed folders."""
    found = []
    for path in sorted(docs_dir.rglob("*.md")):
        rel = path.relative_to(docs_dir).as_posix()
        if not (urls.is_generated(rel) or rel.startswith((".", "_"))):
            found.append((rel, path))
    return found


def hand_written_nav(docs_dir: Path) -> list:
    """Hand-written pages: top-level files, then one section per folder, in name order."""
    nav: list = []
    sections: dict[str, list] = {}
    for rel, path in hand_written_sources(docs_dir):
        entry = {page_title(path): rel}
        if "/" in rel:
            sections.setdefault(rel.split("/", 1)[0], []).append(entry)
        else:
            nav.append(entry)
    for folder, pages in sections.items():
        index = [p for p in pages if next(iter(p.values())).endswith("/index.md")]
        nav.append({folder.replace("-", " ").capitalize(): index + [p for p in pages if p not in index]})
    return nav
