"""Let the generated pages' raw HTML blocks bypass Markdown.

Generated pages are mostly raw HTML blocks of messages (pages.html_block). Python-Markdown would
pass them through unchanged, but only after running an HTML parser over every tag — most of the
conversion time of an episode page. The plugin swaps each block for a one-word paragraph before
conversion and swaps it back after. The .md files stay complete, valid Markdown, so the pages
render the same without the plugin, only slower.
"""

from __future__ import annotations

import re
import secrets

# A block is a `<div class="cd-…">` line, its content, and a line that is exactly `</div>`:
# message cards never contain a line of their own, so the first such line closes the block.
_BLOCK = re.compile(r'^<div class="cd-[a-z-]+">\n.*?\n</div>$', re.M | re.S)


def stash_blocks(markdown: str) -> tuple[str, dict[str, str]]:
    """Replace each raw HTML block with a token paragraph; return the blocks by token."""
    nonce = secrets.token_hex(6)  # unguessable, so no text on the page can name a block
    blocks: dict[str, str] = {}

    def swap(match: re.Match) -> str:
        token = f"cdblock{nonce}x{len(blocks)}"
        blocks[token] = match.group(0)
        return token

    return _BLOCK.sub(swap, markdown), blocks


def restore_blocks(html: str, blocks: dict[str, str]) -> str:
    if not blocks:
        return html
    return re.sub(r"<p>(cdblock[0-9a-f]+x\d+)</p>", lambda m: blocks.get(m.group(1), m.group(0)), html)
