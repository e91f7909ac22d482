"""One small exception hierarchy. Only cli.py turns these into exit codes and messages."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

# Characters a terminal or a CI log acts on rather than shows: controls (escape sequences, carriage
# returns, newlines that would forge a `::error` line), format characters (bidi overrides that
# reorder a line), line and paragraph separators, and code points with no character.
_UNPRINTABLE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def printable(text: str, keep_newlines: bool = False) -> str:
    """`text` from data, safe to print to a terminal or log: what would act is shown escaped
    (ESC as \\x1b, a newline as \\n), everything else as it is. Tabs stay."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch == "\t" or (ch == "\n" and keep_newlines) or unicodedata.category(ch) not in _UNPRINTABLE:
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii") if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
    return "".join(out)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a user's file, said the way an editor can act on it.

    Rendered as ``FILE:LINE: message (fix: …)``; `where` names a place that has no line,
    such as a message id or a field.
    """

    file: str
    line: int | None = None
    message: str = ""
    where: str = ""
    fix: str = ""

    def __str__(self) -> str:
        # One line, whatever the data quoted in it holds (see printable).
        file, message, where, fix = (printable(part) for part in (self.file, self.message, self.where, self.fix))
        place = file if self.line is None else f"{file}:{self.line}"
        where = f" {where}:" if where else ""
        fix = f" (fix: {fix})" if fix else ""
        return f"{place}:{where} {message}{fix}"


class ChatdigestError(Exception):
    """A user-facing failure: bad usage or unreadable input. Exit code 2."""

    exit_code = 2


class StrictFailure(ChatdigestError):
    """A strict build saw warnings (already printed by MkDocs). Exit code 1."""

    exit_code = 1


class ProblemsFound(ChatdigestError):
    """Validation found problems; every one of them is listed, not just the first."""

    def __init__(self, problems: list[Problem], exit_code: int = 2, warnings: list[Problem] | None = None):
        # Causes before their consequences: a broken people.yml makes every chat's hosts
        # "unknown", so the files others depend on come first. The same problem is said once.
        self.problems = sorted(set(problems), key=lambda p: (_rank(p.file), p.file, p.line or 0, p.where, p.message))
        self.warnings = sorted(set(warnings or []), key=lambda p: (_rank(p.file), p.file, p.line or 0, p.where, p.message))
        self.exit_code = exit_code
        super().__init__("\n".join(str(p) for p in self.problems))


_FIRST = ("community.yml", "people.yml", "privacy.yml")


def _rank(file: str) -> int:
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    return _FIRST.index(name) if name in _FIRST and "episodes/" not in file.replace("\\", "/") else len(_FIRST)


def relative(path: Path, root: Path) -> str:
    """A path as the user will recognise it: relative to the site root when inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
