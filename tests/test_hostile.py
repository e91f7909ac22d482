"""Hostile text stays text: the strings in tests/hostile/corpus.json, put in every field a stranger
can write, build into a site whose article HTML holds only allowed elements, attributes and link
schemes, and which runs no script and opens no dialog in a real browser."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import markdown
import pytest
import yaml
from conftest import FIXTURE_SITE, copy_site
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from generator.archive.read import read_archive
from generator.build.commands import build_site
from generator.render.text import clean_text, inline_md, rich_html, text_html

CORPUS: dict[str, str] = json.loads((Path(__file__).parent / "hostile" / "corpus.json").read_text(encoding="utf-8"))
RAW_STRINGS = list(CORPUS.values())
REPO = Path(__file__).parent.parent
CHUNK = 8  # corpus strings per episode: titles, tags and questions rotate through the corpus

# What may appear inside the article (.md-content): what our pages, Python-Markdown with the
# extensions in mkdocs.yml and the theme produce for safe content, and nothing else.
ALLOWED_TAGS = {
    "article",
    "div",
    "section",
    "nav",
    "p",
    "span",
    "a",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
    "del",
    "u",
    "sup",
    "sub",
    "small",
    "time",
    "aside",
    "details",
    "summary",
    # inline SVG charts and theme icons: drawing elements only, no <script>, <use>, <foreignObject>
    "svg",
    "g",
    "line",
    "rect",
    "text",
    "path",
    "circle",
    "polyline",
    "polygon",
    "title",
    "desc",
    "tspan",
}
ALLOWED_ATTRIBUTES = {
    "class",
    "id",
    "title",
    "dir",
    "hidden",
    "rel",
    "href",
    "role",
    "aria-label",
    "aria-hidden",
    "lang",
    "data-md-component",
    "datetime",
    "open",
    "colspan",
    "rowspan",
    "scope",
    "viewbox",
    "width",
    "height",
    "xmlns",
    "transform",
    "x",
    "y",
    "x1",
    "x2",
    "y1",
    "y2",
    "d",
    "fill",
    "stroke",
    "stroke-width",
    "dy",
    "dx",
    "font-family",
    "font-size",
    "text-anchor",
    "cx",
    "cy",
    "r",
    "points",
    "opacity",
}
ALLOWED_STYLE = re.compile(r"^text-align:\s*(left|right|center);?$")  # Markdown table alignment
SAFE_SCHEMES = {"", "http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def href_scheme(href: str) -> str:
    """The scheme a browser would see: it ignores ASCII whitespace and control characters."""
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", href).lower()
    match = _SCHEME.match(squeezed)
    return match.group(1) if match else ""


def unsafe_markup(fragment_root) -> list[str]:
    """Every element, attribute or link under `fragment_root` outside the allowed set."""
    found = []
    for element in fragment_root.iter():
        if not isinstance(element.tag, str):
            continue  # comments (lxml keeps them as nodes) are inert; their text is checked below
        tag = element.tag.split("}")[-1].lower()
        if tag not in ALLOWED_TAGS:
            found.append(f"element <{tag}>")
        for name, value in element.attrib.items():
            name = name.split("}")[-1].lower()
            if name == "style" and tag in ("td", "th") and ALLOWED_STYLE.match(value.strip()):
                continue
            if name not in ALLOWED_ATTRIBUTES:
                found.append(f"attribute {name}= on <{tag}>")
            if name == "href" and href_scheme(value) not in SAFE_SCHEMES:
                found.append(f"link {value[:60]!r}")
    return found


# --- a community made of hostile strings -------------------------------------------------------


STRINGS = [s.encode("utf-8", "replace").decode("utf-8") for s in RAW_STRINGS]


def _strings(start: int, count: int) -> list[str]:
    return [STRINGS[(start + i) % len(STRINGS)] for i in range(count)]


def _encodable(text: str) -> str:
    # data/ files are UTF-8, which cannot hold an unpaired surrogate (config reports a \ud800
    # escape as a problem, tested below); the render tests at the end feed them in directly.
    return text.encode("utf-8", "replace").decode("utf-8")


def _message(number: int, text: str, author: str, name: str, reply_to: str | None) -> dict:
    text, author, name = _encodable(text), _encodable(author), _encodable(name)
    return {
        "id": str(number),
        "platform": "x",
        "author": author.strip() or "@blank",
        "author_name": name,
        "at": f"2026-01-01T19:{number // 60 % 60:02d}:{number % 60:02d}Z",
        "text": text,
        "reply_to": reply_to,
        "links": [text],
        "mentions": [author],
        "hashtags": [text],
        "permalink": text,
        "media": [{"url": text, "kind": "image", "alt": name}],
    }


def make_hostile_community(root: Path) -> Path:
    copy_site(FIXTURE_SITE, root)  # the fixture's theme and config, with hostile data
    data = root / "data"
    shutil.rmtree(data)
    (data / "episodes").mkdir(parents=True)
    dump = lambda value: yaml.safe_dump(value, allow_unicode=False, sort_keys=False, width=1 << 20)  # noqa: E731
    (data / "community.yml").write_text(
        dump(
            {
                "name": STRINGS[0],
                "description": STRINGS[1],
                "schedule": {"weekday": "thursday", "time": "19:00", "timezone": "UTC"},
            }
        )
    )
    people = [
        {"id": f"p{i}", "name": s.strip() or "blank", "bio": s, "handles": {"x": [f"@p{i}", s.strip() or "@b"]}}
        for i, s in enumerate(STRINGS)
    ]
    (data / "people.yml").write_text(dump({"people": people[:CHUNK]}))
    episodes = range(0, len(STRINGS), CHUNK)
    for n, start in enumerate(episodes):
        day = f"2026-01-{n + 1:02d}"
        folder = data / "episodes" / f"{day}-hostile-{n}"
        folder.mkdir()
        messages = [
            _message(start * 10 + i, s, _strings(start + i, 2)[1], _strings(start + i, 3)[2], None if i == 0 else str(start * 10 + i - 1))
            for i, s in enumerate(STRINGS)
        ]
        (folder / "transcript.jsonl").write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in messages), encoding="utf-8")
        (folder / "preview.md").write_text(_encodable("\n\n".join(STRINGS)), encoding="utf-8")
        title, summary, *rest = _strings(start, CHUNK)
        (folder / "episode.yml").write_text(
            dump(
                {
                    "title": title.strip() or "blank",
                    "starts_at": f"{day}T19:00:00+00:00",
                    "status": "upcoming" if n == len(episodes) - 1 else "published",
                    "tags": [t for t in rest if t.strip()],
                    "hosts": ["p0"],
                    "guests": [f"p{n % CHUNK}"],
                    "questions": _strings(start + 3, CHUNK),
                    "summary": summary,
                    "highlights": [str(start * 10 + i) for i in range(3)],
                    "preview": {"url": STRINGS[(start + 5) % len(STRINGS)], "title": title, "author": summary},
                    "recap": {"url": "https://blog.example/recap", "title": rest[0]},
                }
            )
        )
    add_converted_chats(data, tmp := root / "exports")
    shutil.rmtree(tmp)
    return root


# --- the same strings through every platform's markup converter -----------------------------------


def _slack_export(folder: Path) -> None:
    users = [{"id": f"U{i}", "name": s or "blank", "profile": {"display_name": s}} for i, s in enumerate(STRINGS[:CHUNK])]
    day = [
        {
            "type": "message",
            "user": f"U{i % CHUNK}",
            "ts": f"{1767294000 + i}.000100",
            "text": f"*{s}* _{s}_ ~{s}~ `{s}` <{s}|{s}> <https://e.org/?{i}|{s}> <@U{(i + 1) % CHUNK}> <#C1|{s}> :{s}:\n```{s}```\n&gt; {s}",
        }
        for i, s in enumerate(STRINGS)
    ]
    (folder / "chat").mkdir(parents=True)
    (folder / "users.json").write_text(json.dumps(users))
    (folder / "channels.json").write_text(json.dumps([{"id": "C1", "name": "chat"}]))
    (folder / "chat" / "2026-01-01.json").write_text(json.dumps(day))


def _discord_export(folder: Path) -> None:
    messages = [
        {
            "id": str(900 + i),
            "type": "Default",
            "timestamp": f"2026-01-01T19:{i // 60:02d}:{i % 60:02d}+00:00",
            "content": f"**{s}** *{s}* __{s}__ ~~{s}~~ ||{s}|| `{s}` [{s}]({s}) [x](https://e.org/{i}) <@{i % CHUNK}> <:{s}:1> @{s}\n> {s}\n```\n{s}\n```",
            "author": {"id": str(i % CHUNK), "name": s or "blank", "nickname": s},
            "mentions": [{"id": str(i % CHUNK), "name": STRINGS[i % CHUNK] or "blank", "nickname": s}],
            "attachments": [{"id": "1", "url": s, "fileName": s, "fileSizeBytes": 1}],
        }
        for i, s in enumerate(STRINGS)
    ]
    folder.mkdir(parents=True)
    (folder / "chat.json").write_text(json.dumps({"guild": {"id": "1"}, "channel": {"id": "2", "name": "chat"}, "messages": messages}))


def _telegram_export(folder: Path) -> None:
    entities = ["bold", "italic", "underline", "strikethrough", "code", "pre", "spoiler", "blockquote", "link", "email", "hashtag"]
    messages = [
        {
            "id": i + 1,
            "type": "message",
            "date_unixtime": str(1767294000 + i),
            "from": s,
            "from_id": f"user{i % CHUNK}",
            "text": [s, *({"type": kind, "text": s} for kind in entities)]
            + [
                {"type": "text_link", "text": s, "href": s},
                {"type": "mention", "text": s},
                {"type": "mention_name", "text": s, "user_id": i},
            ],
            "photo": s,
        }
        for i, s in enumerate(STRINGS)
    ]
    folder.mkdir(parents=True)
    (folder / "result.json").write_text(json.dumps({"name": "chat", "messages": messages}))


def _mastodon_export(folder: Path) -> None:
    statuses = [
        {
            "id": str(700 + i),
            "created_at": f"2026-01-01T19:{i // 60:02d}:{i % 60:02d}Z",
            "content": f'{s}<p><strong>{s}</strong> <a href="{s}" class="u-url mention">{s}</a> <a href="https://e.org/{i}">{s}</a></p><blockquote>{s}</blockquote><pre>{s}</pre>',
            "visibility": "public",
            "account": {"acct": f"p{i % CHUNK}@h.example", "display_name": s},
            "mentions": [{"acct": f"p{(i + 1) % CHUNK}@h.example", "url": s}],
            "media_attachments": [{"type": "image", "url": s, "description": s}],
        }
        for i, s in enumerate(STRINGS)
    ]
    folder.mkdir(parents=True)
    (folder / "statuses.json").write_text(json.dumps(statuses))


def _whatsapp_export(folder: Path) -> None:
    lines = [
        f"01/01/2026, 19:{i // 60:02d}:{i % 60:02d} - P{i % CHUNK}: *{s}* _{s}_ ~{s}~ ```{s}``` @p{(i + 1) % CHUNK}"
        for i, s in enumerate(STRINGS)
    ]
    folder.mkdir(parents=True)
    (folder / "chat.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _x_export(folder: Path) -> None:
    tweets = [
        {
            "tweet": {
                "id_str": str(800 + i),
                "created_at": f"Thu Jan 01 19:{i // 60:02d}:{i % 60:02d} +0000 2026",
                "full_text": f"@p{(i + 1) % CHUNK} {s} https://t.co/{i}",
                "entities": {
                    "user_mentions": [{"screen_name": f"p{(i + 1) % CHUNK}"}],
                    "urls": [{"url": f"https://t.co/{i}", "expanded_url": s}],
                },
            }
        }
        for i, s in enumerate(STRINGS)
    ]
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps(tweets))
    account = [{"account": {"username": "p0", "accountDisplayName": STRINGS[0]}}]
    (folder / "data" / "account.js").write_text("window.YTD.account.part0 = " + json.dumps(account))


CONVERTED = {
    "slack": _slack_export,
    "discord": _discord_export,
    "telegram": _telegram_export,
    "mastodon": _mastodon_export,
    "whatsapp": _whatsapp_export,
    "x-archive": _x_export,
}


def add_converted_chats(data: Path, exports: Path) -> None:
    """One chat per platform, imported by its importer from an export whose every markup
    construct holds each hostile string."""
    from generator.archive.write import render_transcript
    from generator.ingest.importers import ImportOptions, read_export

    for n, (fmt, write_export) in enumerate(CONVERTED.items()):
        write_export(exports / fmt)
        _, result = read_export(exports / fmt, fmt, ImportOptions(timezone="UTC"))
        assert sum(1 for m in result.messages if m.body) > len(STRINGS) // 2, fmt  # the converter really ran
        day = f"2026-02-{n + 1:02d}"
        folder = data / "episodes" / f"{day}-converted-{fmt}"
        folder.mkdir()
        (folder / "transcript.jsonl").write_text(render_transcript(result.messages), encoding="utf-8")
        (folder / "episode.yml").write_text(
            yaml.safe_dump({"title": f"Converted from {fmt}", "starts_at": f"{day}T19:00:00+00:00", "highlights": [result.messages[1].id]})
        )


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = make_hostile_community(tmp_path_factory.mktemp("hostile") / "site")
    read_archive(root)  # the community itself must be valid data, or the test proves nothing
    build_site(root, strict=True)
    return root / "site"


def built_pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def test_hostile_community_builds_pages_for_every_kind_of_field(hostile_site: Path):
    pages = built_pages(hostile_site)
    assert len(pages) > 20
    for fmt in CONVERTED:  # the converted chats' pages show formatting made from hostile text
        page = next(p for p in pages if f"converted-{fmt}" in p.as_posix()).read_text(encoding="utf-8")
        assert '<div class="cd-text"' in page, fmt
    assert any("/topics/" in p.as_posix() for p in pages) and any("/people/" in p.as_posix() for p in pages)
    for path in hostile_site.rglob("*"):
        assert path.resolve().is_relative_to(hostile_site.resolve())


@pytest.mark.parametrize("part", ["article", "document"])
def test_built_html_holds_only_allowed_markup(hostile_site: Path, part: str):
    problems = []
    for page in built_pages(hostile_site):
        root = lxml_html.parse(str(page)).getroot()
        if part == "article":
            for content in root.find_class("md-content"):
                problems += [f"{page.relative_to(hostile_site)}: {p}" for p in unsafe_markup(content)]
        else:
            problems += [f"{page.relative_to(hostile_site)}: {p}" for p in _document_problems(root)]
    assert problems == [], "\n".join(problems[:30])


def _document_problems(root) -> list[str]:
    """Outside the article too: no event handler anywhere, only the theme's own scripts."""
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        found += [f"attribute {a} on <{element.tag}>" for a in element.attrib if a.lower().startswith("on")]
        for name in ("href", "src", "action", "content"):
            value = element.get(name)
            if value is not None and name != "content" and href_scheme(value) not in SAFE_SCHEMES:
                found.append(f"{name}={value[:60]!r} on <{element.tag}>")
        refresh = element.tag == "meta" and element.get("http-equiv", "").lower() == "refresh"
        if element.tag in ("iframe", "object", "embed", "base") or refresh or element.get("action") is not None:
            found.append(f"element <{element.tag}>")  # the theme's own search <form> has no action
        if element.tag == "script" and ("__pwned" in (element.text or "") or "alert(" in (element.text or "")):
            found.append("inline script carrying a payload")
        if element.tag == "script" and href_scheme(element.get("src", "")) not in ("",):
            found.append(f"external script {element.get('src')}")
    return found


def test_hostile_text_is_shown_as_text(hostile_site: Path):
    """Escaping must not eat the words: the payloads appear as visible characters."""
    episode = next(p for p in built_pages(hostile_site) if "/episodes/" in p.as_posix())
    text = lxml_html.parse(str(episode)).getroot().text_content()
    for needle in ("<script>", "javascript:alert(10)", "{{ config.site_name }}", "<img src=x onerror="):
        assert needle in text, needle


def script_runs(browser, base: str, pages: list[str], search: str = "") -> list[str]:
    """Pages (by URL) on which a dialog opened or a payload set window.__pwned."""
    context = browser.new_context()
    # Nothing may leave the machine; a payload's external request would fail anyway.
    context.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
    page = context.new_page()
    found: list[str] = []
    page.on("dialog", lambda dialog: (found.append(f"dialog on {page.url}: {dialog.message}"), dialog.dismiss()))
    for path in pages:
        page.goto(base + path, wait_until="load")
        page.mouse.move(200, 300)  # hover handlers, if any slipped through, fire on movement
        if page.evaluate("() => window.__pwned !== undefined"):
            found.append(f"script ran on {page.url}")
    if search:
        page.goto(base, wait_until="load")
        box = page.locator("input.md-search__input, input[type=search]").first
        if box.count():
            box.fill(search)
            page.wait_for_timeout(1500)  # results render asynchronously in a worker
            if page.evaluate("() => window.__pwned !== undefined"):
                found.append("script ran from search results")
    context.close()
    return found


@pytest.mark.browser
def test_hostile_site_runs_no_script_in_chromium(hostile_site: Path, serve, browser):
    pages = [p.relative_to(hostile_site).as_posix() for p in built_pages(hostile_site)]
    assert script_runs(browser, serve(hostile_site), pages, search="script alert pwned") == []


@pytest.mark.browser
def test_browser_check_sees_a_payload_that_runs(tmp_path: Path, serve, browser):
    """The check above can fail: unescaped payloads are caught, one per way of running."""
    (tmp_path / "alert.html").write_text(CORPUS["img_onerror"])
    (tmp_path / "flag.html").write_text(CORPUS["svg_onload"])
    (tmp_path / "safe.html").write_text(text_html(CORPUS["script_tag"]))
    found = script_runs(browser, serve(tmp_path), ["alert.html", "flag.html", "safe.html"])
    assert len(found) == 3 and "safe.html" not in " ".join(found)


def test_transcript_with_unpaired_surrogate_is_a_problem_not_a_crash(fixture_site: Path):
    from generator.errors import ProblemsFound

    transcript = fixture_site / "data" / "episodes" / "2026-03-05-first-jobs" / "transcript.jsonl"
    transcript.write_text(
        transcript.read_text() + '{"id": "9", "platform": "x", "author": "a", "at": "2026-03-05T19:00:00Z", "text": "\\ud800"}\n'
    )
    with pytest.raises(ProblemsFound) as caught:
        read_archive(fixture_site)
    assert "transcript.jsonl:13" in str(caught.value)


# --- render functions through Python-Markdown, with any text ----------------------------------


def _markdown_extensions() -> list:
    """The Markdown extensions the demo and fixture sites configure, as MkDocs would load them."""
    names: dict[str, None] = {}
    for config_file in (REPO / "mkdocs.yml", FIXTURE_SITE / "mkdocs.yml"):
        config = yaml.load(config_file.read_text(), Loader=yaml.BaseLoader)  # mkdocs.yml may hold !!python tags
        names.update(dict.fromkeys(next(iter(e)) if isinstance(e, dict) else e for e in config.get("markdown_extensions", [])))
    return list(names)


EXTENSIONS = _markdown_extensions()
hostile_text = st.one_of(
    st.sampled_from(RAW_STRINGS),
    st.text(),
    st.lists(
        st.sampled_from(
            RAW_STRINGS + ["\n", " ", "`", "[", "]", "(", ")", "<", ">", "!", "#", "|", "{", "}", ":", "-", "*", "_", "&", ";", "\\"]
        ),
        max_size=25,
    ).map("".join),
)


def _page_for(text: str) -> str:
    """The contexts pages.py puts untrusted text in: headings, list items, table cells, link
    labels, raw HTML blocks and editor Markdown."""
    line = inline_md(text)
    return (
        f"# {line}\n\n- {line}\n\n| a | b |\n|---|---|\n| {line} | x |\n\n[{line}](page.md)\n\n"
        f'<div class="cd-msg">\n<p class="cd-text">{text_html(text)}</p>\n</div>\n\n'
        f'<div class="cd-preview">\n{rich_html(text)}\n</div>\n'
    )


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_any_text_converts_to_allowed_markup_only(text: str):
    converted = markdown.markdown(_page_for(text), extensions=EXTENSIONS)
    root = lxml_html.fragment_fromstring(converted, create_parent="div")
    assert unsafe_markup(root) == []
    assert not any(a.lower().startswith("on") for e in root.iter() if isinstance(e.tag, str) for a in e.attrib)


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_inline_md_shows_exactly_the_text(text: str):
    """A heading made by inline_md reads as the text itself: no markup, nothing lost."""
    converted = markdown.markdown(f"# {inline_md(text)}", extensions=EXTENSIONS)
    expected = " ".join(clean_text(text).split())
    if expected:
        assert lxml_html.fragment_fromstring(converted).text_content() == expected


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_text_html_shows_exactly_the_text(text: str):
    converted = markdown.markdown(f'<div class="x">\n<p>{text_html(text)}</p>\n</div>', extensions=EXTENSIONS)
    shown = lxml_html.fragment_fromstring(converted).text_content()
    expected = clean_text(text).replace("\r\n", "\n").replace("\n", "").replace("\t", " ")
    assert shown.replace("\n", "") == expected.replace("\r", "")


# --- inputs far larger than expected: refused with a clear message, never loaded whole ----------


def _sparse(path: Path, size: int) -> None:
    """A file of `size` bytes that takes no disk space (holes read as zero bytes)."""
    with path.open("r+b" if path.exists() else "wb") as handle:
        handle.truncate(size)


def test_huge_transcript_is_refused_without_reading_it(fixture_site: Path):
    from generator.errors import ProblemsFound

    transcript = fixture_site / "data" / "episodes" / "2026-03-05-first-jobs" / "transcript.jsonl"
    _sparse(transcript, 3 * 2**30)
    with pytest.raises(ProblemsFound) as caught:
        read_archive(fixture_site)
    assert "transcript.jsonl: file is 3.0 GB, over the 512.0 MB limit" in str(caught.value)


def test_huge_yaml_file_is_refused(fixture_site: Path):
    from generator.errors import ProblemsFound

    _sparse(fixture_site / "data" / "people.yml", 100 * 2**20)
    with pytest.raises(ProblemsFound, match=r"people\.yml: file is 100\.0 MB, over the 16\.0 MB limit"):
        read_archive(fixture_site)


def test_ten_megabyte_message_is_a_problem_on_its_line_and_streamed(fixture_site: Path):
    import tracemalloc

    from generator.archive.read import _Reader, read_messages

    transcript = fixture_site / "data" / "episodes" / "2026-03-05-first-jobs" / "transcript.jsonl"
    lines = transcript.read_text().splitlines(keepends=True)
    huge = json.dumps({"id": "big", "platform": "x", "author": "a", "at": "2026-03-05T19:00:00Z", "text": "x" * (10 * 2**20)})
    transcript.write_text("".join(lines[:2]) + huge + "\n" + "".join(lines[2:]))
    reader = _Reader(fixture_site)
    tracemalloc.start()
    messages = read_messages(reader, transcript)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [str(p) for p in reader.problems] == [
        f"{transcript.relative_to(fixture_site)}:3: line is longer than 1.0 MB (a chat message is never this long) (fix: remove the line, or import the chat again)"
    ]
    assert len(messages) == len(lines)  # every other line still read
    assert peak < 5 * 2**20, f"peak {peak / 2**20:.1f} MB: the 10 MB line was held in memory"


def test_transcript_line_breaks_inside_json_strings_are_not_line_ends(fixture_site: Path):
    """U+2028, U+0085 and a bare CR may sit inside a JSON string; only \\n ends a line."""
    from generator.archive.read import _Reader, read_messages

    transcript = fixture_site / "data" / "episodes" / "2026-03-05-first-jobs" / "transcript.jsonl"
    line = json.dumps(
        {"id": "ls", "platform": "x", "author": "a", "at": "2026-03-05T19:00:00Z", "text": "a\u2028b\u0085c\rd"}, ensure_ascii=False
    )
    transcript.write_text(transcript.read_text() + line + "\n", encoding="utf-8")
    reader = _Reader(fixture_site)
    messages = read_messages(reader, transcript)
    assert reader.problems == [] and any(m.text == "a\u2028b\u0085c\rd" for m in messages)


def _message_line(n: int) -> str:
    return json.dumps(
        {
            "id": f"m{n}",
            "platform": "x",
            "author": f"@a{n % 3}",
            "at": f"2026-03-05T19:{n % 60:02d}:00Z",
            "text": f"A1: answer, [{n}] {{x}}",
            "links": ["https://example.com/a", "https://example.com/b"],
            "media": [{"url": "https://example.com/i.png", "kind": "image"}],
        }
    )


_PIECES = st.sampled_from(["", " ", "\t", "\r", "\n", "\u2028", "\x0b", ",", "],[", "]", "[", "{", "}", '"', "\ufeff", "<not UTF-8>"])
_EDITS = st.lists(st.tuples(st.booleans(), st.integers(0, 2000), _PIECES), max_size=4)


def _edited_transcript(count: int, edits: list) -> bytes:
    """`count` valid lines, then each edit inserts a piece somewhere or puts it in place of a line end."""
    text = "\n".join(_message_line(n) for n in range(count))
    for at_line_end, position, piece in edits:
        ends = [i for i, ch in enumerate(text) if ch == "\n"]
        if at_line_end and ends:
            end = ends[position % len(ends)]
            text = text[:end] + piece + text[end + 1 :]
        else:
            position %= len(text) + 1
            text = text[:position] + piece + text[position:]
    return text.encode().replace(b"<not UTF-8>", b"\xff")


def _read_both_ways(folder: Path, data: bytes) -> list:
    import hashlib

    from generator.archive.read import _read_messages_by_line, _Reader, read_messages

    transcript = folder / "transcript.jsonl"
    transcript.write_bytes(data)
    results = []
    for read in (read_messages, _read_messages_by_line):
        reader, hasher = _Reader(folder), hashlib.blake2b(digest_size=16)
        messages = read(reader, transcript, hasher)
        results.append((messages, [str(p) for p in reader.problems], hasher.hexdigest() if not reader.problems else ""))
    return results


@pytest.mark.parametrize(
    "lines",
    [
        [_message_line(1), _message_line(2)],
        [_message_line(1) + " " + _message_line(2), _message_line(3)],  # two messages on one line
        [_message_line(1)[:60], _message_line(1)[60:], _message_line(2)],  # one message on two lines
        [_message_line(1), "", " \u2028 ", _message_line(2) + "\r", _message_line(3)],  # blank lines, CRLF
        [_message_line(1), _message_line(1)],  # a duplicate id
        [_message_line(1), _message_line(2).replace("answer", "\udcff")],  # not UTF-8
        [],
    ],
)
def test_transcript_read_whole_reads_as_line_by_line(tmp_path: Path, lines: list[str]):
    """A small transcript read whole gives exactly the messages, problems and hash of streaming it."""
    first, second = _read_both_ways(tmp_path, "\n".join(lines).encode("utf-8", "surrogateescape"))
    assert first == second


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 6), _EDITS)
def test_edited_transcript_reads_whole_as_line_by_line(tmp_path_factory, count: int, edits: list):
    first, second = _read_both_ways(tmp_path_factory.mktemp("t"), _edited_transcript(count, edits))
    assert first == second


def test_importer_refuses_a_huge_export_file(tmp_path: Path):
    from generator.errors import ChatdigestError
    from generator.ingest.importers import read_export
    from generator.ingest.importers._common import ImportOptions

    export = tmp_path / "result.json"
    _sparse(export, 2 * 2**30 + 1)
    with pytest.raises(ChatdigestError, match=r"result\.json: file is 2\.0 GB, over the 1 GB .*\(fix: export only"):
        read_export(export, "telegram", ImportOptions())


def test_importer_skips_a_huge_message_and_keeps_unpaired_surrogates_writable(tmp_path: Path):
    from generator.archive.write import render_transcript
    from generator.ingest.importers import read_export
    from generator.ingest.importers._common import ImportOptions

    def message(number: int, text: str) -> dict:
        return {
            "id": number,
            "type": "message",
            "date": "2026-03-05T19:00:00",
            "date_unixtime": "1772737200",
            "from": "Ann \ud800",
            "from_id": "user1",
            "text": text,
        }

    export = tmp_path / "result.json"
    export.write_text(
        json.dumps(
            {"name": "c", "type": "public_supergroup", "id": 1, "messages": [message(1, "ok \udfff"), message(2, "x" * (10 * 2**20))]}
        )
    )
    _, result = read_export(export, "telegram", ImportOptions())
    assert [m.text for m in result.messages] == ["ok \ufffd"]
    assert len(result.problems) == 1 and "over the" in result.problems[0].message and result.problems[0].where == "message 2"
    render_transcript(result.messages).encode("utf-8")  # would raise on a lone surrogate


FEED_TAGS = {
    "p",
    "a",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "del",
    "sup",
    "sub",
}


def feed_html_fields(site_dir: Path) -> list[tuple[str, str]]:
    """(where, text) of every feed field a reader shows as HTML: RSS descriptions, Atom summaries
    and contents of type html, JSON Feed content_html."""
    from lxml import etree

    fields = []
    for path in sorted((site_dir / "feeds").rglob("*")):
        name = path.relative_to(site_dir).as_posix()
        if path.suffix == ".json":
            fields += [(f"{name} content_html", item["content_html"]) for item in json.loads(path.read_text())["items"]]
        elif path.suffix == ".xml":
            root = etree.parse(str(path)).getroot()
            fields += [(f"{name} description", e.text or "") for e in root.iter("description")]
            fields += [
                (f"{name} {etree.QName(e).localname}", e.text or "")
                for e in root.iter("{http://www.w3.org/2005/Atom}summary", "{http://www.w3.org/2005/Atom}content")
                if e.get("type") == "html"
            ]
    return fields


def test_every_feed_html_field_holds_only_allowed_markup(hostile_site: Path):
    fields = feed_html_fields(hostile_site)
    assert len(fields) > 10
    problems = []
    for where, text in fields:
        root = lxml_html.fragment_fromstring(text or "<p></p>", create_parent="div")
        problems += [f"{where}: {p}" for p in unsafe_markup(root) if not p.startswith("element <div>")]
        problems += [f"{where}: element <{e.tag}>" for e in root.iter() if isinstance(e.tag, str) and e.tag not in FEED_TAGS | {"div"}]
    assert problems == [], "\n".join(problems[:30])


def test_calendar_from_hostile_text_has_no_forged_properties_or_events(hostile_site: Path):
    """iCalendar is text, folded and escaped: a title or question with line breaks, colons or
    "BEGIN:VEVENT" stays inside its own property."""
    import icalendar

    calendar = icalendar.Calendar.from_ical((hostile_site / "calendar.ics").read_bytes())
    events = [c for c in calendar.walk("VEVENT")]
    chats = len(list((hostile_site / "episodes").glob("*/index.html")))
    assert len(events) == chats + 1  # every chat, and the weekly schedule
    for event in events:
        for name in ("UID", "SUMMARY", "DTSTART", "DTEND", "URL"):
            assert len(event.property_items()) and sum(1 for key, _ in event.property_items() if key == name) == 1, name
        assert not any(key in ("ATTACH", "ATTENDEE", "ORGANIZER", "VALARM") for key, _ in event.property_items())
