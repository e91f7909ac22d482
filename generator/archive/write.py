"""Serialise model objects into data/ files in one stable, diff-friendly form.

Keys keep the model's field order, defaults are left out, and transcripts are sorted by time,
so writing the same data twice gives the same bytes and a re-import shows no git diff.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import yaml

from generator.archive.model import Episode, Message
from generator.writer import write_atomic


def render_message_line(message: Message) -> str:
    data = message.model_dump(mode="json", exclude_defaults=True)
    data["at"] = _utc_z(data["at"])
    if "edited_at" in data:
        data["edited_at"] = _utc_z(data["edited_at"])
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


def _utc_z(value: str) -> str:
    return value.replace("+00:00", "Z")


def render_transcript(messages: Iterable[Message]) -> str:
    ordered = sorted(messages, key=lambda m: (m.at, m.id))
    return "".join(render_message_line(m) + "\n" for m in ordered)


def render_episode_yml(episode: Episode) -> str:
    data = episode.model_dump(mode="json", exclude_defaults=True, exclude={"id"})
    data = {"title": data.pop("title"), "starts_at": episode.starts_at.isoformat(), **{k: v for k, v in data.items() if k != "starts_at"}}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def write_transcript(path: Path, messages: Iterable[Message]) -> bool:
    return write_atomic(path, render_transcript(messages))


def write_episode_yml(path: Path, episode: Episode) -> bool:
    return write_atomic(path, render_episode_yml(episode))
