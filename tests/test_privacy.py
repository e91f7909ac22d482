"""Opt-outs hold everywhere: a redacted person appears nowhere in the built site, and `redact`
records the ledger entry (and with --purge rewrites data/) in one stable form."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.archive.model import Archive, Community, Episode, EpisodeContent, Message, OptOut, Person, Schedule
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
