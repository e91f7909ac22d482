"""render.py's link rules. The property tests that any text renders as text, in every context a
page puts it, are in test_hostile.py."""

from __future__ import annotations

from lxml import html as lxml_html

from generator.render.text import link_html, text_html


def hrefs(fragment: str) -> list[str]:
    return lxml_html.fragment_fromstring(fragment, create_parent="div").xpath("//a/@href")


def test_links_only_for_safe_schemes():
    html = text_html("see https://example.com/a?b=1&c=2, mailto:a@b.c and javascript:alert(1)")
    assert hrefs(html) == ["https://example.com/a?b=1&c=2", "mailto:a@b.c"]


def test_trailing_punctuation_is_not_part_of_a_link():
    assert hrefs(text_html("(see https://example.com/page).")) == ["https://example.com/page"]


def test_unsafe_link_becomes_plain_text():
    assert hrefs(link_html("javascript:alert(1)", "click")) == []
    assert "click" in link_html("javascript:alert(1)", "click")
