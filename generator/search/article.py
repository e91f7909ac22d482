"""Read a page MkDocs built: its <title>, and its Material article as inner HTML, as plain text
and by its first heading. One parser for the search index (the hand-written pages' text) and
for the benchmark (what Material's own search would index of the same page).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

SKIPPED = {"script", "style", "svg"}  # no text of theirs is a reader's text
# Ends of these separate words; inline tags (<strong>) do not: "<b>Thursday</b>." stays one.
BLOCKS = {"p", "li", "td", "th", "tr", "div", "br", "hr", "dd", "dt", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(frozen=True)
class Article:
    page_title: str  # the page's <title>
    heading: str  # the article's first <h1>, as text
    html: str  # the article's inner HTML, as built
    text: str  # the article's text without its heading, whitespace collapsed


def read_article(page_html: str) -> Article:
    parser = _ArticleParser()
    parser.feed(page_html)
    parser.close()
    return Article(
        parser.page_title.strip(),
        " ".join(parser.heading.split()),
        "".join(parser.html),
        " ".join("".join(parser.text).split()),
    )


class _ArticleParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)  # the inner HTML keeps its entities as built
        self.page_title, self.heading, self.html, self.text = "", "", [], []
        self.depth, self.skip, self.in_h1, self.in_title = 0, 0, False, False

    def handle_starttag(self, tag, attrs):
        self.in_title = tag == "title" and not self.depth
        if not self.depth:
            self.depth = int(tag == "article" and "md-content__inner" in (dict(attrs).get("class") or ""))
            return
        self.html.append(self.get_starttag_text())
        if tag in VOID:  # no end tag to match
            if tag in BLOCKS:
                self.text.append(" ")
            return
        self.depth += 1
        self.skip += bool(self.skip) or tag in SKIPPED or "headerlink" in (dict(attrs).get("class") or "")
        self.in_h1 = self.in_h1 or tag == "h1"

    def handle_endtag(self, tag):
        self.in_title = False
        if not self.depth or tag in VOID:  # "<br />" reaches here too
            return
        self.depth -= 1
        if self.depth:
            self.html.append(f"</{tag}>")
        if tag in BLOCKS:
            self.text.append(" ")
        self.skip = max(0, self.skip - 1) if self.skip else 0
        self.in_h1 = self.in_h1 and tag != "h1"

    def handle_data(self, data):
        self._text(data, data)

    def handle_entityref(self, name):
        self._text(f"&{name};", unescape(f"&{name};"))

    def handle_charref(self, name):
        self._text(f"&#{name};", unescape(f"&#{name};"))

    def _text(self, raw: str, text: str) -> None:
        if self.depth:
            self.html.append(raw)
            if not self.skip:
                if self.in_h1:
                    self.heading += text
                else:
                    self.text.append(text)
        elif self.in_title:
            self.page_title += text
