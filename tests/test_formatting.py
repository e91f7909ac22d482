"""Formatting and media as the readers saw them: each platform's markup becomes spans at import,
spans render through text.py only, images inside an export are kept without their metadata and
published with thumbnails, and opted-out people stay invisible in all of it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, build, copy_site
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html
from PIL import Image

from generator.archive.model import Message, Span
from generator.archive.privacy import REMOVED_MENTION, apply_optouts
from generator.archive.read import read_archive
from generator.build.generate import generate_site
from generator.ingest.importers import markup
from generator.ingest.importing import ImportRequest, import_chat
from generator.render.text import body_html


def spans(converted) -> list[tuple]:
    return [(s.text, s.marks, s.link, s.mention, s.block) for s in converted.spans]


# --- converters --------------------------------------------------------------------------------


def test_slack_mrkdwn_becomes_spans():
    users = {"U1": {"name": "sam"}}
    converted = markup.slack(
        "*Q1* _why_ ~no~ `x&lt;y` <https://e.org/a?b=1&amp;c=2|the list> <@U1> <#C9|general> :tada: a&amp;b 2*3*4",
        users,
        lambda u: u["name"],
    )
    assert converted.text == "Q1 why no x<y the list @sam #general 🎉 a&b 2*3*4"
    assert spans(converted)[:8] == [
        ("Q1", ("bold",), None, None, None),
        (" ", (), None, None, None),
        ("why", ("italic",), None, None, None),
        (" ", (), None, None, None),
        ("no", ("strike",), None, None, None),
        (" ", (), None, None, None),
        ("x<y", ("code",), None, None, None),
        (" ", (), None, None, None),
    ]
    assert ("the list", (), "https://e.org/a?b=1&c=2", None, None) in spans(converted)
    assert ("@sam", (), None, "sam", None) in spans(converted)
    assert converted.mentions == ["sam"] and converted.links == ["https://e.org/a?b=1&c=2"]


def test_slack_code_blocks_and_quotes_are_blocks():
    converted = markup.slack("look:\n```a *not bold*\nb```\n&gt; quoted _it_\nafter", {}, lambda u: u["name"])
    assert ("a *not bold*\nb", (), None, None, "pre") in spans(converted)
    assert ("quoted ", (), None, None, "quote") in spans(converted)
    assert ("it", ("italic",), None, None, "quote") in spans(converted)
    assert converted.text.endswith("after") and "&gt;" not in converted.text


def test_discord_markdown_becomes_spans():
    converted = markup.discord(
        "**b** *i* _j_ __u__ ~~s~~ `c` ||sp|| <@123> <#55> <:parrot:99> [docs](https://e.org) @Kim hi",
        {"123": "sam", "Kim": "nightowl_kim"},
    )
    assert converted.text == "b i j u s c sp @sam #55 :parrot: docs @Kim hi"
    found = spans(converted)
    for expected in [
        ("b", ("bold",), None, None, None),
        ("i", ("italic",), None, None, None),
        ("j", ("italic",), None, None, None),
        ("u", ("underline",), None, None, None),
        ("s", ("strike",), None, None, None),
        ("c", ("code",), None, None, None),
        ("sp", ("spoiler",), None, None, None),
        ("@sam", (), None, "sam", None),
        ("docs", (), "https://e.org", None, None),
        ("@Kim", (), None, "nightowl_kim", None),
    ]:
        assert expected in found


def test_discord_fences_and_quotes():
    converted = markup.discord("> quoted\nplain\n```py\nprint('**x**')\n```", {})
    assert ("quoted\n", (), None, None, "quote") in spans(converted)
    assert ("print('**x**')", (), None, None, "pre") in spans(converted)


def test_telegram_entities_become_spans():
    converted = markup.telegram(
        [
            {"type": "bold", "text": "Q1:"},
            " see ",
            {"type": "text_link", "text": "this", "href": "https://e.org"},
            " ",
            {"type": "mention", "text": "@sam"},
            " ",
            {"type": "pre", "text": "x = 1"},
            {"type": "hashtag", "text": "#tag"},
            {"type": "mention_name", "text": "Lee", "user_id": 42},
        ]
    )
    assert converted.text == "Q1: see this @sam x = 1#tagLee"
    assert spans(converted)[0] == ("Q1:", ("bold",), None, None, None)
    assert ("this", (), "https://e.org", None, None) in spans(converted)
    assert ("@sam", (), None, "@sam", None) in spans(converted)
    assert ("x = 1", (), None, None, "pre") in spans(converted)
    assert ("Lee", (), None, "user42", None) in spans(converted)


def test_mastodon_html_is_sanitised_then_converted():
    html = (
        '<p>Hi <span class="h-card"><a href="https://h.example/@sam" class="u-url mention">@<span>sam</span></a></span> '
        '<strong>bold</strong><script>alert(1)</script> <a href="javascript:alert(2)">bad</a> '
        '<a href="https://h.example/tags/x" class="mention hashtag">#<span>x</span></a></p><p>line<br>two '
        '<a href="https://e.org/long"><span class="invisible">https://</span>e.org/long</a></p>'
    )
    converted = markup.mastodon(html, {"https://h.example/@sam": "sam@h.example"}.get)
    assert converted.text == "Hi @sam bold bad #x\n\nline\ntwo https://e.org/long"
    assert ("@sam", (), None, "sam@h.example", None) in spans(converted)
    assert ("bold", ("bold",), None, None, None) in spans(converted)
    assert all(s.link in (None, "https://e.org/long") for s in converted.spans)  # javascript: dropped by nh3
    assert "alert(1)" not in converted.text


def test_whatsapp_markup_becomes_spans():
    converted = markup.whatsapp("*b* _i_ ~s~ ```m *x*``` 2*3*4 snake_case_name @Sam", ["@Sam"])
    assert converted.text == "b i s m *x* 2*3*4 snake_case_name @Sam"
    found = spans(converted)
    assert ("b", ("bold",), None, None, None) in found
    assert ("m *x*", ("code",), None, None, None) in found
    assert ("@Sam", (), None, "@Sam", None) in found
    assert not any("snake" in s.text and s.marks for s in converted.spans)


def test_plain_message_stores_no_body():
    assert markup.whatsapp("just text https://e.org").body == ()
    assert markup.plain_with_mentions("no mentions here", []) == ()


# --- rendering -----------------------------------------------------------------------------------


def test_body_html_escapes_and_links_only_known_people():
    body = (
        Span(text="<b>", marks=("bold",)),
        Span(text=" @sam", mention="sam"),
        Span(text=" @kim", mention="kim"),
        Span(text=" x", link="javascript:alert(1)"),
        Span(text="a\nb", block="pre"),
    )
    text = "".join(s.text for s in body)
    out = body_html(body, text, lambda handle: "../people/sam/" if handle == "sam" else None)
    assert out.startswith("<strong>&lt;b&gt;</strong>")
    assert '<a class="cd-mention" href="../people/sam/"> @sam</a>' in out
    assert " @kim" in out and "kim</a>" not in out
    assert "javascript" not in out
    assert '<pre class="cd-pre"><code>a&#10;b</code></pre>' in out and "\n" not in out


def test_body_that_does_not_spell_the_text_is_not_used():
    assert body_html((Span(text="other", marks=("bold",)),), "the text", lambda h: None) is None


# --- privacy -------------------------------------------------------------------------------------


def _message(**fields) -> Message:
    return Message(id="1", platform="discord", author="kim", at="2026-03-05T19:05:00Z", **fields)


def test_mention_of_an_opted_out_person_is_neither_linked_nor_named(fixture_site: Path):
    archive = read_archive(fixture_site)
    body = (Span(text="thanks "), Span(text="@Gazza", mention="gone_gary", marks=("bold",)), Span(text="!"))
    content = archive.episodes[0].model_copy(update={"messages": (_message(text="thanks @Gazza!", body=body),)})
    redacted = apply_optouts(archive.model_copy(update={"episodes": (content,)}))
    message = redacted.episodes[0].messages[0]
    assert message.text == f"thanks {REMOVED_MENTION}!"
    assert all(s.mention is None for s in message.body)
    assert "Gazza" not in json.dumps(message.model_dump(mode="json"))


# --- media ---------------------------------------------------------------------------------------


def photo(size=(40, 30), gps=True, fmt="JPEG") -> bytes:
    image = Image.new("RGB", size, (200, 50, 50))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def telegram_export(folder: Path, pictures: dict[str, bytes], at: str = "1772737500") -> Path:
    """A Telegram Desktop export: result.json and photos/, one message per picture."""
    messages = []
    for n, (name, data) in enumerate(pictures.items(), start=1):
        (folder / "photos").mkdir(parents=True, exist_ok=True)
        (folder / "photos" / name).write_bytes(data)
        messages.append(
            {
                "id": n,
                "type": "message",
                "date_unixtime": str(int(at) + n),
                "from": "Hana",
                "from_id": "user1",
                "photo": f"photos/{name}",
                "text": [{"type": "bold", "text": "look"}, " at this"],
            }
        )
    (folder / "result.json").write_text(json.dumps({"name": "g", "type": "public_supergroup", "id": 1, "messages": messages}))
    return folder


def import_into(site: Path, export: Path, episode: str = "2026-03-05-first-jobs"):
    return import_chat(ImportRequest(root=site, path=export, episode=episode, keep_all=True))


def test_images_in_an_export_are_kept_without_metadata(fixture_site: Path, tmp_path: Path):
    export = telegram_export(tmp_path / "export", {"a.jpg": photo(), "b.jpg": photo((30, 60), fmt="PNG")})
    report = import_into(fixture_site, export)
    assert report.media_kept == 2 and any("kept 2 images" in line for line in report.lines())
    kept = sorted((fixture_site / "data" / "media").iterdir())
    assert [p.suffix for p in kept] == sorted([".jpg", ".png"])
    for path in kept:
        data = path.read_bytes()
        assert b"SpyCam" not in data and not Image.open(path).getexif()
    lines = (fixture_site / "data" / "episodes" / "2026-03-05-first-jobs" / "transcript.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines if '"file"' in line]
    assert {(r["media"][0]["width"], r["media"][0]["height"]) for r in records} == {(40, 30), (30, 60)}
    assert all(r["body"][0] == {"text": "look", "marks": ["bold"]} for r in records)
    again = import_into(fixture_site, export)  # the same bytes, the same names: nothing changes
    assert again.added == 0 and again.updated == 0 and sorted((fixture_site / "data" / "media").iterdir()) == kept


def test_media_caps_leave_files_out_and_say_why(fixture_site: Path, tmp_path: Path):
    community = fixture_site / "data" / "community.yml"
    community.write_text(community.read_text() + "media:\n  max_file_mb: 0.002\n")
    export = telegram_export(tmp_path / "export", {"big.jpg": photo((400, 400)), "small.jpg": photo((8, 8))})
    report = import_into(fixture_site, export)
    assert report.media_kept == 1
    assert any("over the 0.002 MB per file" in str(p) and "max_file_mb" in str(p) for p in report.problems)
    community.write_text(community.read_text().replace("max_file_mb: 0.002", "max_chat_mb: 0.0001"))
    other = telegram_export(tmp_path / "other", {"c.jpg": photo((9, 9))}, at="1772737600")
    assert any("over 0.0001 MB" in str(p) for p in import_into(fixture_site, other).problems)


def test_a_path_out_of_the_export_is_never_read(fixture_site: Path, tmp_path: Path):
    (tmp_path / "secret.jpg").write_bytes(photo())
    export = telegram_export(tmp_path / "export", {"a.jpg": photo()})
    data = json.loads((export / "result.json").read_text())
    data["messages"][0]["photo"] = "../secret.jpg"
    (export / "result.json").write_text(json.dumps(data))
    report = import_into(fixture_site, export)
    assert report.media_kept == 0 and not (fixture_site / "data" / "media").exists()


def test_images_are_published_with_thumbnails_and_warm_equals_cold(tmp_path: Path):
    export = telegram_export(tmp_path / "export", {"a.jpg": photo((800, 400)), "b.png": photo((50, 50), fmt="PNG")})
    warm = copy_site(FIXTURE_SITE, tmp_path / "warm")
    build(warm)
    import_into(warm, export)
    build(warm)
    page = (warm / "site" / "episodes" / "2026-03-05-first-jobs" / "index.html").read_text()
    images = lxml_html.fromstring(page).xpath("//a[@class='cd-image']/img")
    assert len(images) == 2
    big = next(i for i in images if i.get("width") == "320")
    assert big.get("height") == "160" and big.get("loading") == "lazy"
    thumb = warm / "site" / "episodes" / "2026-03-05-first-jobs" / big.get("src")
    assert Image.open(thumb).size == (320, 160)
    cold = copy_site(FIXTURE_SITE, tmp_path / "cold")
    import_into(cold, export)
    build(cold)
    for path in sorted((warm / "site" / "media").iterdir()):
        assert path.read_bytes() == (cold / "site" / "media" / path.name).read_bytes(), path.name


def test_a_chat_without_images_publishes_none(fixture_site: Path):
    generate_site(fixture_site)
    assert not (fixture_site / "docs" / "media").exists()


def test_an_opted_out_persons_images_go_with_their_messages(fixture_site: Path, tmp_path: Path):
    from generator.archive.redact import redact

    import_into(fixture_site, telegram_export(tmp_path / "export", {"a.jpg": photo()}))
    kept = list((fixture_site / "data" / "media").iterdir())
    assert len(kept) == 1
    redact(fixture_site, "user1")  # the ledger alone keeps the image off the site
    generate_site(fixture_site)
    assert not (fixture_site / "docs" / "media").exists()
    assert kept[0].exists()
    report = redact(fixture_site, "user1", purge=True)  # purging also deletes it from data/
    assert not kept[0].exists() and kept[0] in report.purged


# --- any text ------------------------------------------------------------------------------------

PIECES = [*"ab _*~`|<>@#:[]()!&;\n", "https://e.org", "&gt;", "```", "||", "<@U1>", "<https://e.org|x>", "<p>", "</p>"]
markup_text = st.lists(st.sampled_from(PIECES), max_size=30).map("".join) | st.text(max_size=40)
ALLOWED = {"strong", "em", "u", "del", "code", "pre", "blockquote", "span", "a", "br"}


@settings(max_examples=200, deadline=None)
@given(markup_text)
def test_every_converter_takes_any_text_and_its_spans_render_to_allowed_markup(text: str):
    results = [
        markup.whatsapp(text, ["@a"]),
        markup.discord(text, {"1": "a", "a": "a"}),
        markup.slack(text, {"U1": {"name": "a"}}, lambda u: u["name"]),
        markup.mastodon(text, lambda href: None),
        markup.telegram([text, {"type": "bold", "text": text}, {"type": "text_link", "text": text, "href": text}]),
    ]
    for converted in results:
        assert converted.text == "".join(s.text for s in converted.spans)
        html = body_html(converted.spans, converted.text, lambda handle: "../people/a/")
        tags = {t.tag for t in lxml_html.fragment_fromstring(f"<div>{html}</div>").iter()} - {"div"}
        assert tags <= ALLOWED, tags
        assert "<script" not in html.lower() and "\n" not in html


SAMPLES = Path(__file__).parent / "samples"


@pytest.mark.parametrize("sample", ["whatsapp/ios_media", "x-archive/careerclub"])
def test_images_of_a_zip_or_archive_folder_are_kept(fixture_site: Path, tmp_path: Path, sample: str):
    source = SAMPLES / sample
    if sample.startswith("whatsapp"):  # WhatsApp's "Export chat" with media makes a zip
        zipped = tmp_path / "WhatsApp Chat.zip"
        with zipfile.ZipFile(zipped, "w") as archive:
            for path in source.iterdir():
                archive.write(path, path.name)
        source = zipped
    report = import_into(fixture_site, source)
    assert report.media_kept == 1
    (kept,) = (fixture_site / "data" / "media").iterdir()
    transcript = (fixture_site / "data" / "episodes" / "2026-03-05-first-jobs" / "transcript.jsonl").read_text()
    assert f'"file": "media/{kept.name}"' in transcript and "tweets_media" not in transcript


def test_check_names_a_missing_kept_image_and_a_stray_file(fixture_site: Path, tmp_path: Path):
    from generator.archive.checks import check_site
    from generator.errors import ProblemsFound

    import_into(fixture_site, telegram_export(tmp_path / "export", {"a.jpg": photo()}))
    check_site(fixture_site)  # valid as imported
    (kept,) = (fixture_site / "data" / "media").iterdir()
    kept.rename(fixture_site / "data" / "media" / "holiday.jpg")
    with pytest.raises(ProblemsFound) as found:
        check_site(fixture_site)
    lines = [str(p) for p in found.value.problems]
    assert any(f"data/media/{kept.name} is missing" in line and "import the export again" in line for line in lines)
    assert any("holiday.jpg" in line and "not made by chatdigest import" in line for line in lines)
