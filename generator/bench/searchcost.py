"""What search costs a reader, for `chatdigest bench` and the tests: the size of the lunr index
Material's built-in search would ship for the same pages, and the bytes a real browser fetches
for one query from the chunked index (search/index.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import ChatdigestError
from generator.search.article import read_article
from generator.search.index import BUNDLE_DIR

# --- lunr, for comparison ----------------------------------------------------------------------


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
        article = read_article(html_file.read_text(encoding="utf-8"))
        url = html_file.relative_to(site_dir).as_posix().removesuffix("index.html")
        index.add_entry_from_context(_BuiltPage(article.html, article.page_title, url, {}))
    return len(index.generate_search_index(None).encode("utf-8"))


# --- what a query costs a reader -----------------------------------------------------------------


@dataclass(frozen=True)
class QueryCost:
    query: str
    bytes: int  # everything search fetched in a fresh browser: its script, meta.json, chunks, page records
    runtime_bytes: int  # of which fetched by the time the search box is open (script and meta.json)
    requests: int
    first_result_ms: float  # from the first keystroke to the first result on screen (or "no results")


CHROMIUM = Path("/usr/bin/chromium")


def query_bytes(site_dir: Path, query: str | None = None) -> int:
    """Bytes a reader's browser fetches for one query on a cold cache (for `chatdigest bench`)."""
    return measure_query(site_dir, query).bytes


def measure_query(site_dir: Path, query: str | None = None) -> QueryCost:
    """Serve site_dir on localhost, search in headless Chromium and count what search fetches.

    Measured in a real browser because what is fetched (which chunks, how many page records) is
    decided by search.js. The default query is the commonest long word of the first chat,
    a worst case: many hits, so full result fragments are fetched.
    """
    return measure_queries(site_dir, [query or _common_word(_first_chat(site_dir))])[0]


def measure_queries(site_dir: Path, queries: list[str], browser=None) -> list[QueryCost]:
    """Each query as a reader's first, in a browser with nothing cached (a playwright Chromium of
    the caller's, or one launched here)."""
    first_chat = _first_chat(site_dir)
    with _served(site_dir) as base:
        url = base + first_chat.parent.relative_to(site_dir).as_posix() + "/"
        if browser is not None:
            return [_measure_fresh(browser, url, query) for query in queries]
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise ChatdigestError("search: measuring a query needs playwright (fix: pip install playwright)") from None
        if not CHROMIUM.exists():
            raise ChatdigestError(f"search: measuring a query needs Chromium at {CHROMIUM} (fix: apt-get install chromium)")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
            try:
                return [_measure_fresh(launched, url, query) for query in queries]
            finally:
                launched.close()


def _measure_fresh(browser, url: str, query: str) -> QueryCost:
    context = browser.new_context()  # an empty cache
    try:
        return _measure_in(context.new_page(), url, query)
    finally:
        context.close()


def median_query_bytes(costs: list[QueryCost]) -> float:
    from statistics import median

    return median(cost.bytes for cost in costs)


def _measure_in(page, url: str, query: str) -> QueryCost:
    import time

    sizes: list[int] = []
    page.on("response", lambda response: sizes.append(len(response.body())) if is_search_file(response.url) else None)
    page.goto(url)
    page.keyboard.press("/")
    page.wait_for_load_state("networkidle")
    runtime = sum(sizes)
    started = time.perf_counter()
    page.locator(".md-search__input").type(query)
    # The first result on screen, or the answer that there is none.
    page.wait_for_function(
        "q => document.querySelector('.cd-search__hit') || document.querySelector('[data-cd-search]').dataset.answered === q",
        arg=query,
        timeout=30_000,
    )
    elapsed = (time.perf_counter() - started) * 1000
    # Answered: the results on screen are complete, and everything they needed was fetched.
    page.wait_for_function("q => document.querySelector('[data-cd-search]').dataset.answered === q", arg=query, timeout=30_000)
    return QueryCost(query, sum(sizes), runtime, len(sizes), elapsed)


def is_search_file(url: str) -> bool:
    """The index's files and the scripts that read them (the search box's and its stemmers)."""
    path = url.split("?")[0]
    return f"/{BUNDLE_DIR}/" in url or path.endswith(("/assets/search.js", "/assets/search.min.js")) or "/assets/stemmers/" in path


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
