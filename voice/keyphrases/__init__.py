"""Keyphrases: noun-phrase candidates from spaCy, ranked against the document's
embedding with position and frequency, diversified by MMR (``keyphrases.v1``)."""

from .extract import KeyphraseExtractor, make_keyphrases, mmr

__all__ = ["KeyphraseExtractor", "make_keyphrases", "mmr"]
