"""Language identification: es / en (the configured languages) / other, with a
confidence, per interaction and per sentence.

py3langid (a naive Bayes over byte n-grams, 97 languages, shipped in its
package) scores each text over a broad set of languages; the probability of
every language outside ``languages`` is folded into ``"other"``. Short replies
("Vale", "ok", "Sí, claro") are too short to tell apart from Catalan or
Galician, so a sentence whose own answer is unsure (below ``min_confidence``)
(or shorter than four words and not near-certain) inherits the interaction's
language; the interaction's own text is always long
enough in practice, and an empty or letter-less text is ("other", 0.0).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..errors import ConfigError
from ..pipeline.doc import Doc
from ..pipeline.registry import component

# Languages scored besides the configured ones, so that Portuguese or Catalan is
# called "other" rather than forced into Spanish.
NEIGHBOURS = ("es", "en", "pt", "fr", "it", "de", "ca", "gl", "eu", "nl")
# A sentence of fewer words keeps its interaction's language unless the detector is this sure.
SHORT_WORDS = 4
SHORT_CONFIDENCE = 0.9
# An interaction's text shorter than this is scored the same way (survey comments).
SHORT_TEXT_WORDS = 12


@lru_cache(maxsize=4)
def _identifier(langs: tuple[str, ...]):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(langs))
    return ident


SCOPES = ("doc", "sentences", "both")


class LanguageDetector:
    """``scope`` says what to label: the interaction (``doc``, before sentences
    are split), its ``sentences`` (after), or ``both``."""

    def __init__(self, languages: Sequence[str] = ("es", "en"), min_confidence: float = 0.5, scope: str = "both"):
        if scope not in SCOPES:
            raise ConfigError(f"unknown language scope {scope!r}.", fix=f"use one of {', '.join(SCOPES)}.")
        self.scope = scope
        self.languages = tuple(languages)
        self.min_confidence = min_confidence
        self._ident = _identifier(tuple(sorted(set(NEIGHBOURS) | set(self.languages))))

    def detect(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(language, confidence) per text; language is one of ``languages`` or "other"."""
        out = []
        for text in texts:
            if not text or not any(ch.isalpha() for ch in text):
                out.append(("other", 0.0))
                continue
            ranked = self._ident.rank(text)
            probs = {lang: float(p) for lang, p in ranked}
            best = max(self.languages, key=lambda lang: probs.get(lang, 0.0))
            p_best = probs.get(best, 0.0)
            other = float(np.clip(sum(p for lang, p in probs.items() if lang not in self.languages), 0, 1))
            if len(text.split()) < SHORT_TEXT_WORDS and other < SHORT_CONFIDENCE:
                # a short comment ("todo ok", "gr8 service") is only "other" when the detector is near-certain:
                # renormalise over the configured languages
                mass = sum(probs.get(lang, 0.0) for lang in self.languages)
                out.append((best, p_best / mass if mass else 0.0))
            else:
                out.append((best, p_best) if p_best >= other else ("other", other))
        return out

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        if self.scope in ("doc", "both"):
            for doc, (lang, conf) in zip(docs, self.detect([d.text for d in docs])):
                doc.lang, doc.lang_confidence = lang, round(conf, 4)
        if self.scope == "doc":
            return docs
        sentences = [(doc, s) for doc in docs for s in doc.sentences]
        for (doc, s), (lang, conf) in zip(sentences, self.detect([s.text for _, s in sentences])):
            sure = conf >= (self.min_confidence if len(s.text.split()) >= SHORT_WORDS else SHORT_CONFIDENCE)
            s.lang = lang if sure or doc.lang is None else doc.lang
        return docs


@component("language.langid.v1")
def make_language(languages: Sequence[str] = ("es", "en"), min_confidence: float = 0.5,
                  scope: str = "both") -> LanguageDetector:
    return LanguageDetector(languages, min_confidence, scope)
