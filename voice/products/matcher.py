"""Product mentions: the ``products.catalog.v1`` component.

Text and catalog names are cut into word tokens (letters and digits apart, so
"9kg" and "9 kg" agree), folded (lower case, no accents) and matched as token
sequences, which makes every match word-bounded. Three kinds of term:

* ``exact``: a product's name; ``alias``: one of its aliases, or an alias
  without its leading article ("la EcoWash" -> "EcoWash");
* ``lemma``: a name or alias with its first or last word put in the plural by
  simple es/en rules ("lavadoras EcoWash", "purificadores AirPure");
* ``fuzzy``: a window of 1 to n+1 tokens whose letters and digits, run
  together, are within ``fuzzy_threshold`` (rapidfuzz ratio) of a term of at
  least ``min_fuzzy_chars`` characters, starting with the same character and
  holding the same numbers ("AirPur 500", "Robo Clean X2"). Windows are scored
  for the whole batch in one ``rapidfuzz.process.cdist`` call.

Overlaps: the longest exact/alias/lemma match wins; fuzzy matches fill only the
text no such match covers, the best-scoring first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..pipeline.doc import Doc, Mention
from ..pipeline.registry import component
from .catalog import Catalog

_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_GAP = re.compile(r"[\s\-‐–'\"’”“/]{0,3}")  # what may separate the words of one mention
_ARTICLES = frozenset({"el", "la", "los", "las", "un", "una", "the", "a", "an", "my", "mi", "our", "nuestro",
                       "nuestra"})
_FUNCTION_WORDS = _ARTICLES | frozenset({
    "de", "del", "en", "con", "para", "por", "y", "o", "que", "se", "su", "sus", "al", "lo", "es", "no", "me",
    "of", "in", "on", "for", "and", "or", "to", "with", "is", "it", "my", "i", "this", "that", "your"})
_DIGITS = re.compile(r"\d+")
_RANK = {"exact": 0, "alias": 1, "lemma": 2, "fuzzy": 3}


def fold(text: str) -> str:
    """Lower case without accents: 'Envío' -> 'envio'."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold_tokens(text: str) -> list[str]:
    return [fold(m.group()) for m in _TOKEN.finditer(text)]


def tokenize(text: str) -> tuple[list[int], list[int], list[str]]:
    """Starts, ends and folded forms of the word tokens of ``text``."""
    starts, ends, words = [], [], []
    for m in _TOKEN.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
        words.append(fold(m.group()))
    return starts, ends, words


def plural_es(word: str) -> str:
    if word.endswith("z"):
        return word[:-1] + "ces"
    return word + ("s" if word[-1] in "aeiou" else "es")


def plural_en(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


@dataclass(frozen=True)
class Term:
    tokens: tuple[str, ...]
    product_id: str
    method: str

    @property
    def compact(self) -> str:
        return "".join(self.tokens)


def build_terms(catalog: Catalog) -> dict[tuple[str, ...], Term]:
    """Folded token sequence -> term; for a sequence reachable several ways the
    strongest method (exact > alias > lemma) of the first product wins."""
    terms: dict[tuple[str, ...], Term] = {}

    def add(tokens, pid, method):
        tokens = tuple(tokens)
        if not tokens:
            return
        old = terms.get(tokens)
        if old is None or (_RANK[method] < _RANK[old.method] and old.product_id == pid):
            terms[tokens] = Term(tokens, pid, method)

    for p in catalog:
        labelled = [(p.name, "exact", ("es", "en"))]
        for lang, names in p.aliases.items():
            rules = (lang,) if lang in ("es", "en") else ("es", "en")
            labelled += [(a, "alias", rules) for a in names]
        bases = []
        for label, method, rules in labelled:
            toks = fold_tokens(label)
            bases.append((toks, method, rules))
            if len(toks) > 1 and toks[0] in _ARTICLES:
                bases.append((toks[1:], "alias", rules))
        for toks, method, _ in bases:
            add(toks, p.id, method)
        for toks, _, rules in bases:
            for rule in rules:
                plural = plural_es if rule == "es" else plural_en
                for k in {0, len(toks) - 1}:
                    if toks[k].isalpha() and len(toks[k]) >= 3 and toks[k] not in _FUNCTION_WORDS:
                        add(toks[:k] + [plural(toks[k])] + toks[k + 1:], p.id, "lemma")
    return terms


class ProductMatcher:
    name = "products.catalog.v1"

    def __init__(self, catalog: Catalog, *, fuzzy_threshold: int = 88, min_fuzzy_chars: int = 5,
                 fuzzy: bool = True):
        if not 0 < fuzzy_threshold <= 100:
            raise ValueError("fuzzy_threshold is a rapidfuzz ratio between 1 and 100")
        self.fuzzy_threshold = fuzzy_threshold
        self.fuzzy = fuzzy
        self._min_fuzzy_chars = min_fuzzy_chars
        self.from_store = False  # True: the catalog is the database's, set by the caller (use_catalog)
        self.use_catalog(catalog)

    @property
    def model_info(self) -> dict:
        return {"catalog": self.catalog.source, "products": len(self.catalog)}

    def use_catalog(self, catalog: Catalog) -> None:
        """Match against ``catalog`` from now on (an empty one finds nothing)."""
        min_fuzzy_chars = self._min_fuzzy_chars
        self.catalog = catalog
        self.terms = build_terms(catalog)
        self.max_len = max((len(t) for t in self.terms), default=0)
        self._first_words = frozenset(t[0] for t in self.terms)
        fuzzy_terms = {}
        for term in self.terms.values():
            if len(term.compact) >= min_fuzzy_chars and term.compact not in fuzzy_terms:
                fuzzy_terms[term.compact] = term
        self._fuzzy_terms = list(fuzzy_terms.values())
        self._fuzzy_strings = [t.compact for t in self._fuzzy_terms]
        self._fuzzy_digits = [_DIGITS.findall(s) for s in self._fuzzy_strings]
        self._terms_by_char: dict[str, list[int]] = {}
        for i, s in enumerate(self._fuzzy_strings):
            self._terms_by_char.setdefault(s[0], []).append(i)
        # a window longer than this cannot reach the threshold against the longest term (ratio = 2M / (l1 + l2))
        self._max_window_chars = int(max(map(len, self._fuzzy_strings), default=0) * (200 / self.fuzzy_threshold - 1))

    # -- matching ---------------------------------------------------------------------------------------------
    def find(self, texts: list[str]) -> list[list[Mention]]:
        """Mentions per text, in text order."""
        if not self.terms:
            return [[] for _ in texts]
        tokenized = [tokenize(t) for t in texts]
        # linked[k]: tokens k and k+1 are one phrase (only spaces, hyphens or quotes between them)
        links = [[bool(_GAP.fullmatch(text, e, s)) for e, s in zip(toks[1][:-1], toks[0][1:])]
                 for text, toks in zip(texts, tokenized)]
        exact = [self._exact(toks, linked) for toks, linked in zip(tokenized, links)]
        windows = [self._windows(toks, linked, ex) for toks, linked, ex in zip(tokenized, links, exact)]
        fuzzy = self._score_windows(windows) if self.fuzzy else [[] for _ in texts]
        out = []
        for text, ex, fz in zip(texts, exact, fuzzy):
            chosen = _resolve(ex, by_length=True)
            chosen += _resolve([m for m in fz if not any(_overlap(m, c) for c in chosen)], by_length=False)
            chosen.sort(key=lambda m: m[0])
            out.append([Mention(pid, a, b, text[a:b], method, round(score, 4)) for a, b, pid, method, score in chosen])
        return out

    def _exact(self, toks, linked) -> list[tuple]:
        starts, ends, words = toks
        found = []
        for i, word in enumerate(words):
            if word not in self._first_words:
                continue
            longest = 1  # tokens i .. i+longest-1 are written as one phrase
            while longest < self.max_len and i + longest < len(words) and linked[i + longest - 1]:
                longest += 1
            for n in range(longest, 0, -1):
                term = self.terms.get(tuple(words[i:i + n]))
                if term is not None:
                    found.append((starts[i], ends[i + n - 1], term.product_id, term.method, 1.0))
                    break  # the longest from this token
        return found

    def _windows(self, toks, linked, exact) -> list[tuple[int, int, str]]:
        if not self.fuzzy:
            return []
        starts, ends, words = toks
        taken = [False] * len(words)
        if exact:
            k = 0
            for a, b, *_ in sorted(exact):
                while k < len(words) and ends[k] <= a:
                    k += 1
                j = k
                while j < len(words) and starts[j] < b:
                    taken[j] = True
                    j += 1
        out = []
        for i in range(len(words)):
            if taken[i] or words[i] in _FUNCTION_WORDS or words[i][0] not in self._terms_by_char:
                continue
            compact = ""
            for j in range(i, min(i + self.max_len + 1, len(words))):
                if taken[j] or (j > i and not linked[j - 1]):
                    break
                compact += words[j]
                if len(compact) > self._max_window_chars:
                    break
                if len(compact) >= self._min_fuzzy_chars - 1 and words[j] not in _FUNCTION_WORDS:
                    out.append((starts[i], ends[j], compact))
        return out

    def _score_windows(self, windows: list[list[tuple[int, int, str]]]) -> list[list[tuple]]:
        """Score every window of the batch against the fuzzy terms that start
        with the same character: one ``cdist`` per first character."""
        from rapidfuzz import fuzz, process

        unique = sorted({w for ws in windows for _, _, w in ws})
        by_char: dict[str, list[str]] = {}
        for w in unique:
            if w[0] in self._terms_by_char:
                by_char.setdefault(w[0], []).append(w)
        best: dict[str, tuple[Term, float]] = {}
        for char, ws in by_char.items():
            idx = self._terms_by_char[char]
            scores = process.cdist(ws, [self._fuzzy_strings[i] for i in idx], scorer=fuzz.ratio,
                                   score_cutoff=self.fuzzy_threshold, dtype=np.uint8)
            for wi, tj in zip(*np.nonzero(scores)):
                w, ti = ws[wi], idx[tj]
                term = self._fuzzy_terms[ti]
                if _DIGITS.findall(w) != self._fuzzy_digits[ti]:
                    continue
                s = float(scores[wi, tj]) / 100
                old = best.get(w)
                if old is None or s > old[1] or (s == old[1] and _RANK[term.method] < _RANK[old[0].method]):
                    best[w] = (term, s)
        return [[(a, b, best[w][0].product_id, "fuzzy", best[w][1]) for a, b, w in ws if w in best]
                for ws in windows]

    # -- the component ----------------------------------------------------------------------------------------
    def __call__(self, docs: list[Doc]) -> list[Doc]:
        for d, mentions in zip(docs, self.find([d.text or "" for d in docs])):
            if d.sentences:
                for m in mentions:
                    s = d.sentence_at(m.start)
                    m.sentence_idx = s.idx if s is not None else None
            d.mentions = mentions
        return docs


def _overlap(m, c) -> bool:
    return m[0] < c[1] and c[0] < m[1]


def _resolve(cands: list[tuple], *, by_length: bool) -> list[tuple]:
    """Greedy non-overlapping choice: longest first (or best score first)."""
    if by_length:
        order = sorted(cands, key=lambda m: (-(m[1] - m[0]), _RANK[m[3]], m[0]))
    else:
        order = sorted(cands, key=lambda m: (-m[4], -(m[1] - m[0]), m[0]))
    chosen: list[tuple] = []
    for m in order:
        if not any(_overlap(m, c) for c in chosen):
            chosen.append(m)
    return chosen


@lru_cache(maxsize=8)
def _load_catalog(path: str) -> Catalog:
    return Catalog.load(path)


@component("products.catalog.v1")
def make_products(catalog: str = "database", fuzzy_threshold: int = 88,
                  min_fuzzy_chars: int = 5, fuzzy: bool = True) -> ProductMatcher:
    """``catalog``: "database" (default: the products imported with ``voice products import``, given by the
    caller that holds the store) or the path of a catalog file (YAML or CSV)."""
    if catalog == "database":
        matcher = ProductMatcher(Catalog([], source="database (not read yet)"), fuzzy_threshold=fuzzy_threshold,
                                 min_fuzzy_chars=min_fuzzy_chars, fuzzy=fuzzy)
        matcher.from_store = True
        return matcher
    return ProductMatcher(_load_catalog(str(Path(catalog))), fuzzy_threshold=fuzzy_threshold,
                          min_fuzzy_chars=min_fuzzy_chars, fuzzy=fuzzy)
