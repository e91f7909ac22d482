"""Edit a YAML file in data/ the way an editor would: change only the lines that must change.

Editors hand-write data/ with comments, blank lines, their own key order and quoting. A command
that changes one field must leave everything else byte for byte as it was, or every run would
bury the editor's work in a diff. ruamel.yaml reads the file with the line of every key and list
item; `edit_yaml` compares the file's document with the changed one and splices new text only
over the keys and list items whose values differ. Unchanged parts are never re-emitted, so no
emitter can re-wrap a long line or re-quote a string the editor wrote.

New text takes the file's own list indentation (``- id:`` at the key's column or two further in).
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from generator.errors import ChatdigestError
from generator.writer import write_atomic

# Wide enough that a new value is never folded over lines: a long line diffs better than a wrapped one.
_WIDTH = 4096


@dataclass(frozen=True)
class _Style:
    """The file's list layout: `offset` is the dash's indent under its key, `sequence` the items'."""

    sequence: int = 2
    offset: int = 0

    def yaml(self) -> YAML:
        yaml = YAML()  # round-trip: keeps comments and the flow style of what it re-emits
        yaml.preserve_quotes = True
        yaml.width = _WIDTH
        yaml.indent(mapping=2, sequence=self.sequence, offset=self.offset)
        # Data files never use anchors; a value shared by two new entries (a date) is written twice.
        yaml.representer.ignore_aliases = lambda *_: True
        return yaml


@dataclass(frozen=True)
class _Edit:
    start: int  # first line replaced (0-based)
    end: int  # first line kept after it
    lines: tuple[str, ...]


def load_document(text: str) -> Any:
    """The round-trip document of `text` (CommentedMap / CommentedSeq / scalars), None if empty."""
    return _Style().yaml().load(text) if text.strip() else None


def edit_yaml(path: Path, change: Callable[[Any], Any]) -> bool:
    """Apply `change` to the file's document and write back only what differs. True if written.

    `change` gets a copy of the document (a CommentedMap, or None for an empty file), changes it
    in place or returns a new one. A file that is not valid YAML is refused, never rewritten.
    """
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ChatdigestError(f"{path}: cannot read it to update it ({exc}) (fix: check the file, then run the command again)") from None
    return write_atomic(path, edit_yaml_text(text, change, str(path)))


def edit_yaml_text(text: str, change: Callable[[Any], Any], name: str = "the file") -> str:
    """`text` with `change` applied to its document, touching only the lines that must change."""
    try:
        old = load_document(text)
        style = _guess_style(text)
    except YAMLError as exc:
        raise ChatdigestError(
            f"{name}: not valid YAML, so it was left as it is ({_first_line(exc)}) (fix: run `chatdigest check`)"
        ) from None
    new = load_document(text)  # loaded again, not copied: a copy loses a timestamp's offset
    returned = change(new)
    new = returned if returned is not None else new
    if _plain(old) == _plain(new):
        return text
    if old is None:  # nothing but comments and blank lines: they stay, the document follows them
        kept = text if text.strip() else ""
        return kept + ("\n" if kept and not kept.endswith("\n") else "") + _dump(new, style)
    if not isinstance(old, CommentedMap) or not isinstance(new, dict) or not _is_block(old):
        return _dump(new, style)  # nothing to keep: an empty file, one line of `{…}`, another shape
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    edits: list[_Edit] = []
    _diff_mapping(old, new, lines, 0, _content_end(lines, 0, len(lines)), style, edits)
    # From the end of the file back, so earlier lines keep their numbers; of several new keys
    # inserted at one place, the last first, so that they come out in their own order.
    for _, edit in sorted(enumerate(edits), key=lambda e: (e[1].start, e[1].end, e[0]), reverse=True):
        lines[edit.start : edit.end] = edit.lines
    return "".join(lines)


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split("\n")[:1])


def _guess_style(text: str) -> _Style:
    if not text.strip():
        return _Style()
    _, sequence, offset = load_yaml_guess_indent(text)
    offset = offset or 0
    return _Style(sequence=max(sequence or 2, offset + 2), offset=offset)


# --- comparing ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A comparable form: ruamel's string, number and date subclasses as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value) if isinstance(value, float) else int(value)
    return str(value)


def _same(a: Any, b: Any) -> bool:
    return _plain(a) == _plain(b)


def _is_block(value: Any) -> bool:
    """A mapping or list written over lines (not `[a, b]` / `{a: 1}`), so its parts can be spliced."""
    if not isinstance(value, CommentedMap | CommentedSeq) or not value:
        return False
    return not value.fa.flow_style()


# --- where things are --------------------------------------------------------------------------


def _is_filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _content_end(lines: Sequence[str], start: int, end: int) -> int:
    """`end` moved back over the blank and comment lines before it: those belong to what follows."""
    while end > start + 1 and _is_filler(lines[end - 1]):
        end -= 1
    return end


def _key_spans(mapping: CommentedMap, end: int) -> dict[Any, tuple[int, int]]:
    """Each key's lines: from its own line to the next key's (or `end`)."""
    starts = [(key, mapping.lc.key(key)[0]) for key in mapping]
    return {key: (line, starts[i + 1][1] if i + 1 < len(starts) else end) for i, (key, line) in enumerate(starts)}


def _item_spans(seq: CommentedSeq, lines: Sequence[str], end: int) -> list[tuple[int, int]]:
    starts = [_dash_line(seq, i, lines) for i in range(len(seq))]
    return [(line, starts[i + 1] if i + 1 < len(starts) else end) for i, line in enumerate(starts)]


def _dash_line(seq: CommentedSeq, index: int, lines: Sequence[str]) -> int:
    """The line holding the item's `-` (the item's value may start on the line below it)."""
    line, column = seq.lc.item(index)
    if line > 0 and not lines[line][:column].strip(" -"):
        return line
    back = line - 1
    while back > 0 and lines[back].strip() != "-":
        back -= 1
    return back


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


# --- splicing ------------------------------------------------------------------------------------


def _diff_mapping(old: CommentedMap, new: dict, lines: list[str], start: int, end: int, style: _Style, edits: list[_Edit]) -> None:
    spans = _key_spans(old, end)
    column = old.lc.key(next(iter(old)))[1] if old else 0
    for key in old:
        if key not in new:
            first, last = spans[key]
            edits.append(_Edit(first, _content_end(lines, first, last), ()))
    previous_end = None
    for key, value in new.items():
        if key in old:
            first, last = spans[key]
            last = _content_end(lines, first, last)
            if not _same(old[key], value):
                _diff_value(old, key, value, lines, first, last, style, edits)
            previous_end = last
            continue
        at = previous_end if previous_end is not None else (spans[next(iter(old))][0] if old else end)
        edits.append(_Edit(at, at, _render_entry(key, value, column, style)))


def _diff_value(parent: CommentedMap, key: Any, value: Any, lines: list[str], first: int, last: int, style: _Style, edits) -> None:
    """One key whose value changed: recurse into a block mapping or list, else replace its lines."""
    old = parent[key]
    starts_below = last > first + 1 and _is_block(old)
    if starts_below and isinstance(old, CommentedMap) and isinstance(value, dict) and value:
        _diff_mapping(old, value, lines, first + 1, last, style, edits)
    elif starts_below and isinstance(old, CommentedSeq) and isinstance(value, list) and value:
        _diff_sequence(old, value, lines, last, style, edits)
    else:
        if isinstance(old, CommentedMap | CommentedSeq) and old.fa.flow_style() and isinstance(value, CommentedMap | CommentedSeq):
            value.fa.set_flow_style()
        edits.append(_Edit(first, last, _render_entry(key, value, _indent_of(lines[first]), style)))


def _diff_sequence(old: CommentedSeq, new: list, lines: list[str], end: int, style: _Style, edits: list[_Edit]) -> None:
    spans = _item_spans(old, lines, end)
    dash = _indent_of(lines[spans[0][0]])
    matcher = difflib.SequenceMatcher(
        a=[json.dumps(_plain(v), sort_keys=True) for v in old], b=[json.dumps(_plain(v), sort_keys=True) for v in new], autojunk=False
    )
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if (
            op == "replace"
            and a2 - a1 == b2 - b1
            and all(
                _is_block(old[a1 + k]) and isinstance(old[a1 + k], CommentedMap) and isinstance(new[b1 + k], dict) for k in range(a2 - a1)
            )
        ):
            for offset in range(a2 - a1):  # the same entries, changed inside: keep what did not change
                first, last = spans[a1 + offset]
                _diff_mapping(old[a1 + offset], new[b1 + offset], lines, first, _content_end(lines, first, last), style, edits)
            continue
        if a1 < a2:  # removed items take their trailing blank lines with them, unless they are the last
            first = spans[a1][0]
            last = spans[a2 - 1][1] if a2 < len(old) else _content_end(lines, spans[a2 - 1][0], spans[a2 - 1][1])
            edits.append(_Edit(first, last, ()))
            at = first
        else:
            at = spans[a1][0] if a1 < len(old) else _content_end(lines, spans[-1][0], spans[-1][1])
        rendered = tuple(line for item in new[b1:b2] for line in _render_item(item, dash, style))
        if rendered:
            edits.append(_Edit(at, at, rendered))


# --- rendering new text --------------------------------------------------------------------------


def _dump(value: Any, style: _Style) -> str:
    stream = io.StringIO()
    style.yaml().dump(value, stream)
    return stream.getvalue()


def _render_entry(key: Any, value: Any, column: int, style: _Style) -> tuple[str, ...]:
    entry = CommentedMap()
    entry[key] = value
    return _indented(_dump(entry, style), column)


def _render_item(value: Any, dash: int, style: _Style) -> tuple[str, ...]:
    text = _dump(CommentedSeq([value]), style)
    # The dump puts the dash `offset` spaces in; the file's dash column is known, so start from 0.
    text = "".join(line[style.offset :] if line[: style.offset].isspace() else line for line in text.splitlines(keepends=True))
    return _indented(text, dash)


def _indented(text: str, column: int) -> tuple[str, ...]:
    pad = " " * column
    return tuple(pad + line if line.strip() else line for line in text.splitlines(keepends=True))
