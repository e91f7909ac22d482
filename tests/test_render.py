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


def test_chart_axes_are_whole_numbers_and_evenly_spaced_months():
    import datetime as dt
    import itertools
    import re

    from generator.render.charts import attendance_svg, count_ticks, month_ticks, participation_svg

    assert count_ticks(1) == [0, 1] and count_ticks(2) == [0, 1, 2] and count_ticks(500) == [0, 100, 200, 300, 400, 500]
    labels = re.findall(r">([^<]+)</text>", attendance_svg(((2026, 1),), 1))
    assert labels == ["2026", "1", "0"]  # no quarter chats
    ticks = month_ticks(dt.date(2025, 10, 2), dt.date(2026, 11, 19))
    gaps = {(b.year * 12 + b.month) - (a.year * 12 + a.month) for a, b in itertools.pairwise(ticks)}
    assert len(gaps) == 1  # the same number of months between ticks
    weeks = [(dt.date(2025, 10, 2) + dt.timedelta(weeks=i), 100, 20) for i in range(3)] + [(dt.date(2026, 9, 10), 150, 30)]
    svg = participation_svg(weeks)
    assert "Unnamed" not in svg and "Sep 2026" in svg
