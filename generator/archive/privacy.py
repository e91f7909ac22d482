"""Apply the opt-out ledger (data/privacy.yml) to an archive before anything is rendered.

Applied once, right after loading, so every surface built from the result (pages, stats,
people, feeds, search, calendar, sitemap) is redacted by construction: nothing downstream ever
sees the person's messages, handles or names.

An opt-out names a handle or a person id from people.yml; for a person it covers all their
handles on every platform. Two modes:

* ``remove``     their messages are dropped, and so are retweets of them; replies and quotes
                 lose the link, and their words copied into a quote in the same chat are
                 replaced.
* ``anonymise``  their messages stay, attributed to "(anonymous N)" with no name, handle or
                 permalink; they are left out of stats and people pages.

In both modes their handles and display names are replaced wherever others wrote them
(mentions, quotes, hashtags, links, episode texts, previews, bios), and they are dropped from
hosts, guests and people. `since` is the date of the request, kept for the record: the opt-out
covers every message, before and after it.

Once a purge has taken someone out of data/, their names are no longer in people.yml nor in
their messages; the ledger keeps them as keyed digests (`name_digests`, HiddenNames), so that a
name written by others in a chat imported later is still replaced, exactly as a name known in
clear would be, without the public ledger spelling it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from generator.archive.model import (
    Archive,
    Community,
    EpisodeContent,
    Link,
    Media,
    Message,
    OptOut,
    Person,
    Span,
    handle_key,
    split_name_digest,
)
from generator.archive.normalise import Folded, fold, normalise
from generator.archive.summaries import LazyMessages

# A chat's highlights that survive the redaction, when known without reading it (summaries.py).
KeptHighlights = Callable[[EpisodeContent], "tuple[str, ...] | None"]

REMOVED_TEXT = "[removed at the participant's request]"
REMOVED_MENTION = "@[removed]"
REMOVED_NAME = "[removed]"
REMOVED_LINK = "[link removed]"
# Parentheses and a space: no platform allows them in a handle, so a real author never matches.
ANONYMOUS_PREFIX = "(anonymous "
# Shorter names and quoted texts would blank ordinary words ("Al", "ok") in everyone's messages.
MIN_NAME = 3
MIN_QUOTED = 12
# A partial quote is caught when this many words in a row are theirs: fewer would match common
# phrases ("I think it is") in everyone else's messages.
QUOTE_WORDS = 6
# A phrase of theirs that more other people than this also wrote is a common phrase, not a quote.
MAX_QUOTERS = 2
# Message ids shorter than this are too common as URL parts ("/status/1") to mark a link as theirs.
MIN_POST_ID = 5
_RETWEET = re.compile(r"^\s*RT\s+@?([^\s:]+)", re.IGNORECASE)
# Links with or without a scheme (x.com/name/status/1 is still a way to them).
_URL = re.compile(r"(?i)(?:\b(?:https?://|www\.)|(?<![\w@.-])(?=[\w-]+(?:\.[\w-]+)+/))[^\s<>\"'`]+")
_TRAILING = ".,;:!?)]}'\""
_WORD = re.compile(r"\w+")
_URL_PARTS = re.compile(r"[/?#=&]")


def anonymous_label(number: int) -> str:
    return f"{ANONYMOUS_PREFIX}{number})"


def is_anonymous(author: str) -> bool:
    """True for the label an anonymised author is shown under."""
    return author.startswith(ANONYMOUS_PREFIX)


@lru_cache(maxsize=2**14)
def match_key(handle: str) -> str:
    """A handle or person id in the form opt-outs are matched in (normalise.py): `@Quinn`,
    `quinn` and `ｑuinn` with a zero-width space inside are one key."""
    return normalise(handle_key(handle)).lstrip("@")


def _local_part(key: str) -> str:
    """`name` of a Mastodon-style `name@server` key; the key itself otherwise."""
    return key.split("@", 1)[0]


@dataclass(frozen=True)
class Redaction:
    """Who is opted out and how to scrub them from text; built from the ledger and the data.

    Keys are match_key forms. A key without a server (`quinn`) covers that handle on every
    platform and every Mastodon server; `quinn@social.example` covers that one account.
    """

    removed: frozenset[str]  # keys of handles and person ids whose messages are dropped
    anonymised: frozenset[str]  # keys whose messages lose their author
    names: frozenset[str]  # display names to replace in other people's text
    owners: dict[str, str] = field(default_factory=dict, compare=False)  # key -> person id
    posts: frozenset[str] = frozenset()  # ids, permalinks and media URLs of their messages
    quoted: tuple[str, ...] = ()  # their messages' texts (normalised), longest first
    shingles: frozenset[tuple[str, ...]] = frozenset()  # runs of QUOTE_WORDS of their words
    scopes: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)  # key -> the only platforms it covers
    name_digests: frozenset[tuple[str, int, str]] = frozenset()  # (salt, words, digest): names known by digest only
    _links: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)  # leads_to_them, remembered
    _modes: dict = field(default_factory=dict, compare=False, repr=False)  # _mode_of, remembered
    _asked: set[str] | None = field(default=None, compare=False, repr=False)  # what leads_to_them was asked (link_scan)

    @cached_property
    def fingerprint(self) -> str:
        """Everything the redaction does: equal fingerprints redact any text the same way."""
        data = [
            sorted(self.removed),
            sorted(self.anonymised),
            sorted(self.names),
            sorted(self.owners.items()),
            sorted(self.posts),
            list(self.quoted),
            sorted(self.shingles),
            sorted((k, sorted(v)) for k, v in self.scopes.items()),
        ]
        if self.name_digests:  # left out when there are none: the same fingerprint as before them
            data.append(sorted(self.name_digests))
        return hashlib.blake2b(json.dumps(data).encode(), digest_size=16).hexdigest()

    @cached_property
    def quoted_items(self) -> frozenset:
        """Their texts and runs of words, together."""
        return frozenset(self.quoted) | self.shingles

    def owner(self, handle: str) -> str:
        """One key per person, so their handles on every platform share one anonymous label."""
        key = match_key(handle)
        return self.owners.get(key, self.owners.get(_local_part(key), key))

    @property
    def everyone(self) -> frozenset[str]:
        return self.removed | self.anonymised

    def covers(self, handle: str, platform: str | None = None) -> bool:
        """Is `handle` (an author on `platform`, or a handle anywhere when None) one of theirs?"""
        return self._mode_of(match_key(handle), platform) is not None

    def is_removed(self, handle: str, platform: str | None = None) -> bool:
        return self._mode_of(match_key(handle), platform) == "remove"

    def is_anonymised(self, handle: str, platform: str | None = None) -> bool:
        return self._mode_of(match_key(handle), platform) == "anonymise"

    def _mode_of(self, key: str, platform: str | None) -> str | None:
        # Asked several times for each message, mostly about the same few authors.
        found = self._modes.get((key, platform), False)
        if found is False:
            found = self._modes[key, platform] = self._find_mode(key, platform)
        return found

    def _find_mode(self, key: str, platform: str | None) -> str | None:
        for candidate in (key, _local_part(key)):
            if platform is not None and candidate in self.scopes and platform not in self.scopes[candidate]:
                continue  # an opt-out for this handle on another platform only
            if candidate in self.removed:
                return "remove"
            if candidate in self.anonymised:
                return "anonymise"
        return None

    @cached_property
    def _handles(self) -> frozenset[str]:
        return frozenset(k for k in self.everyone if k)

    @cached_property
    def _mention(self) -> re.Pattern[str] | None:
        """`@key`, and `@key@server` for a key without a server."""
        bare = {k for k in self._handles if "@" not in k}
        scoped = self._handles - bare
        parts = [_words(scoped), _words(bare) + r"(?:@[\w-]+(?:\.[\w-]+)+)?" if bare else ""]
        body = "|".join(p for p in parts if p and p != "(?:)")
        return re.compile(rf"(?<![\w@])@(?:{body})(?![\w@])") if body else None

    @cached_property
    def _bare(self) -> re.Pattern[str] | None:
        """A handle written without its `@`, only when it cannot be an ordinary word: `quiet_quinn`
        and `q@social.example` are theirs wherever they appear, `will` is everybody's verb."""
        distinctive = {k for k in self._handles if not k.isalpha()}
        return re.compile(rf"(?<!\w)(?:{_words(distinctive)})(?!\w)") if distinctive else None

    @cached_property
    def _name_forms(self) -> frozenset[str]:
        return frozenset(n for n in (normalise(name) for name in self.names) if len(n) >= MIN_NAME)

    @cached_property
    def _name(self) -> re.Pattern[str] | None:
        return _name_pattern(self._name_forms) if self._name_forms else None

    @cached_property
    def _patterns(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        found = ((self._mention, REMOVED_MENTION), (self._bare, REMOVED_NAME), (self._name, REMOVED_NAME))
        return tuple((pattern, label) for pattern, label in found if pattern is not None)

    @cached_property
    def _hidden(self) -> HiddenNames | None:
        return hidden_names(self.name_digests) if self.name_digests else None

    def _hidden_in(self, norm: str) -> frozenset[str]:
        """The names known by digest only that the normal form `norm` holds, as it spells them."""
        return self._hidden.found(norm) if self._hidden is not None else frozenset()

    def scrub(self, text: str) -> str:
        """Text with links to them or their posts, their handles and their names replaced."""
        if not text or not (self._patterns or self.posts or self._asked is not None or self.name_digests):
            return text
        if "/" in text or "www." in text.casefold():
            text = _URL.sub(lambda m: _link_removed(m.group(0)) if self.leads_to_them(m.group(0)) else m.group(0), text)
        norm = normalise(text)
        hidden = self._hidden_in(norm) if self.name_digests else frozenset()
        if not hidden and (self._any is None or not self._any.search(norm)):
            return text  # the common case: nobody of theirs in it
        for pattern, label in self._patterns:
            if pattern is not self._name:
                text = _replace(text, pattern, label)
        if self._hidden is None:
            return _replace(text, self._name, REMOVED_NAME) if self._name is not None else text
        # A name known by its digest is replaced as it would be if it were in `names`: by the
        # same pattern, made with it, on the text as replacing the handles left it.
        forms = self._name_forms | hidden | self._hidden_in(normalise(text))
        return _replace(text, _name_pattern(forms), REMOVED_NAME) if forms else text

    @cached_property
    def _any(self) -> re.Pattern[str] | None:
        """All of _patterns in one, to tell quickly that a text needs nothing replaced."""
        return re.compile("|".join(f"(?:{p.pattern})" for p, _ in self._patterns)) if self._patterns else None

    def mentions(self, text: str) -> bool:
        """True when `text` holds one of their handles or names, or a link to one of their posts."""
        if not text:
            return False
        norm = normalise(text)
        if (self._any is not None and self._any.search(norm)) or (self.name_digests and self._hidden_in(norm)):
            return True
        return self._verdict(text, named=False)

    def leads_to_them(self, url: str) -> bool:
        """A link that names them or is one of their posts or media (`x.com/i/status/<id>`)."""
        if not url:
            return False
        return self._verdict(url, named=None)

    def _verdict(self, url: str, named: bool | None) -> bool:
        """leads_to_them, remembered; `named`: whether `url` names them, if already known."""
        if self._asked is not None:
            self._asked.add(url)
        verdict = self._links.get(url)
        if verdict is None:
            if named is None:
                norm = normalise(url)
                named = (self._any is not None and bool(self._any.search(norm))) or bool(self.name_digests and self._hidden_in(norm))
            verdict = self._links[url] = named or self._is_post(url)
        return verdict

    def _is_post(self, url: str) -> bool:
        if not self.posts:
            return False
        trimmed = _trimmed(url)
        return trimmed in self.posts or any(part in self.posts for part in _URL_PARTS.split(trimmed))

    @cached_property
    def _quote_index(self) -> tuple[dict[tuple[str, ...], list[str]], list[str]]:
        return _index_quotes(self.quoted)

    def unquote(self, text: str) -> str:
        """`text` with their words (a message of theirs whole, or QUOTE_WORDS of its words in a
        row) replaced by REMOVED_TEXT, however it is spaced, cased or spelled (normalise.py)."""
        if not (self.quoted or self.shingles) or len(text) < MIN_QUOTED:
            return text
        norm = normalise(text)
        words = _WORD.findall(norm)
        # Every run of QUOTE_WORDS words, made and looked up in C: most messages quote nobody.
        runs = set(_runs(words))
        if self.shingles.isdisjoint(runs) and not _quotes_in(norm, runs, self._quote_index):
            return text
        folded = fold(text)
        spans = [span for q in self.quoted if q in folded.text for span in _occurrences(q, folded.text)]
        tokens = list(_WORD.finditer(folded.text))
        for i in range(len(tokens) - QUOTE_WORDS + 1):
            run = tokens[i : i + QUOTE_WORDS]
            if tuple(t.group() for t in run) in self.shingles:
                spans.append((run[0].start(), run[-1].end()))
        return _replace_spans(text, folded, _merged(spans), REMOVED_TEXT)


@lru_cache(maxsize=64)
def _name_pattern(forms: frozenset[str]) -> re.Pattern[str]:
    """Any of the names (normal forms), as a whole word: longest first, so the longest one wins."""
    return re.compile(rf"(?<!\w)(?:{_words(forms)})(?!\w)")


# --- names known by their digests only ---------------------------------------------------------

_NON_WORD = re.compile(r"\W")
# Candidates remembered as judged, at most: a whole archive has too many distinct runs of words
# to keep them all.
_MAX_JUDGED = 2**18


def name_digest(salt: str, form: str) -> str:
    """The keyed digest the ledger keeps of a name's normal form (normalise)."""
    return hashlib.blake2b(form.encode(), key=bytes.fromhex(salt), digest_size=16).hexdigest()


def digest_of_name(salt: str, name: str) -> str | None:
    """`WORDS:DIGEST` for `name`, as OptOut.name_digests holds it; None for a name shorter than
    MIN_NAME, which is never replaced (so never needs hiding)."""
    form = normalise(name)
    if len(form) < MIN_NAME:
        return None
    return f"{form.count(' ') + 1}:{name_digest(salt, form)}"


class HiddenNames:
    r"""Finds names known only by their digests in normal forms of text.

    A name matches where the pattern of a name known in clear would (`(?<!\w)NAME(?!\w)` in the
    normal form): its form has WORDS - 1 spaces and none at either end, so it starts in one
    space-separated chunk of the text, after the chunk's start or a non-word character, and
    ends WORDS - 1 chunks later, before the chunk's end or a non-word character. Each such
    candidate of every stored word count is hashed with every salt, once: the candidates judged
    so far are remembered (a chat repeats its words), up to _MAX_JUDGED."""

    def __init__(self, digests: frozenset[tuple[str, int, str]]):
        wanted: dict[str, set[bytes]] = {}
        for salt, _, digest in digests:
            wanted.setdefault(salt, set()).add(bytes.fromhex(digest))
        self.keys = [(hashlib.blake2b(key=bytes.fromhex(salt), digest_size=16), frozenset(d)) for salt, d in sorted(wanted.items())]
        self.counts = sorted({words for _, words, _ in digests})
        self.judged: set[str] = set()
        self.hits: set[str] = set()
        self.found = lru_cache(maxsize=2**12)(self._found)  # asked several times for each text in a row

    def _found(self, norm: str) -> frozenset[str]:
        if len(norm) < MIN_NAME:
            return frozenset()
        chunks = norm.split(" ")
        # Most chunks are letters and digits only: a name can start or end there only at the
        # chunk's start or end, so the runs of whole chunks are the only candidates they give.
        irregular = [i for i, chunk in enumerate(chunks) if not chunk.isalnum()]
        candidates: set[str] = set()
        last = len(chunks)
        for n in self.counts:
            candidates.update(chunks if n == 1 else map(" ".join, zip(*(chunks[k:] for k in range(n)))))
            if n == 1:
                for j in irregular:
                    candidates.update(_inside(chunks[j]))
                continue
            for i in {i for j in irregular for i in (j, j - n + 1) if 0 <= i <= last - n}:
                inner = f" {' '.join(chunks[i + 1 : i + n - 1])} " if n > 2 else " "
                candidates.update([head + inner + tail for head in _heads(chunks[i]) for tail in _tails(chunks[i + n - 1])])
        new = candidates - self.judged
        if new:
            self._judge(new)
        return frozenset(candidates & self.hits) if self.hits else frozenset()

    def _judge(self, candidates: set[str]) -> None:
        if len(self.judged) >= _MAX_JUDGED:
            self.judged.clear()
        for candidate in candidates:
            data = candidate.encode()
            for key, wanted in self.keys:
                hasher = key.copy()
                hasher.update(data)
                if hasher.digest() in wanted:
                    self.hits.add(candidate)
                    break
        self.judged |= candidates


@lru_cache(maxsize=16)
def hidden_names(digests: frozenset[tuple[str, int, str]]) -> HiddenNames:
    """One matcher per set of digests: every chat's share of a redaction has the same ones."""
    return HiddenNames(digests)


@lru_cache(maxsize=2**15)
def _inside(chunk: str) -> tuple[str, ...]:
    """The parts of one chunk that could be a name of one word: from its start or after a
    non-word character, to its end or before a non-word character, MIN_NAME characters or more
    (shorter names are never replaced)."""
    ends = _ends(chunk)
    return tuple(chunk[s:e] for s in _starts(chunk) for e in ends if e - s >= MIN_NAME)


@lru_cache(maxsize=2**14)
def _heads(chunk: str) -> tuple[str, ...]:
    """How a name of several words can begin in a chunk: from a place it can start to the end."""
    return tuple(chunk[s:] for s in _starts(chunk))


@lru_cache(maxsize=2**14)
def _tails(chunk: str) -> tuple[str, ...]:
    """How a name of several words can end in a chunk: from its start to a place it can end."""
    return tuple(chunk[:e] for e in _ends(chunk))


def _starts(chunk: str) -> list[int]:
    """Where a name can start in a chunk: at its start, or after a non-word character."""
    return [0, *(m.end() for m in _NON_WORD.finditer(chunk) if m.end() < len(chunk))]


def _ends(chunk: str) -> list[int]:
    """Where a name can end in a chunk: at its end, or before a non-word character."""
    return [*(m.start() for m in _NON_WORD.finditer(chunk) if m.start() > 0), len(chunk)]


def _trimmed(url: str) -> str:
    return url.strip().rstrip(_TRAILING)


def _runs(words: list[str]) -> Iterator[tuple[str, ...]]:
    """Every run of QUOTE_WORDS words in a row."""
    return zip(*(words[i:] for i in range(QUOTE_WORDS)), strict=False)


def _occurrences(needle: str, text: str) -> Iterator[tuple[int, int]]:
    start = text.find(needle)
    while start >= 0:
        yield start, start + len(needle)
        start = text.find(needle, start + 1)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans as one (a quote of twelve words is found as seven runs)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _link_removed(url: str) -> str:
    """REMOVED_LINK in place of `url`, keeping the sentence's punctuation that followed it."""
    return REMOVED_LINK + url[len(url.rstrip(_TRAILING)) :]


def _words(texts: Iterable[str]) -> str:
    items = sorted({t for t in texts if t}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(t) for t in items) + ")"


def _replace(text: str, pattern: re.Pattern[str], label: str) -> str:
    """Replace what `pattern` finds in the normal form of `text`, in `text` itself."""
    if not pattern.search(normalise(text)):
        return text  # the common case: no need to map positions back
    return _replace_spans(text, fold(text), [m.span() for m in pattern.finditer(fold(text).text)], label)


def _replace_spans(text: str, folded: Folded, spans: list[tuple[int, int]], label: str) -> str:
    out, position = [], 0
    for start, end in spans:
        begin, finish = folded.span(start, end)
        if begin < position:
            continue
        out += [text[position:begin], label]
        position = finish
    out.append(text[position:])
    return "".join(out)


# --- building the redaction ------------------------------------------------------------------


def _person_keys(person: Person) -> set[str]:
    return {match_key(h) for hs in person.handles.values() for h in hs}


def person_of(optout: OptOut, people: tuple[Person, ...]) -> Person | None:
    key = match_key(optout.handle)
    for person in people:
        keys = _person_keys(person)
        if match_key(person.id) == key or key in keys or ("@" not in key and key in {_local_part(k) for k in keys}):
            return person
    return None


def _keys_of(optout: OptOut, person: Person | None) -> set[str]:
    """An opt-out names a handle or a person id; a person's opt-out covers all their handles."""
    if person is None:
        return {match_key(optout.handle)}
    return _person_keys(person) | {person.id, match_key(optout.handle)}


def build_redaction(
    optouts: Iterable[OptOut], people: tuple[Person, ...], messages: Iterable[Message] = (), single_names: bool = True
) -> Redaction:
    """The redaction of the ledger; `messages` (all of them) add the display names and posts of
    the people it covers. `single_names=False` leaves out names of one word, which may be an
    ordinary word ("Will", "Rose"): a purge replaces those on disk only when the editor confirms."""
    ledger = ledger_redaction(optouts, people)
    messages = list(messages)
    traces = chat_traces(messages, ledger)
    items = quote_items(traces.quoted)
    return complete_redaction(ledger, [traces], [quote_users(messages, ledger, items)], single_names)


def ledger_redaction(optouts: Iterable[OptOut], people: tuple[Person, ...]) -> Redaction:
    """The redaction the ledger and people.yml alone give: whose handles, no traces from chats."""
    removed: set[str] = set()
    anonymised: set[str] = set()
    shown_names: set[str] = set()
    owners: dict[str, str] = {}
    scopes: dict[str, set[str]] = {}
    everywhere: set[str] = set()
    digests: set[tuple[str, int, str]] = set()
    for optout in optouts:
        for value in optout.name_digests:
            digests.add((optout.name_salt, *split_name_digest(value)))
        person = person_of(optout, people)
        keys = _keys_of(optout, person)
        (removed if optout.mode == "remove" else anonymised).update(keys)
        if optout.platform is None:
            everywhere.update(keys)
        else:
            for key in keys:
                scopes.setdefault(key, set()).add(optout.platform)
        if person is not None:
            shown_names.add(person.name)
            owners.update(dict.fromkeys(keys, person.id))
    # Someone opted out in both modes is removed: the stricter request wins.
    anonymised -= removed
    # A handle named by any opt-out without a platform is covered everywhere.
    scoped = {key: frozenset(platforms) for key, platforms in scopes.items() if key not in everywhere}
    return Redaction(
        frozenset(removed), frozenset(anonymised), frozenset(shown_names), owners, scopes=scoped, name_digests=frozenset(digests)
    )


@dataclass(frozen=True)
class ChatTraces:
    """What the messages of the people a ledger covers leave in one chat (or several): the
    display names they showed, their posts (ids, permalinks, media) and their words."""

    names: frozenset[str] = frozenset()
    posts: frozenset[str] = frozenset()
    quoted: frozenset[str] = frozenset()  # normalised texts of removed people's messages

    def as_data(self) -> tuple:
        return (sorted(self.names), sorted(self.posts), sorted(self.quoted))

    @classmethod
    def from_data(cls, data) -> ChatTraces:
        return cls(*(frozenset(part) for part in data))


def chat_traces(messages: Iterable[Message], ledger: Redaction) -> ChatTraces:
    names: set[str] = set()
    posts: set[str] = set()
    quoted: set[str] = set()
    for message in messages:
        if not ledger.covers(message.author, message.platform):
            continue
        if message.author_name:
            names.add(message.author_name)  # the display name the platform export showed
        if len(message.id) >= MIN_POST_ID:
            posts.add(message.id)
        posts.update(u for u in (message.permalink, *(m.url for m in message.media), *(m.file for m in message.media)) if u)
        if ledger.is_removed(message.author, message.platform) and len(words := normalise(message.text)) >= MIN_QUOTED:
            quoted.add(words)
    return ChatTraces(frozenset(names), frozenset(posts), frozenset(quoted))


def quote_items(quoted: Iterable[str]) -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    """Their texts, and the runs of QUOTE_WORDS words in them: what a partial quote repeats."""
    quoted = frozenset(quoted)
    return quoted, frozenset(run for q in quoted for run in _runs(_WORD.findall(q)))


def quote_users(messages: Iterable[Message], ledger: Redaction, items) -> dict:
    """Who else wrote each of their texts or runs of words: item → authors (lists, as data)."""
    quoted, shingles = items
    users: dict[object, set[str]] = {}
    if not quoted:
        return {}
    index = _index_quotes(quoted)
    for message in messages:
        if len(message.text) < MIN_QUOTED or ledger.covers(message.author, message.platform):
            continue
        norm = normalise(message.text)
        runs = set(_runs(_WORD.findall(norm)))
        for found in shingles.intersection(runs):
            users.setdefault(found, set()).add(message.author)
        for q in _quotes_in(norm, runs, index):
            users.setdefault(q, set()).add(message.author)
    return {item: sorted(authors) for item, authors in users.items()}


def quote_index(quoted: Iterable[str]) -> tuple:
    """_index_quotes's index; their texts by one of their inner words (not the first or the
    last, which a text holding the quote may hold as part of a longer word), the one fewest of
    their texts have, with those that have none: what every_quote_in looks up; each run of
    their words by itself; and the short texts (_index_quotes) by that word, and those without."""
    quoted = list(quoted)
    inner = {q: _WORD.findall(q)[1:-1] for q in quoted}
    counts = Counter(word for words in inner.values() for word in set(words))
    key_word = {q: min(words, key=lambda w: (counts[w], w)) for q, words in inner.items() if words}
    by_first_run, short = _index_quotes(quoted)
    shingles = frozenset(run for q in quoted for run in _runs(_WORD.findall(q)))
    return (
        by_first_run,
        short,
        _grouped(key_word, quoted),
        [q for q in quoted if q not in key_word],
        {run: run for run in shingles},
        _grouped(key_word, short),
        [q for q in short if q not in key_word],
    )


def _grouped(key_word: dict[str, str], quoted: Iterable[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for q in quoted:
        if q in key_word:
            grouped.setdefault(key_word[q], []).append(q)
    return grouped


def every_quote_in(norm: str, words: Iterable[str], index) -> Iterator[str]:
    """Every text of theirs that the normalised text `norm`, whose words are `words`, holds,
    wherever it starts (quote_index)."""
    by_word, loose = index[2], index[3]
    for word in by_word.keys() & set(words):  # in C: a text has far more words than it quotes
        yield from (q for q in by_word[word] if q in norm)
    yield from (q for q in loose if q in norm)


def _held_quotes(norm: str, words: list[str], runs: list[tuple[str, ...]], index) -> list[str]:
    """What _quotes_in finds, for a text whose runs of their words are `runs` (they hold every
    quote's first run), with the short quotes looked up by a word of theirs, not one by one."""
    by_first_run, short_by_word, short_loose = index[0], index[5], index[6]
    found = [q for run in runs if run in by_first_run for q in by_first_run[run] if q in norm]
    found += [q for word in short_by_word.keys() & set(words) for q in short_by_word[word] if q in norm]
    return found + [q for q in short_loose if q in norm]


def _index_quotes(quoted: Iterable[str]) -> tuple[dict[tuple[str, ...], list[str]], list[str]]:
    """Their texts by their first run of QUOTE_WORDS words, and the shorter ones: a text holds a
    quote of QUOTE_WORDS words or more only if it holds that quote's first run, so each text is
    compared with the few quotes that start like a run of its own rather than with all of them."""
    by_first_run: dict[tuple[str, ...], list[str]] = {}
    short: list[str] = []
    for q in quoted:
        first = next(_runs(_WORD.findall(q)), None)
        if first is None:
            short.append(q)
        else:
            by_first_run.setdefault(first, []).append(q)
    return by_first_run, short


def _quotes_in(norm: str, runs: set[tuple[str, ...]], index) -> list[str]:
    """The quotes (by _index_quotes) that the normalised text `norm`, whose runs are `runs`, holds."""
    by_first_run, short = index[0], index[1]
    found = [q for run in by_first_run.keys() & runs for q in by_first_run[run] if q in norm]
    return found + [q for q in short if q in norm]


def complete_redaction(ledger: Redaction, traces: Iterable[ChatTraces], users: Iterable[dict], single_names: bool = True) -> Redaction:
    """The ledger's redaction with what every chat holds of the people it covers. A phrase found
    in the messages of more than MAX_QUOTERS other people ("thanks everyone for joining us
    tonight", a greeting everybody copies) is everybody's, not a quote of theirs: it stays in the
    others' messages."""
    traces = list(traces)
    names = set(ledger.names).union(*(t.names for t in traces))
    posts = frozenset().union(*(t.posts for t in traces))
    quoted, shingles = quote_items(frozenset().union(*(t.quoted for t in traces)))
    others: dict[object, set[str]] = {}
    for chat in users:
        for item, authors in chat.items():
            others.setdefault(item, set()).update(authors)
    rare = lambda item: len(others.get(item, ())) <= MAX_QUOTERS  # noqa: E731
    return Redaction(
        ledger.removed,
        ledger.anonymised,
        frozenset(n for n in names if single_names or len(normalise(n).split()) > 1),
        ledger.owners,
        posts,
        # Longest first, ties by text: the fingerprint must not depend on a set's order.
        tuple(sorted((q for q in quoted if rare(q)), key=lambda q: (-len(q), q))),
        frozenset(run for run in shingles if rare(run)),
        ledger.scopes,
        frozenset(d for d in ledger.name_digests if single_names or d[1] > 1),
    )


# A chat's share of the redaction (chat_share), and its messages already redacted by it or None.
Shares = Callable[[EpisodeContent], "tuple[Redaction, tuple[list[Message], set[str]] | None]"]


def apply_optouts(
    archive: Archive, redaction: Redaction | None = None, kept_highlights: KeptHighlights | None = None, shares: Shares | None = None
) -> Archive:
    """The archive as it may be published. `redaction` defaults to the archive's own ledger with
    every message; `kept_highlights` lets a chat whose messages were not read stay unread
    (redact_episode); `shares` gives each chat its share of the redaction (chat_share)."""
    if not archive.optouts:
        return archive
    if redaction is None:
        redaction = build_redaction(archive.optouts, archive.people, (m for c in archive.episodes for m in c.messages))

    def redact(content: EpisodeContent) -> EpisodeContent:
        share, redacted = shares(content) if shares else (redaction, None)
        return redact_episode(content, share, kept_highlights(content) if kept_highlights else None, redacted)

    episodes = tuple(redact(c) for c in archive.episodes)
    people = tuple(_redact_person(p, redaction) for p in archive.people if not _is_covered_person(p, redaction))
    community = _redact_community(archive.community, redaction)
    return archive.model_copy(update={"community": community, "episodes": episodes, "people": people})


def _is_covered_person(person: Person, redaction: Redaction) -> bool:
    return match_key(person.id) in redaction.everyone or any(
        redaction.covers(h, platform) for platform, hs in person.handles.items() for h in hs
    )


# --- applying it -----------------------------------------------------------------------------


def redact_messages(messages: Iterable[Message], redaction: Redaction) -> tuple[list[Message], set[str]]:
    """The messages as they may be published, and the ids of the messages that were dropped."""
    messages = list(messages)
    gone = {m.id for m in messages if is_dropped(m, redaction)}
    kept: list[Message] = []
    labels: dict[str, str] = {}
    shown: dict[str, str] = {}  # display name → as it may be published: the same few, message after message
    for message in messages:
        if message.id in gone:
            continue
        kept.append(_redact_message(_unquote(message, redaction), redaction, labels, shown))
    # Replies and quotes of dropped messages must not point at (or reveal) them.
    kept = [_unlink(m, gone) for m in kept]
    return kept, gone


def _unquote(message: Message, redaction: Redaction) -> Message:
    """Their words copied into someone else's message, in this chat or any other, whole or six
    words and more of them in a row, become REMOVED_TEXT."""
    text = redaction.unquote(message.text)
    return message.model_copy(update={"text": text}) if text != message.text else message


def is_dropped(message: Message, redaction: Redaction) -> bool:
    """Their own message, or a retweet of one."""
    if redaction.is_removed(message.author, message.platform):
        return True
    retweet = _RETWEET.match(message.text)  # "RT @gone: their words" is their message
    return bool(retweet and redaction.is_removed(retweet.group(1), message.platform))


def _redact_message(message: Message, redaction: Redaction, labels: dict[str, str], shown: dict[str, str]) -> Message:
    update: dict = {}
    text = message.text
    if redaction.is_anonymised(message.author, message.platform):
        label = labels.setdefault(redaction.owner(message.author), anonymous_label(len(labels) + 1))
        # Their words stay; what leads back to them goes: their links (a personal blog), their
        # media (a profile picture, a photo) and the permalink.
        update.update(author=label, author_name="", permalink=None, links=(), media=(), body=())
        text = _URL.sub(lambda m: _link_removed(m.group(0)), text)
    elif message.author_name:
        # Another participant's display name may name them too ("Quinn's sister").
        name = shown.get(message.author_name)
        if name is None:
            name = shown[message.author_name] = redaction.scrub(message.author_name)
        if name != message.author_name:
            update["author_name"] = name
    text = redaction.scrub(text)
    if message.body and "body" not in update:
        body, text = _redact_body(message, text, redaction)
        if body != message.body:
            update["body"] = body
    if text != message.text:
        update["text"] = text
    mentions = tuple(m for m in message.mentions if not redaction.covers(m) and not redaction.mentions(m))
    if mentions != message.mentions:
        update["mentions"] = mentions
    hashtags = tuple(h for h in message.hashtags if not redaction.mentions(h))
    if hashtags != message.hashtags:
        update["hashtags"] = hashtags
    if "links" not in update:
        links = tuple(url for url in message.links if not redaction.leads_to_them(url))
        if links != message.links:
            update["links"] = links
    if "media" not in update:
        media = tuple(
            _redact_media(m, redaction)
            for m in message.media
            if not redaction.leads_to_them(m.url) and not (m.file and redaction.leads_to_them(m.file))
        )
        if media != message.media:
            update["media"] = media
    if "permalink" not in update and message.permalink and redaction.leads_to_them(message.permalink):
        update["permalink"] = None
    return message.model_copy(update=update) if update else message


def _redact_body(message: Message, text: str, redaction: Redaction) -> tuple[tuple[Span, ...], str]:
    """The formatted spans and the text (already scrubbed) with their handles and names
    replaced; a mention of them becomes the plain "@[removed]", whatever name it showed. No spans
    (the text shown plain) when they no longer spell the text, or when a name split across two
    spans would survive."""
    hidden = [s.text for s in message.body if s.mention and redaction.covers(s.mention) and s.text.strip()]
    if "".join(s.text for s in message.body) != message.text:
        # already out of step (a quote of a removed message was replaced): plain text only
        for shown in sorted(hidden, key=len, reverse=True):
            text = text.replace(shown, REMOVED_MENTION)
        return (), text
    spans = []
    for span in message.body:
        if span.mention and redaction.covers(span.mention):
            span = Span(text=REMOVED_MENTION, marks=span.marks, block=span.block)
        elif redaction.mentions(span.text) or (span.link and (redaction.mentions(span.link) or redaction.leads_to_them(span.link))):
            link = None if span.link and (redaction.mentions(span.link) or redaction.leads_to_them(span.link)) else span.link
            span = span.model_copy(update={"text": redaction.scrub(span.text), "link": link})
        spans.append(span)
    joined = "".join(s.text for s in spans)
    scrubbed = redaction.scrub(joined)
    return (tuple(spans) if scrubbed == joined else ()), scrubbed


def _redact_media(media: Media, redaction: Redaction) -> Media:
    if not (redaction.mentions(media.alt) or redaction.mentions(media.name)):
        return media
    return media.model_copy(update={"alt": redaction.scrub(media.alt), "name": redaction.scrub(media.name)})


def _unlink(message: Message, gone: set[str]) -> Message:
    if message.reply_to not in gone and message.quote_of not in gone:
        return message
    return message.model_copy(
        update={
            "reply_to": None if message.reply_to in gone else message.reply_to,
            "quote_of": None if message.quote_of in gone else message.quote_of,
        }
    )


def redact_episode(
    content: EpisodeContent,
    redaction: Redaction,
    kept_highlights: tuple[str, ...] | None = None,
    redacted: tuple[list[Message], set[str]] | None = None,
) -> EpisodeContent:
    """The chat as it may be published. A chat whose messages were not read (LazyMessages) and
    whose surviving highlights are known from the last run stays unread: its messages are
    redacted when first asked for. `redacted`: its messages as redact_messages gives them, if
    already known."""
    if redacted is not None:
        messages = tuple(redacted[0])
        highlights = [h for h in content.episode.highlights if h not in redacted[1]]
    elif kept_highlights is not None and isinstance(content.messages, LazyMessages):
        unread = content.messages
        messages: Sequence[Message] = LazyMessages(lambda: redact_messages(unread, redaction)[0])
        highlights = list(kept_highlights)
    else:
        redacted, gone = redact_messages(content.messages, redaction)
        messages = tuple(redacted)
        highlights = [h for h in content.episode.highlights if h not in gone]
    episode = content.episode
    scrub = redaction.scrub
    episode = episode.model_copy(
        update={
            "title": scrub(episode.title) or REMOVED_NAME,
            "summary": scrub(episode.summary),
            "questions": [scrub(q) for q in episode.questions],
            "tags": [t for t in episode.tags if not redaction.mentions(t)],
            "highlights": highlights,
            "hosts": [h for h in episode.hosts if match_key(h) not in redaction.everyone],
            "guests": [g for g in episode.guests if match_key(g) not in redaction.everyone],
            "preview": _redact_link(episode.preview, redaction),
            "recap": _redact_link(episode.recap, redaction),
        }
    )
    return content.model_copy(
        update={
            "episode": episode,
            "preview_markdown": scrub(content.preview_markdown),
            "messages": messages,
        }
    )


def _redact_link(link: Link | None, redaction: Redaction) -> Link | None:
    if link is None or redaction.leads_to_them(link.url):
        return None
    return link.model_copy(update={"title": redaction.scrub(link.title), "author": redaction.scrub(link.author)})


def _redact_person(person: Person, redaction: Redaction) -> Person:
    return person.model_copy(update={"bio": redaction.scrub(person.bio)}) if redaction.mentions(person.bio) else person


def _redact_community(community: Community, redaction: Redaction) -> Community:
    return community.model_copy(update={"description": redaction.scrub(community.description)})


# --- a chat's share of the redaction -----------------------------------------------------------
#
# A chat is redacted by the whole redaction, but most of it cannot touch the chat: of their
# texts only those the chat quotes can be replaced in it, and their posts only where a string
# that redacting the chat looks at names one. The redaction cut down to that share (chat_share)
# redacts the chat exactly as the whole one does, and its fingerprint is what the chat's caches
# are keyed by: a new message of theirs changes the share of the chats that quote it or link to
# it, not of all. QuoteScan and LinkScan keep what finding the share needs of a chat's
# messages, so an unchanged chat is checked against new texts and posts of theirs unread.


@dataclass(frozen=True)
class QuoteScan:
    """The quote items (texts and runs of words, quote_items) a chat holds, by quote_scan."""

    users: dict  # item → the other authors (not covered) who wrote it, as quote_users
    found: frozenset  # items that unquote would replace in some message it keeps
    words: bytes  # zlib: per message it keeps, its words, a line each (might_hold)
    texts: bytes  # zlib, marshal: per message it keeps, its author, whether covered, normal form

    def as_data(self) -> tuple:
        return (self.users, self.found, self.words, self.texts)

    @classmethod
    def from_data(cls, data) -> QuoteScan:
        users, found, words, texts = data
        return cls(users, frozenset(found), words, texts)

    def narrowed(self, items: frozenset) -> QuoteScan:
        """The scan for quote items `items`, when the chat holds none of those it was not made for."""
        if self.found <= items and items.issuperset(self.users):
            return self
        users = {item: authors for item, authors in self.users.items() if item in items}
        return QuoteScan(users, self.found & items, self.words, self.texts)

    def with_new(self, new: Iterable, items, index) -> QuoteScan:
        """The scan for quote items `items` (with `index`), when it was made for all of them but
        `new`, from what it kept: the chat is not read again. Only its messages that may hold a
        new item are looked at again (with every item: once unquote looks at a text, every text
        of theirs in it counts). A text held in a message has its words, joined by spaces, in
        that message's line (the first and the last perhaps as part of a longer word)."""
        new = list(new)
        if not new:
            return self
        lines = zlib.decompress(self.words).decode()
        suspects: set[int] = set()
        for item in new:
            needle = " ".join(item if isinstance(item, tuple) else _WORD.findall(item))
            at = lines.find(needle)
            while at >= 0:
                suspects.add(lines.count("\n", 0, at))  # the number of its message
                at = lines.find(needle, at + 1)
        if not suspects:
            return self
        authors, covered, norms = marshal.loads(zlib.decompress(self.texts))
        users, found = _find_quotes(((authors[i], covered[i], norms[i]) for i in sorted(suspects)), items, index)
        for item, names in self.users.items():
            users[item] = sorted({*users.get(item, ()), *names})
        return QuoteScan(users, found | self.found, self.words, self.texts)


def quote_scan(messages: Iterable[Message], ledger: Redaction, items, index) -> QuoteScan:
    """Which of the quote items `items` (with `index`, _index_quotes) the messages hold."""
    authors: list[str] = []
    covered: list[bool] = []
    norms: list[str] = []
    for message in messages:
        if len(message.text) < MIN_QUOTED or ledger.is_removed(message.author, message.platform):
            continue  # unquote leaves it as it is, or it is dropped
        authors.append(message.author)
        covered.append(ledger.covers(message.author, message.platform))
        norms.append(normalise(message.text))
    lines: list[str] = []
    users, found = _find_quotes(zip(authors, covered, norms, strict=True), items, index, lines)
    texts = marshal.dumps((tuple(authors), tuple(covered), tuple(norms)))
    return QuoteScan(users, found, zlib.compress("\n".join(lines).encode(), 1), zlib.compress(texts, 1))


def _find_quotes(texts: Iterable[tuple[str, bool, str]], items, index, lines: list[str] | None = None) -> tuple[dict, frozenset]:
    """quote_scan's users and found, from (author, covered, normal form) of each message; each
    one's words, joined by spaces, are added to `lines` if given."""
    shingles = items[1]
    canonical = index[4]
    users: dict[object, set[str]] = {}
    found: set = set()
    for author, covered, norm in texts:
        words = _WORD.findall(norm)
        if lines is not None:
            lines.append(" ".join(words))
        runs = set(_runs(words))
        # The runs as `shingles` holds them, not this text's copies: what a scan keeps refers
        # to one tuple per run, not to the words of every text that holds it.
        hits = [canonical[run] for run in shingles.intersection(runs)] if canonical else []
        texts_in = _held_quotes(norm, words, hits, index)
        if not (hits or texts_in):
            continue
        # Once unquote looks at a text it replaces every text of theirs in it (also one that
        # starts inside a word), so the share holds every such text.
        found.update(hits, every_quote_in(norm, words, index))
        if not covered:
            for item in (*hits, *texts_in):
                users.setdefault(item, set()).add(author)
    return {item: sorted(authors) for item, authors in users.items()}, frozenset(found)


@dataclass(frozen=True)
class LinkScan:
    """What redacting a chat's messages compares with posts of theirs (leads_to_them), found by
    redacting them with no posts (link_scan), and which of their posts are among it."""

    tokens: bytes  # zlib: those strings trimmed, and their parts, a line each
    linked: frozenset[str] = frozenset()

    def as_data(self) -> tuple:
        return (self.tokens, sorted(self.linked))

    @classmethod
    def from_data(cls, data) -> LinkScan:
        return cls(data[0], frozenset(data[1]))

    def narrowed(self, posts: frozenset[str], new: frozenset[str]) -> LinkScan:
        """The scan for posts `posts`, of which `new` were not there when it was made."""
        found = new & frozenset(_unpack(self.tokens).split("\n")) if new else frozenset()
        return LinkScan(self.tokens, (self.linked & posts) | found)


def link_scan(messages: Iterable[Message], quoting: Redaction, posts: frozenset[str]) -> tuple[LinkScan, list[Message], set[str]]:
    """Redact the messages with `quoting` (a redaction without posts, quote_share), noting what
    it compares with posts: while none of that is among `posts`, their posts, redacting with
    them asks the very same and so gives the very same messages, which are returned too
    (redact_messages)."""
    asked: set[str] = set()
    kept, gone = redact_messages(messages, dataclasses.replace(quoting, _links={}, _asked=asked))
    tokens: set[str] = set()
    for url in asked:
        trimmed = _trimmed(url)
        tokens.add(trimmed)
        tokens.update(_URL_PARTS.split(trimmed))
    tokens.discard("")
    return LinkScan(_pack("\n".join(sorted(tokens))), posts & tokens), kept, gone


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode(), 1)


def _unpack(data: bytes) -> str:
    return zlib.decompress(data).decode()


def quote_share(redaction: Redaction, quotes: QuoteScan) -> Redaction:
    """The redaction with only the texts of theirs the chat quotes, and no posts."""
    found = quotes.found & redaction.quoted_items
    quoted = tuple(q for q in redaction.quoted if q in found)
    shingles = frozenset(run for run in redaction.shingles if run in found)
    return dataclasses.replace(redaction, posts=frozenset(), quoted=quoted, shingles=shingles, _links={})


def chat_share(redaction: Redaction, content: EpisodeContent, quoting: Redaction, links: LinkScan) -> Redaction:
    """The redaction cut down to what can touch one chat; it redacts the chat as `redaction`
    does. The texts: those its messages quote (`quoting`, quote_share). The posts: none when
    redacting it with those texts compares no post of theirs (`links`, link_scan, tells for its
    messages; the chat's own fields are read as they are), all otherwise."""
    if links.linked or not redaction.posts.isdisjoint(_episode_tokens(content)):
        return dataclasses.replace(quoting, posts=redaction.posts, _links={})
    return quoting


def _episode_tokens(content: EpisodeContent) -> set[str]:
    """What redact_episode compares with posts in the chat's own fields, which it reads as they
    are: each string trimmed and its parts, and each link in it trimmed and its parts."""
    episode = content.episode
    strings = [episode.title, episode.summary, *episode.questions, *episode.tags, content.preview_markdown]
    strings += [s for link in (episode.preview, episode.recap) if link for s in (link.url, link.title, link.author)]
    tokens: set[str] = set()
    for string in strings:
        if not string:
            continue
        for url in (string, *_URL.findall(string)):
            trimmed = _trimmed(url)
            tokens.add(trimmed)
            tokens.update(_URL_PARTS.split(trimmed))
    return tokens
