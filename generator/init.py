"""init: a new community site from the scaffold shipped in the package (generator/scaffold/).

The scaffold's files are copied as they are, except:

* ``*.tmpl`` files are filled in with string.Template ($name, …) and lose the suffix; values
  are quoted for the file they land in (YAML or Markdown);
* a path part starting with ``dot-`` becomes ``.…`` — package data globs skip dotfiles, so
  ``.gitignore`` and ``.github/`` are shipped as ``dot-gitignore`` and ``dot-github/``.

The example episode is made from the model and written with datafiles' renderers, so it has
exactly the format `chatdigest import` writes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from pydantic import ValidationError

from generator.archive.model import Community, Episode, Message, Schedule
from generator.archive.schedule import next_start
from generator.archive.write import render_episode_yml, render_transcript
from generator.errors import ChatdigestError
from generator.render.pages import PLATFORM_NAMES
from generator.render.text import inline_md
from generator.writer import write_atomic

TEMPLATE_SUFFIX = ".tmpl"
DOT_PREFIX = "dot-"
# Which command-line option each Community field comes from, to name it in an error.
OPTION_OF = {
    "name": "--name",
    "hashtags": "--hashtag",
    "platforms": "--platform",
    "weekday": "--weekday",
    "time": "--time",
    "timezone": "--timezone",
}


@dataclass(frozen=True)
class InitOptions:
    name: str | None = None
    hashtag: str | None = None
    platforms: tuple[str, ...] = ()
    timezone: str = "UTC"
    weekday: str = "thursday"
    time: str = "19:00"
    now: dt.datetime | None = None  # the example episode is the last scheduled chat before it


@dataclass
class InitReport:
    root: Path
    written: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"created a community site in {self.root} ({len(self.written)} files)\n"
            f"next: cd {self.root} && chatdigest build   (then read README.md: how to run a week)"
        )


def init_site(root: Path, options: InitOptions = InitOptions()) -> InitReport:
    """Write a new community site into `root`, which must be missing or empty."""
    _refuse_non_empty(root)
    community = build_community(options, default_name=root.resolve().name)
    files = render_scaffold(community) | render_example_episode(community, options.now or dt.datetime.now(dt.UTC))
    report = InitReport(root)
    for relpath in sorted(files):
        write_atomic(root / relpath, files[relpath])
        report.written.append(root / relpath)
    return report


def _refuse_non_empty(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise ChatdigestError(f"{root}: is a file, not a folder (fix: name a new folder for the site)")
    if root.is_dir() and any(root.iterdir()):
        raise ChatdigestError(f"{root}: folder is not empty; init never overwrites files (fix: name a new or empty folder)")


def build_community(options: InitOptions, default_name: str) -> Community:
    """The community the options describe; a bad option is one error naming it."""
    name = " ".join((options.name or default_name).split())
    hashtag = options.hashtag or "".join(ch for ch in name if ch.isalnum())
    try:
        schedule = Schedule(weekday=options.weekday.lower(), time=options.time, timezone=options.timezone)
        return Community(
            name=name,
            description=f"Every {name} chat, with the questions, the best answers and full transcripts.",
            hashtags=["#" + hashtag.lstrip("#")] if hashtag else [],
            platforms=list(options.platforms or ("mastodon",)),
            schedule=schedule,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        option = OPTION_OF.get(str(error["loc"][0]), str(error["loc"][0]))
        raise ChatdigestError(f"{option}: {error['msg'].removeprefix('Value error, ')} (fix: see `chatdigest init --help`)") from None


# --- the scaffold ------------------------------------------------------------------------------


def render_scaffold(community: Community) -> dict[str, str]:
    """Every scaffold file as relative path → text, templates filled in."""
    values = template_values(community)
    files: dict[str, str] = {}
    for parts, source in _walk(resources.files("generator") / "scaffold", ()):
        text = source.read_text(encoding="utf-8")
        name = "/".join(_target_part(part) for part in parts)
        if name.endswith(TEMPLATE_SUFFIX):
            name, text = name.removesuffix(TEMPLATE_SUFFIX), Template(text).substitute(values)
        files[name] = text
    return files


def _target_part(part: str) -> str:
    return "." + part.removeprefix(DOT_PREFIX) if part.startswith(DOT_PREFIX) else part


def _walk(folder: Traversable, parts: tuple[str, ...]):
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            yield from _walk(entry, parts + (entry.name,))
        else:
            yield parts + (entry.name,), entry


def template_values(community: Community) -> dict[str, str]:
    """$names for the templates: `_yaml` values are quoted scalars, `_md` ones escaped Markdown."""
    schedule = community.schedule
    platform = community.platforms[0] if community.platforms else "other"
    hashtag = community.hashtags[0] if community.hashtags else ""
    return {
        "name": _yaml(community.name),
        "site_name": _yaml(f"{community.name} archive"),
        "description": _yaml(community.description),
        "site_description": _yaml(community.description),
        "hashtag": _yaml(hashtag) if hashtag else "",
        "platforms": ", ".join(community.platforms),
        "platform": platform,
        "weekday": schedule.weekday,
        "time": schedule.time,
        "timezone": schedule.timezone,
        "name_md": inline_md(community.name),
        "hashtag_md": inline_md(hashtag or community.name),
        "platform_name": PLATFORM_NAMES.get(platform, platform),
        "schedule_md": inline_md(f"{schedule.weekday.capitalize()}s at {schedule.time} ({schedule.timezone})"),
    }


def _yaml(text: str) -> str:
    # A JSON string is a valid double-quoted YAML scalar: safe for '#', ':' and quotes.
    return json.dumps(text, ensure_ascii=False)


# --- the example episode -----------------------------------------------------------------------


def render_example_episode(community: Community, now: dt.datetime) -> dict[str, str]:
    """A short, published example chat on the last scheduled date before `now`."""
    starts_at = next_start(community.schedule, now - dt.timedelta(days=7))
    folder = f"data/episodes/{starts_at:%Y-%m-%d}-welcome"
    messages = example_messages(community, starts_at)
    episode = Episode(
        id=folder.rsplit("/", 1)[1],
        title=f"Welcome to {community.name}",
        starts_at=starts_at,
        tags=["welcome"],
        hosts=["editor"],
        guests=["first-guest"],
        questions=["Q1: What brings you here?", "Q2: What should we talk about next?"],
        summary="The example chat made by `chatdigest init`: replace it with your first real week.",
        highlights=[messages[2].id, messages[5].id],
    )
    preview = (
        f"This week we get to know each other. Join us on {PLATFORM_NAMES.get(messages[0].platform, 'the chat')}"
        f" with {community.hashtags[0] if community.hashtags else 'the hashtag'}.\n\n" + "".join(f"- {q}\n" for q in episode.questions)
    )
    return {
        f"{folder}/episode.yml": render_episode_yml(episode),
        f"{folder}/preview.md": preview,
        f"{folder}/transcript.jsonl": render_transcript(messages),
    }


def example_messages(community: Community, starts_at: dt.datetime) -> list[Message]:
    platform = community.platforms[0] if community.platforms else "other"
    tag = community.hashtags[0] if community.hashtags else ""
    lines = [
        ("@editor", f"Welcome to {community.name}! Say hello and tell us where you are joining from. {tag}", None),
        ("@editor", f"Q1: What brings you here? {tag}", None),
        ("@first_guest", f"A1: I wanted a place to learn from people who have done it before. {tag}", "2"),
        ("@reader", f"A1: Curiosity, and a friend who would not stop talking about it {tag}", "2"),
        ("@editor", f"Q2: What should we talk about next? {tag}", None),
        ("@first_guest", f"A2: How to ask for help without feeling awkward. {tag}", "5"),
        ("@editor", f"Thanks everyone! The recap goes up on the blog this week. {tag}", None),
    ]
    return [
        Message(
            id=str(number),
            platform=platform,
            author=author,
            at=starts_at + dt.timedelta(minutes=4 * number),
            text=text.strip(),
            reply_to=reply_to,
            hashtags=(tag.lstrip("#"),) if tag else (),
        )
        for number, (author, text, reply_to) in enumerate(lines, start=1)
    ]
