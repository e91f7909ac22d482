"""Every link inside the built demo site leads somewhere: a page that exists and, for links to a
message or a question, an element with that id. MkDocs checks Markdown links; this also covers
the links in the raw HTML of message cards, which it does not see."""

from __future__ import annotations

import posixpath
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import html as lxml_html


def page_url(site: Path, page: Path) -> str:
    rel = page.relative_to(site).as_posix()
    return "/" + rel.removesuffix("index.html")


def resolve(site: Path, url: str) -> Path | None:
    path = site / unquote(url).lstrip("/")
    if url.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


@cache
def ids(page: Path) -> frozenset[str]:
    tree = lxml_html.fromstring(page.read_bytes())
    return frozenset(tree.xpath("//@id"))


def test_every_internal_link_and_anchor_exists(built_demo: Path):
    site = built_demo / "site"
    broken = []
    checked = 0
    for page in sorted(site.rglob("*.html")):
        # 404.html is served at any path, so its links start from site_url's path (/archive/).
        if page.relative_to(site).parts[0] in ("search", "assets") or (page.name == "404.html" and page.parent == site):
            continue
        base = page_url(site, page)
        tree = lxml_html.fromstring(page.read_bytes())
        for href in tree.xpath("//a/@href"):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target_url = (
                posixpath.normpath(posixpath.join(posixpath.dirname(base) if not base.endswith("/") else base, parts.path))
                if parts.path
                else base
            )
            if parts.path.endswith("/") and not target_url.endswith("/"):
                target_url += "/"
            target = resolve(site, target_url) if parts.path else page
            checked += 1
            if target is None:
                broken.append(f"{base}: {href} (no such page)")
            elif parts.fragment and parts.fragment not in ids(target) and parts.fragment != "__skip":
                broken.append(f"{base}: {href} (no element with that id)")
    assert checked > 5000
    assert broken == []
