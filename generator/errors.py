"""One small exception hierarchy. Only cli.py turns these into exit codes and messages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        where = f" {self.where}:" if self.where else ""
        fix = f" (fix: {self.fix})" if self.fix else ""
        return f"{place}:{where} {self.message}{fix}"


class ChatdigestError(Exception):
    """A user-facing failure: bad usage or unreadable input. Exit code 2."""

    exit_code = 2


class StrictFailure(ChatdigestError):
    """A strict build saw warnings (already printed by MkDocs). Exit code 1."""

    exit_code = 1


class ProblemsFound(ChatdigestError):
    """Validation found problems; every one of them is listed, not just the first."""

    def __init__(self, problems: list[Problem], exit_code: int = 2, warnings: list[Problem] | None = None):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.where, p.message))
        self.warnings = sorted(warnings or [], key=lambda p: (p.file, p.line or 0, p.where, p.message))
        self.exit_code = exit_code
        super().__init__("\n".join(str(p) for p in self.problems))


def relative(path: Path, root: Path) -> str:
    """A path as the user will recognise it: relative to the site root when inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
