"""The typed model of a community archive. No I/O happens here.

Everything after import speaks these types: importers end at `Message`, config loading ends at
`Community`/`Person`/`Episode`, and rendering starts from them.

Times are always timezone-aware; messages are in UTC. Handles are stored as the platform shows
them (``@maya``, ``maya@mastodon.social``, ``maya_o``); `handle_key` gives the form used to match
them against people.yml.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, RootModel, TypeAdapter, field_validator, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

PLATFORMS = (
    "x",
    "mastodon",
    "slack",
    "discord",
    "telegram",
    "whatsapp",
    "irc",
    "zulip",
    "other",
)
Platform = Literal["x", "mastodon", "slack", "discord", "telegram", "whatsapp", "irc", "zulip", "other"]


def handle_key(handle: str) -> str:
    """The comparable form of a handle: no leading '@', case-folded, trimmed."""
    return handle.strip().lstrip("@").casefold()


_NAIVE = "needs a timezone, e.g. 2026-01-08T19:00:00-05:00 or …Z for UTC"


def _must_be_aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(_NAIVE)
    return value


def _to_utc(value: dt.datetime) -> dt.datetime:
    # Runs for every message's time: the awareness check is inlined rather than a second call.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(_NAIVE)
    return value.astimezone(dt.UTC)


AwareDatetime = Annotated[dt.datetime, AfterValidator(_must_be_aware)]
UtcDatetime = Annotated[dt.datetime, AfterValidator(_to_utc)]


class _Strict(BaseModel):
    """Unknown keys are errors: a typo in a data file must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- messages ------------------------------------------------------------------------------


class Media(_Strict):
    """An attachment. Its source is `file` (a copy kept in data/media/, shown on the page) or
    `url` (where the platform kept it, shown as a link, never embedded); a record with neither
    says only that something was attached."""

    url: str = ""
    file: str = Field("", description="data/media/… copy; while importing, the file's path inside the export")
    kind: Literal["image", "video", "audio", "file", "link", "other"] = "other"
    alt: str = ""
    name: str = Field("", description="the file name in the export")
    size: int | None = Field(None, ge=0, description="bytes")
    width: int | None = Field(None, gt=0)
    height: int | None = Field(None, gt=0)


Mark = Literal["bold", "italic", "underline", "strike", "code", "spoiler"]


class Span(_Strict):
    """A run of a message's text with the formatting its readers saw.

    A message's `body` is a list of spans whose texts, joined, are exactly its `text`; where
    they are not (an older transcript, a hand edit, a redaction), the text is shown plain.
    """

    text: str
    marks: tuple[Mark, ...] = ()
    link: str | None = None  # the URL behind the text
    mention: str | None = None  # a handle on the message's platform
    block: Literal["pre", "quote"] | None = None


@pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=ConfigDict(extra="forbid"))
class Message:
    """One chat message, normalised from any platform's export.

    A slotted pydantic dataclass rather than a BaseModel: an archive of ten years holds ~150k of
    them, and this takes a third of the memory and validates faster. The model_* methods keep the
    BaseModel spelling that the rest of the code uses for every other type.
    """

    id: str = Field(min_length=1)
    platform: Platform
    author: str = Field(min_length=1, description="handle as shown on the platform")
    author_name: str = Field("", description="display name in the export, if any")
    at: UtcDatetime
    text: str = ""
    body: tuple[Span, ...] = ()
    reply_to: str | None = None
    quote_of: str | None = None
    links: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    media: tuple[Media, ...] = ()
    likes: int = Field(0, ge=0, description="likes/reactions/favourites counted by the platform")
    # What else the platform counted, by kind: reposts, quotes, replies, and each emoji reaction
    # (already in likes). Left out of the hash, as a dict cannot be hashed.
    reactions: dict[str, Annotated[int, Field(ge=0)]] = dataclasses.field(default_factory=dict, hash=False)
    edited_at: UtcDatetime | None = None
    deleted: bool = False
    permalink: str | None = None
    source: str | None = Field(None, description="the import format that wrote it; `import --replace` replaces by it")

    @classmethod
    def model_validate_json(cls, data: str | bytes) -> Message:
        return _MESSAGE.validate_json(data)

    @classmethod
    def model_validate(cls, data: object) -> Message:
        return _MESSAGE.validate_python(data)

    def model_copy(self, update: dict | None = None) -> Message:
        return dataclasses.replace(self, **(update or {}))

    def model_dump(self, **options) -> dict:
        return _MESSAGE.dump_python(self, **options)

    def model_dump_json(self, **options) -> str:
        return _MESSAGE.dump_json(self, **options).decode()


_MESSAGE = TypeAdapter(Message)
Message.model_fields = Message.__pydantic_fields__  # type: ignore[attr-defined]


# --- people --------------------------------------------------------------------------------


class Role(str, Enum):
    host = "host"
    guest = "guest"
    regular = "regular"


class Person(_Strict):
    """One person, possibly with a handle on several platforms."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    role: Role = Role.regular
    handles: dict[Platform, list[str]] = Field(default_factory=dict)
    bio: str = ""

    @field_validator("handles", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        # `x: "@maya"` and `x: ["@maya", "@maya_old"]` are both natural to write.
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value


# --- privacy -------------------------------------------------------------------------------


# A name known only by its keyed digest (privacy.py): how many words its normal form has, and
# blake2b of that form keyed by the entry's `name_salt`, as `redact --purge` writes them.
_NAME_DIGEST = re.compile(r"^([1-9][0-9]?):([0-9a-f]{32})$")
_SALT = re.compile(r"^[0-9a-f]{32}$")
_HISTORY = "restore it from git history (git log -p data/privacy.yml)"


def _name_digest(value: str) -> str:
    if not _NAME_DIGEST.match(value):
        raise ValueError(
            f"{value!r} is not a name digest: expected WORDS:DIGEST, a word count and 32 hex digits; {_HISTORY}, or delete the line (that name is then no longer hidden)"
        )
    return value


def _name_salt(value: str | None) -> str | None:
    if value is not None and not _SALT.match(value):
        raise ValueError(f"{value!r} is not a name salt: expected 32 hex digits; {_HISTORY}: name_digests cannot be matched without it")
    return value


NameDigest = Annotated[str, AfterValidator(_name_digest)]


def split_name_digest(value: str) -> tuple[int, str]:
    """(words, hex digest) of a valid name digest."""
    words, digest = value.split(":")
    return int(words), digest


class OptOut(_Strict):
    """A participant's request to be left out of the archive."""

    handle: str = Field(min_length=1, description="a handle, or a person id from people.yml")
    mode: Literal["remove", "anonymise"] = "remove"
    platform: Platform | None = Field(None, description="only this platform's account of the handle (default: every platform)")
    since: dt.date | None = None
    reason: str = ""
    ahead: bool = Field(False, description="recorded before the person posted: check accepts that it matches no one yet")
    purged: dt.date | None = Field(None, description="when their words were deleted from data/: the entry may match no one")
    name_salt: Annotated[str | None, AfterValidator(_name_salt)] = Field(None, description="the key of name_digests")
    name_digests: tuple[NameDigest, ...] = Field(
        (), description="their names, known only by keyed digests once a purge took them out of data/ (privacy.py)"
    )

    @model_validator(mode="after")
    def _digests_need_their_salt(self) -> OptOut:
        if self.name_digests and self.name_salt is None:
            raise ValueError(f"name_digests without the name_salt they were made with; {_HISTORY}")
        return self


# --- community -----------------------------------------------------------------------------


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
Cadence = Literal["weekly", "fortnightly", "monthly"]


def _known_timezone(value: str | None) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if value is None:
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {value!r}; use an IANA name like Europe/London") from None
    return value


Timezone = Annotated[str, AfterValidator(_known_timezone)]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local start time, HH:MM")]


class Schedule(_Strict):
    """When the chats take place while this schedule is in force.

    `since` is the date it took effect (None: from the beginning). `cadence` counts weeks from the
    first chat day on or after `since`; `monthly` is the first `weekday` of each month. A hiatus
    keeps the times it interrupts (a chat held during it is off the schedule).
    """

    weekday: Weekday
    time: ClockTime
    timezone: Timezone = Field(description="IANA timezone, e.g. America/New_York")
    duration_minutes: int = Field(60, gt=0, le=24 * 60)
    cadence: Cadence = "weekly"
    since: dt.date | None = None
    hiatus: bool = False
    note: str = ""


class ScheduleChange(_Strict):
    """One entry of a schedule history: what changed on `since`; what it leaves out stays as it was."""

    since: dt.date | None = None
    weekday: Weekday | None = None
    time: ClockTime | None = None
    timezone: Timezone | None = None
    duration_minutes: int | None = Field(None, gt=0, le=24 * 60)
    cadence: Cadence | None = None
    hiatus: bool = False
    note: str = ""


class ScheduleHistory(RootModel[list[ScheduleChange]]):
    """community.yml's `schedule`: one schedule (a mapping), or a list of changes, oldest first.

    Read as one: `weekday`, `time`, `timezone`, `duration_minutes` and `cadence` are those of the
    schedule in force now (the last entry); `on(day)` gives the one in force on a day.
    """

    model_config = ConfigDict(frozen=True)
    _periods: tuple[Schedule, ...] = PrivateAttr(default=())

    @model_validator(mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        if isinstance(value, ScheduleHistory):
            return value.root
        if isinstance(value, Schedule):  # one schedule made in code
            return [value.model_dump(exclude_defaults=True)]
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _resolve(self) -> ScheduleHistory:
        self._periods = _resolve_schedule(self.root)
        return self

    @property
    def periods(self) -> tuple[Schedule, ...]:
        return self._periods

    @property
    def current(self) -> Schedule:
        return self._periods[-1]

    def on(self, day: dt.date) -> Schedule:
        """The schedule in force on `day` (the first one also before its `since`)."""
        found = self._periods[0]
        for period in self._periods[1:]:
            if period.since is not None and period.since <= day:
                found = period
        return found

    weekday = property(lambda self: self.current.weekday)
    time = property(lambda self: self.current.time)
    timezone = property(lambda self: self.current.timezone)
    duration_minutes = property(lambda self: self.current.duration_minutes)
    cadence = property(lambda self: self.current.cadence)
    hiatus = property(lambda self: self.current.hiatus)


_INHERITED = ("weekday", "time", "timezone", "duration_minutes", "cadence")


def _resolve_schedule(changes: list[ScheduleChange]) -> tuple[Schedule, ...]:
    """Each change completed from the schedule before it; every problem says which entry to fix."""
    if not changes:
        raise ValueError("the schedule is empty; give at least weekday, time and timezone")
    periods: list[Schedule] = []
    for number, change in enumerate(changes, start=1):
        entry = f"schedule entry {number}" if len(changes) > 1 else "the schedule"
        if periods and change.since is None:
            raise ValueError(f"{entry} has no `since:` date; every change after the first says when it took effect")
        if periods and periods[-1].since is not None and change.since <= periods[-1].since:
            raise ValueError(
                f"{entry} starts on {change.since}, not after the entry before it ({periods[-1].since}); list changes oldest first"
            )
        base = {name: getattr(periods[-1], name) for name in _INHERITED} if periods else {"duration_minutes": 60, "cadence": "weekly"}
        given = {name: getattr(change, name) for name in _INHERITED if getattr(change, name) is not None}
        values = {**base, **given, "since": change.since, "hiatus": change.hiatus, "note": change.note}
        missing = [name for name in ("weekday", "time", "timezone") if name not in values]
        if missing:
            raise ValueError(f"{entry} needs {', '.join(missing)}")
        if values["cadence"] == "fortnightly" and values["since"] is None:
            raise ValueError(f"{entry} is fortnightly but has no `since:` date to count the weeks from")
        periods.append(Schedule(**values))
    return tuple(periods)


class Feed(_Strict):
    url: str
    title: str = ""


def _valid_patterns(patterns: list[str]) -> list[str]:
    import re

    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"title pattern {pattern!r} is not a valid regular expression: {exc}") from None
    return patterns


TitlePatterns = Annotated[list[str], AfterValidator(_valid_patterns)]


class PreviewRules(_Strict):
    """How `chatdigest previews` tells previews and recaps from other blog posts, and dates them."""

    preview_titles: TitlePatterns = Field(
        default_factory=lambda: [r"\bpreview\b", r"\btonight\b", r"\bthis week\b", r"\bcoming up\b", r"\bjoin us\b"],
        description="regular expressions, case-insensitive, searched in the post title",
    )
    recap_titles: TitlePatterns = Field(
        default_factory=lambda: [r"\brecap\b", r"\bwrap[- ]?up\b", r"\bround-?up\b", r"\bhighlights\b"],
        description="regular expressions, case-insensitive; a recap pattern wins over a preview pattern",
    )
    preview_categories: list[str] = Field(default_factory=lambda: ["preview", "previews", "upcoming"])
    recap_categories: list[str] = Field(default_factory=lambda: ["recap", "recaps"])
    require_hashtag: bool = Field(False, description="only posts mentioning one of `hashtags` count")
    preview_days: int = Field(7, ge=1, le=60, description="a preview is published up to this many days before its chat")
    recap_days: int = Field(14, ge=1, le=120, description="a recap is published up to this many days after its chat")


class MediaRules(_Strict):
    """How much of an export's attached files `chatdigest import` keeps in data/media/."""

    max_file_mb: float = Field(5, gt=0, le=1024, description="a larger file is linked, not kept")
    max_chat_mb: float = Field(25, gt=0, le=10240, description="files past this total in one chat are linked, not kept")


class Community(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    hashtags: list[str] = Field(default_factory=list)
    platforms: list[Platform] = Field(default_factory=list)
    schedule: ScheduleHistory
    feeds: list[Feed] = Field(default_factory=list)
    language: str = "en"
    previews: PreviewRules = Field(default_factory=PreviewRules)
    media: MediaRules = Field(default_factory=MediaRules)


# --- episodes ------------------------------------------------------------------------------


class Status(str, Enum):
    upcoming = "upcoming"
    published = "published"
    draft = "draft"


class Link(_Strict):
    url: str
    title: str = ""
    author: str = ""
    published: dt.date | None = None


class Episode(_Strict):
    """One weekly chat. `id` is its folder name: YYYY-MM-DD-slug."""

    id: str
    title: str = Field(min_length=1)
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = Field(None, description="when the chat ended; with it, starts_at is the chat's own time")
    off_schedule: str = Field("", description="why the chat is not at the scheduled time (a holiday move, a special edition)")
    status: Status = Status.published
    tags: list[str] = Field(default_factory=list)
    hosts: list[str] = Field(default_factory=list, description="person ids")
    guests: list[str] = Field(default_factory=list, description="person ids")
    questions: list[str] = Field(default_factory=list)
    summary: str = ""
    highlights: list[str] = Field(default_factory=list, description="message ids, in order")
    preview: Link | None = None
    recap: Link | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> Episode:
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError(f"ends_at {self.ends_at.isoformat()} is not after starts_at {self.starts_at.isoformat()}")
        return self

    @property
    def date(self) -> dt.date:
        return self.starts_at.date()

    @property
    def declares_own_time(self) -> bool:
        """The editor (or the import, from the messages) says when this chat really was."""
        return self.ends_at is not None or bool(self.off_schedule.strip())


class EpisodeContent(BaseModel):
    """An episode with what lives beside episode.yml: the preview text and the transcript."""

    model_config = ConfigDict(frozen=True)

    episode: Episode
    preview_markdown: str = ""
    messages: tuple[Message, ...] = ()
    transcript_digest: str = ""  # hash of transcript.jsonl as read, so caches need not hash messages


class Archive(BaseModel):
    """Everything in data/, loaded and validated."""

    model_config = ConfigDict(frozen=True)

    community: Community
    people: tuple[Person, ...] = ()
    optouts: tuple[OptOut, ...] = ()
    episodes: tuple[EpisodeContent, ...] = ()  # sorted by start time, oldest first
