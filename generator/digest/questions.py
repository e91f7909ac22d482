"""Questions and their answers: which messages ask a question, and which answer it. No I/O.

Chat conventions recognised (case never matters):

- The host asks "Q1: …" (also "Q1.", "Q1)", "Q 1 -", "Question 1:"), possibly after @mentions, the
  chat's hashtag or an emoji. A repost is the same question: "In case you missed it, Q3: …",
  "ICYMI Q3", "RT Q3: …", "RT @host: Q3: …" (a retweet), "Q3 again:", or the host quoting the
  question's post. Replies to any copy are answers to it.
- Participants answer "A1: …" (also "A1.", "A1)", "a1 -", "A 1:", "A.1:", "A1 my answer",
  "Answer 1:", "Re Q1:", a participant's "Q1 - …"), possibly after @mentions, a hashtag or an
  emoji, or after a first sentence ("Great question! A1: …"); one message may answer several
  ("A2/A3", "A2 & A3", "A2+A3", "A2, A3:", "A2 and A3"). A reply to a question's post, or a quote
  of it, answers it too.
- "A1" inside a URL, a word, a code span or a quotation is never a label.

Questions listed in episode.yml (from the preview) and questions found in the chat are one set:
a question's number, or a host's unnumbered post that repeats a listed question's text, makes
them the same. Placement does not depend on whether the questions were listed beforehand; an
answer posted before its question appeared (the preview gave the questions away) is placed too.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from generator.archive.model import EpisodeContent, Message, handle_key

# What may come before a label: @mentions, hashtags, and a few emoji or punctuation marks. Each
# mention ends at a space or comma, so a run of them can be read only one way (no backtracking
# that grows with their number); atomic groups keep runs of spaces from being split every way
# between the patterns around them.
_LEAD = r"(?>(?:[@#][\w.@-]+[\s,:]+)*[^\w\s@#]{0,6}\s*)"
_REPOST = (
    r"(?:(?:RT|MT)\b\s*(?:@[\w.@-]+)?\s*:?|ICYMI\b|in\s+case\s+you\s+missed\s+it\b|reposting\b|repost\b|reminder\b|once\s+more\b)"
    r"[\s,:.\-–—👇⬇️]*"
)
_SEPARATOR = r"\s*[:.)\-–—/：→➡]"
_QUESTION = re.compile(
    rf"^{_LEAD}(?:(?P<repost>(?>{_REPOST})){_LEAD})?(?:Q|question)\s?#?(?P<number>\d{{1,2}})(?P<again>\s*(?:again|\(again\)|\(repost\)))?{_SEPARATOR}",
    re.IGNORECASE,
)
_RETWEET_OF = re.compile(r"^\s*RT\s+(@[\w.@-]+)\s*:", re.IGNORECASE)
# One label: "A1", "A 1" or "A.1", "Answer 1", "Re Q1", a participant's "Q1"; several: "A2/A3",
# "A2 & A3", "A2+A3", "A2, A3", "A2 and 3". After the label comes a separator, or (for the compact
# "A1" only, so that "a 2 day course" is no answer) a space and more.
_LABEL = r"(?P<kind>A\s?\.?\s?|Ans(?:wer)?\.?\s?(?:to\s+Q\s?)?|(?:re:?\s*|to\s+)?Q\s?#?)(?P<first>\d{1,2})(?P<more>(?:\s*(?:[/&,+]|and)\s*(?:A|Q)?\s?\.?\s?\d{1,2}\b)*)"
_LABEL_START = re.compile(rf"^{_LEAD}{_LABEL}(?P<sep>{_SEPARATOR}|\s+answers?\b\s*[:.\-–—]?|\s+(?=\S))", re.IGNORECASE)
# Later in a message a label needs a sentence or a lead-in ("Answering early: A5: …") before it,
# and a colon or dash after it.
_LABEL_LATER = re.compile(rf"(?:[.!?…:]\s+|\n\s*){_LEAD}{_LABEL}\s*[:\-–—]\s", re.IGNORECASE)
# Text that holds no label: links, code spans, quotations and quoted lines.
_NOT_LABELS = re.compile(r"https?://\S+|www\.\S+|`[^`]*`|\"[^\"\n]*\"|“[^”\n]*”|«[^»\n]*»|^>.*$", re.MULTILINE)
_HASHTAG = re.compile(r"#\w+")


@dataclass(slots=True)  # one per message of the archive
class Thread:
    message: Message
    replies: list[Thread] = field(default_factory=list)

    def size(self) -> int:
        """Replies anywhere below this message."""
        return sum(1 + t.size() for t in self.replies)


@dataclass
class QuestionGroup:
    number: int
    text: str
    message: Message | None  # the host's first message that asked it, when found
    answers: list[Thread] = field(default_factory=list)  # each answer with its reply thread, in time order
    asked: list[Message] = field(default_factory=list)  # every post that asked it (reposts too)


def question_number(text: str) -> int | None:
    """The number of the question a post asks ("Q3: …", "ICYMI Q3 …"), whoever posted it."""
    match = _QUESTION.match(text)
    return int(match.group("number")) if match else None


def answer_numbers(text: str) -> list[int]:
    """The questions a message answers by its labels: "A1/A3: …" → [1, 3]."""
    text = _NOT_LABELS.sub(" ", text)
    match = _LABEL_START.match(text)
    if match and not match.group("sep").strip() and match.group("kind").casefold() != "a":
        match = None  # "a 2 day course", "Q1 was the best"; but "A1 my answer", "Q1 answer: …"
    match = match or _LABEL_LATER.search(text)
    if match is None:
        return []
    rest = [int(n) for n in re.findall(r"\d{1,2}", match.group("more") or "")]
    return list(dict.fromkeys([int(match.group("first")), *rest]))


def strip_question_label(text: str, hashtags: tuple[str, ...] = ()) -> str:
    """A question's text for its heading: without "Q1:", a repost's "ICYMI", or the chat's
    hashtags at its start or end."""
    match = _QUESTION.match(text)
    body = text[match.end() :] if match else text
    tags = {t.lstrip("#").casefold() for t in hashtags}
    words = body.split()
    while words and _is_chat_tag(words[0], tags):
        words.pop(0)
    while words and _is_chat_tag(words[-1], tags):
        words.pop()
    return " ".join(words)


def _is_chat_tag(word: str, tags: set[str]) -> bool:
    return word.startswith("#") and word.lstrip("#").rstrip(".,!?:;").casefold() in tags


def _comparable(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", _HASHTAG.sub(" ", text)).casefold().split())


def find_askers(content: EpisodeContent, host_handles: set[str]) -> set[str]:
    """Who asks the questions: the hosts, or when none are named, whoever posted the most
    numbered questions (anyone may write "Q2 - …" as an answer)."""
    if host_handles:
        return host_handles
    posted: dict[str, set[int]] = {}
    for message in content.messages:
        number = question_number(message.text)
        if number and not message.deleted:
            posted.setdefault(handle_key(message.author), set()).add(number)
    if not posted:
        return set()
    most = max(len(numbers) for numbers in posted.values())
    return {author for author, numbers in posted.items() if len(numbers) == most}


def find_questions(content: EpisodeContent, host_handles: set[str], hashtags: tuple[str, ...] = ()) -> list[QuestionGroup]:
    """Every question of the chat, listed or asked, with every post that asked it."""
    askers = find_askers(content, host_handles)
    listed = {i + 1: strip_question_label(q, hashtags) for i, q in enumerate(content.episode.questions)}
    listed_text = {_comparable(text): number for number, text in listed.items()}
    asked: dict[int, list[Message]] = {}
    by_id: dict[str, int] = {}
    for message in content.messages:
        if message.deleted:
            continue
        number = _asks(message, askers, by_id, listed_text)
        if number:
            asked.setdefault(number, []).append(message)
            by_id[message.id] = number
    texts = dict(listed)
    for number, messages in asked.items():
        texts.setdefault(number, strip_question_label(messages[0].text, hashtags))
    return [QuestionGroup(n, text, asked.get(n, [None])[0], asked=asked.get(n, [])) for n, text in sorted(texts.items())]


def _asks(message: Message, askers: set[str], asked: dict[str, int], listed_text: dict[str, int]) -> int | None:
    """The question a post asks (or reposts), if it is one."""
    author = handle_key(message.author)
    retweeted = _RETWEET_OF.match(message.text)
    if author not in askers and not (retweeted and handle_key(retweeted.group(1)) in askers):
        return None
    number = question_number(message.text)
    if number:
        return number
    if message.quote_of in asked:  # the host quoting their question: "ICYMI 👇"
        return asked[message.quote_of]
    return _matching_listed(message.text, listed_text)


def _matching_listed(text: str, listed_text: dict[str, int]) -> int | None:
    """A host's unnumbered post that repeats a listed question asks that question."""
    comparable = _comparable(text)
    if len(comparable) < 12:
        return None
    for listed, number in listed_text.items():
        matcher = difflib.SequenceMatcher(None, comparable, listed)
        # The quick ratios are upper bounds of ratio(): most posts are ruled out without it.
        if matcher.real_quick_ratio() >= 0.85 and matcher.quick_ratio() >= 0.85 and matcher.ratio() >= 0.85:
            return number
    return None


def group_questions(
    content: EpisodeContent, host_handles: set[str], nodes: dict[str, Thread], hashtags: tuple[str, ...] = ()
) -> list[QuestionGroup]:
    """Place each answer (with its replies) under every question it answers."""
    groups = find_questions(content, host_handles, hashtags)
    by_number = {g.number: g for g in groups}
    asking = {m.id: g.number for g in groups for m in g.asked}
    for message in content.messages:
        if message.deleted or message.id in asking:
            continue
        for number in answered(message, asking, by_number):
            by_number[number].answers.append(nodes[message.id])
    return groups


def answered(message: Message, asking: dict[str, int], questions) -> list[int]:
    """The questions one message answers: by its labels, else by replying to or quoting a question."""
    numbers = [n for n in answer_numbers(message.text) if n in questions]
    if numbers:
        return numbers
    for target in (message.reply_to, message.quote_of):
        if target in asking:
            return [asking[target]]
    return []


# --- the best answers first --------------------------------------------------------------------


def answer_score(thread: Thread) -> int:
    """How much the chat cared about an answer, from what the export counts: likes (and emoji
    reactions, which importers add to likes), reposts and quotes, and replies (the platform's
    count, or the replies in the transcript when there are more)."""
    message = thread.message
    reactions = message.reactions
    replies = max(thread.size(), reactions.get("replies", 0))
    return message.likes + 2 * (reactions.get("reposts", 0) + reactions.get("quotes", 0)) + 2 * replies


def ranked_answers(group: QuestionGroup) -> list[Thread]:
    """A question's answers, the best first; equal ones in time order."""
    order = {id(t): i for i, t in enumerate(group.answers)}
    return sorted(group.answers, key=lambda t: (-answer_score(t), order[id(t)]))


def top_answers(group: QuestionGroup, few: int = 3) -> list[Thread]:
    """The few answers marked as the best: only answers someone reacted to, and only when
    there are more answers than that to choose from."""
    if len(group.answers) <= 1:
        return []
    return [t for t in ranked_answers(group)[:few] if answer_score(t) > 0]
