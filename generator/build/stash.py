"""Let the generated pages' raw HTML blocks bypass Markdown.

Generated pages are mostly raw HTML blocks of messages (pages.html_block). Python-Markdown would
pass them through unchanged, but only after running an HTML parser over every tag — most of the
conversion time of an episode page. The plugin swaps each block for a one-word paragraph before
conversion and swaps it back into the finished page. The blocks are read again from the .md file
at that point rather than kept, because MkDocs holds every page's content in memory until the
build ends. The .md files stay complete, valid Markdown, so the pages render the same without the
plugin, only slower.
"""

from __future__ import annotations

import re
import secrets

# A block is a `<div class="cd-…">` line, its content, and a line that is exactly `</div>`:
# message cards never contain a line of their own, so the first such line closes the block.
_OPEN = '\n<div class="cd-'
_CLOSE = "\n</div>\n"


def new_nonce() -> str:
    """Unguessable, so no text on a page can name a block; one per build."""
    return secrets.token_hex(6)


def stash_blocks(markdown: str, nonce: str) -> tuple[str, dict[str, str]]:
    """Replace each raw HTML block with a token paragraph; return the blocks by token.

    Tokens depend only on the nonce and the block's position, so stashing the same text twice
    gives the same tokens.
    """
    blocks: dict[str, str] = {}
    parts: list[str] = []
    position = 0
    # Plain string search: a regex over a 300 KB page costs more than the Markdown it saves.
    while (start := markdown.find(_OPEN, position)) != -1:
        end = markdown.find(_CLOSE, start + len(_OPEN))
        if end == -1:
            break
        token = f"cdblock{nonce}x{len(blocks)}"
        blocks[token] = markdown[start + 1 : end + len(_CLOSE) - 1]
        parts += [markdown[position : start + 1], token]
        position = end + len(_CLOSE) - 1
    parts.append(markdown[position:])
    return "".join(parts), blocks


def restore_blocks(html: str, blocks: dict[str, str]) -> str:
    if not blocks:
        return html
    return re.sub(r"<p>(cdblock[0-9a-f]+x\d+)</p>", lambda m: blocks.get(m.group(1), m.group(0)), html)
