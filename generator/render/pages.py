"""Compose the Markdown of every generated page. Pure: model in, strings out.

Structure (headings, lists, front matter) is Markdown so MkDocs builds the table of contents and
search sections; messages are raw HTML blocks made only by render.text_html, which Markdown
passes through untouched — fast to convert and impossible for a message to break out of.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import yaml

from generator.archive.model import Archive, EpisodeContent, Media, Message, Status, handle_key
from generator.archive.people import Directory, Participant
from generator.archive.privacy import is_anonymous
from generator.archive.summaries import ChatSummary, summarise
from generator.build.chartcache import ChartCache
from generator.digest.analysis import (
    Activity,
    Digest,
    QuestionGroup,
    SharedLink,
    Thread,
    archive_activity,
    build_digest,
    first_appearances,
    ranked_answers,
    strip_question_label,
    top_answers,
)
from generator.feeds import follow_html
from generator.render import times, urls
from generator.render.charts import attendance_svg, attendance_table, participation_svg, participation_table
from generator.render.text import attr, body_html, inline_md, link_html, rich_html, text_html

MAX_DEPTH = 6  # deeper reply chains are shown flat at this depth, to stay readable on a phone
PLATFORM_NAMES = {
    "x": "X",
    "mastodon": "Mastodon",
    "slack": "Slack",
    "discord": "Discord",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "irc": "IRC",
    "zulip": "Zulip",
    "other": "the source",
}


@dataclass(frozen=True)
class Topic:
    """Chats that share a tag. Tags that give the same page ("Careers", "careers", "careers!")
    are one topic, named by the spelling first seen; its page, feed and search filter all come
    from here, so they cannot disagree about which chats it holds."""

    name: str
    path: str  # the topic page, in docs/
    chats: tuple[EpisodeContent, ...]  # chats with a page (published and upcoming), oldest first

    @property
    def published(self) -> list[EpisodeContent]:
        return [c for c in self.chats if c.episode.status == Status.published]


@dataclass
class RenderMemo:
    """What rendering remembers within one build, so that each piece is made once. Not part of
    the archive model: it fills as pages are rendered."""

    charts: ChartCache = field(default_factory=ChartCache)  # attendance charts by what they show
    links: dict[tuple[str, str], str] = field(default_factory=dict)  # person_link's
    authors: dict[tuple[str, str, str], str] = field(default_factory=dict)  # _author_html's
    minutes: dict[int, tuple[str, str]] = field(default_factory=dict)  # _time_labels', for the page being rendered
    cards: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (anchor, inside) of the page's message cards
    items: dict[tuple[str, str], str] = field(default_factory=dict)  # _episode_item's
    day: str = ""  # "2026-03-05 GMT": the date and zone of the chat page being rendered, which its cards' times leave out


@dataclass
class Site:
    """What every page needs to know about the archive as a whole: the model, made once by
    build_site_model and not changed after, and the memo of the build that renders it."""

    archive: Archive
    directory: Directory
    timezone: ZoneInfo
    digests: Mapping[str, Digest]  # made when first asked for (LazyDigests)
    # episode id → the fingerprint of the opt-outs as applied to the chat (its share of the
    # redaction, privacy.chat_share, or the whole redaction): part of its page's key
    chat_redactions: Mapping[str, str]
    directory_urls: bool = True
    summaries: dict[str, ChatSummary] = field(default_factory=dict)  # episode id → what other pages need of it
    activity: dict[str, Activity] = field(default_factory=dict)  # participant key → activity
    firsts: dict[str, set[str]] = field(default_factory=dict)  # episode id → first-timers' keys
    memo: RenderMemo = field(default_factory=RenderMemo)

    @functools.cached_property
    def published(self) -> list[EpisodeContent]:
        return [c for c in self.archive.episodes if c.episode.status == Status.published]

    @functools.cached_property
    def public(self) -> list[EpisodeContent]:
        """Chats that get a page: published and upcoming ones, not drafts."""
        return [c for c in self.archive.episodes if c.episode.status != Status.draft]

    @functools.cached_property
    def published_by_id(self) -> dict[str, EpisodeContent]:
        return {c.episode.id: c for c in self.published}

    @functools.cached_property
    def chats_per_year(self) -> Counter:
        return Counter(c.episode.date.year for c in self.published)

    @functools.cached_property
    def topics(self) -> dict[str, Topic]:
        """Every topic by its page path, in name order."""
        names: dict[str, str] = {}
        chats: dict[str, list[EpisodeContent]] = {}
        for content in self.public:  # upcoming chats link to their topics too
            for tag in content.episode.tags:
                path = urls.topic_path(tag)
                names.setdefault(path, tag)
                listed = chats.setdefault(path, [])
                if not listed or listed[-1] is not content:
                    listed.append(content)
        ordered = sorted(names, key=lambda path: names[path].casefold())
        return {path: Topic(names[path], path, tuple(chats[path])) for path in ordered}

    def topic(self, tag: str) -> Topic:
        return self.topics[urls.topic_path(tag)]

    @functools.cached_property
    def upcoming(self) -> list[EpisodeContent]:
        return [c for c in self.archive.episodes if c.episode.status == Status.upcoming]

    def href(self, source: str, target: str, anchor: str = "") -> str:
        """A link for raw HTML blocks."""
        return urls.href(source, target, anchor, self.directory_urls)

    def md_href(self, source: str, target: str, anchor: str = "") -> str:
        """A link for Markdown, which MkDocs resolves and validates."""
        return urls.md_href(source, target, anchor)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.timezone)


def build_site_model(
    archive: Archive,
    directory: Directory,
    chat_redactions: Mapping[str, str],
    directory_urls: bool = True,
    summaries: dict | None = None,
    charts: ChartCache | None = None,
) -> Site:
    """The model every page is made from. A chat in `summaries` (cached from the last run,
    summaries.py) is not analysed unless a page asks for its digest. `chat_redactions`: each
    chat's redaction fingerprint (Site.chat_redactions)."""
    timezone = ZoneInfo(archive.community.schedule.timezone)

    def digest_of(content: EpisodeContent) -> Digest:
        hosts = {handle_key(h) for pid in content.episode.hosts if (p := directory.person(pid)) for h in p.handles}
        return build_digest(content, hosts, timezone, lambda m: directory.author(m).key, tuple(archive.community.hashtags))

    digests = LazyDigests({c.episode.id: c for c in archive.episodes}, digest_of)
    found = summaries or {}
    chats = {c.episode.id: found.get(c.episode.id) or summarise(c, digests[c.episode.id]) for c in archive.episodes}
    published = [c for c in archive.episodes if c.episode.status == Status.published]
    activity = archive_activity(published, chats, lambda platform, author: directory.register(platform, author).key)
    return Site(
        archive,
        directory,
        timezone,
        digests,
        chat_redactions,
        directory_urls,
        summaries=chats,
        activity=activity,
        firsts=first_appearances(activity),
        memo=RenderMemo(charts or ChartCache()),
    )


class LazyDigests(Mapping):
    """Each chat's digest, made the first time it is asked for: a chat whose page is not rendered
    again is only summarised (summaries.py), not analysed."""

    def __init__(self, contents: dict[str, EpisodeContent], make: Callable[[EpisodeContent], Digest]):
        self._contents, self._make, self._made = contents, make, {}

    def __getitem__(self, episode_id: str) -> Digest:
        digest = self._made.get(episode_id)
        if digest is None:
            digest = self._made[episode_id] = self._make(self._contents[episode_id])
        return digest

    def __iter__(self):
        return iter(self._contents)

    def __len__(self) -> int:
        return len(self._contents)


# --- shared pieces ---------------------------------------------------------------------------


def front_matter(title: str, description: str = "", **extra) -> str:
    # Themes insert these into <title>, nav and <meta> without escaping: escape them here.
    data = {"title": attr(title)}
    if description:
        data["description"] = attr(description)
    data.update(extra)
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n"


def when(site: Site, moment: dt.datetime, with_utc: bool = False) -> str:
    return times.when(moment, site.timezone, with_utc)


def person_link(site: Site, source: str, person: Participant) -> str:
    """A link to the person's page. Called for every card: cached per (way to the root, person)."""
    key = (urls.root_prefix(source, site.directory_urls), person.key)
    link = site.memo.links.get(key)
    if link is None:
        link = site.memo.links[key] = _person_link(site, source, person)
    return link


def _person_link(site: Site, source: str, person: Participant) -> str:
    if is_anonymised(person):  # an anonymised participant has no page to link to
        return f'<span class="cd-person cd-anonymous">{text_html(person.name)}</span>'
    if not has_people_page(site, person):
        return f'<span class="cd-person">{text_html(person.name)}</span>'
    return f'<a class="cd-person" href="{site.href(source, urls.person_path(person.slug))}">{text_html(person.name)}</a>'


def is_anonymised(person: Participant) -> bool:
    """An opted-out participant shown under an anonymous label: no page, no stats, no filter."""
    return not person.known and is_anonymous(person.handles[0])


def person_md(site: Site, source: str, person: Participant) -> str:
    if not has_people_page(site, person):
        return inline_md(person.name)
    return f"[{inline_md(person.name)}]({site.md_href(source, urls.person_path(person.slug))})"


def episode_md(site: Site, source: str, content: EpisodeContent) -> str:
    return f"[{inline_md(content.episode.title)}]({site.md_href(source, urls.episode_path(content.episode.id))})"


def message_html(site: Site, source: str, message: Message, *, anchor: bool, episode_path: str | None = None, extra: str = "") -> str:
    """One message card. Only the anchored card carries the id; copies link to it.

    A message can appear more than once on its page (a highlight, an answer to two questions):
    the card's inside is made once per page and reused.
    """
    key = (source, message.id)
    cached = site.memo.cards.get(key)
    if cached is None:
        ident = urls.message_anchor(message.id)
        cached = site.memo.cards[key] = (ident, _card_inner(site, source, message, episode_path or source, ident))
    ident, inner = cached
    attribute = f' id="{ident}"' if anchor else ""  # search results link to the anchored card
    return f'<div class="cd-msg"{attribute}>{inner}{extra}</div>'


def _card_inner(site: Site, source: str, message: Message, target: str, ident: str) -> str:
    # Rendered for every message of the archive: the parts shared by many cards (an author's
    # link, a minute's time labels) come from small caches.
    # Only what a reader or a style needs: a chat page has some 300 cards, so every attribute
    # repeated on each is kilobytes (the meta line's parts are styled by their place in it).
    link = site.href(source, target, ident)
    time_title, time_label = _time_labels(site, message.at)
    # The full date and zone only where the page does not give them (its "When:" line).
    title = "" if time_title[:10] + time_title[16:] == site.memo.day else f' title="{time_title}"'
    meta = [_author_html(site, source, message), f'<a href="{link}"{title}>{time_label}</a>']
    if message.edited_at and not message.deleted:
        meta.append('<span class="cd-edited" title="edited after posting">edited</span>')
    if message.likes:
        meta.append(f'<span title="likes">♥ {message.likes}</span>')
    if message.permalink and not message.deleted:
        meta.append(link_html(message.permalink, f"on {PLATFORM_NAMES.get(message.platform, message.platform)}"))
    if message.deleted:
        return f'<p class="cd-meta">{" ".join(meta)}</p><p class="cd-text" dir="auto"><em class="cd-deleted">message deleted</em></p>'
    media = "".join(_media_html(site, source, m) for m in message.media)
    formatted = (
        body_html(message.body, message.text, lambda handle: _mention_href(site, source, message.platform, handle))
        if message.body
        else None
    )
    if formatted is not None:  # may hold blocks (code, quotes), which a <p> cannot
        return f'<p class="cd-meta">{" ".join(meta)}</p><div class="cd-text" dir="auto">{formatted}{media}</div>'
    return f'<p class="cd-meta">{" ".join(meta)}</p><p class="cd-text" dir="auto">{text_html(message.text)}{media}</p>'


def _mention_href(site: Site, source: str, platform: str, handle: str) -> str | None:
    """A mention links to the person's page when people.yml knows them (opted-out people are
    not there: their mentions stay text)."""
    person = site.directory.known(platform, handle)
    return site.href(source, urls.person_path(person.slug)) if person is not None and has_people_page(site, person) else None


def _media_html(site: Site, source: str, media: Media) -> str:
    """A kept image as its thumbnail linking to the full image; anything else as a link to where
    the platform keeps it (never embedded: those URLs expire and track readers), or as words."""
    file = urls.media_name(media.file)
    what = media.kind if media.kind != "other" else "attachment"
    if file and media.kind == "image":
        alt = attr(media.alt or media.name or "image")
        size = ""
        if media.width and media.height:
            width, height = urls.thumb_size(media.width, media.height)
            size = f' width="{width}" height="{height}"'
        full = urls.media_href(source, file, site.directory_urls)
        thumb = urls.media_href(source, urls.thumb_path(file), site.directory_urls)
        return f'<a class="cd-image" href="{full}"><img src="{thumb}" alt="{alt}" loading="lazy" decoding="async"{size}></a>'
    label = f"[{what}: {media.name or media.alt}]" if (media.name or media.alt) else f"[{what}]"
    inner = link_html(media.url, label) if media.url else text_html(label)
    if media.alt and media.name:
        inner += f' <span class="cd-alt">{text_html(media.alt)}</span>'
    return f'<span class="cd-media">{inner}</span>'


def _author_html(site: Site, source: str, message: Message) -> str:
    """The author's name (a link to their page), then the handle they posted as when it differs
    from the name."""
    key = (urls.root_prefix(source, site.directory_urls), message.platform, message.author)
    found = site.memo.authors.get(key)
    if found is None:
        author = site.directory.author(message)
        found = person_link(site, source, author)
        if author.name != message.author:
            found += f" <span>{text_html(message.author)}</span>"
        site.memo.authors[key] = found
    return found


def _time_labels(site: Site, moment: dt.datetime) -> tuple[str, str]:
    """("2026-03-05 19:03 GMT", "19:03") for a message's minute, in the community's timezone."""
    minute = int(moment.timestamp()) // 60
    found = site.memo.minutes.get(minute)
    if found is None:
        local = site.local(moment)
        found = site.memo.minutes[minute] = (f"{local:%Y-%m-%d %H:%M %Z}", f"{local:%H:%M}")
    return found


def thread_html(site: Site, source: str, thread: Thread, placed: set[str] | None, depth: int = 0) -> str:
    """A message with its replies nested under it.

    `placed` holds the messages already shown with their anchor on this page: a message's first
    card takes the anchor (and is what search indexes), any later card is a copy. None renders
    copies only (highlight reels, people pages).
    """
    anchor = placed is not None and thread.message.id not in placed
    if anchor:
        placed.add(thread.message.id)
    replies = thread.replies
    if depth >= MAX_DEPTH:
        # Flatten: show the rest of the chain as siblings at this depth.
        inner = "".join(thread_html(site, source, t, placed, MAX_DEPTH) for t in _flatten(replies))
    else:
        inner = "".join(thread_html(site, source, t, placed, depth + 1) for t in replies)
    extra = f'<div class="cd-replies">{inner}</div>' if inner else ""
    return message_html(site, source, thread.message, anchor=anchor, extra=extra)


def _unplaced(threads: list[Thread], placed: set[str]) -> list[Thread]:
    """The threads without the messages (and their replies) already shown on the page."""
    return [Thread(t.message, _unplaced(t.replies, placed)) for t in threads if t.message.id not in placed]


def _flatten(threads: list[Thread]) -> list[Thread]:
    out: list[Thread] = []
    stack = list(reversed(threads))
    while stack:
        t = stack.pop()
        out.append(Thread(t.message))
        stack.extend(reversed(t.replies))
    return out


def html_block(inner: str, cls: str) -> str:
    """A raw HTML block; the blank lines around it keep Markdown from merging it with text."""
    return f'\n<div class="{cls}">\n{inner}\n</div>\n\n'


# --- episode page ----------------------------------------------------------------------------


def render_episode(site: Site, content: EpisodeContent, previous: EpisodeContent | None, following: EpisodeContent | None) -> str:
    episode = content.episode
    source = urls.episode_path(episode.id)
    digest = site.digests[episode.id]
    site.memo.day = f"{site.local(episode.starts_at):%Y-%m-%d %Z}"
    parts = [
        front_matter(episode.title, episode.summary or f"{site.archive.community.name} chat of {episode.date:%-d %B %Y}"),
        f"# {inline_md(episode.title)}\n\n",
        _episode_meta(site, source, content),
    ]
    if episode.summary:
        parts.append(f"{inline_md(episode.summary)}\n\n")
    if episode.recap or episode.preview:
        links = [
            link_html(link.url, link.title or label)
            for link, label in ((episode.preview, "Preview post"), (episode.recap, "Recap post"))
            if link
        ]
        parts.append(html_block(" · ".join(links), "cd-links"))
    if content.preview_markdown.strip():
        parts.append("## Preview\n\n" + html_block(rich_html(content.preview_markdown), "cd-preview"))
    if episode.highlights:
        parts.append("## Highlights\n\n" + _highlights(site, source, content, digest))
    if digest.questions and not content.messages:
        # Before the chat (or before its import) there is nothing to count: just the questions.
        parts.append(
            "## Questions\n\n"
            + "".join(f"### Q{q.number}: {inline_md(q.text)} {{#{urls.question_anchor(q.number)}}}\n\n" for q in digest.questions)
        )
    placed: set[str] = set()  # answers move under their question; the transcript keeps the rest
    if digest.questions and content.messages:
        parts.append("## Questions and answers\n\n" + _questions(site, source, digest, placed))
    if content.messages:
        parts.append(_stats(site, source, episode.id, digest))
        parts.append("## Transcript\n\n" + _transcript(site, source, content, digest, placed))
    parts.append(_prev_next(site, source, previous, following))
    site.memo.day = ""
    return "".join(parts)


def _episode_meta(site: Site, source: str, content: EpisodeContent) -> str:
    episode = content.episode
    rows = [f"**When:** {inline_md(when(site, episode.starts_at, with_utc=True))}"]
    for label, ids in (("Host", episode.hosts), ("Guest", episode.guests)):
        people = [site.directory.person(pid) for pid in ids]
        if people:
            rows.append(f"**{label if len(people) == 1 else label + 's'}:** " + ", ".join(person_md(site, source, p) for p in people if p))
    if episode.tags:
        rows.append("**Topics:** " + ", ".join(f"[{inline_md(t)}]({site.md_href(source, urls.topic_path(t))})" for t in episode.tags))
    if episode.status != Status.published:
        rows.append(f"**Status:** {episode.status.value}")
    return "\n".join(f"- {row}" for row in rows) + "\n\n"


def _highlights(site: Site, source: str, content: EpisodeContent, digest: Digest) -> str:
    where = questions_showing(digest)
    cards = [
        message_html(site, source, digest.by_id[h], anchor=False, extra=_answers_which(digest, where.get(h, ())))
        for h in content.episode.highlights
        if h in digest.by_id
    ]
    return html_block("\n".join(cards), "cd-highlights")


def questions_showing(digest: Digest) -> dict[str, list[tuple[int, bool]]]:
    """Message id → (question number, whether it is an answer rather than a reply to one) for
    every question whose answers show it."""
    where: dict[str, list[tuple[int, bool]]] = {}

    def walk(thread: Thread, number: int, answer: bool) -> None:
        found = where.setdefault(thread.message.id, [])
        if (number, answer) not in found:
            found.append((number, answer))
        for reply in thread.replies:
            walk(reply, number, False)

    for group in digest.questions:
        for thread in group.answers:
            walk(thread, group.number, True)
    return where


def _answers_which(digest: Digest, where: list[tuple[int, bool]]) -> str:
    """ "Answers Q2: …" under a highlight, linking to the questions it answers (or sits under)."""
    if not where:
        return ""
    texts = {q.number: q.text for q in digest.questions}
    answered = [n for n, answer in where if answer]
    numbers = answered or [where[0][0]]
    links = " and ".join(f'<a href="#{urls.question_anchor(n)}">Q{n}: {text_html(_short(texts[n], 70))}</a>' for n in numbers)
    return f'<p class="cd-answers-to">{"Answers" if answered else "In the answers to"} {links}</p>'


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _questions(site: Site, source: str, digest: Digest, placed: set[str]) -> str:
    where = questions_showing(digest)
    out = []
    for group in digest.questions:
        heading = f"### Q{group.number}: {inline_md(group.text)} {{#{urls.question_anchor(group.number)}}}\n\n"
        summary = plural(len(group.answers), "answer") + "."
        if group.message:
            summary += f' <a href="#{urls.message_anchor(group.message.id)}">Asked at {site.local(group.message.at):%H:%M}</a>.'
        ranked = ranked_answers(group)
        tops = {t.message.id for t in top_answers(group)}
        cards = "\n".join(_answer_html(site, source, t, placed, t.message.id in tops, where) for t in ranked)
        if ranked != group.answers:
            cards += "\n" + _time_order(site, group)
        out.append(heading + summary + "\n\n" + (html_block(cards, "cd-answers") if cards else ""))
    return "".join(out)


def _answer_html(site: Site, source: str, thread: Thread, placed: set[str], top: bool, where) -> str:
    """An answer with its replies; an answer already shown under an earlier question (one
    message answering two) is a short link to it there, so a message keeps one anchor."""
    if thread.message.id in placed:
        numbers = [f"Q{n}" for n, answer in where.get(thread.message.id, ()) if answer]
        author = site.directory.author(thread.message)
        return (
            f'<p class="cd-ref"><a href="#{urls.message_anchor(thread.message.id)}">{text_html(author.name)}’s answer to '
            f"{' and '.join(numbers)}</a>: {text_html(_short(thread.message.text, 120))}</p>"
        )
    card = thread_html(site, source, thread, placed)
    return f'<div class="cd-top"><p class="cd-top-label">Top answer</p>{card}</div>' if top else card


def _time_order(site: Site, group: QuestionGroup) -> str:
    """The answers in the order they were posted, one click away (no script needed): each links to its card."""
    items = "".join(
        f'<li><a href="#{urls.message_anchor(t.message.id)}">{_time_labels(site, t.message.at)[1]}</a> '
        f"{text_html(site.directory.author(t.message).name)}: {text_html(_short(t.message.text, 80))}</li>"
        for t in group.answers
    )
    return f'<details class="cd-time-order"><summary>All {plural(len(group.answers), "answer")} in time order</summary><ol>{items}</ol></details>'


def plural(count: int, word: str, words: str = "") -> str:
    """ "1 answer", "2 answers": the count with its noun in the right number."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def _transcript(site: Site, source: str, content: EpisodeContent, digest: Digest, placed: set[str]) -> str:
    """The messages not shown under a question, in order, with their reply threads."""
    rest = _unplaced(digest.threads, placed)
    total, moved = len(content.messages), len(placed)
    intro = f"{plural(total, 'message')}, times in {site.timezone.key}."
    if moved:
        intro += f" {moved} of them (the answers, with their replies) are under their questions above; here is the rest, in order."
    roots = "\n".join(thread_html(site, source, t, placed) for t in rest)
    return f"{intro}\n\n" + (html_block(roots, "cd-transcript") if roots else "")


def _stats(site: Site, source: str, episode_id: str, digest: Digest) -> str:
    stats = digest.stats
    top = ", ".join(
        f"{person_link(site, source, person)} ({n})"
        for key, n in stats.top_authors
        if (person := site.directory.person(key)) and not is_anonymised(person)  # opted out of stats (privacy.py)
    )
    rows = [
        ("Messages", str(stats.messages)),
        ("Participants", f"{stats.participants} ({_newcomers(site, episode_id, stats.participants)})"),
        ("Answers placed under a question", str(stats.answers)),
        ("Most active", top or "—"),
    ]
    if stats.busiest_minute:
        rows.append(("Busiest minute", f"{stats.busiest_minute} ({plural(stats.busiest_minute_count, 'message')})"))
    if stats.hashtags:
        rows.append(("Hashtags", ", ".join(f"#{text_html(tag)} ({n})" for tag, n in stats.hashtags)))
    # A table of row headings: a Markdown table would need a header row, and have only an empty one.
    body = "".join(f'<tr><th scope="row">{label}</th><td>{value}</td></tr>' for label, value in rows)
    table = html_block(f"<table><tbody>{body}</tbody></table>", "cd-stats")
    links = ""
    if stats.links:
        items = "".join(_shared_link(site, source, link) for link in stats.links)
        links = "### Links shared\n\n" + html_block(f"<ul>{items}</ul>", "cd-shared-links")
    return "## Stats\n\n" + table + links


def _newcomers(site: Site, episode_id: str, participants: int) -> str:
    first = len(site.firsts.get(episode_id, ()))
    return f"{first} first-timer{'s' if first != 1 else ''}, {participants - first} returning"


def _shared_link(site: Site, source: str, link: SharedLink) -> str:
    sharers = ", ".join(person_link(site, source, site.directory.resolve(platform, handle)) for platform, handle in link.shared_by)
    return f'<li>{link_html(link.url)} <span class="cd-domain">{text_html(link.domain)}</span> <span class="cd-sharers">shared by {sharers}</span></li>'


def _prev_next(site: Site, source: str, previous: EpisodeContent | None, following: EpisodeContent | None) -> str:
    parts = []
    if previous:
        parts.append(f"← Previous: {episode_md(site, source, previous)}")
    if following:
        parts.append(f"Next: {episode_md(site, source, following)} →")
    return ("---\n\n" + " · ".join(parts) + "\n") if parts else ""


# --- index pages -----------------------------------------------------------------------------


def episode_link(site: Site, source: str, content: EpisodeContent) -> str:
    return f'<a href="{site.href(source, urls.episode_path(content.episode.id))}">{text_html(content.episode.title)}</a>'


def _episode_line(site: Site, source: str, content: EpisodeContent, extra: str = "") -> str:
    count = site.summaries[content.episode.id].count
    extra = extra or (f" — {plural(count, 'message')}" if count else "")
    return f"{_episode_item(site, source, content)}{extra}</li>"


def _episode_item(site: Site, source: str, content: EpisodeContent) -> str:
    """The start of a chat's line in a list: the same on every person page that lists the chat,
    and people pages list forty thousand chats between them, so each is made once."""
    key = (urls.root_prefix(source, site.directory_urls), content.episode.id)
    item = site.memo.items.get(key)
    if item is None:
        item = site.memo.items[key] = f"<li>{content.episode.date:%-d %b %Y}: {episode_link(site, source, content)}"
    return item


def episode_list(items: list[str]) -> str:
    """Long lists of links are raw HTML: Markdown would spend most of a build parsing them."""
    return html_block("<ul>" + "\n".join(items) + "</ul>", "cd-list")


def render_home(site: Site) -> str:
    community = site.archive.community
    source = urls.HOME
    parts = [front_matter(community.name, community.description), f"# {inline_md(community.name)}\n\n"]
    if community.description:
        parts.append(f"{inline_md(community.description)}\n\n")
    if site.upcoming:
        nxt = site.upcoming[0]
        parts.append(
            f"## Next chat\n\n**{episode_md(site, source, nxt)}** — {inline_md(when(site, nxt.episode.starts_at, with_utc=True))}\n\n"
        )
        parts.append(_question_list(site, nxt))
    published = list(reversed(site.published))
    if published:
        latest = published[0]
        summary = site.summaries[latest.episode.id]
        parts.append(
            f"## Latest chat\n\n**{episode_md(site, source, latest)}** — {inline_md(when(site, latest.episode.starts_at))}, "
            f"{plural(summary.shown, 'message')} from {plural(summary.participants, 'person', 'people')}.\n\n"
        )
        if latest.episode.summary:
            parts.append(f"{inline_md(latest.episode.summary)}\n\n")
        parts.append("## Recent chats\n\n" + episode_list([_episode_line(site, source, c) for c in published[:10]]))
        parts.append(
            "## Participation\n\nMessages and participants in every chat of the archive.\n\n"
            + html_block(_participation_chart(site), "cd-chart")
        )
    parts.append(
        f"Browse [the archive by year]({site.md_href(source, urls.ARCHIVE)}), [topics]({site.md_href(source, urls.TOPICS)}) "
        f"or [people]({site.md_href(source, urls.PEOPLE)}).\n"
    )
    parts.append("\n## Follow\n\nNew chats by feed reader, and the schedule in your calendar:\n" + html_block(follow_html(), "cd-follow"))
    return "".join(parts)


def _participation_chart(site: Site) -> str:
    weeks = [(c.episode.date, site.summaries[c.episode.id].shown, site.summaries[c.episode.id].participants) for c in site.published]
    return participation_svg(weeks) + participation_table(weeks)


def _question_list(site: Site, content: EpisodeContent) -> str:
    """The questions listed for a chat, each once numbered ("Q1: …", never "1. Q1: …")."""
    hashtags = tuple(site.archive.community.hashtags)
    questions = [strip_question_label(q, hashtags) for q in content.episode.questions]
    return ("".join(f"- Q{n}: {inline_md(q)}\n" for n, q in enumerate(questions, start=1)) + "\n") if questions else ""


def published_by_year(site: Site) -> dict[int, list[EpisodeContent]]:
    """Published chats by year, newest year and newest chat first."""
    by_year: dict[int, list[EpisodeContent]] = {}
    for content in reversed(site.published):
        by_year.setdefault(content.episode.date.year, []).append(content)
    return by_year


def render_archive(site: Site) -> dict[str, str]:
    """The archive index (the years) and one page per year listing its chats."""
    name = site.archive.community.name
    by_year = published_by_year(site)
    index = [front_matter("Archive", f"Every {name} chat, by year"), "# Archive\n\n"]
    pages = {}
    for year, contents in by_year.items():
        path = urls.year_path(year)
        count = len(contents)
        index.append(f"- [{year}]({site.md_href(urls.ARCHIVE, path)}): {count} chat{'s' if count != 1 else ''}\n")
        pages[path] = (
            front_matter(str(year), f"{name} chats in {year}")
            + f"# {year}\n\n"
            + episode_list([_episode_line(site, path, c) for c in contents])
        )
    if not by_year:
        index.append("No chats have been published yet.\n")
    pages[urls.ARCHIVE] = "".join(index)
    return pages


def render_upcoming(site: Site) -> str:
    source = urls.UPCOMING
    parts = [front_matter("Upcoming chats", f"The next {site.archive.community.name} chats"), "# Upcoming chats\n\n"]
    for content in site.upcoming:
        parts.append(f"## {episode_md(site, source, content)}\n\n{inline_md(when(site, content.episode.starts_at, with_utc=True))}\n\n")
        parts.append(_question_list(site, content))
    if not site.upcoming:
        parts.append("No chat is scheduled yet.\n")
    return "".join(parts)


def render_topics(site: Site) -> dict[str, str]:
    """The topics index and one page per topic."""
    pages = {}
    index = [front_matter("Topics", "Chats by topic"), "# Topics\n\n"]
    for topic in site.topics.values():
        count = len(topic.chats)
        index.append(f"- [{inline_md(topic.name)}]({site.md_href(urls.TOPICS, topic.path)}) ({count} chat{'s' if count != 1 else ''})\n")
        lines = episode_list([_episode_line(site, topic.path, c) for c in reversed(topic.chats)])
        pages[topic.path] = (
            front_matter(f"Topic: {topic.name}", f"Chats about {topic.name}") + f"# Topic: {inline_md(topic.name)}\n\n{lines}"
        )
    pages[urls.TOPICS] = "".join(index)
    return pages


def has_people_page(site: Site, person: Participant) -> bool:
    """Everyone who took part in at least two published chats, and everyone in people.yml; not
    anonymised participants. Someone who took part once is listed on the people index with a
    link to their message instead: a page each would be most of a young archive's pages (MkDocs
    spends as long on a page whatever it holds), each saying less than the chat does. Pages,
    every link to one (cards, mentions, hosts, stats), search and the sitemap follow this rule."""
    if is_anonymised(person):
        return False
    if person.known:
        return True
    record = site.activity.get(person.key)
    return record is not None and len(record.episodes) >= 2


def render_people(site: Site) -> dict[str, str]:
    """The people index and one page per person who has one (has_people_page)."""
    pages = {}
    rows = []
    once: dict[str, list[Participant]] = {}  # chat id → who took part in it and no other
    for person in site.directory.participants():
        record = site.activity.get(person.key, Activity())
        if not has_people_page(site, person):
            if len(record.episodes) == 1 and not is_anonymised(person):
                once.setdefault(record.episodes[0], []).append(person)
            continue
        path = urls.person_path(person.slug)
        link = f'<a href="{site.href(urls.PEOPLE, path)}">{text_html(person.name)}</a>'
        rows.append(
            f"<tr><td>{link}</td><td>{len(record.episodes)}</td><td>{record.messages}</td>"
            f"<td>{record.answers}</td><td>{record.longest_streak}</td></tr>"
        )
        pages[path] = _person_page(site, path, person, record)
    pages[urls.PEOPLE] = (
        front_matter("People", f"Everyone who took part in {site.archive.community.name}")
        + "# People\n\n"
        + html_block(
            "<table><thead><tr><th>Name</th><th>Chats</th><th>Messages</th><th>Answers</th><th>Longest streak</th></tr></thead>"
            "<tbody>\n" + "\n".join(rows) + "\n</tbody></table>",
            "cd-people",
        )
        + _took_part_once(site, once)
    )
    return pages


def _took_part_once(site: Site, once: dict[str, list[Participant]]) -> str:
    """Who took part in one chat, by chat (newest first): each name links to their first
    message there."""
    if not once:
        return ""
    items = []
    for content in reversed(site.published):
        people = once.get(content.episode.id)
        if not people:
            continue
        path = urls.episode_path(content.episode.id)
        first = _first_messages(site, content.episode.id, {p.key for p in people})
        names = ", ".join(
            f'<a href="{site.href(urls.PEOPLE, path, urls.message_anchor(first[p.key]))}">{text_html(p.name)}</a>' for p in people
        )
        items.append(f"{_episode_item(site, urls.PEOPLE, content)}: {names}</li>")
    return "## Took part once\n\nBy chat, newest first; each name links to their message in it.\n\n" + html_block(
        "<ul>" + "\n".join(items) + "</ul>", "cd-list"
    )


def _first_messages(site: Site, episode_id: str, keys: set[str]) -> dict[str, str]:
    """Person key → id of their first message in the chat, for the people in `keys`."""
    found: dict[str, str] = {}
    for message_id, platform, author in site.summaries[episode_id].live:
        key = site.directory.register(platform, author).key
        if key in keys and key not in found:
            found[key] = message_id
    return found


def _person_page(site: Site, path: str, person: Participant, record: Activity) -> str:
    parts = [front_matter(person.name, f"{person.name} in {site.archive.community.name}"), f"# {inline_md(person.name)}\n\n"]
    # A backtick code span would let a handle with blank lines end the paragraph and start raw HTML.
    handles = ", ".join(f"<code>{inline_md(h)}</code>" for h in person.handles)
    parts.append(
        f"- **Handles:** {handles}\n- **Role:** {person.role.value}\n- **Chats:** {len(record.episodes)}\n"
        f"- **Messages:** {record.messages}, of which {plural(record.answers, 'answer')} to questions\n"
        f"- **Streak:** {plural(record.longest_streak, 'chat')} in a row at most, {record.current_streak} up to the latest chat\n\n"
    )
    if not record.episodes:
        return "".join(parts)
    by_id = site.published_by_id
    counts = record.per_episode
    # By year, from their first year: the page then changes only when they take part (or a year
    # begins), not with every new chat, which keeps warm rebuilds small.
    years = range(by_id[record.episodes[0]].episode.date.year, site.published[-1].episode.date.year + 1)
    attended = Counter(by_id[e].episode.date.year for e in record.episodes)
    per_year = tuple((year, attended[year]) for year in years)
    most_held = max(site.chats_per_year[year] for year in years)
    chart = site.memo.charts.get(f"attendance {most_held} {per_year}", lambda: attendance_svg(per_year, most_held))
    parts.append("## Attendance\n\nChats attended each year.\n\n" + html_block(chart + attendance_table(per_year), "cd-chart"))
    if record.highlights:
        cards = "\n".join(
            message_html(site, path, site.summaries[e].by_id[m], anchor=False, episode_path=urls.episode_path(e))
            for e, m in record.highlights
        )
        parts.append("## Highlights\n\n" + html_block(cards, "cd-highlights"))
    parts.append(
        "## Chats\n\n"
        + episode_list([_episode_line(site, path, by_id[e], f" — {plural(counts[e], 'message')}") for e in reversed(record.episodes)])
    )
    return "".join(parts)


@dataclass(frozen=True)
class EpisodePage:
    path: str
    content: EpisodeContent
    previous: EpisodeContent | None  # the published chats before and after it
    following: EpisodeContent | None


def episode_pages(site: Site) -> Iterator[EpisodePage]:
    """The chats that get a page: published and upcoming ones; a draft waits until it is either."""
    published = site.published
    position = {c.episode.id: i for i, c in enumerate(published)}
    for content in site.public:
        index = position.get(content.episode.id, -1)
        previous = published[index - 1] if index > 0 else None
        following = published[index + 1] if 0 <= index < len(published) - 1 else None
        yield EpisodePage(urls.episode_path(content.episode.id), content, previous, following)


def render_all(
    site: Site, current: Callable[[EpisodePage], bool] = lambda page: False, chat_pages: list[EpisodePage] | None = None
) -> Iterator[tuple[str, str | None]]:
    """Every generated page as (docs path, Markdown), one at a time so memory stays flat.

    Chat pages are `chat_pages` when given (the rest are rendered elsewhere), else all of them.
    A chat page for which `current(page)` is true is not rendered: it comes with None.
    """
    yield urls.HOME, render_home(site)
    yield from render_archive(site).items()
    yield urls.UPCOMING, render_upcoming(site)
    yield from render_chats(site, episode_pages(site) if chat_pages is None else chat_pages, current)
    yield from render_topics(site).items()
    yield from render_people(site).items()


def render_chats(site: Site, pages, current: Callable[[EpisodePage], bool]) -> Iterator[tuple[str, str | None]]:
    for page in pages:
        if current(page):
            yield page.path, None
            continue
        yield page.path, render_episode(site, page.content, page.previous, page.following)
        site.memo.cards.clear()
        site.memo.minutes.clear()  # a chat's minutes are not another chat's
