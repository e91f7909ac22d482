"""The hostile corpus through every importer: each sample export of tests/samples has its message
texts and display names replaced by the corpus strings (every string, in every format), and is
imported again. Nothing crashes, no message is lost or forged, the transcript reads back without
a problem, and every text renders to allowed markup only."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from lxml import html as lxml_html
from test_hostile import STRINGS, unsafe_markup
from test_import_samples import options_of

from generator.archive.read import _Reader, read_messages
from generator.archive.write import render_transcript
from generator.ingest.importers import FORMATS, read_export
from generator.render.text import text_html

SAMPLES = Path(__file__).parent / "samples"
TEXT_KEYS = {"text", "full_text", "content", "display_name", "real_name", "sender_full_name", "from", "nickname"}
JS_PREFIX = re.compile(r"^(\s*[\w.\[\]]+\s*=\s*)", re.DOTALL)
WHATSAPP_LINE = re.compile(r"^((?:\[[^\]]+\] |.+? - )[^:]+: )(.*?)(\r?)$")  # Android "date - Name: ", iOS "[date] Name: "
IRC_LINE = re.compile(
    r"^(.*?<[^>]+> [+-]?|[^\t]+\t[@+]?\w+\t)(.*?)(\r?)$"
)  # irssi, ZNC "<nick> ", dircproxy "<nick!id@host> +", WeeChat "time\tnick\t"


class Corpus:
    """Hands out the corpus strings in turn; `used` counts how many were placed."""

    def __init__(self, start: int):
        self.position = start
        self.used = 0

    def next(self, one_line: bool = False) -> str:
        text = STRINGS[self.position % len(STRINGS)]
        self.position += 1
        self.used += 1
        # In a line-based format only "\n" (and a "\r" before it) ends a line; every other
        # separator (U+2028, U+0085, form feed…) must stay inside the message.
        return (text.replace("\r", " ").replace("\n", " ").strip() or "blank") if one_line else text


def _replace_json(value, corpus: Corpus):
    if isinstance(value, dict):
        return {k: corpus.next() if k in TEXT_KEYS and isinstance(v, str) and v else _replace_json(v, corpus) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_json(v, corpus) for v in value]
    return value


def _replace_json_line(line: str, corpus: Corpus) -> str:
    try:
        return json.dumps(_replace_json(json.loads(line), corpus), ensure_ascii=False)
    except json.JSONDecodeError:
        return line  # a sample's deliberately broken line stays broken


def _hostile_file(path: Path, corpus: Corpus) -> None:
    text = path.read_text(encoding="utf-8-sig", errors="surrogateescape")  # a log may hold cp1252 bytes
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(_replace_json(json.loads(text), corpus), ensure_ascii=False), encoding="utf-8")
    elif suffix == ".js":
        prefix = JS_PREFIX.match(text).group(1)
        body = _replace_json(json.loads(text[len(prefix) :]), corpus)
        path.write_text(prefix + json.dumps(body, ensure_ascii=False), encoding="utf-8")
    elif suffix in (".jsonl", ".ndjson"):
        lines = [_replace_json_line(line, corpus) for line in text.split("\n")]
        path.write_text("\n".join(lines), encoding="utf-8")
    elif suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: corpus.next() if k in ("text", "author_name") and v else v for k, v in row.items()} for row in rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    else:  # WhatsApp and IRC: the text after each line's header, kept on its line
        pattern = WHATSAPP_LINE if suffix == ".txt" else IRC_LINE
        lines = [
            # An empty message stays empty: the importer leaves it out on purpose.
            (m.group(1) + corpus.next(one_line=True) + m.group(3)) if (m := pattern.match(line)) and m.group(2) else line
            for line in text.split("\n")
        ]
        path.write_text("\n".join(lines), encoding="utf-8", errors="surrogateescape")


def hostile_copy(sample: Path, target: Path, corpus: Corpus) -> Path:
    if sample.is_dir():
        shutil.copytree(sample, target)
        files = [p for p in target.rglob("*") if p.is_file() and p.suffix in (".json", ".js", ".txt")]  # .txt: WhatsApp
    else:
        target.mkdir()
        target = target / sample.name
        shutil.copy(sample, target)
        files = [target]
    for path in files:
        _hostile_file(path, corpus)
    return target


def samples() -> list[tuple[str, Path]]:
    cases = []
    for expected in sorted(SAMPLES.glob("*/*.expected.jsonl")):
        stem = expected.name.removesuffix(".expected.jsonl")
        for path in sorted(expected.parent.iterdir()):
            if (path.name == stem or path.stem == stem) and ".expected." not in path.name and ".problems." not in path.name:
                cases.append((expected.parent.name, path))
    return cases


CASES = samples()
# Each case places the corpus from `start` on, one string per text field; the smallest sample
# of most formats has three or more, so a step of three gives every string to every format.
STEP = 3
OPTIONS = {"irc": {"date_order": "auto"}}


def test_every_format_has_a_sample():
    assert {fmt for fmt, _ in CASES} == set(FORMATS)


@pytest.mark.parametrize("fmt, sample", CASES, ids=[f"{f}-{p.name}" for f, p in CASES])
@pytest.mark.parametrize("start", range(0, len(STRINGS), STEP))
def test_hostile_export_imports_safely(tmp_path: Path, fmt: str, sample: Path, start: int):
    options = options_of(sample)  # what the sample needs: a private chat named, a date…
    if fmt == "slack" and not options.channel:
        options = dataclasses.replace(options, channel="careerclub")
    _, clean = read_export(sample, fmt, options)
    corpus = Corpus(start)
    hostile = hostile_copy(sample, tmp_path / "export", corpus)
    assert corpus.used > 0
    _, result = read_export(hostile, fmt, options)
    # Text never makes a record unreadable, nor one record two (or none).
    assert len(result.messages) == len(clean.messages), [str(p) for p in result.problems]
    transcript = tmp_path / "transcript.jsonl"
    transcript.write_text(render_transcript(result.messages), encoding="utf-8")
    reader = _Reader(tmp_path)
    assert [m.model_dump() for m in read_messages(reader, transcript)] == [
        m.model_dump() for m in sorted(result.messages, key=lambda m: (m.at, m.id))
    ]
    assert reader.problems == []
    for message in result.messages:
        for text in (message.text, message.author, message.author_name):
            root = lxml_html.fragment_fromstring(f"<p>{text_html(text)}</p>", create_parent="div")
            assert unsafe_markup(root) == [], text
