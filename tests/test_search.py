"""The search index: what goes in, what stays out, how a query finds it, and that every build
makes it."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, build, copy_site
from hypothesis import given
from hypothesis import strategies as st
from test_pagecache import fail_in_helper

from generator.bench.searchcost import lunr_index_bytes
from generator.errors import StrictFailure
from generator.search.documents import article_text
from generator.search.index import BUNDLE_DIR, Doc, Index, SearchPage, chunks, encode_docs, indexed
from generator.search.stemming import Terms

FIRST_JOBS = "episodes/2026-03-05-first-jobs/"
terms = Terms("en")


@pytest.fixture(scope="module")
def built_fixture(tmp_path_factory) -> Path:
    root = copy_site(FIXTURE_SITE, tmp_path_factory.mktemp("search") / "site")
    build(root)
    return root / "site"


def meta(site_dir: Path) -> dict:
    return json.loads((site_dir / BUNDLE_DIR / "meta.json").read_text(encoding="utf-8"))


def records(site_dir: Path) -> dict[str, dict]:
    """Every page record (what a result shows), keyed by page URL."""
    return {record["url"]: record for record in records_by_number(site_dir)}


def index(site_dir: Path) -> list[dict[str, list]]:
    """The term index of each part, read back from its chunks."""
    parts = []
    for chunk_list in meta(site_dir)["chunks"]:
        terms_found = {}
        for first, name, _ in chunk_list:
            chunk = json.loads((site_dir / BUNDLE_DIR / "chunks" / f"{name}.json").read_text(encoding="utf-8"))
            assert first == min(chunk, key=lambda t: t.encode("utf-16-be"))
            terms_found.update(chunk)
        parts.append(terms_found)
    return parts


def decode(postings: list) -> dict[int, set[int] | bool]:
    """Postings back to {page: documents}, as search.js reads them."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    out, page = {}, 0
    for gap, docs in zip(postings[::2], postings[1::2]):
        page += gap
        if docs is True:
            out[page] = True
        elif isinstance(docs, int):
            out[page] = {docs}
        elif isinstance(docs, str):
            out[page] = {c * 6 + b for c, ch in enumerate(docs) for b in range(6) if alphabet.index(ch) >> b & 1}
        else:
            total, numbers = 0, set()
            for step in docs:
                total += step
                numbers.add(total)
            out[page] = numbers
    return out


def found(site_dir: Path, term: str) -> set[str]:
    """The anchors (url#anchor) of the documents holding a term."""
    pages = {n: r for n, r in enumerate(records_by_number(site_dir))}
    hits = set()
    postings = {page: docs for part in index(site_dir) for page, docs in decode(part.get(term, [])).items()}
    for page, docs in postings.items():
        numbers = range(len(pages[page]["docs"])) if docs is True else docs
        hits |= {pages[page]["url"] + "#" + pages[page]["docs"][d][0] for d in numbers}
    return hits


def records_by_number(site_dir: Path) -> list[dict]:
    """Each page's record, its blocks joined."""
    folder = site_dir / BUNDLE_DIR / "pages"
    out = []
    for n in range(meta(site_dir)["pages"]):
        blocks = sorted(folder.glob(f"{n}-*.json"), key=lambda p: int(p.stem.split("-")[1]))
        parts = [json.loads(p.read_text(encoding="utf-8")) for p in blocks]
        out.append({**parts[0], "docs": [doc for part in parts for doc in part["docs"]]})
    return out


def test_build_writes_a_chunked_index_and_no_lunr_index(built_fixture):
    assert meta(built_fixture)["chunks"], "no index chunks"
    assert not (built_fixture / "search" / "search_index.json").exists()
    assert (built_fixture / "assets" / "search.js").is_file()


def test_index_holds_chat_person_and_hand_written_pages_not_listings(built_fixture):
    urls = set(records(built_fixture))
    assert FIRST_JOBS in urls and "people/gus-guest/" in urls and "about/" in urls
    assert not urls & {"", "archive/", "topics/", "people/", "upcoming/", "topics/careers/"}
    assert records(built_fixture)["about/"]["docs"][0][2].startswith("This fixture site tests chatdigest")


def test_every_message_is_a_result_with_its_anchor(built_fixture):
    docs = records(built_fixture)[FIRST_JOBS]["docs"]
    anchors = [d[0] for d in docs]
    assert {"m-1001", "m-1003", "m-1006", "m-1012"} <= set(anchors)
    assert len(anchors) == len(set(anchors)), "a message indexed twice"
    page = (built_fixture / FIRST_JOBS / "index.html").read_text()
    assert all(f'id="{a}"' in page for a in anchors if a)
    assert found(built_fixture, "lifeguard") == {FIRST_JOBS + "#m-1006"}  # 1005's author opted out


def test_filters_are_terms(built_fixture):
    assert found(built_fixture, "year:2026") >= {FIRST_JOBS + "#m-1003"}
    assert all(hit.startswith(FIRST_JOBS) for hit in found(built_fixture, "topic:first job"))
    gus = found(built_fixture, "person:Gus Guest")
    assert gus and all(hit.startswith(FIRST_JOBS + "#m-") for hit in gus)
    lists = json.loads((built_fixture / BUNDLE_DIR / "filters.json").read_text(encoding="utf-8"))
    assert lists["year"] == {"2026": 2} and {"careers", "first job"} <= set(lists["topic"])
    assert {"Hana Host", "Gus Guest"} <= set(lists["person"])
    assert "@zed" not in lists["person"]  # took part in one chat: no page, so no filter either
    assert records(built_fixture)[FIRST_JOBS]["date"] == "2026-03-05"


def test_a_word_finds_the_message_that_holds_it(built_fixture):
    for anchor, _, text in records(built_fixture)[FIRST_JOBS]["docs"]:
        for word in terms(text):
            assert FIRST_JOBS + "#" + anchor in found(built_fixture, word), (word, anchor)


def test_redacted_person_and_deleted_messages_are_not_in_the_index(built_fixture):
    everything = "\n".join(p.read_text(encoding="utf-8") for p in (built_fixture / BUNDLE_DIR).rglob("*.json"))
    assert "lifeguard" in everything and "Paper round" in everything  # the search can see text
    for gone in ("marmalade", "gone_gary", "Gone", "message deleted"):
        assert gone not in everything, gone


def test_noise_is_not_indexed(built_fixture):
    everything = json.dumps(records(built_fixture)[FIRST_JOBS])
    assert "19:03" not in everything and "♥" not in everything and '"on X' not in everything


def test_terms_fold_case_and_accents_and_split_at_punctuation():
    assert terms("Café-au-LAIT, naïve #Careers @Zoë_M don't 2026") == [
        "cafe",
        "au",
        "lait",
        "naiv",
        "career",
        "zoe",
        "m",
        "don",
        "t",
        "2026",
    ]


@given(st.lists(st.integers(0, 400), min_size=1, unique=True))
def test_every_postings_form_decodes_to_the_documents(numbers):
    numbers.sort()
    assert decode([3, encode_docs(numbers)]) == {3: set(numbers)}


def test_chunks_cover_every_term_once_in_javascript_order():
    words = ["zebra", "émigré", "a", "b" * 3000, "😀", "\uffef", "year:2026"]
    pages = [SearchPage(f"p{n}/", f"Page {n}", docs=(Doc("", "", " ".join(words[n:])),)) for n in range(len(words))]
    pages.append(SearchPage("f/", "F", facets=("year:2026",), docs=(Doc("", "", "x"),)))
    index = Index()
    for page in pages:
        index.add(indexed(page, terms))
    built = index.terms
    cut = chunks(built, index.positions)
    merged = {}
    for first, text, _ in cut:
        part = json.loads(text)
        assert first == next(iter(part))
        merged.update(part)
    assert merged == json.loads(json.dumps(built))
    firsts = [first.encode("utf-16-be") for first, _, _ in cut]
    assert firsts == sorted(firsts)


def test_plain_mkdocs_build_makes_the_index_too(tmp_path):
    root = copy_site(FIXTURE_SITE, tmp_path / "site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (root / "site" / BUNDLE_DIR / "meta.json").is_file()


def test_a_theme_without_the_search_box_fails_a_strict_build_with_the_fix(tmp_path, caplog):
    root = copy_site(FIXTURE_SITE, tmp_path / "site")
    config = root / "mkdocs.yml"
    # A site's own custom_dir wins over chatdigest's templates: here it replaces the header.
    (root / "custom" / "partials").mkdir(parents=True)
    (root / "custom" / "partials" / "header.html").write_text("<header></header>\n")
    config.write_text(config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: custom\n"))
    with pytest.raises(StrictFailure):
        build(root, strict=True)
    warning = next(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "mkdocs.yml" in warning and "a custom_dir must not replace them" in warning
    assert not (root / "site" / BUNDLE_DIR).exists()


def test_lunr_index_bytes_matches_what_material_search_writes(tmp_path):
    # A plain Material site, so the search plugin sees every page exactly as it is built.
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nWelcome to the chat archive.\n")
    for n in range(5):
        body = "\n\n".join(f"## Question {q}\n\n" + " ".join(f"answer{n}{q}{w} about careers" for w in range(40)) for q in range(5))
        (tmp_path / "docs" / f"week-{n}.md").write_text(f"# Week {n}\n\n{body}\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: Plain\ntheme:\n  name: material\nplugins:\n  - search\n")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    real = (tmp_path / "site" / "search" / "search_index.json").stat().st_size
    estimate = lunr_index_bytes(tmp_path / "site")
    assert 0.9 * real <= estimate <= 1.1 * real, (estimate, real)


def test_a_warm_build_rewrites_only_changed_records_and_repairs_tampered_ones(tmp_path):
    root = copy_site(FIXTURE_SITE, tmp_path / "site")
    build(root)
    pages = root / "site" / BUNDLE_DIR / "pages"
    expected = {p.name: p.read_bytes() for p in pages.iterdir()}
    first_chat = pages / "0-0.json"
    assert json.loads(first_chat.read_text())["url"] == FIRST_JOBS  # chats are numbered oldest first
    before = first_chat.stat().st_mtime_ns
    build(root)
    assert first_chat.stat().st_mtime_ns == before
    (pages / "0-0.json").write_text("{}")
    (pages / "1-0.json").unlink()
    build(root)
    assert {p.name: p.read_bytes() for p in pages.iterdir()} == expected


def test_jobs_and_the_build_itself_write_the_same_index_and_feeds(tmp_path, monkeypatch, caplog):
    from generator import feeds
    from generator.build import jobs
    from generator.search import documents

    if not jobs.can_fork():
        pytest.skip("jobs need fork and a second core")
    results = []
    result = jobs.Jobs.result
    monkeypatch.setattr(jobs.Jobs, "result", lambda self, name, *a: results.append(name in self.futures) or result(self, name, *a))
    with_jobs = copy_site(FIXTURE_SITE, tmp_path / "jobs")
    build(with_jobs)
    assert results == [True, True]  # forked jobs indexed the chats and wrote the feeds
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

    fail_in_helper(monkeypatch, feeds.write_feeds.__globals__, "write_atomic")
    fail_in_helper(monkeypatch, documents.write_archive_part.__globals__, "write_part")
    inline = copy_site(FIXTURE_SITE, tmp_path / "inline")
    build(inline, strict=False)  # each failure is a warning
    failed = sorted(r.getMessage().split(":")[0] for r in caplog.records if "the work beside the build failed (OSError" in r.getMessage())
    assert failed == ["feeds", "search"]  # so the build did the work itself

    def files(root):
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for folder in (BUNDLE_DIR, "feeds")
            for p in (root / "site" / folder).rglob("*")
            if p.is_file()
        }

    assert files(inline) == files(with_jobs) and any(name.startswith("site/feeds/") for name in files(inline))
    assert (inline / "site" / "calendar.ics").read_bytes() == (with_jobs / "site" / "calendar.ics").read_bytes()


def test_a_preview_is_indexed_as_the_text_readers_see(built_fixture):
    preview = next(d for d in records(built_fixture)[FIRST_JOBS]["docs"] if d[0] == "preview")
    assert preview[2] == "Join us on Thursday. Read more and bad."
    assert not any(mark in preview[2] for mark in ("**", "](", "<script", "javascript:"))


def test_a_built_page_gives_its_article_text_and_nothing_after_it():
    html = (
        '<body><nav>Home</nav><article class="md-content__inner"><h1>About <a class="headerlink" href="#">¶</a></h1>'
        '<p>One<br>two <img src="x"> <strong>three</strong>.</p><hr><ul><li>a</li><li>b</li></ul>'
        "<script>var x = 1;</script></article><footer>Made with Material</footer></body>"
    )
    assert article_text(html) == ("About", "One two three. a b")


def test_a_page_text_goes_on_after_self_closing_tags_and_stops_at_the_article_end():
    from generator.search.article import read_article

    page = (
        '<title>About &amp; us</title><article class="md-content__inner"><h1>About<a class="headerlink">¶</a></h1>'
        '<div><p>one<br />two <img alt="" src="x.png" /></p></div><p>three &amp; four</p></article><footer>footer</footer>'
    )
    article = read_article(page)
    assert (article.page_title, article.heading, article.text) == ("About & us", "About", "one two three & four")
    assert article.html.endswith("<p>three &amp; four</p>")  # as built, for Material's own index


def test_a_message_is_found_by_the_name_and_every_handle_of_whom_it_mentions(built_demo):
    site = built_demo / "site"
    mentions_dev = "episodes/2026-09-10-negotiating-your-first-raise/#m-2098184870604015083"  # "… is @devpatel_comp"
    assert mentions_dev in found(site, "patel")
    chat = "episodes/2026-10-22-working-in-a-second-language/#m-"
    on_mastodon = chat + "117487117926442786"  # mentions @yuki@fosstodon.org only
    on_x = chat + "2113405264985001491"  # an X post naming her X and Mastodon handles
    assert {on_mastodon, on_x} <= found(site, "tanaka")
    assert on_mastodon in found(site, "jp")  # her X handle, @yuki_tanaka_jp


def test_a_chat_whose_page_changed_but_not_its_documents_is_not_indexed_again(tmp_path, monkeypatch):
    from generator.search import index as search_index

    root = copy_site(FIXTURE_SITE, tmp_path / "site")
    build(root)
    log = tmp_path / "indexed.txt"  # appended to by the forked job too
    real = search_index.indexed

    def logged(page, *args, **kwargs):
        with log.open("a", encoding="utf-8") as out:
            out.write(page.url + "\n")
        return real(page, *args, **kwargs)

    monkeypatch.setattr(search_index, "indexed", logged)
    community = root / "data" / "community.yml"
    community.write_text(community.read_text().replace("A tiny community", "A small community"))  # in every page key
    build(root)
    assert not log.exists()  # no chat's documents changed
    episode = root / "data" / "episodes" / "2026-03-12-mentors" / "episode.yml"
    episode.write_text(episode.read_text().replace("title: Finding a mentor", "title: Mentors, found"))
    build(root)
    # The neighbour's page shows the new title, its documents do not.
    assert log.read_text().splitlines() == ["episodes/2026-03-12-mentors/"]
    clean = copy_site(root, tmp_path / "clean")
    build(clean)
    assert records(root / "site") == records(clean / "site")
    assert meta(root / "site") == meta(clean / "site")
    assert index(root / "site") == index(clean / "site")
