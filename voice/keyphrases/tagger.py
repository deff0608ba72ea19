"""A small window tagger for keyphrase candidates, distilled from spaCy's own tagger.

Keyphrase candidates need each word's part of speech and nothing else; spaCy's small
models compute it with a CNN over every token (tok2vec), which took half of the
keyphrase step on complaint emails (2.2 s of 4.8 on 500 CFPB narratives). This tagger
reads a window of five words (the word, two before, two after: their lower-case
form, its last three letters and its shape), one hidden layer, and predicts the label
spaCy's component would: the fine tag in English (the attribute map turns it into the
coarse POS, as it does for spaCy's tagger), POS and morphology together in Spanish (as
the morphologizer does). Trained on spaCy's labels over public customer texts
(:func:`train`, ``models/tagger/README.md``); measured by the Inspec F1 of the keyphrases
it gives and its agreement with spaCy (benchmarks/RESULTS.md).

It is a spaCy component (``voice_window_tagger``), so the rest of the pipeline — the
attribute map, the lazy lemmatizer — reads its labels as it reads spaCy's.

    python -m voice.keyphrases.tagger --data ../shared/data --out models/tagger
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from .._resources import resource

MODELS = resource("models", "tagger")
SHAPES = ("pad", "space", "punct", "digit", "upper", "title", "lower", "other")
_PUNCT = re.compile(r"^[^\w\s]+$", re.UNICODE)
PAD, UNKNOWN = 0, 1  # ids in the word and suffix tables
MEMO_SIZE = 200_000  # words whose features are kept (cleared when full)


def shape(text: str) -> int:
    if text.isspace():
        return 1
    if _PUNCT.match(text):
        return 2
    if any(c.isdigit() for c in text):
        return 3
    if text.isupper() and len(text) > 1:
        return 4
    if text[:1].isupper():
        return 5
    if text.islower():
        return 6
    return 7


#: per token: its lower-case form, last three and four letters, shape, and its lexicon class (which of
#: noun / verb / adjective / adverb spaCy's lemmatizer tables list it, or a base form of it, under)
SLOTS = ("words", "suffixes", "suffixes4", "shapes", "lex")
N = len(SLOTS)
WINDOW = 2  # tokens read on each side
P = 2 * WINDOW + 1


class Lexicon:
    """Which parts of speech a word can be, from the spaCy model's own lemmatizer tables (WordNet's
    lists in English): a word, or what its POS's suffix rules make of it ("systems" -> "system"), listed
    under noun, verb, adj or adv. Unknown words get their class from here and from their suffix."""

    POS = ("noun", "verb", "adj", "adv")

    def __init__(self, nlp=None):
        self.index: dict[str, frozenset[str]] = {}
        self.rules: dict[str, list[tuple[str, str]]] = {}
        if nlp is None or not nlp.has_pipe("lemmatizer"):
            return
        lookups = nlp.get_pipe("lemmatizer").lookups
        for table, target in (("lemma_index", self.index), ("lemma_rules", self.rules)):
            if not lookups.has_table(table):
                continue
            tab = lookups.get_table(table)
            for pos in self.POS:
                if pos in tab:
                    target[pos] = frozenset(tab[pos]) if table == "lemma_index" else [tuple(r) for r in tab[pos]]

    def __call__(self, lower: str) -> int:
        cls = 0
        for bit, pos in enumerate(self.POS):
            words = self.index.get(pos)
            if not words:
                continue
            if lower in words or any(lower.endswith(old) and lower[: len(lower) - len(old)] + new in words
                                     for old, new in self.rules.get(pos, ()) if old):
                cls |= 1 << bit
        return cls + 1  # 0 is the padding


class WindowTagger:
    """``kind``: "tag" (sets Token.tag_) or "morph" (labels "POS|Feats": sets Token.pos_ and morphology)."""

    def __init__(self, words: list[str], suffixes: list[str], labels: list[str], weights: dict[str, np.ndarray],
                 kind: str, lang: str, suffixes4: list[str] | None = None, lexicon: Lexicon | None = None):
        self.words = {w: i for i, w in enumerate(words)}
        self.suffixes = {s: i for i, s in enumerate(suffixes)}
        self.suffixes4 = {s: i for i, s in enumerate(suffixes4 or ["<pad>", "<unk>"])}
        self.labels = labels
        self.kind = kind
        self.lang = lang
        self.lexicon = lexicon or Lexicon()
        self.w = {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}
        self._memo: dict[int, tuple[int, ...]] = {}  # orth hash -> its SLOTS ids
        self._label_values: np.ndarray | None = None
        self._torch: dict | None = None

    # -- features ------------------------------------------------------------------------------------------------
    def _features(self, text: str) -> tuple[int, ...]:
        lower = text.lower()
        return (self.words.get(lower, UNKNOWN), self.suffixes.get(lower[-3:], UNKNOWN),
                self.suffixes4.get(lower[-4:], UNKNOWN), shape(text), self.lexicon(lower))

    def features(self, docs) -> np.ndarray:
        """(tokens, P * N) ids: the SLOTS of each position of the window (``WINDOW`` tokens before, the
        token, ``WINDOW`` after; PAD past a doc's edges); the docs' tokens one after another."""
        from spacy.attrs import ORTH

        rows = []
        memo = self._memo
        for doc in docs:
            if not len(doc):
                continue
            orths = doc.to_array([ORTH]).reshape(-1)
            uniq, inverse = np.unique(orths, return_inverse=True)
            table = np.empty((len(uniq), N), dtype=np.int64)
            strings = doc.vocab.strings
            if len(memo) > MEMO_SIZE:  # words once seen (a URL, a typo) are not kept for ever
                memo.clear()
            for k, h in enumerate(uniq.tolist()):
                f = memo.get(h)
                if f is None:
                    f = memo[h] = self._features(strings[h])
                table[k] = f
            own = table[inverse.reshape(-1)]
            padded = np.concatenate([np.zeros((WINDOW, N), dtype=np.int64), own,
                                     np.zeros((WINDOW, N), dtype=np.int64)])
            rows.append(np.concatenate([padded[k:k + len(own)] for k in range(P)], axis=1))
        return np.concatenate(rows) if rows else np.zeros((0, P * N), dtype=np.int64)

    # -- prediction ----------------------------------------------------------------------------------------------
    def scores(self, feats: np.ndarray) -> np.ndarray:
        # the products run in torch, on the encoder's threads: numpy's OpenBLAS threads keep spinning after
        # each call and slowed the encoder's next pass 2x on 2 cores (the phrase encoding: 0.27 -> 1.13 s)
        import torch

        w = self.w
        x = np.concatenate([w[slot][feats[:, k::N]].reshape(len(feats), -1)
                            for k, slot in enumerate(SLOTS)], axis=1)
        if self._torch is None:
            self._torch = {k: torch.from_numpy(np.ascontiguousarray(w[k]))
                           for k in ("hidden", "hidden_bias", "out", "out_bias")}
        t = self._torch
        with torch.inference_mode():
            h = torch.relu(torch.from_numpy(x) @ t["hidden"] + t["hidden_bias"])
            return (h @ t["out"] + t["out_bias"]).numpy()

    def predict(self, docs) -> list[np.ndarray]:
        """Label ids per doc."""
        feats = self.features(docs)
        best = self.scores(feats).argmax(axis=1) if len(feats) else np.zeros(0, dtype=np.int64)
        out, start = [], 0
        for doc in docs:
            out.append(best[start:start + len(doc)])
            start += len(doc)
        return out

    def _values(self, vocab) -> np.ndarray:
        """Per label, the hashes spaCy's arrays take: the tag, or (POS id, morphology hash)."""
        if self._label_values is None:
            from spacy.parts_of_speech import IDS as POS_IDS

            if self.kind == "tag":
                self._label_values = np.array([[vocab.strings.add(label)] for label in self.labels], dtype=np.uint64)
            else:
                values = []
                for label in self.labels:
                    pos, _, feats = label.partition("|")
                    values.append([POS_IDS.get(pos, 0), vocab.morphology.add(feats or "_")])
                self._label_values = np.array(values, dtype=np.uint64)
        return self._label_values

    def set_annotations(self, docs, label_ids: list[np.ndarray]) -> None:
        from spacy.attrs import MORPH, POS, TAG

        values = self._values(docs[0].vocab) if docs else None
        attrs = [TAG] if self.kind == "tag" else [POS, MORPH]
        for doc, ids in zip(docs, label_ids):
            if len(doc):
                doc.from_array(attrs, values[ids])

    # spaCy component protocol
    def __call__(self, doc):
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, docs, batch_size: int = 64):
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            self.set_annotations(batch, self.predict(batch))
            yield from batch

    # -- files ---------------------------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(folder / f"{self.lang}.npz", **{k: v.astype(np.float16) for k, v in self.w.items()})
        words = sorted(self.words, key=self.words.get)
        suffixes = sorted(self.suffixes, key=self.suffixes.get)
        suffixes4 = sorted(self.suffixes4, key=self.suffixes4.get)
        (folder / f"{self.lang}.json").write_text(json.dumps(
            {"lang": self.lang, "kind": self.kind, "labels": self.labels, "words": words, "suffixes": suffixes,
             "suffixes4": suffixes4}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, lang: str, nlp=None) -> "WindowTagger":
        """``nlp``: the spaCy pipeline it runs in, whose lemmatizer tables give the lexicon classes."""
        meta = json.loads((folder / f"{lang}.json").read_text(encoding="utf-8"))
        with np.load(folder / f"{lang}.npz") as z:
            weights = {k: z[k] for k in z.files}
        return cls(meta["words"], meta["suffixes"], meta["labels"], weights, meta["kind"], meta["lang"],
                   suffixes4=meta.get("suffixes4"), lexicon=Lexicon(nlp))


def available(lang: str, folder: Path | None = None) -> bool:
    folder = folder or MODELS
    return (folder / f"{lang}.npz").exists() and (folder / f"{lang}.json").exists()


FACTORY = "voice_window_tagger"  # its name in a spaCy pipeline


def add_to(nlp, lang: str, folder: Path | None = None):
    """``nlp`` with the window tagger in front (once), for a pipeline loaded without tok2vec and tagger."""
    from spacy.language import Language

    if not Language.has_factory(FACTORY):
        @Language.factory(FACTORY, default_config={"folder": "", "lang": "en"})
        def _make(nlp, name, folder, lang):
            return WindowTagger.load(Path(folder), lang, nlp)

    if not nlp.has_pipe(FACTORY):
        tagger = nlp.add_pipe(FACTORY, first=True, config={"folder": str(folder or MODELS), "lang": lang})
        tagger._values(nlp.vocab)  # the labels' strings, made now: not inside a batch's memory zone
    return nlp


# -- training ------------------------------------------------------------------------------------------------------

def label_of(token, kind: str) -> str:
    if kind == "tag":
        return token.tag_
    morph = str(token.morph)
    return f"{token.pos_}|{morph}" if morph else token.pos_


def training_texts(data: Path, lang: str) -> dict[str, list[str]]:
    """Public customer texts whose licences allow commercial use (as their origins state: see the model
    card), per source. The texts only: their labels are spaCy's."""
    import csv

    from ..sentiment.corpora import load_corpus

    out: dict[str, list[str]] = {}
    if lang == "en":
        with (data / "complaints/cfpb/complaints_sample.csv").open(newline="", encoding="utf-8") as f:
            out["cfpb"] = [r["Consumer complaint narrative"] for r in csv.DictReader(f)
                           if r["Consumer complaint narrative"].strip()]
        with (data / "intent/banking77/train.csv").open(newline="", encoding="utf-8") as f:
            out["banking77"] = [r["text"] for r in csv.DictReader(f)]
        with (data / "intent/bitext_customer_support/Bitext_Sample_Customer_Support_Training_Dataset.csv").open(
                newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        out["bitext"] = [r.get("instruction") or r.get("utterance") or "" for r in rows] + \
                        [r.get("response") or "" for r in rows]
        out["docstrings"] = docstring_sentences()
        for name in ("opener_en", "amazon_alexa_en", "service_en"):
            out[name] = [e.text for e in load_corpus(name, data, "all")] if name != "service_en" else \
                [e.text for e in load_corpus(name, data, "train")]
    else:
        for name in ("opener_es", "airline_es"):
            out[name] = [e.text for e in load_corpus(name, data, "all")]
        out["service_es"] = [e.text for e in load_corpus("service_es", data, "train")]
    return {k: [t for t in v if t and t.strip()] for k, v in out.items()}


_PROSE = re.compile(r"^[A-Za-z][A-Za-z,;:()'\- ]+[.]$")
DOCSTRING_PACKAGES = ("sklearn", "scipy", "numpy", "pandas", "torch", "transformers", "nltk", "networkx", "sympy")


def docstring_sentences(limit: int = 60_000, seed: int = 0, packages: tuple[str, ...] = DOCSTRING_PACKAGES,
                        stdlib: bool = True) -> list[str]:
    """English technical prose, for words customer texts lack (Inspec's abstracts): the sentences of the
    first paragraph of each docstring in Python's standard library (PSF licence) and in the scientific
    packages installed next to voice (BSD / Apache / MIT), that read as plain prose (6-40 words, letters and
    punctuation, a full stop)."""
    import ast
    import importlib.util
    import random
    import sysconfig

    roots = [Path(sysconfig.get_paths()["stdlib"])] if stdlib else []
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            roots.append(Path(next(iter(spec.submodule_search_locations))))
    out, seen = [], set()
    for root in roots:
        for f in sorted(root.rglob("*.py")):
            if "test" in f.parent.name.lower():
                continue
            try:
                tree = ast.parse(f.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
                continue
            for node in ast.walk(tree):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
                    continue
                doc = ast.get_docstring(node)
                for sent in re.split(r"(?<=\.)\s+", " ".join((doc or "").split("\n\n")[0].split())):
                    if 6 <= len(sent.split()) <= 40 and "_" not in sent and _PROSE.match(sent) and sent not in seen:
                        seen.add(sent)
                        out.append(sent)
    random.Random(seed).shuffle(out)
    return out[:limit]


def train(data: Path, lang: str, out: Path, *, epochs: int = 6, min_count: int = 2, max_words: int = 30_000,
          seed: int = 0) -> dict:
    """Label the texts with spaCy's full pipeline, fit the window tagger to those labels, save it."""
    import random
    from collections import Counter

    import torch

    from ..spacy_models import load_spacy

    kind = "tag" if lang == "en" else "morph"
    texts = [t for v in training_texts(data, lang).values() for t in v]
    random.Random(seed).shuffle(texts)
    nlp = load_spacy(lang, exclude=("ner", "parser"))
    docs = list(nlp.pipe(texts, batch_size=32, disable=["lemmatizer"]))
    held = docs[: len(docs) // 10]  # agreement with spaCy measured on a tenth left out
    fit_docs = docs[len(docs) // 10:]

    counts = Counter(t.lower_ for d in fit_docs for t in d)
    words = ["<pad>", "<unk>"] + [w for w, c in counts.most_common(max_words) if c >= min_count]
    tables = {n: ["<pad>", "<unk>"] + [x for x, c in Counter(t.lower_[-n:] for d in fit_docs for t in d)
                                      .most_common(5_000) if c >= min_count] for n in (3, 4)}
    label_counts = Counter(label_of(t, kind) for d in fit_docs for t in d)
    labels = [lab for lab, c in label_counts.most_common() if c >= 2]
    label_ids = {lab: i for i, lab in enumerate(labels)}
    lexicon = Lexicon(nlp)
    sizes = {"words": len(words), "suffixes": len(tables[3]), "suffixes4": len(tables[4]),
             "shapes": len(SHAPES), "lex": 2 ** len(Lexicon.POS) + 1}
    dims = {"words": 48, "suffixes": 24, "suffixes4": 24, "shapes": 8, "lex": 8}
    tagger = WindowTagger(words, tables[3], labels, {}, kind, lang, suffixes4=tables[4], lexicon=lexicon)

    def arrays(ds):
        feats = tagger.features(ds)
        ys = np.array([label_ids.get(label_of(t, kind), -100) for d in ds for t in d], dtype=np.int64)
        return torch.from_numpy(feats), torch.from_numpy(ys)

    x, y = arrays(fit_docs)
    rare = torch.from_numpy(np.array([counts[w] <= 3 for w in words]))  # words to read as unknown now and then
    torch.manual_seed(seed)
    emb = torch.nn.ModuleDict({k: torch.nn.Embedding(sizes[k], dims[k]) for k in SLOTS})
    hidden = torch.nn.Linear(P * sum(dims.values()), 128)
    outl = torch.nn.Linear(128, len(labels))
    params = list(emb.parameters()) + list(hidden.parameters()) + list(outl.parameters())
    opt = torch.optim.Adam(params, lr=2e-3)
    drop = torch.nn.Dropout(0.25)
    word_cols = list(range(0, P * N, N))

    def forward(xb, train_mode):
        h = torch.cat([emb[slot](xb[:, k::N]).flatten(1) for k, slot in enumerate(SLOTS)], 1)
        return outl(torch.relu(hidden(drop(h) if train_mode else h)))

    # rare words are read as unknown half the time (and any word 5%), so that unknown words learn from their
    # suffixes, shape and lexicon class: a tenth to a fifth of a new domain's words are unknown
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x), 2048):
            idx = order[i:i + 2048]
            xb = x[idx].clone()
            wc = xb[:, word_cols]
            p = torch.where(rare[wc], 0.5, 0.05)
            xb[:, word_cols] = torch.where((torch.rand(wc.shape) < p) & (wc > UNKNOWN), UNKNOWN, wc)
            loss = torch.nn.functional.cross_entropy(forward(xb, True), y[idx], ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        tagger.w = {k: emb[k].weight.numpy().copy() for k in SLOTS}
        tagger.w.update(hidden=hidden.weight.T.numpy().copy(), hidden_bias=hidden.bias.numpy().copy(),
                        out=outl.weight.T.numpy().copy(), out_bias=outl.bias.numpy().copy())
    tagger.save(out)
    tagger = WindowTagger.load(out, lang, nlp)  # what ships (float16), measured
    hx, hy = arrays(held)
    pred = tagger.scores(hx.numpy()).argmax(axis=1)
    keep = hy.numpy() >= 0
    return {"lang": lang, "texts": len(texts), "tokens": int(len(x) + len(hx)), "labels": len(labels),
            "words": len(words), "held_out_tokens": int(keep.sum()),
            "agreement_with_spacy": round(float((pred[keep] == hy.numpy()[keep]).mean()), 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=MODELS)
    ap.add_argument("--langs", default="en,es")
    args = ap.parse_args()
    for lang in args.langs.split(","):
        print(json.dumps(train(args.data, lang, args.out)))


if __name__ == "__main__":
    main()
