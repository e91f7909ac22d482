"""Answers under their questions, on hashtag chats written in the shape of real exports (an X API
v2 search page and a Mastodon statuses list each, tests/qa/) and imported through the real
importers: every message lands where a reader would put it (placement.yml), whether or not the
questions were listed in episode.yml beforehand."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "qa"))
import measure

from generator.digest.questions import ranked_answers


@pytest.mark.parametrize("listed", [False, True], ids=["found-in-chat", "listed-beforehand"])
@pytest.mark.parametrize("fmt", sorted(measure.EXPORTS))
@pytest.mark.parametrize("chat", measure.CHATS)
def test_every_answer_is_placed_where_a_reader_places_it(chat, fmt, listed):
    result = measure.measure_test_chat(chat, fmt, listed)
    assert (result.right, result.half, result.nowhere, result.wrong) == (result.answers, 0, 0, 0), result.line(chat)
    assert result.answers == sum(1 for v in measure.expected_placement(chat).values() if isinstance(v, list) and v)


FIRST = "learning-on-the-job"
EPISODE = measure.chat_info(FIRST)["episode"]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from generator.build.generate import load_site

    root = tmp_path_factory.mktemp("qa") / "site"
    measure.import_test_chat(root, FIRST, "x-api")
    return load_site(root), root


@pytest.mark.parametrize("chat", measure.CHATS)
def test_reposted_questions_are_one_question_with_every_copy(chat, tmp_path):
    from generator.build.generate import load_site

    episode = measure.import_test_chat(tmp_path / "site", chat, "mastodon")
    digest = load_site(tmp_path / "site").digests[episode]
    asked = {m.id: f"Q{q.number}" for q in digest.questions for m in q.asked}
    assert asked == {i: v for i, v in measure.expected_placement(chat).items() if isinstance(v, str)}
    assert [q.number for q in digest.questions] == [1, 2, 3, 4, 5]
    assert all("#FixtureChat" not in q.text for q in digest.questions)


def test_question_headings_lose_the_label_the_repost_and_the_hashtag(imported):
    site, _ = imported
    digest = site.digests[EPISODE]
    # Headings lose the chat's hashtag and a repost's "In case you missed it".
    assert digest.questions[2].text == "How do you make time to learn during a busy week?"
    assert all("#FixtureChat" not in q.text for q in digest.questions)


def test_reactions_from_the_export_order_the_answers(imported):
    site, _ = imported
    q1 = site.digests[EPISODE].questions[0]
    by_text = {t.message.text.split(" ")[0]: t.message for t in q1.answers}
    assert by_text["Honestly:"].reactions == {"reposts": 4, "replies": 1}
    ranked = [t.message.text[:12] for t in ranked_answers(q1)]
    assert ranked[0] == "Honestly: ho"  # 21 likes, 4 reposts


def test_mastodon_counts_boosts_replies_and_emoji_reactions(tmp_path):
    from generator.ingest.importers.mastodon import read_status

    status = {
        "id": "1",
        "created_at": "2026-04-02T18:05:00Z",
        "content": "<p>A1: hi</p>",
        "account": {"acct": "amy@social.example"},
        "favourites_count": 3,
        "reblogs_count": 2,
        "replies_count": 1,
        "quotes_count": 0,
        "pleroma": {"emoji_reactions": [{"name": "🎉", "count": 2, "me": False}]},
    }
    message = read_status(status)
    assert message.likes == 5 and message.reactions == {"reposts": 2, "replies": 1, "🎉": 2}


def test_a_transcript_without_reactions_still_reads(tmp_path):
    from generator.archive.model import Message

    line = '{"id": "1", "platform": "x", "author": "@a", "at": "2026-04-02T18:05:00Z", "text": "A1: hi", "likes": 2}'
    assert Message.model_validate_json(line).reactions == {}


def test_the_chat_page_shows_the_best_first_time_order_one_click_away_and_one_card_per_message(imported):
    import re

    from generator.render.pages import episode_pages, render_episode

    site, _ = imported
    page = next(p for p in episode_pages(site) if p.content.episode.id == EPISODE)
    text = render_episode(site, page.content, page.previous, page.following)
    questions = text.split("## Questions and answers", 1)[1].split("## Stats", 1)[0]
    q2 = questions.split("### Q2:", 1)[1].split("### Q3:", 1)[0]
    # The top answer first, marked; every answer in time order inside <details>, no script needed.
    assert q2.index("Top answer") < q2.index("our support team")
    assert q2.index("our support team") < q2.index("my peers, in pairing")
    details = re.search(r"<details class=\"cd-time-order\"><summary>All \d+ answers in time order</summary><ol>(.*?)</ol></details>", q2)
    assert details and details.group(1).index("my peers") < details.group(1).index("our support team")
    # "A1/A2": its card under Q1, a link to it under Q2; each message has one anchor on the page.
    anchors = re.findall(r' id="(m-[^"]+)"', text)
    assert len(anchors) == len(set(anchors)) == len(page.content.messages)
    assert re.search(r'<p class="cd-ref"><a href="#m-\d+">Ray’s answer to Q1 and Q2</a>', q2)
    assert '## Stats\n\n\n<div class="cd-stats">\n<table><tbody><tr><th scope="row">Messages</th>' in text


def test_feed_entries_list_every_question_found_in_the_chat_with_its_top_answer(imported):
    import json

    from generator.feeds import render_feeds

    site, _ = imported
    feed = json.loads(render_feeds(site, "https://example.org/")["feeds/feed.json"])
    entry = next(item for item in feed["items"] if EPISODE in item["url"])
    html = entry["content_html"]
    assert html.count("<strong>Q") == 5  # none listed in episode.yml: all found in the chat
    assert "<strong>Q1:</strong> What is one thing you learned at work this month?</p><blockquote><p>Honestly: how to say" in html
    assert "— Eve, top answer" in html
