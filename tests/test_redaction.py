"""Opt-outs that cannot be dodged: whatever spelling a handle or a name takes (invisible
characters, spacing, case, normalisation forms, look-alike letters, platforms), the person is
found nowhere in the redacted model or in site/."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import unicodedata
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_privacy import site_texts

from generator.archive.model import Archive, Community, Episode, EpisodeContent, Media, Message, OptOut, Person, Schedule, Span
from generator.archive.normalise import normalise
from generator.archive.privacy import REMOVED_TEXT, apply_optouts, complete_redaction, digest_of_name, is_anonymous, ledger_redaction
from generator.build.commands import build_site

HANDLE = "quiet_quinn"
NAME = "Quinn Quietly"
NEEDLES = (normalise(HANDLE), normalise(NAME))
INVISIBLE = ["\u200b", "\u00ad", "\u200d", "\u2060", "\ufeff", "\u200e", "\u034f", "\u180e"]
SPACES = ["  ", "\n", "\t", "\u00a0", "\u3000", " \u200b "]
CYRILLIC = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "i": "\u0456", "p": "\u0440", "c": "\u0441", "y": "\u0443", "x": "\u0445"}


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def spell(text: str, rng: random.Random) -> str:
    """One way a stranger could write `text` that a reader takes for it."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["invisible", "case", "cyrillic", "full", "nfd", "space"])
        if kind == "invisible":
            at = rng.randint(1, max(1, len(text) - 1))
            text = text[:at] + rng.choice(INVISIBLE) + text[at:]
        elif kind == "case":
            text = "".join(c.upper() if rng.random() < 0.5 else c for c in text)
        elif kind == "cyrillic":
            text = "".join(CYRILLIC.get(c, c) if rng.random() < 0.5 else c for c in text)
        elif kind == "full":
            text = full_width(text)
        elif kind == "nfd":
            text = unicodedata.normalize(rng.choice(["NFD", "NFKD", "NFC"]), text)
        elif kind == "space" and " " in text:
            text = text.replace(" ", rng.choice(SPACES))
    return text


def handle_on(platform: str, handle: str) -> str:
    return {"x": f"@{handle}", "mastodon": f"@{handle}@mastodon.social", "bare": handle}[platform]


variants = st.tuples(st.integers(0, 2**32), st.sampled_from(["x", "mastodon"]))


def _message(number: int, author: str, text: str, platform: str = "x", **extra) -> Message:
    return Message(
        id=str(1_000_000 + number), platform=platform, author=author, at=dt.datetime(2026, 1, 1, 19, tzinfo=dt.UTC), text=text, **extra
    )


def _archive(messages: list[Message], optouts: list[OptOut], people: tuple[Person, ...] = ()) -> Archive:
    community = Community(name="C", schedule=Schedule(weekday="thursday", time="19:00", timezone="UTC"))
    episode = Episode(id="2026-01-01-a", title="A", starts_at=dt.datetime(2026, 1, 1, 19, tzinfo=dt.UTC))
    return Archive(
        community=community, people=people, optouts=tuple(optouts), episodes=(EpisodeContent(episode=episode, messages=tuple(messages)),)
    )


def variant_messages(seed: int, platform: str, start: int = 0) -> list[Message]:
    """Their own message, and others naming them, each with a different spelling of them."""
    rng = random.Random(seed)
    own = handle_on(platform, spell(HANDLE, rng))
    return [
        _message(start, own, "my own words", platform, author_name=spell(NAME, rng)),
        _message(start + 1, "@bo", f"hi {handle_on(rng.choice(['x', 'mastodon']), spell(HANDLE, rng))} and {spell(NAME, rng)}!"),
        _message(start + 2, "@bo", f"see https://x.com/{spell(HANDLE, rng)}/status/{1_000_000 + start} now"),
        _message(start + 3, "@bo", "plain words", mentions=(f"@{spell(HANDLE, rng)}",), links=(f"https://x.com/{spell(HANDLE, rng)}",)),
    ]


def leaks(archive: Archive) -> list[str]:
    found = []
    for content in archive.episodes:
        for message in content.messages:
            fields = (message.author, message.author_name, message.text, *message.mentions, *message.links, message.permalink or "")
            folded = normalise(" ".join(fields))
            found += [f"{message.id}: {n} in {fields!r}" for n in NEEDLES if n in folded]
            if message.author != "@bo":
                found.append(f"{message.id}: their message kept")
    return found


@settings(max_examples=300, deadline=None)
@given(variants, st.sampled_from(["@quiet_quinn", "quiet_quinn", "@QUIET_QUINN", "quinn-q"]))
def test_any_spelling_of_an_opted_out_person_is_redacted(variant, optout: str):
    seed, platform = variant
    person = Person(id="quinn-q", name=NAME, handles={"x": ["@quiet_quinn"]})
    archive = apply_optouts(_archive(variant_messages(seed, platform), [OptOut(handle=optout)], (person,)))
    assert leaks(archive) == []


@settings(max_examples=200, deadline=None)
@given(variants)
def test_a_handle_optout_without_a_person_covers_every_spelling_and_platform(variant):
    seed, platform = variant
    messages = [m for m in variant_messages(seed, platform) if "Quinn" not in m.text or m.author != "@bo"]
    archive = apply_optouts(_archive(messages, [OptOut(handle="@quiet_quinn")]))
    assert [f for f in leaks(archive) if normalise(NAME) not in f] == []


def test_common_word_handle_is_matched_as_a_mention_only():
    messages = [_message(1, "@bo", "I will go, @will said so"), _message(2, "@will", "mine")]
    archive = apply_optouts(_archive(messages, [OptOut(handle="@will")]))
    assert [m.text for m in archive.episodes[0].messages] == ["I will go, @[removed] said so"]


def test_scoped_handle_covers_one_server_only():
    messages = [_message(1, "@q@a.example", "one", "mastodon"), _message(2, "@q@b.example", "two", "mastodon")]
    archive = apply_optouts(_archive(messages, [OptOut(handle="@q@a.example")]))
    assert [m.text for m in archive.episodes[0].messages] == ["two"]


def test_links_to_their_posts_and_media_go_with_them():
    own = _message(1, "@quiet_quinn", "a long enough message of mine", permalink="https://x.com/quiet_quinn/status/1000001")
    other = _message(
        2, "@bo", "look https://x.com/i/status/1000001 and https://x.com/quiet_quinn/status/1111", links=("https://x.com/i/status/1000001",)
    )
    archive = apply_optouts(_archive([own, other], [OptOut(handle="@quiet_quinn")]))
    (kept,) = archive.episodes[0].messages
    assert kept.text == "look [link removed] and [link removed]" and kept.links == ()


def test_anonymise_drops_their_avatar_and_blog_link():
    own = _message(
        1,
        "@quiet_quinn",
        "my blog https://quinn.blog.example/about says it all",
        links=("https://quinn.blog.example/about",),
        media=({"url": "https://pbs.example/profile_images/1/me.jpg", "kind": "image"},),
    )
    archive = apply_optouts(_archive([own], [OptOut(handle="@quiet_quinn", mode="anonymise")]))
    (kept,) = archive.episodes[0].messages
    assert is_anonymous(kept.author) and kept.links == () and kept.media == ()
    assert kept.text == "my blog [link removed] says it all"


def test_quotes_of_their_words_in_another_chat_and_partial_quotes_go():
    words = "honestly the best thing about my first job was the free coffee every morning"
    community = Community(name="C", schedule=Schedule(weekday="thursday", time="19:00", timezone="UTC"))
    first = Episode(id="2026-01-01-a", title="A", starts_at=dt.datetime(2026, 1, 1, 19, tzinfo=dt.UTC))
    second = Episode(id="2026-01-08-b", title="B", starts_at=dt.datetime(2026, 1, 8, 19, tzinfo=dt.UTC))
    quotes = [
        _message(2, "@bo", f'Someone said "{words.upper()}" last week'),
        _message(3, "@bo", "as was said: the best  thing about my first \u200bjob was, yes"),
        _message(4, "@bo", "the best thing about this chat is you all"),  # five words in a row: ordinary
    ]
    archive = Archive(
        community=community,
        optouts=(OptOut(handle="@quiet_quinn"),),
        episodes=(
            EpisodeContent(episode=first, messages=(_message(1, "@quiet_quinn", words),)),
            EpisodeContent(episode=second, messages=tuple(quotes)),
        ),
    )
    texts = [m.text for m in apply_optouts(archive).episodes[1].messages]
    assert texts == [
        f'Someone said "{REMOVED_TEXT}" last week',
        f"as was said: {REMOVED_TEXT}, yes",
        "the best thing about this chat is you all",
    ]


# --- the built site ------------------------------------------------------------------------

SITE_VARIANTS = 24


def test_no_spelling_of_them_reaches_site(fixture_site: Path):
    """Many spellings at once, from people.yml (decomposed), their own messages on X and
    Mastodon, and other people's messages: none reaches a page, feed, search file or sitemap."""
    people = fixture_site / "data" / "people.yml"
    data = yaml.safe_load(people.read_text())
    decomposed = unicodedata.normalize("NFD", "zoë_q")
    data["people"].append({"id": "quinn-q", "name": NAME, "handles": {"x": f"@{decomposed}"}})
    people.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    transcript = fixture_site / "data" / "episodes" / "2026-03-05-first-jobs" / "transcript.jsonl"
    lines = []
    for seed in range(SITE_VARIANTS):
        for message in variant_messages(seed, ["x", "mastodon"][seed % 2], start=seed * 10):
            record = message.model_dump(mode="json", exclude_defaults=True)
            record["at"] = f"2026-03-05T19:{seed + 10:02d}:{int(message.id) % 10:02d}Z"
            lines.append(json.dumps(record, ensure_ascii=False))
    lines.append(json.dumps({"id": "z1", "platform": "x", "author": "@zoë_q", "at": "2026-03-05T19:50:00Z", "text": "composed me"}))
    with transcript.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    ledger = fixture_site / "data" / "privacy.yml"
    ledger.write_text(ledger.read_text() + '  - handle: "@quiet_quinn"\n  - handle: "@zoë_q"\n', encoding="utf-8")
    texts = site_texts(build_site(fixture_site, strict=True))
    needles = (*NEEDLES, normalise("zoë_q"), "quinn-q")
    found = [f"{name}: {n}" for name, text in texts.items() for n in needles if n in normalise(text)]
    assert found == []
    assert not (fixture_site / "site" / "people" / "quinn-q").exists()
    assert "plain words" in texts["episodes/2026-03-05-first-jobs/index.html"]  # the others' messages stay


def test_a_phrase_many_others_wrote_too_is_not_a_quote_of_theirs():
    phrase = "thanks everyone for joining us tonight, see you all next week"
    messages = [_message(0, "@quiet_quinn", phrase)] + [_message(i, f"@p{i}", f"{phrase} {i}") for i in range(1, 5)]
    archive = apply_optouts(_archive(messages, [OptOut(handle="@quiet_quinn")]))
    assert [m.text for m in archive.episodes[0].messages] == [f"{phrase} {i}" for i in range(1, 5)]


def test_an_optout_scoped_to_a_platform_covers_that_account_only():
    messages = [_message(1, "@quinn", "on x", "x"), _message(2, "quinn", "on slack", "slack"), _message(3, "@bo", "hi @quinn", "slack")]
    archive = apply_optouts(_archive(messages, [OptOut(handle="@quinn", platform="x")]))
    assert [m.text for m in archive.episodes[0].messages] == ["on slack", "hi @[removed]"]


# --- names known only by their digests, after a purge --------------------------------------

SALT = "00112233445566778899aabbccddeeff"
# A full name, a one-word name, punctuation inside and at the ends (where a name may start and
# end mid-chunk), and a name shorter than MIN_NAME, which is never replaced.
DIGESTED = ("Quinn Quietly", "Quinn", "Jean-Luc O'Brien", "✨Quinn✨ Q.", "Q Q")
FRAGMENTS = [
    *(f" {w} " for w in ("thanks", "and", "Quinnford", "luc", "brien", "o'brien", "quietly")),
    *(" ", "  ", ", ", "!", "-", "'s", "(", ")", "_", ".", "\u200b", "✨", "@", "/"),
    *("@quiet_quinn", "quiet_quinn", "https://example.com/quinn-quietly", "x.com/quiet_quinn"),
]


def _clear_and_digested(names: tuple[str, ...], single_names: bool = True):
    """The same redaction twice: with `names` known in clear, and known by digest only."""
    digests = tuple(d for d in (digest_of_name(SALT, n) for n in names) if d)
    clear = dataclasses.replace(ledger_redaction([OptOut(handle="@quiet_quinn")], ()), names=frozenset(names))
    hidden = ledger_redaction([OptOut(handle="@quiet_quinn", name_salt=SALT, name_digests=digests)], ())
    return complete_redaction(clear, [], [], single_names), complete_redaction(hidden, [], [], single_names)


@st.composite
def texts_naming_them(draw) -> str:
    parts = draw(
        st.lists(
            st.one_of(
                st.builds(lambda name, seed: spell(name, random.Random(seed)), st.sampled_from(DIGESTED), st.integers(0, 2**32)),
                st.sampled_from(FRAGMENTS),
                st.text(alphabet="qQuiny -'_!✨.", max_size=4),
            ),
            max_size=10,
        )
    )
    return "".join(parts)


@settings(max_examples=400, deadline=None)
@given(texts_naming_them(), st.booleans())
def test_a_name_known_by_its_digest_is_replaced_exactly_as_one_known_in_clear(text: str, single_names: bool):
    clear, hidden = _clear_and_digested(DIGESTED, single_names)
    assert hidden.names == frozenset() and hidden.name_digests
    assert hidden.scrub(text) == clear.scrub(text)
    assert hidden.mentions(text) == clear.mentions(text)
    assert hidden.leads_to_them(text) == clear.leads_to_them(text)


def test_names_known_by_digest_are_replaced_in_messages_spans_alt_texts_and_display_names():
    clear, hidden = _clear_and_digested(("Quinn Quietly",))
    messages = [
        _message(1, "@bo", "thanks QUINN  quie\u200btly! and Quinnford", author_name="Quinn Quietly fan"),
        _message(
            2,
            "@bo",
            "hi Quinn Quietly",
            body=(Span(text="hi "), Span(text="Quinn", marks=("bold",)), Span(text=" Quietly")),
            media=(Media(url="https://example.com/p.jpg", kind="image", alt="Quinn Quietly at the stall"),),
        ),
        _message(3, "@bo", "hi Quinn Quietly", body=(Span(text="hi "), Span(text="Quinn Quietly", marks=("italic",)))),
    ]
    archive = _archive(messages, [])
    with_names = apply_optouts(archive.model_copy(update={"optouts": (OptOut(handle="@quiet_quinn"),)}), clear)
    with_digests = apply_optouts(archive.model_copy(update={"optouts": (OptOut(handle="@quiet_quinn"),)}), hidden)
    assert with_digests == with_names
    first, second, third = with_digests.episodes[0].messages
    assert (first.text, first.author_name) == ("thanks [removed]! and Quinnford", "[removed] fan")
    assert second.body == () and second.text == "hi [removed]" and second.media[0].alt == "[removed] at the stall"
    assert [s.text for s in third.body] == ["hi ", "[removed]"] and third.body[1].marks == ("italic",)


def test_the_digests_are_part_of_the_redactions_fingerprint():
    """What every cache of a redacted chat is keyed by: other digests, other pages."""
    plain = ledger_redaction([OptOut(handle="@quiet_quinn")], ())
    one = ledger_redaction([OptOut(handle="@quiet_quinn", name_salt=SALT, name_digests=("1:" + "0" * 32,))], ())
    other = ledger_redaction([OptOut(handle="@quiet_quinn", name_salt=SALT, name_digests=("2:" + "0" * 32,))], ())
    assert len({plain.fingerprint, one.fingerprint, other.fingerprint}) == 3
