"""Each platform's message markup → plain text plus the formatted spans its readers saw.

Converted once, at import; the transcript stores the result (`Message.body`, a list of `Span`)
and pages render it only through render/text.py. A converter returns `Converted`: the plain text
(what search indexes and what is shown when formatting is absent), the spans spelling exactly
that text, and the links and mentions found on the way. Spans are kept only when something in
them is formatted: a plain message stores no body.

What each platform's converter understands is listed in README (Importing → Formatting).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import emoji
import nh3

from generator.archive.model import Span

# --- building spans --------------------------------------------------------------------------


@dataclass
class Converted:
    text: str = ""
    spans: list[Span] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)

    @property
    def body(self) -> tuple[Span, ...]:
        """The spans worth storing: none when nothing is formatted."""
        return tuple(self.spans) if any(_is_formatted(s) for s in self.spans) else ()


def _is_formatted(span: Span) -> bool:
    # A bare URL is linked from plain text anyway; it alone is no reason to store spans.
    return bool(span.marks or span.mention or span.block or (span.link and span.link != span.text))


class Builder:
    """Collects spans, merging a run into the previous one when they look the same."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.links: list[str] = []
        self.mentions: list[str] = []

    def add(self, text: str, marks: Iterable[str] = (), link: str | None = None, mention: str | None = None, block: str | None = None):
        if not text:
            return
        marks = tuple(dict.fromkeys(marks))
        last = self.spans[-1] if self.spans else None
        if last and (last.marks, last.link, last.mention, last.block) == (marks, link, mention, block):
            self.spans[-1] = last.model_copy(update={"text": last.text + text})
            return
        self.spans.append(Span(text=text, marks=marks, link=link, mention=mention, block=block))
        if link:
            self.links.append(link)
        if mention:
            self.mentions.append(mention)

    def result(self) -> Converted:
        return Converted("".join(s.text for s in self.spans), self.spans, self.links, self.mentions)


# --- inline grammars (Slack, Discord, WhatsApp) ------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One inline construct: `pattern` with an `inner` group; `mark` is added to what `inner`
    holds, parsed again (`nested`) or taken as it is (code)."""

    name: str
    pattern: str
    mark: str | None = None
    nested: bool = True


Handler = Callable[[re.Match, Builder, tuple], None]


def _boundary(delimiter: str) -> str:
    """`*x*`-style emphasis: opens after a non-word character, closes before one, no spaces
    just inside, on one line, not holding the delimiter (WhatsApp's and Slack's rule, also
    Discord's for `_`)."""
    d = re.escape(delimiter)
    # The inner text never holds the delimiter itself: each opening then scans only as far as the
    # next delimiter, so a line of many unmatched ones costs linear time, not quadratic.
    return rf"(?<![\w{d[-1]}]){d}(?P<inner>[^\s{d[-1]}](?:[^\n{d[-1]}]*?[^\s\\{d[-1]}])??){d}(?![\w{d[-1]}])"


class Inline:
    """A small inline parser: the leftmost construct wins; text between constructs goes to `plain`."""

    def __init__(self, rules: list[Rule], handlers: dict[str, Handler] | None = None, plain: Callable[[str], str] = lambda s: s):
        self.rules = {r.name: r for r in rules}
        self.handlers = handlers or {}
        self.plain = plain
        self.regex = re.compile("|".join(f"(?P<{r.name}>{r.pattern.replace('(?P<inner>', f'(?P<{r.name}_inner>')})" for r in rules))

    def parse(self, text: str, out: Builder, marks: tuple = (), block: str | None = None) -> None:
        position = 0
        for match in self.regex.finditer(text):
            out.add(self.plain(text[position : match.start()]), marks, block=block)
            name = match.lastgroup if match.lastgroup in self.rules else _outer(match, self.rules)
            rule = self.rules[name]
            inner = match.group(f"{name}_inner") if f"{name}_inner" in match.groupdict() else match.group(name)
            if name in self.handlers:
                self.handlers[name](match, out, marks)
            elif rule.nested:
                self.parse(inner, out, marks + ((rule.mark,) if rule.mark else ()), block)
            else:
                out.add(self.plain(inner), marks + ((rule.mark,) if rule.mark else ()), block=block)
            position = match.end()
        out.add(self.plain(text[position:]), marks, block=block)


def _outer(match: re.Match, rules: dict[str, Rule]) -> str:
    return next(name for name in rules if match.group(name) is not None)


# --- WhatsApp ----------------------------------------------------------------------------------

_WHATSAPP = Inline(
    [
        Rule("mono", r"```(?P<inner>.+?)```", "code", nested=False),
        Rule("bold", _boundary("*"), "bold"),
        Rule("italic", _boundary("_"), "italic"),
        Rule("strike", _boundary("~"), "strike"),
    ]
)


def whatsapp(text: str, mentions: Iterable[str] = ()) -> Converted:
    """`*bold*`, `_italic_`, `~strike~`, ```` ```mono``` ````; @mentions of `mentions`."""
    out = Builder()
    _WHATSAPP.parse(text, out)
    return with_mentions(out.result(), mentions)


# --- Slack mrkdwn ----------------------------------------------------------------------------------


def slack(text: str, users: dict[str, dict], name_of: Callable[[dict], str]) -> Converted:
    """Slack mrkdwn: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ```block``` ````, `>`
    quotes, `<url|label>`, `<@U123>`, `<#C123|name>`, `<!here>`, `:shortcode:` emoji; `&amp;`,
    `&lt;`, `&gt;` decoded after the tokens are read."""
    out = Builder()

    def token(match: re.Match, out: Builder, marks: tuple) -> None:
        target, _, label = match.group("token_inner").partition("|")
        if target.startswith("@"):
            user = users.get(target[1:]) or {"name": label.lstrip("@") or target[1:]}
            handle = name_of(user)
            out.add(f"@{handle}", marks, mention=handle)
        elif target.startswith("#"):
            out.add(f"#{html.unescape(label) or target[1:]}", marks)
        elif target.startswith("!"):
            out.add("@" + (html.unescape(label).lstrip("@") or target[1:].split("^")[0]), marks)
        else:
            url = html.unescape(target)
            shown = html.unescape(label) or url.removeprefix("mailto:")
            out.add(shown, marks, link=url)

    inline = Inline(
        [
            Rule("token", r"<(?P<inner>[^<>\n]+)>"),
            Rule("code", r"`(?P<inner>[^`\n]+)`", "code", nested=False),
            Rule("bold", _boundary("*"), "bold"),
            Rule("italic", _boundary("_"), "italic"),
            Rule("strike", _boundary("~"), "strike"),
        ],
        {"token": token},
        plain=lambda s: emoji.emojize(html.unescape(s), language="alias"),
    )
    for kind, chunk in _slack_blocks(text or ""):
        if kind == "pre":  # Slack shows a link inside a code block as its text, unformatted
            shown = _SLACK_TOKEN.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), chunk)
            out.add(html.unescape(shown), block="pre")
        else:
            inline.parse(chunk, out, block=kind)
    return out.result()


_SLACK_TOKEN = re.compile(r"<([^<>|\n@#!][^<>|\n]*)(?:\|([^<>\n]*))?>")


_FENCE = re.compile(r"```\n?(.*?)\n?```", re.DOTALL)


def _slack_blocks(text: str) -> Iterable[tuple[str | None, str]]:
    """("pre", code) for fenced blocks, ("quote", line) for `>` lines, (None, other text)."""
    position = 0
    for match in _FENCE.finditer(text):
        yield from _quotes(text[position : match.start()], "&gt;")
        yield "pre", match.group(1)
        position = match.end()
    yield from _quotes(text[position:], "&gt;")


def _quotes(text: str, marker: str) -> Iterable[tuple[str | None, str]]:
    for line in text.splitlines(keepends=True):
        if line.startswith(marker + " ") or line.rstrip("\n") == marker:
            yield "quote", line[len(marker) + 1 :] if line.startswith(marker + " ") else line[len(marker) :]
        else:
            yield None, line


# --- Discord markdown ------------------------------------------------------------------------------


def discord(text: str, mentioned: dict[str, str]) -> Converted:
    """Discord markdown: `**bold**`, `*italic*`/`_italic_`, `__underline__`, `~~strike~~`,
    `` `code` ``, fenced code, `> quote` and `>>> quote`, `||spoiler||`, `[label](url)`,
    `<@id>`/`<@!id>`, `<#id>`, `<:name:id>` custom emoji (shown as `:name:`). `mentioned` maps
    user ids and names (DiscordChatExporter writes mentions as `@name` already) to handles."""
    out = Builder()
    names = {name.casefold(): handle for name, handle in mentioned.items()}

    def user(match: re.Match, out: Builder, marks: tuple) -> None:
        ident = match.group("user_inner")
        handle = mentioned.get(ident)
        out.add(f"@{handle}" if handle else "@unknown-user", marks, mention=handle)

    def at_name(match: re.Match, out: Builder, marks: tuple) -> None:
        handle = names.get(match.group("name_inner").casefold())
        out.add(match.group(0), marks, mention=handle)

    def masked(match: re.Match, out: Builder, marks: tuple) -> None:
        out.add(match.group("masked_inner"), marks, link=match.group("url"))

    rules = [
        Rule("code2", r"``\s?(?P<inner>.+?)\s?``", "code", nested=False),
        Rule("code", r"`(?P<inner>[^`\n]+)`", "code", nested=False),
        Rule("user", r"<@!?(?P<inner>\d+)>"),
        Rule("channel", r"<#(?P<inner>\d+)>"),
        Rule("custom", r"<a?:(?P<inner>\w+):\d+>"),
        Rule("masked", r"\[(?P<inner>[^\[\]\n]+)\]\((?P<url>https?://[^\s()]+)\)"),
        Rule("bold", r"\*\*(?P<inner>(?=\S).+?)\*\*", "bold"),
        Rule("underline", r"__(?P<inner>(?=\S).+?)__", "underline"),
        Rule("strike", r"~~(?P<inner>(?=\S).+?)~~", "strike"),
        Rule("spoiler", r"\|\|(?P<inner>.+?)\|\|", "spoiler"),
        Rule("italic", r"\*(?P<inner>[^\s*](?:[^*\n]*?[^\s*])??)\*", "italic"),
        Rule("italic2", _boundary("_"), "italic"),
    ]
    handlers: dict[str, Handler] = {
        "user": user,
        "channel": lambda m, o, marks: o.add(f"#{m.group('channel_inner')}", marks),
        "custom": lambda m, o, marks: o.add(f":{m.group('custom_inner')}:", marks),
        "masked": masked,
    }
    if names:
        alternatives = "|".join(re.escape(n) for n in sorted(mentioned, key=len, reverse=True) if not n.isdigit())
        if alternatives:
            rules.insert(2, Rule("name", rf"(?<![\w@])@(?P<inner>{alternatives})(?![\w])"))
            handlers["name"] = at_name
    inline = Inline(rules, handlers)
    for kind, chunk in _discord_blocks(text or ""):
        if kind == "pre":
            out.add(chunk, block="pre")
        else:
            inline.parse(chunk, out, block=kind)
    return out.result()


_DISCORD_FENCE = re.compile(r"```(?:[\w+-]*\n)?(.*?)\n?```", re.DOTALL)


def _discord_blocks(text: str) -> Iterable[tuple[str | None, str]]:
    position = 0
    for match in _DISCORD_FENCE.finditer(text):
        yield from _discord_quotes(text[position : match.start()])
        yield "pre", match.group(1)
        position = match.end()
    yield from _discord_quotes(text[position:])


def _discord_quotes(text: str) -> Iterable[tuple[str | None, str]]:
    rest = re.search(r"(?m)^>>> ", text)  # everything after `>>> ` is quoted
    head, tail = (text[: rest.start()], text[rest.end() :]) if rest else (text, "")
    yield from _quotes(head, ">")
    if rest:
        yield "quote", tail


# --- Telegram entities -------------------------------------------------------------------------

_TELEGRAM_MARKS = {
    "bold": "bold",
    "italic": "italic",
    "underline": "underline",
    "strikethrough": "strike",
    "code": "code",
    "spoiler": "spoiler",
}


def telegram(parts: list) -> Converted:
    """Telegram's text parts: bold, italic, underline, strikethrough, code, pre, spoiler,
    blockquote, link, text_link, email, mention (`@name`), mention_name (a user without a
    username: their `user<id>`), hashtag; other entity types are kept as their text."""
    out = Builder()
    for part in parts:
        if isinstance(part, str):
            out.add(part)
            continue
        if not isinstance(part, dict):
            continue
        piece, kind = str(part.get("text") or ""), part.get("type")
        if kind in _TELEGRAM_MARKS:
            out.add(piece, (_TELEGRAM_MARKS[kind],))
        elif kind == "pre":
            out.add(piece, block="pre")
        elif kind == "blockquote":
            out.add(piece, block="quote")
        elif kind == "link":
            out.add(piece, link=piece if re.match(r"(?i)https?://", piece) else f"https://{piece}")
        elif kind == "text_link" and part.get("href"):
            out.add(piece, link=str(part["href"]))
        elif kind == "email":
            out.add(piece, link=f"mailto:{piece}")
        elif kind == "mention":
            out.add(piece, mention=piece)
        elif kind == "mention_name" and part.get("user_id") is not None:
            out.add(piece, mention=f"user{part['user_id']}")
        else:
            out.add(piece)
    return out.result()


# --- Mastodon HTML ---------------------------------------------------------------------------------

_MASTODON_TAGS = {"p", "br", "a", "span", "strong", "b", "em", "i", "u", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li"}
_HTML_MARKS = {
    "strong": "bold",
    "b": "bold",
    "em": "italic",
    "i": "italic",
    "u": "underline",
    "del": "strike",
    "s": "strike",
    "code": "code",
}


def mastodon(markup: str, mention_of: Callable[[str], str | None]) -> Converted:
    """Mastodon's status HTML, sanitised by nh3 first: paragraphs, line breaks, links, mention
    links (to `mention_of(href)`, the account's handle), hashtag links (kept as text), and the
    bold, italic, strike, code, pre and quote that some servers send."""
    from bs4 import BeautifulSoup, NavigableString, Tag

    clean = nh3.clean(markup or "", tags=_MASTODON_TAGS, attributes={"a": {"href", "class"}, "span": {"class"}}, link_rel=None)
    out = Builder()
    if "<" not in clean:  # plain text (BeautifulSoup would take a lone URL for a file name)
        out.add(html.unescape(clean))
        return _strip(out.result())

    def walk(node, marks: tuple, block: str | None, link: str | None, mention: str | None) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                out.add(str(child), marks, link=link, mention=mention, block=block)
            elif isinstance(child, Tag):
                element(child, marks, block, link, mention)

    def element(tag, marks, block, link, mention) -> None:
        name, classes = tag.name, tag.get("class") or []
        if name == "br":
            out.add("\n", marks, block=block)
        elif name in ("p", "li", "pre", "blockquote"):
            if out.spans and not out.spans[-1].text.endswith("\n\n"):
                out.add("\n" if out.spans[-1].text.endswith("\n") else "\n\n", block=block)
            inner = {"pre": "pre", "blockquote": "quote"}.get(name, block)
            walk(tag, marks, inner, link, mention)
        elif name == "a":
            href = tag.get("href") or ""
            if "hashtag" in classes:
                walk(tag, marks, block, None, None)
            elif "mention" in classes or "u-url" in classes:
                walk(tag, marks, block, None, mention_of(href) or None)
            else:
                walk(tag, marks, block, href or None, None)
        else:
            walk(tag, marks + ((_HTML_MARKS[name],) if name in _HTML_MARKS else ()), block, link, mention)

    walk(BeautifulSoup(clean, "html.parser"), (), None, None, None)
    return _strip(out.result())


def _strip(converted: Converted) -> Converted:
    """Without the blank lines at the start and end."""
    spans = list(converted.spans)
    while spans and not spans[0].text.strip():
        spans.pop(0)
    while spans and not spans[-1].text.strip():
        spans.pop()
    if spans:
        spans[0] = spans[0].model_copy(update={"text": spans[0].text.lstrip()})
        spans[-1] = spans[-1].model_copy(update={"text": spans[-1].text.rstrip()})
    return Converted("".join(s.text for s in spans), spans, converted.links, converted.mentions)


# --- plain text with mentions (X, WhatsApp) -------------------------------------------------------


def with_mentions(converted: Converted, mentions: Iterable[str]) -> Converted:
    """Mark each `@handle` of `mentions` in the converted text as a mention of that handle."""
    handles = {m.lstrip("@").casefold(): m for m in mentions if m.lstrip("@")}
    if not handles:
        return converted
    pattern = re.compile(r"(?<![\w@/])@(" + "|".join(re.escape(h) for h in sorted(handles, key=len, reverse=True)) + r")(?![\w@])", re.I)
    out = Builder()
    for span in converted.spans:
        if span.link or span.mention or span.block == "pre" or "code" in span.marks:
            out.spans.append(span)
            continue
        position = 0
        for match in pattern.finditer(span.text):
            out.add(span.text[position : match.start()], span.marks, block=span.block)
            out.add(match.group(0), span.marks, mention=handles[match.group(1).casefold()], block=span.block)
            position = match.end()
        out.add(span.text[position:], span.marks, block=span.block)
    result = out.result()
    return Converted(result.text, result.spans, converted.links, converted.mentions + result.mentions)


def plain_with_mentions(text: str, mentions: Iterable[str]) -> tuple[Span, ...]:
    """The body of a plain-text message (X) whose only formatting is its mentions."""
    return with_mentions(Converted(text, [Span(text=text)] if text else []), mentions).body
