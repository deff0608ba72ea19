"""Keyphrase extraction: the ``keyphrases.v1`` component.

For a batch of Docs: parse each language's docs with one ``nlp.pipe`` (no NER),
collect noun-phrase candidates per doc (:mod:`.candidates`), encode every
candidate of every doc and every doc text in one encoder call, then rank each
doc's candidates by

    relevance = (w_sim * sim + w_pos * pos + w_freq * freq) / (w_sim + w_pos + w_freq)

where ``sim`` is the candidate's cosine to the doc, min-max scaled within the
doc; ``pos`` is PositionRank's sum of 1/(token index + 1) over the candidate's
occurrences, scaled by the doc's maximum (early phrases, titles and first
sentences, weigh most); ``freq`` is log(1 + count) scaled by the doc's maximum.
The top ``top_k`` are picked by MMR (``diversity`` trades relevance for being
unlike the phrases already picked). The weights are the ones measured best on
Inspec (benchmarks/results_keyphrases.md). Scores are relevance in [0, 1],
made non-increasing in the returned order.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..encode import MemoryCache, load_encoder
from ..errors import ConfigError
from ..pipeline.doc import Doc
from ..pipeline.embed import embed
from ..pipeline.registry import component
from ..sentences.content import content_text
from ..spacy_models import has_tagger, load_spacy, renewed
from . import tagger as window_tagger
from .candidates import Candidate, ngram_candidates, tagged_candidates


class KeyphraseExtractor:
    name = "keyphrases.v1"

    def __init__(self, encoder, top_k: int = 10, *, w_sim: float = 0.6, w_pos: float = 0.3, w_freq: float = 0.1,
                 diversity: float = 0.2, max_words: int = 5, noun_chunks: bool = False,
                 max_candidates: int = 300, max_chars: int = 100_000, batch_size: int = 64,
                 default_lang: str = "en", phrase_cache: int = 10_000, tagger: str = "window",
                 tagger_folder: str | None = None):
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        if min(w_sim, w_pos, w_freq) < 0 or w_sim + w_pos + w_freq <= 0:
            raise ValueError("the weights w_sim, w_pos, w_freq must be >= 0 and not all 0")
        self.encoder = load_encoder(encoder)
        # candidates recur across texts and are not worth the store: kept in memory only
        self._phrases = MemoryCache(getattr(self.encoder, "uncached", self.encoder), size=phrase_cache)
        self.top_k = top_k
        self.weights = (w_sim, w_pos, w_freq)
        self.diversity = diversity
        self.max_words = max_words
        self.noun_chunks = noun_chunks
        self.max_candidates = max_candidates
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.default_lang = default_lang
        if tagger not in ("window", "spacy"):
            raise ConfigError(f"unknown keyphrase tagger {tagger!r}.",
                              fix='use "window" (voice\'s small tagger, the default) or "spacy" (the model\'s own).')
        self.tagger = tagger  # "window": voice's window tagger where it has one for the language; "spacy"
        self.tagger_folder = Path(tagger_folder) if tagger_folder else None

    # -- candidates ---------------------------------------------------------------------------------------------
    def _nlp(self, lang: str):
        exclude = ("ner",) if self.noun_chunks else ("ner", "parser")
        if self.tagger == "window" and not self.noun_chunks and window_tagger.available(lang, self.tagger_folder):
            # the window tagger instead of spaCy's tok2vec + tagger / morphologizer (see .tagger)
            nlp = renewed(load_spacy, lang, exclude=exclude + ("tok2vec", "tagger", "morphologizer"))
            if nlp.has_pipe("attribute_ruler"):  # a model, whose map turns the tags into POS (not a blank stand-in)
                return window_tagger.add_to(nlp, lang, self.tagger_folder)
        return renewed(load_spacy, lang, exclude=exclude)

    def warm_up(self, langs: tuple[str, ...] = ("en", "es")) -> None:
        """Load each language's spaCy pipeline now instead of on the first batch that needs it."""
        for lang in langs:
            self._nlp(lang)

    def candidates(self, docs: list[Doc]) -> list[tuple[list[Candidate], int]]:
        """Per doc: its candidates (at most ``max_candidates``, earliest first) and its token count."""
        out: list[tuple[list[Candidate], int]] = [([], 0)] * len(docs)
        by_lang: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(docs):
            if d.text and d.text.strip():
                by_lang[d.lang or self.default_lang].append(i)
        for lang, idxs in by_lang.items():
            nlp = self._nlp(lang)
            tagged = has_tagger(nlp) or nlp.has_pipe(window_tagger.FACTORY)
            lemmatize = _lazy_lemmatizer(nlp)
            texts = [content_text(docs[i])[: self.max_chars] for i in idxs]  # no greetings, sign-offs, signatures
            # candidates need tokens and tags only: no sentence boundaries, lemmas only for candidate words
            skip = [name for name in ("sentencizer", "senter") if nlp.has_pipe(name)]
            skip += ["lemmatizer"] if lemmatize else []
            for i, text, sdoc in zip(idxs, texts, nlp.pipe(texts, batch_size=self.batch_size, disable=skip)):
                out[i] = self._doc_candidates(docs[i], sdoc, text, lang, tagged, lemmatize)
        return out

    def _doc_candidates(self, doc: Doc, sdoc, text: str, lang: str, tagged: bool, lemmatize
                        ) -> tuple[list[Candidate], int]:
        if tagged:
            cands = tagged_candidates(sdoc, lang, max_words=self.max_words, noun_chunks=self.noun_chunks,
                                      lemmatize=lemmatize, text=text)
        else:
            cands = ngram_candidates(sdoc, max_words=min(self.max_words, 3))
        people = doc.extra.get("people")
        found = sorted((c for c in cands.values() if not (people and names_person(c, people))),
                       key=lambda c: (min(c.offsets), -c.count))
        if len(found) > self.max_candidates:  # keep the most frequent, then the earliest
            found = sorted(found, key=lambda c: (-c.count, min(c.offsets)))[: self.max_candidates]
        return found, len(sdoc)

    # -- ranking ------------------------------------------------------------------------------------------------
    def features(self, cands: list[Candidate], cand_vecs: np.ndarray, doc_vec: np.ndarray) -> np.ndarray:
        """(n, 3) array of sim, pos, freq, each in [0, 1]."""
        sim = cand_vecs @ doc_vec
        lo, hi = float(sim.min()), float(sim.max())
        sim = (sim - lo) / (hi - lo) if hi > lo else np.ones_like(sim)
        pos = np.array([sum(1.0 / (o + 1) for o in c.offsets) for c in cands])
        pos = pos / pos.max()
        freq = np.array([math.log1p(c.count) for c in cands])
        freq = freq / freq.max()
        return np.stack([sim, pos, freq], axis=1).astype(np.float64)

    def rank(self, cands: list[Candidate], cand_vecs: np.ndarray, doc_vec: np.ndarray) -> list[tuple[str, str, float]]:
        if not cands:
            return []
        w = np.asarray(self.weights, dtype=np.float64)
        relevance = self.features(cands, cand_vecs, doc_vec) @ (w / w.sum())
        picked = mmr(relevance, cand_vecs, self.top_k, self.diversity)
        out, floor = [], 1.0
        for j in picked:
            floor = min(floor, float(np.clip(relevance[j], 0.0, 1.0)))
            out.append((cands[j].key, cands[j].surface, round(floor, 4)))
        return out

    # -- the component ------------------------------------------------------------------------------------------
    def __call__(self, docs: list[Doc]) -> list[Doc]:
        """Doc vectors from :func:`~voice.pipeline.embed.embed` (reused where an
        earlier step set them), then one encoder call for every candidate."""
        per_doc = self.candidates(docs)
        embed([d for d, (cands, _) in zip(docs, per_doc) if cands], self.encoder, sentences=False)
        texts = [c.surface for cands, _ in per_doc for c in cands]
        vecs = self._phrases.encode(texts)
        start = 0
        for d, (cands, _) in zip(docs, per_doc):
            d.keyphrases = self.rank(cands, vecs[start:start + len(cands)], d.embedding) if cands else []
            start += len(cands)
        return docs


_WORDS = re.compile(r"[^\W\d_]+")


def names_person(cand: Candidate, people: frozenset[str] | set[str]) -> bool:
    """Whether a candidate names a person: every word of it is a name word, or one of its words is
    written capitalised ("Javier", "Gracias Tom") and is a name word. ``people``: lower-case words of
    the names that the store knows (``Doc.extra["people"]``, set by the analysis)."""
    words = _WORDS.findall(cand.key)
    if words and all(len(w) < 3 or w in people for w in words):
        return True
    return any(w[:1].isupper() and w.lower() in people for w in _WORDS.findall(cand.surface))


def _lazy_lemmatizer(nlp):
    """The pipeline's lemmatizer as a token -> lemma function, so that only
    candidate words are lemmatized (a tenth of the tokens of an email), or None
    where there is no lemmatizer to call that way."""
    if not nlp.has_pipe("lemmatizer"):
        return None
    lemmatizer = nlp.get_pipe("lemmatizer")
    fn = getattr(lemmatizer, "lemmatize", None)
    if fn is None:
        return None
    return lambda token: fn(token)[0]


def mmr(relevance: np.ndarray, vecs: np.ndarray, k: int, diversity: float) -> list[int]:
    """Maximal marginal relevance: pick ``k`` rows, each maximising
    (1 - diversity) * relevance - diversity * (max cosine to those already picked)."""
    n = len(relevance)
    k = min(k, n)
    if diversity <= 0:
        return list(np.argsort(-relevance, kind="stable")[:k])
    sims = vecs @ vecs.T
    picked = [int(np.argmax(relevance))]
    closest = sims[picked[0]].copy()
    free = np.ones(n, dtype=bool)
    free[picked[0]] = False
    while len(picked) < k:
        score = (1 - diversity) * relevance - diversity * closest
        score[~free] = -np.inf
        j = int(np.argmax(score))
        picked.append(j)
        free[j] = False
        closest = np.maximum(closest, sims[j])
    return picked


@component("keyphrases.v1")
def make_keyphrases(encoder, top_k: int = 10, w_sim: float = 0.6, w_pos: float = 0.3, w_freq: float = 0.1,
                    diversity: float = 0.2, max_words: int = 5, noun_chunks: bool = False,
                    tagger: str = "window") -> KeyphraseExtractor:
    return KeyphraseExtractor(encoder, top_k, w_sim=w_sim, w_pos=w_pos, w_freq=w_freq, diversity=diversity,
                              max_words=max_words, noun_chunks=noun_chunks, tagger=tagger)
