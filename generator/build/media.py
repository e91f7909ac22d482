"""Publish the images the pages show: each kept image of data/media/ and its thumbnail, into
docs/media/ (MkDocs copies them into the site).

Only images that a published page shows are published, so a removed person's images (their
messages are gone) and images of drafts stay out of the site. Thumbnails are made with Pillow at
build time, at sizes fixed by urls.thumb_size (the pages' <img> carries the same width and
height), and kept in the cache (cache.py, stamped with Pillow's version) by their names, which
hold the image's content hash and the size, so a warm build copies what a cold build makes. A
chat without images costs nothing here, and Pillow is not even imported.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from generator import cache
from generator.render import urls
from generator.writer import TreeWriter

CACHE_NAME = "thumbnails"  # thumbnail name → its bytes


def publish_media(root: Path, images: Iterable[tuple[str, int, int]], writer: TreeWriter) -> int:
    """Write (or keep) each image and its thumbnail in docs/; the number of images published."""
    images = list(images)
    if not images:
        return 0  # the cache is not even opened
    previous: dict[str, bytes] = cache.load(root, CACHE_NAME) or {}
    used: dict[str, bytes] = {}
    for file, width, height in images:
        name = urls.media_name(file)
        source = root / "data" / name if name else None
        if source is None or not source.is_file():
            continue  # `chatdigest check` names the missing file
        published = writer.root / name
        if published.is_file() and published.stat().st_size == source.stat().st_size:
            writer.keep(name)  # named by its content: the same name and size are the same bytes
        else:
            writer.write(name, source.read_bytes())
        # Written from the cache, which a new Pillow empties: thumbnails are then drawn again, as
        # a clean build would draw them (the writer skips unchanged bytes).
        thumb = urls.thumb_path(name)
        data = previous.get(thumb) or make_thumbnail(source.read_bytes(), width, height, thumb.endswith(".jpg"))
        used[thumb] = data
        writer.write(thumb, data)
    if used != previous:
        cache.save(root, CACHE_NAME, used)
    return len(used)


def make_thumbnail(data: bytes, width: int, height: int, jpeg: bool) -> bytes:
    """A small copy, the same bytes every time for the same image and Pillow."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        size = urls.thumb_size(width or image.width, height or image.height)
        small = image.convert("RGB" if jpeg else "RGBA").resize(size, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, "JPEG", quality=80, optimize=True) if jpeg else small.save(out, "PNG", optimize=True)
        return out.getvalue()
