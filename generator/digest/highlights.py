"""`chatdigest highlights --suggest`: propose highlight candidates for an editor to copy."""

from __future__ import annotations

from pathlib import Path

from generator.build.generate import load_site
from generator.digest.analysis import suggest_highlights
from generator.errors import ChatdigestError
from generator.render.text import clean_text


def find_episode_id(episode_ids: list[str], wanted: str) -> str:
    """An episode by its folder name or its date (YYYY-MM-DD)."""
    matches = [e for e in episode_ids if e == wanted or e.startswith(f"{wanted}-")]
    if len(matches) != 1:
        known = ", ".join(episode_ids[-5:]) or "none"
        raise ChatdigestError(f"no single episode matches {wanted!r} (fix: give a folder name or date; latest: {known})")
    return matches[0]


def render_suggestions(root: Path, wanted: str, limit: int = 8) -> str:
    """A YAML snippet for episode.yml listing the best candidates, each with why."""
    site = load_site(root)
    episode_id = find_episode_id([c.episode.id for c in site.archive.episodes], wanted)
    firsts = site.firsts.get(episode_id, set())
    suggestions = suggest_highlights(site.digests[episode_id], lambda m: site.directory.author(m).key in firsts, limit)
    if not suggestions:
        return f"# {episode_id}: no answers to suggest yet (import the transcript first)\n"
    lines = [f"# suggested highlights for data/episodes/{episode_id}/episode.yml — keep the ones you like", "highlights:"]
    for suggestion in suggestions:
        message = suggestion.message
        excerpt = " ".join(clean_text(message.text).split())[:70]
        why = ", ".join(suggestion.reasons) or "answer"
        lines.append(f'  - "{message.id}"  # {message.author}: {excerpt} ({why})')
    return "\n".join(lines) + "\n"
