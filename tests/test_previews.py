"""`chatdigest previews`: feeds → preview.md, questions, preview/recap links, upcoming episodes."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from pathlib import Path

import markdown
import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner
from conftest import FIXTURE_SITE, shared_samples

from generator.archive.model import PreviewRules
from generator.archive.read import read_archive
from generator.build.generate import generate_site
from generator.cli import main
from generator.ingest.previews import (
    FeedEntry,
    classify,
    extract_questions,
    html_to_markdown,
    import_previews,
    read_feed,
)
from generator.render.text import rich_html

SAMPLES = Path(__file__).parent / "samples" / "feeds"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text())
MARCH_8 = dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)  # "now": before both March chats


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def episodes(site: Path) -> dict:
    return {c.episode.id: c for c in read_archive(site).episodes}


# --- every sample feed is a test -------------------------------------------------------------


def test_every_sample_feed_has_an_expectation():
    feeds = {p.name for p in SAMPLES.iterdir() if p.name != "expected.json"}
    assert feeds == set(EXPECTED) - {"_comment"}


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"_comment"}))
def test_sample_feed_reads_as_expected(name):
    expected = EXPECTED[name]
    result = read_feed(str(SAMPLES / name))
    rules = PreviewRules()
    got = [[e.title, classify(e, rules, ["#FixtureChat"]), e.published.isoformat() if e.published else None] for e in result.entries]
    assert got == expected["entries"]
    warnings = [str(w) for w in result.warnings]
    assert len(warnings) == len(expected["warnings"]), warnings
    for fragment, warning in zip(expected["warnings"], warnings):
        assert fragment in warning and name in warning
    if expected["error"]:
        assert result.error is not None and expected["error"] in str(result.error)
    else:
        assert result.error is None


def test_real_feeds_parse_into_entries_or_clear_problems():
    folder = shared_samples("feeds")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    assert files
    for path in files:
        result = read_feed(str(path))  # must never raise
        assert result.entries or result.error or result.warnings, path
        for problem in [*result.warnings, *([result.error] if result.error else [])]:
            assert str(path) in str(problem) and problem.message, problem
        for entry in result.entries:
            assert entry.title and entry.key
            markdown = html_to_markdown(entry.html, entry.link)
            assert not any(marker in markdown.lower() for marker in ("<script", "onerror=", "javascript:")), (path, entry.title)


def test_real_rss10_and_atom_keep_dates_and_links():
    folder = shared_samples("feeds")
    craigslist = read_feed(str(folder / "rss-parser" / "craigslist.rss"))
    assert len(craigslist.entries) == 25 and all(e.published for e in craigslist.entries)
    html_page = read_feed(str(folder / "rss-parser" / "unrecognized.rss"))
    assert html_page.error is not None and not html_page.entries


# --- conversion ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<p>Q1: Who was your first mentor?</p>",
        "<p><strong>Q1:</strong> Who was your first mentor?</p>",
        "<p>Q1. Who was your first mentor?</p>",
        "<p>Q1) Who was your first mentor?</p>",
        "<li>Q1 - Who was your first mentor?</li>",
        "<li>q1 – Who was your first mentor?</li>",
        "<p>Question 1: Who was your first mentor?</p>",
        "<p>Intro<br>Q1: Who was your first mentor?<br>Thanks</p>",
    ],
)
def test_questions_in_the_usual_written_forms(html):
    assert extract_questions(html) == ["Q1: Who was your first mentor?"]


def test_questions_are_ordered_and_not_invented():
    html = "<p>Q2: Second?</p><p>Q1: First?</p><p>Q2: duplicate</p><p>We have 3 questions. A1: not a question</p>"
    assert extract_questions(html) == ["Q1: First?", "Q2: Second?"]


def test_relative_links_resolve_against_the_post():
    markdown = html_to_markdown(
        '<p>See <a href="/people/gus">Gus</a> and <a href="notes">notes</a></p>', "https://blog.example/2026/03/post"
    )
    assert "(https://blog.example/people/gus)" in markdown and "(https://blog.example/2026/03/notes)" in markdown


def test_text_that_looks_like_markup_stays_text():
    markdown = html_to_markdown("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt; 5 &gt; 3</p>", None)
    assert "<script" not in markdown
    html = rich_html(markdown)
    assert "&lt;script&gt;" in html and "<script" not in html


def test_classification_follows_community_rules():
    entry = FeedEntry("f", "k", "Weekly notes", None, "", None, ("Chat",), "<p>#OtherChat</p>")
    assert classify(entry, PreviewRules(), []) == "other"
    custom = PreviewRules(preview_titles=[r"weekly notes"], recap_categories=["chat"])
    assert classify(entry, custom, []) == "recap"
    strict = PreviewRules(preview_titles=[r"weekly notes"], require_hashtag=True)
    assert classify(entry, strict, ["#FixtureChat"]) == "other"
    assert classify(entry, strict, ["#OtherChat"]) == "preview"


# --- importing into data/ --------------------------------------------------------------------


def test_rss20_fills_the_upcoming_episode_and_the_recap(fixture_site):
    report = import_previews(fixture_site, [str(SAMPLES / "rss20.xml")], now=MARCH_8)
    assert not report.errors and not report.warnings, report.lines()
    contents = episodes(fixture_site)
    mentors = contents["2026-03-12-mentors"]
    preview = mentors.preview_markdown
    assert "Who was your first mentor?" in preview
    assert "[Gus](https://blog.fixture.example/people/gus)" in preview  # relative link made absolute
    assert "Source: [Preview: Finding a mentor](https://blog.fixture.example/2026/03/mentors) by Hana Host, 9 March 2026." in preview
    assert mentors.episode.preview.url == "https://blog.fixture.example/2026/03/mentors"
    # The editor wrote one question by hand: it wins over the three in the post.
    assert mentors.episode.questions == ["Q1: Who was your first mentor?"]
    assert any("kept the 1 question in data/episodes/2026-03-12-mentors/episode.yml" in line for line in report.actions)
    first = contents["2026-03-05-first-jobs"]
    assert first.episode.recap.url == "https://blog.fixture.example/2026/03/first-jobs-recap"
    # The hand-written preview.md of the first chat is not a target of any entry and is untouched.
    assert (FIXTURE_SITE / "data/episodes/2026-03-05-first-jobs/preview.md").read_bytes() == (
        fixture_site / "data/episodes/2026-03-05-first-jobs/preview.md"
    ).read_bytes()
    assert len(contents) == 2  # "Our community turns five" is neither preview nor recap


def test_atom_preview_creates_an_upcoming_episode_with_questions(fixture_site):
    import_previews(fixture_site, [str(SAMPLES / "atom.xml")], now=MARCH_8)
    contents = episodes(fixture_site)
    created = contents["2026-03-19-side-projects-burnout"]
    assert created.episode.status.value == "upcoming"
    assert created.episode.title == "Side projects & burnout"
    assert created.episode.starts_at == dt.datetime(2026, 3, 19, 19, 0, tzinfo=dt.UTC)
    assert created.episode.questions == [
        "Q1: Do you have a side project right now?",
        "Q2: What keeps it fun?",
        "Q3: When did you last drop one?",
    ]
    assert "(https://blog.fixture.example/2026/03/notes.html)" in created.preview_markdown
    assert contents["2026-03-12-mentors"].episode.recap.url == "https://blog.fixture.example/2026/03/mentors-recap"


def test_a_past_preview_creates_a_draft(fixture_site):
    report = import_previews(fixture_site, [str(SAMPLES / "atom.xml")], now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    assert episodes(fixture_site)["2026-03-19-side-projects-burnout"].episode.status.value == "draft"
    assert any("as a draft" in line for line in report.actions)


def test_rerun_changes_nothing(fixture_site):
    feeds = [str(SAMPLES / "rss20.xml"), str(SAMPLES / "atom.xml"), str(SAMPLES / "rss10.rdf")]
    import_previews(fixture_site, feeds, now=MARCH_8)
    before = snapshot(fixture_site / "data")
    mtimes = {p: p.stat().st_mtime_ns for p in (fixture_site / "data").rglob("*") if p.is_file()}
    report = import_previews(fixture_site, feeds, now=MARCH_8)
    assert snapshot(fixture_site / "data") == before
    assert {p: p.stat().st_mtime_ns for p in (fixture_site / "data").rglob("*") if p.is_file()} == mtimes
    assert not any("wrote" in line for line in report.actions), report.actions


def test_an_updated_post_refreshes_what_the_editor_left_alone(fixture_site, tmp_path):
    import_previews(fixture_site, [str(SAMPLES / "atom.xml")], now=MARCH_8)
    changed = tmp_path / "atom.xml"
    changed.write_text((SAMPLES / "atom.xml").read_text().replace("What keeps it fun?", "What keeps it fun for you?"))
    import_previews(fixture_site, [str(changed)], now=MARCH_8)
    created = episodes(fixture_site)["2026-03-19-side-projects-burnout"]
    assert "Q2: What keeps it fun for you?" in created.episode.questions
    assert "What keeps it fun for you?" in created.preview_markdown


def test_editor_edits_win(fixture_site, tmp_path):
    import_previews(fixture_site, [str(SAMPLES / "atom.xml")], now=MARCH_8)
    folder = fixture_site / "data/episodes/2026-03-19-side-projects-burnout"
    (folder / "preview.md").write_text("Our own words.\n")
    data = yaml.safe_load((folder / "episode.yml").read_text())
    data["questions"] = ["Q1: Edited by the editor?"]
    (folder / "episode.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    changed = tmp_path / "atom.xml"
    changed.write_text((SAMPLES / "atom.xml").read_text().replace("What keeps it fun?", "What keeps it fun for you?"))
    report = import_previews(fixture_site, [str(changed)], now=MARCH_8)
    assert (folder / "preview.md").read_text() == "Our own words.\n"
    assert episodes(fixture_site)[folder.name].episode.questions == ["Q1: Edited by the editor?"]
    skipped = [line for line in report.actions if line.startswith("skipped:")]
    assert any("preview.md: edited since the last import" in line for line in skipped)
    assert any("kept the 1 question in" in line for line in skipped)


def test_hostile_html_leaves_no_script_in_preview_md(fixture_site):
    import_previews(fixture_site, [str(SAMPLES / "hostile.xml")], now=MARCH_8)
    content = episodes(fixture_site)["2026-03-12-mentors"]
    preview = content.preview_markdown
    assert "Hello" in preview and "[fine](https://hostile.example/ok)" in preview
    assert "<" not in preview  # every tag was dropped or converted; text `<` is written &lt;
    # Render preview.md with plain Markdown (no sanitiser): the markup that comes out is harmless.
    assert_harmless(markdown.markdown(preview))
    assert_harmless(rich_html(preview))
    assert "&lt;script&gt;alert(8)" in rich_html(preview)  # text that only looked like markup stays text


def assert_harmless(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["script", "iframe", "svg", "img", "style", "object", "embed"]), html
    for tag in soup.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag
        assert not str(tag.get("href", "")).lower().startswith(("javascript:", "data:", "vbscript:")), tag


def test_bad_entries_change_nothing_and_are_named(fixture_site):
    before = snapshot(fixture_site / "data")
    report = import_previews(fixture_site, [str(SAMPLES / "no-dates.xml")], now=MARCH_8)
    assert snapshot(fixture_site / "data") == before
    lines = [str(w) for w in report.warnings]
    assert any("no-dates.xml: entry 'Preview: a chat some day'" in line and "no readable date" in line for line in lines)
    assert any("'the ides of March'" in line for line in lines)


def test_duplicate_guids_import_the_first_only(fixture_site):
    report = import_previews(fixture_site, [str(SAMPLES / "duplicate-guids.xml")], now=MARCH_8)
    assert any("same id" in str(w) for w in report.warnings)
    assert episodes(fixture_site)["2026-03-12-mentors"].episode.preview.url == "https://repeat.example/mentors"


def test_a_second_preview_post_for_the_same_chat_does_not_replace_the_first(fixture_site):
    import_previews(fixture_site, [str(SAMPLES / "rss20.xml")], now=MARCH_8)
    before = snapshot(fixture_site / "data")
    report = import_previews(fixture_site, [str(SAMPLES / "bozo.xml")], now=MARCH_8)
    assert snapshot(fixture_site / "data") == before
    assert any("already has the preview https://blog.fixture.example/2026/03/mentors" in line for line in report.actions)


def test_bozo_feed_still_imports(fixture_site):
    report = import_previews(fixture_site, [str(SAMPLES / "bozo.xml")], now=MARCH_8)
    assert any("not well-formed" in str(w) for w in report.warnings)
    assert "Q2: And your last?" in episodes(fixture_site)["2026-03-12-mentors"].preview_markdown


def test_cli_html_page_instead_of_feed_exits_2_and_changes_nothing(fixture_site):
    before = snapshot(fixture_site / "data")
    result = CliRunner().invoke(
        main, ["previews", str(SAMPLES / "not-a-feed.html"), str(SAMPLES / "rss20.xml"), "--root", str(fixture_site)]
    )
    assert result.exit_code == 2
    assert "not-a-feed.html: this is an HTML page" in result.output
    assert "Traceback" not in result.output
    # The good feed was still imported.
    assert snapshot(fixture_site / "data") != before


def test_cli_without_feeds_says_where_to_add_them(fixture_site):
    result = CliRunner().invoke(main, ["previews", "--root", str(fixture_site)])
    assert result.exit_code == 2 and "feeds:" in result.output


def test_upcoming_pages_show_local_time_utc_and_questions(fixture_site):
    import_previews(fixture_site, [str(SAMPLES / "atom.xml")], now=MARCH_8)
    generate_site(fixture_site)
    upcoming = (fixture_site / "docs/upcoming/index.md").read_text()
    assert "Thursday 19 March 2026, 19:00 GMT \\(19:00 UTC\\)" in upcoming
    assert "Do you have a side project right now?" in upcoming
    home = (fixture_site / "docs/index.md").read_text()
    assert "Next chat" in home


# --- over HTTP -------------------------------------------------------------------------------


class _FeedServer(http.server.BaseHTTPRequestHandler):
    """Serves /feed.xml with an ETag (304 when it matches), /missing with 404, /page as HTML."""

    body = (SAMPLES / "atom.xml").read_bytes()
    etag = '"atom-v1"'
    requests: list[tuple[str, int]] = []

    def do_GET(self):
        if self.path == "/feed.xml":
            if self.headers.get("If-None-Match") == self.etag:
                self._reply(304, b"")
            else:
                self._reply(200, self.body, {"ETag": self.etag, "Content-Type": "application/atom+xml"})
        elif self.path == "/page":
            self._reply(200, (SAMPLES / "not-a-feed.html").read_bytes(), {"Content-Type": "text/html"})
        else:
            self._reply(404, b"not here")

    def _reply(self, status: int, body: bytes, headers: dict | None = None):
        type(self).requests.append((self.path, status))
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    _FeedServer.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FeedServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_conditional_get_gets_304_the_second_time(fixture_site, feed_server):
    url = f"{feed_server}/feed.xml"
    first = import_previews(fixture_site, [url], now=MARCH_8)
    assert not first.errors
    assert "2026-03-19-side-projects-burnout" in episodes(fixture_site)
    cache = json.loads((fixture_site / ".cache/feeds.json").read_text())
    assert cache[url]["etag"] == '"atom-v1"'
    second = import_previews(fixture_site, [url], now=MARCH_8)
    assert _FeedServer.requests == [("/feed.xml", 200), ("/feed.xml", 304)]
    assert any("not modified" in line for line in second.actions)


def test_http_failures_are_errors_naming_the_feed(fixture_site, feed_server):
    before = snapshot(fixture_site / "data")
    closed = "http://127.0.0.1:9/feed.xml"  # discard port: nothing listens
    report = import_previews(fixture_site, [f"{feed_server}/missing", f"{feed_server}/page", closed], now=MARCH_8)
    messages = [str(p) for p in report.errors]
    assert any(f"{feed_server}/missing: the server answered HTTP 404" in m for m in messages)
    assert any(f"{feed_server}/page: this is an HTML page" in m for m in messages)
    assert any(f"{closed}: cannot reach the feed" in m for m in messages)
    assert snapshot(fixture_site / "data") == before
    assert not (fixture_site / ".cache/feeds.json").exists() or url_not_cached(fixture_site, feed_server)


def url_not_cached(site: Path, base: str) -> bool:
    return not any(key.startswith(base) for key in json.loads((site / ".cache/feeds.json").read_text()))


def test_feeds_default_to_community_yml(fixture_site, feed_server):
    path = fixture_site / "data/community.yml"
    data = yaml.safe_load(path.read_text())
    data["feeds"] = [{"url": f"{feed_server}/feed.xml"}]
    path.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(main, ["previews", "--root", str(fixture_site)])
    assert result.exit_code == 0, result.output
    assert "created data/episodes/2026-03-19-side-projects-burnout" in result.output or "2026-03-19" in result.output


def test_community_yml_rejects_a_bad_title_pattern(fixture_site):
    path = fixture_site / "data/community.yml"
    path.write_text(path.read_text() + "previews:\n  preview_titles: ['(unclosed']\n")
    result = CliRunner().invoke(main, ["check", "--root", str(fixture_site)])
    assert result.exit_code == 1
    assert "community.yml" in result.output and "not a valid regular expression" in result.output
