"""Every sample export under tests/samples/<format>/ is a test (feedparser's tests/illformed way).

A sample is a file or folder `<name>[.ext]` beside `<name>.expected.jsonl`, the importer's
output in transcript form (datafiles.render_transcript). When the importer records problems
(bad records it skipped), `<name>.problems.txt` lists them; when it leaves messages out on
purpose (private posts, channel events), `<name>.skipped.txt` says why and how many. A sample
that needs import options (`include_private`, `channel`…) names them in `<name>.options.json`.
To add a case, drop in an export and its expectation; no test code is needed. To write or refresh expectations after a deliberate
change, run

    CHATDIGEST_UPDATE_SAMPLES=1 pytest tests/test_import_samples.py

and review the diff like code. Local times (WhatsApp, IRC, naive csv/jsonl) are read in
Europe/Berlin so that conversion to UTC is exercised.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from generator.archive.write import render_transcript
from generator.ingest.importers import FORMATS, ImportOptions, detect, read_export

SAMPLES = Path(__file__).parent / "samples"
UPDATE = os.environ.get("CHATDIGEST_UPDATE_SAMPLES") == "1"
TIMEZONE = "Europe/Berlin"
SIDE_FILES = ("expected", "problems", "skipped", "options")


def sample_cases() -> list[tuple[str, Path]]:
    cases = []
    for expected in sorted(SAMPLES.glob("*/*.expected.jsonl")):
        if expected.parent.name not in FORMATS:
            continue
        stem = expected.name.removesuffix(".expected.jsonl")
        inputs = [
            p
            for p in expected.parent.iterdir()
            if (p.name == stem or p.name.startswith(stem + ".")) and not p.name.startswith(tuple(f"{stem}.{kind}." for kind in SIDE_FILES))
        ]
        cases += [(expected.parent.name, p) for p in inputs]
    if UPDATE:  # also every input that has no expectation yet
        known = {p for _, p in cases}
        for folder in sorted(
            p for p in SAMPLES.iterdir() if p.is_dir() and p.name in FORMATS
        ):  # other folders belong to other readers (feeds)
            for p in sorted(folder.iterdir()):
                if p not in known and not any(f".{kind}." in p.name for kind in SIDE_FILES):
                    cases.append((folder.name, p))
    return cases


def stem_of(path: Path) -> str:
    return path.name if path.is_dir() else path.name.split(".")[0]


def expectation_of(path: Path) -> tuple[Path, Path, Path]:
    stem = stem_of(path)
    return path.parent / f"{stem}.expected.jsonl", path.parent / f"{stem}.problems.txt", path.parent / f"{stem}.skipped.txt"


def options_of(path: Path) -> ImportOptions:
    extra = path.parent / f"{stem_of(path)}.options.json"
    given = json.loads(extra.read_text(encoding="utf-8")) if extra.exists() else {}
    if "include_private" in given:
        given["include_private"] = tuple(given["include_private"])
    for key in ("date", "default_date"):  # the chat's date, as `import --episode` gives it
        if key in given:
            given[key] = dt.date.fromisoformat(given[key])
    return ImportOptions(timezone=TIMEZONE, **given)


def render_problems(problems) -> str:
    prefix = str(SAMPLES) + os.sep
    return "".join(str(p).replace(prefix, "") + "\n" for p in problems)


def render_skipped(skipped) -> str:
    return "".join(f"{n} {why}\n" for why, n in sorted(skipped.items()))


def check_side_file(path: Path, actual: str) -> None:
    """Compare with (or, when updating, write) an expectation that is absent when empty."""
    if UPDATE:
        if actual:
            path.write_text(actual, encoding="utf-8")
        else:
            path.unlink(missing_ok=True)
    assert actual == (path.read_text(encoding="utf-8") if path.exists() else "")


@pytest.mark.parametrize("fmt,path", sample_cases(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_sample_imports_as_expected(fmt: str, path: Path) -> None:
    assert fmt in FORMATS, f"tests/samples/{fmt}/ is not a format name"
    _, result = read_export(path, fmt, options_of(path))
    transcript = render_transcript(result.messages)
    expected, expected_problems, expected_skipped = expectation_of(path)
    if UPDATE:
        expected.write_text(transcript, encoding="utf-8")
    assert transcript == expected.read_text(encoding="utf-8")
    check_side_file(expected_problems, render_problems(result.problems))
    check_side_file(expected_skipped, render_skipped(result.skipped))


@pytest.mark.parametrize("fmt,path", sample_cases(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_sample_format_is_detected(fmt: str, path: Path) -> None:
    assert detect(path) == fmt


def test_every_format_has_a_sample() -> None:
    assert {fmt for fmt, _ in sample_cases()} == set(FORMATS)
