"""Preview and recap posts from the community's blog feeds, and the episode lifecycle.

read_feed      URL or file → FeedRead: entries as plain dataclasses, plus problems. URLs are fetched
               with a conditional GET (ETag / Last-Modified kept in .cache/feeds.json).
classify       an entry → "preview" | "recap" | "other", by community.yml's `previews:` rules.
import_previews  matches entries to episodes by date window, writes preview.md, questions, links;
               a preview for a week without an episode creates it as upcoming.
scaffold_episode  `chatdigest new`: the next free week of the schedule as an upcoming episode.

Feed HTML is untrusted: feedparser sanitises it, nh3 (render's allow-list) reduces it again, and
only then markdownify turns it into Markdown whose text can hold no markup of its own.

Editor edits win: `.cache/previews.json` keeps, per episode, hashes of what was imported; a
preview.md or question list that no longer matches its hash was edited and is left alone.
episode.yml is changed field by field (archive/write.update_episode_yml): the editor's comments,
key order and quoting stay. State files hold paths relative to the site, never absolute ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin
from zoneinfo import ZoneInfo

import feedparser
import nh3
from bs4 import BeautifulSoup
from markdownify import MarkdownConverter

from generator.archive.model import Community, Episode, Link, PreviewRules, Status
from generator.archive.read import EPISODES, read_archive
from generator.archive.schedule import describe, in_force, is_chat_day, start_on, starts_after
from generator.archive.write import update_episode_yml, write_episode_yml
from generator.errors import ChatdigestError, Problem, ProblemsFound, relative
from generator.render import text as render
from generator.render import urls
from generator.writer import write_atomic

CACHE_FILE = ".cache/feeds.json"
RECORDS_FILE = ".cache/previews.json"
LEGACY_RECORD = ".preview-import.json"  # where older versions kept the record, in the episode folder
DEFAULT_TITLE = "Topic to be announced"
USER_AGENT = "chatdigest (+https://pypi.org/project/chatdigest/)"
TIMEOUT_SECONDS = 20
MAX_FEED_BYTES = 20 * 1024 * 1024
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "div", "tr", "br")
_QUESTION_LINE = re.compile(r"^\W{0,3}(?:Q|Question)\s?(\d{1,2})\s*[:.)\-–—]\s*(\S.*)$", re.IGNORECASE)
# `&` starts an entity in Markdown only when it looks like one; escape just those.
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


# --- reading feeds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    """One post of a feed, reduced to what previews need. `html` is already sanitised."""

    feed: str
    key: str
    title: str
    link: str | None
    author: str
    published: dt.datetime | None
    categories: tuple[str, ...]
    html: str
    date_text: str = ""  # the date as written, kept to say why it could not be read

    def label(self) -> str:
        return f"entry {self.title!r}" + (f" ({self.link})" if self.link else "")


@dataclass
class FeedRead:
    source: str
    entries: list[FeedEntry] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    error: Problem | None = None
    not_modified: bool = False
    validators: dict[str, str] = field(default_factory=dict)  # etag / modified for the cache


class FeedError(Exception):
    """A feed that could not be read at all."""


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def read_feed(source: str, cached: dict[str, str] | None = None) -> FeedRead:
    """Read one feed (URL or file path); never raises for bad input, records it instead."""
    result = FeedRead(source)
    try:
        if is_url(source):
            status, data, headers = fetch_feed(source, cached or {})
            if status == 304:
                result.not_modified = True
                result.validators = dict(cached or {})
                return result
            result.validators = {k: v for k, v in (("etag", headers.get("etag")), ("modified", headers.get("last-modified"))) if v}
        else:
            data, headers = _read_file(source), {}
        parse_feed(result, data, base=source if is_url(source) else None, content_type=headers.get("content-type"))
    except FeedError as exc:
        result.error = Problem(source, message=str(exc), fix=_fix_for(source))
    return result


def _fix_for(source: str) -> str:
    return "check the URL in a browser, or the feeds: list in data/community.yml" if is_url(source) else "check the path"


def _read_file(source: str) -> bytes:
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise FeedError(f"cannot read the feed file: {exc.strerror}") from None


def fetch_feed(url: str, cached: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    """GET with If-None-Match / If-Modified-Since; returns (status, body, lower-cased headers)."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if cached.get("etag"):
        headers["If-None-Match"] = cached["etag"]
    if cached.get("modified"):
        headers["If-Modified-Since"] = cached["modified"]
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_FEED_BYTES + 1)
            if len(body) > MAX_FEED_BYTES:
                raise FeedError(f"feed is larger than {MAX_FEED_BYTES // 1024 // 1024} MB")
            return response.status, body, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, b"", {}
        raise FeedError(f"the server answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FeedError(f"cannot reach the feed: {exc.reason}") from None
    except (TimeoutError, OSError, ValueError) as exc:
        raise FeedError(f"cannot fetch the feed: {exc}") from None


def parse_feed(result: FeedRead, data: bytes, base: str | None = None, content_type: str | None = None) -> None:
    """feedparser → FeedEntry list on `result`; ill-formed feeds still yield what they can."""
    response_headers = {"content-location": base} if base else {}
    if content_type:
        response_headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(data), response_headers=response_headers)
    if not parsed.get("version") and not parsed.entries:
        raise FeedError(_not_a_feed_reason(data, parsed))
    if parsed.bozo:
        reason = _bozo_reason(parsed.get("bozo_exception"))
        result.warnings.append(
            Problem(
                result.source,
                message=f"feed is not well-formed ({reason}); read {len(parsed.entries)} {'entry' if len(parsed.entries) == 1 else 'entries'} anyway",
                fix="tell the blog's owner; entries are still imported",
            )
        )
    if not parsed.entries:
        result.warnings.append(Problem(result.source, message="the feed has no entries", fix="check that this is the blog's post feed"))
    seen: dict[str, str] = {}
    for raw in parsed.entries:
        entry = _entry(result.source, raw, base)
        if entry.key in seen:
            result.warnings.append(
                Problem(
                    result.source,
                    message=f"same id as entry {seen[entry.key]!r}; skipped",
                    where=entry.label(),
                    fix="the feed repeats a GUID; only the first entry is used",
                )
            )
            continue
        seen[entry.key] = entry.title
        result.entries.append(entry)


def _not_a_feed_reason(data: bytes, parsed) -> str:
    head = data[:512].lstrip().lower()
    if not head:
        return "the feed is empty"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "this is an HTML page, not an RSS or Atom feed (use the blog's feed address, often …/feed or …/rss.xml)"
    reason = _bozo_reason(parsed.get("bozo_exception")) if parsed.bozo else "no RSS or Atom elements found"
    return f"not an RSS or Atom feed: {reason}"


def _bozo_reason(exc: object) -> str:
    text = getattr(exc, "getMessage", lambda: str(exc))()
    line = getattr(exc, "getLineNumber", lambda: None)()
    return f"{text} at line {line}" if line else str(text)


def _entry(source: str, raw, base: str | None) -> FeedEntry:
    title = _plain_title(raw)
    link = _absolute(raw.get("link") or "", base)
    published = _published(raw)
    key = raw.get("id") or link or f"{title}|{published.isoformat() if published else ''}"
    categories = tuple(t.get("term") or t.get("label") or "" for t in raw.get("tags", []))
    date_text = " ".join(render.clean_text(dict.get(raw, "published") or dict.get(raw, "updated") or "").split())[:80]
    return FeedEntry(
        source,
        key,
        title,
        link,
        render.clean_text(raw.get("author", "")).strip(),
        published,
        tuple(c for c in categories if c),
        _entry_html(raw),
        date_text,
    )


def _plain_title(raw) -> str:
    detail = raw.get("title_detail") or {}
    title = raw.get("title", "")
    if "html" in (detail.get("type") or ""):
        title = BeautifulSoup(title, "html.parser").get_text()
    return " ".join(render.clean_text(title).split()) or "(untitled)"


def _absolute(url: str, base: str | None) -> str | None:
    url = urljoin(base, url) if base and url else url
    return url if url and render.safe_url(url) and not url.lower().startswith("mailto:") else None


def _published(raw) -> dt.datetime | None:
    # dict.get skips FeedParserDict's deprecated updated→published key mapping (and its warning).
    moment = dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed") or dict.get(raw, "created_parsed")
    try:
        return dt.datetime(*moment[:6], tzinfo=dt.UTC) if moment else None
    except (TypeError, ValueError):
        return None


def _entry_html(raw) -> str:
    for detail in list(raw.get("content", [])) + [raw.get("summary_detail") or {}]:
        value = detail.get("value") or ""
        if value.strip():
            return value if "html" in (detail.get("type") or "html") else f"<p>{render.text_html(value)}</p>"
    return ""


# --- classification and matching ------------------------------------------------------------


def classify(entry: FeedEntry, rules: PreviewRules, hashtags: list[str]) -> str:
    """'preview', 'recap' or 'other': categories first (an explicit choice), then the title."""
    if rules.require_hashtag and not _mentions_hashtag(entry, hashtags):
        return "other"
    categories = {c.casefold() for c in entry.categories}
    if categories & {c.casefold() for c in rules.recap_categories}:
        return "recap"
    if categories & {c.casefold() for c in rules.preview_categories}:
        return "preview"
    if any(re.search(p, entry.title, re.IGNORECASE) for p in rules.recap_titles):
        return "recap"
    if any(re.search(p, entry.title, re.IGNORECASE) for p in rules.preview_titles):
        return "preview"
    return "other"


def _mentions_hashtag(entry: FeedEntry, hashtags: list[str]) -> bool:
    text = " ".join((entry.title, html_text(entry.html))).casefold()
    categories = {c.casefold().lstrip("#") for c in entry.categories}
    return any(tag.casefold() in text or tag.casefold().lstrip("#") in categories for tag in hashtags)


def episode_title(entry: FeedEntry, rules: PreviewRules) -> str:
    """The entry's title without a leading 'Preview:' (or any preview pattern) and hashtags."""
    title = entry.title
    for pattern in rules.preview_titles:
        match = re.match(rf"^\W*(?:#\w+\s+)*(?:{pattern})\s*[:\-–—|]\s*(\S.*)$", title, re.IGNORECASE)
        if match:
            title = match.group(1)
            break
    return title.strip() or DEFAULT_TITLE


# --- HTML → Markdown ------------------------------------------------------------------------


class _TextOnlyMarkdown(MarkdownConverter):
    """markdownify whose text nodes can never become HTML: `<`, `>` and entity-like `&` are escaped."""

    def escape(self, text, parent_tags):
        text = super().escape(text, parent_tags)
        return _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def sanitise_html(fragment: str, base: str | None) -> str:
    """render's allow-list, with relative links made absolute against `base` (or dropped)."""

    def resolve(tag: str, attribute: str, value: str) -> str | None:
        if tag == "a" and attribute == "href":
            return _absolute(value.strip(), base) or (value if value.lower().startswith("mailto:") else None)
        return value

    resolved = nh3.clean(
        fragment,
        tags=render.RICH_TAGS,
        attributes=render.RICH_ATTRIBUTES,
        url_schemes=render.SAFE_SCHEMES,
        attribute_filter=resolve,
        strip_comments=True,
    )
    return render.clean_html(resolved)


def html_to_markdown(fragment: str, base: str | None) -> str:
    converter = _TextOnlyMarkdown(heading_style="ATX", bullets="-", strip=["img"])
    markdown = converter.convert(sanitise_html(fragment, base))
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"


def html_text(fragment: str) -> str:
    """The text of sanitised HTML with one line per block element."""
    soup = BeautifulSoup(fragment, "html.parser")
    for element in soup.find_all(_BLOCKS):
        element.insert_before("\n")
        element.insert_after("\n")
    return soup.get_text()


def extract_questions(fragment: str) -> list[str]:
    """'Q1: …' lines in the usual written forms (Q1. Q1) Q1 - Question 1:), as 'Qn: text'."""
    found: dict[int, str] = {}
    for line in html_text(fragment).splitlines():
        match = _QUESTION_LINE.match(" ".join(render.clean_text(line).split()))
        if match:
            found.setdefault(int(match.group(1)), match.group(2).strip())
    return [f"Q{n}: {found[n]}" for n in sorted(found)]


def _md_url(url: str) -> str:
    # Parentheses and spaces would end a Markdown link early; percent-encode them.
    return quote(url, safe=":/?#[]@!$&'*+,;=%~")


def render_preview_md(entry: FeedEntry, markdown: str) -> str:
    """preview.md: the post as Markdown, then where it came from."""
    source = f"[{render.inline_md(entry.title)}]({_md_url(entry.link)})" if entry.link else render.inline_md(entry.title)
    by = f" by {render.inline_md(entry.author)}" if entry.author else ""
    when = f", {entry.published:%-d %B %Y}" if entry.published else ""
    return f"{markdown.strip()}\n\nSource: {source}{by}{when}.\n".lstrip()


# --- importing into data/ ---------------------------------------------------------------------


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _questions_sha(questions: list[str]) -> str:
    return _sha(json.dumps(questions, ensure_ascii=False))


@dataclass
class EpisodeState:
    """An episode folder as the import sees it, kept current as this run writes."""

    folder: Path
    episode: Episode
    on_disk: Episode | None = None  # as episode.yml holds it; None until it is written

    def __post_init__(self):
        if self.on_disk is None and (self.folder / "episode.yml").exists():
            self.on_disk = self.episode

    def write(self, episode: Episode) -> bool:
        path = self.folder / "episode.yml"
        written = update_episode_yml(path, self.on_disk, episode) if self.on_disk is not None else write_episode_yml(path, episode)
        self.episode = self.on_disk = episode
        return written


class ImportRecords:
    """What previews imported into each episode (`.cache/previews.json`), by episode id."""

    def __init__(self, root: Path):
        self.root = root
        self.path = root / RECORDS_FILE
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.records: dict[str, dict] = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self.records = {}

    def get(self, state: EpisodeState) -> dict:
        found = self.records.get(state.folder.name)
        if isinstance(found, dict):
            return dict(found)
        try:  # a record left in the folder by an older version
            data = json.loads((state.folder / LEGACY_RECORD).read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def put(self, state: EpisodeState, record: dict) -> None:
        self.records[state.folder.name] = record
        write_atomic(self.path, json.dumps(self.records, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        (state.folder / LEGACY_RECORD).unlink(missing_ok=True)  # data/ holds only the editor's files


def site_relative(source: str, root: Path) -> str:
    """A feed as state files name it: a URL as it is, a file relative to the site."""
    if is_url(source):
        return source
    return os.path.relpath(Path(source).resolve(), root.resolve())


@dataclass
class PreviewReport:
    actions: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    def lines(self) -> list[str]:
        return self.actions + [f"warning: {w}" for w in self.warnings]

    def raise_for_errors(self) -> None:
        """Feeds that could not be read at all make the run fail (exit 2) after the rest is done."""
        if self.errors:
            raise ProblemsFound(self.errors, exit_code=2)


class _Importer:
    def __init__(self, root: Path, community: Community, episodes: list[EpisodeState], now: dt.datetime, report: PreviewReport):
        self.root = root
        self.community = community
        self.rules = community.previews
        self.episodes = episodes
        self.now = now
        self.report = report
        self.handled_links: dict[str, str] = {}
        self.records = ImportRecords(root)

    def name(self, path: Path) -> str:
        return relative(path, self.root)

    def warn(self, entry: FeedEntry, message: str, fix: str = "") -> None:
        self.report.warnings.append(Problem(entry.feed, message=message, where=entry.label(), fix=fix))

    # --- one entry ---

    def import_entry(self, entry: FeedEntry) -> None:
        kind = classify(entry, self.rules, self.community.hashtags)
        if kind == "other":
            return
        if entry.link and entry.link in self.handled_links:
            self.report.actions.append(f"{entry.feed}: {entry.label()}: already imported from {self.handled_links[entry.link]}")
            return
        converted = self.convert(entry) if kind == "preview" else None
        if kind == "preview" and converted is None:
            return
        state = self.match(entry, kind)
        if state is None and kind == "preview" and entry.published is not None:
            state = self.create_for(entry)
        if state is None:
            return
        if entry.link:
            self.handled_links[entry.link] = entry.feed
        if converted is not None:
            self.apply_preview(state, entry, *converted)
        else:
            self.apply_recap(state, entry)

    def convert(self, entry: FeedEntry) -> tuple[str, list[str]] | None:
        """(preview.md text, questions), computed before anything is written; None if unreadable."""
        try:
            preview_md = render_preview_md(entry, html_to_markdown(entry.html, entry.link))
            return preview_md, extract_questions(sanitise_html(entry.html, entry.link))
        except Exception as exc:
            self.warn(entry, f"could not convert the post's HTML ({type(exc).__name__}: {exc}); nothing written")
            return None

    def match(self, entry: FeedEntry, kind: str) -> EpisodeState | None:
        by_link = [s for s in self.episodes if entry.link and getattr(s.episode, kind) and getattr(s.episode, kind).url == entry.link]
        if by_link:
            return by_link[0]
        if entry.published is None:
            written = f" (its date {entry.date_text!r} is not RFC 822 or ISO 8601)" if entry.date_text else ""
            self.warn(
                entry,
                f"{kind} has no readable date{written}, so it cannot be matched to a chat; skipped",
                fix="add the post's URL as `" + kind + ": {url: …}` in the episode.yml it belongs to",
            )
            return None
        if kind == "preview":
            window = (entry.published, entry.published + dt.timedelta(days=self.rules.preview_days))
            candidates = [s for s in self.episodes if window[0] < s.episode.starts_at <= window[1]]
            return min(candidates, key=lambda s: s.episode.starts_at, default=None)
        window = (entry.published - dt.timedelta(days=self.rules.recap_days), entry.published)
        candidates = [s for s in self.episodes if window[0] <= s.episode.starts_at < window[1]]
        if not candidates:
            self.warn(
                entry,
                f"recap matches no chat in the {self.rules.recap_days} days before it; skipped",
                fix="import the chat first, or raise previews.recap_days in data/community.yml",
            )
        return max(candidates, key=lambda s: s.episode.starts_at, default=None)

    def create_for(self, entry: FeedEntry) -> EpisodeState | None:
        starts = starts_after(self.community.schedule, entry.published, 1)  # none if it ends in a hiatus
        starts_at = starts[0] if starts else None
        if starts_at is None or starts_at > entry.published + dt.timedelta(days=self.rules.preview_days):
            self.warn(
                entry,
                f"no scheduled chat within {self.rules.preview_days} days after the preview; skipped",
                fix="create the episode with `chatdigest new --date …`",
            )
            return None
        status = Status.upcoming if starts_at > self.now else Status.draft
        title = episode_title(entry, self.rules)
        episode = Episode(id=f"{starts_at.date()}-{urls.slug(title, 'chat')}", title=title, starts_at=starts_at, status=status)
        state = EpisodeState(self.root / EPISODES / episode.id, episode)
        self.episodes.append(state)
        note = "" if status == Status.upcoming else " as a draft (the chat is in the past; import its transcript)"
        self.report.actions.append(f"created {self.name(state.folder)}{note} for {entry.label()}")
        return state

    def apply_preview(self, state: EpisodeState, entry: FeedEntry, preview_md: str, questions: list[str]) -> None:
        episode = state.episode
        if episode.preview is not None and episode.preview.url != entry.link:
            # Another post is this chat's preview (the editor's choice or an earlier import).
            self.skip(state, f"{entry.label()}: {self.name(state.folder / 'episode.yml')} already has the preview {episode.preview.url}")
            return
        record = self.records.get(state)
        if entry.link:
            link = Link(
                url=entry.link, title=entry.title, author=entry.author, published=entry.published.date() if entry.published else None
            )
            episode = episode.model_copy(update={"preview": link})
        new_questions = self.merge_questions(state, record, questions)
        if new_questions is not None:
            episode = episode.model_copy(update={"questions": new_questions})
            record["questions_sha256"] = _questions_sha(new_questions)
        elif questions and questions == episode.questions:
            record["questions_sha256"] = _questions_sha(questions)
        write_preview = self.preview_writable(state, record, preview_md)
        written = []
        if state.write(episode):
            written.append("episode.yml")
        if write_preview and write_atomic(state.folder / "preview.md", preview_md):
            written.append("preview.md")
        if write_preview:
            record["preview_sha256"] = _sha(preview_md)
        record.update({"feed": site_relative(entry.feed, self.root), "entry": entry.key, "link": entry.link})
        self.records.put(state, record)
        self.done(state, "preview", entry, written)

    def preview_writable(self, state: EpisodeState, record: dict, preview_md: str) -> bool:
        path = state.folder / "preview.md"
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return True
        except (OSError, UnicodeDecodeError):
            current = None
        if current == preview_md or (current is not None and record.get("preview_sha256") == _sha(current)):
            return True
        why = "edited since the last import" if record.get("preview_sha256") else "written by hand"
        self.skip(state, f"kept {self.name(path)}: {why}")
        return False

    def merge_questions(self, state: EpisodeState, record: dict, questions: list[str]) -> list[str] | None:
        """The question list to store, or None to leave episode.yml's as it is."""
        current = state.episode.questions
        if not questions or questions == current:
            return None
        if not current or record.get("questions_sha256") == _questions_sha(current):
            return questions
        noun = "question" if len(current) == 1 else "questions"
        self.skip(state, f"kept the {len(current)} {noun} in {self.name(state.folder / 'episode.yml')}: set by the editor")
        return None

    def apply_recap(self, state: EpisodeState, entry: FeedEntry) -> None:
        if not entry.link:
            self.warn(entry, "recap has no link; skipped")
            return
        recap = state.episode.recap
        if recap is not None and recap.url != entry.link:
            self.skip(state, f"kept recap link {recap.url} set by the editor")
            return
        link = Link(url=entry.link, title=entry.title, author=entry.author, published=entry.published.date() if entry.published else None)
        episode = state.episode.model_copy(update={"recap": link})
        written = ["episode.yml"] if state.write(episode) else []
        self.done(state, "recap", entry, written)

    def skip(self, state: EpisodeState, message: str) -> None:
        self.report.actions.append(f"skipped: {message}")

    def done(self, state: EpisodeState, kind: str, entry: FeedEntry, written: list[str]) -> None:
        what = f"wrote {', '.join(written)}" if written else "unchanged"
        self.report.actions.append(f"{kind} {entry.label()} → {self.name(state.folder)}: {what}")


def _load_cache(root: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((root / CACHE_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_cache(root: Path, cache: dict[str, dict[str, str]]) -> None:
    write_atomic(root / CACHE_FILE, json.dumps(cache, indent=2, sort_keys=True) + "\n")


def _episode_states(root: Path, archive) -> list[EpisodeState]:
    return [EpisodeState(root / EPISODES / c.episode.id, c.episode) for c in archive.episodes]


def import_previews(root: Path, feeds: list[str] | tuple[str, ...] = (), now: dt.datetime | None = None) -> PreviewReport:
    """Read every feed and attach its previews and recaps to episodes in data/."""
    archive = read_archive(root)
    sources = list(feeds) or [f.url for f in archive.community.feeds]
    if not sources:
        raise ChatdigestError("no feeds to read: pass a feed URL or file, or add `feeds: [{url: …}]` to data/community.yml")
    report = PreviewReport()
    importer = _Importer(root, archive.community, _episode_states(root, archive), now or dt.datetime.now(dt.UTC), report)
    cache = _load_cache(root)
    for source in sources:
        result = read_feed(source, cache.get(source) if is_url(source) else None)
        report.warnings.extend(result.warnings)
        if result.error:
            report.errors.append(result.error)
            continue
        if result.not_modified:
            report.actions.append(f"{source}: not modified since the last run")
            continue
        for entry in result.entries:
            importer.import_entry(entry)
        if is_url(source) and result.validators:
            cache[source] = result.validators  # only after its entries were handled
    if any(is_url(s) for s in sources):
        _save_cache(root, cache)
    return report


# --- `chatdigest new` -------------------------------------------------------------------------


_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def _taken_dates(root: Path) -> dict[str, str]:
    """Each date that already has a chat, and its folder: by the folder's name, whatever follows
    the date (a misnamed folder still holds that day's chat)."""
    folder = root / EPISODES
    names = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) if folder.is_dir() else []
    taken: dict[str, str] = {}
    for name in names:
        if match := _DATED.match(name):
            taken.setdefault(match.group(1), name)
    return taken


def scaffold_episode(root: Path, day: dt.date | None = None, title: str | None = None, now: dt.datetime | None = None) -> Path:
    """Create data/episodes/<date>-<slug>/episode.yml for the next free chat (or `day`) as upcoming,
    at the time of the schedule in force on that date. Refuses a date that already has a chat."""
    community = read_archive(root).community
    taken = _taken_dates(root)
    if day is not None:
        if day.isoformat() in taken:
            raise ChatdigestError(
                f"{EPISODES}/{taken[day.isoformat()]} already holds the chat of {day}; one chat per date "
                "(fix: pass another --date, or edit that episode)"
            )
        starts_at = start_on(community.schedule, day)
    else:
        now = now or dt.datetime.now(dt.UTC)
        free = (s for s in starts_after(community.schedule, now, 520) if s.date().isoformat() not in taken)
        starts_at = next(free, None)
        if starts_at is None:
            raise ChatdigestError(
                f"no chat on the schedule after {now:%Y-%m-%d}: it ends in a hiatus since {community.schedule.current.since} "
                "(fix: pass --date, or add the schedule's return to data/community.yml)"
            )
    title = " ".join((title or DEFAULT_TITLE).split()) or DEFAULT_TITLE
    episode = Episode(id=f"{starts_at.date()}-{urls.slug(title, 'chat')}", title=title, starts_at=starts_at, status=Status.upcoming)
    folder = root / EPISODES / episode.id
    write_episode_yml(folder / "episode.yml", episode)
    return folder


def describe_new_episode(root: Path, folder: Path) -> str:
    """What was created and when the chat starts, locally and in UTC; a note if that is off the
    schedule in force (a date given with --date), since `check` will ask about it."""
    archive = read_archive(root)
    moment = next(c.episode.starts_at for c in archive.episodes if c.episode.id == folder.name)
    schedule = in_force(archive.community.schedule, moment.date())
    starts_at = moment.astimezone(ZoneInfo(schedule.timezone))
    utc = starts_at.astimezone(dt.UTC)
    line = (
        f"created {relative(folder / 'episode.yml', root)}: {starts_at:%A %-d %B %Y, %H:%M} {starts_at.tzname()} "
        f"({utc:%Y-%m-%d %H:%M} UTC), status upcoming"
    )
    if not is_chat_day(archive.community.schedule, starts_at.date()):
        line += (
            f"\nnote: {starts_at:%A %-d %B} is off the schedule ({describe(schedule)}); if that is right, "
            'say why with `off_schedule: "…"` in episode.yml, or `chatdigest check` will ask'
        )
    return line
