"""A taxonomy suggested from the user's own data against the shipped one, on CFPB complaints (issue #10).

The CFPB narratives of ../shared/data/complaints/cfpb/complaints_sample.csv are split by complaint id
(sha1, 1 in 5 held back). The other 4/5 are a user's database: analysed with the default pipeline, themes
and theme groups found, ``voice intents suggest`` writes a taxonomy, ``train_intents`` trains it, and the
database is analysed again with it. Each intent of a taxonomy is mapped to the Issue (and the Product) most
frequent among the training complaints whose best intent it is; a held-back complaint, read by
``Voice.read_texts`` with that taxonomy, is right when its best intent maps to its own Issue (Product).
That measures how much an intent tells about what the complaint is — what the shipped home-appliance
taxonomy cannot, and a suggested one can. Baseline: always the most frequent Issue (Product).

    .venv/bin/python benchmarks/intents_suggest.py   # UNIT=sentence, EXAMPLES=40, N_GROUPS=24: the variants
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _cfpb import TEXT, add_as_emails, read_rows  # noqa: E402


def best_intent(intents: list[tuple[str, float]]) -> str:
    return max(intents, key=lambda x: x[1])[0] if intents else "other"


def main() -> None:
    import voice
    from voice.intent import train_intents
    from voice.intent.suggest import suggest_taxonomy
    from voice.themes import discover, find_groups
    from sklearn.metrics import adjusted_mutual_info_score as ami

    rows = read_rows()
    held = [r for r in rows if int(hashlib.sha1(r["Complaint ID"].encode()).hexdigest(), 16) % 5 == 0]
    train = [r for r in rows if r not in held]
    t0 = time.perf_counter()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        v = voice.init(tmp / "user.db")
        label = add_as_emails(v, train)
        ids = list(label)
        v.analyze()
        discover(v.store)
        groups = find_groups(v.store, k=int(os.environ["N_GROUPS"]) if os.environ.get("N_GROUPS") else None)
        suggest_taxonomy(v.store, tmp / "suggested.yaml", examples=int(os.environ.get("EXAMPLES", "10")),
                         unit=os.environ.get("UNIT", "interaction"))
        train_intents(tmp / "suggested.yaml", tmp / "suggested")
        default_toml = (ROOT / "pipelines" / "default.toml").read_text(encoding="utf-8")
        (tmp / "suggested.toml").write_text(default_toml.replace('model = "models/intents/default"',
                                                                 f'model = "{tmp / "suggested"}"'), encoding="utf-8")
        for name, pipeline in (("shipped default taxonomy (11 intents)", None),
                               ("suggested from the theme groups, then trained", tmp / "suggested.toml")):
            if pipeline is not None:
                v.analyze(pipeline, all=True)
            best: dict[str, list] = {}
            for iid, intent, conf in v.store.db.execute("select interaction_id, intent, confidence from intents"):
                best.setdefault(iid, []).append((intent, conf))
            mapping = {}
            for field in ("Issue", "Product"):
                votes: dict[str, Counter] = {}
                for iid in ids:
                    votes.setdefault(best_intent(best.get(iid, [])), Counter())[label[iid][field]] += 1
                mapping[field] = {k: c.most_common(1)[0][0] for k, c in votes.items()}
            docs = v.read_texts([r[TEXT] for r in held], channel="email", pipeline=pipeline)
            predicted = [best_intent(d.intents) for d in docs]
            results[name] = {field: sum(mapping[field].get(p) == r[field] for p, r in zip(predicted, held)) / len(held)
                             for field in ("Issue", "Product")}
            results[name]["intents"] = len(set(predicted))
            for field in ("Issue", "Product"):
                results[name][f"ami {field}"] = ami([r[field] for r in held], predicted)
            results[name]["top"] = Counter(predicted).most_common(1)[0]
        v.close()
    majority = {f: Counter(r[f] for r in train).most_common(1)[0][0] for f in ("Issue", "Product")}
    base = {f: sum(r[f] == majority[f] for r in held) / len(held) for f in ("Issue", "Product")}
    print(f"# suggested intents on CFPB, {dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores; "
          f"command: `.venv/bin/python benchmarks/intents_suggest.py`; {time.perf_counter() - t0:.0f} s\n")
    print(f"{len(train)} complaints as the user's database ({groups.groups} theme groups), {len(held)} held back; "
          f"{len({r['Issue'] for r in rows})} Issues, {len({r['Product'] for r in rows})} Products.\n")
    print("| taxonomy | held-back Issue accuracy | Product accuracy | AMI Issue | AMI Product | intents used | "
          "most frequent |")
    print("|---|---|---|---|---|---|---|")
    print(f"| baseline: always the most frequent | {base['Issue']:.3f} | {base['Product']:.3f} | 0 | 0 | 1 | |")
    for name, r in results.items():
        print(f"| {name} | **{r['Issue']:.3f}** | **{r['Product']:.3f}** | {r['ami Issue']:.3f} | "
              f"{r['ami Product']:.3f} | {r['intents']} | {r['top'][0]} ({r['top'][1] / len(held):.0%}) |")


if __name__ == "__main__":
    main()
