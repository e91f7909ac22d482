"""Feeds and calendar: they parse, validate, keep their ids, match the schedule across a clock
change, come out the same from two builds, escape hostile text and leave redacted people out."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURE_SITE, build, copy_site
from dateutil.rrule import rrulestr
from lxml import etree

from generator.build.generate import load_site
from generator.cli import main
from generator.feeds import render_feeds, topic_feed
from generator.render import urls

SCHEMAS = Path(__file__).parent / "schemas"
ATOM_NS = "http://www.w3.org/2005/Atom"
SCHEMATRON_NS = "http://www.ascc.net/xml/schematron"
BASE = "https://chat.example/archive/"
BASE_FIXTURE = "https://fixture.example/"  # the fixture's site_url


# --- helpers ---------------------------------------------------------------------------------


def feed_files(site_dir: Path) -> dict[str, bytes]:
    files = {p.relative_to(site_dir).as_posix(): p.read_bytes() for p in (site_dir / "feeds").rglob("*") if p.is_file()}
    files["calendar.ics"] = (site_dir / "calendar.ics").read_bytes()
    return files


def parse(data: bytes):
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def set_plugin_options(root: Path, **options) -> None:
    config_file = root / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text())
    config["plugins"] = [{"chatdigest": options} if p == "chatdigest" else p for p in config["plugins"]]
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))


def write_episode(root: Path, episode_id: str, starts_at: str, status: str = "published", **fields) -> None:
    folder = root / "data" / "episodes" / episode_id
    folder.mkdir(parents=True, exist_ok=True)
    data = {"title": fields.pop("title", f"Chat {episode_id}"), "starts_at": starts_at, "status": status, **fields}
    (folder / "episode.yml").write_text(yaml.safe_dump(data, sort_keys=False))


def community_with(root: Path, episodes: list[tuple[str, str, str]]) -> Path:
    """The fixture community (Europe/London, Thursdays 19:00) with its episodes replaced."""
    shutil.rmtree(root / "data" / "episodes")
    for episode_id, starts_at, status in episodes:
        write_episode(root, episode_id, starts_at, status, questions=["Q1: Anything?"], tags=["later"])
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The fixture community built once for this module; returns its site/ folder."""
    root = copy_site(FIXTURE_SITE, tmp_path_factory.mktemp("feeds") / "site")
    build(root)
    return root / "site"


@pytest.fixture(scope="module")
def expected(built: Path):
    """What the feeds should hold, counted from the fixture's data rather than written down."""
    site = load_site(built.parent)
    topics: dict[str, int] = {}  # topic page → published chats with a tag that leads there
    for content in site.archive.episodes:
        for path in {urls.topic_path(tag) for tag in content.episode.tags}:
            topics[path] = topics.get(path, 0) + (content in site.published)
    return {"published": site.published, "upcoming": site.upcoming, "topics": topics}


# --- parsing and validity --------------------------------------------------------------------


def test_main_feeds_parse_with_one_entry_per_published_chat(built: Path, expected):
    published = expected["published"]
    assert published, "the fixture must have a published chat for this test to mean anything"
    for name, version in (("rss.xml", "rss20"), ("atom.xml", "atom10")):
        parsed = parse((built / "feeds" / name).read_bytes())
        assert parsed.version == version
        assert len(parsed.entries) == len(published)
        assert parsed.entries[0].link == BASE_FIXTURE + "episodes/2026-03-05-first-jobs/"


def test_upcoming_and_topic_feeds_parse(built: Path, expected):
    upcoming = parse((built / "feeds" / "upcoming.xml").read_bytes())
    assert [e.title for e in upcoming.entries] == [c.episode.title for c in expected["upcoming"]]
    for path, count in expected["topics"].items():
        parsed = parse((built / topic_feed(path)).read_bytes())
        assert len(parsed.entries) == count, path


def test_a_topic_feed_keeps_its_chats_when_another_spelling_of_its_tag_is_upcoming(fixture_site: Path):
    community_with(fixture_site, [("2026-01-01-past", "2026-01-01T19:00:00+00:00", "published")])
    write_episode(fixture_site, "2099-01-01-next", "2099-01-01T19:00:00+00:00", "upcoming", tags=["Later"])
    site_dir = build(fixture_site)
    entries = parse((site_dir / "feeds" / "topics" / "later.xml").read_bytes()).entries
    assert [e.title for e in entries] == ["Chat 2026-01-01-past"]
    assert not (site_dir / "feeds" / "topics" / "Later.xml").exists()


def test_json_feed_matches_schema(built: Path, expected):
    feed = json.loads((built / "feeds" / "feed.json").read_text(encoding="utf-8"))
    jsonschema.validate(feed, json.loads((SCHEMAS / "jsonfeed-1.1.json").read_text()))
    assert len(feed["items"]) == len(expected["published"])
    for item in feed["items"]:
        assert dt.datetime.fromisoformat(item["date_published"]).tzinfo is not None
        assert item["url"].startswith(BASE_FIXTURE)


def atom_validator():
    rng = etree.parse(str(SCHEMAS / "atom.rng"))
    return etree.RelaxNG(rng), rng.findall(f".//{{{SCHEMATRON_NS}}}rule")


def atom_problems(document: etree._ElementTree) -> list[str]:
    """RFC 4287's RELAX NG grammar, plus its Schematron rules (annotations lxml's RELAX NG skips),
    evaluated with XPath exactly as the RFC writes them."""
    schema, rules = atom_validator()
    problems = [] if schema.validate(document) else [str(e) for e in schema.error_log]
    namespaces = {"atom": ATOM_NS}
    for rule in rules:
        for node in document.getroot().xpath("//" + rule.get("context"), namespaces=namespaces):
            for check in rule.findall(f"{{{SCHEMATRON_NS}}}assert"):
                if not node.xpath(check.get("test"), namespaces=namespaces):
                    problems.append(check.text)
    return problems


def test_every_atom_feed_validates_against_rfc4287(built: Path):
    atom_files = [p for p in (built / "feeds").rglob("*.xml") if p.name != "rss.xml"]
    assert len(atom_files) >= 3
    for path in atom_files:
        assert atom_problems(etree.parse(str(path))) == [], path


def test_atom_validation_can_fail(built: Path):
    document = etree.parse(str(built / "feeds" / "atom.xml"))
    entry = document.getroot().find(f"{{{ATOM_NS}}}entry")
    entry.remove(entry.find(f"{{{ATOM_NS}}}id"))  # every entry needs an id
    feed_author = document.getroot().find(f"{{{ATOM_NS}}}author")
    document.getroot().remove(feed_author)  # …and an author, here or in the feed
    problems = atom_problems(document)
    assert any("entry" in p for p in problems)
    assert any("atom:author" in p for p in problems)


# --- ids, order, limits ----------------------------------------------------------------------


def test_entry_ids_come_from_episode_ids_and_survive_a_retitle(fixture_site: Path):
    before = parse(render_feeds(load_site(fixture_site), BASE)["feeds/atom.xml"])
    episode_file = fixture_site / "data" / "episodes" / "2026-03-05-first-jobs" / "episode.yml"
    episode_file.write_text(episode_file.read_text().replace("First jobs <and> what they taught us", "Renamed chat"))
    after = parse(render_feeds(load_site(fixture_site), BASE)["feeds/atom.xml"])
    assert after.entries[0].title == "Renamed chat"
    assert [e.id for e in after.entries] == [e.id for e in before.entries]
    assert "2026-03-05-first-jobs" in after.entries[0].id


def test_feed_items_setting_limits_and_orders_newest_first(fixture_site: Path):
    weeks = [(f"2026-0{m}-0{d}-week", f"2026-0{m}-0{d}T19:00:00+00:00", "published") for m, d in ((1, 1), (1, 8), (2, 5), (2, 3), (1, 5))]
    community_with(fixture_site, weeks)
    set_plugin_options(fixture_site, feed_items=3)
    site_dir = build(fixture_site)
    newest = sorted((w[1] for w in weeks), reverse=True)[:3]
    for name in ("rss.xml", "atom.xml", "topics/later.xml"):
        entries = parse((site_dir / "feeds" / name).read_bytes()).entries
        assert [dt.datetime(*e.published_parsed[:6], tzinfo=dt.UTC) for e in entries] == [dt.datetime.fromisoformat(n) for n in newest], (
            name
        )
    assert len(json.loads((site_dir / "feeds" / "feed.json").read_text())["items"]) == 3


# --- calendar --------------------------------------------------------------------------------


def test_calendar_has_every_chat_with_stable_uids(built: Path, expected):
    calendar = icalendar.Calendar.from_ical((built / "calendar.ics").read_bytes())
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    for content in expected["published"] + expected["upcoming"]:
        event = events[f"{content.episode.id}@fixture.example"]
        assert event.decoded("dtstart") == content.episode.starts_at
        assert str(event["summary"]) == content.episode.title
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_calendar_times_follow_the_schedule_across_daylight_saving(fixture_site: Path):
    # Europe/London moves to BST on 2026-03-29 and back to GMT on 2026-10-25.
    london = ZoneInfo("Europe/London")
    community_with(
        fixture_site,
        [
            ("2026-03-26-before", "2026-03-26T19:00:00+00:00", "published"),
            ("2026-04-02-after", "2026-04-02T19:00:00+01:00", "upcoming"),
        ],
    )
    calendar = icalendar.Calendar.from_ical(render_feeds(load_site(fixture_site), BASE)["calendar.ics"])
    events = {str(e["uid"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    before, after = events["2026-03-26-before"].decoded("dtstart"), events["2026-04-02-after"].decoded("dtstart")
    assert (before.astimezone(london).hour, after.astimezone(london).hour) == (19, 19)
    assert (before.astimezone(dt.UTC).hour, after.astimezone(dt.UTC).hour) == (19, 18)
    assert events["2026-04-02-after"].decoded("dtend") - after == dt.timedelta(minutes=60)

    # The weekly slot after the last chat repeats at 19:00 London time through the autumn change.
    weekly = next(e for k, e in events.items() if k.startswith("schedule-"))
    start = weekly.decoded("dtstart")
    assert start == dt.datetime(2026, 4, 9, 19, 0, tzinfo=london)
    occurrences = list(
        rrulestr(weekly["rrule"].to_ical().decode(), dtstart=start, cache=False).between(
            dt.datetime(2026, 10, 15, tzinfo=london), dt.datetime(2026, 11, 6, tzinfo=london)
        )
    )
    assert [o.astimezone(london).hour for o in occurrences] == [19, 19, 19, 19]
    assert [o.astimezone(dt.UTC).hour for o in occurrences] == [18, 18, 19, 19]

    # The VTIMEZONE itself says when London's offset changes.
    vtimezone = calendar.walk("VTIMEZONE")[0]
    onsets = {(str(sub["tzoffsetto"].to_ical()), sub.decoded("dtstart").date()) for sub in vtimezone.subcomponents}
    assert ("+0100", dt.date(2026, 3, 29)) in onsets and ("+0000", dt.date(2026, 10, 25)) in onsets


# --- determinism, escaping, privacy ----------------------------------------------------------


def test_two_builds_give_byte_identical_feeds(built: Path, tmp_path: Path):
    again = copy_site(FIXTURE_SITE, tmp_path / "again")
    assert feed_files(build(again)) == feed_files(built)


def test_hostile_title_and_message_come_out_escaped(built: Path):
    files = feed_files(built)
    for name in [n for n in files if n.endswith(".xml")]:
        assert b"<script" not in files[name] and b"<and>" not in files[name], name
    atom = parse(files["feeds/atom.xml"]).entries[0]
    assert atom.title == "First jobs <and> what they taught us"
    # feedparser drops real <script> elements; the text survives only because it was escaped.
    assert "&lt;script&gt;alert" in atom.content[0].value
    rss = parse(files["feeds/rss.xml"]).entries[0]
    assert "&lt;script&gt;alert" in rss.content[0].value
    item = json.loads(files["feeds/feed.json"])["items"][0]
    assert "<script" not in item["content_html"] and "&lt;script&gt;alert" in item["content_html"]
    assert item["title"] == "First jobs <and> what they taught us"


def test_redacted_person_is_in_no_feed(built: Path):
    transcript = (FIXTURE_SITE / "data" / "episodes" / "2026-03-05-first-jobs" / "transcript.jsonl").read_text()
    assert "gone_gary" in transcript and "marmalade" in transcript  # else this test proves nothing
    for name, data in feed_files(built).items():
        text = data.decode("utf-8").casefold()
        assert "gone_gary" not in text and "marmalade" not in text, name


# --- links to the feeds ----------------------------------------------------------------------


def test_every_page_links_to_the_feeds_in_its_head(built: Path):
    pages = list(built.rglob("*.html"))
    assert len(pages) > 5 and built / "404.html" in pages
    for page in pages:
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        for path, kind in (("feeds/rss.xml", "rss+xml"), ("feeds/atom.xml", "atom+xml"), ("feeds/feed.json", "feed+json")):
            assert f'type="application/{kind}" href="{BASE_FIXTURE}{path}"' in head, page
    topic_head = (built / "topics" / "careers" / "index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert f'href="{BASE_FIXTURE}feeds/topics/careers.xml"' in topic_head


def test_home_page_links_resolve_to_feed_files(built: Path):
    home = etree.HTML((built / "index.html").read_bytes())
    hrefs = home.xpath('//div[@class="cd-follow"]//a/@href')
    assert len(hrefs) == 5
    for href in hrefs:
        assert (built / href).is_file(), href


# --- configuration errors --------------------------------------------------------------------


def test_missing_site_url_is_one_clear_line(fixture_site: Path):
    config_file = fixture_site / "mkdocs.yml"
    config_file.write_text(config_file.read_text().replace("site_url: https://fixture.example/\n", ""))
    result = CliRunner().invoke(main, ["build", "--root", str(fixture_site)])
    assert result.exit_code == 2, result.output
    assert "site_url" in result.output and "mkdocs.yml" in result.output and "Traceback" not in result.output


def test_feeds_can_be_turned_off(fixture_site: Path):
    config_file = fixture_site / "mkdocs.yml"
    config_file.write_text(config_file.read_text().replace("site_url: https://fixture.example/\n", ""))
    set_plugin_options(fixture_site, feeds=False)
    site_dir = build(fixture_site)
    assert not (site_dir / "feeds").exists() and not (site_dir / "calendar.ics").exists()


def test_calendar_follows_the_schedule_history_and_recorded_ends(fixture_site: Path):
    community_with(
        fixture_site,
        [("2026-03-26-last", "2026-03-26T19:00:00+00:00", "published"), ("2026-04-09-next", "2026-04-09T19:00:00+01:00", "upcoming")],
    )
    path = fixture_site / "data" / "episodes" / "2026-03-26-last" / "episode.yml"
    path.write_text(path.read_text() + "ends_at: 2026-03-26T20:25:00+00:00\n")
    community = fixture_site / "data" / "community.yml"
    data = yaml.safe_load(community.read_text())
    data["schedule"] = [data["schedule"], {"since": dt.date(2026, 4, 1), "cadence": "fortnightly", "duration_minutes": 90}]
    community.write_text(yaml.safe_dump(data))

    def events():
        calendar = icalendar.Calendar.from_ical(render_feeds(load_site(fixture_site), BASE)["calendar.ics"])
        return {str(e["uid"]).split("@")[0]: e for e in calendar.walk("VEVENT")}

    found = events()
    last, upcoming = found["2026-03-26-last"], found["2026-04-09-next"]
    assert last.decoded("dtend") - last.decoded("dtstart") == dt.timedelta(minutes=85)  # as recorded
    assert upcoming.decoded("dtend") - upcoming.decoded("dtstart") == dt.timedelta(minutes=90)  # the schedule then
    recurring = next(e for k, e in found.items() if k.startswith("schedule-"))
    assert recurring.decoded("dtstart").date() == dt.date(2026, 4, 16)  # every other Thursday from 2 April
    assert recurring["rrule"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2"

    data["schedule"].append({"since": dt.date(2026, 5, 1), "hiatus": True})
    community.write_text(yaml.safe_dump(data))
    assert not [k for k in events() if k.startswith("schedule-")]  # on a break: nothing recurring to announce


def test_feeds_say_the_utc_day_when_it_differs_as_pages_do():
    from types import SimpleNamespace

    from generator.feeds import render_when
    from generator.render import times

    evening = dt.datetime(2026, 12, 3, 19, 0, tzinfo=ZoneInfo("America/New_York"))
    ctx = SimpleNamespace(site=SimpleNamespace(timezone=ZoneInfo("America/New_York")))
    assert render_when(ctx, evening) == "Thursday 3 December 2026, 19:00 EST (00:00 Fri 4 Dec UTC)"
    assert times.when(evening, ZoneInfo("Europe/London"), with_utc=True) == "Friday 4 December 2026, 00:00 GMT (00:00 UTC)"
