"""Full-text search: what is indexed, made from the archive's model after MkDocs builds (the
index's format is index.py's).

Why not Material's lunr search: it ships the whole index before the first result (21 MB for the
pages of 520 chats × 300 messages). Why not Pagefind, which this replaced: it reads every built
page and rebuilds its whole index on every build, with no way to add one page (6 s and 620 MB
at that size, most of a warm build); one Pagefind bundle per year merged in the browser answers
a word missing from a bundle with the longest indexed prefix of it (junk results), and each
bundle brings its own 72 KB runtime. This index is made from the same model the pages are made
from, in well under the time, and a query fetches a few small JSON files.

One document per thing a result links to:
  - a chat page: the page itself (title, summary), its preview, each question (#q<n>) and each
    message shown with its anchor (#m-<id>), deleted messages excepted;
  - a person page: name and handles;
  - a hand-written page (about, privacy): its title and text, read from the built page.
Redaction happens before the model is built (privacy.apply_optouts), so a redacted person's
messages are in no document.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import astuple
from pathlib import Path

from generator.build.generate import hand_written_sources
from generator.render import urls
from generator.render.pages import episode_pages, has_people_page, is_anonymised
from generator.render.text import clean_text, rich_html
from generator.search.article import read_article
from generator.search.index import (
    BUNDLE_DIR,
    ChatCache,
    Doc,
    Index,
    Part,
    SearchPage,
    indexed,
    write_meta,
    write_part,
)
from generator.search.stemming import Terms

log = logging.getLogger("mkdocs.plugins.chatdigest")


def index_archive(site, cache: ChatCache) -> Index:
    """The chats (oldest first) and the people pages: the index but for hand-written pages.

    A chat whose page key (pagecache.py: everything its page is made from; generate made them)
    is unchanged since the last build comes from the cache: a warm build indexes only the chats
    that changed. Chats are numbered oldest first so that adding a chat leaves every other chat's
    number, and so its record file, as it was.
    """
    index = Index()
    for number, page in enumerate(episode_pages(site)):
        index.add(cache.chat(number, page.path, lambda page=page: chat_page(site, page.content)))
    for person in people_pages(site):
        index.add(indexed(person, cache.terms))
    return index


def chat_page(site, content) -> SearchPage:
    episode = content.episode
    docs = [Doc("", episode.title, episode.summary)]
    if content.preview_markdown.strip():
        docs.append(Doc("preview", "Preview", preview_text(content.preview_markdown)))
    docs += [Doc(urls.question_anchor(q.number), f"Q{q.number}", q.text) for q in site.digests[episode.id].questions]
    authors: dict = {}
    docs += [message_doc(site, message, authors) for message in content.messages if not message.deleted]
    topics = dict.fromkeys(site.topic(tag).name for tag in episode.tags)  # one filter per topic page
    facets = (f"year:{episode.date.year}", *(f"topic:{name}" for name in topics))
    url = urls.page_url(urls.episode_path(episode.id), site.directory_urls)
    return SearchPage(url, episode.title, episode.date.isoformat(), facets, tuple(docs))


def message_doc(site, message, authors: dict) -> Doc:
    """A message, found also by its author's handles on every platform and by the names and
    handles of the people it mentions (a reply to "@devpatel_comp" is found by "Dev Patel")."""
    key = (message.platform, message.author)
    found = authors.get(key)
    if found is None:  # (name, their handles, person filter value for people with a page): once per author
        author = site.directory.author(message)
        handles = "" if is_anonymised(author) else " ".join(h for h in author.handles if h != author.name)
        found = authors[key] = (author.name, handles, filter_name(author) if has_people_page(site, author) else "")
    name, handles, person = found
    extra = [handles]
    for mention in message.mentions:
        extra.append(mentioned(site, message.platform, mention, authors))
    extra += (f"{m.kind} {m.alt}" for m in message.media)
    return Doc(urls.message_anchor(message.id), name, message.text, " ".join(filter(None, extra)), person)


def mentioned(site, platform: str, handle: str, memo: dict) -> str:
    """The name and other handles of a person in people.yml a message mentions ("" for anyone
    else: their handle is in the text already)."""
    key = ("@", platform, handle)
    if key not in memo:
        person = site.directory.known(platform, handle)
        memo[key] = "" if person is None or is_anonymised(person) else " ".join([person.name, *person.handles])
    return memo[key]


def filter_name(person) -> str:
    return clean_text(person.name).strip()


def people_pages(site) -> list[SearchPage]:
    """The people with a page."""
    pages = []
    for person in site.directory.participants():
        if not has_people_page(site, person):
            continue
        url = urls.page_url(urls.person_path(person.slug), site.directory_urls)
        pages.append(SearchPage(url, person.name, docs=(Doc("", person.name, " ".join(person.handles)),)))
    return pages


def hand_written_pages(docs_dir: Path, site_dir: Path, directory_urls: bool) -> list[SearchPage]:
    """The editor's own pages, as MkDocs built them (their Markdown may use any extension)."""
    pages = []
    for rel, _ in hand_written_sources(docs_dir):
        url = urls.page_url(rel, directory_urls)
        built = site_dir / (url + "index.html" if url.endswith("/") or not url else url)
        if built.is_file():
            title, text = article_text(built.read_text(encoding="utf-8"))
            pages.append(SearchPage(url, title, docs=(Doc("", title, text),)))
    return pages


def preview_text(markdown: str) -> str:
    """A preview post's text as the chat page shows it: no Markdown syntax in results."""
    title, text = article_text(f'<article class="md-content__inner">{rich_html(markdown)}</article>')
    return f"{title} {text}".strip()


def article_text(html: str) -> tuple[str, str]:
    """A built page's article: (its first heading, the rest of its text)."""
    article = read_article(html)
    return article.heading, article.text


def build_search_index(jobs, site, config, cache: ChatCache) -> None:
    """The post-build step: index the archive into site/search/.

    The chats and people are indexed by a job started while MkDocs renders (jobs.py), or here
    when there is none; the hand-written pages, once MkDocs has built them, are a second part of
    the index.
    """
    site_dir = Path(config.site_dir)
    if not has_search_box(site_dir):
        # A custom_dir that replaces main.html or the header hides chatdigest's search box.
        log.warning(
            f"{config.config_file_path}: no search index built, the theme has no chatdigest search box "
            "(fix: remove main.html and partials/header.html from the theme's custom_dir: a custom_dir must not replace them)"
        )
        jobs.wait("search")
        shutil.rmtree(site_dir / BUNDLE_DIR, ignore_errors=True)  # what the job wrote
        return
    folder = site_dir / BUNDLE_DIR
    archive = Part(*jobs.result("search", write_archive_part_data, site, config, cache))
    pages = Index(first=archive.pages)
    language = site.archive.community.language
    terms = Terms(language)
    for page in hand_written_pages(Path(config.docs_dir), site_dir, site.directory_urls):
        pages.add(indexed(page, terms))
    log.info(write_meta([archive, write_part(pages, folder)], folder, len(site.public), language).summary())


def open_chat_cache(config, page_keys: dict[str, str], language: str) -> ChatCache:
    """Each chat's postings from the last build (index.ChatCache), by the keys generate rendered
    this build's chat pages by, stemmed in the community's language."""
    return ChatCache(Path(config.config_file_path).parent, Path(config.site_dir) / BUNDLE_DIR / "pages", page_keys, language)


def write_archive_part_data(site, config, cache: ChatCache) -> tuple:
    return astuple(write_archive_part(site, config, cache))  # plain data, for a job to hand back


def write_archive_part(site, config, cache: ChatCache) -> Part:
    """Index and write the chats and people: the bulk of the index."""
    part = write_part(index_archive(site, cache), Path(config.site_dir) / BUNDLE_DIR)
    cache.save()
    return part


def has_search_box(site_dir: Path) -> bool:
    """Material renders 404.html with the site's header on every build: look for the box there."""
    page = site_dir / "404.html"
    return page.is_file() and "data-cd-search" in page.read_text(encoding="utf-8")
