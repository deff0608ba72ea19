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


class StoredOnly:
    """An encoder whose every vector the store holds: encoding anything fails the test."""

    name, dim = "fake", 512

    def encode(self, texts):
        raise AssertionError("every vector is stored")


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

    Enc = StoredOnly
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


def test_saved_it_loads_only_for_the_same_rows_and_encoder(tmp_path):
    x = _clustered(3_000)
    rowids = np.arange(1, 3_001, dtype=np.int64)
    ann = AnnIndex(x)
    path = tmp_path / "v.db.ann"
    ann.save(path, rowids, "enc-pooled")
    again = AnnIndex.load(path, rowids, "enc-pooled")
    assert again is not None and len(again) == 3_000
    assert set(again.candidates(x[7], 20)) == set(ann.candidates(x[7], 20))
    assert AnnIndex.load(path, np.concatenate([rowids, [5_000]]), "enc-pooled") is not None  # more rows: extended
    assert AnnIndex.load(path, rowids[1:], "enc-pooled") is None          # a row is gone: stale
    assert AnnIndex.load(path, rowids, "other-pooled") is None            # other vectors
    path.write_bytes(b"not an index")
    assert AnnIndex.load(path, rowids, "enc-pooled") is None              # damaged: built again


def _stored(store, x):
    from voice.encode.cache import POOLED, text_hash

    store.db.execute("insert or ignore into customers (id, name) values ('C1', 'Ana')")
    for n in range(len(x)):
        text = f"message {n}"
        store.db.execute("insert into interactions (id, channel, text, content_hash, customer_id) "
                         "values (?, 'survey', ?, ?, 'C1')", [f"i{n}", text, f"h{n}"])
        store.db.execute("insert into analyses (interaction_id, analysed_text) values (?, ?)", [f"i{n}", text])
        store.db.execute("insert into embeddings (text_hash, model, dim, vector) values (?, ?, 512, ?)",
                         [text_hash(text), f"fake{POOLED}", x[n].tobytes()])


def test_another_process_reads_the_saved_index_and_an_erasure_deletes_it(tmp_path, monkeypatch):
    from voice.privacy import forget
    from voice.search import index as index_mod
    from voice.store import Store

    Enc = StoredOnly
    monkeypatch.setattr(index_mod, "ANN_MIN", 500)
    store = Store.open(tmp_path / "v.db", create=True)
    _stored(store, _clustered(800, dim=512))
    first = index_mod.VectorIndex(store, Enc())
    first.refresh()
    assert first.wait_for_ann(60)
    saved = tmp_path / "v.db.ann"
    assert saved.exists() and (tmp_path / "v.db.ann.json").exists()

    class NoBuild(AnnIndex):
        def __init__(self, *a, **kw):
            raise AssertionError("built again instead of read")

    monkeypatch.setattr(index_mod, "AnnIndex", NoBuild)
    second = index_mod.VectorIndex(store, Enc())  # as a second web worker would
    second.refresh()
    assert second.wait_for_ann(60) and len(second.ann) == 800
    assert second.top(second.matrix[9], 1)[0][0] == second.rowids[9]

    forget(store, "C1")  # the saved index holds the erased customer's vectors: gone with them
    assert not saved.exists() and not (tmp_path / "v.db.ann.json").exists()
    store.close()


def test_an_index_built_while_rows_were_erased_is_not_saved(tmp_path, monkeypatch):
    from voice.search import index as index_mod
    from voice.store import Store

    class Enc:
        name, dim = "fake", 512

    monkeypatch.setattr(index_mod, "ANN_MIN", 500)
    store = Store.open(tmp_path / "v.db", create=True)
    _stored(store, _clustered(600, dim=512))
    built = []

    class ErasedMeanwhile(AnnIndex):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            if not built:
                built.append(1)
                store.db.execute("delete from interactions where id = 'i3'")  # an erasure during the build

    monkeypatch.setattr(index_mod, "AnnIndex", ErasedMeanwhile)
    index = index_mod.VectorIndex(store, Enc())
    index.refresh()
    index.wait_for_ann(60)
    assert not (tmp_path / "v.db.ann").exists()
    store.close()


@pytest.mark.parametrize("customers", [["C1"], ["C2"], ["C3"]], ids=["broad", "a few percent", "two rows"])
def test_a_filtered_search_at_scale_finds_what_the_exact_scan_finds(tmp_path, monkeypatch, customers):
    """With the approximate index, a filter is checked on its best candidates (more of them when few
    pass) or, when too few pass, read whole: either way the best rows passing the filter come first."""
    from voice.search import hybrid
    from voice.search import index as index_mod
    from voice.search.filters import Filters
    from voice.store import Store

    class Enc:
        name, dim = "fake", 512

    monkeypatch.setattr(index_mod, "ANN_MIN", 500)
    store = Store.open(tmp_path / "v.db", create=True)
    x = _clustered(3_000, dim=512)
    _stored(store, x)
    store.db.execute("insert into customers (id, name) values ('C2', 'Eva'), ('C3', 'Luis')")
    store.db.execute("update interactions set customer_id = 'C2' where rowid % 40 = 0")  # 2.5%
    store.db.execute("update interactions set customer_id = 'C3' where id in ('i10', 'i2999')")
    index = index_mod.index_for(store, Enc())
    assert index.wait_for_ann(60)
    filters = Filters(customer=customers)
    where, params = filters.sql()
    passing = {r[0] for r in store.db.execute(f"select i.rowid from interactions i where {where}", params)}
    q = x[10]
    got = hybrid._meaning_side(store, Enc(), q, filters, where, params, depth=20, min_similarity=-1.0)
    exact = [r for r, _ in index.top(q, len(index.rowids), scores=index.scores(q)) if r in passing][:20]
    assert {r for r, _ in got} <= passing
    assert len(got) == min(20, len(passing))
    assert [r for r, _ in got][:5] == exact[:5]
    assert len({r for r, _ in got} & set(exact)) >= 0.9 * len(exact)
    store.close()


def test_another_process_maps_the_saved_vectors_until_an_analysis_or_an_erasure_changes_them(tmp_path, monkeypatch):
    from voice.privacy import forget
    from voice.search import index as index_mod
    from voice.store import Store

    Enc = StoredOnly
    monkeypatch.setattr(index_mod, "ANN_MIN", 500)
    store = Store.open(tmp_path / "v.db", create=True)
    x = _clustered(800, dim=512)
    _stored(store, x)
    first = index_mod.VectorIndex(store, Enc())
    first.refresh()
    assert first.wait_for_ann(60) and (tmp_path / "v.db.vectors").exists()

    def never(self, hashes):
        raise AssertionError("read from the embeddings table instead of the saved vectors")

    monkeypatch.setattr(index_mod.VectorIndex, "_lookup", never)
    second = index_mod.VectorIndex(store, Enc())  # another web worker: maps the file, reads no vector
    second.refresh()
    assert isinstance(second.matrix, np.memmap) and np.array_equal(second.matrix, first.matrix)
    assert second.ids == first.ids and second.top(x[9], 1)[0][0] == second.rowids[9]
    monkeypatch.undo()
    monkeypatch.setattr(index_mod, "ANN_MIN", 500)

    store.db.execute("insert into analysis_runs (pipeline, started_at, status) values ('p', 'now', 'done')")
    third = index_mod.VectorIndex(store, Enc())  # a new analysis may have changed the vectors: read afresh
    third.refresh()
    assert not isinstance(third.matrix, np.memmap) and np.array_equal(third.matrix, first.matrix)

    forget(store, "C1")  # the saved vectors hold the erased customer's: gone with them
    assert not (tmp_path / "v.db.vectors").exists() and not (tmp_path / "v.db.vectors.json").exists()
    store.close()
