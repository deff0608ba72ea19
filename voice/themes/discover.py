"""``discover``: find themes in what customers say, keeping the ones found before.

First run (or ``rebuild=True``): every eligible sentence is clustered; each
cluster of ``min_size`` or more becomes an *active* theme T001, T002, ... and
every sentence goes to its nearest theme if the cosine reaches
``assign_threshold``. Later runs read only sentences with no assignment row
yet: they join the nearest existing active or proposed theme (whose ids and
centroids never move here), and what is left over, with the earlier outliers,
is clustered; clusters found there become *proposed* themes for a person to
accept in the taxonomy file. Nothing new: nothing is written.

``rebuild=True`` starts over: every theme is retired (its id is never given
again), every assignment dropped, the taxonomy version bumped, and the first
run's steps run on the whole history.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import numpy as np

from .._clock import utc_now
from ..encode import Encoder
from ..store import Store
from . import corpus
from .cluster import centroid, cluster
from .label import label_themes, make_label, people_names
from .model import (
    ASSIGNABLE,
    Assigner,
    Theme,
    load_themes,
    next_ids,
    norm_text,
    set_version,
    unit,
    version,
)

ASSIGN_KEY = "themes_assign_threshold"


@dataclass
class ThemeReport:
    version: int
    sentences: int = 0        # inbound sentences read
    eligible: int = 0         # of those, 3 words or more and not a greeting
    new_sentences: int = 0    # without an assignment before this run
    assigned: int = 0         # eligible sentences in a theme after this run
    outliers: int = 0         # eligible sentences in none
    new_themes: list[str] = field(default_factory=list)
    themes: int = 0           # active + proposed after this run
    seconds: float = 0.0
    changed: bool = False

    @property
    def outlier_share(self) -> float:
        return self.outliers / self.eligible if self.eligible else 0.0


def discover(store: Store, *, encoder: str | Encoder | None = None, min_size: int = 5, threshold: float = 0.25,
             assign_threshold: float = 0.35, max_fit: int = 4000, rebuild: bool = False, seed: int = 0
             ) -> ThemeReport:
    """Find themes; see the module docstring for what a re-run keeps."""
    start = time.perf_counter()
    db = store.db
    enc = corpus.encoder_for(store, encoder)
    rows = corpus.inbound_sentences(store)
    if rebuild:
        with db.atomic():
            db.execute("update themes set status = 'retired', updated_at = ? where status != 'retired'", [utc_now()])
            db.execute("delete from theme_assignments")
            set_version(store, version(store) + 1)
    with db.atomic():
        if version(store) == 0:
            set_version(store, 1)
        db.execute("insert or replace into settings (key, value) values (?, ?)", [ASSIGN_KEY, str(assign_threshold)])
    ver = version(store)
    done: dict[tuple, float | None] = {}
    old_out_keys: set[tuple] = set()  # earlier outliers: a similarity, no theme
    for iid, idx, sim, tid in db.execute(
            "select interaction_id, sentence_idx, similarity, theme_id from theme_assignments"):
        done[(iid, idx)] = sim
        if tid is None and sim is not None:
            old_out_keys.add((iid, idx))
    new_rows = [r for r in rows if (r[0], r[1]) not in done]
    report = ThemeReport(version=ver, sentences=len(rows), new_sentences=len(new_rows))
    if new_rows:
        report.changed = True
        themes = load_themes(store)
        live = [t for t in themes if t.status in ASSIGNABLE]
        fresh = corpus.load(store, enc, new_rows)
        assigner = Assigner(live, pin_vectors(enc, live), assign_threshold)
        ids, sims = assigner.assign(fresh.texts, fresh.vectors)
        # leftovers, with the earlier outliers (similarity set, no theme), are clustered
        old_out = [r for r in rows if (r[0], r[1]) in done and done[(r[0], r[1])] is not None]
        old_out = corpus.load(store, enc, [r for r in old_out if (r[0], r[1]) in old_out_keys])
        left = [i for i, t in enumerate(ids) if t is None]
        pool = fresh.take(left)
        pool.keys += old_out.keys
        pool.texts += old_out.texts
        pool.langs += old_out.langs
        pool.vectors = np.concatenate([pool.vectors, old_out.vectors]) if len(old_out) else pool.vectors
        groups = cluster(pool.vectors, threshold=threshold, min_size=min_size, max_fit=max_fit, seed=seed)
        status = "active" if not live else "proposed"
        new_ids = next_ids(store, len(groups))
        stamp = utc_now()
        born = [Theme(tid, None, "", [], centroid(pool.vectors[g]), enc.name, len(g), status, version=ver)
                for tid, g in zip(new_ids, groups)]
        member = {int(i): tid for tid, g in zip(new_ids, groups) for i in g}
        pool_ids, pool_sims = Assigner(born, {}, assign_threshold).assign(pool.texts, pool.vectors)
        for i, tid in member.items():  # a cluster keeps its members
            pool_ids[i] = tid
            pool_sims[i] = float(pool.vectors[i] @ born[new_ids.index(tid)].centroid)
        result = {k: (t, float(s)) for k, t, s in zip(fresh.keys, ids, sims)}
        result.update({k: (t, float(s)) for k, t, s in zip(pool.keys, pool_ids, pool_sims)})
        with db.atomic():
            db.conn.executemany(
                "insert into themes (id, name, label, keyphrases, centroid, encoder, size, status, pinned, version,"
                " created_at, updated_at) values (?, null, '', '[]', ?, ?, 0, ?, '[]', ?, ?, ?)",
                [(t.id, t.centroid.astype(np.float32).tobytes(), t.encoder, t.status, ver, stamp, stamp)
                 for t in born])
            rows_out = [(k[0], k[1], *result.get((k[0], k[1]), (None, None)), ver, stamp) for k in new_rows]
            rows_out += [(k[0], k[1], *result[k], ver, stamp) for k in old_out.keys]
            db.conn.executemany(
                "insert or replace into theme_assignments (interaction_id, sentence_idx, theme_id, similarity,"
                " version, assigned_at) values (?, ?, ?, ?, ?, ?)", rows_out)
            refresh(store)
        report.new_themes = new_ids
    fill_counts(store, report)
    report.seconds = time.perf_counter() - start
    return report


def pin_vectors(enc, themes: list[Theme]) -> dict[str, np.ndarray]:
    texts = list(dict.fromkeys(p for t in themes for p in t.pinned))
    if not texts:
        return {}
    return {norm_text(t): v for t, v in zip(texts, unit(enc.encode(texts)))}


def refresh(store: Store) -> None:
    """Sizes, keyphrases and labels of every theme from its current assignments."""
    db = store.db
    members = list(db.execute("""
        select ta.theme_id, s.text, coalesce(s.lang, '') from theme_assignments ta
        join sentences s on s.interaction_id = ta.interaction_id and s.idx = ta.sentence_idx
        where ta.theme_id is not null order by ta.theme_id, ta.interaction_id, ta.sentence_idx"""))
    tids = [m[0] for m in members]
    labels = label_themes([m[1] for m in members], [m[2] for m in members], tids, exclude=sorted(people_names(store)))
    langs: dict[str, list[str]] = {}
    for tid, _, lang in members:
        langs.setdefault(tid, []).append(lang)
    stamp = utc_now()
    db.execute("update themes set size = 0 where id not in (select distinct theme_id from theme_assignments"
               " where theme_id is not null)")
    db.conn.executemany(
        "update themes set size = ?, keyphrases = ?, label = ?, updated_at = ? where id = ?",
        [(len(langs[tid]), json.dumps([[k, w, lg] for k, w, lg in kp], ensure_ascii=False),
          make_label(kp, langs[tid]), stamp, tid) for tid, kp in labels.items()])


def fill_counts(store: Store, report: ThemeReport) -> None:
    db = store.db
    report.eligible, report.assigned = db.execute(
        "select count(similarity), count(theme_id) from theme_assignments").fetchone()
    report.outliers = report.eligible - report.assigned
    report.themes = db.execute(f"select count(*) from themes where status in {ASSIGNABLE}").fetchone()[0]
