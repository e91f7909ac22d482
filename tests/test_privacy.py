"""Opt-outs hold everywhere: a redacted person appears nowhere in the built site, and `redact`
records the ledger entry (and with --purge rewrites data/) in one stable form."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.archive.model import Archive, Community, Episode, EpisodeContent, Message, OptOut, Person, Schedule
from generator.archive.normalise import normalise
from generator.archive.privacy import REMOVED_TEXT, apply_optouts, is_anonymous
from generator.archive.read import read_archive
from generator.archive.redact import redact, render_privacy_yml
from generator.build.commands import build_site
from generator.cli import main

PRIYA = {"id": "priya-p", "name": "Priya Pemberton", "role": "guest", "handles": {"x": "@priya_p", "mastodon": "@priya@social.example"}}
PRIYA_NEEDLES = ("priya_p", "Priya Pemberton", "priya@social.example", "priya-p")
GARY_NEEDLES = ("gone_gary", "marmalade")
PHRASE = "quince chutney"
EPISODE = "2026-03-05-first-jobs"


def add_priya(site: Path) -> None:
    """Priya posts, is quoted, retweeted, mentioned by name and handle, highlighted and a guest."""
    people = site / "data" / "people.yml"
    data = yaml.safe_load(people.read_text())
    data["people"].append(PRIYA)
    people.write_text(yaml.safe_dump(data, sort_keys=False))
    folder = site / "data" / "episodes" / EPISODE
    lines = [
        {
            "id": "2001",
            "platform": "x",
            "author": "@priya_p",
            "author_name": "Priya P.",
            "at": "2026-03-05T19:20:00Z",
            "text": f"A2: my {PHRASE} stall taught me pricing",
            "permalink": "https://x.com/priya_p/status/2001",
            "links": ["https://x.com/priya_p"],
            "likes": 3,
        },
        {
            "id": "2002",
            "platform": "mastodon",
            "author": "@priya@social.example",
            "at": "2026-03-05T19:21:00Z",
            "text": "also: never trust a landlord",
            "reply_to": "1008",
        },
        {
            "id": "2003",
            "platform": "x",
            "author": "@zed",
            "at": "2026-03-05T19:22:00Z",
            "text": "@priya_p love that, Priya Pemberton is a legend https://x.com/priya_p",
            "reply_to": "2001",
            "quote_of": "2001",
            "mentions": ["@priya_p"],
            "links": ["https://x.com/priya_p"],
        },
        {
            "id": "2004",
            "platform": "x",
            "author": "@gus",
            "at": "2026-03-05T19:23:00Z",
            "text": f"RT @priya_p: A2: my {PHRASE} stall taught me pricing",
        },
        {
            "id": "2005",
            "platform": "x",
            "author": "@hana",
            "at": "2026-03-05T19:24:00Z",
            "text": f'Quoting Priya P.: "A2: my {PHRASE} stall taught me pricing" #priya_p',
            "hashtags": ["priya_p"],
        },
    ]
    with (folder / "transcript.jsonl").open("a") as transcript:
        transcript.writelines(json.dumps(line) + "\n" for line in lines)
    episode = yaml.safe_load((folder / "episode.yml").read_text())
    episode["guests"].append("priya-p")
    episode["highlights"].append("2001")
    episode["summary"] = "We looked back at first jobs with @priya_p."
    (folder / "episode.yml").write_text(yaml.safe_dump(episode, sort_keys=False))
    (folder / "preview.md").write_text((folder / "preview.md").read_text() + "\nWith guest Priya Pemberton.\n")


def site_texts(site_dir: Path) -> dict[str, str]:
    """Every built file as text; gzipped ones (sitemap.xml.gz) unpacked."""
    texts = {}
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        texts[path.relative_to(site_dir).as_posix()] = data.decode("utf-8", "replace")
    return texts


def hits(texts: dict[str, str], needles: tuple[str, ...]) -> list[str]:
    return [f"{name}: {needle}" for name, text in texts.items() for needle in needles if needle.casefold() in text.casefold()]


def test_needles_are_present_without_the_optout(fixture_site: Path):
    """The grep below can fail: without the ledger, the needles are all over the site."""
    add_priya(fixture_site)
    (fixture_site / "data" / "privacy.yml").unlink()
    texts = site_texts(build_site(fixture_site, strict=True))
    for needle in (*PRIYA_NEEDLES, *GARY_NEEDLES, PHRASE):
        assert hits(texts, (needle,)), needle


@pytest.mark.parametrize("mode", ["remove", "anonymise"])
def test_redacted_person_appears_nowhere_in_the_built_site(fixture_site: Path, mode: str):
    add_priya(fixture_site)
    redact(fixture_site, "priya-p", reason="asked by email", mode=mode)
    site_dir = build_site(fixture_site, strict=True)
    texts = site_texts(site_dir)
    assert any(name.endswith(".html") for name in texts) and "sitemap.xml" in texts
    needles = PRIYA_NEEDLES + GARY_NEEDLES + ("Priya P.",) + ((PHRASE,) if mode == "remove" else ())
    assert hits(texts, needles) == []
    assert not (site_dir / "people" / "priya-p").exists()
    episode = texts[f"episodes/{EPISODE}/index.html"]
    if mode == "anonymise":
        assert PHRASE in episode and "(anonymous 1)" in episode  # kept, without the name
        assert "anonymous" not in texts["people/index.html"]  # not listed among those who came once either


def test_remove_drops_messages_retweets_and_links_to_them(fixture_site: Path):
    add_priya(fixture_site)
    redact(fixture_site, "@priya_p")
    archive = apply_optouts(read_archive(fixture_site))
    content = next(c for c in archive.episodes if c.episode.id == EPISODE)
    by_id = {m.id: m for m in content.messages}
    assert "2001" not in by_id and "2002" not in by_id and "2004" not in by_id  # hers, and the retweet
    assert by_id["2003"].reply_to is None and by_id["2003"].quote_of is None
    assert by_id["2003"].mentions == () and by_id["2003"].links == ()
    assert by_id["2003"].text.startswith("@[removed] love that, [removed] is a legend")
    assert REMOVED_TEXT in by_id["2005"].text and by_id["2005"].hashtags == ()
    assert "2001" not in content.episode.highlights and "priya-p" not in content.episode.guests
    assert "priya" not in content.episode.summary.casefold()
    assert all(p.id != "priya-p" for p in archive.people)


def test_anonymise_keeps_words_without_identity(fixture_site: Path):
    add_priya(fixture_site)
    redact(fixture_site, "@priya@social.example", mode="anonymise")
    archive = apply_optouts(read_archive(fixture_site))
    content = next(c for c in archive.episodes if c.episode.id == EPISODE)
    by_id = {m.id: m for m in content.messages}
    first, second = by_id["2001"], by_id["2002"]
    assert is_anonymous(first.author) and first.author == second.author  # one person, one label
    assert first.author_name == "" and first.permalink is None and first.links == ()
    assert PHRASE in first.text
    assert "2001" in content.episode.highlights and "priya-p" not in content.episode.guests


def _message(id_: str, author: str, text: str, **extra) -> Message:
    return Message(id=id_, platform="x", author=author, at=dt.datetime(2026, 1, 1, 19, tzinfo=dt.UTC), text=text, **extra)


def _archive(messages: list[Message], optouts: list[OptOut], people: tuple[Person, ...] = ()) -> Archive:
    community = Community(name="C", schedule=Schedule(weekday="monday", time="19:00", timezone="UTC"))
    episode = Episode(id="2026-01-01-a", title="A", starts_at=dt.datetime(2026, 1, 1, 19, tzinfo=dt.UTC))
    return Archive(
        community=community, people=people, optouts=tuple(optouts), episodes=(EpisodeContent(episode=episode, messages=tuple(messages)),)
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("@Al_X hi", "@[removed] hi"),
        ("see x.com/al_x/status/1", "see [link removed]"),
        ("https://x.com/al_x/status/1111.", "[link removed]."),
        ("al_xy is someone else", "al_xy is someone else"),
        ("mail@al_x.example", "mail@[removed].example"),
        ("(@al_x)", "(@[removed])"),
    ],
)
def test_mentions_of_handles_are_replaced_but_not_longer_handles(text: str, expected: str):
    archive = apply_optouts(_archive([_message("1", "@bo", text)], [OptOut(handle="@al_x")]))
    assert archive.episodes[0].messages[0].text == expected


def test_hostile_optout_handle_is_literal_text():
    messages = [_message("1", "a.b*c(", "x"), _message("2", "@bo", "aXb c ok a.b*c( here")]
    archive = apply_optouts(_archive(messages, [OptOut(handle="a.b*c(")]))
    assert [m.text for m in archive.episodes[0].messages] == ["aXb c ok [removed] here"]


def test_remove_wins_over_anonymise():
    archive = apply_optouts(_archive([_message("1", "@al", "mine")], [OptOut(handle="@al", mode="anonymise"), OptOut(handle="al")]))
    assert archive.episodes[0].messages == ()


# --- the redact command ----------------------------------------------------------------------


def test_redact_cli_records_a_stable_entry_and_updates_it(fixture_site: Path):
    runner = CliRunner()
    first = runner.invoke(main, ["redact", "@zed", "--reason", "asked  by DM", "--root", str(fixture_site)])
    assert first.exit_code == 0, first.output
    ledger = fixture_site / "data" / "privacy.yml"
    once = ledger.read_bytes()
    again = runner.invoke(main, ["redact", "@ZED", "--reason", "asked  by DM", "--root", str(fixture_site)])
    assert again.exit_code == 0 and "updated" in again.output
    assert ledger.read_bytes() == once  # same request, same bytes
    entries = yaml.safe_load(once)["optouts"]
    assert [e["handle"] for e in entries] == ["@gone_gary", "@zed"]
    assert entries[1]["mode"] == "remove" and entries[1]["reason"] == "asked by DM"
    assert isinstance(entries[1]["since"], dt.date)
    runner.invoke(main, ["redact", "@zed", "--mode", "anonymise", "--root", str(fixture_site)])
    entries = yaml.safe_load(ledger.read_text())["optouts"]
    assert len(entries) == 2 and entries[1]["mode"] == "anonymise" and entries[1]["reason"] == "asked by DM"
    assert read_archive(fixture_site).optouts[1].mode == "anonymise"


def test_render_privacy_yml_round_trips():
    optouts = [OptOut(handle="@a: b", mode="anonymise", since=dt.date(2026, 1, 2), reason="x\ny # z")]
    assert [OptOut(**e) for e in yaml.safe_load(render_privacy_yml(optouts))["optouts"]] == optouts


@pytest.mark.parametrize(
    "args, message",
    [
        (["redact", ""], "is not a handle"),
        (["redact", "two words"], "matches no person id, name or handle"),
        (["redact", "two words", "--ahead"], "is not a handle"),
        (["redact", "@x", "--mode", "delete"], "Invalid value for '--mode'"),
    ],
)
def test_redact_refuses_bad_input(fixture_site: Path, args: list[str], message: str):
    result = CliRunner().invoke(main, [*args, "--root", str(fixture_site)])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_redact_refuses_to_rewrite_a_broken_ledger(fixture_site: Path):
    ledger = fixture_site / "data" / "privacy.yml"
    ledger.write_text("optouts:\n  - handle: '@a'\n    mood: remove\n")
    result = CliRunner().invoke(main, ["redact", "@b", "--root", str(fixture_site)])
    assert result.exit_code == 2 and "data/privacy.yml:3" in result.output
    assert "mood" in ledger.read_text()


def test_redact_refuses_a_handle_that_matches_no_one_and_names_the_closest(fixture_site: Path):
    ledger = fixture_site / "data" / "privacy.yml"
    before = ledger.read_bytes()
    result = CliRunner().invoke(main, ["redact", "@nobody_here", "--root", str(fixture_site)])
    assert result.exit_code == 2 and "matches no person id, name or handle" in result.output and "--ahead" in result.output
    typo = CliRunner().invoke(main, ["redact", "@gus-gueat", "--root", str(fixture_site)])
    assert typo.exit_code == 2 and "did you mean gus-guest" in typo.output, typo.output
    name = CliRunner().invoke(main, ["redact", "Gus Guset", "--root", str(fixture_site)])
    assert name.exit_code == 2 and "did you mean Gus Guest" in name.output, name.output
    assert ledger.read_bytes() == before


def test_redact_ahead_records_a_pre_emptive_optout_that_check_accepts(fixture_site: Path):
    result = CliRunner().invoke(
        main, ["redact", "@not_yet_here", "--ahead", "--reason", "asked before joining", "--root", str(fixture_site)]
    )
    assert result.exit_code == 0 and "ahead of their first message" in result.output, result.output
    entries = yaml.safe_load((fixture_site / "data" / "privacy.yml").read_text())["optouts"]
    assert entries[-1]["handle"] == "@not_yet_here" and entries[-1]["ahead"] is True
    check = CliRunner().invoke(main, ["check", "--root", str(fixture_site)])
    assert check.exit_code == 0, check.output


def test_redact_by_name_records_the_person(fixture_site: Path):
    result = CliRunner().invoke(main, ["redact", "gus  GUEST", "--root", str(fixture_site)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((fixture_site / "data" / "privacy.yml").read_text())["optouts"][-1]["handle"] == "gus-guest"


def test_purge_removes_their_words_from_data(fixture_site: Path):
    add_priya(fixture_site)
    data = fixture_site / "data"
    people_before = (data / "people.yml").read_text()
    result = CliRunner().invoke(main, ["redact", "priya-p", "--purge", "--root", str(fixture_site)])
    assert result.exit_code == 0, result.output
    for path in data.rglob("*"):
        if path.is_file() and path.name != "privacy.yml":
            text = path.read_text()
            for needle in (PHRASE, "priya_p", "Priya Pemberton", "marmalade", "gone_gary"):
                assert needle.casefold() not in text.casefold(), (path, needle)
    # people.yml lost Priya's entry and nothing else.
    people_after = (data / "people.yml").read_text()
    assert people_after == people_before[: people_before.index("- id: priya-p")].rstrip(" ") or people_after in people_before
    assert "Priya" not in people_after and "hana-host" in people_after and "gus-guest" in people_after
    archive = read_archive(fixture_site)  # still valid: highlights and guests were updated too
    assert "2001" not in archive.episodes[0].episode.highlights
    # The ledger keeps every handle she had, for the exports still to come.
    ledger = {o.handle: o for o in archive.optouts}
    assert {"priya-p", "@priya_p", "@priya@social.example"} <= set(ledger) and all(ledger[h].purged for h in ledger if "priya" in h)
    assert CliRunner().invoke(main, ["check", "--root", str(fixture_site)]).exit_code == 0
    # How to purge the history, with the replacements for git filter-repo kept out of data/.
    assert "git filter-repo --sensitive-data-removal --replace-text .cache/redact-replacements.txt" in result.output
    replacements = (fixture_site / ".cache" / "redact-replacements.txt").read_text()
    assert "Priya\\ Pemberton" in replacements and "priya_p" in replacements
    again = CliRunner().invoke(main, ["redact", "priya-p", "--purge", "--root", str(fixture_site)])
    assert again.exit_code == 0, again.output
    assert "purged data/" not in again.output  # nothing left to rewrite


def test_purge_refuses_invalid_data(fixture_site: Path):
    transcript = fixture_site / "data" / "episodes" / EPISODE / "transcript.jsonl"
    transcript.write_text(transcript.read_text() + "{not json\n")
    result = CliRunner().invoke(main, ["redact", "@gus", "--purge", "--root", str(fixture_site)])
    assert result.exit_code == 2 and re.search(r"transcript\.jsonl:\d+", result.output)


def test_redact_keeps_the_editors_comment_at_the_top(fixture_site: Path):
    ledger = fixture_site / "data" / "privacy.yml"
    ledger.write_text("# Our own notes\n# second line\n\noptouts: []\n")
    redact(fixture_site, "@zed", today=dt.date(2026, 5, 1))
    assert ledger.read_text() == "# Our own notes\n# second line\n\noptouts:\n- handle: '@zed'\n  mode: remove\n  since: 2026-05-01\n"


def test_demo_optouts_appear_nowhere_in_the_built_site(built_demo: Path):
    """The demo's own opt-outs, on every page, feed, search index file and sitemap."""
    archive = read_archive(built_demo)
    assert archive.optouts, "the demo community should show an opt-out"
    texts = site_texts(built_demo / "site")
    needles = tuple(o.handle.lstrip("@") for o in archive.optouts)
    assert len(texts) > 50 and hits(texts, needles) == []


# --- after a purge: their names, known by digest only --------------------------------------

RENEE = {"id": "rq", "name": "Renée Quietly", "role": "regular", "handles": {"x": "@renee_q", "mastodon": "@renee@social.example"}}
RENEE_NAMES = ("Renée Quietly", "Renée Q.")


def _tweet(number: int, author_id: str, text: str, **extra) -> dict:
    """A post as the X API v2 returns it (tests/samples/x-api/twarc_page.jsonl)."""
    post_id = f"18900000000000{number:05d}"
    start = text.index("#FixtureChat")
    return {
        "id": post_id,
        "text": text,
        "author_id": author_id,
        "created_at": f"2026-03-19T19:{number:02d}:00.000Z",
        "conversation_id": post_id,
        "entities": {"hashtags": [{"start": start, "end": start + 12, "tag": "FixtureChat"}]},
        "edit_history_tweet_ids": [post_id],
        **extra,
    }


def write_x_api_page(path: Path) -> None:
    """A chat in which others write her name in several spellings, in a post, a photo's alt
    text and a display name."""
    posts = [
        _tweet(1, "11", "Big thanks to Renée Quietly for the tips #FixtureChat"),
        _tweet(2, "12", "RENÉE   QUIETLY said it best #FixtureChat"),
        _tweet(3, "12", unicodedata.normalize("NFD", "agreed with Renée Quietly, twice #FixtureChat")),
        _tweet(4, "11", "Re\u200bnée Quie\u200dtly, you legend #FixtureChat"),
        _tweet(5, "13", "a photo from the stall #FixtureChat", attachments={"media_keys": ["3_1"]}),
    ]
    users = [
        {"id": "11", "username": "hana", "name": "Hana"},
        {"id": "12", "username": "zed", "name": "Zed"},
        {"id": "13", "username": "stall_fan", "name": "Renée Quietly fan club"},
    ]
    media = [
        {"media_key": "3_1", "type": "photo", "url": "https://pbs.twimg.com/media/stall.jpg", "alt_text": "renée quietly at her stall"}
    ]
    page = {"data": posts, "includes": {"users": users, "media": media}}
    path.write_text(json.dumps(page, ensure_ascii=False) + "\n", encoding="utf-8")


def write_mastodon_outbox(path: Path) -> None:
    """Hana's Mastodon archive (tests/samples/mastodon/outbox.json): her name split over
    formatted spans."""
    contents = [
        "<p>Shout-out to <strong>Renée</strong> Quietly! #FixtureChat</p>",
        "<p>and to <em>renée quietly</em>, whose tips still help <a href='https://social.example/tags/fixturechat'>#FixtureChat</a></p>",
    ]
    items = []
    for number, content in enumerate(contents, start=1):
        url = f"https://social.example/users/hana/statuses/11600000000000000{number}"
        items.append(
            {
                "id": f"{url}/activity",
                "type": "Create",
                "actor": "https://social.example/users/hana",
                "published": f"2026-03-26T19:0{number}:00Z",
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "object": {
                    "id": url,
                    "type": "Note",
                    "published": f"2026-03-26T19:0{number}:00Z",
                    "url": f"https://social.example/@hana/11600000000000000{number}",
                    "attributedTo": "https://social.example/users/hana",
                    "content": content,
                    "tag": [{"type": "Hashtag", "href": "https://social.example/tags/fixturechat", "name": "#fixturechat"}],
                },
            }
        )
    outbox = {"@context": ["https://www.w3.org/ns/activitystreams"], "type": "OrderedCollection", "totalItems": 2, "orderedItems": items}
    path.write_text(json.dumps(outbox, ensure_ascii=False), encoding="utf-8")


def names_her(text: str) -> bool:
    folded = normalise(text)
    return any(normalise(name) in folded for name in RENEE_NAMES) or "quietly" in folded


def test_a_purged_persons_names_stay_hidden_in_chats_imported_after_the_purge(fixture_site: Path):
    data = fixture_site / "data"
    people = yaml.safe_load((data / "people.yml").read_text())
    people["people"].append(RENEE)
    (data / "people.yml").write_text(yaml.safe_dump(people, sort_keys=False, allow_unicode=True), encoding="utf-8")
    lines = [
        {
            "id": "3001",
            "platform": "x",
            "author": "@renee_q",
            "author_name": "Renée Q.",
            "at": "2026-03-05T19:30:00Z",
            "text": "A2: bakery",
        },
        {"id": "3002", "platform": "x", "author": "@zed", "at": "2026-03-05T19:31:00Z", "text": "nice one Renée Quietly (Renée Q. to us)"},
    ]
    with (data / "episodes" / EPISODE / "transcript.jsonl").open("a", encoding="utf-8") as transcript:
        transcript.write("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    root = ["--root", str(fixture_site)]

    purge = CliRunner().invoke(main, ["redact", "@renee_q", "--purge", "--reason", "asked by email", *root])
    assert purge.exit_code == 0, purge.output
    # Nothing in data/ spells her names any more; the ledger keeps them as digests.
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        assert not names_her(path.read_text(encoding="utf-8")), path
    entry = next(o for o in read_archive(fixture_site).optouts if o.handle == "@renee_q")
    assert entry.purged and entry.name_salt and sorted(d.split(":")[0] for d in entry.name_digests) == ["2", "2"]
    assert "nice one [removed] ([removed] to us)" in (data / "episodes" / EPISODE / "transcript.jsonl").read_text()

    write_x_api_page(fixture_site / "x-page.jsonl")
    write_mastodon_outbox(fixture_site / "outbox.json")
    for export, episode, kind in (("x-page.jsonl", "2026-03-19", "x-api"), ("outbox.json", "2026-03-26", "mastodon")):
        result = CliRunner().invoke(main, ["import", str(fixture_site / export), "--episode", episode, "--format", kind, *root])
        assert result.exit_code == 0, result.output
    imported = [m for c in read_archive(fixture_site).episodes if c.episode.id.startswith("2026-03-") for m in c.messages]
    assert sum(names_her(" ".join((m.text, m.author_name, *(x.alt for x in m.media)))) for m in imported) == 7  # the others wrote it
    assert any(len(m.body) > 1 for m in imported)  # formatted: the name split over spans

    # The editor curates the chat: its summary names her too, and two highlights go to the feeds.
    episode_yml = data / "episodes" / "2026-03-19-chat" / "episode.yml"
    episode = yaml.safe_load(episode_yml.read_text())
    episode.update(summary="Renée Quietly's tips, again.", highlights=["1890000000000000002", "1890000000000000005"])
    episode_yml.write_text(yaml.safe_dump(episode, sort_keys=False, allow_unicode=True), encoding="utf-8")

    built = CliRunner().invoke(main, ["build", "--strict", *root])
    assert built.exit_code == 0, built.output
    texts = site_texts(fixture_site / "site")
    assert [name for name, text in texts.items() if names_her(text)] == []
    # The others' messages are published, with her name replaced: in pages, search and feeds.
    chat = texts["episodes/2026-03-19-chat/index.html"]
    assert "[removed] said it best" in chat and "agreed with [removed], twice" in chat and "[removed] fan club" in chat
    assert "[removed] at her stall" in chat
    later = texts["episodes/2026-03-26-chat/index.html"]
    # Split over two spans, the text is shown plain; in one span, the span keeps its format.
    assert "Shout-out to [removed]!" in later and "and to <em>[removed]</em>, whose tips" in later
    assert any("said it best" in text for name, text in texts.items() if name.startswith("search/"))
    feed = texts["feeds/feed.json"]
    assert "[removed] said it best" in feed and "— [removed] fan club" in feed and "[removed]'s tips, again." in feed


def test_check_reports_a_damaged_name_digest_with_its_entry_and_fix(fixture_site: Path):
    ledger = fixture_site / "data" / "privacy.yml"
    salt, digest = "0123456789abcdef" * 2, "2:" + "ab" * 16
    entries = [
        f'  - handle: "@one"\n    purged: 2026-03-01\n    name_salt: "{salt}"\n    name_digests: ["{digest}", "2:not-hex"]\n',
        f'  - handle: "@two"\n    purged: 2026-03-01\n    name_digests: ["{digest}"]\n',
        f'  - handle: "@three"\n    purged: 2026-03-01\n    name_salt: "{salt[:-2]}"\n    name_digests: ["{digest}"]\n',
    ]
    ledger.write_text("optouts:\n" + "".join(entries))
    result = CliRunner().invoke(main, ["check", "--root", str(fixture_site)])
    assert result.exit_code == 1, result.output
    history = "restore it from git history (git log -p data/privacy.yml)"
    assert "data/privacy.yml:5: optouts.0.name_digests.1: '2:not-hex' is not a name digest: expected WORDS:DIGEST" in result.output
    assert "data/privacy.yml:6: optouts.1: name_digests without the name_salt they were made with; " + history in result.output
    assert f"data/privacy.yml:11: optouts.2.name_salt: '{salt[:-2]}' is not a name salt: expected 32 hex digits; {history}" in result.output
    ledger.write_text("optouts:\n" + entries[0].replace(', "2:not-hex"', ""))
    assert CliRunner().invoke(main, ["check", "--root", str(fixture_site)]).exit_code == 0


def test_redact_again_keeps_the_name_digests_and_adds_none_twice(fixture_site: Path):
    add_priya(fixture_site)
    assert CliRunner().invoke(main, ["redact", "priya-p", "--purge", "--root", str(fixture_site)]).exit_code == 0
    first = next(o for o in read_archive(fixture_site).optouts if o.handle == "priya-p")
    assert first.name_salt and len(first.name_digests) == 2  # "Priya Pemberton", and "Priya P." from her messages
    for again in (["--purge"], ["--reason", "asked again"], ["--mode", "anonymise"]):
        assert CliRunner().invoke(main, ["redact", "priya-p", *again, "--root", str(fixture_site)]).exit_code == 0
        entry = next(o for o in read_archive(fixture_site).optouts if o.handle == "priya-p")
        assert (entry.name_salt, entry.name_digests) == (first.name_salt, first.name_digests)
    # Her other handles' entries repeat none of them.
    assert [o.handle for o in read_archive(fixture_site).optouts if o.name_digests] == ["priya-p"]
