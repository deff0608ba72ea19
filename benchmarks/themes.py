"""Theme discovery on CFPB complaint narratives against their Product and Issue labels.

The narratives of ../shared/data/complaints/cfpb/complaints_sample.csv (read in
place, never copied) are written to a temporary database as inbound emails,
analysed with the default pipeline (sentences, cached vectors), and
``voice.themes.discover`` runs on them. Each interaction's dominant theme (the
theme of most of its sentences; none for an interaction whose sentences are
all outliers) is compared with its Product and its Issue: adjusted mutual
information (the no-theme interactions count as one cluster) and purity (over
interactions with a theme). Baselines in the same run: KMeans on the same
interaction vectors (mean of its eligible sentence vectors), k = number of
Products, on those vectors and on the features the theme groups use (the
vectors joined with an LSA of the interactions' words). voice's theme groups
(``voice.themes.find_groups``: one primary group per interaction, k chosen by
the data) are scored the same way.

    .venv/bin/python benchmarks/themes.py [--n 1532] > benchmarks/themes_results.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _cfpb import add_as_emails, read_rows  # noqa: E402


def purity(pred: list, truth: list) -> float:
    pairs = [(p, t) for p, t in zip(pred, truth) if p is not None and p != -1]
    if not pairs:
        return 0.0
    by: dict = {}
    for p, t in pairs:
        by.setdefault(p, Counter())[t] += 1
    return sum(c.most_common(1)[0][1] for c in by.values()) / len(pairs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1532)
    ap.add_argument("--min-size", type=int, default=None)
    args = ap.parse_args()

    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_mutual_info_score as ami

    import voice
    from voice.themes import discover, find_groups, interaction_themes
    from voice.themes.groups import features
    from voice.themes.corpus import encoder_for, inbound_sentences, load

    rows = read_rows(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        v = voice.init(Path(tmp) / "bench.db")
        label = add_as_emails(v, rows)
        ids = list(label)
        t = time.perf_counter()
        v.analyze()
        analyse_s = time.perf_counter() - t
        kw = {"min_size": args.min_size} if args.min_size else {}
        t = time.perf_counter()
        rep = discover(v.store, **kw)
        discover_s = time.perf_counter() - t
        t = time.perf_counter()
        groups_report = find_groups(v.store)
        groups_s = time.perf_counter() - t
        group_of = dict(v.store.db.execute("select interaction_id, group_id from interaction_groups"))
        dominant = {iid: (interaction_themes(v.store, iid) or [None])[0] for iid in ids}
        enc = encoder_for(v.store, None)
        sents = load(v.store, enc, inbound_sentences(v.store))
        vecs: dict[str, list] = {}
        for (iid, _), vec in zip(sents.keys, sents.vectors):
            vecs.setdefault(iid, []).append(vec)
        v.close()

    with_vec = [iid for iid in ids if iid in vecs]
    X = np.stack([np.mean(vecs[i], axis=0) for i in with_vec])
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    products = [label[i]["Product"] for i in with_vec]
    issues = [label[i]["Issue"] for i in with_vec]
    k = len(set(products))
    t = time.perf_counter()
    km = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(X).tolist()
    km_s = time.perf_counter() - t
    texts: dict[str, list[str]] = {}
    for (iid, _), text in zip(sents.keys, sents.texts):
        texts.setdefault(iid, []).append(text)
    F = features(X, [" ".join(texts[i]) for i in with_vec])
    km_f = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(F).tolist()
    auto = [group_of.get(i, "none") for i in with_vec]
    sizes = Counter(auto)
    ours = [dominant[i] or "none" for i in with_vec]
    bare = [dominant[i] for i in with_vec]
    themed = sum(d is not None for d in bare)

    print(f"# themes on CFPB narratives, {dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"command: `.venv/bin/python benchmarks/themes.py --n {args.n}`; {len(rows)} narratives, "
          f"{len(with_vec)} with eligible sentences, {len(set(products))} Products, {len(set(issues))} Issues; "
          f"analysis {analyse_s:.0f} s (not counted below)\n")
    print("| method | themes | AMI Product | purity Product | AMI Issue | purity Issue | interactions without theme |"
          " sentence outliers | seconds |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| voice.themes.discover (defaults) | {rep.themes} | {ami(products, ours):.3f} | "
          f"{purity(bare, products):.3f} | {ami(issues, ours):.3f} | {purity(bare, issues):.3f} | "
          f"{1 - themed / len(with_vec):.1%} | {rep.outlier_share:.1%} of {rep.eligible} | {discover_s:.1f} |")
    print(f"| KMeans k={k} on interaction vectors | {k} | {ami(products, km):.3f} | {purity(km, products):.3f} | "
          f"{ami(issues, km):.3f} | {purity(km, issues):.3f} | 0% | n/a | {km_s:.1f} |")
    print(f"| KMeans k={k} on vectors + LSA of words | {k} | {ami(products, km_f):.3f} | {purity(km_f, products):.3f} | "
          f"{ami(issues, km_f):.3f} | {purity(km_f, issues):.3f} | 0% | n/a | |")
    print(f"| voice.themes.find_groups (primary group; k chosen by the data: {groups_report.groups}) | {groups_report.groups} | "
          f"{ami(products, auto):.3f} | {purity(auto, products):.3f} | {ami(issues, auto):.3f} | "
          f"{purity(auto, issues):.3f} | {sizes.get('none', 0) / len(auto):.0%} (largest group "
          f"{max(n for g, n in sizes.items() if g != 'none') / len(auto):.0%}) | n/a | {groups_s:.1f} |")
    print("\nstability of the groups (adjusted Rand between KMeans on two 80% samples) by k: "
          + ", ".join(f"{kk}: {s:.2f}" for kk, s in groups_report.stability.items()))
    print("\nPurity counts only interactions with a theme (the \"none\" group is left out); AMI counts it as one "
          "cluster. Themes are found per sentence, so the dominant theme is a proxy for what a Product label says "
          "about the whole complaint.")


if __name__ == "__main__":
    main()
