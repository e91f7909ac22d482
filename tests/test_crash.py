"""Crashes lose nothing: `chatdigest generate` killed with SIGKILL at random moments leaves every
page either as it was or as it will be, never half-written, and the next run repairs the rest."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURE_SITE, copy_site

from generator.archive.model import Episode
from generator.archive.write import write_episode_yml, write_transcript
from generator.bench.synth import invent_participants, synthesise_episode_messages
from generator.render import urls

EPISODES = 60
MESSAGES = 250
KILLS = 6


def make_large_community(root: Path) -> Path:
    copy_site(FIXTURE_SITE, root)
    shutil.rmtree(root / "data" / "episodes")
    rng = random.Random(10)
    people = invent_participants(rng, 80)
    first = dt.datetime(2025, 1, 2, 19, tzinfo=dt.UTC)
    for week in range(EPISODES):
        starts_at = first + dt.timedelta(weeks=week)
        episode = Episode(
            id=f"{starts_at.date()}-week-{week}",
            title=f"Week {week}",
            starts_at=starts_at,
            hosts=["hana-host"],
            tags=[f"topic {week % 7}"],
            questions=["Q1: Why?", "Q2: How?"],
        )
        folder = root / "data" / "episodes" / episode.id
        folder.mkdir(parents=True)
        write_episode_yml(folder / "episode.yml", episode)
        messages = synthesise_episode_messages(
            rng, starts_at=starts_at, questions=episode.questions, hosts=["@hana"], participants=people, count=MESSAGES
        )
        write_transcript(folder / "transcript.jsonl", messages)
    return root


def rename_community(root: Path, name: str) -> None:
    """A change that alters nearly every page (episode descriptions and people pages name it)."""
    path = root / "data" / "community.yml"
    data = yaml.safe_load(path.read_text())
    data["name"] = name
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def generate_command(root: Path) -> list[str]:
    return [sys.executable, "-c", "from generator.cli import main; main()", "generate", "--root", str(root)]


def docs_files(root: Path) -> dict[str, bytes]:
    docs = root / "docs"
    files = {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()}
    return {k: v for k, v in files.items() if k.split("/")[0] in urls.GENERATED_DIRS or k in urls.GENERATED_FILES}


def written_since(entry: os.DirEntry, since_ns: int) -> bool:
    try:
        return entry.stat().st_mtime_ns >= since_ns
    except FileNotFoundError:  # a temporary file renamed into place between listing and stat: a write
        return True


def wait_for_first_write(folder: Path, since_ns: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(written_since(entry, since_ns) for entry in os.scandir(folder)):
            return
        time.sleep(0.002)


def is_temporary(relpath: str) -> bool:
    name = relpath.rsplit("/", 1)[-1]
    return name.startswith(".") and name.endswith(".tmp")


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> tuple[Path, dict[str, bytes], dict[str, bytes], float]:
    """A large community generated as "old"; the bytes "new" must have; the time a full run takes."""
    base = tmp_path_factory.mktemp("crash")
    old_root = make_large_community(base / "old")
    subprocess.run(generate_command(old_root), check=True, capture_output=True)
    old = docs_files(old_root)
    new_root = base / "new"
    shutil.copytree(old_root, new_root)
    rename_community(new_root, "Renamed community")
    started = time.monotonic()
    subprocess.run(generate_command(new_root), check=True, capture_output=True)
    duration = time.monotonic() - started
    new = docs_files(new_root)
    assert sum(old[k] != new.get(k) for k in old) > EPISODES  # most pages change between versions
    return old_root, old, new, duration


def test_killed_generate_leaves_old_or_new_pages_and_the_next_run_repairs(versions, tmp_path: Path):
    old_root, old, new, duration = versions
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261126")))
    mixes = 0
    for attempt in range(KILLS):
        root = tmp_path / f"run{attempt}"
        shutil.copytree(old_root, root)
        rename_community(root, "Renamed community")
        started = time.time_ns()
        process = subprocess.Popen(generate_command(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt % 2:  # anywhere in the run, reading and rendering included
            time.sleep(rng.uniform(0.1, 1.0) * duration)
        else:  # while pages are being written: the moment that matters
            wait_for_first_write(root / "docs" / "episodes", started, duration * 3)
            time.sleep(rng.uniform(0, 0.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = docs_files(root)
        partial = [k for k, v in after.items() if not is_temporary(k) and v not in (old.get(k), new.get(k))]
        assert partial == [], f"kill {attempt}: half-written pages {partial[:5]}"
        changed = sum(after.get(k) == new[k] != old.get(k) for k in new)
        mixes += 0 < changed < sum(new[k] != old.get(k) for k in new)
        subprocess.run(generate_command(root), check=True, capture_output=True)
        assert docs_files(root) == new, f"kill {attempt}: the next run did not repair docs/"
    print(f"{mixes} of {KILLS} kills landed while pages were being written")
    assert mixes, "no kill landed mid-write: the test proved nothing (raise KILLS or the community's size)"


def test_writer_leaves_no_temporary_file_on_error(tmp_path: Path, monkeypatch):
    from generator import writer
    from generator.errors import ChatdigestError

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(writer.os, "replace", fail)
    target = tmp_path / "page.md"
    target.write_text("old")
    with pytest.raises(ChatdigestError, match=r"page\.md: cannot write: disk full \(fix: check the folder"):
        writer.write_atomic(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["page.md"]


def test_stale_temporary_files_are_removed_by_the_next_run(fixture_site: Path):
    from generator.build.generate import generate_site

    generate_site(fixture_site)
    leftovers = [fixture_site / "docs" / "episodes" / ".2026-03-05-first-jobs.md.x1.tmp", fixture_site / "docs" / ".index.md.x2.tmp"]
    for leftover in leftovers:
        leftover.write_text("half a pa")
    generate_site(fixture_site)
    assert not any(p.exists() for p in leftovers)


def build_command(root: Path) -> list[str]:
    return [sys.executable, "-c", "from generator.cli import main; main()", "build", "--root", str(root)]


def site_pages(root: Path) -> dict[str, bytes]:
    site = root / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}


def test_killed_build_is_repaired_by_the_next_build(versions, tmp_path: Path):
    """MkDocs writes site/ in place, so a killed build may leave it half-made: the next one must
    make exactly the site a clean build makes."""
    old_root, _, _, duration = versions
    reference = tmp_path / "reference"
    shutil.copytree(old_root, reference)
    subprocess.run(build_command(reference), check=True, capture_output=True)
    expected = site_pages(reference)
    rng = random.Random(7)
    for attempt in range(2):
        root = tmp_path / f"build{attempt}"
        shutil.copytree(old_root, root)
        process = subprocess.Popen(build_command(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * rng.uniform(1.0, 3.0))  # past generate, into MkDocs' own writing
        process.send_signal(signal.SIGKILL)
        process.wait()
        subprocess.run(build_command(root), check=True, capture_output=True)
        assert site_pages(root) == expected, f"kill {attempt}: the next build did not repair site/"
