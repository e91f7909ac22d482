"""Text to index terms: words, their Snowball stems, and bigrams of Chinese, Japanese and Korean.

theme/assets/search.js makes the same terms of a query, step for step:
  1. NFKC, then lower case (full-width letters, ligatures and half-width kana become plain ones);
  2. words are runs of letters, combining marks and digits;
  3. a run of CJK characters (which has no spaces between words) gives its overlapping pairs
     of characters, so "東京都" gives "東京", "京都", and a single one itself;
  4. other words are stemmed: Cyrillic ones by the Russian stemmer (ё read as е), the rest by
     the community's language's (community.yml `language:`); a language with no stemmer here
     keeps words whole;
  5. accents are dropped from the stem (NFKD, combining marks removed): "Gehälter" → "gehalt".
A word's position is its place in this list of terms, so phrases match terms in a row.

The stemmers are snowballstemmer's pure-Python classes, not whatever `snowballstemmer.stemmer()`
picks (it prefers PyStemmer when installed, a newer generation of the algorithms than the
browser's, see vendor.py).
"""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata

# community.yml `language:` → Snowball algorithm; each has a stemmer in theme/assets/stemmers/.
LANGUAGES = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "pt": "portuguese",
    "ru": "russian",
    "it": "italian",
    "nl": "dutch",
}
CYRILLIC = "russian"  # Cyrillic words are stemmed as Russian whatever the community's language
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# search.js's CJK: Hangul jamo, CJK radicals, 々〆〇, kana, bopomofo, Hangul compatibility jamo,
# ideographs (and their extensions and compatibility forms), Hangul syllables.
CJK_RANGES = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\U00020000-\U0003134f"
)
_CJK_RUN = re.compile(f"[{CJK_RANGES}]+|[^{CJK_RANGES}]+")
_CJK = re.compile(f"[{CJK_RANGES}]")


def stemmer_name(language: str) -> str:
    """The Snowball algorithm for a community's language ("" when none: words stay whole)."""
    return LANGUAGES.get(language.lower().replace("_", "-").split("-")[0], "")


@functools.cache
def _word_pattern() -> re.Pattern:
    """[\\p{L}\\p{M}\\p{N}]+ as JavaScript means it: Python's \\w (letters and digits) does
    not take combining marks, and would split words at them."""
    ranges, start = [], None
    for code in [*range(0x20001), *range(0xE0000, 0xE1001)]:  # the planes that have marks
        inside = code not in (0x20000, 0xE1000) and unicodedata.category(chr(code))[0] == "M"
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = None
    return re.compile(f"(?:[^\\W_]|[{''.join(ranges)}])+")


@functools.cache
def _stem_function(name: str):
    if not name:
        return lambda word: word
    module = importlib.import_module(f"snowballstemmer.{name}_stemmer")
    stemmer = getattr(module, f"{name.capitalize()}Stemmer")()
    return functools.lru_cache(maxsize=200_000)(stemmer.stemWord)


def _fold(term: str) -> str:
    if term.isascii():
        return term
    return "".join(c for c in unicodedata.normalize("NFKD", term) if not unicodedata.category(c).startswith("M"))


class Terms:
    """The terms of texts in one language, with a memo: a word is stemmed once per build."""

    def __init__(self, language: str = "en"):
        self.stem = _stem_function(stemmer_name(language))
        self.stem_cyrillic = _stem_function(CYRILLIC)
        self.memo: dict[str, tuple[str, ...]] = {}

    def __call__(self, text: str) -> list[str]:
        if text.isascii():
            words = _ASCII_WORD.findall(text.lower())
        else:
            words = _word_pattern().findall(unicodedata.normalize("NFKC", text).lower())
        out: list[str] = []
        for word in words:
            found = self.memo.get(word)
            if found is None:
                found = self.memo[word] = self.word_terms(word)
            out += found
        return out

    def word_terms(self, word: str) -> tuple[str, ...]:
        if not _CJK.search(word):
            stem = self.stem_word(word)
            return (stem,) if stem else ()  # a lone combining mark (an emoji's variation selector)
        out: list[str] = []
        for run in _CJK_RUN.findall(word):
            if _CJK.match(run):
                out += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
            elif stem := self.stem_word(run):
                out.append(stem)
        return tuple(out)

    def stem_word(self, word: str) -> str:
        # ё is read as е, as snowballstemmer's Russian stemmer does and the browser's does not.
        stem = self.stem_cyrillic(word.replace("ё", "е")) if _CYRILLIC.search(word) else self.stem(word)
        return _fold(stem)
