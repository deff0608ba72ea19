"""Small text helpers shared by the readers of the analysis (timeline, loops, report, search)."""

from __future__ import annotations


def clip(text: str | None, limit: int, *, whole_words: bool = False) -> str:
    """``text`` on one line (runs of whitespace made one space), cut to ``limit``
    characters with "…" when longer; ``whole_words`` cuts at the last space."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    cut = cut.rsplit(" ", 1)[0] if whole_words else cut.rstrip()
    return cut + "…"
