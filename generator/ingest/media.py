"""Attached files inside an export → copies in data/media/, named by their content's hash.

Importers name an attachment's file inside the export (`Media.file`); here, once the chat's
messages are chosen, each image is read, stripped of its metadata (EXIF with its GPS position,
XMP, text chunks) by re-saving its pixels with Pillow, and named by the hash of what is kept.
Only JPEG and PNG are kept as they are; GIF and WebP become a PNG of their first frame. Other
files (video, audio, documents) are not copied: their metadata cannot be stripped here; the
record keeps their name, kind and size. Files over community.yml's `media` caps are left out the
same way, and the import report says which and why.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from generator.archive.model import Media, MediaRules, Message
from generator.errors import Problem
from generator.ingest.importers._common import Source

MB = 1024 * 1024
ORIENTATION = 0x0112  # the EXIF tag that says which way up the camera was
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "png", "WEBP": "png"}


@dataclass
class KeptMedia:
    messages: list[Message]
    files: dict[str, bytes] = field(default_factory=dict)  # data/media/… name → bytes to write
    problems: list[Problem] = field(default_factory=list)


def keep_media(messages: list[Message], export: Path, rules: MediaRules, kept_before: int = 0) -> KeptMedia:
    """The messages with their export files replaced by data/media/ copies (or by no file)."""
    if not any(m.file for message in messages for m in message.media):
        return KeptMedia(messages)  # most imports: nothing to open, Pillow not even loaded
    source = Source(export)
    result = KeptMedia([])
    budget = [int(rules.max_chat_mb * MB) - kept_before]
    for message in messages:
        if any(m.file for m in message.media):
            media = tuple(_keep(m, message, source, rules, budget, result) for m in message.media)
            message = message.model_copy(update={"media": media})
        result.messages.append(message)
    return result


def _keep(media: Media, message: Message, source: Source, rules: MediaRules, budget: list[int], result: KeptMedia) -> Media:
    if not media.file:
        return media
    label = source.label(media.file) if not source.is_single_file else str(source.path.parent / media.file)
    left_out = media.model_copy(update={"file": ""})

    def skip(why: str, fix: str = "") -> Media:
        result.problems.append(Problem(label, None, f"attachment not kept: {why}", f"message {message.id}", fix))
        return left_out

    found = source.file_name(media.file)  # only a file the export holds, never a path out of it
    if not found:
        return skip("the export does not hold this file", "import the whole export folder or zip, with its media")
    try:
        raw = source.read_file(found)
    except Exception as exc:  # a file named but unreadable: the message is still worth importing
        return skip(f"cannot read it ({exc})")
    left_out = left_out.model_copy(update={"size": len(raw)})
    if media.kind != "image":
        return left_out  # not copied: only images are shown, and only theirs is metadata we strip
    if len(raw) > rules.max_file_mb * MB:
        return skip(f"{len(raw) / MB:.1f} MB, over the {rules.max_file_mb:g} MB per file", "raise media.max_file_mb in community.yml")
    try:
        data, ext, width, height = strip_image(raw)
    except Exception as exc:  # Pillow's many errors for a damaged or unsupported image
        return skip(f"not an image chatdigest can read ({type(exc).__name__})")
    if len(data) > budget[0]:
        return skip(f"the chat's files are over {rules.max_chat_mb:g} MB", "raise media.max_chat_mb in community.yml")
    name = f"media/{hashlib.sha256(data).hexdigest()[:32]}.{ext}"
    if name not in result.files:
        budget[0] -= len(data)
        result.files[name] = data
    return media.model_copy(update={"file": name, "size": len(data), "width": width, "height": height})


def strip_image(raw: bytes) -> tuple[bytes, str, int, int]:
    """The image's pixels without its metadata: (bytes, extension, width, height).

    A JPEG keeps its quantisation tables (no visible loss) unless it had to be turned upright
    (its EXIF orientation is applied, since the tag goes with the rest of the EXIF)."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(raw)) as image:
        kind = image.format
        if kind not in FORMATS:
            raise ValueError(f"{kind} images are not kept")
        image.load()
        upright = ImageOps.exif_transpose(image)
        rotated = image.getexif().get(ORIENTATION, 1) != 1
        out = io.BytesIO()
        # Pillow carries some metadata over from the file it read: name each kind as empty.
        empty = {"exif": b"", "comment": b"", "xmp": b""}
        if kind == "JPEG":
            if rotated:
                upright.save(out, "JPEG", quality=90, optimize=True, **empty)
            else:
                image.save(out, "JPEG", quality="keep", optimize=True, **empty)
        else:
            frame = upright if upright.mode in ("RGB", "RGBA", "L", "LA", "P") else upright.convert("RGBA")
            frame.save(out, "PNG", optimize=True, **empty)
        return out.getvalue(), FORMATS[kind], upright.width, upright.height
