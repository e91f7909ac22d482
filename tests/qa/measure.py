"""Placement of answers under questions, measured against where a reader puts them.

Each folder here is one hashtag chat written as real exports are (an X API v2 search page, a
Mastodon statuses list, with the same ids), with `placement.yml` (where a reader puts each message)
and `chat.yml` (its episode, and its questions as a preview lists them). `python tests/qa/measure.py`
imports each chat through the real importers into a copy of the fixture site and prints how many
answers land where a reader puts them, with the questions found in the chat and listed beforehand.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).parent
FIXTURE = HERE.parent / "fixtures" / "site"
CHATS = sorted(p.name for p in HERE.iterdir() if (p / "chat.yml").exists())
EXPORTS = {"x-api": "x-api-v2.json", "mastodon": "mastodon-statuses.json"}


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


def expected_placement(chat: str) -> dict[str, list[int] | str]:
    return yaml.safe_load((HERE / chat / "placement.yml").read_text())


def chat_info(chat: str) -> dict:
    return yaml.safe_load((HERE / chat / "chat.yml").read_text())


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


def import_test_chat(root: Path, chat: str, fmt: str, listed: bool = False) -> str:
    """A copy of the fixture site with the chat imported through the real importer; its episode id."""
    from click.testing import CliRunner

    from generator.cli import main

    info = chat_info(chat)
    if not root.exists():
        shutil.copytree(FIXTURE, root)
    folder = root / "data" / "episodes" / info["episode"]
    folder.mkdir()
    episode = {"title": info["title"], "starts_at": info["starts_at"], "hosts": ["hana-host"]}
    if listed:
        episode["questions"] = info["questions"]
    (folder / "episode.yml").write_text(yaml.safe_dump(episode, sort_keys=False))
    export = HERE / chat / EXPORTS[fmt]
    result = CliRunner().invoke(main, ["import", str(export), "--episode", info["episode"], "--format", fmt, "--root", str(root)])
    if result.exit_code != 0:
        raise RuntimeError(result.output)
    return info["episode"]


def measure_test_chat(chat: str, fmt: str, listed: bool = False) -> Placement:
    from generator.build.generate import load_site

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        episode = import_test_chat(root, chat, fmt, listed)
        digest = load_site(root).digests[episode]
        return score(expected_placement(chat), placed_by_code(digest))


if __name__ == "__main__":
    for chat in CHATS:
        for fmt in EXPORTS:
            print(measure_test_chat(chat, fmt).line(f"{chat}, {fmt}, questions found in the chat"))
            print(measure_test_chat(chat, fmt, listed=True).line(f"{chat}, {fmt}, questions listed in episode.yml"))
