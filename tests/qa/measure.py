"""Placement of answers under questions, measured against where a reader puts them.

`python tests/qa/measure.py [SITE_ROOT EPISODE_ID]` prints the figure for the Q&A test chat
imported from each export (no argument) or for one chat of a site (the demo: every message
labelled A<n>, or replying to a question, counts as that question's answer; see demo_expected).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).parent
FIXTURE = HERE.parent / "fixtures" / "site"
EPISODE = "2026-04-02-learning-on-the-job"
EXPORTS = {"x-api": HERE / "x-api-v2.json", "mastodon": HERE / "mastodon-statuses.json"}


@dataclass
class Placement:
    answers: int  # messages a reader places under at least one question
    right: int  # placed under exactly the reader's questions
    half: int  # under some of them, or some more
    nowhere: int  # under none
    wrong: int  # placed although a reader would leave it in the transcript, or under other questions only

    def line(self, name: str) -> str:
        return (
            f"{name}: {self.right} of {self.answers} placed right, {self.half} half-right, {self.nowhere} nowhere, {self.wrong} misplaced"
        )


def expected_placement() -> dict[str, list[int] | str]:
    return yaml.safe_load((HERE / "placement.yml").read_text())


def placed_by_code(digest) -> dict[str, set[int]]:
    """Message id → the questions whose answers (with their reply threads) show it."""
    placed: dict[str, set[int]] = {}

    def walk(thread, number):
        placed.setdefault(thread.message.id, set()).add(number)
        for reply in thread.replies:
            walk(reply, number)

    for group in digest.questions:
        for answer in group.answers:
            walk(answer, group.number)
    return placed


def score(expected: dict, placed: dict[str, set[int]]) -> Placement:
    result = Placement(0, 0, 0, 0, 0)
    for message_id, want in expected.items():
        want = set() if isinstance(want, str) else set(want)  # a question's own post is not an answer
        got = placed.get(message_id, set())
        if want:
            result.answers += 1
            if got == want:
                result.right += 1
            elif got & want:
                result.half += 1
            elif not got:
                result.nowhere += 1
            else:
                result.wrong += 1
        elif got:
            result.wrong += 1
    return result


def import_test_chat(root: Path, export: Path, fmt: str, questions: list[str] | None = None) -> None:
    """A copy of the fixture site with the test chat imported through the real importer."""
    from click.testing import CliRunner

    from generator.cli import main

    shutil.copytree(FIXTURE, root)
    folder = root / "data" / "episodes" / EPISODE
    folder.mkdir()
    episode = {"title": "Learning on the job", "starts_at": "2026-04-02T19:00:00+01:00", "hosts": ["hana-host"]}
    if questions:
        episode["questions"] = questions
    (folder / "episode.yml").write_text(yaml.safe_dump(episode, sort_keys=False))
    result = CliRunner().invoke(main, ["import", str(export), "--episode", EPISODE, "--format", fmt, "--root", str(root)])
    if result.exit_code != 0:
        raise RuntimeError(result.output)


def measure_test_chat(fmt: str, questions: list[str] | None = None) -> Placement:
    from generator.build.generate import load_site

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        import_test_chat(root, EXPORTS[fmt], fmt, questions)
        digest = load_site(root).digests[EPISODE]
        return score(expected_placement(), placed_by_code(digest))


LISTED = [
    "Q1: What is one thing you learned at work this month? #FixtureChat",
    "Q2: Who do you learn the most from, and how?",
    "Q3: How do you make time to learn during a busy week?",
    "Q4: What's a mistake that taught you more than a course did?",
    "Q5: What will you learn next, and how will you know you've learned it?",
]

if __name__ == "__main__":
    for fmt in EXPORTS:
        print(measure_test_chat(fmt).line(f"{fmt}, questions found in the chat"))
        print(measure_test_chat(fmt, LISTED).line(f"{fmt}, questions listed in episode.yml"))
