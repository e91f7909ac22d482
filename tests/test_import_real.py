"""Import every real export in ../shared/samples (SOURCES.md says where each came from) and check
message counts, reply links and times against SOURCES.md or against counts made here, directly
from the raw files, independently of the importers.

A user's clone has no ../shared: then these tests skip and say why.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from pathlib import Path

import pytest

from generator.errors import ChatdigestError
from generator.ingest.importers import ImportOptions, detect, read_export

REAL = Path(__file__).resolve().parents[2] / "shared" / "samples"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real sample exports not found at {REAL} (only in the project's workspace)")
UTC = dt.UTC


def read(relpath: str, fmt: str = "auto", **options):
    path = REAL / relpath
    used, result = read_export(path, fmt, ImportOptions(**options))
    return used, result.messages, result.problems


def by_id(messages):
    return {m.id: m for m in messages}


# --- every file is imported or refused with a clear one-line error --------------------------------

EXPECTED_REFUSALS = {
    "mastodon/api_mastodonpy/status_context.json": "no messages",  # {"ancestors": [], "descendants": []}
    "mastodon/api_mastodonpy/status_history.json": "edit history",
    "telegram/innerdvations_personal.json": "personal_chat",  # a private chat (and an empty one)
    "telegram/innerdvations_private_group.json": "private_group",
    "telegram/innerdvations_bot.json": "bot_chat",
    # Mastodon.py's test server posted these two as unlisted: imported only with --include-unlisted
    "mastodon/api_mastodonpy/status_reblog.json": "1 unlisted posts (import them with --include-unlisted)",
    "mastodon/api_mastodonpy/status_with_quote.json": "1 unlisted posts (import them with --include-unlisted)",
    "slack/sev_testarchive.zip": "2 channels with messages",  # they would mix into one chat
    "slack/sev_testarchive": "2 channels with messages",
}
NOT_EXPORTS = (
    "feeds/",
    "slack/sev_testarchive/",
    "twitter/archive_legacy_grailbird_anildash/data/csv/",
    "twitter/archive_legacy_grailbird_anildash/data/js/payload_details.js",
    "twitter/archive_legacy_grailbird_anildash/data/js/tweet_index.js",
)


def real_files() -> list[str]:
    if not REAL.is_dir():
        return []
    files = [p.relative_to(REAL).as_posix() for p in sorted(REAL.rglob("*")) if p.is_file() and p.suffix != ".md"]
    return [f for f in files if not f.startswith(NOT_EXPORTS)] + [
        "slack/sev_testarchive",
        "twitter/archive_2020_dsajgiouawj",
        "twitter/archive_legacy_grailbird_anildash",
    ]


@pytest.mark.parametrize("relpath", real_files())
def test_real_export_imports_or_is_refused_clearly(relpath: str) -> None:
    if relpath in EXPECTED_REFUSALS:
        with pytest.raises(ChatdigestError) as caught:
            read(relpath)
        message = str(caught.value)
        assert EXPECTED_REFUSALS[relpath] in message and str(REAL / relpath) in message and "fix:" in message
        assert "\n" not in message
        return
    _fmt, messages, _ = read(relpath)
    assert messages, relpath
    assert len({m.id for m in messages}) == len(messages)
    assert all(m.at.tzinfo is not None and m.at.utcoffset() == dt.timedelta(0) for m in messages)


# --- Slack ---------------------------------------------------------------------------------------


def test_slack_zip_and_folder_match_sources_counts() -> None:
    # SOURCES.md: enrique 6+6+2+20+9+12+10+18+19 and traveling-sailor 5+3+14+9+14+8+2+1 messages,
    # of which channel_join 4+4 and bot_add 1+1+1 are channel events, not messages.
    stated = (6 + 6 + 2 + 20 + 9 + 12 + 10 + 18 + 19) + (5 + 3 + 14 + 9 + 14 + 8 + 2 + 1) - (4 + 4) - (1 + 1 + 1)
    zipped, folder = [], []
    for channel in ("enrique", "traveling-sailor"):
        fmt_zip, messages, problems = read("slack/sev_testarchive.zip", channel=channel)
        zipped += messages
        fmt_dir, messages, _ = read("slack/sev_testarchive", channel=channel)
        folder += messages
        assert fmt_zip == fmt_dir == "slack"
        assert not problems
    assert len(zipped) == len(folder) == stated == 147
    assert sorted(m.model_dump_json() for m in zipped) == sorted(m.model_dump_json() for m in folder)


def slack_messages_in(folder: Path) -> int:
    """Messages of a channel folder counted from its day files: everything but channel events."""
    events = {"channel_join", "bot_add"}
    return sum(1 for day in folder.glob("*.json") for m in json.loads(day.read_text()) if m.get("subtype") not in events)


def test_slack_export_of_two_channels_is_refused_with_their_counts() -> None:
    with pytest.raises(ChatdigestError) as caught:
        read("slack/sev_testarchive")
    message = str(caught.value)
    for channel in ("enrique", "traveling-sailor"):
        assert f"{channel} ({slack_messages_in(REAL / 'slack/sev_testarchive' / channel)} messages)" in message
    assert "--channel" in message and "\n" not in message


def test_slack_folder_without_channels_json(tmp_path: Path) -> None:
    """Unzipped by hand, the listings lost: the channel folders of day files are enough."""
    import shutil

    export = tmp_path / "export"
    shutil.copytree(REAL / "slack/sev_testarchive", export)
    (export / "channels.json").unlink()
    assert detect(export) == "slack"
    messages = read_export(export, "auto", ImportOptions(channel="enrique"))[1].messages
    assert len(messages) == slack_messages_in(export / "enrique")
    _, with_listing, _ = read("slack/sev_testarchive", channel="enrique")
    assert sorted(m.model_dump_json() for m in messages) == sorted(m.model_dump_json() for m in with_listing)


def test_slack_times_edits_and_channel_pick() -> None:
    raw = json.loads((REAL / "slack/sev_testarchive/traveling-sailor/2016-03-25.json").read_text())
    _, messages, _ = read("slack/sev_testarchive", channel="traveling-sailor")
    ids = by_id(messages)
    assert len(messages) == 5 + 3 + 14 + 9 + 14 + 8 + 2 + 1 - 4 - 1
    for item in raw:
        m = ids[item["ts"]]
        assert m.at == dt.datetime.fromtimestamp(float(item["ts"]), UTC)
        assert (m.edited_at is not None) == ("edited" in item)
    assert any(m.edited_at for m in messages)


# --- Discord -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dcef_example_general", "dcef_example_chill_talk", "dcef_example_thread"])
def test_discord_counts_replies_and_times(name: str) -> None:
    raw = json.loads((REAL / f"discord/{name}.json").read_text())
    _, messages, _ = read(f"discord/{name}.json")
    kept = [m for m in raw["messages"] if m["type"] in ("Default", "Reply")]
    assert len(messages) == len(kept)  # messageCount in the file is not trusted (35 vs 6 in chill talk)
    ids = by_id(messages)
    for item in kept:
        m = ids[item["id"]]
        assert m.at == dt.datetime.fromisoformat(item["timestamp"]).astimezone(UTC)
        if item["type"] == "Reply":
            assert m.reply_to == item["reference"]["messageId"]
    if name == "dcef_example_general":
        assert len(messages) == 35 - 3 - 1  # SOURCES: 35 msgs, 3 joins and 1 ThreadCreated


# --- X -------------------------------------------------------------------------------------------


def test_x_archive_2020_counts_and_replies() -> None:
    text = (REAL / "twitter/archive_2020_dsajgiouawj/data/tweet.js").read_text()
    raw = [item["tweet"] for item in json.loads(text.split("=", 1)[1])]
    fmt, messages, problems = read("twitter/archive_2020_dsajgiouawj")
    assert fmt == "x-archive" and len(messages) == 99  # SOURCES: trimmed to 99 of 1163
    ids = by_id(messages)
    for tweet in raw:
        m = ids[tweet["id_str"]]
        assert m.reply_to == tweet.get("in_reply_to_status_id_str")
        assert m.at == dt.datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y")
        assert "https://t.co/" not in m.text or not tweet["entities"]["urls"]
    assert sum(1 for m in messages if m.reply_to) == sum(1 for t in raw if t.get("in_reply_to_status_id_str"))
    assert any("account.js" in p.message for p in problems)  # the trimmed archive has no account.js


def test_x_grailbird_matches_its_csv() -> None:
    import csv

    rows = list(csv.reader((REAL / "twitter/archive_legacy_grailbird_anildash/data/csv/2009_06.csv").open(newline="")))
    csv_ids = {row[0] for row in rows[1:]}
    _, messages, _ = read("twitter/archive_legacy_grailbird_anildash")
    assert {m.id for m in messages} == csv_ids
    assert all(m.author == "@anildash" for m in messages if not m.text.startswith("RT @"))
    replies = {row[0]: row[1] for row in rows[1:] if row[1]}
    assert {m.id: m.reply_to for m in messages if m.reply_to} == replies


def test_x_api_v2_edits_merge_into_one_message() -> None:
    versions = [read(f"twitter/api_v2_twarc/{n}.jsonl")[1] for n in ("edited_before", "edited_after", "edited")]
    assert all(len(v) == 1 for v in versions)
    assert len({v[0].id for v in versions}) == 1  # before and after the edit: one id
    after = versions[1][0]
    assert after.edited_at is not None


def test_x_api_v2_retweet_and_quote() -> None:
    _, messages, _ = read("twitter/api_v2_twarc/two_tweets.jsonl")
    assert messages[0].text.startswith("RT @bibaigna96: #POIUYTREWQ")
    _, quoted, _ = read("twitter/api_v2_twarc/quoted_edit.jsonl")
    raw = json.loads((REAL / "twitter/api_v2_twarc/quoted_edit.jsonl").read_text().splitlines()[0])
    refs = {r["type"]: r["id"] for r in raw["data"][0].get("referenced_tweets", [])}
    assert quoted[0].quote_of == refs["quoted"]


def test_tags_csv_row() -> None:
    _, messages, _ = read("twitter/tags_csv/tidytags_sample-tweet.csv")
    assert [m.id for m in messages] == ["1219758386436165633"]
    assert messages[0].at == dt.datetime(2020, 1, 21, 23, 7, 15, tzinfo=UTC)  # created_at, not the shifted `time`
    assert messages[0].hashtags == ("AECT19",)


# --- Mastodon ------------------------------------------------------------------------------------


def test_mastodon_visibility_decides_what_is_imported(tmp_path: Path) -> None:
    """The real statuses, each given every visibility in turn: only public (and, with the flag,
    unlisted) posts are imported, and the report counts the rest by reason."""
    raw = json.loads((REAL / "mastodon/api_mastodonpy/public_timeline.json").read_text())
    visibilities = ["public", "unlisted", "private", "direct"]
    for i, status in enumerate(raw):
        status["visibility"] = visibilities[i % 4]
    path = tmp_path / "statuses.json"
    path.write_text(json.dumps(raw))
    public = {s["id"] for s in raw if s["visibility"] == "public"}
    unlisted = {s["id"] for s in raw if s["visibility"] == "unlisted"}
    result = read_export(path, "mastodon", ImportOptions())[1]
    assert {m.id for m in result.messages} == public
    assert dict(result.skipped) == {
        "unlisted posts (import them with --include-unlisted)": 2,
        "followers-only posts (never imported)": 2,
        "direct messages (never imported)": 2,
    }
    result = read_export(path, "mastodon", ImportOptions(include_unlisted=True, include_private=("everyone",)))[1]
    assert {m.id for m in result.messages} == public | unlisted


def test_mastodon_timeline_counts_edits_html() -> None:
    raw = json.loads((REAL / "mastodon/api_mastodonpy/public_timeline.json").read_text())
    _, messages, _ = read("mastodon/api_mastodonpy/public_timeline.json")
    assert len(messages) == len(raw) == 8
    ids = by_id(messages)
    for status in raw:
        m = ids[status["id"]]
        assert (m.edited_at is not None) == bool(status["edited_at"])
        assert "<" not in m.text and "&#39;" not in m.text
    assert ids["117020592137523525"].text == "you can't say that on television"


def test_mastodon_boost_imports_the_boosted_status() -> None:
    raw = json.loads((REAL / "mastodon/api_mastodonpy/status_reblog.json").read_text())
    _, messages, _ = read("mastodon/api_mastodonpy/status_reblog.json", include_unlisted=True)
    assert [m.id for m in messages] == [raw["reblog"]["id"]]


def test_mastodon_quote() -> None:
    raw = json.loads((REAL / "mastodon/api_mastodonpy/status_with_quote.json").read_text())
    _, messages, _ = read("mastodon/api_mastodonpy/status_with_quote.json", include_unlisted=True)
    assert messages[0].quote_of == raw["quote"]["quoted_status"]["id"]


# --- Telegram ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "chat-miner_single_export",
        "innerdvations_bot",
        "innerdvations_private_group",
        "innerdvations_public_channel",
        "innerdvations_public_supergroup",
    ],
)
def test_telegram_counts(name: str) -> None:
    raw = json.loads((REAL / f"telegram/{name}.json").read_text())
    private = (raw["name"],) if raw.get("type") in ("private_group", "bot_chat") else ()
    _, messages, _ = read(f"telegram/{name}.json", include_private=private)
    assert len(messages) == sum(1 for m in raw["messages"] if m.get("type") == "message")


@pytest.mark.parametrize("name", ["innerdvations_private_group", "innerdvations_bot", "innerdvations_personal"])
def test_telegram_private_chat_is_refused_until_named(name: str) -> None:
    raw = json.loads((REAL / f"telegram/{name}.json").read_text())
    with pytest.raises(ChatdigestError) as caught:
        read(f"telegram/{name}.json")
    assert f"--include-private {shlex.quote(raw['name'])}" in str(caught.value)
    with pytest.raises(ChatdigestError):  # another chat's name does not open this one
        read(f"telegram/{name}.json", include_private=("someone else",))
    if raw["messages"]:
        _, messages, _ = read(f"telegram/{name}.json", include_private=(raw["name"].upper(),))
        assert {m.id for m in messages} == {str(m["id"]) for m in raw["messages"] if m["type"] == "message"}


def test_telegram_negative_ids_and_entity_text() -> None:
    _, messages, _ = read("telegram/innerdvations_public_supergroup.json")
    assert [m.id for m in messages] == ["-999678449"]
    _, messages, _ = read("telegram/chat-miner_single_export.json")
    assert messages[1].text == "Link:https://telegram.org/" and messages[1].links == ("https://telegram.org/",)
    assert messages[0].at == dt.datetime.fromtimestamp(1544006350, UTC)


# --- WhatsApp ------------------------------------------------------------------------------------

# counted by hand from each file: message headers minus system lines
WHATSAPP = {
    "chat-miner_test_dateformat1.txt": (7, dt.datetime(2019, 12, 24, 11, 23, tzinfo=UTC)),
    "chat-miner_test_dateformat2.txt": (4, dt.datetime(2019, 9, 24, 23, 30, tzinfo=UTC)),
    "chat-miner_test_dateformat3.txt": (4, dt.datetime(2022, 12, 14, 13, 34, tzinfo=UTC)),
    "chat-miner_test_ddmmyy_24hrs.txt": (7, dt.datetime(2019, 1, 1, 11, 25, tzinfo=UTC)),
    "chat-miner_test_mmddyyyy_12hrs.txt": (7, dt.datetime(2019, 1, 1, 11, 25, tzinfo=UTC)),
    "chat-miner_test_unicode.txt": (3, dt.datetime(2022, 10, 9, 22, 37, tzinfo=UTC)),
    "pustur_short-chat.txt": (3, dt.datetime(2017, 3, 6, 0, 45, tzinfo=UTC)),
    "whatstk_pokemon.txt": (18, dt.datetime(2016, 8, 6, 13, 23, tzinfo=UTC)),
}


@pytest.mark.parametrize("name", sorted(WHATSAPP))
def test_whatsapp_counts_and_first_time(name: str) -> None:
    count, first = WHATSAPP[name]
    fmt, messages, _ = read(f"whatsapp/{name}", timezone="UTC")
    assert fmt == "whatsapp"
    assert len(messages) == count
    ordered = sorted(messages, key=lambda m: m.at)
    assert first in {m.at for m in ordered}
    if name == "pustur_short-chat.txt":
        assert any(m.text == "How are you?\n\nIs everything alright?" for m in messages)  # the empty line survives


# --- IRC -----------------------------------------------------------------------------------------


def said_lines(relpath: str, pattern: str) -> int:
    return sum(1 for line in (REAL / relpath).read_bytes().decode("utf-8", "replace").splitlines() if re.match(pattern, line))


@pytest.mark.parametrize(
    "relpath,pattern",
    [
        ("irc/znc_qtox_20160603.log.txt", r"^\[\d\d:\d\d:\d\d\] (<[^>]+> |\* |-[^-!\s]+- )"),
        ("irc/colabti_2021-04-22.txt", r"^\[\d\d:\d\d\] (<[^>]+> |\* )"),
        ("irc/irclog2html_2005-01-08-test1.log", r"^\S+T\S+\s+(<[^>]+> |\* )"),
        ("irc/irclog2html_sample.log", r"^\S+T\S+\s+(<[^>]+> |\* )"),
    ],
)
def test_irc_counts_and_dates(relpath: str, pattern: str) -> None:
    fmt, messages, _ = read(relpath, timezone="UTC")
    assert fmt == "irc"
    assert len(messages) == said_lines(relpath, pattern)
    if relpath.startswith("irc/znc"):
        assert {m.at.date() for m in messages} == {dt.date(2016, 6, 3)}  # from the file name
        first = min(messages, key=lambda m: m.at)
        assert (first.author, first.at) == ("Luga", dt.datetime(2016, 6, 3, 6, 16, 56, tzinfo=UTC))
    if relpath.endswith("sample.log"):
        assert any(m.text == "š" for m in messages)  # a lone 0x9A byte, read as cp1252


def test_detection_names_every_real_format() -> None:
    assert detect(REAL / "slack/sev_testarchive.zip") == "slack"
    assert detect(REAL / "discord/dcef_example_general.json") == "discord"
    assert detect(REAL / "twitter/api_v2_twarc/two_tweets.jsonl") == "x-api"
    assert detect(REAL / "twitter/tags_csv/tidytags_sample-tweet.csv") == "tags-csv"
    assert detect(REAL / "mastodon/api_mastodonpy/public_timeline.json") == "mastodon"
    assert detect(REAL / "telegram/innerdvations_bot.json") == "telegram"
    assert detect(REAL / "whatsapp/whatstk_pokemon.txt") == "whatsapp"
    assert detect(REAL / "irc/colabti_2021-04-22.txt") == "irc"
    assert detect(REAL / "twitter/archive_legacy_grailbird_anildash") == "x-archive"


# --- X: protected accounts, community tweets, direct messages, the owner from account.js --------


def test_x_api_v2_protected_author_is_skipped_unless_named(tmp_path: Path) -> None:
    pages = [json.loads(line) for line in (REAL / "twitter/api_v2_twarc/two_tweets.jsonl").read_text().splitlines() if line.strip()]
    _, public, _ = read("twitter/api_v2_twarc/two_tweets.jsonl")
    author = pages[0]["data"][0]["author_id"]
    handle = next(f"@{u['username']}" for p in pages for u in p["includes"]["users"] if u["id"] == author)
    for page in pages:
        for user in page["includes"]["users"]:
            user["protected"] = user["id"] == author
    path = tmp_path / "protected.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in pages))
    result = read_export(path, "x-api", ImportOptions())[1] if any(m.author != handle for m in public) else None
    if result is None:  # every tweet is the protected author's: nothing is left to import
        with pytest.raises(ChatdigestError, match="protected account"):
            read_export(path, "x-api", ImportOptions())
    else:
        assert {m.author for m in result.messages} == {m.author for m in public} - {handle}
        assert sum(result.skipped.values()) == sum(1 for m in public if m.author == handle)
    named = read_export(path, "x-api", ImportOptions(include_private=(handle,)))[1]
    assert sorted(m.id for m in named.messages) == sorted(m.id for m in public)


def test_x_grailbird_protected_account_is_skipped_unless_named(tmp_path: Path) -> None:
    import shutil

    archive = tmp_path / "archive"
    shutil.copytree(REAL / "twitter/archive_legacy_grailbird_anildash", archive)
    tweets = archive / "data/js/tweets/2009_06.js"
    head, body = tweets.read_text().split("=", 1)
    items = json.loads(body)
    assert {t["user"]["screen_name"] for t in items} == {"anildash"}  # his own archive: every tweet is his
    for tweet in items:
        tweet["user"]["protected"] = True
    tweets.write_text(head + "= " + json.dumps(items))
    with pytest.raises(ChatdigestError) as caught:
        read_export(archive, "x-archive", ImportOptions())
    assert f"{len(items)} tweets of the protected account @anildash" in str(caught.value)
    assert "--include-private @anildash" in str(caught.value)
    _, everything, _ = read("twitter/archive_legacy_grailbird_anildash")
    named = read_export(archive, "x-archive", ImportOptions(include_private=("@AnilDash",)))[1]
    assert sorted(m.id for m in named.messages) == sorted(m.id for m in everything)


ACCOUNT_JS = """window.YTD.account.part0 = [ {
  "account" : {
    "email" : "owner@example.org",
    "createdVia" : "web",
    "username" : "dsajgiouawj",
    "accountId" : "1234567890",
    "createdAt" : "2019-03-01T10:00:00.000Z",
    "accountDisplayName" : "The Owner"
  }
} ]
"""


def test_x_archive_2020_owner_from_account_js(tmp_path: Path) -> None:
    """The trimmed real archive lacks account.js; beside it, the owner's handle and name are used."""
    import shutil

    archive = tmp_path / "archive"
    shutil.copytree(REAL / "twitter/archive_2020_dsajgiouawj", archive)
    (archive / "data/account.js").write_text(ACCOUNT_JS)
    result = read_export(archive, "auto", ImportOptions())[1]
    assert len(result.messages) == 99 and not result.problems
    assert {(m.author, m.author_name) for m in result.messages} == {("@dsajgiouawj", "The Owner")}
    assert all(m.permalink.startswith("https://x.com/dsajgiouawj/status/") for m in result.messages)
    single = read_export(archive / "data/tweet.js", "x-archive", ImportOptions())[1]  # account.js found beside it
    assert {m.author for m in single.messages} == {"@dsajgiouawj"}


def test_x_archive_reads_community_and_deleted_tweets_beside_tweets(tmp_path: Path) -> None:
    """tweets.js, community-tweet.js and deleted-tweets.js of one archive: all three are read."""
    import shutil

    archive = tmp_path / "archive"
    shutil.copytree(REAL / "twitter/archive_2020_dsajgiouawj", archive)
    (archive / "data/account.js").write_text(ACCOUNT_JS)
    head, body = (archive / "data/tweet.js").read_text().split("=", 1)
    items = json.loads(body)
    community, deleted, kept = items[:3], items[3:5], items[5:]
    for item in community:
        item["tweet"].update(
            {"community_id": "1611684946967412736", "community_id_str": "1611684946967412736", "scopes": {"followers": False}}
        )
    for item in deleted:
        item["tweet"]["deleted_at"] = item["tweet"]["created_at"]
    (archive / "data/tweet.js").write_text(head + "= " + json.dumps(kept))
    (archive / "data/community-tweet.js").write_text("window.YTD.community_tweet.part0 = " + json.dumps(community))
    (archive / "data/deleted-tweets.js").write_text("window.YTD.deleted_tweets.part0 = " + json.dumps(deleted))
    messages = by_id(read_export(archive, "auto", ImportOptions())[1].messages)
    assert len(messages) == 99
    assert all(not messages[i["tweet"]["id_str"]].deleted for i in community + kept)
    assert all(messages[i["tweet"]["id_str"]].deleted and not messages[i["tweet"]["id_str"]].text for i in deleted)


def test_x_archive_direct_messages_only_when_named() -> None:
    sample = Path(__file__).parent / "samples/x-archive/community"
    result = read_export(sample, "x-archive", ImportOptions())[1]
    assert not any(m.id.startswith("18800000000000002") for m in result.messages)
    named = read_export(sample, "x-archive", ImportOptions(include_private=("1001-2002",)))[1]
    dms = {m.id: m for m in named.messages if m.id in ("1880000000000000201", "1880000000000000202")}
    assert dms["1880000000000000202"].author == "@lee_writes" and dms["1880000000000000201"].author == "1001"
    assert dms["1880000000000000202"].text == "sure & here are my notes https://example.org/my-notes"
    assert "1880000000000000301" not in {m.id for m in named.messages}  # the group DM was not named
    with pytest.raises(ChatdigestError, match="--include-private 1001-2002"):
        read_export(sample / "data/direct-messages.js", "x-archive", ImportOptions())


@pytest.mark.parametrize("action", ["Protect", "Unprotect"])
def test_x_archive_tweets_posted_while_protected_are_skipped(tmp_path: Path, action: str) -> None:
    """protected-history.js as X writes it: a Protect (or an Unprotect, so protected before it)
    halfway through the real archive's tweets."""
    import shutil

    archive = tmp_path / "archive"
    shutil.copytree(REAL / "twitter/archive_2020_dsajgiouawj", archive)
    (archive / "data/account.js").write_text(ACCOUNT_JS)
    _, everything, _ = read("twitter/archive_2020_dsajgiouawj")
    times = sorted(m.at for m in everything)
    cut = times[len(times) // 2]
    (archive / "data/protected-history.js").write_text(
        'window.YTD.protected_history.part0 = [ {\n  "protectedHistory" : {\n'
        f'    "protectedAt" : "{cut:%Y-%m-%dT%H:%M:%S}.000Z",\n    "action" : "{action}"\n  }}\n}} ]\n'
    )
    result = read_export(archive, "x-archive", ImportOptions())[1]
    hidden = {m.id for m in everything if (m.at >= cut) == (action == "Protect")}
    assert hidden and {m.id for m in result.messages} == {m.id for m in everything} - hidden
    assert result.skipped == {
        "tweets posted while the account @dsajgiouawj was protected (private; to import it, name it with --include-private @dsajgiouawj)": len(
            hidden
        )
    }
    named = read_export(archive, "x-archive", ImportOptions(include_private=("@dsajgiouawj",)))[1]
    assert len(named.messages) == len(everything)
