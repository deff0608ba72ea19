"""Theme groups: one primary group per interaction, the upper level over the sentence themes.

Sentence themes (:mod:`.discover`) are fine-grained and many: on 1,532 CFPB complaints a fixed similarity
cut let one of them ("credit / account / report / debt") sit on 70% of the complaints. Groups are found
on whole **interactions** instead, each read as its vector (pooled from its eligible sentences) joined
with an LSA of its words (TF-IDF of those sentences): on CFPB the words separate complaint products
better than the multilingual vectors alone. Words are not shared across languages, so they join only
where one language holds 90% or more of the interactions: on the bilingual demo they split es and en
into separate groups (94% of a group in one language, against 64% with the vectors alone, which keep
"envío express" and "express delivery" together). The number of groups is
chosen by the data: the k (from 6 up to ``max_k``; fewer on small data) whose KMeans partitions of two
random 80% samples agree best (adjusted Rand). Measured on CFPB (benchmarks/themes.py): AMI against the Product label 0.298
without being told k, against 0.212 for KMeans with the true k on the vectors alone; largest group 14%.

Each group is labelled from its words (c-TF-IDF, :func:`.label.label_themes`); each sentence theme is
placed under the group most of its interactions belong to (``themes.group_id``). A run replaces the
groups (ids G01, G02… by size; they are not kept across runs, unlike the themes' ids).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .._clock import utc_now
from ..encode import Encoder
from ..store import Store
from . import corpus
from .label import label_themes, make_label, people_names

MIN_INTERACTIONS = 20  # fewer: no groups (too few to tell topics apart)
ONE_LANGUAGE = 0.9  # the words join the vectors only where one language holds this share of the interactions


@dataclass
class GroupReport:
    interactions: int = 0  # interactions read (inbound, analysed, with an eligible sentence)
    groups: int = 0
    stability: dict[int, float] = field(default_factory=dict)  # k -> agreement of two 80% samples
    largest_share: float = 0.0
    words: bool = False  # whether the words joined the vectors (one language holds 90% or more)
    seconds: float = 0.0


def features(vectors: np.ndarray, texts: list[str], dims: int = 100) -> np.ndarray:
    """Rows: the unit vector joined with the unit LSA of the text's words (TF-IDF, sublinear; words in 3
    or more texts and at most half of them), re-normalised. Too few words: the vectors alone."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    X = normalize(vectors)
    try:
        tf = TfidfVectorizer(min_df=min(3, len(texts)), max_df=0.5, sublinear_tf=True,
                             token_pattern=r"(?u)\b[^\W\d_]{2,}\b").fit_transform(texts)
    except ValueError:  # no word left
        return X
    if tf.shape[1] < 3:
        return X
    lsa = normalize(TruncatedSVD(min(dims, tf.shape[1] - 1, len(texts) - 1), random_state=0).fit_transform(tf))
    return normalize(np.hstack([X, lsa]))


def stable_k(F: np.ndarray, max_k: int = 32, pairs: int = 4, seed: int = 0) -> tuple[int, dict[int, float]]:
    """The k whose KMeans partitions of two random 80% samples agree best (mean adjusted Rand over
    ``pairs``), among the even k from 6 to ``max_k`` and at most a fifth of the rows. Not below 6 unless
    the data is that small: a split in two or three always agrees with itself (on CFPB k=2 scored highest
    and gave two groups that said nothing) and tells an analyst little."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    n = len(F)
    ks = [k for k in range(6, max_k + 1, 2) if k <= n // 5] or list(range(2, max(2, min(5, n // 5)) + 1))
    rng = np.random.default_rng(seed)
    scores: dict[int, float] = {}
    for k in ks:
        agree = []
        for r in range(pairs):
            a, b = (rng.choice(n, int(0.8 * n), replace=False) for _ in range(2))
            ka = KMeans(k, n_init=2, random_state=r).fit(F[a])
            kb = KMeans(k, n_init=2, random_state=r + 100).fit(F[b])
            agree.append(adjusted_rand_score(ka.predict(F), kb.predict(F)))
        scores[k] = float(np.mean(agree))
    return max(scores, key=lambda k: (scores[k], -k)), scores


def find_groups(store: Store, *, encoder: str | Encoder | None = None, k: int | None = None, max_k: int = 32,
                seed: int = 0) -> GroupReport:
    """Group the inbound analysed interactions (see the module docstring) and store the groups."""
    from sklearn.cluster import KMeans

    start = time.perf_counter()
    report = GroupReport()
    enc = corpus.encoder_for(store, encoder)
    sents = corpus.load(store, enc, corpus.inbound_sentences(store))
    members: dict[str, list[int]] = {}
    for row, (iid, _) in enumerate(sents.keys):
        members.setdefault(iid, []).append(row)
    ids = list(members)
    report.interactions = len(ids)
    db = store.db
    if len(ids) < MIN_INTERACTIONS:
        with db.atomic():
            db.execute("delete from interaction_groups")
            db.execute("delete from theme_groups")
            db.execute("update themes set group_id = null")
        report.seconds = time.perf_counter() - start
        return report
    vectors = np.stack([sents.vectors[members[i]].mean(axis=0) for i in ids])
    texts = [" ".join(sents.texts[r] for r in members[i]) for i in ids]
    langs = [Counter(sents.langs[r] for r in members[i]).most_common(1)[0][0] for i in ids]
    report.words = Counter(langs).most_common(1)[0][1] / len(ids) >= ONE_LANGUAGE
    if report.words:
        F = features(vectors, texts)
    else:  # words are not shared across languages: with them es and en would split into separate groups
        F = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    if k is None:
        k, report.stability = stable_k(F, max_k=max_k, seed=seed)
    km = KMeans(k, n_init=10, random_state=seed).fit(F)
    labels = km.labels_
    centres = km.cluster_centers_ / np.maximum(np.linalg.norm(km.cluster_centers_, axis=1, keepdims=True), 1e-9)
    sims = (F * centres[labels]).sum(1)  # cosine to the group's centre
    order = [c for c, _ in Counter(labels.tolist()).most_common()]  # G01 the largest
    gid = {c: f"G{n + 1:02d}" for n, c in enumerate(order)}
    words = label_themes(texts, langs, [gid[c] for c in labels], exclude=sorted(people_names(store)))
    sizes = Counter(gid[c] for c in labels)
    report.groups, report.largest_share = len(order), max(sizes.values()) / len(ids)
    stamp = utc_now()
    group_of = {iid: gid[c] for iid, c in zip(ids, labels)}
    theme_rows = db.execute("select ta.theme_id, ta.interaction_id from theme_assignments ta "
                            "where ta.theme_id is not null").fetchall()
    votes: dict[str, Counter] = {}
    for tid, iid in theme_rows:
        if iid in group_of:
            votes.setdefault(tid, Counter())[group_of[iid]] += 1
    with db.atomic():
        db.execute("delete from interaction_groups")
        db.execute("delete from theme_groups")
        db.conn.executemany(
            "insert into theme_groups (id, label, keywords, size, created_at) values (?, ?, ?, ?, ?)",
            [(g, make_label(words.get(g, []), [lg for lg, c in zip(langs, labels) if gid[c] == g]),
              json.dumps([[t, w, lg] for t, w, lg in words.get(g, [])], ensure_ascii=False), sizes[g], stamp)
             for g in gid.values()])
        db.conn.executemany(
            "insert into interaction_groups (interaction_id, group_id, similarity) values (?, ?, ?)",
            [(iid, gid[c], round(float(s), 4)) for iid, c, s in zip(ids, labels, sims)])
        db.execute("update themes set group_id = null")
        db.conn.executemany("update themes set group_id = ? where id = ?",
                            [(v.most_common(1)[0][0], tid) for tid, v in votes.items()])
    report.seconds = time.perf_counter() - start
    return report


def list_groups(store: Store) -> list[dict]:
    """Groups, largest first, each with its label, size (interactions) and the sentence themes under it."""
    themes: dict[str, list[dict]] = {}
    for tid, label, name, size, gid in store.db.execute(
            "select id, label, name, size, group_id from themes where group_id is not null "
            "and status in ('active', 'proposed') order by size desc"):
        themes.setdefault(gid, []).append({"id": tid, "label": name or label, "size": size})
    return [{"id": g, "label": label, "keywords": json.loads(kw or "[]"), "interactions": size,
             "themes": themes.get(g, [])}
            for g, label, kw, size in store.db.execute(
                "select id, label, keywords, size from theme_groups order by size desc, id")]
