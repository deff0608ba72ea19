"""The approximate index for search at scale: it finds what the exact scan finds, scores exactly, and
follows the store (new rows added, rebuilt after deletions)."""

import numpy as np
import pytest

pytest.importorskip("faiss")

from voice.search.ann import AnnIndex  # noqa: E402


def _clustered(n: int, dim: int = 64, groups: int = 50, seed: int = 0) -> np.ndarray:
    """Unit vectors around ``groups`` topics, like messages about a few dozen things."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((groups, dim)).astype(np.float32)
    x = centres[rng.integers(0, groups, n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_candidates_hold_the_exact_nearest():
    x = _clustered(20_000)
    ann = AnnIndex(x)  # the default nprobe
    queries = _clustered(50, seed=1)
    recall = []
    for q in queries:
        exact = set(np.argsort(-(x @ q))[:10])
        found = set(ann.candidates(q, 40))
        recall.append(len(exact & found) / 10)
    assert np.mean(recall) >= 0.95


def test_new_rows_take_the_next_positions():
    x = _clustered(5_000)
    ann = AnnIndex(x[:4_000])
    ann.add(x[4_000:])
    assert len(ann) == 5_000
    assert 4_500 in set(ann.candidates(x[4_500], 10))  # a row added later is found by its own vector


def test_the_search_index_uses_it_at_scale_and_scores_exactly(store, monkeypatch):
    from voice.encode.cache import POOLED, text_hash
    from voice.search import index as index_mod

    monkeypatch.setattr(index_mod, "ANN_MIN", 500)
    x = _clustered(1_000, dim=512)

    class Enc:
        name, dim = "fake", 512

        def encode(self, texts):
            raise AssertionError("every vector is stored")

    for n in range(1_000):
        text = f"message {n}"
        store.db.execute("insert into interactions (id, channel, text, content_hash) values (?, 'survey', ?, ?)",
                         [f"i{n}", text, f"h{n}"])
        store.db.execute("insert into analyses (interaction_id, analysed_text) values (?, ?)", [f"i{n}", text])
        store.db.execute("insert into embeddings (text_hash, model, dim, vector) values (?, ?, 512, ?)",
                         [text_hash(text), f"fake{POOLED}", x[n].tobytes()])
    index = index_mod.VectorIndex(store, Enc())
    index.refresh()
    assert index.wait_for_ann(60) and len(index.ann) == 1_000  # built in the background
    q = x[123]
    got = index.top(q, 5)
    exact = index.top(q, 5, scores=index.scores(q))
    assert got[0] == exact[0] and got[0][0] == index.rowids[123]          # the same best, scored exactly
    assert len({r for r, _ in got} & {r for r, _ in exact}) >= 4
    store.db.execute("delete from interactions where id = 'i5'")
    index.refresh()  # a deletion rebuilds the matrix, and the approximate index with it
    assert index.wait_for_ann(60) and len(index.ann) == 999 == len(index.matrix)
    # rows added later join the index without a rebuild
    store.db.execute("insert into interactions (id, channel, text, content_hash) values ('new', 'survey', "
                     "'message 0', 'hnew')")
    store.db.execute("insert into analyses (interaction_id, analysed_text) values ('new', 'message 0')")
    index.refresh()
    assert len(index.ann) == 1_000 == len(index.matrix)
