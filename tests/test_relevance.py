"""Search quality on the demo, in a real browser: the queries of tests/search_relevance.json, each
with the documents judged relevant from data/ (not from the index), typed into the search box.

For each query, of the results shown before anything is expanded (in order, a page's title line
not counted):
  P@5  = relevant results among the first 5 / results among the first 5 (1 when none are shown
         and none are relevant, 0 when none are shown but some are relevant);
  R@10 = relevant results among the first 10 / min(10, relevant documents).
The test prints both for every query and fails when their means fall under 0.7 and 0.9. The
same queries, each in a browser with nothing cached, measure what a query costs a reader.
"""

from __future__ import annotations

import json
from pathlib import Path
from statistics import mean

import pytest
from conftest import TESTS

pytestmark = pytest.mark.browser
RELEVANCE = TESTS / "search_relevance.json"
MIN_P5, MIN_R10 = 0.7, 0.9
MAX_MEDIAN_QUERY_BYTES = 60_000  # everything search fetches for a reader's first query, uncompressed


def relevance_queries() -> list[dict]:
    return json.loads(RELEVANCE.read_text(encoding="utf-8"))["queries"]


def ask(page, query: str) -> list[str]:
    """Type a query into the open search box; the results shown, as "url#anchor"."""
    box = page.locator(".md-search__input")
    box.fill(query)
    page.wait_for_function("q => document.querySelector('[data-cd-search]').dataset.answered === q", arg=query, timeout=20_000)
    hrefs = page.eval_on_selector_all(".cd-search__hit", "links => links.map(a => a.getAttribute('href'))")
    return [href.lstrip("/") if "#" in href else href.lstrip("/") + "#" for href in hrefs]


def precision_recall(shown: list[str], relevant: set[str]) -> tuple[float, float]:
    first5, first10 = shown[:5], shown[:10]
    p5 = sum(hit in relevant for hit in first5) / len(first5) if first5 else float(not relevant)
    r10 = sum(hit in relevant for hit in first10) / min(10, len(relevant)) if relevant else 1.0
    return p5, r10


def test_the_relevance_set_is_big_enough_and_judged():
    queries = relevance_queries()
    assert len(queries) >= 40
    assert all(q["relevant"] and q["judged"] for q in queries)
    texts = " ".join(q["query"] for q in queries)
    for needed in (
        "boundary",
        "negotiation",
        '"not this year"',
        "Dev Patel",
        "burnout",
        "manager",
        "#CareerClub",
        "東京",
        "salery",
        "feedbeck",
    ):
        assert needed in texts


@pytest.fixture
def search_page(browser, serve, built_demo):
    page = browser.new_page()
    page.goto(serve(built_demo / "site"))
    page.keyboard.press("/")
    yield page
    page.close()


def test_search_meets_the_relevance_targets(search_page):
    rows = []
    for entry in relevance_queries():
        shown = ask(search_page, entry["query"])
        p5, r10 = precision_recall(shown, set(entry["relevant"]))
        rows.append((entry["query"], p5, r10, len(entry["relevant"]), len(shown)))
    print(f"\n{'query':28} {'P@5':>5} {'R@10':>5} {'relevant':>8} {'shown':>5}")
    for query, p5, r10, relevant, shown in rows:
        print(f"{query:28} {p5:5.2f} {r10:5.2f} {relevant:8} {shown:5}")
    p5, r10 = mean(r[1] for r in rows), mean(r[2] for r in rows)
    print(f"{'mean over ' + str(len(rows)) + ' queries':28} {p5:5.2f} {r10:5.2f}")
    assert r10 >= MIN_R10 and p5 >= MIN_P5, (p5, r10)


def test_every_match_is_reachable_by_expanding_in_place(search_page):
    """manager: every relevant document is a result once every page is shown and each page's
    results are expanded, each linking to its own anchor, and the count says how many."""
    entry = next(q for q in relevance_queries() if q["query"] == "manager")
    ask(search_page, "manager")
    while search_page.locator(".cd-search__more").is_visible():
        pages = search_page.locator(".md-search-result__item").count()
        search_page.locator(".cd-search__more").click()
        search_page.wait_for_function("n => document.querySelectorAll('.md-search-result__item').length > n", arg=pages)
    while rest := search_page.locator(".cd-search__rest").count():
        search_page.locator(".cd-search__rest").first.click()
        search_page.wait_for_function("n => document.querySelectorAll('.cd-search__rest').length < n", arg=rest)
    hrefs = search_page.eval_on_selector_all(".cd-search__hit", "links => links.map(a => a.getAttribute('href'))")
    anchors = [h.lstrip("/") if "#" in h else h.lstrip("/") + "#" for h in hrefs]
    assert set(entry["relevant"]) <= set(anchors)
    assert len(anchors) == len(set(anchors))
    count = int(search_page.locator(".md-search-result__meta").text_content().split()[0])
    assert count == len(anchors)


def test_the_relevance_file_names_documents_that_exist(built_demo):
    site: Path = built_demo / "site"
    for entry in relevance_queries():
        for target in entry["relevant"]:
            url, anchor = target.split("#")
            page = (site / url / "index.html").read_text(encoding="utf-8")
            assert not anchor or f'id="{anchor}"' in page, target


def test_a_query_costs_a_reader_little(browser, built_demo):
    from statistics import median

    from generator.bench.searchcost import measure_queries

    costs = measure_queries(built_demo / "site", [q["query"] for q in relevance_queries()], browser)
    total = median(c.bytes for c in costs)
    runtime = median(c.runtime_bytes for c in costs)
    print(
        f"\nmedian per query over {len(costs)} queries: {total / 1000:.1f} KB, of which {runtime / 1000:.1f} KB the script, "
        f"stemmer and meta.json fetched on opening; first result in {median(c.first_result_ms for c in costs):.0f} ms"
    )
    assert total <= MAX_MEDIAN_QUERY_BYTES
