"""The digest on small hand-made transcripts, including the tricky cases of real chats."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from generator.archive.model import Episode, EpisodeContent, Message
from generator.archive.summaries import summarise
from generator.digest.analysis import (
    answer_numbers,
    archive_activity,
    build_digest,
    first_appearances,
    question_number,
    suggest_highlights,
)

START = dt.datetime(2026, 3, 5, 19, 0, tzinfo=dt.UTC)
UTC = ZoneInfo("UTC")


def msg(id: str, minute: float, author: str, text: str, **extra) -> Message:
    return Message(id=id, platform="x", author=author, at=START + dt.timedelta(minutes=minute), text=text, **extra)


def content(messages, questions=(), episode_id="2026-03-05-chat", start=START) -> EpisodeContent:
    episode = Episode(id=episode_id, title="Chat", starts_at=start, questions=list(questions))
    return EpisodeContent(episode=episode, messages=tuple(messages))


def key(message: Message) -> str:
    return message.author


@pytest.mark.parametrize(
    "text,number",
    [
        ("Q1: hi", 1),
        ("q 2. x", 2),
        ("Q3) y", 3),
        ("🔥Q4 - z", 4),
        ("#CareerClub Q3 - z", 3),
        ("Question 2: z", 2),
        ("In case you missed it, Q3: z", 3),
        ("ICYMI Q3 – z", 3),
        ("RT Q3: z", 3),
        ("RT @host: Q3: z", 3),
        ("Q3 again: z", 3),
        ("A1: no", None),
        ("Quick Q: no", None),
        ("Q1 was great", None),
    ],
)
def test_question_forms(text, number):
    assert question_number(text) == number


@pytest.mark.parametrize(
    "text,numbers",
    [
        ("A1: yes", [1]),
        ("a1 - yes", [1]),
        ("A 2: z", [2]),
        ("A2. ok", [2]),
        ("A3) ok", [3]),
        ("A1/A2: both", [1, 2]),
        ("A1 & A3: both", [1, 3]),
        ("@bob @amy A3: hi", [3]),
        ("A3 honestly, still figuring it out", [3]),
        ("a2 (hypothetically) yes", [2]),
        ("see http://x.com/A1: no", []),
        ("A10k run on Sunday", []),
        ("A1", []),
        ("AA1: no", []),
        ("Brand A1 sauce", []),
        ("A2+A3 podcasts", [2, 3]),
        ("A2, A3: books", [2, 3]),
        ("A2 and A3: both", [2, 3]),
        ("A.2: dotted", [2]),
        ("A 1: spaced", [1]),
        ("a 2 day course changed my life", []),
        ("Answer 3: spelled out", [3]),
        ("RE Q3: re", [3]),
        ("Q2 - a participant labels with Q", [2]),
        ("#CareerClub A1: after the hashtag", [1]),
        ("💡A3: after an emoji", [3]),
        ("A1 (late): still counts", [1]),
        ("Great question! A1: after a sentence", [1]),
        ("Answering ahead because I'll forget: A5: after a lead-in", [5]),
        ("Ratio: A1 is the best", []),
        ("see A1 above", []),
        ("`A1: TODO` in a code span", []),
        ("https://example.com/A1-guide in a URL", []),
        ("“A1: quoted” was the best answer", []),
        ('"A1: quoted" was the best answer', []),
        ("> A1: a quoted line", []),
        ("the A1 checklist", []),
    ],
)
def test_answer_forms(text, numbers):
    assert answer_numbers(text) == numbers


def test_answers_grouped_under_questions_with_replies_nested():
    messages = [
        msg("q1", 0, "@host", "Q1: First? #chat"),
        msg("a1", 1, "@amy", "A1: mine"),
        msg("r1", 2, "@bob", "@amy nice", reply_to="a1"),
        msg("r2", 3, "@amy", "@bob thanks", reply_to="r1"),
        msg("plain", 3.5, "@cat", "replying to the question itself", reply_to="q1"),
        msg("q2", 10, "@host", "Q2: Second?"),
        msg("both", 11, "@bob", "A1/A2: both at once"),
        msg("gone", 12, "@dan", "", deleted=True),
        msg("chat", 13, "@dan", "just chatting"),
    ]
    digest = build_digest(content(messages), {"host"}, UTC, key)
    q1, q2 = digest.questions
    assert [t.message.id for t in q1.answers] == ["a1", "plain", "both"]
    assert [t.message.id for t in q1.answers[0].replies] == ["r1"]
    assert [t.message.id for t in q1.answers[0].replies[0].replies] == ["r2"]
    assert [t.message.id for t in q2.answers] == ["both"]
    assert digest.stats.answers == 3
    assert digest.stats.messages == 8 and digest.stats.participants == 5


def test_answer_before_its_question_is_placed_whether_or_not_questions_were_listed():
    messages = [msg("early", 0, "@amy", "A2: jumping ahead"), msg("q2", 5, "@host", "Q2: Now?")]
    found = build_digest(content(messages), {"host"}, UTC, key)
    assert [(q.number, [t.message.id for t in q.answers]) for q in found.questions] == [(2, ["early"])]
    listed = build_digest(content(messages, questions=["Q1: One?", "Q2: Now?"]), {"host"}, UTC, key)
    assert [t.message.id for t in listed.questions[1].answers] == ["early"]


def test_question_asked_twice_counts_replies_to_either():
    messages = [
        msg("q1", 0, "@host", "Q1: Favourite tool?"),
        msg("q1again", 5, "@host", "Q1: in case you missed it — favourite tool?"),
        msg("a", 6, "@amy", "vim", reply_to="q1again"),
        msg("b", 7, "@bob", "emacs", reply_to="q1"),
    ]
    digest = build_digest(content(messages), {"host"}, UTC, key)
    assert len(digest.questions) == 1
    assert [t.message.id for t in digest.questions[0].answers] == ["a", "b"]


def test_only_hosts_ask_questions():
    messages = [msg("q1", 0, "@amy", "Q1: not the host"), msg("a", 1, "@bob", "A1: hm")]
    assert build_digest(content(messages), {"host"}, UTC, key).questions == []


def test_reply_cycle_in_bad_data_terminates():
    messages = [msg("x", 0, "@a", "x", reply_to="y"), msg("y", 1, "@b", "y", reply_to="x")]
    digest = build_digest(content(messages), set(), UTC, key)
    assert sum(1 + t.size() for t in digest.threads) == 2


def test_links_deduplicated_with_sharers():
    messages = [
        msg("1", 0, "@a", "https://www.example.com/x", links=("https://www.example.com/x",)),
        msg("2", 1, "@b", "again https://www.example.com/x", links=("https://www.example.com/x",)),
        msg("3", 2, "@a", "https://other.org", links=("https://other.org",)),
    ]
    links = build_digest(content(messages), set(), UTC, key).stats.links
    assert [(link.url, link.domain, len(link.shared_by)) for link in links] == [
        ("https://www.example.com/x", "example.com", 2),
        ("https://other.org", "other.org", 1),
    ]


def test_activity_streaks_and_first_timers():
    weeks = []
    for week, authors in enumerate([["@a", "@b"], ["@a"], ["@a", "@b", "@c"]]):
        start = START + dt.timedelta(weeks=week)
        messages = [
            Message(id=f"{week}-{i}", platform="x", author=a, at=start + dt.timedelta(minutes=i), text="hi") for i, a in enumerate(authors)
        ]
        weeks.append(content(messages, episode_id=f"2026-03-{5 + 7 * week:02d}-w", start=start))
    summaries = {c.episode.id: summarise(c, build_digest(c, set(), UTC, key)) for c in weeks}
    activity = archive_activity(weeks, summaries, lambda platform, author: author)
    assert (activity["@a"].longest_streak, activity["@a"].current_streak) == (3, 3)
    assert (activity["@b"].longest_streak, activity["@b"].current_streak) == (1, 1)
    assert len(activity["@b"].episodes) == 2
    firsts = first_appearances(activity)
    assert firsts[weeks[0].episode.id] == {"@a", "@b"} and firsts[weeks[2].episode.id] == {"@c"}


def test_suggestions_prefer_discussed_and_liked_answers():
    messages = [
        msg("q1", 0, "@host", "Q1: Go?"),
        msg("quiet", 1, "@a", "A1: ok"),
        msg("liked", 2, "@b", "A1: a liked answer", likes=9),
        msg("talked", 3, "@c", "A1: a discussed answer"),
        *[msg(f"r{i}", 4 + i, "@d", "yes", reply_to="talked") for i in range(3)],
    ]
    digest = build_digest(content(messages), {"host"}, UTC, key)
    ranked = [s.message.id for s in suggest_highlights(digest, lambda m: False)]
    assert ranked[:2] == ["liked", "talked"] and ranked[-1] == "quiet"


def test_one_message_answers_several_questions_and_a_quote_of_a_question_answers_it():
    messages = [
        msg("q2", 0, "@host", "Q2: Two?"),
        msg("q3", 5, "@host", "Q3: Three?"),
        msg("both", 6, "@amy", "A2 & A3: one message"),
        msg("quote", 7, "@bob", "this, every time", quote_of="q3"),
        msg("icymi", 8, "@host", "ICYMI 👇", quote_of="q2"),
        msg("late", 9, "@cat", "replying to the repost", reply_to="icymi"),
    ]
    digest = build_digest(content(messages), {"host"}, UTC, key)
    assert [(q.number, [t.message.id for t in q.answers]) for q in digest.questions] == [(2, ["both", "late"]), (3, ["both", "quote"])]
    assert [m.id for m in digest.questions[0].asked] == ["q2", "icymi"]


def test_listed_and_found_questions_are_one_set_without_the_chat_hashtag():
    messages = [
        msg("q1", 0, "@host", "Q1: What did you learn? #chat"),
        msg("again", 4, "@host", "What did you learn? #chat"),  # unnumbered, the listed text
        msg("a", 5, "@amy", "the hard way", reply_to="again"),
    ]
    listed = build_digest(content(messages, questions=["Q1: What did you learn?"]), {"host"}, UTC, key, ("#chat",))
    found = build_digest(content(messages), {"host"}, UTC, key, ("#chat",))
    assert [(q.number, q.text) for q in listed.questions] == [(1, "What did you learn?")]
    assert [(q.number, q.text) for q in found.questions] == [(1, "What did you learn?")]
    assert [t.message.id for t in listed.questions[0].answers] == ["a"]


def test_without_named_hosts_the_asker_is_who_posts_the_questions():
    messages = [
        msg("q1", 0, "@host", "Q1: One?"),
        msg("q2", 5, "@host", "Q2: Two?"),
        msg("a", 6, "@amy", "Q1 - a participant's answer"),
    ]
    digest = build_digest(content(messages), set(), UTC, key)
    assert [(q.number, [t.message.id for t in q.answers]) for q in digest.questions] == [(1, ["a"]), (2, [])]


def test_answers_ranked_by_reactions_with_the_top_few_marked():
    from generator.digest.analysis import ranked_answers, top_answers

    messages = [
        msg("q1", 0, "@host", "Q1: One?"),
        msg("quiet", 1, "@amy", "A1: first, nobody reacted"),
        msg("liked", 2, "@bob", "A1: some likes", likes=3),
        msg("shared", 3, "@cat", "A1: reposted", reactions={"reposts": 2}),
        msg("talked", 4, "@dan", "A1: discussed"),
        msg("reply", 5, "@amy", "@dan yes", reply_to="talked"),
    ]
    group = build_digest(content(messages), {"host"}, UTC, key).questions[0]
    assert [t.message.id for t in ranked_answers(group)] == ["shared", "liked", "talked", "quiet"]
    assert [t.message.id for t in top_answers(group)] == ["shared", "liked", "talked"]
    assert [t.message.id for t in group.answers] == ["quiet", "liked", "shared", "talked"]  # time order kept


@pytest.mark.parametrize(
    "text",
    ["@a" * 60 + " x", "RT" + " " * 5000 + "x", "RT @a" + " " * 3000 + ":" + " " * 3000 + "x", "#a, " * 3000, ". " + " " * 5000 + "x"],
    ids=["glued-mentions", "spaces-after-rt", "spaces-around-colon", "many-hashtags", "spaces-after-a-sentence"],
)
def test_long_runs_of_mentions_and_spaces_are_read_without_backtracking_blowup(text):
    # Before the patterns were made unambiguous, the first of these took minutes.
    assert answer_numbers(text) == [] and question_number(text) is None
