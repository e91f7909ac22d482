"""The only place where untrusted text becomes markup.

Every chat message, name, handle, title and feed entry was written by a stranger. Three entry
points cover every context a page has:

* `text_html`  plain text → inline HTML: escaped, http(s)/mailto URLs linked, nothing else.
               Used inside the raw-HTML blocks that carry messages (Markdown does not touch them).
* `inline_md`  plain text → Markdown that renders as exactly those characters (headings, lists).
* `rich_html`  editor/feed Markdown or HTML → HTML reduced by nh3 to a small allowed set.
* `body_html`  a message's formatted spans (converted from its platform's markup at import) →
               inline HTML from a fixed set of tags; every span's text goes through `text_html`.

Tests feed all three with arbitrary strings (hypothesis) and check the resulting HTML.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence

import markdown as _markdown
import nh3

SAFE_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# What rich_html keeps: text structure only, no media, forms, styles or scripts.
RICH_TAGS = {
    "a",
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "del",
    "sup",
    "sub",
}
RICH_ATTRIBUTES = {"a": {"href", "title"}}

_URL = re.compile(r"""(?:https?://|mailto:)[^\s<>"'`]+""", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
# Python-Markdown's backslash-escapable characters (with `|` from the tables extension); `<` and
# `&` are handled by HTML escaping. Escaping any other character would show the backslash.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")
# Bidi overrides and other format controls can make text lie about itself; drop them.
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_KEEP = {"\n", "\t", "\u200d"}  # newline, tab, and the zero-width joiner inside emoji sequences


def clean_text(text: str) -> str:
    """Remove control, format and unpaired-surrogate characters; keep newlines and emoji."""
    if text.isprintable():  # the common case, emoji and accents included: nothing to drop
        return text
    return "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in _DROP_CATEGORIES)


def _escape(text: str) -> str:
    # Braces become entities so no template language can ever see `{{ }}` or `{% %}`.
    return html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")


def safe_url(url: str) -> str | None:
    """The URL if its scheme is allowed, else None."""
    scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
    return url if scheme in SAFE_SCHEMES else None


def link_html(url: str, label: str | None = None) -> str:
    """An external link, or just the escaped text when the URL is not http(s)/mailto."""
    label = clean_text(label if label is not None else url)
    if safe_url(url) is None:
        return _escape(label)
    return f'<a href="{_escape(url)}" rel="{LINK_REL}">{_escape(label)}</a>'


def text_html(text: str) -> str:
    """Untrusted plain text as inline HTML: escaped, URLs linked, line breaks kept."""
    text = clean_text(text)
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        parts.append(_escape(text[position : match.start()]))
        parts.append(link_html(url))
        position = match.start() + len(url)
    parts.append(_escape(text[position:]))
    return "".join(parts).replace("\r\n", "\n").replace("\n", "<br>").replace("\t", " ")


def inline_md(text: str) -> str:
    """Untrusted text as one line of Markdown that shows exactly these characters."""
    text = " ".join(clean_text(text).split())
    escaped = html.escape(text, quote=False)
    return _MD_SPECIAL.sub(r"\\\1", escaped)


def attr(text: str) -> str:
    """Untrusted text for an HTML attribute value (already quoted by the caller)."""
    return _escape(" ".join(clean_text(text).split()))


def rich_html(source: str) -> str:
    """Markdown (which may contain HTML) → HTML holding only RICH_TAGS and safe links."""
    converted = _markdown.markdown(clean_text(source), extensions=["sane_lists"], output_format="html")
    return clean_html(converted)


def clean_html(fragment: str) -> str:
    """Reduce an HTML fragment to RICH_TAGS with http(s)/mailto links."""
    cleaned = nh3.clean(
        fragment,
        tags=RICH_TAGS,
        attributes=RICH_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return cleaned.replace("{", "&#123;").replace("}", "&#125;")


# --- formatted message bodies -----------------------------------------------------------------

# The tags a span's marks become; nothing else a message writes can become markup.
MARK_TAGS = {"bold": "strong", "italic": "em", "underline": "u", "strike": "del", "code": "code"}
_BLOCKS = {"pre": ('<pre class="cd-pre"><code>', "</code></pre>"), "quote": ('<blockquote class="cd-quote">', "</blockquote>")}


def body_html(spans: Sequence, text: str, mention_href: Callable[[str], str | None]) -> str | None:
    """A message's spans as HTML, or None when their texts do not spell `text` exactly (the
    caller then shows `text_html(text)`: text is the truth, formatting only dresses it).

    `mention_href(handle)` is the link to a known person's page, or None (no link: an unknown or
    opted-out person). Blocks (code, quote) are grouped from consecutive spans; the result holds
    no newline character, so it stays inside one raw HTML line.
    """
    if "".join(span.text for span in spans) != text:
        return None
    parts: list[str] = []
    block = None
    for span in spans:
        if span.block != block:
            if block:
                parts.append(_BLOCKS[block][1])
            if span.block:
                parts.append(_BLOCKS[span.block][0])
            block = span.block
        parts.append(_span_html(span, block == "pre", mention_href))
    if block:
        parts.append(_BLOCKS[block][1])
    return "".join(parts)


def _span_html(span, preformatted: bool, mention_href: Callable[[str], str | None]) -> str:
    if preformatted:  # newlines kept as characters the raw HTML line can hold
        return _escape(clean_text(span.text)).replace("\r\n", "\n").replace("\n", "&#10;")
    href = mention_href(span.mention) if span.mention else None
    if href is not None:
        inner = f'<a class="cd-mention" href="{_escape(href)}">{_escape(clean_text(span.text))}</a>'
    elif span.link and safe_url(span.link) and not span.mention:
        inner = link_html(span.link, span.text).replace("\n", "<br>")
    else:
        inner = text_html(span.text)
    for mark in reversed(span.marks):
        if mark == "spoiler":
            inner = f'<span class="cd-spoiler" title="spoiler">{inner}</span>'
        else:
            tag = MARK_TAGS[mark]
            inner = f"<{tag}>{inner}</{tag}>"
    return inner
