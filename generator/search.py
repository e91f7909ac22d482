"""Full-text search: a Pagefind index built from the site's HTML after MkDocs has written it.

Why Pagefind and not Material's built-in lunr search: lunr ships the whole index to the browser
before the first result (32 MB at 520 weeks × 300 messages, DESIGN §7). Pagefind splits its
index into chunks by word, so a query fetches the chunks for its words plus one small fragment
per shown result; the pip package `pagefind[bin]` ships the binary, so no Node is needed.

What is indexed is decided in the HTML, so the index holds exactly what the site publishes:
  - theme/main.html marks the article of content pages with `data-pagefind-body`; listing
    pages (home, archive, topics, people index) repeat titles found elsewhere and are left out.
  - pages.py marks each message's one anchored card (under its question, or in the transcript):
    its `id` (m-<id>) is where a result links to, its author link is the `person` filter; copies
    (highlight reels) and deleted messages carry `data-pagefind-ignore="all"`; the episode page
    carries hidden `year`/`topic` filters.
  - Redaction (privacy.apply_optouts) happens before any page is rendered, so a redacted
    person's messages and mentions are not in the HTML and cannot reach the index.
theme/assets/search-pagefind.js turns Pagefind's per-page results into per-message results
(each hit belongs to the nearest element with an id before it) and draws them in Material's
search box.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import ChatdigestError
from .incremental import CACHE_DIR
from .pages import is_anonymised
from .render import clean_text
from .writer import write_atomic

log = logging.getLogger("mkdocs.plugins.chatdigest")

BUNDLE_DIR = "pagefind"
FILTER_LISTS = "chatdigest-filters.json"  # in BUNDLE_DIR: the search box's drop-down values
# Parts of a message card that are noise in results: clock times, like counts, platform links.
EXCLUDE_SELECTORS = [".headerlink", ".cd-time", ".cd-likes", ".cd-permalink", ".cd-edited", ".cd-search-filters"]


@dataclass(frozen=True)
class SearchReport:
    pages: int
    bundle_bytes: int

    def summary(self) -> str:
        return f"search: indexed {self.pages} pages, {self.bundle_bytes / 1e6:.1f} MB in {BUNDLE_DIR}/"


def build_search_index(site, config) -> None:
    """POST_BUILD_STEPS entry: index the site MkDocs has just written.

    Skipped when no indexed page changed since the bundle was made (a warm build that rebuilt
    nothing), so a second build in a row rewrites none of the bundle's files.
    """
    site_dir = Path(config.site_dir)
    if not has_search_box(site_dir):
        # A custom_dir that replaces main.html or the header hides chatdigest's search box.
        log.warning(f"{config.config_file_path}: no search index built, the theme has no chatdigest search box "
                    "(fix: a theme custom_dir must not replace main.html or partials/header.html)")
        return
    state_file = Path(config.config_file_path).parent / CACHE_DIR / "search-state"
    state = _pages_state(site_dir)
    if (site_dir / BUNDLE_DIR / "pagefind-entry.json").is_file() and _read(state_file) == state:
        log.info(f"search: no page changed, {BUNDLE_DIR}/ kept")
        return
    state_file.unlink(missing_ok=True)  # written again only once the new bundle is complete
    log.info(write_search_index(site_dir).summary())
    write_atomic(site_dir / BUNDLE_DIR / FILTER_LISTS, render_filter_lists(site))
    write_atomic(state_file, state)


def render_filter_lists(site) -> str:
    """The values of the year, topic and person filters, with how many chats each has.

    The search box fills its drop-downs from this small file instead of asking Pagefind, which
    would download every filter's full index (80 KB for the people of ten years) before the
    first query; Pagefind then loads a filter's index only when a reader picks a value.
    """
    lists: dict[str, dict[str, int]] = {"year": {}, "topic": {}, "person": {}}
    for content in site.published:
        year = str(content.episode.date.year)
        lists["year"][year] = lists["year"].get(year, 0) + 1
        for tag in content.episode.tags:
            lists["topic"][tag] = lists["topic"].get(tag, 0) + 1
    for person in site.directory.participants():
        record = site.activity.get(person.key)
        if record and record.episodes and not is_anonymised(person):
            name = clean_text(person.name).strip()
            lists["person"][name] = lists["person"].get(name, 0) + len(record.episodes)
    return json.dumps(lists, ensure_ascii=False, sort_keys=True) + "\n"


def _pages_state(site_dir: Path) -> str:
    """Every page Pagefind would read, by name, size and modification time."""
    digest = hashlib.blake2b(digest_size=16)
    for page in sorted(site_dir.rglob("*.html")):
        rel = page.relative_to(site_dir)
        if rel.parts[0] != BUNDLE_DIR and rel.as_posix() != "404.html":  # 404.html is rebuilt every time
            stat = page.stat()
            digest.update(f"{rel.as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def has_search_box(site_dir: Path) -> bool:
    """Material renders 404.html with the site's header on every build: look for the box there."""
    page = site_dir / "404.html"
    return page.is_file() and "data-cd-search" in page.read_text(encoding="utf-8")


def write_search_index(site_dir: Path) -> SearchReport:
    """Index site_dir's HTML into site_dir/pagefind/ (replacing an older bundle).

    Runs the Pagefind binary itself rather than its Python API: the API talks to the binary over
    a pipe that now and then returns a garbled answer under load, and the binary alone is as fast.
    """
    # Pagefind names its files by content hash: an older bundle's files would stay beside the new.
    shutil.rmtree(site_dir / BUNDLE_DIR, ignore_errors=True)
    command = [str(_pagefind_binary()), "--site", str(site_dir), "--output-path", str(site_dir / BUNDLE_DIR), "--quiet"]
    for selector in EXCLUDE_SELECTORS:
        command += ["--exclude-selectors", selector]
    run = subprocess.run(command, capture_output=True, text=True, errors="replace")
    if run.returncode != 0 or not (site_dir / BUNDLE_DIR / "pagefind-entry.json").is_file():
        said = (run.stderr or run.stdout).strip()[-1000:]
        raise ChatdigestError(f"search: Pagefind failed to index {site_dir} (exit code {run.returncode}): {said}")
    # The entry file counts the pages indexed (pages without data-pagefind-body are skipped).
    entry = json.loads((site_dir / BUNDLE_DIR / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(language["page_count"] for language in entry["languages"].values())
    return SearchReport(pages, _folder_bytes(site_dir / BUNDLE_DIR))


def _pagefind_binary() -> Path:
    from pagefind.service import get_executable  # the package `pagefind[bin]` ships the binary

    binary = get_executable()
    if binary is None:
        raise ChatdigestError("search: the Pagefind binary was not found (fix: pip install 'pagefind[bin]')")
    return Path(binary)


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


# --- lunr, for comparison ----------------------------------------------------------------------


class _ArticleParser(HTMLParser):
    """Collects a built page's <title> and the inner HTML of its Material article."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.title, self.parts, self._depth, self._in_title = "", [], 0, False

    def handle_starttag(self, tag, attrs):
        if self._depth:
            self._depth += tag not in _VOID
            self.parts.append(self.get_starttag_text())
        elif tag == "article" and "md-content__inner" in (dict(attrs).get("class") or ""):
            self._depth = 1
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if self._depth and tag not in _VOID:
            self._depth -= 1
            if self._depth:
                self.parts.append(f"</{tag}>")
        self._in_title = False

    def handle_data(self, data):
        if self._depth:
            self.parts.append(data)
        elif self._in_title:
            self.title += data

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class _BuiltPage:
    """What Material's SearchIndex reads from a page, recovered from the built HTML."""

    content: str
    title: str
    url: str
    meta: dict
    toc: tuple = ()


def lunr_index_bytes(site_dir: Path) -> int:
    """Size of the search_index.json Material's lunr search would ship for this built site.

    Feeds every built page's article to Material's own SearchIndex, so the number is what the
    `search` plugin would have written, without building the site a second time.
    """
    from material.plugins.search.plugin import SearchIndex

    index = SearchIndex(lang=["en"], separator=r"[\s\-]+", pipeline=["stemmer", "stopWordFilter", "trimmer"], fields={})
    for html_file in sorted(site_dir.rglob("*.html")):
        if html_file.relative_to(site_dir).parts[0] in (BUNDLE_DIR, "assets") or html_file.name == "404.html":
            continue
        parser = _ArticleParser()
        parser.feed(html_file.read_text(encoding="utf-8"))
        url = html_file.relative_to(site_dir).as_posix().removesuffix("index.html")
        index.add_entry_from_context(_BuiltPage("".join(parser.parts), parser.title, url, {}))
    return len(index.generate_search_index(None).encode("utf-8"))


# --- what a query costs a reader -----------------------------------------------------------------


@dataclass(frozen=True)
class QueryCost:
    query: str
    bytes: int             # everything fetched from pagefind/ by a fresh browser: runtime + chunks + fragments
    runtime_bytes: int     # of which fetched when the search box opens (Pagefind's JS and wasm, filters)
    requests: int
    first_result_ms: float  # from the first keystroke to the first result on screen


CHROMIUM = Path("/usr/bin/chromium")


def query_bytes(site_dir: Path, query: str | None = None) -> int:
    """Bytes a reader's browser fetches for one query on a cold cache (for `chatdigest bench`)."""
    return measure_query(site_dir, query).bytes


def measure_query(site_dir: Path, query: str | None = None) -> QueryCost:
    """Serve site_dir on localhost, search in headless Chromium and count what pagefind/ sends.

    Measured in a real browser because what Pagefind fetches (which chunks, how many fragments)
    is decided by its JavaScript. The default query is the commonest long word of the first chat,
    a worst case: many hits, so full result fragments are fetched.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ChatdigestError("search: measuring a query needs playwright (fix: pip install playwright)") from None
    if not CHROMIUM.exists():
        raise ChatdigestError(f"search: measuring a query needs Chromium at {CHROMIUM} (fix: apt-get install chromium)")
    first_chat = _first_chat(site_dir)
    query = query or _common_word(first_chat)
    with _served(site_dir) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            return _measure_in(browser.new_page(), base + first_chat.parent.relative_to(site_dir).as_posix() + "/", query)
        finally:
            browser.close()


def _measure_in(page, url: str, query: str) -> QueryCost:
    import time

    sizes: list[int] = []
    page.on("response", lambda response: sizes.append(len(response.body())) if f"/{BUNDLE_DIR}/" in response.url else None)
    page.goto(url)
    page.keyboard.press("/")
    page.wait_for_load_state("networkidle")
    runtime = sum(sizes)
    started = time.perf_counter()
    page.locator(".md-search__input").type(query)
    page.locator(".md-search-result__link").first.wait_for(timeout=30_000)
    elapsed = (time.perf_counter() - started) * 1000
    page.wait_for_load_state("networkidle")
    return QueryCost(query, sum(sizes), runtime, len(sizes), elapsed)


def _first_chat(site_dir: Path) -> Path:
    pages = sorted((site_dir / "episodes").glob("*/index.html"))
    if not pages:
        raise ChatdigestError(f"search: {site_dir} has no episode pages to search")
    return pages[0]


def _common_word(page: Path) -> str:
    import re
    from collections import Counter

    text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")).lower()
    return Counter(re.findall(r"\b[a-z]{7,}\b", text)).most_common(1)[0][0]


class _served:
    """A localhost HTTP server for a folder, for as long as the with-block runs."""

    def __init__(self, folder: Path):
        import functools
        import http.server

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        handler = functools.partial(Quiet, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> str:
        import threading

        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
