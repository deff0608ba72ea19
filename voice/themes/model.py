"""Themes as stored, and the one rule that puts a sentence in a theme.

A sentence's similarity to a theme is the larger of its cosine to the theme's
centroid and to each of the theme's pinned sentences, so a pinned example
pulls sentences like it. A sentence whose text is pinned belongs to that
theme whatever its vector. The best theme wins if its similarity reaches the
assign threshold; otherwise the sentence is an outlier (no theme).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from ..store import Store

ASSIGNABLE = ("active", "proposed")
VERSION_KEY = "themes_version"


@dataclass
class Theme:
    id: str
    name: str | None
    label: str
    keyphrases: list
    centroid: np.ndarray
    encoder: str
    size: int
    status: str
    merged_into: str | None = None
    pinned: list[str] = field(default_factory=list)
    version: int = 1


def unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n == 0, 1, n)


def norm_text(text: str) -> str:
    return " ".join((text or "").lower().split())


def load_themes(store: Store) -> list[Theme]:
    out = []
    for r in store.db.query("select * from themes order by id"):
        out.append(Theme(r["id"], r["name"], r["label"] or "", json.loads(r["keyphrases"] or "[]"),
                         np.frombuffer(r["centroid"], dtype=np.float32) if r["centroid"] else np.zeros(0, np.float32),
                         r["encoder"] or "", r["size"] or 0, r["status"] or "active", r["merged_into"],
                         json.loads(r["pinned"] or "[]"), r["version"] or 1))
    return out


def version(store: Store) -> int:
    row = store.db.execute("select value from settings where key = ?", [VERSION_KEY]).fetchone()
    return int(row[0]) if row else 0


def set_version(store: Store, value: int) -> None:
    store.db.execute("insert or replace into settings (key, value) values (?, ?)", [VERSION_KEY, str(value)])


def next_ids(store: Store, n: int) -> list[str]:
    """``n`` new ids after every id ever given (rows are never deleted, so none is reused)."""
    last = max((int(r[0][1:]) for r in store.db.execute("select id from themes") if r[0][1:].isdigit()), default=0)
    return [f"T{last + i:03d}" for i in range(1, n + 1)]


class Assigner:
    """Nearest-theme assignment over a fixed set of themes."""

    def __init__(self, themes: list[Theme], pin_vectors: dict[str, np.ndarray], threshold: float):
        self.themes = [t for t in themes if t.status in ASSIGNABLE and t.centroid.size]
        self.threshold = threshold
        self.pins = {norm_text(p): t.id for t in self.themes for p in t.pinned}
        self._pin_owner = [(i, pin_vectors[norm_text(p)]) for i, t in enumerate(self.themes) for p in t.pinned
                           if norm_text(p) in pin_vectors]
        self.centroids = np.stack([t.centroid for t in self.themes]) if self.themes else None

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """(n sentences, n themes) similarity."""
        if self.centroids is None or not len(vectors):
            return np.zeros((len(vectors), len(self.themes)), np.float32)
        sims = vectors @ self.centroids.T
        for i, pv in self._pin_owner:
            sims[:, i] = np.maximum(sims[:, i], vectors @ pv)
        return sims

    def assign(self, texts: list[str], vectors: np.ndarray) -> tuple[list[str | None], np.ndarray]:
        """Theme id (or None) and similarity per sentence."""
        sims = self.scores(vectors)
        ids: list[str | None] = []
        best_sim = np.zeros(len(texts), np.float32)
        for n, text in enumerate(texts):
            pinned = self.pins.get(norm_text(text))
            if pinned is not None:
                ids.append(pinned)
                best_sim[n] = 1.0
                continue
            if not self.themes:
                ids.append(None)
                continue
            j = int(np.argmax(sims[n]))
            best_sim[n] = sims[n, j]
            ids.append(self.themes[j].id if sims[n, j] >= self.threshold else None)
        return ids, best_sim
