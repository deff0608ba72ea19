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

Each group is labelled from its words (c-TF-IDF, :func:`.label.label_themes`) and from the customers'
own phrases (:func:`phrase_labels`: the stored keyphrases most typical of the group, "identity theft /
credit report"); each sentence theme is placed under the group most of its interactions belong to
(``themes.group_id``), and a theme spread over the groups as the data is, is marked generic
(:func:`generic_themes`: "I called them" is in every kind of complaint and tells none apart).

Ids are kept across runs (:func:`carry_ids`): a new group that shares more than half of its members
with an old one (Jaccard over the interactions both runs grouped) takes the old id and the analyst's
name; other groups get new ids, never reused.
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
from .read import CUSTOMER_NPS

MIN_INTERACTIONS = 20  # fewer: no groups (too few to tell topics apart)
SAME_GROUP = 0.5  # Jaccard of members above which a new group keeps an old group's id and name
LAST_ID_KEY = "theme_groups_last_id"
GENERIC_LIFT = 1.75  # a theme whose best group holds it at most this many times the group's share is generic
GENERIC_MIN = 0.15  # ... and that is in at least this share of the grouped interactions (a catch-all)
ONE_LANGUAGE = 0.9  # the words join the vectors only where one language holds this share of the interactions


@dataclass
class GroupReport:
    interactions: int = 0  # interactions read (inbound, analysed, with an eligible sentence)
    groups: int = 0
    stability: dict[int, float] = field(default_factory=dict)  # k -> agreement of two 80% samples
    largest_share: float = 0.0
    words: bool = False  # whether the words joined the vectors (one language holds 90% or more)
    generic_themes: int = 0  # sentence themes spread over the groups as the data is
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
            db.execute("update themes set group_id = null, generic = 0")
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
    members_of: dict[int, set[str]] = {}
    for iid, c in zip(ids, labels):
        members_of.setdefault(int(c), set()).add(iid)
    gid, names = carry_ids(store, members_of)
    people = people_names(store)
    words = label_themes(texts, langs, [gid[c] for c in labels], exclude=sorted(people))
    sizes = Counter(gid[c] for c in labels)
    report.groups, report.largest_share = len(sizes), max(sizes.values()) / len(ids)
    stamp = utc_now()
    group_of = {iid: gid[c] for iid, c in zip(ids, labels)}
    phrases = phrase_labels(store, group_of, exclude=people)
    theme_rows = db.execute("select distinct ta.theme_id, ta.interaction_id from theme_assignments ta "
                            "where ta.theme_id is not null").fetchall()
    votes: dict[str, Counter] = {}
    for tid, iid in theme_rows:
        if iid in group_of:
            votes.setdefault(tid, Counter())[group_of[iid]] += 1
    generic = generic_themes(votes, sizes)
    with db.atomic():
        db.execute("delete from interaction_groups")
        db.execute("delete from theme_groups")
        db.conn.executemany(
            "insert into theme_groups (id, label, keywords, size, created_at, name, phrases) values (?, ?, ?, ?, ?, ?, ?)",
            [(g, make_label(words.get(g, []), [lg for lg, c in zip(langs, labels) if gid[c] == g]),
              json.dumps([[t, w, lg] for t, w, lg in words.get(g, [])], ensure_ascii=False), sizes[g], stamp,
              names.get(g), json.dumps(phrases.get(g, []), ensure_ascii=False))
             for g in sorted(sizes)])
        db.conn.executemany(
            "insert into interaction_groups (interaction_id, group_id, similarity) values (?, ?, ?)",
            [(iid, gid[c], round(float(s), 4)) for iid, c, s in zip(ids, labels, sims)])
        db.execute("update themes set group_id = null, generic = 0")
        db.conn.executemany("update themes set group_id = ?, generic = ? where id = ?",
                            [(v.most_common(1)[0][0], int(tid in generic), tid) for tid, v in votes.items()])
    report.generic_themes = len(generic)
    report.seconds = time.perf_counter() - start
    return report


def carry_ids(store: Store, members: dict[int, set[str]]) -> tuple[dict[int, str], dict[str, str]]:
    """Ids for this run's clusters ({cluster: interaction ids}) and the analysts' names they keep.

    Greedily by overlap, a cluster takes the id of the old group whose members it shares most with, when
    the Jaccard of the two (over the interactions both runs grouped) exceeds :data:`SAME_GROUP`; each old
    id goes to one cluster at most. The rest get ids after every id ever given (G01, G02…), never reused,
    largest first."""
    db = store.db
    old: dict[str, set[str]] = {}
    for iid, g in db.execute("select interaction_id, group_id from interaction_groups"):
        old.setdefault(g, set()).add(iid)
    old_names = {g: n for g, n in db.execute("select id, name from theme_groups where name is not null")}
    both = set().union(*old.values()) if old else set()
    pairs = []
    for c, mem in members.items():
        seen = mem & both
        for g, omem in old.items():
            inter = len(seen & omem)
            if inter:
                pairs.append((inter / len(seen | omem), c, g))
    gid: dict[int, str] = {}
    for jac, c, g in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if jac > SAME_GROUP and c not in gid and g not in gid.values():
            gid[c] = g
    row = db.execute("select value from settings where key = ?", [LAST_ID_KEY]).fetchone()
    last = max([int(row[0]) if row else 0] + [int(g[1:]) for g in old if g[1:].isdigit()])
    for c in sorted((c for c in members if c not in gid), key=lambda c: (-len(members[c]), c)):
        last += 1
        gid[c] = f"G{last:02d}"
    db.execute("insert or replace into settings (key, value) values (?, ?)", [LAST_ID_KEY, str(last)])
    return gid, {g: old_names[g] for g in gid.values() if g in old_names}


def phrase_labels(store: Store, group_of: dict[str, str], *, exclude: set[str] = frozenset(), top: int = 8,
                  min_share: float = 0.04) -> dict[str, list[list]]:
    """Per group: the keyphrases most typical of it against all grouped interactions
    (:func:`voice.keyphrases.typical.typical_phrases`), as ``[[surface, weight], ...]``."""
    from ..keyphrases.typical import typical_phrases

    members: dict[str, set[str]] = {}
    for iid, g in group_of.items():
        members.setdefault(g, set()).add(iid)
    return typical_phrases(store, members, group_of, exclude=exclude, top=top, min_share=min_share)


def generic_themes(votes: dict[str, Counter], sizes: Counter) -> set[str]:
    """Catch-all sentence themes: in at least :data:`GENERIC_MIN` of the grouped interactions, and spread
    over the groups as the data is (no group holds them more than :data:`GENERIC_LIFT` times its own
    share; a topical theme is held 2-12 times). On CFPB "credit / account / report / debt", on 70% of the
    complaints, has 1.24. Smaller themes are never marked, even when evenly spread: on 2,000 airline tweets
    the groups are vague and "bag / luggage / baggage / lost" (7%) had 1.60 — hiding a real topic would
    mislead more than showing a filler one ("days / day / late / business", 9% of CFPB, 1.58)."""
    total = sum(sizes.values())
    out = set()
    for tid, counts in votes.items():
        n = sum(counts.values())
        if n < GENERIC_MIN * total or len(sizes) < 3:
            continue
        lift = max((c / n) / (sizes[g] / total) for g, c in counts.items())
        if lift <= GENERIC_LIFT:
            out.add(tid)
    return out


def group_title(name: str | None, phrases: list, label: str | None) -> str:
    """What a group is called: the analyst's name, else its top three phrases, else its top words."""
    if name:
        return name
    if len(phrases) >= 2:
        return " / ".join(p[0] for p in phrases[:3])
    return label or "(no label)"


def list_groups(store: Store, *, generic: bool = False) -> list[dict]:
    """Groups, largest first, each with: ``title`` (:func:`group_title`), ``name`` (the analyst's, or None),
    ``label`` (top words), ``phrases``, ``interactions`` and ``share`` of the grouped ones, their mean
    sentiment score and share negative, the mean NPS of the customers in it (each customer's latest
    answer), and the sentence themes under it, largest first — generic ones left out unless ``generic``."""
    themes: dict[str, list[dict]] = {}
    for tid, label, name, size, gid, is_generic in store.db.execute(
            "select id, label, name, size, group_id, generic from themes where group_id is not null "
            "and status in ('active', 'proposed') order by size desc, id"):
        if generic or not is_generic:
            themes.setdefault(gid, []).append({"id": tid, "label": name or label, "size": size,
                                               "generic": bool(is_generic)})
    rows = store.db.execute(f"""
        with {CUSTOMER_NPS},
        figures as (
            select g.group_id, avg(a.sentiment_score) as mean_sentiment,
                   avg(case when a.sentiment = 'negative' then 1.0 when a.sentiment is null then null else 0.0 end)
                       as share_negative
            from interaction_groups g join analyses a on a.interaction_id = g.interaction_id group by g.group_id),
        nps as (
            select m.group_id, avg(c.nps) as mean_nps, count(*) as nps_customers
            from (select distinct g.group_id, x.customer_id from interaction_groups g
                  join interactions x on x.id = g.interaction_id where x.customer_id is not null) m
            join customer_nps c on c.customer_id = m.customer_id group by m.group_id)
        select t.id, t.name, t.label, t.keywords, t.phrases, t.size, f.mean_sentiment, f.share_negative,
               n.mean_nps, coalesce(n.nps_customers, 0)
        from theme_groups t left join figures f on f.group_id = t.id left join nps n on n.group_id = t.id
        order by t.size desc, t.id""").fetchall()
    total = sum(r[5] or 0 for r in rows) or 1
    out = []
    for gid, name, label, kw, phrases, size, mean_sent, neg, nps, nps_n in rows:
        phrases = json.loads(phrases or "[]")
        out.append({"id": gid, "title": group_title(name, phrases, label), "name": name, "label": label,
                    "keywords": json.loads(kw or "[]"), "phrases": phrases, "interactions": size,
                    "share": round(size / total, 4),
                    "mean_sentiment": None if mean_sent is None else round(mean_sent, 3),
                    "share_negative": None if neg is None else round(neg, 3),
                    "mean_nps": None if nps is None else round(nps, 2), "nps_customers": nps_n,
                    "themes": themes.get(gid, [])})
    return out


def generic_theme_ids(store: Store) -> set[str]:
    """Ids of the sentence themes marked generic by the latest grouping."""
    return {r[0] for r in store.db.execute("select id from themes where generic = 1")}


def group_examples(store: Store, group_id: str, limit: int = 10) -> list[dict]:
    """The group's interactions nearest its centre: id, customer, channel, time, sentiment and the
    customer's own words (the analysed text, cut to 400 characters)."""
    return [dict(r) for r in store.db.query("""
        select g.interaction_id, x.customer_id, x.channel, x.timestamp, a.sentiment, a.sentiment_score,
               substr(coalesce(a.analysed_text, ''), 1, 400) as text, g.similarity
        from interaction_groups g join interactions x on x.id = g.interaction_id
        left join analyses a on a.interaction_id = g.interaction_id
        where g.group_id = ? order by g.similarity desc, g.interaction_id limit ?""", [group_id, limit])]
