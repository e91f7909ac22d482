"""Importers fed junk return problems or refuse with ChatdigestError — never another exception.

Random bytes, and the project's samples truncated, with bytes flipped or spliced, go into every
importer under every format name.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.errors import ChatdigestError
from generator.ingest.importers import FORMATS, ImportOptions, ImportResult, detect, read_export

SAMPLES = Path(__file__).parent / "samples"
SAMPLE_FILES = sorted(
    p
    for p in SAMPLES.rglob("*")
    if p.is_file() and ".expected." not in p.name and ".problems." not in p.name and p.parts[len(SAMPLES.parts)] in FORMATS
)
SUFFIXES = [".json", ".jsonl", ".txt", ".csv", ".js", ".log", ""]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def import_bytes(data: bytes, fmt: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_bytes(data)
        try:
            used, result = read_export(path, fmt, ImportOptions(timezone="Europe/Berlin"))
        except ChatdigestError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
        assert isinstance(result, ImportResult) and used in FORMATS
        assert len({m.id for m in result.messages}) == len(result.messages)


@SETTINGS
@given(data=st.binary(max_size=2000), fmt=st.sampled_from(["auto", *FORMATS]), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_never_crash(data: bytes, fmt: str, suffix: str) -> None:
    import_bytes(data, fmt, suffix)


@st.composite
def mutated_sample(draw):
    sample = draw(st.sampled_from(SAMPLE_FILES))
    data = bytearray(sample.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "truncate":
            data = data[:at]
        elif action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    [b"{", b"}", b"]", b'"', b"\x00", b"\xff", b"null", b"[]", b"\n", b"12/31/99, 25:61 - x: y\n", b'"id": null']
                )
            )
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
    fmt = draw(st.sampled_from(["auto", sample.parts[len(SAMPLES.parts)], *FORMATS]))
    return bytes(data), fmt, sample.suffix


@SETTINGS
@given(case=mutated_sample())
# Found by this test: a WeeChat line whose date has month 21 raised ValueError.
@example(case=(b"2026-21-08 20:00:00\t@maya\tQ1: first job?\n2026-01-08 20:01:00\tsam\tA1: paper round\n", "auto", ".weechatlog"))
def test_mutated_samples_never_crash(case) -> None:
    data, fmt, suffix = case
    import_bytes(data, fmt, suffix)


@SETTINGS
@given(data=st.binary(max_size=500))
def test_detect_never_crashes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export"
        path.write_bytes(data)
        try:
            assert detect(path) in FORMATS
        except ChatdigestError:
            pass
