"""Mastodon: REST API Status JSON (a list of statuses, one status, a /context response) and the
account archive's outbox.json (ActivityPub; or the archive folder/zip holding it).

Content is HTML and becomes text through BeautifulSoup; mention and hashtag links become
mentions/hashtags, other links become links. A boost carries the boosted status, which is
imported in its place; a boost in an outbox has no content and is left out.

Only what its author made public is imported: a status's `visibility` (API) or its audience in
`to`/`cc` (ActivityPub) decides. Public posts are imported; unlisted ones (public, but kept off
the public timelines) only with `include_unlisted`; followers-only posts and direct messages
never, and neither is a post whose visibility cannot be told.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from generator.archive.model import Media, Message, Span

from . import markup
from ._common import (
    BadRecord,
    Collector,
    ImportOptions,
    ImportResult,
    Skip,
    Source,
    count_of,
    find_hashtags,
    find_links,
    load_json,
    media_kind,
    message,
    parse_iso,
    reactions_of,
    refuse,
)

EXPECTED = "Mastodon statuses JSON or an outbox.json"


def read(path: Path, options: ImportOptions) -> ImportResult:
    source = Source(path)
    collector = Collector(options)
    outbox = source.find(r"(^|/)outbox\.json$")
    names = outbox or source.json_names()
    for name in names:
        label = source.label(name)
        data = load_json(source.read_bytes(name), label, EXPECTED)
        if isinstance(data, dict) and ("orderedItems" in data or data.get("type") in ("OrderedCollection", "OrderedCollectionPage")):
            actor = read_actor(source)
            items = data.get("orderedItems") or []
            collector.each(
                items if isinstance(items, list) else [],
                label,
                lambda item: read_activity(item, actor, options, source),  # noqa: B023 (called within this iteration)
                where=lambda i, _: f"orderedItems[{i}]",
            )
        else:
            collector.each(
                statuses_of(data, label),
                label,
                lambda status: read_status_and_boosted(status, options),
                where=lambda i, s: f"status {i + 1}",
            )
    return collector.finish(str(path), EXPECTED)


def statuses_of(data, label: str) -> list:
    if isinstance(data, list):
        if data and isinstance(data[0], dict) and "id" not in data[0] and "content" in data[0]:
            raise refuse(
                label,
                "this is a status's edit history (StatusEdit versions), not statuses",
                "export the statuses themselves (GET /api/v1/statuses/:id or a timeline)",
            )
        return data
    if isinstance(data, dict) and ("ancestors" in data or "descendants" in data):
        return list(data.get("ancestors") or []) + list(data.get("descendants") or [])
    if isinstance(data, dict) and "content" in data and "account" in data:
        return [data]
    if isinstance(data, dict) and isinstance(data.get("statuses"), list):
        return data["statuses"]
    raise refuse(label, "neither a list of statuses, a status, nor an outbox", "name the right format with --format", where="top level")


# --- REST API statuses ---------------------------------------------------------------------------


PUBLIC = {"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"}
NOT_PUBLISHED = {
    "private": "followers-only posts (never imported)",
    "direct": "direct messages (never imported)",
    "limited": "posts to a limited audience (never imported)",
    "mutuals_only": "posts to mutual followers only (never imported)",
    "local": "posts visible only on their own server (never imported)",
}
UNLISTED = "unlisted posts (import them with --include-unlisted)"
UNKNOWN = "posts whose visibility is not in the export (never imported)"


def check_visibility(visibility: object, options: ImportOptions) -> None:
    """Raise Skip unless a post with this visibility may be published."""
    if visibility == "public":
        return
    if visibility == "unlisted":
        if options.include_unlisted:
            return
        raise Skip(UNLISTED)
    raise Skip(NOT_PUBLISHED.get(visibility, UNKNOWN) if isinstance(visibility, str) else UNKNOWN)


def audience_visibility(to: object, cc: object) -> str | None:
    """ActivityPub's audience → Mastodon's visibility (None when the activity names none)."""
    to = [to] if isinstance(to, str) else to if isinstance(to, list) else []
    cc = [cc] if isinstance(cc, str) else cc if isinstance(cc, list) else []
    if not to and not cc:
        return None
    if PUBLIC & set(to):
        return "public"
    if PUBLIC & set(cc):
        return "unlisted"
    if any(isinstance(a, str) and a.rstrip("/").endswith("/followers") for a in to + cc):
        return "private"
    return "direct"


def read_status_and_boosted(status, options: ImportOptions) -> Message | None:
    if not isinstance(status, dict):
        raise BadRecord("not a status object")
    if isinstance(status.get("reblog"), dict):
        status = status["reblog"]  # the boosted post, with its own author's visibility
    if not status.get("id"):
        raise BadRecord("status has no id")
    check_visibility(status.get("visibility"), options)
    return read_status(status)


def account_handle(account: dict) -> str:
    acct = account.get("acct") or account.get("username") or ""
    if not acct:
        raise BadRecord("status has no account.acct")
    if "@" not in acct:  # a local account: add the server so handles are comparable across servers
        host = urlparse(account.get("url") or "").netloc
        acct = f"{acct}@{host}" if host else acct
    return acct


def read_status(status: dict) -> Message:
    if not status.get("id"):
        raise BadRecord("status has no id")
    accounts = {m.get("url"): mention_handle(m) for m in status.get("mentions") or [] if isinstance(m, dict) and m.get("url")}
    converted = markup.mastodon(status.get("content") or "", mention_finder(accounts))
    text, body, links = converted.text, converted.body, [u for u in converted.links if u.startswith(("http://", "https://"))]
    if status.get("spoiler_text"):
        text, body = f"CW: {status['spoiler_text']}\n\n{text}", _prefixed(f"CW: {status['spoiler_text']}\n\n", body)
    poll = status.get("poll") or {}
    if poll.get("options"):
        text += "\n\n" + "\n".join(f"○ {o.get('title', '')}" for o in poll["options"] if isinstance(o, dict))
        body = ()
    quote = status.get("quote") or {}
    quoted = (quote.get("quoted_status") or {}).get("id") if isinstance(quote, dict) else None
    mentions = [mention_handle(m) for m in status.get("mentions") or [] if isinstance(m, dict)]
    emoji = emoji_reactions(status)
    return message(
        id=str(status["id"]),
        platform="mastodon",
        author=account_handle(status.get("account") or {}),
        author_name=(status.get("account") or {}).get("display_name") or "",
        at=parse_iso(status.get("created_at")),
        text=text,
        body=body,
        reply_to=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None,
        quote_of=str(quoted) if quoted else None,
        links=links,
        mentions=mentions,
        hashtags=[t.get("name", "") for t in status.get("tags") or [] if isinstance(t, dict)] or find_hashtags(text),
        media=[
            status_media(m) for m in status.get("media_attachments") or [] if isinstance(m, dict) and (m.get("url") or m.get("remote_url"))
        ],
        likes=count_of(status.get("favourites_count")) + sum(count_of(count) for _, count in emoji),
        reactions=reactions_of(
            {"reposts": status.get("reblogs_count"), "quotes": status.get("quotes_count"), "replies": status.get("replies_count")}, emoji
        ),
        edited_at=parse_iso(status["edited_at"]) if status.get("edited_at") else None,
        permalink=status.get("url") or status.get("uri"),
    )


def emoji_reactions(status: dict) -> list[tuple[str, int]]:
    """(emoji, count) of the emoji reactions that Pleroma/Akkoma (`pleroma.emoji_reactions`) and
    Fedibird-style servers (`emoji_reactions`) add to a status; Mastodon itself has none."""
    found = (status.get("pleroma") or {}).get("emoji_reactions") or status.get("emoji_reactions") or []
    return [(r.get("name"), r.get("count")) for r in found if isinstance(r, dict)]


def mention_handle(mention: dict) -> str:
    return mention.get("acct") if "@" in (mention.get("acct") or "") else account_handle(mention)


def mention_finder(accounts: dict[str, str]):
    """The handle a mention link points at: by its URL, else by the profile address's form
    (https://host/@name for the account https://host/users/name)."""
    by_profile = {
        f"{urlparse(url).netloc}/@{urlparse(url).path.rstrip('/').rsplit('/', 1)[-1]}".casefold(): h for url, h in accounts.items()
    }

    def find(href: str) -> str | None:
        parsed = urlparse(href or "")
        return accounts.get(href) or by_profile.get(f"{parsed.netloc}{parsed.path.rstrip('/')}".casefold())

    return find


def _prefixed(prefix: str, body: tuple[Span, ...]) -> tuple[Span, ...]:
    return (Span(text=prefix), *body) if body else ()


def status_media(item: dict) -> Media:
    """An API status's attachment: on the server's CDN, so a link, with its size when known."""
    url = item.get("url") or item.get("remote_url") or ""
    original = (item.get("meta") or {}).get("original") or {}
    return Media(
        url=url,
        kind=media_kind(item.get("type")),
        alt=item.get("description") or "",
        name=urlparse(url).path.rsplit("/", 1)[-1],
        width=_positive(original.get("width")),
        height=_positive(original.get("height")),
    )


def note_media(item: dict, source: Source | None) -> Media:
    """An outbox attachment: its url is a path inside the archive (media_attachments/…), or an
    absolute URL elsewhere."""
    url = str(item.get("url") or "")
    file = source.file_name(url) if source and not url.startswith(("http://", "https://")) else ""
    return Media(
        url=url if url.startswith(("http://", "https://")) else "",
        file=file,
        kind=media_kind(item.get("mediaType")),
        alt=item.get("name") or "",
        name=url.rsplit("/", 1)[-1],
        width=_positive(item.get("width")),
        height=_positive(item.get("height")),
    )


def _positive(value) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


# --- account archive (ActivityPub) ---------------------------------------------------------------

STATUS_ID = re.compile(r"/(?:statuses|objects|notes|posts)/([A-Za-z0-9_-]+)/?$")


def note_id(url: str) -> str:
    """A status URL → the status's id when it has one, else the URL itself (another server)."""
    found = STATUS_ID.search(url or "")
    return found.group(1) if found else url


def actor_handle(url: str, preferred: str = "") -> str:
    parsed = urlparse(url or "")
    name = preferred or (parsed.path.rstrip("/").rsplit("/", 1)[-1].lstrip("@"))
    if not name:
        raise BadRecord("activity has no actor")
    return f"{name}@{parsed.netloc}" if parsed.netloc else name


def read_actor(source: Source) -> dict:
    names = source.find(r"(^|/)actor\.json$")
    if not names:
        return {}
    try:
        actor = load_json(source.read_bytes(names[0]), source.label(names[0]), "actor.json")
        return actor if isinstance(actor, dict) else {}
    except Exception:  # only the display name is lost
        return {}


def read_activity(item, actor: dict, options: ImportOptions, source: Source | None = None) -> Message | None:
    if not isinstance(item, dict):
        raise BadRecord("not an activity object")
    if item.get("type") == "Announce":
        raise Skip("boosts (the archive keeps only a link to the boosted post)")
    if item.get("type") != "Create" or not isinstance(item.get("object"), dict):
        return None
    note = item["object"]
    if not note.get("id"):
        raise BadRecord("note has no id")
    # the note's own audience is the one its author chose; the activity's repeats it
    audience = audience_visibility(note.get("to"), note.get("cc")) or audience_visibility(item.get("to"), item.get("cc"))
    check_visibility(audience, options)
    author_url = note.get("attributedTo") or item.get("actor") or ""
    preferred = actor.get("preferredUsername", "") if actor.get("id") == author_url else ""
    tags = [t for t in note.get("tag") or [] if isinstance(t, dict)]
    accounts = {t.get("href"): t.get("name", "").lstrip("@") for t in tags if t.get("type") == "Mention" and t.get("href")}
    converted = markup.mastodon(note.get("content") or "", mention_finder(accounts))
    text, body, links = converted.text, converted.body, [u for u in converted.links if u.startswith(("http://", "https://"))]
    if note.get("summary"):
        text, body = f"CW: {note['summary']}\n\n{text}", _prefixed(f"CW: {note['summary']}\n\n", body)
    return message(
        id=note_id(note["id"]),
        platform="mastodon",
        author=actor_handle(author_url, preferred),
        author_name=actor.get("name", "") if preferred else "",
        at=parse_iso(note.get("published") or item.get("published")),
        text=text,
        body=body,
        reply_to=note_id(note["inReplyTo"]) if note.get("inReplyTo") else None,
        quote_of=note_id(note["quoteUri"]) if note.get("quoteUri") else None,
        links=links or find_links(text),
        mentions=[t.get("name", "").lstrip("@") for t in tags if t.get("type") == "Mention"],
        hashtags=[t.get("name", "").lstrip("#") for t in tags if t.get("type") == "Hashtag"],
        media=[note_media(a, source) for a in note.get("attachment") or [] if isinstance(a, dict) and a.get("url")],
        edited_at=parse_iso(note["updated"]) if note.get("updated") else None,
        permalink=note.get("url") if isinstance(note.get("url"), str) else None,
    )
