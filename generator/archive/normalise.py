"""The one form in which names and handles are compared: opt-outs, people and mentions.

Two spellings a reader cannot tell apart must compare equal, or an opt-out can be dodged by a
zero-width space, a second space, a decomposed accent or a Cyrillic look-alike. Every character
is, in this order:

1. NFKC-normalised and case-folded (full-width and ligature forms, `ß` → `ss`, `Ａ` → `a`);
2. dropped when it is a default-ignorable code point (zero-width spaces, soft hyphens, joiners,
   variation selectors) or a control/format character that rendering drops anyway (clean_text);
3. any white space becomes one space, and runs of spaces one space;
4. mapped to its confusable skeleton as Unicode TR39 defines it, by ICU's SpoofChecker (a
   Cyrillic `а` becomes a Latin `a`), and case-folded again (the skeleton of `0` is `O`).

The form is made character by character, so a match found in it maps back to the characters of
the original text (`Folded.span`), and it is the same on both sides of every comparison.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import icu

_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}  # what render/text.clean_text drops
_SPACES = re.compile(" {2,}")


@cache
def _spoof_checker() -> icu.SpoofChecker:
    return icu.SpoofChecker()


def _is_invisible(ch: str) -> bool:
    if icu.Char.hasBinaryProperty(ch, icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT):
        return True
    return unicodedata.category(ch) in _DROP_CATEGORIES and not ch.isspace()


class _CharForms(dict):
    """code point → its normal form (str.translate's table), computed once per character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch.isspace():
            form = " "
        elif _is_invisible(ch):
            form = ""
        else:
            folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", ch).casefold())
            folded = "".join(" " if c.isspace() else c for c in folded if not _is_invisible(c))
            form = _spoof_checker().getSkeleton(0, folded).casefold() if folded.strip() else folded
        self[code] = form
        return form


_FORMS = _CharForms()


@lru_cache(maxsize=2**12)
def normalise(text: str) -> str:
    """The comparable form of `text` (see the module's docstring); "" for "", no outer spaces.

    Kept for the last texts asked about: redaction asks about each message several times, one
    message after another, so a few thousand suffice (more would keep every message's form)."""
    if not text:
        return ""
    form = text.translate(_FORMS)
    return (_SPACES.sub(" ", form) if "  " in form else form).strip()


@dataclass(frozen=True)
class Folded:
    """A text's comparable form, and for each of its characters the original one it came from."""

    text: str
    origin: tuple[int, ...]
    source_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span that the form's [start, end) was made from."""
        if start >= end:
            return (self.origin[start] if start < len(self.origin) else self.source_length,) * 2
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str) -> Folded:
    """`normalise(text)` without the outer strip, with the way back to `text`'s positions."""
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for piece in _FORMS[ord(ch)]:
            if piece == " " and chars and chars[-1] == " ":
                continue
            chars.append(piece)
            origin.append(index)
    return Folded("".join(chars), tuple(origin), len(text))
