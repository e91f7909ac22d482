"""Pure analysis of transcripts: reply threads, questions with their answers (questions.py), stats,
and the archive-wide view of who took part when. No I/O.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from generator.archive.model import EpisodeContent, Message, handle_key
from generator.digest.questions import (  # noqa: F401 (the digest's vocabulary, used with it)
    QuestionGroup,
    Thread,
    answer_numbers,
    answer_score,
    group_questions,
    question_number,
    ranked_answers,
    strip_question_label,
    top_answers,
)


@dataclass
class SharedLink:
    url: str
    domain: str
    shared_by: list[tuple[str, str]]  # (platform, handle) in order of first share


@dataclass
class Stats:
    messages: int
    participants: int
    top_authors: list[tuple[str, int]]  # (participant key, messages)
    busiest_minute: str | None
    busiest_minute_count: int
    hashtags: list[tuple[str, int]]
    links: list[SharedLink]
    answers: int = 0  # messages placed under a question


@dataclass
class Digest:
    threads: list[Thread]
    questions: list[QuestionGroup]
    stats: Stats
    by_id: dict[str, Message]
    nodes: dict[str, Thread]

    @property
    def answer_ids(self) -> set[str]:
        return answer_ids(self.questions)


def answer_ids(questions: list[QuestionGroup]) -> set[str]:
    """The messages placed under a question (one answering two questions counts once)."""
    return {t.message.id for q in questions for t in q.answers}


def build_threads(messages: tuple[Message, ...]) -> tuple[list[Thread], dict[str, Thread]]:
    """Nest replies under the message they answer; orphans (parent not here) start threads."""
    nodes = {m.id: Thread(m) for m in messages}
    roots: list[Thread] = []
    for message in messages:
        parent = nodes.get(message.reply_to) if message.reply_to else None
        if parent is not None and parent is not nodes[message.id] and not _is_ancestor(nodes[message.id], parent, nodes):
            parent.replies.append(nodes[message.id])
        else:
            roots.append(nodes[message.id])
    return roots, nodes


def _is_ancestor(node: Thread, candidate: Thread, nodes: dict[str, Thread]) -> bool:
    """True if `node` is above `candidate` already: a reply cycle in bad data must not loop."""
    seen = set()
    current: Thread | None = candidate
    while current is not None and current.message.id not in seen:
        if current is node:
            return True
        seen.add(current.message.id)
        parent_id = current.message.reply_to
        current = nodes.get(parent_id) if parent_id else None
    return False


def compute_stats(messages: tuple[Message, ...], timezone, author_key) -> Stats:
    """`author_key(message)` names the person, so one person posting from two platforms counts once."""
    live = [m for m in messages if not m.deleted]
    authors = Counter(author_key(m) for m in live)
    # Counted by the minute since the epoch, named in local time only for the winner.
    minutes = Counter(int(m.at.timestamp()) // 60 for m in live)
    busiest = [(dt.datetime.fromtimestamp(minute * 60, timezone).strftime("%H:%M"), n) for minute, n in minutes.most_common(1)]
    hashtags = Counter(h.lstrip("#").casefold() for m in live for h in m.hashtags)
    return Stats(
        messages=len(live),
        participants=len(authors),
        top_authors=authors.most_common(5),
        busiest_minute=busiest[0][0] if busiest else None,
        busiest_minute_count=busiest[0][1] if busiest else 0,
        hashtags=hashtags.most_common(10),
        links=shared_links(live),
    )


def shared_links(messages: list[Message]) -> list[SharedLink]:
    """Each link once, most shared first, with who shared it."""
    by_url: dict[str, SharedLink] = {}
    for message in messages:
        for url in dict.fromkeys(message.links):
            link = by_url.setdefault(url, SharedLink(url, (urlsplit(url).hostname or "").removeprefix("www."), []))
            sharer = (message.platform, message.author)
            if sharer not in link.shared_by:
                link.shared_by.append(sharer)
    return sorted(by_url.values(), key=lambda link: (-len(link.shared_by), link.url))


def build_digest(
    content: EpisodeContent,
    host_handles: set[str],
    timezone,
    author_key=lambda m: f"{m.platform}:{handle_key(m.author)}",
    hashtags: tuple[str, ...] = (),
) -> Digest:
    """`hashtags` are the chat's own, left out of question headings."""
    roots, nodes = build_threads(content.messages)
    questions = group_questions(content, host_handles, nodes, hashtags)
    stats = compute_stats(content.messages, timezone, author_key)
    stats.answers = len(answer_ids(questions))
    return Digest(threads=roots, questions=questions, stats=stats, by_id={m.id: m for m in content.messages}, nodes=nodes)


# --- highlights ----------------------------------------------------------------------------


@dataclass
class Suggestion:
    message: Message
    score: float
    reasons: list[str]


def suggest_highlights(digest: Digest, is_first_timer, limit: int = 8) -> list[Suggestion]:
    """Candidates for the highlight reel: answers most replied to, most liked, and first-timers'."""
    suggestions = []
    for message_id in digest.answer_ids:
        node = digest.nodes[message_id]
        message = node.message
        replies, likes = node.size(), message.likes
        reposts = message.reactions.get("reposts", 0) + message.reactions.get("quotes", 0)
        newcomer = is_first_timer(message)
        reasons = []
        if replies:
            reasons.append(f"{replies} repl{'ies' if replies != 1 else 'y'}")
        if likes:
            reasons.append(f"{likes} like{'s' if likes != 1 else ''}")
        if reposts:
            reasons.append(f"{reposts} repost{'s' if reposts != 1 else ''}")
        if newcomer:
            reasons.append("first-timer")
        # The score that orders answers on the page (likes, reposts, replies), and a little more
        # for a first-timer and for a fuller answer.
        score = answer_score(node) + (3 if newcomer else 0) + min(len(message.text), 280) / 280
        suggestions.append(Suggestion(message, score, reasons))
    suggestions.sort(key=lambda s: (-s.score, s.message.at, s.message.id))
    return suggestions[:limit]


# --- the archive over time -------------------------------------------------------------------


@dataclass
class Activity:
    """One participant across the archive."""

    episodes: list[str] = field(default_factory=list)  # ids of the chats they posted in, in order
    messages: int = 0
    answers: int = 0
    highlights: list[tuple[str, str]] = field(default_factory=list)  # (episode id, message id)
    per_episode: dict[str, int] = field(default_factory=dict)  # episode id → messages
    longest_streak: int = 0  # most chats in a row
    current_streak: int = 0  # chats in a row up to the latest one


def archive_activity(episodes: list[EpisodeContent], summaries: dict, author_key) -> dict[str, Activity]:
    """Per participant key (author_key(platform, author)): attendance, messages, answers, highlights,
    streaks, from each chat's summary (summaries.py).

    `episodes` are the published chats, oldest first; a streak counts consecutive chats of the
    archive, not calendar weeks, so a summer break does not end everyone's streak.
    """
    activity: dict[str, Activity] = {}
    last_seen: dict[str, int] = {}  # key → index of the latest chat they posted in
    for index, content in enumerate(episodes):
        episode_id = content.episode.id
        summary = summaries[episode_id]
        # Authors are named once per message; everything else is counted per person.
        author_of = {message_id: author_key(platform, author) for message_id, platform, author in summary.live}
        for key, count in Counter(author_of.values()).items():
            record = activity.get(key)
            if record is None:
                record = activity[key] = Activity()
            record.messages += count
            record.per_episode[episode_id] = count
            record.episodes.append(episode_id)
            record.current_streak = record.current_streak + 1 if last_seen.get(key) == index - 1 else 1
            record.longest_streak = max(record.longest_streak, record.current_streak)
            last_seen[key] = index
        for message_id in summary.answer_ids:
            if message_id in author_of:
                activity[author_of[message_id]].answers += 1
        highlighted = set(content.episode.highlights)
        for message_id, key in author_of.items():  # in the chat's order
            if message_id in highlighted:
                activity[key].highlights.append((episode_id, message_id))
    for key, record in activity.items():
        if last_seen[key] != len(episodes) - 1:
            record.current_streak = 0  # missed the latest chat
    return activity


def first_appearances(activity: dict[str, Activity]) -> dict[str, set[str]]:
    """Episode id → the participant keys for whom it was their first chat."""
    firsts: dict[str, set[str]] = {}
    for key, record in activity.items():
        if record.episodes:
            firsts.setdefault(record.episodes[0], set()).add(key)
    return firsts
