"""Serialise model objects into data/ files in one stable, diff-friendly form.

Keys keep the model's field order, defaults are left out, and transcripts are sorted by time,
so writing the same data twice gives the same bytes and a re-import shows no git diff. An
episode.yml that exists is never rewritten whole: `update_episode_yml` changes only the fields
that differ (archive/edit.py), so the editor's comments, order and quoting stay.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import yaml

from generator.archive.edit import edit_yaml
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


def episode_fields(episode: Episode) -> dict:
    """episode.yml's fields as written: model order, defaults left out, times with their offset."""
    data = episode.model_dump(mode="json", exclude_defaults=True, exclude={"id"})
    data["starts_at"] = episode.starts_at.isoformat()
    if episode.ends_at is not None:
        data["ends_at"] = episode.ends_at.isoformat()
    return {name: data[name] for name in Episode.model_fields if name in data}


def render_episode_yml(episode: Episode) -> str:
    return yaml.safe_dump(episode_fields(episode), sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def write_transcript(path: Path, messages: Iterable[Message]) -> bool:
    return write_atomic(path, render_transcript(messages))


def write_episode_yml(path: Path, episode: Episode) -> bool:
    """A new episode.yml. One that exists is changed with update_episode_yml."""
    return write_atomic(path, render_episode_yml(episode))


def update_episode_yml(path: Path, old: Episode, new: Episode) -> bool:
    """Change in episode.yml only the fields where `new` differs from `old` (both as read from it)."""
    before, after = episode_fields(old), episode_fields(new)
    changed = [name for name in Episode.model_fields if before.get(name) != after.get(name)]
    if not changed:
        return False
    if not path.exists():
        return write_episode_yml(path, new)

    def change(document):
        if document is None:
            return after
        for name in changed:
            if name not in after:
                document.pop(name, None)
            elif name in document:
                document[name] = after[name]
            else:
                document.insert(_position(document, name), name, after[name])
        return document

    return edit_yaml(path, change)


def _position(document, name: str) -> int:
    """Where a new field goes: after the last field present that comes before it in the model."""
    order = list(Episode.model_fields)
    earlier = set(order[: order.index(name)])
    keys = list(document)
    return max((i + 1 for i, key in enumerate(keys) if key in earlier), default=0)
