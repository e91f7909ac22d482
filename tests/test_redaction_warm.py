"""A warm generate redacts as a clean one does while opted-out people keep posting: random edits
to a small synthetic community (new chats in which they post, quotes of their words in older
chats, a phrase that becomes everybody's, links to their posts, chats removed), each followed by
a warm generate compared byte for byte with a clean generate of a copy."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from pathlib import Path

import pytest
import yaml

from generator.bench.benchmark import synthesise_community
from generator.build.generate import generate_site


def chats(root: Path) -> list[Path]:
    return sorted((root / "data" / "episodes").iterdir())


def read(chat: Path) -> list[dict]:
    return [json.loads(line) for line in (chat / "transcript.jsonl").read_text().splitlines()]


def write(chat: Path, records: list[dict]) -> None:
    (chat / "transcript.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def removed(root: Path) -> list[str]:
    """The handles of the community's opt-outs in remove mode."""
    ledger = yaml.safe_load((root / "data" / "privacy.yml").read_text())
    return [optout["handle"] for optout in ledger["optouts"] if optout["mode"] == "remove"]


def their_texts(root: Path) -> list[str]:
    return [r["text"] for chat in chats(root) for r in read(chat) if r["author"] in removed(root) and len(r.get("text", "")) > 30]


def say(chat: Path, author: str, text: str, rng: random.Random, **extra) -> None:
    records = read(chat)
    at = records[-1]["at"]
    number = rng.randrange(10**17, 10**18)
    write(chat, [*records, {"id": str(number), "platform": "x", "author": author, "at": at, "text": text, **extra}])


def new_chat(root: Path, rng: random.Random, number: int) -> Path:
    """A copy of a random chat a week after the last, with new ids; its opted-out posts stay."""
    source = rng.choice(chats(root))
    episode = yaml.safe_load((chats(root)[-1] / "episode.yml").read_text())
    starts_at = dt.datetime.fromisoformat(str(episode["starts_at"])) + dt.timedelta(weeks=1)
    target = root / "data" / "episodes" / f"{starts_at.date().isoformat()}-new-{number}"
    shutil.copytree(source, target)
    ids = {r["id"]: str(rng.randrange(10**17, 10**18)) for r in read(target)}
    records = []
    for r in read(target):
        r = {**r, "id": ids[r["id"]], "text": r.get("text", "") + f" (again, week {number})"}
        r.pop("permalink", None)
        for field in ("reply_to", "quote_of"):
            if field in r:
                r[field] = ids.get(r[field])
                if r[field] is None:
                    del r[field]
        records.append(r)
    write(target, records)
    episode = {**yaml.safe_load((source / "episode.yml").read_text()), "starts_at": starts_at.isoformat(), "highlights": []}
    (target / "episode.yml").write_text(yaml.safe_dump(episode, sort_keys=False, allow_unicode=True))
    return target


WORDS = [
    "amber",
    "basil",
    "cedar",
    "dune",
    "ember",
    "fjord",
    "grove",
    "harbor",
    "iris",
    "juniper",
    "kelp",
    "lumen",
    "meadow",
    "nectar",
    "opal",
]


class Editor:
    """Random edits; some in two steps, so that what an opted-out person posts was already in
    a chat that the warm generate has no reason to read again: a sentence someone wrote, or a
    link to a post of theirs that did not exist yet."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng = root, rng
        self.sentences: list[str] = []  # written by others, for them to post later
        self.post_ids: list[str] = []  # linked to by others, for them to post later
        self.gone: set[str] = set()  # what no page may show: sentences of theirs, links to their posts
        self.common: set[str] = set()  # sentences more than two others wrote: everybody's

    def chat(self) -> Path:
        return self.rng.choice(chats(self.root))

    def __call__(self, number: int) -> str:
        rng = self.rng
        kinds = ["write a sentence", "link ahead", "they post", "they post a linked id", "quote them", "common phrase"]
        kind = rng.choice([*kinds, "remove chat", "new chat"])
        if kind == "write a sentence":
            sentence = " ".join(rng.choice(WORDS) for _ in range(9))
            self.sentences.append(sentence)
            say(self.chat(), "@someone_else", f"I always say: {sentence}!", rng)
        elif kind == "link ahead":
            self.post_ids.append(str(rng.randrange(10**17, 10**18)))
            say(self.chat(), "@linker", f"see https://x.com/i/status/{self.post_ids[-1]} for it", rng)
        elif kind == "they post" and self.sentences:
            sentence = rng.choice(self.sentences)
            say(self.chat(), rng.choice(removed(self.root)), sentence, rng)
            self.gone.add(sentence)
        elif kind == "they post a linked id" and self.post_ids:
            records = read(chat := self.chat())
            their = {"id": self.post_ids.pop(), "platform": "x", "author": rng.choice(removed(self.root)), "at": records[-1]["at"]}
            write(chat, [*records, {**their, "text": "a post of mine"}])
            self.gone.add(f"status/{their['id']}")
        elif kind == "quote them" and their_texts(self.root):
            say(self.chat(), "@someone_else", f'as was said: "{rng.choice(their_texts(self.root))}" — so true', rng)
        elif kind == "common phrase" and self.sentences:
            sentence = rng.choice(self.sentences)
            for i in range(3):
                say(self.chat(), f"@echo_{i}", sentence, rng)
            self.common.add(sentence)
        elif kind == "remove chat" and len(chats(self.root)) > 3:
            shutil.rmtree(self.chat())
        else:
            new_chat(self.root, rng, number)
            kind = "new chat"
        return kind


def docs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "docs").rglob("*")) if p.is_file()}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_warm_generates_redact_as_clean_ones_while_they_keep_posting(tmp_path: Path, seed: int):
    rng = random.Random(seed)
    warm = tmp_path / "warm"
    synthesise_community(warm, 4, 30, seed=seed)
    generate_site(warm)
    edit = Editor(warm, rng)
    for number in range(10):
        kind = edit(number)
        generate_site(warm)
        clean = tmp_path / f"clean-{number}"
        shutil.copytree(warm / "data", clean / "data")
        generate_site(clean)
        assert docs(warm) == docs(clean), f"after edit {number}: {kind}"
        pages = "".join(page.decode() for page in docs(warm).values())
        assert [text for text in edit.gone - edit.common if text in pages] == [], f"after edit {number}: {kind}"


def test_a_phrase_that_stops_being_everybodys_is_removed_from_chats_a_warm_generate_skipped(tmp_path: Path):
    """Once more than two others wrote a new text of theirs, the remaining chats are not searched
    for it; when some of those others go again, a warm generate must search them after all."""
    rng = random.Random(7)
    warm = tmp_path / "warm"
    synthesise_community(warm, 6, 30, seed=7)
    sentence = "amber basil cedar dune ember fjord grove harbor iris"
    first, *others, last = chats(warm)
    say(first, "@someone_else", f"I always say: {sentence}!", rng)
    for i, chat in enumerate(others[:3]):
        say(chat, f"@echo_{i}", sentence, rng)
    generate_site(warm)
    say(last, removed(warm)[0], sentence, rng)  # now theirs too, but four others wrote it: everybody's
    generate_site(warm)
    assert sentence in "".join(page.decode() for page in docs(warm).values())
    for chat in others[:2]:  # two of them go: it is a quote of theirs again, wherever it is
        shutil.rmtree(chat)
    generate_site(warm)
    clean = tmp_path / "clean"
    shutil.copytree(warm / "data", clean / "data")
    generate_site(clean)
    assert docs(warm) == docs(clean)
    assert sentence not in "".join(page.decode() for page in docs(warm).values())
