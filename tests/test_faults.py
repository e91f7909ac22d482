"""Faults and bad input: purges that touch no one else, interrupted work that check reports,
inputs that are links, FIFOs, bombs or endless lines, errors instead of tracebacks, one build
at a time, and output that data cannot take over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_import_cli import run, snapshot, transcript
from test_import_cli import site as site

from generator.archive.read import read_archive
from generator.cli import main

EPISODE = "2026-03-05-first-jobs"


def cli(*args: str):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


def add_lines(site_root: Path, *records: dict) -> Path:
    path = site_root / "data" / "episodes" / EPISODE / "transcript.jsonl"
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    return path


def _msg(i: str, author: str, text: str, **extra) -> dict:
    return {"id": i, "platform": "x", "author": author, "at": "2026-03-05T19:30:00Z", "text": text, **extra}


# --- purges ---------------------------------------------------------------------------------


def test_purge_of_a_common_word_handle_keeps_everyone_elses_words(fixture_site: Path):
    add_lines(fixture_site, _msg("w1", "@will", "my words", author_name="Will"), _msg("w2", "@gus", "I will ask @will and Will"))
    result = cli("redact", "@will", "--purge", "--root", fixture_site)
    assert result.exit_code == 0, result.output
    texts = {m.id: m.text for c in read_archive(fixture_site).episodes for m in c.messages}
    assert "w1" not in texts and texts["w2"] == "I will ask @[removed] and Will"
    assert "re-run with --purge --yes" in result.output and "message w2" in result.output


def test_reimport_after_a_purge_leaves_them_out(site: Path):
    export = site / "export.jsonl"
    export.write_text(
        json.dumps({"author": "gone", "at": "2026-01-08T19:05:00Z", "text": "mine", "id": "g1"})
        + "\n"
        + json.dumps({"author": "sam", "at": "2026-01-08T19:06:00Z", "text": "reply", "id": "s1", "reply_to": "g1"})
        + "\n"
    )
    (site / "data" / "privacy.yml").write_text('optouts:\n  - handle: "@gone"\n')
    result = run(site, export, "--episode", "2026-01-08", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert [m["id"] for m in transcript(site)] == ["s1"] and "reply_to" not in transcript(site)[0]
    assert "left out 1 messages of people who opted out" in result.output


def test_interrupted_purge_and_import_are_reported_by_check(fixture_site: Path):
    (fixture_site / "data" / ".purge-pending").write_text("@gus\n")
    folder = fixture_site / "data" / "episodes" / "2026-03-19-half"
    folder.mkdir()
    (folder / ".import-pending").write_text("x\n")
    (folder / "transcript.jsonl").write_text("")
    result = cli("check", "--root", fixture_site)
    assert result.exit_code == 1
    assert "data/.purge-pending: a purge was interrupted" in result.output
    assert "data/episodes/2026-03-19-half: an import into this chat was interrupted" in result.output


def test_import_completes_an_interrupted_import(site: Path):
    folder = site / "data" / "episodes" / "2026-01-08-chat"
    folder.mkdir(parents=True)
    (folder / ".import-pending").write_text("x\n")
    (folder / "transcript.jsonl").write_text("")
    result = run(site, Path(__file__).parent / "samples" / "jsonl" / "generic.jsonl", "--episode", "2026-01-08", "--all")
    assert result.exit_code == 0, result.output
    assert (folder / "episode.yml").exists() and not (folder / ".import-pending").exists()


# --- output that data cannot take over ---------------------------------------------------------


def test_check_output_escapes_terminal_codes_and_forged_lines(fixture_site: Path):
    add_lines(fixture_site, {"id": "e1", "platform": "x", "author": "\x1b[31mred\n::error::forged", "at": "nope"})
    result = cli("check", "--root", fixture_site)
    assert result.exit_code == 1
    assert "\x1b" not in result.output and not any(line.startswith("::") for line in result.output.splitlines())


def test_line_100_is_not_an_emoji(fixture_site: Path):
    path = add_lines(fixture_site, *[_msg(f"n{i}", "@gus", "x") for i in range(100)], {"id": "bad", "platform": "x"})
    number = len(path.read_text().splitlines())
    result = cli("check", "--root", fixture_site)
    assert f"transcript.jsonl:{number}:" in result.output and "💯" not in result.output


# --- inputs: line ends, links, FIFOs, bombs, endless lines ---------------------------------------


def test_whatsapp_u2028_does_not_forge_a_message(tmp_path: Path):
    from generator.ingest.importers import read_export
    from generator.ingest.importers._common import ImportOptions

    chat = tmp_path / "chat.txt"
    chat.write_text("08/01/2026, 20:00 - Maya: hello\u202808/01/2026, 20:01 - Sam: I never said this\n", encoding="utf-8")
    _, result = read_export(chat, "whatsapp", ImportOptions(date_order="dmy"))
    assert [(m.author, m.text) for m in result.messages] == [("Maya", "hello\u202808/01/2026, 20:01 - Sam: I never said this")]


def test_jsonl_records_with_unicode_line_separators_are_kept(tmp_path: Path):
    from generator.ingest.importers import read_export
    from generator.ingest.importers._common import ImportOptions

    lines = [
        json.dumps({"author": "a", "at": f"2026-01-08T19:0{i}:00Z", "text": f"x{sep}y"}, ensure_ascii=False)
        for i, sep in enumerate("\u2028\u2029\u0085ab")
    ]
    export = tmp_path / "e.jsonl"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, result = read_export(export, "jsonl", ImportOptions())
    assert len(result.messages) == 5 and result.problems == []


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ"])
def test_symlinked_data_file_is_refused_and_not_published(fixture_site: Path, target: str):
    preview = fixture_site / "data" / "episodes" / EPISODE / "preview.md"
    preview.unlink(missing_ok=True)
    preview.symlink_to(target)
    result = cli("check", "--root", fixture_site)
    assert result.exit_code == 1 and "preview.md: is a symbolic link, not a plain file" in result.output
    build = cli("build", "--root", fixture_site)
    assert build.exit_code == 2 and not (fixture_site / "site" / "index.html").exists()


def test_fifo_and_folder_where_files_are_expected_are_refused(fixture_site: Path):
    folder = fixture_site / "data" / "episodes" / EPISODE
    (folder / "transcript.jsonl").unlink()
    os.mkfifo(folder / "transcript.jsonl")
    (fixture_site / "data" / "privacy.yml").unlink()
    (fixture_site / "data" / "privacy.yml").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "check", "--root", str(fixture_site)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1, result.stderr
    assert "transcript.jsonl: is a FIFO (named pipe), not a plain file" in result.stderr
    assert "privacy.yml: is a folder, not a plain file" in result.stderr and "Traceback" not in result.stderr


def test_yaml_aliases_are_refused(fixture_site: Path):
    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for n in "bcdefghi":
        prev = chr(ord(n) - 1)
        laughs += f"{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    (fixture_site / "data" / "privacy.yml").write_text(laughs + "optouts: []\n")
    started = time.monotonic()
    result = cli("check", "--root", fixture_site)
    assert result.exit_code == 1 and "privacy.yml:1: YAML anchors and aliases" in result.output
    assert time.monotonic() - started < 20


def test_zip_bomb_device_and_fifo_exports_are_refused(site: Path, tmp_path: Path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("_chat.txt", "w", force_zip64=True) as member:
        line = b"08/01/2026, 20:00 - Maya: " + b"a" * 100 + b"\n"
        for _ in range(200_000):  # 25 MB of lines in a zip of a few hundred KB
            member.write(line)
    before = snapshot(site)
    result = run(site, bomb, "--episode", "2026-01-08")
    assert result.exit_code == 2 and "zip bomb" in result.output and snapshot(site) == before
    assert run(site, "/dev/zero", "--episode", "2026-01-08").output.count("a character device, not a plain file") == 1
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run(site, fifo, "--episode", "2026-01-08", "--format", "whatsapp")
    assert result.exit_code == 2 and "a FIFO (named pipe)" in result.output


def test_endless_line_is_refused_while_reading(site: Path, tmp_path: Path):
    import tracemalloc

    export = tmp_path / "long.jsonl"
    with export.open("wb") as handle:
        handle.write(b'{"author": "a", "at": "2026-01-08T19:00:00Z", "text": "')
        for _ in range(40):
            handle.write(b"x" * 2**20)
    tracemalloc.start()
    result = run(site, export, "--episode", "2026-01-08", "--format", "jsonl")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.exit_code == 2 and "a line longer than 1 MB" in result.output
    assert peak < 32 * 2**20, f"{peak / 2**20:.0f} MB held for a refused file"


def test_truncated_zip_says_so(site: Path, tmp_path: Path):
    export = tmp_path / "slack.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("channels.json", "[]" + " " * 5000)
    export.write_bytes(export.read_bytes()[:2000])
    result = run(site, export, "--episode", "2026-01-08")
    assert result.exit_code == 2 and "damaged or incomplete zip" in result.output and "not a Slack export" not in result.output


# --- errors, not tracebacks ---------------------------------------------------------------------


def test_very_long_episode_name_is_one_line(site: Path):
    result = run(site, "x.jsonl", "--episode", "2026-01-08-" + "a" * 300)
    assert result.exit_code == 2 and "over the 100 an episode folder may have" in result.output


def test_read_only_data_is_one_line_and_data_unchanged(site: Path, monkeypatch):
    import errno

    from generator import writer

    def read_only(*args, **kwargs):  # what a read-only data/ answers (root would be let through)
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(writer, "_create_temporary", read_only)
    before = snapshot(site)
    result = run(site, Path(__file__).parent / "samples" / "jsonl" / "generic.jsonl", "--episode", "2026-01-08", "--all")
    assert result.exit_code == 2 and "cannot write: Permission denied (fix: make the folder writable" in result.output
    assert snapshot(site) == before


def test_full_disk_is_one_line_and_data_unchanged(site: Path, monkeypatch):
    import errno

    from generator import writer

    real = writer.os.replace

    def full(src, dst):
        if str(dst).endswith("transcript.jsonl"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(writer.os, "replace", full)
    result = run(site, Path(__file__).parent / "samples" / "jsonl" / "generic.jsonl", "--episode", "2026-01-08", "--all")
    assert result.exit_code == 2 and "No space left on device (fix: free some disk space" in result.output
    assert not (site / "data" / "episodes").exists() or not any((site / "data" / "episodes").iterdir())


def test_add_people_makes_one_person_per_handle_whatever_its_case(site: Path, tmp_path: Path):
    export = tmp_path / "e.jsonl"
    export.write_text(
        "".join(
            json.dumps({"author": a, "at": f"2026-01-08T19:0{i}:00Z", "text": "hi"}) + "\n"
            for i, a in enumerate(["Alice", "alice", "ALICE", "alice"])
        )
    )
    result = run(site, export, "--episode", "2026-01-08", "--format", "jsonl", "--add-people")
    assert result.exit_code == 0, result.output
    assert "added 1 people" in result.output and cli("check", "--root", site).exit_code in (0, 1)
    assert (site / "data" / "people.yml").read_text().count("- id: alice") == 1


# --- one build at a time ------------------------------------------------------------------------


def test_second_build_waits_for_the_first(fixture_site: Path):
    from generator.build import lock

    lock.acquire(fixture_site)
    try:
        with pytest.raises(Exception, match="another build of this site is still running"):
            child = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    f"from generator.build import lock; lock.acquire(__import__('pathlib').Path({str(fixture_site)!r}), print, wait=0.5)",
                ],
                capture_output=True,
                text=True,
                timeout=60,
            )
            raise RuntimeError(child.stdout + child.stderr)
    finally:
        lock.release(fixture_site)


def test_two_builds_at_once_both_succeed(fixture_site: Path):
    results: list[subprocess.CompletedProcess] = []

    def build() -> None:
        results.append(
            subprocess.run(
                [sys.executable, "-m", "generator.cli", "build", "--root", str(fixture_site)], capture_output=True, text=True, timeout=300
            )
        )

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]


def test_build_prints_each_problem_once_causes_first(fixture_site: Path):
    (fixture_site / "data" / "people.yml").write_text("people: [ {id: X} ]\n")
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", "--root", str(fixture_site)], capture_output=True, text=True, timeout=120
    )
    lines = [line for line in result.stderr.splitlines() if "data/" in line]
    assert result.returncode == 2 and len(lines) == len(set(lines)) and lines[0].startswith("data/people.yml")


def test_feed_file_that_is_a_device_or_fifo_is_refused(fixture_site: Path, tmp_path: Path):
    fifo = tmp_path / "feed.xml"
    os.mkfifo(fifo)
    for source in ("/dev/zero", str(fifo)):
        result = subprocess.run(
            [sys.executable, "-m", "generator.cli", "previews", source, "--root", str(fixture_site)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2 and "not a plain file" in result.stdout + result.stderr, result.stderr
