"""Pure analysis of an episode's transcript: reply threads, questions with their answers, stats.

Chat conventions: the host posts "Q1: …" and participants answer "A1: …" (also "A1.", "A1)",
"a1 -", "A 1:", "A1/A2: …"), or reply to the question message without a prefix.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .model import EpisodeContent, Message, handle_key

_QUESTION = re.compile(r"^\W{0,3}Q\s?(\d{1,2})\s*[:.)\-–—]", re.IGNORECASE)
_ANSWER = re.compile(r"^(?:@\S+\s+)*\W{0,3}A\s?(\d{1,2})((?:\s*[/&,]\s*A?\s?\d{1,2})*)\s*[:.)\-–—]", re.IGNORECASE)


@dataclass
class Thread:
    message: Message
    replies: list["Thread"] = field(default_factory=list)


@dataclass
class QuestionGroup:
    number: int
    text: str
    message: Message | None
    answers: list[Message] = field(default_factory=list)


@dataclass
class Stats:
    messages: int
    participants: int
    top_authors: list[tuple[tuple[str, str], int]]  # ((platform, handle), count)
    busiest_minute: str | None
    busiest_minute_count: int
    hashtags: list[tuple[str, int]]
    links: list[tuple[str, str, int]]  # (url, domain, times shared)


@dataclass
class Digest:
    threads: list[Thread]
    questions: list[QuestionGroup]
    stats: Stats
    by_id: dict[str, Message]


def question_number(text: str) -> int | None:
    match = _QUESTION.match(text)
    return int(match.group(1)) if match else None


def answer_numbers(text: str) -> list[int]:
    match = _ANSWER.match(text)
    if not match:
        return []
    numbers = [int(match.group(1))]
    numbers += [int(n) for n in re.findall(r"\d{1,2}", match.group(2) or "")]
    return numbers


def build_threads(messages: tuple[Message, ...]) -> list[Thread]:
    """Nest replies under the message they answer; orphans (parent not here) start threads."""
    nodes = {m.id: Thread(m) for m in messages}
    roots: list[Thread] = []
    for message in messages:
        parent = nodes.get(message.reply_to) if message.reply_to else None
        if parent is not None and parent is not nodes[message.id]:
            parent.replies.append(nodes[message.id])
        else:
            roots.append(nodes[message.id])
    return roots


def group_questions(content: EpisodeContent, host_handles: set[str]) -> list[QuestionGroup]:
    """Match each question (from episode.yml or the hosts' Qn messages) with its answers."""
    messages = content.messages
    asked: dict[int, Message] = {}
    for message in messages:
        number = question_number(message.text)
        from_host = not host_handles or handle_key(message.author) in host_handles
        if number and from_host and number not in asked:
            asked[number] = message
    texts = {i + 1: _strip_prefix(q) for i, q in enumerate(content.episode.questions)}
    for number, message in asked.items():
        texts.setdefault(number, _strip_prefix(message.text))
    groups = {n: QuestionGroup(n, texts[n], asked.get(n)) for n in sorted(texts)}
    question_ids = {m.id: n for n, m in asked.items()}
    for message in messages:
        if message.deleted or message.id in question_ids:
            continue
        numbers = [n for n in answer_numbers(message.text) if n in groups]
        if not numbers and message.reply_to in question_ids:
            numbers = [question_ids[message.reply_to]]
        for number in dict.fromkeys(numbers):
            groups[number].answers.append(message)
    return list(groups.values())


def _strip_prefix(text: str) -> str:
    return _QUESTION.sub("", text, count=1).strip()


def compute_stats(messages: tuple[Message, ...], timezone) -> Stats:
    live = [m for m in messages if not m.deleted]
    authors = Counter((m.platform, handle_key(m.author)) for m in live)
    minutes = Counter(m.at.astimezone(timezone).strftime("%H:%M") for m in live)
    busiest = minutes.most_common(1)
    hashtags = Counter(h.lstrip("#").casefold() for m in live for h in m.hashtags)
    links: Counter[str] = Counter()
    for m in live:
        for url in dict.fromkeys(m.links):
            links[url] += 1
    return Stats(
        messages=len(live),
        participants=len(authors),
        top_authors=authors.most_common(5),
        busiest_minute=busiest[0][0] if busiest else None,
        busiest_minute_count=busiest[0][1] if busiest else 0,
        hashtags=hashtags.most_common(10),
        links=[(url, urlsplit(url).hostname or "", n) for url, n in sorted(links.items(), key=lambda kv: (-kv[1], kv[0]))],
    )


def build_digest(content: EpisodeContent, host_handles: set[str], timezone) -> Digest:
    return Digest(
        threads=build_threads(content.messages),
        questions=group_questions(content, host_handles),
        stats=compute_stats(content.messages, timezone),
        by_id={m.id: m for m in content.messages},
    )
