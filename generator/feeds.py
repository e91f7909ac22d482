"""Feeds and the calendar: RSS 2.0, Atom 1.0, JSON Feed 1.1 and iCalendar, made from the model.

Files (relative to site/, all absolute links inside them come from mkdocs.yml's site_url):
  feeds/rss.xml             published chats, newest first, the last `feed_items`   (RSS 2.0)
  feeds/atom.xml            the same                                               (Atom 1.0)
  feeds/feed.json           the same                                               (JSON Feed 1.1)
  feeds/upcoming.xml        chats announced but not held yet, soonest first        (Atom 1.0)
  feeds/topics/<slug>.xml   published chats with one tag; <slug> is the topic page's slug (Atom)
  calendar.ics              every chat plus the weekly schedule after the last one  (iCalendar)

Two builds of the same data give the same bytes: every date comes from data/ (never the clock),
ids come from episode ids (never titles, so retitling keeps a reader's read/unread state), and
entries are ordered by start time then id. Text reaches the HTML only through render/text.py; the
redacted model (privacy.apply_optouts) is all this module ever sees.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from generator.archive.model import Episode, EpisodeContent
from generator.archive.schedule import in_force, starts_after
from generator.errors import ChatdigestError
from generator.render import times, urls
from generator.render.text import attr, clean_text, rich_html, text_html
from generator.writer import write_atomic

# feedgen and icalendar (60 ms to import) are imported where they are used: `generate` imports
# this module for follow_html only.
if TYPE_CHECKING:  # pages imports this module for the home page's Follow section
    import icalendar
    from feedgen.feed import FeedGenerator

    from generator.render.pages import Site

RSS = "feeds/rss.xml"
ATOM = "feeds/atom.xml"
JSON_FEED = "feeds/feed.json"
UPCOMING = "feeds/upcoming.xml"
CALENDAR = "calendar.ics"
# What a feed with no entries says it was last updated: a fixed date, so empty feeds are stable.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
GENERATOR = "chatdigest"


def topic_feed(topic_path: str) -> str:
    """feeds/topics/<slug>.xml, with the same slug as the topic's page."""
    return "feeds/" + topic_path.removesuffix(".md") + ".xml"


@dataclass(frozen=True)
class FeedContext:
    site: Site
    base_url: str  # site_url, ending in "/"
    items: int

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    @property
    def name(self) -> str:
        return clean_text(self.site.archive.community.name)

    @property
    def description(self) -> str:
        community = self.site.archive.community
        return clean_text(community.description) or f"Chats of {self.name}"

    def url(self, site_path: str) -> str:
        return self.base_url + site_path

    def page_url(self, docs_path: str) -> str:
        return self.base_url + urls.page_url(docs_path, self.site.directory_urls)

    def episode_url(self, episode: Episode) -> str:
        return self.page_url(urls.episode_path(episode.id))

    def entry_id(self, episode: Episode) -> str:
        # A tag URI (RFC 4151) from the host and the episode id: stable across rebuilds and
        # retitles, unique across communities, and never looks like a fetchable link.
        return f"tag:{self.host},{episode.date.isoformat()}:episode/{urls.slug(episode.id, 'episode')}"


# --- configuration -------------------------------------------------------------------------


def site_base_url(config) -> str:
    """mkdocs.yml's site_url ending in '/', or a one-line error saying how to set it."""
    site_url = (config.get("site_url") or "").strip()
    if not site_url:
        where = config.get("config_file_path") or "mkdocs.yml"
        raise ChatdigestError(
            f"{where}: site_url is not set, but feeds and the calendar need absolute links "
            "(fix: add `site_url: https://your.site/` to mkdocs.yml, or set `feeds: false` under the chatdigest plugin)"
        )
    return urls.base_url(site_url)


def _plugin_options(config) -> tuple[bool, int]:
    plugin = config.plugins.get("chatdigest") if config.get("plugins") else None
    options = getattr(plugin, "config", None) or {}
    return bool(options.get("feeds", True)), int(options.get("feed_items", 20))


# --- entry content -------------------------------------------------------------------------


def render_when(ctx: FeedContext, moment: dt.datetime) -> str:
    return times.when(moment, ctx.site.timezone, with_utc=True)


def render_entry_html(ctx: FeedContext, content: EpisodeContent) -> str:
    """An episode as an HTML fragment for a feed entry; every piece of text via render/text.py."""
    episode = content.episode
    parts = [f"<p><strong>When:</strong> {text_html(render_when(ctx, episode.starts_at))}</p>"]
    if episode.summary:
        parts.append(f"<p>{text_html(episode.summary)}</p>")
    questions = _questions_html(ctx, content)
    if questions:
        parts.append(f"<h3>Questions</h3>{questions}")
    highlights = _highlights_html(ctx, content)
    if highlights:
        parts.append(f"<h3>Highlights</h3>{highlights}")
    has_transcript = ctx.site.summaries[episode.id].count > 0
    if content.preview_markdown.strip() and not has_transcript:
        parts.append(f"<h3>Preview</h3>{rich_html(content.preview_markdown)}")
    label = "Read the questions, answers and transcript" if has_transcript else "Read more"
    parts.append(f'<p><a href="{attr(ctx.episode_url(episode))}">{label}</a></p>')
    return "\n".join(parts)


def _questions_html(ctx: FeedContext, content: EpisodeContent) -> str:
    """Every question of the chat, listed beforehand or found in it, each with its top answer."""
    summary = ctx.site.summaries.get(content.episode.id)
    questions = summary.questions if summary else ()
    if not questions:
        return ""
    by_id = summary.by_id
    items = []
    for number, text, top in questions:
        item = f"<li><p><strong>Q{number}:</strong> {text_html(text)}</p>"
        answer = by_id.get(top)
        if answer is not None and not answer.deleted:
            author = ctx.site.directory.author(answer)
            item += f"<blockquote><p>{text_html(answer.text)}</p><p>— {text_html(author.name)}, top answer</p></blockquote>"
        items.append(item + "</li>")
    return f"<ul>{''.join(items)}</ul>"


def _highlights_html(ctx: FeedContext, content: EpisodeContent) -> str:
    summary = ctx.site.summaries.get(content.episode.id)
    if summary is None:
        return ""
    by_id = summary.by_id
    quotes = []
    for message_id in content.episode.highlights:
        message = by_id.get(message_id)
        if message is None or message.deleted:
            continue
        author = ctx.site.directory.author(message)
        at = ctx.site.local(message.at)
        quotes.append(f"<blockquote><p>{text_html(message.text)}</p><p>— {text_html(author.name)}, {at:%H:%M}</p></blockquote>")
    return "".join(quotes)


def render_summary(content: EpisodeContent) -> str:
    episode = content.episode
    return clean_text(episode.summary) or "; ".join(clean_text(q) for q in episode.questions[:3])


def newest_first(contents: list[EpisodeContent], limit: int) -> list[EpisodeContent]:
    ordered = sorted(contents, key=lambda c: (c.episode.starts_at, c.episode.id), reverse=True)
    return ordered[:limit]


def soonest_first(contents: list[EpisodeContent], limit: int) -> list[EpisodeContent]:
    return sorted(contents, key=lambda c: (c.episode.starts_at, c.episode.id))[:limit]


def _updated(contents: list[EpisodeContent]) -> dt.datetime:
    return max((c.episode.starts_at for c in contents), default=EPOCH)


# --- RSS and Atom (feedgen) ----------------------------------------------------------------


def _feed_generator(ctx: FeedContext, path: str, title: str, subtitle: str, contents: list[EpisodeContent], home: str) -> FeedGenerator:
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(ctx.url(path))
    fg.title(title)
    fg.subtitle(subtitle)
    fg.author(name=ctx.name)
    # feedgen keeps the last non-self link as RSS's <link>: the self link must come first.
    fg.link(href=ctx.url(path), rel="self")
    fg.link(href=home, rel="alternate")
    fg.language(ctx.site.archive.community.language)
    fg.generator(GENERATOR)
    # feedgen stamps Atom <updated> and RSS <lastBuildDate> (one setting) with the current time
    # unless told otherwise.
    fg.updated(_updated(contents))
    for content in contents:
        _add_entry(ctx, fg, content)
    return fg


def _add_entry(ctx: FeedContext, fg: FeedGenerator, content: EpisodeContent) -> None:
    episode = content.episode
    entry = fg.add_entry(order="append")
    entry.id(ctx.entry_id(episode))
    entry.guid(ctx.entry_id(episode), permalink=False)
    entry.title(clean_text(episode.title))
    entry.link(href=ctx.episode_url(episode), rel="alternate")
    entry.published(episode.starts_at)
    entry.updated(episode.starts_at)
    # RSS 2.0 readers show <description> as HTML, so the summary is escaped HTML; Atom is told so.
    entry.summary(text_html(render_summary(content) or episode.title), type="html")
    entry.content(render_entry_html(ctx, content), type="html")
    for tag in episode.tags:
        entry.category(term=clean_text(tag), label=clean_text(tag))


def render_rss(ctx: FeedContext, contents: list[EpisodeContent]) -> bytes:
    # The channel's <description> is HTML to RSS readers too (Atom's subtitle stays text).
    fg = _feed_generator(ctx, RSS, ctx.name, text_html(ctx.description), contents, ctx.page_url(urls.HOME))
    return fg.rss_str(pretty=True)


def render_atom(ctx: FeedContext, path: str, title: str, subtitle: str, contents: list[EpisodeContent], home: str) -> bytes:
    return _feed_generator(ctx, path, title, subtitle, contents, home).atom_str(pretty=True)


# --- JSON Feed 1.1 -------------------------------------------------------------------------


def render_json_feed(ctx: FeedContext, contents: list[EpisodeContent]) -> str:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": ctx.name,
        "home_page_url": ctx.page_url(urls.HOME),
        "feed_url": ctx.url(JSON_FEED),
        "description": ctx.description,
        "language": ctx.site.archive.community.language,
        "authors": [{"name": ctx.name}],
        "items": [_json_item(ctx, c) for c in contents],
    }
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def _json_item(ctx: FeedContext, content: EpisodeContent) -> dict:
    episode = content.episode
    item = {
        "id": ctx.entry_id(episode),
        "url": ctx.episode_url(episode),
        "title": clean_text(episode.title),
        "content_html": render_entry_html(ctx, content),
        "summary": render_summary(content),
        "date_published": episode.starts_at.isoformat(),
    }
    if episode.tags:
        item["tags"] = [clean_text(t) for t in episode.tags]
    return item


# --- iCalendar -----------------------------------------------------------------------------


def render_calendar(ctx: FeedContext) -> bytes:
    """Every chat as an event in the community's timezone, plus the weekly schedule from the
    week after the last known chat, so a subscriber sees chats nobody has scaffolded yet."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{GENERATOR}//{ctx.host}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", ctx.name)
    calendar.add("x-wr-timezone", ctx.site.timezone.key)
    contents = ctx.site.published + ctx.site.upcoming  # drafts stay out
    contents = soonest_first(contents, len(contents))
    if contents:
        first = contents[0].episode.date.replace(month=1, day=1)
        calendar.add_component(icalendar.Timezone.from_tzid(ctx.site.timezone.key, first_date=first))
    for content in contents:
        calendar.add_component(_event(ctx, content))
    recurring = _schedule_event(ctx, contents[-1].episode.starts_at) if contents else None
    if recurring is not None:
        calendar.add_component(recurring)
    return calendar.to_ical()


def _event(ctx: FeedContext, content: EpisodeContent) -> icalendar.Event:
    import icalendar

    episode = content.episode
    start = ctx.site.local(episode.starts_at)
    event = icalendar.Event()
    event.add("uid", f"{urls.slug(episode.id, 'episode')}@{ctx.host}")
    # DTSTAMP is required; the start time is a data-derived value that keeps builds identical.
    event.add("dtstamp", episode.starts_at.astimezone(dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", _end(ctx, episode, start))
    event.add("summary", clean_text(episode.title))
    event.add("description", _event_description(ctx, content))
    event.add("url", ctx.episode_url(episode))
    event.add("status", "CONFIRMED")
    if episode.tags:
        event.add("categories", [clean_text(t) for t in episode.tags])
    return event


def _event_description(ctx: FeedContext, content: EpisodeContent) -> str:
    episode = content.episode
    lines = [clean_text(episode.summary)] if episode.summary else []
    lines += [clean_text(q) for q in episode.questions]
    lines.append(ctx.episode_url(episode))
    return "\n".join(lines)


def _end(ctx: FeedContext, episode: Episode, start: dt.datetime) -> dt.datetime:
    """When the chat ended as recorded, else its start plus the duration of the schedule then."""
    if episode.ends_at is not None:
        return ctx.site.local(episode.ends_at)
    return start + dt.timedelta(minutes=in_force(ctx.site.archive.community.schedule, episode.date).duration_minutes)


def next_slot(ctx: FeedContext, after: dt.datetime) -> dt.datetime | None:
    """The first scheduled start strictly after `after`, in the site's timezone; None when the
    schedule ends in a hiatus."""
    starts = starts_after(ctx.site.archive.community.schedule, after, 1)
    return ctx.site.local(starts[0]) if starts else None


# RRULEs of the cadences; the monthly one is the first weekday of the month, as schedule.py says.
def _rrule(schedule) -> dict:
    if schedule.cadence == "fortnightly":
        return {"freq": "weekly", "interval": 2}
    if schedule.cadence == "monthly":
        return {"freq": "monthly", "byday": f"1{schedule.weekday[:2].upper()}"}
    return {"freq": "weekly"}


def _schedule_event(ctx: FeedContext, last_start: dt.datetime) -> icalendar.Event | None:
    import icalendar

    schedule = ctx.site.archive.community.schedule.current
    start = next_slot(ctx, last_start)
    if schedule.hiatus or start is None:  # on a break: no chat to announce
        return None
    event = icalendar.Event()
    # One UID for the recurring schedule: calendars update it in place as new chats are added.
    event.add("uid", f"schedule-{schedule.weekday}-{schedule.time.replace(':', '')}@{ctx.host}")
    event.add("dtstamp", last_start.astimezone(dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=schedule.duration_minutes))
    # Local wall-clock time with a TZID: each week keeps its 19:00 across daylight-saving changes.
    event.add("rrule", _rrule(schedule))
    event.add("summary", f"{ctx.name} (weekly chat)")
    event.add("description", f"The weekly {ctx.name} chat. Topics are announced on {ctx.page_url(urls.UPCOMING)}")
    event.add("url", ctx.page_url(urls.UPCOMING))
    event.add("status", "TENTATIVE")
    return event


# --- everything, and writing it ------------------------------------------------------------


def render_feeds(site: Site, base_url: str, items: int = 20) -> dict[str, bytes]:
    """Every feed file and the calendar, keyed by path relative to site/. Pure."""
    ctx = FeedContext(site, urls.base_url(base_url), items)
    published = newest_first(site.published, items)
    upcoming = soonest_first(site.upcoming, items)
    files = {
        RSS: render_rss(ctx, published),
        ATOM: render_atom(ctx, ATOM, ctx.name, ctx.description, published, ctx.page_url(urls.HOME)),
        JSON_FEED: render_json_feed(ctx, published).encode("utf-8"),
        UPCOMING: render_atom(
            ctx, UPCOMING, f"{ctx.name}: upcoming chats", f"The next {ctx.name} chats", upcoming, ctx.page_url(urls.UPCOMING)
        ),
        CALENDAR: render_calendar(ctx),
    }
    # Every topic page gets a feed, even with only upcoming chats, so its autodiscovery link works.
    for topic in site.topics.values():
        files[topic_feed(topic.path)] = render_atom(
            ctx,
            topic_feed(topic.path),
            f"{ctx.name}: {clean_text(topic.name)}",
            f"{ctx.name} chats about {clean_text(topic.name)}",
            newest_first(topic.published, items),
            ctx.page_url(topic.path),
        )
    return files


def write_feeds(site: Site, config) -> None:
    """Post-build step: write every feed and the calendar into site/."""
    enabled, items = _plugin_options(config)
    if not enabled:
        return
    site_dir = Path(config["site_dir"])
    for path, data in render_feeds(site, site_base_url(config), items).items():
        write_atomic(site_dir / path, data, durable=False)  # generated: rebuilt from data/ by a rerun


# --- links to the feeds from pages ---------------------------------------------------------


def autodiscovery_html(base_url: str, page_src: str, title: str) -> str:
    """<link rel="alternate"> tags for a page's head: the site feeds, and a topic page's own."""
    links = [
        ("application/rss+xml", RSS, f"{title} (RSS)"),
        ("application/atom+xml", ATOM, f"{title} (Atom)"),
        ("application/feed+json", JSON_FEED, f"{title} (JSON Feed)"),
        ("application/atom+xml", UPCOMING, f"{title}: upcoming chats"),
    ]
    stem = page_src.removesuffix(".md")
    if stem.startswith("topics/") and stem != "topics/index":
        links.append(("application/atom+xml", f"feeds/{stem}.xml", f"{title}: {posixpath.basename(stem)}"))
    return "".join(
        # "alternate feed", not the bare "alternate" that Material's script takes for a translation of
        # the site and fetches a sitemap.xml beside (feeds/sitemap.xml: a 404 on every page); feed
        # readers look for the alternate token, which is still there.
        f'<link rel="alternate feed" type="{kind}" href="{attr(base_url + path)}" title="{attr(label)}">'
        for kind, path, label in links
    )


def insert_autodiscovery(output: str, page_src: str, config) -> str:
    """The page's HTML with the feed links inserted before </head>.

    `page_src` is the page's Markdown source path; "" for a theme template such as 404.html."""
    enabled, _ = _plugin_options(config)
    site_url = (config.get("site_url") or "").strip()
    if not enabled or not site_url or "</head>" not in output:
        return output  # without site_url, write_feeds stops the build with the fix
    links = autodiscovery_html(urls.base_url(site_url), page_src, config.get("site_name") or "Feed")
    return output.replace("</head>", links + "</head>", 1)


def follow_html(to_site_root: str = "") -> str:
    """Relative links to the feeds and calendar, for a page `to_site_root` below the root."""
    links = [("RSS", RSS), ("Atom", ATOM), ("JSON Feed", JSON_FEED), ("Upcoming chats", UPCOMING), ("Calendar (.ics)", CALENDAR)]
    return " · ".join(f'<a href="{attr(to_site_root + path)}">{label}</a>' for label, path in links)
