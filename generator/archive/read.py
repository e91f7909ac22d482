"""Read and validate data/: community.yml, people.yml, privacy.yml and the episode folders.

Validation reports every problem at once, each as FILE:LINE: message (fix). YAML is composed
into nodes first so that a pydantic error location such as ``questions.2`` can be traced back to
the line the editor has to change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from generator.archive.model import Archive, Community, Episode, EpisodeContent, Message, OptOut, Person, handle_key
from generator.archive.summaries import LazyMessages, SummaryCache
from generator.errors import ChatdigestError, Problem, ProblemsFound, relative

try:  # the C loader is ~10x faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

DATA = "data"
EPISODES = "data/episodes"
EPISODE_DIR = re.compile(r"^(\d{4}-\d{2}-\d{2})-[a-z0-9][a-z0-9-]*$")
EPISODE_FILES = {"episode.yml", "preview.md", "transcript.jsonl"}

Lines = dict[tuple[Any, ...], int]

# Far above any real chat (156k messages of JSONL are ~60 MB), far below what exhausts memory:
# a bigger input is a mistake (a wrong file, a runaway export) and is refused, not loaded.
MAX_DATA_FILE_BYTES = 16 * 2**20  # community.yml, people.yml, episode.yml, preview.md
MAX_TRANSCRIPT_BYTES = 512 * 2**20
MAX_MESSAGE_BYTES = 2**20  # one transcript line


class _Reader:
    """Collects problems while reading; files are named relative to the site root."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        # Episodes whose episode.yml has problems, read as far as they go so that `check` can
        # report the rest of their problems in the same run. Never published.
        self.salvaged: list[EpisodeContent] = []
        self.salvaged_community: Community | None = None

    def name(self, path: Path) -> str:
        return relative(path, self.root)

    def problem(self, path: Path, message: str, line: int | None = None, where: str = "", fix: str = "") -> None:
        self.problems.append(Problem(self.name(path), line, message, where, fix))

    # --- YAML -----------------------------------------------------------------------------

    def read_yaml(self, path: Path, fix_missing: str = "") -> tuple[Any, Lines] | None:
        if not path.is_file():
            self.problem(path, "file is missing", fix=fix_missing)
            return None
        text = self.read_text(path)
        if text is None:
            return None
        try:
            loader = _Loader(text)
            try:
                node = loader.get_single_node()
                data = loader.construct_document(node) if node is not None else None
            finally:
                loader.dispose()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            message = f"not valid YAML: {exc.problem or exc.context}"
            if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
                message += f" ({exc.context.removeprefix('while ')} that started on line {exc.context_mark.line + 1})"
            self.problem(path, message, line, fix="check indentation and quoting")
            return None
        except yaml.YAMLError as exc:
            self.problem(path, f"not valid YAML: {exc}")
            return None
        lines: Lines = {}
        if node is not None:
            _record_lines(node, (), lines)
        return data, lines

    def read_text(self, path: Path) -> str | None:
        try:
            if not self.within_limit(path, MAX_DATA_FILE_BYTES):
                return None
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            self.problem(path, "not UTF-8 text", line, fix="save the file as UTF-8")
        except OSError as exc:
            self.problem(path, f"cannot read: {exc.strerror}")
        return None

    def within_limit(self, path: Path, limit: int) -> bool:
        size = path.stat().st_size
        if size > limit:
            self.problem(
                path,
                f"file is {_size(size)}, over the {_size(limit)} limit for this kind of file",
                fix="check it is the right file; split a huge episode",
            )
        return size <= limit

    def validate(self, model: type[BaseModel], data: Any, path: Path, lines: Lines, prefix: tuple = (), **extra: Any):
        """Validate one mapping into `model`; report each error on its line. None if invalid."""
        if not isinstance(data, dict):
            self.problem(path, f"expected a mapping of fields, found {type(data).__name__}", lines.get(prefix))
            return None
        try:
            return model.model_validate({**data, **extra})
        except ValidationError as exc:
            for error in exc.errors():
                loc = prefix + _as_written(data, tuple(error["loc"]))
                self.problem(path, _describe(error), _line_of(lines, loc), where=_dotted(loc))
            return None


def _as_written(data: Any, loc: tuple) -> tuple:
    """`loc` without the list index pydantic adds where the file has one mapping for a "one or
    many" field (community.yml's single `schedule:`), so it names the line the editor wrote."""
    written: list = []
    for part in loc:
        if isinstance(part, int) and isinstance(data, dict):
            continue
        written.append(part)
        data = (
            data.get(part)
            if isinstance(data, dict)
            else data[part]
            if isinstance(data, list) and isinstance(part, int) and part < len(data)
            else None
        )
    return tuple(written)


def _record_lines(node: yaml.Node, path: tuple, lines: Lines) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (key.value,)
            _record_lines(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, path + (index,), lines)


def _line_of(lines: Lines, loc: tuple) -> int | None:
    """The line of the deepest part of `loc` that exists in the file."""
    for cut in range(len(loc), -1, -1):
        key = tuple(str(p) if not isinstance(p, int) else p for p in loc[:cut])
        if key in lines:
            return lines[key]
    return None


def _dotted(loc: Iterable) -> str:
    return ".".join(str(p) for p in loc)


def _describe(error: dict) -> str:
    if error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        return "unknown field; check its spelling against the data reference in README.md"
    if error["type"] == "missing":
        return "required field is missing"
    message = error["msg"]
    return message.removeprefix("Value error, ")


# --- the files of data/ ---------------------------------------------------------------------


def read_community(reader: _Reader) -> Community | None:
    path = reader.root / DATA / "community.yml"
    loaded = reader.read_yaml(path, fix_missing="run `chatdigest init` or copy the example from README.md")
    community = reader.validate(Community, loaded[0], path, loaded[1]) if loaded else None
    if community is None and loaded:
        reader.salvaged_community = _without_invalid_fields(Community, loaded[0])
    return community


def _without_invalid_fields(model: type[BaseModel], data: Any) -> Any:
    """`data` validated without the fields that have problems (already reported); None if it
    still cannot be. Lets `check` go on to what depends on the valid part."""
    if not isinstance(data, dict):
        return None
    try:
        return model.model_validate({k: v for k, v in data.items() if k in model.model_fields})
    except ValidationError as exc:
        bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        try:
            return model.model_validate({k: v for k, v in data.items() if k in model.model_fields and k not in bad})
        except ValidationError:
            return None


def _read_list(reader: _Reader, name: str, key: str, model: type[BaseModel]) -> tuple[list, Path, Lines]:
    """An optional data file holding `key:` and a list of `model` entries; invalid ones are reported."""
    path = reader.root / DATA / name
    loaded = reader.read_yaml(path) if path.exists() else None
    if not loaded:
        return [], path, {}
    data, lines = loaded
    entries = (data or {}).get(key, []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        reader.problem(path, f"expected `{key}:` followed by a list", 1)
        return [], path, lines
    items = [reader.validate(model, item, path, lines, (key, i)) for i, item in enumerate(entries)]
    return [item for item in items if item], path, lines


def read_people(reader: _Reader) -> list[Person]:
    people, path, lines = _read_list(reader, "people.yml", "people", Person)
    _check_people(reader, path, lines, people)
    return people


def _check_people(reader: _Reader, path: Path, lines: Lines, people: list[Person]) -> None:
    seen_ids: set[str] = set()
    owner: dict[tuple[str, str], str] = {}
    for index, person in enumerate(people):
        if person.id in seen_ids:
            reader.problem(
                path, f"person id {person.id!r} is used twice", _line_of(lines, ("people", index)), fix="give each person a unique id"
            )
        seen_ids.add(person.id)
        for platform, handles in person.handles.items():
            for handle in handles:
                key = (platform, handle_key(handle))
                if key in owner and owner[key] != person.id:
                    reader.problem(
                        path,
                        f"handle {handle} on {platform} belongs to both {owner[key]} and {person.id}",
                        _line_of(lines, ("people", index, "handles")),
                    )
                owner[key] = person.id


def read_optouts(reader: _Reader) -> list[OptOut]:
    return _read_list(reader, "privacy.yml", "optouts", OptOut)[0]


def _size(n: int) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n} bytes"


def _transcript_lines(reader: _Reader, path: Path, hasher=None) -> Iterable[tuple[int, str]]:
    """Stream (line number, line); an over-long line is reported and skipped, never held whole.

    `hasher` (a hashlib object) sees every byte read, for the page cache's fingerprint."""
    try:
        if not reader.within_limit(path, MAX_TRANSCRIPT_BYTES):
            return
        # Bytes, split on b"\n" only: JSON may hold U+2028 or a bare \r inside a string.
        with path.open("rb") as handle:
            for number, line in enumerate(iter(lambda: handle.readline(MAX_MESSAGE_BYTES + 1), b""), start=1):
                if hasher is not None:
                    hasher.update(line)
                if len(line) > MAX_MESSAGE_BYTES:
                    while line and not line.endswith(b"\n"):  # skip the rest in bounded pieces
                        line = handle.readline(MAX_MESSAGE_BYTES)
                    reader.problem(
                        path,
                        f"line is longer than {_size(MAX_MESSAGE_BYTES)}",
                        number,
                        fix="a chat message is never this long; check the import",
                    )
                    continue
                try:
                    yield number, line.decode("utf-8")
                except UnicodeDecodeError:
                    reader.problem(path, "not UTF-8 text", number, fix="save the file as UTF-8")
    except OSError as exc:
        reader.problem(path, f"cannot read: {exc.strerror}")


def read_messages(reader: _Reader, path: Path, hasher=None) -> list[Message]:
    """Read a transcript.jsonl; each bad line is a problem naming its line number.

    A transcript smaller than the longest allowed line (a chat of a few thousand messages) is
    read whole and validated in one loop, a fifth faster than streaming it. Only when that meets
    a problem, or the file is bigger, is it streamed line by line, which names each problem's line.
    """
    whole = _read_whole(path)
    if whole is None:
        return _read_messages_by_line(reader, path, hasher)
    messages, data = whole
    if hasher is not None:
        hasher.update(data)
    return messages


_MESSAGE_ORDER = attrgetter("at", "id")


def _read_whole(path: Path) -> tuple[list[Message], bytes] | None:
    """A small transcript's messages in order, and its bytes; None if it is big or has a problem."""
    data = _small_file(path)
    messages = _valid_messages(data) if data is not None else None
    if messages is None:
        return None
    messages.sort(key=_MESSAGE_ORDER)
    return messages, data


def _digest(data: bytes) -> str:
    """A transcript's fingerprint: what hashing it line by line in read_episode gives."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _small_file(path: Path) -> bytes | None:
    """The file's bytes if it is smaller than one line may be: holding it whole then costs no
    more memory than streaming it could. None for a bigger file or one that cannot be read."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MESSAGE_BYTES)
    except OSError:
        return None
    return data if len(data) < MAX_MESSAGE_BYTES else None


def _valid_messages(data: bytes) -> list[Message] | None:
    """The messages of a transcript in file order, or None if it has any problem."""
    try:
        lines = data.decode("utf-8").split("\n")  # "\n" only: see _transcript_lines
        messages = [Message.model_validate_json(line) for line in lines if line.strip()]
    except (UnicodeDecodeError, ValidationError):
        return None
    return messages if len({m.id for m in messages}) == len(messages) else None


def _read_messages_by_line(reader: _Reader, path: Path, hasher=None) -> list[Message]:
    messages: list[Message] = []
    seen: dict[str, int] = {}
    for number, line in _transcript_lines(reader, path, hasher):
        if not line.strip():
            continue
        try:
            message = Message.model_validate_json(line)
        except ValidationError as exc:
            error = exc.errors()[0]
            if error["type"] == "json_invalid":
                reader.problem(
                    path,
                    f"not a JSON object: {error['msg'].removeprefix('Invalid JSON: ')}",
                    number,
                    fix="each line must be one JSON object",
                )
            else:
                for error in exc.errors():
                    reader.problem(path, _describe(error), number, where=_dotted(error["loc"]))
            continue
        if message.id in seen:
            reader.problem(path, f"message id {message.id} also on line {seen[message.id]}", number, fix="remove the duplicate line")
            continue
        seen[message.id] = number
        messages.append(message)
    messages.sort(key=_MESSAGE_ORDER)
    return messages


def read_episode(reader: _Reader, folder: Path, summaries: SummaryCache | None = None) -> EpisodeContent | None:
    path = folder / "episode.yml"
    loaded = reader.read_yaml(path, fix_missing="add an episode.yml (see README.md) or remove the folder")
    if not loaded:
        return None
    episode: Episode | None = reader.validate(Episode, loaded[0], path, loaded[1], id=folder.name)
    for extra in sorted(folder.iterdir()):
        if extra.name not in EPISODE_FILES and not extra.name.startswith("."):
            reader.problem(extra, "file not known to chatdigest", fix=f"an episode folder holds only {', '.join(sorted(EPISODE_FILES))}")
    if episode is None:
        _salvage_episode(reader, folder, loaded)
        return None
    preview = folder / "preview.md"
    preview_markdown = (reader.read_text(preview) or "") if preview.exists() else ""
    transcript = folder / "transcript.jsonl"
    known = _known_transcript(transcript, summaries) if summaries is not None else None
    if known is not None:  # read without problems by the last run: read again only if asked for
        messages, digest, ids = known
        _check_episode(reader, folder, loaded[1], episode, ids)
        return EpisodeContent.model_construct(
            episode=episode, preview_markdown=preview_markdown, messages=messages, transcript_digest=digest
        )
    hasher = hashlib.blake2b(digest_size=16)
    problems = len(reader.problems)
    messages = read_messages(reader, transcript, hasher) if transcript.exists() else []
    if summaries is not None and len(reader.problems) == problems:
        summaries.note_transcript(hasher.hexdigest(), messages)
    _check_episode(reader, folder, loaded[1], episode, {m.id for m in messages})
    return EpisodeContent(
        episode=episode, preview_markdown=preview_markdown, messages=tuple(messages), transcript_digest=hasher.hexdigest()
    )


def _salvage_episode(reader: _Reader, folder: Path, loaded: tuple[Any, Lines]) -> None:
    """Read what an invalid episode.yml still allows (its transcript, highlights, people), so one
    typo does not hide the folder's other problems. Problems already reported are not repeated."""
    episode, dated = _salvaged_episode(loaded[0], folder.name)
    if episode is None:
        return
    transcript = folder / "transcript.jsonl"
    messages = read_messages(reader, transcript) if transcript.exists() else []
    _check_episode(reader, folder, loaded[1], episode, {m.id for m in messages}, check_date=dated)
    reader.salvaged.append(EpisodeContent(episode=episode, messages=tuple(messages)))


def _salvaged_episode(data: Any, folder_name: str) -> tuple[Episode | None, bool]:
    """The episode without its invalid fields, and whether its own starts_at survived."""
    if not isinstance(data, dict):
        return None, False
    data = {**data, "id": folder_name}
    for _ in range(len(data) + 1):
        try:
            return Episode.model_validate(data), "starts_at" in data and not isinstance(data["starts_at"], _Placeholder)
        except ValidationError as exc:
            bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]} or {"ends_at"}
            data = {key: value for key, value in data.items() if key not in bad}
            data.setdefault("title", "(untitled)")
            if "starts_at" not in data:
                match = EPISODE_DIR.match(folder_name)
                data["starts_at"] = _Placeholder.fromisoformat(f"{match.group(1) if match else '2000-01-01'}T00:00:00+00:00")
    return None, False


class _Placeholder(dt.datetime):
    """A start put in for a salvaged episode whose own starts_at is missing or invalid."""


def _known_transcript(transcript: Path, summaries: SummaryCache) -> tuple[LazyMessages, str, frozenset[str]] | None:
    """(messages read when first asked for, transcript digest, message ids) for a transcript that
    the last run read without problems.

    Only small transcripts, which are read whole anyway (read_messages): their bytes' hash is
    the digest read_messages would give, and reading this very file again cannot meet a problem.
    """
    data = _small_file(transcript) if transcript.exists() else None
    if data is None:
        return None
    digest = _digest(data)
    ids = summaries.known_ids(digest)
    if ids is None:
        return None
    return LazyMessages(lambda: _reread(transcript, digest)), digest, ids


def _reread(transcript: Path, digest: str) -> list[Message]:
    whole = _read_whole(transcript)
    if whole is None or _digest(whole[1]) != digest:
        raise ChatdigestError(f"{transcript} changed while it was being read (fix: run the command again)")
    return whole[0]


def _check_episode(reader: _Reader, folder: Path, lines: Lines, episode: Episode, ids: Set[str], check_date: bool = True) -> None:
    path = folder / "episode.yml"
    match = EPISODE_DIR.match(folder.name)
    if not match:
        reader.problem(folder, "episode folder name must be YYYY-MM-DD-slug (lower-case letters, digits, hyphens)", fix="rename the folder")
    elif check_date and match.group(1) != episode.starts_at.date().isoformat():
        reader.problem(
            path,
            f"starts_at is on {episode.starts_at.date()} but the folder says {match.group(1)}",
            _line_of(lines, ("starts_at",)),
            fix="make the folder date and starts_at agree",
        )
    for index, highlight in enumerate(episode.highlights):
        if highlight not in ids:
            reader.problem(
                path,
                f"highlight {highlight} is not a message in transcript.jsonl",
                _line_of(lines, ("highlights", index)),
                fix="copy the id from the transcript or remove it",
            )


def _check_archive(reader: _Reader, people: list[Person], episodes: list[EpisodeContent]) -> None:
    known = {p.id for p in people}
    episodes_dir = reader.root / EPISODES
    for content in episodes:
        episode = content.episode
        path = episodes_dir / episode.id / "episode.yml"
        for field in ("hosts", "guests"):
            for index, person in enumerate(getattr(episode, field)):
                if person not in known:
                    reader.problem(
                        path,
                        f"{field}: {person!r} is not in data/people.yml",
                        line_in_yaml(path, (field, index)),
                        fix="add the person to people.yml or fix the id",
                    )
    dates = Counter(c.episode.date for c in episodes)
    for content in episodes:
        if dates[content.episode.date] > 1:
            path = episodes_dir / content.episode.id / "episode.yml"
            reader.problem(
                path,
                f"another episode has the same date {content.episode.date}",
                line_in_yaml(path, ("starts_at",)),
                fix="one episode per date: merge or re-date one of them",
            )


def line_in_yaml(path: Path, loc: tuple) -> int | None:
    """The line of `loc` (e.g. ("hosts", 1)) in a YAML file that was read without problems.

    Lines are not kept for valid files; reading again only when reporting keeps the common,
    problem-free read fast.
    """
    loaded = _Reader(path.parent).read_yaml(path)
    return _line_of(loaded[1], loc) if loaded else None


@dataclass
class DataRead:
    """All of data/ as far as it could be read, with every problem met on the way."""

    community: Community | None
    people: list[Person]
    optouts: list[OptOut]
    episodes: list[EpisodeContent]  # valid, sorted by start time
    salvaged: list[EpisodeContent]  # with problems in episode.yml: checked, never published
    problems: list[Problem]
    salvaged_community: Community | None = None  # community.yml without its invalid fields

    def archive(self) -> Archive | None:
        if self.community is None:
            return None
        return Archive(community=self.community, people=tuple(self.people), optouts=tuple(self.optouts), episodes=tuple(self.episodes))


def read_data(root: Path, summaries: SummaryCache | None = None) -> DataRead:
    """Read and validate all of data/, going on past every problem. Never raises for bad data."""
    reader = _Reader(root)
    community = read_community(reader)
    people = read_people(reader)
    optouts = read_optouts(reader)
    episodes: list[EpisodeContent] = []
    episodes_dir = root / EPISODES
    if episodes_dir.is_dir():
        for folder in sorted(episodes_dir.iterdir()):
            if folder.name.startswith("."):
                continue
            if not folder.is_dir():
                reader.problem(folder, "file not known to chatdigest", fix="episodes/ holds only episode folders")
                continue
            content = read_episode(reader, folder, summaries)
            if content:
                episodes.append(content)
    _check_archive(reader, people, episodes + reader.salvaged)
    episodes.sort(key=lambda c: c.episode.starts_at)
    return DataRead(community, people, optouts, episodes, reader.salvaged, reader.problems, reader.salvaged_community)


def read_archive(
    root: Path, exit_code: int = 2, checks: Iterable[Callable[[Archive, Path], list[Problem]]] = (), summaries: SummaryCache | None = None
) -> Archive:
    """Read and validate all of data/, then run `checks`. Raises ProblemsFound listing every problem.

    With `summaries`, a chat summarised by the last run is not read (summaries.py)."""
    data = read_data(root, summaries)
    archive = data.archive()
    problems = list(data.problems)
    if archive is not None:
        for extra_check in checks:
            problems.extend(extra_check(archive, root))
    if problems or archive is None:
        raise ProblemsFound(problems, exit_code)
    return archive
