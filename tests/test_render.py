"""Untrusted text stays text: any string, rendered by render.py and converted by Markdown the way
MkDocs converts pages, yields only allowed elements, attributes and link schemes."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.render import RICH_TAGS, clean_text, inline_md, rich_html, text_html

MKDOCS_EXTENSIONS = ["tables", "attr_list", "sane_lists", "toc"]
ALLOWED = {"p": set(), "br": set(), "a": {"href", "rel", "title"}, "div": {"class"}, "h2": {"id"}, "span": set()}
ALLOWED_RICH = {tag: set() for tag in RICH_TAGS} | {"a": {"href", "rel", "title"}, "div": {"class"}}


class Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text += data

    def handle_comment(self, data):
        self.elements.append(("!--", {}))


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def assert_safe(html: str, allowed: dict[str, set[str]]) -> None:
    for tag, attrs in parse(html).elements:
        assert tag in allowed, (tag, html)
        assert set(attrs) <= allowed[tag], (tag, attrs, html)
        if tag == "a" and "href" in attrs:
            href = attrs["href"] or ""
            assert href.startswith(("http://", "https://", "mailto:")), html


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | st.sampled_from([
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "![i](http://x/i.png)", "<!-- c -->",
    "{{ config }}", "---\ntitle: x\n---", "# h\n> q\n- l\n| a | b |\n```\ncode\n```", "<img src=x onerror=alert(1)>",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "http://a.b/<script>", "\u202eevil", "a\u200bb",
])


@settings(max_examples=300, deadline=None)
@given(texts)
def test_message_text_renders_as_text(text: str):
    block = f'<div class="cd-msg">{text_html(text)}</div>'
    html = markdown.markdown(f"# Page\n\n{block}\n\nafter\n", extensions=MKDOCS_EXTENSIONS)
    assert_safe(html.replace('<h1 id="page">Page</h1>', ""), ALLOWED)
    assert "after" in parse(html).text  # the message did not swallow the rest of the page


@settings(max_examples=300, deadline=None)
@given(texts)
def test_inline_markdown_shows_the_characters(text: str):
    html = markdown.markdown(f"## {inline_md(text)}\n", extensions=MKDOCS_EXTENSIONS)
    assert_safe(html, ALLOWED)
    shown = parse(html).text
    assert shown.strip() == " ".join(clean_text(text).split())


@settings(max_examples=300, deadline=None)
@given(texts)
def test_rich_html_keeps_only_allowed_markup(text: str):
    html = markdown.markdown(f'<div class="cd-preview">\n{rich_html(text)}\n</div>\n', extensions=MKDOCS_EXTENSIONS)
    assert_safe(html, ALLOWED_RICH)


def test_links_only_for_safe_schemes():
    html = text_html("see https://example.com/a?b=1&c=2, mailto:a@b.c and javascript:alert(1)")
    links = [attrs["href"] for tag, attrs in parse(html).elements if tag == "a"]
    assert links == ["https://example.com/a?b=1&c=2", "mailto:a@b.c"]
