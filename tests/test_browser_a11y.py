"""Accessibility in a real browser: axe-core (WCAG 2.0/2.1 A and AA rules and best practices) on
every kind of page of the built demo, in the light and the dark scheme; the charts' text
equivalents; keyboard focus on a chat page; and the layout on a phone.

axe-core comes from the npm registry (tests/axe/package.json, `npm ci --prefix tests/axe`, which
.ci/run does); without it these tests skip, saying so, except in CI where they must run.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
SCHEMES = ("light", "dark")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
ZOOMED = {"viewport": {"width": 640, "height": 450}}  # a 1280 × 900 window at 200% zoom


@pytest.fixture(scope="session")
def axe_script() -> str:
    if not AXE.exists():
        reason = f"accessibility tests need axe-core at {AXE} (run: npm ci --prefix tests/axe)"
        if os.environ.get("CHATDIGEST_REQUIRE_BROWSER"):
            pytest.fail(reason)  # CI installs it: there these tests must run
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site_dir(built_demo) -> Path:
    return built_demo / "site"


@pytest.fixture
def base(serve, site_dir, tmp_path) -> str:
    """The built site served at its site_url's path (/archive/ for the demo), as on its host: the
    404 page links its styles by absolute paths, which only work there."""
    import yaml

    config = yaml.safe_load((site_dir.parent / "mkdocs.yml").read_text(encoding="utf-8"))
    prefix = urlsplit(config.get("site_url") or "/").path.strip("/")
    if not prefix:
        return serve(site_dir)
    (tmp_path / "www" / prefix).parent.mkdir(parents=True)
    (tmp_path / "www" / prefix).symlink_to(site_dir, target_is_directory=True)
    return serve(tmp_path / "www") + prefix + "/"


def _first(site: Path, pattern: str, must_contain: tuple[str, ...] = (), must_lack: tuple[str, ...] = ()) -> str:
    """The first built page matching `pattern` whose HTML has every string of `must_contain` and
    none of `must_lack`, as a URL path."""
    for page in sorted(site.glob(pattern)):
        html = page.read_text(encoding="utf-8")
        if all(s in html for s in must_contain) and not any(s in html for s in must_lack):
            return page.parent.relative_to(site).as_posix() + "/"
    pytest.fail(f"no page {pattern} with {must_contain} and without {must_lack} in {site}")


@functools.cache
def page_kinds(site: Path) -> dict[str, str]:
    """Every kind of page the site has, as kind → URL path, chosen from the built site."""
    return {
        "home": "",
        "chat": _first(site, "episodes/*/index.html", ('id="questions-and-answers"', 'id="highlights"', 'id="transcript"', 'id="stats"')),
        "upcoming chat": _first(site, "episodes/*/index.html", ('id="questions"',), ('id="transcript"',)),
        "archive": "archive/",
        "archive year": _first(site, "archive/*/index.html"),
        "topics": "topics/",
        "topic": _first(site, "topics/*/index.html"),
        "people": "people/",
        "person": _first(site, "people/*/index.html", ('id="attendance"', 'id="highlights"')),
        "upcoming": "upcoming/",
        "about": "about/",
        "privacy": "privacy/",
        "follow": "follow/",
        "editors": "editors/",
        "404": "404.html",
    }


SEARCHES = {"search with results": "interview", "search without results": "zzzqqq"}
KINDS = [
    "home",
    "chat",
    "upcoming chat",
    "archive",
    "archive year",
    "topics",
    "topic",
    "people",
    "person",
    "upcoming",
    "about",
    "privacy",
    "follow",
    "editors",
    "404",
    *SEARCHES,
]


def open_page(browser, base: str, site: Path, kind: str, scheme: str = "light", device: dict = DESKTOP, **options):
    """A browser page showing that kind of page in that colour scheme on that device (search:
    opened, with a query typed and its answer shown)."""
    context = browser.new_context(color_scheme=scheme, **device, **options)
    # Only the site itself: the theme's web fonts and repository facts would wait on a network.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    page = context.new_page()
    query = SEARCHES.get(kind)
    page.goto(base + ("" if query else page_kinds(site)[kind]))
    if query:
        page.keyboard.press("/")
        page.locator(".md-search__input").type(query)
        done = ".md-search-result__item" if kind == "search with results" else ".md-search-result__meta:has-text('No matching')"
        page.locator(done).first.wait_for(timeout=10000)
        page.wait_for_timeout(300)  # the result list's transition
    return page


def run_axe(page, script: str) -> list[dict]:
    """axe-core's violations on the page: [{id, impact, nodes: [target, …], summary}]."""
    page.evaluate(script)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [" ".join(map(str, n["target"])) for n in v["nodes"]],
            "summary": v["nodes"][0].get("failureSummary", "").splitlines()[1:2],
        }
        for v in result["violations"]
    ]


def describe(violations: list[dict]) -> str:
    return "; ".join(f"{v['id']} ({len(v['nodes'])}: {', '.join(v['nodes'][:3])} {v['summary']})" for v in violations)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", KINDS)
def test_no_axe_violations(browser, base, site_dir, axe_script, kind, scheme):
    page = open_page(browser, base, site_dir, kind, scheme)
    violations = run_axe(page, axe_script)
    page.context.close()
    assert not violations, f"{kind}, {scheme}: {describe(violations)}"


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: no horizontal scrolling). A
    phone's browser widens its layout to fit wide content and zooms out: innerWidth tells."""
    return page.evaluate("Math.max(document.documentElement.scrollWidth, window.innerWidth) - document.documentElement.clientWidth")


def sticking_out(page, selector: str) -> list[str]:
    """The visible elements matching `selector` that stick out of the window, sideways."""
    return page.eval_on_selector_all(
        selector,
        """els => els.filter(e => e.offsetParent !== null).filter(e => {
             const r = e.getBoundingClientRect();
             return r.left < 0 || r.right > window.visualViewport.width;
           }).map(e => e.outerHTML.slice(0, 80))""",
    )


@pytest.mark.parametrize("device", ["phone", "200% zoom"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_horizontal_scrolling(browser, base, site_dir, kind, device):
    page = open_page(browser, base, site_dir, kind, device=PHONE if device == "phone" else ZOOMED)
    wider = overflow(page)
    page.context.close()
    assert wider <= 0, f"{kind} on {device}: {wider} px wider than the window"


def test_phone_search_filters_fit_and_work(browser, base, site_dir):
    page = open_page(browser, base, site_dir, "search with results", device=PHONE)
    assert overflow(page) <= 0
    filters = page.locator("select[data-filter]")
    assert filters.count() == 3
    assert sticking_out(page, "select[data-filter], .md-search__input, .md-search-result__article") == []
    for i in range(3):
        box = filters.nth(i).bounding_box()
        assert box["height"] >= 24 and box["width"] >= 24, f"filter {i}: {box}"
    before = page.locator(".md-search-result__meta").inner_text()
    year = page.locator('select[data-filter="year"] option').nth(1).get_attribute("value")
    page.locator('select[data-filter="year"]').select_option(year)
    page.wait_for_function("before => document.querySelector('.md-search-result__meta').textContent !== before", arg=before)
    page.context.close()


@pytest.mark.parametrize("kind", KINDS)
def test_phone_tap_targets_are_at_least_24px(browser, base, site_dir, axe_script, kind):
    """axe-core's target-size rule (WCAG 2.2, 2.5.8): a control is 24 px square, or its 24 px
    circle touches no other control; links inside running text are exempt."""
    page = open_page(browser, base, site_dir, kind, device=PHONE)
    page.evaluate(axe_script)
    result = page.evaluate("axe.run(document, {runOnly: ['target-size'], resultTypes: ['violations']})")
    page.context.close()
    assert [n["target"] for v in result["violations"] for n in v["nodes"]] == []


def test_chat_page_controls_take_keyboard_focus_visibly(browser, base, site_dir):
    """Tabbing through a chat page reaches the table of contents' question links, the
    highlights, the answers and the transcript's threads, and each focused element shows an
    outline."""
    page = open_page(browser, base, site_dir, "chat")
    seen, invisible = set(), []
    wanted = {"highlights", "answers", "transcript", "toc"}
    for _ in range(600):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
              const e = document.activeElement;
              // Material's scheme toggle is a hidden radio button whose label shows its focus.
              const shown = e.matches('input.md-option') ? e.nextElementSibling : e;
              const s = getComputedStyle(shown);
              const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
              const where = e.closest('.cd-highlights') ? 'highlights' : e.closest('.cd-answers') ? 'answers'
                : e.closest('.cd-transcript') ? 'transcript' : e.closest('.md-sidebar--secondary') ? 'toc' : 'other';
              return {where, visible, tag: e.outerHTML.slice(0, 80)};
            }"""
        )
        seen.add(info["where"])
        if not info["visible"]:
            invisible.append(info["tag"])
        if wanted <= seen:
            break
    page.context.close()
    assert wanted <= seen
    assert invisible == []


@pytest.mark.parametrize("kind", ["chat", "home", "person"])
def test_keyboard_opens_question_jumps_and_folded_parts(browser, base, site_dir, kind):
    """Enter on a link to a question (the table of contents') lands on that question; Enter on
    the summary of every folded part of the page (a chart's numbers, answers shown on demand)
    opens it, and again closes it."""
    page = open_page(browser, base, site_dir, kind)
    jumps = page.locator('.md-sidebar--secondary a[href="#q1"]')
    if kind == "chat":
        assert jumps.count() >= 1
        jumps.first.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => location.hash === '#q1'")
        assert page.evaluate("document.getElementById('q1').getBoundingClientRect().top") < 900
    summaries = page.locator(".md-content details > summary")
    if kind != "chat":
        assert summaries.count() >= 1  # the charts' tables
    for i in range(summaries.count()):
        summary = summaries.nth(i)
        summary.focus()
        page.keyboard.press("Enter")
        assert summary.evaluate("s => s.parentElement.open")
        page.keyboard.press("Enter")
        assert not summary.evaluate("s => s.parentElement.open")
    page.context.close()


@pytest.mark.parametrize("kind", ["home", "search with results"])
def test_nothing_moves_for_readers_who_ask_for_no_motion(browser, base, site_dir, kind):
    page = open_page(browser, base, site_dir, kind, reduced_motion="reduce")
    moving = page.evaluate(
        """() => [...document.querySelectorAll('*')].filter(e => {
             const s = getComputedStyle(e);
             const seconds = v => Math.max(...v.split(',').map(parseFloat));
             return seconds(s.transitionDuration) > 0 || (s.animationName !== 'none' && seconds(s.animationDuration) > 0);
           }).map(e => e.outerHTML.slice(0, 60))"""
    )
    page.context.close()
    assert moving == []


def chart_texts(page) -> list[dict]:
    return page.eval_on_selector_all(
        ".cd-chart",
        """charts => charts.map(c => ({
             title: c.querySelector('svg > title')?.textContent || '',
             name: c.querySelector('svg')?.getAttribute('aria-label') || '',
             role: c.querySelector('svg')?.getAttribute('role') || '',
             table: [...c.querySelectorAll('table tr')].map(r => [...r.cells].map(x => x.textContent.trim())),
           }))""",
    )


@pytest.mark.parametrize("kind", ["home", "person"])
def test_charts_have_a_title_and_their_numbers_as_a_table(browser, base, site_dir, kind):
    page = open_page(browser, base, site_dir, kind)
    charts = chart_texts(page)
    page.context.close()
    assert charts
    for chart in charts:
        assert chart["title"] and chart["name"] == chart["title"] and chart["role"] == "img"
        header, *rows = chart["table"]
        assert len(header) >= 2 and rows
        assert all(re.fullmatch(r"\d+", cell) for row in rows for cell in row[1:])
