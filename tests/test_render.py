"""render.py's link rules, and the charts' text equivalents. The property tests that any text renders as text, in every context a
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


def test_charts_have_a_title_and_their_numbers_as_a_table():
    import datetime as dt

    from generator.render.charts import attendance_svg, attendance_table, participation_svg, participation_table

    weeks = [(dt.date(2026, 3, 5), 120, 31), (dt.date(2026, 3, 12), 95, 27)]
    svg = lxml_html.fromstring(participation_svg(weeks))
    assert svg.get("role") == "img" and svg.findtext("title") == svg.get("aria-label") == "Messages and participants per chat"
    table = lxml_html.fromstring(participation_table(weeks))
    assert [[cell.text_content() for cell in row] for row in table.iter("tr")] == [
        ["Chat", "Messages", "Participants"],
        ["12 Mar 2026", "95", "27"],  # newest first, as in the archive's lists
        ["5 Mar 2026", "120", "31"],
    ]
    attended = ((2025, 4), (2026, 0))
    assert lxml_html.fromstring(attendance_svg(attended, 9)).findtext("title") == "Chats attended each year"
    rows = [[cell.text_content() for cell in row] for row in lxml_html.fromstring(attendance_table(attended)).iter("tr")]
    assert rows == [["Year", "Chats attended"], ["2026", "0"], ["2025", "4"]]
